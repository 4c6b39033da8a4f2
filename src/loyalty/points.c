/* The points ledger: purchases earn lots, redemptions consume the oldest
 * lots first, lots past their expiry are expired (with a ledger entry)
 * before any later operation on the customer. */
#include "loyalty_internal.h"

#include <math.h>

int custops_loyalty_options_init(custops_loyalty_options *opts, unsigned int version)
{
    CUSTOPS__CHECK_NULL(opts);
    if (version != CUSTOPS_LOYALTY_OPTIONS_VERSION)
        return custops__err(CUSTOPS_EVERSION, "custops_loyalty_options version %u is unknown (this library has %d)",
                            version, CUSTOPS_LOYALTY_OPTIONS_VERSION);
    custops_loyalty_options d = CUSTOPS_LOYALTY_OPTIONS_INIT;
    *opts = d;
    return CUSTOPS_OK;
}

void custops_loyalty_free(custops_loyalty *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->ntiers; i++)
        custops__free(l->tiers[i].name);
    custops__free(l->tiers_text);
    custops__free(l->mult_text);
    custops__intern_release(&l->ids);
    custops__free(l->members);
    custops__free(l->purchases);
    custops__free(l->lots);
    custops__free(l->ledger);
    custops__free(l->history);
    custops__free(l);
}

int custops_loyalty_new(custops_loyalty **out, const custops_loyalty_options *opts)
{
    CUSTOPS__CHECK_NULL(out);
    *out = NULL;
    custops_loyalty_options d = CUSTOPS_LOYALTY_OPTIONS_INIT;
    custops_loyalty *l = custops__calloc(1, sizeof *l);
    if (!l)
        return custops__nomem();
    custops__intern_init(&l->ids);
    l->last_time = INT64_MIN;
    int rc = loy_configure(l, opts ? opts : &d);
    if (rc) {
        custops_loyalty_free(l);
        return rc;
    }
    *out = l;
    return CUSTOPS_OK;
}

int loy_check_time(custops_loyalty *l, int64_t instant)
{
    if (instant < l->last_time)
        return custops__err(CUSTOPS_EINVAL, "instant %lld is before the previous operation (%lld): time only moves forward",
                            (long long)instant, (long long)l->last_time);
    if (instant > (int64_t)1 << 40 || instant < -((int64_t)1 << 40))
        return custops__err(CUSTOPS_ERANGE, "instant %lld is out of range", (long long)instant);
    l->last_time = instant;
    return CUSTOPS_OK;
}

int loy_member_get(custops_loyalty *l, const char *customer, bool create, uint32_t *id)
{
    size_t len = strlen(customer);
    if (len < 1 || len > 256)
        return custops__err(CUSTOPS_EINVAL, "customer id must have 1..256 bytes");
    if (!create) {
        if (custops__intern_get(&l->ids, customer, len, id))
            return custops__err(CUSTOPS_ENOTFOUND, "no member '%s'", customer);
        return CUSTOPS_OK;
    }
    if (CUSTOPS__GROW(l->members, l->cap_members, (size_t)l->ids.count + 1))
        return CUSTOPS_ENOMEM;
    bool added;
    int rc = custops__intern_put(&l->ids, customer, len, id, &added);
    if (rc)
        return rc;
    if (added)
        memset(&l->members[*id], 0, sizeof l->members[*id]);
    return CUSTOPS_OK;
}

static int add_entry(custops_loyalty *l, uint32_t cust, uint8_t kind, int64_t time, int64_t points)
{
    if (CUSTOPS__GROW(l->ledger, l->cap_ledger, l->nledger + 1))
        return CUSTOPS_ENOMEM;
    loy_entry *e = &l->ledger[l->nledger++];
    e->cust = cust;
    e->kind = kind;
    e->time = time;
    e->points = points;
    e->balance = l->members[cust].balance;
    return CUSTOPS_OK;
}

