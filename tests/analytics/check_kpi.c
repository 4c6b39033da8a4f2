/* KPIs, funnels and cohorts on hand-built data whose answers are worked
 * out in the comments, with local days and months in Asia/Shanghai. */
#include "linesbuf.h"

#include <math.h>

static custops_zone *sh(void)
{
    custops_zone *z;
    ck_assert_ok(custops_zone_open(&z, "Asia/Shanghai"));
    return z;
}

static int64_t at(const custops_zone *z, const char *text)
{
    int64_t t;
    ck_assert_ok(custops_time_parse(text, z, &t));
    return t;
}

typedef struct evs {
    int64_t c[64], t[64], ty[64];
    size_t n;
} evs;

static void ev(evs *e, int64_t c, int64_t t, int64_t ty)
{
    e->c[e->n] = c, e->t[e->n] = t, e->ty[e->n] = ty;
    e->n++;
}

static custops_frame *refunded_frame(linesbuf *b, const int64_t *refunded)
{
    size_t n = b->n;
    custops_frame *f = lb_frame(b);
    ck_assert_ok(custops_frame_add_int64(f, "refunded", refunded, n));
    return f;
}

static custops_frame *g_lines, *g_events;

static void build(const custops_zone *z)
{
    linesbuf b = {0};
    int64_t refunded[8] = {0};
    /* c0: order 1 at 07:00 on the 11th (23:00 UTC on the 10th), two lines,
     * 200 refunded on the second; order 2 on the 12th */
    lb_add(&b, 0, 1, at(z, "2026-11-11 07:00"), 1, -1, 1, 1000);
    lb_add(&b, 0, 1, at(z, "2026-11-11 07:00"), 2, -1, 2, 500);
    refunded[1] = 200;
    lb_add(&b, 0, 2, at(z, "2026-11-12 09:00"), 3, -1, 1, 3000);
    lb_add(&b, 1, 3, at(z, "2026-11-12 23:30"), 1, -1, 1, 700);
    lb_add(&b, 3, 4, at(z, "2026-11-10 12:00"), 1, -1, 1, 999); /* before the range */
    g_lines = refunded_frame(&b, refunded);
    evs e = {0};
    ev(&e, 0, at(z, "2026-11-11 10:00"), 0);
    ev(&e, 0, at(z, "2026-11-11 10:05"), 1);
    ev(&e, 0, at(z, "2026-11-11 10:10"), 2);
    ev(&e, 1, at(z, "2026-11-11 20:00"), 0);
    ev(&e, 1, at(z, "2026-11-11 20:01"), 1);
    ev(&e, 2, at(z, "2026-11-12 12:00"), 0);
    ev(&e, 3, at(z, "2026-11-10 12:00"), 0); /* before the range */
    ev(&e, 4, at(z, "2026-11-11 08:00"), 2); /* cart before the visit */
    ev(&e, 4, at(z, "2026-11-11 09:00"), 0);
    ev(&e, 4, at(z, "2026-11-11 09:10"), 1);
    ck_assert_ok(custops_frame_new(&g_events));
    ck_assert_ok(custops_frame_add_int64(g_events, "customer", e.c, e.n));
    ck_assert_ok(custops_frame_add_int64(g_events, "time", e.t, e.n));
    ck_assert_ok(custops_frame_add_int64(g_events, "type", e.ty, e.n));
}

