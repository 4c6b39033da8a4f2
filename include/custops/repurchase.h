/**
 * @file custops/repurchase.h
 * @brief Repurchase cycles and reminders: how many days customers take to
 *        buy the same product again, and who is due for a reminder today.
 * Input is the lines frame of the data contract (columns @c customer,
 * @c time, @c sku, @c category). A purchase is a (customer, product, local
 * day) triple, so several lines or orders on one day count once.
 *
 * The cycle of a product is estimated from its repeat buyers (customers
 * with at least two purchase days): each gap between consecutive purchase
 * days is an observed interval, and the open gap from the last purchase to
 * @c now is a right-censored one (the customer has not come back yet, which
 * is information, not a missing value). One-off buyers do not enter the
 * estimate: their single purchase says nothing about a cycle. Observed gaps
 * beyond the Tukey fence Q3 + k IQR are outliers (a lapse, not a cycle) and
 * are dropped; censored gaps are cut at the fence. The Kaplan-Meier curve of
 * what remains gives the median and the quartiles.
 *
 * A SKU with fewer than @c min_intervals observed intervals borrows the
 * cycle of its category.
 */
#ifndef CUSTOPS_REPURCHASE_H
#define CUSTOPS_REPURCHASE_H

#include "custops/common.h"
#include "custops/frame.h"
#include "custops/time.h"

CUSTOPS_BEGIN_DECLS

/** Version of custops_repurchase_options understood by this header. */
#define CUSTOPS_REPURCHASE_OPTIONS_VERSION 1

/** Settings of the repurchase-cycle estimate and of the reminder list. */
typedef struct custops_repurchase_options {
    unsigned int version;    /**< CUSTOPS_REPURCHASE_OPTIONS_VERSION */
    const custops_zone *zone;/**< zone of the local days (required) */
    int64_t now;             /**< as-of instant (UTC seconds): later lines are ignored, open gaps end here */
    int64_t min_intervals;   /**< observed intervals a SKU needs before its own cycle is used; default 10 */
    double outlier_iqr;      /**< k of the fence Q3 + k IQR; default 3; 0 keeps every interval */
    int64_t lead_days;       /**< remind up to this many days before the expected date; default 3 */
    int64_t grace_days;      /**< and up to this many days after it; default 7 */
} custops_repurchase_options;

/** Static initializer with the defaults (zone and now must still be set). */
#define CUSTOPS_REPURCHASE_OPTIONS_INIT { CUSTOPS_REPURCHASE_OPTIONS_VERSION, NULL, 0, 10, 3.0, 3, 7 }

/** Where a SKU's cycle came from (column @c source of the cycles frame). */
typedef enum custops_repurchase_source {
    CUSTOPS_REPURCHASE_NONE = 0,     /**< too little data for the SKU and its category */
    CUSTOPS_REPURCHASE_SKU = 1,      /**< the SKU's own repeat purchases */
    CUSTOPS_REPURCHASE_CATEGORY = 2  /**< the SKU's category (fallback) */
} custops_repurchase_source;

/**
 * Fill @p opts with the defaults for @p version.
 * @param opts the options to fill
 * @param version CUSTOPS_REPURCHASE_OPTIONS_VERSION
 * @return CUSTOPS_OK, CUSTOPS_EINVAL or CUSTOPS_EVERSION
 */
CUSTOPS_API int custops_repurchase_options_init(custops_repurchase_options *opts, unsigned int version);

/**
 * Repurchase cycle of every SKU that appears in @p lines up to @p now.
 * Output columns, one row per SKU in ascending code order: @c sku,
 * @c category (the category of its first line, -1 none), @c source
 * (custops_repurchase_source), @c repeat_buyers, @c intervals (observed,
 * after outlier removal), @c censored, @c outliers, and the doubles
 * @c median_days, @c q1_days, @c q3_days, @c iqr_days (Kaplan-Meier
 * quantiles in days: the first day at which the share still waiting falls
 * to 50%, 75%, 25%; -1 when the curve never gets there, and then the IQR
 * is -1 too). The counts and quantiles are those of the source used.
 * @param out receives the cycles frame (caller owns it)
 * @param lines the lines frame
 * @param opts options (zone and now set)
 * @return CUSTOPS_OK, CUSTOPS_EINVAL (missing column, bad option),
 *         CUSTOPS_EVERSION, CUSTOPS_ERANGE (customer index above 2^31) or CUSTOPS_ENOMEM
 */
CUSTOPS_API int custops_repurchase_cycles(custops_frame **out, const custops_frame *lines,
                                          const custops_repurchase_options *opts);

/**
 * Customers due for a repurchase reminder on the local day of @c now.
 * For each (customer, SKU) with a purchase up to @c now and a cycle in
 * @p cycles (median_days >= 0), the expected next purchase day is the last
 * purchase day plus the median rounded to whole days; the customer is due
 * when today is between @c lead_days before and @c grace_days after it.
 * Output columns, ordered by SKU then customer: @c customer, @c sku,
 * @c last_day (local day of the last purchase, days since 1970-01-01),
 * @c expected_day, @c expected_next (UTC instant of local midnight of the
 * expected day) and @c days_until (negative when overdue).
 * @param out receives the reminder frame (caller owns it)
 * @param lines the lines frame
 * @param cycles a frame with int64 column @c sku and double column
 *        @c median_days, e.g. from custops_repurchase_cycles()
 * @param opts options (zone and now set)
 * @return CUSTOPS_OK, CUSTOPS_EINVAL, CUSTOPS_EVERSION, CUSTOPS_ERANGE or CUSTOPS_ENOMEM
 */
CUSTOPS_API int custops_repurchase_due(custops_frame **out, const custops_frame *lines, const custops_frame *cycles,
                                       const custops_repurchase_options *opts);

CUSTOPS_END_DECLS

#endif /* CUSTOPS_REPURCHASE_H */
