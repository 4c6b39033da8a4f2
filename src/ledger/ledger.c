/* The redemption state machine, written once over the backend interface.
 *
 * Every transition runs as one backend transaction:
 *   begin; expire overdue reservations; look the idempotency key up;
 *   apply the change with guarded counter additions; journal it; store the
 *   key; commit.
 * Any failure rolls the whole transaction back, so a refused reservation
 * leaves no counter half-charged and nothing unjournaled is acknowledged. */
#include "ledger/ledger_internal.h"

#include <stdio.h>

struct custops_ledger {
    lg_backend *be;
    int max_retries;
    custops__buf body; /* reused for every journal record */
};

enum { OP_ISSUE = 1, OP_BUDGET, OP_RESERVE, OP_COMMIT, OP_RELEASE, OP_REVERSE };

typedef struct lg_req {
    int op;
    const char *key;
    const custops_ledger_coupon *coupon;
    const char *code, *customer, *order, *campaign;
    int64_t amount, ttl, now;
} lg_req;

/* ---- validation ---- */

static int check_id(const char *s, const char *what, int optional)
{
    if (!s) {
        if (optional)
            return 0;
        return custops__err(CUSTOPS_EINVAL, "ledger: %s is NULL", what);
    }
    size_t n = strlen(s);
    if (n == 0)
        return custops__err(CUSTOPS_EINVAL, "ledger: %s is empty", what);
    if (n > CUSTOPS_LEDGER_MAX_ID)
        return custops__err(CUSTOPS_ELIMIT, "ledger: %s is %zu bytes, at most %d allowed", what, n,
                            CUSTOPS_LEDGER_MAX_ID);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f)
            return custops__err(CUSTOPS_EINVAL, "ledger: %s has a control character at byte %zu", what, i);
    }
    return 0;
}

/* codes and campaigns appear inside counter keys ("code:X/cust:C") */
static int check_key_part(const char *s, const char *what, int optional)
{
    int rc = check_id(s, what, optional);
    if (rc || !s)
        return rc;
    if (strchr(s, '/'))
        return custops__err(CUSTOPS_EINVAL, "ledger: %s '%s' contains '/'", what, s);
    return 0;
}

static const char *nz(const char *s) { return s ? s : ""; }

/* ---- small text helpers ---- */

static void json_str(custops__buf *b, const char *s)
{
    custops__buf_u8(b, '"');
    for (; *s; s++) {
        size_t run = 0; /* plain bytes go in one append */
        while (s[run] && s[run] != '"' && s[run] != '\\' && (unsigned char)s[run] >= 0x20 && s[run] != 0x7f)
            run++;
        if (run) {
            custops__buf_append(b, s, run);
            s += run - 1;
            continue;
        }
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            custops__buf_u8(b, '\\');
            custops__buf_u8(b, c);
        } else if (c < 0x20 || c == 0x7f) {
            custops__buf_printf(b, "\\u%04x", c);
        } else {
            custops__buf_u8(b, c);
        }
    }
    custops__buf_u8(b, '"');
}

static void json_kv_str(custops__buf *b, const char *k, const char *v)
{
    custops__buf_append(b, ",\"", 2);
    custops__buf_puts(b, k);
    custops__buf_append(b, "\":", 2);
    json_str(b, v);
}

static void json_kv_int(custops__buf *b, const char *k, int64_t v)
{
    char tmp[48], *p = tmp + sizeof tmp;
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    do
        *--p = (char)('0' + u % 10);
    while ((u /= 10) != 0);
    if (v < 0)
        *--p = '-';
    custops__buf_append(b, ",\"", 2);
    custops__buf_puts(b, k);
    custops__buf_append(b, "\":", 2);
    custops__buf_append(b, p, (size_t)(tmp + sizeof tmp - p));
}

/* "kind:a" or "kind:a/cust:c" (memcpy: this runs several times per transition) */
static void counter_key(char *out, size_t cap, const char *kind, const char *a, const char *cust)
{
    size_t k = strlen(kind), n = strlen(a), c = cust ? strlen(cust) : 0;
    if (k + 1 + n + (cust ? 6 + c : 0) + 1 > cap) { /* cannot happen: ids are bounded */
        out[0] = '\0';
        return;
    }
    char *p = out;
    memcpy(p, kind, k);
    p += k;
    *p++ = ':';
    memcpy(p, a, n);
    p += n;
    if (cust) {
        memcpy(p, "/cust:", 6);
        p += 6;
        memcpy(p, cust, c);
        p += c;
    }
    *p = '\0';
}
#define KEYCAP (3 * LG_ID + 16)

/* The request's identity for its idempotency key, hashed from a stack
 * buffer (this runs on every keyed transition). The bytes are fixed: the
 * hashes are stored with the keys, so they must not change between
 * versions: op, then 0x1f-separated code, customer, order, campaign (0x1e
 * for NULL), amount, ttl and for issue the coupon's fields. */
typedef struct hbuf {
    char d[16 * LG_ID];
    size_t n;
} hbuf;

static void hb_put(hbuf *b, const char *s, size_t n)
{
    if (n > sizeof b->d - b->n) /* cannot happen: every part is bounded */
        n = sizeof b->d - b->n;
    memcpy(b->d + b->n, s, n);
    b->n += n;
}

static void hb_sep_str(hbuf *b, const char *s)
{
    hb_put(b, "\x1f", 1);
    if (s)
        hb_put(b, s, strlen(s));
    else
        hb_put(b, "\x1e", 1); /* NULL differs from "" */
}

static void hb_sep_int(hbuf *b, int64_t v)
{
    char tmp[24], *p = tmp + sizeof tmp;
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    do
        *--p = (char)('0' + u % 10);
    while ((u /= 10) != 0);
    if (v < 0)
        *--p = '-';
    hb_put(b, "\x1f", 1);
    hb_put(b, p, (size_t)(tmp + sizeof tmp - p));
}

