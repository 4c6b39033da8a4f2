/* PostgreSQL ledger backend (libpq), for ledgers shared by many machines.
 *
 * Every transition is one READ COMMITTED transaction, and transitions on
 * unrelated coupons never wait for each other:
 *  - the journal has one hash chain per coupon ("code:X") and per budget
 *    ("budget:C"), each with its head row; a transition locks its chain's
 *    head row first (an upsert that returns it), so transitions on the
 *    same coupon run one after the other and append in order;
 *  - a reservation is read with SELECT ... FOR UPDATE, and a new one is
 *    written with INSERT ... ON CONFLICT DO UPDATE ... WHERE the old one is
 *    dead, so two concurrent reservations of one order cannot both win;
 *  - counters move only through guarded UPDATE ... WHERE used + reserved +
 *    n <= lim (PostgreSQL rechecks the guard on the newest row version);
 *  - lazy expiry takes overdue reservations FOR UPDATE SKIP LOCKED.
 * Serialization failures, deadlocks and a concurrent insert of the same
 * idempotency key (SQLSTATE 40001, 40P01, 23505) roll back and are retried
 * by ledger.c, at most max_retries times.
 *
 * Round trips: libpq's pipeline mode. begin() sends BEGIN and every read
 * the transition will need (overdue reservations, its idempotency key, the
 * coupon, the reservation, the chain head) in one round trip; writes whose
 * outcome the state machine does not branch on (unguarded counter moves,
 * the reservation, the journal record, the key) are queued and their
 * results checked at the next round trip, at the latest with COMMIT. A
 * reserve is then 4 round trips (reads, two guarded counters, commit) and
 * a commit 2, where each used to be a dozen under one global lock.
 *
 * Tables live in the schema custops_ledger (one ledger per database); the
 * schema is versioned in custops_ledger.schema_version and upgraded by
 * numbered migrations under an advisory lock when a connection opens. */
#include "ledger/ledger_internal.h"

#ifdef CUSTOPS_HAVE_LIBPQ /* defined by src/ledger/local.mk when configure found libpq */

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>

#define LOCK_KEY "1129665356" /* "CUSL" */

static const char *const MIGRATIONS[] = {
    /* 0 -> 1 */
    "CREATE TABLE custops_ledger.coupons(code TEXT PRIMARY KEY, owner TEXT NOT NULL, campaign TEXT NOT NULL,"
    " max_uses BIGINT NOT NULL, max_per_customer BIGINT NOT NULL, valid_from BIGINT NOT NULL,"
    " valid_until BIGINT NOT NULL, restore INTEGER NOT NULL, issued_at BIGINT NOT NULL);"
    "CREATE TABLE custops_ledger.counters(key TEXT PRIMARY KEY, lim BIGINT NOT NULL, used BIGINT NOT NULL,"
    " reserved BIGINT NOT NULL);"
    "CREATE TABLE custops_ledger.reservations(order_id TEXT NOT NULL, code TEXT NOT NULL, customer TEXT NOT NULL,"
    " campaign TEXT NOT NULL, state INTEGER NOT NULL, per_customer INTEGER NOT NULL, amount BIGINT NOT NULL,"
    " reversed BIGINT NOT NULL, created BIGINT NOT NULL, expires BIGINT NOT NULL, PRIMARY KEY(order_id, code));"
    "CREATE TABLE custops_ledger.idem(key TEXT PRIMARY KEY, req_hash BIGINT NOT NULL, state INTEGER NOT NULL,"
    " seq BIGINT NOT NULL, amount BIGINT NOT NULL, expires BIGINT NOT NULL);"
    "CREATE TABLE custops_ledger.journal(seq BIGINT PRIMARY KEY, ts BIGINT NOT NULL, body TEXT NOT NULL,"
    " prev TEXT NOT NULL, hash TEXT NOT NULL);"
    "CREATE TABLE custops_ledger.head(id INTEGER PRIMARY KEY CHECK (id = 1), seq BIGINT NOT NULL, hash TEXT NOT NULL);"
    "INSERT INTO custops_ledger.head VALUES(1, 0, repeat('0', 64));",
    /* 1 -> 2 */
    "CREATE INDEX reservations_pending ON custops_ledger.reservations(expires) WHERE state = 1;",
    /* 2 -> 3: one journal chain per coupon and budget; the records of the
     * single chain of version 2 stay valid as chain '' (bytewise order: "C") */
    "ALTER TABLE custops_ledger.journal ADD COLUMN chain TEXT COLLATE \"C\" NOT NULL DEFAULT '';"
    "ALTER TABLE custops_ledger.journal DROP CONSTRAINT journal_pkey;"
    "ALTER TABLE custops_ledger.journal ADD PRIMARY KEY (chain, seq);"
    "ALTER TABLE custops_ledger.head ADD COLUMN chain TEXT COLLATE \"C\" NOT NULL DEFAULT '';"
    "ALTER TABLE custops_ledger.head DROP COLUMN id;"
    "ALTER TABLE custops_ledger.head ADD PRIMARY KEY (chain);"
    "DELETE FROM custops_ledger.head WHERE seq = 0;",
};
#define SCHEMA_VERSION ((int)(sizeof MIGRATIONS / sizeof MIGRATIONS[0]))

