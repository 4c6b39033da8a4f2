/* Campaign measurement: uplift of treatment over holdout per group with
 * Newcombe (difference of proportions) and Welch (revenue) intervals, and
 * acquisition-channel value (LTV, CAC, ROI). */
#include "core/internal.h"

#include "custops/measure.h"

#include <float.h>
#include <math.h>

int custops_uplift_options_init(custops_uplift_options *opts, unsigned int version)
{
    CUSTOPS__CHECK_NULL(opts);
    if (version != CUSTOPS_UPLIFT_OPTIONS_VERSION)
        return custops__err(CUSTOPS_EVERSION, "custops_uplift_options version %u is unknown (this library has %d)",
                            version, CUSTOPS_UPLIFT_OPTIONS_VERSION);
    custops_uplift_options d = CUSTOPS_UPLIFT_OPTIONS_INIT;
    *opts = d;
    return CUSTOPS_OK;
}

/* Running mean and sum of squared deviations (Welford). */
typedef struct moments {
    double n, mean, m2;
} moments;

static void moments_add(moments *m, double x)
{
    m->n += 1;
    double d = x - m->mean;
    m->mean += d / m->n;
    m->m2 += d * (x - m->mean);
}

typedef struct arm {
    int64_t n, reached, visited, converted;
    moments revenue;
} arm;

typedef struct group_acc {
    arm a[2]; /* 0 treatment, 1 holdout */
} group_acc;

static int int_col(const custops_frame *f, const char *name, const int64_t **v, int binary)
{
    size_t c;
    int rc = custops_frame_find(f, name, &c);
    if (rc)
        return custops__err(CUSTOPS_EINVAL, "uplift: the frame has no column '%s'", name);
    if (custops_frame_int64(f, c, v) != 0)
        return custops__err(CUSTOPS_EINVAL, "uplift: column '%s' must be int64", name);
    if (binary)
        for (size_t i = 0; i < custops_frame_nrows(f); i++)
            if ((*v)[i] != 0 && (*v)[i] != 1)
                return custops__err(CUSTOPS_EINVAL, "uplift: column '%s' row %zu is %lld, expected 0 or 1", name, i,
                                    (long long)(*v)[i]);
    return CUSTOPS_OK;
}

static int used(const char *s) { return s && s[0]; }

/* Welch interval for mean1 - mean2 (core/intervals.c). With fewer than two
 * customers on a side there is no variance to estimate: the interval is
 * the whole finite line, documented in measure.h, never Inf or NaN. */
static void welch(const moments *a, const moments *b, double conf, double *lo, double *hi)
{
    double t, df, p;
    if (a->n < 2 || b->n < 2 ||
        custops__welch(a->n, a->mean, a->m2 / (a->n - 1), b->n, b->mean, b->m2 / (b->n - 1), conf, &t, &df, &p, lo,
                       hi) != 0) {
        *lo = -DBL_MAX;
        *hi = DBL_MAX;
    }
}

typedef struct colset {
    const char *names[64];
    double *data[64];
    int n;
} colset;

static double *add_col(colset *cs, const char *name, size_t rows)
{
    if (cs->n == 64)
        return NULL;
    double *d = custops__calloc(rows ? rows : 1, sizeof *d);
    if (!d)
        return NULL;
    cs->names[cs->n] = name;
    cs->data[cs->n++] = d;
    return d;
}

