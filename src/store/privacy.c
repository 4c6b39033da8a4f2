/* Privacy: erasing a customer, retention purges and the export of
 * everything held on one customer.
 *
 * Erase and purge first build every new intern table and remap array
 * (the only steps that allocate), then filter the columns in place, so an
 * out-of-memory failure changes nothing. Remaps are monotone, so rows keep
 * their (customer, time, order) order. */
#include "store_internal.h"

#include <stdio.h>

typedef struct shrink_plan {
    custops__intern customers, orders, refund_ids;
    uint32_t *cmap, *omap;
    uint8_t *okeep, *rkeep, *ckeep;
} shrink_plan;

static void plan_release(shrink_plan *p, int tables)
{
    if (tables) {
        custops__intern_release(&p->customers);
        custops__intern_release(&p->orders);
        custops__intern_release(&p->refund_ids);
    }
    custops__free(p->cmap);
    custops__free(p->omap);
    custops__free(p->okeep);
    custops__free(p->rkeep);
    custops__free(p->ckeep);
}

static int plan_alloc(const custops_store *s, shrink_plan *p)
{
    memset(p, 0, sizeof *p);
    size_t nc = s->customers.count + 1, no = s->orders.count + 1, nr = s->refunds.n + 1;
    p->cmap = custops__calloc(nc, sizeof *p->cmap);
    p->omap = custops__calloc(no, sizeof *p->omap);
    p->okeep = custops__calloc(no, 1);
    p->rkeep = custops__calloc(nr, 1);
    p->ckeep = custops__calloc(nc, 1);
    if (!p->cmap || !p->omap || !p->okeep || !p->rkeep || !p->ckeep) {
        plan_release(p, 0);
        return custops__nomem();
    }
    return CUSTOPS_OK;
}

/* build the new tables from ckeep/okeep/rkeep; on failure nothing to undo */
static int plan_build(const custops_store *s, shrink_plan *p)
{
    int rc = custops__intern_compact(&s->customers, &p->customers, p->ckeep, 0, p->cmap);
    if (rc)
        return rc;
    if ((rc = custops__intern_compact(&s->orders, &p->orders, p->okeep, 0, p->omap)) != 0) {
        custops__intern_release(&p->customers);
        return rc;
    }
    if ((rc = custops__intern_compact(&s->refund_ids, &p->refund_ids, p->rkeep, 0, NULL)) != 0) {
        custops__intern_release(&p->customers);
        custops__intern_release(&p->orders);
        return rc;
    }
    return CUSTOPS_OK;
}

/* apply the plan: filter rows, remap codes, swap tables (cannot fail) */
static void plan_commit(custops_store *s, shrink_plan *p, const uint8_t *line_keep, const uint8_t *event_keep)
{
    /* rows only move down and codes only get smaller, so every value fits
     * its column as it is: st_put, nothing can fail */
    st_table *L = &s->lines, *E = &s->events, *R = &s->refunds, *O = &s->ord, *A = &s->attrs;
    size_t k = 0;
    for (size_t i = 0; i < s->lines.n; i++) {
        if (!line_keep[i])
            continue;
        int64_t order = p->omap[st_get(L, L_ORDER, i)];
        for (int c = 0; c < L_NCOLS; c++)
            st_put(L, c, k, st_get(L, c, i));
        st_put(L, L_ORDER, k, order);
        k++;
    }
    s->lines.n = k;
    k = 0;
    for (size_t i = 0; i < s->events.n; i++) {
        if (!event_keep[i])
            continue;
        int64_t cust = p->cmap[st_get(E, E_CUSTOMER, i)];
        for (int c = 0; c < E_NCOLS; c++)
            st_put(E, c, k, st_get(E, c, i));
        st_put(E, E_CUSTOMER, k, cust);
        k++;
    }
    s->events.n = k;
    k = 0;
    for (size_t i = 0; i < s->refunds.n; i++) {
        if (!p->rkeep[i])
            continue;
        int64_t order = p->omap[st_get(R, R_ORDER, i)];
        for (int c = 0; c < R_NCOLS; c++)
            st_put(R, c, k, st_get(R, c, i));
        st_put(R, R_ORDER, k, order);
        k++;
    }
    s->refunds.n = k;
    k = 0;
    for (size_t o = 0; o < s->orders.count; o++) {
        if (!p->okeep[o])
            continue;
        st_put(O, O_CUSTOMER, k, p->cmap[st_get(O, O_CUSTOMER, o)]);
        st_put(O, O_TIME, k, st_get(O, O_TIME, o));
        k++;
    }
    s->ord.n = k;
    k = 0;
    for (size_t c = 0; c < s->customers.count; c++) {
        if (!p->ckeep[c])
            continue;
        for (int a = 0; a < C_NCOLS; a++)
            st_put(A, a, k, st_get(A, a, c));
        k++;
    }
    s->attrs.n = k;
    custops__intern_release(&s->customers);
    custops__intern_release(&s->orders);
    custops__intern_release(&s->refund_ids);
    s->customers = p->customers;
    s->orders = p->orders;
    s->refund_ids = p->refund_ids;
    s->have_last_order = 0;
}

