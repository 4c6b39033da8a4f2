/* Out of memory: failing each allocation of a store workload in turn gives
 * CUSTOPS_ENOMEM and no leak, and a failed ingest leaves the store exactly
 * as it was (and usable). */
#include "failalloc.h"


static const char *ORDERS = "order_id,customer_id,time,currency,sku,category,qty,unit_price,discount,coupon_code,channel\n"
                            "o1,alice,2024-11-01 10:00:00,CNY,sku1,shoes,2,100.00,20.00,,app\n"
                            "o1,alice,2024-11-01 10:00:00,CNY,sku2,\"so\"\"cks\",1,9.90,,,app\n"
                            "o2,bob,2024-11-02T09:30:00+08:00,CNY,sku1,shoes,1,100,,C10,web\n";
static const char *MORE = "{\"kind\":\"refund\",\"refund_id\":\"r1\",\"order_id\":\"o1\",\"time\":1730600000,\"amount\":\"5.00\"}\n"
                          "{\"kind\":\"event\",\"customer_id\":\"carol\",\"time\":1730600000,\"type\":\"view\"}\n"
                          "{\"kind\":\"customer\",\"customer_id\":\"bob\",\"tags\":[\"a\",\"b\\u00e9\"],\"region\":\"East\"}\n";

static int workload(void *ctx)
{
    const char *path = ctx;
    custops_store *s = NULL, *t = NULL;
    custops_frame *f = NULL;
    char *json = NULL;
    int rc = custops_store_new(&s, "+08:00", "CNY");
    if (rc == 0)
        rc = custops_store_ingest_csv_buffer(s, ORDERS, strlen(ORDERS), "o.csv", NULL, NULL, NULL);
    if (rc == 0)
        rc = custops_store_ingest_jsonl_buffer(s, MORE, strlen(MORE), "m.jsonl", NULL, NULL, NULL);
    if (rc == 0 && (rc = custops_store_lines(s, &f)) == 0)
        custops_frame_free(f);
    custops_features_opts o = CUSTOPS_FEATURES_OPTS_INIT;
    o.now = 1731000000;
    if (rc == 0 && (rc = custops_store_features(s, &o, &f)) == 0)
        custops_frame_free(f);
    if (rc == 0 && (rc = custops_store_count_events(s, 1, o.now, 10, 0, &f)) == 0)
        custops_frame_free(f);
    if (rc == 0 && (rc = custops_store_export_customer(s, "alice", &json)) == 0)
        custops_free(json);
    if (rc == 0)
        rc = custops_store_save(s, path);
    if (rc == 0)
        rc = custops_store_erase(s, "alice");
    if (rc == 0)
        rc = custops_store_purge(s, 1730500000, NULL);
    if (rc == 0 && (rc = custops_store_load(&t, path)) == 0)
        custops_store_free(t);
    custops_store_free(s);
    return rc;
}

START_TEST(fail_every_allocation_in_turn)
{
    char dir[256], path[300];
    test_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/s.stor", dir);
    failalloc_sweep(workload, path, 100, 5000, NULL);
    unlink(path);
    rmdir(dir);
}
END_TEST

static void counts(custops_store *s, custops_store_counts *c)
{
    ck_assert_ok(custops_store_stats(s, c));
    c->bytes = 0;
}

START_TEST(failed_ingest_leaves_store_unchanged)
{
    ck_assert_ok(custops_set_allocator(&FAILALLOC));
    long failures = 0;
    for (long n = 1; n < 3000; n++) {
        failalloc.fail_at = 0;
        custops_store *s;
        ck_assert_ok(custops_store_new(&s, "UTC", "CNY"));
        ck_assert_ok(custops_store_ingest_csv_buffer(s, ORDERS, strlen(ORDERS), "o.csv", NULL, NULL, NULL));
        custops_store_counts before, after;
        counts(s, &before);
        failalloc_reset(n);
        int rc = custops_store_ingest_jsonl_buffer(s, MORE, strlen(MORE), "m.jsonl", NULL, NULL, NULL);
        failalloc.fail_at = 0;
        if (rc == CUSTOPS_OK) {
            custops_store_free(s);
            break;
        }
        ck_assert_int_eq(rc, CUSTOPS_ENOMEM);
        failures++;
        counts(s, &after);
        ck_assert_mem_eq(&before, &after, sizeof before);
        /* still usable: the same input now goes in */
        ck_assert_ok(custops_store_ingest_jsonl_buffer(s, MORE, strlen(MORE), "m.jsonl", NULL, NULL, NULL));
        custops_frame *f;
        custops_features_opts o = CUSTOPS_FEATURES_OPTS_INIT;
        ck_assert_ok(custops_store_features(s, &o, &f));
        ck_assert_int_eq(custops_frame_nrows(f), 3);
        custops_frame_free(f);
        custops_store_free(s);
    }
    ck_assert_ok(custops_set_allocator(NULL));
    ck_assert_msg(failures > 10, "only %ld failure points", failures);
}
END_TEST

