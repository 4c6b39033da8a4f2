/* Saving and loading the whole store (kind "STOR", version 1) through the
 * core save-file frame (checksummed header and payload, atomic replace).
 *
 * Payload: zone name, currency, the intern tables (customers, orders,
 * refund ids, six dictionaries) as counted string lists, then the tables
 * (lines, orders, refunds, events, attributes) as a row count and each
 * column as little-endian int64 values (whatever width it has in memory). The loader re-interns every string
 * (a duplicate means damage), checks every code against the table it
 * points into and only then hands out the store, so a damaged file gives
 * CUSTOPS_ECORRUPT and never a store that could index out of bounds. */
#include "store_internal.h"

#define KIND "STOR"
#define VERSION 1

static void put_strings(custops__buf *b, const custops__intern *t)
{
    custops__buf_u64(b, t->count);
    for (uint32_t i = 0; i < t->count; i++)
        custops__buf_str(b, custops__intern_str(t, i));
}

static void put_table(custops__buf *b, const st_table *t, size_t n)
{
    custops__buf_u64(b, n);
    for (int c = 0; c < t->ncols; c++)
        for (size_t i = 0; i < n; i++)
            custops__buf_i64(b, st_get(t, c, i));
}

/* lines as saved: customer, order, time, then the stored columns */
static void put_lines(custops__buf *b, const custops_store *s)
{
    custops__buf_u64(b, s->lines.n);
    for (int c = 0; c < ST_LINE_VIEW_COLS; c++)
        for (size_t i = 0; i < s->lines.n; i++)
            custops__buf_i64(b, st_line_view(s, c, i));
}

int custops_store_save(const custops_store *s, const char *path)
{
    CUSTOPS__CHECK_NULL(s);
    CUSTOPS__CHECK_NULL(path);
    custops__buf b;
    custops__buf_init(&b);
    custops__buf_str(&b, custops_zone_name(s->zone));
    custops__buf_str(&b, s->currency);
    put_strings(&b, &s->customers);
    put_strings(&b, &s->orders);
    put_strings(&b, &s->refund_ids);
    for (int d = 0; d < D_COUNT; d++)
        put_strings(&b, &s->dict[d]);
    put_lines(&b, s);
    put_table(&b, &s->ord, s->orders.count);
    put_table(&b, &s->refunds, s->refunds.n);
    put_table(&b, &s->events, s->events.n);
    put_table(&b, &s->attrs, s->customers.count);
    int rc = custops__buf_status(&b);
    if (rc == 0)
        rc = custops__save_atomic(path, KIND, VERSION, b.data, b.len);
    custops__buf_release(&b);
    return rc;
}

static int corrupt(const char *what, const char *msg)
{
    return custops__err(CUSTOPS_ECORRUPT, "%s: %s", what, msg);
}

static int get_strings(custops__rd *r, custops__intern *t, const char *what)
{
    uint64_t n;
    int rc = custops__rd_count(r, &n, 4);
    if (rc == 0 && n >= UINT32_MAX)
        rc = corrupt(what, "string table too large");
    for (uint64_t i = 0; rc == 0 && i < n; i++) {
        uint32_t len, id;
        const void *p;
        if ((rc = custops__rd_u32(r, &len)) || (rc = custops__rd_view(r, &p, len)))
            break;
        if ((rc = custops__intern_put(t, p, len, &id, NULL)) != 0)
            break;
        if (id != i)
            rc = corrupt(what, "string table holds a duplicate");
    }
    if (rc == CUSTOPS_EINVAL) /* a NUL inside a string */
        rc = corrupt(what, "string holds a NUL byte");
    return rc;
}

/* lx NULL: the file's columns are t's. lx not NULL: the saved lines
 * (ST_LINE_VIEW_COLS columns), whose customer and time go to lx's
 * columns 0 and 1 (to be checked against their orders) and the rest to t. */
