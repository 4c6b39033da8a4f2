/**
 * @file custops/kpi.h
 * @brief Campaign KPIs and funnels over a local date range: GMV, UV,
 *        orders, AOV, conversion, repurchase rate, the visit -> view ->
 *        cart_add -> order funnel, cohort retention and LTV by first-order month.
 * Inputs are the lines and events frames of the data contract; every result
 * is a frame. The range is [from, to) in UTC seconds; days and months are
 * local to the zone of the options.
 *
 * Definitions: GMV is the sum of line @c amount (net of line discounts,
 * before refunds); refunds the sum of @c refunded (0 when the column is
 * absent); net revenue GMV - refunds; orders the distinct (customer, order)
 * pairs; buyers the distinct ordering customers; UV the distinct customers
 * with any event; AOV GMV / orders; conversion buyers / UV; repurchase
 * rate the share of buyers with two or more orders in the range.
 */
#ifndef CUSTOPS_KPI_H
#define CUSTOPS_KPI_H

#include "custops/common.h"
#include "custops/frame.h"
#include "custops/time.h"

CUSTOPS_BEGIN_DECLS

/** Version of custops_kpi_options understood by this header. */
#define CUSTOPS_KPI_OPTIONS_VERSION 1

/** Range and zone of a KPI query. */
typedef struct custops_kpi_options {
    unsigned int version;     /**< CUSTOPS_KPI_OPTIONS_VERSION */
    const custops_zone *zone; /**< zone of days and months (required) */
    int64_t from;             /**< start of the range, UTC seconds, inclusive */
    int64_t to;               /**< end of the range, UTC seconds, exclusive; > from */
    int by_day;               /**< custops_kpi_summary(): non-zero = one row per local day */
    int ordered_funnel;       /**< custops_kpi_funnel(): non-zero (default) = steps must happen in order */
} custops_kpi_options;

/** Static initializer with the defaults (zone, from and to must still be set). */
#define CUSTOPS_KPI_OPTIONS_INIT { CUSTOPS_KPI_OPTIONS_VERSION, NULL, 0, 0, 0, 1 }

/**
 * Fill @p opts with the defaults for @p version.
 * @param opts the options to fill
 * @param version CUSTOPS_KPI_OPTIONS_VERSION
 * @return CUSTOPS_OK, CUSTOPS_EINVAL or CUSTOPS_EVERSION
 */
CUSTOPS_API int custops_kpi_options_init(custops_kpi_options *opts, unsigned int version);

/**
 * Headline KPIs of the range (one row) or of each local day in it.
 * Columns: with @c by_day first @c day (local day number) and @c date
 * (YYYY-MM-DD); then @c gmv, @c refunds, @c net_revenue, @c items (sum of
 * qty), @c orders, @c buyers, @c uv (int64), @c aov, @c conversion,
 * @c repurchase_rate (double, 0 when the denominator is 0).
 * @param out receives the frame (caller owns it)
 * @param lines lines frame (@c customer, @c order, @c time, @c qty, @c amount; optional @c refunded)
 * @param events events frame (@c customer, @c time), or NULL (then UV and conversion are 0)
 * @param opts options
 * @return CUSTOPS_OK, CUSTOPS_EINVAL, CUSTOPS_EVERSION, CUSTOPS_ERANGE
 *         (money overflow), CUSTOPS_ELIMIT (more than 36600 days) or CUSTOPS_ENOMEM
 */
CUSTOPS_API int custops_kpi_summary(custops_frame **out, const custops_frame *lines, const custops_frame *events,
                                    const custops_kpi_options *opts);

/**
 * The funnel visit -> view -> cart_add -> order in the range. A customer
 * reaches a step when they reached the previous one and have an event of
 * the step (event types 0, 1, 2; an order line for the last step) in the
 * range; with @c ordered_funnel, at or after the moment they reached the
 * previous step. Columns, four rows: @c step (string), @c customers (int64),
 * @c rate_from_previous and @c rate_from_first (double; 1 for the first step,
 * 0 when the denominator is 0).
 * @param out receives the frame (caller owns it)
 * @param lines lines frame (@c customer, @c time)
 * @param events events frame (@c customer, @c time, @c type)
 * @param opts options
 * @return CUSTOPS_OK, CUSTOPS_EINVAL, CUSTOPS_EVERSION or CUSTOPS_ENOMEM
 */
CUSTOPS_API int custops_kpi_funnel(custops_frame **out, const custops_frame *lines, const custops_frame *events,
                                   const custops_kpi_options *opts);

/**
 * Cohorts by local month of each customer's first order (over all lines,
 * whatever the range), for cohorts whose first order lies in the range,
 * followed month by month up to the month holding @c to - 1.
 * Long format, ordered by cohort then offset: @c cohort (YYYYMM),
 * @c offset (months since the cohort month, 0..), @c cohort_size,
 * @c active (customers of the cohort ordering in that month), @c revenue
 * (their net revenue that month, minor units) (int64), @c retention
 * (active / cohort_size) and @c ltv (cumulative net revenue per cohort
 * customer up to and including the month) (double).
 * @param out receives the frame (caller owns it)
 * @param lines lines frame (@c customer, @c order, @c time, @c amount; optional @c refunded)
 * @param opts options
 * @return CUSTOPS_OK, CUSTOPS_EINVAL, CUSTOPS_EVERSION, CUSTOPS_ERANGE,
 *         CUSTOPS_ELIMIT (more than 1200 months) or CUSTOPS_ENOMEM
 */
CUSTOPS_API int custops_kpi_cohorts(custops_frame **out, const custops_frame *lines, const custops_kpi_options *opts);

CUSTOPS_END_DECLS

#endif /* CUSTOPS_KPI_H */
