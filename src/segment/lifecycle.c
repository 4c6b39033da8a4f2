/* Lifecycle classes from thresholds on the customer features, or from a
 * probability-alive column (BTYD models) for the lapse classes. */
#include "segment_internal.h"

#include <math.h>

int seg_num_column(const custops_frame *f, const char *name, seg_keycol *out);

static inline double num_at(const seg_keycol *c, size_t i) { return c->i64 ? (double)c->i64[i] : c->f64[i]; }

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
    seg_keycol ordc, sincec, tenurec, palivec;
    int64_t *code = NULL;
    const char **names = NULL;
    custops_frame *fr = NULL;
    int rc;
    if ((rc = seg_num_column(customers, "orders", &ordc)) ||
        (rc = seg_num_column(customers, "days_since_last_order", &sincec)) ||
        (rc = seg_num_column(customers, "tenure_days", &tenurec)) ||
        (opts->p_alive_col && (rc = seg_num_column(customers, opts->p_alive_col, &palivec))))
        return rc;
    int model = opts->p_alive_col != NULL;
    code = custops__malloc((n ? n : 1) * sizeof *code);
    if (opts->names)
        names = custops__malloc((n ? n : 1) * sizeof *names);
    if (!code || (opts->names && !names)) {
        rc = custops__nomem();
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        double ord = num_at(&ordc, i), since = num_at(&sincec, i), tenure = num_at(&tenurec, i),
               pa = model ? num_at(&palivec, i) : 0;
        int c;
        if (!(ord > 0) || since < 0)
            c = CUSTOPS_LIFECYCLE_PROSPECT;
        else if (model ? pa < opts->churned_p : since > (double)opts->churned_days)
            c = CUSTOPS_LIFECYCLE_CHURNED;
        else if (model ? pa < opts->sleeping_p : since > (double)opts->sleeping_days)
            c = CUSTOPS_LIFECYCLE_SLEEPING;
        else if (tenure <= (double)opts->new_days)
            c = CUSTOPS_LIFECYCLE_NEW;
        else if (ord >= (double)opts->active_orders)
            c = CUSTOPS_LIFECYCLE_ACTIVE;
        else
            c = CUSTOPS_LIFECYCLE_POTENTIAL;
        if (model && isnan(pa) && c != CUSTOPS_LIFECYCLE_PROSPECT) {
            rc = custops__err(CUSTOPS_EINVAL, "column '%s' row %zu is NaN", opts->p_alive_col, i);
            goto done;
        }
        code[i] = c;
        if (names)
            names[i] = NAMES[c];
    }
    if ((rc = custops_frame_new(&fr)))
        goto done;
    rc = custops__frame_add_int64_owned(fr, "lifecycle_code", code, n);
    code = NULL;
    if (rc || (names && (rc = custops_frame_add_string(fr, "lifecycle", names, n))))
        goto done;
    *out = fr;
    fr = NULL;
done:
    custops_frame_free(fr);
    custops__free(code);
    custops__free(names);
    return rc;
}
