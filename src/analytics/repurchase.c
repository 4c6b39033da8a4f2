/* Repurchase cycles: purchase days per (product, customer) from one sort of
 * the lines, gaps between them as observed intervals, the open gap to "now"
 * as a censored one, Tukey-fence outliers, and Kaplan-Meier quantiles. */
#include "analytics.h"
#include "custops/repurchase.h"

#include <math.h>
#include <stdlib.h>

int custops_repurchase_options_init(custops_repurchase_options *opts, unsigned int version)
{
    CUSTOPS__CHECK_NULL(opts);
    if (version != CUSTOPS_REPURCHASE_OPTIONS_VERSION)
        return custops__err(CUSTOPS_EVERSION, "%s: unknown options version %u", __func__, version);
    custops_repurchase_options d = CUSTOPS_REPURCHASE_OPTIONS_INIT;
    *opts = d;
    return CUSTOPS_OK;
}

static int check_opts(const char *fn, const custops_repurchase_options *o)
{
    if (!o)
        return custops__err(CUSTOPS_EINVAL, "%s: options are NULL (zone and now are required)", fn);
    if (o->version != CUSTOPS_REPURCHASE_OPTIONS_VERSION)
        return custops__err(CUSTOPS_EVERSION, "%s: unknown options version %u", fn, o->version);
    if (!o->zone)
        return custops__err(CUSTOPS_EINVAL, "%s: options.zone is NULL", fn);
    if (o->min_intervals < 1)
        return custops__err(CUSTOPS_EINVAL, "%s: options.min_intervals must be >= 1", fn);
    if (!(o->outlier_iqr >= 0) || !isfinite(o->outlier_iqr))
        return custops__err(CUSTOPS_EINVAL, "%s: options.outlier_iqr must be finite and >= 0", fn);
    if (o->lead_days < 0 || o->grace_days < 0 || o->lead_days > 36500 || o->grace_days > 36500)
        return custops__err(CUSTOPS_EINVAL, "%s: options.lead_days and grace_days must be in 0..36500", fn);
    return 0;
}

/* One purchase: product code, customer, local day. */
typedef struct purchase {
    int64_t key;
    int32_t cust, day;
} purchase;

static int cmp_purchase(const void *a, const void *b)
{
    const purchase *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    if (x->cust != y->cust)
        return x->cust < y->cust ? -1 : 1;
    return (x->day > y->day) - (x->day < y->day);
}

/* Purchases (time <= now, key >= 0) sorted by (key, customer, day). */
static int collect(const char *fn, const int64_t *cust, const int64_t *time, const int64_t *key, size_t n,
                   const custops_repurchase_options *o, purchase **out, size_t *count)
{
    *out = NULL;
    *count = 0;
    purchase *p = custops__reallocarray(NULL, n ? n : 1, sizeof *p);
    if (!p)
        return custops__nomem();
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (time[i] > o->now || key[i] < 0)
            continue;
        if (cust[i] < 0 || cust[i] > INT32_MAX) {
            custops__free(p);
            return custops__err(CUSTOPS_ERANGE, "%s: lines row %zu: customer %lld is outside 0..2^31-1", fn, i,
                                (long long)cust[i]);
        }
        int32_t day;
        int rc = custops__an_local(o->zone, time[i], &day, NULL);
        if (rc) {
            custops__free(p);
            custops__err_prefix("%s: lines row %zu: ", fn, i);
            return rc;
        }
        p[m].key = key[i];
        p[m].cust = (int32_t)cust[i];
        p[m].day = day;
        m++;
    }
    qsort(p, m, sizeof *p, cmp_purchase);
    *out = p;
    *count = m;
    return 0;
}

/* An interval for the Kaplan-Meier curve. */
typedef struct gap {
    int32_t days;
    int32_t event; /* 1 observed, 0 censored */
} gap;

static int cmp_gap(const void *a, const void *b)
{
    const gap *x = a, *y = b;
    if (x->days != y->days)
        return x->days < y->days ? -1 : 1;
    return y->event - x->event; /* events before censorings at the same time */
}

