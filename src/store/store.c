/* The store handle, its column tables, batch rollback and the record
 * functions every input path (C arrays, CSV, JSON Lines) goes through, so
 * the validation rules live in one place. */
#include "store_internal.h"

#include <stdio.h>

const char *const custops__store_dict_names[D_COUNT] = {"sku", "category", "coupon", "channel", "region", "tag"};

const char *const custops__st_field_names[ST_F_COUNT] = {
    "order_id", "customer_id", "time",   "currency",     "sku",  "category",    "qty",           "unit_price",
    "discount", "coupon_code", "channel", "refund_id",   "amount", "type",      "gender",        "birth_year",
    "region",   "member_since", "tags",  "consent_sms", "consent_email", "consent_push"};

const char *const custops__st_event_names[7] = {"visit",           "view",        "cart_add", "favourite",
                                                "coupon_received", "coupon_used", "login"};

int custops__st_event_type(const char *p, size_t n)
{
    for (int i = 0; i < 7; i++)
        if (strlen(custops__st_event_names[i]) == n && memcmp(custops__st_event_names[i], p, n) == 0)
            return i;
    return -1;
}

/* ---- tables ---- */

void custops__st_table_init(st_table *t, int ncols)
{
    memset(t, 0, sizeof *t);
    t->ncols = ncols;
    for (int c = 0; c < ncols; c++)
        t->width[c] = 1;
}

void custops__st_table_set_base(st_table *t, int c, int64_t base) { t->base[c] = base; }

void custops__st_table_release(st_table *t)
{
    for (int c = 0; c < t->ncols; c++)
        custops__free(t->col[c]);
    int n = t->ncols;
    uint8_t width[ST_MAXCOLS];
    int64_t base[ST_MAXCOLS];
    memcpy(width, t->width, sizeof width);
    memcpy(base, t->base, sizeof base);
    memset(t, 0, sizeof *t);
    t->ncols = n;
    memcpy(t->width, width, sizeof width);
    memcpy(t->base, base, sizeof base);
}

int custops__st_table_reserve(st_table *t, size_t need)
{
    if (need <= t->cap)
        return CUSTOPS_OK;
    /* the elements are int64 at most: the widest a column can become */
    size_t cap = custops__grow_cap(t->cap, need, sizeof(int64_t), 256);
    if (!cap)
        return custops__err(CUSTOPS_ELIMIT, "store table too large");
    /* columns that grew before a failure keep their larger block: harmless */
    for (int c = 0; c < t->ncols; c++) {
        void *p = custops__reallocarray(t->col[c], cap, t->width[c]);
        if (!p)
            return custops__nomem();
        t->col[c] = p;
    }
    t->cap = cap;
    return CUSTOPS_OK;
}

/* the width of column c that holds v: widths only grow, and the base stays
 * (it is 0 from width 8 on, where every value fits as it is) */
static int width_for(const st_table *t, int c, int64_t v)
{
    int64_t d;
    if (__builtin_sub_overflow(v, t->base[c], &d))
        return 8;
    int w = d == (int8_t)d ? 1 : d == (int16_t)d ? 2 : d == (int32_t)d ? 4 : 8;
    return w > t->width[c] ? w : t->width[c];
}

int custops__st_widen(st_table *t, int c, int64_t v)
{
    int w = width_for(t, c, v), w0 = t->width[c];
    if (w == w0)
        return CUSTOPS_OK;
    if (t->cap) {
        /* every row up to cap: callers may write a row before counting it */
        void *p = custops__reallocarray(t->col[c], t->cap, (size_t)w);
        if (!p)
            return custops__nomem();
        t->col[c] = p;
        /* in place from the last row down: row i's new bytes start at or
         * after its old ones and end before any later row's old bytes */
        st_table old = *t, wide = *t;
        old.width[c] = (uint8_t)w0;
        wide.width[c] = (uint8_t)w;
        for (size_t i = t->cap; i-- > 0;)
            st_put(&wide, c, i, st_get(&old, c, i));
    }
    t->width[c] = (uint8_t)w;
    if (w == 8)
        t->base[c] = 0;
    return CUSTOPS_OK;
}

int custops__st_set_wide(st_table *t, int c, size_t i, int64_t v)
{
    int rc = custops__st_widen(t, c, v);
    if (rc)
        return rc;
    st_put(t, c, i, v);
    return CUSTOPS_OK;
}

