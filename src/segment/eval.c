/* Columnar evaluation. The plan is walked once per block of 4096 rows; each
 * leaf is a tight loop over one column array that packs comparisons into
 * 64-bit words (the compiler vectorises the compare), and AND/OR/NOT are
 * word operations. An AND skips its right side where the left is empty and
 * an OR where the left is full, which is what makes selective first
 * clauses cheap. */
#include "segment_internal.h"

#include <math.h>

static inline uint64_t tail_mask(size_t m) { return (m & 63) ? (((uint64_t)1 << (m & 63)) - 1) : ~(uint64_t)0; }

static void k_range(const int64_t *v, size_t m, int64_t lo, int64_t hi, uint64_t *out)
{
    size_t nw = (m + 63) / 64;
    if (hi < lo) {
        memset(out, 0, nw * sizeof *out);
        return;
    }
    uint64_t ulo = (uint64_t)lo, span = (uint64_t)hi - (uint64_t)lo;
    for (size_t w = 0; w < nw; w++) {
        const int64_t *x = v + w * 64;
        size_t cnt = (w + 1 == nw) ? m - w * 64 : 64;
        uint64_t bits = 0;
        if (cnt == 64) {
            for (size_t j = 0; j < 64; j++)
                bits |= (uint64_t)(((uint64_t)x[j] - ulo) <= span) << j;
        } else {
            for (size_t j = 0; j < cnt; j++)
                bits |= (uint64_t)(((uint64_t)x[j] - ulo) <= span) << j;
        }
        out[w] = bits;
    }
}

static void k_nonneg(const int64_t *v, size_t m, uint64_t *out)
{
    k_range(v, m, 0, INT64_MAX, out);
}

static void k_frange(const double *v, size_t m, double lo, double hi, uint64_t *out)
{
    size_t nw = (m + 63) / 64;
    for (size_t w = 0; w < nw; w++) {
        const double *x = v + w * 64;
        size_t cnt = (w + 1 == nw) ? m - w * 64 : 64;
        uint64_t bits = 0;
        for (size_t j = 0; j < cnt; j++)
            bits |= (uint64_t)((x[j] >= lo) & (x[j] <= hi)) << j;
        out[w] = bits;
    }
}

static void k_notnan(const double *v, size_t m, uint64_t *out)
{
    k_frange(v, m, -INFINITY, INFINITY, out);
}

static int in_set(const int64_t *set, size_t n, int64_t x)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (set[mid] < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && set[lo] == x;
}

static void k_set(const int64_t *v, size_t m, const int64_t *set, size_t n, uint64_t *out)
{
    size_t nw = (m + 63) / 64;
    for (size_t w = 0; w < nw; w++) {
        const int64_t *x = v + w * 64;
        size_t cnt = (w + 1 == nw) ? m - w * 64 : 64;
        uint64_t bits = 0;
        if (n <= 8) {
            for (size_t j = 0; j < cnt; j++) {
                int hit = 0;
                for (size_t k = 0; k < n; k++)
                    hit |= x[j] == set[k];
                bits |= (uint64_t)hit << j;
            }
        } else {
            for (size_t j = 0; j < cnt; j++)
                bits |= (uint64_t)in_set(set, n, x[j]) << j;
        }
        out[w] = bits;
    }
}

static void k_tag(const int64_t *v, size_t m, int64_t mask, uint64_t *out)
{
    size_t nw = (m + 63) / 64;
    for (size_t w = 0; w < nw; w++) {
        const int64_t *x = v + w * 64;
        size_t cnt = (w + 1 == nw) ? m - w * 64 : 64;
        uint64_t bits = 0;
        for (size_t j = 0; j < cnt; j++)
            bits |= (uint64_t)((x[j] & mask) != 0) << j;
        out[w] = bits;
    }
}

static void leaf_block(const seg_leaf *l, size_t row0, size_t m, uint64_t *out, uint64_t *tmp)
{
    size_t nw = (m + 63) / 64;
    int negate = l->negate, valid_i64 = 0, valid_f64 = 0;
    switch (l->kind) {
    case L_I64:
        k_range(l->i64 + row0, m, l->date && l->lo < 0 && !negate ? 0 : l->lo, l->hi, out);
        valid_i64 = l->date;
        break;
    case L_FUNC:
        k_range(l->counts + row0, m, l->lo, l->hi, out);
        break;
    case L_F64:
        k_frange(l->f64 + row0, m, l->flo, l->fhi, out);
        valid_f64 = 1;
        break;
    case L_PCT:
        if (l->pct_empty)
            memset(out, 0, nw * sizeof *out);
        else if (l->pct_is_f64)
            k_frange(l->f64 + row0, m, l->flo, l->fhi, out);
        else
            k_range(l->i64 + row0, m, l->lo, l->hi, out);
        break;
    case L_SET:
        k_set(l->i64 + row0, m, l->set, l->nset, out);
        break;
    case L_TAG:
        k_tag(l->i64 + row0, m, l->mask, out);
        break;
    case L_NULL:
        if (l->i64)
            k_range(l->i64 + row0, m, -1, -1, out);
        else if (l->f64) {
            k_notnan(l->f64 + row0, m, out);
            for (size_t w = 0; w < nw; w++)
                out[w] = ~out[w];
        } else
            memcpy(out, l->bits + row0 / 64, nw * sizeof *out);
        break;
    case L_STR:
        memcpy(out, l->bits + row0 / 64, nw * sizeof *out);
        break;
    }
    if (negate) {
        for (size_t w = 0; w < nw; w++)
            out[w] = ~out[w];
        /* a missing value is neither equal nor unequal to anything */
        if (valid_i64) {
            k_nonneg(l->i64 + row0, m, tmp);
            for (size_t w = 0; w < nw; w++)
                out[w] &= tmp[w];
        } else if (valid_f64) {
            k_notnan(l->f64 + row0, m, tmp);
            for (size_t w = 0; w < nw; w++)
                out[w] &= tmp[w];
        }
    }
    out[nw - 1] &= tail_mask(m);
}

