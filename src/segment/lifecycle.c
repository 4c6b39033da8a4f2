/* Lifecycle classes from thresholds on the customer features, or from a
 * probability-alive column (BTYD models) for the lapse classes. */
#include "segment_internal.h"

#include <math.h>

int seg_numeric_column(const custops_frame *f, const char *name, double **out);

static const char *const NAMES[] = {"prospect", "new", "potential", "active", "sleeping", "churned"};

const char *custops_lifecycle_name(int code)
{
    return code >= 0 && code <= 5 ? NAMES[code] : NULL;
}

int custops_lifecycle_options_init(custops_lifecycle_options *opts, unsigned int version)
{
    CUSTOPS__CHECK_NULL(opts);
    if (version != CUSTOPS_LIFECYCLE_OPTIONS_VERSION)
        return custops__err(CUSTOPS_EVERSION, "custops_lifecycle_options version %u is unknown (this library has %d)",
                            version, CUSTOPS_LIFECYCLE_OPTIONS_VERSION);
    custops_lifecycle_options d = CUSTOPS_LIFECYCLE_OPTIONS_INIT;
    *opts = d;
    return CUSTOPS_OK;
}

int custops_lifecycle_classify(custops_frame **out, const custops_frame *customers, const custops_lifecycle_options *opts)
{
    CUSTOPS__CHECK_NULL(out);
    *out = NULL;
    CUSTOPS__CHECK_NULL(customers);
    custops_lifecycle_options d = CUSTOPS_LIFECYCLE_OPTIONS_INIT;
    if (!opts)
        opts = &d;
    if (opts->version != CUSTOPS_LIFECYCLE_OPTIONS_VERSION)
        return custops__err(CUSTOPS_EVERSION, "custops_lifecycle_options version %u is unknown", opts->version);
    if (opts->new_days < 0 || opts->active_orders < 1 || opts->sleeping_days < 0 ||
        opts->churned_days < opts->sleeping_days)
        return custops__err(CUSTOPS_EINVAL,
                            "lifecycle thresholds: need new_days >= 0, active_orders >= 1, 0 <= sleeping_days <= churned_days");
    if (opts->p_alive_col && !(opts->churned_p >= 0 && opts->churned_p <= opts->sleeping_p && opts->sleeping_p <= 1))
        return custops__err(CUSTOPS_EINVAL, "lifecycle probabilities: need 0 <= churned_p <= sleeping_p <= 1");
    size_t n = custops_frame_nrows(customers);
    double *ord = NULL, *since = NULL, *tenure = NULL, *palive = NULL;
    int64_t *code = NULL;
    const char **names = NULL;
    custops_frame *fr = NULL;
    int rc;
    if ((rc = seg_numeric_column(customers, "orders", &ord)) ||
        (rc = seg_numeric_column(customers, "days_since_last_order", &since)) ||
        (rc = seg_numeric_column(customers, "tenure_days", &tenure)) ||
        (opts->p_alive_col && (rc = seg_numeric_column(customers, opts->p_alive_col, &palive))))
        goto done;
    code = custops__calloc(n ? n : 1, sizeof *code);
    names = custops__calloc(n ? n : 1, sizeof *names);
    if (!code || !names) {
        rc = custops__nomem();
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        int c;
        if (!(ord[i] > 0) || since[i] < 0)
            c = CUSTOPS_LIFECYCLE_PROSPECT;
        else if (palive ? palive[i] < opts->churned_p : since[i] > (double)opts->churned_days)
            c = CUSTOPS_LIFECYCLE_CHURNED;
        else if (palive ? palive[i] < opts->sleeping_p : since[i] > (double)opts->sleeping_days)
            c = CUSTOPS_LIFECYCLE_SLEEPING;
        else if (tenure[i] <= (double)opts->new_days)
            c = CUSTOPS_LIFECYCLE_NEW;
        else if (ord[i] >= (double)opts->active_orders)
            c = CUSTOPS_LIFECYCLE_ACTIVE;
        else
            c = CUSTOPS_LIFECYCLE_POTENTIAL;
        if (palive && isnan(palive[i]) && c != CUSTOPS_LIFECYCLE_PROSPECT) {
            rc = custops__err(CUSTOPS_EINVAL, "column '%s' row %zu is NaN", opts->p_alive_col, i);
            goto done;
        }
        code[i] = c;
        names[i] = NAMES[c];
    }
    if ((rc = custops_frame_new(&fr)))
        goto done;
    rc = custops__frame_add_int64_owned(fr, "lifecycle_code", code, n);
    code = NULL;
    if (rc || (rc = custops_frame_add_string(fr, "lifecycle", names, n)))
        goto done;
    *out = fr;
    fr = NULL;
done:
    custops_frame_free(fr);
    custops__free(ord);
    custops__free(since);
    custops__free(tenure);
    custops__free(palive);
    custops__free(code);
    custops__free(names);
    return rc;
}
