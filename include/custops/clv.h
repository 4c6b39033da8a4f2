/**
 * @file custops/clv.h
 * @brief Customer lifetime value: BG/NBD, MBG/NBD, Pareto/NBD, BG/BB and
 *        Gamma-Gamma models fitted by maximum likelihood, with predictions,
 *        diagnostics, simulation and save files.
 *
 * Every model takes plain arrays, one entry per customer (or per distinct
 * pattern with a weight): `frequency` x is the number of repeat purchases
 * (an integer), `recency` t_x the time of the last purchase measured from
 * the first, and `T` the length of observation measured from the first
 * purchase, all in one time unit of your choice (days, weeks). For BG/BB,
 * time is a count of discrete purchase opportunities: x and t_x are
 * integers with x <= t_x <= n, and `T` holds n. Gamma-Gamma takes the
 * frequency and the average value of the repeat purchases.
 *
 * Fitting compresses the data into unique (x, t_x, T) rows with counts
 * before optimising, so day-granularity data with a million customers fits
 * in a fraction of a second. The optimiser maximises the log-likelihood in
 * log-parameters with analytic gradients (BFGS with a line search, several
 * starting points, Nelder-Mead as a fallback); standard errors come from the
 * observed information.
 *
 * Invalid input (NaN, negative values, recency greater than T, a
 * non-integer frequency) is rejected with CUSTOPS_EINVAL and a message that
 * names the argument and the index. No function returns NaN or Inf for
 * valid input.
 *
 * Thread rules: a fitted model is read-only; predictions on one model may
 * run on several threads at once.
 */
#ifndef CUSTOPS_CLV_H
#define CUSTOPS_CLV_H

#include "custops/common.h"

#include <stddef.h>
#include <stdint.h>

CUSTOPS_BEGIN_DECLS

/** The models. Parameters, in order, are given with each. */
typedef enum custops_clv_kind {
    CUSTOPS_CLV_BGNBD = 1,       /**< BG/NBD (Fader, Hardie, Lee 2005): r, alpha, a, b */
    CUSTOPS_CLV_MBGNBD = 2,      /**< MBG/NBD (Batislam et al. 2007): r, alpha, a, b */
    CUSTOPS_CLV_PARETO_NBD = 3,  /**< Pareto/NBD (Schmittlein et al. 1987): r, alpha, s, beta */
    CUSTOPS_CLV_BGBB = 4,        /**< BG/BB (Fader, Hardie, Shang 2010): alpha, beta, gamma, delta */
    CUSTOPS_CLV_GAMMA_GAMMA = 5  /**< Gamma-Gamma spend model (Fader, Hardie, Lee 2005): p, q, gamma */
} custops_clv_kind;

/** Opaque model: parameters plus the report of the fit that made them. */
typedef struct custops_clv_model custops_clv_model;

/** Version of custops_clv_fit_options understood by this library. */
#define CUSTOPS_CLV_FIT_OPTIONS_VERSION 1

/** Options for custops_clv_fit() and custops_clv_fit_spend(). */
typedef struct custops_clv_fit_options {
    unsigned int version;  /**< CUSTOPS_CLV_FIT_OPTIONS_VERSION */
    double penalty;        /**< L2 penalty: adds penalty * sum(param^2) to the mean negative
                                log-likelihood (lifetimes' penalizer_coef); 0 = none */
    unsigned int max_iter; /**< iterations per start; 0 = 500 */
    unsigned int starts;   /**< starting points tried; 0 = 3 (the best fit is kept) */
    double grad_tol;       /**< convergence: largest gradient component of the mean log-likelihood
                                in log-parameters; 0 = 1e-9 */
    const double *init;    /**< NULL or the model's parameters to start from (tried first) */
    /** NULL or a function called after each iteration (for progress output). */
    void (*progress)(void *ctx, unsigned int iteration, double loglik);
    void *progress_ctx;    /**< passed to progress */
} custops_clv_fit_options;

/** Static initialiser for custops_clv_fit_options. */
#define CUSTOPS_CLV_FIT_OPTIONS_INIT {CUSTOPS_CLV_FIT_OPTIONS_VERSION, 0.0, 0, 0, 0.0, NULL, NULL, NULL}

/**
 * Initialise fit options to the defaults.
 * @param opts the options
 * @param version CUSTOPS_CLV_FIT_OPTIONS_VERSION
 * @return CUSTOPS_OK, CUSTOPS_EINVAL (NULL) or CUSTOPS_EVERSION
 */
