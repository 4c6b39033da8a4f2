/* SIGKILL while saving a store: the file on disk is always one complete
 * store (the small one or the large one), never a torn mix. */
#include "../crash/crashkit.h"

static int store_save(const char *path, int k, void *ud)
{
    custops_store **s = ud;
    return custops_store_save(s[k], path);
}

static int store_identify(const char *path, void *ud)
{
    (void)ud;
    custops_store *s;
    if (custops_store_load(&s, path) != CUSTOPS_OK)
        return -1;
    custops_store_counts n;
    custops_store_stats(s, &n);
    custops_store_free(s);
    return n.lines == 1 ? 0 : n.lines == 20000 ? 1 : -1;
}

START_TEST(store_survives_sigkill)
{
    custops_store *s[2];
    for (int k = 0; k < 2; k++) {
        ck_assert_ok(custops_store_new(&s[k], "Asia/Shanghai", "CNY"));
        for (int i = 0; i < (k ? 20000 : 1); i++) {
            char oid[16], cid[16];
            snprintf(oid, sizeof oid, "o%d", i);
            snprintf(cid, sizeof cid, "c%d", i % 997);
            custops_order_line l = {oid, cid, 1700000000 + i, "sku", "cat", 1, 990, 0, NULL, "app"};
            ck_assert_ok(custops_store_add_lines(s[k], &l, 1));
        }
    }
    char dir[256], path[300];
    test_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/state.stor", dir);
    crash_case c = {"store", store_save, store_identify, s};
    ck_assert_int_eq(crash_run(&c, path, getenv("CUSTOPS_UNDER_VALGRIND") ? 3 : 40, 23), 0);
    custops_store_free(s[0]);
    custops_store_free(s[1]);
    char cmd[320];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}
END_TEST

static Suite *crash_suite(void)
{
    Suite *s = suite_create("store-crash");
    TCase *tc = tcase_create("sigkill");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, store_survives_sigkill);
    suite_add_tcase(s, tc);
    return s;
}

TEST_MAIN(crash_suite)
