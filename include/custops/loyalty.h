/**
 * @file custops/loyalty.h
 * @brief Membership tiers by trailing spend and a points ledger (earn with
 *        multipliers, first-in-first-out redemption, expiry), in memory with
 *        atomic save and load.
 *
 * A program is configured once with its tiers, e.g.
 * "member:0,silver:1000,gold:5000,black:20000" (names and the trailing
 * spend, in major units, that reaches each tier; the first must be 0) and
 * per-tier earn multipliers, e.g. "1,1.25,1.5,2". Each purchase adds to the
 * customer's spend and earns floor(amount in major units x points_per_unit
 * x tier multiplier x promotion multiplier) points in one lot that expires
 * expiry_days later. Redemptions take points from the oldest lots first, so
 * what expires is always the oldest unspent points. custops_loyalty_recalc()
 * recomputes every tier from the spend in the trailing window_days and
 * records each change in the tier history.
 *
 * Time only moves forward: every call carries an instant that must not be
 * earlier than the previous call's (CUSTOPS_EINVAL otherwise), which keeps
 * expiry and the ledger exact. The ledger records every earn, redeem and
 * expire with the balance after it.
 *
 * Thread rules: a program is used by one thread at a time.
 */
#ifndef CUSTOPS_LOYALTY_H
#define CUSTOPS_LOYALTY_H

#include "custops/common.h"
#include "custops/frame.h"

CUSTOPS_BEGIN_DECLS

/** Opaque loyalty program: configuration, members, points lots, ledger, tier history. */
typedef struct custops_loyalty custops_loyalty;

/** Version of custops_loyalty_options. */
#define CUSTOPS_LOYALTY_OPTIONS_VERSION 1

/** Options for custops_loyalty_new(). */
typedef struct custops_loyalty_options {
    unsigned int version;      /**< CUSTOPS_LOYALTY_OPTIONS_VERSION */
    const char *tiers;         /**< "name:threshold,..." ascending, first threshold 0 (default "member:0,silver:1000,gold:5000,black:20000") */
    const char *multipliers;   /**< one earn multiplier per tier, "1,1.25,1.5,2"; NULL for all 1 */
    double points_per_unit;    /**< points per major currency unit (default 1) */
    int exponent;              /**< currency exponent 0..4 (default 2) */
    int64_t expiry_days;       /**< days a lot lives; 0 = never expires (default 365) */
    int64_t window_days;       /**< trailing spend window for tiers (default 365) */
} custops_loyalty_options;

/** Initializer for custops_loyalty_options with the defaults. */
#define CUSTOPS_LOYALTY_OPTIONS_INIT \
    {CUSTOPS_LOYALTY_OPTIONS_VERSION, "member:0,silver:1000,gold:5000,black:20000", NULL, 1.0, 2, 365, 365}

/**
 * Fill options with the defaults.
 * @param opts the options
 * @param version CUSTOPS_LOYALTY_OPTIONS_VERSION
 * @return CUSTOPS_OK, CUSTOPS_EINVAL or CUSTOPS_EVERSION
 */
CUSTOPS_API int custops_loyalty_options_init(custops_loyalty_options *opts, unsigned int version);

/**
 * Make an empty program.
 * @param out receives the program (caller owns it; free with custops_loyalty_free)
 * @param opts options, or NULL for the defaults
 * @return CUSTOPS_OK, CUSTOPS_EINVAL (bad tiers or multipliers, with the
 *         position: "tiers:1:COL: ..."), CUSTOPS_ELIMIT (more than 16
 *         tiers, same form), CUSTOPS_EVERSION or CUSTOPS_ENOMEM
 */
CUSTOPS_API int custops_loyalty_new(custops_loyalty **out, const custops_loyalty_options *opts);

/**
 * Free a program.
 * @param l the program, or NULL (no-op)
 */
CUSTOPS_API void custops_loyalty_free(custops_loyalty *l);

