/* A/B tests against published values (Newcombe 1998; R's t.test on the
 * sleep data), sample sizes recomputed here from first principles, and a
 * simulation showing the sequential test keeps its false-positive rate
 * under daily peeking while a naive peeking z test does not. */
#include "testutil.h"

#include <math.h>

START_TEST(proportions_newcombe_published)
{
    /* Newcombe (1998) Stat Med 17:873-890, Table II, method 10:
     * 56/70 - 48/80: 0.0524 to 0.3339; 9/10 - 3/10: 0.1705 to 0.8090.
     * Our difference is B - A, so B is the first proportion. */
    double d, lo, hi, z, p;
    ck_assert_ok(custops_abtest_proportions(&d, &lo, &hi, &z, &p, 48, 80, 56, 70, 0.95));
    ck_assert_double_eq_tol(d, 0.2, 1e-12);
    ck_assert_double_eq_tol(lo, 0.0524, 5e-5);
    ck_assert_double_eq_tol(hi, 0.3339, 5e-5);
    /* pooled z by hand: pool = 104/150 */
    double pool = 104.0 / 150, se = sqrt(pool * (1 - pool) * (1.0 / 70 + 1.0 / 80));
    ck_assert_double_eq_tol(z, 0.2 / se, 1e-12);
    ck_assert_double_eq_tol(p, erfc(fabs(0.2 / se) / sqrt(2)), 1e-12);
    ck_assert_ok(custops_abtest_proportions(&d, &lo, &hi, NULL, NULL, 3, 10, 9, 10, 0.95));
    ck_assert_double_eq_tol(lo, 0.1705, 5e-5);
    ck_assert_double_eq_tol(hi, 0.8090, 5e-5);
    /* degenerate arms: nothing converts anywhere */
    ck_assert_ok(custops_abtest_proportions(&d, &lo, &hi, &z, &p, 0, 10, 0, 10, 0.95));
    ck_assert_double_eq(z, 0);
    ck_assert_double_eq(p, 1);
    ck_assert(lo < 0 && hi > 0);
}
END_TEST

START_TEST(proportions_validation)
{
    double d, lo, hi;
    ck_assert_status(custops_abtest_proportions(&d, &lo, &hi, NULL, NULL, 5, 4, 1, 10, 0.95), CUSTOPS_EINVAL);
    ck_assert_status(custops_abtest_proportions(&d, &lo, &hi, NULL, NULL, 0, 0, 1, 10, 0.95), CUSTOPS_EINVAL);
    ck_assert_status(custops_abtest_proportions(&d, &lo, &hi, NULL, NULL, -1, 4, 1, 10, 0.95), CUSTOPS_EINVAL);
    ck_assert_status(custops_abtest_proportions(&d, &lo, &hi, NULL, NULL, 1, 4, 1, 10, NAN), CUSTOPS_EINVAL);
    ck_assert_status(custops_abtest_proportions(&d, &lo, &hi, NULL, NULL, 1, 4, 1, 10, 1.0), CUSTOPS_EINVAL);
    ck_assert_status(custops_abtest_proportions(NULL, &lo, &hi, NULL, NULL, 1, 4, 1, 10, 0.9), CUSTOPS_EINVAL);
}
END_TEST

START_TEST(means_welch_sleep_data)
{
    /* R: t.test(extra ~ group, data = sleep): t = -1.8608, df = 17.776,
     * p-value = 0.07939, 95% CI -3.3654832 0.2054832 (group 1 - group 2). */
    static const double g1[] = {0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0};
    static const double g2[] = {1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4};
    double d, lo, hi, t, df, p;
    ck_assert_ok(custops_abtest_means(&d, &lo, &hi, &t, &df, &p, g2, 10, g1, 10, 0.95));
    ck_assert_double_eq_tol(d, -1.58, 1e-12);
    ck_assert_double_eq_tol(t, -1.8608, 5e-5);
    ck_assert_double_eq_tol(df, 17.776, 5e-4);
    ck_assert_double_eq_tol(p, 0.07939, 5e-6);
    ck_assert_double_eq_tol(lo, -3.3654832, 1e-6);
    ck_assert_double_eq_tol(hi, 0.2054832, 1e-6);
    ck_assert_status(custops_abtest_means(&d, &lo, &hi, &t, &df, &p, g2, 1, g1, 10, 0.95), CUSTOPS_EINVAL);
    double bad[] = {1, NAN, 3};
    ck_assert_status(custops_abtest_means(&d, &lo, &hi, &t, &df, &p, bad, 3, g1, 10, 0.95), CUSTOPS_EINVAL);
    ck_assert_status(custops_abtest_means_summary(&d, &lo, &hi, &t, &df, &p, 10, 1, -1, 10, 1, 1, 0.95),
                     CUSTOPS_EINVAL);
}
END_TEST