int custops_store_erase(custops_store *s, const char *customer_id)
{
    CUSTOPS__CHECK_NULL(s);
    CUSTOPS__CHECK_NULL(customer_id);
    uint32_t cid;
    if (custops__intern_get(&s->customers, customer_id, strlen(customer_id), &cid) != 0)
        return custops__err(CUSTOPS_ENOTFOUND, "custops_store_erase: no customer '%s'", customer_id);
    shrink_plan p;
    int rc = plan_alloc(s, &p);
    if (rc)
        return rc;
    uint8_t *lk = custops__calloc(s->lines.n + 1, 1), *ek = custops__calloc(s->events.n + 1, 1);
    if (!lk || !ek) {
        custops__free(lk);
        custops__free(ek);
        plan_release(&p, 0);
        return custops__nomem();
    }
    for (uint32_t c = 0; c < s->customers.count; c++)
        p.ckeep[c] = c != cid;
    for (uint32_t o = 0; o < s->orders.count; o++)
        p.okeep[o] = st_get(&s->ord, O_CUSTOMER, (size_t)o) != (int64_t)cid;
    for (size_t r = 0; r < s->refunds.n; r++)
        p.rkeep[r] = p.okeep[st_get(&s->refunds, R_ORDER, r)];
    for (size_t i = 0; i < s->lines.n; i++)
        lk[i] = st_line_customer(s, i) != (int64_t)cid;
    for (size_t i = 0; i < s->events.n; i++)
        ek[i] = st_get(&s->events, E_CUSTOMER, i) != (int64_t)cid;
    if ((rc = plan_build(s, &p)) == 0)
        plan_commit(s, &p, lk, ek);
    plan_release(&p, 0);
    custops__free(lk);
    custops__free(ek);
    return rc;
}

int custops_store_purge(custops_store *s, int64_t before, uint64_t *removed_out)
{
    CUSTOPS__CHECK_NULL(s);
    if (removed_out)
        *removed_out = 0;
    shrink_plan p;
    int rc = plan_alloc(s, &p);
    if (rc)
        return rc;
    uint8_t *lk = custops__calloc(s->lines.n + 1, 1), *ek = custops__calloc(s->events.n + 1, 1);
    if (!lk || !ek) {
        custops__free(lk);
        custops__free(ek);
        plan_release(&p, 0);
        return custops__nomem();
    }
    uint64_t removed = 0;
    for (uint32_t c = 0; c < s->customers.count; c++)
        p.ckeep[c] = 1;
    for (size_t i = 0; i < s->lines.n; i++) {
        lk[i] = st_line_time(s, i) >= before;
        if (lk[i])
            p.okeep[st_get(&s->lines, L_ORDER, i)] = 1;
        else
            removed++;
    }
    for (size_t r = 0; r < s->refunds.n; r++) {
        p.rkeep[r] = st_get(&s->refunds, R_TIME, r) >= before && p.okeep[st_get(&s->refunds, R_ORDER, r)];
        removed += !p.rkeep[r];
    }
    for (size_t i = 0; i < s->events.n; i++) {
        ek[i] = st_get(&s->events, E_TIME, i) >= before;
        removed += !ek[i];
    }
    if ((rc = plan_build(s, &p)) == 0) {
        int refunds_dropped = p.refund_ids.count != s->refund_ids.count;
        plan_commit(s, &p, lk, ek);
        if (refunds_dropped)
            s->lines_sorted = 0; /* recompute the refunded column from the refunds kept */
        if (removed_out)
            *removed_out = removed;
    }
    plan_release(&p, 0);
    custops__free(lk);
    custops__free(ek);
    return rc;
}

