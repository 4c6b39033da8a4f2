/**
 * @file custops/sendtime.h
 * @brief Best send time: the local hour and weekday at which each customer
 *        is most likely to respond, from when they browse and buy.
 * Each customer's activity is counted per local hour (24 cells) and per
 * weekday (7 cells): every event of the events frame adds @c event_weight,
 * every distinct order of the lines frame @c order_weight. Few customers
 * have enough activity to trust alone, so their counts are shrunk toward
 * the population: with population shares p and prior strength A, the
 * expected share of cell h is (c_h + A p_h) / (n + A) (the posterior mean
 * under a Dirichlet(A p) prior). A is estimated from the data by the method
 * of moments of the Dirichlet-multinomial (how much customers differ from
 * each other beyond multinomial noise), unless fixed in the options.
 *
 * Ties are broken deterministically: the higher population share wins,
 * then the earlier hour (weekday) index.
 */
#ifndef CUSTOPS_SENDTIME_H
#define CUSTOPS_SENDTIME_H

#include "custops/common.h"
#include "custops/frame.h"
#include "custops/time.h"

CUSTOPS_BEGIN_DECLS

/** Version of custops_sendtime_options understood by this header. */
#define CUSTOPS_SENDTIME_OPTIONS_VERSION 1

/** Settings of custops_sendtime_best(). */
typedef struct custops_sendtime_options {
    unsigned int version;       /**< CUSTOPS_SENDTIME_OPTIONS_VERSION */
    const custops_zone *zone;   /**< zone of the local hours (required) */
    int64_t customers;          /**< rows of the output (customers 0..customers-1); 0 = largest index seen + 1 */
    double event_weight;        /**< weight of one event, >= 0; default 1 */
    double order_weight;        /**< weight of one order, >= 0; default 3 */
    uint32_t event_types;       /**< bit t set = count events of type t; default all (0x7f) */
    double hour_strength;       /**< prior strength A for hours, > 0; 0 (default) = estimate */
    double weekday_strength;    /**< prior strength A for weekdays, > 0; 0 (default) = estimate */
    int full;                   /**< non-zero: add the 24 columns p_hour_00 .. p_hour_23 */
} custops_sendtime_options;

/** Static initializer with the defaults (the zone must still be set). */
#define CUSTOPS_SENDTIME_OPTIONS_INIT { CUSTOPS_SENDTIME_OPTIONS_VERSION, NULL, 0, 1.0, 3.0, 0x7fu, 0.0, 0.0, 0 }

/**
 * Fill @p opts with the defaults for @p version.
 * @param opts the options to fill
 * @param version CUSTOPS_SENDTIME_OPTIONS_VERSION
 * @return CUSTOPS_OK, CUSTOPS_EINVAL or CUSTOPS_EVERSION
 */
CUSTOPS_API int custops_sendtime_options_init(custops_sendtime_options *opts, unsigned int version);

/**
 * Best local hour and weekday per customer.
 * Output columns, one row per customer index: @c customer, @c best_hour
 * (0..23), @c hour_score (expected share of the customer's responses in
 * that hour), @c best_weekday (0 = Monday .. 6 = Sunday), @c weekday_score,
 * @c activity (total weight counted), and with @c full the 24
 * @c p_hour_HH columns. A customer without activity gets the population's
 * best hour and weekday.
 * @param out receives the frame (caller owns it)
 * @param hour_strength_out receives the prior strength used for hours (may be NULL)
 * @param weekday_strength_out receives the prior strength used for weekdays (may be NULL)
 * @param events events frame (@c customer, @c time, @c type), or NULL
 * @param lines lines frame (@c customer, @c order, @c time), or NULL; not both NULL
 * @param opts options (zone set)
 * @return CUSTOPS_OK, CUSTOPS_EINVAL, CUSTOPS_EVERSION, CUSTOPS_ELIMIT
 *         (more than 2^31 customers) or CUSTOPS_ENOMEM
 */
CUSTOPS_API int custops_sendtime_best(custops_frame **out, double *hour_strength_out, double *weekday_strength_out,
                                      const custops_frame *events, const custops_frame *lines,
                                      const custops_sendtime_options *opts);

CUSTOPS_END_DECLS

#endif /* CUSTOPS_SENDTIME_H */
