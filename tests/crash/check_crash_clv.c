/* SIGKILL while saving CLV models (custops_clv_save, kind CLVM): the file
 * on disk is always one of the two complete models. */
#include "crashkit.h"

static int clv_save(const char *path, int k, void *ud)
{
    custops_clv_model **m = ud;
    return custops_clv_save(m[k], path);
}

static int clv_identify(const char *path, void *ud)
{
    (void)ud;
    custops_clv_model *m;
    if (custops_clv_load(&m, path) != CUSTOPS_OK)
        return -1;
    double r = custops_clv_param(m, 0);
    custops_clv_free(m);
    return r == 0.5 ? 0 : r == 1.5 ? 1 : -1;
}

START_TEST(clv_models)
{
    double p0[4] = {0.5, 10, 0.6, 11}, p1[4] = {1.5, 3, 0.7, 2};
    custops_clv_model *m[2];
    ck_assert_ok(custops_clv_new(&m[0], CUSTOPS_CLV_PARETO_NBD, p0, 4));
    ck_assert_ok(custops_clv_new(&m[1], CUSTOPS_CLV_BGNBD, p1, 4));
    char dir[256], path[300];
    test_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/model.clvm", dir);
    crash_case c = {"clv", clv_save, clv_identify, m};
    ck_assert_int_eq(crash_run(&c, path, 40, 11), 0);
    custops_clv_free(m[0]);
    custops_clv_free(m[1]);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}
END_TEST

static Suite *crash_clv_suite(void)
{
    Suite *s = suite_create("crash_clv");
    TCase *tc = tcase_create("clv");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, clv_models);
    suite_add_tcase(s, tc);
    return s;
}

TEST_MAIN(crash_clv_suite)
