/* RFM scores with the "shared" tie rule and a first-match segment table.
 *
 * Score of x = 1 + floor(5 L / n), L = number of scored values strictly
 * below x. Score >= s+1 exactly when L >= m_s = ceil(s n / 5), i.e. when x is
 * above the m_s-th smallest value t_s. So four order statistics per column
 * give every score: score = 1 + #{s : x > t_s}. They come from a radix
 * select (rankselect.c) over the column in place: no sort, no copy. */
#include "segment_internal.h"

#include <math.h>
#include <stdlib.h>

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

/* A numeric column without copying: one of i64 / f64 is set. */
int seg_num_column(const custops_frame *f, const char *name, seg_keycol *out);
int seg_num_column(const custops_frame *f, const char *name, seg_keycol *out)
{
    memset(out, 0, sizeof *out);
    size_t c;
    if (!name || custops_frame_find(f, name, &c) != CUSTOPS_OK)
        return custops__err(CUSTOPS_EINVAL, "the frame has no column '%s'", name ? name : "(null)");
    out->n = custops_frame_nrows(f);
    int type = custops_frame_col_type(f, c);
    if (type == CUSTOPS_COL_INT64)
        return custops_frame_int64(f, c, &out->i64);
    if (type == CUSTOPS_COL_DOUBLE)
        return custops_frame_double(f, c, &out->f64);
    return custops__err(CUSTOPS_EINVAL, "column '%s' holds text, not numbers", name);
}

static inline double num_at(const seg_keycol *c, size_t i) { return c->i64 ? (double)c->i64[i] : c->f64[i]; }
static inline uint64_t key_at(const seg_keycol *c, size_t i)
{
    return c->i64 ? seg_key_i64(c->i64[i]) : seg_key_f64(c->f64[i]);
}

typedef struct keyrow {
    uint64_t key;
    size_t row;
} keyrow;

static int cmp_keyrow(const void *a, const void *b)
{
    const keyrow *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return (x->row > y->row) - (x->row < y->row);
}

/* Tie rule "first": score from the position in a stable sort (row order
 * breaks ties); descending for recency (more days is worse). */
static int first_scores(const seg_keycol *c, const uint64_t *valid, size_t ns, int descending, uint8_t *sc)
{
    keyrow *kr = custops__malloc((ns ? ns : 1) * sizeof *kr);
    if (!kr)
        return custops__nomem();
    size_t j = 0;
    for (size_t i = 0; i < c->n; i++)
        if ((valid[i >> 6] >> (i & 63)) & 1) {
            uint64_t k = key_at(c, i);
            kr[j].key = descending ? ~k : k;
            kr[j++].row = i;
        }
    qsort(kr, ns, sizeof *kr, cmp_keyrow);
    for (size_t k = 0; k < ns; k++)
        sc[kr[k].row] = (uint8_t)(1 + 5 * k / ns);
    custops__free(kr);
    return CUSTOPS_OK;
}

static int check_breaks(const double *b, const char *what)
{
    if (!b)
        return CUSTOPS_OK;
    for (int s = 0; s < 4; s++)
        if (!isfinite(b[s]) || (s && !(b[s] > b[s - 1])))
            return custops__err(CUSTOPS_EINVAL, "rfm %s breaks must be 4 finite, strictly ascending values", what);
    return CUSTOPS_OK;
}

