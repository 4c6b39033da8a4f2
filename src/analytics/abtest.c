/* A/B tests: two proportions (Newcombe interval, pooled z), Welch for
 * revenue per user, sample size and power by the normal approximation, and
 * the mixture SPRT whose p-values stay valid under continuous peeking. */
#include "core/internal.h"

#include <math.h>

static int check_level(const char *fn, const char *what, double v)
{
    if (!(v > 0 && v < 1))
        return custops__err(CUSTOPS_EINVAL, "%s: %s must be in (0, 1), got %g", fn, what, v);
    return 0;
}

int custops_abtest_proportions(double *diff_out, double *lo_out, double *hi_out, double *z_out, double *p_out,
                               int64_t conv_a, int64_t n_a, int64_t conv_b, int64_t n_b, double confidence)
{
    CUSTOPS__CHECK_NULL(diff_out);
    CUSTOPS__CHECK_NULL(lo_out);
    CUSTOPS__CHECK_NULL(hi_out);
    *diff_out = *lo_out = *hi_out = 0;
    if (z_out)
        *z_out = 0;
    if (p_out)
        *p_out = 1;
    int rc = check_level(__func__, "confidence", confidence);
    if (rc)
        return rc;
    if (n_a < 1 || n_b < 1 || conv_a < 0 || conv_b < 0 || conv_a > n_a || conv_b > n_b)
        return custops__err(CUSTOPS_EINVAL, "%s: need 0 <= conversions <= users and users >= 1 (A %lld/%lld, B %lld/%lld)",
                            __func__, (long long)conv_a, (long long)n_a, (long long)conv_b, (long long)n_b);
    double z = custops__norm_quantile(0.5 + confidence / 2), lo, hi;
    custops__newcombe((double)conv_b, (double)n_b, (double)conv_a, (double)n_a, z, &lo, &hi);
    double pa = (double)conv_a / (double)n_a, pb = (double)conv_b / (double)n_b;
    double pool = ((double)conv_a + (double)conv_b) / ((double)n_a + (double)n_b);
    double se = sqrt(pool * (1 - pool) * (1.0 / (double)n_a + 1.0 / (double)n_b));
    double zs = se > 0 ? (pb - pa) / se : 0;
    *diff_out = pb - pa;
    *lo_out = lo;
    *hi_out = hi;
    if (z_out)
        *z_out = zs;
    if (p_out)
        *p_out = 2 * custops__norm_cdf(-fabs(zs));
    return CUSTOPS_OK;
}

int custops_abtest_means_summary(double *diff_out, double *lo_out, double *hi_out, double *t_out, double *df_out,
                                 double *p_out, int64_t n_a, double mean_a, double sd_a, int64_t n_b, double mean_b,
                                 double sd_b, double confidence)
{
    CUSTOPS__CHECK_NULL(diff_out);
    CUSTOPS__CHECK_NULL(lo_out);
    CUSTOPS__CHECK_NULL(hi_out);
    *diff_out = *lo_out = *hi_out = 0;
    if (t_out)
        *t_out = 0;
    if (df_out)
        *df_out = 0;
    if (p_out)
        *p_out = 1;
    int rc = check_level(__func__, "confidence", confidence);
    if (rc)
        return rc;
    if (n_a < 2 || n_b < 2)
        return custops__err(CUSTOPS_EINVAL, "%s: each arm needs at least 2 users (A %lld, B %lld)", __func__,
                            (long long)n_a, (long long)n_b);
    if (!isfinite(mean_a) || !isfinite(mean_b) || !(sd_a >= 0) || !(sd_b >= 0) || !isfinite(sd_a) ||
        !isfinite(sd_b))
        return custops__err(CUSTOPS_EINVAL, "%s: means must be finite and standard deviations finite and >= 0",
                            __func__);
    double t, df, p, lo, hi;
    custops__welch((double)n_b, mean_b, sd_b * sd_b, (double)n_a, mean_a, sd_a * sd_a, confidence, &t, &df, &p, &lo,
                   &hi);
    *diff_out = mean_b - mean_a;
    *lo_out = lo;
    *hi_out = hi;
    if (t_out)
        *t_out = t;
    if (df_out)
        *df_out = df;
    if (p_out)
        *p_out = p;
    return CUSTOPS_OK;
}

