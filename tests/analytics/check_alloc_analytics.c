/* Every analytics entry point under an allocator that fails the Nth
 * allocation, for every N: a clean CUSTOPS_ENOMEM and no leaked block. */
#include "failalloc.h"


#define DAY 86400LL
static const char CAL[] = "campaign c zone UTC\n"
                          "phase a from 1970-01-01 to 1970-02-01\n  audience x do coupon 1, reminder, message m\n"
                          "phase b from 1970-02-01 to 1970-03-01\n  audience \"*\" do coupon 2\n";

static int workload(void *ctx)
{
    (void)ctx;
    int64_t cust[] = {0, 0, 0, 1, 1, 2, 2}, ord[] = {0, 1, 2, 3, 4, 5, 5},
            tim[] = {0, 10 * DAY, 20 * DAY, DAY, 14 * DAY, 5 * DAY, 5 * DAY}, sku[] = {0, 0, 0, 0, 0, 1, 0},
            cat[] = {3, 3, 3, 3, 3, 4, 3}, qty[] = {1, 1, 1, 1, 1, 1, 1}, amt[] = {5, 5, 5, 5, 5, 5, 5},
            typ[] = {0, 1, 2, 0, 1, 0, 2};
    custops_zone *z = NULL;
    custops_frame *lines = NULL, *ev = NULL, *out = NULL, *cy = NULL;
    custops_calendar *cal = NULL;
    int rc = custops_zone_open(&z, "UTC");
    if (!rc)
        rc = custops_frame_new(&lines);
    const char *names[] = {"customer", "order", "time", "sku", "category", "qty", "amount"};
    int64_t *cols[] = {cust, ord, tim, sku, cat, qty, amt};
    for (int i = 0; i < 7 && !rc; i++)
        rc = custops_frame_add_int64(lines, names[i], cols[i], 7);
    if (!rc)
        rc = custops_frame_new(&ev);
    if (!rc)
        rc = custops_frame_add_int64(ev, "customer", cust, 7);
    if (!rc)
        rc = custops_frame_add_int64(ev, "time", tim, 7);
    if (!rc)
        rc = custops_frame_add_int64(ev, "type", typ, 7);

    custops_repurchase_options ro = CUSTOPS_REPURCHASE_OPTIONS_INIT;
    ro.zone = z, ro.now = 30 * DAY, ro.min_intervals = 1, ro.lead_days = 30, ro.grace_days = 30;
    if (!rc)
        rc = custops_repurchase_cycles(&cy, lines, &ro);
    if (!rc && !(rc = custops_repurchase_due(&out, lines, cy, &ro)))
        custops_frame_free(out);
    custops_crosssell_options co = CUSTOPS_CROSSSELL_OPTIONS_INIT;
    co.min_count = 1;
    if (!rc && !(rc = custops_crosssell_pairs(&out, lines, &co)))
        custops_frame_free(out);
    co.basket_col = "customer";
    if (!rc && !(rc = custops_crosssell_pairs(&out, lines, &co)))
        custops_frame_free(out);
    custops_sendtime_options so = CUSTOPS_SENDTIME_OPTIONS_INIT;
    so.zone = z, so.full = 1;
    if (!rc && !(rc = custops_sendtime_best(&out, NULL, NULL, ev, lines, &so)))
        custops_frame_free(out);
    custops_frame *hours = NULL;
    if (!rc)
        rc = custops_frame_new(&hours);
    for (int h = 0; h < 24 && !rc; h++) {
        char name[16];
        snprintf(name, sizeof name, "hour_%02d", h);
        rc = custops_frame_add_int64(hours, name, qty, 7);
    }
    if (!rc && !(rc = custops_sendtime_from_hours(&out, NULL, hours, &so)))
        custops_frame_free(out);
    custops_frame_free(hours);
    custops_kpi_options ko = CUSTOPS_KPI_OPTIONS_INIT;
    ko.zone = z, ko.from = 0, ko.to = 40 * DAY, ko.by_day = 1;
    if (!rc && !(rc = custops_kpi_summary(&out, lines, ev, &ko)))
        custops_frame_free(out);
    if (!rc && !(rc = custops_kpi_funnel(&out, lines, ev, &ko)))
        custops_frame_free(out);
    if (!rc && !(rc = custops_kpi_cohorts(&out, lines, &ko)))
        custops_frame_free(out);
    if (!rc)
        rc = custops_calendar_parse(&cal, CAL, sizeof CAL - 1, "c");
    const char *aud[] = {"x"};
    if (!rc && !(rc = custops_calendar_now(&out, cal, 3 * DAY, aud, 1)))
        custops_frame_free(out);
    if (!rc && !(rc = custops_calendar_phases(&out, cal)))
        custops_frame_free(out);
    custops_calendar_free(cal);
    custops_frame_free(cy);
    custops_frame_free(ev);
    custops_frame_free(lines);
    custops_zone_free(z);
    return rc;
}

START_TEST(fail_every_allocation_in_turn)
{
    static const int also_ok[] = {CUSTOPS_ENOTFOUND, 0};
    failalloc_sweep(workload, NULL, 50, 5000, also_ok);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("analytics_alloc");
    TCase *tc = tcase_create("alloc");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, fail_every_allocation_in_turn);
    suite_add_tcase(s, tc);
    return s;
}

TEST_MAIN(suite)
