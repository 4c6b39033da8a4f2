/* Crash safety of every saver: SIGKILL during a save never leaves a
 * partial or corrupt file (write-to-temp, fsync, rename). */
#include "crashkit.h"


/* --- frames written as CSV (custops_frame_write_csv) --- */

typedef struct frame_pair {
    custops_frame *f[2];
    char *text[2];
    size_t len[2];
} frame_pair;

static int frame_save(const char *path, int k, void *ud)
{
    frame_pair *p = ud;
    return custops_frame_write_csv(p->f[k], path);
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    *len = fread(b, 1, (size_t)n, f);
    fclose(f);
    return b;
}

static int frame_identify(const char *path, void *ud)
{
    frame_pair *p = ud;
    size_t n;
    char *b = slurp(path, &n);
    int which = -1;
    for (int k = 0; k < 2 && b; k++)
        if (n == p->len[k] && memcmp(b, p->text[k], n) == 0)
            which = k;
    free(b);
    return which;
}

static custops_frame *make_frame(int k, size_t rows)
{
    custops_frame *f;
    ck_assert_ok(custops_frame_new(&f));
    int64_t *v = malloc(rows * sizeof *v);
    double *d = malloc(rows * sizeof *d);
    for (size_t i = 0; i < rows; i++) {
        v[i] = (int64_t)(i * 7919 + (size_t)k);
        d[i] = (double)i / (k + 3.0);
    }
    ck_assert_ok(custops_frame_add_int64(f, "id", v, rows));
    ck_assert_ok(custops_frame_add_double(f, k ? "score_b" : "score_a", d, rows));
    free(v);
    free(d);
    return f;
}

/* A deliberately unsafe saver (truncate and write in place), to show the
 * harness does catch torn writes. */
static int unsafe_save(const char *path, int k, void *ud)
{
    frame_pair *p = ud;
    FILE *f = fopen(path, "wb");
    if (!f)
        return CUSTOPS_EIO;
    for (size_t off = 0; off < p->len[k]; off += 4096) {
        size_t n = p->len[k] - off < 4096 ? p->len[k] - off : 4096;
        fwrite(p->text[k] + off, 1, n, f);
        fflush(f);
    }
    fclose(f);
    return CUSTOPS_OK;
}

START_TEST(frame_csv_survives_sigkill)
{
    char dir[256], path[300];
    test_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/features.csv", dir);
    frame_pair p;
    for (int k = 0; k < 2; k++) {
        p.f[k] = make_frame(k, 20000 + (size_t)k * 5000); /* ~0.5 MB: a save takes a while */
        char ref[300];
        snprintf(ref, sizeof ref, "%s/ref%d.csv", dir, k);
        ck_assert_ok(custops_frame_write_csv(p.f[k], ref));
        p.text[k] = slurp(ref, &p.len[k]);
        remove(ref);
    }
    crash_case c = {"frame csv", frame_save, frame_identify, &p};
    int bad = crash_run(&c, path, getenv("CUSTOPS_UNDER_VALGRIND") ? 5 : 60, 42);
    ck_assert_int_eq(bad, 0);
    if (!getenv("CUSTOPS_UNDER_VALGRIND")) {
        /* control: the same harness sees torn files from an unsafe saver */
        crash_case u = {"unsafe control", unsafe_save, frame_identify, &p};
        snprintf(path, sizeof path, "%s/unsafe.csv", dir);
        int torn = crash_run(&u, path, 60, 7);
        ck_assert_msg(torn > 0, "the harness saw no torn write from an in-place saver in 60 kills");
    }
    for (int k = 0; k < 2; k++) {
        custops_frame_free(p.f[k]);
        free(p.text[k]);
    }
    char cmd[320];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}
END_TEST

/* --- journey engines (custops_journeys_save, kind JRNY) --- */

static int journeys_save(const char *path, int k, void *ud)
{
    custops_journeys **e = ud;
    return custops_journeys_save(e[k], path);
}

static int journeys_identify(const char *path, void *ud)
{
    (void)ud;
    custops_journeys *j;
    if (custops_journeys_load(&j, path) != CUSTOPS_OK)
        return -1;
    size_t active = custops_journeys_active(j);
    custops_journeys_free(j);
    return active == 1 ? 0 : active == 3000 ? 1 : -1;
}

START_TEST(journeys_survive_sigkill)
{
    static const char *PLAYS = "play p\n trigger event e\n wait 1d\n tag t\nend\n";
    custops_journeys *e[2];
    for (int k = 0; k < 2; k++) {
        ck_assert_ok(custops_journeys_new(&e[k], PLAYS, "UTC"));
        for (int i = 0; i < (k ? 3000 : 1); i++) {
            char id[16];
            snprintf(id, sizeof id, "c%d", i);
            ck_assert_ok(custops_journeys_event(e[k], id, "e", "", 1000 + i));
        }
    }
    char dir[256], path[300];
    test_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/state.jrny", dir);
    crash_case c = {"journeys", journeys_save, journeys_identify, e};
    ck_assert_int_eq(crash_run(&c, path, getenv("CUSTOPS_UNDER_VALGRIND") ? 3 : 40, 11), 0);
    custops_journeys_free(e[0]);
    custops_journeys_free(e[1]);
    char cmd[320];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}
END_TEST

static Suite *crash_suite(void)
{
    Suite *s = suite_create("crash");
    TCase *tc = tcase_create("sigkill");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, frame_csv_survives_sigkill);
    tcase_add_test(tc, journeys_survive_sigkill);
    suite_add_tcase(s, tc);
    return s;
}

TEST_MAIN(crash_suite)