CUSTOPS_API int custops_clv_fit_options_init(custops_clv_fit_options *opts, unsigned int version);

/**
 * Fit a repeat-purchase model (BG/NBD, MBG/NBD, Pareto/NBD or BG/BB).
 * @param out receives the fitted model (caller frees with custops_clv_free)
 * @param kind a custops_clv_kind other than CUSTOPS_CLV_GAMMA_GAMMA
 * @param frequency repeat purchases x per row (non-negative integers)
 * @param recency t_x per row (0 <= t_x <= T; 0 when x = 0)
 * @param T observation length per row (for BG/BB the number of opportunities n)
 * @param weights NULL (each row one customer) or the number of customers per row (>= 0)
 * @param n number of rows (at least 1)
 * @param opts NULL for defaults, or options
 * @return CUSTOPS_OK, CUSTOPS_EINVAL (bad argument, naming it and the index),
 *         CUSTOPS_EIDENTIFY (the data cannot identify the model, e.g. no repeat buyers),
 *         CUSTOPS_ENOCONVERGE, CUSTOPS_EVERSION or CUSTOPS_ENOMEM
 */
CUSTOPS_API int custops_clv_fit(custops_clv_model **out, int kind, const double *frequency, const double *recency, const double *T, const double *weights, size_t n, const custops_clv_fit_options *opts);

/**
 * Fit the Gamma-Gamma spend model. Rows with frequency 0 are ignored (the
 * model describes the spend of repeat purchases).
 * @param out receives the fitted model (caller frees with custops_clv_free)
 * @param frequency repeat purchases x per row (non-negative integers)
 * @param monetary average value of the repeat purchases per row (> 0 where x > 0)
 * @param weights NULL or customers per row
 * @param n number of rows
 * @param opts NULL for defaults, or options
 * @return CUSTOPS_OK, CUSTOPS_EINVAL, CUSTOPS_EIDENTIFY (fewer than two repeat buyers or
 *         all spends equal), CUSTOPS_ENOCONVERGE, CUSTOPS_EVERSION or CUSTOPS_ENOMEM
 */
CUSTOPS_API int custops_clv_fit_spend(custops_clv_model **out, const double *frequency, const double *monetary, const double *weights, size_t n, const custops_clv_fit_options *opts);

/**
 * Log-likelihood and its gradient at given parameters, without fitting
 * (for profile likelihoods, checks and custom optimisers).
 * @param loglik_out receives the weighted log-likelihood
 * @param grad_out NULL, or receives the gradient with respect to the
 *        natural parameters (nparams values)
 * @param kind a custops_clv_kind
 * @param params the parameters (all > 0)
 * @param nparams their number
 * @param frequency x per row
 * @param recency t_x per row; for Gamma-Gamma the average spend
 * @param T observation length per row (ignored, may be NULL, for Gamma-Gamma)
 * @param weights NULL or customers per row
 * @param n number of rows
 * @return CUSTOPS_OK, CUSTOPS_EINVAL, CUSTOPS_EIDENTIFY (no usable row), CUSTOPS_ERANGE
 *         (likelihood not finite) or CUSTOPS_ENOMEM
 */
CUSTOPS_API int custops_clv_loglik_eval(double *loglik_out, double *grad_out, int kind, const double *params, size_t nparams, const double *frequency, const double *recency, const double *T, const double *weights, size_t n);

/**
 * Make a model from known parameters (for prediction and simulation).
 * @param out receives the model (caller frees with custops_clv_free)
 * @param kind a custops_clv_kind
 * @param params the parameters in the order given with the kind (all > 0)
 * @param nparams their number (4, or 3 for Gamma-Gamma)
 * @return CUSTOPS_OK, CUSTOPS_EINVAL or CUSTOPS_ENOMEM
 */
CUSTOPS_API int custops_clv_new(custops_clv_model **out, int kind, const double *params, size_t nparams);

/**
 * Free a model.
 * @param m the model, or NULL (no-op)
 */
CUSTOPS_API void custops_clv_free(custops_clv_model *m);

/**
 * The model's kind.
 * @param m the model
 * @return a custops_clv_kind, 0 for NULL
 */
CUSTOPS_API int custops_clv_kind_of(const custops_clv_model *m);

