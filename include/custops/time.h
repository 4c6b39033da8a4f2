/**
 * @file custops/time.h
 * @brief Instants, calendar days and time zones, without the process clock.
 *
 * An instant is int64_t Unix seconds (UTC). A calendar day is int32_t days
 * since 1970-01-01 in some zone. Campaigns run on local days (Asia/Shanghai
 * midnight is 16:00 UTC the previous day), so every function that needs a
 * local day takes an explicit zone. The library never reads the clock or TZ.
 */
#ifndef CUSTOPS_TIME_H
#define CUSTOPS_TIME_H

#include "custops/common.h"

CUSTOPS_BEGIN_DECLS

/** Opaque time zone: a fixed offset or an IANA zone with its transitions. Read-only once made; shareable across threads. */
typedef struct custops_zone custops_zone;

/**
 * Open a time zone.
 *
 * Accepts "UTC", fixed offsets such as "+08:00" or "UTC+8", and IANA names
 * such as "Asia/Shanghai". IANA names are read from the system zoneinfo
 * directory (TZif files); where that is missing, a built-in table covers
 * common zones without daylight saving (Asia/Shanghai, Asia/Hong_Kong,
 * Asia/Taipei, Asia/Tokyo, Asia/Seoul, Asia/Singapore, Asia/Kolkata, UTC).
 * @param out receives the zone (caller owns it; free with custops_zone_free)
 * @param name the zone name
 * @return CUSTOPS_OK, CUSTOPS_EINVAL, CUSTOPS_ENOTFOUND, CUSTOPS_ECORRUPT or CUSTOPS_ENOMEM
 */
CUSTOPS_API int custops_zone_open(custops_zone **out, const char *name);

/**
 * Open a zone from TZif data in memory (RFC 8536, versions 1 to 4).
 * @param out receives the zone (caller owns it)
 * @param name name to report for the zone (copied)
 * @param data the TZif bytes
 * @param len number of bytes
 * @return CUSTOPS_OK, CUSTOPS_EINVAL, CUSTOPS_ECORRUPT or CUSTOPS_ENOMEM
 */
CUSTOPS_API int custops_zone_from_tzif(custops_zone **out, const char *name,
                                       const void *data, size_t len);

/**
 * Free a zone.
 * @param zone the zone, or NULL (no-op)
 */
CUSTOPS_API void custops_zone_free(custops_zone *zone);

/**
 * Name the zone was opened with.
 * @param zone the zone
 * @return borrowed string valid until the zone is freed; "" for NULL
 */
CUSTOPS_API const char *custops_zone_name(const custops_zone *zone);

/**
 * UTC offset in seconds in force at an instant (east positive: +28800 for Shanghai).
 * @param zone the zone
 * @param instant Unix seconds
 * @param offset_out receives the offset
 * @return CUSTOPS_OK or CUSTOPS_EINVAL
 */
CUSTOPS_API int custops_zone_offset(const custops_zone *zone, int64_t instant, int32_t *offset_out);

/**
 * Local calendar day and second of day of an instant.
 * @param zone the zone
 * @param instant Unix seconds
 * @param day_out receives days since 1970-01-01 in the zone (may be NULL)
 * @param second_of_day_out receives 0..86399 (may be NULL)
 * @return CUSTOPS_OK or CUSTOPS_EINVAL
 */
CUSTOPS_API int custops_zone_local(const custops_zone *zone, int64_t instant,
                                   int32_t *day_out, int32_t *second_of_day_out);

/**
 * Instant of a local wall-clock time. In a gap (spring forward) the wall time
 * is read with the offset before the gap; in an overlap (fall back) the
 * earlier instant is returned.
 * @param zone the zone
 * @param day local day (days since 1970-01-01)
 * @param second_of_day 0..86399
 * @param instant_out receives Unix seconds
 * @return CUSTOPS_OK or CUSTOPS_EINVAL
 */
CUSTOPS_API int custops_zone_instant(const custops_zone *zone, int32_t day, int32_t second_of_day,
                                     int64_t *instant_out);

/**
 * Days since 1970-01-01 of a proleptic Gregorian date.
 * @param year year (-9999..9999)
 * @param month 1..12
 * @param mday 1..days in month
 * @param day_out receives the day number
 * @return CUSTOPS_OK or CUSTOPS_EINVAL (no such date)
 */
CUSTOPS_API int custops_date_to_day(int year, int month, int mday, int32_t *day_out);

/**
 * Proleptic Gregorian date of a day number.
 * @param day days since 1970-01-01
 * @param year_out receives the year (may be NULL)
 * @param month_out receives 1..12 (may be NULL)
 * @param mday_out receives 1..31 (may be NULL)
 */
CUSTOPS_API void custops_day_to_date(int32_t day, int *year_out, int *month_out, int *mday_out);

/**
 * Day of week of a day number: 0 = Monday .. 6 = Sunday (ISO order).
 * @param day days since 1970-01-01
 * @return 0..6
 */
CUSTOPS_API int custops_day_weekday(int32_t day);

/**
 * Parse a date or date-time: "2024-11-11", "2024-11-11 20:00", "2024-11-11T20:00:00",
 * optionally followed by "Z" or an offset "+08:00". Without an offset the text
 * is local time in @p zone (UTC if zone is NULL).
 * @param text the text
 * @param zone zone for texts without an offset, or NULL for UTC
 * @param instant_out receives Unix seconds
 * @return CUSTOPS_OK, CUSTOPS_EINVAL or CUSTOPS_EPARSE (the message gives the column)
 */
CUSTOPS_API int custops_time_parse(const char *text, const custops_zone *zone, int64_t *instant_out);

/**
 * Format an instant as ISO 8601 local time with offset, "2024-11-11T00:00:00+08:00".
 * @param instant Unix seconds
 * @param zone the zone, or NULL for UTC ("...Z")
 * @param buf output buffer
 * @param cap size of @p buf; 32 bytes always suffice
 * @return CUSTOPS_OK, CUSTOPS_EINVAL or CUSTOPS_ERANGE (buffer too small)
 */
CUSTOPS_API int custops_time_format(int64_t instant, const custops_zone *zone, char *buf, size_t cap);

CUSTOPS_END_DECLS

#endif /* CUSTOPS_TIME_H */
