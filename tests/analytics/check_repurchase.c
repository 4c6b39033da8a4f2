/* Repurchase cycles: a hand-worked Kaplan-Meier example, category fallback,
 * local days in a zone, reminders, validation, and a simulated cycle with
 * one-off buyers, lapses and censoring recovered within tolerance. */
#include "linesbuf.h"

#include <math.h>

#define DAY 86400LL

static custops_zone *utc(void)
{
    custops_zone *z;
    ck_assert_ok(custops_zone_open(&z, "UTC"));
    return z;
}

/* sku 0 (category 7): customer 0 on days 0, 10 (two orders), 20;
 * customer 1 on days 0, 14; customer 2 once on day 5.
 * sku 1 (category 7): customer 3 on days 3 and 8. */
static custops_frame *hand_lines(void)
{
    linesbuf b = {0};
    lb_add(&b, 0, 0, 0 * DAY + 3600, 0, 7, 1, 100);
    lb_add(&b, 0, 1, 10 * DAY + 3600, 0, 7, 1, 100);
    lb_add(&b, 0, 2, 10 * DAY + 7200, 0, 7, 2, 200);
    lb_add(&b, 0, 3, 20 * DAY, 0, 7, 1, 100);
    lb_add(&b, 1, 4, 0 * DAY, 0, 7, 1, 100);
    lb_add(&b, 1, 5, 14 * DAY, 0, 7, 1, 100);
    lb_add(&b, 2, 6, 5 * DAY, 0, 7, 1, 100);
    lb_add(&b, 3, 7, 3 * DAY, 1, 7, 1, 100);
    lb_add(&b, 3, 8, 8 * DAY, 1, 7, 1, 100);
    lb_add(&b, 3, 9, 40 * DAY, 1, 7, 1, 100); /* after now: ignored */
    return lb_frame(&b);
}

START_TEST(hand_worked_kaplan_meier)
{
    custops_zone *z = utc();
    custops_frame *lines = hand_lines(), *cy;
    custops_repurchase_options o;
    ck_assert_ok(custops_repurchase_options_init(&o, CUSTOPS_REPURCHASE_OPTIONS_VERSION));
    o.zone = z;
    o.now = 30 * DAY + 12 * 3600;
    o.min_intervals = 3;
    ck_assert_ok(custops_repurchase_cycles(&cy, lines, &o));
    ck_assert_uint_eq(custops_frame_nrows(cy), 2);
    /* sku 0: observed 10, 10, 14; censored 10 (30-20) and 16 (30-14).
     * KM: t=10 at risk 5, 2 events -> S=0.6; t=14 at risk 2 -> S=0.3.
     * Median 14, Q1 10, Q3 never reached. The one-off buyer is left out. */
    ck_assert_int_eq(fr_i64(cy, "sku", 0), 0);
    ck_assert_int_eq(fr_i64(cy, "source", 0), CUSTOPS_REPURCHASE_SKU);
    ck_assert_int_eq(fr_i64(cy, "repeat_buyers", 0), 2);
    ck_assert_int_eq(fr_i64(cy, "intervals", 0), 3);
    ck_assert_int_eq(fr_i64(cy, "censored", 0), 2);
    ck_assert_double_eq(fr_f64(cy, "median_days", 0), 14);
    ck_assert_double_eq(fr_f64(cy, "q1_days", 0), 10);
    ck_assert_double_eq(fr_f64(cy, "q3_days", 0), -1);
    ck_assert_double_eq(fr_f64(cy, "iqr_days", 0), -1);
    /* sku 1 has one interval: falls back to category 7, whose purchases are
     * gaps 10, 10, 14, 5 and censored 10, 16, 22: S(5)=6/7, S(10)=6/7*4/6,
     * S(14)=S(10)*2/3=0.381 -> median 14, Q1 10. */
    ck_assert_int_eq(fr_i64(cy, "category", 1), 7);
    ck_assert_int_eq(fr_i64(cy, "source", 1), CUSTOPS_REPURCHASE_CATEGORY);
    ck_assert_int_eq(fr_i64(cy, "intervals", 1), 4);
    ck_assert_int_eq(fr_i64(cy, "censored", 1), 3);
    ck_assert_double_eq(fr_f64(cy, "median_days", 1), 14);
    ck_assert_double_eq(fr_f64(cy, "q1_days", 1), 10);

    /* reminders on day 30 with lead 4, grace 7: customer 0 expects day 34
     * (in 4 days), customer 1 day 28 (2 overdue); customer 2 (day 19, 11
     * overdue) and customer 3 (sku 1: day 22, 8 overdue) are out. */
    o.lead_days = 4;
    custops_frame *due;
    ck_assert_ok(custops_repurchase_due(&due, lines, cy, &o));
    ck_assert_uint_eq(custops_frame_nrows(due), 2);
    ck_assert_int_eq(fr_i64(due, "customer", 0), 0);
    ck_assert_int_eq(fr_i64(due, "sku", 0), 0);
    ck_assert_int_eq(fr_i64(due, "last_day", 0), 20);
    ck_assert_int_eq(fr_i64(due, "expected_day", 0), 34);
    ck_assert_int_eq(fr_i64(due, "expected_next", 0), 34 * DAY);
    ck_assert_int_eq(fr_i64(due, "days_until", 0), 4);
    ck_assert_int_eq(fr_i64(due, "customer", 1), 1);
    ck_assert_int_eq(fr_i64(due, "expected_day", 1), 28);
    ck_assert_int_eq(fr_i64(due, "days_until", 1), -2);
    custops_frame_free(due);
    /* a bigger grace takes in customer 3 (8 days overdue) too */
    o.grace_days = 8;
    ck_assert_ok(custops_repurchase_due(&due, lines, cy, &o));
    ck_assert_uint_eq(custops_frame_nrows(due), 3);
    ck_assert_int_eq(fr_i64(due, "sku", 2), 1);
    ck_assert_int_eq(fr_i64(due, "customer", 2), 3);
    custops_frame_free(due);

    /* without a fallback (min_intervals above every count) nothing is known */
    o.min_intervals = 100;
    custops_frame_free(cy);
    ck_assert_ok(custops_repurchase_cycles(&cy, lines, &o));
    ck_assert_int_eq(fr_i64(cy, "source", 0), CUSTOPS_REPURCHASE_NONE);
    ck_assert_double_eq(fr_f64(cy, "median_days", 0), -1);
    ck_assert_ok(custops_repurchase_due(&due, lines, cy, &o));
    ck_assert_uint_eq(custops_frame_nrows(due), 0);
    ck_assert_uint_eq(custops_frame_ncols(due), 6);
    custops_frame_free(due);
    custops_frame_free(cy);
    custops_frame_free(lines);
    custops_zone_free(z);
}
END_TEST

