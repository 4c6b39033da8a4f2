/* Explain: the canonical JSON of a quote, its allocation and reason frames,
 * and one English sentence per reason. Every reason is also a code with
 * integer fields, so a storefront can write its own wording. */
#include "coupon_internal.h"

#include <stdlib.h>

const char *const cpn_reason_names[R_COUNT] = {
    "NOT_STARTED", "EXPIRED", "OUTSIDE_WINDOW", "CODE_REQUIRED", "NOT_IN_WALLET", "SCOPE_EMPTY",
    "SUBTOTAL_BELOW", "QTY_BELOW", "CUSTOMER_REQUIRED", "NOT_FIRST_ORDER", "SEGMENT_MISMATCH",
    "TIER_MISMATCH", "CHANNEL_MISMATCH", "PAYMENT_MISMATCH", "REGION_MISMATCH", "CONDITION_FALSE",
    "NOT_COMBINABLE", "BEATEN_BY_COMBINATION", "GIFT_OUT_OF_STOCK", "NO_EFFECT"};

static void money(custops__buf *b, const custops_quote *q, int64_t v) { cpn_money_print(b, v, q->rs->exponent); }

int cpn_reason_message(custops__buf *b, const custops_quote *q, const cpn_reason *r)
{
    const cpn_rule *rule = &q->rs->rules[r->rule];
    char t[48];
    switch (r->code) {
    case R_NOT_STARTED:
    case R_EXPIRED:
        custops_time_format(r->need, rule->zone, t, sizeof t);
        return custops__buf_printf(b, r->code == R_NOT_STARTED ? "starts at %s" : "ended at %s", t);
    case R_OUTSIDE_WINDOW:
        if (!r->need)
            return custops__buf_puts(b, "outside its time window");
        custops_time_format(r->need, rule->zone, t, sizeof t);
        return custops__buf_printf(b, "outside its time window; next opens at %s", t);
    case R_CODE_REQUIRED: return custops__buf_puts(b, "needs a code that was not presented");
    case R_NOT_IN_WALLET: return custops__buf_puts(b, "not in the customer's wallet");
    case R_SCOPE_EMPTY: return custops__buf_puts(b, "no eligible item in the cart");
    case R_SUBTOTAL_BELOW:
        custops__buf_puts(b, "add ");
        money(b, q, r->gap);
        if (r->value > 0) {
            custops__buf_puts(b, " more to get ");
            money(b, q, r->value);
            return custops__buf_puts(b, " off");
        }
        return custops__buf_puts(b, " more to qualify");
    case R_QTY_BELOW:
        return custops__buf_printf(b, "add %lld more item%s to qualify", (long long)r->gap, r->gap == 1 ? "" : "s");
    case R_CUSTOMER_REQUIRED: return custops__buf_puts(b, "needs a signed-in customer");
    case R_NOT_FIRST_ORDER: return custops__buf_puts(b, "for a customer's first order only");
    case R_SEGMENT_MISMATCH: return custops__buf_puts(b, "the customer is not in the targeted segment");
    case R_TIER_MISMATCH: return custops__buf_puts(b, "needs a higher membership tier");
    case R_CHANNEL_MISMATCH: return custops__buf_puts(b, "not offered on this channel");
    case R_PAYMENT_MISMATCH: return custops__buf_puts(b, "not offered for this payment method");
    case R_REGION_MISMATCH: return custops__buf_puts(b, "not offered in this region");
    case R_CONDITION_FALSE: return custops__buf_printf(b, "condition %lld is not met", (long long)r->need);
    case R_NOT_COMBINABLE:
        if (r->other >= 0)
            return custops__buf_printf(b, "cannot be combined with %s", q->rs->rules[r->other].id);
        return custops__buf_puts(b, "cannot be combined with the chosen promotions");
    case R_BEATEN_BY_COMBINATION:
        if (r->value <= 0)
            return custops__buf_puts(b, "a better combination was chosen");
        custops__buf_puts(b, "a better combination saves ");
        money(b, q, r->value);
        return custops__buf_puts(b, " more");
    case R_GIFT_OUT_OF_STOCK: return custops__buf_puts(b, "the gift is out of stock");
    default: return custops__buf_puts(b, "nothing to discount");
    }
}

static int cmp_reason(const void *a, const void *b)
{
    const cpn_reason *x = *(const cpn_reason *const *)a, *y = *(const cpn_reason *const *)b;
    return x->rule - y->rule;
}

