/* Builds a lines frame of the data contract by hand, row by row, so the
 * analytics tests need no store. */
#ifndef LINESBUF_H
#define LINESBUF_H

#include "testutil.h"

typedef struct linesbuf {
    int64_t *cust, *order, *time, *sku, *cat, *qty, *amount;
    size_t n, cap;
} linesbuf;

static inline void lb_add(linesbuf *b, int64_t cust, int64_t order, int64_t time, int64_t sku, int64_t cat,
                          int64_t qty, int64_t amount)
{
    if (b->n == b->cap) {
        b->cap = b->cap ? b->cap * 2 : 64;
        int64_t **cols[] = {&b->cust, &b->order, &b->time, &b->sku, &b->cat, &b->qty, &b->amount};
        for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++) {
            *cols[i] = realloc(*cols[i], b->cap * sizeof(int64_t));
            ck_assert_ptr_nonnull(*cols[i]);
        }
    }
    b->cust[b->n] = cust;
    b->order[b->n] = order;
    b->time[b->n] = time;
    b->sku[b->n] = sku;
    b->cat[b->n] = cat;
    b->qty[b->n] = qty;
    b->amount[b->n] = amount;
    b->n++;
}

/* The frame (columns of the contract the analytics read) and free the buffer. */
static inline custops_frame *lb_frame(linesbuf *b)
{
    custops_frame *f;
    ck_assert_ok(custops_frame_new(&f));
    ck_assert_ok(custops_frame_add_int64(f, "customer", b->cust, b->n));
    ck_assert_ok(custops_frame_add_int64(f, "order", b->order, b->n));
    ck_assert_ok(custops_frame_add_int64(f, "time", b->time, b->n));
    ck_assert_ok(custops_frame_add_int64(f, "sku", b->sku, b->n));
    ck_assert_ok(custops_frame_add_int64(f, "category", b->cat, b->n));
    ck_assert_ok(custops_frame_add_int64(f, "qty", b->qty, b->n));
    ck_assert_ok(custops_frame_add_int64(f, "amount", b->amount, b->n));
    free(b->cust), free(b->order), free(b->time), free(b->sku), free(b->cat), free(b->qty), free(b->amount);
    memset(b, 0, sizeof *b);
    return f;
}

static inline int64_t fr_i64(const custops_frame *f, const char *name, size_t row)
{
    size_t c;
    const int64_t *v;
    ck_assert_ok(custops_frame_find(f, name, &c));
    ck_assert_ok(custops_frame_int64(f, c, &v));
    ck_assert_uint_lt(row, custops_frame_nrows(f));
    return v[row];
}

static inline double fr_f64(const custops_frame *f, const char *name, size_t row)
{
    size_t c;
    const double *v;
    ck_assert_ok(custops_frame_find(f, name, &c));
    ck_assert_ok(custops_frame_double(f, c, &v));
    ck_assert_uint_lt(row, custops_frame_nrows(f));
    return v[row];
}

/* SplitMix64 uniform in [0, 1), for reproducible simulations. */
static inline double test_unif(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    return (double)(z >> 11) * 0x1.0p-53;
}

#endif