/* Mean and sample variance by Welford's update (stable for large sums). */
static int moments(const char *fn, const char *name, const double *x, size_t n, double *mean, double *var)
{
    double m = 0, m2 = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(x[i]))
            return custops__err(CUSTOPS_EINVAL, "%s: %s[%zu] is not finite", fn, name, i);
        double d = x[i] - m;
        m += d / (double)(i + 1);
        m2 += d * (x[i] - m);
    }
    *mean = m;
    *var = n > 1 ? m2 / (double)(n - 1) : 0;
    return 0;
}

int custops_abtest_means(double *diff_out, double *lo_out, double *hi_out, double *t_out, double *df_out,
                         double *p_out, const double *a, size_t n_a, const double *b, size_t n_b, double confidence)
{
    CUSTOPS__CHECK_NULL(diff_out);
    CUSTOPS__CHECK_NULL(lo_out);
    CUSTOPS__CHECK_NULL(hi_out);
    *diff_out = *lo_out = *hi_out = 0;
    CUSTOPS__CHECK_NULL(a);
    CUSTOPS__CHECK_NULL(b);
    if (n_a < 2 || n_b < 2 || n_a > (size_t)INT64_MAX || n_b > (size_t)INT64_MAX)
        return custops__err(CUSTOPS_EINVAL, "%s: each arm needs at least 2 values (A %zu, B %zu)", __func__, n_a, n_b);
    double ma, va, mb, vb;
    int rc;
    if ((rc = moments(__func__, "a", a, n_a, &ma, &va)) || (rc = moments(__func__, "b", b, n_b, &mb, &vb)))
        return rc;
    return custops_abtest_means_summary(diff_out, lo_out, hi_out, t_out, df_out, p_out, (int64_t)n_a, ma, sqrt(va),
                                        (int64_t)n_b, mb, sqrt(vb), confidence);
}

static int check_plan(const char *fn, double alpha, double power)
{
    int rc = check_level(fn, "alpha", alpha);
    return rc ? rc : check_level(fn, "power", power);
}

static int round_up(const char *fn, double n, int64_t *out)
{
    if (!(n < 4.6e18))
        return custops__err(CUSTOPS_ERANGE, "%s: the sample size %g does not fit in int64", fn, n);
    /* 3840.9999999 from rounding noise in the quantiles must stay 3841, not
     * become 3842 -- and an exact 63.0 must stay 63: trim 1e-9 first. */
    double c = ceil(n - 1e-9);
    *out = c < 1 ? 1 : (int64_t)c;
    return 0;
}

int custops_abtest_sample_size(int64_t *n_out, double p_a, double p_b, double alpha, double power)
{
    CUSTOPS__CHECK_NULL(n_out);
    *n_out = 0;
    int rc;
    if ((rc = check_level(__func__, "p_a", p_a)) || (rc = check_level(__func__, "p_b", p_b)) ||
        (rc = check_plan(__func__, alpha, power)))
        return rc;
    if (p_a == p_b)
        return custops__err(CUSTOPS_EINVAL, "%s: p_a and p_b are equal (%g): no effect to detect", __func__, p_a);
    double za = custops__norm_quantile(1 - alpha / 2), zb = custops__norm_quantile(power);
    double pbar = (p_a + p_b) / 2, d = p_b - p_a;
    double s = za * sqrt(2 * pbar * (1 - pbar)) + zb * sqrt(p_a * (1 - p_a) + p_b * (1 - p_b));
    return round_up(__func__, s * s / (d * d), n_out);
}

