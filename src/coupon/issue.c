/* Issuance rules: on an event (order_paid, shipment_late, points_exchange,
 * ...) which coupons should be issued to whom. Pure like the quote: the
 * ledger issues them exactly once by issue_key. */
#include "coupon_internal.h"

#include <stdio.h>

int custops_ruleset_issue(custops_frame **out, const custops_ruleset *rs, const char *event, const custops_cart *cart,
                          int64_t now)
{
    CUSTOPS__CHECK_NULL(out);
    *out = NULL;
    CUSTOPS__CHECK_NULL(rs);
    CUSTOPS__CHECK_NULL(event);
    CUSTOPS__CHECK_NULL(cart);
    int rc = 0;
    size_t cap = 16, n = 0;
    const char **rule = custops__calloc(cap, sizeof *rule), **tmpl = custops__calloc(cap, sizeof *tmpl),
               **who = custops__calloc(cap, sizeof *who);
    int64_t *cost = custops__calloc(cap, sizeof *cost);
    custops__buf keys;
    custops__buf_init(&keys);
    size_t *koff = custops__calloc(cap, sizeof *koff);
    const char **key = NULL;
    custops_frame *f = NULL;
    if (!rule || !tmpl || !who || !cost || !koff) {
        rc = custops__nomem();
        goto done;
    }
    int64_t S = 0, Q = 0;
    for (size_t l = 0; l < cart->nlines; l++) {
        S += cart->lines[l].unit_price * cart->lines[l].qty;
        Q += cart->lines[l].qty;
    }
    const char *cust = cpn_cart_str(cart, cart->customer_id), *referrer = cpn_cart_ctx(cart, "referrer");
    const char *ekey = cpn_cart_ctx(cart, "event_key");
    const char *pts = cpn_cart_ctx(cart, "points");
    int64_t points = 0;
    if (pts && custops__parse_i64(pts, strlen(pts), &points))
        points = 0;
    cpn_eval_ctx e = {rs, cart, S, Q, cpn_tier_rank(rs, cpn_cart_str(cart, cart->tier))};
    for (int li = 0; li < rs->lane_n[LANE_ISSUE]; li++) {
        const cpn_rule *r = &rs->rules[rs->lane_rules[LANE_ISSUE][li]];
        int64_t when;
        if (strcmp(r->event, event) != 0 || cpn_time_check(r, now, &when) >= 0)
            continue;
        if (r->root >= 0 && !cpn_eval_bool(&e, r, r->root))
            continue;
        if (r->cost_points > points)
            continue;
        for (int k = 0; k < r->neffects; k++) {
            const cpn_effect *ef = &r->effects[k];
            const char *to = ef->flag == REC_INVITER ? referrer : cust;
            if (!to || !to[0])
                continue; /* nobody to give it to (a guest, or no referrer) */
            if (n == cap) {
                cap *= 2;
                const char **a = custops__reallocarray(rule, cap, sizeof *a);
                if (a) rule = a;
                const char **b = a ? custops__reallocarray(tmpl, cap, sizeof *b) : NULL;
                if (b) tmpl = b;
                const char **c = b ? custops__reallocarray(who, cap, sizeof *c) : NULL;
                if (c) who = c;
                int64_t *d = c ? custops__reallocarray(cost, cap, sizeof *d) : NULL;
                if (d) cost = d;
                size_t *o = d ? custops__reallocarray(koff, cap, sizeof *o) : NULL;
                if (o) koff = o;
                if (!o) {
                    rc = custops__nomem();
                    goto done;
                }
            }
            rule[n] = r->id;
            tmpl[n] = ef->str;
            who[n] = to;
            cost[n] = r->cost_points;
            koff[n] = keys.len;
            custops__buf_printf(&keys, "%s:%s:%s:%s", r->id, ekey ? ekey : cust, cpn_recipient_names[ef->flag], ef->str);
            custops__buf_u8(&keys, 0);
            n++;
        }
    }
    if ((rc = custops__buf_status(&keys)))
        goto done;
    key = custops__calloc(n + 1, sizeof *key);
    if (!key) {
        rc = custops__nomem();
        goto done;
    }
    for (size_t i = 0; i < n; i++)
        key[i] = (const char *)keys.data + koff[i];
    if (!rc) rc = custops_frame_new(&f);
    if (!rc) rc = custops_frame_add_string(f, "rule", rule, n);
    if (!rc) rc = custops_frame_add_string(f, "template", tmpl, n);
    if (!rc) rc = custops_frame_add_string(f, "recipient", who, n);
    if (!rc) rc = custops_frame_add_string(f, "issue_key", key, n);
    if (!rc) rc = custops_frame_add_int64(f, "cost_points", cost, n);
done:
    custops__free(rule);
    custops__free(tmpl);
    custops__free(who);
    custops__free(cost);
    custops__free(koff);
    custops__free(key);
    custops__buf_release(&keys);
    if (rc) {
        custops_frame_free(f);
        return rc;
    }
    *out = f;
    return 0;
}
