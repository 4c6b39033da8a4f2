/* A small JSON reader for rulesets and carts: one pass into a flat node
 * array (no allocation per value), strings decoded into one arena, depth
 * and size limits, and errors at line:col through the core scanner. Also
 * the string escaper used by every JSON writer of the module. */
#include "coupon_internal.h"

#include <stdio.h>

typedef struct jp {
    custops__scan sc;
    cpn_jdoc *d;
    uint32_t *stack;
    size_t nstack, stack_cap;
    int depth;
} jp;

static int jp_err(jp *p, const char *fmt, const char *arg)
{
    return custops__scan_err(&p->sc, CUSTOPS_EPARSE, fmt, arg);
}

static void jp_ws(jp *p)
{
    while (!custops__scan_eof(&p->sc)) {
        int c = custops__scan_peek(&p->sc);
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
            custops__scan_advance(&p->sc);
        else
            break;
    }
}

static int str_put(cpn_jdoc *d, const char *s, size_t n)
{
    if (d->slen + n + 1 > d->scap) {
        size_t cap = d->scap ? d->scap : 256;
        while (cap < d->slen + n + 1)
            cap *= 2;
        char *m = custops__realloc(d->strs, cap);
        if (!m)
            return custops__nomem();
        d->strs = m;
        d->scap = cap;
    }
    memcpy(d->strs + d->slen, s, n);
    d->slen += n;
    return 0;
}

static int new_node(jp *p, int type, uint32_t *idx)
{
    cpn_jdoc *d = p->d;
    if (d->n >= 4000000)
        return custops__scan_err(&p->sc, CUSTOPS_ELIMIT, "more than 4000000 JSON values");
    if (CUSTOPS__GROW(d->nodes, d->cap, d->n + 1))
        return CUSTOPS_ENOMEM;
    cpn_json *v = &d->nodes[d->n];
    memset(v, 0, sizeof *v);
    v->type = type;
    v->line = p->sc.line;
    v->col = custops__scan_col(&p->sc);
    *idx = (uint32_t)d->n++;
    return 0;
}

static int hex4(jp *p, unsigned *out)
{
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        int c = custops__scan_peek(&p->sc);
        int h = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (h < 0)
            return jp_err(p, "expected a hex digit in \\u escape%s", "");
        v = v * 16 + (unsigned)h;
        custops__scan_advance(&p->sc);
    }
    *out = v;
    return 0;
}