static int get_table(custops__rd *r, st_table *t, st_table *lx, size_t expect, int check_n, const char *what)
{
    uint64_t n;
    int nfile = lx ? ST_LINE_VIEW_COLS : t->ncols;
    int rc = custops__rd_count(r, &n, (size_t)nfile * 8);
    if (rc)
        return rc;
    if (check_n && n != expect)
        return corrupt(what, "table length does not match its string table");
    if ((rc = custops__st_table_reserve(t, (size_t)n ? (size_t)n : 1)) != 0 ||
        (lx && (rc = custops__st_table_reserve(lx, (size_t)n ? (size_t)n : 1)) != 0))
        return rc;
    for (int f = 0; f < nfile; f++) {
        st_table *d = t;
        int c = f;
        if (lx) {
            d = f == 0 || f == 2 ? lx : t;
            c = f == 0 ? 0 : f == 2 ? 1 : f == 1 ? L_ORDER : f - 2;
        }
        const void *p;
        if ((rc = custops__rd_view(r, &p, (size_t)n * 8)) != 0)
            return rc;
        const unsigned char *q = p;
        for (size_t i = 0; i < (size_t)n; i++) {
            uint64_t v = 0;
            for (int k = 7; k >= 0; k--)
                v = (v << 8) | q[i * 8 + (size_t)k];
            if ((rc = st_set(d, c, i, (int64_t)v)) != 0)
                return rc;
        }
    }
    t->n = (size_t)n;
    if (lx)
        lx->n = (size_t)n;
    return CUSTOPS_OK;
}

static int in(int64_t v, int64_t lo, uint64_t n) { return v >= lo && (v < 0 || (uint64_t)v < n); }

static int validate(const custops_store *s, const st_table *lx, const char *what)
{
    uint64_t nc = s->customers.count, no = s->orders.count;
    const uint64_t *nd = NULL;
    (void)nd;
    uint64_t nsku = s->dict[D_SKU].count, ncat = s->dict[D_CATEGORY].count, ncp = s->dict[D_COUPON].count,
             nch = s->dict[D_CHANNEL].count, nreg = s->dict[D_REGION].count;
    const st_table *L = &s->lines;
    for (size_t i = 0; i < s->lines.n; i++) {
        int64_t cust = st_get(lx, 0, i), time = st_get(lx, 1, i), order = st_get(L, L_ORDER, i);
        if (!in(cust, 0, nc) || !in(order, 0, no) || !in(st_get(L, L_SKU, i), 0, nsku) ||
            !in(st_get(L, L_CATEGORY, i), -1, ncat) || !in(st_get(L, L_COUPON, i), -1, ncp) ||
            !in(st_get(L, L_CHANNEL, i), -1, nch) || st_get(L, L_QTY, i) <= 0 || st_get(L, L_AMOUNT, i) < 0 ||
            st_get(L, L_DISCOUNT, i) < 0 || !st_time_ok(time) || st_get(&s->ord, O_CUSTOMER, (size_t)order) != cust ||
            st_get(&s->ord, O_TIME, (size_t)order) != time)
            return corrupt(what, "an order line refers outside the saved tables");
    }
    for (size_t o = 0; o < s->ord.n; o++)
        if (!in(st_get(&s->ord, O_CUSTOMER, o), 0, nc) || !st_time_ok(st_get(&s->ord, O_TIME, o)))
            return corrupt(what, "an order refers to no customer");
    for (size_t i = 0; i < s->refunds.n; i++)
        if (!in(st_get(&s->refunds, R_ORDER, i), 0, no) || !in(st_get(&s->refunds, R_SKU, i), -1, nsku) ||
            st_get(&s->refunds, R_AMOUNT, i) <= 0 || !st_time_ok(st_get(&s->refunds, R_TIME, i)))
            return corrupt(what, "a refund refers outside the saved tables");
    const st_table *E = &s->events;
    for (size_t i = 0; i < s->events.n; i++)
        if (!in(st_get(E, E_CUSTOMER, i), 0, nc) || !in(st_get(E, E_TYPE, i), 0, 7) ||
            !in(st_get(E, E_SKU, i), -1, nsku) || !in(st_get(E, E_CATEGORY, i), -1, ncat) ||
            !in(st_get(E, E_COUPON, i), -1, ncp) || !st_time_ok(st_get(E, E_TIME, i)))
            return corrupt(what, "an event refers outside the saved tables");
    const st_table *A = &s->attrs;
    for (size_t c = 0; c < s->attrs.n; c++)
        if (!in(st_get(A, C_GENDER, c), 0, 3) || !in(st_get(A, C_REGION, c), -1, nreg) || (st_get(A, C_SMS, c) & ~1) ||
            (st_get(A, C_EMAIL, c) & ~1) || (st_get(A, C_PUSH, c) & ~1) ||
            (st_get(A, C_MEMBER_SINCE, c) != -1 && !st_time_ok(st_get(A, C_MEMBER_SINCE, c))))
            return corrupt(what, "customer attributes out of range");
    return CUSTOPS_OK;
}

