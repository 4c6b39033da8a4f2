/* Simulation (seeded, deterministic) and parameter recovery; save files. */
#include "clv_testdata.h"

#include <string.h>
#include <sys/stat.h>

#define N clv_sample(40000)

/* simulate N customers with T spread over [20, 52], fit, and expect the
 * true parameters inside 4 standard errors */
static void recover(int kind, const double *p, int bgbb)
{
    custops_clv_model *truth, *fit;
    ck_assert_ok(custops_clv_new(&truth, kind, p, 4));
    double *T = malloc(N * sizeof(double)), *x = malloc(N * sizeof(double)), *tx = malloc(N * sizeof(double));
    for (int i = 0; i < N; i++)
        T[i] = bgbb ? 6 + i % 5 : 20 + (i % 33);
    ck_assert_ok(custops_clv_simulate(truth, 2024, T, N, x, tx));
    ck_assert_ok(custops_clv_fit(&fit, kind, x, tx, T, NULL, N, NULL));
    for (int k = 0; k < 4; k++) {
        double se = custops_clv_stderr(fit, k);
        ck_assert_msg(se > 0, "kind %d: no standard error for %s", kind, custops_clv_param_name(fit, k));
        ck_assert_msg(fabs(custops_clv_param(fit, k) - p[k]) < 4 * se, "kind %d: %s = %g +- %g, truth %g", kind,
                      custops_clv_param_name(fit, k), custops_clv_param(fit, k), se, p[k]);
    }
    free(T);
    free(x);
    free(tx);
    custops_clv_free(truth);
    custops_clv_free(fit);
}

START_TEST(recovery_bgnbd)
{
    double p[4] = {0.8, 5.0, 0.7, 3.0};
    recover(CUSTOPS_CLV_BGNBD, p, 0);
}
END_TEST

START_TEST(recovery_mbgnbd)
{
    double p[4] = {0.8, 5.0, 0.7, 3.0};
    recover(CUSTOPS_CLV_MBGNBD, p, 0);
}
END_TEST

START_TEST(recovery_pareto)
{
    double p[4] = {0.8, 5.0, 0.9, 15.0};
    recover(CUSTOPS_CLV_PARETO_NBD, p, 0);
}
END_TEST

START_TEST(recovery_bgbb)
{
    double p[4] = {1.2, 0.75, 0.66, 2.78};
    recover(CUSTOPS_CLV_BGBB, p, 1);
}
END_TEST

START_TEST(recovery_gamma_gamma)
{
    double p[3] = {6.25, 3.74, 15.44};
    custops_clv_model *truth, *fit;
    ck_assert_ok(custops_clv_new(&truth, CUSTOPS_CLV_GAMMA_GAMMA, p, 3));
    double *x = malloc(N * sizeof(double)), *m = malloc(N * sizeof(double));
    for (int i = 0; i < N; i++)
        x[i] = 1 + i % 7;
    ck_assert_ok(custops_clv_simulate_spend(truth, 5, x, N, m));
    ck_assert_ok(custops_clv_fit_spend(&fit, x, m, NULL, N, NULL));
    for (int k = 0; k < 3; k++)
        ck_assert_msg(fabs(custops_clv_param(fit, k) - p[k]) < 4 * custops_clv_stderr(fit, k), "%s = %g +- %g",
                      custops_clv_param_name(fit, k), custops_clv_param(fit, k), custops_clv_stderr(fit, k));
    free(x);
    free(m);
    custops_clv_free(truth);
    custops_clv_free(fit);
}
END_TEST

START_TEST(simulation_deterministic)
{
    double p[4] = {0.55, 10.6, 0.6, 11.7};
    custops_clv_model *m;
    ck_assert_ok(custops_clv_new(&m, CUSTOPS_CLV_PARETO_NBD, p, 4));
    double T[100], x1[100], t1[100], x2[100], t2[100], x3[100], t3[100];
    for (int i = 0; i < 100; i++)
        T[i] = 39;
    ck_assert_ok(custops_clv_simulate(m, 99, T, 100, x1, t1));
    ck_assert_ok(custops_clv_simulate(m, 99, T, 50, x2, t2)); /* a prefix draws the same customers */
    ck_assert_ok(custops_clv_simulate(m, 100, T, 100, x3, t3));
    int differs = 0;
    for (int i = 0; i < 100; i++) {
        if (i < 50)
            ck_assert(x1[i] == x2[i] && t1[i] == t2[i]);
        differs |= x1[i] != x3[i] || t1[i] != t3[i];
    }
    ck_assert(differs);
    /* six customers cannot pin down four parameters: a clear error, not a wild estimate */
    double sx[] = {0, 1, 2, 5, 0, 3}, stx[] = {0, 5, 10, 30, 0, 12}, sT[] = {40, 40, 39, 38, 35, 30};
    custops_clv_model *f;
    ck_assert_status(custops_clv_fit(&f, CUSTOPS_CLV_PARETO_NBD, sx, stx, sT, NULL, 6, NULL), CUSTOPS_EIDENTIFY);
    ck_assert_ptr_nonnull(strstr(custops_last_error(), "cannot identify"));
    double badT[1] = {NAN};
    ck_assert_status(custops_clv_simulate(m, 1, badT, 1, x1, t1), CUSTOPS_EINVAL);
    custops_clv_free(m);
}
END_TEST