/**
 * Short name of the model ("bgnbd", "mbgnbd", "pareto_nbd", "bgbb", "gamma_gamma").
 * @param m the model
 * @return a static string ("" for NULL)
 */
CUSTOPS_API const char *custops_clv_name(const custops_clv_model *m);

/**
 * Number of parameters.
 * @param m the model
 * @return 4, 3 for Gamma-Gamma, 0 for NULL
 */
CUSTOPS_API size_t custops_clv_nparams(const custops_clv_model *m);

/**
 * Name of parameter i ("r", "alpha", "a", "b", ...).
 * @param m the model
 * @param i index below custops_clv_nparams()
 * @return a static string, or "" when out of range
 */
CUSTOPS_API const char *custops_clv_param_name(const custops_clv_model *m, size_t i);

/**
 * Value of parameter i.
 * @param m the model
 * @param i index below custops_clv_nparams()
 * @return the value, 0 when out of range
 */
CUSTOPS_API double custops_clv_param(const custops_clv_model *m, size_t i);

/**
 * Standard error of parameter i from the observed information (delta
 * method from log-parameters).
 * @param m the model
 * @param i index below custops_clv_nparams()
 * @return the standard error, 0 when not available (model not fitted, or
 *         the information matrix is not positive definite)
 */
CUSTOPS_API double custops_clv_stderr(const custops_clv_model *m, size_t i);

/**
 * Maximised log-likelihood (weighted sum over customers, without penalty).
 * @param m the model
 * @return the log-likelihood, 0 for a model made by custops_clv_new()
 */
CUSTOPS_API double custops_clv_loglik(const custops_clv_model *m);

/**
 * Iterations the winning optimiser run took.
 * @param m the model
 * @return the count (0 when not fitted)
 */
CUSTOPS_API unsigned int custops_clv_iterations(const custops_clv_model *m);

/**
 * Largest gradient component (mean log-likelihood in log-parameters) at the optimum.
 * @param m the model
 * @return the gradient norm (0 when not fitted)
 */
CUSTOPS_API double custops_clv_grad_norm(const custops_clv_model *m);

/**
 * How the fit ended: "converged" (gradient test), "converged-f" (no further
 * progress possible with a small gradient), "nelder-mead" (fallback) or
 * "given" (custops_clv_new()).
 * @param m the model
 * @return a static string ("" for NULL)
 */
CUSTOPS_API const char *custops_clv_status(const custops_clv_model *m);

/**
 * Customers the model was fitted on (sum of weights) and distinct rows after compression.
 * @param m the model
 * @param customers_out receives the number of customers (may be NULL)
 * @param rows_out receives the number of distinct rows (may be NULL)
 * @return CUSTOPS_OK or CUSTOPS_EINVAL
 */
CUSTOPS_API int custops_clv_data_size(const custops_clv_model *m, double *customers_out, double *rows_out);

/**
 * Expected number of repeat purchases in (0, t] of a customer who has just
 * made a first purchase (BG/BB: in the first t opportunities; t is rounded down).
 * @param m a repeat-purchase model
 * @param t horizons (>= 0)
 * @param n number of horizons
 * @param out receives n values
 * @return CUSTOPS_OK or CUSTOPS_EINVAL
 */
CUSTOPS_API int custops_clv_expected_purchases(const custops_clv_model *m, const double *t, size_t n, double *out);

/**
 * Expected repeat purchases in (T, T + t] given the customer's history
 * (BG/BB: in the next t opportunities).
 * @param m a repeat-purchase model
 * @param t the horizon (>= 0)
 * @param frequency x per customer
 * @param recency t_x per customer
 * @param T observation length per customer
 * @param n number of customers
 * @param out receives n values
 * @return CUSTOPS_OK or CUSTOPS_EINVAL (naming the argument and index)
 */
CUSTOPS_API int custops_clv_conditional_expected_purchases(const custops_clv_model *m, double t, const double *frequency, const double *recency, const double *T, size_t n, double *out);

/**
 * Probability that the customer is still alive at T (BG/BB: at opportunity n + 1).
 * @param m a repeat-purchase model
 * @param frequency x per customer
 * @param recency t_x per customer
 * @param T observation length per customer
 * @param n number of customers
 * @param out receives n probabilities
 * @return CUSTOPS_OK or CUSTOPS_EINVAL
 */
