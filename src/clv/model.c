/* The model object: fitting (validation, compression, optimisation),
 * construction from known parameters, getters. */
#include "clv_internal.h"

#include <math.h>

const clv_spec *custops__clv_spec(int kind)
{
    switch (kind) {
    case CUSTOPS_CLV_BGNBD: return &custops__clv_bgnbd;
    case CUSTOPS_CLV_MBGNBD: return &custops__clv_mbgnbd;
    case CUSTOPS_CLV_PARETO_NBD: return &custops__clv_pareto;
    case CUSTOPS_CLV_BGBB: return &custops__clv_bgbb;
    case CUSTOPS_CLV_GAMMA_GAMMA: return &custops__clv_gg;
    default: return NULL;
    }
}

int custops_clv_fit_options_init(custops_clv_fit_options *opts, unsigned int version)
{
    CUSTOPS__CHECK_NULL(opts);
    if (version != CUSTOPS_CLV_FIT_OPTIONS_VERSION)
        return custops__err(CUSTOPS_EVERSION, "custops_clv_fit_options_init: unknown version %u", version);
    custops_clv_fit_options d = CUSTOPS_CLV_FIT_OPTIONS_INIT;
    *opts = d;
    return CUSTOPS_OK;
}

static int check_opts(const custops_clv_fit_options *o, const clv_spec *s)
{
    if (o->version != CUSTOPS_CLV_FIT_OPTIONS_VERSION)
        return custops__err(CUSTOPS_EVERSION, "custops_clv_fit_options: unknown version %u", o->version);
    if (!isfinite(o->penalty) || o->penalty < 0)
        return custops__err(CUSTOPS_EINVAL, "opts->penalty = %g: expected a finite value >= 0", o->penalty);
    if (!isfinite(o->grad_tol) || o->grad_tol < 0)
        return custops__err(CUSTOPS_EINVAL, "opts->grad_tol = %g: expected a finite value >= 0", o->grad_tol);
    if (o->max_iter > 100000 || o->starts > 8)
        return custops__err(CUSTOPS_EINVAL, "opts: max_iter (%u) above 100000 or starts (%u) above 8", o->max_iter,
                            o->starts);
    if (o->init)
        for (int k = 0; k < s->np; k++)
            if (!isfinite(o->init[k]) || o->init[k] <= 0 || o->init[k] > 1e10)
                return custops__err(CUSTOPS_EINVAL, "opts->init[%d] = %g: expected a value in (0, 1e10]", k,
                                    o->init[k]);
    return CUSTOPS_OK;
}

static int fit_rows(custops_clv_model **out, const clv_spec *s, clv_rows *d, const custops_clv_fit_options *opts)
{
    int rc = s->identify(d);
    if (rc == CUSTOPS_OK) {
        clv_opt_result res;
        rc = custops__clv_optimize(s, d, opts, &res);
        if (rc == CUSTOPS_OK) {
            custops_clv_model *m = custops__calloc(1, sizeof *m);
            if (!m) {
                rc = custops__nomem();
            } else {
                m->spec = s;
                memcpy(m->th, res.th, sizeof m->th);
                memcpy(m->se, res.se, sizeof m->se);
                m->se_ok = res.se_ok;
                m->loglik = res.loglik;
                m->grad_norm = res.grad_norm;
                m->iterations = res.iterations;
                m->status = res.status;
                m->customers = d->total;
                m->rows = (double)d->n;
                *out = m;
            }
        }
    }
    custops__clv_rows_release(d);
    return rc;
}

