/* Vectorised predictions over customer arrays, and the discounted lifetime
 * value. Every element is checked, so a bad entry fails with its index
 * instead of producing NaN. */
#include "clv_internal.h"

#include <math.h>

static double clamp_finite(double v)
{
    if (!isfinite(v) || v < 0)
        return 0.0;
    return v;
}

static int check_t(double t, const char *name, size_t i)
{
    if (!isfinite(t) || t < 0 || t > 1e12)
        return custops__err(CUSTOPS_EINVAL, "%s[%zu] = %g: expected a finite value >= 0", name, i, t);
    return CUSTOPS_OK;
}

#define PREDICT_ARGS(fn)                                                                                          \
    do {                                                                                                          \
        int rc_ = custops__clv_check_model(m, 1, fn);                                                             \
        if (rc_ != CUSTOPS_OK)                                                                                    \
            return rc_;                                                                                           \
        if (n > 0 && !out)                                                                                        \
            return custops__err(CUSTOPS_EINVAL, "%s: argument 'out' is NULL", fn);                                \
    } while (0)

int custops_clv_expected_purchases(const custops_clv_model *m, const double *t, size_t n, double *out)
{
    PREDICT_ARGS(__func__);
    if (n > 0)
        CUSTOPS__CHECK_NULL(t);
    for (size_t i = 0; i < n; i++)
        if (check_t(t[i], "t", i) != CUSTOPS_OK) {
            custops__err_prefix("%s: ", __func__);
            return CUSTOPS_EINVAL;
        }
    for (size_t i = 0; i < n; i++)
        out[i] = clamp_finite(m->spec->expected(m->th, t[i]));
    return CUSTOPS_OK;
}

static int check_customers(const custops_clv_model *m, const double *x, const double *tx, const double *T, size_t n,
                           const char *fn)
{
    if (n == 0)
        return CUSTOPS_OK;
    if (!x || !tx || !T)
        return custops__err(CUSTOPS_EINVAL, "%s: argument '%s' is NULL", fn, !x ? "frequency" : !tx ? "recency" : "T");
    int bgbb = m->spec->kind == CUSTOPS_CLV_BGBB;
    for (size_t i = 0; i < n; i++) {
        int rc = custops__clv_check_xtT(x[i], tx[i], T[i], i, bgbb);
        if (rc != CUSTOPS_OK) {
            custops__err_prefix("%s: ", fn);
            return rc;
        }
    }
    return CUSTOPS_OK;
}

int custops_clv_conditional_expected_purchases(const custops_clv_model *m, double t, const double *frequency,
                                               const double *recency, const double *T, size_t n, double *out)
{
    PREDICT_ARGS(__func__);
    if (check_t(t, "t", 0) != CUSTOPS_OK)
        return custops__err(CUSTOPS_EINVAL, "%s: t = %g: expected a finite value >= 0", __func__, t);
    int rc = check_customers(m, frequency, recency, T, n, __func__);
    if (rc != CUSTOPS_OK)
        return rc;
    for (size_t i = 0; i < n; i++)
        out[i] = clamp_finite(m->spec->cond_expected(m->th, t, frequency[i], recency[i], T[i]));
    return CUSTOPS_OK;
}

int custops_clv_prob_alive(const custops_clv_model *m, const double *frequency, const double *recency,
                           const double *T, size_t n, double *out)
{
    PREDICT_ARGS(__func__);
    int rc = check_customers(m, frequency, recency, T, n, __func__);
    if (rc != CUSTOPS_OK)
        return rc;
    double (*alive)(const double *, double, double, double) = m->spec->alive;
    for (size_t i = 0; i < n; i++) {
        double p = alive(m->th, frequency[i], recency[i], T[i]);
        out[i] = p >= 0 && p <= 1 ? p : (p > 1 ? 1.0 : 0.0);
    }
    return CUSTOPS_OK;
}

int custops_clv_prob_purchases(const custops_clv_model *m, const double *t, const double *x, size_t n, double *out)
{
    PREDICT_ARGS(__func__);
    if (n > 0) {
        CUSTOPS__CHECK_NULL(t);
        CUSTOPS__CHECK_NULL(x);
    }
    for (size_t i = 0; i < n; i++) {
        if (check_t(t[i], "t", i) != CUSTOPS_OK) {
            custops__err_prefix("%s: ", __func__);
            return CUSTOPS_EINVAL;
        }
        if (!isfinite(x[i]) || x[i] < 0 || x[i] != floor(x[i]) || x[i] > 1e7)
            return custops__err(CUSTOPS_EINVAL, "%s: x[%zu] = %g: expected a non-negative integer", __func__, i, x[i]);
    }
    for (size_t i = 0; i < n; i++) {
        double p = m->spec->pmf(m->th, t[i], x[i]);
        out[i] = p >= 0 && p <= 1 ? p : (p > 1 ? 1.0 : 0.0);
    }
    return CUSTOPS_OK;
}