/* every value of every column of a lines view */
static int64_t *line_values(custops_store *s, size_t *n)
{
    custops_frame *f;
    ck_assert_ok(custops_store_lines(s, &f));
    size_t rows = custops_frame_nrows(f), cols = custops_frame_ncols(f);
    int64_t *v = malloc((rows * cols + 1) * sizeof *v);
    for (size_t c = 0; c < cols; c++) {
        const int64_t *x;
        ck_assert_ok(custops_frame_int64(f, c, &x));
        memcpy(v + c * rows, x, rows * sizeof *x);
    }
    *n = rows * cols;
    custops_frame_free(f);
    return v;
}

/* A batch whose values need wider columns (an 8-byte amount and discount,
 * a time before 1956, a new order and customer) fails at each allocation in
 * turn: ENOMEM, and the rows read back exactly as before. */
START_TEST(failed_widening_leaves_rows_unchanged)
{
    static const char *WIDE = "order_id,customer_id,time,currency,sku,qty,unit_price,discount\n"
                              "o9,zed,1901-01-01 00:00:00,CNY,sku1,1,50000000000000.00,40000000000000.00\n"
                              "o1,alice,2024-11-01 10:00:00,CNY,sku1,300,1.00,\n";
    ck_assert_ok(custops_set_allocator(&FAILALLOC));
    long failures = 0;
    for (long n = 1; n < 3000; n++) {
        failalloc.fail_at = 0;
        custops_store *s;
        ck_assert_ok(custops_store_new(&s, "UTC", "CNY"));
        ck_assert_ok(custops_store_ingest_csv_buffer(s, ORDERS, strlen(ORDERS), "o.csv", NULL, NULL, NULL));
        size_t nb, na;
        int64_t *before = line_values(s, &nb);
        failalloc_reset(n);
        int rc = custops_store_ingest_csv_buffer(s, WIDE, strlen(WIDE), "w.csv", NULL, NULL, NULL);
        failalloc.fail_at = 0;
        if (rc == CUSTOPS_OK) {
            free(before);
            custops_store_free(s);
            break;
        }
        ck_assert_int_eq(rc, CUSTOPS_ENOMEM);
        failures++;
        int64_t *after = line_values(s, &na);
        ck_assert_uint_eq(na, nb);
        ck_assert_mem_eq(before, after, nb * sizeof *before);
        free(after);
        free(before);
        ck_assert_ok(custops_store_ingest_csv_buffer(s, WIDE, strlen(WIDE), "w.csv", NULL, NULL, NULL));
        custops_store_counts c;
        ck_assert_ok(custops_store_stats(s, &c));
        ck_assert_int_eq(c.lines, 5);
        custops_store_free(s);
    }
    ck_assert_ok(custops_set_allocator(NULL));
    ck_assert_msg(failures > 5, "only %ld failure points", failures);
}
END_TEST

static Suite *alloc_suite(void)
{
    Suite *s = suite_create("store-alloc");
    TCase *tc = tcase_create("enomem");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, fail_every_allocation_in_turn);
    tcase_add_test(tc, failed_ingest_leaves_store_unchanged);
    tcase_add_test(tc, failed_widening_leaves_rows_unchanged);
    suite_add_tcase(s, tc);
    return s;
}

TEST_MAIN(alloc_suite)
