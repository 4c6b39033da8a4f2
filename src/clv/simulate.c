/* Simulation from the fitted models with a seeded generator: each customer
 * gets its own stream (seed and index), so results do not depend on how
 * many customers are simulated at once or on the platform. */
#include "clv_internal.h"

#include <math.h>

static uint64_t splitmix64(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

double custops__clv_rand_u01(uint64_t *st)
{
    /* (0, 1): never 0, so log() is safe */
    return ((double)(splitmix64(st) >> 11) + 0.5) * 0x1.0p-53;
}

double custops__clv_rand_exp(uint64_t *st)
{
    return -log(custops__clv_rand_u01(st));
}

static double rand_normal(uint64_t *st)
{
    double u = custops__clv_rand_u01(st), v = custops__clv_rand_u01(st);
    return sqrt(-2.0 * log(u)) * cos(2.0 * M_PI * v);
}

/* log of a Gamma(shape, 1) draw (Marsaglia-Tsang; boosted for shape < 1 in
 * log space so tiny shapes do not underflow to 0) */
static double rand_loggamma(uint64_t *st, double shape)
{
    double boost = 0.0;
    if (shape < 1.0) {
        boost = log(custops__clv_rand_u01(st)) / shape;
        shape += 1.0;
    }
    double d = shape - 1.0 / 3.0, c = 1.0 / sqrt(9.0 * d);
    for (;;) {
        double x = rand_normal(st), v = 1.0 + c * x;
        if (v <= 0)
            continue;
        v = v * v * v;
        double u = custops__clv_rand_u01(st);
        if (log(u) < 0.5 * x * x + d - d * v + d * log(v))
            return log(d * v) + boost;
    }
}

double custops__clv_rand_gamma(uint64_t *st, double shape)
{
    return exp(rand_loggamma(st, shape));
}

double custops__clv_rand_beta(uint64_t *st, double a, double b)
{
    double la = rand_loggamma(st, a), lb = rand_loggamma(st, b);
    return 1.0 / (1.0 + exp(lb - la));
}

static uint64_t stream(uint64_t seed, size_t i)
{
    uint64_t s = seed ^ (0xd1b54a32d192ed03ULL * (uint64_t)(i + 1));
    splitmix64(&s);
    return s;
}

int custops_clv_simulate(const custops_clv_model *m, uint64_t seed, const double *T, size_t n, double *frequency_out,
                         double *recency_out)
{
    int rc = custops__clv_check_model(m, 1, __func__);
    if (rc != CUSTOPS_OK)
        return rc;
    if (n > 0 && (!T || !frequency_out || !recency_out))
        return custops__err(CUSTOPS_EINVAL, "%s: argument '%s' is NULL", __func__,
                            !T ? "T" : !frequency_out ? "frequency_out" : "recency_out");
    for (size_t i = 0; i < n; i++) {
        int bad = !isfinite(T[i]) || T[i] < 0 || T[i] > 1e9;
        if (m->spec->kind == CUSTOPS_CLV_BGBB && !bad)
            bad = T[i] != floor(T[i]) || T[i] > 100000;
        if (bad)
            return custops__err(CUSTOPS_EINVAL, "%s: T[%zu] = %g: expected a finite value >= 0%s", __func__, i, T[i],
                                m->spec->kind == CUSTOPS_CLV_BGBB ? " (whole opportunities, at most 100000)" : "");
    }
    for (size_t i = 0; i < n; i++) {
        uint64_t st = stream(seed, i);
        m->spec->simulate(m->th, &st, T[i], &frequency_out[i], &recency_out[i]);
    }
    return CUSTOPS_OK;
}

int custops_clv_simulate_spend(const custops_clv_model *m, uint64_t seed, const double *frequency, size_t n,
                               double *monetary_out)
{
    int rc = custops__clv_check_model(m, 0, __func__);
    if (rc != CUSTOPS_OK)
        return rc;
    if (n > 0 && (!frequency || !monetary_out))
        return custops__err(CUSTOPS_EINVAL, "%s: argument '%s' is NULL", __func__,
                            !frequency ? "frequency" : "monetary_out");
    for (size_t i = 0; i < n; i++)
        if (!isfinite(frequency[i]) || frequency[i] < 0 || frequency[i] != floor(frequency[i]) || frequency[i] > 1e9)
            return custops__err(CUSTOPS_EINVAL, "%s: frequency[%zu] = %g: expected a non-negative integer", __func__, i,
                                frequency[i]);
    double p = m->th[0], q = m->th[1], ga = m->th[2];
    for (size_t i = 0; i < n; i++) {
        uint64_t st = stream(seed, i);
        double x = frequency[i];
        if (x == 0) {
            monetary_out[i] = 0;
            continue;
        }
        /* nu ~ Gamma(q, rate gamma); mean of x values ~ Gamma(p x, rate nu x) */
        double lnu = rand_loggamma(&st, q) - log(ga);
        double v = exp(rand_loggamma(&st, p * x) - lnu - log(x));
        monetary_out[i] = isfinite(v) ? v : 0.0;
    }
    return CUSTOPS_OK;
}
