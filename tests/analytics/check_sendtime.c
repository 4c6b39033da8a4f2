/* Best send time: shrinkage worked by hand, the tie rule, local hours and
 * weekdays in a zone, orders counted once, the prior strength recovered
 * from simulated Dirichlet-multinomial data, and validation. */
#include "linesbuf.h"

#include <math.h>

#define DAY 86400LL

typedef struct evbuf {
    int64_t c[20000], t[20000], ty[20000];
    size_t n;
} evbuf;

static void ev(evbuf *b, int64_t c, int64_t t, int64_t type)
{
    ck_assert_uint_lt(b->n, 20000);
    b->c[b->n] = c, b->t[b->n] = t, b->ty[b->n] = type;
    b->n++;
}

static custops_frame *ev_frame(const evbuf *b)
{
    custops_frame *f;
    ck_assert_ok(custops_frame_new(&f));
    ck_assert_ok(custops_frame_add_int64(f, "customer", b->c, b->n));
    ck_assert_ok(custops_frame_add_int64(f, "time", b->t, b->n));
    ck_assert_ok(custops_frame_add_int64(f, "type", b->ty, b->n));
    return f;
}

static evbuf g_ev;

START_TEST(shrinkage_by_hand)
{
    /* customers 0..49: four visits at 20:00 UTC; customer 50: one visit at
     * 03:00; customer 51: thirty visits at 03:00. Fixed strength A = 10. */
    evbuf *b = &g_ev;
    b->n = 0;
    for (int c = 0; c < 50; c++)
        for (int k = 0; k < 4; k++)
            ev(b, c, k * DAY + 20 * 3600, 0);
    ev(b, 50, 3 * 3600, 0);
    for (int k = 0; k < 30; k++)
        ev(b, 51, k * DAY + 3 * 3600, 1);
    custops_frame *e = ev_frame(b), *r;
    custops_zone *z;
    ck_assert_ok(custops_zone_open(&z, "UTC"));
    custops_sendtime_options o = CUSTOPS_SENDTIME_OPTIONS_INIT;
    o.zone = z;
    o.hour_strength = 10;
    o.full = 1;
    double hs, ws;
    ck_assert_ok(custops_sendtime_best(&r, &hs, &ws, e, NULL, &o));
    ck_assert_double_eq(hs, 10);
    ck_assert_uint_eq(custops_frame_nrows(r), 52);
    /* population: 200 at 20h, 31 at 3h, of 231; shares (c + 0.5) / 243 */
    double p20 = 200.5 / 243, p3 = 31.5 / 243;
    ck_assert_int_eq(fr_i64(r, "best_hour", 50), 20);
    ck_assert_double_eq_tol(fr_f64(r, "hour_score", 50), (0 + 10 * p20) / 11, 1e-6);
    ck_assert_double_eq_tol(fr_f64(r, "p_hour_03", 50), (1 + 10 * p3) / 11, 1e-6);
    ck_assert_int_eq(fr_i64(r, "best_hour", 51), 3);
    ck_assert_double_eq_tol(fr_f64(r, "hour_score", 51), (30 + 10 * p3) / 40, 1e-6);
    ck_assert_double_eq_tol(fr_f64(r, "activity", 51), 30, 1e-9);
    /* the posterior shares of a customer sum to one */
    double sum = 0;
    char name[16];
    for (int h = 0; h < 24; h++) {
        snprintf(name, sizeof name, "p_hour_%02d", h);
        sum += fr_f64(r, name, 50);
    }
    ck_assert_double_eq_tol(sum, 1, 1e-9);
    custops_frame_free(r);
    /* a customer index beyond the data gets the population's best */
    o.customers = 60;
    o.full = 0;
    ck_assert_ok(custops_sendtime_best(&r, NULL, NULL, e, NULL, &o));
    ck_assert_uint_eq(custops_frame_nrows(r), 60);
    ck_assert_uint_eq(custops_frame_ncols(r), 6);
    ck_assert_int_eq(fr_i64(r, "best_hour", 59), 20);
    ck_assert_double_eq(fr_f64(r, "activity", 59), 0);
    custops_frame_free(r);
    /* only event type 1 (views): customer 51 alone defines the population */
    o.event_types = 1u << 1;
    ck_assert_ok(custops_sendtime_best(&r, NULL, NULL, e, NULL, &o));
    ck_assert_int_eq(fr_i64(r, "best_hour", 0), 3);
    custops_frame_free(r);
    custops_frame_free(e);
    custops_zone_free(z);
}
END_TEST

START_TEST(ties_zone_and_orders)
{
    /* customers 0 and 1 each active once at 09:00 and once at 21:00
     * Shanghai time (01:00 and 13:00 UTC): equal everywhere, the earlier
     * hour wins. Day 0 (1970-01-01) is a Thursday; 01:00 UTC there is
     * 09:00 Thursday in Shanghai. */
    evbuf *b = &g_ev;
    b->n = 0;
    for (int c = 0; c < 2; c++) {
        ev(b, c, 1 * 3600, 0);
        ev(b, c, 13 * 3600, 0);
    }
    custops_frame *e = ev_frame(b), *r;
    custops_zone *z;
    ck_assert_ok(custops_zone_open(&z, "Asia/Shanghai"));
    custops_sendtime_options o = CUSTOPS_SENDTIME_OPTIONS_INIT;
    o.zone = z;
    ck_assert_ok(custops_sendtime_best(&r, NULL, NULL, e, NULL, &o));
    ck_assert_int_eq(fr_i64(r, "best_hour", 0), 9);
    ck_assert_int_eq(fr_i64(r, "best_weekday", 0), 3);
    custops_frame_free(r);

    /* orders: customer 0's order 7 has three lines at 23:30 Shanghai
     * (15:30 UTC) on Thursday and counts once with weight 3 against the
     * two events (weight 1 each) */
    linesbuf lb = {0};
    for (int k = 0; k < 3; k++)
        lb_add(&lb, 0, 7, 15 * 3600 + 1800, k, -1, 1, 100);
    custops_frame *lines = lb_frame(&lb);
    o.hour_strength = 1;
    ck_assert_ok(custops_sendtime_best(&r, NULL, NULL, e, lines, &o));
    ck_assert_int_eq(fr_i64(r, "best_hour", 0), 23);
    ck_assert_double_eq_tol(fr_f64(r, "activity", 0), 5, 1e-9);
    custops_frame_free(r);
    /* lines alone work too */
    ck_assert_ok(custops_sendtime_best(&r, NULL, NULL, NULL, lines, &o));
    ck_assert_uint_eq(custops_frame_nrows(r), 1);
    ck_assert_int_eq(fr_i64(r, "best_hour", 0), 23);
    custops_frame_free(r);
    custops_frame_free(lines);
    custops_frame_free(e);
    custops_zone_free(z);
}
END_TEST