CUSTOPS_API int custops_clv_prob_alive(const custops_clv_model *m, const double *frequency, const double *recency, const double *T, size_t n, double *out);

/**
 * P(X(t) = x): probability that a new customer makes exactly x repeat
 * purchases in (0, t] (BG/BB: in t opportunities).
 * @param m a repeat-purchase model
 * @param t horizon per entry (>= 0)
 * @param x count per entry (non-negative integer)
 * @param n number of entries
 * @param out receives n probabilities
 * @return CUSTOPS_OK or CUSTOPS_EINVAL
 */
CUSTOPS_API int custops_clv_prob_purchases(const custops_clv_model *m, const double *t, const double *x, size_t n, double *out);

/**
 * Gamma-Gamma conditional expected average spend per transaction
 * (customers with x = 0 get the population mean p*gamma/(q-1)).
 * @param m a Gamma-Gamma model with q > 1
 * @param frequency x per customer
 * @param monetary average repeat spend per customer (ignored when x = 0)
 * @param n number of customers
 * @param out receives n values
 * @return CUSTOPS_OK, CUSTOPS_EINVAL or CUSTOPS_ERANGE (q <= 1: the mean does not exist)
 */
CUSTOPS_API int custops_clv_expected_spend(const custops_clv_model *m, const double *frequency, const double *monetary, size_t n, double *out);

/** Version of custops_clv_value_options understood by this library. */
#define CUSTOPS_CLV_VALUE_OPTIONS_VERSION 1

/** Options for custops_clv_lifetime_value(). */
typedef struct custops_clv_value_options {
    unsigned int version;     /**< CUSTOPS_CLV_VALUE_OPTIONS_VERSION */
    unsigned int months;      /**< horizon in months; 0 = 12 */
    double discount_rate;     /**< monthly discount rate (0.01 = 1% a month); >= 0 */
    double periods_per_month; /**< model time units per month: 30 for days, 4.345 for weeks; 0 = 30 */
    double margin;            /**< profit margin applied to the spend; 0 = 1 (revenue) */
} custops_clv_value_options;

/** Static initialiser for custops_clv_value_options. */
#define CUSTOPS_CLV_VALUE_OPTIONS_INIT {CUSTOPS_CLV_VALUE_OPTIONS_VERSION, 12, 0.01, 30.0, 1.0}

/**
 * Discounted customer lifetime value with lifetimes' semantics: for each
 * month k = 1..months, the expected purchases added in that month times the
 * Gamma-Gamma expected spend times margin, divided by (1 + rate)^k.
 * @param txn the repeat-purchase model (BG/BB: months * periods_per_month opportunities, rounded down)
 * @param spend the Gamma-Gamma model
 * @param frequency x per customer
 * @param recency t_x per customer
 * @param T observation length per customer
 * @param monetary average repeat spend per customer
 * @param n number of customers
 * @param opts NULL for the defaults (12 months, 1% a month, days, margin 1)
 * @param out receives n values
 * @return CUSTOPS_OK, CUSTOPS_EINVAL, CUSTOPS_ERANGE or CUSTOPS_EVERSION
 */
CUSTOPS_API int custops_clv_lifetime_value(const custops_clv_model *txn, const custops_clv_model *spend, const double *frequency, const double *recency, const double *T, const double *monetary, size_t n, const custops_clv_value_options *opts, double *out);

/**
 * Expected against observed repeat-purchase histogram over the calibration
 * period: bins 0..max_x-1 and a last bin for max_x or more.
 * @param m a repeat-purchase model
 * @param frequency x per row
 * @param T observation length per row
 * @param weights NULL or customers per row
 * @param n number of rows
 * @param max_x number of single-count bins (1..1000)
 * @param expected_out receives max_x + 1 expected customer counts
 * @param observed_out receives max_x + 1 observed customer counts
 * @return CUSTOPS_OK or CUSTOPS_EINVAL
 */
CUSTOPS_API int custops_clv_repeat_histogram(const custops_clv_model *m, const double *frequency, const double *T, const double *weights, size_t n, size_t max_x, double *expected_out, double *observed_out);