int custops_clv_fit(custops_clv_model **out, int kind, const double *frequency, const double *recency, const double *T,
                    const double *weights, size_t n, const custops_clv_fit_options *opts)
{
    CUSTOPS__CHECK_NULL(out);
    *out = NULL;
    CUSTOPS__CHECK_NULL(frequency);
    CUSTOPS__CHECK_NULL(recency);
    CUSTOPS__CHECK_NULL(T);
    const clv_spec *s = custops__clv_spec(kind);
    if (!s || kind == CUSTOPS_CLV_GAMMA_GAMMA)
        return custops__err(CUSTOPS_EINVAL, "custops_clv_fit: kind %d is not a repeat-purchase model%s", kind,
                            kind == CUSTOPS_CLV_GAMMA_GAMMA ? " (use custops_clv_fit_spend)" : "");
    custops_clv_fit_options def = CUSTOPS_CLV_FIT_OPTIONS_INIT;
    if (!opts)
        opts = &def;
    int rc = check_opts(opts, s);
    if (rc != CUSTOPS_OK)
        return rc;
    clv_rows d;
    rc = custops__clv_rows_make(&d, frequency, recency, T, weights, n, kind == CUSTOPS_CLV_BGBB, 0);
    if (rc != CUSTOPS_OK) {
        custops__err_prefix("custops_clv_fit: ");
        return rc;
    }
    rc = fit_rows(out, s, &d, opts);
    if (rc != CUSTOPS_OK && rc != CUSTOPS_ENOMEM)
        custops__err_prefix("custops_clv_fit: %s: ", s->name);
    return rc;
}

int custops_clv_fit_spend(custops_clv_model **out, const double *frequency, const double *monetary,
                          const double *weights, size_t n, const custops_clv_fit_options *opts)
{
    CUSTOPS__CHECK_NULL(out);
    *out = NULL;
    CUSTOPS__CHECK_NULL(frequency);
    CUSTOPS__CHECK_NULL(monetary);
    const clv_spec *s = &custops__clv_gg;
    custops_clv_fit_options def = CUSTOPS_CLV_FIT_OPTIONS_INIT;
    if (!opts)
        opts = &def;
    int rc = check_opts(opts, s);
    if (rc != CUSTOPS_OK)
        return rc;
    clv_rows d;
    rc = custops__clv_rows_make(&d, frequency, monetary, NULL, weights, n, 0, 1);
    if (rc != CUSTOPS_OK) {
        custops__err_prefix("custops_clv_fit_spend: ");
        return rc;
    }
    rc = fit_rows(out, s, &d, opts);
    if (rc != CUSTOPS_OK && rc != CUSTOPS_ENOMEM)
        custops__err_prefix("custops_clv_fit_spend: ");
    return rc;
}

int custops__clv_model_make(custops_clv_model **out, int kind, const double *params, size_t np)
{
    const clv_spec *s = custops__clv_spec(kind);
    if (!s)
        return custops__err(CUSTOPS_EINVAL, "unknown model kind %d", kind);
    if (np != (size_t)s->np)
        return custops__err(CUSTOPS_EINVAL, "%s takes %d parameters, got %zu", s->name, s->np, np);
    for (int k = 0; k < s->np; k++)
        if (!isfinite(params[k]) || params[k] <= 0 || params[k] > 1e10)
            return custops__err(CUSTOPS_EINVAL, "%s: params[%d] (%s) = %g: expected a value in (0, 1e10]", s->name,
                                k, s->names[k], params[k]);
    custops_clv_model *m = custops__calloc(1, sizeof *m);
    if (!m)
        return custops__nomem();
    m->spec = s;
    memcpy(m->th, params, sizeof(double) * (size_t)s->np);
    m->status = "given";
    *out = m;
    return CUSTOPS_OK;
}

int custops_clv_new(custops_clv_model **out, int kind, const double *params, size_t nparams)
{
    CUSTOPS__CHECK_NULL(out);
    *out = NULL;
    CUSTOPS__CHECK_NULL(params);
    int rc = custops__clv_model_make(out, kind, params, nparams);
    if (rc != CUSTOPS_OK)
        custops__err_prefix("custops_clv_new: ");
    return rc;
}

void custops_clv_free(custops_clv_model *m)
{
    custops__free(m);
}

int custops_clv_kind_of(const custops_clv_model *m)
{
    return m ? m->spec->kind : 0;
}