void custops__st_table_shrink(st_table *t)
{
    if (t->cap <= 256 || t->cap == t->n)
        return;
    size_t cap = t->n ? t->n : 1;
    for (int c = 0; c < t->ncols; c++) {
        /* a failed shrink keeps the larger block: harmless, so ignore it */
        void *p = custops__realloc(t->col[c], cap * t->width[c]);
        if (!p)
            break; /* this and later columns keep their larger blocks */
        t->col[c] = p;
    }
    t->cap = cap; /* every column holds at least cap entries either way */
}

size_t custops__st_table_bytes(const st_table *t)
{
    size_t b = 0;
    for (int c = 0; c < t->ncols; c++)
        b += t->cap * t->width[c];
    return b;
}

static size_t intern_bytes(const custops__intern *t)
{
    return t->arena_cap + (size_t)t->ids_cap * sizeof *t->offsets + t->nslots * sizeof *t->slots;
}

/* ---- handle ---- */

int custops_store_new(custops_store **out, const char *zone, const char *currency)
{
    CUSTOPS__CHECK_NULL(out);
    *out = NULL;
    CUSTOPS__CHECK_NULL(zone);
    CUSTOPS__CHECK_NULL(currency);
    int exponent;
    int rc = custops_currency_exponent(currency, &exponent);
    if (rc)
        return rc;
    custops_store *s = custops__calloc(1, sizeof *s);
    if (!s)
        return custops__nomem();
    if ((rc = custops_zone_open(&s->zone, zone)) != 0) {
        custops__free(s);
        return rc;
    }
    memcpy(s->currency, currency, 3);
    s->exponent = exponent;
    custops__intern_init(&s->customers);
    custops__intern_init(&s->orders);
    custops__intern_init(&s->refund_ids);
    for (int d = 0; d < D_COUNT; d++)
        custops__intern_init(&s->dict[d]);
    custops__st_table_init(&s->lines, L_NCOLS);
    custops__st_table_init(&s->ord, O_NCOLS);
    custops__st_table_init(&s->refunds, R_NCOLS);
    custops__st_table_init(&s->events, E_NCOLS);
    custops__st_table_init(&s->attrs, C_NCOLS);
    custops__st_table_set_base(&s->ord, O_TIME, ST_TIME_BASE);
    custops__st_table_set_base(&s->refunds, R_TIME, ST_TIME_BASE);
    custops__st_table_set_base(&s->events, E_TIME, ST_TIME_BASE);
    custops__st_table_set_base(&s->attrs, C_MEMBER_SINCE, ST_TIME_BASE);
    s->lines_sorted = s->events_sorted = 1;
    *out = s;
    return CUSTOPS_OK;
}

void custops_store_free(custops_store *s)
{
    if (!s)
        return;
    custops_zone_free(s->zone);
    custops__intern_release(&s->customers);
    custops__intern_release(&s->orders);
    custops__intern_release(&s->refund_ids);
    for (int d = 0; d < D_COUNT; d++)
        custops__intern_release(&s->dict[d]);
    custops__st_table_release(&s->lines);
    custops__st_table_release(&s->ord);
    custops__st_table_release(&s->refunds);
    custops__st_table_release(&s->events);
    custops__st_table_release(&s->attrs);
    custops__free(s);
}

const char *custops_store_zone(const custops_store *s) { return s ? custops_zone_name(s->zone) : ""; }
const char *custops_store_currency(const custops_store *s) { return s ? s->currency : ""; }

int custops_store_stats(const custops_store *s, custops_store_counts *out)
{
    CUSTOPS__CHECK_NULL(s);
    CUSTOPS__CHECK_NULL(out);
    out->customers = s->customers.count;
    out->orders = s->orders.count;
    out->lines = s->lines.n;
    out->refunds = s->refunds.n;
    out->events = s->events.n;
    size_t b = sizeof *s + intern_bytes(&s->customers) + intern_bytes(&s->orders) + intern_bytes(&s->refund_ids);
    for (int d = 0; d < D_COUNT; d++)
        b += intern_bytes(&s->dict[d]);
    b += custops__st_table_bytes(&s->lines) + custops__st_table_bytes(&s->ord) +
         custops__st_table_bytes(&s->refunds) + custops__st_table_bytes(&s->events) +
         custops__st_table_bytes(&s->attrs);
    out->bytes = b;
    return CUSTOPS_OK;
}

/* ---- rollback ---- */

void custops__st_mark(const custops_store *s, st_mark *m)
{
    m->lines = s->lines.n;
    m->refunds = s->refunds.n;
    m->events = s->events.n;
    m->customers = s->customers.count;
    m->orders = s->orders.count;
    m->refund_ids = s->refund_ids.count;
    for (int d = 0; d < D_COUNT; d++)
        m->dict[d] = s->dict[d].count;
    m->lines_sorted = s->lines_sorted;
    m->events_sorted = s->events_sorted;
}

