/* CLV predictions against independent computations: the papers' closed
 * forms with a plain hypergeometric series, direct quadrature of the
 * Pareto/NBD integral, Monte Carlo simulation, and consistency (pmf sums
 * to 1 and has the model's mean). Also the extreme regions. */
#include "clv_testdata.h"

static const double BG[4] = {0.2425945, 4.413532, 0.7929210, 2.425898};   /* CDNOW BG/NBD */
static const double PN[4] = {0.5532817, 10.577613, 0.6062085, 11.667914}; /* CDNOW Pareto/NBD */
static const double MBG[4] = {0.5248, 6.183, 0.8914, 1.614};
static const double BB[4] = {1.2035, 0.7497, 0.6567, 2.7834};             /* donations BG/BB */

static custops_clv_model *model(int kind, const double *p, size_t np)
{
    custops_clv_model *m;
    ck_assert_ok(custops_clv_new(&m, kind, p, np));
    return m;
}

/* plain Gauss series for 2F1, long double, for |z| < 1 */
static long double h2f1(long double a, long double b, long double c, long double z)
{
    long double term = 1, sum = 1;
    for (int n = 0; n < 400000; n++) {
        term *= (a + n) * (b + n) / ((c + n) * (n + 1)) * z;
        sum += term;
        if (fabsl(term) < 1e-19L * fabsl(sum) && n > 10)
            break;
    }
    return sum;
}

/* FHL (2005) eq. 9 and 10 */
START_TEST(bgnbd_closed_forms)
{
    custops_clv_model *m = model(CUSTOPS_CLV_BGNBD, BG, 4);
    double r = BG[0], al = BG[1], a = BG[2], b = BG[3];
    double t[] = {0, 1, 10, 39, 78};
    double e[5];
    ck_assert_ok(custops_clv_expected_purchases(m, t, 5, e));
    ck_assert(e[0] == 0);
    for (int i = 1; i < 5; i++) {
        long double z = t[i] / (al + t[i]);
        double want = (double)((a + b - 1) / (a - 1) * (1 - powl(al / (al + t[i]), r) * h2f1(r, b, a + b - 1, z)));
        ck_assert_rel(e[i], want, 1e-9);
    }
    double x[] = {0, 1, 2, 7, 30}, tx[] = {0, 30.43, 1.71, 35, 38}, T[] = {38.86, 38.86, 38.86, 38, 38.5};
    double c[5], pa[5];
    ck_assert_ok(custops_clv_conditional_expected_purchases(m, 39, x, tx, T, 5, c));
    ck_assert_ok(custops_clv_prob_alive(m, x, tx, T, 5, pa));
    for (int i = 0; i < 5; i++) {
        double tt = 39;
        long double z = tt / (al + T[i] + tt);
        long double num = (a + b + x[i] - 1) / (a - 1) *
                          (1 - powl((al + T[i]) / (al + T[i] + tt), r + x[i]) * h2f1(r + x[i], b + x[i], a + b + x[i] - 1, z));
        long double den = 1 + (x[i] > 0 ? a / (b + x[i] - 1) * powl((al + T[i]) / (al + tx[i]), r + x[i]) : 0);
        ck_assert_rel(c[i], (double)(num / den), 1e-9);
        ck_assert_rel(pa[i], (double)(1 / den), 1e-12);
    }
    custops_clv_free(m);
}
END_TEST