enum {
    S_COUPON_GET, S_COUPON_INS, S_COUNTER_CREATE, S_COUNTER_ADD, S_COUNTER_GUARD, S_COUNTER_GET, S_RES_GET,
    S_RES_LOCK, S_RES_PUT, S_RES_EXPIRED, S_IDEM_GET, S_IDEM_PUT, S_HEAD_LOCK, S_HEAD_GET, S_JOURNAL_INS,
    S_JOURNAL_SCAN, S_HEAD_SCAN, S_COUPON_SCAN, S_COUNTER_SCAN, S_RES_SCAN, S_COUNT
};

#define RES_COLS "order_id, code, customer, campaign, state, per_customer, amount, reversed, created, expires"
#define COUPON_COLS "code, owner, campaign, max_uses, max_per_customer, valid_from, valid_until, restore, issued_at"
#define GUARD_SET                                                                                                      \
    "UPDATE custops_ledger.counters SET lim = lim + $2::bigint, used = used + $3::bigint,"                             \
    " reserved = reserved + $4::bigint WHERE key = $1"

static const struct {
    const char *sql;
    int nparams;
} STMTS[S_COUNT] = {
    {"SELECT " COUPON_COLS " FROM custops_ledger.coupons WHERE code = $1", 1},
    {"INSERT INTO custops_ledger.coupons VALUES($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING", 9},
    {"INSERT INTO custops_ledger.counters VALUES($1, $2, 0, 0) ON CONFLICT DO NOTHING", 2},
    {GUARD_SET, 4},
    /* guarded: how many rows moved, and whether the counter exists at all */
    {"WITH u AS (" GUARD_SET " AND (lim < 0 OR used + reserved + $3::bigint + $4::bigint <= lim + $2::bigint)"
     " RETURNING 1) SELECT (SELECT count(*) FROM u), EXISTS(SELECT 1 FROM custops_ledger.counters WHERE key = $1)", 4},
    {"SELECT lim, used, reserved FROM custops_ledger.counters WHERE key = $1", 1},
    {"SELECT " RES_COLS " FROM custops_ledger.reservations WHERE order_id = $1 AND code = $2", 2},
    {"SELECT " RES_COLS " FROM custops_ledger.reservations WHERE order_id = $1 AND code = $2 FOR UPDATE", 2},
    /* $11 = 1 when this transaction holds the row (read FOR UPDATE); else
     * only a dead reservation may be replaced */
    {"INSERT INTO custops_ledger.reservations AS r VALUES($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
     " ON CONFLICT(order_id, code) DO UPDATE SET customer = $3, campaign = $4, state = $5, per_customer = $6,"
     " amount = $7, reversed = $8, created = $9, expires = $10 WHERE $11::int = 1 OR r.state >= 4", 11},
    {"SELECT " RES_COLS " FROM custops_ledger.reservations WHERE state = 1 AND expires <= $1 ORDER BY expires LIMIT 1"
     " FOR UPDATE SKIP LOCKED", 1},
    {"SELECT req_hash, state, seq, amount, expires FROM custops_ledger.idem WHERE key = $1", 1},
    {"INSERT INTO custops_ledger.idem VALUES($1, $2, $3, $4, $5, $6)", 6},
    /* lock the chain's head (creating it) and return it, in one statement */
    {"INSERT INTO custops_ledger.head AS h VALUES(0, repeat('0', 64), $1) ON CONFLICT(chain)"
     " DO UPDATE SET seq = h.seq RETURNING seq, hash", 1},
    {"SELECT seq, hash FROM custops_ledger.head WHERE chain = $1", 1},
    /* the record and the head move in one statement */
    {"WITH j AS (INSERT INTO custops_ledger.journal VALUES($1, $2, $3, $4, $5, $6))"
     " UPDATE custops_ledger.head SET seq = $1, hash = $5 WHERE chain = $6", 6},
    {"SELECT seq, ts, body, prev, hash, chain FROM custops_ledger.journal ORDER BY chain, seq", 0},
    {"SELECT chain, seq, hash FROM custops_ledger.head WHERE seq > 0 ORDER BY chain", 0},
    {"SELECT " COUPON_COLS " FROM custops_ledger.coupons ORDER BY code", 0},
    {"SELECT key, lim, used, reserved FROM custops_ledger.counters ORDER BY key", 0},
    {"SELECT " RES_COLS " FROM custops_ledger.reservations ORDER BY order_id, code", 0},
};

/* What a queued command's result must show. */
enum { X_ANY, X_KEEP, X_ONE_ROW };

typedef struct qitem {
    int expect;
    int fail_status;    /* X_ONE_ROW: the status when no row changed */
    char fail_msg[200]; /* and its message */
} qitem;

#define QMAX 24
#define KEEPMAX 8
#define HELDMAX 4
#define CHAINCAP (3 * LG_ID + 16)

typedef struct pgbe {
    lg_backend base;
    PGconn *c;
    int in_txn, writing;
    qitem q[QMAX];
    int nq;
    /* reads fetched ahead by begin(); each answers one call */
    struct {
        int valid, found;
        int64_t now;
        lg_res r;
    } sweep;
    struct {
        int valid, found;
        lg_idem d;
    } idem;
    struct {
        int valid, found;
        lg_coupon c;
    } coupon;
    struct {
        int valid, found;
        char order[LG_ID], code[LG_ID];
        lg_res r;
    } res;
    struct { /* the head of the chain this transaction last locked or moved */
        int valid;
        char chain[CHAINCAP];
        int64_t seq;
        unsigned char hash[32];
    } head;
    /* reservations this transaction locked (order \x1f code) */
    char held[HELDMAX][2 * LG_ID + 1];
    int nheld;
} pgbe;