const char *custops_clv_name(const custops_clv_model *m)
{
    return m ? m->spec->name : "";
}

size_t custops_clv_nparams(const custops_clv_model *m)
{
    return m ? (size_t)m->spec->np : 0;
}

const char *custops_clv_param_name(const custops_clv_model *m, size_t i)
{
    return m && i < (size_t)m->spec->np ? m->spec->names[i] : "";
}

double custops_clv_param(const custops_clv_model *m, size_t i)
{
    return m && i < (size_t)m->spec->np ? m->th[i] : 0.0;
}

double custops_clv_stderr(const custops_clv_model *m, size_t i)
{
    return m && m->se_ok && i < (size_t)m->spec->np ? m->se[i] : 0.0;
}

double custops_clv_loglik(const custops_clv_model *m)
{
    return m ? m->loglik : 0.0;
}

unsigned int custops_clv_iterations(const custops_clv_model *m)
{
    return m ? m->iterations : 0;
}

double custops_clv_grad_norm(const custops_clv_model *m)
{
    return m ? m->grad_norm : 0.0;
}

const char *custops_clv_status(const custops_clv_model *m)
{
    return m ? m->status : "";
}

int custops_clv_data_size(const custops_clv_model *m, double *customers_out, double *rows_out)
{
    CUSTOPS__CHECK_NULL(m);
    if (customers_out)
        *customers_out = m->customers;
    if (rows_out)
        *rows_out = m->rows;
    return CUSTOPS_OK;
}

int custops__clv_check_model(const custops_clv_model *m, int repeat_model, const char *fn)
{
    if (!m)
        return custops__err(CUSTOPS_EINVAL, "%s: argument 'm' is NULL", fn);
    if (repeat_model && m->spec->kind == CUSTOPS_CLV_GAMMA_GAMMA)
        return custops__err(CUSTOPS_EINVAL, "%s: needs a repeat-purchase model, got gamma_gamma", fn);
    if (!repeat_model && m->spec->kind != CUSTOPS_CLV_GAMMA_GAMMA)
        return custops__err(CUSTOPS_EINVAL, "%s: needs a gamma_gamma model, got %s", fn, m->spec->name);
    return CUSTOPS_OK;
}

int custops_clv_loglik_eval(double *loglik_out, double *grad_out, int kind, const double *params, size_t nparams,
                            const double *frequency, const double *recency, const double *T, const double *weights,
                            size_t n)
{
    CUSTOPS__CHECK_NULL(loglik_out);
    *loglik_out = 0;
    CUSTOPS__CHECK_NULL(params);
    CUSTOPS__CHECK_NULL(frequency);
    CUSTOPS__CHECK_NULL(recency);
    custops_clv_model *m;
    int rc = custops__clv_model_make(&m, kind, params, nparams);
    if (rc != CUSTOPS_OK) {
        custops__err_prefix("%s: ", __func__);
        return rc;
    }
    const clv_spec *s = m->spec;
    custops_clv_free(m);
    int spend = kind == CUSTOPS_CLV_GAMMA_GAMMA;
    if (!spend)
        CUSTOPS__CHECK_NULL(T);
    clv_rows d;
    rc = custops__clv_rows_make(&d, frequency, recency, spend ? NULL : T, weights, n, kind == CUSTOPS_CLV_BGBB, spend);
    if (rc != CUSTOPS_OK) {
        custops__err_prefix("%s: ", __func__);
        return rc;
    }
    double g[CLV_MAXP];
    double ll = s->loglik(params, &d, grad_out ? g : NULL);
    custops__clv_rows_release(&d);
    if (!isfinite(ll))
        return custops__err(CUSTOPS_ERANGE, "%s: the log-likelihood is not finite at these parameters", __func__);
    *loglik_out = ll;
    if (grad_out)
        for (int k = 0; k < s->np; k++)
            grad_out[k] = g[k] / params[k]; /* from log-parameters back to natural ones */
    return CUSTOPS_OK;
}
