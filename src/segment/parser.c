/* Recursive-descent parser of the audience language. With bind set, every
 * predicate is resolved on the spot (columns, dictionary codes, times), so
 * a type error is reported at the token that caused it; without it (library
 * definitions) only the syntax is checked and references are collected. */
#include "segment_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

typedef struct parser {
    custops_audience *a;
    seg_lexer lx;
    const char *text;
    int text_id;
    bool bind;
    seg_refs *refs;
    const char *const *stack;
    size_t nstack;
} parser;

typedef enum { V_NUM, V_STR, V_TIME } vkind;
typedef struct value {
    vkind kind;
    double num;
    char *str; /* owned */
    seg_time t;
    const char *pos;
} value;

static const char *const EVENT_TYPES[] = {"visit", "view", "cart_add", "favourite", "coupon_received", "coupon_used",
                                          "login"};

static int next(parser *p) { return seg_lex_next(&p->lx); }
static const seg_tok *tok(parser *p) { return &p->lx.tok; }

static int expected(parser *p, const char *what)
{
    char found[64];
    seg_tok_describe(tok(p), found, sizeof found);
    return custops__scan_err_at(&p->lx.sc, tok(p)->start, CUSTOPS_EPARSE, "expected %s but found %s", what, found);
}

static int err_at(parser *p, const char *pos, int status, const char *fmt, ...) CUSTOPS__PRINTF(4, 5);
static int err_at(parser *p, const char *pos, int status, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return custops__scan_err_at(&p->lx.sc, pos, status, "%s", msg);
}

/* The n-th token after the current one, without consuming anything. */
static int peek_n(parser *p, int n, seg_tok *out)
{
    seg_lexer save = p->lx;
    int rc = CUSTOPS_OK;
    for (int i = 0; i < n && !rc; i++)
        rc = seg_lex_next(&p->lx);
    *out = p->lx.tok;
    out->str = NULL; /* the string buffer is shared: callers look at kind/start only */
    char *buf = p->lx.strbuf;
    size_t cap = p->lx.strcap;
    p->lx = save;
    p->lx.strbuf = buf;
    p->lx.strcap = cap;
    if (save.tok.kind == TK_STR)
        p->lx.tok.str = buf;
    return rc;
}

static int peek(parser *p, seg_tok *out) { return peek_n(p, 1, out); }

static size_t span_off(parser *p, const char *start) { return (size_t)(start - p->text); }
static const char *prev_end(parser *p) { return p->lx.tok.start; }

static int leaf_node(parser *p, seg_leaf **leaf, int *node, const char *start)
{
    int li;
    int rc = seg_add_leaf(p->a, leaf, &li);
    if (rc)
        return rc;
    (void)start;
    *node = li; /* caller turns it into a node once the span is known */
    return CUSTOPS_OK;
}