void custops__st_rollback(custops_store *s, const st_mark *m)
{
    s->lines.n = m->lines;
    s->refunds.n = m->refunds;
    s->events.n = m->events;
    s->lines_sorted = m->lines_sorted;
    s->events_sorted = m->events_sorted;
    s->have_last_order = 0;
    custops__intern_truncate(&s->customers, m->customers);
    custops__intern_truncate(&s->orders, m->orders);
    custops__intern_truncate(&s->refund_ids, m->refund_ids);
    for (int d = 0; d < D_COUNT; d++)
        custops__intern_truncate(&s->dict[d], m->dict[d]);
    memset(s->dcache, 0, sizeof s->dcache); /* it may name codes just dropped */
    s->ord.n = s->orders.count;
    s->attrs.n = s->customers.count;
}

/* ---- interning ---- */

/* is v the string of id in t? */
static int same(const custops__intern *t, uint32_t id, st_str v) { return st_is(t, id, v.p, v.n); }

static inline uint64_t byte_at(const char *p, size_t i) { return (unsigned char)p[i]; }

/* bytes 0..3 of p as a little-endian word (compilers make it one load) */
static inline uint64_t le32_at(const char *p)
{
    return byte_at(p, 0) | byte_at(p, 1) << 8 | byte_at(p, 2) << 16 | byte_at(p, 3) << 24;
}

/* v packed into one word when it is 1..7 bytes long (byte i at bits 8i,
 * the length in the top byte), else 0. Only bytes of v are read: two
 * overlapping 4-byte reads for 4..7 bytes, first/middle/last for 1..3. */
static inline uint64_t short_key(st_str v)
{
    size_t n = v.n;
    if (n == 0 || n > 7)
        return 0;
    uint64_t w;
    if (n >= 4)
        w = le32_at(v.p) | le32_at(v.p + n - 4) << (8 * (n - 4));
    else
        w = byte_at(v.p, 0) | byte_at(v.p, n / 2) << (8 * (n / 2)) | byte_at(v.p, n - 1) << (8 * (n - 1));
    return w | (uint64_t)n << 56;
}

/* put_dict past the front cache: e is the cache entry for key, NULL for a long value */
static int put_dict_slow(custops_store *s, int d, st_str v, uint64_t key, st_dcache_ent *e, int64_t *code)
{
    uint32_t id = s->last_dict[d];
    if (same(&s->dict[d], id, v)) {
        *code = id;
        return CUSTOPS_OK;
    }
    bool added;
    int rc = custops__intern_put(&s->dict[d], v.p, v.n, &id, &added);
    if (rc == 0) {
        *code = id;
        s->last_dict[d] = id;
        if (e) { /* the newest in the set's first way, the one it held moves to the second */
            e[1] = e[0];
            e[0] = (st_dcache_ent){key, id, (uint32_t)d};
        }
    }
    return rc;
}

/* the empty value and front cache hits inline (four calls a line), the rest out of line */
ST_INLINE int put_dict(custops_store *s, int d, st_str v, int64_t *code)
{
    if (v.n == 0) {
        *code = -1;
        return CUSTOPS_OK;
    }
    uint64_t key = short_key(v);
    st_dcache_ent *e = NULL;
    if (key) {
        key |= (uint64_t)d << 60; /* the dictionary too (the length needs bits 56..58 only) */
        e = &s->dcache[(key * 0x9E3779B97F4A7C15ULL) >> (64 - ST_DCACHE_BITS) & ~(uint64_t)1];
        if (e[0].key == key) {
            *code = e[0].code;
            return CUSTOPS_OK;
        }
        if (e[1].key == key) {
            *code = e[1].code;
            return CUSTOPS_OK;
        }
    }
    return put_dict_slow(s, d, v, key, e, code);
}

static int put_customer_h(custops_store *s, st_str v, const uint64_t *h, int64_t *code);
static int put_customer(custops_store *s, st_str v, int64_t *code) { return put_customer_h(s, v, NULL, code); }

