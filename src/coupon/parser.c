/* Recursive-descent parser of the rule language (grammar in docs/coupons.md).
 * It fills a custops_ruleset; cpn_ruleset_finish() then resolves zones,
 * sorts rules, splits conditions into conjuncts and lints. Every error names
 * what was expected at line:col. Local date-times are kept as naive local
 * seconds until the rule's zone is known (a rule's tz may come after its
 * valid statement). */
#include "coupon_internal.h"

#include <stdio.h>

typedef struct parser {
    cpn_lexer lx;
    custops_ruleset *rs;
} parser;

#define TOK (&p->lx.tok)

static int next(parser *p) { return cpn_lex_next(&p->lx); }
static int expected(parser *p, const char *what) { return cpn_lex_expected(&p->lx, what); }

static int is_kw(const cpn_tok *t, const char *w)
{
    size_t n = strlen(w);
    return t->kind == TK_IDENT && t->len == n && memcmp(t->p, w, n) == 0;
}

static int expect(parser *p, int kind)
{
    if (TOK->kind != kind)
        return expected(p, cpn_tok_name(kind));
    return next(p);
}

static int expect_kw(parser *p, const char *w)
{
    if (!is_kw(TOK, w)) {
        char what[64];
        snprintf(what, sizeof what, "'%s'", w);
        return expected(p, what);
    }
    return next(p);
}

static int tok_dup(parser *p, char **out)
{
    *out = custops__strndup(TOK->p, TOK->len);
    return *out ? 0 : custops__nomem();
}

static int err_here(parser *p, int status, const char *msg)
{
    return custops__scan_err_at(&p->lx.sc, TOK->p, status, "%s", msg);
}

static int parse_int(parser *p, int64_t lo, int64_t hi, int64_t *out)
{
    int neg = 0;
    if (TOK->kind == TK_MINUS) {
        neg = 1;
        int rc = next(p);
        if (rc)
            return rc;
    }
    if (TOK->kind != TK_NUMBER)
        return expected(p, "an integer");
    int64_t v;
    if (custops__parse_i64(TOK->p, TOK->len, &v))
        return err_here(p, CUSTOPS_EPARSE, "expected an integer (no decimals)");
    if (neg)
        v = -v;
    if (v < lo || v > hi) {
        char msg[96];
        snprintf(msg, sizeof msg, "integer out of range %lld..%lld", (long long)lo, (long long)hi);
        return err_here(p, CUSTOPS_ERANGE, msg);
    }
    *out = v;
    return next(p);
}

static int parse_money(parser *p, int64_t *out)
{
    if (TOK->kind != TK_NUMBER)
        return expected(p, "a money amount such as 10.00");
    int rc = custops__parse_money(TOK->p, TOK->len, p->rs->exponent, out);
    if (rc == CUSTOPS_ERANGE) {
        char msg[96];
        snprintf(msg, sizeof msg, "amount has more than %d decimals for %s, or is too large", p->rs->exponent,
                 p->rs->currency);
        return err_here(p, CUSTOPS_EPARSE, msg);
    }
    if (rc)
        return expected(p, "a money amount such as 10.00");
    return next(p);
}

static int parse_pct(parser *p, int64_t *bp)
{
    if (TOK->kind != TK_PERCENT)
        return expected(p, "a percentage such as 12%");
    int64_t v;
    if (custops__parse_money(TOK->p, TOK->len - 1, 2, &v))
        return err_here(p, CUSTOPS_EPARSE, "a percentage has at most 2 decimals");
    if (v <= 0 || v > 10000)
        return err_here(p, CUSTOPS_ERANGE, "a percentage must be above 0% and at most 100%");
    *bp = v;
    return next(p);
}

static int parse_string(parser *p, char **out)
{
    if (TOK->kind != TK_STRING)
        return expected(p, "a string in double quotes");
    int rc = tok_dup(p, out);
    if (!rc && (rc = next(p))) { /* the caller may not own the slot yet: never leave it allocated */
        custops__free(*out);
        *out = NULL;
    }
    return rc;
}

/* naive local seconds of a DATETIME token (converted in the rule's zone later) */
static int parse_datetime(parser *p, int64_t *naive)
{
    if (TOK->kind != TK_DATETIME)
        return expected(p, "a date-time such as 2025-11-11T20:00");
    char buf[40];
    if (TOK->len >= sizeof buf || TOK->len < 10)
        return err_here(p, CUSTOPS_EPARSE, "malformed date-time (use 2025-11-11T20:00)");
    memcpy(buf, TOK->p, TOK->len);
    buf[TOK->len] = 0;
    if (custops_time_parse(buf, NULL, naive) != CUSTOPS_OK)
        return err_here(p, CUSTOPS_EPARSE, "malformed date-time (use 2025-11-11T20:00)");
    return next(p);
}

