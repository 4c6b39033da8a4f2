/* CSV into a frame: one pass splits the text into unescaped cells in an
 * arena (positions kept for messages), then each column's type is inferred
 * and its array built. Used by the custops CLI to read customer, line and
 * event exports; errors read "<file>:<line>:<col>: <message>". */
#include "internal.h"

#include <math.h>
#include <stdio.h>
#include <strings.h>

#define CSV_MAX_COLS 4096
#define CSV_MAX_BYTES ((size_t)2 << 30)

typedef struct cells {
    char *arena;
    size_t alen, acap;
    size_t *off; /* cell -> arena offset (NUL-terminated) */
    size_t n, cap;
} cells;

static int put_byte(cells *c, char ch)
{
    if (CUSTOPS__GROW(c->arena, c->acap, c->alen + 1))
        return CUSTOPS_ENOMEM;
    c->arena[c->alen++] = ch;
    return CUSTOPS_OK;
}

static int start_cell(cells *c)
{
    if (CUSTOPS__GROW(c->off, c->cap, c->n + 1))
        return CUSTOPS_ENOMEM;
    c->off[c->n++] = c->alen;
    return CUSTOPS_OK;
}

/* Split into cells; *ncols from the header; every row must have ncols. */
static int split(cells *c, custops__scan *s, size_t *ncols, size_t *nrows)
{
    size_t row = 0, field = 0;
    *ncols = 0;
    int rc;
    while (s->p < s->end) {
        /* one record */
        field = 0;
        const char *rec = s->p;
        if (row > 0 && *ncols > 1 && (*s->p == '\n' || *s->p == '\r')) {
            /* a blank line is not a record (except in a one-column file) */
            if (*s->p == '\r')
                custops__scan_advance(s);
            if (s->p < s->end && *s->p == '\n')
                custops__scan_advance(s);
            continue;
        }
        for (;;) {
            if ((rc = start_cell(c)))
                return rc;
            field++;
            if (s->p < s->end && *s->p == '"') {
                const char *open = s->p;
                custops__scan_advance(s);
                for (;;) {
                    if (s->p >= s->end)
                        return custops__scan_err_at(s, open, CUSTOPS_EPARSE, "unterminated quoted field");
                    if (*s->p == '"') {
                        if (s->p + 1 < s->end && s->p[1] == '"') {
                            if ((rc = put_byte(c, '"')))
                                return rc;
                            custops__scan_advance(s);
                            custops__scan_advance(s);
                            continue;
                        }
                        custops__scan_advance(s);
                        break;
                    }
                    if ((rc = put_byte(c, *s->p)))
                        return rc;
                    custops__scan_advance(s);
                }
                if (s->p < s->end && *s->p != ',' && *s->p != '\n' && *s->p != '\r')
                    return custops__scan_err(s, CUSTOPS_EPARSE, "expected ',' or end of line after a quoted field");
            } else {
                while (s->p < s->end && *s->p != ',' && *s->p != '\n' && *s->p != '\r') {
                    if ((rc = put_byte(c, *s->p)))
                        return rc;
                    custops__scan_advance(s);
                }
            }
            if ((rc = put_byte(c, '\0')))
                return rc;
            if (s->p < s->end && *s->p == ',') {
                custops__scan_advance(s);
                if (field >= CSV_MAX_COLS)
                    return custops__scan_err(s, CUSTOPS_ELIMIT, "more than %d fields", CSV_MAX_COLS);
                continue;
            }
            break;
        }
        if (row == 0) {
            *ncols = field;
        } else if (field != *ncols) {
            return custops__scan_err_at(s, rec, CUSTOPS_EPARSE, "expected %zu fields but found %zu", *ncols, field);
        }
        if (s->p < s->end && *s->p == '\r')
            custops__scan_advance(s);
        if (s->p < s->end && *s->p == '\n')
            custops__scan_advance(s);
        row++;
    }
    *nrows = row ? row - 1 : 0;
    return row ? CUSTOPS_OK : custops__scan_err(s, CUSTOPS_EPARSE, "expected a header row but the file is empty");
}

static bool is_nan_text(const char *t)
{
    return !strcasecmp(t, "nan") || !strcasecmp(t, "-nan") || !strcmp(t, "NA");
}

static bool looks_like_date(const char *t)
{
    return strlen(t) >= 10 && t[4] == '-' && t[7] == '-' && t[0] >= '0' && t[0] <= '9';
}