/* ---- export ---- */

static void json_str(custops__buf *b, const char *s)
{
    custops__buf_u8(b, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\') {
            custops__buf_u8(b, '\\');
            custops__buf_u8(b, *p);
        } else if (*p < 0x20) {
            custops__buf_printf(b, "\\u%04x", *p);
        } else {
            custops__buf_u8(b, *p);
        }
    }
    custops__buf_u8(b, '"');
}

static void json_code(custops__buf *b, const custops_store *s, int d, int64_t code)
{
    if (code < 0)
        custops__buf_puts(b, "null");
    else
        json_str(b, custops__intern_str(&s->dict[d], (uint32_t)code));
}

static void json_time(custops__buf *b, const custops_store *s, int64_t t)
{
    char buf[40];
    if (custops_time_format(t, s->zone, buf, sizeof buf) != 0)
        snprintf(buf, sizeof buf, "%lld", (long long)t);
    json_str(b, buf);
}

static void json_money(custops__buf *b, const custops_store *s, int64_t v)
{
    char buf[40];
    if (custops_money_format(v, s->exponent, buf, sizeof buf) != 0)
        snprintf(buf, sizeof buf, "%lld", (long long)v);
    json_str(b, buf);
}

int custops_store_export_customer(custops_store *s, const char *customer_id, char **json_out)
{
    CUSTOPS__CHECK_NULL(json_out);
    *json_out = NULL;
    CUSTOPS__CHECK_NULL(s);
    CUSTOPS__CHECK_NULL(customer_id);
    uint32_t cid;
    if (custops__intern_get(&s->customers, customer_id, strlen(customer_id), &cid) != 0)
        return custops__err(CUSTOPS_ENOTFOUND, "custops_store_export_customer: no customer '%s'", customer_id);
    int rc = custops__st_prepare(s);
    if (rc)
        return rc;
    custops__buf b;
    custops__buf_init(&b);
    const st_table *A = &s->attrs;
    static const char *const GENDER[3] = {"", "f", "m"};
    custops__buf_puts(&b, "{\"customer_id\":");
    json_str(&b, customer_id);
    custops__buf_printf(&b, ",\"zone\":");
    json_str(&b, custops_zone_name(s->zone));
    custops__buf_printf(&b, ",\"currency\":\"%s\",\"attributes\":{\"gender\":", s->currency);
    if (st_get(A, C_GENDER, cid) > 0)
        json_str(&b, GENDER[st_get(A, C_GENDER, cid)]);
    else
        custops__buf_puts(&b, "null");
    if (st_get(A, C_BIRTH_YEAR, cid) >= 0)
        custops__buf_printf(&b, ",\"birth_year\":%lld", (long long)st_get(A, C_BIRTH_YEAR, cid));
    else
        custops__buf_puts(&b, ",\"birth_year\":null");
    custops__buf_puts(&b, ",\"region\":");
    json_code(&b, s, D_REGION, st_get(A, C_REGION, cid));
    custops__buf_puts(&b, ",\"member_since\":");
    if (st_get(A, C_MEMBER_SINCE, cid) >= 0)
        json_time(&b, s, st_get(A, C_MEMBER_SINCE, cid));
    else
        custops__buf_puts(&b, "null");
    custops__buf_printf(&b, ",\"consent_sms\":%d,\"consent_email\":%d,\"consent_push\":%d,\"tags\":[",
                        (int)st_get(A, C_SMS, cid), (int)st_get(A, C_EMAIL, cid), (int)st_get(A, C_PUSH, cid));
    int first = 1;
    for (uint32_t t = 0; t < 64 && t < s->dict[D_TAG].count; t++)
        if ((uint64_t)st_get(A, C_TAGS, cid) & ((uint64_t)1 << t)) {
            if (!first)
                custops__buf_u8(&b, ',');
            first = 0;
            json_str(&b, custops__intern_str(&s->dict[D_TAG], t));
        }
    custops__buf_puts(&b, "]},\"order_lines\":[");
    const st_table *L = &s->lines;
    first = 1;
    for (size_t i = 0; i < s->lines.n; i++) {
        if (st_line_customer(s, i) != (int64_t)cid)
            continue;
        custops__buf_puts(&b, first ? "\n{\"order_id\":" : ",\n{\"order_id\":");
        first = 0;
        json_str(&b, custops__intern_str(&s->orders, (uint32_t)st_get(L, L_ORDER, i)));
        custops__buf_puts(&b, ",\"time\":");
        json_time(&b, s, st_line_time(s, i));
        custops__buf_puts(&b, ",\"sku\":");
        json_code(&b, s, D_SKU, st_get(L, L_SKU, i));
        custops__buf_puts(&b, ",\"category\":");
        json_code(&b, s, D_CATEGORY, st_get(L, L_CATEGORY, i));
        custops__buf_printf(&b, ",\"qty\":%lld,\"amount\":", (long long)st_get(L, L_QTY, i));
        json_money(&b, s, st_get(L, L_AMOUNT, i));
        custops__buf_puts(&b, ",\"discount\":");
        json_money(&b, s, st_get(L, L_DISCOUNT, i));
        custops__buf_puts(&b, ",\"refunded\":");
        json_money(&b, s, st_get(L, L_REFUNDED, i));
        custops__buf_puts(&b, ",\"coupon_code\":");
        json_code(&b, s, D_COUPON, st_get(L, L_COUPON, i));
        custops__buf_puts(&b, ",\"channel\":");
        json_code(&b, s, D_CHANNEL, st_get(L, L_CHANNEL, i));
        custops__buf_u8(&b, '}');
    }
    custops__buf_puts(&b, "],\"refunds\":[");
    first = 1;
    for (size_t r = 0; r < s->refunds.n; r++) {
        int64_t o = st_get(&s->refunds, R_ORDER, r);
        if (st_get(&s->ord, O_CUSTOMER, (size_t)o) != (int64_t)cid)
            continue;
        custops__buf_puts(&b, first ? "\n{\"refund_id\":" : ",\n{\"refund_id\":");
        first = 0;
        json_str(&b, custops__intern_str(&s->refund_ids, (uint32_t)r));
        custops__buf_puts(&b, ",\"order_id\":");
        json_str(&b, custops__intern_str(&s->orders, (uint32_t)o));
        custops__buf_puts(&b, ",\"time\":");
        json_time(&b, s, st_get(&s->refunds, R_TIME, r));
        custops__buf_puts(&b, ",\"sku\":");
        json_code(&b, s, D_SKU, st_get(&s->refunds, R_SKU, r));
        if (st_get(&s->refunds, R_QTY, r) > 0)
            custops__buf_printf(&b, ",\"qty\":%lld", (long long)st_get(&s->refunds, R_QTY, r));
        else
            custops__buf_puts(&b, ",\"qty\":null");
        custops__buf_puts(&b, ",\"amount\":");
        json_money(&b, s, st_get(&s->refunds, R_AMOUNT, r));
        custops__buf_u8(&b, '}');
    }
    custops__buf_puts(&b, "],\"events\":[");
    const st_table *E = &s->events;
    first = 1;
    for (size_t i = 0; i < s->events.n; i++) {
        if (st_get(E, E_CUSTOMER, i) != (int64_t)cid)
            continue;
        custops__buf_puts(&b, first ? "\n{\"time\":" : ",\n{\"time\":");
        first = 0;
        json_time(&b, s, st_get(E, E_TIME, i));
        custops__buf_printf(&b, ",\"type\":\"%s\",\"sku\":", custops__st_event_names[st_get(E, E_TYPE, i)]);
        json_code(&b, s, D_SKU, st_get(E, E_SKU, i));
        custops__buf_puts(&b, ",\"category\":");
        json_code(&b, s, D_CATEGORY, st_get(E, E_CATEGORY, i));
        custops__buf_puts(&b, ",\"coupon_code\":");
        json_code(&b, s, D_COUPON, st_get(E, E_COUPON, i));
        custops__buf_u8(&b, '}');
    }
    custops__buf_puts(&b, "]}\n");
    custops__buf_u8(&b, 0);
    if ((rc = custops__buf_status(&b)) != 0) {
        custops__buf_release(&b);
        return rc;
    }
    *json_out = (char *)b.data; /* allocated through the hook: custops_free releases it */
    return CUSTOPS_OK;
}