/* h: the id's custops__intern_hash when the caller has it, else NULL */
static int put_customer_h(custops_store *s, st_str v, const uint64_t *h, int64_t *code)
{
    uint32_t id = s->last_customer;
    if (same(&s->customers, id, v)) {
        *code = id;
        return CUSTOPS_OK;
    }
    bool added;
    int rc = h ? custops__intern_put_h(&s->customers, v.p, v.n, *h, &id, &added)
               : custops__intern_put(&s->customers, v.p, v.n, &id, &added);
    if (rc)
        return rc;
    if (added) {
        if ((rc = st_reserve(&s->attrs, (size_t)id + 1)) != 0)
            return rc; /* the caller rolls the batch back, dropping the new id */
        st_table *a = &s->attrs;
        if ((rc = st_set(a, C_GENDER, id, 0)) || (rc = st_set(a, C_BIRTH_YEAR, id, -1)) ||
            (rc = st_set(a, C_REGION, id, -1)) || (rc = st_set(a, C_MEMBER_SINCE, id, -1)) ||
            (rc = st_set(a, C_SMS, id, 0)) || (rc = st_set(a, C_EMAIL, id, 0)) || (rc = st_set(a, C_PUSH, id, 0)) ||
            (rc = st_set(a, C_TAGS, id, 0)))
            return rc;
        s->attrs.n = (size_t)id + 1;
    }
    s->last_customer = id;
    *code = id;
    return CUSTOPS_OK;
}

static int bad(int *field, int f, char *msg, size_t cap, int status, const char *fmt, ...) CUSTOPS__PRINTF(6, 7);
static int bad(int *field, int f, char *msg, size_t cap, int status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, cap, fmt, ap);
    va_end(ap);
    *field = f;
    return status;
}

static int valid_id(st_str v) { return v.n > 0 && memchr(v.p, '\0', v.n) == NULL; }
static int has_nul(st_str v) { return v.n > 0 && memchr(v.p, '\0', v.n) != NULL; }

