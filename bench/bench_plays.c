/* Journey engine at store scale: one simulated day for 1M customers.
 *
 * A weekly win-back play enrolls every customer at 10:00 and sends at each
 * customer's best hour under a cap and quiet hours; an event play reacts to
 * a cart-add by a third of them with a wait, a stop condition and a coupon.
 * The figure is the wall time of everything the caller does for that day:
 * enrolling, feeding events and asking for due actions every 15 minutes. */
#include "bench.h"

/* CPU time of this process: the machine running the benchmarks is shared,
 * so wall time says more about the neighbours than about the engine */
static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

#define NCUST 1000000

static const char *PLAYS =
    "play weekly_winback holdout 10%\n"
    "  trigger schedule weekly mon 10:00\n"
    "  quiet 22:00-08:00\n"
    "  cap sms 2 per 7d\n"
    "  send sms winback at best time\n"
    "  wait 1d\n"
    "  coupon winback_10\n"
    "end\n"
    "play cart_rescue holdout 10%\n"
    "  trigger event cart_add\n"
    "  wait 2h\n"
    "  stop if event order_paid\n"
    "  send push cart_nudge\n"
    "  wait 1d\n"
    "  stop if event order_paid\n"
    "  coupon cart_5_off\n"
    "end\n";

static int check(int rc, const char *what)
{
    if (rc) {
        fprintf(stderr, "bench_plays: %s: %s\n", what, custops_last_error());
        exit(1);
    }
    return rc;
}

int main(void)
{
    bench_report rep = {.suite = "plays"};
    custops_journeys *j = NULL;
    check(custops_journeys_new(&j, PLAYS, "Asia/Shanghai"), "compile");

    char (*ids)[16] = malloc(sizeof(*ids) * NCUST);
    const char **ptr = malloc(sizeof(char *) * NCUST);
    if (!ids || !ptr)
        return 1;
    for (int i = 0; i < NCUST; i++) {
        snprintf(ids[i], sizeof ids[i], "c%07d", i);
        ptr[i] = ids[i];
    }
    double t0 = bench_now();
    for (int i = 0; i < NCUST; i++) {
        check(custops_journeys_set_consent(j, ptr[i], "sms", i % 5 != 0), "consent");
        check(custops_journeys_set_consent(j, ptr[i], "push", 1), "consent");
        check(custops_journeys_set_send_hour(j, ptr[i], 9 + i % 13), "send hour");
    }
    double t_setup = bench_now() - t0;

    int64_t monday = 0; /* Monday 2024-11-11 00:00 in Shanghai */
    check(custops_time_parse("2024-11-11T00:00:00+08:00", NULL, &monday), "time");
    int64_t run = 0;
    check(custops_journeys_next_run(j, "weekly_winback", monday, &run), "next run");

    size_t actions = 0;
    t0 = bench_now();
    double c0 = cpu_now();
    check(custops_journeys_enroll(j, "weekly_winback", ptr, NCUST, run), "enroll");
    for (int64_t now = monday + 900; now <= monday + 86400; now += 900) {
        /* this quarter hour's cart-adds: a third of the customers over the day */
        for (int i = (int)((now - monday) / 900 - 1); i < NCUST; i += 96 * 3)
            check(custops_journeys_event(j, ptr[i], "cart_add", "", now - 300), "event");
        custops_frame *due = NULL;
        check(custops_journeys_due(j, now, &due), "due");
        actions += custops_frame_nrows(due);
        custops_frame_free(due);
    }
    double t_day = bench_now() - t0, c_day = cpu_now() - c0;

    bench_record(&rep, "consent + send hour for 1M customers", t_setup, "s", "", -1);
    bench_record(&rep, "one simulated day, 1M customers (96 due() calls)", t_day, "s", "", -1);
    bench_record(&rep, "the same, CPU time", c_day, "s", "< 2 s", c_day < 2);
    bench_record(&rep, "actions returned in the day", (double)actions, "actions", "", -1);
    bench_record(&rep, "actions per second", actions / t_day, "actions/s", "", -1);
    bench_record(&rep, "journeys still running at day end", (double)custops_journeys_active(j), "journeys", "", -1);
    bench_write(&rep);
    custops_journeys_free(j);
    free(ids);
    free(ptr);
    return 0;
}