/* Pareto/NBD P(alive) with the Fader-Hardie (2005) hypergeometric form */
START_TEST(pareto_alive_closed_form)
{
    custops_clv_model *m = model(CUSTOPS_CLV_PARETO_NBD, PN, 4);
    double r = PN[0], al = PN[1], s = PN[2], be = PN[3];
    double x[] = {0, 1, 2, 7, 30, 3}, tx[] = {0, 30.43, 1.71, 35, 38, 38.86}, T[] = {38.86, 38.86, 38.86, 38, 38.5, 38.86};
    double pa[6];
    ck_assert_ok(custops_clv_prob_alive(m, x, tx, T, 6, pa));
    for (int i = 0; i < 6; i++) {
        /* alpha < beta: the form in beta */
        long double A0 = 0;
        long double k = r + s + x[i];
        A0 = h2f1(k, r + x[i], k + 1, (be - al) / (be + tx[i])) / powl(be + tx[i], k) -
             h2f1(k, r + x[i], k + 1, (be - al) / (be + T[i])) / powl(be + T[i], k);
        long double odds = s / k * powl(al + T[i], r + x[i]) * powl(be + T[i], s) * A0;
        ck_assert_rel(pa[i], (double)(1 / (1 + odds)), 1e-10);
    }
    ck_assert(pa[5] == 1.0); /* bought at T: alive */
    custops_clv_free(m);
}
END_TEST

/* D = int_{tx}^{T} (alpha+u)^-(r+x) (beta+u)^-(s+1) du by Simpson's rule in
 * v = log(alpha+u) - log(alpha+tx) with a million panels */
static long double simpson_D(double r, double al, double s, double be, double x, double tx, double T, long double *lscale)
{
    int N = 1000000;
    long double v1 = logl((al + T) / (al + tx)), h = v1 / N, sum = 0;
    long double l0 = -(r + x) * logl(al + tx) - (s + 1) * logl(be + tx);
    for (int i = 0; i <= N; i++) {
        long double u = (al + tx) * expl(i * h) - al;
        long double g = expl(-(r + x) * logl(al + u) - (s + 1) * logl(be + u) - l0) * (al + u);
        sum += g * (i == 0 || i == N ? 1 : (i % 2 ? 4 : 2));
    }
    *lscale = l0;
    return sum * h / 3;
}

START_TEST(pareto_extremes)
{
    /* near the boundary: z = (alpha - beta)/(alpha + tx) close to 1 and
     * the mirror case, very high frequency, a long T */
    struct {
        double p[4], x, tx, T;
    } c[] = {
        {{0.5, 1000, 0.8, 0.01}, 0, 0, 50},
        {{0.5, 1000, 0.8, 0.01}, 3, 10, 50},
        {{2.0, 0.01, 3.0, 500}, 0, 0, 50},
        {{0.55, 10.6, 0.61, 11.7}, 400, 300, 3650},
        {{0.55, 10.6, 0.61, 11.7}, 2000, 36000, 36500},
        {{1e-3, 1e-3, 1e-3, 1e-3}, 1, 5, 100},
        {{50, 1e4, 40, 1e-2}, 5, 20, 1000},
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        custops_clv_model *m = model(CUSTOPS_CLV_PARETO_NBD, c[i].p, 4);
        double pa, ce;
        ck_assert_ok(custops_clv_prob_alive(m, &c[i].x, &c[i].tx, &c[i].T, 1, &pa));
        ck_assert_ok(custops_clv_conditional_expected_purchases(m, 3650, &c[i].x, &c[i].tx, &c[i].T, 1, &ce));
        ck_assert_msg(isfinite(pa) && pa >= 0 && pa <= 1, "case %zu: P(alive) %g", i, pa);
        ck_assert_msg(isfinite(ce) && ce >= 0, "case %zu: E %g", i, ce);
        long double l0;
        long double D = simpson_D(c[i].p[0], c[i].p[1], c[i].p[2], c[i].p[3], c[i].x, c[i].tx, c[i].T, &l0);
        double r = c[i].p[0], al = c[i].p[1], s = c[i].p[2], be = c[i].p[3];
        long double lodds = logl(s) + logl(D) + l0 + (r + c[i].x) * logl(al + c[i].T) + s * logl(be + c[i].T);
        double want = (double)(1 / (1 + expl(lodds)));
        ck_assert_msg(fabs(pa - want) <= 1e-8 * fmax(want, 1e-300) || fabs(pa - want) < 1e-14,
                      "case %zu: P(alive) %.15g, quadrature %.15g", i, pa, want);
        custops_clv_free(m);
    }
}
END_TEST