int custops_abtest_power(double *power_out, double p_a, double p_b, int64_t n_per_arm, double alpha)
{
    CUSTOPS__CHECK_NULL(power_out);
    *power_out = 0;
    int rc;
    if ((rc = check_level(__func__, "p_a", p_a)) || (rc = check_level(__func__, "p_b", p_b)) ||
        (rc = check_level(__func__, "alpha", alpha)))
        return rc;
    if (n_per_arm < 1)
        return custops__err(CUSTOPS_EINVAL, "%s: n_per_arm must be >= 1, got %lld", __func__, (long long)n_per_arm);
    double za = custops__norm_quantile(1 - alpha / 2), pbar = (p_a + p_b) / 2;
    double num = fabs(p_b - p_a) * sqrt((double)n_per_arm) - za * sqrt(2 * pbar * (1 - pbar));
    *power_out = custops__norm_cdf(num / sqrt(p_a * (1 - p_a) + p_b * (1 - p_b)));
    return CUSTOPS_OK;
}

int custops_abtest_sample_size_means(int64_t *n_out, double delta, double sd, double alpha, double power)
{
    CUSTOPS__CHECK_NULL(n_out);
    *n_out = 0;
    int rc = check_plan(__func__, alpha, power);
    if (rc)
        return rc;
    if (!isfinite(delta) || delta == 0 || !isfinite(sd) || !(sd > 0))
        return custops__err(CUSTOPS_EINVAL, "%s: need a finite non-zero delta and sd > 0 (delta %g, sd %g)", __func__,
                            delta, sd);
    double z = custops__norm_quantile(1 - alpha / 2) + custops__norm_quantile(power);
    return round_up(__func__, 2 * z * z * sd * sd / (delta * delta), n_out);
}

int custops_abtest_sequential(double *p_out, const int64_t *conv_a, const int64_t *n_a, const int64_t *conv_b,
                              const int64_t *n_b, size_t looks, double tau)
{
    CUSTOPS__CHECK_NULL(p_out);
    CUSTOPS__CHECK_NULL(conv_a);
    CUSTOPS__CHECK_NULL(n_a);
    CUSTOPS__CHECK_NULL(conv_b);
    CUSTOPS__CHECK_NULL(n_b);
    if (looks == 0)
        return custops__err(CUSTOPS_EINVAL, "%s: need at least one look", __func__);
    if (!(tau > 0) || !isfinite(tau))
        return custops__err(CUSTOPS_EINVAL, "%s: tau must be finite and > 0, got %g", __func__, tau);
    for (size_t i = 0; i < looks; i++) {
        if (n_a[i] < 0 || n_b[i] < 0 || conv_a[i] < 0 || conv_b[i] < 0 || conv_a[i] > n_a[i] || conv_b[i] > n_b[i])
            return custops__err(CUSTOPS_EINVAL, "%s: look %zu: need 0 <= conversions <= users", __func__, i);
        if (i > 0 && (n_a[i] < n_a[i - 1] || n_b[i] < n_b[i - 1] || conv_a[i] < conv_a[i - 1] ||
                      conv_b[i] < conv_b[i - 1]))
            return custops__err(CUSTOPS_EINVAL, "%s: look %zu: cumulative counts decrease", __func__, i);
    }
    double tau2 = tau * tau, p = 1;
    for (size_t i = 0; i < looks; i++) {
        if (n_a[i] > 0 && n_b[i] > 0) {
            double na = (double)n_a[i], nb = (double)n_b[i];
            double d = (double)conv_b[i] / nb - (double)conv_a[i] / na;
            double pool = ((double)conv_a[i] + (double)conv_b[i]) / (na + nb);
            double w = pool * (1 - pool) * (1 / na + 1 / nb);
            if (w > 0) {
                /* log Lambda, to stay finite when the evidence is huge */
                double log_lr = 0.5 * log(w / (w + tau2)) + tau2 * d * d / (2 * w * (w + tau2));
                double pl = log_lr > 0 ? exp(-log_lr) : 1;
                if (pl < p)
                    p = pl;
            }
        }
        p_out[i] = p;
    }
    return CUSTOPS_OK;
}