static const cpn_reason **sorted_reasons(const custops_quote *q)
{
    const cpn_reason **v = custops__calloc(q->nreasons + 1, sizeof *v);
    if (!v)
        return NULL;
    for (size_t i = 0; i < q->nreasons; i++)
        v[i] = &q->reasons[i];
    qsort(v, q->nreasons, sizeof *v, cmp_reason);
    return v;
}

static void jmsg(custops__buf *b, const custops_quote *q, const cpn_reason *r)
{
    custops__buf m;
    custops__buf_init(&m);
    cpn_reason_message(&m, q, r);
    custops__buf_u8(&m, 0);
    if (m.failed)
        b->failed = 1;
    else
        cpn_buf_jstr(b, (const char *)m.data);
    custops__buf_release(&m);
}

int cpn_quote_to_json(const custops_quote *q, custops__buf *b)
{
    const custops_ruleset *rs = q->rs;
    char t[48];
    custops_time_format(q->now, NULL, t, sizeof t);
    custops__buf_printf(b, "{\"format\":\"custops.quote/1\",\"currency\":\"%s\",\"now\":\"%s\",\"optimality\":\"%s\",",
                        rs->currency, t, q->exact ? "exact" : "heuristic");
    custops__buf_printf(b,
                        "\"subtotal\":%lld,\"discount\":%lld,\"total\":%lld,\"shipping\":{\"fee\":%lld,\"discount\":%lld,"
                        "\"net\":%lld},\"points\":{\"base\":%lld,\"extra\":%lld,\"total\":%lld},\n\"applied\":[",
                        (long long)q->subtotal, (long long)q->discount, (long long)q->total, (long long)q->shipping,
                        (long long)(q->shipping - q->shipping_net), (long long)q->shipping_net,
                        (long long)q->points_base, (long long)q->points_extra,
                        (long long)(q->points_base + q->points_extra));
    for (size_t i = 0; i < q->napplied; i++) {
        const cpn_applied *a = &q->applied[i];
        const cpn_rule *r = &rs->rules[a->rule];
        custops__buf_puts(b, i ? ",\n{\"rule\":" : "\n{\"rule\":");
        cpn_buf_jstr(b, r->id);
        custops__buf_printf(b, ",\"lane\":\"%s\",\"amount\":%lld,\"points\":%lld,\"lost\":%lld,\"via\":",
                            cpn_lane_names[a->lane], (long long)a->amount, (long long)a->points, (long long)a->lost);
        if (a->via) {
            custops__buf_puts(b, a->via_wallet ? "{\"wallet\":" : "{\"code\":");
            cpn_buf_jstr(b, q->arena + a->via);
            custops__buf_u8(b, '}');
        } else {
            custops__buf_puts(b, "null");
        }
        custops__buf_puts(b, ",\"limits\":[");
        for (int k = 0; k < r->nlimits; k++)
            custops__buf_printf(b, "%s{\"kind\":\"%s\",\"n\":%lld,\"period\":\"%s\"}", k ? "," : "",
                                cpn_limit_names[r->limits[k].kind], (long long)r->limits[k].n,
                                cpn_period_names[r->limits[k].period]);
        custops__buf_puts(b, "]}");
    }
    custops__buf_puts(b, "],\n\"lines\":[");
    for (size_t l = 0; l < q->nlines; l++) {
        custops__buf_puts(b, l ? ",\n{\"id\":" : "\n{\"id\":");
        cpn_buf_jstr(b, q->arena + q->line_ids[l]);
        custops__buf_printf(b, ",\"base\":%lld,\"discount\":%lld,\"net\":%lld,\"allocations\":[",
                            (long long)q->line_base[l], (long long)(q->line_base[l] - q->line_net[l]),
                            (long long)q->line_net[l]);
        int first = 1;
        for (size_t k = 0; k < q->nallocs; k++) {
            const cpn_alloc *a = &q->allocs[k];
            if (a->line != (int)l)
                continue;
            custops__buf_puts(b, first ? "{\"rule\":" : ",{\"rule\":");
            first = 0;
            cpn_buf_jstr(b, rs->rules[a->rule].id);
            custops__buf_printf(b, ",\"amount\":%lld,\"unit_high\":%lld,\"units_high\":%lld,\"unit_low\":%lld}",
                                (long long)a->amount, (long long)a->unit_high, (long long)a->units_high,
                                (long long)a->unit_low);
        }
        custops__buf_puts(b, "]}");
    }
    custops__buf_puts(b, "],\n\"shipping_allocations\":[");
    int first = 1;
    for (size_t k = 0; k < q->nallocs; k++)
        if (q->allocs[k].line < 0) {
            custops__buf_puts(b, first ? "{\"rule\":" : ",{\"rule\":");
            first = 0;
            cpn_buf_jstr(b, rs->rules[q->allocs[k].rule].id);
            custops__buf_printf(b, ",\"amount\":%lld}", (long long)q->allocs[k].amount);
        }
    custops__buf_puts(b, "],\n\"gifts\":[");
    for (size_t k = 0; k < q->ngifts; k++) {
        custops__buf_puts(b, k ? ",{\"rule\":" : "{\"rule\":");
        cpn_buf_jstr(b, rs->rules[q->gifts[k].rule].id);
        custops__buf_puts(b, ",\"sku\":");
        cpn_buf_jstr(b, rs->rules[q->gifts[k].rule].effects[q->gifts[k].effect].str);
        custops__buf_printf(b, ",\"qty\":%lld}", (long long)q->gifts[k].qty);
    }
    custops__buf_puts(b, "],\n\"hints\":[");
    for (size_t k = 0; k < q->nhints; k++) {
        const cpn_hint *h = &q->hints[k];
        custops__buf_puts(b, k ? ",\n{\"rule\":" : "\n{\"rule\":");
        cpn_buf_jstr(b, rs->rules[h->rule].id);
        custops__buf_printf(b, ",\"gap\":%lld,\"unlocks\":%lld,\"message\":\"add ", (long long)h->gap,
                            (long long)h->unlocks);
        money(b, q, h->gap);
        custops__buf_puts(b, " more to get ");
        money(b, q, h->unlocks);
        custops__buf_puts(b, " more off\"}");
    }
    custops__buf_puts(b, "],\n\"not_applied\":[");
    const cpn_reason **rv = sorted_reasons(q);
    if (!rv)
        return custops__nomem();
    for (size_t k = 0; k < q->nreasons; k++) {
        const cpn_reason *r = rv[k];
        custops__buf_puts(b, k ? ",\n{\"rule\":" : "\n{\"rule\":");
        cpn_buf_jstr(b, rs->rules[r->rule].id);
        custops__buf_printf(b, ",\"reason\":\"%s\",\"need\":%lld,\"have\":%lld,\"gap\":%lld,\"value\":%lld,\"other\":",
                            cpn_reason_names[r->code], (long long)r->need, (long long)r->have, (long long)r->gap,
                            (long long)r->value);
        if (r->other >= 0)
            cpn_buf_jstr(b, rs->rules[r->other].id);
        else
            custops__buf_puts(b, "null");
        custops__buf_puts(b, ",\"message\":");
        jmsg(b, q, r);
        custops__buf_u8(b, '}');
    }
    custops__free(rv);
    custops__buf_puts(b, "],\n\"unknown_codes\":[");
    for (size_t k = 0; k < q->nunknown; k++) {
        if (k)
            custops__buf_u8(b, ',');
        cpn_buf_jstr(b, q->arena + q->unknown_codes[k]);
    }
    return custops__buf_puts(b, "]}\n");
}

