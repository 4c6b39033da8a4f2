/* Input checks and compression of customer arrays into unique rows with
 * counts. Day-granularity data has few distinct (x, t_x, T) triples, so the
 * likelihood is evaluated on thousands of rows instead of millions. A hash
 * table finds the duplicates in one pass; the unique rows are then sorted so
 * the likelihood sums in the same order whatever the input order. */
#include "clv_internal.h"

#include <math.h>
#include <stdlib.h>

int custops__clv_check_xtT(double x, double tx, double T, size_t i, int bgbb)
{
    if (!isfinite(x) || x < 0 || x != floor(x) || x > 1e9)
        return custops__err(CUSTOPS_EINVAL, "frequency[%zu] = %g: expected a non-negative integer", i, x);
    if (!isfinite(tx) || tx < 0)
        return custops__err(CUSTOPS_EINVAL, "recency[%zu] = %g: expected a finite value >= 0", i, tx);
    if (!isfinite(T) || T < 0 || T > 1e12)
        return custops__err(CUSTOPS_EINVAL, "T[%zu] = %g: expected a finite value >= 0", i, T);
    if (tx > T)
        return custops__err(CUSTOPS_EINVAL, "recency[%zu] = %g is greater than T[%zu] = %g", i, tx, i, T);
    if (x == 0 && tx != 0)
        return custops__err(CUSTOPS_EINVAL, "recency[%zu] = %g but frequency[%zu] = 0 (recency must be 0)", i, tx,
                            i);
    if (bgbb) {
        if (tx != floor(tx) || T != floor(T))
            return custops__err(CUSTOPS_EINVAL,
                                "BG/BB: recency[%zu] = %g and T[%zu] = %g must count whole opportunities", i, tx, i,
                                T);
        if (x > tx)
            return custops__err(CUSTOPS_EINVAL, "BG/BB: frequency[%zu] = %g exceeds recency[%zu] = %g", i, x, i, tx);
        if (T > 100000)
            return custops__err(CUSTOPS_EINVAL, "BG/BB: T[%zu] = %g opportunities is above the limit 100000", i, T);
    }
    return CUSTOPS_OK;
}

typedef struct key3 {
    double x, t, T, w;
} key3;

/* a cheap mix of the three bit patterns (keys are compared exactly after) */
static inline uint64_t key_hash(double x, double t, double T)
{
    uint64_t a, b, c;
    x += 0.0; /* folds -0 into 0 */
    t += 0.0;
    T += 0.0;
    memcpy(&a, &x, 8);
    memcpy(&b, &t, 8);
    memcpy(&c, &T, 8);
    uint64_t h = a * 0x9e3779b97f4a7c15ULL ^ (b + 0x632be59bd9b4e019ULL) * 0xc2b2ae3d27d4eb4fULL ^ c * 0x165667b19e3779f9ULL;
    h ^= h >> 29;
    h *= 0xbf58476d1ce4e5b9ULL;
    return h ^ (h >> 32);
}

static int dbl_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* The table of distinct T values: built when T repeats a lot (day or week
 * granularity), so models can cache per-(x, T) work. Optional: on failure
 * or too many distinct values the table is simply absent. */
static void index_T(clv_rows *d)
{
    enum { MAXU = 4096, NS = 8192 };
    double *u = custops__reallocarray(NULL, MAXU, sizeof(double));
    uint16_t *set = custops__calloc(NS, sizeof *set);
    size_t nu = 0;
    if (!u || !set)
        goto fail;
    /* distinct values through a small hash set; stop early when there are too many */
    for (size_t i = 0; i < d->n; i++) {
        size_t h = (size_t)(key_hash(d->T[i], 0, 0) & (NS - 1));
        for (;;) {
            if (set[h] == 0) {
                if (nu == MAXU || (nu + 1) * 4 > d->n)
                    goto fail;
                u[nu++] = d->T[i] + 0.0;
                set[h] = (uint16_t)nu;
                break;
            }
            if (u[set[h] - 1] == d->T[i])
                break;
            h = (h + 1) & (NS - 1);
        }
    }
    custops__free(set);
    set = NULL;
    qsort(u, nu, sizeof(double), dbl_cmp);
    uint32_t *idx = custops__reallocarray(NULL, d->n, sizeof(uint32_t));
    double *work = idx ? custops__reallocarray(NULL, nu, 6 * sizeof(double)) : NULL;
    if (!work) {
        custops__free(idx);
        goto fail;
    }
    for (size_t i = 0; i < d->n; i++) {
        size_t lo = 0, hi = nu - 1;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (u[mid] < d->T[i])
                lo = mid + 1;
            else
                hi = mid;
        }
        idx[i] = (uint32_t)lo;
    }
    d->uT = u;
    d->iT = idx;
    d->nuT = nu;
    d->work = work;
    return;
fail:
    custops__free(u);
    custops__free(set);
}

static int key_cmp(const void *a, const void *b)
{
    const key3 *p = a, *q = b;
    if (p->x != q->x)
        return p->x < q->x ? -1 : 1;
    if (p->t != q->t)
        return p->t < q->t ? -1 : 1;
    if (p->T != q->T)
        return p->T < q->T ? -1 : 1;
    return 0;
}

