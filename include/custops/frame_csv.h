/**
 * @file custops/frame_csv.h
 * @brief Reading a CSV file (header row) into a frame, with column types inferred.
 */
#ifndef CUSTOPS_FRAME_CSV_H
#define CUSTOPS_FRAME_CSV_H

#include "custops/common.h"
#include "custops/frame.h"
#include "custops/time.h"

CUSTOPS_BEGIN_DECLS

/**
 * Read a CSV file with a header row into a frame (RFC 4180: fields may be
 * quoted with "", doubled quotes inside; LF or CRLF line ends; a final
 * empty line is ignored).
 *
 * Each column's type is inferred from its non-empty cells: all integers
 * gives int64 (empty cells -1, the contract's "none"); all numbers gives
 * double (empty, "nan", "NA" are NaN); all dates or date-times
 * (2024-05-30, 2024-05-30T10:00:00, with optional offset) gives int64 Unix
 * seconds, read in @p zone when they carry no offset (empty cells -1);
 * anything else gives a string column. A column with only empty cells is text.
 * @param out receives the frame (caller owns it; free with custops_frame_free)
 * @param path the file (at most 2 GiB, 4096 columns)
 * @param zone zone for date-times without an offset, or NULL for UTC
 * @return CUSTOPS_OK, CUSTOPS_EINVAL, CUSTOPS_ENOTFOUND, CUSTOPS_EIO,
 *         CUSTOPS_EPARSE ("PATH:LINE:COL: expected 5 fields but found 6", an
 *         unterminated quote, an empty or duplicate header), CUSTOPS_ELIMIT or CUSTOPS_ENOMEM
 */
CUSTOPS_API int custops_frame_read_csv(custops_frame **out, const char *path, const custops_zone *zone);

/**
 * Same as custops_frame_read_csv() over text in memory.
 * @param out receives the frame (caller owns it)
 * @param text the CSV text (need not be NUL-terminated)
 * @param len its length in bytes
 * @param what name used in error messages ("PATH:LINE:COL: ...")
 * @param zone zone for date-times without an offset, or NULL for UTC
 * @return as custops_frame_read_csv()
 */
CUSTOPS_API int custops_frame_parse_csv(custops_frame **out, const char *text, size_t len, const char *what,
                                        const custops_zone *zone);

CUSTOPS_END_DECLS

#endif /* CUSTOPS_FRAME_CSV_H */
