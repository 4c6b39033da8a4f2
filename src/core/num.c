/* Locale-independent number parsing. strtod honours LC_NUMERIC, which a
 * host program may have set to a comma locale; money must never go through
 * a double at all. */
#include "internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

int custops__parse_i64(const char *s, size_t len, int64_t *out)
{
    size_t i = 0;
    int neg = 0;
    if (len == 0)
        return CUSTOPS_EPARSE;
    if (s[0] == '-' || s[0] == '+') {
        neg = s[0] == '-';
        i = 1;
        if (len == 1)
            return CUSTOPS_EPARSE;
    }
    uint64_t v = 0, lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    for (; i < len; i++) {
        unsigned d = (unsigned char)s[i] - '0';
        if (d > 9)
            return CUSTOPS_EPARSE;
        if (v > (lim - d) / 10)
            return CUSTOPS_ERANGE;
        v = v * 10 + d;
    }
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return CUSTOPS_OK;
}

int custops__parse_money(const char *s, size_t len, int exponent, int64_t *out)
{
    if (exponent < 0 || exponent > 4)
        return CUSTOPS_EINVAL;
    size_t i = 0;
    int neg = 0, digits = 0, decimals = -1;
    if (len && (s[0] == '-' || s[0] == '+')) {
        neg = s[0] == '-';
        i = 1;
    }
    uint64_t v = 0, lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    for (; i < len; i++) {
        char c = s[i];
        if (c == '.') {
            if (decimals >= 0)
                return CUSTOPS_EPARSE;
            decimals = 0;
            continue;
        }
        unsigned d = (unsigned char)c - '0';
        if (d > 9)
            return CUSTOPS_EPARSE;
        if (decimals >= 0 && ++decimals > exponent) {
            if (d != 0) /* trailing zeros beyond the exponent are harmless: "69.900" */
                return CUSTOPS_ERANGE;
            continue;
        }
        if (v > (lim - d) / 10)
            return CUSTOPS_ERANGE;
        v = v * 10 + d;
        digits++;
    }
    if (digits == 0)
        return CUSTOPS_EPARSE;
    for (int k = decimals < 0 ? 0 : (decimals > exponent ? exponent : decimals); k < exponent; k++) {
        if (v > lim / 10)
            return CUSTOPS_ERANGE;
        v *= 10;
    }
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return CUSTOPS_OK;
}

int custops__parse_f64(const char *s, size_t len, double *out)
{
    /* Accept [+-]digits[.digits][(e|E)[+-]digits]; build the value exactly as
     * strtod would by handing a clean copy to strtod in the "C" form: the
     * grammar check above makes the locale's decimal point irrelevant except
     * for '.', which we replace with the locale's own if needed. */
    char tmp[128];
    if (len == 0 || len >= sizeof tmp)
        return len == 0 ? CUSTOPS_EPARSE : CUSTOPS_ERANGE;
    size_t i = 0;
    int mant = 0;
    if (s[i] == '+' || s[i] == '-')
        i++;
    while (i < len && s[i] >= '0' && s[i] <= '9')
        i++, mant++;
    if (i < len && s[i] == '.') {
        i++;
        while (i < len && s[i] >= '0' && s[i] <= '9')
            i++, mant++;
    }
    if (mant == 0)
        return CUSTOPS_EPARSE;
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < len && (s[i] == '+' || s[i] == '-'))
            i++;
        int ed = 0;
        while (i < len && s[i] >= '0' && s[i] <= '9')
            i++, ed++;
        if (ed == 0)
            return CUSTOPS_EPARSE;
    }
    if (i != len)
        return CUSTOPS_EPARSE;
    memcpy(tmp, s, len);
    tmp[len] = '\0';
    char *dot = memchr(tmp, '.', len);
    if (dot) {
        /* find the current locale's radix character by formatting 1.5 */
        char probe[8];
        snprintf(probe, sizeof probe, "%.1f", 1.5);
        *dot = probe[1];
    }
    double v = strtod(tmp, NULL);
    if (!isfinite(v))
        return CUSTOPS_ERANGE;
    *out = v;
    return CUSTOPS_OK;
}