/**
 * Expected cumulative and incremental repeat purchases of a cohort over
 * time, given each customer's first-purchase time: cumulative[j] is the sum
 * over customers born before times[j] of E[X(times[j] - birth)].
 * @param m a repeat-purchase model (not BG/BB)
 * @param birth first-purchase time per customer (same unit as the model)
 * @param weights NULL or customers per entry
 * @param n number of customers
 * @param times increasing grid of times
 * @param ntimes grid length
 * @param cumulative_out receives ntimes values
 * @param incremental_out receives ntimes values (first = cumulative[0])
 * @return CUSTOPS_OK or CUSTOPS_EINVAL
 */
CUSTOPS_API int custops_clv_tracking(const custops_clv_model *m, const double *birth, const double *weights, size_t n, const double *times, size_t ntimes, double *cumulative_out, double *incremental_out);

/**
 * Calibration against holdout: customers grouped by calibration frequency
 * (0..max_x-1 and a last group for max_x or more), with the mean predicted
 * and the mean actual holdout purchases of each group.
 * @param m a repeat-purchase model
 * @param frequency calibration x per customer
 * @param recency calibration t_x per customer
 * @param T calibration length per customer
 * @param frequency_holdout purchases in the holdout period per customer
 * @param duration_holdout holdout length (>= 0)
 * @param n number of customers
 * @param max_x number of single-count groups (1..1000)
 * @param count_out receives max_x + 1 group sizes
 * @param predicted_out receives max_x + 1 mean predictions (0 for empty groups)
 * @param actual_out receives max_x + 1 mean actual counts (0 for empty groups)
 * @return CUSTOPS_OK or CUSTOPS_EINVAL
 */
CUSTOPS_API int custops_clv_holdout_by_frequency(const custops_clv_model *m, const double *frequency, const double *recency, const double *T, const double *frequency_holdout, double duration_holdout, size_t n, size_t max_x, double *count_out, double *predicted_out, double *actual_out);

/**
 * P(alive) over a grid: row x = 0..max_x, column j = recency j*T/(nrec-1)
 * (BG/BB: recency rounded to whole opportunities). Cells with x > 0 and
 * recency 0, or x = 0 and recency > 0, are impossible histories and hold 0.
 * @param m a repeat-purchase model
 * @param max_x largest frequency (at most 10000)
 * @param T observation length
 * @param nrec number of recency columns (2..10000)
 * @param out receives (max_x + 1) * nrec values, row-major
 * @return CUSTOPS_OK or CUSTOPS_EINVAL
 */
CUSTOPS_API int custops_clv_alive_matrix(const custops_clv_model *m, size_t max_x, double T, size_t nrec, double *out);

/**
 * Simulate customers from a repeat-purchase model: each customer draws its
 * own rates from the model's mixing distributions. Deterministic for a seed.
 * @param m a repeat-purchase model
 * @param seed random seed
 * @param T observation length per customer (BG/BB: whole opportunities)
 * @param n number of customers
 * @param frequency_out receives x per customer
 * @param recency_out receives t_x per customer
 * @return CUSTOPS_OK or CUSTOPS_EINVAL
 */
CUSTOPS_API int custops_clv_simulate(const custops_clv_model *m, uint64_t seed, const double *T, size_t n, double *frequency_out, double *recency_out);

/**
 * Simulate average repeat spend from a Gamma-Gamma model given frequencies.
 * @param m a Gamma-Gamma model
 * @param seed random seed
 * @param frequency x per customer
 * @param n number of customers
 * @param monetary_out receives the average spend (0 when x = 0)
 * @return CUSTOPS_OK or CUSTOPS_EINVAL
 */
CUSTOPS_API int custops_clv_simulate_spend(const custops_clv_model *m, uint64_t seed, const double *frequency, size_t n, double *monetary_out);

/**
 * Save a model atomically (save-file kind "CLVM").
 * @param m the model
 * @param path file to write
 * @return CUSTOPS_OK, CUSTOPS_EINVAL, CUSTOPS_EIO or CUSTOPS_ENOMEM
 */
CUSTOPS_API int custops_clv_save(const custops_clv_model *m, const char *path);

/**
 * Load a model saved with custops_clv_save().
 * @param out receives the model (caller frees with custops_clv_free)
 * @param path file to read
 * @return CUSTOPS_OK, CUSTOPS_EINVAL, CUSTOPS_EIO, CUSTOPS_ECORRUPT,
 *         CUSTOPS_EVERSION or CUSTOPS_ENOMEM
 */
CUSTOPS_API int custops_clv_load(custops_clv_model **out, const char *path);

CUSTOPS_END_DECLS

#endif /* CUSTOPS_CLV_H */