int custops__st_add_line(custops_store *s, const st_line_rec *r, int *field, char *msg, size_t cap)
{
    /* nul_free: the reader scanned the row for NUL bytes once, only emptiness is left */
    if (r->nul_free ? r->order.n == 0 : !valid_id(r->order))
        return bad(field, ST_F_ORDER_ID, msg, cap, CUSTOPS_EINVAL, "order_id is empty or holds a NUL byte");
    if (r->nul_free ? r->customer.n == 0 : !valid_id(r->customer))
        return bad(field, ST_F_CUSTOMER_ID, msg, cap, CUSTOPS_EINVAL, "customer_id is empty or holds a NUL byte");
    if (r->nul_free ? r->sku.n == 0 : !valid_id(r->sku))
        return bad(field, ST_F_SKU, msg, cap, CUSTOPS_EINVAL, "sku is empty or holds a NUL byte");
    if (!r->nul_free && (has_nul(r->category) || has_nul(r->coupon) || has_nul(r->channel)))
        return bad(field, has_nul(r->category) ? ST_F_CATEGORY : has_nul(r->coupon) ? ST_F_COUPON_CODE : ST_F_CHANNEL,
                   msg, cap, CUSTOPS_EINVAL, "field holds a NUL byte");
    if (!st_time_ok(r->time))
        return bad(field, ST_F_TIME, msg, cap, CUSTOPS_ERANGE, "time %lld is outside the years 1..9999",
                   (long long)r->time);
    if (r->qty <= 0)
        return bad(field, ST_F_QTY, msg, cap, CUSTOPS_EINVAL, "qty must be > 0, got %lld", (long long)r->qty);
    if (r->unit_price < 0)
        return bad(field, ST_F_UNIT_PRICE, msg, cap, CUSTOPS_EINVAL, "unit_price must be >= 0");
    int64_t gross;
    /* the overflow test inline; the call (which also records the error) only on overflow */
    if (__builtin_mul_overflow(r->unit_price, r->qty, &gross) && custops_money_mul(r->unit_price, r->qty, &gross) != 0)
        return bad(field, ST_F_QTY, msg, cap, CUSTOPS_ERANGE, "qty * unit_price overflows");
    if (r->discount < 0 || r->discount > gross)
        return bad(field, ST_F_DISCOUNT, msg, cap, CUSTOPS_EINVAL,
                   "discount must be between 0 and qty * unit_price (%lld), got %lld", (long long)gross,
                   (long long)r->discount);
    const st_table *ot = &s->ord;
    uint32_t oid;
    int64_t cust, order, sku, cat, coupon, channel;
    int rc;
    if (r->same_order) {
        /* the caller vouches that the line before was accepted with this
         * order, customer and time: nothing to look up or check, and the
         * line cannot break the view order (same customer, time, order) */
        oid = s->last_order;
        cust = -1;
    } else if (!r->hashed && s->have_last_order && st_is(&s->orders, s->last_order, r->order.p, r->order.n)) {
        /* consecutive lines of one order: the order, customer and time were
         * checked with its first line. (Not tried for a hashed line: the
         * reader saw another order on the line before, and the probe below
         * finds the last order too, with the same checks.) */
        oid = s->last_order;
        cust = st_get(ot, O_CUSTOMER, oid);
        const char *cs = custops__intern_str(&s->customers, (uint32_t)cust);
        if (!st_is(&s->customers, (uint32_t)cust, r->customer.p, r->customer.n))
            return bad(field, ST_F_CUSTOMER_ID, msg, cap, CUSTOPS_EINVAL,
                       "order '%.*s' belongs to customer '%s'", (int)r->order.n, r->order.p, cs);
        if (st_get(ot, O_TIME, oid) != r->time)
            return bad(field, ST_F_TIME, msg, cap, CUSTOPS_EINVAL, "lines of order '%.*s' have different times",
                       (int)r->order.n, r->order.p);
    } else {
        /* one probe for both cases: a new order is added here, a known one is checked */
        bool added;
        rc = r->hashed ? custops__intern_put_h(&s->orders, r->order.p, r->order.n, r->hashes[0], &oid, &added)
                       : custops__intern_put(&s->orders, r->order.p, r->order.n, &oid, &added);
        if (rc != 0)
            return rc;
        if (!added) {
            cust = st_get(ot, O_CUSTOMER, oid);
            const char *cs = custops__intern_str(&s->customers, (uint32_t)cust);
            if (!st_is(&s->customers, (uint32_t)cust, r->customer.p, r->customer.n))
                return bad(field, ST_F_CUSTOMER_ID, msg, cap, CUSTOPS_EINVAL,
                           "order '%.*s' belongs to customer '%s'", (int)r->order.n, r->order.p, cs);
            if (st_get(ot, O_TIME, oid) != r->time)
                return bad(field, ST_F_TIME, msg, cap, CUSTOPS_EINVAL, "lines of order '%.*s' have different times",
                           (int)r->order.n, r->order.p);
        } else {
            /* the order id is interned before its customer; if anything below fails the
             * caller rolls the batch back, and a rejected row (skip policy) cannot get here */
            if ((rc = put_customer_h(s, r->customer, r->hashed ? &r->hashes[1] : NULL, &cust)) != 0)
                return rc;
            if ((rc = st_reserve(&s->ord, (size_t)oid + 1)) != 0)
                return rc;
            if ((rc = st_set(&s->ord, O_CUSTOMER, oid, cust)) || (rc = st_set(&s->ord, O_TIME, oid, r->time)))
                return rc;
            s->ord.n = (size_t)oid + 1;
        }
    }
    s->last_order = oid;
    s->have_last_order = 1;
    order = oid;
    if ((rc = put_dict(s, D_SKU, r->sku, &sku)) || (rc = put_dict(s, D_CATEGORY, r->category, &cat)) ||
        (rc = put_dict(s, D_COUPON, r->coupon, &coupon)) || (rc = put_dict(s, D_CHANNEL, r->channel, &channel)))
        return rc;
    if ((rc = st_reserve(&s->lines, s->lines.n + 1)) != 0)
        return rc;
    size_t i = s->lines.n;
    st_table *c = &s->lines;
    /* a widening that fails leaves the row uncounted and the column wider: harmless */
    if ((rc = st_set(c, L_ORDER, i, order)) || (rc = st_set(c, L_SKU, i, sku)) ||
        (rc = st_set(c, L_CATEGORY, i, cat)) || (rc = st_set(c, L_QTY, i, r->qty)) ||
        (rc = st_set(c, L_AMOUNT, i, gross - r->discount)) || (rc = st_set(c, L_DISCOUNT, i, r->discount)) ||
        (rc = st_set(c, L_REFUNDED, i, 0)) || (rc = st_set(c, L_COUPON, i, coupon)) ||
        (rc = st_set(c, L_CHANNEL, i, channel)))
        return rc;
    if (s->lines_sorted && i > 0 && !r->same_order) {
        int64_t po = st_get(c, L_ORDER, i - 1);
        int64_t pc = st_get(&s->ord, O_CUSTOMER, (size_t)po), pt = st_get(&s->ord, O_TIME, (size_t)po);
        if (pc > cust || (pc == cust && (pt > r->time || (pt == r->time && po > order))))
            s->lines_sorted = 0;
    }
    s->lines.n = i + 1;
    return CUSTOPS_OK;
}

