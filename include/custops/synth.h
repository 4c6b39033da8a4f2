/**
 * @file custops/synth.h
 * @brief A deterministic synthetic store: customers, orders, refunds and
 *        behaviour events drawn from known models, for demos and tests.
 *
 * The generator draws each customer's purchases from the BG/NBD process
 * (purchase rate lambda ~ Gamma(r, alpha), drop-out probability after each
 * repeat purchase p ~ Beta(a, b)) and each order's value from the
 * Gamma-Gamma spend model (per-customer scale nu ~ Gamma(q, gamma), order
 * value ~ Gamma(p, nu)), so CLV models fitted on the output can be checked
 * against the parameters written to truth.json. On top of that it builds
 * what a real Chinese e-commerce store looks like: a catalogue with
 * categories, list prices and consumables bought again on a cycle;
 * threshold coupons ("spend 69, get 10 off") spread over the lines;
 * refunds; sessions of visits, views and cart additions (some abandoned);
 * an evening peak in local time; a Double-11 (November 11) spike; customer
 * attributes and consent flags.
 *
 * Determinism: the same options give byte-identical output on every
 * machine. The generator uses its own random number generator
 * (xoshiro256** seeded through splitmix64) and its own exp/log built from
 * IEEE-exact operations only, so no libm difference can change a byte.
 *
 * The files follow docs/formats.md exactly (see @ref formats), so every
 * demo runs the same on synthetic data as on a real export.
 *
 * Thread rules: the functions keep no state; different calls may run
 * concurrently.
 */
#ifndef CUSTOPS_SYNTH_H
#define CUSTOPS_SYNTH_H

#include "custops/common.h"
#include "custops/frame.h"

CUSTOPS_BEGIN_DECLS

/** Version of custops_synth_options understood by this header. */
#define CUSTOPS_SYNTH_OPTIONS_VERSION 1

/** Largest number of customers one call generates. */
#define CUSTOPS_SYNTH_MAX_CUSTOMERS 10000000

/**
 * Progress callback: called about every thousand customers and once at the end.
 * @param ud the @c progress_ud of the options
 * @param done customers generated so far
 * @param total customers to generate
 * @return 0 to go on, non-zero to cancel (the call then fails with
 *         CUSTOPS_ESTATE and leaves no file behind)
 */
typedef int (*custops_synth_progress_fn)(void *ud, int64_t done, int64_t total);

/**
 * What to generate. Fill with CUSTOPS_SYNTH_OPTIONS_INIT or
 * custops_synth_options_init() and change the fields you need.
 *
 * Time unit of the BG/NBD parameters is one day: the default @c alpha of
 * 30.898 days is the CDNOW fit's 4.414 weeks (Fader, Hardie and Lee 2005:
 * r = 0.243, alpha = 4.414 weeks, a = 0.793, b = 2.426).
 */
typedef struct custops_synth_options {
    unsigned int version;     /**< CUSTOPS_SYNTH_OPTIONS_VERSION */
    uint64_t seed;            /**< random seed; the same seed gives the same bytes (default 42) */
    int64_t customers;        /**< number of customers, 1 .. CUSTOPS_SYNTH_MAX_CUSTOMERS (default 10000) */
    int32_t start_day;        /**< first local day of the data, days since 1970-01-01 (default 2023-01-01) */
    int32_t end_day;          /**< first local day after the data (default 2025-01-01); end_day - start_day in 1 .. 7320 */
    const char *zone;         /**< time zone of the store (default "Asia/Shanghai") */
    const char *currency;     /**< ISO 4217 currency of prices (default "CNY") */
    int32_t skus;             /**< products in the catalogue, 1 .. 100000 (default 200) */
    int32_t categories;       /**< product categories, 1 .. min(skus, 1000) (default 12) */
    double r;                 /**< BG/NBD shape of the purchase-rate distribution (default 0.243) */
    double alpha;             /**< BG/NBD scale of the purchase-rate distribution, in days (default 30.898) */
    double a;                 /**< BG/NBD drop-out Beta parameter a (default 0.793) */
    double b;                 /**< BG/NBD drop-out Beta parameter b (default 2.426) */
    double p;                 /**< Gamma-Gamma shape of order value (default 6.25) */
    double q;                 /**< Gamma-Gamma shape of the customer's spend scale, > 1 (default 3.74) */
    double gamma;             /**< Gamma-Gamma scale, in major currency units (default 65: mean order about 148 CNY) */
    double acquisition_share; /**< first purchases fall uniformly in this leading share of the window, (0, 1] (default 0.5) */
    double coupon_propensity; /**< mean share of eligible orders that use a coupon, [0, 1] (default 0.3) */
    double refund_rate;       /**< probability that an order is (partly) refunded, [0, 1] (default 0.06) */
    double events_per_order;  /**< mean product views in the session before an order, [1, 50] (default 4) */
    int double11;             /**< 1: pull purchases of Nov 1-21 forward or back to Nov 11 (default 1) */
    int jsonl;                /**< custops_synth_write(): 1 writes one mixed store.jsonl instead of four CSV files (default 0) */
    custops_synth_progress_fn progress; /**< progress callback, or NULL (default) */
    void *progress_ud;        /**< passed to @c progress */
} custops_synth_options;

