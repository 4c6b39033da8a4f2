/**
 * @file custops/measure.h
 * @brief Did the campaign work? Uplift against holdout groups, and the
 *        value of acquisition channels.
 *
 * Inputs are frames with one row per customer (per play, per step...), as
 * built from the journey engine's exposure log and the store's outcomes;
 * outputs are frames with one row per group.
 */
#ifndef CUSTOPS_MEASURE_H
#define CUSTOPS_MEASURE_H

#include "custops/common.h"
#include "custops/frame.h"

CUSTOPS_BEGIN_DECLS

/** Version of custops_uplift_options understood by this header. */
#define CUSTOPS_UPLIFT_OPTIONS_VERSION 1

/** Column names and settings for custops_uplift_report(). */
typedef struct custops_uplift_options {
    unsigned int version;      /**< CUSTOPS_UPLIFT_OPTIONS_VERSION */
    double confidence;         /**< confidence level of the intervals, in (0, 1); default 0.95 */
    const char *holdout_col;   /**< int64 column, 1 = holdout, 0 = treatment; default "holdout" */
    const char *reached_col;   /**< int64 0/1, contacted (treatment only); default "reached"; NULL or "" = not reported */
    const char *visited_col;   /**< int64 0/1; default "visited"; NULL or "" = not reported */
    const char *converted_col; /**< int64 0/1; default "converted" */
    const char *revenue_col;   /**< int64 minor units; default "revenue"; NULL or "" = not reported */
    const char *group_cols;    /**< comma-separated string columns to group by, e.g. "play,channel"; "" = one group */
} custops_uplift_options;

/** Static initializer with the defaults. */
#define CUSTOPS_UPLIFT_OPTIONS_INIT \
    { CUSTOPS_UPLIFT_OPTIONS_VERSION, 0.95, "holdout", "reached", "visited", "converted", "revenue", "" }

/**
 * Fill @p opts with the defaults for @p version.
 * @param opts the options to fill
 * @param version CUSTOPS_UPLIFT_OPTIONS_VERSION
 * @return CUSTOPS_OK, CUSTOPS_EINVAL or CUSTOPS_EVERSION
 */
CUSTOPS_API int custops_uplift_options_init(custops_uplift_options *opts, unsigned int version);

/**
 * Uplift of a treatment group over its holdout, per group.
 *
 * Rates are intention-to-treat: every treatment-group customer counts,
 * contacted or not. Differences of proportions get Newcombe's hybrid score
 * interval (from Wilson intervals; good at small counts and rates near 0);
 * revenue per customer gets Welch's t interval (with fewer than two
 * customers on a side it cannot be estimated and is reported as
 * [-DBL_MAX, DBL_MAX], never Inf or NaN).
 *
 * Output columns: the group columns, then @c n_treatment, @c n_holdout,
 * @c reach_rate (when reached_col is set), and for each outcome
 * (@c visit, @c conversion, @c revenue_per_customer when set):
 * @c OUTCOME_treatment, @c OUTCOME_holdout, @c OUTCOME_uplift,
 * @c OUTCOME_lo, @c OUTCOME_hi. Revenue figures are in minor units.
 * Groups appear in order of first appearance.
 * @param customers the per-customer frame
 * @param opts options, or NULL for the defaults
 * @param out receives the report frame (caller owns it)
 * @return CUSTOPS_OK, CUSTOPS_EINVAL (missing or mistyped column, values
 *         other than 0/1, a group without treatment or holdout customers),
 *         CUSTOPS_EVERSION or CUSTOPS_ENOMEM
 */
CUSTOPS_API int custops_uplift_report(const custops_frame *customers, const custops_uplift_options *opts,
                                      custops_frame **out);

/**
 * Value of acquisition channels: lifetime value by first-order channel
 * against the money spent to acquire those customers.
 * @param customers frame with a string column naming each customer's
 *        first-order channel and an int64 value column (minor units)
 * @param channel_col name of the channel column
 * @param value_col name of the value column (e.g. realised revenue or CLV in minor units)
 * @param spend frame with string column @c channel and int64 column @c spend
 *        (minor units); channels without a row have spend 0
 * @param out receives a frame (caller owns it) with columns @c channel,
 *        @c customers, @c value (total), @c ltv (mean value per customer),
 *        @c spend, @c cac (spend per customer) and @c roi ((value - spend) /
 *        spend; 0 when spend is 0), one row per channel in order of first
 *        appearance
 * @return CUSTOPS_OK, CUSTOPS_EINVAL, CUSTOPS_ERANGE (overflow) or CUSTOPS_ENOMEM
 */
CUSTOPS_API int custops_channel_value(const custops_frame *customers, const char *channel_col, const char *value_col,
                                      const custops_frame *spend, custops_frame **out);

CUSTOPS_END_DECLS

#endif /* CUSTOPS_MEASURE_H */
