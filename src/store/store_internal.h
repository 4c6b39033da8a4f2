/* Private layout of the profile store, shared by its source files.
 *
 * Every record kind is a table of integer columns of equal length, each as
 * narrow as its values allow, grown by doubling (by a quarter past 8M
 * rows; no per-row allocation); strings live in intern tables and columns
 * hold their dense ids. Rows are appended in arrival order and put into
 * (customer, time, order) order lazily, the first time a view or a
 * feature pass needs it (st_prepare). The customer, order and dictionary
 * intern tables index their strings themselves (hash-tagged slots, one
 * cache miss per probe, core/intern.c). */
#ifndef CUSTOPS_STORE_INTERNAL_H
#define CUSTOPS_STORE_INTERNAL_H

#include "core/internal.h"

/* order line columns. A line's customer and time are its order's (every
 * line of an order shares them), so they are read through ord. */
enum { L_ORDER, L_SKU, L_CATEGORY, L_QTY, L_AMOUNT, L_DISCOUNT, L_REFUNDED, L_COUPON, L_CHANNEL, L_NCOLS };
/* columns of the lines view and of a saved lines table, in that order:
 * customer, order, time, then L_SKU.. as stored */
#define ST_LINE_VIEW_COLS (L_NCOLS + 2)
/* per-order columns, indexed by order id */
enum { O_CUSTOMER, O_TIME, O_NCOLS };
/* refund columns; row i is refund id i */
enum { R_ORDER, R_TIME, R_SKU, R_QTY, R_AMOUNT, R_NCOLS };
/* event columns */
enum { E_CUSTOMER, E_TIME, E_TYPE, E_SKU, E_CATEGORY, E_COUPON, E_NCOLS };
/* customer attribute columns, indexed by customer id */
enum { C_GENDER, C_BIRTH_YEAR, C_REGION, C_MEMBER_SINCE, C_SMS, C_EMAIL, C_PUSH, C_TAGS, C_NCOLS };
/* dictionaries */
enum { D_SKU, D_CATEGORY, D_COUPON, D_CHANNEL, D_REGION, D_TAG, D_COUNT };

#define ST_MAXCOLS 12

/* Front cache of dictionary codes for values of at most 7 bytes (store.c):
 * sku, category, channel and coupon values are short, and one compare of a
 * packed word replaces hashing the value and probing the index. Entries
 * are only ever true (value -> code) facts; rollback, the one thing that
 * drops dictionary codes, clears the cache. 16384 entries (256 KiB, an
 * L2's worth): with 4096, a catalogue of 5,000 short SKUs missed often
 * enough that CSV ingest lost about 10%. Two ways per set (entries 2k and
 * 2k + 1, one cache line): direct-mapped, a quarter of 5,000 SKUs shared
 * their entry with another and kept missing. */
#define ST_DCACHE_BITS 14
#define ST_DCACHE_SIZE (1u << ST_DCACHE_BITS)
typedef struct st_dcache_ent {
    uint64_t key; /* the value's bytes, its length at bit 56, the dictionary at bit 60; 0 = empty */
    uint32_t code;
    uint32_t dict;
} st_dcache_ent;

/* A table of narrow integer columns. Column c stores each value v as
 * v - base[c] in width[c] bytes (1, 2, 4 or 8; base is 0 at width 8), and
 * widens in place, for all its rows, the first time a value does not fit:
 * most columns hold small codes, quantities or times near ST_TIME_BASE.
 * Widths only grow, so rollback (which only shortens n) stays valid. */
typedef struct st_table {
    size_t n, cap;
    int ncols;
    void *col[ST_MAXCOLS];
    uint8_t width[ST_MAXCOLS];
    int64_t base[ST_MAXCOLS];
} st_table;

/* the accessors sit in every row's path: always inline them */
#define ST_INLINE static inline __attribute__((always_inline))

/* base of the time columns: 2023-11-14, so 4 bytes hold 1956..2091 */
#define ST_TIME_BASE INT64_C(1700000000)

