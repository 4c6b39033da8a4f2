/* Message templates: literal text and {{field | filter}} parts, compiled
 * once, rendered per customer from frame columns. */
#include "core/internal.h"

#include "custops/message.h"

#include <stdio.h>

#define TEMPLATE_MAX_TEXT (64u * 1024u)
#define TEMPLATE_MAX_PARTS 4096

enum part_kind { PART_TEXT, PART_FIELD };
enum filter_kind { FILTER_NONE, FILTER_MONEY, FILTER_DEFAULT };

typedef struct part {
    int kind;
    size_t off, len;    /* PART_TEXT: slice of tpl->text */
    uint32_t field;     /* PART_FIELD: index into field names */
    int filter;
    int exponent;       /* FILTER_MONEY */
    char *deflt;        /* FILTER_DEFAULT */
    int line, col;      /* where the field is, for messages */
} part;

struct custops_template {
    char *text;
    part *parts;
    size_t nparts, cap;
    custops__intern names;
};

void custops_template_free(custops_template *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->nparts; i++)
        custops__free(t->parts[i].deflt);
    custops__free(t->parts);
    custops__free(t->text);
    custops__intern_release(&t->names);
    custops__free(t);
}

size_t custops_template_nfields(const custops_template *t) { return t ? t->names.count : 0; }

const char *custops_template_field(const custops_template *t, size_t i)
{
    return t && i < t->names.count ? custops__intern_str(&t->names, (uint32_t)i) : NULL;
}

static int add_part(custops_template *t, const custops__scan *s, part p)
{
    if (t->nparts >= TEMPLATE_MAX_PARTS)
        return custops__scan_err(s, CUSTOPS_ELIMIT, "more than %d parts in a template", TEMPLATE_MAX_PARTS);
    if (CUSTOPS__GROW(t->parts, t->cap, t->nparts + 1)) {
        custops__free(p.deflt);
        return CUSTOPS_ENOMEM;
    }
    t->parts[t->nparts++] = p;
    return CUSTOPS_OK;
}