int custops__st_decode(custops_store **out, const void *payload, size_t len, uint32_t version, const char *what)
{
    *out = NULL;
    if (version != VERSION)
        return custops__err(CUSTOPS_EVERSION, "%s: store format version %u is not supported", what, version);
    custops__rd r;
    custops__rd_init(&r, payload, len, what);
    char *zone = NULL, *currency = NULL;
    int rc = custops__rd_str(&r, &zone);
    if (rc == 0)
        rc = custops__rd_str(&r, &currency);
    custops_store *s = NULL;
    if (rc == 0 && (rc = custops_store_new(&s, zone, currency)) != 0 && rc != CUSTOPS_ENOMEM)
        rc = corrupt(what, "unknown zone or currency");
    custops__free(zone);
    custops__free(currency);
    st_table lx; /* the saved lines' customer and time, checked against their orders */
    custops__st_table_init(&lx, 2);
    custops__st_table_set_base(&lx, 1, ST_TIME_BASE);
    if (rc == 0)
        rc = get_strings(&r, &s->customers, what);
    if (rc == 0)
        rc = get_strings(&r, &s->orders, what);
    if (rc == 0)
        rc = get_strings(&r, &s->refund_ids, what);
    for (int d = 0; rc == 0 && d < D_COUNT; d++)
        rc = get_strings(&r, &s->dict[d], what);
    if (rc == 0)
        rc = get_table(&r, &s->lines, &lx, 0, 0, what);
    if (rc == 0)
        rc = get_table(&r, &s->ord, NULL, s->orders.count, 1, what);
    if (rc == 0)
        rc = get_table(&r, &s->refunds, NULL, s->refund_ids.count, 1, what);
    if (rc == 0)
        rc = get_table(&r, &s->events, NULL, 0, 0, what);
    if (rc == 0)
        rc = get_table(&r, &s->attrs, NULL, s->customers.count, 1, what);
    if (rc == 0 && custops__rd_left(&r) != 0)
        rc = corrupt(what, "trailing bytes after the store");
    if (rc == 0)
        rc = validate(s, &lx, what);
    custops__st_table_release(&lx);
    if (rc) {
        custops_store_free(s);
        return rc;
    }
    /* re-derive order and the refunded column rather than trusting them */
    s->lines_sorted = s->events_sorted = 0;
    *out = s;
    return CUSTOPS_OK;
}

int custops_store_load(custops_store **out, const char *path)
{
    CUSTOPS__CHECK_NULL(out);
    *out = NULL;
    CUSTOPS__CHECK_NULL(path);
    void *payload;
    size_t len;
    uint32_t version;
    int rc = custops__load_file(path, KIND, VERSION, &payload, &len, &version);
    if (rc)
        return rc;
    rc = custops__st_decode(out, payload, len, version, path);
    custops__free(payload);
    return rc;
}