ST_INLINE int64_t st_get(const st_table *t, int c, size_t i)
{
    const void *p = t->col[c];
    switch (t->width[c]) {
    case 1:
        return t->base[c] + ((const int8_t *)p)[i];
    case 2:
        return t->base[c] + ((const int16_t *)p)[i];
    case 4:
        return t->base[c] + ((const int32_t *)p)[i];
    default:
        return ((const int64_t *)p)[i];
    }
}

/* can column c hold v at its present width? */
ST_INLINE int st_fits(const st_table *t, int c, int64_t v)
{
    int64_t d;
    if (t->width[c] == 8)
        return 1;
    if (__builtin_sub_overflow(v, t->base[c], &d))
        return 0;
    return t->width[c] == 1 ? d == (int8_t)d : t->width[c] == 2 ? d == (int16_t)d : d == (int32_t)d;
}

/* store v, which must fit (st_fits), in row i of column c */
ST_INLINE void st_put(st_table *t, int c, size_t i, int64_t v)
{
    void *p = t->col[c];
    switch (t->width[c]) {
    case 1:
        ((int8_t *)p)[i] = (int8_t)(v - t->base[c]);
        break;
    case 2:
        ((int16_t *)p)[i] = (int16_t)(v - t->base[c]);
        break;
    case 4:
        ((int32_t *)p)[i] = (int32_t)(v - t->base[c]);
        break;
    default:
        ((int64_t *)p)[i] = v;
        break;
    }
}

/* widen column c (all cap rows) so that it holds v; ENOMEM leaves it as it was */
int custops__st_widen(st_table *t, int c, int64_t v);

/* row i of column c = v after widening the column (st_set's rare case) */
int custops__st_set_wide(st_table *t, int c, size_t i, int64_t v);

/* row i of column c = v, widening the column first if needed. One test of
 * the width serves both the fit test and the store (st_fits then st_put
 * tested it twice, in the path of every column of every row), and tests in
 * a row rather than a switch: its jump table cost more than the tests. */
ST_INLINE int st_set(st_table *t, int c, size_t i, int64_t v)
{
    void *p = t->col[c];
    const unsigned w = t->width[c];
    int64_t d;
    if (w == 1) {
        if (!__builtin_sub_overflow(v, t->base[c], &d) && d == (int8_t)d) {
            ((int8_t *)p)[i] = (int8_t)d;
            return CUSTOPS_OK;
        }
    } else if (w == 4) {
        if (!__builtin_sub_overflow(v, t->base[c], &d) && d == (int32_t)d) {
            ((int32_t *)p)[i] = (int32_t)d;
            return CUSTOPS_OK;
        }
    } else if (w == 2) {
        if (!__builtin_sub_overflow(v, t->base[c], &d) && d == (int16_t)d) {
            ((int16_t *)p)[i] = (int16_t)d;
            return CUSTOPS_OK;
        }
    } else {
        ((int64_t *)p)[i] = v;
        return CUSTOPS_OK;
    }
    return custops__st_set_wide(t, c, i, v);
}

struct custops_store {
    custops_zone *zone;
    char currency[4];
    int exponent;
    custops__intern customers, orders, refund_ids;
    custops__intern dict[D_COUNT];
    st_table lines, ord, refunds, events, attrs;
    int lines_sorted, events_sorted; /* rows are in view order */
    /* last order seen by the line path: consecutive lines of one order skip lookups */
    uint32_t last_order;
    int have_last_order;
    /* last code looked up per dictionary and the last customer: lines of one
     * order repeat channel, coupon and customer, and a string compare with
     * the last value is far cheaper than a hash probe. A stale code is safe:
     * it is checked against the table size and compared byte for byte. */
    uint32_t last_dict[D_COUNT];
    uint32_t last_customer;
    st_dcache_ent dcache[ST_DCACHE_SIZE];
};

