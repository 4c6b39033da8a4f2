/* CLV fitting: published figures on CDNOW and the donations data, gradients
 * against finite differences, compression, penalties and error cases. */
#include "clv_testdata.h"
#include "failalloc.h"

static custops_clv_model *fit(int kind, const clv_data *d)
{
    custops_clv_model *m = NULL;
    ck_assert_ok(custops_clv_fit(&m, kind, d->x, d->t, d->T, d->w, d->n, NULL));
    return m;
}

/* Fader, Hardie and Lee (2005): r = 0.243, alpha = 4.414, a = 0.793,
 * b = 2.426, LL = -9582.4 on the CDNOW sample. */
START_TEST(cdnow_bgnbd)
{
    clv_data *d = clv_data_load("cdnow_customers_summary.csv");
    if (!d)
        return;
    ck_assert_uint_eq(d->n, 2357);
    custops_clv_model *m = fit(CUSTOPS_CLV_BGNBD, d);
    ck_assert_rel(custops_clv_param(m, 0), 0.243, 2e-3);
    ck_assert_rel(custops_clv_param(m, 1), 4.414, 1e-3);
    ck_assert_rel(custops_clv_param(m, 2), 0.793, 1e-3);
    ck_assert_rel(custops_clv_param(m, 3), 2.426, 1e-3);
    ck_assert_msg(fabs(custops_clv_loglik(m) - (-9582.4256)) < 0.01, "LL %.4f", custops_clv_loglik(m));
    ck_assert_str_eq(custops_clv_status(m), "converged");
    ck_assert(custops_clv_grad_norm(m) < 1e-6);
    ck_assert_str_eq(custops_clv_param_name(m, 1), "alpha");
    /* standard errors: positive and of the order lifetimes reports (r about 0.0126) */
    ck_assert(custops_clv_stderr(m, 0) > 0.01 && custops_clv_stderr(m, 0) < 0.016);
    double customers, rows;
    ck_assert_ok(custops_clv_data_size(m, &customers, &rows));
    ck_assert(customers == 2357);
    ck_assert(rows < 2357);
    custops_clv_free(m);
    free(d);
}
END_TEST

/* Pareto/NBD on CDNOW: r = 0.553, alpha = 10.58, s = 0.606, beta = 11.67,
 * LL -9594.974 for the rounded summary (README). */
START_TEST(cdnow_pareto)
{
    clv_data *d = clv_data_load("cdnow_customers_summary.csv");
    if (!d)
        return;
    custops_clv_model *m = fit(CUSTOPS_CLV_PARETO_NBD, d);
    ck_assert_rel(custops_clv_param(m, 0), 0.553, 1e-3);
    ck_assert_rel(custops_clv_param(m, 1), 10.58, 1e-3);
    ck_assert_rel(custops_clv_param(m, 2), 0.606, 1e-3);
    ck_assert_rel(custops_clv_param(m, 3), 11.67, 1e-3);
    ck_assert_msg(fabs(custops_clv_loglik(m) - (-9594.9739)) < 0.01, "LL %.4f", custops_clv_loglik(m));
    custops_clv_free(m);
    free(d);
}
END_TEST

/* Gamma-Gamma on the repeat buyers' average spend: p = 6.25, q = 3.74,
 * gamma = 15.44 (Fader, Hardie and Lee 2005 spend note), LL -4055.9232. */
START_TEST(cdnow_gamma_gamma)
{
    clv_data *d = clv_data_load("cdnow_customers_summary_with_transactions.csv");
    if (!d)
        return;
    custops_clv_model *m = NULL;
    ck_assert_ok(custops_clv_fit_spend(&m, d->x, d->m, NULL, d->n, NULL));
    ck_assert_rel(custops_clv_param(m, 0), 6.25, 1e-3);
    ck_assert_rel(custops_clv_param(m, 1), 3.74, 2e-3);
    ck_assert_rel(custops_clv_param(m, 2), 15.44, 1e-3);
    ck_assert_msg(fabs(custops_clv_loglik(m) - (-4055.9232)) < 0.01, "LL %.4f", custops_clv_loglik(m));
    double customers;
    ck_assert_ok(custops_clv_data_size(m, &customers, NULL));
    ck_assert(customers == 946); /* only repeat buyers */
    custops_clv_free(m);
    free(d);
}
END_TEST