int loy_expire(custops_loyalty *l, uint32_t id, int64_t instant)
{
    loy_member *m = &l->members[id];
    while (m->head) {
        loy_lot *lot = &l->lots[m->head - 1];
        if (lot->left > 0) {
            if (lot->expires == 0 || lot->expires > instant)
                break;
            int64_t gone = lot->left;
            lot->left = 0;
            m->balance -= gone;
            int rc = add_entry(l, id, LOY_EXPIRE, lot->expires, -gone);
            if (rc)
                return rc;
        }
        m->head = lot->next;
        if (!m->head)
            m->tail = 0;
    }
    return CUSTOPS_OK;
}

int loy_add_lot(custops_loyalty *l, uint32_t cust, int64_t time, int64_t expires, int64_t left)
{
    if (left < 0 || left > LOY_MAX_POINTS - l->members[cust].balance)
        return custops__err(CUSTOPS_ERANGE, "a balance above %lld points is not supported", (long long)LOY_MAX_POINTS);
    if (CUSTOPS__GROW(l->lots, l->cap_lots, l->nlots + 1))
        return CUSTOPS_ENOMEM;
    loy_lot *lot = &l->lots[l->nlots++];
    lot->cust = cust;
    lot->time = time;
    lot->expires = expires;
    lot->left = left;
    lot->next = 0;
    loy_member *m = &l->members[cust];
    if (left > 0) {
        if (m->tail)
            l->lots[m->tail - 1].next = l->nlots;
        else
            m->head = l->nlots;
        m->tail = l->nlots;
        m->balance += left;
    }
    return CUSTOPS_OK;
}

int custops_loyalty_purchase(int64_t *points_out, custops_loyalty *l, const char *customer, int64_t instant,
                             int64_t amount, double promo_multiplier)
{
    if (points_out)
        *points_out = 0;
    CUSTOPS__CHECK_NULL(l);
    CUSTOPS__CHECK_NULL(customer);
    if (amount <= 0 || amount > (int64_t)1e15)
        return custops__err(CUSTOPS_ERANGE, "amount %lld must be within 1..1e15 minor units", (long long)amount);
    if (!(promo_multiplier >= 0 && promo_multiplier <= 100))
        return custops__err(CUSTOPS_EINVAL, "promo_multiplier must be within 0..100");
    int64_t before = l->last_time;
    int rc = loy_check_time(l, instant);
    if (rc)
        return rc;
    uint32_t id;
    if ((rc = loy_member_get(l, customer, true, &id)) || (rc = loy_expire(l, id, instant)))
        goto fail;
    if ((rc = CUSTOPS__GROW(l->purchases, l->cap_purchases, l->npurchases + 1)))
        goto fail;
    double units = (double)amount / pow(10.0, l->exponent);
    double pts = floor(units * l->rate * l->tiers[l->members[id].tier].mult * promo_multiplier + 1e-9);
    if (!(pts < (double)LOY_MAX_POINTS)) {
        rc = custops__err(CUSTOPS_ERANGE, "a purchase earning %g points is not supported", pts);
        goto fail;
    }
    int64_t points = (int64_t)pts;
    if (points > LOY_MAX_POINTS - l->members[id].balance) {
        rc = custops__err(CUSTOPS_ERANGE, "a balance above %lld points is not supported", (long long)LOY_MAX_POINTS);
        goto fail;
    }
    l->purchases[l->npurchases++] = (loy_purchase){id, instant, amount};
    if (points > 0) {
        int64_t exp = l->expiry_days ? instant + l->expiry_days * LOY_DAY : 0;
        if ((rc = loy_add_lot(l, id, instant, exp, points)) || (rc = add_entry(l, id, LOY_EARN, instant, points)))
            goto fail;
    }
    if (points_out)
        *points_out = points;
    return CUSTOPS_OK;
fail:
    l->last_time = before;
    return rc;
}