static int cmp_i32(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

/* Empirical quantile (type 7, linear interpolation) of sorted v[0..n). */
static double quantile7(const int32_t *v, size_t n, double q)
{
    double h = (double)(n - 1) * q;
    size_t lo = (size_t)floor(h);
    size_t hi = lo + 1 < n ? lo + 1 : lo;
    return v[lo] + (h - (double)lo) * (v[hi] - v[lo]);
}

typedef struct cycle {
    int64_t key, buyers, intervals, censored, outliers;
    double q1, median, q3;
} cycle;

/* Kaplan-Meier quantiles of g[0..n) (sorted). S(t) <= level first. */
static void km_quantiles(const gap *g, size_t n, cycle *c)
{
    c->q1 = c->median = c->q3 = -1;
    double s = 1, at_risk = (double)n;
    size_t i = 0;
    while (i < n) {
        int32_t t = g[i].days;
        double d = 0, cens = 0;
        for (; i < n && g[i].days == t; i++)
            g[i].event ? d++ : cens++;
        if (d > 0) {
            s *= 1 - d / at_risk;
            /* small tolerance: 1 - 2/4 must count as reaching 0.5 */
            if (c->q1 < 0 && s <= 0.75 + 1e-12)
                c->q1 = t;
            if (c->median < 0 && s <= 0.5 + 1e-12)
                c->median = t;
            if (c->q3 < 0 && s <= 0.25 + 1e-12)
                c->q3 = t;
        }
        at_risk -= d + cens;
    }
}

typedef struct workspace {
    gap *gaps;
    size_t gaps_cap;
    int32_t *obs;
    size_t obs_cap;
} workspace;

/* Cycle of one product from its purchases p[0..n) (sorted by customer, day). */
static int product_cycle(const purchase *p, size_t n, int32_t today, double k, workspace *w, cycle *c)
{
    memset(c, 0, sizeof *c);
    c->key = p[0].key;
    size_t ng = 0, nobs = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        int32_t last = p[i].day;
        size_t days = 1;
        for (j = i + 1; j < n && p[j].cust == p[i].cust; j++) {
            if (p[j].day == last)
                continue; /* same day: one purchase */
            if (CUSTOPS__GROW(w->obs, w->obs_cap, nobs + 1))
                return CUSTOPS_ENOMEM;
            w->obs[nobs++] = p[j].day - last;
            last = p[j].day;
            days++;
        }
        if (days >= 2) {
            c->buyers++;
            if (CUSTOPS__GROW(w->gaps, w->gaps_cap, ng + 1))
                return CUSTOPS_ENOMEM;
            w->gaps[ng].days = today - last;
            w->gaps[ng].event = 0;
            ng++;
        }
        i = j;
    }
    /* the fence from the observed gaps; outliers dropped, censored cut */
    double fence = INFINITY;
    if (k > 0 && nobs >= 4) {
        qsort(w->obs, nobs, sizeof *w->obs, cmp_i32);
        double q1 = quantile7(w->obs, nobs, 0.25), q3 = quantile7(w->obs, nobs, 0.75);
        fence = q3 + k * (q3 - q1);
    }
    if (CUSTOPS__GROW(w->gaps, w->gaps_cap, ng + nobs + 1))
        return CUSTOPS_ENOMEM;
    for (size_t i = 0; i < nobs; i++) {
        if (w->obs[i] > fence) {
            c->outliers++;
            continue;
        }
        w->gaps[ng].days = w->obs[i];
        w->gaps[ng].event = 1;
        ng++;
        c->intervals++;
    }
    for (size_t i = 0; i < ng; i++)
        if (!w->gaps[i].event) {
            if (w->gaps[i].days > fence)
                w->gaps[i].days = (int32_t)floor(fence);
            c->censored++;
        }
    qsort(w->gaps, ng, sizeof *w->gaps, cmp_gap);
    km_quantiles(w->gaps, ng, c);
    return 0;
}

