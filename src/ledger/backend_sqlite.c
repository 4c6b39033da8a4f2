/* SQLite ledger backend: one file shared by every process on the machine.
 *
 * Each transition is one BEGIN IMMEDIATE transaction (the write lock is
 * taken up front, so two processes never both read a counter and then
 * both write it), waits up to busy_timeout for another process, and moves
 * counters only with guarded additions:
 *   UPDATE counters SET reserved = reserved + ? WHERE key = ? AND used + reserved + ? <= lim
 * The file runs in WAL mode: readers do not block the writer and a process
 * killed mid-transaction leaves the last committed state.
 *
 * The schema is versioned with PRAGMA user_version and upgraded by the
 * numbered migrations below, in one transaction, when a file is opened. */
#include "ledger/ledger_internal.h"

#include <sqlite3.h>
#include <stdio.h>

#define LEDGER_APP_ID 0x4355534c /* "CUSL" */

/* Migration k takes a file from version k to k+1. Append only. */
static const char *const MIGRATIONS[] = {
    /* 0 -> 1: the tables */
    "CREATE TABLE coupons(code TEXT PRIMARY KEY, owner TEXT NOT NULL, campaign TEXT NOT NULL,"
    " max_uses INTEGER NOT NULL, max_per_customer INTEGER NOT NULL, valid_from INTEGER NOT NULL,"
    " valid_until INTEGER NOT NULL, restore INTEGER NOT NULL, issued_at INTEGER NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE counters(key TEXT PRIMARY KEY, lim INTEGER NOT NULL, used INTEGER NOT NULL,"
    " reserved INTEGER NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE reservations(order_id TEXT NOT NULL, code TEXT NOT NULL, customer TEXT NOT NULL,"
    " campaign TEXT NOT NULL, state INTEGER NOT NULL, per_customer INTEGER NOT NULL, amount INTEGER NOT NULL,"
    " reversed INTEGER NOT NULL, created INTEGER NOT NULL, expires INTEGER NOT NULL, PRIMARY KEY(order_id, code)) WITHOUT ROWID;"
    "CREATE TABLE idem(key TEXT PRIMARY KEY, req_hash INTEGER NOT NULL, state INTEGER NOT NULL,"
    " seq INTEGER NOT NULL, amount INTEGER NOT NULL, expires INTEGER NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE journal(seq INTEGER PRIMARY KEY, ts INTEGER NOT NULL, body TEXT NOT NULL,"
    " prev BLOB NOT NULL, hash BLOB NOT NULL);"
    "CREATE TABLE head(id INTEGER PRIMARY KEY CHECK (id = 1), seq INTEGER NOT NULL, hash BLOB NOT NULL);"
    "INSERT INTO head VALUES(1, 0, zeroblob(32));",
    /* 1 -> 2: find overdue reservations without a scan */
    "CREATE INDEX reservations_pending ON reservations(expires) WHERE state = 1;",
};
#define SCHEMA_VERSION ((int)(sizeof MIGRATIONS / sizeof MIGRATIONS[0]))

enum {
    S_BEGIN, S_COMMIT, S_ROLLBACK, S_COUPON_GET, S_COUPON_INS, S_COUNTER_CREATE, S_COUNTER_ADD, S_COUNTER_GET,
    S_RES_GET, S_RES_PUT, S_RES_EXPIRED, S_IDEM_GET, S_IDEM_PUT, S_HEAD_GET, S_JOURNAL_INS, S_HEAD_SET,
    S_JOURNAL_SCAN, S_COUPON_SCAN, S_COUNTER_SCAN, S_RES_SCAN, S_COUNT
};

