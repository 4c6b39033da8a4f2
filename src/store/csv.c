/* RFC 4180 CSV reader for the four record kinds. Fields are slices of the
 * input buffer; only a quoted field holding "" is unescaped, into one
 * scratch buffer per call, so a row costs no allocation. Line and column
 * are tracked as the bytes go by for messages ("orders.csv:12:37: ..."). */
#include "ingest_internal.h"

#include <limits.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

typedef struct csv_state {
    st_ingest *g;
    const char *p, *end;
    const char *line_start;
    int line;
    char *scratch;     /* unescaped quoted fields of the current row */
    size_t scratch_len, scratch_cap;
} csv_state;

/* Read one field starting at c->p. *term receives ',' or '\n' (also for
 * end of input). Returns 0 or a fatal status. */
static int read_field(csv_state *c, st_str *out, const char **start, int *term)
{
    st_ingest *g = c->g;
    const char *p = c->p, *end = c->end;
    *start = p;
    if (p < end && *p == '"') {
        const char *q = p + 1, *seg = q;
        int escaped = 0;
        size_t outlen = 0;
        char *dst = NULL;
        for (;;) {
            const char *qt = memchr(q, '"', (size_t)(end - q));
            if (!qt)
                return custops__st_fatal(g, CUSTOPS_EPARSE, c->line, (int)(p - c->line_start) + 1,
                                         "unterminated quoted field");
            for (const char *k = q; k < qt; k++)
                if (*k == '\n') {
                    c->line++;
                    c->line_start = k + 1;
                }
            if (qt + 1 < end && qt[1] == '"') { /* "" inside: unescape into scratch */
                if (!escaped) {
                    escaped = 1;
                    dst = c->scratch + c->scratch_len;
                }
                size_t chunk = (size_t)(qt + 1 - seg);
                /* scratch is sized for the longest allowed row, never moved while a row holds pointers */
                if (c->scratch_len + outlen + chunk >= c->scratch_cap)
                    return custops__st_fatal(g, CUSTOPS_ELIMIT, c->line, (int)(p - c->line_start) + 1,
                                             "quoted field longer than the limit of %zu bytes", g->o.max_line_len);
                memcpy(dst + outlen, seg, chunk);
                outlen += chunk;
                q = seg = qt + 2;
                continue;
            }
            /* closing quote */
            if (escaped) {
                if (c->scratch_len + outlen + (size_t)(qt - seg) >= c->scratch_cap)
                    return custops__st_fatal(g, CUSTOPS_ELIMIT, c->line, (int)(p - c->line_start) + 1,
                                             "quoted field longer than the limit of %zu bytes", g->o.max_line_len);
                memcpy(dst + outlen, seg, (size_t)(qt - seg));
                outlen += (size_t)(qt - seg);
                *out = (st_str){dst, outlen};
                c->scratch_len += outlen;
            } else {
                *out = (st_str){p + 1, (size_t)(qt - p - 1)};
            }
            p = qt + 1;
            break;
        }
        if (p < end && *p == '\r')
            p++;
        if (p >= end || *p == '\n') {
            *term = '\n';
        } else if (*p == ',') {
            *term = ',';
        } else {
            return custops__st_fatal(g, CUSTOPS_EPARSE, c->line, (int)(p - c->line_start) + 1,
                                     "expected ',' or end of line after a closing quote");
        }
    } else {
        const char *q = p;
        while (q < end && *q != ',' && *q != '\n' && *q != '"')
            q++;
        if (q < end && *q == '"')
            return custops__st_fatal(g, CUSTOPS_EPARSE, c->line, (int)(q - c->line_start) + 1,
                                     "quote inside an unquoted field (quote the whole field)");
        const char *e = q;
        if (q < end && *q == '\n' && e > p && e[-1] == '\r')
            e--;
        else if (q >= end && e > p && e[-1] == '\r')
            e--;
        *out = (st_str){p, (size_t)(e - p)};
        *term = q < end && *q == ',' ? ',' : '\n';
        p = q;
    }
    if (out->n > g->o.max_field_len)
        return custops__st_fatal(g, CUSTOPS_ELIMIT, c->line, (int)(*start - c->line_start) + 1,
                                 "field of %zu bytes exceeds the limit of %zu bytes", out->n, g->o.max_field_len);
    /* step over the terminator */
    if (p < end) {
        if (*p == '\n') {
            c->line++;
            c->line_start = p + 1;
        }
        p++;
    }
    c->p = p;
    return 0;
}