static void quiet(void *ud, const char *msg)
{
    (void)ud;
    (void)msg; /* "no transaction in progress" after a failed COMMIT and the like */
}

static int trim_copy(char *buf, size_t cap, const char *msg)
{
    snprintf(buf, cap, "%s", msg ? msg : "");
    size_t n = strlen(buf);
    while (n && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
        buf[--n] = '\0';
    return 0;
}

/* Map a failed result to a status (and message). */
static int pg_fail(pgbe *p, PGresult *r, const char *what)
{
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    const char *msg = r ? PQresultErrorMessage(r) : PQerrorMessage(p->c);
    int status = CUSTOPS_EIO;
    if (state && (!strcmp(state, "40001") || !strcmp(state, "40P01") || !strcmp(state, "23505")))
        status = LG_RETRY;
    else if (state && !strcmp(state, "55P03"))
        status = CUSTOPS_EBUSY;
    else if (state && !strncmp(state, "53", 2))
        status = CUSTOPS_ENOMEM;
    if (status != LG_RETRY) {
        char buf[400];
        trim_copy(buf, sizeof buf, msg);
        if (!buf[0])
            trim_copy(buf, sizeof buf, PQerrorMessage(p->c));
        custops__err(status, "ledger postgresql: %s: %s%s%s%s", what, buf, state ? " (SQLSTATE " : "",
                     state ? state : "", state ? ")" : "");
    }
    return status;
}

/* ---- the pipeline ---- */

static int collect(pgbe *p, PGresult **keep, int nkeep);

static qitem *push(pgbe *p, int expect)
{
    qitem *it = &p->q[p->nq++];
    it->expect = expect;
    it->fail_status = 0;
    it->fail_msg[0] = '\0';
    return it;
}

/* Queue prepared statement k (its result is checked by the next collect()). */
static int send(pgbe *p, int k, const char *const *params, int expect, qitem **item)
{
    int rc;
    if (p->nq == QMAX && (rc = collect(p, NULL, 0)))
        return rc;
    char name[4] = {'s', (char)('A' + k), 0, 0};
    if (!PQsendQueryPrepared(p->c, name, STMTS[k].nparams, params, NULL, NULL, 0))
        return pg_fail(p, NULL, STMTS[k].sql);
    qitem *it = push(p, expect);
    if (item)
        *item = it;
    return 0;
}

static int send_sql(pgbe *p, const char *sql)
{
    int rc;
    if (p->nq == QMAX && (rc = collect(p, NULL, 0)))
        return rc;
    if (!PQsendQueryParams(p->c, sql, 0, NULL, NULL, NULL, NULL, 0))
        return pg_fail(p, NULL, sql);
    push(p, X_ANY);
    return 0;
}

/* Send a sync and read every queued result in order. Results of X_KEEP
 * commands go to keep[] (in order; the caller clears them); the first
 * failure decides the status, and then nothing is kept. */
static int collect(pgbe *p, PGresult **keep, int nkeep)
{
    int status = 0, nk = 0;
    for (int i = 0; i < nkeep; i++)
        keep[i] = NULL;
    if (!PQpipelineSync(p->c)) {
        status = pg_fail(p, NULL, "sending");
        p->nq = 0;
        return status;
    }
    int idx = 0, got = 0, nulls = 0;
    for (;;) {
        PGresult *r = PQgetResult(p->c);
        if (!r) {
            if (got) {
                idx++;
                got = 0;
            }
            if (++nulls > 2) { /* the connection is gone */
                if (!status)
                    status = pg_fail(p, NULL, "reading results");
                break;
            }
            continue;
        }
        nulls = 0;
        ExecStatusType st = PQresultStatus(r);
        if (st == PGRES_PIPELINE_SYNC) {
            PQclear(r);
            break;
        }
        got = 1;
        const qitem *it = idx < p->nq ? &p->q[idx] : NULL;
        if (st == PGRES_PIPELINE_ABORTED) {
            PQclear(r);
            continue;
        }
        if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
            if (!status)
                status = pg_fail(p, r, "a ledger statement");
            PQclear(r);
            continue;
        }
        if (it && it->expect == X_ONE_ROW && atoi(PQcmdTuples(r)) != 1 && !status)
            status = custops__err(it->fail_status, "%s", it->fail_msg);
        if (it && it->expect == X_KEEP && nk < nkeep && !status)
            keep[nk++] = r;
        else
            PQclear(r);
    }
    p->nq = 0;
    if (status)
        for (int i = 0; i < nk; i++) {
            PQclear(keep[i]);
            keep[i] = NULL;
        }
    return status;
}

/* Run one read now (after whatever is queued). */
static int run(pgbe *p, int k, const char *const *params, PGresult **out)
{
    int rc = send(p, k, params, X_KEEP, NULL);
    if (!rc)
        rc = collect(p, out, 1);
    return rc;
}

