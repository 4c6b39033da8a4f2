/* The SQLite ledger file: tampering and truncation are detected, the
 * schema migrates, foreign or newer files are refused. (The multi-process
 * race runs in check_ledger.c, on SQLite and PostgreSQL.) */
#include "ledger_fixture.h"

#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#define T0 1700000000

static void raw_exec(const char *path, const char *sql)
{
    sqlite3 *db;
    ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
    char *err = NULL;
    int rc = sqlite3_exec(db, sql, NULL, NULL, &err);
    ck_assert_msg(rc == SQLITE_OK, "%s: %s", sql, err ? err : "?");
    sqlite3_close(db);
}

static void some_history(custops_ledger *l)
{
    issue_simple(l, "H", 10, 0, NULL);
    ck_assert_ok(custops_ledger_reserve(l, NULL, "H", NULL, "o1", 5, 60, NULL, T0));
    ck_assert_ok(custops_ledger_commit(l, NULL, "o1", "H", NULL, T0));
    ck_assert_ok(custops_ledger_reserve(l, NULL, "H", NULL, "o2", 5, 60, NULL, T0));
}

START_TEST(test_tamper_detected)
{
    const char *attacks[] = {
        "UPDATE journal SET body = replace(body, '\"amount\":5', '\"amount\":6') WHERE seq = 2",
        "UPDATE journal SET ts = ts + 1 WHERE seq = 3",
        "DELETE FROM journal WHERE seq = 2",
        "DELETE FROM journal WHERE seq = 4", /* truncation: the head still says 4 */
        "DELETE FROM journal WHERE seq = 4; UPDATE head SET seq = 3", /* head hash no longer matches */
        "UPDATE journal SET seq = 9 WHERE seq = 4; UPDATE head SET seq = 9",
    };
    for (size_t a = 0; a < sizeof attacks / sizeof attacks[0]; a++) {
        lfix f;
        lfix_open(&f, 1);
        some_history(f.l);
        int64_t n;
        ck_assert_ok(custops_ledger_verify(&n, NULL, f.l));
        ck_assert_int_eq(n, 4);
        raw_exec(f.path, attacks[a]);
        custops_clear_error();
        int rc = custops_ledger_verify(&n, NULL, f.l);
        ck_assert_msg(rc == CUSTOPS_ECORRUPT, "attack %zu not detected (rc %d)", a, rc);
        ck_assert_ptr_nonnull(strstr(custops_last_error(), "journal"));
        lfix_close(&f);
    }
}
END_TEST

START_TEST(test_migration_and_refusals)
{
    lfix f;
    lfix_open(&f, 1);
    some_history(f.l);
    custops_ledger_free(f.l);
    f.l = NULL;
    /* pretend the file was written by version 1 of the schema */
    raw_exec(f.path, "DROP INDEX reservations_pending; PRAGMA user_version = 1");
    ck_assert_ok(custops_ledger_open(&f.l, f.loc, NULL));
    counter_is(f.l, "code:H", 10, 1, 1);
    custops_ledger_free(f.l);
    f.l = NULL;
    sqlite3 *db;
    sqlite3_stmt *st;
    ck_assert_int_eq(sqlite3_open(f.path, &db), SQLITE_OK);
    ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_master WHERE name = 'reservations_pending'", -1, &st, NULL), SQLITE_OK);
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    ck_assert_int_eq(sqlite3_column_int(st, 0), 1);
    sqlite3_finalize(st);
    sqlite3_close(db);
    /* a file from a newer library is refused, not damaged */
    raw_exec(f.path, "PRAGMA user_version = 99");
    ck_assert_status(custops_ledger_open(&f.l, f.loc, NULL), CUSTOPS_EVERSION);
    raw_exec(f.path, "PRAGMA user_version = 2");
    /* another application's database and a non-database file are refused */
    char other[400];
    snprintf(other, sizeof other, "%s/other.db", f.dir);
    raw_exec(other, "CREATE TABLE t(x)");
    custops_ledger *l = NULL;
    ck_assert_status(custops_ledger_open(&l, other, NULL), CUSTOPS_ECORRUPT);
    unlink(other);
    FILE *fp = fopen(other, "wb");
    fputs("this is not a database, just some text that is long enough to look like a header......", fp);
    fclose(fp);
    ck_assert_status(custops_ledger_open(&l, other, NULL), CUSTOPS_ECORRUPT);
    unlink(other);
    snprintf(other, sizeof other, "%s/no/such/dir/x.db", f.dir);
    ck_assert_status(custops_ledger_open(&l, other, NULL), CUSTOPS_EIO);
    ck_assert_ptr_null(l);
    ck_assert_ok(custops_ledger_open(&f.l, f.loc, NULL));
    int64_t n;
    ck_assert_ok(custops_ledger_verify(&n, NULL, f.l));
    lfix_close(&f);
}
END_TEST

/* Several processes opening a new file at once (nginx workers starting on
 * a fresh ledger): SQLite refuses the switch to WAL with "database is
 * locked" without waiting, about once in 300 new files with 8 openers, so
 * the open must retry it within the busy timeout. Every opener must
 * succeed. */
START_TEST(test_concurrent_first_open)
{
    const int KIDS = 8, ROUNDS = getenv("CUSTOPS_UNDER_VALGRIND") ? 4 : 400;
    char dir[256];
    test_tmpdir(dir, sizeof dir);
    int failed = 0;
    for (int round = 0; round < ROUNDS && !failed; round++) {
        char path[320];
        snprintf(path, sizeof path, "%s/first-%d.db", dir, round);
        pid_t pids[8];
        for (int k = 0; k < KIDS; k++) {
            pids[k] = fork();
            ck_assert_int_ge(pids[k], 0);
            if (pids[k] == 0) {
                custops_ledger_options o = CUSTOPS_LEDGER_OPTIONS_INIT;
                o.busy_timeout_ms = 2000;
                custops_ledger *l = NULL;
                int rc = custops_ledger_open(&l, path, &o);
                if (rc)
                    fprintf(stderr, "round %d opener %d: %s\n", round, k, custops_last_error());
                custops_ledger_free(l);
                _exit(rc ? 1 : 0);
            }
        }
        for (int k = 0; k < KIDS; k++) {
            int st;
            waitpid(pids[k], &st, 0);
            if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
                failed++;
        }
        char side[340];
        remove(path);
        snprintf(side, sizeof side, "%s-wal", path);
        remove(side);
        snprintf(side, sizeof side, "%s-shm", path);
        remove(side);
    }
    rmdir(dir);
    ck_assert_msg(failed == 0, "%d openers of a new ledger file failed", failed);
}
END_TEST

static Suite *ledger_sqlite_suite(void)
{
    Suite *s = suite_create("ledger_sqlite");
    TCase *tc = tcase_create("file");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_tamper_detected);
    tcase_add_test(tc, test_migration_and_refusals);
    tcase_add_test(tc, test_concurrent_first_open);
    suite_add_tcase(s, tc);
    return s;
}

TEST_MAIN(ledger_sqlite_suite)