/* Is string id of t exactly (p, n)? Lengths come from the offsets, so a
 * mismatch is usually decided without touching the bytes. */
static inline int st_is(const custops__intern *t, uint32_t id, const char *p, size_t n)
{
    if (id >= t->count)
        return 0;
    size_t end = id + 1 < t->count ? (size_t)t->offsets[id + 1] : t->arena_len;
    return end - (size_t)t->offsets[id] - 1 == n && memcmp(t->arena + t->offsets[id], p, n) == 0;
}

/* customer, time and column k of the view (ST_LINE_VIEW_COLS) of line i */
static inline int64_t st_line_customer(const custops_store *s, size_t i)
{
    return st_get(&s->ord, O_CUSTOMER, (size_t)st_get(&s->lines, L_ORDER, i));
}
static inline int64_t st_line_time(const custops_store *s, size_t i)
{
    return st_get(&s->ord, O_TIME, (size_t)st_get(&s->lines, L_ORDER, i));
}
static inline int64_t st_line_view(const custops_store *s, int k, size_t i)
{
    return k == 0 ? st_line_customer(s, i) : k == 1 ? st_get(&s->lines, L_ORDER, i)
                                           : k == 2 ? st_line_time(s, i)
                                                    : st_get(&s->lines, k - 2, i);
}

/* names of the dictionaries, in D_ order, as custops_store_dict() takes them */
extern const char *const custops__store_dict_names[D_COUNT];

/* Sums of money in the feature and refund passes saturate instead of
 * overflowing: hostile input can hold many near-INT64_MAX amounts. */
static inline int64_t st_add(int64_t a, int64_t b)
{
    int64_t r;
    if (__builtin_add_overflow(a, b, &r))
        return b > 0 ? INT64_MAX : INT64_MIN;
    return r;
}

/* Instants the store accepts: years 1..9999, so every later local-day and
 * hour computation stays far from int64 overflow. */
#define ST_TIME_MIN INT64_C(-62135596800)
#define ST_TIME_MAX INT64_C(253402300799)
static inline int st_time_ok(int64_t t) { return t >= ST_TIME_MIN && t <= ST_TIME_MAX; }

/* ---- tables (store.c) ---- */
/* every column starts 1 byte wide with base 0; set_base before any row */
void custops__st_table_init(st_table *t, int ncols);
void custops__st_table_set_base(st_table *t, int c, int64_t base);
void custops__st_table_release(st_table *t);
int custops__st_table_reserve(st_table *t, size_t need);
/* the same, with the test that nearly always passes inline (row paths) */
ST_INLINE int st_reserve(st_table *t, size_t need)
{
    return need <= t->cap ? CUSTOPS_OK : custops__st_table_reserve(t, need);
}
/* Give back the spare capacity of the growth (done once a store
 * is put in view order, where ingest has usually finished). */
void custops__st_table_shrink(st_table *t);
size_t custops__st_table_bytes(const st_table *t);

/* ---- batches: remember sizes, undo everything added after (store.c) ---- */
typedef struct st_mark {
    size_t lines, refunds, events;
    uint32_t customers, orders, refund_ids, dict[D_COUNT];
    int lines_sorted, events_sorted;
} st_mark;
void custops__st_mark(const custops_store *s, st_mark *m);
void custops__st_rollback(custops_store *s, const st_mark *m);

/* ---- record application shared by the C batch API and the parsers ----
 * Strings are (pointer, length) slices, len 0 = absent. On a bad record
 * they return CUSTOPS_EINVAL/ERANGE/ENOTFOUND with the message in *msg
 * (no custops__err) and the offending field in *field (ST_F_ ids below);
 * CUSTOPS_ENOMEM/ELIMIT come with a recorded error. */
typedef struct st_str {
    const char *p;
    size_t n;
} st_str;

