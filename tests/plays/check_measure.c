/* Measurement: uplift intervals against published and hand-computed
 * values, grouping, validation, and channel value. */
#include "testutil.h"

#include <float.h>
#include <math.h>

static custops_frame *arms(const char *group, int64_t n1, int64_t k1, int64_t n2, int64_t k2, custops_frame *into,
                           int64_t **hold, int64_t **conv, const char ***grp, size_t *len)
{
    (void)into;
    size_t n = (size_t)(n1 + n2), base = *len;
    *hold = realloc(*hold, (base + n) * sizeof **hold);
    *conv = realloc(*conv, (base + n) * sizeof **conv);
    *grp = realloc(*grp, (base + n) * sizeof **grp);
    for (size_t i = 0; i < n; i++) {
        int h = i >= (size_t)n1;
        (*hold)[base + i] = h;
        (*conv)[base + i] = h ? (int64_t)(i - (size_t)n1) < k2 : (int64_t)i < k1;
        (*grp)[base + i] = group;
    }
    *len = base + n;
    return NULL;
}

START_TEST(newcombe_published_examples)
{
    /* Newcombe (1998), Stat Med 17:873-890, Table II, method 10 (hybrid score):
     * 56/70 - 48/80: 0.0524 to 0.3339;  9/10 - 3/10: 0.1705 to 0.8090 */
    int64_t *hold = NULL, *conv = NULL;
    const char **grp = NULL;
    size_t n = 0;
    arms("a", 70, 56, 80, 48, NULL, &hold, &conv, &grp, &n);
    arms("b", 10, 9, 10, 3, NULL, &hold, &conv, &grp, &n);
    custops_frame *f;
    ck_assert_ok(custops_frame_new(&f));
    ck_assert_ok(custops_frame_add_string(f, "play", grp, n));
    ck_assert_ok(custops_frame_add_int64(f, "holdout", hold, n));
    ck_assert_ok(custops_frame_add_int64(f, "converted", conv, n));
    custops_uplift_options o;
    ck_assert_ok(custops_uplift_options_init(&o, CUSTOPS_UPLIFT_OPTIONS_VERSION));
    o.reached_col = o.visited_col = o.revenue_col = "";
    o.group_cols = "play";
    custops_frame *r;
    ck_assert_ok(custops_uplift_report(f, &o, &r));
    ck_assert_uint_eq(custops_frame_nrows(r), 2);
    const char *g;
    ck_assert_ok(custops_frame_string(r, 0, 1, &g));
    ck_assert_str_eq(g, "b");
    ck_assert_double_eq_tol(test_f64(r, "conversion_uplift", 0), 0.2, 1e-12);
    ck_assert_double_eq_tol(test_f64(r, "conversion_lo", 0), 0.0524, 5e-5);
    ck_assert_double_eq_tol(test_f64(r, "conversion_hi", 0), 0.3339, 5e-5);
    ck_assert_double_eq_tol(test_f64(r, "conversion_lo", 1), 0.1705, 5e-5);
    ck_assert_double_eq_tol(test_f64(r, "conversion_hi", 1), 0.8090, 5e-5);
    ck_assert_double_eq(test_f64(r, "n_treatment", 0), 70);
    ck_assert_double_eq(test_f64(r, "n_holdout", 1), 10);
    custops_frame_free(r);
    custops_frame_free(f);
    free(hold);
    free(conv);
    free(grp);
}
END_TEST