/* Cycles of every product in the sorted purchases. */
static int all_cycles(const purchase *p, size_t n, int32_t today, double k, cycle **out, size_t *count)
{
    *out = NULL;
    *count = 0;
    cycle *cs = NULL;
    size_t nc = 0, cap = 0;
    workspace w = {0};
    int rc = 0;
    for (size_t i = 0; i < n && !rc;) {
        size_t j = i + 1;
        while (j < n && p[j].key == p[i].key)
            j++;
        if ((rc = CUSTOPS__GROW(cs, cap, nc + 1)) == 0)
            rc = product_cycle(p + i, j - i, today, k, &w, &cs[nc++]);
        i = j;
    }
    custops__free(w.gaps);
    custops__free(w.obs);
    if (rc) {
        custops__free(cs);
        return rc;
    }
    *out = cs;
    *count = nc;
    return 0;
}

static const cycle *find_cycle(const cycle *cs, size_t n, int64_t key)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cs[mid].key < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && cs[lo].key == key ? &cs[lo] : NULL;
}

int custops_repurchase_cycles(custops_frame **out, const custops_frame *lines, const custops_repurchase_options *o)
{
    CUSTOPS__CHECK_NULL(out);
    *out = NULL;
    int rc = check_opts(__func__, o);
    if (rc)
        return rc;
    const int64_t *cust, *time, *sku, *cat;
    if ((rc = custops__an_i64(lines, __func__, "lines", "customer", &cust)) ||
        (rc = custops__an_i64(lines, __func__, "lines", "time", &time)) ||
        (rc = custops__an_i64(lines, __func__, "lines", "sku", &sku)) ||
        (rc = custops__an_i64(lines, __func__, "lines", "category", &cat)))
        return rc;
    size_t n = custops_frame_nrows(lines);
    int32_t today;
    if ((rc = custops__an_local(o->zone, o->now, &today, NULL)))
        return rc;

    purchase *p = NULL;
    cycle *by_sku = NULL, *by_cat = NULL;
    size_t np = 0, nsku = 0, ncat = 0;
    int64_t *first_cat = NULL;
    /* category of each SKU's first line, found before the lines are sorted */
    if ((rc = collect(__func__, cust, time, sku, n, o, &p, &np)) ||
        (rc = all_cycles(p, np, today, o->outlier_iqr, &by_sku, &nsku)))
        goto done;
    custops__free(p);
    p = NULL;
    if ((rc = collect(__func__, cust, time, cat, n, o, &p, &np)) ||
        (rc = all_cycles(p, np, today, o->outlier_iqr, &by_cat, &ncat)))
        goto done;
    first_cat = custops__reallocarray(NULL, nsku ? nsku : 1, sizeof *first_cat);
    if (!first_cat) {
        rc = custops__nomem();
        goto done;
    }
    for (size_t i = 0; i < nsku; i++)
        first_cat[i] = INT64_MIN;
    for (size_t i = 0; i < n; i++) {
        if (time[i] > o->now || sku[i] < 0)
            continue;
        const cycle *c = find_cycle(by_sku, nsku, sku[i]);
        size_t at = (size_t)(c - by_sku);
        if (first_cat[at] == INT64_MIN)
            first_cat[at] = cat[i] < 0 ? -1 : cat[i];
    }

    custops_frame *f = NULL;
    if ((rc = custops_frame_new(&f)))
        goto done;
    size_t m = nsku ? nsku : 1;
    int64_t *c_sku = custops__reallocarray(NULL, m, 8), *c_cat = custops__reallocarray(NULL, m, 8),
            *c_src = custops__reallocarray(NULL, m, 8), *c_buy = custops__reallocarray(NULL, m, 8),
            *c_int = custops__reallocarray(NULL, m, 8), *c_cen = custops__reallocarray(NULL, m, 8),
            *c_out = custops__reallocarray(NULL, m, 8);
    double *c_med = custops__reallocarray(NULL, m, 8), *c_q1 = custops__reallocarray(NULL, m, 8),
           *c_q3 = custops__reallocarray(NULL, m, 8), *c_iqr = custops__reallocarray(NULL, m, 8);
    if (!c_sku || !c_cat || !c_src || !c_buy || !c_int || !c_cen || !c_out || !c_med || !c_q1 || !c_q3 || !c_iqr)
        rc = custops__nomem();
    for (size_t i = 0; !rc && i < nsku; i++) {
        const cycle *c = &by_sku[i];
        int64_t src = CUSTOPS_REPURCHASE_SKU;
        if (c->intervals < o->min_intervals || c->median < 0) {
            const cycle *cc = first_cat[i] >= 0 ? find_cycle(by_cat, ncat, first_cat[i]) : NULL;
            if (cc && cc->intervals >= o->min_intervals && cc->median >= 0) {
                c = cc;
                src = CUSTOPS_REPURCHASE_CATEGORY;
            } else {
                src = CUSTOPS_REPURCHASE_NONE;
            }
        }
        c_sku[i] = by_sku[i].key;
        c_cat[i] = first_cat[i];
        c_src[i] = src;
        c_buy[i] = c->buyers;
        c_int[i] = c->intervals;
        c_cen[i] = c->censored;
        c_out[i] = c->outliers;
        c_med[i] = src == CUSTOPS_REPURCHASE_NONE ? -1 : c->median;
        c_q1[i] = src == CUSTOPS_REPURCHASE_NONE ? -1 : c->q1;
        c_q3[i] = src == CUSTOPS_REPURCHASE_NONE ? -1 : c->q3;
        c_iqr[i] = c_q1[i] >= 0 && c_q3[i] >= 0 ? c_q3[i] - c_q1[i] : -1;
    }
    custops__an_put_i64(f, &rc, "sku", c_sku, nsku);
    custops__an_put_i64(f, &rc, "category", c_cat, nsku);
    custops__an_put_i64(f, &rc, "source", c_src, nsku);
    custops__an_put_i64(f, &rc, "repeat_buyers", c_buy, nsku);
    custops__an_put_i64(f, &rc, "intervals", c_int, nsku);
    custops__an_put_i64(f, &rc, "censored", c_cen, nsku);
    custops__an_put_i64(f, &rc, "outliers", c_out, nsku);
    custops__an_put_f64(f, &rc, "median_days", c_med, nsku);
    custops__an_put_f64(f, &rc, "q1_days", c_q1, nsku);
    custops__an_put_f64(f, &rc, "q3_days", c_q3, nsku);
    custops__an_put_f64(f, &rc, "iqr_days", c_iqr, nsku);
    if (rc)
        custops_frame_free(f);
    else
        *out = f;
done:
    custops__free(p);
    custops__free(by_sku);
    custops__free(by_cat);
    custops__free(first_cat);
    return rc;
}