/* Fader, Hardie and Shang (2010), donations: alpha = 1.204, beta = 0.750,
 * gamma = 0.657, delta = 2.783, LL = -33225.6. */
START_TEST(donations_bgbb)
{
    clv_data *d = clv_data_load("donations.csv");
    if (!d)
        return;
    ck_assert_uint_eq(d->n, 22);
    custops_clv_model *m = fit(CUSTOPS_CLV_BGBB, d);
    ck_assert_rel(custops_clv_param(m, 0), 1.204, 1e-3);
    ck_assert_rel(custops_clv_param(m, 1), 0.750, 1e-3);
    ck_assert_rel(custops_clv_param(m, 2), 0.657, 1e-3);
    ck_assert_rel(custops_clv_param(m, 3), 2.783, 1e-3);
    ck_assert_msg(fabs(custops_clv_loglik(m) - (-33225.6)) < 0.05, "LL %.4f", custops_clv_loglik(m));
    custops_clv_free(m);
    free(d);
}
END_TEST

/* MBG/NBD: the fitted log-likelihood must equal the likelihood written out
 * customer by customer from Batislam et al.'s formula, and no other start
 * finds a better optimum. */
START_TEST(cdnow_mbgnbd)
{
    clv_data *d = clv_data_load("cdnow_customers_summary.csv");
    if (!d)
        return;
    custops_clv_model *m = fit(CUSTOPS_CLV_MBGNBD, d);
    double r = custops_clv_param(m, 0), al = custops_clv_param(m, 1), a = custops_clv_param(m, 2),
           b = custops_clv_param(m, 3);
    double ll = 0;
    for (size_t i = 0; i < d->n; i++) {
        double x = d->x[i];
        double l = lgamma(a + b) + lgamma(b + x + 1) - lgamma(b) - lgamma(a + b + x + 1) + lgamma(r + x) - lgamma(r) +
                   r * log(al);
        l += log(pow(al + d->T[i], -(r + x)) + a / (b + x) * pow(al + d->t[i], -(r + x)));
        ll += l;
    }
    ck_assert_msg(fabs(custops_clv_loglik(m) - ll) < 1e-6, "LL %.8f vs %.8f", custops_clv_loglik(m), ll);
    ck_assert(custops_clv_loglik(m) > -9583.0 && custops_clv_loglik(m) < -9581.0);
    custops_clv_fit_options o;
    ck_assert_ok(custops_clv_fit_options_init(&o, CUSTOPS_CLV_FIT_OPTIONS_VERSION));
    double init[4] = {2, 20, 3, 3};
    o.init = init;
    o.starts = 1;
    custops_clv_model *m2;
    ck_assert_ok(custops_clv_fit(&m2, CUSTOPS_CLV_MBGNBD, d->x, d->t, d->T, NULL, d->n, &o));
    ck_assert(fabs(custops_clv_loglik(m2) - custops_clv_loglik(m)) < 1e-6);
    for (int k = 0; k < 4; k++)
        ck_assert_rel(custops_clv_param(m2, k), custops_clv_param(m, k), 1e-4);
    custops_clv_free(m2);
    custops_clv_free(m);
    free(d);
}
END_TEST

/* analytic gradient against central differences of the log-likelihood */
static void grad_check(int kind, const double *p, size_t np, const double *x, const double *t, const double *T,
                       const double *w, size_t n)
{
    double ll, g[4];
    ck_assert_ok(custops_clv_loglik_eval(&ll, g, kind, p, np, x, t, T, w, n));
    for (size_t k = 0; k < np; k++) {
        double pp[4], pm[4], lp, lm;
        memcpy(pp, p, np * sizeof(double));
        memcpy(pm, p, np * sizeof(double));
        double h = 1e-6 * p[k];
        pp[k] += h;
        pm[k] -= h;
        ck_assert_ok(custops_clv_loglik_eval(&lp, NULL, kind, pp, np, x, t, T, w, n));
        ck_assert_ok(custops_clv_loglik_eval(&lm, NULL, kind, pm, np, x, t, T, w, n));
        double fd = (lp - lm) / (2 * h);
        ck_assert_msg(fabs(fd - g[k]) <= 1e-5 * (1 + fabs(fd)), "kind %d param %zu: analytic %.10g, numeric %.10g",
                      kind, k, g[k], fd);
    }
}

