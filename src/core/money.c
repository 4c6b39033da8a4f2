/* Exact money in int64 minor units: currency exponents, overflow-checked
 * arithmetic, 128-bit scaling and largest-remainder allocation. */
#include "internal.h"

#include <stdio.h>

/* ISO 4217 minor units for currencies whose exponent is not 2, plus the
 * common ones with 2, so unknown codes are reported rather than guessed. */
static const struct { char code[4]; int exp; } CURRENCIES[] = {
    {"AED", 2}, {"AUD", 2}, {"BHD", 3}, {"BRL", 2}, {"CAD", 2}, {"CHF", 2}, {"CLP", 0}, {"CNY", 2},
    {"CZK", 2}, {"DKK", 2}, {"EUR", 2}, {"GBP", 2}, {"HKD", 2}, {"HUF", 2}, {"IDR", 2}, {"ILS", 2},
    {"INR", 2}, {"IQD", 3}, {"ISK", 0}, {"JOD", 3}, {"JPY", 0}, {"KRW", 0}, {"KWD", 3}, {"LYD", 3},
    {"MOP", 2}, {"MXN", 2}, {"MYR", 2}, {"NOK", 2}, {"NZD", 2}, {"OMR", 3}, {"PHP", 2}, {"PLN", 2},
    {"RUB", 2}, {"SAR", 2}, {"SEK", 2}, {"SGD", 2}, {"THB", 2}, {"TND", 3}, {"TRY", 2}, {"TWD", 2},
    {"UGX", 0}, {"USD", 2}, {"VND", 0}, {"XAF", 0}, {"XOF", 0}, {"ZAR", 2},
};

int custops_currency_exponent(const char *code, int *exponent_out)
{
    CUSTOPS__CHECK_NULL(code);
    CUSTOPS__CHECK_NULL(exponent_out);
    if (strlen(code) != 3 || code[0] < 'A' || code[0] > 'Z' || code[1] < 'A' || code[1] > 'Z' || code[2] < 'A' ||
        code[2] > 'Z')
        return custops__err(CUSTOPS_EINVAL, "currency code '%s' is not three upper-case letters", code);
    for (size_t i = 0; i < sizeof CURRENCIES / sizeof CURRENCIES[0]; i++)
        if (memcmp(CURRENCIES[i].code, code, 3) == 0) {
            *exponent_out = CURRENCIES[i].exp;
            return CUSTOPS_OK;
        }
    return custops__err(CUSTOPS_ENOTFOUND, "currency '%s' is not in the built-in ISO 4217 table", code);
}

int custops_money_parse(const char *text, int exponent, int64_t *minor_out)
{
    CUSTOPS__CHECK_NULL(text);
    CUSTOPS__CHECK_NULL(minor_out);
    if (exponent < 0 || exponent > 4)
        return custops__err(CUSTOPS_EINVAL, "currency exponent %d is outside 0..4", exponent);
    int rc = custops__parse_money(text, strlen(text), exponent, minor_out);
    if (rc == CUSTOPS_EPARSE)
        return custops__err(rc, "'%s' is not a decimal amount", text);
    if (rc == CUSTOPS_ERANGE)
        return custops__err(rc, "'%s' has more than %d decimals or does not fit in int64 minor units", text,
                            exponent);
    return rc;
}

int custops_money_format(int64_t minor, int exponent, char *buf, size_t cap)
{
    CUSTOPS__CHECK_NULL(buf);
    if (exponent < 0 || exponent > 4)
        return custops__err(CUSTOPS_EINVAL, "currency exponent %d is outside 0..4", exponent);
    uint64_t mag = minor < 0 ? (uint64_t)0 - (uint64_t)minor : (uint64_t)minor;
    uint64_t scale = 1;
    for (int i = 0; i < exponent; i++)
        scale *= 10;
    int n;
    if (exponent == 0)
        n = snprintf(buf, cap, "%s%llu", minor < 0 ? "-" : "", (unsigned long long)mag);
    else
        n = snprintf(buf, cap, "%s%llu.%0*llu", minor < 0 ? "-" : "", (unsigned long long)(mag / scale), exponent,
                     (unsigned long long)(mag % scale));
    if (n < 0 || (size_t)n >= cap)
        return custops__err(CUSTOPS_ERANGE, "buffer of %zu bytes too small for the amount", cap);
    return CUSTOPS_OK;
}