static int build_column(custops_frame *f, const cells *c, size_t col, size_t ncols, size_t nrows,
                        const custops_zone *zone)
{
    const char *name = c->arena + c->off[col];
    bool is_int = true, is_dbl = true, is_time = true, any = false;
    for (size_t r = 0; r < nrows; r++) {
        const char *t = c->arena + c->off[(r + 1) * ncols + col];
        size_t len = strlen(t);
        if (len == 0)
            continue;
        any = true;
        int64_t iv;
        double dv;
        if (is_int && custops__parse_i64(t, len, &iv))
            is_int = false;
        if (is_dbl && !is_nan_text(t) && custops__parse_f64(t, len, &dv))
            is_dbl = false;
        if (is_time && !looks_like_date(t))
            is_time = false;
        if (!is_int && !is_dbl && !is_time)
            break;
    }
    if (!any)
        is_int = is_dbl = is_time = false;
    size_t cap = nrows ? nrows : 1;
    if (is_int || (is_time && !is_dbl)) {
        int64_t *v = custops__malloc(cap * sizeof *v);
        if (!v)
            return custops__nomem();
        for (size_t r = 0; r < nrows; r++) {
            const char *t = c->arena + c->off[(r + 1) * ncols + col];
            size_t len = strlen(t);
            if (len == 0)
                v[r] = -1;
            else if (is_int)
                custops__parse_i64(t, len, &v[r]);
            else if (custops_time_parse(t, zone, &v[r])) {
                custops__free(v);
                return custops__err(CUSTOPS_EPARSE, "line %zu, column '%s': %s", r + 2, name, custops_last_error());
            }
        }
        return custops__frame_add_int64_owned(f, name, v, nrows);
    }
    if (is_dbl) {
        double *v = custops__malloc(cap * sizeof *v);
        if (!v)
            return custops__nomem();
        for (size_t r = 0; r < nrows; r++) {
            const char *t = c->arena + c->off[(r + 1) * ncols + col];
            size_t len = strlen(t);
            if (len == 0 || is_nan_text(t))
                v[r] = NAN;
            else
                custops__parse_f64(t, len, &v[r]);
        }
        return custops__frame_add_double_owned(f, name, v, nrows);
    }
    const char **v = custops__malloc(cap * sizeof *v);
    if (!v)
        return custops__nomem();
    for (size_t r = 0; r < nrows; r++)
        v[r] = c->arena + c->off[(r + 1) * ncols + col];
    int rc = custops_frame_add_string(f, name, v, nrows);
    custops__free(v);
    return rc;
}

int custops_frame_parse_csv(custops_frame **out, const char *text, size_t len, const char *what,
                            const custops_zone *zone)
{
    CUSTOPS__CHECK_NULL(out);
    *out = NULL;
    if (!text && len)
        return custops__err(CUSTOPS_EINVAL, "%s: argument 'text' is NULL", __func__);
    if (len > CSV_MAX_BYTES)
        return custops__err(CUSTOPS_ELIMIT, "%s: more than %zu bytes", what ? what : "<csv>", CSV_MAX_BYTES);
    custops__scan s;
    custops__scan_init(&s, text ? text : "", len, what ? what : "<csv>");
    if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0) /* a byte-order mark is not part of the first name */
        s.p += 3;
    cells c;
    memset(&c, 0, sizeof c);
    size_t ncols = 0, nrows = 0;
    int rc = split(&c, &s, &ncols, &nrows);
    custops_frame *f = NULL;
    if (!rc) {
        for (size_t i = 0; i < ncols && !rc; i++) {
            const char *name = c.arena + c.off[i];
            if (!name[0])
                rc = custops__err(CUSTOPS_EPARSE, "%s:1:1: column %zu has an empty name", s.what, i + 1);
            for (size_t j = 0; j < i && !rc; j++)
                if (strcmp(name, c.arena + c.off[j]) == 0)
                    rc = custops__err(CUSTOPS_EPARSE, "%s:1:1: column name '%s' appears twice", s.what, name);
        }
    }
    if (!rc)
        rc = custops_frame_new(&f);
    for (size_t i = 0; i < ncols && !rc; i++) {
        rc = build_column(f, &c, i, ncols, nrows, zone);
        if (rc && rc != CUSTOPS_ENOMEM)
            custops__err_prefix("%s: ", s.what);
    }
    custops__free(c.arena);
    custops__free(c.off);
    if (rc) {
        custops_frame_free(f);
        return rc;
    }
    *out = f;
    return CUSTOPS_OK;
}

int custops_frame_read_csv(custops_frame **out, const char *path, const custops_zone *zone)
{
    CUSTOPS__CHECK_NULL(out);
    *out = NULL;
    CUSTOPS__CHECK_NULL(path);
    void *data;
    size_t len;
    int rc = custops__read_file(path, CSV_MAX_BYTES, &data, &len);
    if (rc)
        return rc;
    rc = custops_frame_parse_csv(out, data, len, path, zone);
    custops__free(data);
    return rc;
}