typedef struct sku_median {
    int64_t sku;
    double median;
} sku_median;

static int cmp_sku_median(const void *a, const void *b)
{
    const sku_median *x = a, *y = b;
    return (x->sku > y->sku) - (x->sku < y->sku);
}

int custops_repurchase_due(custops_frame **out, const custops_frame *lines, const custops_frame *cycles,
                           const custops_repurchase_options *o)
{
    CUSTOPS__CHECK_NULL(out);
    *out = NULL;
    int rc = check_opts(__func__, o);
    if (rc)
        return rc;
    const int64_t *cust, *time, *sku, *csku;
    const double *cmed;
    size_t mc;
    if ((rc = custops__an_i64(lines, __func__, "lines", "customer", &cust)) ||
        (rc = custops__an_i64(lines, __func__, "lines", "time", &time)) ||
        (rc = custops__an_i64(lines, __func__, "lines", "sku", &sku)) ||
        (rc = custops__an_i64(cycles, __func__, "cycles", "sku", &csku)))
        return rc;
    if (custops_frame_find(cycles, "median_days", &mc) || custops_frame_double(cycles, mc, &cmed))
        return custops__err(CUSTOPS_EINVAL, "%s: the cycles frame needs a double column 'median_days'", __func__);
    int32_t today;
    if ((rc = custops__an_local(o->zone, o->now, &today, NULL)))
        return rc;
    size_t nc = custops_frame_nrows(cycles), n = custops_frame_nrows(lines);
    sku_median *tab = custops__reallocarray(NULL, nc ? nc : 1, sizeof *tab);
    if (!tab)
        return custops__nomem();
    size_t nt = 0;
    for (size_t i = 0; i < nc; i++) {
        if (!isfinite(cmed[i]) || cmed[i] > 36500) {
            custops__free(tab);
            return custops__err(CUSTOPS_EINVAL, "%s: cycles row %zu: median_days %g is not a day count", __func__, i,
                                cmed[i]);
        }
        if (cmed[i] >= 0 && csku[i] >= 0)
            tab[nt++] = (sku_median){csku[i], cmed[i]};
    }
    qsort(tab, nt, sizeof *tab, cmp_sku_median);
    for (size_t i = 1; i < nt; i++)
        if (tab[i].sku == tab[i - 1].sku) {
            custops__free(tab);
            return custops__err(CUSTOPS_EINVAL, "%s: the cycles frame lists sku %lld twice", __func__,
                                (long long)tab[i].sku);
        }
    purchase *p = NULL;
    size_t np = 0;
    if ((rc = collect(__func__, cust, time, sku, n, o, &p, &np))) {
        custops__free(tab);
        return rc;
    }
    int64_t *r_cust = NULL, *r_sku = NULL, *r_last = NULL, *r_exp = NULL, *r_next = NULL, *r_until = NULL;
    size_t nr = 0, cap = 0;
    const sku_median *cur = NULL;
    for (size_t i = 0; i < np && !rc; i++) {
        if (i + 1 < np && p[i + 1].key == p[i].key && p[i + 1].cust == p[i].cust)
            continue; /* only the last purchase of each (sku, customer) */
        if (!cur || cur->sku != p[i].key) {
            sku_median key = {p[i].key, 0};
            cur = bsearch(&key, tab, nt, sizeof *tab, cmp_sku_median);
            if (!cur)
                continue;
        }
        int64_t expected = (int64_t)p[i].day + (int64_t)llround(cur->median);
        int64_t until = expected - today;
        if (until > o->lead_days || until < -o->grace_days)
            continue;
        int64_t next;
        if ((rc = custops_zone_instant(o->zone, (int32_t)expected, 0, &next)))
            break;
        if (nr == cap) {
            size_t nc2 = cap ? cap * 2 : 256;
            int64_t *a[6] = {r_cust, r_sku, r_last, r_exp, r_next, r_until};
            for (int k = 0; k < 6 && !rc; k++) {
                int64_t *q = custops__reallocarray(a[k], nc2, sizeof *q);
                if (!q)
                    rc = custops__nomem();
                else
                    a[k] = q;
            }
            r_cust = a[0], r_sku = a[1], r_last = a[2], r_exp = a[3], r_next = a[4], r_until = a[5];
            if (rc)
                break;
            cap = nc2;
        }
        r_cust[nr] = p[i].cust;
        r_sku[nr] = p[i].key;
        r_last[nr] = p[i].day;
        r_exp[nr] = expected;
        r_next[nr] = next;
        r_until[nr] = until;
        nr++;
    }
    custops__free(p);
    custops__free(tab);
    custops_frame *f = NULL;
    if (!rc)
        rc = custops_frame_new(&f);
    if (!rc && nr == 0) {
        /* empty columns still need a buffer to own */
        int64_t **a[6] = {&r_cust, &r_sku, &r_last, &r_exp, &r_next, &r_until};
        for (int k = 0; k < 6 && !rc; k++)
            if (!(*a[k] = custops__malloc(8)))
                rc = custops__nomem();
    }
    custops__an_put_i64(f, &rc, "customer", r_cust, nr);
    custops__an_put_i64(f, &rc, "sku", r_sku, nr);
    custops__an_put_i64(f, &rc, "last_day", r_last, nr);
    custops__an_put_i64(f, &rc, "expected_day", r_exp, nr);
    custops__an_put_i64(f, &rc, "expected_next", r_next, nr);
    custops__an_put_i64(f, &rc, "days_until", r_until, nr);
    if (rc) {
        custops_frame_free(f);
        return rc;
    }
    *out = f;
    return CUSTOPS_OK;
}