/* pmf sums to 1 and its mean is E[X(t)] */
static void pmf_consistency(int kind, const double *p, double t, int xmax, double tol)
{
    custops_clv_model *m = model(kind, p, 4);
    double *tt = malloc((xmax + 1) * sizeof(double)), *xx = malloc((xmax + 1) * sizeof(double)),
           *pp = malloc((xmax + 1) * sizeof(double));
    for (int k = 0; k <= xmax; k++) {
        tt[k] = t;
        xx[k] = k;
    }
    ck_assert_ok(custops_clv_prob_purchases(m, tt, xx, xmax + 1, pp));
    double s = 0, mean = 0, e;
    for (int k = 0; k <= xmax; k++) {
        s += pp[k];
        mean += k * pp[k];
    }
    ck_assert_ok(custops_clv_expected_purchases(m, &t, 1, &e));
    ck_assert_msg(fabs(s - 1) < tol, "kind %d: pmf sums to %.12g", kind, s);
    ck_assert_msg(fabs(mean - e) < tol * 10 * (1 + e), "kind %d: pmf mean %.12g, E[X(t)] %.12g", kind, mean, e);
    free(tt);
    free(xx);
    free(pp);
    custops_clv_free(m);
}

START_TEST(pmf_sums)
{
    pmf_consistency(CUSTOPS_CLV_BGNBD, BG, 39, 400, 1e-6);
    pmf_consistency(CUSTOPS_CLV_MBGNBD, MBG, 39, 400, 1e-6);
    pmf_consistency(CUSTOPS_CLV_PARETO_NBD, PN, 39, 400, 1e-6);
    pmf_consistency(CUSTOPS_CLV_BGBB, BB, 6, 6, 1e-12);
    pmf_consistency(CUSTOPS_CLV_BGBB, BB, 30, 30, 1e-12);
}
END_TEST

/* Fader, Hardie and Shang (2010) closed forms (eq. 7, 11, 13) */
START_TEST(bgbb_closed_forms)
{
    custops_clv_model *m = model(CUSTOPS_CLV_BGBB, BB, 4);
    double al = BB[0], be = BB[1], ga = BB[2], de = BB[3];
#define LB(a, b) (lgamma(a) + lgamma(b) - lgamma((a) + (b)))
    double n5 = 5, e;
    ck_assert_ok(custops_clv_expected_purchases(m, &n5, 1, &e));
    double want = al / (al + be) * de / (ga - 1) *
                  (1 - exp(lgamma(ga + de) - lgamma(1 + de) + lgamma(1 + de + 5) - lgamma(ga + de + 5)));
    ck_assert_rel(e, want, 1e-10);
    double x[] = {0, 1, 3, 6, 2}, tx[] = {0, 1, 5, 6, 6}, n[] = {6, 6, 6, 6, 6};
    double c[5], pa[5];
    ck_assert_ok(custops_clv_conditional_expected_purchases(m, 5, x, tx, n, 5, c));
    ck_assert_ok(custops_clv_prob_alive(m, x, tx, n, 5, pa));
    for (int i = 0; i < 5; i++) {
        double L = exp(LB(al + x[i], be + n[i] - x[i]) - LB(al, be) + LB(ga, de + n[i]) - LB(ga, de));
        for (int j = 0; j < n[i] - tx[i]; j++)
            L += exp(LB(al + x[i], be + tx[i] - x[i] + j) - LB(al, be) + LB(ga + 1, de + tx[i] + j) - LB(ga, de));
        double ce = exp(LB(al + x[i] + 1, be + n[i] - x[i]) - LB(al, be)) / L * de / (ga - 1) *
                    exp(lgamma(ga + de) - lgamma(1 + de)) *
                    (exp(lgamma(1 + de + n[i]) - lgamma(ga + de + n[i])) -
                     exp(lgamma(1 + de + n[i] + 5) - lgamma(ga + de + n[i] + 5)));
        double alive = exp(LB(al + x[i], be + n[i] - x[i]) - LB(al, be) + LB(ga, de + n[i] + 1) - LB(ga, de)) / L;
        ck_assert_rel(c[i], ce, 1e-9);
        ck_assert_rel(pa[i], alive, 1e-10);
    }
#undef LB
    custops_clv_free(m);
}
END_TEST

