/* Time zones without the process clock or TZ: fixed offsets, TZif files
 * (RFC 8536) with their POSIX-TZ footer for instants past the last
 * transition, and a small built-in table for machines without tzdata. */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>

#define ZONEINFO_DIR "/usr/share/zoneinfo/"
#define TZIF_LIMIT (1u << 20)

typedef struct posix_rule {
    int kind;       /* 'M' month.week.day, 'J' julian 1..365 no leap, 'D' zero-based day 0..365 */
    int month, week, wday, yday;
    int32_t time;   /* seconds after local midnight, may be negative or > 24h */
} posix_rule;

struct custops_zone {
    char *name;
    int64_t *trans;   /* transition instants, ascending */
    int32_t *offs;    /* offset in force from trans[i] on */
    size_t ntrans;
    int32_t initial;  /* offset before the first transition */
    /* footer rule, used after the last transition */
    int has_rule, has_dst;
    int32_t std_off, dst_off;
    posix_rule start, end;
};

/* ---- civil calendar (days from civil, after H. Hinnant's public algorithm) ---- */

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int *y, int *m, int *d)
{
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = (unsigned)(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int64_t yy = (int64_t)yoe + era * 400;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    const unsigned dd = doy - (153 * mp + 2) / 5 + 1;
    const unsigned mm = mp < 10 ? mp + 3 : mp - 9;
    *y = (int)(yy + (mm <= 2));
    *m = (int)mm;
    *d = (int)dd;
}

static int is_leap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static int month_days(int64_t y, int m)
{
    static const int md[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : md[m - 1];
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

int custops_date_to_day(int year, int month, int mday, int32_t *day_out)
{
    CUSTOPS__CHECK_NULL(day_out);
    if (year < -9999 || year > 9999 || month < 1 || month > 12 || mday < 1 || mday > month_days(year, month))
        return custops__err(CUSTOPS_EINVAL, "%04d-%02d-%02d is not a valid date", year, month, mday);
    *day_out = (int32_t)days_from_civil(year, (unsigned)month, (unsigned)mday);
    return CUSTOPS_OK;
}

void custops_day_to_date(int32_t day, int *y, int *m, int *d)
{
    int yy, mm, dd;
    civil_from_days(day, &yy, &mm, &dd);
    if (y)
        *y = yy;
    if (m)
        *m = mm;
    if (d)
        *d = dd;
}

int custops_day_weekday(int32_t day)
{
    /* 1970-01-01 was a Thursday (3 in Monday=0 order) */
    int64_t w = ((int64_t)day + 3) % 7;
    return (int)(w < 0 ? w + 7 : w);
}

/* ---- offsets ---- */

static int64_t rule_local_time(const posix_rule *r, int64_t year)
{
    int64_t day;
    if (r->kind == 'M') {
        int64_t first = days_from_civil(year, (unsigned)r->month, 1);
        int fw = custops_day_weekday((int32_t)first);          /* Monday = 0 */
        int want = (r->wday + 6) % 7;                             /* POSIX Sunday = 0 */
        int64_t d = first + ((want - fw + 7) % 7);
        d += 7 * (r->week - 1);
        int64_t last = first + month_days(year, r->month) - 1;
        while (d > last) /* week 5 means "last" */
            d -= 7;
        day = d;
    } else if (r->kind == 'J') {
        int n = r->yday; /* 1..365, Feb 29 never counted */
        day = days_from_civil(year, 1, 1) + n - 1 + (is_leap(year) && n >= 60 ? 1 : 0);
    } else {
        day = days_from_civil(year, 1, 1) + r->yday;
    }
    return day * 86400 + r->time;
}

static int32_t rule_offset(const custops_zone *z, int64_t t)
{
    if (!z->has_dst)
        return z->std_off;
    int y, m, d;
    civil_from_days(floor_div(t + z->std_off, 86400), &y, &m, &d);
    int64_t start = rule_local_time(&z->start, y) - z->std_off; /* starts on standard time */
    int64_t end = rule_local_time(&z->end, y) - z->dst_off;     /* ends on daylight time */
    int in_dst = start < end ? (t >= start && t < end) : !(t >= end && t < start);
    return in_dst ? z->dst_off : z->std_off;
}

static int32_t offset_at(const custops_zone *z, int64_t t)
{
    if (z->ntrans == 0 || t < z->trans[0])
        return z->ntrans == 0 && z->has_rule ? rule_offset(z, t) : z->initial;
    if (t >= z->trans[z->ntrans - 1] && z->has_rule)
        return rule_offset(z, t);
    size_t lo = 0, hi = z->ntrans; /* last i with trans[i] <= t */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (z->trans[mid] <= t)
            lo = mid;
        else
            hi = mid;
    }
    return z->offs[lo];
}

int custops_zone_offset(const custops_zone *z, int64_t t, int32_t *off)
{
    CUSTOPS__CHECK_NULL(z);
    CUSTOPS__CHECK_NULL(off);
    *off = offset_at(z, t);
    return CUSTOPS_OK;
}

int custops_zone_local(const custops_zone *z, int64_t t, int32_t *day_out, int32_t *sod_out)
{
    CUSTOPS__CHECK_NULL(z);
    if (t > INT64_MAX / 2 || t < INT64_MIN / 2)
        return custops__err(CUSTOPS_ERANGE, "instant %lld is out of range", (long long)t);
    int64_t local = t + offset_at(z, t);
    int64_t day = floor_div(local, 86400);
    if (day > INT32_MAX || day < INT32_MIN)
        return custops__err(CUSTOPS_ERANGE, "instant %lld is out of the day range", (long long)t);
    if (day_out)
        *day_out = (int32_t)day;
    if (sod_out)
        *sod_out = (int32_t)(local - day * 86400);
    return CUSTOPS_OK;
}

int custops_zone_instant(const custops_zone *z, int32_t day, int32_t sod, int64_t *out)
{
    CUSTOPS__CHECK_NULL(z);
    CUSTOPS__CHECK_NULL(out);
    if (sod < 0 || sod >= 86400)
        return custops__err(CUSTOPS_EINVAL, "second of day %d is outside 0..86399", sod);
    int64_t local = (int64_t)day * 86400 + sod;
    /* offsets a day either side bracket any single transition */
    int32_t oa = offset_at(z, local - 86400 * 2), ob = offset_at(z, local + 86400 * 2);
    int64_t ta = local - oa, tb = local - ob;
    int va = offset_at(z, ta) == oa, vb = offset_at(z, tb) == ob;
    if (va && vb)
        *out = ta < tb ? ta : tb;
    else if (vb)
        *out = tb;
    else
        *out = ta; /* valid, or in a gap: read with the offset before the gap */
    return CUSTOPS_OK;
}

/* ---- construction ---- */

static int zone_alloc(custops_zone **out, const char *name)
{
    custops_zone *z = custops__calloc(1, sizeof *z);
    if (!z || !(z->name = custops__strdup(name))) {
        custops__free(z);
        return custops__nomem();
    }
    *out = z;
    return CUSTOPS_OK;
}

void custops_zone_free(custops_zone *z)
{
    if (!z)
        return;
    custops__free(z->name);
    custops__free(z->trans);
    custops__free(z->offs);
    custops__free(z);
}

const char *custops_zone_name(const custops_zone *z) { return z ? z->name : ""; }

/* "+08:00", "-0530", "+8", "+08" -> seconds east. Returns length used or 0. */
static size_t parse_iso_offset(const char *s, int32_t *off)
{
    if (s[0] != '+' && s[0] != '-')
        return 0;
    int sign = s[0] == '-' ? -1 : 1;
    size_t i = 1;
    int h = 0, m = 0, nd = 0;
    while (s[i] >= '0' && s[i] <= '9' && nd < 2)
        h = h * 10 + (s[i++] - '0'), nd++;
    if (nd == 0)
        return 0;
    if (s[i] == ':')
        i++;
    if (s[i] >= '0' && s[i] <= '9' && s[i + 1] >= '0' && s[i + 1] <= '9') {
        m = (s[i] - '0') * 10 + (s[i + 1] - '0');
        i += 2;
    }
    if (h > 14 || m > 59)
        return 0;
    *off = sign * (h * 3600 + m * 60);
    return i;
}

/* POSIX TZ pieces */
static const char *p_name(const char *s)
{
    if (*s == '<') {
        const char *e = strchr(s, '>');
        return e ? e + 1 : NULL;
    }
    const char *b = s;
    while ((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z'))
        s++;
    return s - b >= 3 ? s : NULL;
}

/* Up to max_digits decimal digits; NULL if none. */
static const char *p_uint(const char *s, int max_digits, int *v)
{
    int x = 0, n = 0;
    while (*s >= '0' && *s <= '9') {
        if (++n > max_digits)
            return NULL;
        x = x * 10 + (*s++ - '0');
    }
    if (n == 0)
        return NULL;
    *v = x;
    return s;
}

static const char *p_hms(const char *s, int32_t *secs, int max_h)
{
    int sign = 1;
    if (*s == '+' || *s == '-')
        sign = *s++ == '-' ? -1 : 1;
    int h = 0, m = 0, sec = 0;
    if (!(s = p_uint(s, 3, &h)) || h > max_h)
        return NULL;
    if (*s == ':') {
        if (!(s = p_uint(s + 1, 2, &m)))
            return NULL;
        if (*s == ':' && !(s = p_uint(s + 1, 2, &sec)))
            return NULL;
    }
    if (m > 59 || sec > 59)
        return NULL;
    *secs = sign * (h * 3600 + m * 60 + sec);
    return s;
}

static const char *p_rule(const char *s, posix_rule *r)
{
    r->time = 7200;
    if (*s == 'M') {
        r->kind = 'M';
        s++;
        if (!(s = p_uint(s, 2, &r->month)) || *s++ != '.' || !(s = p_uint(s, 1, &r->week)) || *s++ != '.' ||
            !(s = p_uint(s, 1, &r->wday)))
            return NULL;
        if (r->month < 1 || r->month > 12 || r->week < 1 || r->week > 5 || r->wday < 0 || r->wday > 6)
            return NULL;
    } else if (*s == 'J') {
        r->kind = 'J';
        s++;
        if (!(s = p_uint(s, 3, &r->yday)) || r->yday < 1 || r->yday > 365)
            return NULL;
    } else if (*s >= '0' && *s <= '9') {
        r->kind = 'D';
        if (!(s = p_uint(s, 3, &r->yday)) || r->yday > 365)
            return NULL;
    } else {
        return NULL;
    }
    if (*s == '/')
        s = p_hms(s + 1, &r->time, 167);
    return s;
}

static int parse_posix_tz(custops_zone *z, const char *s)
{
    int32_t off;
    if (!(s = p_name(s)) || !(s = p_hms(s, &off, 24)))
        return -1;
    z->std_off = -off;
    z->has_rule = 1;
    if (*s == '\0')
        return 0;
    if (!(s = p_name(s)))
        return -1;
    z->dst_off = z->std_off + 3600;
    if (*s && *s != ',') {
        if (!(s = p_hms(s, &off, 24)))
            return -1;
        z->dst_off = -off;
    }
    if (*s != ',' || !(s = p_rule(s + 1, &z->start)) || *s != ',' || !(s = p_rule(s + 1, &z->end)) || *s)
        return -1;
    z->has_dst = 1;
    return 0;
}

static uint32_t be32(const unsigned char *p) { return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }
static int64_t be64(const unsigned char *p) { return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4)); }

int custops_zone_from_tzif(custops_zone **out, const char *name, const void *data, size_t len)
{
    CUSTOPS__CHECK_NULL(out);
    *out = NULL;
    CUSTOPS__CHECK_NULL(name);
    CUSTOPS__CHECK_NULL(data);
    const unsigned char *p = data, *end = p + len;
    uint32_t cnt[6];
    int version = 0;
    /* v1 block, then for v2+ a second header with 64-bit times */
    for (int pass = 0; pass < 2; pass++) {
        if ((size_t)(end - p) < 44 || memcmp(p, "TZif", 4) != 0)
            return custops__err(CUSTOPS_ECORRUPT, "%s: not TZif data", name);
        if (pass == 0)
            version = p[4] ? p[4] - '0' : 1;
        for (int i = 0; i < 6; i++)
            cnt[i] = be32(p + 20 + 4 * i);
        p += 44;
        size_t tsz = pass == 0 ? 4 : 8;
        /* isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt */
        uint64_t need = (uint64_t)cnt[3] * tsz + cnt[3] + (uint64_t)cnt[4] * 6 + cnt[5] + (uint64_t)cnt[2] * (tsz + 4) +
                        cnt[1] + cnt[0];
        if (cnt[4] == 0 || need > (uint64_t)(end - p))
            return custops__err(CUSTOPS_ECORRUPT, "%s: TZif block truncated", name);
        if (pass == 0 && version >= 2) {
            p += need;
            continue;
        }
        const unsigned char *times = p, *idx = p + cnt[3] * tsz, *types = idx + cnt[3];
        custops_zone *z = NULL;
        int rc = zone_alloc(&z, name);
        if (rc)
            return rc;
        z->ntrans = cnt[3];
        z->trans = custops__calloc(cnt[3] ? cnt[3] : 1, sizeof *z->trans);
        z->offs = custops__calloc(cnt[3] ? cnt[3] : 1, sizeof *z->offs);
        if (!z->trans || !z->offs) {
            custops_zone_free(z);
            return custops__nomem();
        }
        for (uint32_t i = 0; i < cnt[3]; i++) {
            z->trans[i] = tsz == 4 ? (int64_t)(int32_t)be32(times + 4 * i) : be64(times + 8 * i);
            if (idx[i] >= cnt[4] || (i && z->trans[i] <= z->trans[i - 1])) {
                custops_zone_free(z);
                return custops__err(CUSTOPS_ECORRUPT, "%s: bad transition %u", name, i);
            }
            z->offs[i] = (int32_t)be32(types + 6 * idx[i]);
        }
        z->initial = (int32_t)be32(types);
        p += need;
        if (pass == 1 && p < end && *p == '\n') {
            const unsigned char *nl = memchr(p + 1, '\n', (size_t)(end - p - 1));
            if (nl && nl > p + 1) {
                char tz[128];
                size_t n = (size_t)(nl - p - 1);
                if (n < sizeof tz) {
                    memcpy(tz, p + 1, n);
                    tz[n] = '\0';
                    if (parse_posix_tz(z, tz) != 0) {
                        custops_zone_free(z);
                        return custops__err(CUSTOPS_ECORRUPT, "%s: cannot read footer rule '%s'", name, tz);
                    }
                }
            }
        }
        *out = z;
        return CUSTOPS_OK;
    }
    return custops__err(CUSTOPS_ECORRUPT, "%s: TZif data incomplete", name);
}

static const struct { const char *name; int32_t off; } BUILTIN[] = {
    {"UTC", 0}, {"Etc/UTC", 0}, {"GMT", 0}, {"Asia/Shanghai", 28800}, {"Asia/Chongqing", 28800},
    {"Asia/Hong_Kong", 28800}, {"Asia/Macau", 28800}, {"Asia/Taipei", 28800}, {"Asia/Singapore", 28800},
    {"Asia/Kuala_Lumpur", 28800}, {"Asia/Manila", 28800}, {"Asia/Tokyo", 32400}, {"Asia/Seoul", 32400},
    {"Asia/Kolkata", 19800}, {"Asia/Bangkok", 25200}, {"Asia/Jakarta", 25200}, {"Asia/Dubai", 14400},
};

static int fixed_zone(custops_zone **out, const char *name, int32_t off)
{
    int rc = zone_alloc(out, name);
    if (rc == 0) {
        (*out)->initial = off;
        (*out)->std_off = off;
    }
    return rc;
}

int custops_zone_open(custops_zone **out, const char *name)
{
    CUSTOPS__CHECK_NULL(out);
    *out = NULL;
    CUSTOPS__CHECK_NULL(name);
    int32_t off;
    const char *s = name;
    if (strcmp(s, "Z") == 0 || strcmp(s, "UTC") == 0 || strcmp(s, "GMT") == 0)
        return fixed_zone(out, name, 0);
    if (strncmp(s, "UTC", 3) == 0 || strncmp(s, "GMT", 3) == 0)
        s += 3;
    size_t n = parse_iso_offset(s, &off);
    if (n && s[n] == '\0')
        return fixed_zone(out, name, off);
    /* IANA name: letters, digits, '/', '_', '-', '+'; no "..", no leading '/' */
    size_t len = strlen(name);
    if (len == 0 || len > 64 || name[0] == '/' || strstr(name, ".."))
        return custops__err(CUSTOPS_EINVAL, "'%s' is not a zone name", name);
    for (size_t i = 0; i < len; i++) {
        char c = name[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '/' || c == '_' ||
              c == '-' || c == '+'))
            return custops__err(CUSTOPS_EINVAL, "'%s' is not a zone name", name);
    }
    char path[sizeof ZONEINFO_DIR + 64];
    snprintf(path, sizeof path, "%s%s", ZONEINFO_DIR, name);
    void *data;
    size_t dlen;
    int rc = custops__read_file(path, TZIF_LIMIT, &data, &dlen);
    if (rc == 0) {
        rc = custops_zone_from_tzif(out, name, data, dlen);
        custops__free(data);
        return rc;
    }
    for (size_t i = 0; i < sizeof BUILTIN / sizeof BUILTIN[0]; i++)
        if (strcmp(BUILTIN[i].name, name) == 0)
            return fixed_zone(out, name, BUILTIN[i].off);
    return custops__err(CUSTOPS_ENOTFOUND, "unknown time zone '%s' (no %s and not built in)", name, path);
}

/* ---- text ---- */

static int digits(const char *s, int n, int *v)
{
    int x = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        x = x * 10 + (s[i] - '0');
    }
    *v = x;
    return 0;
}

