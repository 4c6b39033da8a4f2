/* Save and load a loyalty program as one "LOYL" save file. The loader
 * rebuilds the program from its configuration text, then checks every
 * index it reads against the tables it has already rebuilt. */
#include "loyalty_internal.h"

#define LOY_VERSION 1

int custops_loyalty_save(const custops_loyalty *l, const char *path)
{
    CUSTOPS__CHECK_NULL(l);
    CUSTOPS__CHECK_NULL(path);
    custops__buf b;
    custops__buf_init(&b);
    custops__buf_str(&b, l->tiers_text);
    custops__buf_str(&b, l->mult_text);
    custops__buf_f64(&b, l->rate);
    custops__buf_u32(&b, (uint32_t)l->exponent);
    custops__buf_i64(&b, l->expiry_days);
    custops__buf_i64(&b, l->window_days);
    custops__buf_i64(&b, l->last_time);
    custops__buf_u32(&b, l->ids.count);
    for (uint32_t i = 0; i < l->ids.count; i++) {
        custops__buf_str(&b, custops__intern_str(&l->ids, i));
        custops__buf_u32(&b, (uint32_t)l->members[i].tier);
    }
    custops__buf_u64(&b, l->npurchases);
    for (size_t i = 0; i < l->npurchases; i++) {
        custops__buf_u32(&b, l->purchases[i].cust);
        custops__buf_i64(&b, l->purchases[i].time);
        custops__buf_i64(&b, l->purchases[i].amount);
    }
    custops__buf_u64(&b, l->nlots);
    for (size_t i = 0; i < l->nlots; i++) {
        custops__buf_u32(&b, l->lots[i].cust);
        custops__buf_i64(&b, l->lots[i].time);
        custops__buf_i64(&b, l->lots[i].expires);
        custops__buf_i64(&b, l->lots[i].left);
    }
    custops__buf_u64(&b, l->nledger);
    for (size_t i = 0; i < l->nledger; i++) {
        custops__buf_u32(&b, l->ledger[i].cust);
        custops__buf_u8(&b, l->ledger[i].kind);
        custops__buf_i64(&b, l->ledger[i].time);
        custops__buf_i64(&b, l->ledger[i].points);
        custops__buf_i64(&b, l->ledger[i].balance);
    }
    custops__buf_u64(&b, l->nhistory);
    for (size_t i = 0; i < l->nhistory; i++) {
        custops__buf_u32(&b, l->history[i].cust);
        custops__buf_u32(&b, (uint32_t)l->history[i].from);
        custops__buf_u32(&b, (uint32_t)l->history[i].to);
        custops__buf_i64(&b, l->history[i].time);
        custops__buf_i64(&b, l->history[i].spend);
    }
    int rc = custops__buf_status(&b);
    if (!rc)
        rc = custops__save_atomic(path, "LOYL", LOY_VERSION, b.data, b.len);
    custops__buf_release(&b);
    return rc;
}

#define BAD(...) do { rc = custops__err(CUSTOPS_ECORRUPT, __VA_ARGS__); goto done; } while (0)