/* Monte Carlo: simulate 200,000 customers over t and compare the mean and
 * the distribution of purchases with the predictions (within 4 standard errors) */
static void monte_carlo(int kind, const double *p, double t)
{
    enum { N = 200000 };
    custops_clv_model *m = model(kind, p, 4);
    double *T = malloc(N * sizeof(double)), *x = malloc(N * sizeof(double)), *tx = malloc(N * sizeof(double));
    for (int i = 0; i < N; i++)
        T[i] = t;
    ck_assert_ok(custops_clv_simulate(m, 42, T, N, x, tx));
    double s = 0, s2 = 0, cnt[4] = {0};
    for (int i = 0; i < N; i++) {
        s += x[i];
        s2 += x[i] * x[i];
        if (x[i] < 4)
            cnt[(int)x[i]]++;
        ck_assert(tx[i] <= T[i] && (x[i] > 0 || tx[i] == 0));
    }
    double mean = s / N, se = sqrt((s2 / N - mean * mean) / N), e;
    ck_assert_ok(custops_clv_expected_purchases(m, &t, 1, &e));
    ck_assert_msg(fabs(mean - e) < 4 * se, "kind %d: simulated mean %.5g +- %.2g, predicted %.5g", kind, mean, se, e);
    for (int k = 0; k < 4; k++) {
        double xk = k, pk;
        ck_assert_ok(custops_clv_prob_purchases(m, &t, &xk, 1, &pk));
        double f = cnt[k] / N, sek = sqrt(pk * (1 - pk) / N);
        ck_assert_msg(fabs(f - pk) < 4 * sek + 1e-9, "kind %d: P(X=%d) simulated %.5g, predicted %.5g", kind, k, f, pk);
    }
    free(T);
    free(x);
    free(tx);
    custops_clv_free(m);
}

START_TEST(monte_carlo_all)
{
    monte_carlo(CUSTOPS_CLV_BGNBD, BG, 39);
    monte_carlo(CUSTOPS_CLV_MBGNBD, MBG, 39);
    monte_carlo(CUSTOPS_CLV_PARETO_NBD, PN, 39);
    monte_carlo(CUSTOPS_CLV_BGBB, BB, 6);
}
END_TEST

/* conditional expectation by simulation: customers with a given history are
 * drawn from the posterior by rejection (simulate many, keep the matches) */
START_TEST(conditional_monte_carlo)
{
    enum { N = 400000 };
    custops_clv_model *m = model(CUSTOPS_CLV_BGBB, BB, 4);
    /* BG/BB histories are discrete, so exact matches are common: simulate
     * n + n* = 11 opportunities, keep those with (x, t_x) in the first 6
     * by simulating twice with one seed (the first 6 are a prefix). */
    double *T6 = malloc(N * sizeof(double)), *T11 = malloc(N * sizeof(double)), *x6 = malloc(N * sizeof(double)),
           *t6 = malloc(N * sizeof(double)), *x11 = malloc(N * sizeof(double)), *t11 = malloc(N * sizeof(double));
    for (int i = 0; i < N; i++) {
        T6[i] = 6;
        T11[i] = 11;
    }
    ck_assert_ok(custops_clv_simulate(m, 7, T6, N, x6, t6));
    ck_assert_ok(custops_clv_simulate(m, 7, T11, N, x11, t11));
    double s = 0, s2 = 0, k = 0;
    for (int i = 0; i < N; i++)
        if (x6[i] == 3 && t6[i] == 5) {
            double d = x11[i] - x6[i];
            s += d;
            s2 += d * d;
            k++;
        }
    ck_assert(k > 1000);
    double mean = s / k, se = sqrt((s2 / k - mean * mean) / k);
    double x = 3, tx = 5, n = 6, c;
    ck_assert_ok(custops_clv_conditional_expected_purchases(m, 5, &x, &tx, &n, 1, &c));
    ck_assert_msg(fabs(mean - c) < 4 * se, "BG/BB conditional: simulated %.5g +- %.2g, predicted %.5g", mean, se, c);
    free(T6);
    free(T11);
    free(x6);
    free(t6);
    free(x11);
    free(t11);
    custops_clv_free(m);
}
END_TEST