#define I64(buf, v) (snprintf((buf), sizeof(buf), "%lld", (long long)(v)), (const char *)(buf))

static int64_t get64(PGresult *r, int row, int col) { return strtoll(PQgetvalue(r, row, col), NULL, 10); }

static void get_text(PGresult *r, int row, int col, char *out)
{
    const char *v = PQgetvalue(r, row, col);
    size_t n = strlen(v);
    if (n > CUSTOPS_LEDGER_MAX_ID)
        n = 0;
    memcpy(out, v, n);
    out[n] = '\0';
}

static int hex32(const char *hex, unsigned char out[32])
{
    if (strlen(hex) != 64)
        return -1;
    for (int i = 0; i < 32; i++) {
        unsigned v = 0;
        for (int j = 0; j < 2; j++) {
            char c = hex[2 * i + j];
            v <<= 4;
            if (c >= '0' && c <= '9')
                v |= (unsigned)(c - '0');
            else if (c >= 'a' && c <= 'f')
                v |= (unsigned)(c - 'a' + 10);
            else
                return -1;
        }
        out[i] = (unsigned char)v;
    }
    return 0;
}

static void res_row(PGresult *r, int i, lg_res *x)
{
    get_text(r, i, 0, x->order);
    get_text(r, i, 1, x->code);
    get_text(r, i, 2, x->customer);
    get_text(r, i, 3, x->campaign);
    x->state = (int32_t)get64(r, i, 4);
    x->per_customer = (int32_t)get64(r, i, 5);
    x->amount = get64(r, i, 6);
    x->reversed = get64(r, i, 7);
    x->created = get64(r, i, 8);
    x->expires = get64(r, i, 9);
}

static void coupon_row(PGresult *r, int i, lg_coupon *c)
{
    get_text(r, i, 0, c->code);
    get_text(r, i, 1, c->owner);
    get_text(r, i, 2, c->campaign);
    c->max_uses = get64(r, i, 3);
    c->max_per_customer = get64(r, i, 4);
    c->valid_from = get64(r, i, 5);
    c->valid_until = get64(r, i, 6);
    c->restore = (int32_t)get64(r, i, 7);
    c->issued_at = get64(r, i, 8);
}

static void idem_row(PGresult *r, const char *key, lg_idem *out)
{
    snprintf(out->key, sizeof out->key, "%s", key);
    out->req_hash = (uint64_t)get64(r, 0, 0);
    out->state = (int32_t)get64(r, 0, 1);
    out->seq = get64(r, 0, 2);
    out->amount = get64(r, 0, 3);
    out->expires = get64(r, 0, 4);
}

static int head_row(pgbe *p, PGresult *r, const char *chain)
{
    if (PQntuples(r) != 1 || hex32(PQgetvalue(r, 0, 1), p->head.hash))
        return custops__err(CUSTOPS_ECORRUPT, "ledger postgresql: the head of journal chain '%s' is damaged", chain);
    p->head.valid = 1;
    p->head.seq = get64(r, 0, 0);
    snprintf(p->head.chain, sizeof p->head.chain, "%s", chain);
    return 0;
}

/* ---- reservations this transaction holds ---- */

static void res_key(char *out, const char *order, const char *code)
{
    snprintf(out, 2 * LG_ID + 1, "%s\x1f%s", order, code);
}

static void hold(pgbe *p, const char *order, const char *code)
{
    res_key(p->held[p->nheld % HELDMAX], order, code);
    p->nheld++;
}

static int holds(const pgbe *p, const char *order, const char *code)
{
    char k[2 * LG_ID + 1];
    res_key(k, order, code);
    int n = p->nheld < HELDMAX ? p->nheld : HELDMAX;
    for (int i = 0; i < n; i++)
        if (!strcmp(p->held[i], k))
            return 1;
    return 0;
}

/* ---- transactions ---- */

static void forget(pgbe *p)
{
    p->sweep.valid = p->idem.valid = p->coupon.valid = p->res.valid = p->head.valid = 0;
    p->nheld = 0;
}

static void pg_rollback(lg_backend *b);
static int prefetch(pgbe *p, const lg_hint *h);

/* A failed begin() leaves no transaction behind (the caller does not roll
 * back what did not begin). */
static int pg_begin(lg_backend *b, const lg_hint *h)
{
    int rc = prefetch((pgbe *)b, h);
    if (rc)
        pg_rollback(b);
    return rc;
}