static int read_body(custops_loyalty **out, custops__rd *r, const char *path)
{
    char *tiers = NULL, *mults = NULL, *name = NULL;
    custops_loyalty *l = NULL;
    int rc;
    uint32_t u, exponent;
    uint64_t n;
    custops_loyalty_options o = CUSTOPS_LOYALTY_OPTIONS_INIT;
    if ((rc = custops__rd_str(r, &tiers)) || (rc = custops__rd_str(r, &mults)) || (rc = custops__rd_f64(r, &o.points_per_unit)) ||
        (rc = custops__rd_u32(r, &exponent)) || (rc = custops__rd_i64(r, &o.expiry_days)) ||
        (rc = custops__rd_i64(r, &o.window_days)))
        goto done;
    o.tiers = tiers;
    o.multipliers = mults;
    o.exponent = exponent > 4 ? -1 : (int)exponent;
    if ((rc = custops_loyalty_new(&l, &o))) {
        custops__err_prefix("%s: ", path);
        rc = rc == CUSTOPS_ENOMEM ? rc : CUSTOPS_ECORRUPT;
        goto done;
    }
    if ((rc = custops__rd_i64(r, &l->last_time)) || (rc = custops__rd_u32(r, &u)))
        goto done;
    /* every saved instant is at or before the last operation: a file that
     * says otherwise would let new operations land out of order */
    if (l->last_time > (int64_t)1 << 40 || l->last_time < -((int64_t)1 << 40))
        BAD("%s: last operation time %lld is out of range", path, (long long)l->last_time);
    for (uint32_t i = 0; i < u; i++) {
        uint32_t id, tier;
        if ((rc = custops__rd_str(r, &name)) || (rc = custops__rd_u32(r, &tier)))
            goto done;
        if ((rc = loy_member_get(l, name, true, &id)))
            goto done;
        if (id != i || tier >= l->ntiers)
            BAD("%s: member %u is a duplicate or has tier %u", path, i, tier);
        l->members[id].tier = (int32_t)tier;
        custops__free(name);
        name = NULL;
    }
    size_t nm = l->ids.count;
    if ((rc = custops__rd_count(r, &n, 20)))
        goto done;
    for (uint64_t i = 0; i < n; i++) {
        loy_purchase p;
        if ((rc = custops__rd_u32(r, &p.cust)) || (rc = custops__rd_i64(r, &p.time)) || (rc = custops__rd_i64(r, &p.amount)))
            goto done;
        if (p.cust >= nm || (l->npurchases && p.time < l->purchases[l->npurchases - 1].time) || p.time > l->last_time)
            BAD("%s: purchase %llu is out of order, after the last operation, or names no member", path, (unsigned long long)i);
        if ((rc = CUSTOPS__GROW(l->purchases, l->cap_purchases, l->npurchases + 1)))
            goto done;
        l->purchases[l->npurchases++] = p;
    }
    if ((rc = custops__rd_count(r, &n, 28)))
        goto done;
    for (uint64_t i = 0; i < n; i++) {
        uint32_t c;
        int64_t t, e, left;
        if ((rc = custops__rd_u32(r, &c)) || (rc = custops__rd_i64(r, &t)) || (rc = custops__rd_i64(r, &e)) ||
            (rc = custops__rd_i64(r, &left)))
            goto done;
        if (c >= nm || left < 0 || t > l->last_time)
            BAD("%s: lot %llu is invalid", path, (unsigned long long)i);
        if ((rc = loy_add_lot(l, c, t, e, left))) {
            if (rc == CUSTOPS_ERANGE) /* lots that no program could have earned */
                BAD("%s: lot %llu is invalid", path, (unsigned long long)i);
            goto done;
        }
    }
    if ((rc = custops__rd_count(r, &n, 29)))
        goto done;
    for (uint64_t i = 0; i < n; i++) {
        loy_entry e;
        if ((rc = custops__rd_u32(r, &e.cust)) || (rc = custops__rd_u8(r, &e.kind)) || (rc = custops__rd_i64(r, &e.time)) ||
            (rc = custops__rd_i64(r, &e.points)) || (rc = custops__rd_i64(r, &e.balance)))
            goto done;
        if (e.cust >= nm || e.kind > LOY_EXPIRE || e.time > l->last_time)
            BAD("%s: ledger entry %llu is invalid", path, (unsigned long long)i);
        if ((rc = CUSTOPS__GROW(l->ledger, l->cap_ledger, l->nledger + 1)))
            goto done;
        l->ledger[l->nledger++] = e;
    }
    if ((rc = custops__rd_count(r, &n, 28)))
        goto done;
    for (uint64_t i = 0; i < n; i++) {
        loy_change c;
        uint32_t from, to;
        if ((rc = custops__rd_u32(r, &c.cust)) || (rc = custops__rd_u32(r, &from)) || (rc = custops__rd_u32(r, &to)) ||
            (rc = custops__rd_i64(r, &c.time)) || (rc = custops__rd_i64(r, &c.spend)))
            goto done;
        if (c.cust >= nm || from >= l->ntiers || to >= l->ntiers || c.time > l->last_time)
            BAD("%s: tier change %llu is invalid", path, (unsigned long long)i);
        c.from = (int32_t)from;
        c.to = (int32_t)to;
        if ((rc = CUSTOPS__GROW(l->history, l->cap_history, l->nhistory + 1)))
            goto done;
        l->history[l->nhistory++] = c;
    }
    if (custops__rd_left(r))
        BAD("%s: %zu bytes after the end", path, custops__rd_left(r));
    *out = l;
    l = NULL;
done:
    custops__free(tiers);
    custops__free(mults);
    custops__free(name);
    custops_loyalty_free(l);
    return rc;
}

int custops_loyalty_load(custops_loyalty **out, const char *path)
{
    CUSTOPS__CHECK_NULL(out);
    *out = NULL;
    CUSTOPS__CHECK_NULL(path);
    void *payload;
    size_t len;
    uint32_t version;
    int rc = custops__load_file(path, "LOYL", LOY_VERSION, &payload, &len, &version);
    if (rc)
        return rc;
    rc = custops__loy_decode(out, payload, len, path);
    custops__free(payload);
    return rc;
}

int custops__loy_decode(custops_loyalty **out, const void *payload, size_t len, const char *what)
{
    *out = NULL;
    custops__rd r;
    custops__rd_init(&r, payload, len, what);
    return read_body(out, &r, what);
}