START_TEST(no_nan_on_extremes)
{
    double params[][4] = {{1e-4, 1e-4, 1e-4, 1e-4}, {1e4, 1e-4, 1e4, 1e-4}, {1e-4, 1e4, 1e-4, 1e4},
                          {0.24, 4.4, 1.0, 2.4},    {0.24, 4.4, 0.999999, 2.4}, {5e3, 1e4, 5e3, 1e4}};
    double x[] = {0, 1, 10, 1000, 100000, 5}, tx[] = {0, 1e-9, 9.5, 999, 1e6, 1e6}, T[] = {0, 1e4, 10, 1e3, 1e6, 1e6};
    for (int kind = CUSTOPS_CLV_BGNBD; kind <= CUSTOPS_CLV_PARETO_NBD; kind++)
        for (size_t p = 0; p < sizeof params / sizeof params[0]; p++) {
            custops_clv_model *m = model(kind, params[p], 4);
            double out[6], hz[] = {0, 1e-6, 1, 1e3, 1e6, 1e9}, xs[] = {0, 1, 2, 50, 1000, 3};
            ck_assert_ok(custops_clv_prob_alive(m, x, tx, T, 6, out));
            for (int i = 0; i < 6; i++)
                ck_assert_msg(isfinite(out[i]) && out[i] >= 0 && out[i] <= 1, "kind %d p %zu alive[%d] %g", kind, p, i, out[i]);
            ck_assert_ok(custops_clv_conditional_expected_purchases(m, 5e3, x, tx, T, 6, out));
            for (int i = 0; i < 6; i++)
                ck_assert_msg(isfinite(out[i]) && out[i] >= 0, "kind %d p %zu cond[%d] %g", kind, p, i, out[i]);
            ck_assert_ok(custops_clv_expected_purchases(m, hz, 6, out));
            for (int i = 0; i < 6; i++)
                ck_assert_msg(isfinite(out[i]) && out[i] >= 0, "kind %d p %zu E[%d] %g", kind, p, i, out[i]);
            ck_assert_ok(custops_clv_prob_purchases(m, hz, xs, 6, out));
            for (int i = 0; i < 6; i++)
                ck_assert_msg(isfinite(out[i]) && out[i] >= 0 && out[i] <= 1, "kind %d p %zu pmf[%d] %g", kind, p, i, out[i]);
            custops_clv_free(m);
        }
}
END_TEST

/* a near 1 is a removable singularity of the closed form */
START_TEST(bgnbd_a_near_one)
{
    double p1[4] = {0.24, 4.4, 1.0, 2.4}, p2[4] = {0.24, 4.4, 1.0 + 1e-7, 2.4};
    custops_clv_model *m1 = model(CUSTOPS_CLV_BGNBD, p1, 4), *m2 = model(CUSTOPS_CLV_BGNBD, p2, 4);
    double t[] = {1, 39, 520}, e1[3], e2[3];
    ck_assert_ok(custops_clv_expected_purchases(m1, t, 3, e1));
    ck_assert_ok(custops_clv_expected_purchases(m2, t, 3, e2));
    for (int i = 0; i < 3; i++)
        ck_assert_rel(e1[i], e2[i], 1e-6);
    custops_clv_free(m1);
    custops_clv_free(m2);
}
END_TEST