void seg_eval_block(const custops_audience *a, int node, size_t row0, size_t m, uint64_t *out, uint64_t *stack)
{
    const seg_node *n = &a->nodes[node];
    size_t nw = (m + 63) / 64;
    switch (n->kind) {
    case N_LEAF:
        leaf_block(&a->leaves[n->a], row0, m, out, stack);
        return;
    case N_NOT:
        seg_eval_block(a, n->a, row0, m, out, stack);
        for (size_t w = 0; w < nw; w++)
            out[w] = ~out[w];
        out[nw - 1] &= tail_mask(m);
        return;
    case N_AND: {
        seg_eval_block(a, n->a, row0, m, out, stack);
        uint64_t any = 0;
        for (size_t w = 0; w < nw; w++)
            any |= out[w];
        if (!any)
            return;
        seg_eval_block(a, n->b, row0, m, stack, stack + SEG_BLOCK_WORDS);
        for (size_t w = 0; w < nw; w++)
            out[w] &= stack[w];
        return;
    }
    case N_OR: {
        seg_eval_block(a, n->a, row0, m, out, stack);
        uint64_t all = ~(uint64_t)0;
        for (size_t w = 0; w + 1 < nw; w++)
            all &= out[w];
        if (all == ~(uint64_t)0 && out[nw - 1] == tail_mask(m))
            return;
        seg_eval_block(a, n->b, row0, m, stack, stack + SEG_BLOCK_WORDS);
        for (size_t w = 0; w < nw; w++)
            out[w] |= stack[w];
        return;
    }
    }
}

int seg_leaf_test(const seg_leaf *l, size_t row)
{
    int r = 0, valid = 1;
    switch (l->kind) {
    case L_I64: {
        int64_t v = l->i64[row];
        r = v >= l->lo && v <= l->hi;
        if (l->date) {
            valid = v >= 0;
            r = r && valid;
        }
        break;
    }
    case L_FUNC: r = l->counts[row] >= l->lo && l->counts[row] <= l->hi; break;
    case L_F64: {
        double v = l->f64[row];
        r = v >= l->flo && v <= l->fhi;
        valid = v == v;
        break;
    }
    case L_PCT:
        if (l->pct_empty)
            r = 0;
        else if (l->pct_is_f64)
            r = l->f64[row] >= l->flo && l->f64[row] <= l->fhi;
        else
            r = l->i64[row] >= l->lo && l->i64[row] <= l->hi;
        break;
    case L_SET: r = in_set(l->set, l->nset, l->i64[row]); break;
    case L_TAG: r = (l->i64[row] & l->mask) != 0; break;
    case L_NULL:
        if (l->i64)
            r = l->i64[row] == -1;
        else if (l->f64)
            r = l->f64[row] != l->f64[row];
        else
            r = (int)((l->bits[row >> 6] >> (row & 63)) & 1);
        break;
    case L_STR: r = (int)((l->bits[row >> 6] >> (row & 63)) & 1); break;
    }
    if (l->negate)
        r = !r && valid;
    return r;
}

int custops_audience_evaluate(custops_bitset **out, custops_audience *a)
{
    CUSTOPS__CHECK_NULL(out);
    *out = NULL;
    CUSTOPS__CHECK_NULL(a);
    if (custops_frame_nrows(a->ctx.customers) != a->nrows)
        return custops__err(CUSTOPS_ESTATE, "the customers frame changed size since the audience was compiled");
    int rc = seg_prepare(a);
    if (rc)
        return rc;
    custops_bitset *bs;
    if ((rc = custops_bitset_new(&bs, a->nrows)))
        return rc;
    uint64_t *stack = custops__calloc((a->depth + 1) * SEG_BLOCK_WORDS, sizeof *stack);
    if (!stack) {
        custops_bitset_free(bs);
        return custops__nomem();
    }
    uint64_t *words = seg_bitset_words(bs);
    for (size_t row0 = 0; row0 < a->nrows; row0 += SEG_BLOCK) {
        size_t m = a->nrows - row0 < SEG_BLOCK ? a->nrows - row0 : SEG_BLOCK;
        seg_eval_block(a, a->root, row0, m, words + row0 / 64, stack);
    }
    custops__free(stack);
    *out = bs;
    return CUSTOPS_OK;
}
