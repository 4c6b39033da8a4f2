/**
 * @file custops/abtest.h
 * @brief A/B tests: difference of two conversion rates, revenue per user,
 *        sample size and power, and a sequential test that stays valid when
 *        the results are looked at every day.
 * Arm A is the control, arm B the variant; every difference is B - A.
 * Conversion intervals are Newcombe's hybrid score intervals and revenue
 * intervals Welch's, the same estimators the uplift report
 * (custops/measure.h) uses.
 */
#ifndef CUSTOPS_ABTEST_H
#define CUSTOPS_ABTEST_H

#include "custops/common.h"

CUSTOPS_BEGIN_DECLS

/**
 * Two-proportion test: conversion of B against A.
 * The interval is Newcombe's hybrid score interval (method 10 of Newcombe
 * 1998); the p-value is the two-sided pooled z test (0 successes in both
 * arms, or all successes in both, give z = 0 and p = 1).
 * @param diff_out receives p_B - p_A
 * @param lo_out receives the lower interval bound
 * @param hi_out receives the upper interval bound
 * @param z_out receives the pooled z statistic (may be NULL)
 * @param p_out receives the two-sided p-value (may be NULL)
 * @param conv_a conversions in A, 0..n_a
 * @param n_a users in A, at least 1
 * @param conv_b conversions in B, 0..n_b
 * @param n_b users in B, at least 1
 * @param confidence confidence level in (0, 1), e.g. 0.95
 * @return CUSTOPS_OK or CUSTOPS_EINVAL
 */
CUSTOPS_API int custops_abtest_proportions(double *diff_out, double *lo_out, double *hi_out, double *z_out,
                                           double *p_out, int64_t conv_a, int64_t n_a, int64_t conv_b,
                                           int64_t n_b, double confidence);

/**
 * Welch's test of mean B - mean A from summary statistics (for revenue per
 * user pass the mean and standard deviation of per-user revenue, zeros
 * included).
 * @param diff_out receives mean_b - mean_a
 * @param lo_out receives the lower interval bound
 * @param hi_out receives the upper interval bound
 * @param t_out receives Welch's t (may be NULL)
 * @param df_out receives the Welch-Satterthwaite degrees of freedom (may be NULL)
 * @param p_out receives the two-sided p-value (may be NULL)
 * @param n_a users in A, at least 2
 * @param mean_a mean in A
 * @param sd_a sample standard deviation in A (denominator n-1), >= 0
 * @param n_b users in B, at least 2
 * @param mean_b mean in B
 * @param sd_b sample standard deviation in B, >= 0
 * @param confidence confidence level in (0, 1)
 * @return CUSTOPS_OK or CUSTOPS_EINVAL
 */
CUSTOPS_API int custops_abtest_means_summary(double *diff_out, double *lo_out, double *hi_out, double *t_out,
                                             double *df_out, double *p_out, int64_t n_a, double mean_a,
                                             double sd_a, int64_t n_b, double mean_b, double sd_b,
                                             double confidence);

/**
 * Welch's test of revenue per user, B against A, from per-user values.
 * @param diff_out receives mean_b - mean_a
 * @param lo_out receives the lower interval bound
 * @param hi_out receives the upper interval bound
 * @param t_out receives Welch's t (may be NULL)
 * @param df_out receives the degrees of freedom (may be NULL)
 * @param p_out receives the two-sided p-value (may be NULL)
 * @param a per-user values of A (e.g. revenue in minor units), all finite
 * @param n_a number of values in A, at least 2
 * @param b per-user values of B, all finite
 * @param n_b number of values in B, at least 2
 * @param confidence confidence level in (0, 1)
 * @return CUSTOPS_OK or CUSTOPS_EINVAL
 */
CUSTOPS_API int custops_abtest_means(double *diff_out, double *lo_out, double *hi_out, double *t_out,
                                     double *df_out, double *p_out, const double *a, size_t n_a,
                                     const double *b, size_t n_b, double confidence);

/**
 * Users per arm to detect conversion p_a -> p_b with a two-sided test at
 * level alpha and the given power, by the standard normal-approximation
 * formula n = (z_{1-alpha/2} sqrt(2 pbar qbar) + z_{power} sqrt(p_a q_a + p_b q_b))^2 / (p_b - p_a)^2,
 * rounded up (0.10 vs 0.12, alpha 0.05, power 0.8 gives 3841).
 * @param n_out receives the users per arm
 * @param p_a control rate in (0, 1)
 * @param p_b variant rate in (0, 1), different from p_a
 * @param alpha two-sided significance level in (0, 1)
 * @param power wanted power in (0, 1)
 * @return CUSTOPS_OK, CUSTOPS_EINVAL or CUSTOPS_ERANGE (more than 2^62 users)
 */
CUSTOPS_API int custops_abtest_sample_size(int64_t *n_out, double p_a, double p_b, double alpha, double power);

/**
 * Power of the two-sided two-proportion test with n users per arm (the
 * inverse of custops_abtest_sample_size(), ignoring the far tail).
 * @param power_out receives the power in (0, 1)
 * @param p_a control rate in (0, 1)
 * @param p_b variant rate in (0, 1)
 * @param n_per_arm users per arm, at least 1
 * @param alpha two-sided significance level in (0, 1)
 * @return CUSTOPS_OK or CUSTOPS_EINVAL
 */
CUSTOPS_API int custops_abtest_power(double *power_out, double p_a, double p_b, int64_t n_per_arm, double alpha);

/**
 * Users per arm to detect a difference @p delta in means with standard
 * deviation @p sd: n = 2 (z_{1-alpha/2} + z_{power})^2 sd^2 / delta^2,
 * rounded up (delta = 0.5 sd at 0.05 and 0.8 gives 63).
 * @param n_out receives the users per arm
 * @param delta the difference to detect, non-zero
 * @param sd the per-user standard deviation, > 0
 * @param alpha two-sided significance level in (0, 1)
 * @param power wanted power in (0, 1)
 * @return CUSTOPS_OK, CUSTOPS_EINVAL or CUSTOPS_ERANGE
 */
CUSTOPS_API int custops_abtest_sample_size_means(int64_t *n_out, double delta, double sd, double alpha,
                                                 double power);

/**
 * Always-valid p-values of a sequential conversion test (mixture SPRT,
 * Johari et al. 2017): at each look the normal-mixture likelihood ratio
 * Lambda = sqrt(W / (W + tau^2)) exp(tau^2 d^2 / (2 W (W + tau^2))) is
 * computed from the difference d = p_B - p_A and its variance W (pooled
 * rate under the null), and p = min(previous p, 1 / Lambda). Stopping at the
 * first look with p <= alpha keeps the false-positive rate at most alpha
 * however often one looks. Counts are cumulative and may not decrease.
 * @param p_out receives @p looks always-valid p-values (caller's array)
 * @param conv_a cumulative conversions in A at each look
 * @param n_a cumulative users in A at each look
 * @param conv_b cumulative conversions in B at each look
 * @param n_b cumulative users in B at each look
 * @param looks number of looks, at least 1
 * @param tau standard deviation of the mixing prior on p_B - p_A (> 0),
 *        about the size of effect one hopes to detect, e.g. 0.01
 * @return CUSTOPS_OK or CUSTOPS_EINVAL (counts out of range or decreasing)
 */
CUSTOPS_API int custops_abtest_sequential(double *p_out, const int64_t *conv_a, const int64_t *n_a,
                                          const int64_t *conv_b, const int64_t *n_b, size_t looks, double tau);

CUSTOPS_END_DECLS

#endif /* CUSTOPS_ABTEST_H */