/* Parses a string at the opening quote; stores its arena offset in *off. */
static int parse_string(jp *p, size_t *off, size_t *len)
{
    cpn_jdoc *d = p->d;
    custops__scan_advance(&p->sc); /* " */
    size_t start = d->slen;
    for (;;) {
        if (custops__scan_eof(&p->sc))
            return jp_err(p, "unterminated string%s", "");
        int c = custops__scan_peek(&p->sc);
        if (c == '"') {
            custops__scan_advance(&p->sc);
            break;
        }
        if (c < 0x20)
            return jp_err(p, "control character in string%s", "");
        if (c != '\\') {
            char ch = (char)c;
            if (str_put(d, &ch, 1))
                return CUSTOPS_ENOMEM;
            custops__scan_advance(&p->sc);
            continue;
        }
        custops__scan_advance(&p->sc);
        c = custops__scan_peek(&p->sc);
        char out = 0;
        switch (c) {
        case '"': out = '"'; break;
        case '\\': out = '\\'; break;
        case '/': out = '/'; break;
        case 'b': out = '\b'; break;
        case 'f': out = '\f'; break;
        case 'n': out = '\n'; break;
        case 'r': out = '\r'; break;
        case 't': out = '\t'; break;
        case 'u': {
            custops__scan_advance(&p->sc);
            unsigned cp;
            if (hex4(p, &cp))
                return CUSTOPS_EPARSE;
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                if (custops__scan_peek(&p->sc) != '\\')
                    return jp_err(p, "expected a low surrogate%s", "");
                custops__scan_advance(&p->sc);
                if (custops__scan_peek(&p->sc) != 'u')
                    return jp_err(p, "expected a low surrogate%s", "");
                custops__scan_advance(&p->sc);
                unsigned lo;
                if (hex4(p, &lo))
                    return CUSTOPS_EPARSE;
                if (lo < 0xDC00 || lo > 0xDFFF)
                    return jp_err(p, "invalid low surrogate%s", "");
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                return jp_err(p, "lone low surrogate%s", "");
            }
            if (cp == 0)
                return jp_err(p, "\\u0000 is not allowed in strings%s", "");
            char u[4];
            size_t n;
            if (cp < 0x80) { u[0] = (char)cp; n = 1; }
            else if (cp < 0x800) { u[0] = (char)(0xC0 | (cp >> 6)); u[1] = (char)(0x80 | (cp & 0x3F)); n = 2; }
            else if (cp < 0x10000) {
                u[0] = (char)(0xE0 | (cp >> 12)); u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
                u[2] = (char)(0x80 | (cp & 0x3F)); n = 3;
            } else {
                u[0] = (char)(0xF0 | (cp >> 18)); u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
                u[2] = (char)(0x80 | ((cp >> 6) & 0x3F)); u[3] = (char)(0x80 | (cp & 0x3F)); n = 4;
            }
            if (str_put(d, u, n))
                return CUSTOPS_ENOMEM;
            continue;
        }
        default:
            return jp_err(p, "invalid escape in string%s", "");
        }
        custops__scan_advance(&p->sc);
        if (str_put(d, &out, 1))
            return CUSTOPS_ENOMEM;
    }
    *off = start;
    *len = d->slen - start;
    return str_put(d, "", 1);
}

static int push(jp *p, uint32_t idx)
{
    if (CUSTOPS__GROW(p->stack, p->stack_cap, p->nstack + 1))
        return CUSTOPS_ENOMEM;
    p->stack[p->nstack++] = idx;
    return 0;
}

static int parse_value(jp *p, uint32_t *out);

static int close_container(jp *p, uint32_t idx, size_t mark)
{
    cpn_jdoc *d = p->d;
    size_t cnt = p->nstack - mark;
    if (CUSTOPS__GROW(d->kids, d->kids_cap, d->nkids + cnt + 1))
        return CUSTOPS_ENOMEM;
    if (cnt)
        memcpy(d->kids + d->nkids, p->stack + mark, cnt * sizeof(uint32_t));
    d->nodes[idx].first = (uint32_t)d->nkids;
    d->nodes[idx].count = (uint32_t)cnt;
    d->nkids += cnt;
    p->nstack = mark;
    return 0;
}

