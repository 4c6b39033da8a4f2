/* PostgreSQL ledger backend (libpq), for ledgers shared by many machines.
 *
 * Every transition is one transaction. The journal is a single hash chain,
 * so transitions are serialized anyway: each transaction starts by taking
 * a transaction-scoped advisory lock (waiting at most busy_timeout_ms, then
 * CUSTOPS_EBUSY), in READ COMMITTED so every statement after the lock sees
 * everything committed before it. Counters still move only through guarded
 * UPDATE ... WHERE used + reserved + n <= lim, and any serialization
 * failure or deadlock (SQLSTATE 40001, 40P01) rolls back and is retried by
 * ledger.c, at most max_retries times.
 *
 * Tables live in the schema custops_ledger (one ledger per database); the
 * schema is versioned in custops_ledger.schema_version and upgraded by
 * numbered migrations under the same lock when a connection opens. */
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
};
#define SCHEMA_VERSION ((int)(sizeof MIGRATIONS / sizeof MIGRATIONS[0]))

enum {
    S_COUPON_GET, S_COUPON_INS, S_COUNTER_CREATE, S_COUNTER_ADD, S_COUNTER_GET, S_RES_GET, S_RES_PUT,
    S_RES_EXPIRED, S_IDEM_GET, S_IDEM_PUT, S_HEAD_GET, S_JOURNAL_INS, S_JOURNAL_SCAN, S_COUPON_SCAN,
    S_COUNTER_SCAN, S_RES_SCAN, S_COUNT
};

#define RES_COLS "order_id, code, customer, campaign, state, per_customer, amount, reversed, created, expires"
#define COUPON_COLS "code, owner, campaign, max_uses, max_per_customer, valid_from, valid_until, restore, issued_at"

static const struct {
    const char *sql;
    int nparams;
} STMTS[S_COUNT] = {
    {"SELECT " COUPON_COLS " FROM custops_ledger.coupons WHERE code = $1", 1},
    {"INSERT INTO custops_ledger.coupons VALUES($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING", 9},
    {"INSERT INTO custops_ledger.counters VALUES($1, $2, 0, 0) ON CONFLICT DO NOTHING", 2},
    {"UPDATE custops_ledger.counters SET lim = lim + $2::bigint, used = used + $3::bigint,"
     " reserved = reserved + $4::bigint WHERE key = $1"
     " AND ($5::int = 0 OR lim < 0 OR used + reserved + $3::bigint + $4::bigint <= lim + $2::bigint)", 5},
    {"SELECT lim, used, reserved FROM custops_ledger.counters WHERE key = $1", 1},
    {"SELECT " RES_COLS " FROM custops_ledger.reservations WHERE order_id = $1 AND code = $2", 2},
    {"INSERT INTO custops_ledger.reservations VALUES($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
     " ON CONFLICT(order_id, code) DO UPDATE SET customer = $3, campaign = $4, state = $5, per_customer = $6,"
     " amount = $7, reversed = $8, created = $9, expires = $10", 10},
    {"SELECT " RES_COLS " FROM custops_ledger.reservations WHERE state = 1 AND expires <= $1 ORDER BY expires LIMIT 1", 1},
    {"SELECT req_hash, state, seq, amount, expires FROM custops_ledger.idem WHERE key = $1", 1},
    {"INSERT INTO custops_ledger.idem VALUES($1, $2, $3, $4, $5, $6)", 6},
    {"SELECT seq, hash FROM custops_ledger.head WHERE id = 1", 0},
    /* the record and the head move in one statement (one round trip) */
    {"WITH j AS (INSERT INTO custops_ledger.journal VALUES($1, $2, $3, $4, $5))"
     " UPDATE custops_ledger.head SET seq = $1, hash = $5 WHERE id = 1", 5},
    {"SELECT seq, ts, body, prev, hash FROM custops_ledger.journal ORDER BY seq", 0},
    {"SELECT " COUPON_COLS " FROM custops_ledger.coupons ORDER BY code", 0},
    {"SELECT key, lim, used, reserved FROM custops_ledger.counters ORDER BY key", 0},
    {"SELECT " RES_COLS " FROM custops_ledger.reservations ORDER BY order_id, code", 0},
};

typedef struct pgbe {
    lg_backend base;
    PGconn *c;
} pgbe;

