/* CSV reader and printer for the analytics commands (public API only).
 * The reader is a small RFC 4180 state machine tracking line and column
 * so every error points at the offending field. */
#include "csvframe.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define CSVF_MAX_TEXT ((size_t)1 << 30)
#define CSVF_MAX_COLS 256
#define CSVF_MAX_FIELD 4096

const csvf_col CSVF_LINES[] = {
    {"customer", CSVF_INT, 1, 0},  {"order", CSVF_INT, 1, 0},     {"time", CSVF_TIME, 1, 0},
    {"sku", CSVF_CODE, 1, -1},     {"category", CSVF_CODE, 0, -1}, {"qty", CSVF_INT, 0, 1},
    {"amount", CSVF_INT, 0, 0},    {"discount", CSVF_INT, 0, 0},  {"refunded", CSVF_INT, 0, 0},
    {"coupon", CSVF_CODE, 0, -1},  {"channel", CSVF_CODE, 0, -1},
};
const size_t CSVF_NLINES = sizeof CSVF_LINES / sizeof CSVF_LINES[0];

const csvf_col CSVF_EVENTS[] = {
    {"customer", CSVF_INT, 1, 0}, {"time", CSVF_TIME, 1, 0},     {"type", CSVF_EVTYPE, 1, 0},
    {"sku", CSVF_CODE, 0, -1},    {"category", CSVF_CODE, 0, -1},
};
const size_t CSVF_NEVENTS = sizeof CSVF_EVENTS / sizeof CSVF_EVENTS[0];

static const char *const EVENT_TYPES[] = {"visit", "view", "cart_add", "favourite", "coupon_received", "coupon_used",
                                          "login"};

typedef struct reader {
    const char *p, *end, *what;
    int line, col;
    char *err;
    size_t errcap;
} reader;

static int fail(reader *r, int line, int col, int status, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(r->err, r->errcap, "%s:%d:%d: %s", r->what, line, col, msg);
    return status;
}

/* Next field into buf; *eol set when the field ended its record. */
static int field(reader *r, char *buf, size_t *len, int *eol, int *fline, int *fcol)
{
    *len = 0;
    *eol = 0;
    *fline = r->line;
    *fcol = r->col;
    int quoted = r->p < r->end && *r->p == '"';
    if (quoted) {
        r->p++, r->col++;
        for (;;) {
            if (r->p >= r->end)
                return fail(r, *fline, *fcol, CUSTOPS_EPARSE, "unterminated quoted field");
            char c = *r->p++;
            r->col++;
            if (c == '"') {
                if (r->p < r->end && *r->p == '"') {
                    r->p++, r->col++;
                } else {
                    break;
                }
            } else if (c == '\n') {
                r->line++;
                r->col = 1;
            }
            if (*len == CSVF_MAX_FIELD)
                return fail(r, *fline, *fcol, CUSTOPS_ELIMIT, "field longer than %d bytes", CSVF_MAX_FIELD);
            buf[(*len)++] = c;
        }
    } else {
        while (r->p < r->end && *r->p != ',' && *r->p != '\n' && *r->p != '\r') {
            if (*r->p == '"')
                return fail(r, r->line, r->col, CUSTOPS_EPARSE, "quote inside an unquoted field");
            if (*len == CSVF_MAX_FIELD)
                return fail(r, *fline, *fcol, CUSTOPS_ELIMIT, "field longer than %d bytes", CSVF_MAX_FIELD);
            buf[(*len)++] = *r->p++;
            r->col++;
        }
    }
    buf[*len] = '\0';
    if (r->p >= r->end) {
        *eol = 1;
    } else if (*r->p == ',') {
        r->p++, r->col++;
    } else if (*r->p == '\r' || *r->p == '\n') {
        if (*r->p == '\r')
            r->p++;
        if (r->p < r->end && *r->p == '\n')
            r->p++;
        r->line++;
        r->col = 1;
        *eol = 1;
    } else {
        return fail(r, r->line, r->col, CUSTOPS_EPARSE, "expected ',' or end of line after a quoted field");
    }
    return 0;
}

static int parse_int(const char *s, int64_t *v)
{
    if (!*s)
        return -1;
    errno = 0;
    char *end;
    long long x = strtoll(s, &end, 10);
    if (*end || errno)
        return -1;
    *v = x;
    return 0;
}