START_TEST(spend_and_value)
{
    double gp[3] = {6.25, 3.74, 15.44};
    custops_clv_model *g = model(CUSTOPS_CLV_GAMMA_GAMMA, gp, 3);
    custops_clv_model *b = model(CUSTOPS_CLV_BGNBD, BG, 4);
    double x[] = {0, 2, 10}, mon[] = {0, 22.35, 40}, tx[] = {0, 30.43, 35}, T[] = {38.86, 38.86, 38.86};
    double sp[3];
    ck_assert_ok(custops_clv_expected_spend(g, x, mon, 3, sp));
    ck_assert_rel(sp[0], 6.25 * 15.44 / 2.74, 1e-12);
    ck_assert_rel(sp[1], (6.25 * 15.44 + 6.25 * 2 * 22.35) / (6.25 * 2 + 3.74 - 1), 1e-12);
    /* lifetimes' customer_lifetime_value loop, written out */
    custops_clv_value_options o = CUSTOPS_CLV_VALUE_OPTIONS_INIT;
    o.periods_per_month = 4.345; /* weeks */
    o.discount_rate = 0.01;
    o.months = 12;
    o.margin = 0.3;
    double clv[3];
    ck_assert_ok(custops_clv_lifetime_value(b, g, x, tx, T, mon, 3, &o, clv));
    for (int i = 0; i < 3; i++) {
        double prev = 0, want = 0;
        for (int k = 1; k <= 12; k++) {
            double e;
            ck_assert_ok(custops_clv_conditional_expected_purchases(b, k * 4.345, &x[i], &tx[i], &T[i], 1, &e));
            want += 0.3 * sp[i] * (e - prev) / pow(1.01, k);
            prev = e;
        }
        ck_assert_rel(clv[i], want, 1e-12);
        ck_assert(clv[i] > 0);
    }
    ck_assert(clv[2] > clv[1]);
    double gq[3] = {6.25, 0.9, 15.44};
    custops_clv_model *g2 = model(CUSTOPS_CLV_GAMMA_GAMMA, gq, 3);
    ck_assert_status(custops_clv_expected_spend(g2, x, mon, 3, sp), CUSTOPS_ERANGE);
    ck_assert_status(custops_clv_lifetime_value(g, b, x, tx, T, mon, 3, NULL, clv), CUSTOPS_EINVAL);
    custops_clv_free(g2);
    custops_clv_free(g);
    custops_clv_free(b);
}
END_TEST

START_TEST(prediction_errors)
{
    custops_clv_model *m = model(CUSTOPS_CLV_BGNBD, BG, 4);
    double x[] = {1, 2}, tx[] = {5, NAN}, T[] = {10, 10}, out[2];
    ck_assert_status(custops_clv_prob_alive(m, x, tx, T, 2, out), CUSTOPS_EINVAL);
    ck_assert_ptr_nonnull(strstr(custops_last_error(), "recency[1]"));
    double tx2[] = {5, 11};
    ck_assert_status(custops_clv_conditional_expected_purchases(m, 10, x, tx2, T, 2, out), CUSTOPS_EINVAL);
    ck_assert_ptr_nonnull(strstr(custops_last_error(), "recency[1] = 11 is greater than T[1]"));
    double tneg[] = {1, -1};
    ck_assert_status(custops_clv_expected_purchases(m, tneg, 2, out), CUSTOPS_EINVAL);
    ck_assert_ptr_nonnull(strstr(custops_last_error(), "t[1]"));
    ck_assert_status(custops_clv_conditional_expected_purchases(m, INFINITY, x, tx2, T, 2, out), CUSTOPS_EINVAL);
    double xs[] = {0, 0.5};
    ck_assert_status(custops_clv_prob_purchases(m, T, xs, 2, out), CUSTOPS_EINVAL);
    ck_assert_status(custops_clv_prob_alive(NULL, x, tx, T, 2, out), CUSTOPS_EINVAL);
    ck_assert_status(custops_clv_prob_alive(m, x, tx, T, 2, NULL), CUSTOPS_EINVAL);
    ck_assert_status(custops_clv_expected_spend(m, x, tx, 2, out), CUSTOPS_EINVAL);
    ck_assert_ok(custops_clv_prob_alive(m, NULL, NULL, NULL, 0, NULL));
    custops_clv_free(m);
}
END_TEST

