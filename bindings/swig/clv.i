/* clv: CLV models. Arrays travel as frame columns (one copy each way, no
 * per-element work in the host language): the helpers below read named
 * double columns of a frame and return results as a frame. */
CUSTOPS_HANDLE(custops_clv_model, custops_clv_free)
%apply custops_clv_model **OUT { custops_clv_model **out };

%{
/* a double column by name; NULL when absent */
static const double *custops_clv_col(const custops_frame *f, const char *name)
{
    size_t c;
    const double *p = NULL;
    if (custops_frame_find(f, name, &c) != CUSTOPS_OK)
        return NULL;
    if (custops_frame_double(f, c, &p) != CUSTOPS_OK)
        return NULL;
    return p;
}

static int custops_clv_need(const custops_frame *f, const char *name, const double **out)
{
    size_t c;
    int rc = custops_frame_find(f, name, &c); /* the library names the missing column */
    if (rc != CUSTOPS_OK)
        return rc;
    return custops_frame_double(f, c, out);
}

/* one output column "value" of n doubles */
static int custops_clv_value_frame(double *v, size_t n, custops_frame **out)
{
    custops_frame *f;
    int rc = custops_frame_new(&f);
    if (rc == CUSTOPS_OK && (rc = custops_frame_add_double(f, "value", v, n)) != CUSTOPS_OK) {
        custops_frame_free(f);
        f = NULL;
    }
    *out = f;
    return rc;
}
%}