START_TEST(local_days_follow_the_zone)
{
    /* 15:00 UTC on day 0 is 23:00 in Shanghai; 17:00 UTC on day 10 is 01:00
     * on day 11 there: 10 days apart in UTC, 11 in Shanghai. */
    linesbuf b = {0};
    for (int c = 0; c < 3; c++) {
        lb_add(&b, c, 2 * c, 15 * 3600, 0, 1, 1, 100);
        lb_add(&b, c, 2 * c + 1, 10 * DAY + 17 * 3600, 0, 1, 1, 100);
    }
    custops_frame *lines = lb_frame(&b), *cy;
    custops_zone *z;
    ck_assert_ok(custops_zone_open(&z, "Asia/Shanghai"));
    custops_repurchase_options o = CUSTOPS_REPURCHASE_OPTIONS_INIT;
    o.zone = z;
    o.now = 11 * DAY;
    o.min_intervals = 1;
    ck_assert_ok(custops_repurchase_cycles(&cy, lines, &o));
    ck_assert_double_eq(fr_f64(cy, "median_days", 0), 11);
    custops_frame_free(cy);
    custops_zone_free(z);
    z = utc();
    o.zone = z;
    ck_assert_ok(custops_repurchase_cycles(&cy, lines, &o));
    ck_assert_double_eq(fr_f64(cy, "median_days", 0), 10);
    custops_frame_free(cy);
    custops_zone_free(z);
    custops_frame_free(lines);
}
END_TEST

static double normal(uint64_t *s)
{
    double u = test_unif(s), v = test_unif(s);
    return sqrt(-2 * log(u + 1e-300)) * cos(2 * M_PI * v);
}

