/* Time fields of the input formats. The common shapes
 * ("2024-11-11T20:00:00+08:00", "2024-11-11 20:00:00", Unix seconds) are
 * read here without copying, because ingest reads millions of them; any
 * other shape goes to custops_time_parse(), the one reference parser, so
 * both paths accept exactly the same texts. */
#include "store_internal.h"

static int digits(const char *p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        unsigned d = (unsigned char)p[i] - '0';
        if (d > 9)
            return -1;
        v = v * 10 + (int)d;
    }
    *out = v;
    return 0;
}

static int slow(const custops_store *s, const char *p, size_t n, int64_t *out)
{
    char buf[64];
    if (n >= sizeof buf || memchr(p, '\0', n))
        return CUSTOPS_EPARSE;
    memcpy(buf, p, n);
    buf[n] = '\0';
    int saved = custops_last_status();
    (void)saved;
    return custops_time_parse(buf, s->zone, out) == 0 ? CUSTOPS_OK : CUSTOPS_EPARSE;
}

int custops__st_parse_time(const custops_store *s, const char *p, size_t n, int64_t *out)
{
    if (n == 0)
        return CUSTOPS_EPARSE;
    /* Unix seconds */
    if ((p[0] >= '0' && p[0] <= '9' && (n < 4 || p[4] != '-')) || p[0] == '-') {
        return custops__parse_i64(p, n, out) == 0 ? CUSTOPS_OK : CUSTOPS_EPARSE;
    }
    int y, mo, d, h, mi, se;
    if (n >= 19 && p[4] == '-' && p[7] == '-' && (p[10] == 'T' || p[10] == ' ') && p[13] == ':' && p[16] == ':' &&
        digits(p, 4, &y) == 0 && digits(p + 5, 2, &mo) == 0 && digits(p + 8, 2, &d) == 0 &&
        digits(p + 11, 2, &h) == 0 && digits(p + 14, 2, &mi) == 0 && digits(p + 17, 2, &se) == 0 && h < 24 &&
        mi < 60 && se < 60) {
        int32_t day;
        if (custops_date_to_day(y, mo, d, &day) != 0)
            return CUSTOPS_EPARSE;
        int32_t sod = h * 3600 + mi * 60 + se;
        const char *z = p + 19;
        size_t zn = n - 19;
        if (zn == 0) { /* naive: local time in the store's zone */
            return custops_zone_instant(s->zone, day, sod, out) == 0 ? CUSTOPS_OK : CUSTOPS_EPARSE;
        }
        int oh, om;
        if (zn == 1 && z[0] == 'Z') {
            *out = (int64_t)day * 86400 + sod;
            return CUSTOPS_OK;
        }
        if (zn == 6 && (z[0] == '+' || z[0] == '-') && z[3] == ':' && digits(z + 1, 2, &oh) == 0 &&
            digits(z + 4, 2, &om) == 0 && oh <= 14 && om < 60) {
            int32_t off = oh * 3600 + om * 60;
            *out = (int64_t)day * 86400 + sod - (z[0] == '-' ? -off : off);
            return CUSTOPS_OK;
        }
    }
    return slow(s, p, n, out);
}
