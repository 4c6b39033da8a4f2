/* RFM scores with the "shared" tie rule and a first-match segment table.
 *
 * Score of x = 1 + floor(5 L / n), L = number of scored values strictly
 * below x. Score >= s+1 exactly when L >= m_s = ceil(s n / 5), i.e. when x is
 * above the m_s-th smallest value t_s. So four order statistics per column
 * give every score: score = 1 + #{s : x > t_s}. They are found by
 * quickselect, largest rank first, each within the part left of the
 * previous one (about 2.8 n steps per column), instead of sorting. */
#include "segment_internal.h"

#include <math.h>

double seg_select_f64(double *v, size_t n, size_t k);

static const custops_rfm_rule DEFAULT_RULES[] = {
    {"champions", 5, 5, 4, 5, 1, 5},      {"loyal", 3, 4, 4, 5, 1, 5},      {"potential_loyalist", 4, 5, 2, 3, 1, 5},
    {"new", 5, 5, 1, 1, 1, 5},            {"promising", 4, 4, 1, 1, 1, 5},  {"need_attention", 3, 3, 3, 3, 1, 5},
    {"about_to_sleep", 3, 3, 1, 2, 1, 5}, {"cant_lose", 1, 2, 5, 5, 1, 5},  {"at_risk", 1, 2, 3, 4, 1, 5},
    {"lost", 1, 1, 1, 1, 1, 5},           {"hibernating", 1, 2, 1, 2, 1, 5},
};

const custops_rfm_rule *custops_rfm_default_rules(size_t *n_out)
{
    if (n_out)
        *n_out = sizeof DEFAULT_RULES / sizeof *DEFAULT_RULES;
    return DEFAULT_RULES;
}

int custops_rfm_options_init(custops_rfm_options *opts, unsigned int version)
{
    CUSTOPS__CHECK_NULL(opts);
    if (version != CUSTOPS_RFM_OPTIONS_VERSION)
        return custops__err(CUSTOPS_EVERSION, "custops_rfm_options version %u is unknown (this library has %d)",
                            version, CUSTOPS_RFM_OPTIONS_VERSION);
    custops_rfm_options d = CUSTOPS_RFM_OPTIONS_INIT;
    *opts = d;
    return CUSTOPS_OK;
}

/* A numeric column as doubles (a copy). */
int seg_numeric_column(const custops_frame *f, const char *name, double **out);
int seg_numeric_column(const custops_frame *f, const char *name, double **out)
{
    *out = NULL;
    size_t c, n = custops_frame_nrows(f);
    if (!name || custops_frame_find(f, name, &c) != CUSTOPS_OK)
        return custops__err(CUSTOPS_EINVAL, "the frame has no column '%s'", name ? name : "(null)");
    int type = custops_frame_col_type(f, c);
    if (type == CUSTOPS_COL_STRING)
        return custops__err(CUSTOPS_EINVAL, "column '%s' holds text, not numbers", name);
    double *v = custops__malloc((n ? n : 1) * sizeof *v);
    if (!v)
        return custops__nomem();
    if (type == CUSTOPS_COL_INT64) {
        const int64_t *x;
        custops_frame_int64(f, c, &x);
        for (size_t i = 0; i < n; i++)
            v[i] = (double)x[i];
    } else {
        const double *x;
        custops_frame_double(f, c, &x);
        memcpy(v, x, n * sizeof *v);
    }
    *out = v;
    return CUSTOPS_OK;
}

/* t[s-1] = the ceil(s n / 5)-th smallest of v (s = 1..4); v is reordered. */
static void breaks(double *v, size_t n, double t[4])
{
    size_t hi = n;
    for (int s = 4; s >= 1; s--) {
        size_t m = ((size_t)s * n + 4) / 5; /* >= 1 for n >= 1 */
        t[s - 1] = seg_select_f64(v, hi, m - 1);
        hi = m; /* everything left of m-1 is <= t: the next rank lies there */
    }
}

