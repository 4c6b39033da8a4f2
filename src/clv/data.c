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

static uint64_t key_hash(double x, double t, double T)
{
    double v[3] = {x + 0.0, t + 0.0, T + 0.0}; /* + 0.0 folds -0 into 0 */
    return custops__hash64(v, sizeof v, 0x9e3779b97f4a7c15ULL);
}

void custops__clv_rows_release(clv_rows *d)
{
    custops__free(d->x);
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
    /* open addressing over unique keys */
    size_t nslots = 16;
    while (nslots < 2 * n)
        nslots <<= 1;
    uint32_t *slots = custops__calloc(nslots, sizeof *slots);
    key3 *keys = custops__reallocarray(NULL, n < 1024 ? n : 1024, sizeof *keys);
    size_t cap = n < 1024 ? n : 1024, nk = 0;
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
    return CUSTOPS_OK;
}
