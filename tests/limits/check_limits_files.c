/* Save-file loaders against forged sizes. Each loader reads a file whose
 * checksums are right but whose counts and lengths lie: every 4-byte window
 * of a valid payload is overwritten in turn with 0xffffffff (and 0x7fffffff),
 * the frame is rewritten with fresh checksums, and the file is loaded under
 * an allocator that refuses and counts any single request larger than a
 * bound proportional to the file size. A loader passes when no forged
 * length ever reaches the allocator and every failure has a message. */
#include "limits_util.h"

#include "core/internal.h"

#include <stdio.h>

/* ---- frame writer ---- */

#define CHECK_SEED 0x637573746f707331ULL /* the core frame's seed ("custops1") */

static void put_le(unsigned char *p, uint64_t v, int n)
{
    for (int i = 0; i < n; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

void lim_forge_save(const char *path, const char kind[4], uint32_t version, const void *payload, size_t len)
{
    unsigned char h[40];
    memcpy(h, "CUSTOPS\x1a", 8);
    memcpy(h + 8, kind, 4);
    put_le(h + 12, version, 4);
    put_le(h + 16, len, 8);
    put_le(h + 24, custops__hash64(payload, len, CHECK_SEED), 8);
    put_le(h + 32, custops__hash64(h, 32, CHECK_SEED), 8);
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(h, 1, sizeof h, f), sizeof h);
    ck_assert_uint_eq(fwrite(payload, 1, len, f), len);
    ck_assert_int_eq(fclose(f), 0);
}

/* ---- an allocator that refuses oversized single requests ---- */

typedef struct big_guard {
    size_t bound;  /* largest single request allowed */
    size_t refused;
    size_t largest;
} big_guard;

static void *g_malloc(size_t n, void *ud)
{
    big_guard *g = ud;
    if (n > g->largest)
        g->largest = n;
    if (n > g->bound) {
        g->refused++;
        return NULL;
    }
    return malloc(n);
}

static void *g_realloc(void *p, size_t n, void *ud)
{
    big_guard *g = ud;
    if (n > g->largest)
        g->largest = n;
    if (n > g->bound) {
        g->refused++;
        return NULL;
    }
    return realloc(p, n);
}

static void g_free(void *p, void *ud)
{
    (void)ud;
    free(p);
}

static big_guard guard;

static void install_guard(void)
{
    static const custops_allocator a = {CUSTOPS_ALLOCATOR_VERSION, g_malloc, g_realloc, g_free, &guard};
    guard.bound = (size_t)1 << 40; /* no bound while the valid file is made */
    ck_assert_ok(custops_set_allocator(&a));
}

static unsigned char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    unsigned char *d = malloc(1 << 20);
    ck_assert_ptr_nonnull(d);
    *len = fread(d, 1, 1 << 20, f);
    fclose(f);
    ck_assert_uint_lt(*len, 1 << 20);
    return d;
}

typedef int (*loader_fn)(const char *path); /* loads and frees; returns the status */

/* Forge every window of the payload of the valid file at `path` and load it. */
static void sweep(const char *path, const char kind[4], loader_fn load)
{
    size_t flen;
    unsigned char *file = slurp(path, &flen);
    ck_assert_uint_gt(flen, 40);
    uint32_t version = (uint32_t)file[12] | (uint32_t)file[13] << 8;
    unsigned char *payload = file + 40;
    size_t plen = flen - 40;
    ck_assert_int_eq(load(path), CUSTOPS_OK); /* the unforged file loads */
    char forged[4200];
    snprintf(forged, sizeof forged, "%s.forged", path);
    static const uint32_t lies[] = {0xffffffffu, 0x7fffffffu, 0x00100000u};
    size_t failures = 0;
    for (size_t li = 0; li < sizeof lies / sizeof lies[0]; li++) {
        for (size_t at = 0; at + 4 <= plen; at++) {
            unsigned char *copy = malloc(plen);
            ck_assert_ptr_nonnull(copy);
            memcpy(copy, payload, plen);
            put_le(copy + at, lies[li], 4);
            lim_forge_save(forged, kind, version, copy, plen);
            free(copy);
            /* a loader may hold the file, a decoded copy and its tables:
             * a small multiple of the file plus fixed tables, never 4 GiB */
            guard.bound = 64 * flen + ((size_t)1 << 20);
            guard.refused = 0;
            custops_clear_error();
            int rc = load(forged);
            guard.bound = (size_t)1 << 40;
            ck_assert_msg(guard.refused == 0, "%.4s: forged 0x%08x at payload byte %zu asked for %zu bytes (file %zu)",
                          kind, lies[li], at, guard.largest, flen);
            if (rc != CUSTOPS_OK) {
                failures++;
                ck_assert_msg(rc == CUSTOPS_ECORRUPT || rc == CUSTOPS_ELIMIT || rc == CUSTOPS_EINVAL ||
                                  rc == CUSTOPS_ERANGE || rc == CUSTOPS_EVERSION,
                              "%.4s: forged byte %zu gave status %d (%s)", kind, at, rc, custops_last_error());
                ck_assert_msg(custops_last_error()[0] != '\0', "%.4s: forged byte %zu failed without a message", kind,
                              at);
            }
        }
    }
    ck_assert_uint_gt(failures, 0); /* the sweep reached the lengths */
    free(file);
    remove(forged);
}