START_TEST(summary_and_days)
{
    custops_zone *z = sh();
    build(z);
    custops_kpi_options o;
    ck_assert_ok(custops_kpi_options_init(&o, CUSTOPS_KPI_OPTIONS_VERSION));
    o.zone = z;
    o.from = at(z, "2026-11-11");
    o.to = at(z, "2026-11-13");
    custops_frame *s;
    ck_assert_ok(custops_kpi_summary(&s, g_lines, g_events, &o));
    ck_assert_uint_eq(custops_frame_nrows(s), 1);
    ck_assert_int_eq(fr_i64(s, "gmv", 0), 5200);
    ck_assert_int_eq(fr_i64(s, "refunds", 0), 200);
    ck_assert_int_eq(fr_i64(s, "net_revenue", 0), 5000);
    ck_assert_int_eq(fr_i64(s, "items", 0), 5);
    ck_assert_int_eq(fr_i64(s, "orders", 0), 3);
    ck_assert_int_eq(fr_i64(s, "buyers", 0), 2);
    ck_assert_int_eq(fr_i64(s, "uv", 0), 4);
    ck_assert_double_eq_tol(fr_f64(s, "aov", 0), 5200.0 / 3, 1e-9);
    ck_assert_double_eq_tol(fr_f64(s, "conversion", 0), 0.5, 1e-12);
    ck_assert_double_eq_tol(fr_f64(s, "repurchase_rate", 0), 0.5, 1e-12);
    custops_frame_free(s);

    o.by_day = 1;
    ck_assert_ok(custops_kpi_summary(&s, g_lines, g_events, &o));
    ck_assert_uint_eq(custops_frame_nrows(s), 2);
    size_t c;
    const char *date;
    ck_assert_ok(custops_frame_find(s, "date", &c));
    ck_assert_ok(custops_frame_string(s, c, 0, &date));
    ck_assert_str_eq(date, "2026-11-11");
    /* order 1 is on the 11th in Shanghai though the 10th in UTC */
    ck_assert_int_eq(fr_i64(s, "gmv", 0), 1500);
    ck_assert_int_eq(fr_i64(s, "orders", 0), 1);
    ck_assert_int_eq(fr_i64(s, "uv", 0), 3);
    ck_assert_int_eq(fr_i64(s, "gmv", 1), 3700);
    ck_assert_int_eq(fr_i64(s, "buyers", 1), 2);
    ck_assert_int_eq(fr_i64(s, "uv", 1), 1);
    ck_assert_double_eq_tol(fr_f64(s, "conversion", 1), 2.0, 1e-12);
    ck_assert_double_eq(fr_f64(s, "repurchase_rate", 1), 0);
    custops_frame_free(s);
    /* without events: UV and conversion are 0 */
    o.by_day = 0;
    ck_assert_ok(custops_kpi_summary(&s, g_lines, NULL, &o));
    ck_assert_int_eq(fr_i64(s, "uv", 0), 0);
    ck_assert_double_eq(fr_f64(s, "conversion", 0), 0);
    custops_frame_free(s);
    custops_frame_free(g_lines);
    custops_frame_free(g_events);
    custops_zone_free(z);
}
END_TEST

START_TEST(funnel_ordered_and_not)
{
    custops_zone *z = sh();
    build(z);
    custops_kpi_options o = CUSTOPS_KPI_OPTIONS_INIT;
    o.zone = z;
    o.from = at(z, "2026-11-11");
    o.to = at(z, "2026-11-13");
    custops_frame *f;
    /* ordered: visit c0 c1 c2 c4; view c0 c1 c4; cart c0 (c4's was before
     * its visit); order c0 (order 2 follows the cart) */
    ck_assert_ok(custops_kpi_funnel(&f, g_lines, g_events, &o));
    ck_assert_uint_eq(custops_frame_nrows(f), 4);
    const char *step;
    ck_assert_ok(custops_frame_string(f, 0, 2, &step));
    ck_assert_str_eq(step, "cart_add");
    ck_assert_int_eq(fr_i64(f, "customers", 0), 4);
    ck_assert_int_eq(fr_i64(f, "customers", 1), 3);
    ck_assert_int_eq(fr_i64(f, "customers", 2), 1);
    ck_assert_int_eq(fr_i64(f, "customers", 3), 1);
    ck_assert_double_eq_tol(fr_f64(f, "rate_from_previous", 1), 0.75, 1e-12);
    ck_assert_double_eq_tol(fr_f64(f, "rate_from_first", 2), 0.25, 1e-12);
    custops_frame_free(f);
    /* unordered: c4 reaches cart too */
    o.ordered_funnel = 0;
    ck_assert_ok(custops_kpi_funnel(&f, g_lines, g_events, &o));
    ck_assert_int_eq(fr_i64(f, "customers", 2), 2);
    ck_assert_int_eq(fr_i64(f, "customers", 3), 1);
    custops_frame_free(f);
    custops_frame_free(g_lines);
    custops_frame_free(g_events);
    custops_zone_free(z);
}
END_TEST