START_TEST(save_load)
{
    char dir[256], path[300];
    test_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/model.clvm", dir);
    double p[4] = {0.55, 10.6, 0.6, 11.7}, x[3000], tx[3000], T[3000];
    custops_clv_model *m, *l;
    ck_assert_ok(custops_clv_new(&m, CUSTOPS_CLV_PARETO_NBD, p, 4));
    for (int i = 0; i < 3000; i++)
        T[i] = 39;
    ck_assert_ok(custops_clv_simulate(m, 3, T, 3000, x, tx));
    custops_clv_free(m);
    ck_assert_ok(custops_clv_fit(&m, CUSTOPS_CLV_PARETO_NBD, x, tx, T, NULL, 3000, NULL));
    ck_assert_ok(custops_clv_save(m, path));
    ck_assert_ok(custops_clv_load(&l, path));
    ck_assert_int_eq(custops_clv_kind_of(l), CUSTOPS_CLV_PARETO_NBD);
    for (size_t k = 0; k < 4; k++) {
        ck_assert(custops_clv_param(l, k) == custops_clv_param(m, k));
        ck_assert(custops_clv_stderr(l, k) == custops_clv_stderr(m, k));
    }
    ck_assert(custops_clv_loglik(l) == custops_clv_loglik(m));
    ck_assert_str_eq(custops_clv_status(l), custops_clv_status(m));
    ck_assert_uint_eq(custops_clv_iterations(l), custops_clv_iterations(m));
    /* flip one byte of the payload: checksum */
    FILE *f = fopen(path, "r+b");
    ck_assert_ptr_nonnull(f);
    fseek(f, 50, SEEK_SET);
    int c = fgetc(f);
    fseek(f, 50, SEEK_SET);
    fputc(c ^ 0x40, f);
    fclose(f);
    custops_clv_model *bad = (custops_clv_model *)1;
    ck_assert_status(custops_clv_load(&bad, path), CUSTOPS_ECORRUPT);
    ck_assert_ptr_null(bad);
    /* truncated */
    ck_assert_ok(custops_clv_save(m, path));
    ck_assert_int_eq(truncate(path, 45), 0);
    ck_assert_status(custops_clv_load(&bad, path), CUSTOPS_ECORRUPT);
    /* a well-formed save file of another kind: the message names both kinds
     * (it is formatted from the header, which must still be allocated then) */
    custops_store *st;
    ck_assert_ok(custops_store_new(&st, "UTC", "CNY"));
    ck_assert_ok(custops_store_save(st, path));
    custops_store_free(st);
    ck_assert_status(custops_clv_load(&bad, path), CUSTOPS_ECORRUPT);
    ck_assert_ptr_nonnull(strstr(custops_last_error(), "holds a 'STOR' object, expected 'CLVM'"));
    snprintf(path, sizeof path, "%s/missing.clvm", dir);
    ck_assert_status(custops_clv_load(&bad, path), CUSTOPS_ENOTFOUND);
    ck_assert_status(custops_clv_save(NULL, path), CUSTOPS_EINVAL);
    custops_clv_free(m);
    custops_clv_free(l);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}
END_TEST

static Suite *clv_sim_suite(void)
{
    Suite *s = suite_create("clv_sim");
    TCase *tc = tcase_create("sim");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, recovery_bgnbd);
    tcase_add_test(tc, recovery_mbgnbd);
    tcase_add_test(tc, recovery_pareto);
    tcase_add_test(tc, recovery_bgbb);
    tcase_add_test(tc, recovery_gamma_gamma);
    tcase_add_test(tc, simulation_deterministic);
    tcase_add_test(tc, save_load);
    suite_add_tcase(s, tc);
    return s;
}

TEST_MAIN(clv_sim_suite)
