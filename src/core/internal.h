/*
 * Private core services shared by every module: allocation through the
 * hook, error reporting, growable byte buffers, string interning, the
 * save-file framing and the text scanner. Nothing here is exported; every
 * name starts with custops__ (double underscore).
 *
 * Modules include this header and their own private headers, never another
 * module's private header: what two modules share moves down into core.
 */
#ifndef CUSTOPS_CORE_INTERNAL_H
#define CUSTOPS_CORE_INTERNAL_H

#include "custops.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#if defined(__GNUC__)
#define CUSTOPS__PRINTF(a, b) __attribute__((format(printf, a, b)))
#define CUSTOPS__LIKELY(x) __builtin_expect(!!(x), 1)
#define CUSTOPS__UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define CUSTOPS__PRINTF(a, b)
#define CUSTOPS__LIKELY(x) (x)
#define CUSTOPS__UNLIKELY(x) (x)
#endif

/* ---- allocation (alloc.c): everything goes through the hook ---- */
void *custops__malloc(size_t size);
void *custops__calloc(size_t n, size_t size);             /* zeroed, overflow-checked */
void *custops__realloc(void *ptr, size_t size);
void *custops__reallocarray(void *ptr, size_t n, size_t size); /* overflow-checked */
void custops__free(void *ptr);
char *custops__strdup(const char *s);
char *custops__strndup(const char *s, size_t n);

/* Grow *ptr (an array of elem-size items with capacity *cap) to hold at least
 * need items, doubling (by a quarter past 64 MiB). Returns 0 or
 * CUSTOPS_ENOMEM (with message). */
int custops__grow(void **ptr, size_t *cap, size_t need, size_t elem);
/* the capacity custops__grow picks for need elements of elem bytes, from
 * cap (or first when cap is 0); 0 when it would not fit in size_t */
size_t custops__grow_cap(size_t cap, size_t need, size_t elem, size_t first);
#define CUSTOPS__GROW(arr, cap, need) custops__grow((void **)&(arr), &(cap), (need), sizeof(*(arr)))

/* ---- errors (status.c) ---- */
/* Record status and a formatted message for the calling thread; returns status. */
int custops__err(int status, const char *fmt, ...) CUSTOPS__PRINTF(2, 3);
int custops__verr(int status, const char *fmt, va_list ap);
/* Prefix the current message with more context ("file.csv: " + message). */
void custops__err_prefix(const char *fmt, ...) CUSTOPS__PRINTF(1, 2);
/* The out-of-memory failure with a standard message. */
int custops__nomem(void);