static int parse_value(jp *p, uint32_t *out)
{
    jp_ws(p);
    if (custops__scan_eof(&p->sc))
        return jp_err(p, "expected a value, found end of input%s", "");
    int c = custops__scan_peek(&p->sc);
    uint32_t idx;
    int rc;
    if (c == '{' || c == '[') {
        if (++p->depth > CUSTOPS_COUPON_MAX_DEPTH)
            return custops__scan_err(&p->sc, CUSTOPS_ELIMIT, "JSON nested deeper than %d", CUSTOPS_COUPON_MAX_DEPTH);
        int obj = c == '{';
        if ((rc = new_node(p, obj ? JS_OBJ : JS_ARR, &idx)))
            return rc;
        custops__scan_advance(&p->sc);
        size_t mark = p->nstack;
        jp_ws(p);
        if (custops__scan_peek(&p->sc) == (obj ? '}' : ']')) {
            custops__scan_advance(&p->sc);
        } else {
            for (;;) {
                jp_ws(p);
                if (obj) {
                    if (custops__scan_peek(&p->sc) != '"')
                        return jp_err(p, "expected a \"key\" string%s", "");
                    uint32_t k;
                    if ((rc = new_node(p, JS_STR, &k)))
                        return rc;
                    size_t off, len;
                    if ((rc = parse_string(p, &off, &len)))
                        return rc;
                    p->d->nodes[k].len = len;
                    p->d->nodes[k].b = (int)0;
                    p->d->nodes[k].first = (uint32_t)off;
                    if ((rc = push(p, k)))
                        return rc;
                    jp_ws(p);
                    if (custops__scan_peek(&p->sc) != ':')
                        return jp_err(p, "expected ':' after the key%s", "");
                    custops__scan_advance(&p->sc);
                }
                uint32_t v;
                if ((rc = parse_value(p, &v)) || (rc = push(p, v)))
                    return rc;
                jp_ws(p);
                int e = custops__scan_peek(&p->sc);
                if (e == ',') {
                    custops__scan_advance(&p->sc);
                    continue;
                }
                if (e == (obj ? '}' : ']')) {
                    custops__scan_advance(&p->sc);
                    break;
                }
                return jp_err(p, obj ? "expected ',' or '}'%s" : "expected ',' or ']'%s", "");
            }
        }
        p->depth--;
        if ((rc = close_container(p, idx, mark)))
            return rc;
        *out = idx;
        return 0;
    }
    if (c == '"') {
        if ((rc = new_node(p, JS_STR, &idx)))
            return rc;
        size_t off, len;
        if ((rc = parse_string(p, &off, &len)))
            return rc;
        p->d->nodes[idx].len = len;
        p->d->nodes[idx].first = (uint32_t)off;
        *out = idx;
        return 0;
    }
    if (c == '-' || (c >= '0' && c <= '9')) {
        if ((rc = new_node(p, JS_NUM, &idx)))
            return rc;
        const char *start = p->sc.p;
        if (c == '-')
            custops__scan_advance(&p->sc);
        int digits = 0;
        while ((c = custops__scan_peek(&p->sc)) >= '0' && c <= '9') {
            custops__scan_advance(&p->sc);
            digits++;
        }
        if (!digits)
            return jp_err(p, "expected digits%s", "");
        if (c == '.') {
            custops__scan_advance(&p->sc);
            digits = 0;
            while ((c = custops__scan_peek(&p->sc)) >= '0' && c <= '9') {
                custops__scan_advance(&p->sc);
                digits++;
            }
            if (!digits)
                return jp_err(p, "expected digits after '.'%s", "");
        }
        if (c == 'e' || c == 'E') {
            custops__scan_advance(&p->sc);
            c = custops__scan_peek(&p->sc);
            if (c == '+' || c == '-')
                custops__scan_advance(&p->sc);
            digits = 0;
            while ((c = custops__scan_peek(&p->sc)) >= '0' && c <= '9') {
                custops__scan_advance(&p->sc);
                digits++;
            }
            if (!digits)
                return jp_err(p, "expected exponent digits%s", "");
        }
        p->d->nodes[idx].s = start;
        p->d->nodes[idx].len = (size_t)(p->sc.p - start);
        *out = idx;
        return 0;
    }
    static const struct { const char *w; int type, b; } words[] = {{"true", JS_BOOL, 1}, {"false", JS_BOOL, 0}, {"null", JS_NULL, 0}};
    for (int i = 0; i < 3; i++) {
        size_t n = strlen(words[i].w);
        if ((size_t)(p->sc.end - p->sc.p) >= n && memcmp(p->sc.p, words[i].w, n) == 0) {
            if ((rc = new_node(p, words[i].type, &idx)))
                return rc;
            p->d->nodes[idx].b = words[i].b;
            for (size_t k = 0; k < n; k++)
                custops__scan_advance(&p->sc);
            *out = idx;
            return 0;
        }
    }
    return jp_err(p, "expected a JSON value (object, array, string, number, true, false or null)%s", "");
}