static int is_ident(int c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'; }

static void skip_spaces(custops__scan *s)
{
    while (!custops__scan_eof(s) && (*s->p == ' ' || *s->p == '\t'))
        custops__scan_advance(s);
}

/* After "{{": name [| filter] "}}" */
static int parse_field(custops_template *t, custops__scan *s)
{
    part p = {PART_FIELD, 0, 0, 0, FILTER_NONE, 2, NULL, s->line, custops__scan_col(s)};
    skip_spaces(s);
    const char *name = s->p;
    while (!custops__scan_eof(s) && is_ident(*s->p))
        custops__scan_advance(s);
    if (s->p == name)
        return custops__scan_err(s, CUSTOPS_EPARSE, "expected a field name after '{{'");
    p.line = s->line;
    p.col = custops__scan_col(s) - (int)(s->p - name);
    int rc = custops__intern_put(&t->names, name, (size_t)(s->p - name), &p.field, NULL);
    if (rc)
        return rc;
    skip_spaces(s);
    if (custops__scan_peek(s) == '|') {
        custops__scan_advance(s);
        skip_spaces(s);
        const char *f = s->p;
        while (!custops__scan_eof(s) && is_ident(*s->p))
            custops__scan_advance(s);
        size_t flen = (size_t)(s->p - f);
        if (flen == 5 && memcmp(f, "money", 5) == 0) {
            p.filter = FILTER_MONEY;
            if (custops__scan_peek(s) == '(') {
                custops__scan_advance(s);
                int c = custops__scan_peek(s);
                if (c < '0' || c > '4')
                    return custops__scan_err(s, CUSTOPS_EPARSE, "expected an exponent 0..4 in money(...)");
                p.exponent = c - '0';
                custops__scan_advance(s);
                if (custops__scan_peek(s) != ')')
                    return custops__scan_err(s, CUSTOPS_EPARSE, "expected ')' after the money exponent");
                custops__scan_advance(s);
            }
        } else if (flen == 7 && memcmp(f, "default", 7) == 0) {
            p.filter = FILTER_DEFAULT;
            if (custops__scan_peek(s) != '(')
                return custops__scan_err(s, CUSTOPS_EPARSE, "expected '(' after default");
            custops__scan_advance(s);
            if (custops__scan_peek(s) != '"')
                return custops__scan_err(s, CUSTOPS_EPARSE, "expected a quoted text in default(\"...\")");
            custops__scan_advance(s);
            const char *d = s->p;
            while (!custops__scan_eof(s) && *s->p != '"' && *s->p != '\n')
                custops__scan_advance(s);
            if (custops__scan_peek(s) != '"')
                return custops__scan_err(s, CUSTOPS_EPARSE, "unterminated text in default(\"...\")");
            p.deflt = custops__strndup(d, (size_t)(s->p - d));
            if (!p.deflt)
                return custops__nomem();
            custops__scan_advance(s);
            if (custops__scan_peek(s) != ')') {
                custops__free(p.deflt);
                return custops__scan_err(s, CUSTOPS_EPARSE, "expected ')' after the default text");
            }
            custops__scan_advance(s);
        } else {
            return custops__scan_err_at(s, f, CUSTOPS_EPARSE, "unknown filter '%.*s' (expected money or default)",
                                        (int)(flen ? flen : 1), flen ? f : "?");
        }
        skip_spaces(s);
    }
    if (s->end - s->p < 2 || s->p[0] != '}' || s->p[1] != '}') {
        custops__free(p.deflt);
        return custops__scan_err(s, CUSTOPS_EPARSE, "expected '}}' to close the field");
    }
    custops__scan_advance(s);
    custops__scan_advance(s);
    return add_part(t, s, p);
}

int custops_template_compile(custops_template **out, const char *text)
{
    CUSTOPS__CHECK_NULL(out);
    *out = NULL;
    CUSTOPS__CHECK_NULL(text);
    size_t len = strlen(text);
    if (len > TEMPLATE_MAX_TEXT)
        return custops__err(CUSTOPS_ELIMIT, "template of %zu bytes exceeds the limit of %u", len, TEMPLATE_MAX_TEXT);
    custops_template *t = custops__calloc(1, sizeof *t);
    if (!t || !(t->text = custops__strndup(text, len))) {
        custops__free(t);
        return custops__nomem();
    }
    custops__intern_init(&t->names);
    custops__scan s;
    custops__scan_init(&s, t->text, len, "<template>");
    int rc = CUSTOPS_OK;
    const char *lit = s.p;
    while (rc == 0 && !custops__scan_eof(&s)) {
        if (s.end - s.p >= 2 && s.p[0] == '{' && s.p[1] == '{') {
            if (s.p > lit)
                rc = add_part(t, &s, (part){PART_TEXT, (size_t)(lit - t->text), (size_t)(s.p - lit)});
            if (rc)
                break;
            if (s.end - s.p >= 4 && memcmp(s.p, "{{{{", 4) == 0) { /* escaped literal "{{" */
                rc = add_part(t, &s, (part){PART_TEXT, (size_t)(s.p - t->text), 2});
                for (int k = 0; k < 4; k++)
                    custops__scan_advance(&s);
            } else {
                custops__scan_advance(&s);
                custops__scan_advance(&s);
                rc = parse_field(t, &s);
            }
            lit = s.p;
        } else {
            custops__scan_advance(&s);
        }
    }
    if (rc == 0 && s.p > lit)
        rc = add_part(t, &s, (part){PART_TEXT, (size_t)(lit - t->text), (size_t)(s.p - lit)});
    if (rc) {
        custops_template_free(t);
        return rc;
    }
    *out = t;
    return CUSTOPS_OK;
}

/* Resolves every field to a column once; cols[i] for field i. */
static int resolve(const custops_template *t, const custops_frame *f, size_t *cols)
{
    for (size_t i = 0; i < t->nparts; i++) {
        const part *p = &t->parts[i];
        if (p->kind != PART_FIELD)
            continue;
        const char *name = custops__intern_str(&t->names, p->field);
        int rc = custops_frame_find(f, name, &cols[p->field]);
        if (rc)
            return custops__err(CUSTOPS_ENOTFOUND, "<template>:%d:%d: field '%s' is not a column of the frame", p->line,
                                p->col, name);
        int type = custops_frame_col_type(f, cols[p->field]);
        if (p->filter == FILTER_MONEY && type != CUSTOPS_COL_INT64)
            return custops__err(CUSTOPS_EINVAL, "<template>:%d:%d: field '%s' uses money but is not an int64 column",
                                p->line, p->col, name);
        if (p->filter == FILTER_DEFAULT && type != CUSTOPS_COL_STRING)
            return custops__err(CUSTOPS_EINVAL, "<template>:%d:%d: field '%s' uses default but is not a string column",
                                p->line, p->col, name);
    }
    return CUSTOPS_OK;
}

int custops_template_check(const custops_template *t, const custops_frame *f)
{
    CUSTOPS__CHECK_NULL(t);
    CUSTOPS__CHECK_NULL(f);
    size_t *cols = custops__calloc(t->names.count ? t->names.count : 1, sizeof *cols);
    if (!cols)
        return custops__nomem();
    int rc = resolve(t, f, cols);
    custops__free(cols);
    return rc;
}

static int render_row(const custops_template *t, const custops_frame *f, const size_t *cols, size_t row,
                      custops__buf *b)
{
    for (size_t i = 0; i < t->nparts; i++) {
        const part *p = &t->parts[i];
        if (p->kind == PART_TEXT) {
            custops__buf_append(b, t->text + p->off, p->len);
            continue;
        }
        size_t c = cols[p->field];
        int type = custops_frame_col_type(f, c);
        if (type == CUSTOPS_COL_INT64) {
            const int64_t *v;
            custops_frame_int64(f, c, &v);
            if (p->filter == FILTER_MONEY) {
                char m[40];
                int rc = custops_money_format(v[row], p->exponent, m, sizeof m);
                if (rc)
                    return rc;
                custops__buf_puts(b, m);
            } else {
                custops__buf_printf(b, "%lld", (long long)v[row]);
            }
        } else if (type == CUSTOPS_COL_DOUBLE) {
            const double *v;
            custops_frame_double(f, c, &v);
            custops__buf_printf(b, "%.6g", v[row]);
        } else {
            const char *s;
            custops_frame_string(f, c, row, &s);
            custops__buf_puts(b, s[0] == '\0' && p->filter == FILTER_DEFAULT ? p->deflt : s);
        }
    }
    return custops__buf_status(b);
}

int custops_template_render(const custops_template *t, const custops_frame *f, size_t row, char **text_out)
{
    CUSTOPS__CHECK_NULL(text_out);
    *text_out = NULL;
    CUSTOPS__CHECK_NULL(t);
    CUSTOPS__CHECK_NULL(f);
    if (row >= custops_frame_nrows(f))
        return custops__err(CUSTOPS_EINVAL, "row %zu out of range (frame has %zu rows)", row, custops_frame_nrows(f));
    size_t *cols = custops__calloc(t->names.count ? t->names.count : 1, sizeof *cols);
    if (!cols)
        return custops__nomem();
    custops__buf b;
    custops__buf_init(&b);
    int rc = resolve(t, f, cols);
    if (rc == 0)
        rc = render_row(t, f, cols, row, &b);
    if (rc == 0 && !b.data)
        rc = custops__buf_append(&b, "", 0);
    custops__free(cols);
    if (rc) {
        custops__buf_release(&b);
        return rc;
    }
    *text_out = (char *)b.data;
    return CUSTOPS_OK;
}

int custops_template_render_frame(const custops_template *t, const custops_frame *f, custops_frame **out)
{
    CUSTOPS__CHECK_NULL(out);
    *out = NULL;
    CUSTOPS__CHECK_NULL(t);
    CUSTOPS__CHECK_NULL(f);
    size_t n = custops_frame_nrows(f);
    size_t *cols = custops__calloc(t->names.count ? t->names.count : 1, sizeof *cols);
    size_t *ends = custops__calloc(n ? n : 1, sizeof *ends);
    const char **ptrs = custops__calloc(n ? n : 1, sizeof *ptrs);
    custops__buf b;
    custops__buf_init(&b);
    int rc = cols && ends && ptrs ? resolve(t, f, cols) : custops__nomem();
    /* all messages go into one buffer separated by NULs: one allocation
     * pattern for a million rows instead of a million small ones */
    for (size_t r = 0; rc == 0 && r < n; r++) {
        rc = render_row(t, f, cols, r, &b);
        if (rc == 0)
            rc = custops__buf_append(&b, "", 1);
        ends[r] = b.len;
    }
    custops_frame *res = NULL;
    if (rc == 0)
        rc = custops_frame_new(&res);
    if (rc == 0) {
        for (size_t r = 0; r < n; r++)
            ptrs[r] = (const char *)b.data + (r ? ends[r - 1] : 0);
        rc = custops_frame_add_string(res, "message", ptrs, n);
    }
    custops__free(cols);
    custops__free(ends);
    custops__free(ptrs);
    custops__buf_release(&b);
    if (rc) {
        custops_frame_free(res);
        return rc;
    }
    *out = res;
    return CUSTOPS_OK;
}
