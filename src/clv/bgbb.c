/* BG/BB (Fader, Hardie and Shang 2010): discrete purchase opportunities.
 * While alive a customer buys at each opportunity with probability
 * p ~ Beta(alpha, beta) and becomes inactive at the start of each
 * opportunity with probability theta ~ Beta(gamma, delta). For x purchases,
 * the last at opportunity t_x, out of n:
 *   L = B(alpha+x, beta+n-x)/B(alpha,beta) B(gamma, delta+n)/B(gamma,delta)
 *     + sum_{i=0}^{n-t_x-1} B(alpha+x, beta+t_x-x+i)/B(alpha,beta)
 *                           B(gamma+1, delta+t_x+i)/B(gamma,delta). */
#include "clv_internal.h"

#include <math.h>


/* log of the likelihood of one row and its gradient (natural parameters) */
static double bgbb_row(const double *th, double x, double tx, double n, double *g)
{
    double al = th[0], be = th[1], ga = th[2], de = th[3];
    double base = -custops__lbeta(al, be) - custops__lbeta(ga, de);
    double psi_al = custops__digamma(al), psi_be = custops__digamma(be), psi_ab = custops__digamma(al + be);
    double psi_ga = custops__digamma(ga), psi_de = custops__digamma(de), psi_gd = custops__digamma(ga + de);
    double psi_ax = custops__digamma(al + x);
    /* term 0: alive through n */
    double l0 = custops__lbeta(al + x, be + n - x) + custops__lbeta(ga, de + n) + base;
    double g0[4] = {psi_ax - custops__digamma(al + be + n), custops__digamma(be + n - x) - custops__digamma(al + be + n),
                    psi_ga - custops__digamma(ga + de + n), custops__digamma(de + n) - custops__digamma(ga + de + n)};
    double m = l0, acc = 1.0, ga_acc[4];
    for (int k = 0; k < 4; k++)
        ga_acc[k] = g ? g0[k] : 0.0;
    double psi_g1 = custops__digamma(ga + 1.0);
    for (double i = 0; i < n - tx; i += 1.0) {
        double li = custops__lbeta(al + x, be + tx - x + i) + custops__lbeta(ga + 1.0, de + tx + i) + base;
        double gi[4] = {0, 0, 0, 0};
        if (g) {
            double pabi = custops__digamma(al + be + tx + i), pgdi = custops__digamma(ga + de + 1.0 + tx + i);
            gi[0] = psi_ax - pabi;
            gi[1] = custops__digamma(be + tx - x + i) - pabi;
            gi[2] = psi_g1 - pgdi;
            gi[3] = custops__digamma(de + tx + i) - pgdi;
        }
        /* running weighted log-sum-exp of terms and of their gradients */
        if (li > m) {
            double sc = exp(m - li);
            acc = acc * sc + 1.0;
            for (int k = 0; k < 4; k++)
                ga_acc[k] = ga_acc[k] * sc + gi[k];
            m = li;
        } else {
            double e = exp(li - m);
            acc += e;
            for (int k = 0; k < 4; k++)
                ga_acc[k] += e * gi[k];
        }
    }
    if (g) {
        g[0] = ga_acc[0] / acc - (psi_al - psi_ab);
        g[1] = ga_acc[1] / acc - (psi_be - psi_ab);
        g[2] = ga_acc[2] / acc - (psi_ga - psi_gd);
        g[3] = ga_acc[3] / acc - (psi_de - psi_gd);
    }
    return m + log(acc);
}

static double bgbb_loglik(const double *th, const clv_rows *d, double *grad)
{
    double ll = 0, g[4] = {0, 0, 0, 0};
    for (size_t i = 0; i < d->n; i++) {
        double gi[4];
        ll += d->w[i] * bgbb_row(th, d->x[i], d->t[i], d->T[i], grad ? gi : NULL);
        if (grad)
            for (int k = 0; k < 4; k++)
                g[k] += d->w[i] * gi[k];
    }
    if (grad)
        for (int k = 0; k < 4; k++)
            grad[k] = g[k] * th[k];
    return isfinite(ll) ? ll : -INFINITY;
}