/* ---- valid files of each kind ---- */

static int load_segs(const char *path)
{
    custops_segment_library *lib = NULL;
    int rc = custops_segment_library_load(&lib, path);
    custops_segment_library_free(lib);
    return rc;
}

static int load_loyl(const char *path)
{
    custops_loyalty *l = NULL;
    int rc = custops_loyalty_load(&l, path);
    custops_loyalty_free(l);
    return rc;
}

static int load_jrny(const char *path)
{
    custops_journeys *j = NULL;
    int rc = custops_journeys_load(&j, path);
    custops_journeys_free(j);
    return rc;
}

static int load_stor(const char *path)
{
    custops_store *s = NULL;
    int rc = custops_store_load(&s, path);
    custops_store_free(s);
    return rc;
}

static int load_clvm(const char *path)
{
    custops_clv_model *m = NULL;
    int rc = custops_clv_load(&m, path);
    custops_clv_free(m);
    return rc;
}

START_TEST(segs_forged_lengths)
{
    install_guard();
    char dir[4096], path[4200];
    test_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/lib.segs", dir);
    custops_segment_library *lib;
    ck_assert_ok(custops_segment_library_new(&lib));
    ck_assert_ok(custops_segment_library_define(lib, "big", "orders > 3"));
    ck_assert_ok(custops_segment_library_define(lib, "bigger", "segment big and orders > 5"));
    ck_assert_ok(custops_segment_library_save(lib, path));
    custops_segment_library_free(lib);
    sweep(path, "SEGS", load_segs);
    remove(path);
    rmdir(dir);
}
END_TEST

START_TEST(segs_definition_count)
{
    char dir[4096], path[4200];
    test_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/lib.segs", dir);
    lim_buf b = {.len = 0};
    lim_u32(&b, 10001); /* one more than a library may hold */
    for (int i = 0; i < 3; i++) {
        lim_u32(&b, 1);
        lim_u8(&b, 'a');
        lim_u32(&b, 1);
        lim_u8(&b, 'x');
    }
    lim_forge_save(path, "SEGS", 1, b.data, b.len);
    custops_segment_library *lib = NULL;
    ck_assert_limit(custops_segment_library_load(&lib, path), CUSTOPS_ECORRUPT, "10001 definitions, more than 10000");
    ck_assert_ptr_null(lib);
    remove(path);
    rmdir(dir);
}
END_TEST

START_TEST(loyl_forged_lengths)
{
    install_guard();
    char dir[4096], path[4200];
    test_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/p.loyl", dir);
    custops_loyalty *l;
    ck_assert_ok(custops_loyalty_new(&l, NULL));
    int64_t pts;
    ck_assert_ok(custops_loyalty_purchase(&pts, l, "alice", 1700000000, 150000, 1.0));
    ck_assert_ok(custops_loyalty_purchase(&pts, l, "bob", 1700086400, 9900, 2.0));
    ck_assert_ok(custops_loyalty_redeem(l, "alice", 1700172800, 100));
    size_t changes;
    ck_assert_ok(custops_loyalty_recalc(&changes, l, 1700200000));
    ck_assert_ok(custops_loyalty_save(l, path));
    custops_loyalty_free(l);
    sweep(path, "LOYL", load_loyl);
    remove(path);
    rmdir(dir);
}
END_TEST

START_TEST(jrny_forged_lengths)
{
    install_guard();
    char dir[4096], path[4200];
    test_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/j.jrny", dir);
    custops_journeys *j;
    ck_assert_ok(custops_journeys_new(&j,
                                      "play p\n  trigger event cart_add\n  cap sms 1 per 1d\n  wait 15m\n"
                                      "  send sms hello\nend\n",
                                      "UTC"));
    ck_assert_ok(custops_journeys_set_consent(j, "c1", "sms", 1));
    ck_assert_ok(custops_journeys_event(j, "c1", "cart_add", "k1", 1700000000));
    ck_assert_ok(custops_journeys_save(j, path));
    custops_journeys_free(j);
    sweep(path, "JRNY", load_jrny);
    remove(path);
    rmdir(dir);
}
END_TEST