/**
 * Record a purchase: adds to the customer's spend and earns points at the
 * customer's current tier multiplier (new customers start in the first tier).
 * @param points_out receives the points earned (may be NULL)
 * @param l the program
 * @param customer customer id (1..256 bytes)
 * @param instant Unix seconds, not before the previous call
 * @param amount amount in minor units, > 0
 * @param promo_multiplier extra multiplier for this purchase (1 for none; 0..100)
 * @return CUSTOPS_OK, CUSTOPS_EINVAL, CUSTOPS_ERANGE or CUSTOPS_ENOMEM
 */
CUSTOPS_API int custops_loyalty_purchase(int64_t *points_out, custops_loyalty *l, const char *customer, int64_t instant,
                                         int64_t amount, double promo_multiplier);

/**
 * Redeem points, oldest lots first (expired points are expired first).
 * @param l the program
 * @param customer customer id
 * @param instant Unix seconds, not before the previous call
 * @param points points to take, > 0
 * @return CUSTOPS_OK, CUSTOPS_EINVAL, CUSTOPS_ENOTFOUND (unknown customer)
 *         or CUSTOPS_ERANGE (balance too small; nothing changes)
 */
CUSTOPS_API int custops_loyalty_redeem(custops_loyalty *l, const char *customer, int64_t instant, int64_t points);

/**
 * Points balance as of an instant (lots expiring at or before it do not count). Changes nothing.
 * @param balance_out receives the balance
 * @param l the program
 * @param customer customer id (unknown customers have 0)
 * @param instant Unix seconds
 * @return CUSTOPS_OK or CUSTOPS_EINVAL
 */
CUSTOPS_API int custops_loyalty_balance(int64_t *balance_out, const custops_loyalty *l, const char *customer,
                                        int64_t instant);

/**
 * Expire due lots of every customer and recompute every tier from the spend
 * in (instant - window_days, instant]; each change goes to the history.
 * @param changes_out receives the number of tier changes (may be NULL)
 * @param l the program
 * @param instant Unix seconds, not before the previous call
 * @return CUSTOPS_OK, CUSTOPS_EINVAL or CUSTOPS_ENOMEM
 */
CUSTOPS_API int custops_loyalty_recalc(size_t *changes_out, custops_loyalty *l, int64_t instant);

/**
 * A customer's current tier.
 * @param tier_out receives the tier name, borrowed from the program (valid until it is freed)
 * @param l the program
 * @param customer customer id
 * @return CUSTOPS_OK, CUSTOPS_EINVAL or CUSTOPS_ENOTFOUND
 */
CUSTOPS_API int custops_loyalty_tier(const char **tier_out, const custops_loyalty *l, const char *customer);

/**
 * The points ledger: string customer, int64 time, string kind (earn,
 * redeem, expire), int64 points (negative for redeem and expire), int64 balance (after).
 * @param out receives the frame (caller owns it)
 * @param l the program
 * @return CUSTOPS_OK, CUSTOPS_EINVAL or CUSTOPS_ENOMEM
 */
CUSTOPS_API int custops_loyalty_ledger(custops_frame **out, const custops_loyalty *l);

/**
 * The tier history: string customer, int64 time, string from, string to, int64 spend (the trailing spend that decided).
 * @param out receives the frame (caller owns it)
 * @param l the program
 * @return CUSTOPS_OK, CUSTOPS_EINVAL or CUSTOPS_ENOMEM
 */
CUSTOPS_API int custops_loyalty_history(custops_frame **out, const custops_loyalty *l);

/**
 * Save the program atomically (save-file kind "LOYL").
 * @param l the program
 * @param path destination
 * @return CUSTOPS_OK, CUSTOPS_EINVAL, CUSTOPS_EIO or CUSTOPS_ENOMEM
 */
CUSTOPS_API int custops_loyalty_save(const custops_loyalty *l, const char *path);

/**
 * Load a program saved with custops_loyalty_save().
 * @param out receives the program (caller owns it)
 * @param path the file
 * @return CUSTOPS_OK, CUSTOPS_EINVAL, CUSTOPS_EIO, CUSTOPS_ECORRUPT, CUSTOPS_EVERSION or CUSTOPS_ENOMEM
 */
CUSTOPS_API int custops_loyalty_load(custops_loyalty **out, const char *path);

CUSTOPS_END_DECLS

#endif /* CUSTOPS_LOYALTY_H */
