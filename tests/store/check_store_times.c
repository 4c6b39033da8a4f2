/* CSV time fields against the reference parser: for many generated time
 * texts (well formed, out of range and malformed), a row is ingested
 * exactly when custops_time_parse() accepts the text (and its instant is
 * within the years 1..9999), and then with the instant it gives. This pins
 * the fast paths of the store's time reader to the general one. */
#include "testutil.h"

#include <custops/store.h>
#include <custops/time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { N = 6000 };

static uint64_t seed = 0x9E3779B97F4A7C15ULL;
static unsigned rnd(unsigned n)
{
    seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    return (unsigned)(seed >> 33) % n;
}

/* a time text: mostly the shapes ingest meets, some with fields out of
 * range, some with one byte changed, dropped or added */
static void gen(char *b, size_t cap)
{
    static const char *zones[] = {"Z", "+08:00", "-05:30", "+14:00", "+14:59", "+15:00", "-00:00", "+0800", "", "z", "+08:60", "+8:00"};
    int y = rnd(8) == 0 ? (int)rnd(10000) : 1990 + (int)rnd(60);
    int mo = rnd(10) == 0 ? (int)rnd(15) : 1 + (int)rnd(12);
    int d = rnd(10) == 0 ? (int)rnd(33) : 1 + (int)rnd(31);
    int h = rnd(10) == 0 ? (int)rnd(30) : (int)rnd(24);
    int mi = rnd(10) == 0 ? (int)rnd(70) : (int)rnd(60);
    int se = rnd(10) == 0 ? (int)rnd(70) : (int)rnd(60);
    const char *z = rnd(3) ? zones[rnd(2)] : zones[rnd(12)];
    snprintf(b, cap, "%04d-%02d-%02d%c%02d:%02d:%02d%s", y, mo, d, rnd(8) ? 'T' : ' ', h, mi, se, z);
    size_t n = strlen(b);
    unsigned what = rnd(6);
    static const char alpha[] = "0123456789-:T +Z.x/";
    if (what == 0 && n > 0) { /* change one byte */
        b[rnd((unsigned)n)] = alpha[rnd(sizeof alpha - 1)];
    } else if (what == 1 && n > 1) { /* drop one byte */
        size_t k = rnd((unsigned)n);
        memmove(b + k, b + k + 1, n - k);
    } else if (what == 2 && n + 2 < cap) { /* add one byte */
        size_t k = rnd((unsigned)n + 1);
        memmove(b + k + 1, b + k, n - k + 1);
        b[k] = alpha[rnd(sizeof alpha - 1)];
    }
}

static int cmp64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

START_TEST(test_times_match_reference)
{
    static const char *zone_names[] = {"UTC", "Asia/Shanghai", "America/New_York"};
    for (int zi = 0; zi < 3; zi++) {
        custops_zone *zone;
        ck_assert_int_eq(custops_zone_open(&zone, zone_names[zi]), 0);
        custops_store *s;
        ck_assert_int_eq(custops_store_new(&s, zone_names[zi], "CNY"), 0);
        size_t cap = (size_t)N * 80 + 128, len = 0;
        char *csv = malloc(cap);
        int64_t *want = malloc(sizeof *want * N);
        char *rejected = calloc(N + 3, 1);
        size_t nwant = 0, nrej = 0;
        ck_assert_ptr_nonnull(csv);
        len += (size_t)snprintf(csv, cap, "order_id,customer_id,time,currency,sku,qty,unit_price\n");
        for (int i = 0; i < N; i++) {
            char t[48];
            gen(t, sizeof t);
            len += (size_t)snprintf(csv + len, cap - len, "o%d,c%d,%s,CNY,s,1,1.00\n", i, i, t);
            int64_t v;
            /* years 1..9999: -62135596800 is 0001-01-01, 253402300800 is 10000-01-01 */
            if (t[0] != '\0' && custops_time_parse(t, zone, &v) == 0 && v >= -62135596800LL && v < 253402300800LL)
                want[nwant++] = v;
            else
                rejected[i + 2] = 1, nrej++; /* line i + 2 */
        }
        custops_ingest_opts o;
        custops_ingest_opts_init(&o);
        o.policy = CUSTOPS_INGEST_SKIP;
        custops_ingest_result r;
        custops_frame *rej = NULL;
        ck_assert_int_eq(custops_store_ingest_csv_buffer(s, csv, len, "t.csv", &o, &r, &rej), 0);
        ck_assert_uint_eq(r.rejected, nrej);
        /* the rejected rows are the lines the reference refuses */
        if (rej) {
            size_t c = 0;
            while (c < custops_frame_ncols(rej) && strcmp(custops_frame_col_name(rej, c), "line") != 0)
                c++;
            ck_assert_uint_lt(c, custops_frame_ncols(rej));
            const int64_t *ln;
            ck_assert_int_eq(custops_frame_int64(rej, c, &ln), 0);
            size_t nr = custops_frame_nrows(rej); /* the frame keeps the first rejects only */
            ck_assert_uint_eq(nr, nrej < 1000 ? nrej : 1000);
            for (size_t k = 0; k < nr; k++)
                ck_assert_msg(ln[k] >= 2 && ln[k] < N + 2 && rejected[ln[k]], "line %lld rejected", (long long)ln[k]);
            custops_frame_free(rej);
        }
        /* the accepted rows hold the reference's instants */
        custops_frame *l;
        ck_assert_int_eq(custops_store_lines(s, &l), 0);
        ck_assert_uint_eq(custops_frame_nrows(l), nwant);
        size_t c = 0;
        while (strcmp(custops_frame_col_name(l, c), "time") != 0)
            c++;
        const int64_t *tm;
        ck_assert_int_eq(custops_frame_int64(l, c, &tm), 0);
        int64_t *got = malloc(sizeof *got * (nwant + 1));
        memcpy(got, tm, sizeof *got * nwant);
        qsort(got, nwant, sizeof *got, cmp64);
        qsort(want, nwant, sizeof *want, cmp64);
        for (size_t k = 0; k < nwant; k++)
            ck_assert_msg(got[k] == want[k], "instant %zu: %lld != %lld", k, (long long)got[k], (long long)want[k]);
        ck_assert_uint_gt(nwant, N / 3);
        ck_assert_uint_gt(nrej, N / 20);
        free(got);
        custops_frame_free(l);
        free(rejected);
        free(want);
        free(csv);
        custops_store_free(s);
        custops_zone_free(zone);
    }
}
END_TEST

int main(void)
{
    Suite *su = suite_create("store_times");
    TCase *tc = tcase_create("times");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_times_match_reference);
    suite_add_tcase(su, tc);
    SRunner *sr = srunner_create(su);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