START_TEST(welch_revenue_interval)
{
    /* equal n and variance: Welch df = 2n - 2 = 10, t(0.975, 10) = 2.228138852 */
    int64_t hold[12], rev[12], conv[12] = {0}, reach[12], visit[12];
    for (int i = 0; i < 6; i++) {
        hold[i] = 0;
        rev[i] = (i + 1) * 100;
        hold[6 + i] = 1;
        rev[6 + i] = i * 100;
        reach[i] = i < 3;
        reach[6 + i] = 0;
        visit[i] = i < 4;
        visit[6 + i] = i < 2;
    }
    custops_frame *f;
    ck_assert_ok(custops_frame_new(&f));
    ck_assert_ok(custops_frame_add_int64(f, "holdout", hold, 12));
    ck_assert_ok(custops_frame_add_int64(f, "converted", conv, 12));
    ck_assert_ok(custops_frame_add_int64(f, "revenue", rev, 12));
    ck_assert_ok(custops_frame_add_int64(f, "reached", reach, 12));
    ck_assert_ok(custops_frame_add_int64(f, "visited", visit, 12));
    custops_frame *r;
    ck_assert_ok(custops_uplift_report(f, NULL, &r));
    ck_assert_uint_eq(custops_frame_nrows(r), 1);
    double se = sqrt(2 * 35000.0 / 6);
    ck_assert_double_eq_tol(test_f64(r, "revenue_per_customer_uplift", 0), 100, 1e-9);
    ck_assert_double_eq_tol(test_f64(r, "revenue_per_customer_lo", 0), 100 - 2.228138852 * se, 1e-6);
    ck_assert_double_eq_tol(test_f64(r, "revenue_per_customer_hi", 0), 100 + 2.228138852 * se, 1e-6);
    ck_assert_double_eq_tol(test_f64(r, "reach_rate", 0), 0.5, 1e-12);
    ck_assert_double_eq_tol(test_f64(r, "visit_treatment", 0), 4.0 / 6, 1e-12);
    ck_assert_double_eq_tol(test_f64(r, "visit_holdout", 0), 2.0 / 6, 1e-12);
    /* 0 conversions on both sides: uplift 0 and a finite interval */
    ck_assert_double_eq(test_f64(r, "conversion_uplift", 0), 0);
    ck_assert(isfinite(test_f64(r, "conversion_lo", 0)) && test_f64(r, "conversion_lo", 0) < 0);
    custops_frame_free(r);

    /* a 99% interval is wider */
    custops_uplift_options o = CUSTOPS_UPLIFT_OPTIONS_INIT;
    o.confidence = 0.99;
    ck_assert_ok(custops_uplift_report(f, &o, &r));
    ck_assert(test_f64(r, "revenue_per_customer_hi", 0) > 100 + 2.228138852 * se);
    custops_frame_free(r);
    o.confidence = 1.5;
    ck_assert_status(custops_uplift_report(f, &o, &r), CUSTOPS_EINVAL);
    o.confidence = 0.95;
    o.version = 99;
    ck_assert_status(custops_uplift_report(f, &o, &r), CUSTOPS_EVERSION);
    custops_frame_free(f);
}
END_TEST

START_TEST(revenue_interval_needs_two_per_side)
{
    /* one holdout customer: no variance, so the interval is the whole finite line */
    int64_t hold[3] = {0, 0, 1}, conv[3] = {1, 0, 0}, rev[3] = {100, 0, 0};
    custops_frame *f;
    ck_assert_ok(custops_frame_new(&f));
    ck_assert_ok(custops_frame_add_int64(f, "holdout", hold, 3));
    ck_assert_ok(custops_frame_add_int64(f, "converted", conv, 3));
    ck_assert_ok(custops_frame_add_int64(f, "revenue", rev, 3));
    custops_uplift_options o;
    ck_assert_ok(custops_uplift_options_init(&o, CUSTOPS_UPLIFT_OPTIONS_VERSION));
    o.reached_col = o.visited_col = "";
    custops_frame *r;
    ck_assert_ok(custops_uplift_report(f, &o, &r));
    ck_assert_double_eq(test_f64(r, "revenue_per_customer_uplift", 0), 50);
    ck_assert_double_eq(test_f64(r, "revenue_per_customer_lo", 0), -DBL_MAX);
    ck_assert_double_eq(test_f64(r, "revenue_per_customer_hi", 0), DBL_MAX);
    custops_frame_free(r);
    custops_frame_free(f);
}
END_TEST

