/* Ingest driver and the row -> record conversion shared by CSV and JSON
 * Lines: numbers, money and times are parsed in place from the field
 * slices (no allocation per field), and every problem is reported as
 * "file:line:col: message" at the field concerned. */
#include "ingest_internal.h"

#include <stdio.h>

void custops_ingest_opts_init(custops_ingest_opts *o)
{
    if (o) {
        custops_ingest_opts d = CUSTOPS_INGEST_OPTS_INIT;
        *o = d;
    }
}

#define B(f) (1u << (f))
static const uint32_t ALLOWS[5] = {
    0,
    B(ST_F_ORDER_ID) | B(ST_F_CUSTOMER_ID) | B(ST_F_TIME) | B(ST_F_CURRENCY) | B(ST_F_SKU) | B(ST_F_CATEGORY) |
        B(ST_F_QTY) | B(ST_F_UNIT_PRICE) | B(ST_F_DISCOUNT) | B(ST_F_COUPON_CODE) | B(ST_F_CHANNEL),
    B(ST_F_REFUND_ID) | B(ST_F_ORDER_ID) | B(ST_F_TIME) | B(ST_F_SKU) | B(ST_F_QTY) | B(ST_F_AMOUNT),
    B(ST_F_CUSTOMER_ID) | B(ST_F_TIME) | B(ST_F_TYPE) | B(ST_F_SKU) | B(ST_F_CATEGORY) | B(ST_F_COUPON_CODE),
    B(ST_F_CUSTOMER_ID) | B(ST_F_GENDER) | B(ST_F_BIRTH_YEAR) | B(ST_F_REGION) | B(ST_F_MEMBER_SINCE) |
        B(ST_F_TAGS) | B(ST_F_CONSENT_SMS) | B(ST_F_CONSENT_EMAIL) | B(ST_F_CONSENT_PUSH)};
static const uint32_t REQUIRES[5] = {
    0,
    B(ST_F_ORDER_ID) | B(ST_F_CUSTOMER_ID) | B(ST_F_TIME) | B(ST_F_CURRENCY) | B(ST_F_SKU) | B(ST_F_QTY) |
        B(ST_F_UNIT_PRICE),
    B(ST_F_REFUND_ID) | B(ST_F_ORDER_ID) | B(ST_F_TIME) | B(ST_F_AMOUNT),
    B(ST_F_CUSTOMER_ID) | B(ST_F_TIME) | B(ST_F_TYPE),
    B(ST_F_CUSTOMER_ID)};

int custops__st_kind_allows(int kind, int field) { return kind >= 1 && kind <= 4 && (ALLOWS[kind] & B(field)); }
int custops__st_kind_requires(int kind, int field) { return kind >= 1 && kind <= 4 && (REQUIRES[kind] & B(field)); }

int custops__st_field_id(const char *p, size_t n)
{
    for (int f = 0; f < ST_F_COUNT; f++)
        if (strlen(custops__st_field_names[f]) == n && memcmp(custops__st_field_names[f], p, n) == 0)
            return f;
    return -1;
}

/* ---- errors and rejects ---- */

static int record_reject(st_ingest *g, int line, int col)
{
    g->res.rejected++;
    if (g->nrej >= g->o.max_rejects)
        return CUSTOPS_OK;
    if (g->nrej == g->rcap) {
        size_t c1 = g->rcap, c2 = g->rcap, c3 = g->rcap;
        if (CUSTOPS__GROW(g->rline, c1, g->nrej + 1) || CUSTOPS__GROW(g->rcol, c2, g->nrej + 1) ||
            CUSTOPS__GROW(g->rmsg, c3, g->nrej + 1))
            return CUSTOPS_ENOMEM;
        g->rcap = c1 < c2 ? (c1 < c3 ? c1 : c3) : (c2 < c3 ? c2 : c3);
    }
    char *m = custops__strdup(g->msg);
    if (!m)
        return custops__nomem();
    g->rline[g->nrej] = line;
    g->rcol[g->nrej] = col;
    g->rmsg[g->nrej] = m;
    g->nrej++;
    return CUSTOPS_OK;
}