static int parse_time_of_day(parser *p, int32_t *sec, int allow_24)
{
    if (TOK->kind != TK_TIME)
        return expected(p, "a time such as 20:00");
    int h = 0, m = 0;
    const char *c = memchr(TOK->p, ':', TOK->len);
    if (!c || c - TOK->p > 2 || TOK->p + TOK->len - c != 3)
        return err_here(p, CUSTOPS_EPARSE, "malformed time (use HH:MM)");
    for (const char *q = TOK->p; q < c; q++)
        h = h * 10 + (*q - '0');
    m = (c[1] - '0') * 10 + (c[2] - '0');
    if (m > 59 || h > 24 || (h == 24 && (m || !allow_24)))
        return err_here(p, CUSTOPS_ERANGE, allow_24 ? "time must be 00:00..24:00" : "time must be 00:00..23:59");
    *sec = h * 3600 + m * 60;
    return next(p);
}

/* ---- conditions ---- */
static int parse_expr(parser *p, cpn_rule *r, int *out);

static int add(cpn_rule *r, int op, int type, int *idx)
{
    cpn_node n = {.op = op, .type = type, .a = -1, .b = -1};
    return cpn_add_node(r, &n, idx);
}

static int parse_value(parser *p, cpn_rule *r, int *out)
{
    int rc;
    const cpn_tok t = *TOK;
    if (t.kind == TK_NUMBER || t.kind == TK_MINUS) {
        int neg = t.kind == TK_MINUS;
        if (neg && (rc = next(p)))
            return rc;
        if (TOK->kind != TK_NUMBER)
            return expected(p, "a number");
        int dec = memchr(TOK->p, '.', TOK->len) != NULL;
        int64_t v;
        if (dec) {
            if ((rc = parse_money(p, &v)))
                return rc;
        } else if ((rc = parse_int(p, 0, INT64_MAX, &v))) {
            return rc;
        }
        if ((rc = add(r, dec ? X_MONEY : X_INT, dec ? T_MONEY : T_INT, out)))
            return rc;
        r->nodes[*out].v = neg ? -v : v;
        return 0;
    }
    if (t.kind == TK_STRING) {
        if ((rc = add(r, X_STR, T_STR, out)))
            return rc;
        return parse_string(p, &r->nodes[*out].s);
    }
    if (t.kind != TK_IDENT)
        return expected(p, "a value (number, string, true, false, a path such as customer.tier, or a call such as subtotal())");
    if (is_kw(&t, "true") || is_kw(&t, "false")) {
        if ((rc = add(r, X_BOOL, T_BOOL, out)))
            return rc;
        r->nodes[*out].v = is_kw(&t, "true");
        return next(p);
    }
    if ((rc = next(p)))
        return rc;
    if (TOK->kind == TK_LPAREN) { /* call */
        if ((rc = next(p)))
            return rc;
        if (is_kw(&t, "subtotal") || is_kw(&t, "qty") || is_kw(&t, "first_order")) {
            int op = is_kw(&t, "subtotal") ? X_SUBTOTAL : is_kw(&t, "qty") ? X_QTY : X_FIRST_ORDER;
            if ((rc = add(r, op, op == X_SUBTOTAL ? T_MONEY : op == X_QTY ? T_INT : T_BOOL, out)))
                return rc;
            return expect(p, TK_RPAREN);
        }
        if (is_kw(&t, "in_segment")) {
            if ((rc = add(r, X_IN_SEGMENT, T_BOOL, out)))
                return rc;
            if ((rc = parse_string(p, &r->nodes[*out].s)))
                return rc;
            return expect(p, TK_RPAREN);
        }
        return custops__scan_err_at(&p->lx.sc, t.p, CUSTOPS_EPARSE,
                                    "unknown function '%.*s' (expected subtotal, qty, in_segment or first_order)",
                                    (int)t.len, t.p);
    }
    if (TOK->kind != TK_DOT)
        return custops__scan_err_at(&p->lx.sc, t.p, CUSTOPS_EPARSE,
                                    "unknown name '%.*s' (expected customer.X, ctx.X or a call)", (int)t.len, t.p);
    if ((rc = next(p)))
        return rc;
    if (TOK->kind != TK_IDENT)
        return expected(p, "a field name");
    const cpn_tok f = *TOK;
    if ((rc = next(p)))
        return rc;
    if (is_kw(&t, "customer")) {
        int op = is_kw(&f, "known") ? X_CUST_KNOWN : is_kw(&f, "paid_orders") ? X_CUST_PAID
               : is_kw(&f, "tier") ? X_CUST_TIER : is_kw(&f, "id") ? X_CUST_ID : X_CTX;
        int type = op == X_CUST_KNOWN ? T_BOOL : op == X_CUST_PAID ? T_INT : op == X_CUST_TIER ? T_TIER : T_STR;
        if ((rc = add(r, op, type, out)))
            return rc;
        if (op == X_CTX && !(r->nodes[*out].s = custops__strndup(f.p, f.len)))
            return custops__nomem();
        return 0;
    }
    if (is_kw(&t, "ctx")) {
        if ((rc = add(r, X_CTX, T_STR, out)))
            return rc;
        if (!(r->nodes[*out].s = custops__strndup(f.p, f.len)))
            return custops__nomem();
        return 0;
    }
    return custops__scan_err_at(&p->lx.sc, t.p, CUSTOPS_EPARSE, "unknown name '%.*s' (expected customer or ctx)",
                                (int)t.len, t.p);
}

