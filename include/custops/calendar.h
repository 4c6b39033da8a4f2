/**
 * @file custops/calendar.h
 * @brief Campaign calendars: a campaign split into dated phases, each phase
 *        binding audience names to actions; "what runs now for this customer".
 * A calendar is written in a small text format. Statements begin with a
 * keyword and are written one per line by convention (line breaks are free
 * spacing); '#' starts a comment; NAME is a bare word or a "quoted string"
 * (quote a name that is a keyword):
 * @code
 * campaign "Double 11 2026" zone Asia/Shanghai
 * phase warm_up from 2026-08-25
 *   audience lapsed_vip do coupon R-101, message warmup_vip
 * phase pre_sale from 2026-09-09
 *   audience "*" do message presale_deposit
 *   audience cart_abandoners do reminder, coupon R-205
 * phase pre_heat from 2026-10-19
 * phase burst from 2026-11-11 to 2026-11-12
 *   audience "*" do coupon R-1111, message burst_now
 * phase after_sale from 2026-11-12 to 2026-11-26
 *   audience buyers do message after_sale_care
 * @endcode
 * Times are local to the campaign zone ("2026-11-11", "2026-11-11T20:00" or
 * "\"2026-11-11 20:00\""). A phase runs from its @c from up to, not
 * including, its @c to, which defaults to the next phase's @c from (the last
 * phase needs one). Phases are in time order and do not overlap. Actions are
 * @c coupon RULE_ID, @c message TEMPLATE and @c reminder [NAME]; the
 * audience "*" matches every customer. Audience names are only names here:
 * the segment module decides who belongs to them.
 * Limits: 1 MiB of text, 256 phases, 4096 bindings, 64 actions per binding,
 * 256 bytes per name. Errors read "<what>:<line>:<col>: <message>".
 */
#ifndef CUSTOPS_CALENDAR_H
#define CUSTOPS_CALENDAR_H

#include "custops/common.h"
#include "custops/frame.h"

CUSTOPS_BEGIN_DECLS

/** Opaque compiled campaign calendar (read-only once built: may be shared between threads). */
typedef struct custops_calendar custops_calendar;

/**
 * Compile a calendar from text.
 * @param out receives the calendar (caller owns it; free with custops_calendar_free); NULL on failure
 * @param text the text (need not be NUL-terminated)
 * @param len its length in bytes, at most 1 MiB
 * @param what name used in error messages (a file name), or NULL for "<calendar>"
 * @return CUSTOPS_OK, CUSTOPS_EINVAL, CUSTOPS_EPARSE (message with line:col),
 *         CUSTOPS_ENOTFOUND (unknown zone, with line:col), CUSTOPS_ELIMIT or CUSTOPS_ENOMEM
 */
CUSTOPS_API int custops_calendar_parse(custops_calendar **out, const char *text, size_t len, const char *what);

/**
 * Compile a calendar from a file (see custops_calendar_parse()).
 * @param out receives the calendar (caller owns it); NULL on failure
 * @param path the file
 * @return as custops_calendar_parse(), or CUSTOPS_ENOTFOUND (no such file) or CUSTOPS_EIO
 */
CUSTOPS_API int custops_calendar_load(custops_calendar **out, const char *path);

/**
 * Free a calendar.
 * @param cal the calendar, or NULL (no-op)
 */
CUSTOPS_API void custops_calendar_free(custops_calendar *cal);

/**
 * Campaign name.
 * @param cal the calendar
 * @return the name, borrowed from the calendar (valid until it is freed); "" for NULL
 */
CUSTOPS_API const char *custops_calendar_name(const custops_calendar *cal);

/**
 * Name of the campaign zone (as written in the text).
 * @param cal the calendar
 * @return the zone name, borrowed from the calendar; "" for NULL
 */
CUSTOPS_API const char *custops_calendar_zone_name(const custops_calendar *cal);

/**
 * The phases: columns @c phase (string), @c start and @c end (int64 UTC
 * seconds, end exclusive) and @c bindings (int64 audience lines), in time order.
 * @param out receives the frame (caller owns it)
 * @param cal the calendar
 * @return CUSTOPS_OK, CUSTOPS_EINVAL or CUSTOPS_ENOMEM
 */
CUSTOPS_API int custops_calendar_phases(custops_frame **out, const custops_calendar *cal);

/**
 * What runs at instant @p now for a customer in the given audiences.
 * Columns @c phase, @c audience, @c action ("coupon", "message" or
 * "reminder") and @c arg (rule id, template name, reminder name or ""),
 * all strings, in the order of the text; no rows outside every phase or
 * when no binding matches.
 * @param out receives the frame (caller owns it)
 * @param cal the calendar
 * @param now the instant, UTC seconds
 * @param audiences the audience names the customer belongs to (may be NULL when @p naudiences is 0)
 * @param naudiences number of names
 * @return CUSTOPS_OK, CUSTOPS_EINVAL or CUSTOPS_ENOMEM
 */
CUSTOPS_API int custops_calendar_now(custops_frame **out, const custops_calendar *cal, int64_t now,
                                     const char *const *audiences, size_t naudiences);

CUSTOPS_END_DECLS

#endif /* CUSTOPS_CALENDAR_H */
