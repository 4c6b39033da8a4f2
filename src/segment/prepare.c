/* Per-evaluation state: percentile thresholds (quickselect on a copy, no
 * sort), windowed counts over the lines and events frames (one pass each),
 * and bitsets for text comparisons. Recomputed at every evaluation because
 * the borrowed frames may have new contents. */
#include "segment_internal.h"

#include <math.h>

static void swap_d(double *a, double *b)
{
    double t = *a;
    *a = *b;
    *b = t;
}

/* k-th smallest (0-based) of v[0..n), reordering v. */
static double select_d(double *v, size_t n, size_t k)
{
    size_t lo = 0, hi = n - 1;
    uint64_t state = 0x9e3779b97f4a7c15u;
    while (lo < hi) {
        state = state * 6364136223846793005u + 1442695040888963407u;
        size_t pi = lo + (size_t)((state >> 33) % (hi - lo + 1));
        double pivot = v[pi];
        /* three-way partition: < pivot | == pivot | > pivot */
        size_t lt = lo, i = lo, gt = hi;
        while (i <= gt) {
            if (v[i] < pivot)
                swap_d(&v[lt++], &v[i++]);
            else if (v[i] > pivot) {
                swap_d(&v[i], &v[gt]);
                if (gt == 0)
                    break;
                gt--;
            } else
                i++;
        }
        if (k < lt)
            hi = lt - 1;
        else if (k > gt)
            lo = gt + 1;
        else
            return pivot;
    }
    return v[lo];
}

static void swap_i(int64_t *a, int64_t *b)
{
    int64_t t = *a;
    *a = *b;
    *b = t;
}

int64_t seg_select_i64(int64_t *v, size_t n, size_t k);
int64_t seg_select_i64(int64_t *v, size_t n, size_t k)
{
    size_t lo = 0, hi = n - 1;
    uint64_t state = 0x9e3779b97f4a7c15u;
    while (lo < hi) {
        state = state * 6364136223846793005u + 1442695040888963407u;
        size_t pi = lo + (size_t)((state >> 33) % (hi - lo + 1));
        int64_t pivot = v[pi];
        size_t lt = lo, i = lo, gt = hi;
        while (i <= gt) {
            if (v[i] < pivot)
                swap_i(&v[lt++], &v[i++]);
            else if (v[i] > pivot) {
                swap_i(&v[i], &v[gt]);
                if (gt == 0)
                    break;
                gt--;
            } else
                i++;
        }
        if (k < lt)
            hi = lt - 1;
        else if (k > gt)
            lo = gt + 1;
        else
            return pivot;
    }
    return v[lo];
}

double seg_select_f64(double *v, size_t n, size_t k);
double seg_select_f64(double *v, size_t n, size_t k) { return select_d(v, n, k); }

static int prepare_pct(seg_leaf *l, size_t n)
{
    l->pct_empty = 1;
    l->pct_is_f64 = l->f64 != NULL;
    if (l->f64) {
        double *tmp = custops__malloc((n ? n : 1) * sizeof *tmp);
        if (!tmp)
            return custops__nomem();
        size_t m = 0;
        for (size_t i = 0; i < n; i++)
            if (l->f64[i] == l->f64[i])
                tmp[m++] = l->f64[i];
        size_t k = (size_t)ceil(l->pct * (double)m / 100.0 - 1e-9);
        if (k > m)
            k = m;
        if (k > 0) {
            l->pct_empty = 0;
            if (l->top) {
                l->flo = select_d(tmp, m, m - k);
                l->fhi = INFINITY;
            } else {
                l->flo = -INFINITY;
                l->fhi = select_d(tmp, m, k - 1);
            }
        }
        custops__free(tmp);
        return CUSTOPS_OK;
    }
    int64_t *tmp = custops__malloc((n ? n : 1) * sizeof *tmp);
    if (!tmp)
        return custops__nomem();
    memcpy(tmp, l->i64, n * sizeof *tmp);
    size_t k = (size_t)ceil(l->pct * (double)n / 100.0 - 1e-9);
    if (k > n)
        k = n;
    if (k > 0) {
        l->pct_empty = 0;
        if (l->top) {
            l->lo = seg_select_i64(tmp, n, n - k);
            l->hi = INT64_MAX;
        } else {
            l->lo = INT64_MIN;
            l->hi = seg_select_i64(tmp, n, k - 1);
        }
    }
    custops__free(tmp);
    return CUSTOPS_OK;
}