int custops__st_row_error(st_ingest *g, int line, int col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(g->msg, sizeof g->msg, fmt, ap);
    va_end(ap);
    if (g->o.policy == CUSTOPS_INGEST_SKIP)
        return record_reject(g, line, col);
    size_t keep = g->o.max_rejects;
    g->o.max_rejects = keep ? keep : 1;
    int rc = record_reject(g, line, col); /* the failing row, for rejects_out */
    g->res.rejected = 0;
    if (rc)
        return rc;
    return custops__err(CUSTOPS_EPARSE, "%s:%d:%d: %s", g->name, line, col, g->msg);
}

int custops__st_fatal(st_ingest *g, int status, int line, int col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(g->msg, sizeof g->msg, fmt, ap);
    va_end(ap);
    return custops__err(status, "%s:%d:%d: %s", g->name, line, col, g->msg);
}

void custops__st_progress(st_ingest *g, const char *pos)
{
    uint64_t done = (uint64_t)(pos - g->text);
    if (g->o.progress && done >= g->next_progress) {
        g->o.progress(done, g->len, g->o.progress_ud);
        g->next_progress = done + (4u << 20);
    }
}

/* ---- field conversion ---- */

static int col_of(const st_row *r, int f)
{
    const char *p = st_row_pos(r, f) ? st_row_pos(r, f) : r->row_start;
    /* a field may start on a later physical line inside a quoted field: count from its own line */
    const char *ls = r->line_start;
    for (const char *q = r->row_start; q < p; q++)
        if (*q == '\n')
            ls = q + 1;
    return (int)(p - ls) + 1;
}

static int line_of(const st_row *r, int f)
{
    const char *p = st_row_pos(r, f) ? st_row_pos(r, f) : r->row_start;
    int line = r->line;
    for (const char *q = r->row_start; q < p; q++)
        line += *q == '\n';
    return line;
}