/* Give a literal the type of the value it is compared with. */
static int coerce(parser *p, const cpn_tok *at, cpn_rule *r, int subject, int lit)
{
    cpn_node *s = &r->nodes[subject], *l = &r->nodes[lit];
    if (s->type == T_MONEY && l->op == X_INT) {
        int64_t scale = 1, v;
        for (int i = 0; i < p->rs->exponent; i++)
            scale *= 10;
        if (custops_money_mul(l->v, scale, &v))
            return custops__scan_err_at(&p->lx.sc, at->p, CUSTOPS_ERANGE, "amount too large");
        l->op = X_MONEY;
        l->type = T_MONEY;
        l->v = v;
    } else if (s->type == T_TIER && l->op == X_STR) {
        int rank = cpn_tier_rank(p->rs, l->s);
        if (rank < 0)
            return custops__scan_err_at(&p->lx.sc, at->p, CUSTOPS_EPARSE,
                                        "unknown tier \"%s\" (declare tiers with: tiers \"a\", \"b\";)", l->s);
        l->type = T_TIER;
        l->v = rank;
    }
    if (s->op == X_CTX || l->op == X_CTX)
        return 0; /* context attributes are text, read as the other side's type */
    if (s->type != l->type)
        return custops__scan_err_at(&p->lx.sc, at->p, CUSTOPS_EPARSE,
                                    "cannot compare values of different types (money needs an amount, qty() a whole number)");
    return 0;
}

static int parse_atom(parser *p, cpn_rule *r, int *out)
{
    int rc;
    if (++p->lx.depth > CUSTOPS_COUPON_MAX_DEPTH)
        return err_here(p, CUSTOPS_ELIMIT, "condition nested too deeply");
    if (TOK->kind == TK_LPAREN) {
        if ((rc = next(p)) || (rc = parse_expr(p, r, out)) || (rc = expect(p, TK_RPAREN)))
            return rc;
        p->lx.depth--;
        return 0;
    }
    const cpn_tok start = *TOK;
    int left;
    if ((rc = parse_value(p, r, &left)))
        return rc;
    int k = TOK->kind, cmp = k == TK_GE ? CMP_GE : k == TK_GT ? CMP_GT : k == TK_LE ? CMP_LE : k == TK_LT ? CMP_LT
                                   : k == TK_EQ ? CMP_EQ : k == TK_NE ? CMP_NE : -1;
    if (cmp >= 0) {
        const cpn_tok at = *TOK;
        int right;
        if ((rc = next(p)) || (rc = parse_value(p, r, &right)) || (rc = coerce(p, &at, r, left, right)))
            return rc;
        int n;
        if ((rc = add(r, X_CMP, T_BOOL, &n)))
            return rc;
        r->nodes[n].a = left;
        r->nodes[n].b = right;
        r->nodes[n].n = cmp;
        *out = n;
    } else if (is_kw(TOK, "in")) {
        if ((rc = next(p)) || (rc = expect(p, TK_LPAREN)))
            return rc;
        int first = -1, count = 0;
        for (;;) {
            const cpn_tok at = *TOK;
            int item;
            if ((rc = parse_value(p, r, &item)))
                return rc;
            if (r->nodes[item].op != X_STR && r->nodes[item].op != X_INT && r->nodes[item].op != X_MONEY)
                return custops__scan_err_at(&p->lx.sc, at.p, CUSTOPS_EPARSE, "expected a literal in the in (...) list");
            if ((rc = coerce(p, &at, r, left, item)))
                return rc;
            if (first < 0)
                first = item;
            count++;
            if (TOK->kind != TK_COMMA)
                break;
            if ((rc = next(p)))
                return rc;
        }
        if ((rc = expect(p, TK_RPAREN)))
            return rc;
        int n;
        if ((rc = add(r, X_IN, T_BOOL, &n)))
            return rc;
        r->nodes[n].a = left;
        r->nodes[n].b = first;
        r->nodes[n].n = count;
        *out = n;
    } else {
        int t = r->nodes[left].type, op = r->nodes[left].op;
        if (t != T_BOOL && op != X_CTX)
            return custops__scan_err_at(&p->lx.sc, start.p, CUSTOPS_EPARSE,
                                        "a condition needs a comparison here (such as subtotal() >= 69.00)");
        *out = left;
    }
    p->lx.depth--;
    return 0;
}

static int parse_neg(parser *p, cpn_rule *r, int *out)
{
    if (!is_kw(TOK, "not"))
        return parse_atom(p, r, out);
    int rc, child, n;
    if ((rc = next(p)) || (rc = parse_atom(p, r, &child)) || (rc = add(r, X_NOT, T_BOOL, &n)))
        return rc;
    r->nodes[n].a = child;
    *out = n;
    return 0;
}

static int parse_binary(parser *p, cpn_rule *r, int *out, int and_level)
{
    int rc, left;
    if ((rc = and_level ? parse_neg(p, r, &left) : parse_binary(p, r, &left, 1)))
        return rc;
    while (is_kw(TOK, and_level ? "and" : "or")) {
        int right, n;
        if ((rc = next(p)) || (rc = and_level ? parse_neg(p, r, &right) : parse_binary(p, r, &right, 1)))
            return rc;
        if ((rc = add(r, and_level ? X_AND : X_OR, T_BOOL, &n)))
            return rc;
        r->nodes[n].a = left;
        r->nodes[n].b = right;
        left = n;
    }
    *out = left;
    return 0;
}