/* Argument checks used at every API boundary. */
#define CUSTOPS__CHECK_NULL(p)                                                     \
    do {                                                                           \
        if (CUSTOPS__UNLIKELY((p) == NULL))                                        \
            return custops__err(CUSTOPS_EINVAL, "%s: argument '%s' is NULL", __func__, #p); \
    } while (0)

/* ---- byte buffer for building save files and text (buf.c) ---- */
typedef struct custops__buf {
    unsigned char *data;
    size_t len, cap;
    int failed; /* sticky: set once an append ran out of memory */
} custops__buf;

void custops__buf_init(custops__buf *b);
void custops__buf_release(custops__buf *b);
int custops__buf_append(custops__buf *b, const void *data, size_t n);
int custops__buf_puts(custops__buf *b, const char *s);
int custops__buf_printf(custops__buf *b, const char *fmt, ...) CUSTOPS__PRINTF(2, 3);
int custops__buf_u8(custops__buf *b, uint8_t v);
int custops__buf_u32(custops__buf *b, uint32_t v);    /* little endian */
int custops__buf_u64(custops__buf *b, uint64_t v);    /* little endian */
int custops__buf_i64(custops__buf *b, int64_t v);
int custops__buf_f64(custops__buf *b, double v);      /* IEEE bits, little endian */
int custops__buf_str(custops__buf *b, const char *s); /* u32 length + bytes */
/* 0 if no append failed, else CUSTOPS_ENOMEM with message. */
int custops__buf_status(const custops__buf *b);

/* Bounds-checked reader over a byte range; every getter returns
 * CUSTOPS_ECORRUPT (with message) instead of reading past the end. */
typedef struct custops__rd {
    const unsigned char *p, *end;
    const char *what; /* file or section name for messages */
} custops__rd;

void custops__rd_init(custops__rd *r, const void *data, size_t len, const char *what);
int custops__rd_bytes(custops__rd *r, void *out, size_t n);
int custops__rd_u8(custops__rd *r, uint8_t *v);
int custops__rd_u32(custops__rd *r, uint32_t *v);
int custops__rd_u64(custops__rd *r, uint64_t *v);
int custops__rd_i64(custops__rd *r, int64_t *v);
int custops__rd_f64(custops__rd *r, double *v);
/* Borrowed pointer to n bytes inside the buffer. */
int custops__rd_view(custops__rd *r, const void **out, size_t n);
/* Newly allocated copy of a u32-length string (caller frees). */
int custops__rd_str(custops__rd *r, char **out);
/* A count that will be used to allocate n items of elem bytes each: it must
 * not promise more bytes than remain (a corrupt length never allocates). */
int custops__rd_count(custops__rd *r, uint64_t *n, size_t min_elem_bytes);
size_t custops__rd_left(const custops__rd *r);

/* ---- checksums and hashing (hash.c) ----
 * A 64-bit multiply-rotate hash over 32-byte stripes (the xxh64 round
 * structure), used both for hash tables and as the save-file checksum. */
uint64_t custops__hash64(const void *data, size_t n, uint64_t seed);

/* ---- string interning (intern.c): string <-> dense uint32 id ---- */
typedef struct custops__intern {
    char *arena;        /* all strings, NUL-terminated, back to back */
    size_t arena_len, arena_cap;
    uint64_t *offsets;  /* id -> offset into arena */
    uint32_t count, ids_cap;
    uint64_t *slots;    /* open addressing: upper 32 hash bits | id+1, 0 = empty (intern.c) */
    size_t nslots;
} custops__intern;

void custops__intern_init(custops__intern *t);
void custops__intern_release(custops__intern *t);
/* Id of s (len bytes), adding it if new. *added set when new (may be NULL). */
int custops__intern_put(custops__intern *t, const char *s, size_t len, uint32_t *id, bool *added);
/* Id of s, or CUSTOPS_ENOTFOUND (no message set: a lookup miss is normal). */
int custops__intern_get(const custops__intern *t, const char *s, size_t len, uint32_t *id);
const char *custops__intern_str(const custops__intern *t, uint32_t id);

/* ---- save files (savefile.c) ----
 * Layout (40 bytes, little endian): magic "CUSTOPS\x1a", 4-byte kind tag
 * (e.g. "STOR"), u32 format version, u64 payload length, u64 checksum of
 * the payload, u64 checksum of the 32 header bytes before it; then the
 * payload. Writes go to a temporary file
 * in the same directory, are fsync'ed and renamed over the target, then the
 * directory is fsync'ed: a crash leaves the old file or the new, never half. */
#define CUSTOPS__SAVE_HEADER_SIZE 40
int custops__save_atomic(const char *path, const char kind[4], uint32_t version,
                         const void *payload, size_t len);
/* Reads and verifies a save file. On success *payload (caller frees with
 * custops__free) and *len hold the payload and *version the format version;
 * versions above max_version give CUSTOPS_EVERSION. */
int custops__load_file(const char *path, const char kind[4], uint32_t max_version,
                       void **payload, size_t *len, uint32_t *version);
/* Write any bytes atomically (CSV, HTML, JSON outputs). */
int custops__write_atomic(const char *path, const void *data, size_t len);
/* Read a whole file into memory (caller frees); limit guards hostile sizes. */
int custops__read_file(const char *path, size_t limit, void **data, size_t *len);

/* ---- text scanner shared by every parser (scan.c) ----
 * Tracks line and column (1-based, columns count bytes) so every parser
 * reports errors in the same form: "<what>:<line>:<col>: <message>". */
typedef struct custops__scan {
    const char *p, *end, *start;
    const char *line_start;
    int line;
    const char *what; /* file name or "<expression>" */
} custops__scan;

void custops__scan_init(custops__scan *s, const char *text, size_t len, const char *what);
int custops__scan_col(const custops__scan *s);
/* Error at the current position. */
int custops__scan_err(const custops__scan *s, int status, const char *fmt, ...) CUSTOPS__PRINTF(3, 4);
/* Error at an explicit position inside the text. */
int custops__scan_err_at(const custops__scan *s, const char *pos, int status, const char *fmt, ...)
    CUSTOPS__PRINTF(4, 5);
/* Skip spaces, tabs, CR, LF (updating line), and '#' comments to end of line. */
void custops__scan_skip_ws(custops__scan *s);
static inline int custops__scan_eof(const custops__scan *s) { return s->p >= s->end; }
static inline int custops__scan_peek(const custops__scan *s) { return s->p < s->end ? (unsigned char)*s->p : -1; }
/* Advance one byte, keeping line/column right. */
void custops__scan_advance(custops__scan *s);

/* ---- numbers from text without locale (num.c) ---- */
/* Strict integer parse of exactly [s, s+len). */
int custops__parse_i64(const char *s, size_t len, int64_t *out);
/* Strict finite double parse of exactly [s, s+len) (locale-independent). */
int custops__parse_f64(const char *s, size_t len, double *out);
/* Decimal money of exactly [s, s+len) in minor units. Returns status without message. */
int custops__parse_money(const char *s, size_t len, int exponent, int64_t *out);

/* ---- frames (frame.c): take ownership of a malloc'ed column ---- */
int custops__frame_add_int64_owned(custops_frame *f, const char *name, int64_t *values, size_t n);
int custops__frame_add_double_owned(custops_frame *f, const char *name, double *values, size_t n);
/* Zero-copy views: the frame points at `values` and never frees them; the
 * owner (e.g. a store) documents how long the view stays valid. */
int custops__frame_add_int64_borrowed(custops_frame *f, const char *name, const int64_t *values, size_t n);
int custops__frame_add_double_borrowed(custops_frame *f, const char *name, const double *values, size_t n);

/* ---- distributions (stats.c) ---- */
double custops__norm_cdf(double x);
double custops__norm_quantile(double p);
/* regularized incomplete beta I_x(a, b) */
double custops__beta_inc(double a, double b, double x);
double custops__t_cdf(double t, double df);
double custops__t_quantile(double p, double df);


/* ---- analytics: interval estimates (intervals.c) ---- */
/* Wilson score interval for k successes of n at normal quantile z. */
void custops__wilson(double k, double n, double z, double *lo, double *hi);
/* Newcombe's hybrid score interval for k1/n1 - k2/n2. */
void custops__newcombe(double k1, double n1, double k2, double n2, double z, double *lo, double *hi);
/* Welch's t test and interval for mean1 - mean2 from sizes, means and sample
 * variances (denominator n-1); -1 (no message) when a size is below 2. */
int custops__welch(double n1, double mean1, double var1, double n2, double mean2, double var2, double conf,
                   double *t, double *df, double *p, double *lo, double *hi);
/* ---- synth: streaming atomic file writes (wfile.c) ----
 * For outputs too big to assemble in memory: write in pieces to a temporary
 * file beside path, then commit (fsync + rename + directory fsync) or
 * abort (remove). abort is safe after a failed open or a commit. */
typedef struct custops__wfile {
    char *path, *tmp;
    int fd;
} custops__wfile;
int custops__wfile_open(custops__wfile *w, const char *path);
int custops__wfile_write(custops__wfile *w, const void *data, size_t len);
int custops__wfile_commit(custops__wfile *w);
void custops__wfile_abort(custops__wfile *w);
/* ---- store: intern tables that shrink (intern_compact.c; truncate in intern.c) ----
 * Build in *out a new table holding only the ids of t with keep[id] != 0
 * (keep == NULL: the ids below keep_below), in their old order; t is not
 * changed. remap (may be NULL, t->count entries) receives old id -> new id,
 * UINT32_MAX for dropped ids. Returns 0 or CUSTOPS_ENOMEM (out released). */
int custops__intern_compact(const custops__intern *t, custops__intern *out, const uint8_t *keep, uint32_t keep_below,
                            uint32_t *remap);
/* Forget the ids >= count (the newest), in place and without allocating,
 * so undoing a failed batch cannot itself fail. */
void custops__intern_truncate(custops__intern *t, uint32_t count);
/* Give back spare arena and id capacity (a failed shrink changes nothing
 * that matters: capacities stay true lower bounds). */
void custops__intern_trim(custops__intern *t);

/* ---- store: hashing once per key (intern.c) ----
 * custops__intern_hash is the hash the table indexes s by; put_h is
 * custops__intern_put with that hash already computed (the store hashes a
 * row's ids early to prefetch their slots) for an s the caller has checked
 * holds no NUL byte. prefetch is a hint: start
 * loading the first slot a lookup of hash h probes. */
uint64_t custops__intern_hash(const char *s, size_t len);
int custops__intern_put_h(custops__intern *t, const char *s, size_t len, uint64_t h, uint32_t *id, bool *added);
void custops__intern_prefetch(const custops__intern *t, uint64_t h);
void custops__intern_prefetch_id(const custops__intern *t, uint64_t h, int stage);

#endif /* CUSTOPS_CORE_INTERNAL_H */