START_TEST(gradients)
{
    /* a small data set with repeat and one-off customers, a long T and a
     * very high frequency */
    double x[] = {0, 0, 1, 2, 5, 40, 300, 3};
    double t[] = {0, 0, 1.5, 10, 20, 30.5, 499, 2};
    double T[] = {10, 38, 20, 38, 38, 40, 500, 2};
    double w[] = {100, 5, 3, 2, 1, 1, 1, 4};
    double bg[4] = {0.24, 4.4, 0.79, 2.4};
    grad_check(CUSTOPS_CLV_BGNBD, bg, 4, x, t, T, w, 8);
    grad_check(CUSTOPS_CLV_MBGNBD, bg, 4, x, t, T, w, 8);
    double pn[4][4] = {{0.55, 10.6, 0.6, 11.7}, {0.55, 11.7, 0.6, 10.6}, {0.5, 1000, 0.8, 0.01},
                       {2.0, 0.01, 3.0, 500}};
    for (int i = 0; i < 4; i++)
        grad_check(CUSTOPS_CLV_PARETO_NBD, pn[i], 4, x, t, T, w, 8);
    double bx[] = {0, 1, 3, 6, 2}, bt[] = {0, 1, 5, 6, 2}, bn[] = {6, 6, 6, 6, 10}, bw[] = {3464, 1091, 200, 80, 7};
    double bb[4] = {1.2, 0.75, 0.66, 2.78};
    grad_check(CUSTOPS_CLV_BGBB, bb, 4, bx, bt, bn, bw, 5);
    double gx[] = {1, 2, 5, 30}, gm[] = {10.5, 35, 22, 300};
    double gg[3] = {6.25, 3.74, 15.44};
    grad_check(CUSTOPS_CLV_GAMMA_GAMMA, gg, 3, gx, gm, NULL, NULL, 4);
}
END_TEST

/* compressed (unique rows + weights) and per-customer input give one fit */
START_TEST(compression)
{
    clv_data *d = clv_data_load("cdnow_customers_summary.csv");
    if (!d)
        return;
    /* the same customers, each row written twice with weight 0.5 and shuffled */
    size_t n = d->n;
    double *x = malloc(2 * n * sizeof(double)), *t = malloc(2 * n * sizeof(double)), *T = malloc(2 * n * sizeof(double)),
           *w = malloc(2 * n * sizeof(double));
    for (size_t i = 0; i < 2 * n; i++) {
        size_t j = (i * 7919) % n;
        x[i] = d->x[j];
        t[i] = d->t[j];
        T[i] = d->T[j];
        w[i] = 0.5;
    }
    custops_clv_model *a, *b;
    ck_assert_ok(custops_clv_fit(&a, CUSTOPS_CLV_BGNBD, d->x, d->t, d->T, NULL, n, NULL));
    ck_assert_ok(custops_clv_fit(&b, CUSTOPS_CLV_BGNBD, x, t, T, w, 2 * n, NULL));
    for (int k = 0; k < 4; k++)
        ck_assert_rel(custops_clv_param(a, k), custops_clv_param(b, k), 1e-9);
    ck_assert(fabs(custops_clv_loglik(a) - custops_clv_loglik(b)) < 1e-6);
    custops_clv_free(a);
    custops_clv_free(b);
    free(x);
    free(t);
    free(T);
    free(w);
    free(d);
}
END_TEST

START_TEST(penalty_shrinks)
{
    clv_data *d = clv_data_load("cdnow_customers_summary.csv");
    if (!d)
        return;
    custops_clv_fit_options o = CUSTOPS_CLV_FIT_OPTIONS_INIT;
    o.penalty = 0.1;
    custops_clv_model *a, *b;
    ck_assert_ok(custops_clv_fit(&a, CUSTOPS_CLV_BGNBD, d->x, d->t, d->T, NULL, d->n, NULL));
    ck_assert_ok(custops_clv_fit(&b, CUSTOPS_CLV_BGNBD, d->x, d->t, d->T, NULL, d->n, &o));
    double sa = 0, sb = 0;
    for (int k = 0; k < 4; k++) {
        sa += pow(custops_clv_param(a, k), 2);
        sb += pow(custops_clv_param(b, k), 2);
    }
    ck_assert(sb < sa);
    ck_assert(custops_clv_loglik(b) < custops_clv_loglik(a)); /* unpenalised LL is lower off the MLE */
    custops_clv_free(a);
    custops_clv_free(b);
    free(d);
}
END_TEST