static int parse_expr(parser *p, cpn_rule *r, int *out) { return parse_binary(p, r, out, 0); }

/* The root of a rule's condition: several `when` are ANDed. */
static int and_into(cpn_rule *r, int *root, int e)
{
    if (*root < 0) {
        *root = e;
        return 0;
    }
    int n, rc = add(r, X_AND, T_BOOL, &n);
    if (rc)
        return rc;
    r->nodes[n].a = *root;
    r->nodes[n].b = e;
    *root = n;
    return 0;
}

int cpn_parse_expr_text(custops_ruleset *rs, cpn_rule *r, const char *text, size_t len, const char *what, int *root)
{
    parser p = {.rs = rs};
    cpn_lex_init(&p.lx, text, len, what);
    int rc = next(&p), e = -1;
    if (!rc)
        rc = parse_expr(&p, r, &e);
    if (!rc && p.lx.tok.kind != TK_EOF)
        rc = expected(&p, "'and', 'or' or the end of the condition");
    if (!rc)
        rc = and_into(r, root, e);
    return rc;
}

/* ---- effects, limits, scope, windows ---- */
static int grow_effect(parser *p, cpn_rule *r, cpn_effect **e)
{
    /* the position is the 17th effect's first token, so an editor can jump there */
    if (r->neffects >= 16)
        return custops__scan_err_at(&p->lx.sc, TOK->p, CUSTOPS_ELIMIT, "rule %s: more than 16 effects", r->id);
    cpn_effect *m = custops__reallocarray(r->effects, (size_t)r->neffects + 1, sizeof *m);
    if (!m)
        return custops__nomem();
    r->effects = m;
    *e = &m[r->neffects++];
    memset(*e, 0, sizeof **e);
    (*e)->b = -1;
    return 0;
}

static int parse_effect(parser *p, cpn_rule *r)
{
    cpn_effect *e = NULL;
    int rc = grow_effect(p, r, &e);
    if (rc)
        return rc;
    const cpn_tok t = *TOK;
    if (t.kind != TK_IDENT)
        return expected(p, "an effect (amount_off, percent_off, every, tiers, fixed_price, buy, free_shipping, "
                           "shipping_off, gift, points_x, points_plus, issue)");
    if ((rc = next(p)))
        return rc;
    if (is_kw(&t, "amount_off")) {
        e->kind = EF_AMOUNT_OFF;
        return parse_money(p, &e->a);
    }
    if (is_kw(&t, "amount_off_each")) {
        e->kind = EF_AMOUNT_OFF_EACH;
        e->b = 0;
        if ((rc = parse_money(p, &e->a)))
            return rc;
        if (is_kw(TOK, "max_units")) {
            if ((rc = next(p)))
                return rc;
            return parse_int(p, 1, 1000000000, &e->b);
        }
        return 0;
    }
    if (is_kw(&t, "percent_off")) {
        e->kind = EF_PERCENT_OFF;
        if ((rc = parse_pct(p, &e->a)))
            return rc;
        if (is_kw(TOK, "cap")) {
            if ((rc = next(p)) || (rc = parse_money(p, &e->b)))
                return rc;
            if (e->b <= 0)
                return err_here(p, CUSTOPS_ERANGE, "a cap must be above 0");
        }
        return 0;
    }
    if (is_kw(&t, "every")) {
        e->kind = EF_EVERY;
        if ((rc = parse_money(p, &e->a)) || (rc = expect_kw(p, "off")) || (rc = parse_money(p, &e->b)))
            return rc;
        if (e->a <= 0 || e->b <= 0)
            return err_here(p, CUSTOPS_ERANGE, "every: step and amount must be above 0");
        if (is_kw(TOK, "max_times")) {
            if ((rc = next(p)))
                return rc;
            return parse_int(p, 1, 1000000000, &e->c);
        }
        return 0;
    }
    if (is_kw(&t, "tiers")) {
        e->kind = EF_TIERS;
        if ((rc = expect(p, TK_LPAREN)))
            return rc;
        for (;;) {
            if (e->ntiers >= 64)
                return err_here(p, CUSTOPS_ELIMIT, "more than 64 tiers");
            int64_t *m = custops__reallocarray(e->tiers, (size_t)e->ntiers * 2 + 2, sizeof *m);
            if (!m)
                return custops__nomem();
            e->tiers = m;
            const cpn_tok at = *TOK;
            if ((rc = parse_money(p, &m[e->ntiers * 2])) || (rc = expect(p, TK_COLON)) ||
                (rc = parse_money(p, &m[e->ntiers * 2 + 1])))
                return rc;
            if (e->ntiers && m[e->ntiers * 2] <= m[e->ntiers * 2 - 2])
                return custops__scan_err_at(&p->lx.sc, at.p, CUSTOPS_EPARSE, "tier thresholds must increase");
            e->ntiers++;
            if (TOK->kind != TK_COMMA)
                break;
            if ((rc = next(p)))
                return rc;
        }
        return expect(p, TK_RPAREN);
    }
    if (is_kw(&t, "fixed_price")) {
        e->kind = EF_FIXED_PRICE;
        return parse_money(p, &e->a);
    }
    if (is_kw(&t, "buy")) {
        e->kind = EF_BXGY;
        e->c = 10000;
        if ((rc = parse_int(p, 1, 1000, &e->a)) || (rc = expect_kw(p, "get")) || (rc = parse_int(p, 1, 1000, &e->b)))
            return rc;
        if (is_kw(TOK, "free")) {
            if ((rc = next(p)))
                return rc;
        } else if (is_kw(TOK, "percent_off")) {
            if ((rc = next(p)) || (rc = parse_pct(p, &e->c)))
                return rc;
        } else {
            return expected(p, "'free' or 'percent_off'");
        }
        if (is_kw(TOK, "cheapest") || is_kw(TOK, "priciest")) {
            e->flag = is_kw(TOK, "priciest");
            if ((rc = next(p)))
                return rc;
        } else {
            return expected(p, "'cheapest' or 'priciest'");
        }
        if (is_kw(TOK, "max_sets")) {
            if ((rc = next(p)) || (rc = parse_int(p, 1, 1000000000, &e->d)))
                return rc;
        }
        return 0;
    }
    if (is_kw(&t, "free_shipping")) {
        e->kind = EF_FREE_SHIPPING;
        return 0;
    }
    if (is_kw(&t, "shipping_off")) {
        e->kind = EF_SHIPPING_OFF;
        return parse_money(p, &e->a);
    }
    if (is_kw(&t, "gift")) {
        e->kind = EF_GIFT;
        if ((rc = parse_string(p, &e->str)) || (rc = expect_kw(p, "qty")))
            return rc;
        return parse_int(p, 1, 1000000, &e->a);
    }
    if (is_kw(&t, "points_x")) {
        e->kind = EF_POINTS_X;
        return parse_int(p, 1, 100, &e->a);
    }
    if (is_kw(&t, "points_plus")) {
        e->kind = EF_POINTS_PLUS;
        return parse_int(p, 1, 1000000000, &e->a);
    }
    if (is_kw(&t, "issue")) {
        e->kind = EF_ISSUE;
        if ((rc = parse_string(p, &e->str)) || (rc = expect_kw(p, "to")))
            return rc;
        for (int i = 0; i < 3; i++)
            if (is_kw(TOK, cpn_recipient_names[i])) {
                e->flag = i;
                return next(p);
            }
        return expected(p, "'customer', 'inviter' or 'invitee'");
    }
    return custops__scan_err_at(&p->lx.sc, t.p, CUSTOPS_EPARSE, "unknown effect '%.*s'", (int)t.len, t.p);
}