/* Map a failed result to a status (and message). */
static int pg_fail(pgbe *p, PGresult *r, const char *what)
{
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    const char *msg = r ? PQresultErrorMessage(r) : PQerrorMessage(p->c);
    int status = CUSTOPS_EIO;
    if (state && (!strcmp(state, "40001") || !strcmp(state, "40P01")))
        status = LG_RETRY;
    else if (state && !strcmp(state, "55P03"))
        status = CUSTOPS_EBUSY;
    else if (state && !strncmp(state, "53", 2))
        status = CUSTOPS_ENOMEM;
    if (status != LG_RETRY) {
        char buf[400];
        snprintf(buf, sizeof buf, "%s", msg ? msg : "");
        size_t n = strlen(buf);
        while (n && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
            buf[--n] = '\0';
        custops__err(status, "ledger postgresql: %s: %s%s%s", what, buf, state ? " (SQLSTATE " : "",
                     state ? state : "");
    }
    PQclear(r);
    return status;
}

/* Run prepared statement k with text params; *out gets the result on success. */
static int run(pgbe *p, int k, const char *const *params, PGresult **out)
{
    char name[4] = {'s', (char)('A' + k), 0, 0};
    PGresult *r = PQexecPrepared(p->c, name, STMTS[k].nparams, params, NULL, NULL, 0);
    ExecStatusType st = PQresultStatus(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
        return pg_fail(p, r, STMTS[k].sql);
    if (out)
        *out = r;
    else
        PQclear(r);
    return 0;
}

static int simple(pgbe *p, const char *sql)
{
    PGresult *r = PQexec(p->c, sql);
    ExecStatusType st = PQresultStatus(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
        return pg_fail(p, r, sql);
    PQclear(r);
    return 0;
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

/* ---- transactions ---- */

static int pg_begin(lg_backend *b)
{
    pgbe *p = (pgbe *)b;
    return simple(p, "BEGIN ISOLATION LEVEL READ COMMITTED; SELECT pg_advisory_xact_lock(" LOCK_KEY ")");
}

static int pg_commit(lg_backend *b)
{
    pgbe *p = (pgbe *)b;
    int rc = simple(p, "COMMIT");
    if (rc && PQtransactionStatus(p->c) != PQTRANS_IDLE)
        (void)simple(p, "ROLLBACK");
    return rc;
}

static void pg_rollback(lg_backend *b)
{
    pgbe *p = (pgbe *)b;
    if (PQtransactionStatus(p->c) != PQTRANS_IDLE) {
        PGresult *r = PQexec(p->c, "ROLLBACK");
        PQclear(r);
    }
}

/* ---- coupons ---- */

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

static int pg_coupon_get(lg_backend *b, const char *code, lg_coupon *out)
{
    PGresult *r;
    const char *v[] = {code};
    int rc = run((pgbe *)b, S_COUPON_GET, v, &r);
    if (rc)
        return rc;
    int found = PQntuples(r) == 1;
    if (found)
        coupon_row(r, 0, out);
    PQclear(r);
    return found ? 0 : CUSTOPS_ENOTFOUND;
}

static int changed(PGresult *r)
{
    int n = atoi(PQcmdTuples(r));
    PQclear(r);
    return n;
}

static int pg_coupon_insert(lg_backend *b, const lg_coupon *c)
{
    char a[24], m[24], f[24], u[24], rs[24], i[24];
    const char *v[] = {c->code, c->owner, c->campaign, I64(a, c->max_uses), I64(m, c->max_per_customer),
                       I64(f, c->valid_from), I64(u, c->valid_until), I64(rs, c->restore), I64(i, c->issued_at)};
    PGresult *r;
    int rc = run((pgbe *)b, S_COUPON_INS, v, &r);
    if (rc)
        return rc;
    return changed(r) == 1 ? 0 : CUSTOPS_EEXISTS;
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
    return run((pgbe *)b, S_COUNTER_CREATE, v, NULL);
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
    char l[24], u[24], rr[24], g[24];
    const char *v[] = {key, I64(l, dl), I64(u, du), I64(rr, dr), I64(g, guard)};
    PGresult *r;
    int rc = run((pgbe *)b, S_COUNTER_ADD, v, &r);
    if (rc)
        return rc;
    if (changed(r) == 1)
        return 0;
    int64_t x, y, z;
    rc = pg_counter_get(b, key, &x, &y, &z);
    return rc ? rc : CUSTOPS_ELIMIT;
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
    const char *v[] = {order, code};
    return one_res((pgbe *)b, S_RES_GET, v, out);
}

static int pg_res_next_expired(lg_backend *b, int64_t now, lg_res *out)
{
    char n[24];
    const char *v[] = {I64(n, now)};
    return one_res((pgbe *)b, S_RES_EXPIRED, v, out);
}

static int pg_res_put(lg_backend *b, const lg_res *x)
{
    char s[24], pc[24], a[24], rv[24], c[24], e[24];
    const char *v[] = {x->order,          x->code,           x->customer,         x->campaign,          I64(s, x->state),
                       I64(pc, x->per_customer), I64(a, x->amount), I64(rv, x->reversed), I64(c, x->created),
                       I64(e, x->expires)};
    return run((pgbe *)b, S_RES_PUT, v, NULL);
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
    PGresult *r;
    const char *v[] = {key};
    int rc = run((pgbe *)b, S_IDEM_GET, v, &r);
    if (rc)
        return rc;
    int found = PQntuples(r) == 1;
    if (found) {
        strcpy(out->key, key);
        out->req_hash = (uint64_t)get64(r, 0, 0);
        out->state = (int32_t)get64(r, 0, 1);
        out->seq = get64(r, 0, 2);
        out->amount = get64(r, 0, 3);
        out->expires = get64(r, 0, 4);
    }
    PQclear(r);
    return found ? 0 : CUSTOPS_ENOTFOUND;
}

static int pg_idem_put(lg_backend *b, const lg_idem *x)
{
    char h[24], s[24], q[24], a[24], e[24];
    const char *v[] = {x->key, I64(h, (int64_t)x->req_hash), I64(s, x->state), I64(q, x->seq), I64(a, x->amount),
                       I64(e, x->expires)};
    return run((pgbe *)b, S_IDEM_PUT, v, NULL);
}

/* ---- journal ---- */

static int pg_journal_head(lg_backend *b, int64_t *seq, unsigned char hash[32])
{
    PGresult *r;
    int rc = run((pgbe *)b, S_HEAD_GET, NULL, &r);
    if (rc)
        return rc;
    int ok = PQntuples(r) == 1 && hex32(PQgetvalue(r, 0, 1), hash) == 0;
    if (ok)
        *seq = get64(r, 0, 0);
    PQclear(r);
    return ok ? 0 : custops__err(CUSTOPS_ECORRUPT, "ledger postgresql: the journal head is missing or damaged");
}

static int pg_journal_append(lg_backend *b, const lg_jrec *x)
{
    char s[24], t[24], prev[65], hash[65];
    char *body = custops__strndup(x->body, x->body_len);
    if (!body)
        return custops__nomem();
    custops__ledger_hex(x->prev, 32, prev);
    custops__ledger_hex(x->hash, 32, hash);
    const char *v[] = {I64(s, x->seq), I64(t, x->ts), body, prev, hash};
    PGresult *r = NULL;
    int rc = run((pgbe *)b, S_JOURNAL_INS, v, &r);
    custops__free(body);
    if (rc)
        return rc;
    return changed(r) == 1 ? 0 : custops__err(CUSTOPS_ECORRUPT, "ledger postgresql: the journal head row is missing");
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
        if (hex32(PQgetvalue(r, i, 3), x.prev) || hex32(PQgetvalue(r, i, 4), x.hash))
            rc = custops__err(CUSTOPS_ECORRUPT, "journal: record %lld has a damaged hash field", (long long)x.seq);
        else
            rc = cb(ud, &x);
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
    "postgresql",       pg_begin,          pg_commit,         pg_rollback,       pg_coupon_get,
    pg_coupon_insert,   pg_counter_create, pg_counter_add,    pg_counter_get,    pg_res_get,
    pg_res_put,         pg_res_next_expired, pg_idem_get,     pg_idem_put,       pg_journal_head,
    pg_journal_append,  pg_journal_scan,   pg_coupon_scan,    pg_counter_scan,   pg_res_scan,
    pg_close,
};

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
    pg_rollback(&p->base);
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
        snprintf(buf, sizeof buf, "%s", PQerrorMessage(p->c));
        size_t n = strlen(buf);
        while (n && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
            buf[--n] = '\0';
        rc = custops__err(CUSTOPS_EIO, "ledger postgresql: cannot connect: %s", buf);
        goto fail;
    }
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
            goto fail;
        }
        PQclear(r);
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