static int prefetch(pgbe *p, const lg_hint *h)
{
    forget(p);
    p->writing = h && h->writing;
    int rc = send_sql(p, p->writing ? "BEGIN ISOLATION LEVEL READ COMMITTED"
                                    : "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    if (rc)
        return rc;
    p->in_txn = 1;
    if (!p->writing)
        return 0; /* sent with the first read */
    /* everything the transition reads first, in one round trip */
    char now[24];
    const char *vn[] = {I64(now, h->now)};
    const char *vi[] = {h->idem_key};
    const char *vc[] = {h->coupon};
    const char *vr[] = {h->order, h->code};
    const char *vh[] = {h->chain};
    int want_res = h->order && h->code;
    if ((rc = send(p, S_RES_EXPIRED, vn, X_KEEP, NULL)) ||
        (h->idem_key && (rc = send(p, S_IDEM_GET, vi, X_KEEP, NULL))) ||
        (h->coupon && (rc = send(p, S_COUPON_GET, vc, X_KEEP, NULL))) ||
        (want_res && (rc = send(p, S_RES_LOCK, vr, X_KEEP, NULL))) ||
        (h->chain && (rc = send(p, S_HEAD_LOCK, vh, X_KEEP, NULL))))
        return rc;
    PGresult *k[5];
    if ((rc = collect(p, k, 5)))
        return rc;
    int i = 0;
    p->sweep.valid = 1;
    p->sweep.now = h->now;
    if ((p->sweep.found = PQntuples(k[i]) == 1)) {
        res_row(k[i], 0, &p->sweep.r);
        hold(p, p->sweep.r.order, p->sweep.r.code);
    }
    PQclear(k[i++]);
    if (h->idem_key) {
        p->idem.valid = 1;
        snprintf(p->idem.d.key, sizeof p->idem.d.key, "%s", h->idem_key);
        if ((p->idem.found = PQntuples(k[i]) == 1))
            idem_row(k[i], h->idem_key, &p->idem.d);
        PQclear(k[i++]);
    }
    if (h->coupon) {
        p->coupon.valid = 1;
        snprintf(p->coupon.c.code, sizeof p->coupon.c.code, "%s", h->coupon);
        if ((p->coupon.found = PQntuples(k[i]) == 1))
            coupon_row(k[i], 0, &p->coupon.c);
        PQclear(k[i++]);
    }
    if (want_res) {
        p->res.valid = 1;
        snprintf(p->res.order, sizeof p->res.order, "%s", h->order);
        snprintf(p->res.code, sizeof p->res.code, "%s", h->code);
        if ((p->res.found = PQntuples(k[i]) == 1)) {
            res_row(k[i], 0, &p->res.r);
            hold(p, h->order, h->code);
        }
        PQclear(k[i++]);
    }
    if (h->chain) {
        rc = head_row(p, k[i], h->chain);
        PQclear(k[i++]);
    }
    return rc;
}

static int pg_commit(lg_backend *b)
{
    pgbe *p = (pgbe *)b;
    int rc = send_sql(p, "COMMIT");
    if (!rc)
        rc = collect(p, NULL, 0);
    if (rc) { /* a queued write failed: COMMIT did not run */
        if (!send_sql(p, "ROLLBACK"))
            (void)collect(p, NULL, 0);
    }
    p->in_txn = 0;
    forget(p);
    return rc;
}

static void pg_rollback(lg_backend *b)
{
    pgbe *p = (pgbe *)b;
    int keep_status = custops_last_status();
    char keep[512];
    snprintf(keep, sizeof keep, "%s", custops_last_error());
    if (p->in_txn || p->nq) {
        if (!send_sql(p, "ROLLBACK"))
            (void)collect(p, NULL, 0);
    }
    p->in_txn = 0;
    forget(p);
    if (keep_status) /* the caller's message, not ours */
        custops__err(keep_status, "%s", keep);
}

/* ---- coupons ---- */

static int pg_coupon_get(lg_backend *b, const char *code, lg_coupon *out)
{
    pgbe *p = (pgbe *)b;
    if (p->coupon.valid && !strcmp(p->coupon.c.code, code)) { /* coupons never change */
        if (!p->coupon.found)
            return CUSTOPS_ENOTFOUND;
        *out = p->coupon.c;
        return 0;
    }
    PGresult *r;
    const char *v[] = {code};
    int rc = run(p, S_COUPON_GET, v, &r);
    if (rc)
        return rc;
    int found = PQntuples(r) == 1;
    if (found)
        coupon_row(r, 0, out);
    PQclear(r);
    return found ? 0 : CUSTOPS_ENOTFOUND;
}

static int pg_coupon_insert(lg_backend *b, const lg_coupon *c)
{
    pgbe *p = (pgbe *)b;
    char a[24], m[24], f[24], u[24], rs[24], i[24];
    const char *v[] = {c->code, c->owner, c->campaign, I64(a, c->max_uses), I64(m, c->max_per_customer),
                       I64(f, c->valid_from), I64(u, c->valid_until), I64(rs, c->restore), I64(i, c->issued_at)};
    qitem *it;
    int rc = send(p, S_COUPON_INS, v, X_ONE_ROW, &it);
    if (rc)
        return rc;
    it->fail_status = CUSTOPS_EEXISTS;
    snprintf(it->fail_msg, sizeof it->fail_msg, "ledger: code '%s' is already issued", c->code);
    p->coupon.valid = 0;
    return 0;
}

static int pg_coupon_scan(lg_backend *b, lg_coupon_cb cb, void *ud)
{
    PGresult *r = NULL;
    int rc = run((pgbe *)b, S_COUPON_SCAN, NULL, &r);
    if (rc)
        return rc;
    for (int i = 0; !rc && i < PQntuples(r); i++) {
        lg_coupon c;
        coupon_row(r, i, &c);
        rc = cb(ud, &c);
    }
    PQclear(r);
    return rc;
}

/* ---- counters ---- */

static int pg_counter_create(lg_backend *b, const char *key, int64_t lim)
{
    char l[24];
    const char *v[] = {key, I64(l, lim)};
    return send((pgbe *)b, S_COUNTER_CREATE, v, X_ANY, NULL);
}

static int pg_counter_get(lg_backend *b, const char *key, int64_t *lim, int64_t *used, int64_t *reserved)
{
    PGresult *r;
    const char *v[] = {key};
    int rc = run((pgbe *)b, S_COUNTER_GET, v, &r);
    if (rc)
        return rc;
    int found = PQntuples(r) == 1;
    if (found) {
        *lim = get64(r, 0, 0);
        *used = get64(r, 0, 1);
        *reserved = get64(r, 0, 2);
    }
    PQclear(r);
    return found ? 0 : CUSTOPS_ENOTFOUND;
}

static int pg_counter_add(lg_backend *b, const char *key, int64_t dl, int64_t du, int64_t dr, int guard)
{
    pgbe *p = (pgbe *)b;
    char l[24], u[24], rr[24];
    const char *v[] = {key, I64(l, dl), I64(u, du), I64(rr, dr)};
    if (!guard) { /* checked with the next round trip */
        qitem *it;
        int rc = send(p, S_COUNTER_ADD, v, X_ONE_ROW, &it);
        if (!rc) {
            it->fail_status = CUSTOPS_ECORRUPT;
            snprintf(it->fail_msg, sizeof it->fail_msg, "ledger postgresql: counter '%.120s' is missing", key);
        }
        return rc;
    }
    PGresult *r;
    int rc = run(p, S_COUNTER_GUARD, v, &r);
    if (rc)
        return rc;
    int moved = PQntuples(r) == 1 && get64(r, 0, 0) == 1;
    int exists = PQntuples(r) == 1 && PQgetvalue(r, 0, 1)[0] == 't';
    PQclear(r);
    return moved ? 0 : exists ? CUSTOPS_ELIMIT : CUSTOPS_ENOTFOUND;
}

static int pg_counter_scan(lg_backend *b, lg_counter_cb cb, void *ud)
{
    PGresult *r = NULL;
    int rc = run((pgbe *)b, S_COUNTER_SCAN, NULL, &r);
    if (rc)
        return rc;
    for (int i = 0; !rc && i < PQntuples(r); i++)
        rc = cb(ud, PQgetvalue(r, i, 0), get64(r, i, 1), get64(r, i, 2), get64(r, i, 3));
    PQclear(r);
    return rc;
}

/* ---- reservations ---- */

static int one_res(pgbe *p, int k, const char *const *v, lg_res *out)
{
    PGresult *r;
    int rc = run(p, k, v, &r);
    if (rc)
        return rc;
    int found = PQntuples(r) == 1;
    if (found)
        res_row(r, 0, out);
    PQclear(r);
    return found ? 0 : CUSTOPS_ENOTFOUND;
}

static int pg_res_get(lg_backend *b, const char *order, const char *code, lg_res *out)
{
    pgbe *p = (pgbe *)b;
    if (p->res.valid && !strcmp(p->res.order, order) && !strcmp(p->res.code, code)) {
        p->res.valid = 0; /* answers once: the transition writes it next */
        if (!p->res.found)
            return CUSTOPS_ENOTFOUND;
        *out = p->res.r;
        return 0;
    }
    const char *v[] = {order, code};
    int rc = one_res(p, p->writing ? S_RES_LOCK : S_RES_GET, v, out);
    if (rc == 0 && p->writing)
        hold(p, order, code);
    return rc;
}

static int pg_res_next_expired(lg_backend *b, int64_t now, lg_res *out)
{
    pgbe *p = (pgbe *)b;
    if (p->sweep.valid && p->sweep.now == now) {
        p->sweep.valid = 0;
        if (!p->sweep.found)
            return CUSTOPS_ENOTFOUND;
        *out = p->sweep.r;
        return 0;
    }
    char n[24];
    const char *v[] = {I64(n, now)};
    int rc = one_res(p, S_RES_EXPIRED, v, out);
    if (rc == 0)
        hold(p, out->order, out->code);
    return rc;
}

static int pg_res_put(lg_backend *b, const lg_res *x)
{
    pgbe *p = (pgbe *)b;
    char s[24], pc[24], a[24], rv[24], c[24], e[24];
    const char *v[] = {x->order,          x->code,           x->customer,          x->campaign,
                       I64(s, x->state),  I64(pc, x->per_customer), I64(a, x->amount), I64(rv, x->reversed),
                       I64(c, x->created), I64(e, x->expires), holds(p, x->order, x->code) ? "1" : "0"};
    qitem *it;
    int rc = send(p, S_RES_PUT, v, X_ONE_ROW, &it);
    if (rc)
        return rc;
    /* no row: another transaction's reservation of this order won meanwhile */
    it->fail_status = CUSTOPS_EEXISTS;
    snprintf(it->fail_msg, sizeof it->fail_msg, "ledger: order '%.80s' already holds code '%.80s'", x->order, x->code);
    if (p->res.valid && !strcmp(p->res.order, x->order) && !strcmp(p->res.code, x->code))
        p->res.valid = 0;
    return 0;
}

static int pg_res_scan(lg_backend *b, lg_res_cb cb, void *ud)
{
    PGresult *r = NULL;
    int rc = run((pgbe *)b, S_RES_SCAN, NULL, &r);
    if (rc)
        return rc;
    for (int i = 0; !rc && i < PQntuples(r); i++) {
        lg_res x;
        res_row(r, i, &x);
        rc = cb(ud, &x);
    }
    PQclear(r);
    return rc;
}

/* ---- idempotency keys ---- */

static int pg_idem_get(lg_backend *b, const char *key, lg_idem *out)
{
    pgbe *p = (pgbe *)b;
    if (p->idem.valid && !strcmp(p->idem.d.key, key)) {
        p->idem.valid = 0;
        if (!p->idem.found)
            return CUSTOPS_ENOTFOUND;
        *out = p->idem.d;
        return 0;
    }
    PGresult *r;
    const char *v[] = {key};
    int rc = run(p, S_IDEM_GET, v, &r);
    if (rc)
        return rc;
    int found = PQntuples(r) == 1;
    if (found)
        idem_row(r, key, out);
    PQclear(r);
    return found ? 0 : CUSTOPS_ENOTFOUND;
}

static int pg_idem_put(lg_backend *b, const lg_idem *x)
{
    pgbe *p = (pgbe *)b;
    char h[24], s[24], q[24], a[24], e[24];
    const char *v[] = {x->key, I64(h, (int64_t)x->req_hash), I64(s, x->state), I64(q, x->seq), I64(a, x->amount),
                       I64(e, x->expires)};
    p->idem.valid = 0;
    return send(p, S_IDEM_PUT, v, X_ANY, NULL);
}

/* ---- journal ---- */

static int pg_journal_head(lg_backend *b, const char *chain, int64_t *seq, unsigned char hash[32])
{
    pgbe *p = (pgbe *)b;
    if (!(p->head.valid && !strcmp(p->head.chain, chain))) {
        PGresult *r;
        const char *v[] = {chain};
        int rc = run(p, p->writing ? S_HEAD_LOCK : S_HEAD_GET, v, &r);
        if (rc)
            return rc;
        if (!p->writing && PQntuples(r) == 0) { /* an empty chain */
            PQclear(r);
            *seq = 0;
            if (hash)
                memset(hash, 0, 32);
            return 0;
        }
        rc = head_row(p, r, chain);
        PQclear(r);
        if (rc)
            return rc;
    }
    *seq = p->head.seq;
    if (hash)
        memcpy(hash, p->head.hash, 32);
    return 0;
}

static int pg_journal_append(lg_backend *b, const lg_jrec *x)
{
    pgbe *p = (pgbe *)b;
    char s[24], t[24], prev[65], hash[65];
    char *body = custops__strndup(x->body, x->body_len);
    if (!body)
        return custops__nomem();
    custops__ledger_hex(x->prev, 32, prev);
    custops__ledger_hex(x->hash, 32, hash);
    const char *v[] = {I64(s, x->seq), I64(t, x->ts), body, prev, hash, x->chain};
    qitem *it;
    int rc = send(p, S_JOURNAL_INS, v, X_ONE_ROW, &it);
    custops__free(body);
    if (rc)
        return rc;
    it->fail_status = CUSTOPS_ECORRUPT;
    snprintf(it->fail_msg, sizeof it->fail_msg, "ledger postgresql: the head of journal chain '%.120s' is missing",
             x->chain);
    /* the chain's head is now this record (the row stays locked) */
    p->head.valid = 1;
    snprintf(p->head.chain, sizeof p->head.chain, "%s", x->chain);
    p->head.seq = x->seq;
    memcpy(p->head.hash, x->hash, 32);
    return 0;
}

static int pg_journal_scan(lg_backend *b, lg_jrec_cb cb, void *ud)
{
    PGresult *r = NULL;
    int rc = run((pgbe *)b, S_JOURNAL_SCAN, NULL, &r);
    if (rc)
        return rc;
    for (int i = 0; !rc && i < PQntuples(r); i++) {
        lg_jrec x;
        x.seq = get64(r, i, 0);
        x.ts = get64(r, i, 1);
        x.body = PQgetvalue(r, i, 2);
        x.body_len = (size_t)PQgetlength(r, i, 2);
        x.chain = PQgetvalue(r, i, 5);
        if (hex32(PQgetvalue(r, i, 3), x.prev) || hex32(PQgetvalue(r, i, 4), x.hash))
            rc = custops__err(CUSTOPS_ECORRUPT, "journal: record %lld of chain '%s' has a damaged hash field",
                              (long long)x.seq, x.chain);
        else
            rc = cb(ud, &x);
    }
    PQclear(r);
    return rc;
}

static int pg_head_scan(lg_backend *b, lg_head_cb cb, void *ud)
{
    PGresult *r = NULL;
    int rc = run((pgbe *)b, S_HEAD_SCAN, NULL, &r);
    if (rc)
        return rc;
    for (int i = 0; !rc && i < PQntuples(r); i++) {
        unsigned char h[32];
        if (hex32(PQgetvalue(r, i, 2), h))
            rc = custops__err(CUSTOPS_ECORRUPT, "journal: the head of chain '%s' is damaged", PQgetvalue(r, i, 0));
        else
            rc = cb(ud, PQgetvalue(r, i, 0), get64(r, i, 1), h);
    }
    PQclear(r);
    return rc;
}

static void pg_close(lg_backend *b)
{
    pgbe *p = (pgbe *)b;
    if (p->c)
        PQfinish(p->c);
    custops__free(p);
}

static const lg_backend_ops PG_OPS = {
    .name = "postgresql",
    .chains = 1,
    .lazy_hash = 0,
    .begin = pg_begin,
    .commit = pg_commit,
    .rollback = pg_rollback,
    .coupon_get = pg_coupon_get,
    .coupon_insert = pg_coupon_insert,
    .counter_create = pg_counter_create,
    .counter_add = pg_counter_add,
    .counter_get = pg_counter_get,
    .res_get = pg_res_get,
    .res_put = pg_res_put,
    .res_next_expired = pg_res_next_expired,
    .idem_get = pg_idem_get,
    .idem_put = pg_idem_put,
    .journal_head = pg_journal_head,
    .journal_append = pg_journal_append,
    .journal_scan = pg_journal_scan,
    .head_scan = pg_head_scan,
    .coupon_scan = pg_coupon_scan,
    .counter_scan = pg_counter_scan,
    .res_scan = pg_res_scan,
    .close = pg_close,
};

/* Plain statements before pipeline mode (schema setup). */
static int simple(pgbe *p, const char *sql)
{
    PGresult *r = PQexec(p->c, sql);
    ExecStatusType st = PQresultStatus(r);
    int rc = 0;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
        rc = pg_fail(p, r, sql);
    PQclear(r);
    return rc;
}

static int migrate(pgbe *p)
{
    int rc = simple(p, "BEGIN; SELECT pg_advisory_xact_lock(" LOCK_KEY ");"
                       " CREATE SCHEMA IF NOT EXISTS custops_ledger;"
                       " CREATE TABLE IF NOT EXISTS custops_ledger.schema_version(version INTEGER NOT NULL)");
    if (rc)
        goto fail;
    PGresult *r = PQexec(p->c, "SELECT version FROM custops_ledger.schema_version");
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        rc = pg_fail(p, r, "reading the schema version");
        PQclear(r);
        goto fail;
    }
    int version = PQntuples(r) ? atoi(PQgetvalue(r, 0, 0)) : 0, had_row = PQntuples(r) > 0;
    PQclear(r);
    if (version > SCHEMA_VERSION) {
        rc = custops__err(CUSTOPS_EVERSION, "ledger postgresql: schema version %d is newer than this library's %d",
                          version, SCHEMA_VERSION);
        goto fail;
    }
    for (int v = version; v < SCHEMA_VERSION; v++)
        if ((rc = simple(p, MIGRATIONS[v])))
            goto fail;
    if (version < SCHEMA_VERSION) {
        char sql[96];
        snprintf(sql, sizeof sql,
                 had_row ? "UPDATE custops_ledger.schema_version SET version = %d"
                         : "INSERT INTO custops_ledger.schema_version VALUES(%d)",
                 SCHEMA_VERSION);
        if ((rc = simple(p, sql)))
            goto fail;
    }
    return simple(p, "COMMIT");
fail:
    PQclear(PQexec(p->c, "ROLLBACK"));
    return rc;
}