int custops_uplift_report(const custops_frame *f, const custops_uplift_options *opts, custops_frame **out)
{
    CUSTOPS__CHECK_NULL(out);
    *out = NULL;
    CUSTOPS__CHECK_NULL(f);
    custops_uplift_options o = CUSTOPS_UPLIFT_OPTIONS_INIT;
    if (opts) {
        if (opts->version != CUSTOPS_UPLIFT_OPTIONS_VERSION)
            return custops__err(CUSTOPS_EVERSION, "custops_uplift_options version %u is unknown", opts->version);
        o = *opts;
    }
    if (!(o.confidence > 0 && o.confidence < 1))
        return custops__err(CUSTOPS_EINVAL, "uplift: confidence %g is not in (0, 1)", o.confidence);
    if (!used(o.holdout_col) || !used(o.converted_col))
        return custops__err(CUSTOPS_EINVAL, "uplift: holdout_col and converted_col are required");
    size_t n = custops_frame_nrows(f);
    const int64_t *hold, *conv, *reach = NULL, *visit = NULL, *rev = NULL;
    int rc = int_col(f, o.holdout_col, &hold, 1);
    if (rc == 0)
        rc = int_col(f, o.converted_col, &conv, 1);
    if (rc == 0 && used(o.reached_col))
        rc = int_col(f, o.reached_col, &reach, 1);
    if (rc == 0 && used(o.visited_col))
        rc = int_col(f, o.visited_col, &visit, 1);
    if (rc == 0 && used(o.revenue_col))
        rc = int_col(f, o.revenue_col, &rev, 0);
    if (rc)
        return rc;

    /* group key columns */
    size_t gcols[16];
    int ng = 0;
    char *gspec = custops__strdup(o.group_cols ? o.group_cols : "");
    if (!gspec)
        return custops__nomem();
    for (char *tok = gspec, *next; tok && *tok && rc == 0; tok = next) {
        next = strchr(tok, ',');
        if (next)
            *next++ = '\0';
        if (ng == 16)
            rc = custops__err(CUSTOPS_ELIMIT, "uplift: at most 16 group columns");
        else if (custops_frame_find(f, tok, &gcols[ng]) != 0 ||
                 custops_frame_col_type(f, gcols[ng]) != CUSTOPS_COL_STRING)
            rc = custops__err(CUSTOPS_EINVAL, "uplift: group column '%s' is missing or not a string column", tok);
        else
            ng++;
    }
    custops__intern keys;
    custops__intern_init(&keys);
    group_acc *acc = NULL;
    size_t acap = 0;
    uint32_t *first_row = NULL;
    size_t frcap = 0;
    custops__buf kb;
    custops__buf_init(&kb);
    for (size_t i = 0; i < n && rc == 0; i++) {
        kb.len = 0;
        for (int g = 0; g < ng; g++) {
            const char *s;
            custops_frame_string(f, gcols[g], i, &s);
            custops__buf_append(&kb, s, strlen(s));
            custops__buf_append(&kb, "\x1f", 1);
        }
        if ((rc = custops__buf_status(&kb)) != 0)
            break;
        uint32_t gid;
        bool added;
        if ((rc = custops__intern_put(&keys, kb.len ? (const char *)kb.data : "", kb.len, &gid, &added)) != 0)
            break;
        if (added) {
            if (CUSTOPS__GROW(acc, acap, (size_t)gid + 1) || CUSTOPS__GROW(first_row, frcap, (size_t)gid + 1)) {
                rc = CUSTOPS_ENOMEM;
                break;
            }
            memset(&acc[gid], 0, sizeof acc[gid]);
            first_row[gid] = (uint32_t)i;
        }
        arm *a = &acc[gid].a[hold[i]];
        a->n++;
        a->converted += conv[i];
        if (reach)
            a->reached += reach[i];
        if (visit)
            a->visited += visit[i];
        if (rev)
            moments_add(&a->revenue, (double)rev[i]);
    }
    size_t ngroups = keys.count;
    for (size_t g = 0; g < ngroups && rc == 0; g++)
        if (acc[g].a[0].n == 0 || acc[g].a[1].n == 0)
            rc = custops__err(CUSTOPS_EINVAL, "uplift: group %zu (first at row %u) has no %s customers", g,
                              first_row[g], acc[g].a[0].n == 0 ? "treatment" : "holdout");
    if (rc == 0 && ngroups == 0)
        rc = custops__err(CUSTOPS_EINVAL, "uplift: the frame has no rows");

    custops_frame *res = NULL;
    colset cs = {{0}, {0}, 0};
    const char **gvals = NULL;
    if (rc == 0)
        rc = custops_frame_new(&res);
    if (rc == 0 && !(gvals = custops__calloc(ngroups, sizeof *gvals)))
        rc = custops__nomem();
    for (int g = 0; g < ng && rc == 0; g++) {
        for (size_t k = 0; k < ngroups; k++)
            custops_frame_string(f, gcols[g], first_row[k], &gvals[k]);
        rc = custops_frame_add_string(res, custops_frame_col_name(f, gcols[g]), gvals, ngroups);
    }
    if (rc == 0) {
        double z = custops__norm_quantile(0.5 + o.confidence / 2);
        double *nt = add_col(&cs, "n_treatment", ngroups), *nh = add_col(&cs, "n_holdout", ngroups);
        double *rr = reach ? add_col(&cs, "reach_rate", ngroups) : NULL;
        if (!nt || !nh || (reach && !rr))
            rc = custops__nomem();
        for (size_t k = 0; k < ngroups && rc == 0; k++) {
            nt[k] = (double)acc[k].a[0].n;
            nh[k] = (double)acc[k].a[1].n;
            if (rr)
                rr[k] = (double)acc[k].a[0].reached / nt[k];
        }
        /* proportions: visit and conversion */
        for (int which = 0; which < 2 && rc == 0; which++) {
            if (which == 0 && !visit)
                continue;
            static const char *const NAMES[2][5] = {
                {"visit_treatment", "visit_holdout", "visit_uplift", "visit_lo", "visit_hi"},
                {"conversion_treatment", "conversion_holdout", "conversion_uplift", "conversion_lo", "conversion_hi"}};
            double *cols[5];
            for (int c = 0; c < 5; c++)
                if (!(cols[c] = add_col(&cs, NAMES[which][c], ngroups)))
                    rc = custops__nomem();
            for (size_t k = 0; k < ngroups && rc == 0; k++) {
                double k1 = (double)(which == 0 ? acc[k].a[0].visited : acc[k].a[0].converted);
                double k2 = (double)(which == 0 ? acc[k].a[1].visited : acc[k].a[1].converted);
                double n1 = (double)acc[k].a[0].n, n2 = (double)acc[k].a[1].n;
                cols[0][k] = k1 / n1;
                cols[1][k] = k2 / n2;
                cols[2][k] = k1 / n1 - k2 / n2;
                custops__newcombe(k1, n1, k2, n2, z, &cols[3][k], &cols[4][k]);
            }
        }
        if (rc == 0 && rev) {
            double *t = add_col(&cs, "revenue_per_customer_treatment", ngroups),
                   *h = add_col(&cs, "revenue_per_customer_holdout", ngroups),
                   *u = add_col(&cs, "revenue_per_customer_uplift", ngroups),
                   *lo = add_col(&cs, "revenue_per_customer_lo", ngroups),
                   *hi = add_col(&cs, "revenue_per_customer_hi", ngroups);
            if (!t || !h || !u || !lo || !hi)
                rc = custops__nomem();
            for (size_t k = 0; k < ngroups && rc == 0; k++) {
                t[k] = acc[k].a[0].revenue.mean;
                h[k] = acc[k].a[1].revenue.mean;
                u[k] = t[k] - h[k];
                welch(&acc[k].a[0].revenue, &acc[k].a[1].revenue, o.confidence, &lo[k], &hi[k]);
            }
        }
    }
    for (int c = 0; c < cs.n && rc == 0; c++) {
        rc = custops__frame_add_double_owned(res, cs.names[c], cs.data[c], ngroups);
        cs.data[c] = NULL; /* owned by the frame now, or freed by it on failure */
    }
    for (int c = 0; c < cs.n; c++)
        custops__free(cs.data[c]);
    custops__free(gvals);
    custops__free(gspec);
    custops__free(acc);
    custops__free(first_row);
    custops__buf_release(&kb);
    custops__intern_release(&keys);
    if (rc) {
        custops_frame_free(res);
        return rc;
    }
    *out = res;
    return CUSTOPS_OK;
}