static const char *const SQL[S_COUNT] = {
    "BEGIN IMMEDIATE",
    "COMMIT",
    "ROLLBACK",
    "SELECT code, owner, campaign, max_uses, max_per_customer, valid_from, valid_until, restore, issued_at"
    " FROM coupons WHERE code = ?1",
    "INSERT OR IGNORE INTO coupons VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    "INSERT OR IGNORE INTO counters VALUES(?1, ?2, 0, 0)",
    "UPDATE counters SET lim = lim + ?2, used = used + ?3, reserved = reserved + ?4"
    " WHERE key = ?1 AND (?5 = 0 OR lim < 0 OR used + reserved + ?3 + ?4 <= lim + ?2)",
    "SELECT lim, used, reserved FROM counters WHERE key = ?1",
    "SELECT order_id, code, customer, campaign, state, per_customer, amount, reversed, created, expires"
    " FROM reservations WHERE order_id = ?1 AND code = ?2",
    "INSERT INTO reservations VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) ON CONFLICT(order_id, code) DO UPDATE"
    " SET customer = ?3, campaign = ?4, state = ?5, per_customer = ?6, amount = ?7, reversed = ?8, created = ?9,"
    " expires = ?10",
    "SELECT order_id, code, customer, campaign, state, per_customer, amount, reversed, created, expires"
    " FROM reservations WHERE state = 1 AND expires <= ?1 ORDER BY expires LIMIT 1",
    "SELECT req_hash, state, seq, amount, expires FROM idem WHERE key = ?1",
    "INSERT INTO idem VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
    "SELECT seq, hash FROM head WHERE id = 1",
    "INSERT INTO journal VALUES(?1, ?2, ?3, ?4, ?5)",
    "UPDATE head SET seq = ?1, hash = ?2 WHERE id = 1",
    "SELECT seq, ts, body, prev, hash FROM journal ORDER BY seq",
    "SELECT code, owner, campaign, max_uses, max_per_customer, valid_from, valid_until, restore, issued_at"
    " FROM coupons ORDER BY code",
    "SELECT key, lim, used, reserved FROM counters ORDER BY key",
    "SELECT order_id, code, customer, campaign, state, per_customer, amount, reversed, created, expires"
    " FROM reservations ORDER BY order_id, code",
};

typedef struct sqlbe {
    lg_backend base;
    sqlite3 *db;
    sqlite3_stmt *st[S_COUNT];
    char *path;
} sqlbe;

static int db_err(sqlbe *s, int src, const char *what)
{
    int status;
    switch (src & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED: status = CUSTOPS_EBUSY; break;
    case SQLITE_NOMEM: status = CUSTOPS_ENOMEM; break;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB: status = CUSTOPS_ECORRUPT; break;
    default: status = CUSTOPS_EIO; break;
    }
    return custops__err(status, "ledger %s: %s: %s", s->path, what, s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(src));
}

/* Run a statement that returns no row. */
static int exec1(sqlbe *s, int k)
{
    sqlite3_stmt *st = s->st[k];
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        return db_err(s, rc, SQL[k]);
    return 0;
}

static void bind_text(sqlite3_stmt *st, int i, const char *v) { sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC); }

static void col_text(sqlite3_stmt *st, int i, char *out)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    int n = sqlite3_column_bytes(st, i);
    if (!t || n < 0 || n > CUSTOPS_LEDGER_MAX_ID)
        n = 0;
    if (n)
        memcpy(out, t, (size_t)n);
    out[n] = '\0';
}

/* ---- transactions ---- */

static int sq_begin(lg_backend *b, const lg_hint *h)
{
    (void)h; /* BEGIN IMMEDIATE: one writer at a time, nothing to fetch ahead */
    sqlbe *s = (sqlbe *)b;
    return exec1(s, S_BEGIN);
}

static int sq_commit(lg_backend *b)
{
    sqlbe *s = (sqlbe *)b;
    int rc = exec1(s, S_COMMIT);
    if (rc && sqlite3_get_autocommit(s->db) == 0) {
        int r2 = sqlite3_step(s->st[S_ROLLBACK]);
        (void)r2;
        sqlite3_reset(s->st[S_ROLLBACK]);
    }
    return rc;
}

static void sq_rollback(lg_backend *b)
{
    sqlbe *s = (sqlbe *)b;
    if (sqlite3_get_autocommit(s->db) == 0) { /* a failed step may have rolled back already */
        int rc = sqlite3_step(s->st[S_ROLLBACK]);
        (void)rc;
        sqlite3_reset(s->st[S_ROLLBACK]);
    }
}

/* ---- coupons ---- */

static void coupon_row(sqlite3_stmt *st, lg_coupon *c)
{
    col_text(st, 0, c->code);
    col_text(st, 1, c->owner);
    col_text(st, 2, c->campaign);
    c->max_uses = sqlite3_column_int64(st, 3);
    c->max_per_customer = sqlite3_column_int64(st, 4);
    c->valid_from = sqlite3_column_int64(st, 5);
    c->valid_until = sqlite3_column_int64(st, 6);
    c->restore = sqlite3_column_int(st, 7);
    c->issued_at = sqlite3_column_int64(st, 8);
}