/** Static initializer with the defaults. */
#define CUSTOPS_SYNTH_OPTIONS_INIT                                                                    \
    { CUSTOPS_SYNTH_OPTIONS_VERSION, 42, 10000, 19358, 20089, "Asia/Shanghai", "CNY", 200, 12,       \
      0.243, 30.898, 0.793, 2.426, 6.25, 3.74, 65.0, 0.5, 0.3, 0.06, 4.0, 1, 0, NULL, NULL }

/**
 * Fill @p opts with the defaults for @p version.
 * @param opts the options to fill
 * @param version CUSTOPS_SYNTH_OPTIONS_VERSION
 * @return CUSTOPS_OK, CUSTOPS_EINVAL (NULL) or CUSTOPS_EVERSION
 */
CUSTOPS_API int custops_synth_options_init(custops_synth_options *opts, unsigned int version);

/**
 * Generate the store and write it into directory @p dir (created if it
 * does not exist; its parent must exist).
 *
 * CSV mode writes orders.csv, refunds.csv, events.csv and customers.csv in
 * the formats of docs/formats.md (times as ISO 8601 with the zone's offset,
 * money in major units); JSONL mode writes the same records into one
 * store.jsonl, each object with a "kind" field, records of a customer
 * together and in time order. Both write truth.json: the model parameters,
 * per-SKU repurchase cycles, seed, window and record counts.
 *
 * Each file is written to a temporary name and renamed into place when
 * complete, so a reader never sees part of a file; on failure no new file
 * is left behind.
 * @param opts options, or NULL for the defaults
 * @param dir the output directory
 * @return CUSTOPS_OK, CUSTOPS_EINVAL (bad option, naming the field),
 *         CUSTOPS_EVERSION, CUSTOPS_ENOTFOUND (unknown zone or currency),
 *         CUSTOPS_ELIMIT (too many customers), CUSTOPS_EIO, CUSTOPS_ESTATE
 *         (cancelled by the progress callback) or CUSTOPS_ENOMEM
 */
CUSTOPS_API int custops_synth_write(const custops_synth_options *opts, const char *dir);

/**
 * Generate the store in memory and return its order lines.
 *
 * The lines are exactly those custops_synth_write() writes to orders.csv
 * for the same options, in the same order. Columns, named as in
 * docs/formats.md: @c order_id, @c customer_id (strings), @c time (int64
 * UTC seconds), @c currency, @c sku, @c category (strings), @c qty,
 * @c unit_price, @c discount (int64; money in minor units), @c coupon_code
 * ("" when none) and @c channel (strings).
 * @param opts options, or NULL for the defaults (the @c jsonl field is ignored)
 * @param out receives the frame (caller owns it; free with custops_frame_free); NULL on failure
 * @return the same statuses as custops_synth_write() except CUSTOPS_EIO
 */
CUSTOPS_API int custops_synth_order_lines(const custops_synth_options *opts, custops_frame **out);

/**
 * The product catalogue the generator draws from for @p opts.
 *
 * Columns: @c sku, @c category (strings), @c list_price (int64 minor units),
 * @c cycle_days (int64 repurchase cycle of a consumable, 0 for products
 * bought without a cycle).
 * @param opts options, or NULL for the defaults
 * @param out receives the frame (caller owns it); NULL on failure
 * @return CUSTOPS_OK, CUSTOPS_EINVAL, CUSTOPS_EVERSION, CUSTOPS_ENOTFOUND or CUSTOPS_ENOMEM
 */
CUSTOPS_API int custops_synth_catalog(const custops_synth_options *opts, custops_frame **out);

CUSTOPS_END_DECLS

#endif /* CUSTOPS_SYNTH_H */