static uint64_t req_hash(const lg_req *q)
{
    hbuf b;
    b.n = 0;
    char op = (char)('0' + q->op); /* ops are 1..6 */
    hb_put(&b, &op, 1);
    hb_sep_str(&b, q->code);
    hb_sep_str(&b, q->customer);
    hb_sep_str(&b, q->order);
    hb_sep_str(&b, q->campaign);
    hb_sep_int(&b, q->amount);
    hb_sep_int(&b, q->ttl);
    if (q->coupon) {
        const custops_ledger_coupon *c = q->coupon;
        hb_sep_str(&b, c->code);
        hb_sep_str(&b, c->owner);
        hb_sep_str(&b, c->campaign);
        hb_sep_int(&b, c->max_uses);
        hb_sep_int(&b, c->max_per_customer);
        hb_sep_int(&b, c->valid_from);
        hb_sep_int(&b, c->valid_until);
        hb_sep_int(&b, c->restore_on_reversal);
    }
    return custops__hash64(b.d, b.n, 0x6c6564676572ULL);
}

const char *custops_ledger_state_name(int state)
{
    static const char *const names[] = {"none", "pending", "committed", "partially_reversed",
                                        "reversed", "released", "expired"};
    return state >= 0 && state <= 6 ? names[state] : "unknown";
}

const char *custops_ledger_reason_name(int reason)
{
    static const char *const names[] = {"ok",        "total_limit", "customer_limit", "budget",
                                        "not_owned", "not_started", "ended",          "customer_required"};
    return reason >= 0 && reason <= 7 ? names[reason] : "unknown";
}

/* ---- counter moves shared by commit, release, expire and reverse ---- */

/* Move a reservation's holds: du/dr per use on the code and customer
 * counters, and money on the budget. */
static int move_holds(lg_backend *be, const lg_res *r, int64_t du, int64_t dr, int64_t mu, int64_t mr)
{
    char key[KEYCAP];
    int rc;
    if (du || dr) {
        counter_key(key, sizeof key, "code", r->code, NULL);
        if ((rc = be->ops->counter_add(be, key, 0, du, dr, 0)))
            return rc;
        if (r->per_customer) {
            counter_key(key, sizeof key, "code", r->code, r->customer);
            if ((rc = be->ops->counter_add(be, key, 0, du, dr, 0)))
                return rc;
        }
    }
    if (r->campaign[0] && (mu || mr)) {
        counter_key(key, sizeof key, "budget", r->campaign, NULL);
        if ((rc = be->ops->counter_add(be, key, 0, mu, mr, 0)))
            return rc;
    }
    return 0;
}

static int missing_counter(int rc, const lg_res *r)
{
    if (rc == CUSTOPS_ENOTFOUND)
        return custops__err(CUSTOPS_ECORRUPT, "ledger: a counter of reservation %s/%s is missing", r->order, r->code);
    return rc;
}

static void res_body(custops__buf *b, const char *op, const lg_res *r, int64_t amount)
{
    custops__buf_puts(b, "{\"op\":\"");
    custops__buf_puts(b, op);
    custops__buf_u8(b, '"');
    json_kv_str(b, "order", r->order);
    json_kv_str(b, "code", r->code);
    json_kv_str(b, "state", custops_ledger_state_name(r->state));
    json_kv_int(b, "amount", amount);
}

/* Expire every overdue reservation, one journal record each. */
static int sweep(lg_backend *be, int64_t now, int64_t *count)
{
    lg_res r;
    int rc;
    while ((rc = be->ops->res_next_expired(be, now, &r)) == 0) {
        /* journal first: on PostgreSQL that locks the coupon's chain before
         * its counters, the order every transition on the coupon takes */
        r.state = CUSTOPS_LEDGER_EXPIRED;
        custops__buf b;
        custops__buf_init(&b);
        res_body(&b, "expire", &r, r.amount);
        json_kv_int(&b, "expires", r.expires);
        custops__buf_puts(&b, "}");
        rc = custops__buf_status(&b);
        char chain[KEYCAP];
        counter_key(chain, sizeof chain, "code", r.code, NULL);
        if (!rc)
            rc = custops__ledger_journal_add(be, chain, now, (const char *)b.data, b.len, NULL);
        custops__buf_release(&b);
        if (rc)
            return rc;
        if ((rc = move_holds(be, &r, 0, -1, 0, -r.amount)))
            return missing_counter(rc, &r);
        if ((rc = be->ops->res_put(be, &r)))
            return rc;
        if (count)
            (*count)++;
    }
    return rc == CUSTOPS_ENOTFOUND ? 0 : rc;
}

/* ---- the transitions ---- */

static int refuse(custops_ledger_receipt *rc, int reason, int status, const char *fmt, const char *a, const char *b)
{
    rc->reason = reason;
    return custops__err(status, fmt, a, b);
}

