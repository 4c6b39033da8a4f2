/* Every allocation of the segment and loyalty paths fails in turn: each
 * failure gives CUSTOPS_ENOMEM (never a crash) and leaks nothing. */
#include "failalloc.h"


#define N 5
#define NOW 1718452800

static int audience_workload(void *unused)
{
    (void)unused;
    int64_t orders[N] = {0, 1, 3, 5, 2}, days[N] = {-1, 3, 40, 1, 300}, spend[N] = {0, 100, 2000, 9000, 50},
            region[N] = {0, 1, 2, 0, -1}, tenure[N] = {0, 10, 100, 400, 500};
    double clv[N] = {1, 2, 3, 4, 5};
    const char *ids[N] = {"a", "b", "c", "d", "e"}, *rn[3] = {"Tokyo", "Osaka", "Kyoto"};
    int64_t lc[2] = {1, 3}, lo[2] = {1, 2}, lt[2] = {NOW - 86400, NOW - 2 * 86400}, lz[2] = {0, 0}, la[2] = {10, 20};
    custops_frame *f = NULL, *l = NULL, *d = NULL, *out = NULL, *out2 = NULL;
    custops_segment_ctx *ctx = NULL;
    custops_segment_library *lib = NULL;
    custops_audience *a = NULL;
    custops_bitset *bs = NULL;
    char *why = NULL;
    int rc = custops_frame_new(&f);
    if (!rc) rc = custops_frame_add_string(f, "customer_id", ids, N);
    if (!rc) rc = custops_frame_add_int64(f, "orders", orders, N);
    if (!rc) rc = custops_frame_add_int64(f, "days_since_last_order", days, N);
    if (!rc) rc = custops_frame_add_int64(f, "tenure_days", tenure, N);
    if (!rc) rc = custops_frame_add_int64(f, "spend", spend, N);
    if (!rc) rc = custops_frame_add_int64(f, "region", region, N);
    if (!rc) rc = custops_frame_add_double(f, "clv", clv, N);
    if (!rc) rc = custops_frame_new(&l);
    const char *ln[7] = {"customer", "order", "time", "sku", "category", "amount", "refunded"};
    const int64_t *lv[7] = {lc, lo, lt, lz, lz, la, lz};
    for (int i = 0; i < 7 && !rc; i++)
        rc = custops_frame_add_int64(l, ln[i], lv[i], 2);
    if (!rc) rc = custops_frame_new(&d);
    if (!rc) rc = custops_frame_add_string(d, "name", rn, 3);
    if (!rc) rc = custops_segment_library_new(&lib);
    if (!rc) rc = custops_segment_library_define(lib, "big", "spend > 10 and customer_id in (\"c\", \"d\")");
    if (!rc) rc = custops_segment_ctx_new(&ctx, f, NOW);
    if (!rc) rc = custops_segment_ctx_set_lines(ctx, l);
    if (!rc) rc = custops_segment_ctx_add_dict(ctx, "region", d);
    if (!rc) rc = custops_segment_ctx_set_library(ctx, lib);
    if (!rc) rc = custops_segment_ctx_set_money_cols(ctx, "clv", 2);
    if (!rc)
        rc = custops_audience_compile(&a,
                                      "segment big or region in (\"Osaka\", \"Kyoto\") and orders in -7d..now "
                                      "or clv in top 40% or spend between 1 and 2 or orders in (1,2,3,4,5,6,7,8,9,10)",
                                      ctx);
    if (!rc) rc = custops_audience_evaluate(&bs, a);
    if (!rc) rc = custops_audience_explain(&why, NULL, a, 2);
    if (!rc) rc = custops_rfm_score(&out, f, NULL);
    if (!rc) rc = custops_lifecycle_classify(&out2, f, NULL);
    custops_free(why);
    custops_bitset_free(bs);
    custops_audience_free(a);
    custops_segment_ctx_free(ctx);
    custops_segment_library_free(lib);
    custops_frame_free(out);
    custops_frame_free(out2);
    custops_frame_free(f);
    custops_frame_free(l);
    custops_frame_free(d);
    return rc;
}

static int other_workload(void *unused)
{
    (void)unused;
    double x[6] = {0, 0.1, 5, 5.1, 10, 10.2};
    custops_frame *f = NULL, *as = NULL, *cs = NULL, *csv = NULL, *led = NULL;
    custops_loyalty *lp = NULL;
    custops_kmeans_options o = CUSTOPS_KMEANS_OPTIONS_INIT;
    o.k = 3;
    int rc = custops_frame_new(&f);
    if (!rc) rc = custops_frame_add_double(f, "x", x, 6);
    double sil, ch;
    if (!rc) rc = custops_kmeans(&as, &cs, &sil, &ch, f, "x", &o);
    const char *text = "id,n,v\na,1,2.5\n\"b\"\"\",,x\n";
    if (!rc) rc = custops_frame_parse_csv(&csv, text, strlen(text), "t.csv", NULL);
    if (!rc) rc = custops_loyalty_new(&lp, NULL);
    int64_t pts;
    if (!rc) rc = custops_loyalty_purchase(&pts, lp, "ann", NOW, 200000, 1);
    if (!rc) rc = custops_loyalty_recalc(NULL, lp, NOW + 1);
    if (!rc) rc = custops_loyalty_redeem(lp, "ann", NOW + 2, 10);
    if (!rc) rc = custops_loyalty_ledger(&led, lp);
    custops_loyalty_free(lp);
    custops_frame_free(led);
    custops_frame_free(csv);
    custops_frame_free(as);
    custops_frame_free(cs);
    custops_frame_free(f);
    return rc;
}

START_TEST(audience_rfm_lifecycle_oom) { failalloc_sweep(audience_workload, NULL, 20, 5000, NULL); }
END_TEST

START_TEST(kmeans_csv_loyalty_oom) { failalloc_sweep(other_workload, NULL, 20, 5000, NULL); }
END_TEST

static Suite *alloc_suite(void)
{
    Suite *s = suite_create("segment_alloc");
    TCase *tc = tcase_create("oom");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, audience_rfm_lifecycle_oom);
    tcase_add_test(tc, kmeans_csv_loyalty_oom);
    suite_add_tcase(s, tc);
    return s;
}

TEST_MAIN(alloc_suite)