/* Gamma(a) variate, Marsaglia-Tsang, boosted for a < 1. */
static double gamma_draw(uint64_t *s, double a)
{
    if (a < 1)
        return gamma_draw(s, a + 1) * pow(test_unif(s), 1 / a);
    double d = a - 1.0 / 3, c = 1 / sqrt(9 * d);
    for (;;) {
        double u1 = test_unif(s), u2 = test_unif(s);
        double x = sqrt(-2 * log(u1 + 1e-300)) * cos(2 * M_PI * u2), v = 1 + c * x;
        if (v <= 0)
            continue;
        v = v * v * v;
        double u = test_unif(s);
        if (log(u + 1e-300) < 0.5 * x * x + d - d * v + d * log(v))
            return d * v;
    }
}

START_TEST(prior_strength_recovered)
{
    /* 600 customers, 30 events each; hour preferences ~ Dirichlet(A p0)
     * with A = 5 and p0 peaking in the evening: the moment estimate of A
     * lands near 5. */
    uint64_t s = 7;
    double p0[24], tot = 0;
    for (int h = 0; h < 24; h++)
        tot += p0[h] = 1 + 3 * exp(-0.5 * (h - 20) * (h - 20) / 4.0);
    for (int h = 0; h < 24; h++)
        p0[h] /= tot;
    evbuf *b = &g_ev;
    b->n = 0;
    for (int c = 0; c < 600; c++) {
        double q[24], sq = 0;
        for (int h = 0; h < 24; h++)
            sq += q[h] = gamma_draw(&s, 5 * p0[h]);
        for (int k = 0; k < 30; k++) {
            double u = test_unif(&s) * sq, acc = 0;
            int h = 0;
            while (h < 23 && (acc += q[h]) < u)
                h++;
            ev(b, c, (int64_t)k * DAY + h * 3600, 0);
        }
    }
    custops_frame *e = ev_frame(b), *r;
    custops_zone *z;
    ck_assert_ok(custops_zone_open(&z, "UTC"));
    custops_sendtime_options o = CUSTOPS_SENDTIME_OPTIONS_INIT;
    o.zone = z;
    double hs;
    ck_assert_ok(custops_sendtime_best(&r, &hs, NULL, e, NULL, &o));
    ck_assert_msg(hs > 3.5 && hs < 7, "estimated strength %g, want about 5", hs);
    custops_frame_free(r);
    custops_frame_free(e);
    custops_zone_free(z);
}
END_TEST

START_TEST(validation)
{
    evbuf *b = &g_ev;
    b->n = 0;
    ev(b, 0, 0, 0);
    custops_frame *e = ev_frame(b), *r = NULL;
    custops_zone *z;
    ck_assert_ok(custops_zone_open(&z, "UTC"));
    custops_sendtime_options o = CUSTOPS_SENDTIME_OPTIONS_INIT;
    ck_assert_status(custops_sendtime_best(&r, NULL, NULL, e, NULL, &o), CUSTOPS_EINVAL); /* no zone */
    o.zone = z;
    ck_assert_status(custops_sendtime_best(&r, NULL, NULL, NULL, NULL, &o), CUSTOPS_EINVAL);
    o.event_weight = -1;
    ck_assert_status(custops_sendtime_best(&r, NULL, NULL, e, NULL, &o), CUSTOPS_EINVAL);
    o.event_weight = 1;
    o.hour_strength = NAN;
    ck_assert_status(custops_sendtime_best(&r, NULL, NULL, e, NULL, &o), CUSTOPS_EINVAL);
    o.hour_strength = 0;
    o.customers = -3;
    ck_assert_status(custops_sendtime_best(&r, NULL, NULL, e, NULL, &o), CUSTOPS_EINVAL);
    o.customers = 0;
    b->c[0] = -1;
    custops_frame *bad = ev_frame(b);
    ck_assert_status(custops_sendtime_best(&r, NULL, NULL, bad, NULL, &o), CUSTOPS_EINVAL);
    ck_assert_ptr_null(r);
    ck_assert_status(custops_sendtime_best(&r, NULL, NULL, e, e, &o), CUSTOPS_EINVAL); /* e has no 'order' */
    ck_assert_ptr_nonnull(strstr(custops_last_error(), "'order'"));
    custops_frame_free(bad);
    custops_frame_free(e);
    custops_zone_free(z);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("sendtime");
    TCase *tc = tcase_create("sendtime");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, shrinkage_by_hand);
    tcase_add_test(tc, ties_zone_and_orders);
    tcase_add_test(tc, prior_strength_recovered);
    tcase_add_test(tc, validation);
    suite_add_tcase(s, tc);
    return s;
}

TEST_MAIN(suite)
