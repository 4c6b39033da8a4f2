/* BG/NBD (Fader, Hardie and Lee 2005): purchases follow a Poisson process
 * with rate lambda ~ Gamma(r, alpha); after each repeat purchase the
 * customer drops out with probability p ~ Beta(a, b). The log-likelihood
 * and its gradient are shared with MBG/NBD (mbg = 1), whose customers can
 * also drop out right after the first purchase. */
#include "clv_internal.h"

#include <math.h>

double custops__clv_bg_family_loglik(const double *th, const clv_rows *d, double *grad, int mbg)
{
    double r = th[0], alpha = th[1], a = th[2], b = th[3];
    double lalpha = log(alpha), la = log(a);
    clv_rise rr, rb, rab;
    clv_rise_init(&rr, r);
    clv_rise_init(&rb, b);
    clv_rise_init(&rab, a + b);
    double ll = 0, g[4] = {0, 0, 0, 0};
    for (size_t i = 0; i < d->n; i++) {
        double x = d->x[i], w = d->w[i];
        double xs = mbg ? x + 1.0 : x; /* beta-function shift */
        custops__clv_rise_to(&rr, x);
        custops__clv_rise_to(&rb, xs);
        custops__clv_rise_to(&rab, xs);
        double lT = log(alpha + d->T[i]);
        double A12 = rr.lg + r * lalpha + rb.lg - rab.lg;
        double A3 = -(r + x) * lT;
        if (x == 0 && !mbg) {
            ll += w * (A12 + A3);
            if (grad) {
                g[0] += w * (lalpha - lT);
                g[1] += w * (r / alpha - r / (alpha + d->T[i]));
            }
            continue;
        }
        double bx = mbg ? b + x : b + x - 1.0;
        double lt = log(alpha + d->t[i]);
        double A4 = la - log(bx) - (r + x) * lt;
        double m = A3 > A4 ? A3 : A4;
        double e3 = exp(A3 - m), e4 = exp(A4 - m), s = e3 + e4;
        ll += w * (A12 + m + log(s));
        if (grad) {
            double w3 = e3 / s, w4 = e4 / s;
            g[0] += w * (rr.dg + lalpha - w3 * lT - w4 * lt);
            g[1] += w * (r / alpha - w3 * (r + x) / (alpha + d->T[i]) - w4 * (r + x) / (alpha + d->t[i]));
            g[2] += w * (-rab.dg + w4 / a);
            g[3] += w * (rb.dg - rab.dg - w4 / bx);
        }
    }
    if (grad)
        for (int k = 0; k < 4; k++)
            grad[k] = g[k] * th[k];
    return isfinite(ll) ? ll : -INFINITY;
}

int custops__clv_bg_family_identify(const clv_rows *d)
{
    double rep = 0, span = 0;
    for (size_t i = 0; i < d->n; i++) {
        rep += d->w[i] * d->x[i];
        span += d->w[i] * d->T[i];
    }
    if (rep == 0)
        return custops__err(CUSTOPS_EIDENTIFY, "no repeat buyers (every frequency is 0): the purchase rate and the "
                                               "dropout cannot be told apart");
    if (span == 0)
        return custops__err(CUSTOPS_EIDENTIFY, "every observation length T is 0");
    return CUSTOPS_OK;
}

int custops__clv_rate_starts(const clv_rows *d, double st[][CLV_MAXP])
{
    double rep = 0, span = 0;
    for (size_t i = 0; i < d->n; i++) {
        rep += d->w[i] * d->x[i];
        span += d->w[i] * d->T[i];
    }
    double rate = rep / span; /* purchases per unit time */
    static const double shape[4][3] = {{1.0, 1.0, 1.0}, {0.3, 0.8, 2.5}, {3.0, 2.0, 5.0}, {0.1, 0.1, 0.1}};
    for (int i = 0; i < 4; i++) {
        st[i][0] = shape[i][0];
        st[i][1] = shape[i][0] / rate;
        st[i][2] = shape[i][1];
        st[i][3] = shape[i][2];
    }
    return 4;
}

static double bg_loglik(const double *th, const clv_rows *d, double *grad)
{
    return custops__clv_bg_family_loglik(th, d, grad, 0);
}

static double bg_alive(const double *th, double x, double tx, double T)
{
    if (x == 0)
        return 1.0;
    double r = th[0], alpha = th[1], a = th[2], b = th[3];
    double e = log(a / (b + x - 1.0)) + (r + x) * (log(alpha + T) - log(alpha + tx));
    return 1.0 / (1.0 + exp(e));
}

static double bg_expected(const double *th, double t)
{
    return custops__clv_bg_expect(th[2], th[3], th[0], t / th[1]);
}

static double bg_cond(const double *th, double t, double x, double tx, double T)
{
    return bg_alive(th, x, tx, T) * custops__clv_bg_expect(th[2], th[3] + x, th[0] + x, t / (th[1] + T));
}

/* P(X(t) = x) for a BG/NBD customer with dropout Beta(a, b) (FHL 2005, eq. 8);
 * the tail of the NBD is the regularised incomplete beta. */
double custops__clv_bg_pmf(double r, double alpha, double a, double b, double t, double x)
{
    if (t <= 0)
        return x == 0 ? 1.0 : 0.0;
    double lb = custops__lbeta(a, b);
    double lp = log(alpha / (alpha + t)), lq = log(t / (alpha + t));
    double nb = exp(custops__lgamma(r + x) - custops__lgamma(r) - custops__lgamma(x + 1.0) + r * lp + x * lq);
    double p = exp(custops__lbeta(a, b + x) - lb) * nb;
    if (x > 0)
        p += exp(custops__lbeta(a + 1.0, b + x - 1.0) - lb) * custops__beta_inc(x, r, t / (alpha + t));
    return p < 0 ? 0 : (p > 1 ? 1 : p);
}

static double bg_pmf(const double *th, double t, double x)
{
    return custops__clv_bg_pmf(th[0], th[1], th[2], th[3], t, x);
}

/* One customer: Poisson purchases until the dropout after a purchase. */
void custops__clv_bg_simulate(const double *th, uint64_t *rng, double T, double *x, double *tx, int mbg)
{
    double lambda = custops__clv_rand_gamma(rng, th[0]) / th[1];
    double p = custops__clv_rand_beta(rng, th[2], th[3]);
    double t = 0, n = 0, last = 0;
    if (!(mbg && custops__clv_rand_u01(rng) < p)) {
        while (lambda > 0 && n < 1e7) {
            t += custops__clv_rand_exp(rng) / lambda;
            if (t > T)
                break;
            n += 1;
            last = t;
            if (custops__clv_rand_u01(rng) < p)
                break;
        }
    }
    *x = n;
    *tx = last;
}

static void bg_sim(const double *th, uint64_t *rng, double T, double *x, double *tx)
{
    custops__clv_bg_simulate(th, rng, T, x, tx, 0);
}

const clv_spec custops__clv_bgnbd = {
    CUSTOPS_CLV_BGNBD, "bgnbd", 4, {"r", "alpha", "a", "b"},
    bg_loglik, custops__clv_bg_family_identify, custops__clv_rate_starts,
    bg_expected, bg_cond, bg_alive, bg_pmf, bg_sim,
};