int custops__ledger_pg_open(lg_backend **out, const char *conninfo, const custops_ledger_options *o)
{
    pgbe *p = custops__calloc(1, sizeof *p);
    if (!p)
        return custops__nomem();
    p->base.ops = &PG_OPS;
    p->c = PQconnectdb(conninfo);
    int rc;
    if (!p->c) {
        rc = custops__nomem();
        goto fail;
    }
    if (PQstatus(p->c) != CONNECTION_OK) {
        char buf[300];
        trim_copy(buf, sizeof buf, PQerrorMessage(p->c));
        rc = custops__err(CUSTOPS_EIO, "ledger postgresql: cannot connect: %s", buf);
        goto fail;
    }
    PQsetNoticeProcessor(p->c, quiet, NULL);
    char sql[128];
    snprintf(sql, sizeof sql, "SET lock_timeout = %d; SET client_min_messages = warning",
             o->busy_timeout_ms > 0 ? (int)o->busy_timeout_ms : 1);
    if ((rc = simple(p, sql)) || (rc = migrate(p)))
        goto fail;
    for (int k = 0; k < S_COUNT; k++) {
        char name[4] = {'s', (char)('A' + k), 0, 0};
        PGresult *r = PQprepare(p->c, name, STMTS[k].sql, STMTS[k].nparams, NULL);
        if (PQresultStatus(r) != PGRES_COMMAND_OK) {
            rc = pg_fail(p, r, "preparing a statement");
            PQclear(r);
            goto fail;
        }
        PQclear(r);
    }
    if (!PQenterPipelineMode(p->c)) {
        rc = pg_fail(p, NULL, "entering pipeline mode");
        goto fail;
    }
    *out = &p->base;
    return 0;
fail:
    if (rc == LG_RETRY)
        rc = custops__err(CUSTOPS_EBUSY, "ledger postgresql: schema setup conflicted with another connection");
    pg_close(&p->base);
    return rc;
}

#else /* built without libpq */

/* PostgreSQL locations are refused with a clear message, not a link error. */
int custops__ledger_pg_open(lg_backend **out, const char *conninfo, const custops_ledger_options *o)
{
    (void)out;
    (void)conninfo;
    (void)o;
    return custops__err(CUSTOPS_EUNSUPPORTED,
                        "ledger: this libcustops was built without PostgreSQL support (configure found no libpq)");
}

#endif