static int sq_coupon_get(lg_backend *b, const char *code, lg_coupon *out)
{
    sqlbe *s = (sqlbe *)b;
    sqlite3_stmt *st = s->st[S_COUPON_GET];
    bind_text(st, 1, code);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        coupon_row(st, out);
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return 0;
    return rc == SQLITE_DONE ? CUSTOPS_ENOTFOUND : db_err(s, rc, "reading a coupon");
}

static int sq_coupon_insert(lg_backend *b, const lg_coupon *c)
{
    sqlbe *s = (sqlbe *)b;
    sqlite3_stmt *st = s->st[S_COUPON_INS];
    bind_text(st, 1, c->code);
    bind_text(st, 2, c->owner);
    bind_text(st, 3, c->campaign);
    sqlite3_bind_int64(st, 4, c->max_uses);
    sqlite3_bind_int64(st, 5, c->max_per_customer);
    sqlite3_bind_int64(st, 6, c->valid_from);
    sqlite3_bind_int64(st, 7, c->valid_until);
    sqlite3_bind_int(st, 8, c->restore);
    sqlite3_bind_int64(st, 9, c->issued_at);
    int rc = exec1(s, S_COUPON_INS);
    if (rc)
        return rc;
    return sqlite3_changes(s->db) == 1 ? 0 : CUSTOPS_EEXISTS;
}

static int sq_coupon_scan(lg_backend *b, lg_coupon_cb cb, void *ud)
{
    sqlbe *s = (sqlbe *)b;
    sqlite3_stmt *st = s->st[S_COUPON_SCAN];
    int rc, crc = 0;
    while (!crc && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        lg_coupon c;
        coupon_row(st, &c);
        crc = cb(ud, &c);
    }
    sqlite3_reset(st);
    if (crc)
        return crc;
    return rc == SQLITE_DONE ? 0 : db_err(s, rc, "listing coupons");
}

/* ---- counters ---- */

static int sq_counter_create(lg_backend *b, const char *key, int64_t lim)
{
    sqlbe *s = (sqlbe *)b;
    sqlite3_stmt *st = s->st[S_COUNTER_CREATE];
    bind_text(st, 1, key);
    sqlite3_bind_int64(st, 2, lim);
    return exec1(s, S_COUNTER_CREATE);
}

static int sq_counter_get(lg_backend *b, const char *key, int64_t *lim, int64_t *used, int64_t *reserved)
{
    sqlbe *s = (sqlbe *)b;
    sqlite3_stmt *st = s->st[S_COUNTER_GET];
    bind_text(st, 1, key);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *lim = sqlite3_column_int64(st, 0);
        *used = sqlite3_column_int64(st, 1);
        *reserved = sqlite3_column_int64(st, 2);
    }
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return 0;
    return rc == SQLITE_DONE ? CUSTOPS_ENOTFOUND : db_err(s, rc, "reading a counter");
}

static int sq_counter_add(lg_backend *b, const char *key, int64_t dl, int64_t du, int64_t dr, int guard)
{
    sqlbe *s = (sqlbe *)b;
    sqlite3_stmt *st = s->st[S_COUNTER_ADD];
    bind_text(st, 1, key);
    sqlite3_bind_int64(st, 2, dl);
    sqlite3_bind_int64(st, 3, du);
    sqlite3_bind_int64(st, 4, dr);
    sqlite3_bind_int(st, 5, guard);
    int rc = exec1(s, S_COUNTER_ADD);
    if (rc)
        return rc;
    if (sqlite3_changes(s->db) == 1)
        return 0;
    /* no row changed: either the guard held it back or there is no such counter */
    int64_t l, u, r;
    rc = sq_counter_get(b, key, &l, &u, &r);
    return rc ? rc : CUSTOPS_ELIMIT;
}

static int sq_counter_scan(lg_backend *b, lg_counter_cb cb, void *ud)
{
    sqlbe *s = (sqlbe *)b;
    sqlite3_stmt *st = s->st[S_COUNTER_SCAN];
    int rc, crc = 0;
    while (!crc && (rc = sqlite3_step(st)) == SQLITE_ROW)
        crc = cb(ud, (const char *)sqlite3_column_text(st, 0), sqlite3_column_int64(st, 1),
                 sqlite3_column_int64(st, 2), sqlite3_column_int64(st, 3));
    sqlite3_reset(st);
    if (crc)
        return crc;
    return rc == SQLITE_DONE ? 0 : db_err(s, rc, "listing counters");
}