int custops_rfm_score(custops_frame **out, const custops_frame *customers, const custops_rfm_options *opts)
{
    CUSTOPS__CHECK_NULL(out);
    *out = NULL;
    CUSTOPS__CHECK_NULL(customers);
    custops_rfm_options d = CUSTOPS_RFM_OPTIONS_INIT;
    if (!opts)
        opts = &d;
    if (opts->version != CUSTOPS_RFM_OPTIONS_VERSION)
        return custops__err(CUSTOPS_EVERSION, "custops_rfm_options version %u is unknown", opts->version);
    const custops_rfm_rule *rules = opts->rules ? opts->rules : DEFAULT_RULES;
    size_t nrules = opts->rules ? opts->nrules : sizeof DEFAULT_RULES / sizeof *DEFAULT_RULES;
    if (opts->rules && nrules > 1000)
        return custops__err(CUSTOPS_EINVAL, "%zu rules: at most 1000", nrules);
    for (size_t i = 0; i < nrules; i++) {
        const custops_rfm_rule *r = &rules[i];
        if (!r->name || !r->name[0] || r->r_lo < 1 || r->r_hi > 5 || r->r_lo > r->r_hi || r->f_lo < 1 || r->f_hi > 5 ||
            r->f_lo > r->f_hi || r->m_lo < 1 || r->m_hi > 5 || r->m_lo > r->m_hi)
            return custops__err(CUSTOPS_EINVAL, "rfm rule %zu: needs a name and ranges within 1..5 with lo <= hi", i);
    }
    size_t n = custops_frame_nrows(customers);
    double *rv = NULL, *fv = NULL, *mv = NULL, *tmp = NULL;
    int64_t *r = NULL, *f = NULL, *m = NULL, *rfm = NULL, *code = NULL;
    const char **names = NULL;
    custops_frame *fr = NULL;
    int rc;
    if ((rc = seg_numeric_column(customers, opts->recency_col, &rv)) ||
        (rc = seg_numeric_column(customers, opts->frequency_col, &fv)) ||
        (rc = seg_numeric_column(customers, opts->monetary_col, &mv)))
        goto done;
    size_t cap = n ? n : 1;
    tmp = custops__malloc(cap * sizeof *tmp);
    r = custops__calloc(cap, sizeof *r);
    f = custops__calloc(cap, sizeof *f);
    m = custops__calloc(cap, sizeof *m);
    rfm = custops__calloc(cap, sizeof *rfm);
    code = custops__calloc(cap, sizeof *code);
    names = custops__calloc(cap, sizeof *names);
    if (!tmp || !r || !f || !m || !rfm || !code || !names) {
        rc = custops__nomem();
        goto done;
    }
    /* scored: has ordered (frequency > 0, recency known) and finite values */
    size_t ns = 0;
    for (size_t i = 0; i < n; i++)
        if (fv[i] > 0 && rv[i] >= 0 && isfinite(rv[i]) && isfinite(fv[i]) && isfinite(mv[i]))
            ns++;
    double tr[4] = {0}, tf[4] = {0}, tm[4] = {0};
    if (ns) {
        double *cols[3] = {rv, fv, mv}, *t[3] = {tr, tf, tm};
        for (int k = 0; k < 3; k++) {
            size_t j = 0;
            for (size_t i = 0; i < n; i++)
                if (fv[i] > 0 && rv[i] >= 0 && isfinite(rv[i]) && isfinite(fv[i]) && isfinite(mv[i]))
                    tmp[j++] = k == 0 ? -cols[k][i] : cols[k][i]; /* fewer days is better: negate */
            breaks(tmp, ns, t[k]);
        }
    }
    for (size_t i = 0; i < n; i++) {
        if (!(fv[i] > 0 && rv[i] >= 0 && isfinite(rv[i]) && isfinite(fv[i]) && isfinite(mv[i]))) {
            names[i] = "prospect";
            code[i] = -1;
            continue;
        }
        double x = -rv[i], y = fv[i], z = mv[i];
        int sr = 1 + (x > tr[0]) + (x > tr[1]) + (x > tr[2]) + (x > tr[3]);
        int sf = 1 + (y > tf[0]) + (y > tf[1]) + (y > tf[2]) + (y > tf[3]);
        int sm = 1 + (z > tm[0]) + (z > tm[1]) + (z > tm[2]) + (z > tm[3]);
        r[i] = sr;
        f[i] = sf;
        m[i] = sm;
        rfm[i] = sr * 100 + sf * 10 + sm;
        names[i] = "other";
        code[i] = (int64_t)nrules;
        for (size_t k = 0; k < nrules; k++) {
            const custops_rfm_rule *u = &rules[k];
            if (sr >= u->r_lo && sr <= u->r_hi && sf >= u->f_lo && sf <= u->f_hi && sm >= u->m_lo && sm <= u->m_hi) {
                names[i] = u->name;
                code[i] = (int64_t)k;
                break;
            }
        }
    }
    if ((rc = custops_frame_new(&fr)))
        goto done;
    rc = custops__frame_add_int64_owned(fr, "r", r, n);
    r = NULL; /* the frame owns or freed it */
    if (rc)
        goto done;
    rc = custops__frame_add_int64_owned(fr, "f", f, n);
    f = NULL; /* the frame owns or freed it */
    if (rc)
        goto done;
    rc = custops__frame_add_int64_owned(fr, "m", m, n);
    m = NULL; /* the frame owns or freed it */
    if (rc)
        goto done;
    rc = custops__frame_add_int64_owned(fr, "rfm", rfm, n);
    rfm = NULL; /* the frame owns or freed it */
    if (rc)
        goto done;
    rc = custops__frame_add_int64_owned(fr, "segment_code", code, n);
    code = NULL; /* the frame owns or freed it */
    if (rc)
        goto done;
    if ((rc = custops_frame_add_string(fr, "segment", names, n)))
        goto done;
    *out = fr;
    fr = NULL;
done:
    custops_frame_free(fr);
    custops__free(rv);
    custops__free(fv);
    custops__free(mv);
    custops__free(tmp);
    custops__free(r);
    custops__free(f);
    custops__free(m);
    custops__free(rfm);
    custops__free(code);
    custops__free(names);
    return rc;
}