int custops_quote_to_json(const custops_quote *q, char **json_out, size_t *len_out)
{
    CUSTOPS__CHECK_NULL(json_out);
    *json_out = NULL;
    if (len_out)
        *len_out = 0;
    CUSTOPS__CHECK_NULL(q);
    custops__buf b;
    custops__buf_init(&b);
    int rc = cpn_quote_to_json(q, &b);
    custops__buf_u8(&b, 0);
    if (!rc)
        rc = custops__buf_status(&b);
    if (rc) {
        custops__buf_release(&b);
        return rc;
    }
    if (len_out)
        *len_out = b.len - 1;
    *json_out = (char *)b.data;
    return 0;
}

int custops_quote_allocations(custops_frame **out, const custops_quote *q)
{
    CUSTOPS__CHECK_NULL(out);
    *out = NULL;
    CUSTOPS__CHECK_NULL(q);
    size_t n = q->nallocs;
    const char **rule = custops__calloc(n + 1, sizeof *rule), **lane = custops__calloc(n + 1, sizeof *lane),
               **line = custops__calloc(n + 1, sizeof *line);
    int64_t *num = custops__calloc(4 * (n + 1), sizeof *num);
    custops_frame *f = NULL;
    int rc = (!rule || !lane || !line || !num) ? custops__nomem() : 0;
    for (size_t i = 0; !rc && i < n; i++) {
        const cpn_alloc *a = &q->allocs[i];
        rule[i] = q->rs->rules[a->rule].id;
        lane[i] = cpn_lane_names[q->rs->rules[a->rule].lane];
        line[i] = a->line >= 0 ? q->arena + q->line_ids[a->line] : "@shipping";
        num[i] = a->amount;
        num[n + 1 + i] = a->unit_high;
        num[2 * (n + 1) + i] = a->units_high;
        num[3 * (n + 1) + i] = a->unit_low;
    }
    if (!rc) rc = custops_frame_new(&f);
    if (!rc) rc = custops_frame_add_string(f, "rule", rule, n);
    if (!rc) rc = custops_frame_add_string(f, "lane", lane, n);
    if (!rc) rc = custops_frame_add_string(f, "line_id", line, n);
    if (!rc) rc = custops_frame_add_int64(f, "amount", num, n);
    if (!rc) rc = custops_frame_add_int64(f, "unit_high", num + n + 1, n);
    if (!rc) rc = custops_frame_add_int64(f, "units_high", num + 2 * (n + 1), n);
    if (!rc) rc = custops_frame_add_int64(f, "unit_low", num + 3 * (n + 1), n);
    custops__free(rule);
    custops__free(lane);
    custops__free(line);
    custops__free(num);
    if (rc) {
        custops_frame_free(f);
        return rc;
    }
    *out = f;
    return 0;
}