static int apply_issue(lg_backend *be, const lg_req *q, custops_ledger_receipt *out, custops__buf *body)
{
    const custops_ledger_coupon *c = q->coupon;
    lg_coupon cp;
    memset(&cp, 0, sizeof cp);
    strcpy(cp.code, c->code);
    strcpy(cp.owner, nz(c->owner));
    strcpy(cp.campaign, nz(c->campaign));
    cp.max_uses = c->max_uses;
    cp.max_per_customer = c->max_per_customer;
    cp.valid_from = c->valid_from;
    cp.valid_until = c->valid_until;
    cp.issued_at = q->now;
    cp.restore = c->restore_on_reversal;
    int rc = be->ops->coupon_insert(be, &cp);
    if (rc == CUSTOPS_EEXISTS)
        return custops__err(CUSTOPS_EEXISTS, "ledger: code '%s' is already issued", cp.code);
    if (rc)
        return rc;
    char key[KEYCAP];
    counter_key(key, sizeof key, "code", cp.code, NULL);
    if ((rc = be->ops->counter_create(be, key, cp.max_uses > 0 ? cp.max_uses : -1)))
        return rc;
    if (cp.campaign[0]) {
        counter_key(key, sizeof key, "budget", cp.campaign, NULL);
        if ((rc = be->ops->counter_create(be, key, 0)))
            return rc;
    }
    custops__buf_puts(body, "{\"op\":\"issue\"");
    json_kv_str(body, "code", cp.code);
    json_kv_str(body, "owner", cp.owner);
    json_kv_str(body, "campaign", cp.campaign);
    json_kv_int(body, "max_uses", cp.max_uses);
    json_kv_int(body, "max_per_customer", cp.max_per_customer);
    json_kv_int(body, "valid_from", cp.valid_from);
    json_kv_int(body, "valid_until", cp.valid_until);
    json_kv_int(body, "restore", cp.restore);
    out->state = CUSTOPS_LEDGER_NONE;
    return 0;
}

static int apply_budget(lg_backend *be, const lg_req *q, custops_ledger_receipt *out, custops__buf *body)
{
    char key[KEYCAP];
    counter_key(key, sizeof key, "budget", q->campaign, NULL);
    int rc = be->ops->counter_create(be, key, 0);
    int64_t lim, used, reserved;
    if (!rc)
        rc = be->ops->counter_get(be, key, &lim, &used, &reserved);
    if (rc)
        return rc;
    if (lim > INT64_MAX - q->amount)
        return custops__err(CUSTOPS_ERANGE, "ledger: budget '%s' would overflow", q->campaign);
    if ((rc = be->ops->counter_add(be, key, q->amount, 0, 0, 0)))
        return rc;
    custops__buf_puts(body, "{\"op\":\"budget\"");
    json_kv_str(body, "campaign", q->campaign);
    json_kv_int(body, "amount", q->amount);
    out->amount = q->amount;
    return 0;
}

static int apply_reserve(lg_backend *be, const lg_req *q, custops_ledger_receipt *out, custops__buf *body)
{
    lg_coupon c;
    int rc = be->ops->coupon_get(be, q->code, &c);
    if (rc == CUSTOPS_ENOTFOUND)
        return custops__err(CUSTOPS_ENOTFOUND, "ledger: unknown code '%s'", q->code);
    if (rc)
        return rc;
    if (c.valid_from && q->now < c.valid_from)
        return refuse(out, CUSTOPS_LEDGER_NOT_STARTED, CUSTOPS_ESTATE, "ledger: code '%s' is not valid yet%s", c.code, "");
    if (c.valid_until && q->now >= c.valid_until)
        return refuse(out, CUSTOPS_LEDGER_ENDED, CUSTOPS_ESTATE, "ledger: code '%s' has ended%s", c.code, "");
    if ((c.owner[0] || c.max_per_customer > 0) && !q->customer)
        return refuse(out, CUSTOPS_LEDGER_CUSTOMER_REQUIRED, CUSTOPS_ESTATE,
                      "ledger: code '%s' needs an identified customer%s", c.code, "");
    if (c.owner[0] && strcmp(c.owner, q->customer) != 0)
        return refuse(out, CUSTOPS_LEDGER_NOT_OWNED, CUSTOPS_ESTATE, "ledger: code '%s' belongs to another customer than '%s'",
                      c.code, q->customer);
    lg_res r;
    rc = be->ops->res_get(be, q->order, q->code, &r);
    if (rc == 0 && r.state >= CUSTOPS_LEDGER_PENDING && r.state <= CUSTOPS_LEDGER_PARTIALLY_REVERSED)
        return custops__err(CUSTOPS_EEXISTS, "ledger: order '%s' already holds code '%s'", q->order, q->code);
    if (rc && rc != CUSTOPS_ENOTFOUND)
        return rc;
    if (q->now > INT64_MAX - q->ttl)
        return custops__err(CUSTOPS_ERANGE, "ledger: now + ttl overflows");

    /* admission: every guard in the same transaction, all or nothing */
    char key[KEYCAP];
    counter_key(key, sizeof key, "code", c.code, NULL);
    rc = be->ops->counter_add(be, key, 0, 0, 1, 1);
    if (rc == CUSTOPS_ELIMIT)
        return refuse(out, CUSTOPS_LEDGER_TOTAL_LIMIT, CUSTOPS_ELIMIT, "ledger: code '%s' reached its usage limit%s", c.code, "");
    if (rc)
        return rc == CUSTOPS_ENOTFOUND ? custops__err(CUSTOPS_ECORRUPT, "ledger: counter %s is missing", key) : rc;
    memset(&r, 0, sizeof r);
    if (c.max_per_customer > 0) {
        counter_key(key, sizeof key, "code", c.code, q->customer);
        if ((rc = be->ops->counter_create(be, key, c.max_per_customer)))
            return rc;
        rc = be->ops->counter_add(be, key, 0, 0, 1, 1);
        if (rc == CUSTOPS_ELIMIT)
            return refuse(out, CUSTOPS_LEDGER_CUSTOMER_LIMIT, CUSTOPS_ELIMIT,
                          "ledger: customer '%s' reached the limit of code '%s'", q->customer, c.code);
        if (rc)
            return rc;
        r.per_customer = 1;
    }
    if (c.campaign[0] && q->amount > 0) {
        counter_key(key, sizeof key, "budget", c.campaign, NULL);
        rc = be->ops->counter_add(be, key, 0, 0, q->amount, 1);
        if (rc == CUSTOPS_ELIMIT)
            return refuse(out, CUSTOPS_LEDGER_BUDGET, CUSTOPS_ELIMIT, "ledger: budget '%s' cannot cover the discount of code '%s'",
                          c.campaign, c.code);
        if (rc)
            return rc == CUSTOPS_ENOTFOUND ? custops__err(CUSTOPS_ECORRUPT, "ledger: counter %s is missing", key) : rc;
    }
    strcpy(r.order, q->order);
    strcpy(r.code, c.code);
    strcpy(r.customer, nz(q->customer));
    strcpy(r.campaign, c.campaign);
    r.state = CUSTOPS_LEDGER_PENDING;
    r.amount = q->amount;
    r.created = q->now;
    r.expires = q->now + q->ttl;
    if ((rc = be->ops->res_put(be, &r)))
        return rc;
    res_body(body, "reserve", &r, r.amount);
    json_kv_str(body, "customer", r.customer);
    json_kv_int(body, "expires", r.expires);
    out->state = r.state;
    out->amount = r.amount;
    out->expires = r.expires;
    return 0;
}