int custops__st_add_refund(custops_store *s, const st_refund_rec *r, int *ignored, int *field, char *msg, size_t cap)
{
    *ignored = 0;
    if (!valid_id(r->refund))
        return bad(field, ST_F_REFUND_ID, msg, cap, CUSTOPS_EINVAL, "refund_id is empty or holds a NUL byte");
    if (!valid_id(r->order))
        return bad(field, ST_F_ORDER_ID, msg, cap, CUSTOPS_EINVAL, "order_id is empty or holds a NUL byte");
    if (has_nul(r->sku))
        return bad(field, ST_F_SKU, msg, cap, CUSTOPS_EINVAL, "sku holds a NUL byte");
    if (!st_time_ok(r->time))
        return bad(field, ST_F_TIME, msg, cap, CUSTOPS_ERANGE, "time %lld is outside the years 1..9999",
                   (long long)r->time);
    if (r->amount <= 0)
        return bad(field, ST_F_AMOUNT, msg, cap, CUSTOPS_EINVAL, "amount must be > 0");
    if (r->qty < -1 || r->qty == 0)
        return bad(field, ST_F_QTY, msg, cap, CUSTOPS_EINVAL, "qty must be > 0 (or empty for all units)");
    uint32_t oid, rid;
    int rc;
    if (custops__intern_get(&s->orders, r->order.p, r->order.n, &oid) != 0) {
        return bad(field, ST_F_ORDER_ID, msg, cap, CUSTOPS_ENOTFOUND, "unknown order '%.*s' (ingest orders first)",
                   (int)r->order.n, r->order.p);
    }
    int64_t sku = -1;
    if (r->sku.n) {
        uint32_t id;
        if (custops__intern_get(&s->dict[D_SKU], r->sku.p, r->sku.n, &id) != 0)
            return bad(field, ST_F_SKU, msg, cap, CUSTOPS_ENOTFOUND, "unknown sku '%.*s'", (int)r->sku.n, r->sku.p);
        sku = id;
    }
    if (custops__intern_get(&s->refund_ids, r->refund.p, r->refund.n, &rid) == 0) {
        *ignored = 1; /* idempotency: a repeated refund id is ignored */
        return CUSTOPS_OK;
    }
    rc = custops__st_table_reserve(&s->refunds, s->refunds.n + 1);
    if (rc == 0)
        rc = custops__intern_put(&s->refund_ids, r->refund.p, r->refund.n, &rid, NULL);
    if (rc)
        return rc;
    size_t i = s->refunds.n;
    st_table *t = &s->refunds;
    if ((rc = st_set(t, R_ORDER, i, oid)) || (rc = st_set(t, R_TIME, i, r->time)) || (rc = st_set(t, R_SKU, i, sku)) ||
        (rc = st_set(t, R_QTY, i, r->qty)) || (rc = st_set(t, R_AMOUNT, i, r->amount)))
        return rc;
    s->refunds.n = i + 1;
    s->lines_sorted = 0; /* the refunded column must be recomputed */
    return CUSTOPS_OK;
}

int custops__st_add_event(custops_store *s, const st_event_rec *r, int *field, char *msg, size_t cap)
{
    if (!valid_id(r->customer))
        return bad(field, ST_F_CUSTOMER_ID, msg, cap, CUSTOPS_EINVAL, "customer_id is empty or holds a NUL byte");
    if (has_nul(r->sku) || has_nul(r->category) || has_nul(r->coupon))
        return bad(field, has_nul(r->sku) ? ST_F_SKU : has_nul(r->category) ? ST_F_CATEGORY : ST_F_COUPON_CODE, msg,
                   cap, CUSTOPS_EINVAL, "field holds a NUL byte");
    if (!st_time_ok(r->time))
        return bad(field, ST_F_TIME, msg, cap, CUSTOPS_ERANGE, "time %lld is outside the years 1..9999",
                   (long long)r->time);
    if (r->type < 0 || r->type > CUSTOPS_EVENT_LOGIN)
        return bad(field, ST_F_TYPE, msg, cap, CUSTOPS_EINVAL, "unknown event type %lld", (long long)r->type);
    int64_t cust, sku, cat, coupon;
    int rc;
    if ((rc = put_customer(s, r->customer, &cust)) || (rc = put_dict(s, D_SKU, r->sku, &sku)) ||
        (rc = put_dict(s, D_CATEGORY, r->category, &cat)) || (rc = put_dict(s, D_COUPON, r->coupon, &coupon)))
        return rc;
    if ((rc = custops__st_table_reserve(&s->events, s->events.n + 1)) != 0)
        return rc;
    size_t i = s->events.n;
    st_table *c = &s->events;
    if ((rc = st_set(c, E_CUSTOMER, i, cust)) || (rc = st_set(c, E_TIME, i, r->time)) ||
        (rc = st_set(c, E_TYPE, i, r->type)) || (rc = st_set(c, E_SKU, i, sku)) ||
        (rc = st_set(c, E_CATEGORY, i, cat)) || (rc = st_set(c, E_COUPON, i, coupon)))
        return rc;
    if (s->events_sorted && i > 0) {
        int64_t pc = st_get(c, E_CUSTOMER, i - 1);
        if (pc > cust || (pc == cust && st_get(c, E_TIME, i - 1) > r->time))
            s->events_sorted = 0;
    }
    s->events.n = i + 1;
    return CUSTOPS_OK;
}