static int parse_limit(parser *p, cpn_rule *r)
{
    if (r->nlimits >= LIM_COUNT * 2)
        return err_here(p, CUSTOPS_ELIMIT, "too many limits");
    cpn_limit *m = custops__reallocarray(r->limits, (size_t)r->nlimits + 1, sizeof *m);
    if (!m)
        return custops__nomem();
    r->limits = m;
    cpn_limit *l = &m[r->nlimits];
    memset(l, 0, sizeof *l);
    int kind = -1;
    for (int i = 0; i < LIM_COUNT; i++)
        if (is_kw(TOK, cpn_limit_names[i]))
            kind = i;
    if (kind < 0)
        return expected(p, "a limit (per_code, per_customer, total, budget, qty_per_customer, per_order)");
    l->kind = kind;
    int rc = next(p);
    if (rc)
        return rc;
    if (kind == LIM_BUDGET)
        rc = parse_money(p, &l->n);
    else
        rc = parse_int(p, 1, INT64_MAX, &l->n);
    if (rc)
        return rc;
    if (kind == LIM_PER_CUSTOMER && is_kw(TOK, "per")) {
        if ((rc = next(p)))
            return rc;
        for (int i = 1; i < 5; i++)
            if (is_kw(TOK, cpn_period_names[i]))
                l->period = i;
        if (!l->period)
            return expected(p, "'day', 'week', 'month' or 'year'");
        if ((rc = next(p)))
            return rc;
    }
    r->nlimits++;
    return 0;
}

static int parse_scope(parser *p, cpn_rule *r)
{
    static const char *const kinds[] = {"sku", "category", "brand", "tag"};
    int exclude = 0, rc;
    for (;;) {
        if (is_kw(TOK, "all")) {
            if (exclude)
                return err_here(p, CUSTOPS_EPARSE, "'- all' leaves nothing in scope");
            if ((rc = next(p)))
                return rc;
        } else {
            int kind = -1;
            for (int i = 0; i < 4; i++)
                if (is_kw(TOK, kinds[i]))
                    kind = i;
            if (kind < 0)
                return expected(p, "'all', sku(...), category(...), brand(...) or tag(...)");
            if ((rc = next(p)) || (rc = expect(p, TK_LPAREN)))
                return rc;
            for (;;) {
                if (r->nscope >= 10000)
                    return err_here(p, CUSTOPS_ELIMIT, "more than 10000 scope values");
                cpn_sel *m = custops__reallocarray(r->scope, (size_t)r->nscope + 1, sizeof *m);
                if (!m)
                    return custops__nomem();
                r->scope = m;
                cpn_sel *s = &m[r->nscope];
                s->kind = kind;
                s->exclude = exclude;
                s->value = NULL;
                if ((rc = parse_string(p, &s->value)))
                    return rc;
                r->nscope++;
                if (TOK->kind != TK_COMMA)
                    break;
                if ((rc = next(p)))
                    return rc;
            }
            if ((rc = expect(p, TK_RPAREN)))
                return rc;
        }
        if (TOK->kind == TK_PLUS || TOK->kind == TK_MINUS) {
            exclude = TOK->kind == TK_MINUS;
            if ((rc = next(p)))
                return rc;
            continue;
        }
        return 0;
    }
}

