/* CSV <-> frame for the analytics commands of the custops program: reads a
 * lines or events CSV with the data contract's column names into a frame
 * and prints frames as CSV. Uses only the public API (it is compiled into
 * the program, not the library). */
#ifndef CUSTOPS_CSVFRAME_H
#define CUSTOPS_CSVFRAME_H

#include <custops.h>
#include <stdio.h>

typedef enum csvf_kind {
    CSVF_INT,    /* integer */
    CSVF_CODE,   /* integer code, empty = -1 */
    CSVF_TIME,   /* Unix seconds or a date-time text (custops_time_parse in the zone) */
    CSVF_EVTYPE  /* event type: 0..6 or visit, view, cart_add, favourite, coupon_received, coupon_used, login */
} csvf_kind;

typedef struct csvf_col {
    const char *name;
    csvf_kind kind;
    int required; /* otherwise a missing column or empty field gives dflt */
    int64_t dflt;
} csvf_col;

extern const csvf_col CSVF_LINES[];
extern const size_t CSVF_NLINES;
extern const csvf_col CSVF_EVENTS[];
extern const size_t CSVF_NEVENTS;

/* Limits: 1 GiB of text, 256 columns, 4096 bytes per field. Unknown
 * columns are ignored. On failure returns a custops status and writes
 * "<what>:<line>:<col>: message" into err. */
int csvframe_parse(custops_frame **out, const char *text, size_t len, const char *what, const csvf_col *cols,
                   size_t ncols, const custops_zone *zone, char *err, size_t errcap);
int csvframe_load(custops_frame **out, const char *path, const csvf_col *cols, size_t ncols,
                  const custops_zone *zone, char *err, size_t errcap);

/* Print a frame as CSV (header, RFC 4180 quoting). */
int csvframe_print(FILE *f, const custops_frame *frame);

/* The frame to PATH (atomic, custops_frame_write_csv) or to stdout when
 * path is NULL. */
int csvframe_emit(const custops_frame *frame, const char *path);

/* A time argument: "@EPOCH" or a text for custops_time_parse in zone. */
int csvframe_time_arg(const char *text, const custops_zone *zone, int64_t *out);

#endif