/* For the span bytes at q (16, fewer at the input's end): bit k of *nl,
 * *odd and of the return value set when q[k] is a newline, a quote or NUL
 * byte, and a comma. With SSE2 this is one load and four compares of 16
 * bytes (reading up to 16 bytes of the buffer, never past its end); else
 * a byte loop. */
static inline uint32_t scan16(const char *q, const char *end, size_t *span, uint32_t *nl, uint32_t *odd)
{
#ifdef __SSE2__
    if (end - q >= 16) {
        *span = 16;
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)q);
        *nl = (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8('\n')));
        *odd = (uint32_t)_mm_movemask_epi8(
            _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')), _mm_cmpeq_epi8(v, _mm_setzero_si128())));
        return (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(',')));
    }
#endif
    size_t n = (size_t)(end - q) < 16 ? (size_t)(end - q) : 16;
    uint32_t m = 0, l = 0, o = 0;
    for (size_t k = 0; k < n; k++) {
        m |= (uint32_t)(q[k] == ',') << k;
        l |= (uint32_t)(q[k] == '\n') << k;
        o |= (uint32_t)(q[k] == '"' || q[k] == '\0') << k;
    }
    *span = n;
    *nl = l;
    *odd = o;
    return m;
}

/* scan16 for 32 bytes (fewer at the input's end): two loads, and one pass
 * of the caller's loop per 32 bytes instead of per 16 (an order line of
 * some 85 bytes takes 3 passes, not 6) */
static inline uint32_t scan32(const char *q, const char *end, size_t *span, uint32_t *nl, uint32_t *odd)
{
#ifdef __SSE2__
    if (end - q >= 32) {
        *span = 32;
        const __m128i a = _mm_loadu_si128((const __m128i *)(const void *)q),
                      b = _mm_loadu_si128((const __m128i *)(const void *)(q + 16));
        const __m128i nlc = _mm_set1_epi8('\n'), qc = _mm_set1_epi8('"'), cc = _mm_set1_epi8(','),
                      zc = _mm_setzero_si128();
        *nl = (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(a, nlc)) |
              (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(b, nlc)) << 16;
        *odd = (uint32_t)_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(a, qc), _mm_cmpeq_epi8(a, zc))) |
               (uint32_t)_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(b, qc), _mm_cmpeq_epi8(b, zc))) << 16;
        return (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(a, cc)) |
               (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(b, cc)) << 16;
    }
#endif
    return scan16(q, end, span, nl, odd);
}

/* Where a quote-free line's last field ends: at its newline nl (NULL when
 * the input ends first), less the CR of a CRLF line end (or of the
 * input's end); fs is the field's start. */
static inline const char *last_field_end(const char *fs, const char *nl, const char *end)
{
    const char *e = nl ? nl : end;
    if (e > fs && e[-1] == '\r')
        e--;
    return e;
}

/* Move the reader past a line that ends at nl, or to the end of the input
 * when nl is NULL (a last line without newline). */
static inline void step_past_line(csv_state *c, const char *nl)
{
    if (nl) {
        c->line++;
        c->line_start = nl + 1;
        c->p = nl + 1;
    } else {
        c->p = c->end;
    }
}

static inline int plain_field(csv_state *c, const int *map, int ncols, st_row *row, int i, const char *p, size_t n,
                              size_t lim)
{
    if (n > lim)
        return custops__st_fatal(c->g, CUSTOPS_ELIMIT, c->line, (int)(p - c->line_start) + 1,
                                 "field of %zu bytes exceeds the limit of %zu bytes", n, lim);
    if (i < ncols) {
        row->f[map[i]] = (st_str){p, n};
        row->pos[map[i]] = p;
    }
    return 0;
}

