/* Crash safety of the SQLite ledger: a process killed with SIGKILL in the
 * middle of reserve/commit transitions leaves a ledger that is the state
 * before or after some transition, never between: the journal verifies and
 * every counter agrees with the reservations and the journal. */
#include "crashkit.h"

#define T0 1700000000

static int ledger_step(const char *path, int k, void *ud)
{
    (void)ud;
    static unsigned long n;
    custops_ledger *l;
    int rc = custops_ledger_open(&l, path, NULL);
    if (rc)
        return rc;
    if (k == 0 && n == 0) {
        custops_ledger_coupon c = CUSTOPS_LEDGER_COUPON_INIT;
        c.code = "CR";
        c.campaign = "crash";
        rc = custops_ledger_issue(l, NULL, &c, "issue-CR", T0);
        if (!rc)
            rc = custops_ledger_budget_add(l, NULL, "crash", INT64_C(1) << 40, "fund", T0);
    }
    char order[48];
    snprintf(order, sizeof order, "p%ld-%lu", (long)getpid(), n++);
    if (!rc)
        rc = custops_ledger_reserve(l, NULL, "CR", NULL, order, 10, 3600, NULL, T0);
    /* every other order is committed, the rest stay pending */
    if (!rc && n % 2 == 0)
        rc = custops_ledger_commit(l, NULL, order, "CR", NULL, T0);
    custops_ledger_free(l);
    return rc;
}

static int count(const char *s, const char *needle)
{
    int n = 0;
    for (const char *p = s; (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

static int ledger_identify(const char *path, void *ud)
{
    (void)ud;
    custops_ledger *l;
    if (custops_ledger_open(&l, path, NULL))
        return -1;
    int ok = 0;
    int64_t records, lim, used, reserved, blim, bused, breserved;
    char *show = NULL;
    if (!custops_ledger_verify(&records, NULL, l) && !custops_ledger_counter(&lim, &used, &reserved, l, "code:CR") &&
        !custops_ledger_counter(&blim, &bused, &breserved, l, "budget:crash") && !custops_ledger_show(&show, l)) {
        int committed = count(show, "\"state\":\"committed\"");
        int pending = count(show, "\"state\":\"pending\"");
        ok = used == committed && reserved == pending && bused == 10 * used && breserved == 10 * reserved &&
             records == 2 + pending + 2 * committed;
        if (!ok)
            fprintf(stderr, "inconsistent: used %lld reserved %lld committed %d pending %d records %lld\n",
                    (long long)used, (long long)reserved, committed, pending, (long long)records);
    }
    custops_free(show);
    custops_ledger_free(l);
    return ok ? 0 : -1;
}

START_TEST(test_ledger_sigkill)
{
    char dir[256], path[320];
    test_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/ledger.db", dir);
    crash_case c = {"ledger", ledger_step, ledger_identify, NULL};
    ck_assert_int_eq(crash_run(&c, path, 25, 7), 0);
    ck_assert_int_eq(ledger_identify(path, NULL), 0);
    /* the killed children did get some work done between the kills (how much
     * depends on the machine load) */
    custops_ledger *l;
    int64_t records;
    ck_assert_ok(custops_ledger_open(&l, path, NULL));
    ck_assert_ok(custops_ledger_verify(&records, NULL, l));
    ck_assert_int_gt(records, 2);
    custops_ledger_free(l);
    char p[400];
    const char *suffix[] = {"", "-wal", "-shm"};
    for (int i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s%s", path, suffix[i]);
        unlink(p);
    }
    rmdir(dir);
}
END_TEST

static Suite *ledger_crash_suite(void)
{
    Suite *s = suite_create("ledger_crash");
    TCase *tc = tcase_create("sigkill");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_ledger_sigkill);
    suite_add_tcase(s, tc);
    return s;
}

TEST_MAIN(ledger_crash_suite)