static int bgbb_identify(const clv_rows *d)
{
    double rep = 0, nmax = 0, some_gap = 0;
    for (size_t i = 0; i < d->n; i++) {
        rep += d->w[i] * d->x[i];
        if (d->T[i] > nmax)
            nmax = d->T[i];
        if (d->x[i] < d->T[i])
            some_gap += d->w[i];
    }
    if (rep == 0)
        return custops__err(CUSTOPS_EIDENTIFY, "no customer made a purchase: the BG/BB model cannot be identified");
    if (nmax < 2)
        return custops__err(CUSTOPS_EIDENTIFY, "BG/BB needs at least 2 purchase opportunities (largest T is %g)",
                            nmax);
    if (some_gap == 0)
        return custops__err(CUSTOPS_EIDENTIFY,
                            "every customer bought at every opportunity: the BG/BB model cannot be identified");
    return CUSTOPS_OK;
}

static int bgbb_starts(const clv_rows *d, double st[][CLV_MAXP])
{
    (void)d;
    static const double s[3][4] = {{1, 1, 1, 1}, {0.5, 0.5, 0.5, 2.0}, {2.0, 1.0, 0.3, 3.0}};
    for (int i = 0; i < 3; i++)
        for (int k = 0; k < 4; k++)
            st[i][k] = s[i][k];
    return 3;
}

/* B(gamma, delta+k)/B(gamma, delta) summed over k = k0+1..k0+nk: expected
 * alive opportunities; the ratio follows a product recurrence. */
static double alive_sum(double ga, double de, double k0, double nk)
{
    double lr = custops__lbeta(ga, de + k0) - custops__lbeta(ga, de);
    double r = exp(lr), sum = 0;
    for (double k = k0 + 1; k <= k0 + nk; k += 1.0) {
        /* B(g, d+k)/B(g, d+k-1) = (d+k-1)/(g+d+k-1) */
        r *= (de + k - 1.0) / (ga + de + k - 1.0);
        sum += r;
    }
    return sum;
}

static double bgbb_expected(const double *th, double t)
{
    return th[0] / (th[0] + th[1]) * alive_sum(th[2], th[3], 0, floor(t));
}

static double bgbb_alive(const double *th, double x, double tx, double n)
{
    double l = bgbb_row(th, x, tx, n, NULL);
    double la = custops__lbeta(th[0] + x, th[1] + n - x) - custops__lbeta(th[0], th[1]) +
                custops__lbeta(th[2], th[3] + n + 1.0) - custops__lbeta(th[2], th[3]);
    double p = exp(la - l);
    return p > 1 ? 1 : p;
}

static double bgbb_cond(const double *th, double t, double x, double tx, double n)
{
    double l = bgbb_row(th, x, tx, n, NULL);
    double lp = custops__lbeta(th[0] + x + 1.0, th[1] + n - x) - custops__lbeta(th[0], th[1]);
    return exp(lp - l) * alive_sum(th[2], th[3], n, floor(t));
}

static double lchoose(double n, double k)
{
    return custops__lgamma(n + 1.0) - custops__lgamma(k + 1.0) - custops__lgamma(n - k + 1.0);
}

static double bgbb_pmf(const double *th, double t, double x)
{
    double al = th[0], be = th[1], ga = th[2], de = th[3];
    double n = floor(t);
    if (x > n)
        return 0.0;
    double lab = custops__lbeta(al, be), lgd = custops__lbeta(ga, de);
    double p = exp(lchoose(n, x) + custops__lbeta(al + x, be + n - x) - lab + custops__lbeta(ga, de + n) - lgd);
    for (double i = x; i < n; i += 1.0)
        p += exp(lchoose(i, x) + custops__lbeta(al + x, be + i - x) - lab + custops__lbeta(ga + 1.0, de + i) - lgd);
    return p > 1 ? 1 : p;
}

static void bgbb_sim(const double *th, uint64_t *rng, double T, double *x, double *tx)
{
    double p = custops__clv_rand_beta(rng, th[0], th[1]);
    double theta = custops__clv_rand_beta(rng, th[2], th[3]);
    double n = 0, last = 0;
    for (double k = 1; k <= T; k += 1.0) {
        if (custops__clv_rand_u01(rng) < theta)
            break;
        if (custops__clv_rand_u01(rng) < p) {
            n += 1;
            last = k;
        }
    }
    *x = n;
    *tx = last;
}

const clv_spec custops__clv_bgbb = {
    CUSTOPS_CLV_BGBB, "bgbb", 4, {"alpha", "beta", "gamma", "delta"},
    bgbb_loglik, bgbb_identify, bgbb_starts,
    bgbb_expected, bgbb_cond, bgbb_alive, bgbb_pmf, bgbb_sim,
};