START_TEST(cohorts_retention_ltv)
{
    custops_zone *z = sh();
    linesbuf b = {0};
    int64_t refunded[16] = {0};
    enum { A, B, C, D, E, F };
    lb_add(&b, A, 1, at(z, "2026-01-05 10:00"), 1, -1, 1, 100);
    lb_add(&b, A, 2, at(z, "2026-02-03 10:00"), 1, -1, 1, 50);
    lb_add(&b, A, 3, at(z, "2026-03-10 10:00"), 1, -1, 1, 30);
    lb_add(&b, B, 4, at(z, "2026-01-20 10:00"), 1, -1, 1, 200);
    lb_add(&b, B, 5, at(z, "2026-03-01 10:00"), 1, -1, 1, 100);
    refunded[4] = 40;
    lb_add(&b, C, 6, at(z, "2026-02-14 10:00"), 1, -1, 1, 300);
    lb_add(&b, D, 7, at(z, "2025-12-24 10:00"), 1, -1, 1, 500); /* cohort before the range */
    lb_add(&b, D, 8, at(z, "2026-01-24 10:00"), 1, -1, 1, 500);
    lb_add(&b, E, 9, at(z, "2026-02-01 00:30"), 1, -1, 1, 10); /* still January in UTC */
    lb_add(&b, F, 10, at(z, "2026-03-20 10:00"), 1, -1, 1, 40);
    lb_add(&b, F, 11, at(z, "2026-04-02 10:00"), 1, -1, 1, 40); /* after the range */
    custops_frame *lines = refunded_frame(&b, refunded), *f;
    custops_kpi_options o = CUSTOPS_KPI_OPTIONS_INIT;
    o.zone = z;
    o.from = at(z, "2026-01-01");
    o.to = at(z, "2026-04-01");
    ck_assert_ok(custops_kpi_cohorts(&f, lines, &o));
    ck_assert_uint_eq(custops_frame_nrows(f), 6);
    static const int64_t cohort[] = {202601, 202601, 202601, 202602, 202602, 202603};
    static const int64_t offset[] = {0, 1, 2, 0, 1, 0};
    static const int64_t size[] = {2, 2, 2, 2, 2, 1};
    static const int64_t active[] = {2, 1, 2, 2, 0, 1};
    static const int64_t revenue[] = {300, 50, 90, 310, 0, 40};
    static const double ltv[] = {150, 175, 220, 155, 155, 40};
    for (size_t r = 0; r < 6; r++) {
        ck_assert_int_eq(fr_i64(f, "cohort", r), cohort[r]);
        ck_assert_int_eq(fr_i64(f, "offset", r), offset[r]);
        ck_assert_int_eq(fr_i64(f, "cohort_size", r), size[r]);
        ck_assert_int_eq(fr_i64(f, "active", r), active[r]);
        ck_assert_int_eq(fr_i64(f, "revenue", r), revenue[r]);
        ck_assert_double_eq_tol(fr_f64(f, "retention", r), (double)active[r] / size[r], 1e-12);
        ck_assert_double_eq_tol(fr_f64(f, "ltv", r), ltv[r], 1e-9);
    }
    custops_frame_free(f);
    custops_frame_free(lines);
    custops_zone_free(z);
}
END_TEST

START_TEST(validation)
{
    custops_zone *z = sh();
    build(z);
    custops_kpi_options o = CUSTOPS_KPI_OPTIONS_INIT;
    custops_frame *f = NULL;
    ck_assert_status(custops_kpi_summary(&f, g_lines, g_events, &o), CUSTOPS_EINVAL); /* no zone */
    o.zone = z;
    o.from = 10;
    o.to = 10;
    ck_assert_status(custops_kpi_summary(&f, g_lines, g_events, &o), CUSTOPS_EINVAL);
    o.to = 200LL * 366 * 86400;
    o.by_day = 1;
    ck_assert_status(custops_kpi_summary(&f, g_lines, g_events, &o), CUSTOPS_ELIMIT);
    ck_assert_status(custops_kpi_cohorts(&f, g_lines, &o), CUSTOPS_ELIMIT);
    o.to = 86400LL * 365 * 60;
    ck_assert_status(custops_kpi_funnel(&f, g_lines, NULL, &o), CUSTOPS_EINVAL);
    ck_assert_status(custops_kpi_funnel(&f, g_lines, g_lines, &o), CUSTOPS_EINVAL); /* no type */
    ck_assert_ptr_null(f);
    o.version = 0;
    ck_assert_status(custops_kpi_cohorts(&f, g_lines, &o), CUSTOPS_EVERSION);
    /* money overflow is an error, not a wrap */
    linesbuf b = {0};
    lb_add(&b, 0, 1, 100, 1, -1, 1, INT64_MAX);
    lb_add(&b, 0, 2, 100, 1, -1, 1, 1);
    custops_frame *big = lb_frame(&b);
    o.version = CUSTOPS_KPI_OPTIONS_VERSION;
    o.from = 0;
    o.to = 1000;
    ck_assert_status(custops_kpi_summary(&f, big, NULL, &o), CUSTOPS_ERANGE);
    ck_assert_status(custops_kpi_cohorts(&f, big, &o), CUSTOPS_ERANGE);
    custops_frame_free(big);
    custops_frame_free(g_lines);
    custops_frame_free(g_events);
    custops_zone_free(z);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("kpi");
    TCase *tc = tcase_create("kpi");
    tcase_add_test(tc, summary_and_days);
    tcase_add_test(tc, funnel_ordered_and_not);
    tcase_add_test(tc, cohorts_retention_ltv);
    tcase_add_test(tc, validation);
    suite_add_tcase(s, tc);
    return s;
}

TEST_MAIN(suite)