int custops_money_add(int64_t a, int64_t b, int64_t *out)
{
    CUSTOPS__CHECK_NULL(out);
    if (__builtin_add_overflow(a, b, out))
        return custops__err(CUSTOPS_ERANGE, "money overflow: %lld + %lld", (long long)a, (long long)b);
    return CUSTOPS_OK;
}

int custops_money_mul(int64_t amount, int64_t factor, int64_t *out)
{
    CUSTOPS__CHECK_NULL(out);
    if (__builtin_mul_overflow(amount, factor, out))
        return custops__err(CUSTOPS_ERANGE, "money overflow: %lld * %lld", (long long)amount, (long long)factor);
    return CUSTOPS_OK;
}

int custops_money_muldiv(int64_t amount, int64_t num, int64_t den, int64_t *out)
{
    CUSTOPS__CHECK_NULL(out);
    if (den <= 0)
        return custops__err(CUSTOPS_EINVAL, "custops_money_muldiv: denominator %lld must be positive", (long long)den);
    __int128 p = (__int128)amount * num;
    __int128 q = p / den, r = p % den;
    /* half away from zero: |r| * 2 >= den rounds the magnitude up */
    __int128 ar = r < 0 ? -r : r;
    if (ar * 2 >= den)
        q += p < 0 ? -1 : 1;
    if (q > INT64_MAX || q < INT64_MIN)
        return custops__err(CUSTOPS_ERANGE, "money overflow in %lld * %lld / %lld", (long long)amount,
                            (long long)num, (long long)den);
    *out = (int64_t)q;
    return CUSTOPS_OK;
}

int custops_money_allocate(int64_t total, const int64_t *weights, size_t n, int64_t *shares)
{
    CUSTOPS__CHECK_NULL(weights);
    CUSTOPS__CHECK_NULL(shares);
    if (n == 0)
        return custops__err(CUSTOPS_EINVAL, "custops_money_allocate: no shares to allocate to");
    __int128 wsum = 0;
    for (size_t i = 0; i < n; i++) {
        if (weights[i] < 0)
            return custops__err(CUSTOPS_EINVAL, "custops_money_allocate: weight %zu is negative", i);
        wsum += weights[i];
    }
    if (wsum == 0)
        return custops__err(CUSTOPS_EINVAL, "custops_money_allocate: all weights are zero");
    int neg = total < 0;
    __int128 t = neg ? -(__int128)total : (__int128)total;
    __int128 given = 0;
    for (size_t i = 0; i < n; i++) {
        __int128 q = t * weights[i] / wsum;
        shares[i] = (int64_t)q;
        given += q;
    }
    /* hand out the leftover units (fewer than n) one each, largest
     * remainder first, ties to the lower index */
    __int128 left = t - given;
    if (left > 0) {
        __int128 *rems = custops__calloc(n, sizeof *rems);
        if (!rems)
            return custops__nomem();
        for (size_t i = 0; i < n; i++)
            rems[i] = t * weights[i] % wsum;
        for (; left > 0; left--) {
            size_t best = 0;
            for (size_t i = 1; i < n; i++)
                if (rems[i] > rems[best])
                    best = i;
            shares[best] += 1;
            rems[best] = -1;
        }
        custops__free(rems);
    }
    if (neg)
        for (size_t i = 0; i < n; i++)
            shares[i] = -shares[i];
    return CUSTOPS_OK;
}
