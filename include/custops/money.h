/**
 * @file custops/money.h
 * @brief Exact money: int64 minor units, currency exponents, checked arithmetic.
 *
 * Money is never a double in libcustops. An amount is an int64_t count of the
 * currency's minor unit (fen for CNY, cents for USD, yen for JPY); the
 * currency's exponent says how many decimals the major unit has. Arithmetic
 * that would overflow returns CUSTOPS_ERANGE instead of wrapping.
 */
#ifndef CUSTOPS_MONEY_H
#define CUSTOPS_MONEY_H

#include "custops/common.h"

CUSTOPS_BEGIN_DECLS

/**
 * Minor-unit exponent of an ISO 4217 currency ("CNY" -> 2, "JPY" -> 0, "KWD" -> 3).
 * @param code three upper-case letters
 * @param exponent_out receives the exponent
 * @return CUSTOPS_OK, CUSTOPS_EINVAL (malformed code) or CUSTOPS_ENOTFOUND (unknown currency)
 */
CUSTOPS_API int custops_currency_exponent(const char *code, int *exponent_out);

/**
 * Parse a decimal amount such as "69", "69.9", "-0.01" into minor units.
 *
 * More decimals than the exponent allows is an error, never a rounding.
 * @param text the amount; optional leading '-', digits, optional '.' and decimals
 * @param exponent decimals of the currency (0..4)
 * @param minor_out receives the amount in minor units
 * @return CUSTOPS_OK, CUSTOPS_EINVAL, CUSTOPS_EPARSE or CUSTOPS_ERANGE
 */
CUSTOPS_API int custops_money_parse(const char *text, int exponent, int64_t *minor_out);

/**
 * Format minor units as a plain decimal ("6900", 2 -> "69.00").
 * @param minor amount in minor units
 * @param exponent decimals of the currency (0..4)
 * @param buf output buffer
 * @param cap size of @p buf; 32 bytes always suffice
 * @return CUSTOPS_OK, CUSTOPS_EINVAL or CUSTOPS_ERANGE (buffer too small)
 */
CUSTOPS_API int custops_money_format(int64_t minor, int exponent, char *buf, size_t cap);

/**
 * a + b without overflow.
 * @param a first amount
 * @param b second amount
 * @param out receives the sum
 * @return CUSTOPS_OK or CUSTOPS_ERANGE
 */
CUSTOPS_API int custops_money_add(int64_t a, int64_t b, int64_t *out);

/**
 * amount * factor without overflow (a unit price times a quantity).
 * @param amount amount in minor units
 * @param factor multiplier
 * @param out receives the product
 * @return CUSTOPS_OK or CUSTOPS_ERANGE
 */
CUSTOPS_API int custops_money_mul(int64_t amount, int64_t factor, int64_t *out);

/**
 * amount * num / den rounded half away from zero, exact for every int64 input
 * whose result fits (the intermediate product is 128-bit).
 * @param amount amount in minor units
 * @param num numerator (e.g. 88 for 88%)
 * @param den denominator, > 0 (e.g. 100)
 * @param out receives the result
 * @return CUSTOPS_OK, CUSTOPS_EINVAL (den <= 0) or CUSTOPS_ERANGE
 */
CUSTOPS_API int custops_money_muldiv(int64_t amount, int64_t num, int64_t den, int64_t *out);

/**
 * Split @p total into @p n shares proportional to @p weights by the largest
 * remainder method, so the shares sum to @p total exactly. Ties in the
 * remainder go to the lower index. Used to spread one discount over lines.
 * @param total amount to split (any sign)
 * @param weights @p n non-negative weights, at least one positive
 * @param n number of shares
 * @param shares_out receives @p n shares
 * @return CUSTOPS_OK, CUSTOPS_EINVAL or CUSTOPS_ERANGE
 */
CUSTOPS_API int custops_money_allocate(int64_t total, const int64_t *weights, size_t n,
                                       int64_t *shares_out);

CUSTOPS_END_DECLS

#endif /* CUSTOPS_MONEY_H */