%inline %{
/* Fit a model on a frame with double columns frequency, recency, T and an
 * optional weights column (Gamma-Gamma: frequency and monetary). */
static custops_rc custops_clv_fit_frame(custops_clv_model **out, int kind, const custops_frame *data, double penalty,
                                 unsigned int starts, unsigned int max_iter)
{
    const double *x, *t = NULL, *T = NULL, *w = custops_clv_col(data, "weights");
    custops_clv_fit_options o = CUSTOPS_CLV_FIT_OPTIONS_INIT;
    int rc;
    o.penalty = penalty;
    o.starts = starts;
    o.max_iter = max_iter;
    *out = NULL;
    if ((rc = custops_clv_need(data, "frequency", &x)) != CUSTOPS_OK)
        return rc;
    if (kind == CUSTOPS_CLV_GAMMA_GAMMA) {
        if ((rc = custops_clv_need(data, "monetary", &t)) != CUSTOPS_OK)
            return rc;
        return custops_clv_fit_spend(out, x, t, w, custops_frame_nrows(data), &o);
    }
    if ((rc = custops_clv_need(data, "recency", &t)) != CUSTOPS_OK || (rc = custops_clv_need(data, "T", &T)) != CUSTOPS_OK)
        return rc;
    return custops_clv_fit(out, kind, x, t, T, w, custops_frame_nrows(data), &o);
}

/* Predictions over the rows of data, as a frame with one column "value".
 * what: "alive", "conditional" (over t), "expected" (column t), "pmf"
 * (columns t and x), "spend" (frequency, monetary), "clv" (with spend). */
static custops_rc custops_clv_predict_frame(const custops_clv_model *m, const custops_clv_model *spend, const char *what,
                                     const custops_frame *data, double t, unsigned int months, double discount_rate,
                                     double periods_per_month, double margin, custops_frame **out)
{
    size_t n = custops_frame_nrows(data);
    const double *x = custops_clv_col(data, "frequency"), *r = custops_clv_col(data, "recency"),
                 *T = custops_clv_col(data, "T"), *mon = custops_clv_col(data, "monetary"),
                 *tc = custops_clv_col(data, "t"), *xc = custops_clv_col(data, "x");
    double *v = (double *)malloc((n ? n : 1) * sizeof(double));
    int rc;
    *out = NULL;
    if (!v)
        return CUSTOPS_ENOMEM;
    if (strcmp(what, "alive") == 0)
        rc = custops_clv_prob_alive(m, x, r, T, n, v);
    else if (strcmp(what, "conditional") == 0)
        rc = custops_clv_conditional_expected_purchases(m, t, x, r, T, n, v);
    else if (strcmp(what, "expected") == 0)
        rc = custops_clv_expected_purchases(m, tc, n, v);
    else if (strcmp(what, "pmf") == 0)
        rc = custops_clv_prob_purchases(m, tc, xc, n, v);
    else if (strcmp(what, "spend") == 0)
        rc = custops_clv_expected_spend(m, x, mon, n, v);
    else if (strcmp(what, "clv") == 0) {
        custops_clv_value_options o = CUSTOPS_CLV_VALUE_OPTIONS_INIT;
        o.months = months;
        o.discount_rate = discount_rate;
        o.periods_per_month = periods_per_month;
        o.margin = margin;
        rc = custops_clv_lifetime_value(m, spend, x, r, T, mon, n, &o, v);
    } else
        rc = CUSTOPS_EINVAL;
    if (rc == CUSTOPS_OK)
        rc = custops_clv_value_frame(v, n, out);
    free(v);
    return rc;
}

/* Simulation: frame with column T (repeat models; returns frequency and
 * recency) or frequency (Gamma-Gamma; returns monetary). */
static custops_rc custops_clv_simulate_frame(const custops_clv_model *m, double seed, const custops_frame *data,
                                      custops_frame **out)
{
    size_t n = custops_frame_nrows(data);
    double *a = (double *)malloc((n ? n : 1) * sizeof(double)), *b = (double *)malloc((n ? n : 1) * sizeof(double));
    custops_frame *f = NULL;
    int rc = a && b ? CUSTOPS_OK : CUSTOPS_ENOMEM;
    *out = NULL;
    if (!(seed >= 0 && seed < 18446744073709551616.0))
        rc = CUSTOPS_EINVAL;
    if (rc == CUSTOPS_OK) {
        if (custops_clv_kind_of(m) == CUSTOPS_CLV_GAMMA_GAMMA)
            rc = custops_clv_simulate_spend(m, (uint64_t)seed, custops_clv_col(data, "frequency"), n, a);
        else
            rc = custops_clv_simulate(m, (uint64_t)seed, custops_clv_col(data, "T"), n, a, b);
    }
    if (rc == CUSTOPS_OK && (rc = custops_frame_new(&f)) == CUSTOPS_OK) {
        if (custops_clv_kind_of(m) == CUSTOPS_CLV_GAMMA_GAMMA)
            rc = custops_frame_add_double(f, "monetary", a, n);
        else if ((rc = custops_frame_add_double(f, "frequency", a, n)) == CUSTOPS_OK)
            rc = custops_frame_add_double(f, "recency", b, n);
    }
    if (rc == CUSTOPS_OK)
        *out = f;
    else
        custops_frame_free(f);
    free(a);
    free(b);
    return rc;
}

/* Diagnostics. what: "histogram" (frequency, T, weights; columns expected,
 * observed), "holdout" (frequency, recency, T, frequency_holdout; columns
 * count, predicted, actual), "tracking" (data: birth, weights; grid: times;
 * columns cumulative, incremental), "alive_matrix" (value, row-major). */
static custops_rc custops_clv_diag_frame(const custops_clv_model *m, const char *what, const custops_frame *data,
                                  const custops_frame *grid, double a, double b, size_t k, custops_frame **out)
{
    size_t n = custops_frame_nrows(data);
    size_t nb = strcmp(what, "tracking") == 0 ? custops_frame_nrows(grid)
                : strcmp(what, "alive_matrix") == 0 ? (k + 1) * (size_t)b
                                                    : k + 1;
    double *c1 = (double *)calloc(nb ? nb : 1, sizeof(double)), *c2 = (double *)calloc(nb ? nb : 1, sizeof(double)),
           *c3 = (double *)calloc(nb ? nb : 1, sizeof(double));
    custops_frame *f = NULL;
    int rc = c1 && c2 && c3 ? CUSTOPS_OK : CUSTOPS_ENOMEM;
    const char *names[3] = {"value", NULL, NULL};
    *out = NULL;
    if (rc == CUSTOPS_OK) {
        if (strcmp(what, "histogram") == 0) {
            rc = custops_clv_repeat_histogram(m, custops_clv_col(data, "frequency"), custops_clv_col(data, "T"),
                                              custops_clv_col(data, "weights"), n, k, c1, c2);
            names[0] = "expected";
            names[1] = "observed";
        } else if (strcmp(what, "holdout") == 0) {
            rc = custops_clv_holdout_by_frequency(m, custops_clv_col(data, "frequency"), custops_clv_col(data, "recency"),
                                                  custops_clv_col(data, "T"), custops_clv_col(data, "frequency_holdout"),
                                                  a, n, k, c1, c2, c3);
            names[0] = "count";
            names[1] = "predicted";
            names[2] = "actual";
        } else if (strcmp(what, "tracking") == 0) {
            rc = custops_clv_tracking(m, custops_clv_col(data, "birth"), custops_clv_col(data, "weights"), n,
                                      custops_clv_col(grid, "times"), nb, c1, c2);
            names[0] = "cumulative";
            names[1] = "incremental";
        } else if (strcmp(what, "alive_matrix") == 0) {
            rc = b >= 2 && b <= 10000 ? custops_clv_alive_matrix(m, k, a, (size_t)b, c1) : CUSTOPS_EINVAL;
        } else {
            rc = CUSTOPS_EINVAL;
        }
    }
    if (rc == CUSTOPS_OK && (rc = custops_frame_new(&f)) == CUSTOPS_OK) {
        double *cols[3] = {c1, c2, c3};
        for (int i = 0; i < 3 && names[i] && rc == CUSTOPS_OK; i++)
            rc = custops_frame_add_double(f, names[i], cols[i], nb);
    }
    if (rc == CUSTOPS_OK)
        *out = f;
    else
        custops_frame_free(f);
    free(c1);
    free(c2);
    free(c3);
    return rc;
}
%}

custops_rc custops_clv_new(custops_clv_model **out, int kind, const double *values, size_t n);
int custops_clv_kind_of(const custops_clv_model *m);
const char *custops_clv_name(const custops_clv_model *m);
size_t custops_clv_nparams(const custops_clv_model *m);
const char *custops_clv_param_name(const custops_clv_model *m, size_t i);
double custops_clv_param(const custops_clv_model *m, size_t i);
double custops_clv_stderr(const custops_clv_model *m, size_t i);
double custops_clv_loglik(const custops_clv_model *m);
unsigned int custops_clv_iterations(const custops_clv_model *m);
double custops_clv_grad_norm(const custops_clv_model *m);
const char *custops_clv_status(const custops_clv_model *m);
custops_rc custops_clv_save(const custops_clv_model *m, const char *path);
custops_rc custops_clv_load(custops_clv_model **out, const char *path);

%constant int CLV_BGNBD = CUSTOPS_CLV_BGNBD;
%constant int CLV_MBGNBD = CUSTOPS_CLV_MBGNBD;
%constant int CLV_PARETO_NBD = CUSTOPS_CLV_PARETO_NBD;
%constant int CLV_BGBB = CUSTOPS_CLV_BGBB;
%constant int CLV_GAMMA_GAMMA = CUSTOPS_CLV_GAMMA_GAMMA;