static int convert(reader *r, const csvf_col *c, const char *s, size_t len, const custops_zone *zone, int line,
                   int col, int64_t *v)
{
    if (len == 0) {
        if (c->required)
            return fail(r, line, col, CUSTOPS_EPARSE, "column '%s' is required but empty", c->name);
        *v = c->dflt;
        return 0;
    }
    if (parse_int(s, v) == 0) {
        if (c->kind == CSVF_EVTYPE && (*v < 0 || *v > 6))
            return fail(r, line, col, CUSTOPS_EPARSE, "event type %lld is outside 0..6", (long long)*v);
        return 0;
    }
    if (c->kind == CSVF_TIME) {
        if (custops_time_parse(s, zone, v) == 0)
            return 0;
        return fail(r, line, col, CUSTOPS_EPARSE, "column '%s': '%s' is not Unix seconds or a date-time", c->name, s);
    }
    if (c->kind == CSVF_EVTYPE) {
        for (int64_t k = 0; k < 7; k++)
            if (strcmp(s, EVENT_TYPES[k]) == 0) {
                *v = k;
                return 0;
            }
        return fail(r, line, col, CUSTOPS_EPARSE, "unknown event type '%s'", s);
    }
    return fail(r, line, col, CUSTOPS_EPARSE, "column '%s': expected an integer, got '%s'", c->name, s);
}

int csvframe_parse(custops_frame **out, const char *text, size_t len, const char *what, const csvf_col *cols,
                   size_t ncols, const custops_zone *zone, char *err, size_t errcap)
{
    *out = NULL;
    reader r = {text, text + len, what ? what : "<csv>", 1, 1, err, errcap};
    if (len > CSVF_MAX_TEXT)
        return fail(&r, 1, 1, CUSTOPS_ELIMIT, "more than 1 GiB of text");
    char *buf = malloc(CSVF_MAX_FIELD + 1);
    int map[CSVF_MAX_COLS]; /* file column -> spec index or -1 */
    int have[64] = {0};
    int64_t *data[64] = {0};
    size_t rows = 0, cap = 0;
    int rc = 0, nfile = 0, eol = 0, fl, fc;
    size_t flen;
    if (!buf || ncols > 64) {
        free(buf);
        return fail(&r, 1, 1, CUSTOPS_ENOMEM, "out of memory");
    }
    /* header */
    if (len == 0)
        rc = fail(&r, 1, 1, CUSTOPS_EPARSE, "empty file: a header row is required");
    while (!rc && !eol) {
        if ((rc = field(&r, buf, &flen, &eol, &fl, &fc)))
            break;
        if (nfile == CSVF_MAX_COLS) {
            rc = fail(&r, fl, fc, CUSTOPS_ELIMIT, "more than %d columns", CSVF_MAX_COLS);
            break;
        }
        map[nfile] = -1;
        for (size_t k = 0; k < ncols; k++)
            if (strcmp(buf, cols[k].name) == 0) {
                if (have[k]) {
                    rc = fail(&r, fl, fc, CUSTOPS_EPARSE, "column '%s' appears twice", buf);
                    break;
                }
                have[k] = 1;
                map[nfile] = (int)k;
            }
        nfile++;
    }
    for (size_t k = 0; !rc && k < ncols; k++)
        if (!have[k] && cols[k].required)
            rc = fail(&r, 1, 1, CUSTOPS_EPARSE, "the header lacks the required column '%s'", cols[k].name);
    /* records */
    while (!rc && r.p < r.end) {
        if (*r.p == '\n' || *r.p == '\r') { /* blank line */
            if (*r.p == '\r')
                r.p++;
            if (r.p < r.end && *r.p == '\n')
                r.p++;
            r.line++;
            r.col = 1;
            continue;
        }
        if (rows == cap) {
            cap = cap ? cap * 2 : 1024;
            for (size_t k = 0; k < ncols && !rc; k++) {
                int64_t *q = realloc(data[k], cap * sizeof *q);
                if (!q)
                    rc = fail(&r, r.line, 1, CUSTOPS_ENOMEM, "out of memory");
                else
                    data[k] = q;
            }
            if (rc)
                break;
        }
        for (size_t k = 0; k < ncols; k++)
            data[k][rows] = cols[k].dflt;
        int line = r.line, n = 0;
        eol = 0;
        while (!eol) {
            if ((rc = field(&r, buf, &flen, &eol, &fl, &fc)))
                break;
            if (n >= nfile) {
                rc = fail(&r, fl, fc, CUSTOPS_EPARSE, "more fields than the header's %d", nfile);
                break;
            }
            int k = map[n++];
            if (k >= 0 && (rc = convert(&r, &cols[k], buf, flen, zone, fl, fc, &data[k][rows])))
                break;
        }
        if (!rc && n != nfile)
            rc = fail(&r, line, 1, CUSTOPS_EPARSE, "%d fields, the header has %d", n, nfile);
        rows++;
    }
    free(buf);
    custops_frame *f = NULL;
    if (!rc && (rc = custops_frame_new(&f)) != 0)
        snprintf(err, errcap, "%s", custops_last_error());
    for (size_t k = 0; !rc && k < ncols; k++) {
        if (!data[k] && rows == 0) {
            int64_t none = 0;
            rc = custops_frame_add_int64(f, cols[k].name, &none, 0);
        } else {
            rc = custops_frame_add_int64(f, cols[k].name, data[k], rows);
        }
        if (rc)
            snprintf(err, errcap, "%s", custops_last_error());
    }
    for (size_t k = 0; k < ncols; k++)
        free(data[k]);
    if (rc) {
        custops_frame_free(f);
        return rc;
    }
    *out = f;
    return 0;
}