START_TEST(errors)
{
    custops_clv_model *m = (custops_clv_model *)1;
    double x[] = {0, 1, 2}, t[] = {0, 5, 6}, T[] = {10, 10, 10};
    double zero[] = {0, 0, 0}, zt[] = {0, 0, 0};
    ck_assert_status(custops_clv_fit(&m, CUSTOPS_CLV_BGNBD, zero, zt, T, NULL, 3, NULL), CUSTOPS_EIDENTIFY);
    ck_assert_ptr_null(m);
    ck_assert_ptr_nonnull(strstr(custops_last_error(), "no repeat buyers"));
    double nanx[] = {0, NAN, 2};
    ck_assert_status(custops_clv_fit(&m, CUSTOPS_CLV_BGNBD, nanx, t, T, NULL, 3, NULL), CUSTOPS_EINVAL);
    ck_assert_ptr_nonnull(strstr(custops_last_error(), "frequency[1]"));
    double bigt[] = {0, 5, 11};
    ck_assert_status(custops_clv_fit(&m, CUSTOPS_CLV_PARETO_NBD, x, bigt, T, NULL, 3, NULL), CUSTOPS_EINVAL);
    ck_assert_ptr_nonnull(strstr(custops_last_error(), "recency[2]"));
    double negT[] = {10, -1, 10};
    ck_assert_status(custops_clv_fit(&m, CUSTOPS_CLV_BGNBD, x, t, negT, NULL, 3, NULL), CUSTOPS_EINVAL);
    ck_assert_ptr_nonnull(strstr(custops_last_error(), "T[1]"));
    double frac[] = {0, 1.5, 2};
    ck_assert_status(custops_clv_fit(&m, CUSTOPS_CLV_BGNBD, frac, t, T, NULL, 3, NULL), CUSTOPS_EINVAL);
    double negw[] = {1, -1, 1};
    ck_assert_status(custops_clv_fit(&m, CUSTOPS_CLV_BGNBD, x, t, T, negw, 3, NULL), CUSTOPS_EINVAL);
    ck_assert_ptr_nonnull(strstr(custops_last_error(), "weights[1]"));
    ck_assert_status(custops_clv_fit(&m, CUSTOPS_CLV_BGNBD, x, t, T, zero, 3, NULL), CUSTOPS_EIDENTIFY);
    ck_assert_status(custops_clv_fit(&m, CUSTOPS_CLV_BGNBD, x, t, T, NULL, 0, NULL), CUSTOPS_EINVAL);
    ck_assert_status(custops_clv_fit(&m, 99, x, t, T, NULL, 3, NULL), CUSTOPS_EINVAL);
    ck_assert_status(custops_clv_fit(&m, CUSTOPS_CLV_GAMMA_GAMMA, x, t, T, NULL, 3, NULL), CUSTOPS_EINVAL);
    ck_assert_status(custops_clv_fit(NULL, CUSTOPS_CLV_BGNBD, x, t, T, NULL, 3, NULL), CUSTOPS_EINVAL);
    ck_assert_status(custops_clv_fit(&m, CUSTOPS_CLV_BGNBD, x, NULL, T, NULL, 3, NULL), CUSTOPS_EINVAL);
    custops_clv_fit_options o = CUSTOPS_CLV_FIT_OPTIONS_INIT;
    o.version = 77;
    ck_assert_status(custops_clv_fit(&m, CUSTOPS_CLV_BGNBD, x, t, T, NULL, 3, &o), CUSTOPS_EVERSION);
    o.version = CUSTOPS_CLV_FIT_OPTIONS_VERSION;
    o.penalty = NAN;
    ck_assert_status(custops_clv_fit(&m, CUSTOPS_CLV_BGNBD, x, t, T, NULL, 3, &o), CUSTOPS_EINVAL);
    ck_assert_status(custops_clv_fit_options_init(&o, 2), CUSTOPS_EVERSION);
    /* BG/BB: x above t_x, non-integer opportunities */
    double bx[] = {3}, bt[] = {2}, bn[] = {6}, bt2[] = {2.5};
    ck_assert_status(custops_clv_fit(&m, CUSTOPS_CLV_BGBB, bx, bt, bn, NULL, 1, NULL), CUSTOPS_EINVAL);
    ck_assert_status(custops_clv_fit(&m, CUSTOPS_CLV_BGBB, bx, bt2, bn, NULL, 1, NULL), CUSTOPS_EINVAL);
    /* Gamma-Gamma: no repeat buyers, identical spends, bad spend */
    double gm[] = {10, 10, 10};
    ck_assert_status(custops_clv_fit_spend(&m, zero, gm, NULL, 3, NULL), CUSTOPS_EIDENTIFY);
    ck_assert_status(custops_clv_fit_spend(&m, x, gm, NULL, 3, NULL), CUSTOPS_EIDENTIFY);
    double badm[] = {10, -2, 10};
    ck_assert_status(custops_clv_fit_spend(&m, x, badm, NULL, 3, NULL), CUSTOPS_EINVAL);
    ck_assert_ptr_nonnull(strstr(custops_last_error(), "monetary[1]"));
    /* custops_clv_new checks its parameters */
    double p[4] = {1, 2, 3, -4};
    ck_assert_status(custops_clv_new(&m, CUSTOPS_CLV_BGNBD, p, 4), CUSTOPS_EINVAL);
    ck_assert_status(custops_clv_new(&m, CUSTOPS_CLV_BGNBD, p, 3), CUSTOPS_EINVAL);
    ck_assert_ptr_null(m);
    /* getters tolerate NULL */
    ck_assert_uint_eq(custops_clv_nparams(NULL), 0);
    ck_assert_str_eq(custops_clv_name(NULL), "");
    custops_clv_free(NULL);
}
END_TEST

