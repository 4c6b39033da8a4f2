/* What the CSV and JSON Lines readers share: a parsed row (field slices
 * pointing into the input or a scratch buffer, plus where each field
 * starts, for line:column messages), the per-call ingest state, and the
 * row -> record conversion that both formats go through. */
#ifndef CUSTOPS_STORE_INGEST_INTERNAL_H
#define CUSTOPS_STORE_INGEST_INTERNAL_H

#include "store_internal.h"

typedef struct st_row {
    /* [ST_F_COUNT] is no field: the CSV reader writes the columns it does
     * not use there, instead of testing each column for use */
    st_str f[ST_F_COUNT + 1];
    const char *pos[ST_F_COUNT + 1]; /* start of each field in the text, NULL when absent */
    const char *line_start;      /* start of the physical line holding the row start */
    const char *row_start;
    int line;
    int hashed; /* hashes: order and customer id hashes from the prefetch */
    uint64_t hashes[2];
    int nul_free; /* the reader found no NUL byte in the row */
    /* plain: the CSV reader split the row without quotes, so a field starts
     * where its text does and pos[] was not written (st_row_pos) */
    int plain;
    /* same_head: order, customer and time hold the same bytes as in the row
     * read just before (CSV, plain rows); if that row was accepted, this one
     * belongs to the same order with the same customer and time */
    int same_head;
} st_row;

/* where field f starts in the text, NULL when absent */
static inline const char *st_row_pos(const st_row *r, int f) { return r->plain ? r->f[f].p : r->pos[f]; }

typedef struct st_ingest {
    custops_store *s;
    custops_ingest_opts o;
    const char *name;
    const char *text;
    size_t len;
    custops_ingest_result res;
    st_table stage; /* staged customer records */
    st_mark mark;
    /* rejected rows */
    int64_t *rline, *rcol;
    char **rmsg;
    size_t nrej, rcap;
    uint64_t next_progress;
    /* the last time text parsed and its instant: lines of one order repeat
     * it, and parsing depends only on the text and the store's zone */
    char last_time[32];
    size_t last_time_n; /* 0: none */
    int64_t last_time_v;
    /* the row applied last was an accepted order line, at this time (a
     * following row with the same head, st_row.same_head, is its order's) */
    int prev_line_ok;
    int64_t prev_line_time;
    char msg[640];
} st_ingest;

/* the four kinds: which fields they take and which they require */
int custops__st_kind_allows(int kind, int field);
int custops__st_kind_requires(int kind, int field);
int custops__st_field_id(const char *p, size_t n); /* -1 if unknown */

/* Convert and apply one row. Returns 0, CUSTOPS_EPARSE for a bad row (the
 * reject is recorded, or under fail-fast the error is set), or a fatal
 * status (CUSTOPS_ENOMEM, CUSTOPS_ELIMIT) with its message. */
int custops__st_apply_row(st_ingest *g, int kind, st_row *row);
/* A bad row at (line, col): records it under SKIP (returns 0 to go on) or
 * sets the error under FAIL_FAST (returns CUSTOPS_EPARSE). */
int custops__st_row_error(st_ingest *g, int line, int col, const char *fmt, ...) CUSTOPS__PRINTF(4, 5);
/* A fatal format error (bad header, unterminated quote, limits). */
int custops__st_fatal(st_ingest *g, int status, int line, int col, const char *fmt, ...) CUSTOPS__PRINTF(5, 6);
void custops__st_progress(st_ingest *g, const char *pos);

typedef int (*st_parse_fn)(st_ingest *g);
/* The driver: options, marks, staging, commit or rollback, rejects frame. */
int custops__st_ingest_run(custops_store *s, const char *data, size_t len, const char *name,
                           const custops_ingest_opts *opts, custops_ingest_result *result,
                           custops_frame **rejects_out, st_parse_fn parse);
int custops__st_ingest_file(custops_store *s, const char *path, const custops_ingest_opts *opts,
                            custops_ingest_result *result, custops_frame **rejects_out, st_parse_fn parse);

int custops__st_parse_csv(st_ingest *g);
int custops__st_parse_jsonl(st_ingest *g);

#endif
