/* Model checks as arrays: the repeat-purchase histogram, cohort tracking,
 * calibration against a holdout period and the P(alive) matrix. */
#include "clv_internal.h"

#include <math.h>
#include <stdlib.h>

typedef struct tw {
    double t, w;
} tw;

static int tw_cmp(const void *a, const void *b)
{
    double x = ((const tw *)a)->t, y = ((const tw *)b)->t;
    return x < y ? -1 : x > y;
}

/* unique values with summed weights, sorted */
static int group(const double *t, const double *w, size_t n, tw **out, size_t *nu)
{
    tw *v = custops__reallocarray(NULL, n ? n : 1, sizeof *v);
    if (!v)
        return custops__nomem();
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (!w || w[i] > 0)
            v[k++] = (tw){t[i] + 0.0, w ? w[i] : 1.0};
    qsort(v, k, sizeof *v, tw_cmp);
    size_t u = 0;
    for (size_t i = 0; i < k; i++) {
        if (u > 0 && v[u - 1].t == v[i].t)
            v[u - 1].w += v[i].w;
        else
            v[u++] = v[i];
    }
    *out = v;
    *nu = u;
    return CUSTOPS_OK;
}

static int check_w(const double *w, size_t n, const char *fn)
{
    for (size_t i = 0; w && i < n; i++)
        if (!isfinite(w[i]) || w[i] < 0)
            return custops__err(CUSTOPS_EINVAL, "%s: weights[%zu] = %g: expected a finite value >= 0", fn, i, w[i]);
    return CUSTOPS_OK;
}

int custops_clv_repeat_histogram(const custops_clv_model *m, const double *frequency, const double *T,
                                 const double *weights, size_t n, size_t max_x, double *expected_out,
                                 double *observed_out)
{
    int rc = custops__clv_check_model(m, 1, __func__);
    if (rc != CUSTOPS_OK)
        return rc;
    if (max_x < 1 || max_x > 1000)
        return custops__err(CUSTOPS_EINVAL, "%s: max_x = %zu: expected 1..1000", __func__, max_x);
    if (!expected_out || !observed_out || (n > 0 && (!frequency || !T)))
        return custops__err(CUSTOPS_EINVAL, "%s: an array argument is NULL", __func__);
    if ((rc = check_w(weights, n, __func__)) != CUSTOPS_OK)
        return rc;
    int bgbb = m->spec->kind == CUSTOPS_CLV_BGBB;
    for (size_t i = 0; i < n; i++) {
        /* recency is not needed: check x and T with recency 0 or x */
        if ((rc = custops__clv_check_xtT(frequency[i], bgbb ? fmin(frequency[i], T[i]) : 0.0 * frequency[i], T[i], i,
                                         bgbb)) != CUSTOPS_OK &&
            !(frequency[i] > 0 && !bgbb && isfinite(T[i]) && T[i] >= 0)) {
            custops__err_prefix("%s: ", __func__);
            return rc;
        }
    }
    memset(expected_out, 0, (max_x + 1) * sizeof(double));
    memset(observed_out, 0, (max_x + 1) * sizeof(double));
    for (size_t i = 0; i < n; i++) {
        double w = weights ? weights[i] : 1.0;
        size_t b = frequency[i] >= (double)max_x ? max_x : (size_t)frequency[i];
        observed_out[b] += w;
    }
    tw *g;
    size_t ng;
    if ((rc = group(T, weights, n, &g, &ng)) != CUSTOPS_OK)
        return rc;
    for (size_t u = 0; u < ng; u++) {
        double rest = 1.0;
        for (size_t k = 0; k < max_x; k++) {
            double p = m->spec->pmf(m->th, g[u].t, (double)k);
            expected_out[k] += g[u].w * p;
            rest -= p;
        }
        expected_out[max_x] += g[u].w * (rest > 0 ? rest : 0.0);
    }
    custops__free(g);
    return CUSTOPS_OK;
}

int custops_clv_tracking(const custops_clv_model *m, const double *birth, const double *weights, size_t n,
                         const double *times, size_t ntimes, double *cumulative_out, double *incremental_out)
{
    int rc = custops__clv_check_model(m, 1, __func__);
    if (rc != CUSTOPS_OK)
        return rc;
    if ((n > 0 && !birth) || (ntimes > 0 && (!times || !cumulative_out || !incremental_out)))
        return custops__err(CUSTOPS_EINVAL, "%s: an array argument is NULL", __func__);
    if ((rc = check_w(weights, n, __func__)) != CUSTOPS_OK)
        return rc;
    for (size_t i = 0; i < n; i++)
        if (!isfinite(birth[i]))
            return custops__err(CUSTOPS_EINVAL, "%s: birth[%zu] = %g: expected a finite value", __func__, i, birth[i]);
    for (size_t j = 0; j < ntimes; j++)
        if (!isfinite(times[j]) || (j > 0 && times[j] < times[j - 1]))
            return custops__err(CUSTOPS_EINVAL, "%s: times[%zu] = %g: expected finite, non-decreasing times", __func__,
                                j, times[j]);
    tw *g;
    size_t ng;
    if ((rc = group(birth, weights, n, &g, &ng)) != CUSTOPS_OK)
        return rc;
    for (size_t j = 0; j < ntimes; j++) {
        double c = 0;
        for (size_t u = 0; u < ng && g[u].t < times[j]; u++)
            c += g[u].w * m->spec->expected(m->th, times[j] - g[u].t);
        cumulative_out[j] = isfinite(c) ? c : 0.0;
        incremental_out[j] = j == 0 ? cumulative_out[0] : cumulative_out[j] - cumulative_out[j - 1];
    }
    custops__free(g);
    return CUSTOPS_OK;
}

