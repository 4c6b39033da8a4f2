/* `custops run` end to end: run it on the synthetic store, then recompute
 * the numbers of its per-customer table through the library's own API
 * (store, features, BG/NBD and Gamma-Gamma fits, P(alive), CLV, RFM,
 * lifecycle, an audience) and check that every row agrees. */
#include "testutil.h"

#include <math.h>

static char out[512];

static void run_once(void)
{
    const char *bin = getenv("CUSTOPS");
    ck_assert_ptr_nonnull(bin);
    char dir[256], cmd[1024];
    test_tmpdir(dir, sizeof dir);
    snprintf(out, sizeof out, "%s/out", dir);
    snprintf(cmd, sizeof cmd, "'%s' run --customers 1500 --seed 7 --out '%s' --quiet", bin, out);
    ck_assert_int_eq(system(cmd), 0);
}

START_TEST(table_matches_the_api)
{
    run_once();
    char path[1024];
    custops_zone *zone;
    ck_assert_ok(custops_zone_open(&zone, "Asia/Shanghai"));
    custops_frame *table;
    snprintf(path, sizeof path, "%s/customers.csv", out);
    ck_assert_ok(custops_frame_read_csv(&table, path, zone));

    /* the same data through the API */
    custops_store *store;
    ck_assert_ok(custops_store_new(&store, "Asia/Shanghai", "CNY"));
    static const char *const FILES[] = {"customers.csv", "orders.csv", "refunds.csv", "events.csv"};
    for (int i = 0; i < 4; i++) {
        snprintf(path, sizeof path, "%s/input/%s", out, FILES[i]);
        ck_assert_ok(custops_store_ingest_csv(store, path, NULL, NULL, NULL));
    }
    custops_frame *lines;
    ck_assert_ok(custops_store_lines(store, &lines));
    const int64_t *t = test_i64_col(lines, "time");
    int64_t last = t[0];
    for (size_t i = 0; i < custops_frame_nrows(lines); i++)
        last = t[i] > last ? t[i] : last;
    int32_t day, sod;
    int64_t as_of;
    ck_assert_ok(custops_zone_local(zone, last, &day, &sod));
    ck_assert_ok(custops_zone_instant(zone, day + 1, 0, &as_of));
    as_of -= 1;
    custops_features_opts fo;
    custops_features_opts_init(&fo);
    fo.now = as_of;
    fo.period = CUSTOPS_PERIOD_WEEK;
    custops_frame *feat;
    ck_assert_ok(custops_store_features(store, &fo, &feat));
    size_t n = custops_frame_nrows(feat);
    ck_assert_uint_eq(custops_frame_nrows(table), n);

    /* models on the buyers */
    const int64_t *orders = test_i64_col(feat, "orders"), *freq = test_i64_col(feat, "frequency"), *spend = test_i64_col(feat, "spend");
    const double *rec = test_f64_col(feat, "recency"), *T = test_f64_col(feat, "T"), *mon = test_f64_col(feat, "monetary");
    double *x = calloc(n, sizeof *x), *tx = calloc(n, sizeof *tx), *TT = calloc(n, sizeof *TT),
           *m = calloc(n, sizeof *m), *pa = calloc(n, sizeof *pa), *cv = calloc(n, sizeof *cv);
    size_t *row = calloc(n, sizeof *row), nb = 0;
    for (size_t i = 0; i < n; i++) {
        if (orders[i] <= 0)
            continue;
        row[nb] = i;
        x[nb] = (double)freq[i];
        tx[nb] = rec[i];
        TT[nb] = T[i];
        m[nb] = mon[i] > 0 ? mon[i] / 100.0 : 0.01;
        nb++;
    }
    custops_clv_model *bg, *gg;
    ck_assert_ok(custops_clv_fit(&bg, CUSTOPS_CLV_BGNBD, x, tx, TT, NULL, nb, NULL));
    ck_assert_ok(custops_clv_fit_spend(&gg, x, m, NULL, nb, NULL));
    ck_assert_ok(custops_clv_prob_alive(bg, x, tx, TT, nb, pa));
    custops_clv_value_options vo = CUSTOPS_CLV_VALUE_OPTIONS_INIT;
    vo.periods_per_month = 365.25 / 12 / 7;
    ck_assert_ok(custops_clv_lifetime_value(bg, gg, x, tx, TT, m, nb, &vo, cv));
    custops_frame *rfm, *life;
    ck_assert_ok(custops_rfm_score(&rfm, feat, NULL));
    ck_assert_ok(custops_lifecycle_classify(&life, feat, NULL));

    /* row by row */
    const int64_t *t_orders = test_i64_col(table, "orders"), *t_freq = test_i64_col(table, "frequency");
    const double *t_spend = test_f64_col(table, "spend"), *t_pa = test_f64_col(table, "p_alive"), *t_clv = test_f64_col(table, "clv"),
                 *t_rec = test_f64_col(table, "recency"), *t_T = test_f64_col(table, "T");
    size_t k = 0, buyers = 0;
    for (size_t i = 0; i < n; i++) {
        ck_assert_str_eq(test_str(table, "customer_id", i), test_str(feat, "customer_id", i));
        ck_assert_int_eq(t_orders[i], orders[i]);
        ck_assert_int_eq(t_freq[i], freq[i]);
        ck_assert_double_eq_tol(t_spend[i] * 100, (double)spend[i], 0.5);
        ck_assert_double_eq_tol(t_rec[i], rec[i], 1e-5 * (1 + rec[i]));
        ck_assert_double_eq_tol(t_T[i], T[i], 1e-5 * (1 + T[i]));
        ck_assert_str_eq(test_str(table, "rfm_segment", i), test_str(rfm, "segment", i));
        ck_assert_str_eq(test_str(table, "lifecycle", i), test_str(life, "lifecycle", i));
        if (k < nb && row[k] == i) {
            ck_assert_double_eq_tol(t_pa[i], pa[k], 1e-6);
            ck_assert_double_eq_tol(t_clv[i], cv[k], 0.006);
            k++;
            buyers++;
        } else {
            ck_assert_double_eq(t_pa[i], 0);
            ck_assert_double_eq(t_clv[i], 0);
        }
    }
    ck_assert_uint_gt(buyers, 1000);

    /* an audience: the table's members are those the language selects */
    custops_frame *events;
    ck_assert_ok(custops_store_events(store, &events));
    custops_segment_ctx *ctx;
    ck_assert_ok(custops_segment_ctx_new(&ctx, feat, as_of));
    ck_assert_ok(custops_segment_ctx_set_lines(ctx, lines));
    ck_assert_ok(custops_segment_ctx_set_events(ctx, events));
    ck_assert_ok(custops_segment_ctx_set_zone(ctx, zone));
    custops_audience *a;
    ck_assert_ok(custops_audience_compile(&a, "events(cart_add) between -10d and -3d and not orders in -10d..now", ctx));
    custops_bitset *bs;
    ck_assert_ok(custops_audience_evaluate(&bs, a));
    size_t members = 0;
    for (size_t i = 0; i < n; i++) {
        int in = strstr(test_str(table, "audiences", i), "cart_rescue") != NULL;
        ck_assert_int_eq(in, custops_bitset_test(bs, i));
        members += (size_t)in;
    }
    ck_assert_uint_eq(members, custops_bitset_count(bs));

    custops_bitset_free(bs);
    custops_audience_free(a);
    custops_segment_ctx_free(ctx);
    custops_frame_free(events);
    custops_frame_free(rfm);
    custops_frame_free(life);
    custops_clv_free(bg);
    custops_clv_free(gg);
    free(x), free(tx), free(TT), free(m), free(pa), free(cv), free(row);
    custops_frame_free(feat);
    custops_frame_free(lines);
    custops_store_free(store);
    custops_frame_free(table);
    custops_zone_free(zone);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("run");
    TCase *tc = tcase_create("run");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, table_matches_the_api);
    suite_add_tcase(s, tc);
    return s;
}

TEST_MAIN(suite)