static int int_list_mask(parser *p, int lo, int hi, uint32_t *mask)
{
    int rc = expect(p, TK_LPAREN);
    if (rc)
        return rc;
    for (;;) {
        int64_t v;
        if ((rc = parse_int(p, lo, hi, &v)))
            return rc;
        *mask |= 1u << v;
        if (TOK->kind != TK_COMMA)
            break;
        if ((rc = next(p)))
            return rc;
    }
    return expect(p, TK_RPAREN);
}

static int parse_window(parser *p, cpn_rule *r)
{
    if (r->nwindows >= 64)
        return err_here(p, CUSTOPS_ELIMIT, "more than 64 windows");
    cpn_window *m = custops__reallocarray(r->windows, (size_t)r->nwindows + 1, sizeof *m);
    if (!m)
        return custops__nomem();
    r->windows = m;
    cpn_window *w = &m[r->nwindows];
    memset(w, 0, sizeof *w);
    int rc;
    if (is_kw(TOK, "dow") || is_kw(TOK, "dom")) {
        int dow = is_kw(TOK, "dow");
        w->kind = dow ? WIN_DOW : WIN_DOM;
        if ((rc = next(p)) || (rc = int_list_mask(p, 1, dow ? 7 : 31, &w->mask)))
            return rc;
        w->from_s = 0;
        w->to_s = 86400;
        if (TOK->kind == TK_TIME) {
            if ((rc = parse_time_of_day(p, &w->from_s, 0)) || (rc = expect(p, TK_DOTDOT)) ||
                (rc = parse_time_of_day(p, &w->to_s, 1)))
                return rc;
        }
    } else if (is_kw(TOK, "first")) {
        w->kind = WIN_FIRST;
        if ((rc = next(p)))
            return rc;
        if (TOK->kind != TK_DURATION)
            return expected(p, "a duration such as 2h");
        int64_t v;
        if (custops__parse_i64(TOK->p, TOK->len - 1, &v) || v <= 0 || v > 1000000)
            return err_here(p, CUSTOPS_ERANGE, "duration out of range");
        char u = TOK->p[TOK->len - 1];
        w->dur = v * (u == 'm' ? 60 : u == 'h' ? 3600 : 86400);
        if ((rc = next(p)) || (rc = expect_kw(p, "from")) || (rc = parse_datetime(p, &w->at)))
            return rc;
    } else {
        return expected(p, "dow(...), dom(...) or first DURATION from DATETIME");
    }
    r->nwindows++;
    return 0;
}

static int group_ref(parser *p, int *out)
{
    if (TOK->kind != TK_IDENT)
        return expected(p, "a group name");
    char name[128];
    snprintf(name, sizeof name, "%.*s", (int)(TOK->len > 127 ? 127 : TOK->len), TOK->p);
    int g = cpn_find_group(p->rs, name);
    if (g < 0)
        return custops__scan_err_at(&p->lx.sc, TOK->p, CUSTOPS_EPARSE,
                                    "unknown group '%s' (declare it before the rule: group %s exclusive;)", name, name);
    *out = g;
    return next(p);
}