START_TEST(simulated_cycle_recovered)
{
    /* 2000 repeat buyers of sku 0 on a 30 +- 4 day cycle starting in the
     * first 60 days; 5% of gaps are 150-250 day lapses; 3000 one-off
     * buyers; observed until day 365 (open gaps censored). */
    uint64_t s = 42;
    linesbuf b = {0};
    int64_t order = 0;
    for (int c = 0; c < 2000; c++) {
        double day = floor(test_unif(&s) * 60);
        while (day < 365) {
            lb_add(&b, c, order++, (int64_t)day * DAY + 3600, 0, 3, 1, 500);
            double gap = test_unif(&s) < 0.05 ? 150 + 100 * test_unif(&s) : 30 + 4 * normal(&s);
            day += gap < 1 ? 1 : round(gap);
        }
    }
    for (int c = 2000; c < 5000; c++)
        lb_add(&b, c, order++, (int64_t)floor(test_unif(&s) * 365) * DAY, 0, 3, 1, 500);
    custops_frame *lines = lb_frame(&b), *cy;
    custops_zone *z = utc();
    custops_repurchase_options o = CUSTOPS_REPURCHASE_OPTIONS_INIT;
    o.zone = z;
    o.now = 365 * DAY;
    ck_assert_ok(custops_repurchase_cycles(&cy, lines, &o));
    double med = fr_f64(cy, "median_days", 0), iqr = fr_f64(cy, "iqr_days", 0);
    ck_assert_msg(fabs(med - 30) <= 1, "median %g, want 30 +- 1", med);
    /* normal IQR = 1.349 sd = 5.4 days */
    ck_assert_msg(iqr >= 4 && iqr <= 7, "IQR %g, want about 5.4", iqr);
    ck_assert_int_gt(fr_i64(cy, "outliers", 0), 100);
    ck_assert_int_eq(fr_i64(cy, "repeat_buyers", 0), 2000);
    /* without the fence the lapses stay in: the median is still robust */
    o.outlier_iqr = 0;
    custops_frame_free(cy);
    ck_assert_ok(custops_repurchase_cycles(&cy, lines, &o));
    ck_assert_int_eq(fr_i64(cy, "outliers", 0), 0);
    ck_assert(fabs(fr_f64(cy, "median_days", 0) - 30) <= 2);
    custops_frame_free(cy);
    custops_frame_free(lines);
    custops_zone_free(z);
}
END_TEST

START_TEST(validation)
{
    custops_zone *z = utc();
    custops_frame *lines = hand_lines(), *cy = NULL, *bad;
    custops_repurchase_options o = CUSTOPS_REPURCHASE_OPTIONS_INIT;
    ck_assert_status(custops_repurchase_cycles(&cy, lines, &o), CUSTOPS_EINVAL); /* no zone */
    ck_assert_ptr_null(cy);
    o.zone = z;
    ck_assert_status(custops_repurchase_cycles(&cy, lines, NULL), CUSTOPS_EINVAL);
    ck_assert_status(custops_repurchase_cycles(NULL, lines, &o), CUSTOPS_EINVAL);
    o.outlier_iqr = NAN;
    ck_assert_status(custops_repurchase_cycles(&cy, lines, &o), CUSTOPS_EINVAL);
    o.outlier_iqr = 3;
    o.version = 99;
    ck_assert_status(custops_repurchase_cycles(&cy, lines, &o), CUSTOPS_EVERSION);
    ck_assert_status(custops_repurchase_options_init(&o, 99), CUSTOPS_EVERSION);
    o.version = CUSTOPS_REPURCHASE_OPTIONS_VERSION;
    ck_assert_ok(custops_frame_new(&bad));
    int64_t v[] = {1, 2};
    ck_assert_ok(custops_frame_add_int64(bad, "customer", v, 2));
    ck_assert_status(custops_repurchase_cycles(&cy, bad, &o), CUSTOPS_EINVAL);
    ck_assert_ptr_nonnull(strstr(custops_last_error(), "'time'"));
    ck_assert_ok(custops_repurchase_cycles(&cy, lines, &o));
    ck_assert_status(custops_repurchase_due(&cy, lines, bad, &o), CUSTOPS_EINVAL);
    custops_frame_free(cy);
    custops_frame_free(bad);
    custops_frame_free(lines);
    /* an empty lines frame gives an empty cycles frame */
    linesbuf b = {0};
    lines = lb_frame(&b);
    ck_assert_ok(custops_repurchase_cycles(&cy, lines, &o));
    ck_assert_uint_eq(custops_frame_nrows(cy), 0);
    custops_frame_free(cy);
    custops_frame_free(lines);
    custops_zone_free(z);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("repurchase");
    TCase *tc = tcase_create("repurchase");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, hand_worked_kaplan_meier);
    tcase_add_test(tc, local_days_follow_the_zone);
    tcase_add_test(tc, simulated_cycle_recovered);
    tcase_add_test(tc, validation);
    suite_add_tcase(s, tc);
    return s;
}

TEST_MAIN(suite)
