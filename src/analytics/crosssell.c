/* Cross-sell pairs by sparse accumulation (Gustavson's row-by-row product
 * of the basket-item incidence matrix with its transpose): baskets in a
 * compressed basket->items index, items in a compressed item->baskets
 * index, and for each item A one pass over its baskets counting partners
 * in a counter array with a touched list. Memory is linear in the lines. */
#include "analytics.h"
#include "custops/crosssell.h"

#include <math.h>
#include <stdlib.h>

int custops_crosssell_options_init(custops_crosssell_options *opts, unsigned int version)
{
    CUSTOPS__CHECK_NULL(opts);
    if (version != CUSTOPS_CROSSSELL_OPTIONS_VERSION)
        return custops__err(CUSTOPS_EVERSION, "%s: unknown options version %u", __func__, version);
    custops_crosssell_options d = CUSTOPS_CROSSSELL_OPTIONS_INIT;
    *opts = d;
    return CUSTOPS_OK;
}

static int check_opts(const custops_crosssell_options *o)
{
    const char *fn = "custops_crosssell_pairs";
    if (o->version != CUSTOPS_CROSSSELL_OPTIONS_VERSION)
        return custops__err(CUSTOPS_EVERSION, "%s: unknown options version %u", fn, o->version);
    if (!o->basket_col || !o->item_col)
        return custops__err(CUSTOPS_EINVAL, "%s: options.basket_col and item_col must be set", fn);
    if (o->min_count < 1)
        return custops__err(CUSTOPS_EINVAL, "%s: options.min_count must be >= 1", fn);
    if (!(o->min_support >= 0 && o->min_support <= 1))
        return custops__err(CUSTOPS_EINVAL, "%s: options.min_support must be in [0, 1]", fn);
    if (o->top_k < 1 || o->top_k > 10000)
        return custops__err(CUSTOPS_EINVAL, "%s: options.top_k must be in 1..10000", fn);
    if (o->rank_by != CUSTOPS_CROSSSELL_BY_CONFIDENCE && o->rank_by != CUSTOPS_CROSSSELL_BY_LIFT)
        return custops__err(CUSTOPS_EINVAL, "%s: options.rank_by %d is unknown", fn, o->rank_by);
    if (o->max_basket_items < 2 || o->max_basket_items > 100000)
        return custops__err(CUSTOPS_EINVAL, "%s: options.max_basket_items must be in 2..100000", fn);
    return 0;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* Sort and dedupe a small run in place; returns the new length. */
static size_t sort_unique(uint32_t *v, size_t m)
{
    if (m < 16) {
        for (size_t i = 1; i < m; i++) {
            uint32_t x = v[i];
            size_t j = i;
            for (; j > 0 && v[j - 1] > x; j--)
                v[j] = v[j - 1];
            v[j] = x;
        }
    } else {
        qsort(v, m, sizeof *v, cmp_u32);
    }
    size_t u = 0;
    for (size_t i = 0; i < m; i++)
        if (u == 0 || v[i] != v[u - 1])
            v[u++] = v[i];
    return u;
}

/* Is partner x better than y for the ranking? (same item A throughout) */
static int better(int rank_by, uint32_t cx, uint32_t nx, uint32_t bx, uint32_t cy, uint32_t ny, uint32_t by)
{
    /* lift order: cx/nx vs cy/ny, exactly in integers */
    uint64_t lx = (uint64_t)cx * ny, ly = (uint64_t)cy * nx;
    if (rank_by == CUSTOPS_CROSSSELL_BY_LIFT) {
        if (lx != ly)
            return lx > ly;
        if (cx != cy)
            return cx > cy;
    } else {
        if (cx != cy)
            return cx > cy;
        if (lx != ly)
            return lx > ly;
    }
    return bx < by;
}

typedef struct outcols {
    int64_t *a, *b, *rank, *cab, *ca, *cb;
    double *sup, *conf, *lift;
    size_t n, cap;
} outcols;

static int out_grow(outcols *o, size_t need)
{
    if (need <= o->cap)
        return 0;
    size_t cap = o->cap ? o->cap : 1024;
    while (cap < need)
        cap *= 2;
    void **cols[9] = {(void **)&o->a,   (void **)&o->b,   (void **)&o->rank, (void **)&o->cab, (void **)&o->ca,
                      (void **)&o->cb,  (void **)&o->sup, (void **)&o->conf, (void **)&o->lift};
    for (int i = 0; i < 9; i++) {
        void *p = custops__reallocarray(*cols[i], cap, 8);
        if (!p)
            return custops__nomem();
        *cols[i] = p;
    }
    o->cap = cap;
    return 0;
}

int custops_crosssell_pairs(custops_frame **out, const custops_frame *lines, const custops_crosssell_options *opts)
{
    CUSTOPS__CHECK_NULL(out);
    *out = NULL;
    custops_crosssell_options defaults = CUSTOPS_CROSSSELL_OPTIONS_INIT;
    const custops_crosssell_options *o = opts ? opts : &defaults;
    int rc = check_opts(o);
    if (rc)
        return rc;
    const int64_t *bcol, *icol;
    if ((rc = custops__an_i64(lines, __func__, "lines", o->basket_col, &bcol)) ||
        (rc = custops__an_i64(lines, __func__, "lines", o->item_col, &icol)))
        return rc;
    size_t n = custops_frame_nrows(lines);
    if (n >= UINT32_MAX)
        return custops__err(CUSTOPS_ELIMIT, "%s: %zu lines; at most 2^32-2", __func__, n);

    uint32_t *bid = NULL, *iid = NULL, *items = NULL, *bask = NULL, *cnt = NULL, *touched = NULL, *heap = NULL;
    int64_t *bcodes = NULL, *icodes = NULL;
    size_t *boff = NULL, *ioff = NULL;
    uint32_t *na = NULL;
    size_t nb = 0, ni = 0;
    outcols oc = {0};
    custops_frame *f = NULL;

    bid = custops__reallocarray(NULL, n ? n : 1, sizeof *bid);
    iid = custops__reallocarray(NULL, n ? n : 1, sizeof *iid);
    if (!bid || !iid) {
        rc = custops__nomem();
        goto done;
    }
    if ((rc = custops__an_remap(bcol, n, bid, &bcodes, &nb)) || (rc = custops__an_remap(icol, n, iid, &icodes, &ni)))
        goto done;
    custops__free(bcodes);
    bcodes = NULL;

    /* basket -> items, compressed */
    boff = custops__calloc(nb + 1, sizeof *boff);
    items = custops__reallocarray(NULL, n ? n : 1, sizeof *items);
    if (!boff || !items) {
        rc = custops__nomem();
        goto done;
    }
    for (size_t i = 0; i < n; i++)
        if (bid[i] != UINT32_MAX && iid[i] != UINT32_MAX)
            boff[bid[i] + 1]++;
    for (size_t b = 0; b < nb; b++)
        boff[b + 1] += boff[b];
    for (size_t i = 0; i < n; i++)
        if (bid[i] != UINT32_MAX && iid[i] != UINT32_MAX)
            items[boff[bid[i]]++] = iid[i];
    for (size_t b = nb; b > 0; b--) /* fill advanced each start to the next one's */
        boff[b] = boff[b - 1];
    boff[0] = 0;
    custops__free(bid);
    custops__free(iid);
    bid = iid = NULL;

    /* dedupe each basket and compact; drop oversized ones; count n(A), N */
    na = custops__calloc(ni ? ni : 1, sizeof *na);
    if (!na) {
        rc = custops__nomem();
        goto done;
    }
    size_t w = 0, nbaskets = 0, start = 0;
    for (size_t b = 0; b < nb; b++) {
        size_t end = boff[b + 1];
        size_t m = sort_unique(items + start, end - start);
        if (m > (size_t)o->max_basket_items || m == 0)
            m = 0;
        else
            nbaskets++;
        memmove(items + w, items + start, m * sizeof *items);
        for (size_t j = 0; j < m; j++)
            na[items[w + j]]++;
        start = end;
        boff[b] = w;
        w += m;
        boff[b + 1] = w;
    }

    /* item -> baskets, compressed */
    ioff = custops__calloc(ni + 1, sizeof *ioff);
    bask = custops__reallocarray(NULL, w ? w : 1, sizeof *bask);
    cnt = custops__calloc(ni ? ni : 1, sizeof *cnt);
    touched = custops__reallocarray(NULL, ni ? ni : 1, sizeof *touched);
    heap = custops__reallocarray(NULL, (size_t)o->top_k, sizeof *heap);
    if (!ioff || !bask || !cnt || !touched || !heap) {
        rc = custops__nomem();
        goto done;
    }
    for (size_t a = 0; a < ni; a++)
        ioff[a + 1] = ioff[a] + na[a];
    for (size_t b = 0; b < nb; b++)
        for (size_t j = boff[b]; j < boff[b + 1]; j++)
            bask[ioff[items[j]]++] = (uint32_t)b;
    for (size_t a = ni; a > 0; a--)
        ioff[a] = ioff[a - 1];
    ioff[0] = 0;

    double nbd = (double)nbaskets;
    double need = ceil(o->min_support * nbd - 1e-9);
    uint64_t min_count = (uint64_t)o->min_count;
    if (need > (double)min_count)
        min_count = (uint64_t)need;
    size_t k = (size_t)o->top_k;
    for (size_t a = 0; a < ni; a++) {
        if (na[a] < min_count)
            continue;
        size_t nt = 0;
        for (size_t j = ioff[a]; j < ioff[a + 1]; j++) {
            uint32_t b = bask[j];
            for (size_t x = boff[b]; x < boff[b + 1]; x++) {
                uint32_t it = items[x];
                if (it != a && cnt[it]++ == 0)
                    touched[nt++] = it;
            }
        }
        /* top k by a binary min-heap whose root is the worst kept */
        size_t h = 0;
        for (size_t t = 0; t < nt; t++) {
            uint32_t it = touched[t];
            if (cnt[it] < min_count)
                continue;
            if (h < k) {
                size_t c = h++;
                while (c > 0) {
                    size_t p = (c - 1) / 2;
                    if (!better(o->rank_by, cnt[heap[p]], na[heap[p]], heap[p], cnt[it], na[it], it))
                        break;
                    heap[c] = heap[p];
                    c = p;
                }
                heap[c] = it;
            } else if (better(o->rank_by, cnt[it], na[it], it, cnt[heap[0]], na[heap[0]], heap[0])) {
                size_t c = 0;
                for (;;) {
                    size_t l = 2 * c + 1, r = l + 1, m = c;
                    uint32_t worst = it;
                    if (l < h && better(o->rank_by, cnt[worst], na[worst], worst, cnt[heap[l]], na[heap[l]], heap[l]))
                        m = l, worst = heap[l];
                    if (r < h && better(o->rank_by, cnt[worst], na[worst], worst, cnt[heap[r]], na[heap[r]], heap[r]))
                        m = r, worst = heap[r];
                    if (m == c)
                        break;
                    heap[c] = heap[m];
                    c = m;
                }
                heap[c] = it;
            }
        }
        if ((rc = out_grow(&oc, oc.n + h)))
            goto done;
        /* pop worst-first into place from the back */
        size_t base = oc.n;
        for (size_t r = h; r > 0; r--) {
            uint32_t top = heap[0], last = heap[r - 1];
            size_t c = 0, len = r - 1;
            for (;;) {
                size_t l = 2 * c + 1, rr = l + 1, m = c;
                uint32_t worst = last;
                if (l < len && better(o->rank_by, cnt[worst], na[worst], worst, cnt[heap[l]], na[heap[l]], heap[l]))
                    m = l, worst = heap[l];
                if (rr < len && better(o->rank_by, cnt[worst], na[worst], worst, cnt[heap[rr]], na[heap[rr]], heap[rr]))
                    m = rr, worst = heap[rr];
                if (m == c)
                    break;
                heap[c] = heap[m];
                c = m;
            }
            if (len)
                heap[c] = last;
            size_t row = base + r - 1;
            double cab = cnt[top], cA = na[a], cB = na[top];
            oc.a[row] = icodes[a];
            oc.b[row] = icodes[top];
            oc.rank[row] = (int64_t)r;
            oc.cab[row] = cnt[top];
            oc.ca[row] = na[a];
            oc.cb[row] = na[top];
            oc.sup[row] = cab / nbd;
            oc.conf[row] = cab / cA;
            oc.lift[row] = cab * nbd / (cA * cB);
        }
        oc.n += h;
        for (size_t t = 0; t < nt; t++)
            cnt[touched[t]] = 0;
    }

    if ((rc = custops_frame_new(&f)) || (rc = out_grow(&oc, 1)))
        goto done;
    custops__an_put_i64(f, &rc, "item_a", oc.a, oc.n);
    custops__an_put_i64(f, &rc, "item_b", oc.b, oc.n);
    custops__an_put_i64(f, &rc, "rank", oc.rank, oc.n);
    custops__an_put_i64(f, &rc, "count_ab", oc.cab, oc.n);
    custops__an_put_i64(f, &rc, "count_a", oc.ca, oc.n);
    custops__an_put_i64(f, &rc, "count_b", oc.cb, oc.n);
    custops__an_put_f64(f, &rc, "support", oc.sup, oc.n);
    custops__an_put_f64(f, &rc, "confidence", oc.conf, oc.n);
    custops__an_put_f64(f, &rc, "lift", oc.lift, oc.n);
    memset(&oc, 0, sizeof oc); /* the frame owns (or freed) the columns */
    if (!rc) {
        *out = f;
        f = NULL;
    }
done:
    custops_frame_free(f);
    custops__free(oc.a), custops__free(oc.b), custops__free(oc.rank), custops__free(oc.cab), custops__free(oc.ca);
    custops__free(oc.cb), custops__free(oc.sup), custops__free(oc.conf), custops__free(oc.lift);
    custops__free(bid), custops__free(iid), custops__free(items), custops__free(bask), custops__free(cnt);
    custops__free(touched), custops__free(heap), custops__free(bcodes), custops__free(icodes);
    custops__free(boff), custops__free(ioff), custops__free(na);
    return rc;
}