/* The careful split of a quote-free row, for lines longer than the field
 * length limit (where a field may exceed it). The common row: no quote anywhere on its physical line, so no field can
 * be quoted, escaped or span lines. One pass over the line, 16 bytes at a
 * time, finds its end, its quotes and NUL bytes and its commas, and splits
 * it into row->f via map (no per-field call or terminator checks). Returns
 * 1 without consuming anything when the line holds a quote (the caller then
 * reads the row field by field), else 0 or a fatal status, with exactly
 * the fields, counts and errors read_field would give: fields are checked
 * in order and, with no quote on the line, read_field's only error is the
 * field length. A block's quotes are looked at before its commas, so a
 * field is only taken when no quote came before its end; should a later
 * block show a quote, read_field reads the same earlier fields again (with
 * the same length errors) and writes the same slots. */
static int plain_row_checked(csv_state *c, const int *map, int ncols, st_row *row, int *nfields)
{
    const char *p = c->p, *end = c->end;
    const char *nl = NULL, *fs = p, *q = p; /* fs: start of the current field */
    const size_t lim = c->g->o.max_field_len;
    int i = 0, rc, nul_free = 1;
    while (q < end) {
        size_t span;
        uint32_t mnl, odd, m = scan16(q, end, &span, &mnl, &odd);
        if (mnl) { /* the line ends here: bytes past it are not this row's */
            span = (size_t)__builtin_ctz(mnl);
            nl = q + span;
            uint32_t keep = (1u << span) - 1;
            m &= keep;
            odd &= keep;
        }
        for (; odd; odd &= odd - 1) {
            if (q[__builtin_ctz(odd)] == '"')
                return 1;
            nul_free = 0;
        }
        while (m) {
            const char *comma = q + __builtin_ctz(m);
            m &= m - 1;
            if ((rc = plain_field(c, map, ncols, row, i++, fs, (size_t)(comma - fs), lim)) != 0)
                return rc;
            fs = comma + 1;
        }
        if (nl)
            break;
        q += span;
    }
    const char *e = last_field_end(fs, nl, end);
    if ((rc = plain_field(c, map, ncols, row, i++, fs, (size_t)(e - fs), lim)) != 0)
        return rc;
    /* one scan for the whole line instead of one per field in add_line */
    row->nul_free = nul_free;
    *nfields = i;
    step_past_line(c, nl);
    return 0;
}

#define MAX_COLS 64
/* entries of a row's column map: ncols columns, then the spare slot for
 * the up to 32 further fields one block of plain_row can hold */
#define MAP_LEN (MAX_COLS + 33)

/* The common row, no quote on its line and the line no longer than the
 * field length limit (so no field can exceed it): one pass, 32 bytes at a
 * time (scan32), finds the line end, quotes, NUL bytes and commas and stores each
 * field straight from the comma bits, with no per-field length or column
 * count test and without pos[] (row->plain: a field starts at its text).
 * map has MAP_LEN entries, those past ncols naming the spare slot; past
 * MAX_COLS fields only the commas are counted, for the field count
 * message. Returns 1 without consuming anything when the line holds a
 * quote (read_field then reads the row), 2 likewise when the line is
 * longer than the limit (plain_row_checked then reads it), else 0. */