static int find_res(lg_backend *be, const lg_req *q, lg_res *r)
{
    int rc = be->ops->res_get(be, q->order, q->code, r);
    if (rc == CUSTOPS_ENOTFOUND)
        return custops__err(CUSTOPS_ENOTFOUND, "ledger: order '%s' holds no reservation of code '%s'", q->order, q->code);
    return rc;
}

static int wrong_state(const lg_res *r, const char *op)
{
    return custops__err(CUSTOPS_ESTATE, "ledger: cannot %s: the reservation of code '%s' by order '%s' is %s", op, r->code,
                        r->order, custops_ledger_state_name(r->state));
}

/* Commit and release both settle a pending reservation: a commit turns its
 * hold into a use (counted and spent), a release gives the hold back. */
static int settle_pending(lg_backend *be, const lg_req *q, custops_ledger_receipt *out, custops__buf *body, int commit)
{
    lg_res r;
    int rc = find_res(be, q, &r);
    if (rc)
        return rc;
    const char *verb = commit ? "commit" : "release";
    if (r.state != CUSTOPS_LEDGER_PENDING)
        return wrong_state(&r, verb);
    if ((rc = move_holds(be, &r, commit, -1, commit ? r.amount : 0, -r.amount)))
        return missing_counter(rc, &r);
    r.state = commit ? CUSTOPS_LEDGER_COMMITTED : CUSTOPS_LEDGER_RELEASED;
    if ((rc = be->ops->res_put(be, &r)))
        return rc;
    res_body(body, verb, &r, r.amount);
    out->state = r.state;
    out->amount = r.amount;
    out->expires = r.expires;
    return 0;
}

static int apply_commit(lg_backend *be, const lg_req *q, custops_ledger_receipt *out, custops__buf *body)
{
    return settle_pending(be, q, out, body, 1);
}

static int apply_release(lg_backend *be, const lg_req *q, custops_ledger_receipt *out, custops__buf *body)
{
    return settle_pending(be, q, out, body, 0);
}

static int apply_reverse(lg_backend *be, const lg_req *q, custops_ledger_receipt *out, custops__buf *body)
{
    lg_res r;
    int rc = find_res(be, q, &r);
    if (rc)
        return rc;
    if (r.state != CUSTOPS_LEDGER_COMMITTED && r.state != CUSTOPS_LEDGER_PARTIALLY_REVERSED)
        return wrong_state(&r, "reverse");
    int64_t remaining = r.amount - r.reversed;
    int64_t amt = q->amount == CUSTOPS_LEDGER_REST ? remaining : q->amount;
    if (amt > remaining)
        return custops__err(CUSTOPS_ERANGE, "ledger: cannot reverse %lld of code '%s' for order '%s': only %lld remains",
                            (long long)amt, r.code, r.order, (long long)remaining);
    r.reversed += amt;
    int full = r.reversed == r.amount;
    int64_t du = 0;
    if (full) {
        lg_coupon c;
        if ((rc = be->ops->coupon_get(be, r.code, &c)))
            return rc == CUSTOPS_ENOTFOUND ? custops__err(CUSTOPS_ECORRUPT, "ledger: coupon %s is missing", r.code) : rc;
        du = c.restore ? -1 : 0;
    }
    if ((rc = move_holds(be, &r, du, 0, -amt, 0)))
        return missing_counter(rc, &r);
    r.state = full ? CUSTOPS_LEDGER_REVERSED : CUSTOPS_LEDGER_PARTIALLY_REVERSED;
    if ((rc = be->ops->res_put(be, &r)))
        return rc;
    res_body(body, "reverse", &r, amt);
    json_kv_int(body, "reversed", r.reversed);
    json_kv_int(body, "use_restored", du ? 1 : 0);
    out->state = r.state;
    out->amount = amt;
    out->expires = r.expires;
    return 0;
}

typedef int (*apply_fn)(lg_backend *, const lg_req *, custops_ledger_receipt *, custops__buf *);

static apply_fn op_fn(int op)
{
    switch (op) {
    case OP_ISSUE: return apply_issue;
    case OP_BUDGET: return apply_budget;
    case OP_RESERVE: return apply_reserve;
    case OP_COMMIT: return apply_commit;
    case OP_RELEASE: return apply_release;
    default: return apply_reverse;
    }
}

#define REPLAYED 1

/* The journal chain of a transition (on backends with one chain per coupon
 * and budget): the coupon's, or the budget's for budget_add. */
static void req_chain(const lg_req *q, char *chain)
{
    if (q->op == OP_BUDGET)
        counter_key(chain, KEYCAP, "budget", q->campaign, NULL);
    else
        counter_key(chain, KEYCAP, "code", q->code, NULL);
}