int custops_loyalty_redeem(custops_loyalty *l, const char *customer, int64_t instant, int64_t points)
{
    CUSTOPS__CHECK_NULL(l);
    CUSTOPS__CHECK_NULL(customer);
    if (points <= 0)
        return custops__err(CUSTOPS_EINVAL, "points to redeem must be positive");
    uint32_t id;
    int rc = loy_member_get(l, customer, false, &id);
    if (rc)
        return rc;
    if ((rc = loy_check_time(l, instant)) || (rc = loy_expire(l, id, instant)))
        return rc;
    loy_member *m = &l->members[id];
    if (m->balance < points)
        return custops__err(CUSTOPS_ERANGE, "member '%s' has %lld points, fewer than the %lld to redeem", customer,
                            (long long)m->balance, (long long)points);
    if ((rc = CUSTOPS__GROW(l->ledger, l->cap_ledger, l->nledger + 1)))
        return rc;
    int64_t need = points;
    for (size_t k = m->head; k && need > 0; k = l->lots[k - 1].next) {
        loy_lot *lot = &l->lots[k - 1];
        int64_t take = lot->left < need ? lot->left : need;
        lot->left -= take;
        need -= take;
    }
    m->balance -= points;
    return add_entry(l, id, LOY_REDEEM, instant, -points); /* capacity reserved above */
}

int custops_loyalty_balance(int64_t *balance_out, const custops_loyalty *l, const char *customer, int64_t instant)
{
    CUSTOPS__CHECK_NULL(balance_out);
    *balance_out = 0;
    CUSTOPS__CHECK_NULL(l);
    CUSTOPS__CHECK_NULL(customer);
    uint32_t id;
    if (custops__intern_get(&l->ids, customer, strlen(customer), &id))
        return CUSTOPS_OK;
    const loy_member *m = &l->members[id];
    int64_t b = m->balance;
    for (size_t k = m->head; k; k = l->lots[k - 1].next) {
        const loy_lot *lot = &l->lots[k - 1];
        if (lot->expires == 0 || lot->expires > instant)
            break;
        b -= lot->left;
    }
    *balance_out = b;
    return CUSTOPS_OK;
}

int custops_loyalty_ledger(custops_frame **out, const custops_loyalty *l)
{
    CUSTOPS__CHECK_NULL(out);
    *out = NULL;
    CUSTOPS__CHECK_NULL(l);
    static const char *const KIND[] = {"earn", "redeem", "expire"};
    size_t n = l->nledger, cap = n ? n : 1;
    const char **cu = custops__calloc(cap, sizeof *cu), **kd = custops__calloc(cap, sizeof *kd);
    int64_t *tm = custops__calloc(cap, sizeof *tm), *pt = custops__calloc(cap, sizeof *pt),
            *bl = custops__calloc(cap, sizeof *bl);
    custops_frame *f = NULL;
    int rc = (!cu || !kd || !tm || !pt || !bl) ? custops__nomem() : CUSTOPS_OK;
    for (size_t i = 0; !rc && i < n; i++) {
        const loy_entry *e = &l->ledger[i];
        cu[i] = custops__intern_str(&l->ids, e->cust);
        kd[i] = KIND[e->kind];
        tm[i] = e->time;
        pt[i] = e->points;
        bl[i] = e->balance;
    }
    if (!rc && !(rc = custops_frame_new(&f)) && !(rc = custops_frame_add_string(f, "customer", cu, n)) &&
        !(rc = custops_frame_add_int64(f, "time", tm, n)) && !(rc = custops_frame_add_string(f, "kind", kd, n)) &&
        !(rc = custops_frame_add_int64(f, "points", pt, n)) && !(rc = custops_frame_add_int64(f, "balance", bl, n))) {
        *out = f;
        f = NULL;
    }
    custops_frame_free(f);
    custops__free(cu);
    custops__free(kd);
    custops__free(tm);
    custops__free(pt);
    custops__free(bl);
    return rc;
}