int custops_clv_holdout_by_frequency(const custops_clv_model *m, const double *frequency, const double *recency,
                                     const double *T, const double *frequency_holdout, double duration_holdout,
                                     size_t n, size_t max_x, double *count_out, double *predicted_out,
                                     double *actual_out)
{
    int rc = custops__clv_check_model(m, 1, __func__);
    if (rc != CUSTOPS_OK)
        return rc;
    if (max_x < 1 || max_x > 1000)
        return custops__err(CUSTOPS_EINVAL, "%s: max_x = %zu: expected 1..1000", __func__, max_x);
    if (!count_out || !predicted_out || !actual_out || (n > 0 && (!frequency || !recency || !T || !frequency_holdout)))
        return custops__err(CUSTOPS_EINVAL, "%s: an array argument is NULL", __func__);
    if (!isfinite(duration_holdout) || duration_holdout < 0)
        return custops__err(CUSTOPS_EINVAL, "%s: duration_holdout = %g: expected a finite value >= 0", __func__,
                            duration_holdout);
    int bgbb = m->spec->kind == CUSTOPS_CLV_BGBB;
    for (size_t i = 0; i < n; i++) {
        if ((rc = custops__clv_check_xtT(frequency[i], recency[i], T[i], i, bgbb)) != CUSTOPS_OK) {
            custops__err_prefix("%s: ", __func__);
            return rc;
        }
        if (!isfinite(frequency_holdout[i]) || frequency_holdout[i] < 0)
            return custops__err(CUSTOPS_EINVAL, "%s: frequency_holdout[%zu] = %g: expected a finite value >= 0",
                                __func__, i, frequency_holdout[i]);
    }
    size_t nb = max_x + 1;
    memset(count_out, 0, nb * sizeof(double));
    memset(predicted_out, 0, nb * sizeof(double));
    memset(actual_out, 0, nb * sizeof(double));
    for (size_t i = 0; i < n; i++) {
        size_t b = frequency[i] >= (double)max_x ? max_x : (size_t)frequency[i];
        count_out[b] += 1;
        double e = m->spec->cond_expected(m->th, duration_holdout, frequency[i], recency[i], T[i]);
        predicted_out[b] += isfinite(e) ? e : 0.0;
        actual_out[b] += frequency_holdout[i];
    }
    for (size_t b = 0; b < nb; b++)
        if (count_out[b] > 0) {
            predicted_out[b] /= count_out[b];
            actual_out[b] /= count_out[b];
        }
    return CUSTOPS_OK;
}

int custops_clv_alive_matrix(const custops_clv_model *m, size_t max_x, double T, size_t nrec, double *out)
{
    int rc = custops__clv_check_model(m, 1, __func__);
    if (rc != CUSTOPS_OK)
        return rc;
    CUSTOPS__CHECK_NULL(out);
    if (max_x > 10000 || nrec < 2 || nrec > 10000)
        return custops__err(CUSTOPS_EINVAL, "%s: max_x = %zu (at most 10000) or nrec = %zu (2..10000) out of range",
                            __func__, max_x, nrec);
    int bgbb = m->spec->kind == CUSTOPS_CLV_BGBB;
    if (!isfinite(T) || T <= 0 || T > 1e9 || (bgbb && (T != floor(T) || T > 100000)))
        return custops__err(CUSTOPS_EINVAL, "%s: T = %g: expected a finite value > 0%s", __func__, T,
                            bgbb ? " (whole opportunities)" : "");
    for (size_t x = 0; x <= max_x; x++)
        for (size_t j = 0; j < nrec; j++) {
            double rec = T * (double)j / (double)(nrec - 1);
            if (bgbb)
                rec = floor(rec);
            double *cell = &out[x * nrec + j];
            if ((x == 0) != (rec == 0) || (bgbb && (double)x > rec)) {
                *cell = 0.0;
                continue;
            }
            double p = m->spec->alive(m->th, (double)x, rec, T);
            *cell = p >= 0 && p <= 1 ? p : (p > 1 ? 1.0 : 0.0);
        }
    return CUSTOPS_OK;
}