static int parse_rule(parser *p)
{
    custops_ruleset *rs = p->rs;
    if (rs->nrules >= CUSTOPS_COUPON_MAX_RULES)
        return err_here(p, CUSTOPS_ELIMIT, "more than 100000 rules");
    if (rs->nrules % 64 == 0) {
        cpn_rule *m = custops__reallocarray(rs->rules, rs->nrules + 64, sizeof *m);
        if (!m)
            return custops__nomem();
        rs->rules = m;
    }
    cpn_rule *r = &rs->rules[rs->nrules++];
    memset(r, 0, sizeof *r);
    r->lane = LANE_ORDER;
    r->group = -1;
    r->root = -1;
    r->line = TOK->line;
    r->col = TOK->col;
    int rc = next(p); /* 'rule' */
    if (rc)
        return rc;
    if (TOK->kind != TK_IDENT)
        return expected(p, "a rule name");
    if ((rc = tok_dup(p, &r->id)) || (rc = next(p)) || (rc = expect(p, TK_LBRACE)))
        return rc;
    int root = -1, lane_set = 0;
    r->naive = 1; /* local date-times until finish converts them in the rule's zone */
    while (TOK->kind != TK_RBRACE) {
        const cpn_tok kw = *TOK;
        if (kw.kind != TK_IDENT)
            return expected(p, "a statement (title, lane, group, combine, priority, code, on, tz, valid, window, "
                               "scope, when, then, limit, restore, cost) or '}'");
        if ((rc = next(p)))
            return rc;
        if (is_kw(&kw, "title")) {
            custops__free(r->title);
            r->title = NULL;
            rc = parse_string(p, &r->title);
        } else if (is_kw(&kw, "lane")) {
            int lane = -1;
            for (int i = 0; i < LANE_COUNT; i++)
                if (is_kw(TOK, cpn_lane_names[i]))
                    lane = i;
            if (lane < 0)
                return expected(p, "'item', 'order', 'shipping', 'points' or 'issue'");
            r->lane = lane;
            lane_set = 1;
            rc = next(p);
        } else if (is_kw(&kw, "group")) {
            rc = group_ref(p, &r->group);
        } else if (is_kw(&kw, "combine")) {
            if (is_kw(TOK, "all") || is_kw(TOK, "none")) {
                r->combine = is_kw(TOK, "all") ? COMBINE_ALL : COMBINE_NONE;
                rc = next(p);
            } else if (is_kw(TOK, "only") || is_kw(TOK, "except")) {
                r->combine = is_kw(TOK, "only") ? COMBINE_ONLY : COMBINE_EXCEPT;
                if ((rc = next(p)) || (rc = expect(p, TK_LPAREN)))
                    return rc;
                for (;;) {
                    int *m = custops__reallocarray(r->combine_groups, (size_t)r->ncombine + 1, sizeof *m);
                    if (!m)
                        return custops__nomem();
                    r->combine_groups = m;
                    if ((rc = group_ref(p, &m[r->ncombine])))
                        return rc;
                    r->ncombine++;
                    if (TOK->kind != TK_COMMA)
                        break;
                    if ((rc = next(p)))
                        return rc;
                }
                rc = expect(p, TK_RPAREN);
            } else {
                return expected(p, "'all', 'none', 'only(...)' or 'except(...)'");
            }
        } else if (is_kw(&kw, "priority")) {
            rc = parse_int(p, -1000000, 1000000, &r->priority);
        } else if (is_kw(&kw, "code")) {
            if (is_kw(TOK, "none") || is_kw(TOK, "wallet")) {
                r->code_mode = is_kw(TOK, "none") ? CODE_NONE : CODE_WALLET;
                rc = next(p);
            } else {
                if (is_kw(TOK, "required") && (rc = next(p)))
                    return rc;
                r->code_mode = CODE_REQUIRED;
                custops__free(r->code);
                r->code = NULL;
                if ((rc = parse_string(p, &r->code)))
                    return rc;
                if (!r->code[0])
                    return custops__scan_err_at(&p->lx.sc, kw.p, CUSTOPS_EPARSE, "empty code");
                for (char *c = r->code; *c; c++)
                    if (*c >= 'a' && *c <= 'z')
                        *c = (char)(*c - 32);
            }
        } else if (is_kw(&kw, "on")) {
            if (TOK->kind != TK_IDENT)
                return expected(p, "an event name such as order_paid");
            custops__free(r->event);
            r->event = NULL;
            if (is_kw(TOK, "quote")) {
                rc = next(p);
            } else {
                if ((rc = tok_dup(p, &r->event)))
                    return rc;
                if (!lane_set)
                    r->lane = LANE_ISSUE;
                rc = next(p);
            }
        } else if (is_kw(&kw, "tz")) {
            custops__free(r->tz);
            r->tz = NULL;
            rc = parse_string(p, &r->tz);
        } else if (is_kw(&kw, "valid")) {
            r->has_valid = 1;
            if ((rc = parse_datetime(p, &r->valid_from)) || (rc = expect(p, TK_DOTDOT)))
                return rc;
            rc = parse_datetime(p, &r->valid_to);
        } else if (is_kw(&kw, "window")) {
            for (;;) {
                if ((rc = parse_window(p, r)))
                    return rc;
                if (TOK->kind != TK_COMMA)
                    break;
                if ((rc = next(p)))
                    return rc;
            }
        } else if (is_kw(&kw, "scope")) {
            rc = parse_scope(p, r);
        } else if (is_kw(&kw, "when")) {
            int e;
            if ((rc = parse_expr(p, r, &e)))
                return rc;
            rc = and_into(r, &root, e);
        } else if (is_kw(&kw, "then")) {
            for (;;) {
                if ((rc = parse_effect(p, r)))
                    return rc;
                if (TOK->kind != TK_COMMA)
                    break;
                if ((rc = next(p)))
                    return rc;
            }
        } else if (is_kw(&kw, "limit")) {
            for (;;) {
                if ((rc = parse_limit(p, r)))
                    return rc;
                if (TOK->kind != TK_COMMA)
                    break;
                if ((rc = next(p)))
                    return rc;
            }
        } else if (is_kw(&kw, "restore")) {
            if (is_kw(TOK, "on_full_reversal") || is_kw(TOK, "never")) {
                r->restore = is_kw(TOK, "never") ? RESTORE_NEVER : RESTORE_FULL;
                rc = next(p);
            } else {
                return expected(p, "'on_full_reversal' or 'never'");
            }
        } else if (is_kw(&kw, "cost")) {
            if ((rc = expect_kw(p, "points")))
                return rc;
            rc = parse_int(p, 1, INT64_MAX / 2, &r->cost_points);
        } else {
            return custops__scan_err_at(&p->lx.sc, kw.p, CUSTOPS_EPARSE,
                                        "unknown statement '%.*s' (expected title, lane, group, combine, priority, code, "
                                        "on, tz, valid, window, scope, when, then, limit, restore or cost)",
                                        (int)kw.len, kw.p);
        }
        if (rc || (rc = expect(p, TK_SEMI)))
            return rc;
    }
    if (!r->neffects)
        return custops__scan_err_at(&p->lx.sc, TOK->p, CUSTOPS_EPARSE, "rule %s has no 'then' effect", r->id);
    r->root = root;
    return next(p);
}

