/* Shared by the ledger tests: open the same suite against every backend.
 * Backend 0 is memory, 1 is an SQLite file in a fresh temporary directory,
 * 2 (when CUSTOPS_TEST_PG is set to a connection string) PostgreSQL. */
#ifndef LEDGER_FIXTURE_H
#define LEDGER_FIXTURE_H

#include "testutil.h"

#include <sys/stat.h>

typedef struct lfix {
    custops_ledger *l;
    char dir[256];
    char path[320];
    char loc[512];
} lfix;

static inline int lfix_nbackends(void) { return getenv("CUSTOPS_TEST_PG") ? 3 : 2; }

static inline void lfix_reset_pg(const char *conninfo);

static inline void lfix_open(lfix *f, int backend)
{
    memset(f, 0, sizeof *f);
    if (backend == 0) {
        snprintf(f->loc, sizeof f->loc, "memory:");
    } else if (backend == 1) {
        test_tmpdir(f->dir, sizeof f->dir);
        snprintf(f->path, sizeof f->path, "%s/ledger.db", f->dir);
        snprintf(f->loc, sizeof f->loc, "sqlite:%s", f->path);
    } else {
        snprintf(f->loc, sizeof f->loc, "%s", getenv("CUSTOPS_TEST_PG"));
        lfix_reset_pg(f->loc);
    }
    ck_assert_ok(custops_ledger_open(&f->l, f->loc, NULL));
}

static inline void lfix_reopen(lfix *f)
{
    custops_ledger_free(f->l);
    f->l = NULL;
    ck_assert_ok(custops_ledger_open(&f->l, f->loc, NULL));
}

static inline void lfix_close(lfix *f)
{
    custops_ledger_free(f->l);
    f->l = NULL;
    if (f->path[0]) {
        char p[400];
        const char *suffix[] = {"", "-wal", "-shm", "-journal"};
        for (int i = 0; i < 4; i++) {
            snprintf(p, sizeof p, "%s%s", f->path, suffix[i]);
            unlink(p);
        }
        rmdir(f->dir);
    }
}

/* The PostgreSQL suite starts from empty tables each test. */
#ifdef LEDGER_TEST_PG
#include <libpq-fe.h>
/* run SQL on the test server directly (to reset, or to tamper) */
static inline void lfix_pg_exec(const char *conninfo, const char *sql)
{
    PGconn *c = PQconnectdb(conninfo);
    ck_assert_msg(PQstatus(c) == CONNECTION_OK, "pg: %s", PQerrorMessage(c));
    PGresult *r = PQexec(c, sql);
    ExecStatusType st = PQresultStatus(r);
    ck_assert_msg(st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK, "%s: %s", sql, PQerrorMessage(c));
    PQclear(r);
    PQfinish(c);
}
static inline void lfix_reset_pg(const char *conninfo)
{
    const char *ci = conninfo;
    if (strncmp(ci, "postgres:", 9) == 0 && strncmp(ci, "postgres://", 11) != 0)
        ci += 9;
    lfix_pg_exec(ci, "SET client_min_messages = warning; DROP SCHEMA IF EXISTS custops_ledger CASCADE");
}
#else
static inline void lfix_reset_pg(const char *conninfo) { (void)conninfo; }
#endif

static inline void counter_is(custops_ledger *l, const char *key, int64_t lim, int64_t used, int64_t reserved)
{
    int64_t a, b, c;
    ck_assert_ok(custops_ledger_counter(&a, &b, &c, l, key));
    ck_assert_msg(a == lim && b == used && c == reserved, "%s: limit %lld used %lld reserved %lld, wanted %lld %lld %lld",
                  key, (long long)a, (long long)b, (long long)c, (long long)lim, (long long)used, (long long)reserved);
}

static inline void issue_simple(custops_ledger *l, const char *code, int64_t max_uses, int64_t per_cust,
                                const char *campaign)
{
    custops_ledger_coupon c = CUSTOPS_LEDGER_COUPON_INIT;
    c.code = code;
    c.max_uses = max_uses;
    c.max_per_customer = per_cust;
    c.campaign = campaign;
    ck_assert_ok(custops_ledger_issue(l, NULL, &c, NULL, 1000));
}

#endif