/* rebuild the slot table at twice the size (keys keep their order) */
static int rehash(uint32_t **slots, size_t *nslots, const key3 *keys, size_t nk)
{
    size_t ns = *nslots * 2;
    uint32_t *t = custops__calloc(ns, sizeof *t);
    if (!t)
        return custops__nomem();
    for (size_t i = 0; i < nk; i++) {
        size_t h = (size_t)key_hash(keys[i].x, keys[i].t, keys[i].T) & (ns - 1);
        while (t[h])
            h = (h + 1) & (ns - 1);
        t[h] = (uint32_t)(i + 1);
    }
    custops__free(*slots);
    *slots = t;
    *nslots = ns;
    return CUSTOPS_OK;
}

void custops__clv_rows_release(clv_rows *d)
{
    custops__free(d->x);
    custops__free(d->uT);
    custops__free(d->iT);
    custops__free(d->work);
    memset(d, 0, sizeof *d);
}

int custops__clv_rows_make(clv_rows *d, const double *x, const double *tx, const double *T, const double *w, size_t n,
                           int bgbb, int spend)
{
    memset(d, 0, sizeof *d);
    if (n == 0)
        return custops__err(CUSTOPS_EINVAL, "no customers (n = 0)");
    if (n >= (size_t)UINT32_MAX)
        return custops__err(CUSTOPS_EINVAL, "n = %zu customers is above the limit", n);
    for (size_t i = 0; i < n; i++) {
        int rc;
        if (spend) {
            if (!isfinite(x[i]) || x[i] < 0 || x[i] != floor(x[i]) || x[i] > 1e9)
                return custops__err(CUSTOPS_EINVAL, "frequency[%zu] = %g: expected a non-negative integer", i, x[i]);
            if (x[i] > 0 && (!isfinite(tx[i]) || tx[i] <= 0))
                return custops__err(CUSTOPS_EINVAL, "monetary[%zu] = %g: expected a finite value > 0", i, tx[i]);
        } else if ((rc = custops__clv_check_xtT(x[i], tx[i], T[i], i, bgbb)) != CUSTOPS_OK) {
            return rc;
        }
        if (w && (!isfinite(w[i]) || w[i] < 0))
            return custops__err(CUSTOPS_EINVAL, "weights[%zu] = %g: expected a finite value >= 0", i, w[i]);
    }
    /* open addressing over unique keys; the table starts small and doubles,
     * so data with many ties stays in cache */
    size_t nslots = 4096;
    uint32_t *slots = custops__calloc(nslots, sizeof *slots);
    size_t cap = n < 1024 ? n : 1024, nk = 0;
    key3 *keys = custops__reallocarray(NULL, cap, sizeof *keys);
    if (!slots || !keys) {
        custops__free(slots);
        custops__free(keys);
        return custops__nomem();
    }
    for (size_t i = 0; i < n; i++) {
        double wi = w ? w[i] : 1.0;
        if (wi == 0)
            continue;
        double xi = x[i], ti, Ti;
        if (spend) {
            if (xi == 0)
                continue;
            ti = tx[i];
            Ti = 0.0;
        } else {
            ti = tx[i];
            Ti = T[i];
        }
        size_t h = (size_t)key_hash(xi, ti, Ti) & (nslots - 1);
        for (;;) {
            uint32_t s = slots[h];
            if (s == 0) {
                if (nk == cap && CUSTOPS__GROW(keys, cap, nk + 1) != CUSTOPS_OK) {
                    custops__free(slots);
                    custops__free(keys);
                    return CUSTOPS_ENOMEM;
                }
                keys[nk] = (key3){xi + 0.0, ti + 0.0, Ti + 0.0, wi};
                slots[h] = (uint32_t)++nk;
                if (2 * nk > nslots && rehash(&slots, &nslots, keys, nk) != CUSTOPS_OK) {
                    custops__free(slots);
                    custops__free(keys);
                    return CUSTOPS_ENOMEM;
                }
                break;
            }
            key3 *k = &keys[s - 1];
            if (k->x == xi && k->t == ti && k->T == Ti) {
                k->w += wi;
                break;
            }
            h = (h + 1) & (nslots - 1);
        }
    }
    custops__free(slots);
    if (nk == 0) {
        custops__free(keys);
        return custops__err(CUSTOPS_EIDENTIFY, spend ? "no customer with a repeat purchase (all frequencies are 0)"
                                                     : "all weights are 0: no customers to fit");
    }
    qsort(keys, nk, sizeof *keys, key_cmp);
    double *mem = custops__reallocarray(NULL, nk, 4 * sizeof(double));
    if (!mem) {
        custops__free(keys);
        return custops__nomem();
    }
    d->x = mem;
    d->t = mem + nk;
    d->T = mem + 2 * nk;
    d->w = mem + 3 * nk;
    d->n = nk;
    for (size_t i = 0; i < nk; i++) {
        d->x[i] = keys[i].x;
        d->t[i] = keys[i].t;
        d->T[i] = keys[i].T;
        d->w[i] = keys[i].w;
        d->total += keys[i].w;
        if (keys[i].x > d->xmax)
            d->xmax = keys[i].x;
    }
    custops__free(keys);
    if (!spend && nk > 64)
        index_T(d);
    return CUSTOPS_OK;
}