static int one_txn(custops_ledger *l, const lg_req *q, uint64_t h, custops_ledger_receipt *out, int64_t *swept)
{
    lg_backend *be = l->be;
    char chain[KEYCAP];
    req_chain(q, chain);
    int reads_coupon = q->op == OP_RESERVE || q->op == OP_REVERSE;
    lg_hint hint = {1, q->now, q->key, reads_coupon ? q->code : NULL, q->order, q->code, chain};
    int rc = be->ops->begin(be, &hint);
    if (rc)
        return rc;
    rc = sweep(be, q->now, swept);
    if (!rc && q->key) {
        lg_idem id;
        rc = be->ops->idem_get(be, q->key, &id);
        if (rc == 0) {
            if (id.req_hash != h) {
                rc = custops__err(CUSTOPS_ECONFLICT, "ledger: idempotency key '%s' was used for a different request", q->key);
            } else {
                out->state = id.state;
                out->seq = id.seq;
                out->amount = id.amount;
                out->expires = id.expires;
                out->replayed = 1;
                rc = REPLAYED;
            }
        } else if (rc == CUSTOPS_ENOTFOUND) {
            rc = 0;
        }
    }
    if (!rc) {
        custops__buf *body = &l->body;
        body->len = 0;
        body->failed = 0;
        rc = op_fn(q->op)(be, q, out, body);
        if (!rc) {
            if (q->key)
                json_kv_str(body, "key", q->key);
            custops__buf_puts(body, "}");
            rc = custops__buf_status(body);
        }
        if (!rc)
            rc = custops__ledger_journal_add(be, chain, q->now, (const char *)body->data, body->len, &out->seq);
        if (!rc && q->key) {
            lg_idem id;
            memset(&id, 0, sizeof id);
            strcpy(id.key, q->key);
            id.req_hash = h;
            id.state = out->state;
            id.seq = out->seq;
            id.amount = out->amount;
            id.expires = out->expires;
            rc = be->ops->idem_put(be, &id);
        }
    }
    if (rc == 0 || rc == REPLAYED) {
        int crc = be->ops->commit(be);
        return crc ? crc : 0;
    }
    be->ops->rollback(be);
    return rc;
}

static int run(custops_ledger *l, const lg_req *q, custops_ledger_receipt *receipt)
{
    if (receipt && receipt->version != CUSTOPS_LEDGER_RECEIPT_VERSION)
        return custops__err(CUSTOPS_EVERSION, "ledger: receipt version %u is unknown", receipt->version);
    uint64_t h = req_hash(q);
    for (int attempt = 0;; attempt++) {
        custops_ledger_receipt out = CUSTOPS_LEDGER_RECEIPT_INIT;
        int64_t swept = 0;
        int rc = one_txn(l, q, h, &out, &swept);
        if (rc < 0 && rc != LG_RETRY && swept > 0) {
            /* the refused request rolled its lazy expiries back with it:
             * keep them, in a transaction of their own */
            int keep_status = custops_last_status();
            char keep[512];
            snprintf(keep, sizeof keep, "%s", custops_last_error());
            int64_t n;
            (void)custops_ledger_expire(l, &n, q->now);
            custops__err(keep_status, "%s", keep);
        }
        if (rc == LG_RETRY) {
            if (attempt < l->max_retries)
                continue;
            rc = custops__err(CUSTOPS_EBUSY, "ledger: transaction conflicted %d times; giving up", attempt + 1);
        }
        if (receipt) {
            if (rc != 0 && rc != CUSTOPS_ELIMIT && rc != CUSTOPS_ESTATE) {
                custops_ledger_receipt zero = CUSTOPS_LEDGER_RECEIPT_INIT;
                out = zero;
            }
            *receipt = out;
        }
        return rc;
    }
}

/* ---- public entry points ---- */

int custops_ledger_options_init(custops_ledger_options *opts, unsigned int version)
{
    CUSTOPS__CHECK_NULL(opts);
    if (version != CUSTOPS_LEDGER_OPTIONS_VERSION)
        return custops__err(CUSTOPS_EVERSION, "ledger: options version %u is unknown", version);
    custops_ledger_options d = CUSTOPS_LEDGER_OPTIONS_INIT;
    *opts = d;
    return 0;
}

static int starts_with(const char *s, const char *p) { return strncmp(s, p, strlen(p)) == 0; }

int custops_ledger_open(custops_ledger **out, const char *location, const custops_ledger_options *opts)
{
    CUSTOPS__CHECK_NULL(out);
    *out = NULL;
    CUSTOPS__CHECK_NULL(location);
    custops_ledger_options o = CUSTOPS_LEDGER_OPTIONS_INIT;
    if (opts) {
        if (opts->version != CUSTOPS_LEDGER_OPTIONS_VERSION)
            return custops__err(CUSTOPS_EVERSION, "ledger: options version %u is unknown", opts->version);
        o = *opts;
    }
    if (o.busy_timeout_ms < 0 || o.max_retries < 0 || o.max_retries > 1000 || (o.durable != 0 && o.durable != 1))
        return custops__err(CUSTOPS_EINVAL, "ledger: options out of range (busy_timeout_ms >= 0, durable 0/1, max_retries 0..1000)");
    if (location[0] == '\0')
        return custops__err(CUSTOPS_EINVAL, "ledger: location is empty");
    custops_ledger *l = custops__calloc(1, sizeof *l);
    if (!l)
        return custops__nomem();
    l->max_retries = o.max_retries;
    custops__buf_init(&l->body);
    int rc;
    if (strcmp(location, "memory:") == 0)
        rc = custops__ledger_memory_open(&l->be);
    else if (starts_with(location, "postgresql://") || starts_with(location, "postgres://"))
        rc = custops__ledger_pg_open(&l->be, location, &o);
    else if (starts_with(location, "postgres:"))
        rc = custops__ledger_pg_open(&l->be, location + 9, &o);
    else if (starts_with(location, "sqlite:"))
        rc = custops__ledger_sqlite_open(&l->be, location + 7, &o);
    else
        rc = custops__ledger_sqlite_open(&l->be, location, &o);
    if (rc) {
        custops__free(l);
        return rc;
    }
    *out = l;
    return 0;
}

