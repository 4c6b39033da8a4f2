/* custops run, stage 2: who is who and what each customer is worth.
 * Features as of the run's instant (weeks, as the CLV literature counts),
 * a BG/NBD fit checked against a holdout period before it is trusted, then
 * the fit on the whole history with Gamma-Gamma spend for discounted CLV,
 * RFM segments and lifecycle classes. Model outputs become columns of the
 * customers frame so audiences can use them ("clv in top 10%"). */
#include "run.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define WEEK (7 * 86400)

/* Rows of customers with at least one order: the models describe buyers. */
typedef struct buyers {
    size_t n, *row;
    double *x, *tx, *T, *m;
} buyers;

static void buyers_free(buyers *b)
{
    free(b->row);
    free(b->x);
    free(b->tx);
    free(b->T);
    free(b->m);
}

static int buyers_of(const custops_frame *f, int exponent, buyers *b)
{
    memset(b, 0, sizeof *b);
    size_t n = custops_frame_nrows(f);
    const int64_t *orders = run_i64(f, "orders"), *freq = run_i64(f, "frequency");
    const double *rec = run_f64(f, "recency"), *T = run_f64(f, "T"), *mon = run_f64(f, "monetary");
    if (!orders || !freq || !rec || !T || !mon)
        return 1;
    size_t cap = n ? n : 1;
    b->row = malloc(cap * sizeof *b->row);
    b->x = malloc(cap * sizeof(double));
    b->tx = malloc(cap * sizeof(double));
    b->T = malloc(cap * sizeof(double));
    b->m = malloc(cap * sizeof(double));
    if (!b->row || !b->x || !b->tx || !b->T || !b->m) {
        fprintf(stderr, "custops run: out of memory\n");
        return 1;
    }
    double scale = pow(10.0, exponent);
    for (size_t i = 0; i < n; i++) {
        if (orders[i] <= 0 || T[i] < 0)
            continue;
        size_t k = b->n++;
        b->row[k] = i;
        b->x[k] = (double)freq[i];
        b->tx[k] = rec[i];
        b->T[k] = T[i];
        /* Gamma-Gamma in major units (any scale works; this one reads well). A
         * repeat buyer whose repeat orders were all refunded has no positive
         * spend to model: one minor unit keeps their value near zero. */
        b->m[k] = mon[i] > 0 ? mon[i] / scale : 1.0 / scale;
    }
    return 0;
}

/* Fit on the calibration period, predict the holdout period, compare by
 * calibration frequency. A store too young for a holdout gets a note, not
 * a failure: the report says the check could not be made. */
static void holdout_check(run_state *st)
{
    custops_features_opts fo;
    custops_features_opts_init(&fo);
    fo.now = st->as_of - st->holdout_weeks * WEEK;
    fo.period = CUSTOPS_PERIOD_WEEK;
    custops_frame *cal = NULL, *hold = NULL;
    custops_clv_model *m = NULL;
    buyers b;
    memset(&b, 0, sizeof b);
    double *xh = NULL;
    int rc = custops_store_split(st->store, &fo, st->as_of, &cal, &hold);
    if (rc) {
        snprintf(st->holdout_note, sizeof st->holdout_note, "no holdout check: %s", custops_last_error());
        goto done;
    }
    if (buyers_of(cal, st->exponent, &b))
        goto done;
    const int64_t *fh = run_i64(hold, "frequency_holdout");
    xh = malloc((b.n ? b.n : 1) * sizeof *xh);
    if (!fh || !xh)
        goto done;
    for (size_t k = 0; k < b.n; k++)
        xh[k] = (double)fh[b.row[k]];
    if (b.n < 50) {
        snprintf(st->holdout_note, sizeof st->holdout_note,
                 "no holdout check: only %zu customers bought before the %lld-week holdout period", b.n,
                 (long long)st->holdout_weeks);
        goto done;
    }
    if ((rc = custops_clv_fit(&m, CUSTOPS_CLV_BGNBD, b.x, b.tx, b.T, NULL, b.n, NULL)) != 0) {
        snprintf(st->holdout_note, sizeof st->holdout_note, "no holdout check: calibration fit failed: %s",
                 custops_last_error());
        goto done;
    }
    if (custops_clv_holdout_by_frequency(m, b.x, b.tx, b.T, xh, (double)st->holdout_weeks, b.n, RUN_HOLDOUT_BINS - 1,
                                         st->hold_count, st->hold_pred, st->hold_act) != 0)
        goto done;
    for (int k = 0; k < RUN_HOLDOUT_BINS; k++) {
        st->hold_pred_total += st->hold_pred[k] * st->hold_count[k];
        st->hold_act_total += st->hold_act[k] * st->hold_count[k];
    }
    st->holdout_ok = 1;
done:
    custops_clv_free(m);
    buyers_free(&b);
    free(xh);
    custops_frame_free(cal);
    custops_frame_free(hold);
}

/* Append the string column `src_col` of `src` to `dst` as `name`. */
static int copy_strings(custops_frame *dst, const char *name, const custops_frame *src, const char *src_col)
{
    size_t c, n = custops_frame_nrows(src);
    if (custops_frame_find(src, src_col, &c))
        return 1;
    const char **v = malloc((n ? n : 1) * sizeof *v);
    if (!v)
        return 1;
    for (size_t i = 0; i < n; i++)
        if (custops_frame_string(src, c, i, &v[i])) {
            free(v);
            return 1;
        }
    int rc = custops_frame_add_string(dst, name, v, n);
    free(v);
    return rc ? 1 : 0;
}