int csvframe_load(custops_frame **out, const char *path, const csvf_col *cols, size_t ncols,
                  const custops_zone *zone, char *err, size_t errcap)
{
    *out = NULL;
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        snprintf(err, errcap, "%s: cannot open: %s", path, strerror(errno));
        return CUSTOPS_EIO;
    }
    size_t cap = 1 << 16, len = 0;
    char *text = malloc(cap);
    int rc = 0;
    while (text) {
        if (len == cap) {
            if (cap >= CSVF_MAX_TEXT) {
                snprintf(err, errcap, "%s: more than 1 GiB", path);
                rc = CUSTOPS_ELIMIT;
                break;
            }
            char *q = realloc(text, cap * 2);
            if (!q)
                break;
            text = q;
            cap *= 2;
        }
        size_t got = fread(text + len, 1, cap - len, fp);
        len += got;
        if (got == 0)
            break;
    }
    if (!rc && !text) {
        snprintf(err, errcap, "%s: out of memory", path);
        rc = CUSTOPS_ENOMEM;
    } else if (!rc && ferror(fp)) {
        snprintf(err, errcap, "%s: read error", path);
        rc = CUSTOPS_EIO;
    }
    fclose(fp);
    if (!rc)
        rc = csvframe_parse(out, text, len, path, cols, ncols, zone, err, errcap);
    free(text);
    return rc;
}

static void print_string(FILE *f, const char *s)
{
    if (!strpbrk(s, ",\"\n\r")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

int csvframe_print(FILE *f, const custops_frame *frame)
{
    size_t nc = custops_frame_ncols(frame), nr = custops_frame_nrows(frame);
    for (size_t c = 0; c < nc; c++) {
        if (c)
            fputc(',', f);
        print_string(f, custops_frame_col_name(frame, c));
    }
    fputc('\n', f);
    for (size_t r = 0; r < nr; r++) {
        for (size_t c = 0; c < nc; c++) {
            if (c)
                fputc(',', f);
            const int64_t *iv;
            const double *dv;
            const char *s;
            switch (custops_frame_col_type(frame, c)) {
            case CUSTOPS_COL_INT64:
                if (custops_frame_int64(frame, c, &iv) == 0)
                    fprintf(f, "%" PRId64, iv[r]);
                break;
            case CUSTOPS_COL_DOUBLE:
                if (custops_frame_double(frame, c, &dv) == 0)
                    fprintf(f, "%.10g", dv[r]);
                break;
            default:
                if (custops_frame_string(frame, c, r, &s) == 0)
                    print_string(f, s);
            }
        }
        fputc('\n', f);
    }
    return ferror(f) ? CUSTOPS_EIO : 0;
}

int csvframe_emit(const custops_frame *frame, const char *path)
{
    if (path)
        return custops_frame_write_csv(frame, path);
    int rc = csvframe_print(stdout, frame);
    return fflush(stdout) || rc ? CUSTOPS_EIO : 0;
}

int csvframe_time_arg(const char *text, const custops_zone *zone, int64_t *out)
{
    if (text[0] == '@') {
        char *end;
        errno = 0;
        long long v = strtoll(text + 1, &end, 10);
        if (*end || end == text + 1 || errno)
            return CUSTOPS_EINVAL;
        *out = v;
        return 0;
    }
    return custops_time_parse(text, zone, out);
}