enum {
    ST_F_ORDER_ID, ST_F_CUSTOMER_ID, ST_F_TIME, ST_F_CURRENCY, ST_F_SKU, ST_F_CATEGORY, ST_F_QTY, ST_F_UNIT_PRICE,
    ST_F_DISCOUNT, ST_F_COUPON_CODE, ST_F_CHANNEL, ST_F_REFUND_ID, ST_F_AMOUNT, ST_F_TYPE, ST_F_GENDER,
    ST_F_BIRTH_YEAR, ST_F_REGION, ST_F_MEMBER_SINCE, ST_F_TAGS, ST_F_CONSENT_SMS, ST_F_CONSENT_EMAIL,
    ST_F_CONSENT_PUSH, ST_F_COUNT
};
extern const char *const custops__st_field_names[ST_F_COUNT];

typedef struct st_line_rec {
    st_str order, customer, sku, category, coupon, channel;
    int64_t time, qty, unit_price, discount;
    int hashed;         /* hashes holds custops__intern_hash of order and customer */
    uint64_t hashes[2];
    int nul_free;       /* the caller knows no field holds a NUL byte (skips the scans) */
    /* the caller knows this line repeats the order, customer and time of the
     * line added just before (accepted): no order or customer lookup */
    int same_order;
} st_line_rec;
typedef struct st_refund_rec {
    st_str refund, order, sku;
    int64_t time, qty, amount;
} st_refund_rec;
typedef struct st_event_rec {
    st_str customer, sku, category, coupon;
    int64_t time, type;
} st_event_rec;
typedef struct st_customer_rec {
    st_str customer, region, tags;
    int64_t gender, birth_year, member_since, sms, email, push;
} st_customer_rec;

int custops__st_add_line(custops_store *s, const st_line_rec *r, int *field, char *msg, size_t cap);
/* a hint before custops__st_add_line: hash the line's order and customer
 * ids into hashes[0..1] (for st_line_rec.hashes) and prefetch their slots.
 * Returns 1 (it did). Worth it only for a line that does not repeat the
 * order of the line before (else add_line looks nothing up). */
int custops__st_prefetch_line(const custops_store *s, const st_str *order, const st_str *customer, uint64_t *hashes);
/* later hints for a line prefetch_line hashed: stage 2 (the ids' offsets,
 * once the slots are loaded), stage 3 (the ids' strings) */
void custops__st_prefetch_line_id(const custops_store *s, const uint64_t *hashes, int stage);
/* *ignored set when the refund id was already known */
int custops__st_add_refund(custops_store *s, const st_refund_rec *r, int *ignored, int *field, char *msg, size_t cap);
int custops__st_add_event(custops_store *s, const st_event_rec *r, int *field, char *msg, size_t cap);
/* Customer records are staged (interning what they name) and written by
 * st_commit_customers, so a failed batch never half-changes attributes. */
int custops__st_stage_customer(custops_store *s, st_table *stage, const st_customer_rec *r, int *field, char *msg,
                               size_t cap);
void custops__st_commit_customers(custops_store *s, const st_table *stage);
#define ST_STAGE_COLS (1 + C_NCOLS)

/* event type name <-> code; -1 if unknown */
int custops__st_event_type(const char *p, size_t n);
extern const char *const custops__st_event_names[7];

/* time text (ISO 8601 with offset, naive local in the store zone, or Unix
 * seconds) -> instant; CUSTOPS_EPARSE without message on failure */
int custops__st_parse_time(const custops_store *s, const char *p, size_t n, int64_t *out);

/* ---- ordering (views.c) ---- */
int custops__st_prepare(custops_store *s);
/* put row i of t where perm[i] was; fails (ENOMEM) only before changing anything */
int custops__st_apply_perm(st_table *t, const uint32_t *perm);
/* a frame with one string column holding every string of t in id order */
int custops__st_intern_frame(const custops__intern *t, const char *col, custops_frame **out);

/* ---- persistence payload (persist.c), also driven by the fuzz target ---- */
int custops__st_decode(custops_store **out, const void *payload, size_t len, uint32_t version, const char *what);

#endif