int custops_time_parse(const char *text, const custops_zone *zone, int64_t *out)
{
    CUSTOPS__CHECK_NULL(text);
    CUSTOPS__CHECK_NULL(out);
    const char *s = text;
    int y, mo, d, h = 0, mi = 0, se = 0;
    size_t len = strlen(s);
    if (len < 10 || digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &mo) || s[7] != '-' || digits(s + 8, 2, &d))
        return custops__err(CUSTOPS_EPARSE, "'%s':1:1: expected a date YYYY-MM-DD", text);
    int32_t day;
    if (mo < 1 || mo > 12 || d < 1 || d > month_days(y, mo))
        return custops__err(CUSTOPS_EPARSE, "'%s':1:6: no such date", text);
    day = (int32_t)days_from_civil(y, (unsigned)mo, (unsigned)d);
    s += 10;
    if (*s == 'T' || *s == ' ') {
        s++;
        if (digits(s, 2, &h) || s[2] != ':' || digits(s + 3, 2, &mi))
            return custops__err(CUSTOPS_EPARSE, "'%s':1:%d: expected a time HH:MM[:SS]", text, (int)(s - text) + 1);
        s += 5;
        if (*s == ':') {
            if (digits(s + 1, 2, &se))
                return custops__err(CUSTOPS_EPARSE, "'%s':1:%d: expected seconds", text, (int)(s - text) + 2);
            s += 3;
            if (*s == '.') /* fractional seconds are dropped: instants are whole seconds */
                for (s++; *s >= '0' && *s <= '9'; s++)
                    ;
        }
        if (h > 23 || mi > 59 || se > 60)
            return custops__err(CUSTOPS_EPARSE, "'%s': time of day out of range", text);
        if (se == 60)
            se = 59; /* leap second: clamp, Unix time has none */
    }
    int64_t local = (int64_t)day * 86400 + h * 3600 + mi * 60 + se;
    if (*s == '\0') {
        if (!zone) {
            *out = local;
            return CUSTOPS_OK;
        }
        return custops_zone_instant(zone, day, (int32_t)(local - (int64_t)day * 86400), out);
    }
    int32_t off = 0;
    size_t n = 0;
    if (*s == 'Z')
        n = 1;
    else
        n = parse_iso_offset(s, &off);
    if (n == 0 || s[n] != '\0')
        return custops__err(CUSTOPS_EPARSE, "'%s':1:%d: expected end of text, 'Z' or an offset such as +08:00", text,
                            (int)(s - text) + 1);
    *out = local - off;
    return CUSTOPS_OK;
}

int custops_time_format(int64_t t, const custops_zone *zone, char *buf, size_t cap)
{
    CUSTOPS__CHECK_NULL(buf);
    int32_t off = zone ? offset_at(zone, t) : 0;
    int64_t local = t + off, day = floor_div(local, 86400), sod = local - day * 86400;
    int y, m, d;
    civil_from_days(day, &y, &m, &d);
    int n;
    if (!zone)
        n = snprintf(buf, cap, "%04d-%02d-%02dT%02d:%02d:%02dZ", y, m, d, (int)(sod / 3600), (int)(sod / 60 % 60),
                     (int)(sod % 60));
    else
        n = snprintf(buf, cap, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d", y, m, d, (int)(sod / 3600),
                     (int)(sod / 60 % 60), (int)(sod % 60), off < 0 ? '-' : '+', abs(off) / 3600, abs(off) / 60 % 60);
    if (n < 0 || (size_t)n >= cap)
        return custops__err(CUSTOPS_ERANGE, "buffer of %zu bytes too small for a time stamp", cap);
    return CUSTOPS_OK;
}
