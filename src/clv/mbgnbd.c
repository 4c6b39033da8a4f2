/* MBG/NBD (Batislam, Denizel and Filiztekin 2007): as BG/NBD, but the
 * customer may also drop out right after the first purchase, so customers
 * with no repeat purchase are not certain to be alive. The likelihood is
 *   B(a, b+x+1)/B(a, b) Gamma(r+x) alpha^r / Gamma(r)
 *     * [(alpha+T)^-(r+x) + a/(b+x) (alpha+t_x)^-(r+x)]. */
#include "clv_internal.h"

#include <math.h>

static double mbg_loglik(const double *th, const clv_rows *d, double *grad)
{
    return custops__clv_bg_family_loglik(th, d, grad, 1);
}

static double mbg_alive(const double *th, double x, double tx, double T)
{
    double r = th[0], alpha = th[1], a = th[2], b = th[3];
    double e = log(a / (b + x)) + (r + x) * (log(alpha + T) - log(alpha + tx));
    return 1.0 / (1.0 + exp(e));
}

/* A new customer survives the first purchase with probability b/(a+b); the
 * survivors' dropout probability is then Beta(a, b+1). */
static double mbg_expected(const double *th, double t)
{
    double a = th[2], b = th[3];
    return b / (a + b) * custops__clv_bg_expect(a, b + 1.0, th[0], t / th[1]);
}

static double mbg_cond(const double *th, double t, double x, double tx, double T)
{
    return mbg_alive(th, x, tx, T) * custops__clv_bg_expect(th[2], th[3] + x + 1.0, th[0] + x, t / (th[1] + T));
}

static double mbg_pmf(const double *th, double t, double x)
{
    double a = th[2], b = th[3];
    double p = b / (a + b) * custops__clv_bg_pmf(th[0], th[1], a, b + 1.0, t, x);
    if (x == 0)
        p += a / (a + b);
    return p > 1 ? 1 : p;
}

static void mbg_sim(const double *th, uint64_t *rng, double T, double *x, double *tx)
{
    custops__clv_bg_simulate(th, rng, T, x, tx, 1);
}

const clv_spec custops__clv_mbgnbd = {
    CUSTOPS_CLV_MBGNBD, "mbgnbd", 4, {"r", "alpha", "a", "b"},
    mbg_loglik, custops__clv_bg_family_identify, custops__clv_rate_starts,
    mbg_expected, mbg_cond, mbg_alive, mbg_pmf, mbg_sim,
};