static int plain_row(csv_state *c, const int *map, st_row *row, int *nfields)
{
    const char *p = c->p, *end = c->end;
    const char *nl = NULL, *fs = p, *q = p; /* fs: start of the current field */
    st_str *const f = row->f;
    size_t i = 0;
    uint32_t odd_any = 0;
    while (q < end) {
        size_t span;
        uint32_t mnl, odd, m = scan32(q, end, &span, &mnl, &odd);
        if (mnl) { /* the line ends here: bytes past it are not this row's */
            span = (size_t)__builtin_ctz(mnl);
            nl = q + span;
            uint32_t keep = (1u << span) - 1;
            m &= keep;
            odd &= keep;
        }
        if (__builtin_expect(odd != 0, 0)) {
            for (; odd; odd &= odd - 1)
                if (q[__builtin_ctz(odd)] == '"')
                    return 1;
            odd_any = 1; /* NUL bytes only */
        }
        if (__builtin_expect(i > MAX_COLS, 0)) {
            i += (size_t)__builtin_popcount(m);
        } else {
            for (; m; m &= m - 1) {
                const char *comma = q + __builtin_ctz(m);
                f[map[i++]] = (st_str){fs, (size_t)(comma - fs)};
                fs = comma + 1;
            }
        }
        if (nl)
            break;
        q += span;
    }
    const char *e = last_field_end(fs, nl, end);
    if (__builtin_expect((size_t)(e - p) > c->g->o.max_field_len, 0))
        return 2;
    f[map[i <= MAX_COLS + 32 ? i : MAX_COLS + 32]] = (st_str){fs, (size_t)(e - fs)};
    i++;
    /* one scan for the whole line instead of one per field in add_line */
    row->nul_free = !odd_any;
    row->plain = 1;
    *nfields = i > INT_MAX ? INT_MAX : (int)i;
    step_past_line(c, nl);
    return 0;
}

static int blank_line(csv_state *c)
{
    const char *p = c->p;
    if (p < c->end && *p == '\r')
        p++;
    if (p < c->end && *p == '\n') {
        step_past_line(c, p);
        return 1;
    }
    return 0;
}

static int guess_kind(const int *map, int ncols)
{
    int has[ST_F_COUNT] = {0};
    for (int i = 0; i < ncols; i++)
        if (map[i] >= 0)
            has[map[i]] = 1;
    if (has[ST_F_REFUND_ID])
        return CUSTOPS_RECORD_REFUND;
    if (has[ST_F_UNIT_PRICE] || has[ST_F_ORDER_ID])
        return CUSTOPS_RECORD_ORDER_LINE;
    if (has[ST_F_TYPE])
        return CUSTOPS_RECORD_EVENT;
    return CUSTOPS_RECORD_CUSTOMER;
}

static const char *KIND_NAMES[5] = {"", "order_line", "refund", "event", "customer"};

