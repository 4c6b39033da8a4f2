/* Private declarations shared by the CLV sources: the model object, the
 * compressed data rows, the per-model function table, the optimiser and the
 * special functions. */
#ifndef CUSTOPS_CLV_INTERNAL_H
#define CUSTOPS_CLV_INTERNAL_H

#include "core/internal.h"
#include "custops/clv.h"

#define CLV_MAXP 4

/* Unique data rows with counts; for Gamma-Gamma t holds the average spend
 * and T is unused (0). Sorted by (x, t, T) so sums are order-independent. */
typedef struct clv_rows {
    size_t n;
    double *x, *t, *T, *w;
    double total; /* sum of w */
    double xmax;
} clv_rows;

/* One model's functions. Parameters are natural (not log). */
typedef struct clv_spec {
    int kind;
    const char *name;
    int np;
    const char *names[CLV_MAXP];
    /* Sum of w * log-likelihood; when grad != NULL also the gradient with
     * respect to the log-parameters. Returns -INFINITY when not finite. */
    double (*loglik)(const double *th, const clv_rows *d, double *grad);
    /* Checks the data can identify the model (message + CUSTOPS_EIDENTIFY). */
    int (*identify)(const clv_rows *d);
    /* Up to 4 starting points. Returns how many were written. */
    int (*starts)(const clv_rows *d, double st[][CLV_MAXP]);
    /* Predictions (repeat-purchase models; NULL for Gamma-Gamma). */
    double (*expected)(const double *th, double t);
    double (*cond_expected)(const double *th, double t, double x, double tx, double T);
    double (*alive)(const double *th, double x, double tx, double T);
    double (*pmf)(const double *th, double t, double x);
    /* simulation of one customer */
    void (*simulate)(const double *th, uint64_t *rng, double T, double *x, double *tx);
} clv_spec;

extern const clv_spec custops__clv_bgnbd;
extern const clv_spec custops__clv_mbgnbd;
extern const clv_spec custops__clv_pareto;
extern const clv_spec custops__clv_bgbb;
extern const clv_spec custops__clv_gg;
const clv_spec *custops__clv_spec(int kind);

struct custops_clv_model {
    const clv_spec *spec;
    double th[CLV_MAXP];
    double se[CLV_MAXP];
    int se_ok;
    double loglik;
    double grad_norm;
    unsigned int iterations;
    const char *status; /* static string */
    double customers, rows;
};

/* ---- shared by BG/NBD and MBG/NBD (bgnbd.c) ---- */
double custops__clv_bg_family_loglik(const double *th, const clv_rows *d, double *grad, int mbg);
int custops__clv_bg_family_identify(const clv_rows *d);
int custops__clv_rate_starts(const clv_rows *d, double st[][CLV_MAXP]);
double custops__clv_bg_pmf(double r, double alpha, double a, double b, double t, double x);
void custops__clv_bg_simulate(const double *th, uint64_t *rng, double T, double *x, double *tx, int mbg);

/* ---- data (data.c) ---- */
/* Validates the arrays and compresses them into unique rows. bgbb demands
 * integer recency and T; spend = Gamma-Gamma (t = monetary, rows with x=0
 * dropped). */
int custops__clv_rows_make(clv_rows *d, const double *x, const double *tx, const double *T, const double *w, size_t n,
                           int bgbb, int spend);
void custops__clv_rows_release(clv_rows *d);
/* Checks one customer's (x, t_x, T) triple; i is the index for messages. */
int custops__clv_check_xtT(double x, double tx, double T, size_t i, int bgbb);

/* ---- optimiser (optim.c) ---- */
typedef struct clv_opt_result {
    double th[CLV_MAXP];
    double loglik;
    double grad_norm;
    unsigned int iterations;
    const char *status;
    double se[CLV_MAXP];
    int se_ok;
} clv_opt_result;
int custops__clv_optimize(const clv_spec *s, const clv_rows *d, const custops_clv_fit_options *o, clv_opt_result *res);

/* ---- special functions (specfun.c) ---- */
double custops__lgamma(double x);   /* x > 0, thread-safe */
double custops__digamma(double x);  /* x > 0 */
double custops__lbeta(double a, double b);
/* log(exp(a) + exp(b)) without overflow */
double custops__logaddexp(double a, double b);
/* Adaptive Gauss-Kronrod (7-15) over [a, b] of a vector integrand f(x, ctx,
 * out[nf]); relative tolerance on component 0. Returns 0, or -1 when the
 * subdivision limit was hit (result still the best estimate). */
int custops__integrate(void (*f)(double x, void *ctx, double *out), void *ctx, int nf, double a, double b,
                       double rtol, double *result);
/* E over p ~ Beta(a, b) of (1 - (1 + p k)^(-m)) / p: the expected purchases
 * of a beta-geometric/NBD customer alive now over a horizon k (in units of
 * the gamma scale), m the gamma shape. Stable for a < 1, a near 1, large k. */
double custops__clv_bg_expect(double a, double b, double m, double k);
/* Pareto/NBD: log of D = int_{tx}^{T} (alpha+u)^-(r+x) (beta+u)^-(s+1) du and
 * its gradient with respect to (r, alpha, s, beta) divided by D.
 * Returns -INFINITY when tx == T. */
double custops__clv_pareto_logD(double r, double alpha, double s, double beta, double x, double tx, double T,
                                double *dlog);

/* Rising log-gamma and digamma differences for a shape c at integer counts
 * x visited in increasing order (rows are sorted by x): lg = log Gamma(c+x)
 * - log Gamma(c), dg = psi(c+x) - psi(c), by recurrence for small steps. */
typedef struct clv_rise {
    double c, x, lg, dg;
} clv_rise;
static inline void clv_rise_init(clv_rise *z, double c)
{
    z->c = c;
    z->x = 0;
    z->lg = 0;
    z->dg = 0;
}
void custops__clv_rise_to(clv_rise *z, double x);

/* ---- random numbers (simulate.c) ---- */
double custops__clv_rand_u01(uint64_t *st);
double custops__clv_rand_gamma(uint64_t *st, double shape); /* scale 1 */
double custops__clv_rand_beta(uint64_t *st, double a, double b);
double custops__clv_rand_exp(uint64_t *st);

/* a model from parameters (model.c), used by the loader too */
int custops__clv_model_make(custops_clv_model **out, int kind, const double *params, size_t np);
/* decode a CLVM payload (persist.c); what names the source in messages */
int custops__clv_decode(custops_clv_model **out, const void *data, size_t len, const char *what);

/* shared argument check for prediction arrays */
int custops__clv_check_model(const custops_clv_model *m, int repeat_model, const char *fn);

#endif