static int copy_i64(custops_frame *dst, const char *name, const custops_frame *src, const char *src_col)
{
    const int64_t *v = run_i64(src, src_col);
    return v && custops_frame_add_int64(dst, name, v, custops_frame_nrows(src)) == 0 ? 0 : 1;
}

int run_models(run_state *st)
{
    run_stage(st, 2, "profiles and models");
    custops_features_opts fo;
    custops_features_opts_init(&fo);
    fo.now = st->as_of;
    fo.period = CUSTOPS_PERIOD_WEEK;
    int rc = custops_store_features(st->store, &fo, &st->features);
    if (rc)
        return cli_fail("run", rc, "features");
    st->n = custops_frame_nrows(st->features);

    if (st->holdout_weeks > 0)
        holdout_check(st);
    else
        snprintf(st->holdout_note, sizeof st->holdout_note, "no holdout check: holdout_weeks is 0");

    buyers b;
    if (buyers_of(st->features, st->exponent, &b)) {
        buyers_free(&b);
        return 1;
    }
    size_t n = st->n ? st->n : 1;
    st->p_alive = calloc(n, sizeof(double));
    st->expected = calloc(n, sizeof(double));
    st->clv = calloc(n, sizeof(double));
    double *pa = malloc((b.n ? b.n : 1) * sizeof(double)), *ex = malloc((b.n ? b.n : 1) * sizeof(double)),
           *cv = malloc((b.n ? b.n : 1) * sizeof(double));
    if (!st->p_alive || !st->expected || !st->clv || !pa || !ex || !cv) {
        fprintf(stderr, "custops run: out of memory\n");
        rc = 1;
        goto out;
    }
    if ((rc = custops_clv_fit(&st->bgnbd, CUSTOPS_CLV_BGNBD, b.x, b.tx, b.T, NULL, b.n, NULL)) ||
        (rc = custops_clv_fit_spend(&st->gg, b.x, b.m, NULL, b.n, NULL))) {
        rc = cli_fail("run", rc, "CLV fit");
        goto out;
    }
    custops_clv_value_options vo = CUSTOPS_CLV_VALUE_OPTIONS_INIT;
    vo.months = (unsigned)st->clv_months;
    vo.discount_rate = st->discount_rate;
    vo.periods_per_month = 365.25 / 12 / 7;
    vo.margin = st->margin;
    if ((rc = custops_clv_prob_alive(st->bgnbd, b.x, b.tx, b.T, b.n, pa)) ||
        (rc = custops_clv_conditional_expected_purchases(st->bgnbd, (double)st->horizon_weeks, b.x, b.tx, b.T, b.n,
                                                         ex)) ||
        (rc = custops_clv_lifetime_value(st->bgnbd, st->gg, b.x, b.tx, b.T, b.m, b.n, &vo, cv))) {
        rc = cli_fail("run", rc, "CLV predictions");
        goto out;
    }
    for (size_t k = 0; k < b.n; k++) {
        st->p_alive[b.row[k]] = pa[k];
        st->expected[b.row[k]] = ex[k];
        st->clv[b.row[k]] = cv[k];
    }
    if ((rc = custops_rfm_score(&st->rfm, st->features, NULL)) != 0) {
        rc = cli_fail("run", rc, "RFM");
        goto out;
    }
    if ((rc = custops_lifecycle_classify(&st->lifecycle, st->features, NULL)) != 0) {
        rc = cli_fail("run", rc, "lifecycle");
        goto out;
    }
    /* model outputs join the customers frame, for audiences and the table */
    if (custops_frame_add_double(st->features, "p_alive", st->p_alive, st->n) ||
        custops_frame_add_double(st->features, "expected_purchases", st->expected, st->n) ||
        custops_frame_add_double(st->features, "clv", st->clv, st->n) ||
        copy_i64(st->features, "rfm_r", st->rfm, "r") || copy_i64(st->features, "rfm_f", st->rfm, "f") ||
        copy_i64(st->features, "rfm_m", st->rfm, "m") || copy_strings(st->features, "rfm_segment", st->rfm, "segment") ||
        copy_strings(st->features, "lifecycle", st->lifecycle, "lifecycle")) {
        rc = cli_fail("run", custops_last_status(), "model columns");
        goto out;
    }
    /* cohort retention over the whole history */
    custops_kpi_options ko;
    custops_kpi_options_init(&ko, CUSTOPS_KPI_OPTIONS_VERSION);
    ko.zone = st->zone;
    const int64_t *t = run_i64(st->lines, "time");
    ko.from = t[0];
    for (size_t i = 1, nl = custops_frame_nrows(st->lines); i < nl; i++)
        if (t[i] < ko.from)
            ko.from = t[i];
    ko.to = st->as_of + 1;
    if ((rc = custops_kpi_cohorts(&st->cohorts, st->lines, &ko)) != 0) {
        rc = cli_fail("run", rc, "cohorts");
        goto out;
    }
    rc = 0;
out:
    free(pa);
    free(ex);
    free(cv);
    buyers_free(&b);
    return rc;
}