static int spend_args(const custops_clv_model *m, const double *x, const double *mon, size_t n, const char *fn)
{
    if (m->th[1] <= 1.0)
        return custops__err(CUSTOPS_ERANGE, "%s: q = %g <= 1: the expected spend does not exist", fn, m->th[1]);
    if (n == 0)
        return CUSTOPS_OK;
    if (!x || !mon)
        return custops__err(CUSTOPS_EINVAL, "%s: argument '%s' is NULL", fn, !x ? "frequency" : "monetary");
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(x[i]) || x[i] < 0 || x[i] != floor(x[i]) || x[i] > 1e9)
            return custops__err(CUSTOPS_EINVAL, "%s: frequency[%zu] = %g: expected a non-negative integer", fn, i,
                                x[i]);
        if (x[i] > 0 && (!isfinite(mon[i]) || mon[i] < 0))
            return custops__err(CUSTOPS_EINVAL, "%s: monetary[%zu] = %g: expected a finite value >= 0", fn, i, mon[i]);
    }
    return CUSTOPS_OK;
}

static double gg_mean(const double *th, double x, double mon)
{
    double p = th[0], q = th[1], ga = th[2];
    if (x == 0)
        return p * ga / (q - 1.0);
    return (p * ga + p * x * mon) / (p * x + q - 1.0);
}

int custops_clv_expected_spend(const custops_clv_model *m, const double *frequency, const double *monetary, size_t n,
                               double *out)
{
    int rc = custops__clv_check_model(m, 0, __func__);
    if (rc != CUSTOPS_OK)
        return rc;
    if (n > 0 && !out)
        return custops__err(CUSTOPS_EINVAL, "%s: argument 'out' is NULL", __func__);
    if ((rc = spend_args(m, frequency, monetary, n, __func__)) != CUSTOPS_OK)
        return rc;
    for (size_t i = 0; i < n; i++)
        out[i] = clamp_finite(gg_mean(m->th, frequency[i], monetary[i]));
    return CUSTOPS_OK;
}

int custops_clv_lifetime_value(const custops_clv_model *txn, const custops_clv_model *spend, const double *frequency,
                               const double *recency, const double *T, const double *monetary, size_t n,
                               const custops_clv_value_options *opts, double *out)
{
    int rc;
    if ((rc = custops__clv_check_model(txn, 1, __func__)) != CUSTOPS_OK ||
        (rc = custops__clv_check_model(spend, 0, __func__)) != CUSTOPS_OK)
        return rc;
    custops_clv_value_options def = CUSTOPS_CLV_VALUE_OPTIONS_INIT;
    if (!opts)
        opts = &def;
    if (opts->version != CUSTOPS_CLV_VALUE_OPTIONS_VERSION)
        return custops__err(CUSTOPS_EVERSION, "%s: unknown options version %u", __func__, opts->version);
    unsigned int months = opts->months ? opts->months : 12;
    double ppm = opts->periods_per_month > 0 ? opts->periods_per_month : 30.0;
    double margin = opts->margin > 0 ? opts->margin : 1.0;
    if (!isfinite(opts->discount_rate) || opts->discount_rate < 0 || opts->discount_rate > 100)
        return custops__err(CUSTOPS_EINVAL, "%s: discount_rate = %g: expected a value in [0, 100]", __func__,
                            opts->discount_rate);
    if (!isfinite(opts->periods_per_month) || opts->periods_per_month < 0 || opts->periods_per_month > 1e6 ||
        !isfinite(opts->margin) || opts->margin < 0 || months > 100000)
        return custops__err(CUSTOPS_EINVAL, "%s: periods_per_month, margin or months out of range", __func__);
    if (n > 0 && !out)
        return custops__err(CUSTOPS_EINVAL, "%s: argument 'out' is NULL", __func__);
    if ((rc = check_customers(txn, frequency, recency, T, n, __func__)) != CUSTOPS_OK ||
        (rc = spend_args(spend, frequency, monetary, n, __func__)) != CUSTOPS_OK)
        return rc;
    for (size_t i = 0; i < n; i++) {
        double value = gg_mean(spend->th, frequency[i], monetary[i]) * margin;
        double prev = 0, clv = 0;
        for (unsigned int k = 1; k <= months; k++) {
            double e = txn->spec->cond_expected(txn->th, k * ppm, frequency[i], recency[i], T[i]);
            clv += value * (e - prev) / pow(1.0 + opts->discount_rate, (double)k);
            prev = e;
        }
        out[i] = isfinite(clv) ? clv : 0.0;
    }
    return CUSTOPS_OK;
}