void custops_ledger_free(custops_ledger *l)
{
    if (!l)
        return;
    l->be->ops->close(l->be);
    custops__buf_release(&l->body);
    custops__free(l);
}

const char *custops_ledger_backend(const custops_ledger *l) { return l ? l->be->ops->name : ""; }

int custops_ledger_issue(custops_ledger *l, custops_ledger_receipt *receipt, const custops_ledger_coupon *coupon,
                         const char *idem_key, int64_t now)
{
    CUSTOPS__CHECK_NULL(l);
    CUSTOPS__CHECK_NULL(coupon);
    int rc;
    if (coupon->version != CUSTOPS_LEDGER_COUPON_VERSION)
        return custops__err(CUSTOPS_EVERSION, "ledger: coupon version %u is unknown", coupon->version);
    if ((rc = check_key_part(coupon->code, "code", 0)) || (rc = check_id(coupon->owner, "owner", 1)) ||
        (rc = check_key_part(coupon->campaign, "campaign", 1)) || (rc = check_id(idem_key, "idempotency key", 1)))
        return rc;
    if (coupon->max_uses < 0 || coupon->max_per_customer < 0)
        return custops__err(CUSTOPS_EINVAL, "ledger: issue: negative limit for code '%s'", coupon->code);
    if (coupon->valid_until && coupon->valid_until <= coupon->valid_from)
        return custops__err(CUSTOPS_EINVAL, "ledger: issue: code '%s' ends before it starts", coupon->code);
    if (coupon->restore_on_reversal != 0 && coupon->restore_on_reversal != 1)
        return custops__err(CUSTOPS_EINVAL, "ledger: issue: restore_on_reversal must be 0 or 1");
    lg_req q = {OP_ISSUE, idem_key, coupon, coupon->code, NULL, NULL, NULL, 0, 0, now};
    return run(l, &q, receipt);
}

int custops_ledger_budget_add(custops_ledger *l, custops_ledger_receipt *receipt, const char *campaign, int64_t amount,
                              const char *idem_key, int64_t now)
{
    CUSTOPS__CHECK_NULL(l);
    int rc;
    if ((rc = check_key_part(campaign, "campaign", 0)) || (rc = check_id(idem_key, "idempotency key", 1)))
        return rc;
    if (amount < 0)
        return custops__err(CUSTOPS_EINVAL, "ledger: budget amount %lld is negative", (long long)amount);
    lg_req q = {OP_BUDGET, idem_key, NULL, NULL, NULL, NULL, campaign, amount, 0, now};
    return run(l, &q, receipt);
}

int custops_ledger_reserve(custops_ledger *l, custops_ledger_receipt *receipt, const char *code, const char *customer,
                           const char *order, int64_t amount, int64_t ttl, const char *idem_key, int64_t now)
{
    CUSTOPS__CHECK_NULL(l);
    int rc;
    if ((rc = check_key_part(code, "code", 0)) || (rc = check_id(customer, "customer", 1)) ||
        (rc = check_id(order, "order", 0)) || (rc = check_id(idem_key, "idempotency key", 1)))
        return rc;
    if (amount < 0)
        return custops__err(CUSTOPS_EINVAL, "ledger: reserve: discount %lld is negative", (long long)amount);
    if (ttl < 1)
        return custops__err(CUSTOPS_EINVAL, "ledger: reserve: ttl %lld must be at least 1 second", (long long)ttl);
    lg_req q = {OP_RESERVE, idem_key, NULL, code, customer, order, NULL, amount, ttl, now};
    return run(l, &q, receipt);
}

static int order_op(custops_ledger *l, custops_ledger_receipt *receipt, int op, const char *order, const char *code,
                    int64_t amount, const char *idem_key, int64_t now)
{
    CUSTOPS__CHECK_NULL(l);
    int rc;
    if ((rc = check_id(order, "order", 0)) || (rc = check_key_part(code, "code", 0)) ||
        (rc = check_id(idem_key, "idempotency key", 1)))
        return rc;
    lg_req q = {op, idem_key, NULL, code, NULL, order, NULL, amount, 0, now};
    return run(l, &q, receipt);
}

int custops_ledger_commit(custops_ledger *l, custops_ledger_receipt *receipt, const char *order, const char *code,
                          const char *idem_key, int64_t now)
{
    return order_op(l, receipt, OP_COMMIT, order, code, 0, idem_key, now);
}

int custops_ledger_release(custops_ledger *l, custops_ledger_receipt *receipt, const char *order, const char *code,
                           const char *idem_key, int64_t now)
{
    return order_op(l, receipt, OP_RELEASE, order, code, 0, idem_key, now);
}

int custops_ledger_reverse(custops_ledger *l, custops_ledger_receipt *receipt, const char *order, const char *code,
                           int64_t amount, const char *idem_key, int64_t now)
{
    if (amount < 0 && amount != CUSTOPS_LEDGER_REST)
        return custops__err(CUSTOPS_EINVAL, "ledger: reverse: amount %lld is negative", (long long)amount);
    return order_op(l, receipt, OP_REVERSE, order, code, amount, idem_key, now);
}