START_TEST(sample_size_first_principles)
{
    /* z quantiles from tables: z_0.975 = 1.959963984540054, z_0.8 = 0.8416212335729143 */
    const double za = 1.959963984540054, zb = 0.8416212335729143;
    double p1 = 0.10, p2 = 0.12, pbar = 0.11;
    double s = za * sqrt(2 * pbar * (1 - pbar)) + zb * sqrt(p1 * (1 - p1) + p2 * (1 - p2));
    double exact = s * s / ((p2 - p1) * (p2 - p1));
    ck_assert(exact > 3840 && exact < 3841); /* 3840.8: "about 3841" */
    int64_t n;
    ck_assert_ok(custops_abtest_sample_size(&n, 0.10, 0.12, 0.05, 0.8));
    ck_assert_int_eq(n, 3841);
    ck_assert_ok(custops_abtest_sample_size(&n, 0.12, 0.10, 0.05, 0.8));
    ck_assert_int_eq(n, 3841);
    double pw;
    ck_assert_ok(custops_abtest_power(&pw, 0.10, 0.12, 3841, 0.05));
    ck_assert(pw >= 0.8 && pw < 0.8001);
    ck_assert_ok(custops_abtest_power(&pw, 0.10, 0.12, 3840, 0.05));
    ck_assert(pw < 0.8);
    /* means: 2 (za+zb)^2 / 0.5^2 = 62.79 -> 63, the textbook figure */
    ck_assert_ok(custops_abtest_sample_size_means(&n, 0.5, 1.0, 0.05, 0.8));
    ck_assert_int_eq(n, 63);
    ck_assert_status(custops_abtest_sample_size(&n, 0.1, 0.1, 0.05, 0.8), CUSTOPS_EINVAL);
    ck_assert_status(custops_abtest_sample_size(&n, 0.1, 0.2, 0.05, 1.5), CUSTOPS_EINVAL);
    ck_assert_status(custops_abtest_sample_size(&n, 0.1, 0.1 + 1e-12, 0.05, 0.8), CUSTOPS_ERANGE);
    ck_assert_status(custops_abtest_sample_size_means(&n, 0, 1, 0.05, 0.8), CUSTOPS_EINVAL);
}
END_TEST

static uint64_t rng_state;
static double unif(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    return (double)(z >> 11) * 0x1.0p-53;
}
static int64_t binom(int n, double p)
{
    int64_t k = 0;
    for (int i = 0; i < n; i++)
        k += unif() < p;
    return k;
}

/* Runs experiments with rates pa, pb; daily looks. Returns the share that
 * the sequential test rejected at alpha, and the naive peeking share. */
static void simulate(double pa, double pb, int experiments, double *seq_rate, double *naive_rate)
{
    enum { LOOKS = 30, PER_DAY = 500 };
    int64_t ca[LOOKS], na[LOOKS], cb[LOOKS], nb[LOOKS];
    double pv[LOOKS];
    int seq = 0, naive = 0;
    for (int e = 0; e < experiments; e++) {
        int64_t sa = 0, sb = 0;
        int naive_hit = 0;
        for (int l = 0; l < LOOKS; l++) {
            sa += binom(PER_DAY, pa);
            sb += binom(PER_DAY, pb);
            ca[l] = sa;
            cb[l] = sb;
            na[l] = nb[l] = (int64_t)PER_DAY * (l + 1);
            double d, lo, hi, z, p;
            ck_assert_ok(custops_abtest_proportions(&d, &lo, &hi, &z, &p, ca[l], na[l], cb[l], nb[l], 0.95));
            naive_hit |= p <= 0.05;
        }
        ck_assert_ok(custops_abtest_sequential(pv, ca, na, cb, nb, LOOKS, 0.02));
        for (int l = 1; l < LOOKS; l++)
            ck_assert(pv[l] <= pv[l - 1]); /* always-valid p never rises */
        seq += pv[LOOKS - 1] <= 0.05;      /* p is a running minimum: any look rejected */
        naive += naive_hit;
    }
    *seq_rate = (double)seq / experiments;
    *naive_rate = (double)naive / experiments;
}

START_TEST(sequential_peeking_false_positives)
{
    rng_state = 20261202;
    double seq, naive;
    simulate(0.10, 0.10, 1000, &seq, &naive);
    /* 1000 A/A experiments peeked daily for 30 days: the sequential test
     * stays under alpha; the naive z test, peeked the same way, does not. */
    ck_assert_msg(seq < 0.05, "sequential false-positive rate %g", seq);
    ck_assert_msg(naive > 0.10, "naive peeking rate %g (expected well above alpha)", naive);
    /* and it still has power: 0.10 -> 0.13 with 15000 users per arm */
    simulate(0.10, 0.13, 200, &seq, &naive);
    ck_assert_msg(seq > 0.9, "sequential power %g", seq);
}
END_TEST

START_TEST(sequential_validation)
{
    int64_t ca[] = {5, 4}, na[] = {10, 20}, cb[] = {1, 2}, nb[] = {10, 20};
    double p[2];
    ck_assert_status(custops_abtest_sequential(p, ca, na, cb, nb, 2, 0.02), CUSTOPS_EINVAL); /* decreasing */
    ca[1] = 6;
    ck_assert_ok(custops_abtest_sequential(p, ca, na, cb, nb, 2, 0.02));
    ck_assert_status(custops_abtest_sequential(p, ca, na, cb, nb, 2, 0), CUSTOPS_EINVAL);
    ck_assert_status(custops_abtest_sequential(p, ca, na, cb, nb, 0, 0.02), CUSTOPS_EINVAL);
    ck_assert_status(custops_abtest_sequential(NULL, ca, na, cb, nb, 2, 0.02), CUSTOPS_EINVAL);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("abtest");
    TCase *tc = tcase_create("abtest");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, proportions_newcombe_published);
    tcase_add_test(tc, proportions_validation);
    tcase_add_test(tc, means_welch_sleep_data);
    tcase_add_test(tc, sample_size_first_principles);
    tcase_add_test(tc, sequential_peeking_false_positives);
    tcase_add_test(tc, sequential_validation);
    suite_add_tcase(s, tc);
    return s;
}

TEST_MAIN(suite)
