/* JSON Lines reader: one flat object per line whose fields are the CSV
 * column names plus "kind". Values are strings, numbers (kept as their
 * text so money is read exactly), true/false (1/0), null (absent) or, for
 * tags, an array of strings. Strings with escapes are decoded into one
 * scratch buffer per line; everything else stays a slice of the input. */
#include "ingest_internal.h"

#include <stdio.h>

typedef struct js {
    st_ingest *g;
    const char *p, *end, *line_start;
    int line;
    char *scratch;
    size_t slen, scap;
} js;

static int jerr(js *j, const char *at, const char *msg)
{
    int rc = custops__st_row_error(j->g, j->line, (int)(at - j->line_start) + 1, "%s", msg);
    return rc ? rc : 1;
}

static void ws(js *j)
{
    while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\r'))
        j->p++;
}

static int put_utf8(js *j, uint32_t cp)
{
    char b[4];
    size_t n;
    if (cp < 0x80)
        b[0] = (char)cp, n = 1;
    else if (cp < 0x800)
        b[0] = (char)(0xC0 | (cp >> 6)), b[1] = (char)(0x80 | (cp & 0x3F)), n = 2;
    else if (cp < 0x10000)
        b[0] = (char)(0xE0 | (cp >> 12)), b[1] = (char)(0x80 | ((cp >> 6) & 0x3F)), b[2] = (char)(0x80 | (cp & 0x3F)),
        n = 3;
    else
        b[0] = (char)(0xF0 | (cp >> 18)), b[1] = (char)(0x80 | ((cp >> 12) & 0x3F)),
        b[2] = (char)(0x80 | ((cp >> 6) & 0x3F)), b[3] = (char)(0x80 | (cp & 0x3F)), n = 4;
    if (j->slen + n > j->scap)
        return -1;
    memcpy(j->scratch + j->slen, b, n);
    j->slen += n;
    return 0;
}

static int hex4(const char *p, const char *end, uint32_t *v)
{
    if (end - p < 4)
        return -1;
    uint32_t x = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (d < 0)
            return -1;
        x = x * 16 + (uint32_t)d;
    }
    *v = x;
    return 0;
}

/* a string at j->p (on the opening quote) */
static int string(js *j, st_str *out)
{
    const char *q = ++j->p;
    while (q < j->end && *q != '"' && *q != '\\' && (unsigned char)*q >= 0x20)
        q++;
    if (q < j->end && *q == '"') { /* no escapes: a slice */
        *out = (st_str){j->p, (size_t)(q - j->p)};
        j->p = q + 1;
        return 0;
    }
    /* escapes: decode into scratch */
    size_t start = j->slen;
    if (j->slen + (size_t)(q - j->p) > j->scap)
        return jerr(j, j->p, "string too long");
    memcpy(j->scratch + j->slen, j->p, (size_t)(q - j->p));
    j->slen += (size_t)(q - j->p);
    while (q < j->end && *q != '"') {
        unsigned char ch = (unsigned char)*q;
        if (ch < 0x20)
            return jerr(j, q, "control character inside a string");
        if (ch != '\\') {
            if (j->slen + 1 > j->scap)
                return jerr(j, q, "string too long");
            j->scratch[j->slen++] = (char)ch;
            q++;
            continue;
        }
        if (q + 1 >= j->end)
            return jerr(j, q, "unterminated escape");
        char e = q[1];
        const char *at = q;
        q += 2;
        uint32_t cp;
        switch (e) {
        case '"': cp = '"'; break;
        case '\\': cp = '\\'; break;
        case '/': cp = '/'; break;
        case 'b': cp = '\b'; break;
        case 'f': cp = '\f'; break;
        case 'n': cp = '\n'; break;
        case 'r': cp = '\r'; break;
        case 't': cp = '\t'; break;
        case 'u':
            if (hex4(q, j->end, &cp))
                return jerr(j, at, "bad \\u escape");
            q += 4;
            if (cp >= 0xD800 && cp < 0xDC00) {
                uint32_t lo;
                if (j->end - q < 6 || q[0] != '\\' || q[1] != 'u' || hex4(q + 2, j->end, &lo) || lo < 0xDC00 ||
                    lo > 0xDFFF)
                    return jerr(j, at, "unpaired surrogate in \\u escape");
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                q += 6;
            } else if (cp >= 0xDC00 && cp < 0xE000) {
                return jerr(j, at, "unpaired surrogate in \\u escape");
            }
            break;
        default:
            return jerr(j, at, "unknown escape");
        }
        if (put_utf8(j, cp))
            return jerr(j, at, "string too long");
    }
    if (q >= j->end)
        return jerr(j, j->p - 1, "unterminated string");
    *out = (st_str){j->scratch + start, j->slen - start};
    j->p = q + 1;
    return 0;
}