int custops__st_stage_customer(custops_store *s, st_table *stage, const st_customer_rec *r, int *field, char *msg,
                               size_t cap)
{
    if (!valid_id(r->customer))
        return bad(field, ST_F_CUSTOMER_ID, msg, cap, CUSTOPS_EINVAL, "customer_id is empty or holds a NUL byte");
    if (has_nul(r->region) || has_nul(r->tags))
        return bad(field, has_nul(r->region) ? ST_F_REGION : ST_F_TAGS, msg, cap, CUSTOPS_EINVAL,
                   "field holds a NUL byte");
    if (r->member_since != -1 && !st_time_ok(r->member_since))
        return bad(field, ST_F_MEMBER_SINCE, msg, cap, CUSTOPS_ERANGE, "member_since is outside the years 1..9999");
    if (r->gender < 0 || r->gender > 2)
        return bad(field, ST_F_GENDER, msg, cap, CUSTOPS_EINVAL, "gender must be f, m or empty");
    if (r->birth_year != -1 && (r->birth_year < 1800 || r->birth_year > 9999))
        return bad(field, ST_F_BIRTH_YEAR, msg, cap, CUSTOPS_EINVAL, "birth_year %lld is out of range 1800..9999",
                   (long long)r->birth_year);
    if ((r->sms & ~1) || (r->email & ~1) || (r->push & ~1))
        return bad(field, r->sms & ~1 ? ST_F_CONSENT_SMS : r->email & ~1 ? ST_F_CONSENT_EMAIL : ST_F_CONSENT_PUSH,
                   msg, cap, CUSTOPS_EINVAL, "consent must be 1 or 0");
    int64_t cust, region, tags = 0;
    int rc;
    if ((rc = put_customer(s, r->customer, &cust)) || (rc = put_dict(s, D_REGION, r->region, &region)))
        return rc;
    size_t i0 = 0;
    while (i0 < r->tags.n) {
        size_t i1 = i0;
        while (i1 < r->tags.n && r->tags.p[i1] != '|')
            i1++;
        if (i1 > i0) {
            st_str t = {r->tags.p + i0, i1 - i0};
            int64_t code;
            if ((rc = put_dict(s, D_TAG, t, &code)) != 0)
                return rc;
            if (code < 64)
                tags |= (int64_t)((uint64_t)1 << code);
        }
        i0 = i1 + 1;
    }
    if ((rc = custops__st_table_reserve(stage, stage->n + 1)) != 0)
        return rc;
    size_t i = stage->n;
    int64_t v[ST_STAGE_COLS] = {cust, 0};
    v[1 + C_GENDER] = r->gender;
    v[1 + C_BIRTH_YEAR] = r->birth_year;
    v[1 + C_REGION] = region;
    v[1 + C_MEMBER_SINCE] = r->member_since;
    v[1 + C_SMS] = r->sms;
    v[1 + C_EMAIL] = r->email;
    v[1 + C_PUSH] = r->push;
    v[1 + C_TAGS] = tags;
    for (int c = 0; c < ST_STAGE_COLS; c++)
        if ((rc = st_set(stage, c, i, v[c])) != 0)
            return rc;
    /* widen the attribute columns now, so that committing cannot fail */
    for (int c = 0; c < C_NCOLS; c++)
        if (!st_fits(&s->attrs, c, v[1 + c]) && (rc = custops__st_widen(&s->attrs, c, v[1 + c])) != 0)
            return rc;
    stage->n = i + 1;
    return CUSTOPS_OK;
}

void custops__st_commit_customers(custops_store *s, const st_table *stage)
{
    for (size_t i = 0; i < stage->n; i++) {
        size_t id = (size_t)st_get(stage, 0, i);
        for (int c = 0; c < C_NCOLS; c++)
            st_put(&s->attrs, c, id, st_get(stage, 1 + c, i)); /* fits: stage_customer widened */
    }
}

int custops__st_prefetch_line(const custops_store *s, const st_str *order, const st_str *customer, uint64_t *hashes)
{
    /* The caller (the CSV reader) only asks for a line that does not repeat
     * the order of the line read before it, and the last order added is that
     * of a line read a few rows earlier: comparing with it found nothing. */
    hashes[0] = custops__intern_hash(order->p, order->n);
    hashes[1] = custops__intern_hash(customer->p, customer->n);
    custops__intern_prefetch(&s->orders, hashes[0]);
    custops__intern_prefetch(&s->customers, hashes[1]);
    return 1;
}

