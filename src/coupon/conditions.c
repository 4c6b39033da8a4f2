/* Conditions: evaluating a rule's condition nodes against the cart, and its
 * validity interval and recurring windows against `now` in the rule's zone
 * (half-open everywhere, never the process clock). */
#include "coupon_internal.h"

#include <stdlib.h>

typedef struct val {
    int type; /* T_BOOL, T_INT (money too), T_STR, T_TIER; -1 missing */
    int64_t i;
    const char *s;
} val;

static int has_segment(const custops_cart *c, const char *seg)
{
    for (size_t i = 0; i < c->nsegments; i++)
        if (strcmp(c->arena + c->segments[i], seg) == 0)
            return 1;
    return 0;
}

static val eval(const cpn_eval_ctx *e, const cpn_rule *r, int node);

static int truthy(val v)
{
    if (v.type == T_STR)
        return v.s && (strcmp(v.s, "true") == 0 || strcmp(v.s, "1") == 0 || strcmp(v.s, "yes") == 0);
    return v.type >= 0 && v.i != 0;
}

/* Read a context string as the type of the literal it is compared with. */
static val as_type(val v, const val *like)
{
    if (v.type != T_STR || like->type == T_STR)
        return v;
    val out = {.type = -1};
    if (!v.s)
        return out;
    if (like->type == T_BOOL) {
        out.type = T_BOOL;
        out.i = truthy(v);
    } else if (like->type == T_INT) {
        int64_t n;
        if (custops__parse_i64(v.s, strlen(v.s), &n) == 0) {
            out.type = T_INT;
            out.i = n;
        }
    }
    return out;
}

static int compare(val a, val b, int op)
{
    a = as_type(a, &b);
    b = as_type(b, &a);
    if (a.type < 0 || b.type < 0)
        return op == CMP_NE; /* a missing value equals nothing */
    int c;
    if (a.type == T_STR && b.type == T_STR)
        c = strcmp(a.s ? a.s : "", b.s ? b.s : "");
    else
        c = a.i < b.i ? -1 : a.i > b.i;
    return cpn_cmp_holds(c, op);
}

static val eval(const cpn_eval_ctx *e, const cpn_rule *r, int node)
{
    const cpn_node *x = &r->nodes[node];
    const custops_cart *c = e->cart;
    val v = {.type = T_BOOL};
    switch (x->op) {
    case X_OR: v.i = truthy(eval(e, r, x->a)) || truthy(eval(e, r, x->b)); break;
    case X_AND: v.i = truthy(eval(e, r, x->a)) && truthy(eval(e, r, x->b)); break;
    case X_NOT: v.i = !truthy(eval(e, r, x->a)); break;
    case X_CMP: v.i = compare(eval(e, r, x->a), eval(e, r, x->b), x->n); break;
    case X_IN: {
        val s = eval(e, r, x->a);
        v.i = 0;
        for (int k = 0; k < x->n && !v.i; k++)
            v.i = compare(s, eval(e, r, x->b + k), CMP_EQ);
        break;
    }
    case X_INT: case X_MONEY: v.type = T_INT; v.i = x->v; break;
    case X_STR:
        if (x->type == T_TIER) {
            v.type = T_TIER;
            v.i = x->v;
        } else {
            v.type = T_STR;
            v.s = x->s;
        }
        break;
    case X_BOOL: v.i = x->v; break;
    case X_SUBTOTAL: v.type = T_INT; v.i = e->subtotal; break;
    case X_QTY: v.type = T_INT; v.i = e->qty; break;
    case X_IN_SEGMENT: v.i = has_segment(c, x->s); break;
    case X_FIRST_ORDER: v.i = c->known && c->paid_orders == 0; break;
    case X_CUST_KNOWN: v.i = c->known; break;
    case X_CUST_PAID: v.type = T_INT; v.i = c->paid_orders; break;
    case X_CUST_TIER:
        v.type = e->tier_rank >= 0 ? T_TIER : -1; /* no tier ranks below every tier */
        v.i = e->tier_rank;
        break;
    case X_CUST_ID: v.type = T_STR; v.s = cpn_cart_str(c, c->customer_id); break;
    case X_CTX:
        v.type = T_STR;
        v.s = cpn_cart_ctx(c, x->s);
        if (!v.s)
            v.type = -1;
        break;
    default: v.i = 0; break;
    }
    return v;
}

int cpn_eval_bool(const cpn_eval_ctx *e, const cpn_rule *r, int node) { return truthy(eval(e, r, node)); }

static int in_window(const cpn_window *w, int64_t now, int32_t day, int32_t sec)
{
    if (w->kind == WIN_FIRST)
        return now >= w->at && now - w->at < w->dur;
    int key;
    if (w->kind == WIN_DOW) {
        key = custops_day_weekday(day) + 1; /* 1 = Monday */
    } else {
        int mday;
        custops_day_to_date(day, NULL, NULL, &mday);
        key = mday;
    }
    return (w->mask & (1u << key)) && sec >= w->from_s && sec < w->to_s;
}

/* Next instant a window opens after `now` (scanning up to 400 local days). */
static int64_t next_open(const cpn_rule *r, int64_t now, int32_t day)
{
    int64_t best = 0;
    for (int i = 0; i < r->nwindows; i++) {
        const cpn_window *w = &r->windows[i];
        if (w->kind == WIN_FIRST) {
            if (w->at > now && (!best || w->at < best))
                best = w->at;
            continue;
        }
        if (w->from_s >= w->to_s)
            continue;
        for (int32_t d = day; d < day + 400; d++) {
            int key;
            if (w->kind == WIN_DOW) {
                key = custops_day_weekday(d) + 1;
            } else {
                int mday;
                custops_day_to_date(d, NULL, NULL, &mday);
                key = mday;
            }
            if (!(w->mask & (1u << key)))
                continue;
            int64_t t;
            if (custops_zone_instant(r->zone, d, w->from_s, &t) == 0 && t > now) {
                if (!best || t < best)
                    best = t;
                break;
            }
        }
    }
    return best;
}

int cpn_time_check(const cpn_rule *r, int64_t now, int64_t *when)
{
    *when = 0;
    if (r->has_valid) {
        if (now < r->valid_from) {
            *when = r->valid_from;
            return R_NOT_STARTED;
        }
        if (now >= r->valid_to) {
            *when = r->valid_to;
            return R_EXPIRED;
        }
    }
    if (!r->nwindows)
        return -1;
    int32_t day = 0, sec = 0;
    int need_local = 0;
    for (int i = 0; i < r->nwindows; i++)
        need_local |= r->windows[i].kind != WIN_FIRST;
    if (need_local && custops_zone_local(r->zone, now, &day, &sec))
        return R_OUTSIDE_WINDOW;
    for (int i = 0; i < r->nwindows; i++)
        if (in_window(&r->windows[i], now, day, sec))
            return -1;
    if (!need_local) {
        if (custops_zone_local(r->zone, now, &day, &sec))
            return R_OUTSIDE_WINDOW;
    }
    *when = next_open(r, now, day);
    if (r->has_valid && *when >= r->valid_to)
        *when = 0;
    return R_OUTSIDE_WINDOW;
}