/* a model made from parameters reports them and no fit */
START_TEST(given_model)
{
    double p[3] = {6.25, 3.74, 15.44};
    custops_clv_model *m;
    ck_assert_ok(custops_clv_new(&m, CUSTOPS_CLV_GAMMA_GAMMA, p, 3));
    ck_assert_int_eq(custops_clv_kind_of(m), CUSTOPS_CLV_GAMMA_GAMMA);
    ck_assert_str_eq(custops_clv_status(m), "given");
    ck_assert(custops_clv_param(m, 2) == 15.44);
    ck_assert(custops_clv_param(m, 3) == 0);
    ck_assert(custops_clv_stderr(m, 0) == 0);
    custops_clv_free(m);
}
END_TEST

/* every allocation through the hook; failing the Nth for every N gives
 * CUSTOPS_ENOMEM (or success where the allocation was an optional cache)
 * and never a leak */

static int oom_workload(void *ctx)
{
    const char *path = ctx;
    enum { N = 300 };
    double x[N], t[N], T[N], out[N];
    for (int i = 0; i < N; i++) { /* day-like ties, so the per-T tables are built */
        x[i] = i % 5;
        t[i] = x[i] ? 1 + (i % 13) : 0;
        T[i] = 20 + (i % 7);
    }
    custops_clv_model *m = NULL, *l = NULL;
    int rc = custops_clv_fit(&m, CUSTOPS_CLV_PARETO_NBD, x, t, T, NULL, N, NULL);
    if (rc == 0)
        rc = custops_clv_save(m, path);
    if (rc == 0)
        rc = custops_clv_load(&l, path);
    if (rc == 0)
        rc = custops_clv_prob_alive(l, x, t, T, N, out);
    double hist_e[4], hist_o[4];
    if (rc == 0)
        rc = custops_clv_repeat_histogram(l, x, T, NULL, N, 3, hist_e, hist_o);
    custops_clv_free(m);
    custops_clv_free(l);
    return rc;
}

START_TEST(allocation_failures)
{
    char dir[256], path[300];
    test_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/m.clvm", dir);
    static const int also_ok[] = {CUSTOPS_EIO, 0};
    failalloc_sweep(oom_workload, path, 10, 5000, also_ok);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}
END_TEST

static Suite *clv_fit_suite(void)
{
    Suite *s = suite_create("clv_fit");
    TCase *tc = tcase_create("fit");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, cdnow_bgnbd);
    tcase_add_test(tc, cdnow_pareto);
    tcase_add_test(tc, cdnow_gamma_gamma);
    tcase_add_test(tc, donations_bgbb);
    tcase_add_test(tc, cdnow_mbgnbd);
    tcase_add_test(tc, gradients);
    tcase_add_test(tc, compression);
    tcase_add_test(tc, penalty_shrinks);
    tcase_add_test(tc, errors);
    tcase_add_test(tc, given_model);
    tcase_add_test(tc, allocation_failures);
    suite_add_tcase(s, tc);
    return s;
}

TEST_MAIN(clv_fit_suite)