int custops_ledger_expire(custops_ledger *l, int64_t *count, int64_t now)
{
    if (count)
        *count = 0;
    CUSTOPS__CHECK_NULL(l);
    for (int attempt = 0;; attempt++) {
        int64_t n = 0;
        lg_hint hint = {1, now, NULL, NULL, NULL, NULL, NULL};
        int rc = l->be->ops->begin(l->be, &hint);
        if (!rc) {
            rc = sweep(l->be, now, &n);
            if (rc)
                l->be->ops->rollback(l->be);
            else
                rc = l->be->ops->commit(l->be);
        }
        if (rc == LG_RETRY && attempt < l->max_retries)
            continue;
        if (rc == LG_RETRY)
            rc = custops__err(CUSTOPS_EBUSY, "ledger: expire conflicted %d times; giving up", attempt + 1);
        if (!rc && count)
            *count = n;
        return rc;
    }
}

/* Read-only calls run in a transaction too, for a consistent view. */
typedef int (*read_fn)(lg_backend *be, void *ud);

static int read_txn(custops_ledger *l, read_fn fn, void *ud)
{
    lg_hint hint = {0, 0, NULL, NULL, NULL, NULL, NULL};
    for (int attempt = 0;; attempt++) {
        int rc = l->be->ops->begin(l->be, &hint);
        if (!rc) {
            rc = fn(l->be, ud);
            if (rc)
                l->be->ops->rollback(l->be);
            else
                rc = l->be->ops->commit(l->be);
        }
        if (rc == LG_RETRY && attempt < l->max_retries)
            continue;
        if (rc == LG_RETRY)
            rc = custops__err(CUSTOPS_EBUSY, "ledger: read conflicted %d times; giving up", attempt + 1);
        return rc;
    }
}

typedef struct counter_q {
    const char *key;
    int64_t lim, used, reserved;
} counter_q;

static int read_counter(lg_backend *be, void *ud)
{
    counter_q *c = ud;
    int rc = be->ops->counter_get(be, c->key, &c->lim, &c->used, &c->reserved);
    if (rc == CUSTOPS_ENOTFOUND)
        return custops__err(CUSTOPS_ENOTFOUND, "ledger: no counter '%s'", c->key);
    return rc;
}

int custops_ledger_counter(int64_t *limit, int64_t *used, int64_t *reserved, custops_ledger *l, const char *key)
{
    CUSTOPS__CHECK_NULL(limit);
    CUSTOPS__CHECK_NULL(used);
    CUSTOPS__CHECK_NULL(reserved);
    *limit = *used = *reserved = 0;
    CUSTOPS__CHECK_NULL(l);
    CUSTOPS__CHECK_NULL(key);
    if (strlen(key) >= KEYCAP)
        return custops__err(CUSTOPS_ELIMIT, "ledger: counter key is too long");
    counter_q c = {key, 0, 0, 0};
    int rc = read_txn(l, read_counter, &c);
    if (!rc) {
        *limit = c.lim;
        *used = c.used;
        *reserved = c.reserved;
    }
    return rc;
}

typedef struct res_q {
    const char *order, *code;
    lg_res r;
} res_q;

static int read_res(lg_backend *be, void *ud)
{
    res_q *q = ud;
    int rc = be->ops->res_get(be, q->order, q->code, &q->r);
    if (rc == CUSTOPS_ENOTFOUND)
        return custops__err(CUSTOPS_ENOTFOUND, "ledger: order '%s' holds no reservation of code '%s'", q->order, q->code);
    return rc;
}

int custops_ledger_reservation(custops_ledger_receipt *receipt, custops_ledger *l, const char *order, const char *code)
{
    CUSTOPS__CHECK_NULL(receipt);
    if (receipt->version != CUSTOPS_LEDGER_RECEIPT_VERSION)
        return custops__err(CUSTOPS_EVERSION, "ledger: receipt version %u is unknown", receipt->version);
    custops_ledger_receipt zero = CUSTOPS_LEDGER_RECEIPT_INIT;
    *receipt = zero;
    CUSTOPS__CHECK_NULL(l);
    int rc;
    if ((rc = check_id(order, "order", 0)) || (rc = check_key_part(code, "code", 0)))
        return rc;
    res_q q;
    q.order = order;
    q.code = code;
    rc = read_txn(l, read_res, &q);
    if (!rc) {
        receipt->state = q.r.state;
        receipt->amount = q.r.amount - q.r.reversed;
        receipt->expires = q.r.expires;
    }
    return rc;
}

/* ---- show ---- */

typedef struct show_state {
    custops__buf *b;
    int first;
} show_state;

static void sep(show_state *s)
{
    if (!s->first)
        custops__buf_u8(s->b, ',');
    s->first = 0;
}

static int show_coupon(void *ud, const lg_coupon *c)
{
    show_state *s = ud;
    sep(s);
    custops__buf_puts(s->b, "{\"code\":");
    json_str(s->b, c->code);
    json_kv_str(s->b, "owner", c->owner);
    json_kv_str(s->b, "campaign", c->campaign);
    json_kv_int(s->b, "max_uses", c->max_uses);
    json_kv_int(s->b, "max_per_customer", c->max_per_customer);
    json_kv_int(s->b, "valid_from", c->valid_from);
    json_kv_int(s->b, "valid_until", c->valid_until);
    json_kv_int(s->b, "restore", c->restore);
    json_kv_int(s->b, "issued_at", c->issued_at);
    custops__buf_puts(s->b, "}");
    return 0;
}

static int show_counter(void *ud, const char *key, int64_t lim, int64_t used, int64_t reserved)
{
    show_state *s = ud;
    sep(s);
    custops__buf_puts(s->b, "{\"key\":");
    json_str(s->b, key);
    json_kv_int(s->b, "limit", lim);
    json_kv_int(s->b, "used", used);
    json_kv_int(s->b, "reserved", reserved);
    custops__buf_puts(s->b, "}");
    return 0;
}