START_TEST(uplift_validation)
{
    int64_t hold[3] = {0, 0, 1}, bad[3] = {0, 2, 1}, zero[3] = {0, 0, 0};
    custops_frame *f, *r;
    ck_assert_ok(custops_frame_new(&f));
    ck_assert_ok(custops_frame_add_int64(f, "holdout", hold, 3));
    ck_assert_ok(custops_frame_add_int64(f, "converted", bad, 3));
    custops_uplift_options o = CUSTOPS_UPLIFT_OPTIONS_INIT;
    o.reached_col = o.visited_col = o.revenue_col = NULL;
    ck_assert_status(custops_uplift_report(f, &o, &r), CUSTOPS_EINVAL);
    ck_assert_ptr_nonnull(strstr(custops_last_error(), "row 1 is 2"));
    custops_frame_free(f);
    ck_assert_ok(custops_frame_new(&f));
    ck_assert_ok(custops_frame_add_int64(f, "holdout", zero, 3));
    ck_assert_ok(custops_frame_add_int64(f, "converted", zero, 3));
    ck_assert_status(custops_uplift_report(f, &o, &r), CUSTOPS_EINVAL);
    ck_assert_ptr_nonnull(strstr(custops_last_error(), "no holdout customers"));
    ck_assert_status(custops_uplift_report(f, NULL, &r), CUSTOPS_EINVAL); /* default revenue column missing */
    ck_assert_ptr_nonnull(strstr(custops_last_error(), "no column"));
    o.group_cols = "nope";
    ck_assert_status(custops_uplift_report(f, &o, &r), CUSTOPS_EINVAL);
    custops_frame_free(f);
}
END_TEST

START_TEST(channel_value_cac_roi)
{
    const char *ch[5] = {"douyin", "search", "douyin", "referral", "search"};
    int64_t value[5] = {10000, 5000, 30000, 8000, 7000};
    custops_frame *c, *s, *r;
    ck_assert_ok(custops_frame_new(&c));
    ck_assert_ok(custops_frame_add_string(c, "first_channel", ch, 5));
    ck_assert_ok(custops_frame_add_int64(c, "value", value, 5));
    const char *sch[3] = {"douyin", "search", "tv"};
    int64_t sp[3] = {20000, 12000, 99999};
    ck_assert_ok(custops_frame_new(&s));
    ck_assert_ok(custops_frame_add_string(s, "channel", sch, 3));
    ck_assert_ok(custops_frame_add_int64(s, "spend", sp, 3));
    ck_assert_ok(custops_channel_value(c, "first_channel", "value", s, &r));
    ck_assert_uint_eq(custops_frame_nrows(r), 3);
    const char *name;
    ck_assert_ok(custops_frame_string(r, 0, 0, &name));
    ck_assert_str_eq(name, "douyin");
    const int64_t *cust, *val, *spend;
    ck_assert_ok(custops_frame_int64(r, 1, &cust));
    ck_assert_ok(custops_frame_int64(r, 2, &val));
    ck_assert_ok(custops_frame_int64(r, 4, &spend));
    ck_assert_int_eq(cust[0], 2);
    ck_assert_int_eq(val[0], 40000);
    ck_assert_int_eq(spend[0], 20000);
    ck_assert_int_eq(spend[2], 0); /* referral: no spend row */
    ck_assert_double_eq_tol(test_f64(r, "ltv", 0), 20000, 1e-9);
    ck_assert_double_eq_tol(test_f64(r, "cac", 1), 6000, 1e-9);
    ck_assert_double_eq_tol(test_f64(r, "roi", 0), 1.0, 1e-12);
    ck_assert_double_eq_tol(test_f64(r, "roi", 1), 0.0, 1e-12);
    ck_assert_double_eq(test_f64(r, "roi", 2), 0);
    custops_frame_free(r);
    ck_assert_status(custops_channel_value(c, "value", "value", s, &r), CUSTOPS_EINVAL);
    sp[0] = -1;
    custops_frame_free(s);
    ck_assert_ok(custops_frame_new(&s));
    ck_assert_ok(custops_frame_add_string(s, "channel", sch, 3));
    ck_assert_ok(custops_frame_add_int64(s, "spend", sp, 3));
    ck_assert_status(custops_channel_value(c, "first_channel", "value", s, &r), CUSTOPS_EINVAL);
    custops_frame_free(s);
    custops_frame_free(c);
}
END_TEST

static Suite *measure_suite(void)
{
    Suite *s = suite_create("measure");
    TCase *tc = tcase_create("uplift");
    tcase_add_test(tc, newcombe_published_examples);
    tcase_add_test(tc, welch_revenue_interval);
    tcase_add_test(tc, revenue_interval_needs_two_per_side);
    tcase_add_test(tc, uplift_validation);
    tcase_add_test(tc, channel_value_cac_roi);
    suite_add_tcase(s, tc);
    return s;
}

TEST_MAIN(measure_suite)