/* ---- reservations ---- */

static void res_row(sqlite3_stmt *st, lg_res *r)
{
    col_text(st, 0, r->order);
    col_text(st, 1, r->code);
    col_text(st, 2, r->customer);
    col_text(st, 3, r->campaign);
    r->state = sqlite3_column_int(st, 4);
    r->per_customer = sqlite3_column_int(st, 5);
    r->amount = sqlite3_column_int64(st, 6);
    r->reversed = sqlite3_column_int64(st, 7);
    r->created = sqlite3_column_int64(st, 8);
    r->expires = sqlite3_column_int64(st, 9);
}

static int one_res(sqlbe *s, int k, lg_res *out)
{
    sqlite3_stmt *st = s->st[k];
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        res_row(st, out);
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return 0;
    return rc == SQLITE_DONE ? CUSTOPS_ENOTFOUND : db_err(s, rc, "reading a reservation");
}

static int sq_res_get(lg_backend *b, const char *order, const char *code, lg_res *out)
{
    sqlbe *s = (sqlbe *)b;
    bind_text(s->st[S_RES_GET], 1, order);
    bind_text(s->st[S_RES_GET], 2, code);
    return one_res(s, S_RES_GET, out);
}

static int sq_res_next_expired(lg_backend *b, int64_t now, lg_res *out)
{
    sqlbe *s = (sqlbe *)b;
    sqlite3_bind_int64(s->st[S_RES_EXPIRED], 1, now);
    return one_res(s, S_RES_EXPIRED, out);
}

static int sq_res_put(lg_backend *b, const lg_res *r)
{
    sqlbe *s = (sqlbe *)b;
    sqlite3_stmt *st = s->st[S_RES_PUT];
    bind_text(st, 1, r->order);
    bind_text(st, 2, r->code);
    bind_text(st, 3, r->customer);
    bind_text(st, 4, r->campaign);
    sqlite3_bind_int(st, 5, r->state);
    sqlite3_bind_int(st, 6, r->per_customer);
    sqlite3_bind_int64(st, 7, r->amount);
    sqlite3_bind_int64(st, 8, r->reversed);
    sqlite3_bind_int64(st, 9, r->created);
    sqlite3_bind_int64(st, 10, r->expires);
    return exec1(s, S_RES_PUT);
}

static int sq_res_scan(lg_backend *b, lg_res_cb cb, void *ud)
{
    sqlbe *s = (sqlbe *)b;
    sqlite3_stmt *st = s->st[S_RES_SCAN];
    int rc, crc = 0;
    while (!crc && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        lg_res r;
        res_row(st, &r);
        crc = cb(ud, &r);
    }
    sqlite3_reset(st);
    if (crc)
        return crc;
    return rc == SQLITE_DONE ? 0 : db_err(s, rc, "listing reservations");
}

/* ---- idempotency keys ---- */

static int sq_idem_get(lg_backend *b, const char *key, lg_idem *out)
{
    sqlbe *s = (sqlbe *)b;
    sqlite3_stmt *st = s->st[S_IDEM_GET];
    bind_text(st, 1, key);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        strcpy(out->key, key);
        out->req_hash = (uint64_t)sqlite3_column_int64(st, 0);
        out->state = sqlite3_column_int(st, 1);
        out->seq = sqlite3_column_int64(st, 2);
        out->amount = sqlite3_column_int64(st, 3);
        out->expires = sqlite3_column_int64(st, 4);
    }
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return 0;
    return rc == SQLITE_DONE ? CUSTOPS_ENOTFOUND : db_err(s, rc, "reading an idempotency key");
}

static int sq_idem_put(lg_backend *b, const lg_idem *r)
{
    sqlbe *s = (sqlbe *)b;
    sqlite3_stmt *st = s->st[S_IDEM_PUT];
    bind_text(st, 1, r->key);
    sqlite3_bind_int64(st, 2, (int64_t)r->req_hash);
    sqlite3_bind_int(st, 3, r->state);
    sqlite3_bind_int64(st, 4, r->seq);
    sqlite3_bind_int64(st, 5, r->amount);
    sqlite3_bind_int64(st, 6, r->expires);
    return exec1(s, S_IDEM_PUT);
}

/* ---- journal ---- */