static int show_res(void *ud, const lg_res *r)
{
    show_state *s = ud;
    sep(s);
    custops__buf_puts(s->b, "{\"order\":");
    json_str(s->b, r->order);
    json_kv_str(s->b, "code", r->code);
    json_kv_str(s->b, "customer", r->customer);
    json_kv_str(s->b, "state", custops_ledger_state_name(r->state));
    json_kv_int(s->b, "amount", r->amount);
    json_kv_int(s->b, "reversed", r->reversed);
    json_kv_int(s->b, "created", r->created);
    json_kv_int(s->b, "expires", r->expires);
    custops__buf_puts(s->b, "}");
    return 0;
}

static int do_show(lg_backend *be, void *ud)
{
    custops__buf *b = ud;
    show_state s = {b, 1};
    int64_t seq;
    unsigned char head[32];
    char hex[65];
    int rc = custops__ledger_journal_summary(be, &seq, head);
    if (rc)
        return rc;
    custops__ledger_hex(head, 32, hex);
    custops__buf_printf(b, "{\"backend\":\"%s\",\"journal\":{\"records\":%lld,\"head\":\"%s\"},\"coupons\":[",
                        be->ops->name, (long long)seq, hex);
    if ((rc = be->ops->coupon_scan(be, show_coupon, &s)))
        return rc;
    custops__buf_puts(b, "],\"counters\":[");
    s.first = 1;
    if ((rc = be->ops->counter_scan(be, show_counter, &s)))
        return rc;
    custops__buf_puts(b, "],\"reservations\":[");
    s.first = 1;
    if ((rc = be->ops->res_scan(be, show_res, &s)))
        return rc;
    custops__buf_puts(b, "]}\n");
    return 0;
}

int custops_ledger_show(char **out, custops_ledger *l)
{
    CUSTOPS__CHECK_NULL(out);
    *out = NULL;
    CUSTOPS__CHECK_NULL(l);
    custops__buf b;
    custops__buf_init(&b);
    int rc = read_txn(l, do_show, &b);
    if (!rc)
        rc = custops__buf_u8(&b, 0);
    if (!rc)
        rc = custops__buf_status(&b);
    if (rc) {
        custops__buf_release(&b);
        return rc;
    }
    *out = (char *)b.data;
    return 0;
}

typedef struct journal_q {
    custops__buf *b;
    int64_t after, limit, n;
} journal_q;

#define JOURNAL_DONE 1 /* stops the scan early; not an error */

static int journal_line(void *ud, const lg_jrec *r)
{
    journal_q *q = ud;
    if (r->seq <= q->after)
        return 0;
    if (q->limit && q->n >= q->limit)
        return JOURNAL_DONE;
    char prev[65], hash[65];
    custops__ledger_hex(r->prev, 32, prev);
    custops__ledger_hex(r->hash, 32, hash);
    custops__buf_printf(q->b, "{\"seq\":%lld,\"ts\":%lld,\"prev\":\"%s\",\"hash\":\"%s\"", (long long)r->seq,
                        (long long)r->ts, prev, hash);
    if (r->chain && r->chain[0]) /* chains backends: the chain the record links in */
        json_kv_str(q->b, "chain", r->chain);
    custops__buf_puts(q->b, ",\"record\":");
    custops__buf_append(q->b, r->body, r->body_len);
    custops__buf_puts(q->b, "}\n");
    q->n++;
    return custops__buf_status(q->b);
}

static int do_journal(lg_backend *be, void *ud)
{
    int rc = be->ops->journal_scan(be, journal_line, ud);
    return rc == JOURNAL_DONE ? 0 : rc;
}

int custops_ledger_journal(char **out, custops_ledger *l, int64_t after, int64_t limit)
{
    CUSTOPS__CHECK_NULL(out);
    *out = NULL;
    CUSTOPS__CHECK_NULL(l);
    if (after < 0 || limit < 0)
        return custops__err(CUSTOPS_EINVAL, "ledger journal: after and limit must not be negative");
    custops__buf b;
    custops__buf_init(&b);
    journal_q q = {&b, after, limit, 0};
    int rc = read_txn(l, do_journal, &q);
    if (!rc)
        rc = custops__buf_u8(&b, 0);
    if (!rc)
        rc = custops__buf_status(&b);
    if (rc) {
        custops__buf_release(&b);
        return rc;
    }
    *out = (char *)b.data;
    return 0;
}

typedef struct verify_q {
    int64_t n;
    unsigned char head[32];
} verify_q;

static int do_verify(lg_backend *be, void *ud)
{
    verify_q *v = ud;
    return custops__ledger_journal_verify(be, &v->n, v->head);
}

int custops_ledger_verify(int64_t *nrecords, char *head_hex, custops_ledger *l)
{
    if (nrecords)
        *nrecords = 0;
    if (head_hex)
        head_hex[0] = '\0';
    CUSTOPS__CHECK_NULL(l);
    verify_q v;
    int rc = read_txn(l, do_verify, &v);
    if (rc)
        return rc;
    if (nrecords)
        *nrecords = v.n;
    if (head_hex)
        custops__ledger_hex(v.head, 32, head_hex);
    return 0;
}

typedef struct taken_q {
    const char *codes; /* n codes of len bytes each, back to back (not NUL-terminated) */
    size_t n, len;
    unsigned char *taken;
} taken_q;

static int read_taken(lg_backend *be, void *ud)
{
    taken_q *t = ud;
    char code[LG_ID];
    for (size_t i = 0; i < t->n; i++) {
        memcpy(code, t->codes + i * t->len, t->len);
        code[t->len] = '\0';
        lg_coupon c;
        int rc = be->ops->coupon_get(be, code, &c);
        if (rc && rc != CUSTOPS_ENOTFOUND)
            return rc;
        t->taken[i] = rc == 0;
    }
    return 0;
}

int custops__ledger_codes_taken(custops_ledger *l, const char *codes, size_t n, size_t len, unsigned char *taken)
{
    taken_q t = {codes, n, len, taken};
    return read_txn(l, read_taken, &t);
}