/* Add a node spanning from start to the end of the last consumed token. */
static int node_here(parser *p, seg_node_kind kind, int x, int y, const char *start, int *node)
{
    const char *end = prev_end(p);
    if (tok(p)->kind == TK_EOF)
        end = p->lx.sc.end;
    while (end > start && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\n' || end[-1] == '\r'))
        end--;
    int rc = seg_add_node(p->a, kind, x, y, p->text_id, span_off(p, start), (size_t)(end - start));
    if (!rc)
        *node = (int)p->a->nnodes - 1;
    return rc;
}

static int finish_leaf(parser *p, int li, const char *start, int *node)
{
    return node_here(p, N_LEAF, li, -1, start, node);
}

/* ---- values ---- */

static bool is_time_word(const seg_tok *t)
{
    return seg_tok_is(t, "now") || seg_tok_is(t, "today") || seg_tok_is(t, "yesterday");
}

static int parse_time(parser *p, seg_time *out, const char *what)
{
    const seg_tok *t = tok(p);
    if (!(t->kind == TK_REL || t->kind == TK_DATE || is_time_word(t)))
        return expected(p, what);
    if (p->bind) {
        int rc = seg_time_from_tok(&p->a->ctx, t, out);
        if (rc == CUSTOPS_EPARSE)
            return err_at(p, t->start, rc, "%s", custops_last_error());
        if (rc)
            return rc;
    }
    return next(p);
}

static void free_value(value *v)
{
    custops__free(v->str);
    v->str = NULL;
}

static int parse_value(parser *p, value *v)
{
    const seg_tok *t = tok(p);
    memset(v, 0, sizeof *v);
    v->pos = t->start;
    if (t->kind == TK_NUM) {
        v->kind = V_NUM;
        v->num = t->num;
        return next(p);
    }
    if (t->kind == TK_STR) {
        v->kind = V_STR;
        v->str = custops__strdup(t->str);
        if (!v->str)
            return custops__nomem();
        int rc = next(p);
        if (rc)
            free_value(v); /* callers free a value only when parsing it succeeded */
        return rc;
    }
    if (t->kind == TK_REL || t->kind == TK_DATE || is_time_word(t)) {
        v->kind = V_TIME;
        return parse_time(p, &v->t, "a time");
    }
    return expected(p, "a number, a \"string\" or a time (-30d, 2024-05-30, now)");
}

/* ---- binding helpers ---- */

static const int64_t I64_MIN = INT64_MIN, I64_MAX = INT64_MAX;

static double clampd(double c)
{
    if (c > 9.0e18)
        return 9.0e18;
    if (c < -9.0e18)
        return -9.0e18;
    return c;
}

/* Integer range for `column op c` (c may have a fraction). */
static void int_range(seg_op op, double c, int64_t *lo, int64_t *hi, int *negate)
{
    c = clampd(c);
    *lo = I64_MIN;
    *hi = I64_MAX;
    *negate = 0;
    switch (op) {
    case OP_NE:
        *negate = 1;
        /* fall through */
    case OP_EQ:
        if (floor(c) == c) {
            *lo = *hi = (int64_t)c;
        } else {
            *lo = 1;
            *hi = 0;
        }
        break;
    case OP_LT: *hi = (int64_t)ceil(c) - 1; break;
    case OP_LE: *hi = (int64_t)floor(c); break;
    case OP_GT: *lo = (int64_t)floor(c) + 1; break;
    case OP_GE: *lo = (int64_t)ceil(c); break;
    }
}

static void time_range(seg_op op, seg_time t, int64_t *lo, int64_t *hi, int *negate)
{
    *lo = I64_MIN;
    *hi = I64_MAX;
    *negate = 0;
    switch (op) {
    case OP_NE: *negate = 1; /* fall through */
    case OP_EQ: *lo = t.start; *hi = t.end - 1; break;
    case OP_LT: *hi = t.start - 1; break;
    case OP_LE: *hi = t.end - 1; break;
    case OP_GT: *lo = t.end; break;
    case OP_GE: *lo = t.start; break;
    }
}

static void dbl_range(seg_op op, double c, double *lo, double *hi, int *negate)
{
    *lo = -INFINITY;
    *hi = INFINITY;
    *negate = 0;
    switch (op) {
    case OP_NE: *negate = 1; /* fall through */
    case OP_EQ: *lo = *hi = c; break;
    case OP_LT: *hi = nextafter(c, -INFINITY); break;
    case OP_LE: *hi = c; break;
    case OP_GT: *lo = nextafter(c, INFINITY); break;
    case OP_GE: *lo = c; break;
    }
}

typedef struct colref {
    const char *name; /* points into the text: not NUL-terminated */
    size_t len;
    const char *pos;
    char cname[128];
    size_t col;
    int type;
    int money;
} colref;

static int resolve_column(parser *p, colref *c)
{
    if (!p->bind)
        return CUSTOPS_OK;
    const custops_frame *f = p->a->ctx.customers;
    if (c->len >= sizeof c->cname)
        return err_at(p, c->pos, CUSTOPS_ENOTFOUND, "column name too long");
    memcpy(c->cname, c->name, c->len);
    c->cname[c->len] = '\0';
    if (custops_frame_find(f, c->cname, &c->col) != CUSTOPS_OK)
        return err_at(p, c->pos, CUSTOPS_ENOTFOUND, "unknown column '%s': the customers frame has no such column",
                      c->cname);
    c->type = custops_frame_col_type(f, c->col);
    c->money = seg_ctx_is_money(&p->a->ctx, c->cname);
    return CUSTOPS_OK;
}

static double scale_money(parser *p, const colref *c, double x)
{
    if (!c->money)
        return x;
    double r = x * pow(10.0, p->a->ctx.exponent);
    double rr = nearbyint(r);
    return fabs(r - rr) < 1e-6 * (fabs(r) > 1 ? fabs(r) : 1) ? rr : r;
}

static int dict_code(parser *p, const char *dictcol, const char *name, const char *pos, int64_t *code)
{
    size_t namecol;
    const custops_frame *d = seg_ctx_dict_for(&p->a->ctx, dictcol, &namecol);
    if (!d)
        return err_at(p, pos, CUSTOPS_ENOTFOUND,
                      "'%s' holds codes but no dictionary for it was given (custops_segment_ctx_add_dict)", dictcol);
    size_t n = custops_frame_nrows(d);
    for (size_t i = 0; i < n; i++) {
        const char *s;
        if (custops_frame_string(d, namecol, i, &s) == CUSTOPS_OK && strcmp(s, name) == 0) {
            *code = (int64_t)i;
            return CUSTOPS_OK;
        }
    }
    return err_at(p, pos, CUSTOPS_ENOTFOUND, "unknown %s \"%s\": not in the dictionary", dictcol, name);
}

static int set_column(seg_leaf *l, const custops_frame *f, const colref *c)
{
    l->col = c->col;
    l->money = c->money;
    if (c->type == CUSTOPS_COL_INT64)
        return custops_frame_int64(f, c->col, &l->i64);
    if (c->type == CUSTOPS_COL_DOUBLE)
        return custops_frame_double(f, c->col, &l->f64);
    return CUSTOPS_OK;
}

static int str_leaf(seg_leaf *l, const char *s)
{
    char **n = custops__reallocarray(l->strs, l->nstrs + 1, sizeof *n);
    if (!n)
        return custops__nomem();
    l->strs = n;
    if (!(l->strs[l->nstrs] = custops__strdup(s)))
        return custops__nomem();
    l->nstrs++;
    return CUSTOPS_OK;
}

static const char *op_text(seg_op op)
{
    static const char *const t[] = {"=", "!=", "<", "<=", ">", ">="};
    return t[op];
}

static int bind_compare(parser *p, seg_leaf *l, colref *c, seg_op op, value *v)
{
    if (!p->bind)
        return CUSTOPS_OK;
    const custops_frame *f = p->a->ctx.customers;
    int rc = set_column(l, f, c);
    if (rc)
        return rc;
    if (c->type == CUSTOPS_COL_STRING) {
        if (v->kind != V_STR)
            return err_at(p, v->pos, CUSTOPS_EPARSE, "column '%s' holds text: expected a \"string\" after '%s'",
                          c->cname, op_text(op));
        if (op != OP_EQ && op != OP_NE)
            return err_at(p, v->pos, CUSTOPS_EPARSE, "text column '%s' takes = or != only", c->cname);
        l->kind = L_STR;
        l->negate = op == OP_NE;
        return str_leaf(l, v->str);
    }
    if (c->type == CUSTOPS_COL_DOUBLE) {
        if (v->kind != V_NUM)
            return err_at(p, v->pos, CUSTOPS_EPARSE, "column '%s' holds numbers: expected a number after '%s'",
                          c->cname, op_text(op));
        l->kind = L_F64;
        dbl_range(op, scale_money(p, c, v->num), &l->flo, &l->fhi, &l->negate);
        return CUSTOPS_OK;
    }
    l->kind = L_I64;
    if (v->kind == V_TIME) {
        l->date = 1;
        time_range(op, v->t, &l->lo, &l->hi, &l->negate);
        return CUSTOPS_OK;
    }
    if (v->kind == V_STR) {
        if (strcmp(c->cname, "tags") == 0)
            return err_at(p, v->pos, CUSTOPS_EPARSE, "tags are a bitmask: expected 'tags has \"NAME\"'");
        if (op != OP_EQ && op != OP_NE)
            return err_at(p, v->pos, CUSTOPS_EPARSE, "a name compares with = or != only");
        int64_t code;
        if ((rc = dict_code(p, c->cname, v->str, v->pos, &code)))
            return rc;
        l->lo = l->hi = code;
        l->negate = op == OP_NE;
        return CUSTOPS_OK;
    }
    int_range(op, scale_money(p, c, v->num), &l->lo, &l->hi, &l->negate);
    return CUSTOPS_OK;
}

/* ---- predicates ---- */

static int parse_window(parser *p, int64_t *t0, int64_t *t1, bool *has)
{
    seg_time a = {0, 0}, b = {0, 0};
    int rc;
    *has = false;
    *t0 = I64_MIN;
    *t1 = p->a->ctx.now;
    if (seg_tok_is(tok(p), "in")) {
        if ((rc = next(p)) || (rc = parse_time(p, &a, "a time (-30d, 2024-05-30, today)")))
            return rc;
        if (tok(p)->kind != TK_DOTDOT)
            return expected(p, "'..' between the two ends of the window");
        if ((rc = next(p)) || (rc = parse_time(p, &b, "a time after '..' (now, -3d, 2024-05-30)")))
            return rc;
    } else if (seg_tok_is(tok(p), "between")) {
        if ((rc = next(p)) || (rc = parse_time(p, &a, "a time (-30d, 2024-05-30, today)")))
            return rc;
        if (!seg_tok_is(tok(p), "and"))
            return expected(p, "'and' between the two ends of the window");
        if ((rc = next(p)) || (rc = parse_time(p, &b, "a time after 'and' (now, -3d, 2024-05-30)")))
            return rc;
    } else if (seg_tok_is(tok(p), "since")) {
        if ((rc = next(p)) || (rc = parse_time(p, &a, "a time (-30d, 2024-05-30, today)")))
            return rc;
        b.start = p->a->ctx.now;
        b.end = p->a->ctx.now + 1;
    } else {
        return CUSTOPS_OK;
    }
    *has = true;
    *t0 = a.start;
    *t1 = b.end - 1;
    return CUSTOPS_OK;
}

static int parse_function(parser *p, seg_leaf *l, seg_func fn, const char *pos)
{
    int rc;
    l->kind = L_FUNC;
    l->func = fn;
    l->code = -1;
    if (fn == F_EVENTS) {
        if ((rc = next(p)))
            return rc;
        if (tok(p)->kind != TK_LP)
            return expected(p, "'(' and an event type after 'events'");
        if ((rc = next(p)))
            return rc;
        const seg_tok *t = tok(p);
        int found = -1;
        for (size_t i = 0; i < sizeof EVENT_TYPES / sizeof *EVENT_TYPES; i++)
            if (seg_tok_is(t, EVENT_TYPES[i]))
                found = (int)i;
        if (found < 0)
            return expected(p, "an event type (visit, view, cart_add, favourite, coupon_received, coupon_used, login)");
        l->code = found;
        if ((rc = next(p)))
            return rc;
        if (tok(p)->kind != TK_RP)
            return expected(p, "')' after the event type");
    } else if (fn == F_BOUGHT_CAT) {
        if ((rc = next(p)))
            return rc;
        bool cat = seg_tok_is(tok(p), "category"), sku = seg_tok_is(tok(p), "sku");
        if (!cat && !sku)
            return expected(p, "'category' or 'sku' after 'bought'");
        l->func = cat ? F_BOUGHT_CAT : F_BOUGHT_SKU;
        if ((rc = next(p)))
            return rc;
        if (tok(p)->kind != TK_STR)
            return expected(p, cat ? "a category name in quotes" : "a sku in quotes");
        if (p->bind && (rc = dict_code(p, cat ? "category" : "sku", tok(p)->str, tok(p)->start, &l->code)))
            return rc;
    }
    if (p->bind) {
        bool events = fn == F_EVENTS;
        if (events && !p->a->ctx.events)
            return err_at(p, pos, CUSTOPS_ENOTFOUND, "events(...) needs an events frame (custops_segment_ctx_set_events)");
        if (!events && !p->a->ctx.lines)
            return err_at(p, pos, CUSTOPS_ENOTFOUND, "'%s' needs a lines frame (custops_segment_ctx_set_lines)",
                          fn == F_ORDERS ? "orders" : fn == F_SPEND ? "spend" : "bought");
    }
    if ((rc = next(p)))
        return rc;
    bool has;
    if ((rc = parse_window(p, &l->t0, &l->t1, &has)))
        return rc;
    l->lo = 1;
    l->hi = I64_MAX;
    if (tok(p)->kind == TK_OP) {
        seg_op op = tok(p)->op;
        if ((rc = next(p)))
            return rc;
        if (tok(p)->kind != TK_NUM)
            return expected(p, fn == F_SPEND ? "an amount after the comparison" : "a count after the comparison");
        double c = tok(p)->num;
        if (fn == F_SPEND)
            c = nearbyint(c * pow(10.0, p->a->ctx.exponent) * 1e6) / 1e6;
        int_range(op, c, &l->lo, &l->hi, &l->negate);
        l->money = fn == F_SPEND;
        if ((rc = next(p)))
            return rc;
    } else if (fn == F_SPEND) {
        l->money = 1;
    }
    return CUSTOPS_OK;
}

static int parse_in_list(parser *p, seg_leaf *l, colref *c, int negate)
{
    int rc;
    if ((rc = next(p))) /* '(' */
        return rc;
    l->negate = negate;
    if (p->bind && c->type == CUSTOPS_COL_DOUBLE)
        return err_at(p, c->pos, CUSTOPS_EPARSE,
                      "'in (...)' needs an integer, code or text column; '%s' holds doubles (use between)", c->cname);
    l->kind = p->bind && c->type == CUSTOPS_COL_STRING ? L_STR : L_SET;
    size_t count = 0;
    for (;;) {
        value v;
        if ((rc = parse_value(p, &v)))
            return rc;
        if (++count > SEG_MAX_IN) {
            free_value(&v);
            return err_at(p, v.pos, CUSTOPS_ELIMIT, "more than %d values in one 'in' list", SEG_MAX_IN);
        }
        if (p->bind) {
            if (l->kind == L_STR) {
                if (v.kind != V_STR)
                    rc = err_at(p, v.pos, CUSTOPS_EPARSE, "column '%s' holds text: expected a \"string\"", c->cname);
                else
                    rc = str_leaf(l, v.str);
            } else {
                int64_t code = 0;
                int keep = 1;
                if (v.kind == V_STR) {
                    rc = dict_code(p, c->cname, v.str, v.pos, &code);
                } else if (v.kind == V_NUM) {
                    double x = scale_money(p, c, v.num);
                    keep = floor(x) == x && fabs(x) < 9e18; /* a fraction never equals an integer */
                    code = keep ? (int64_t)x : 0;
                } else {
                    rc = err_at(p, v.pos, CUSTOPS_EPARSE, "expected a number or a \"name\" in the list");
                }
                if (!rc && keep) {
                    int64_t *n = custops__reallocarray(l->set, l->nset + 1, sizeof *n);
                    if (!n)
                        rc = custops__nomem();
                    else
                        (l->set = n)[l->nset++] = code;
                }
            }
        }
        free_value(&v);
        if (rc)
            return rc;
        if (tok(p)->kind == TK_COMMA) {
            if ((rc = next(p)))
                return rc;
            continue;
        }
        if (tok(p)->kind == TK_RP)
            return next(p);
        return expected(p, "',' or ')' in the list");
    }
}

static int cmp_i64(const void *x, const void *y)
{
    int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
    return (a > b) - (a < b);
}

static int parse_predicate(parser *p, int *node)
{
    const seg_tok *t = tok(p);
    const char *start = t->start;
    int rc;
    if (t->kind != TK_IDENT)
        return expected(p, "a column name, a count (orders, spend, events, bought), 'not', '(' or 'segment'");
    seg_leaf *l;
    int li;
    if ((rc = leaf_node(p, &l, &li, start)))
        return rc;
    colref c;
    memset(&c, 0, sizeof c);
    c.name = t->start;
    c.len = t->len;
    c.pos = t->start;
    /* counts over lines and events */
    if (seg_tok_is(t, "events")) {
        seg_tok nx;
        if ((rc = peek(p, &nx)))
            return rc;
        if (nx.kind == TK_LP) {
            if ((rc = parse_function(p, l, F_EVENTS, start)))
                return rc;
            goto done;
        }
    }
    if (seg_tok_is(t, "bought")) {
        if ((rc = parse_function(p, l, F_BOUGHT_CAT, start)))
            return rc;
        goto done;
    }
    if (seg_tok_is(t, "orders") || seg_tok_is(t, "spend")) {
        seg_func fn = seg_tok_is(t, "orders") ? F_ORDERS : F_SPEND;
        seg_tok nx, nx2;
        if ((rc = peek(p, &nx)))
            return rc;
        bool fnform = nx.kind == TK_EOF || nx.kind == TK_RP || seg_tok_is(&nx, "and") || seg_tok_is(&nx, "or") ||
                      seg_tok_is(&nx, "since");
        if (seg_tok_is(&nx, "in") || seg_tok_is(&nx, "between")) {
            if ((rc = peek_n(p, 2, &nx2)))
                return rc;
            fnform = nx2.kind == TK_REL || nx2.kind == TK_DATE || is_time_word(&nx2);
        }
        if (fnform) {
            if ((rc = parse_function(p, l, fn, start)))
                return rc;
            goto done;
        }
    }
    if ((rc = resolve_column(p, &c)))
        return rc;
    if ((rc = next(p)))
        return rc;
    t = tok(p);
    if (t->kind == TK_OP) {
        seg_op op = t->op;
        if ((rc = next(p)))
            return rc;
        value v;
        if ((rc = parse_value(p, &v)))
            return rc;
        rc = bind_compare(p, l, &c, op, &v);
        free_value(&v);
        if (rc)
            return rc;
        goto done;
    }
    int neg = 0;
    if (seg_tok_is(t, "not")) {
        neg = 1;
        if ((rc = next(p)))
            return rc;
        t = tok(p);
        if (!seg_tok_is(t, "in") && !seg_tok_is(t, "between"))
            return expected(p, "'in' or 'between' after 'not'");
    }
    if (seg_tok_is(t, "between")) {
        if ((rc = next(p)))
            return rc;
        value a, b;
        if ((rc = parse_value(p, &a)))
            return rc;
        if (!seg_tok_is(tok(p), "and")) {
            free_value(&a);
            return expected(p, "'and' between the two bounds");
        }
        if ((rc = next(p)) || (rc = parse_value(p, &b))) {
            free_value(&a);
            return rc;
        }
        if (p->bind) {
            if (a.kind != b.kind || a.kind == V_STR) {
                rc = err_at(p, b.pos, CUSTOPS_EPARSE, "expected two numbers or two times around 'and'");
            } else {
                seg_leaf lb;
                memset(&lb, 0, sizeof lb);
                if (!(rc = bind_compare(p, l, &c, OP_GE, &a)) && !(rc = bind_compare(p, &lb, &c, OP_LE, &b))) {
                    l->hi = lb.hi;
                    l->fhi = lb.fhi;
                    l->negate = neg;
                }
                seg_leaf_release(&lb);
            }
        }
        free_value(&a);
        free_value(&b);
        if (rc)
            return rc;
        goto done;
    }
    if (seg_tok_is(t, "in")) {
        seg_tok nx;
        if ((rc = peek(p, &nx)))
            return rc;
        if (nx.kind == TK_LP) {
            if ((rc = next(p)))
                return rc;
            if ((rc = set_column(l, p->a->ctx.customers, &c)))
                return rc;
            if ((rc = parse_in_list(p, l, &c, neg)))
                return rc;
            if (l->kind == L_SET && l->nset > 1)
                qsort(l->set, l->nset, sizeof *l->set, cmp_i64);
            goto done;
        }
        if (!neg && (seg_tok_is(&nx, "top") || seg_tok_is(&nx, "bottom"))) {
            if ((rc = next(p)))
                return rc;
            l->kind = L_PCT;
            l->top = seg_tok_is(tok(p), "top");
            if ((rc = next(p)))
                return rc;
            if (tok(p)->kind != TK_NUM || !(tok(p)->num > 0 && tok(p)->num <= 100))
                return expected(p, "a percentage above 0 and at most 100");
            l->pct = tok(p)->num;
            if ((rc = next(p)))
                return rc;
            if (tok(p)->kind != TK_PCT)
                return expected(p, "'%' after the percentage");
            if ((rc = next(p)))
                return rc;
            if (p->bind) {
                if (c.type == CUSTOPS_COL_STRING)
                    return err_at(p, c.pos, CUSTOPS_EPARSE, "'in top/bottom' needs a numeric column; '%s' holds text",
                                  c.cname);
                if ((rc = set_column(l, p->a->ctx.customers, &c)))
                    return rc;
            }
            goto done;
        }
        return expected(p, neg ? "'(' after 'not in'" : "'(', 'top' or 'bottom' after 'in'");
    }
    if (!neg && seg_tok_is(t, "has")) {
        if ((rc = next(p)))
            return rc;
        if (tok(p)->kind != TK_STR)
            return expected(p, "a tag name in quotes after 'has'");
        if (p->bind) {
            if (c.type != CUSTOPS_COL_INT64)
                return err_at(p, c.pos, CUSTOPS_EPARSE, "'has' needs an int64 tag bitmask column; '%s' is not one",
                              c.cname);
            int64_t code;
            if ((rc = dict_code(p, "tags", tok(p)->str, tok(p)->start, &code)))
                return rc;
            if (code >= 64)
                return err_at(p, tok(p)->start, CUSTOPS_ERANGE, "tag \"%s\" is code %lld: only the first 64 tags are in the bitmask",
                              tok(p)->str, (long long)code);
            l->kind = L_TAG;
            l->mask = (int64_t)((uint64_t)1 << code);
            if ((rc = set_column(l, p->a->ctx.customers, &c)))
                return rc;
        }
        if ((rc = next(p)))
            return rc;
        goto done;
    }
    if (!neg && seg_tok_is(t, "is")) {
        if ((rc = next(p)))
            return rc;
        if (seg_tok_is(tok(p), "not")) {
            l->negate = 1;
            if ((rc = next(p)))
                return rc;
        }
        if (!seg_tok_is(tok(p), "null"))
            return expected(p, "'null' after 'is'");
        l->kind = L_NULL;
        if (p->bind && (rc = set_column(l, p->a->ctx.customers, &c)))
            return rc;
        if ((rc = next(p)))
            return rc;
        goto done;
    }
    return expected(p, "a comparison (= != < <= > >=), 'between', 'in', 'has' or 'is' after the column name");
done:
    return finish_leaf(p, li, start, node);
}

static int parse_expr(parser *p, int *node);

static int depth_in(parser *p)
{
    if (++p->a->cur_depth > p->a->ctx.max_depth)
        return custops__scan_err_at(&p->lx.sc, tok(p)->start, CUSTOPS_ELIMIT,
                                    "expression nested deeper than %zu levels", p->a->ctx.max_depth);
    return CUSTOPS_OK;
}

static int parse_reference(parser *p, int *node)
{
    const char *start = tok(p)->start;
    int rc;
    if ((rc = next(p)))
        return rc;
    const seg_tok *t = tok(p);
    if (t->kind != TK_IDENT && t->kind != TK_STR)
        return expected(p, "a segment name after 'segment'");
    char name[80];
    if (t->kind == TK_STR)
        snprintf(name, sizeof name, "%s", t->str);
    else
        snprintf(name, sizeof name, "%.*s", (int)(t->len < 79 ? t->len : 79), t->start);
    const char *npos = t->start;
    if (!p->bind) {
        if (p->refs) {
            char **nn = custops__reallocarray(p->refs->names, p->refs->n + 1, sizeof *nn);
            if (!nn)
                return custops__nomem();
            p->refs->names = nn;
            if (!(nn[p->refs->n] = custops__strdup(name)))
                return custops__nomem();
            p->refs->n++;
        }
        if ((rc = next(p)))
            return rc;
        seg_leaf *l;
        int li;
        if ((rc = seg_add_leaf(p->a, &l, &li)))
            return rc;
        l->kind = L_I64;
        l->lo = 1;
        l->hi = 0;
        return finish_leaf(p, li, start, node);
    }
    for (size_t i = 0; i < p->nstack; i++)
        if (strcmp(p->stack[i], name) == 0)
            return err_at(p, npos, CUSTOPS_ESTATE, "segment '%s' refers to itself (a cycle of references)", name);
    const char *text = p->a->ctx.library ? seg_library_text(p->a->ctx.library, name) : NULL;
    if (!text)
        return err_at(p, npos, CUSTOPS_ENOTFOUND, "unknown segment '%s'%s", name,
                      p->a->ctx.library ? "" : " (no library in the context)");
    size_t tlen = strlen(text);
    if (tlen > p->a->ctx.max_length - p->a->text_bytes)
        return err_at(p, npos, CUSTOPS_ELIMIT,
                      "expression with its segment references expanded is more than the limit of %zu bytes "
                      "(at segment '%s')",
                      p->a->ctx.max_length, name);
    const char **stack = custops__reallocarray(NULL, p->nstack + 1, sizeof *stack);
    if (!stack)
        return custops__nomem();
    for (size_t i = 0; i < p->nstack; i++)
        stack[i] = p->stack[i];
    stack[p->nstack] = name;
    rc = seg_parse(p->a, text, name, true, NULL, stack, p->nstack + 1, node);
    custops__free(stack);
    if (rc)
        return rc;
    return next(p);
}

static int parse_factor(parser *p, int *node)
{
    int rc;
    if ((rc = depth_in(p)))
        return rc;
    const seg_tok *t = tok(p);
    const char *start = t->start;
    if (seg_tok_is(t, "not")) {
        int child;
        if ((rc = next(p)) || (rc = parse_factor(p, &child)))
            return rc;
        if ((rc = node_here(p, N_NOT, child, -1, start, node)))
            return rc;
    } else if (t->kind == TK_LP) {
        if ((rc = next(p)) || (rc = parse_expr(p, node)))
            return rc;
        if (tok(p)->kind != TK_RP) {
            char what[96];
            int line = 1, col;
            const char *ls = p->lx.sc.start;
            for (const char *q = p->lx.sc.start; q < start; q++)
                if (*q == '\n') {
                    line++;
                    ls = q + 1;
                }
            col = (int)(start - ls) + 1;
            snprintf(what, sizeof what, "')' to close the '(' at %d:%d", line, col);
            return expected(p, what);
        }
        if ((rc = next(p)))
            return rc;
    } else if (seg_tok_is(t, "segment")) {
        if ((rc = parse_reference(p, node)))
            return rc;
    } else {
        if ((rc = parse_predicate(p, node)))
            return rc;
    }
    p->a->cur_depth--;
    return CUSTOPS_OK;
}

static int parse_term(parser *p, int *node)
{
    const char *start = tok(p)->start;
    int rc = parse_factor(p, node);
    while (!rc && seg_tok_is(tok(p), "and")) {
        int rhs;
        if ((rc = next(p)) || (rc = parse_factor(p, &rhs)))
            return rc;
        rc = node_here(p, N_AND, *node, rhs, start, node);
    }
    return rc;
}

static int parse_expr(parser *p, int *node)
{
    const char *start = tok(p)->start;
    int rc = parse_term(p, node);
    while (!rc && seg_tok_is(tok(p), "or")) {
        int rhs;
        if ((rc = next(p)) || (rc = parse_term(p, &rhs)))
            return rc;
        rc = node_here(p, N_OR, *node, rhs, start, node);
    }
    return rc;
}

void seg_refs_release(seg_refs *r)
{
    for (size_t i = 0; i < r->n; i++)
        custops__free(r->names[i]);
    custops__free(r->names);
    memset(r, 0, sizeof *r);
}

int seg_parse(custops_audience *a, const char *text, const char *what, bool bind, seg_refs *refs,
              const char *const *stack, size_t nstack, int *root_out)
{
    size_t len = strlen(text);
    if (len > a->ctx.max_length)
        return custops__err(CUSTOPS_ELIMIT, "%s:1:1: expression is %zu bytes, more than the limit of %zu", what, len,
                            a->ctx.max_length);
    if (CUSTOPS__GROW(a->texts, a->captexts, a->ntexts + 1))
        return CUSTOPS_ENOMEM;
    char *copy = custops__strndup(text, len);
    if (!copy)
        return custops__nomem();
    a->texts[a->ntexts] = copy;
    a->text_bytes += len;
    parser p;
    memset(&p, 0, sizeof p);
    p.a = a;
    p.text = copy;
    p.text_id = (int)a->ntexts++;
    p.bind = bind;
    p.refs = refs;
    p.stack = stack;
    p.nstack = nstack;
    seg_lex_init(&p.lx, copy, len, what);
    int rc = next(&p);
    if (!rc && tok(&p)->kind == TK_EOF)
        rc = expected(&p, "an expression");
    if (!rc)
        rc = parse_expr(&p, root_out);
    if (!rc && tok(&p)->kind != TK_EOF)
        rc = expected(&p, "'and', 'or' or end of text");
    seg_lex_release(&p.lx);
    return rc;
}