static const int64_t *col(const custops_frame *f, const char *name)
{
    size_t c;
    const int64_t *v = NULL;
    if (custops_frame_find(f, name, &c) == CUSTOPS_OK)
        custops_frame_int64(f, c, &v);
    return v;
}

static int prepare_func(seg_leaf *l, const custops_segment_ctx *ctx, size_t n)
{
    custops__free(l->counts);
    l->counts = custops__calloc(n ? n : 1, sizeof *l->counts);
    if (!l->counts)
        return custops__nomem();
    int64_t *cnt = l->counts;
    if (l->func == F_EVENTS) {
        const custops_frame *f = ctx->events;
        size_t m = custops_frame_nrows(f);
        const int64_t *cu = col(f, "customer"), *tm = col(f, "time"), *ty = col(f, "type");
        if (!cu || !tm || !ty)
            return custops__err(CUSTOPS_EINVAL, "events frame lost a column");
        for (size_t r = 0; r < m; r++) {
            if (tm[r] < l->t0 || tm[r] > l->t1 || ty[r] != l->code)
                continue;
            if (cu[r] < 0 || (uint64_t)cu[r] >= n)
                return custops__err(CUSTOPS_ERANGE, "events row %zu: customer %lld is outside 0..%zu", r,
                                    (long long)cu[r], n ? n - 1 : 0);
            cnt[cu[r]]++;
        }
        return CUSTOPS_OK;
    }
    const custops_frame *f = ctx->lines;
    size_t m = custops_frame_nrows(f);
    const int64_t *cu = col(f, "customer"), *od = col(f, "order"), *tm = col(f, "time"), *amt = col(f, "amount"),
                  *ref = col(f, "refunded"), *cat = col(f, "category"), *sku = col(f, "sku");
    if (!cu || !od || !tm || !amt || !ref || !cat || !sku)
        return custops__err(CUSTOPS_EINVAL, "lines frame lost a column");
    const int64_t *filter = l->func == F_BOUGHT_CAT ? cat : l->func == F_BOUGHT_SKU ? sku : NULL;
    int64_t last_order = 0, last_cust = -1;
    for (size_t r = 0; r < m; r++) {
        if (tm[r] < l->t0 || tm[r] > l->t1 || (filter && filter[r] != l->code))
            continue;
        int64_t c = cu[r];
        if (c < 0 || (uint64_t)c >= n)
            return custops__err(CUSTOPS_ERANGE, "lines row %zu: customer %lld is outside 0..%zu", r, (long long)c,
                                n ? n - 1 : 0);
        if (l->func == F_SPEND) {
            int64_t net;
            if (__builtin_sub_overflow(amt[r], ref[r], &net) || __builtin_add_overflow(cnt[c], net, &cnt[c]))
                return custops__err(CUSTOPS_ERANGE, "lines row %zu: spend of customer %lld overflows", r, (long long)c);
            continue;
        }
        /* lines of one order are contiguous: count an order once */
        if (c == last_cust && od[r] == last_order)
            continue;
        last_cust = c;
        last_order = od[r];
        cnt[c]++;
    }
    return CUSTOPS_OK;
}

static int prepare_str(seg_leaf *l, const custops_frame *f, size_t n)
{
    custops__free(l->bits);
    l->bits = custops__calloc((n + 63) / 64 + 1, sizeof *l->bits);
    if (!l->bits)
        return custops__nomem();
    for (size_t i = 0; i < n; i++) {
        const char *s;
        if (custops_frame_string(f, l->col, i, &s))
            return CUSTOPS_EINVAL;
        int hit = 0;
        if (l->kind == L_NULL)
            hit = s[0] == '\0';
        for (size_t k = 0; k < l->nstrs && !hit; k++)
            hit = strcmp(s, l->strs[k]) == 0;
        if (hit)
            l->bits[i >> 6] |= (uint64_t)1 << (i & 63);
    }
    return CUSTOPS_OK;
}

int seg_prepare(custops_audience *a)
{
    size_t n = a->nrows;
    a->prepared = 0;
    for (size_t i = 0; i < a->nleaves; i++) {
        seg_leaf *l = &a->leaves[i];
        int rc = CUSTOPS_OK;
        if (l->kind == L_PCT)
            rc = prepare_pct(l, n);
        else if (l->kind == L_FUNC)
            rc = prepare_func(l, &a->ctx, n);
        else if (l->kind == L_STR || (l->kind == L_NULL && !l->i64 && !l->f64))
            rc = prepare_str(l, a->ctx.customers, n);
        if (rc)
            return rc;
    }
    a->prepared = 1;
    return CUSTOPS_OK;
}