int cpn_json_parse(cpn_jdoc *d, const char *text, size_t len, const char *what)
{
    memset(d, 0, sizeof *d);
    d->what = what;
    if (len > CUSTOPS_COUPON_MAX_TEXT)
        return custops__err(CUSTOPS_ELIMIT, "%s: JSON larger than %u bytes", what, CUSTOPS_COUPON_MAX_TEXT);
    jp p = {.d = d};
    custops__scan_init(&p.sc, text, len, what);
    uint32_t root;
    int rc = parse_value(&p, &root);
    if (!rc) {
        jp_ws(&p);
        if (!custops__scan_eof(&p.sc))
            rc = jp_err(&p, "unexpected text after the JSON value%s", "");
    }
    custops__free(p.stack);
    if (rc) {
        cpn_json_release(d);
        return rc;
    }
    /* strings are final now: resolve arena offsets into pointers */
    for (size_t i = 0; i < d->n; i++)
        if (d->nodes[i].type == JS_STR) {
            d->nodes[i].s = d->strs + d->nodes[i].first;
            d->nodes[i].first = 0;
        }
    return 0;
}

void cpn_json_release(cpn_jdoc *d)
{
    custops__free(d->nodes);
    custops__free(d->kids);
    custops__free(d->strs);
    memset(d, 0, sizeof *d);
}

const cpn_json *cpn_json_get(const cpn_jdoc *d, const cpn_json *obj, const char *key)
{
    if (!obj || obj->type != JS_OBJ)
        return NULL;
    for (uint32_t i = 0; i + 1 < obj->count; i += 2) {
        const cpn_json *k = &d->nodes[d->kids[obj->first + i]];
        if (strcmp(k->s, key) == 0)
            return &d->nodes[d->kids[obj->first + i + 1]];
    }
    return NULL;
}

const cpn_json *cpn_json_at(const cpn_jdoc *d, const cpn_json *arr, uint32_t i)
{
    if (!arr || i >= arr->count)
        return NULL;
    return &d->nodes[d->kids[arr->first + i]];
}

int cpn_json_err(const cpn_jdoc *d, const cpn_json *v, const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (v)
        return custops__err(CUSTOPS_EPARSE, "%s:%d:%d: %s", d->what, v->line, v->col, msg);
    return custops__err(CUSTOPS_EPARSE, "%s: %s", d->what, msg);
}

int cpn_json_i64(const cpn_jdoc *d, const cpn_json *v, int64_t *out)
{
    if (!v || v->type != JS_NUM || custops__parse_i64(v->s, v->len, out))
        return cpn_json_err(d, v, "expected an integer");
    return 0;
}

/* Money: an integer of minor units, or a decimal string such as "69.90". */
int cpn_json_money(const cpn_jdoc *d, const cpn_json *v, int exponent, int64_t *out)
{
    if (v && v->type == JS_NUM)
        return cpn_json_i64(d, v, out);
    if (v && v->type == JS_STR) {
        int rc = custops__parse_money(v->s, v->len, exponent, out);
        if (rc)
            return cpn_json_err(d, v, "expected a money amount with at most %d decimals, got \"%.40s\"", exponent, v->s);
        return 0;
    }
    return cpn_json_err(d, v, "expected a money amount (integer minor units or a decimal string)");
}

int cpn_json_str(const cpn_jdoc *d, const cpn_json *v, const char **out)
{
    if (!v || v->type != JS_STR)
        return cpn_json_err(d, v, "expected a string");
    *out = v->s;
    return 0;
}

int cpn_buf_jstr(custops__buf *b, const char *s)
{
    custops__buf_u8(b, '"');
    const char *run = s;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\' || c < 0x20) {
            custops__buf_append(b, run, (size_t)(s - run));
            if (c == '"')
                custops__buf_puts(b, "\\\"");
            else if (c == '\\')
                custops__buf_puts(b, "\\\\");
            else if (c == '\n')
                custops__buf_puts(b, "\\n");
            else if (c == '\t')
                custops__buf_puts(b, "\\t");
            else
                custops__buf_printf(b, "\\u%04x", c);
            run = s + 1;
        }
    }
    custops__buf_append(b, run, (size_t)(s - run));
    return custops__buf_u8(b, '"');
}