static int blob32(sqlite3_stmt *st, int i, unsigned char out[32])
{
    if (sqlite3_column_bytes(st, i) != 32)
        return -1;
    memcpy(out, sqlite3_column_blob(st, i), 32);
    return 0;
}

static int sq_journal_head(lg_backend *b, const char *chain, int64_t *seq, unsigned char hash[32])
{
    (void)chain; /* one chain */
    sqlbe *s = (sqlbe *)b;
    sqlite3_stmt *st = s->st[S_HEAD_GET];
    int rc = sqlite3_step(st);
    int bad = 0;
    if (rc == SQLITE_ROW) {
        *seq = sqlite3_column_int64(st, 0);
        bad = blob32(st, 1, hash);
    }
    sqlite3_reset(st);
    if (rc == SQLITE_DONE || bad)
        return custops__err(CUSTOPS_ECORRUPT, "ledger %s: the journal head is missing or damaged", s->path);
    return rc == SQLITE_ROW ? 0 : db_err(s, rc, "reading the journal head");
}

static int sq_journal_append(lg_backend *b, const lg_jrec *r)
{
    sqlbe *s = (sqlbe *)b;
    sqlite3_stmt *st = s->st[S_JOURNAL_INS];
    sqlite3_bind_int64(st, 1, r->seq);
    sqlite3_bind_int64(st, 2, r->ts);
    sqlite3_bind_text(st, 3, r->body, (int)r->body_len, SQLITE_STATIC);
    sqlite3_bind_blob(st, 4, r->prev, 32, SQLITE_STATIC);
    sqlite3_bind_blob(st, 5, r->hash, 32, SQLITE_STATIC);
    int rc = exec1(s, S_JOURNAL_INS);
    if (rc)
        return rc;
    st = s->st[S_HEAD_SET];
    sqlite3_bind_int64(st, 1, r->seq);
    sqlite3_bind_blob(st, 2, r->hash, 32, SQLITE_STATIC);
    return exec1(s, S_HEAD_SET);
}

static int sq_journal_scan(lg_backend *b, lg_jrec_cb cb, void *ud)
{
    sqlbe *s = (sqlbe *)b;
    sqlite3_stmt *st = s->st[S_JOURNAL_SCAN];
    int rc, crc = 0;
    while (!crc && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        lg_jrec r;
        r.chain = "";
        r.seq = sqlite3_column_int64(st, 0);
        r.ts = sqlite3_column_int64(st, 1);
        r.body = (const char *)sqlite3_column_text(st, 2);
        r.body_len = (size_t)sqlite3_column_bytes(st, 2);
        if (!r.body)
            r.body = "";
        if (blob32(st, 3, r.prev) || blob32(st, 4, r.hash)) {
            crc = custops__err(CUSTOPS_ECORRUPT, "journal: record %lld has a damaged hash field", (long long)r.seq);
            break;
        }
        crc = cb(ud, &r);
    }
    sqlite3_reset(st);
    if (crc)
        return crc;
    return rc == SQLITE_DONE ? 0 : db_err(s, rc, "reading the journal");
}

static void sq_close(lg_backend *b)
{
    sqlbe *s = (sqlbe *)b;
    for (int i = 0; i < S_COUNT; i++)
        sqlite3_finalize(s->st[i]);
    sqlite3_close(s->db);
    custops__free(s->path);
    custops__free(s);
}

static const lg_backend_ops SQLITE_OPS = {
    .name = "sqlite",
    .chains = 0,
    .lazy_hash = 0,
    .begin = sq_begin,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .coupon_get = sq_coupon_get,
    .coupon_insert = sq_coupon_insert,
    .counter_create = sq_counter_create,
    .counter_add = sq_counter_add,
    .counter_get = sq_counter_get,
    .res_get = sq_res_get,
    .res_put = sq_res_put,
    .res_next_expired = sq_res_next_expired,
    .idem_get = sq_idem_get,
    .idem_put = sq_idem_put,
    .journal_head = sq_journal_head,
    .journal_append = sq_journal_append,
    .journal_scan = sq_journal_scan,
    .head_scan = NULL,
    .coupon_scan = sq_coupon_scan,
    .counter_scan = sq_counter_scan,
    .res_scan = sq_res_scan,
    .close = sq_close,
};

static int pragma_int(sqlbe *s, const char *sql, int *out)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
    if (rc != SQLITE_OK)
        return db_err(s, rc, sql);
    rc = sqlite3_step(st);
    *out = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return db_err(s, rc, sql);
    return 0;
}

