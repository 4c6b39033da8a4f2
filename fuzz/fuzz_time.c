/* Fuzz the core text and binary parsers: dates/times, money amounts and
 * TZif zone data. Any input must give a status, never a crash or leak. */
#include "custops.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    if (size == 0)
        return 0;
    /* first byte picks the parser */
    unsigned char which = data[0] % 3;
    data++;
    size--;
    if (which == 2) {
        custops_zone *z = NULL;
        if (custops_zone_from_tzif(&z, "fuzz", data, size) == CUSTOPS_OK) {
            int32_t off, day, sod;
            int64_t t;
            custops_zone_offset(z, 0, &off);
            custops_zone_offset(z, 4102444800LL, &off);
            custops_zone_local(z, -2208988800LL, &day, &sod);
            custops_zone_instant(z, 20000, 3600, &t);
            custops_zone_free(z);
        }
        return 0;
    }
    char *s = malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    if (which == 0) {
        int64_t t;
        custops_zone *z = NULL;
        if (custops_zone_open(&z, "Asia/Shanghai") == CUSTOPS_OK) {
            if (custops_time_parse(s, z, &t) == CUSTOPS_OK) {
                char buf[64];
                custops_time_format(t, z, buf, sizeof buf);
            }
            custops_zone_free(z);
        }
    } else {
        int64_t v;
        for (int e = 0; e <= 4; e++)
            if (custops_money_parse(s, e, &v) == CUSTOPS_OK) {
                char buf[40];
                custops_money_format(v, e, buf, sizeof buf);
            }
    }
    free(s);
    return 0;
}