int custops__st_parse_csv(st_ingest *g)
{
    csv_state c;
    memset(&c, 0, sizeof c);
    c.g = g;
    c.p = g->text;
    c.end = g->text + g->len;
    c.line_start = c.p;
    c.line = 1;
    /* a UTF-8 byte order mark is not part of the first column name */
    if (g->len >= 3 && memcmp(c.p, "\xEF\xBB\xBF", 3) == 0)
        c.p += 3, c.line_start = c.p;
    while (c.p < c.end && blank_line(&c))
        ;
    if (c.p >= c.end)
        return custops__st_fatal(g, CUSTOPS_EPARSE, 1, 1, "no header row");
    /* header */
    int map[MAP_LEN], ncols = 0, seen[ST_F_COUNT];
    const char *hpos[MAX_COLS];
    int hline[MAX_COLS];
    for (int f = 0; f < ST_F_COUNT; f++)
        seen[f] = -1;
    c.scratch_cap = g->o.max_line_len + 1;
    c.scratch = custops__malloc(c.scratch_cap);
    if (!c.scratch)
        return custops__nomem();
    int rc = 0, term = ',';
    const char *hstart = c.p;
    while (rc == 0 && term == ',') {
        st_str name;
        const char *start;
        if (ncols == MAX_COLS) {
            rc = custops__st_fatal(g, CUSTOPS_ELIMIT, c.line, (int)(c.p - c.line_start) + 1,
                                   "more than %d columns in the header", MAX_COLS);
            break;
        }
        int col = (int)(c.p - c.line_start) + 1, line = c.line;
        if ((rc = read_field(&c, &name, &start, &term)) != 0)
            break;
        hpos[ncols] = start;
        hline[ncols] = line;
        (void)col;
        map[ncols] = custops__st_field_id(name.p, name.n);
        ncols++;
    }
    int kind = g->o.kind;
    if (rc == 0 && kind == CUSTOPS_RECORD_AUTO)
        kind = guess_kind(map, ncols);
    for (int i = 0; rc == 0 && i < ncols; i++) {
        int f = map[i];
        int col = (int)(hpos[i] - hstart) + 1;
        (void)hline;
        if (f < 0 || !custops__st_kind_allows(kind, f)) {
            if (!g->o.allow_unknown_columns) {
                /* show the name as written */
                const char *q = hpos[i];
                size_t n = 0;
                while (q + n < c.end && q[n] != ',' && q[n] != '\n' && q[n] != '\r' && n < 60)
                    n++;
                rc = custops__st_fatal(g, CUSTOPS_EPARSE, 1, col, "unknown column '%.*s' for %s records", (int)n, q,
                                       KIND_NAMES[kind]);
            }
            map[i] = -1;
            continue;
        }
        if (seen[f] >= 0)
            rc = custops__st_fatal(g, CUSTOPS_EPARSE, 1, col, "column '%s' appears twice", custops__st_field_names[f]);
        seen[f] = i;
    }
    for (int f = 0; rc == 0 && f < ST_F_COUNT; f++)
        if (custops__st_kind_requires(kind, f) && seen[f] < 0)
            rc = custops__st_fatal(g, CUSTOPS_EPARSE, 1, 1, "header lacks the required column '%s' of %s records",
                                   custops__st_field_names[f], KIND_NAMES[kind]);
    /* from here on an unused column goes to the spare slot of a row */
    for (int i = 0; i < MAP_LEN; i++)
        if (i >= ncols || map[i] < 0)
            map[i] = ST_F_COUNT;
    /* Order lines whose order, customer and time columns are adjacent (any
     * order): a plain row's head, the bytes from the first of them to the
     * end of the last, equal to the previous row's means the same three
     * values, since equal quote-free bytes split the same way. */
    int head0 = -1, head1 = -1;
    if (rc == 0 && kind == CUSTOPS_RECORD_ORDER_LINE) {
        int a = seen[ST_F_ORDER_ID], b = seen[ST_F_CUSTOMER_ID], t = seen[ST_F_TIME];
        int lo = a < b ? (a < t ? a : t) : (b < t ? b : t), hi = a > b ? (a > t ? a : t) : (b > t ? b : t);
        if (hi - lo == 2)
            head0 = map[lo], head1 = map[hi];
    }
    /* Rows, read ahead: up to ST_AHEAD - 1 rows are read (and their order
     * and customer ids prefetched) before the oldest is applied, so the
     * hash-table cache misses of later rows overlap the work on earlier
     * ones. Rows are still applied, and their errors reported, in file
     * order: before a row that cannot be applied (a format error, a wrong
     * field count) is dealt with, every row read before it is applied.
     * Each row slot has its own scratch buffer. */
    enum { ST_AHEAD = 4 };
    st_row rows[ST_AHEAD];
    char *scr[ST_AHEAD] = {c.scratch};
    memset(rows, 0, sizeof rows);
    for (int k = 1; rc == 0 && k < ST_AHEAD; k++)
        if ((scr[k] = custops__malloc(c.scratch_cap)) == NULL)
            rc = custops__nomem();
    int head = 0, npend = 0; /* pending rows: rows[(head + k) % ST_AHEAD], k < npend */
    st_str prev_order = {NULL, 0}; /* order id of the row read last */
    st_str prev_head = {NULL, 0};  /* its head (see head0), if a plain row */
    while (rc == 0 && c.p < c.end) {
        if (blank_line(&c))
            continue;
        custops__st_progress(g, c.p);
        int cur = (head + npend) % ST_AHEAD;
        st_row *row = &rows[cur];
        row->row_start = c.p;
        row->line_start = c.line_start;
        row->line = c.line;
        c.scratch = scr[cur];
        c.scratch_len = 0;
        /* Absent fields are {NULL, 0} with no position. The slots were
         * cleared once below; a row is applied only when it has exactly
         * ncols fields, and then every mapped column was written anew, while
         * unmapped fields are never written: no clearing per row. */
        row->nul_free = 0; /* set by plain_row for the rows it reads */
        row->plain = 0;    /* likewise */
        int i = 0, frc = plain_row(&c, map, row, &i);
        if (frc == 2)
            frc = plain_row_checked(&c, map, ncols, row, &i);
        term = frc == 1 ? ',' : '\n';
        if (frc == 1)
            frc = 0;
        while (term == ',') {
            st_str v;
            const char *start;
            if ((frc = read_field(&c, &v, &start, &term)) != 0)
                break;
            if (i < ncols) {
                row->f[map[i]] = v;
                row->pos[map[i]] = start;
            }
            i++;
        }
        if (frc == 0 && (size_t)(c.p - row->row_start) > g->o.max_line_len)
            frc = custops__st_fatal(g, CUSTOPS_ELIMIT, row->line, 1, "row of %zu bytes exceeds the limit of %zu bytes",
                                    (size_t)(c.p - row->row_start), g->o.max_line_len);
        if (frc || i != ncols) {
            /* the rows before this one come first, whatever this one holds */
            for (; npend > 0 && rc == 0; npend--, head = (head + 1) % ST_AHEAD)
                if ((rc = custops__st_apply_row(g, kind, &rows[head])) > 0)
                    rc = 0;
            if (rc)
                break;
            if (frc) {
                rc = frc;
                break;
            }
            g->res.rows++;
            prev_order = prev_head = (st_str){NULL, 0};
            rc = custops__st_row_error(g, row->line, 1, "row has %d fields, the header has %d", i, ncols);
            continue;
        }
        if (kind == CUSTOPS_RECORD_ORDER_LINE) {
            /* a further line of the order just read reuses that order's lookup: no hashing */
            st_str o = row->f[ST_F_ORDER_ID];
            int again;
            if (head0 >= 0 && row->plain) {
                const char *h = row->f[head0].p;
                st_str hd = {h, (size_t)(row->f[head1].p + row->f[head1].n - h)};
                row->same_head = prev_head.p && hd.n == prev_head.n && memcmp(h, prev_head.p, hd.n) == 0;
                prev_head = hd;
                /* a differing head with the same order id is an error or a
                 * differently written time: rare, and hashing it is harmless */
                again = row->same_head;
            } else {
                row->same_head = 0;
                prev_head = (st_str){NULL, 0};
                again = prev_order.p && o.n == prev_order.n && memcmp(o.p, prev_order.p, o.n) == 0;
            }
            row->hashed = !again && custops__st_prefetch_line(g->s, &o, &row->f[ST_F_CUSTOMER_ID], row->hashes);
            prev_order = o;
        } else {
            row->hashed = 0;
            row->same_head = 0;
        }
        if (++npend == ST_AHEAD) {
            /* the rows applied next: their slots are loaded by now; load what the lookups read next */
            const st_row *r1 = &rows[(head + 1) % ST_AHEAD], *r2 = &rows[(head + 2) % ST_AHEAD];
            if (r1->hashed)
                custops__st_prefetch_line_id(g->s, r1->hashes, 3);
            if (r2->hashed)
                custops__st_prefetch_line_id(g->s, r2->hashes, 2);
            rc = custops__st_apply_row(g, kind, &rows[head]);
            head = (head + 1) % ST_AHEAD;
            npend--;
            if (rc > 0)
                rc = 0;
        }
    }
    for (; rc == 0 && npend > 0; npend--, head = (head + 1) % ST_AHEAD)
        if ((rc = custops__st_apply_row(g, kind, &rows[head])) > 0)
            rc = 0;
    c.scratch = scr[0];
    for (int k = 1; k < ST_AHEAD; k++)
        custops__free(scr[k]);
    custops__free(c.scratch);
    return rc;
}