static int exec_sql(sqlbe *s, const char *sql)
{
    int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? 0 : db_err(s, rc, sql);
}

/* Bring the schema to SCHEMA_VERSION inside one write transaction, so two
 * processes opening a new file at once do not both create it. */
static int migrate(sqlbe *s)
{
    int rc = exec_sql(s, "BEGIN IMMEDIATE");
    if (rc)
        return rc;
    int version = 0, app = 0, tables = 0;
    if ((rc = pragma_int(s, "PRAGMA user_version", &version)) || (rc = pragma_int(s, "PRAGMA application_id", &app)) ||
        (rc = pragma_int(s, "SELECT count(*) FROM sqlite_master", &tables)))
        goto fail;
    if (tables > 0 && app != LEDGER_APP_ID) {
        rc = custops__err(CUSTOPS_ECORRUPT, "ledger %s: the database is not a custops ledger", s->path);
        goto fail;
    }
    if (version > SCHEMA_VERSION) {
        rc = custops__err(CUSTOPS_EVERSION, "ledger %s: schema version %d is newer than this library's %d", s->path,
                          version, SCHEMA_VERSION);
        goto fail;
    }
    for (int v = version; v < SCHEMA_VERSION; v++)
        if ((rc = exec_sql(s, MIGRATIONS[v])))
            goto fail;
    if (version < SCHEMA_VERSION) {
        char sql[96];
        snprintf(sql, sizeof sql, "PRAGMA user_version = %d; PRAGMA application_id = %d", SCHEMA_VERSION, LEDGER_APP_ID);
        if ((rc = exec_sql(s, sql)))
            goto fail;
    }
    return exec_sql(s, "COMMIT");
fail:
    sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

/* Switch the file to WAL. When several processes open a new file at once,
 * SQLite answers this pragma "database is locked" at once, without calling
 * the busy handler (seen with 8 processes, about one new file in 300). So
 * it is retried here, with growing sleeps, for up to the busy timeout. */
static int set_wal(sqlbe *s, int32_t busy_timeout_ms)
{
    int waited = 0, nap = 1;
    for (;;) {
        int rc = sqlite3_exec(s->db, "PRAGMA journal_mode = WAL", NULL, NULL, NULL);
        if ((rc & 0xff) != SQLITE_BUSY && (rc & 0xff) != SQLITE_LOCKED)
            return rc == SQLITE_OK ? 0 : db_err(s, rc, "PRAGMA journal_mode = WAL");
        if (waited >= busy_timeout_ms)
            return db_err(s, rc, "PRAGMA journal_mode = WAL");
        sqlite3_sleep(nap);
        waited += nap;
        if (nap < 32)
            nap *= 2;
    }
}

int custops__ledger_sqlite_open(lg_backend **out, const char *path, const custops_ledger_options *o)
{
    if (path[0] == '\0')
        return custops__err(CUSTOPS_EINVAL, "ledger: empty SQLite path");
    sqlbe *s = custops__calloc(1, sizeof *s);
    if (!s)
        return custops__nomem();
    s->base.ops = &SQLITE_OPS;
    if (!(s->path = custops__strdup(path))) {
        custops__free(s);
        return custops__nomem();
    }
    int rc = sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        rc = db_err(s, rc, "open");
        goto fail;
    }
    sqlite3_busy_timeout(s->db, o->busy_timeout_ms);
    sqlite3_extended_result_codes(s->db, 0);
    /* Small pages: WAL appends every page a transaction touches, and a
     * transition touches about eight pages with rows of under 300 bytes.
     * (Only takes effect when the file is created.) WAL: readers never block
     * the writer; a killed process leaves the last commit. */
    if ((rc = exec_sql(s, "PRAGMA page_size = 1024")) || (rc = set_wal(s, o->busy_timeout_ms)) ||
        (rc = exec_sql(s, o->durable ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL")) ||
        (rc = migrate(s)))
        goto fail;
    for (int i = 0; i < S_COUNT; i++) {
        int prc = sqlite3_prepare_v3(s->db, SQL[i], -1, SQLITE_PREPARE_PERSISTENT, &s->st[i], NULL);
        if (prc != SQLITE_OK) {
            rc = db_err(s, prc, "preparing a statement");
            goto fail;
        }
    }
    *out = &s->base;
    return 0;
fail:
    sq_close(&s->base);
    return rc;
}