START_TEST(stor_forged_lengths)
{
    install_guard();
    char dir[4096], path[4200];
    test_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/s.stor", dir);
    custops_store *s;
    ck_assert_ok(custops_store_new(&s, "UTC", "CNY"));
    custops_order_line lines[2] = {
        {"o1", "c1", 1700000000, "sku1", "shoes", 2, 1000, 100, "SAVE", "web"},
        {"o2", "c2", 1700086400, "sku2", NULL, 1, 500, 0, NULL, NULL},
    };
    ck_assert_ok(custops_store_add_lines(s, lines, 2));
    ck_assert_ok(custops_store_save(s, path));
    custops_store_free(s);
    sweep(path, "STOR", load_stor);
    remove(path);
    rmdir(dir);
}
END_TEST

START_TEST(clvm_forged_lengths)
{
    install_guard();
    char dir[4096], path[4200];
    test_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/m.clvm", dir);
    custops_clv_model *m;
    const double params[4] = {0.24, 4.41, 0.79, 2.43};
    ck_assert_ok(custops_clv_new(&m, CUSTOPS_CLV_BGNBD, params, 4));
    ck_assert_ok(custops_clv_save(m, path));
    custops_clv_free(m);
    sweep(path, "CLVM", load_clvm);
    remove(path);
    rmdir(dir);
}
END_TEST

/* Found by fuzz_loyalty: a purchase dated after the program's last
 * operation loaded, a later purchase went in before it, and the saved
 * result no longer loaded. The reproducer is fuzz/crashes-loyalty/. */
START_TEST(loyl_purchase_after_last_time)
{
    char path[4200];
    const char *src = getenv("top_srcdir");
    snprintf(path, sizeof path, "%s/fuzz/crashes-loyalty/purchase-after-last-time", src ? src : "../..");
    size_t flen;
    unsigned char *file = slurp(path, &flen);
    char dir[4096];
    test_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/p.loyl", dir);
    lim_forge_save(path, "LOYL", 1, file + 40, flen - 40); /* fresh checksums */
    free(file);
    custops_loyalty *l = NULL;
    ck_assert_limit(custops_loyalty_load(&l, path), CUSTOPS_ECORRUPT, "purchase 1 is out of order, after the last operation");
    ck_assert_ptr_null(l);
    remove(path);
    rmdir(dir);
}
END_TEST

/* Found by fuzz_loyalty: forged lots whose points sum past INT64_MAX
 * overflowed a member's balance (undefined behaviour). Balances are now
 * bounded by 10^18 points and such lots are refused. */
START_TEST(loyl_balance_overflow)
{
    char path[4200];
    const char *src = getenv("top_srcdir");
    snprintf(path, sizeof path, "%s/fuzz/crashes-loyalty/balance-overflow", src ? src : "../..");
    size_t flen;
    unsigned char *file = slurp(path, &flen);
    char dir[4096];
    test_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/p.loyl", dir);
    size_t skip = flen > 40 && memcmp(file, "CUSTOPS", 7) == 0 ? 40 : 0;
    lim_forge_save(path, "LOYL", 1, file + skip, flen - skip);
    free(file);
    custops_loyalty *l = NULL;
    ck_assert_limit(custops_loyalty_load(&l, path), CUSTOPS_ECORRUPT, "is invalid");
    ck_assert_ptr_null(l);
    remove(path);
    rmdir(dir);
}
END_TEST

/* A header that promises a payload longer than the file is refused before
 * anything is allocated for it. */
START_TEST(frame_length_beyond_file)
{
    char dir[4096], path[4200];
    test_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/m.clvm", dir);
    unsigned char payload[8] = {0};
    lim_forge_save(path, "CLVM", 1, payload, sizeof payload);
    size_t flen;
    unsigned char *file = slurp(path, &flen);
    put_le(file + 16, UINT64_C(1) << 40, 8); /* promise 1 TiB */
    put_le(file + 32, custops__hash64(file, 32, CHECK_SEED), 8);
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(file, 1, flen, f), flen);
    fclose(f);
    free(file);
    custops_clv_model *m = NULL;
    ck_assert_limit(custops_clv_load(&m, path), CUSTOPS_ECORRUPT, "1099511627776");
    ck_assert_ptr_null(m);
    remove(path);
    rmdir(dir);
}
END_TEST

TCase *limits_files_tcase(void)
{
    TCase *tc = tcase_create("save files");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, segs_forged_lengths);
    tcase_add_test(tc, segs_definition_count);
    tcase_add_test(tc, loyl_forged_lengths);
    tcase_add_test(tc, jrny_forged_lengths);
    tcase_add_test(tc, stor_forged_lengths);
    tcase_add_test(tc, clvm_forged_lengths);
    tcase_add_test(tc, loyl_purchase_after_last_time);
    tcase_add_test(tc, loyl_balance_overflow);
    tcase_add_test(tc, frame_length_beyond_file);
    return tc;
}