static inline int break_count(double x, const double *b) { return (x > b[0]) + (x > b[1]) + (x > b[2]) + (x > b[3]); }

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
    if (opts->tie_rule != CUSTOPS_RFM_TIES_SHARED && opts->tie_rule != CUSTOPS_RFM_TIES_FIRST)
        return custops__err(CUSTOPS_EINVAL, "rfm tie_rule %d is unknown", opts->tie_rule);
    int brc;
    if ((brc = check_breaks(opts->r_breaks, "recency")) || (brc = check_breaks(opts->f_breaks, "frequency")) ||
        (brc = check_breaks(opts->m_breaks, "monetary")))
        return brc;
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
    seg_keycol rc_, fc_, mc_;
    int64_t *r = NULL, *f = NULL, *m = NULL, *rfm = NULL, *code = NULL;
    uint64_t *valid = NULL;
    uint8_t *first = NULL; /* tie rule "first": 3 score bytes per row */
    const char **names = NULL;
    custops_frame *fr = NULL;
    int rc;
    if ((rc = seg_num_column(customers, opts->recency_col, &rc_)) ||
        (rc = seg_num_column(customers, opts->frequency_col, &fc_)) ||
        (rc = seg_num_column(customers, opts->monetary_col, &mc_)))
        return rc;
    size_t cap = n ? n : 1;
    valid = custops__calloc(cap / 64 + 1, sizeof *valid);
    r = custops__malloc(cap * sizeof *r);
    f = custops__malloc(cap * sizeof *f);
    m = custops__malloc(cap * sizeof *m);
    rfm = custops__malloc(cap * sizeof *rfm);
    code = custops__malloc(cap * sizeof *code);
    if (opts->segment_names)
        names = custops__malloc(cap * sizeof *names);
    if (!valid || !r || !f || !m || !rfm || !code || (opts->segment_names && !names)) {
        rc = custops__nomem();
        goto done;
    }
    /* scored: has ordered (frequency > 0, recency known) and finite values */
    size_t ns = 0;
    for (size_t i = 0; i < n; i++) {
        double x = num_at(&rc_, i), y = num_at(&fc_, i), z = num_at(&mc_, i);
        if (y > 0 && x >= 0 && isfinite(x) && isfinite(y) && isfinite(z)) {
            valid[i >> 6] |= (uint64_t)1 << (i & 63);
            ns++;
        }
    }
    uint64_t tr[4] = {0}, tf[4] = {0}, tm[4] = {0};
    int general = opts->tie_rule == CUSTOPS_RFM_TIES_FIRST || opts->r_breaks || opts->f_breaks || opts->m_breaks;
    if (ns && opts->tie_rule == CUSTOPS_RFM_TIES_FIRST) {
        if (!(first = custops__malloc(3 * cap))) {
            rc = custops__nomem();
            goto done;
        }
        if ((rc = first_scores(&rc_, valid, ns, 1, first)) || (rc = first_scores(&fc_, valid, ns, 0, first + cap)) ||
            (rc = first_scores(&mc_, valid, ns, 0, first + 2 * cap)))
            goto done;
    } else if (ns) {
        size_t up[4], down[4];
        for (size_t s = 1; s <= 4; s++) {
            size_t ms = (s * ns + 4) / 5; /* ceil(s ns / 5) >= 1 */
            up[s - 1] = ms - 1;           /* the ms-th smallest */
            down[s - 1] = ns - ms;        /* the ms-th largest */
        }
        rc_.valid = fc_.valid = mc_.valid = valid;
        if ((rc = seg_select_keys(&rc_, down, 4, tr, NULL)) || (rc = seg_select_keys(&fc_, up, 4, tf, NULL)) ||
            (rc = seg_select_keys(&mc_, up, 4, tm, NULL)))
            goto done;
    }
    /* first-match rule of every (r, f, m) cell, computed once */
    int64_t table[125];
    for (int sr = 1; sr <= 5; sr++)
        for (int sf = 1; sf <= 5; sf++)
            for (int sm = 1; sm <= 5; sm++) {
                int64_t c = (int64_t)nrules;
                for (size_t k = 0; k < nrules; k++) {
                    const custops_rfm_rule *u = &rules[k];
                    if (sr >= u->r_lo && sr <= u->r_hi && sf >= u->f_lo && sf <= u->f_hi && sm >= u->m_lo &&
                        sm <= u->m_hi) {
                        c = (int64_t)k;
                        break;
                    }
                }
                table[(sr - 1) * 25 + (sf - 1) * 5 + (sm - 1)] = c;
            }
    for (size_t i = 0; i < n; i++) {
        if (!((valid[i >> 6] >> (i & 63)) & 1)) {
            r[i] = f[i] = m[i] = rfm[i] = 0;
            if (names)
                names[i] = "prospect";
            code[i] = -1;
            continue;
        }
        uint64_t x = key_at(&rc_, i), y = key_at(&fc_, i), z = key_at(&mc_, i);
        /* recency: fewer days is better, so count the breaks above x */
        int sr = 1 + (x < tr[0]) + (x < tr[1]) + (x < tr[2]) + (x < tr[3]);
        int sf = 1 + (y > tf[0]) + (y > tf[1]) + (y > tf[2]) + (y > tf[3]);
        int sm = 1 + (z > tm[0]) + (z > tm[1]) + (z > tm[2]) + (z > tm[3]);
        if (general) {
            if (first) {
                sr = first[i];
                sf = first[cap + i];
                sm = first[2 * cap + i];
            }
            if (opts->r_breaks)
                sr = 5 - break_count(num_at(&rc_, i), opts->r_breaks);
            if (opts->f_breaks)
                sf = 1 + break_count(num_at(&fc_, i), opts->f_breaks);
            if (opts->m_breaks)
                sm = 1 + break_count(num_at(&mc_, i), opts->m_breaks);
        }
        r[i] = sr;
        f[i] = sf;
        m[i] = sm;
        rfm[i] = sr * 100 + sf * 10 + sm;
        int64_t c = table[(sr - 1) * 25 + (sf - 1) * 5 + (sm - 1)];
        code[i] = c;
        if (names)
            names[i] = c < (int64_t)nrules ? rules[c].name : "other";
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
    if (names && (rc = custops_frame_add_string(fr, "segment", names, n)))
        goto done;
    *out = fr;
    fr = NULL;
done:
    custops_frame_free(fr);
    custops__free(valid);
    custops__free(first);
    custops__free(r);
    custops__free(f);
    custops__free(m);
    custops__free(rfm);
    custops__free(code);
    custops__free(names);
    return rc;
}