int custops_quote_reasons(custops_frame **out, const custops_quote *q)
{
    CUSTOPS__CHECK_NULL(out);
    *out = NULL;
    CUSTOPS__CHECK_NULL(q);
    size_t n = q->nreasons;
    const cpn_reason **rv = sorted_reasons(q);
    const char **rule = custops__calloc(n + 1, sizeof *rule), **code = custops__calloc(n + 1, sizeof *code),
               **other = custops__calloc(n + 1, sizeof *other), **msg = custops__calloc(n + 1, sizeof *msg);
    int64_t *num = custops__calloc(4 * (n + 1), sizeof *num);
    custops__buf texts;
    custops__buf_init(&texts);
    size_t *offs = custops__calloc(n + 1, sizeof *offs);
    custops_frame *f = NULL;
    int rc = (!rv || !rule || !code || !other || !msg || !num || !offs) ? custops__nomem() : 0;
    for (size_t i = 0; !rc && i < n; i++) {
        const cpn_reason *r = rv[i];
        rule[i] = q->rs->rules[r->rule].id;
        code[i] = cpn_reason_names[r->code];
        other[i] = r->other >= 0 ? q->rs->rules[r->other].id : "";
        num[i] = r->need;
        num[n + 1 + i] = r->have;
        num[2 * (n + 1) + i] = r->gap;
        num[3 * (n + 1) + i] = r->value;
        offs[i] = texts.len;
        cpn_reason_message(&texts, q, r);
        custops__buf_u8(&texts, 0);
    }
    if (!rc)
        rc = custops__buf_status(&texts);
    for (size_t i = 0; !rc && i < n; i++)
        msg[i] = (const char *)texts.data + offs[i];
    if (!rc) rc = custops_frame_new(&f);
    if (!rc) rc = custops_frame_add_string(f, "rule", rule, n);
    if (!rc) rc = custops_frame_add_string(f, "reason", code, n);
    if (!rc) rc = custops_frame_add_int64(f, "need", num, n);
    if (!rc) rc = custops_frame_add_int64(f, "have", num + n + 1, n);
    if (!rc) rc = custops_frame_add_int64(f, "gap", num + 2 * (n + 1), n);
    if (!rc) rc = custops_frame_add_int64(f, "value", num + 3 * (n + 1), n);
    if (!rc) rc = custops_frame_add_string(f, "other", other, n);
    if (!rc) rc = custops_frame_add_string(f, "message", msg, n);
    custops__free(rv);
    custops__free(rule);
    custops__free(code);
    custops__free(other);
    custops__free(msg);
    custops__free(num);
    custops__free(offs);
    custops__buf_release(&texts);
    if (rc) {
        custops_frame_free(f);
        return rc;
    }
    *out = f;
    return 0;
}