void custops__st_prefetch_line_id(const custops_store *s, const uint64_t *hashes, int stage)
{
    custops__intern_prefetch_id(&s->orders, hashes[0], stage);
    custops__intern_prefetch_id(&s->customers, hashes[1], stage);
}

/* ---- the C batch API ---- */

static st_str S(const char *p) { return (st_str){p, p ? strlen(p) : 0}; }

static int batch_fail(custops_store *s, const st_mark *m, int rc, size_t i, int field, const char *msg)
{
    if (rc != CUSTOPS_ENOMEM && rc != CUSTOPS_ELIMIT)
        custops__err(rc, "record %zu: %s: %s", i, custops__st_field_names[field], msg);
    custops__st_rollback(s, m);
    return rc;
}

int custops_store_add_lines(custops_store *s, const custops_order_line *lines, size_t n)
{
    CUSTOPS__CHECK_NULL(s);
    if (n && !lines)
        return custops__err(CUSTOPS_EINVAL, "custops_store_add_lines: lines is NULL");
    st_mark m;
    custops__st_mark(s, &m);
    char msg[512];
    for (size_t i = 0; i < n; i++) {
        const custops_order_line *l = &lines[i];
        st_line_rec r = {S(l->order_id), S(l->customer_id), S(l->sku),  S(l->category), S(l->coupon),
                         S(l->channel),  l->time,           l->qty,     l->unit_price,  l->discount};
        int field = 0, rc = custops__st_add_line(s, &r, &field, msg, sizeof msg);
        if (rc)
            return batch_fail(s, &m, rc, i, field, msg);
    }
    return CUSTOPS_OK;
}

int custops_store_add_refunds(custops_store *s, const custops_refund *refunds, size_t n)
{
    CUSTOPS__CHECK_NULL(s);
    if (n && !refunds)
        return custops__err(CUSTOPS_EINVAL, "custops_store_add_refunds: refunds is NULL");
    st_mark m;
    custops__st_mark(s, &m);
    char msg[512];
    for (size_t i = 0; i < n; i++) {
        const custops_refund *x = &refunds[i];
        st_refund_rec r = {S(x->refund_id), S(x->order_id), S(x->sku), x->time, x->qty, x->amount};
        int field = 0, ignored, rc = custops__st_add_refund(s, &r, &ignored, &field, msg, sizeof msg);
        if (rc)
            return batch_fail(s, &m, rc, i, field, msg);
    }
    return CUSTOPS_OK;
}

int custops_store_add_events(custops_store *s, const custops_event *events, size_t n)
{
    CUSTOPS__CHECK_NULL(s);
    if (n && !events)
        return custops__err(CUSTOPS_EINVAL, "custops_store_add_events: events is NULL");
    st_mark m;
    custops__st_mark(s, &m);
    char msg[512];
    for (size_t i = 0; i < n; i++) {
        const custops_event *x = &events[i];
        st_event_rec r = {S(x->customer_id), S(x->sku), S(x->category), S(x->coupon), x->time, x->type};
        int field = 0, rc = custops__st_add_event(s, &r, &field, msg, sizeof msg);
        if (rc)
            return batch_fail(s, &m, rc, i, field, msg);
    }
    return CUSTOPS_OK;
}

int custops_store_add_customers(custops_store *s, const custops_customer *customers, size_t n)
{
    CUSTOPS__CHECK_NULL(s);
    if (n && !customers)
        return custops__err(CUSTOPS_EINVAL, "custops_store_add_customers: customers is NULL");
    st_mark m;
    custops__st_mark(s, &m);
    st_table stage;
    custops__st_table_init(&stage, ST_STAGE_COLS);
    char msg[512];
    for (size_t i = 0; i < n; i++) {
        const custops_customer *x = &customers[i];
        st_customer_rec r = {S(x->customer_id), S(x->region),  S(x->tags),       x->gender,      x->birth_year,
                             x->member_since,   x->consent_sms, x->consent_email, x->consent_push};
        int field = 0, rc = custops__st_stage_customer(s, &stage, &r, &field, msg, sizeof msg);
        if (rc) {
            custops__st_table_release(&stage);
            return batch_fail(s, &m, rc, i, field, msg);
        }
    }
    custops__st_commit_customers(s, &stage);
    custops__st_table_release(&stage);
    return CUSTOPS_OK;
}