static int parse_group(parser *p)
{
    custops_ruleset *rs = p->rs;
    int rc = next(p);
    if (rc)
        return rc;
    if (TOK->kind != TK_IDENT)
        return expected(p, "a group name");
    if (rs->ngroups >= CUSTOPS_COUPON_MAX_GROUPS)
        return err_here(p, CUSTOPS_ELIMIT, "more than 64 groups");
    char *id;
    if ((rc = tok_dup(p, &id)))
        return rc;
    if (cpn_find_group(rs, id) >= 0) {
        custops__free(id);
        return err_here(p, CUSTOPS_EEXISTS, "group declared twice");
    }
    cpn_group *m = custops__reallocarray(rs->groups, (size_t)rs->ngroups + 1, sizeof *m);
    if (!m) {
        custops__free(id);
        return custops__nomem();
    }
    rs->groups = m;
    cpn_group *g = &m[rs->ngroups++];
    g->id = id;
    g->max = 0;
    if ((rc = next(p)))
        return rc;
    if (is_kw(TOK, "exclusive")) {
        g->mode = GM_EXCLUSIVE;
        if ((rc = next(p)))
            return rc;
        if (is_kw(TOK, "per_line")) {
            g->mode = GM_PER_LINE;
            if ((rc = next(p)))
                return rc;
        }
    } else if (is_kw(TOK, "stackable")) {
        g->mode = GM_STACKABLE;
        if ((rc = next(p)))
            return rc;
        if (is_kw(TOK, "max")) {
            int64_t v;
            if ((rc = next(p)) || (rc = parse_int(p, 1, 1000, &v)))
                return rc;
            g->max = (int)v;
        }
    } else {
        return expected(p, "'exclusive', 'exclusive per_line' or 'stackable'");
    }
    return expect(p, TK_SEMI);
}

int cpn_parse_ruleset(custops_ruleset *rs, const char *text, size_t len, const char *what)
{
    parser p = {.rs = rs};
    cpn_lex_init(&p.lx, text, len, what);
    int rc = next(&p);
    while (!rc && p.lx.tok.kind != TK_EOF) {
        const cpn_tok kw = p.lx.tok;
        if (is_kw(&kw, "rule")) {
            rc = parse_rule(&p);
        } else if (is_kw(&kw, "group")) {
            rc = parse_group(&p);
        } else if (is_kw(&kw, "currency")) {
            if (rs->nrules)
                return err_here(&p, CUSTOPS_EPARSE, "currency must come before the rules");
            if ((rc = next(&p)))
                return rc;
            if (p.lx.tok.kind != TK_IDENT || p.lx.tok.len != 3)
                return expected(&p, "a currency code such as CNY");
            char code[4];
            memcpy(code, p.lx.tok.p, 3);
            code[3] = 0;
            int e;
            if (custops_currency_exponent(code, &e))
                return err_here(&p, CUSTOPS_EPARSE, "unknown currency");
            memcpy(rs->currency, code, 4);
            rs->exponent = e;
            if ((rc = next(&p)))
                return rc;
            rc = expect(&p, TK_SEMI);
        } else if (is_kw(&kw, "tz")) {
            if ((rc = next(&p)))
                return rc;
            custops__free(rs->tz);
            rs->tz = NULL;
            if ((rc = parse_string(&p, &rs->tz)))
                return rc;
            rc = expect(&p, TK_SEMI);
        } else if (is_kw(&kw, "points_rate")) {
            if ((rc = next(&p)) || (rc = parse_int(&p, 0, 1000000, &rs->points_rate)))
                return rc;
            rc = expect(&p, TK_SEMI);
        } else if (is_kw(&kw, "tiers")) {
            if ((rc = next(&p)))
                return rc;
            for (;;) {
                if (rs->ntiers >= 64)
                    return err_here(&p, CUSTOPS_ELIMIT, "more than 64 tiers");
                char **m = custops__reallocarray(rs->tiers, (size_t)rs->ntiers + 1, sizeof *m);
                if (!m)
                    return custops__nomem();
                rs->tiers = m;
                m[rs->ntiers] = NULL;
                if ((rc = parse_string(&p, &m[rs->ntiers])))
                    return rc;
                rs->ntiers++;
                if (p.lx.tok.kind != TK_COMMA)
                    break;
                if ((rc = next(&p)))
                    return rc;
            }
            rc = expect(&p, TK_SEMI);
        } else {
            return expected(&p, "'rule', 'group', 'currency', 'tz', 'tiers' or 'points_rate'");
        }
    }
    return rc;
}
