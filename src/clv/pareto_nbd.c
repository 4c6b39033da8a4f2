/* Pareto/NBD (Schmittlein, Morrison and Colombo 1987): Poisson purchases
 * with rate lambda ~ Gamma(r, alpha) and an exponential lifetime with rate
 * mu ~ Gamma(s, beta). The likelihood (Fader and Hardie 2005 note) is
 *   Gamma(r+x) alpha^r beta^s / Gamma(r)
 *     * [(alpha+T)^-(r+x) (beta+T)^-s + s D],
 *   D = int_{t_x}^{T} (alpha+u)^-(r+x) (beta+u)^-(s+1) du,
 * where D is the difference of the two Gauss hypergeometric terms of the
 * usual form; specfun.c evaluates log D and its gradient stably. */
#include "clv_internal.h"

#include <math.h>

static double pnbd_loglik(const double *th, const clv_rows *d, double *grad)
{
    double r = th[0], alpha = th[1], s = th[2], beta = th[3];
    double lalpha = log(alpha), lbeta = log(beta), ls = log(s);
    clv_rise rr;
    clv_rise_init(&rr, r);
    double ll = 0, g[4] = {0, 0, 0, 0};
    for (size_t i = 0; i < d->n; i++) {
        double x = d->x[i], w = d->w[i], T = d->T[i];
        custops__clv_rise_to(&rr, x);
        double laT = log(alpha + T), lbT = log(beta + T);
        double A = -(r + x) * laT - s * lbT;
        double dl[4];
        double B = ls + custops__clv_pareto_logD(r, alpha, s, beta, x, d->t[i], T, dl);
        double m = A > B ? A : B;
        double eA = exp(A - m), eB = exp(B - m), sum = eA + eB;
        ll += w * (rr.lg + r * lalpha + s * lbeta + m + log(sum));
        if (grad) {
            double wA = eA / sum, wB = eB / sum;
            g[0] += w * (rr.dg + lalpha - wA * laT + wB * dl[0]);
            g[1] += w * (r / alpha - wA * (r + x) / (alpha + T) + wB * dl[1]);
            g[2] += w * (lbeta - wA * lbT + wB * (1.0 / s + dl[2]));
            g[3] += w * (s / beta - wA * s / (beta + T) + wB * dl[3]);
        }
    }
    if (grad)
        for (int k = 0; k < 4; k++)
            grad[k] = g[k] * th[k];
    return isfinite(ll) ? ll : -INFINITY;
}

static int pnbd_identify(const clv_rows *d)
{
    return custops__clv_bg_family_identify(d);
}

static int pnbd_starts(const clv_rows *d, double st[][CLV_MAXP])
{
    double rep = 0, span = 0;
    for (size_t i = 0; i < d->n; i++) {
        rep += d->w[i] * d->x[i];
        span += d->w[i] * d->T[i];
    }
    double rate = rep / span, meanT = span / d->total;
    /* lifetimes of the order of the observation window */
    static const double sh[4][2] = {{1.0, 1.0}, {0.5, 0.5}, {2.0, 2.0}, {0.2, 3.0}};
    for (int i = 0; i < 4; i++) {
        st[i][0] = sh[i][0];
        st[i][1] = sh[i][0] / rate;
        st[i][2] = sh[i][1];
        st[i][3] = sh[i][1] * meanT;
    }
    return 4;
}

/* log P(alive at T) odds: s D (alpha+T)^(r+x) (beta+T)^s */
static double pnbd_alive(const double *th, double x, double tx, double T)
{
    double r = th[0], alpha = th[1], s = th[2], beta = th[3], dl[4];
    double lD = custops__clv_pareto_logD(r, alpha, s, beta, x, tx, T, dl);
    if (lD == -INFINITY)
        return 1.0;
    double e = log(s) + lD + (r + x) * log(alpha + T) + s * log(beta + T);
    return 1.0 / (1.0 + exp(e));
}

/* (1 - (1 + u)^-(s-1)) / (s-1), continuous through s = 1 (gives log1p(u)) */
static double lifetime_factor(double s, double u)
{
    double L = log1p(u);
    double k = (s - 1.0) * L;
    if (fabs(k) < 1e-8)
        return L * (1.0 - 0.5 * k);
    return -expm1(-k) / (s - 1.0);
}

static double pnbd_expected(const double *th, double t)
{
    double r = th[0], alpha = th[1], s = th[2], beta = th[3];
    return r * beta / alpha * lifetime_factor(s, t / beta);
}

static double pnbd_cond(const double *th, double t, double x, double tx, double T)
{
    double r = th[0], alpha = th[1], s = th[2], beta = th[3];
    return (r + x) * (beta + T) / (alpha + T) * lifetime_factor(s, t / (beta + T)) * pnbd_alive(th, x, tx, T);
}

typedef struct pmf_ctx {
    double r, alpha, s, beta, x, lc;
} pmf_ctx;

/* density of dying at u times P(x purchases by u | NBD) */
static void pmf_integrand(double u, void *vctx, double *out)
{
    const pmf_ctx *c = vctx;
    double lnb = c->lc + c->r * log(c->alpha / (c->alpha + u)) + (c->x > 0 ? c->x * log(u / (c->alpha + u)) : 0.0);
    out[0] = c->s / c->beta * exp((c->s + 1.0) * log(c->beta / (c->beta + u)) + lnb);
}

/* P(X(t) = x): alive through t with x purchases, or died at u < t with x
 * purchases before; the second part is one smooth integral over u. */
static double pnbd_pmf(const double *th, double t, double x)
{
    if (t <= 0)
        return x == 0 ? 1.0 : 0.0;
    pmf_ctx c = {th[0], th[1], th[2], th[3], x, 0};
    c.lc = custops__lgamma(c.r + x) - custops__lgamma(c.r) - custops__lgamma(x + 1.0);
    double alive = exp(c.lc + c.r * log(c.alpha / (c.alpha + t)) + x * log(t / (c.alpha + t)) +
                       c.s * log(c.beta / (c.beta + t)));
    double died;
    custops__integrate(pmf_integrand, &c, 1, 0.0, t, 1e-11, &died);
    double p = alive + died;
    return p < 0 ? 0 : (p > 1 ? 1 : p);
}

static void pnbd_sim(const double *th, uint64_t *rng, double T, double *x, double *tx)
{
    double lambda = custops__clv_rand_gamma(rng, th[0]) / th[1];
    double mu = custops__clv_rand_gamma(rng, th[2]) / th[3];
    double life = mu > 0 ? custops__clv_rand_exp(rng) / mu : INFINITY;
    double end = life < T ? life : T;
    double t = 0, n = 0, last = 0;
    while (lambda > 0 && n < 1e7) {
        t += custops__clv_rand_exp(rng) / lambda;
        if (t > end)
            break;
        n += 1;
        last = t;
    }
    *x = n;
    *tx = last;
}

const clv_spec custops__clv_pareto = {
    CUSTOPS_CLV_PARETO_NBD, "pareto_nbd", 4, {"r", "alpha", "s", "beta"},
    pnbd_loglik, pnbd_identify, pnbd_starts,
    pnbd_expected, pnbd_cond, pnbd_alive, pnbd_pmf, pnbd_sim,
};