static int is_num_char(char c) { return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E'; }

/* a value; tags_array: an array of strings is joined with '|' */
static int value(js *j, st_str *out, int allow_array)
{
    ws(j);
    if (j->p >= j->end)
        return jerr(j, j->p, "expected a value");
    char c = *j->p;
    if (c == '"')
        return string(j, out);
    if (c == '-' || (c >= '0' && c <= '9')) {
        const char *s = j->p;
        while (j->p < j->end && is_num_char(*j->p))
            j->p++;
        *out = (st_str){s, (size_t)(j->p - s)};
        return 0;
    }
    if (j->end - j->p >= 4 && memcmp(j->p, "true", 4) == 0) {
        j->p += 4;
        *out = (st_str){"1", 1};
        return 0;
    }
    if (j->end - j->p >= 5 && memcmp(j->p, "false", 5) == 0) {
        j->p += 5;
        *out = (st_str){"0", 1};
        return 0;
    }
    if (j->end - j->p >= 4 && memcmp(j->p, "null", 4) == 0) {
        j->p += 4;
        *out = (st_str){NULL, 0};
        return 0;
    }
    if (c == '[' && allow_array) {
        j->p++;
        /* join into scratch: copy each element after the previous */
        size_t start = j->slen;
        int first = 1, rc;
        ws(j);
        if (j->p < j->end && *j->p == ']') {
            j->p++;
            *out = (st_str){NULL, 0};
            return 0;
        }
        for (;;) {
            ws(j);
            if (j->p >= j->end || *j->p != '"')
                return jerr(j, j->p, "tags array must hold strings");
            st_str e;
            size_t mark = j->slen;
            if ((rc = string(j, &e)) != 0)
                return rc;
            if (e.p >= j->scratch && e.p < j->scratch + j->scap)
                j->slen = mark; /* decoded in place at mark: move it, do not keep two copies */
            size_t sep = first ? 0 : 1;
            if (j->slen + sep + e.n > j->scap)
                return jerr(j, j->p, "tags too long");
            memmove(j->scratch + j->slen + sep, e.p, e.n);
            if (sep)
                j->scratch[j->slen] = '|';
            j->slen += sep + e.n;
            first = 0;
            ws(j);
            if (j->p < j->end && *j->p == ',') {
                j->p++;
                continue;
            }
            if (j->p < j->end && *j->p == ']') {
                j->p++;
                break;
            }
            return jerr(j, j->p, "expected ',' or ']' in the tags array");
        }
        *out = (st_str){j->scratch + start, j->slen - start};
        return 0;
    }
    return jerr(j, j->p, c == '{' || c == '[' ? "nested objects and arrays are not allowed here" : "expected a value");
}

static const char *KIND_NAMES[5] = {"", "order_line", "refund", "event", "customer"};

/* one line [j->p, eol) */
static int object(js *j, const char *eol, st_row *row)
{
    st_ingest *g = j->g;
    const char *save_end = j->end;
    j->end = eol;
    int rc;
    ws(j);
    if (j->p >= j->end || *j->p != '{')
        return jerr(j, j->p, "expected '{' at the start of a JSON object");
    j->p++;
    st_str kind_v = {NULL, 0};
    const char *kind_pos = NULL;
    ws(j);
    if (j->p < j->end && *j->p == '}') {
        j->p++;
    } else {
        for (;;) {
            ws(j);
            if (j->p >= j->end || *j->p != '"')
                return jerr(j, j->p, "expected a field name");
            const char *kpos = j->p;
            st_str key;
            if ((rc = string(j, &key)) != 0)
                return rc;
            ws(j);
            if (j->p >= j->end || *j->p != ':')
                return jerr(j, j->p, "expected ':' after the field name");
            j->p++;
            ws(j);
            const char *vpos = j->p;
            int f = custops__st_field_id(key.p, key.n);
            int is_kind = key.n == 4 && memcmp(key.p, "kind", 4) == 0;
            if (f < 0 && !is_kind && !g->o.allow_unknown_columns) {
                char m[128];
                snprintf(m, sizeof m, "unknown field '%.*s'", (int)(key.n > 60 ? 60 : key.n), key.p);
                return jerr(j, kpos, m);
            }
            st_str v;
            if ((rc = value(j, &v, f == ST_F_TAGS)) != 0)
                return rc;
            if (v.n > g->o.max_field_len)
                return custops__st_fatal(g, CUSTOPS_ELIMIT, j->line, (int)(vpos - j->line_start) + 1,
                                         "field of %zu bytes exceeds the limit of %zu bytes", v.n, g->o.max_field_len);
            if (is_kind) {
                if (kind_pos)
                    return jerr(j, kpos, "field 'kind' appears twice");
                kind_v = v;
                kind_pos = vpos;
            } else if (f >= 0) {
                if (row->pos[f])
                    return jerr(j, kpos, "field appears twice");
                row->f[f] = v;
                row->pos[f] = vpos;
            }
            ws(j);
            if (j->p < j->end && *j->p == ',') {
                j->p++;
                continue;
            }
            if (j->p < j->end && *j->p == '}') {
                j->p++;
                break;
            }
            return jerr(j, j->p, "expected ',' or '}'");
        }
    }
    ws(j);
    if (j->p != j->end)
        return jerr(j, j->p, "unexpected text after the JSON object");
    j->end = save_end;
    int kind = g->o.kind;
    if (kind_pos) {
        kind = 0;
        for (int k = 1; k <= 4; k++)
            if (strlen(KIND_NAMES[k]) == kind_v.n && memcmp(KIND_NAMES[k], kind_v.p, kind_v.n) == 0)
                kind = k;
        if (!kind)
            return jerr(j, kind_pos, "unknown kind (order_line, refund, event, customer)");
    }
    if (!kind)
        return jerr(j, row->row_start, "record has no \"kind\" field");
    for (int f = 0; f < ST_F_COUNT; f++)
        if (row->pos[f] && !custops__st_kind_allows(kind, f)) {
            if (!g->o.allow_unknown_columns) {
                char m[128];
                snprintf(m, sizeof m, "field '%s' does not belong to %s records", custops__st_field_names[f],
                         KIND_NAMES[kind]);
                return jerr(j, row->pos[f], m);
            }
            row->pos[f] = NULL;
            row->f[f] = (st_str){NULL, 0};
        }
    return custops__st_apply_row(g, kind, row);
}

int custops__st_parse_jsonl(st_ingest *g)
{
    js j;
    memset(&j, 0, sizeof j);
    j.g = g;
    j.scap = g->o.max_line_len + 1;
    j.scratch = custops__malloc(j.scap);
    if (!j.scratch)
        return custops__nomem();
    const char *p = g->text, *end = g->text + g->len;
    int line = 1, rc = 0;
    if (g->len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
        p += 3;
    st_row row;
    while (rc == 0 && p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *eol = nl ? nl : end;
        if ((size_t)(eol - p) > g->o.max_line_len) {
            rc = custops__st_fatal(g, CUSTOPS_ELIMIT, line, 1, "line of %zu bytes exceeds the limit of %zu bytes",
                                   (size_t)(eol - p), g->o.max_line_len);
            break;
        }
        const char *q = p;
        while (q < eol && (*q == ' ' || *q == '\t' || *q == '\r'))
            q++;
        if (q < eol) {
            custops__st_progress(g, p);
            memset(&row, 0, sizeof row);
            row.row_start = p;
            row.line_start = p;
            row.line = line;
            j.p = p;
            j.end = end;
            j.line = line;
            j.line_start = p;
            j.slen = 0;
            size_t before = g->res.rows;
            rc = object(&j, eol, &row);
            if (rc != 0 && g->res.rows == before && rc > 0)
                g->res.rows++; /* a row rejected before it reached conversion */
            if (rc > 0)
                rc = 0;
        }
        line++;
        p = nl ? nl + 1 : end;
    }
    custops__free(j.scratch);
    return rc;
}