START_TEST(diagnostics)
{
    clv_data *d = clv_data_load("cdnow_customers_summary.csv");
    if (!d)
        return;
    custops_clv_model *m = model(CUSTOPS_CLV_BGNBD, BG, 4);
    double ex[8], ob[8];
    ck_assert_ok(custops_clv_repeat_histogram(m, d->x, d->T, NULL, d->n, 7, ex, ob));
    double se = 0, so = 0;
    for (int k = 0; k < 8; k++) {
        se += ex[k];
        so += ob[k];
    }
    ck_assert_rel(se, 2357, 1e-9);
    ck_assert_rel(so, 2357, 1e-12);
    ck_assert(ob[0] == 1411); /* 946 repeat buyers */
    /* FHL (2005) Figure 2: the model tracks the zero class closely */
    ck_assert(fabs(ex[0] - ob[0]) < 30);
    /* tracking: everyone born at 0 gives n E[X(t)] */
    double birth[3] = {0, 0, 5}, times[3] = {10, 20, 39}, cum[3], inc[3];
    ck_assert_ok(custops_clv_tracking(m, birth, NULL, 3, times, 3, cum, inc));
    double e10, e5, t10 = 10, t5 = 5;
    ck_assert_ok(custops_clv_expected_purchases(m, &t10, 1, &e10));
    ck_assert_ok(custops_clv_expected_purchases(m, &t5, 1, &e5));
    ck_assert_rel(cum[0], 2 * e10 + e5, 1e-12);
    ck_assert_rel(inc[1], cum[1] - cum[0], 1e-12);
    /* holdout by frequency: groups and predictions */
    double *hold = calloc(d->n, sizeof(double));
    for (size_t i = 0; i < d->n; i++)
        hold[i] = d->x[i]; /* a stand-in holdout: the calibration count */
    double cnt[8], pr[8], ac[8];
    ck_assert_ok(custops_clv_holdout_by_frequency(m, d->x, d->t, d->T, hold, 39, d->n, 7, cnt, pr, ac));
    ck_assert(cnt[0] == 1411);
    ck_assert(ac[0] == 0 && ac[1] == 1);
    for (int k = 1; k < 7; k++)
        ck_assert(pr[k] > pr[k - 1] * 0.5 && pr[k] > 0);
    free(hold);
    /* P(alive) matrix */
    double mat[4 * 5];
    ck_assert_ok(custops_clv_alive_matrix(m, 3, 40, 5, mat));
    ck_assert(mat[0] == 1.0);            /* x = 0, recency 0 */
    ck_assert(mat[1] == 0.0);            /* impossible cell */
    ck_assert(mat[5] == 0.0);            /* x = 1, recency 0 */
    ck_assert(mat[3 * 5 + 4] > mat[3 * 5 + 1]); /* recent buyers more alive */
    ck_assert_status(custops_clv_alive_matrix(m, 3, 40, 1, mat), CUSTOPS_EINVAL);
    custops_clv_free(m);
    free(d);
}
END_TEST

static Suite *clv_predict_suite(void)
{
    Suite *s = suite_create("clv_predict");
    TCase *tc = tcase_create("predict");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, bgnbd_closed_forms);
    tcase_add_test(tc, pareto_alive_closed_form);
    tcase_add_test(tc, pareto_extremes);
    tcase_add_test(tc, pmf_sums);
    tcase_add_test(tc, bgbb_closed_forms);
    tcase_add_test(tc, monte_carlo_all);
    tcase_add_test(tc, conditional_monte_carlo);
    tcase_add_test(tc, no_nan_on_extremes);
    tcase_add_test(tc, bgnbd_a_near_one);
    tcase_add_test(tc, spend_and_value);
    tcase_add_test(tc, prediction_errors);
    tcase_add_test(tc, diagnostics);
    suite_add_tcase(s, tc);
    return s;
}

TEST_MAIN(clv_predict_suite)
