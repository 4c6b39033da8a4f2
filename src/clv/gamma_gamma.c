/* Gamma-Gamma spend model (Fader, Hardie and Lee 2005; Fader and Hardie
 * 2013 note 025): transaction values z ~ Gamma(p, nu), nu ~ Gamma(q, gamma)
 * across customers. The average zbar of x repeat transactions has density
 *   Gamma(px+q) / (Gamma(px) Gamma(q)) gamma^q x^(px) zbar^(px-1)
 *     / (gamma + x zbar)^(px+q).
 * Rows hold x in d->x and zbar in d->t. */
#include "clv_internal.h"

#include <math.h>

static double gg_loglik(const double *th, const clv_rows *d, double *grad)
{
    double p = th[0], q = th[1], ga = th[2];
    double lgq = custops__lgamma(q), psq = custops__digamma(q), lga = log(ga);
    double ll = 0, g[3] = {0, 0, 0};
    for (size_t i = 0; i < d->n; i++) {
        double x = d->x[i], m = d->t[i], w = d->w[i];
        double px = p * x, lm = log(m), lx = log(x), lden = log(ga + x * m);
        ll += w * (custops__lgamma(px + q) - custops__lgamma(px) - lgq + q * lga + (px - 1.0) * lm + px * lx -
                   (px + q) * lden);
        if (grad) {
            double psi_pq = custops__digamma(px + q);
            g[0] += w * x * (psi_pq - custops__digamma(px) + lm + lx - lden);
            g[1] += w * (psi_pq - psq + lga - lden);
            g[2] += w * (q / ga - (px + q) / (ga + x * m));
        }
    }
    if (grad)
        for (int k = 0; k < 3; k++)
            grad[k] = g[k] * th[k];
    return isfinite(ll) ? ll : -INFINITY;
}

static int gg_identify(const clv_rows *d)
{
    if (d->total < 2)
        return custops__err(CUSTOPS_EIDENTIFY, "Gamma-Gamma needs at least two customers with repeat purchases");
    double m0 = d->t[0];
    for (size_t i = 1; i < d->n; i++)
        if (d->t[i] != m0)
            return CUSTOPS_OK;
    return custops__err(CUSTOPS_EIDENTIFY, "every average spend is %g: the spread between customers cannot be "
                                           "estimated", m0);
}

static int gg_starts(const clv_rows *d, double st[][CLV_MAXP])
{
    double s = 0;
    for (size_t i = 0; i < d->n; i++)
        s += d->w[i] * d->t[i];
    double mean = s / d->total;
    static const double pq[3][2] = {{1.0, 2.0}, {5.0, 3.0}, {0.5, 1.5}};
    for (int i = 0; i < 3; i++) {
        st[i][0] = pq[i][0];
        st[i][1] = pq[i][1];
        st[i][2] = mean * (pq[i][1] - 1.0) / pq[i][0]; /* mean spend = p gamma / (q - 1) */
    }
    return 3;
}

const clv_spec custops__clv_gg = {
    CUSTOPS_CLV_GAMMA_GAMMA, "gamma_gamma", 3, {"p", "q", "gamma"},
    gg_loglik, gg_identify, gg_starts,
    NULL, NULL, NULL, NULL, NULL,
};
