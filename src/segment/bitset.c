/* Bitsets: one bit per customer row, 64 rows per word. The tail bits of
 * the last word are always zero, so counts and set algebra need no masks. */
#include "segment_internal.h"

struct custops_bitset {
    size_t n, nw;
    uint64_t *w;
};

/* private accessor for the evaluator */
uint64_t *seg_bitset_words(custops_bitset *bs) { return bs->w; }

int custops_bitset_new(custops_bitset **out, size_t n)
{
    CUSTOPS__CHECK_NULL(out);
    *out = NULL;
    if (n > ((size_t)1 << 40))
        return custops__err(CUSTOPS_EINVAL, "bitset of %zu rows is too large", n);
    custops_bitset *bs = custops__calloc(1, sizeof *bs);
    if (!bs)
        return custops__nomem();
    bs->n = n;
    bs->nw = (n + 63) / 64;
    bs->w = custops__calloc(bs->nw ? bs->nw : 1, sizeof *bs->w);
    if (!bs->w) {
        custops__free(bs);
        return custops__nomem();
    }
    *out = bs;
    return CUSTOPS_OK;
}

void custops_bitset_free(custops_bitset *bs)
{
    if (!bs)
        return;
    custops__free(bs->w);
    custops__free(bs);
}

size_t custops_bitset_size(const custops_bitset *bs) { return bs ? bs->n : 0; }

size_t custops_bitset_count(const custops_bitset *bs)
{
    if (!bs)
        return 0;
    size_t c = 0;
    for (size_t i = 0; i < bs->nw; i++)
        c += (size_t)__builtin_popcountll(bs->w[i]);
    return c;
}

int custops_bitset_test(const custops_bitset *bs, size_t i)
{
    if (!bs || i >= bs->n)
        return 0;
    return (int)((bs->w[i >> 6] >> (i & 63)) & 1);
}

int custops_bitset_set(custops_bitset *bs, size_t i, int on)
{
    CUSTOPS__CHECK_NULL(bs);
    if (i >= bs->n)
        return custops__err(CUSTOPS_EINVAL, "row %zu is outside the bitset of %zu rows", i, bs->n);
    uint64_t m = (uint64_t)1 << (i & 63);
    if (on)
        bs->w[i >> 6] |= m;
    else
        bs->w[i >> 6] &= ~m;
    return CUSTOPS_OK;
}

static int same(const custops_bitset *a, const custops_bitset *b)
{
    CUSTOPS__CHECK_NULL(a);
    CUSTOPS__CHECK_NULL(b);
    if (a->n != b->n)
        return custops__err(CUSTOPS_EINVAL, "bitsets differ in size (%zu and %zu rows)", a->n, b->n);
    return CUSTOPS_OK;
}

int custops_bitset_union(custops_bitset *dst, const custops_bitset *src)
{
    int rc = same(dst, src);
    if (rc)
        return rc;
    for (size_t i = 0; i < dst->nw; i++)
        dst->w[i] |= src->w[i];
    return CUSTOPS_OK;
}

int custops_bitset_intersect(custops_bitset *dst, const custops_bitset *src)
{
    int rc = same(dst, src);
    if (rc)
        return rc;
    for (size_t i = 0; i < dst->nw; i++)
        dst->w[i] &= src->w[i];
    return CUSTOPS_OK;
}

int custops_bitset_minus(custops_bitset *dst, const custops_bitset *src)
{
    int rc = same(dst, src);
    if (rc)
        return rc;
    for (size_t i = 0; i < dst->nw; i++)
        dst->w[i] &= ~src->w[i];
    return CUSTOPS_OK;
}

int custops_bitset_copy(custops_bitset **out, const custops_bitset *bs)
{
    CUSTOPS__CHECK_NULL(out);
    *out = NULL;
    CUSTOPS__CHECK_NULL(bs);
    int rc = custops_bitset_new(out, bs->n);
    if (rc)
        return rc;
    if (bs->nw)
        memcpy((*out)->w, bs->w, bs->nw * sizeof *bs->w);
    return CUSTOPS_OK;
}

int custops_bitset_ids(int64_t **ids_out, size_t *n_out, const custops_bitset *bs)
{
    CUSTOPS__CHECK_NULL(ids_out);
    *ids_out = NULL;
    CUSTOPS__CHECK_NULL(n_out);
    *n_out = 0;
    CUSTOPS__CHECK_NULL(bs);
    size_t c = custops_bitset_count(bs);
    if (c == 0)
        return CUSTOPS_OK;
    int64_t *ids = custops__malloc(c * sizeof *ids);
    if (!ids)
        return custops__nomem();
    size_t k = 0;
    for (size_t i = 0; i < bs->nw; i++)
        for (uint64_t w = bs->w[i]; w; w &= w - 1)
            ids[k++] = (int64_t)(i * 64 + (size_t)__builtin_ctzll(w));
    *ids_out = ids;
    *n_out = c;
    return CUSTOPS_OK;
}

int custops_bitset_to_bytes(const custops_bitset *bs, uint8_t *out, size_t n)
{
    CUSTOPS__CHECK_NULL(bs);
    if (n && !out)
        return custops__err(CUSTOPS_EINVAL, "%s: argument 'out' is NULL", __func__);
    if (n != bs->n)
        return custops__err(CUSTOPS_EINVAL, "output has %zu bytes, the bitset %zu rows", n, bs->n);
    for (size_t i = 0; i < n; i++)
        out[i] = (uint8_t)((bs->w[i >> 6] >> (i & 63)) & 1);
    return CUSTOPS_OK;
}