static int field_err(st_ingest *g, const st_row *r, int f, const char *fmt, ...) CUSTOPS__PRINTF(4, 5);
static int field_err(st_ingest *g, const st_row *r, int f, const char *fmt, ...)
{
    char m[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(m, sizeof m, fmt, ap);
    va_end(ap);
    return custops__st_row_error(g, line_of(r, f), col_of(r, f), "%s", m);
}

/* shown value of a field, cut short for messages */
#define SHOW(r, fld) (int)((r)->f[fld].n > 60 ? 60 : (r)->f[fld].n), (r)->f[fld].p

static int get_i64_slow(st_ingest *g, const st_row *r, int f, int64_t *out, int *bad)
{
    if (custops__parse_i64(r->f[f].p, r->f[f].n, out) != 0) {
        *bad = 1;
        return field_err(g, r, f, "expected an integer in column '%s', got '%.*s'", custops__st_field_names[f],
                         SHOW(r, f));
    }
    return 0;
}

/* A field of 1 to 18 digits, no sign (what custops__parse_i64 reads as
 * it is, never out of range), inline; the rest goes to custops__parse_i64. */
ST_INLINE int get_i64(st_ingest *g, const st_row *r, int f, int64_t dflt, int64_t *out, int *bad)
{
    const size_t n = r->f[f].n;
    if (n == 0) {
        *out = dflt;
        return 0;
    }
    if (n <= 18) {
        const char *p = r->f[f].p;
        uint64_t v = 0;
        size_t k;
        for (k = 0; k < n; k++) {
            unsigned d = (unsigned char)p[k] - '0';
            if (d > 9)
                break;
            v = v * 10 + d;
        }
        if (k == n) {
            *out = (int64_t)v;
            return 0;
        }
    }
    return get_i64_slow(g, r, f, out, bad);
}

/* The common amount: digits, then nothing or '.' and exactly the
 * currency's decimals ("129.90" for CNY), at most 18 digits once scaled to
 * minor units. No sign and no overflow possible (< 10^18), so this gives
 * what custops__parse_money gives without its per-digit checks; any other
 * text returns 0 and goes to custops__parse_money. */
ST_INLINE int quick_money(const char *p, size_t n, int exponent, int64_t *out)
{
    size_t ip = n, i;
    if (exponent > 0 && n > (size_t)exponent + 1 && p[n - (size_t)exponent - 1] == '.')
        ip = n - (size_t)exponent - 1; /* integer digits before the point */
    if (ip == 0 || ip + (size_t)exponent > 18)
        return 0;
    uint64_t v = 0;
    /* the integer digits, then the decimals: no test for the point per digit */
    for (i = 0; i < ip; i++) {
        unsigned d = (unsigned char)p[i] - '0';
        if (d > 9)
            return 0;
        v = v * 10 + d;
    }
    if (ip == n) {
        for (int k = 0; k < exponent; k++)
            v *= 10; /* "129" is 129.00 */
    } else {
        for (i = ip + 1; i < n; i++) {
            unsigned d = (unsigned char)p[i] - '0';
            if (d > 9)
                return 0;
            v = v * 10 + d;
        }
    }
    *out = (int64_t)v;
    return 1;
}

static int get_money_slow(st_ingest *g, const st_row *r, int f, int64_t *out, int *bad)
{
    int rc = custops__parse_money(r->f[f].p, r->f[f].n, g->s->exponent, out);
    if (rc == CUSTOPS_ERANGE) {
        *bad = 1;
        return field_err(g, r, f, "amount '%.*s' in column '%s' has more decimals than %s allows or is too large",
                         SHOW(r, f), custops__st_field_names[f], g->s->currency);
    }
    if (rc) {
        *bad = 1;
        return field_err(g, r, f, "expected a decimal amount in column '%s', got '%.*s'", custops__st_field_names[f],
                         SHOW(r, f));
    }
    return 0;
}

/* the common amounts inline, the rest (and the errors) out of line */
ST_INLINE int get_money(st_ingest *g, const st_row *r, int f, int64_t *out, int *bad)
{
    if (r->f[f].n == 0) {
        *out = 0;
        return 0;
    }
    if (quick_money(r->f[f].p, r->f[f].n, g->s->exponent, out))
        return 0;
    return get_money_slow(g, r, f, out, bad);
}

static int get_time(st_ingest *g, const st_row *r, int f, int64_t dflt, int64_t *out, int *bad)
{
    if (r->f[f].n == 0) {
        *out = dflt;
        return 0;
    }
    const st_str v = r->f[f];
    /* texts of 16 to 32 bytes (all ISO times with a zone) are compared and
     * kept as two overlapping 16-byte pieces: fixed sizes the compiler does
     * inline, where a call to memcmp or memcpy costs about twice as much */
    if (v.n == g->last_time_n &&
        (v.n >= 16 ? memcmp(v.p, g->last_time, 16) == 0 && memcmp(v.p + v.n - 16, g->last_time + v.n - 16, 16) == 0
                   : memcmp(v.p, g->last_time, v.n) == 0)) {
        *out = g->last_time_v;
        return 0;
    }
    if (custops__st_parse_time(g->s, v.p, v.n, out) == 0) {
        if (v.n >= 16 && v.n <= sizeof g->last_time) {
            memcpy(g->last_time, v.p, 16);
            memcpy(g->last_time + v.n - 16, v.p + v.n - 16, 16);
            g->last_time_n = v.n;
            g->last_time_v = *out;
        } else if (v.n <= sizeof g->last_time) {
            memcpy(g->last_time, v.p, v.n);
            g->last_time_n = v.n;
            g->last_time_v = *out;
        }
        return 0;
    }
    *bad = 1;
    return field_err(g, r, f,
                     "expected a time (ISO 8601, 'YYYY-MM-DD HH:MM:SS' or Unix seconds) in column '%s', got '%.*s'",
                     custops__st_field_names[f], SHOW(r, f));
}

static int get_flag(st_ingest *g, const st_row *r, int f, int64_t *out, int *bad)
{
    const st_str v = r->f[f];
    if (v.n == 0 || (v.n == 1 && v.p[0] == '0')) {
        *out = 0;
        return 0;
    }
    if (v.n == 1 && v.p[0] == '1') {
        *out = 1;
        return 0;
    }
    *bad = 1;
    return field_err(g, r, f, "expected 1 or 0 in column '%s', got '%.*s'", custops__st_field_names[f], SHOW(r, f));
}

/* a problem reported by the record functions of store.c */
static int record_err(st_ingest *g, const st_row *r, int rc, int field, const char *msg)
{
    if (rc == CUSTOPS_ENOMEM || rc == CUSTOPS_ELIMIT)
        return rc;
    if (field < 0 || field >= ST_F_COUNT)
        field = 0;
    return field_err(g, r, field, "%s", msg);
}

/* REQUIRES[CUSTOPS_RECORD_ORDER_LINE] spelt out: are all present? */
ST_INLINE int line_has_required(const st_row *r)
{
    return r->f[ST_F_ORDER_ID].n && r->f[ST_F_CUSTOMER_ID].n && r->f[ST_F_TIME].n && r->f[ST_F_CURRENCY].n &&
           r->f[ST_F_SKU].n && r->f[ST_F_QTY].n && r->f[ST_F_UNIT_PRICE].n;
}

int custops__st_apply_row(st_ingest *g, int kind, st_row *r)
{
    g->res.rows++;
    const int prev_ok = g->prev_line_ok;
    g->prev_line_ok = 0;
    /* the kind's required fields, lowest id first (the order messages name
     * them in); an order line's all at once first (the loop over the mask
     * cost some 80 instructions a line), the loop when one is empty */
    if (!(kind == CUSTOPS_RECORD_ORDER_LINE && line_has_required(r)))
        for (uint32_t req = kind >= 1 && kind <= 4 ? REQUIRES[kind] : 0; req; req &= req - 1) {
            int f = __builtin_ctz(req);
            if (r->f[f].n == 0) {
                int rc = st_row_pos(r, f)
                             ? field_err(g, r, f, "required field '%s' is empty", custops__st_field_names[f])
                             : field_err(g, r, f, "required field '%s' is missing", custops__st_field_names[f]);
                return rc ? rc : 1;
            }
        }
    int bad = 0, rc = 0, field = 0;
    char msg[512];
    custops_store *s = g->s;
    switch (kind) {
    case CUSTOPS_RECORD_ORDER_LINE: {
        /* every member named: no memset call for the rest */
        st_line_rec x = {.order = r->f[ST_F_ORDER_ID],
                         .customer = r->f[ST_F_CUSTOMER_ID],
                         .sku = r->f[ST_F_SKU],
                         .category = r->f[ST_F_CATEGORY],
                         .coupon = r->f[ST_F_COUPON_CODE],
                         .channel = r->f[ST_F_CHANNEL],
                         .time = 0,
                         .qty = 0,
                         .unit_price = 0,
                         .discount = 0,
                         .hashed = r->hashed,
                         .hashes = {r->hashes[0], r->hashes[1]},
                         .nul_free = r->nul_free,
                         .same_order = r->same_head && prev_ok};
        const st_str cur = r->f[ST_F_CURRENCY];
        if (cur.n != 3 || memcmp(cur.p, s->currency, 3) != 0) {
            rc = field_err(g, r, ST_F_CURRENCY, "currency '%.*s' differs from the store's %s", SHOW(r, ST_F_CURRENCY),
                           s->currency);
            return rc ? rc : 1;
        }
        /* the same time text as the line accepted before: the same instant */
        if (x.same_order)
            x.time = g->prev_line_time;
        else if ((rc = get_time(g, r, ST_F_TIME, 0, &x.time, &bad)) || bad)
            return rc ? rc : 1;
        if ((rc = get_i64(g, r, ST_F_QTY, 0, &x.qty, &bad)) || bad ||
            (rc = get_money(g, r, ST_F_UNIT_PRICE, &x.unit_price, &bad)) || bad ||
            (rc = get_money(g, r, ST_F_DISCOUNT, &x.discount, &bad)) || bad)
            return rc ? rc : 1;
        rc = custops__st_add_line(s, &x, &field, msg, sizeof msg);
        if (rc == 0) {
            g->prev_line_ok = 1;
            g->prev_line_time = x.time;
        }
        break;
    }
    case CUSTOPS_RECORD_REFUND: {
        st_refund_rec x;
        memset(&x, 0, sizeof x);
        x.refund = r->f[ST_F_REFUND_ID];
        x.order = r->f[ST_F_ORDER_ID];
        x.sku = r->f[ST_F_SKU];
        if ((rc = get_time(g, r, ST_F_TIME, 0, &x.time, &bad)) || bad ||
            (rc = get_i64(g, r, ST_F_QTY, -1, &x.qty, &bad)) || bad ||
            (rc = get_money(g, r, ST_F_AMOUNT, &x.amount, &bad)) || bad)
            return rc ? rc : 1;
        int ignored = 0;
        rc = custops__st_add_refund(s, &x, &ignored, &field, msg, sizeof msg);
        if (rc == 0 && ignored)
            g->res.ignored++;
        break;
    }
    case CUSTOPS_RECORD_EVENT: {
        st_event_rec x;
        memset(&x, 0, sizeof x);
        x.customer = r->f[ST_F_CUSTOMER_ID];
        x.sku = r->f[ST_F_SKU];
        x.category = r->f[ST_F_CATEGORY];
        x.coupon = r->f[ST_F_COUPON_CODE];
        x.type = custops__st_event_type(r->f[ST_F_TYPE].p, r->f[ST_F_TYPE].n);
        if (x.type < 0) {
            rc = field_err(g, r, ST_F_TYPE,
                           "unknown event type '%.*s' (visit, view, cart_add, favourite, coupon_received, "
                           "coupon_used, login)",
                           SHOW(r, ST_F_TYPE));
            return rc ? rc : 1;
        }
        if ((rc = get_time(g, r, ST_F_TIME, 0, &x.time, &bad)) || bad)
            return rc ? rc : 1;
        rc = custops__st_add_event(s, &x, &field, msg, sizeof msg);
        break;
    }
    case CUSTOPS_RECORD_CUSTOMER: {
        st_customer_rec x;
        memset(&x, 0, sizeof x);
        x.customer = r->f[ST_F_CUSTOMER_ID];
        x.region = r->f[ST_F_REGION];
        x.tags = r->f[ST_F_TAGS];
        const st_str gd = r->f[ST_F_GENDER];
        if (gd.n == 0)
            x.gender = 0;
        else if (gd.n == 1 && (gd.p[0] == 'f' || gd.p[0] == 'F'))
            x.gender = 1;
        else if (gd.n == 1 && (gd.p[0] == 'm' || gd.p[0] == 'M'))
            x.gender = 2;
        else {
            rc = field_err(g, r, ST_F_GENDER, "expected f, m or empty in column 'gender', got '%.*s'",
                           SHOW(r, ST_F_GENDER));
            return rc ? rc : 1;
        }
        if ((rc = get_i64(g, r, ST_F_BIRTH_YEAR, -1, &x.birth_year, &bad)) || bad ||
            (rc = get_time(g, r, ST_F_MEMBER_SINCE, -1, &x.member_since, &bad)) || bad ||
            (rc = get_flag(g, r, ST_F_CONSENT_SMS, &x.sms, &bad)) || bad ||
            (rc = get_flag(g, r, ST_F_CONSENT_EMAIL, &x.email, &bad)) || bad ||
            (rc = get_flag(g, r, ST_F_CONSENT_PUSH, &x.push, &bad)) || bad)
            return rc ? rc : 1;
        rc = custops__st_stage_customer(s, &g->stage, &x, &field, msg, sizeof msg);
        break;
    }
    default:
        return custops__err(CUSTOPS_EINVAL, "unknown record kind %d", kind);
    }
    if (rc) {
        rc = record_err(g, r, rc, field, msg);
        return rc ? rc : 1;
    }
    g->res.accepted++;
    return 0;
}

/* ---- the driver ---- */

static int rejects_frame(st_ingest *g, custops_frame **out)
{
    custops_frame *f;
    int rc = custops_frame_new(&f);
    if (rc == 0)
        rc = custops_frame_add_int64(f, "line", g->rline, g->nrej);
    if (rc == 0)
        rc = custops_frame_add_int64(f, "column", g->rcol, g->nrej);
    if (rc == 0)
        rc = custops_frame_add_string(f, "message", (const char *const *)g->rmsg, g->nrej);
    if (rc) {
        custops_frame_free(f);
        return rc;
    }
    *out = f;
    return CUSTOPS_OK;
}

static void ingest_release(st_ingest *g)
{
    for (size_t i = 0; i < g->nrej; i++)
        custops__free(g->rmsg[i]);
    custops__free(g->rmsg);
    custops__free(g->rline);
    custops__free(g->rcol);
    custops__st_table_release(&g->stage);
}

int custops__st_ingest_run(custops_store *s, const char *data, size_t len, const char *name,
                           const custops_ingest_opts *opts, custops_ingest_result *result,
                           custops_frame **rejects_out, st_parse_fn parse)
{
    if (result)
        memset(result, 0, sizeof *result);
    if (rejects_out)
        *rejects_out = NULL;
    CUSTOPS__CHECK_NULL(s);
    if (!data && len)
        return custops__err(CUSTOPS_EINVAL, "ingest: data is NULL");
    st_ingest g;
    memset(&g, 0, sizeof g);
    custops_ingest_opts_init(&g.o);
    if (opts) {
        if (opts->version != CUSTOPS_INGEST_OPTS_VERSION)
            return custops__err(CUSTOPS_EVERSION, "custops_ingest_opts version %u is not supported (want %u)",
                                opts->version, CUSTOPS_INGEST_OPTS_VERSION);
        g.o = *opts;
    }
    if (g.o.kind < 0 || g.o.kind > CUSTOPS_RECORD_CUSTOMER)
        return custops__err(CUSTOPS_EINVAL, "custops_ingest_opts: unknown record kind %d", g.o.kind);
    if (g.o.policy != CUSTOPS_INGEST_FAIL_FAST && g.o.policy != CUSTOPS_INGEST_SKIP)
        return custops__err(CUSTOPS_EINVAL, "custops_ingest_opts: unknown policy %d", g.o.policy);
    if (g.o.max_field_len == 0)
        g.o.max_field_len = 65536;
    if (g.o.max_line_len == 0)
        g.o.max_line_len = 1048576;
    if (g.o.max_rejects == 0)
        g.o.max_rejects = 1000;
    g.s = s;
    g.name = name ? name : "<input>";
    g.text = data ? data : "";
    g.len = len;
    custops__st_table_init(&g.stage, ST_STAGE_COLS);
    custops__st_mark(s, &g.mark);
    int rc = parse(&g);
    if (rc == 0) {
        custops__st_commit_customers(s, &g.stage);
        if (g.o.progress)
            g.o.progress(len, len, g.o.progress_ud);
    } else {
        custops__st_rollback(s, &g.mark);
    }
    if (rejects_out && (rc == 0 || rc == CUSTOPS_EPARSE)) {
        int saved = rc;
        char keep[1024];
        snprintf(keep, sizeof keep, "%s", custops_last_error());
        int frc = rejects_frame(&g, rejects_out);
        if (saved)
            custops__err(saved, "%s", keep);
        else
            rc = frc;
    }
    if (result && rc == 0)
        *result = g.res;
    else if (result)
        result->rows = g.res.rows;
    ingest_release(&g);
    return rc;
}

int custops__st_ingest_file(custops_store *s, const char *path, const custops_ingest_opts *opts,
                            custops_ingest_result *result, custops_frame **rejects_out, st_parse_fn parse)
{
    if (result)
        memset(result, 0, sizeof *result);
    if (rejects_out)
        *rejects_out = NULL;
    CUSTOPS__CHECK_NULL(s);
    CUSTOPS__CHECK_NULL(path);
    void *data;
    size_t len;
    int rc = custops__read_file(path, (size_t)1 << 40, &data, &len);
    if (rc)
        return rc;
    const char *base = strrchr(path, '/');
    rc = custops__st_ingest_run(s, data, len, base ? base + 1 : path, opts, result, rejects_out, parse);
    custops__free(data);
    return rc;
}

int custops_store_ingest_csv(custops_store *s, const char *path, const custops_ingest_opts *opts,
                             custops_ingest_result *result, custops_frame **rejects_out)
{
    return custops__st_ingest_file(s, path, opts, result, rejects_out, custops__st_parse_csv);
}

int custops_store_ingest_csv_buffer(custops_store *s, const char *data, size_t len, const char *name,
                                    const custops_ingest_opts *opts, custops_ingest_result *result,
                                    custops_frame **rejects_out)
{
    return custops__st_ingest_run(s, data, len, name, opts, result, rejects_out, custops__st_parse_csv);
}

int custops_store_ingest_jsonl(custops_store *s, const char *path, const custops_ingest_opts *opts,
                               custops_ingest_result *result, custops_frame **rejects_out)
{
    return custops__st_ingest_file(s, path, opts, result, rejects_out, custops__st_parse_jsonl);
}

int custops_store_ingest_jsonl_buffer(custops_store *s, const char *data, size_t len, const char *name,
                                      const custops_ingest_opts *opts, custops_ingest_result *result,
                                      custops_frame **rejects_out)
{
    return custops__st_ingest_run(s, data, len, name, opts, result, rejects_out, custops__st_parse_jsonl);
}
