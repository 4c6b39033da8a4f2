/* Tier configuration ("member:0,silver:1000,..."), recalculation from the
 * trailing spend window, and the history of changes. */
#include "loyalty_internal.h"

#include <math.h>
#include <stdio.h>

static int parse_tiers(custops_loyalty *l, const char *text)
{
    const char *p = text;
    l->ntiers = 0;
    while (*p) {
        const char *start = p, *colon = strchr(p, ':');
        const char *comma = strchr(p, ',');
        if (!comma)
            comma = p + strlen(p);
        if (!colon || colon > comma || colon == p)
            return custops__err(CUSTOPS_EINVAL, "tiers:1:%d: expected NAME:THRESHOLD", (int)(start - text) + 1);
        if (l->ntiers >= LOY_MAX_TIERS)
            return custops__err(CUSTOPS_ELIMIT, "tiers:1:%d: more than %d tiers", (int)(start - text) + 1,
                                LOY_MAX_TIERS);
        int64_t v;
        if (custops__parse_money(colon + 1, (size_t)(comma - colon - 1), l->exponent, &v) || v < 0)
            return custops__err(CUSTOPS_EINVAL, "tiers:1:%d: expected a threshold amount such as 1000 or 999.50",
                                (int)(colon + 1 - text) + 1);
        if (l->ntiers == 0 && v != 0)
            return custops__err(CUSTOPS_EINVAL, "tiers:1:%d: the first tier must start at 0",
                                (int)(colon + 1 - text) + 1);
        if (l->ntiers > 0 && v <= l->tiers[l->ntiers - 1].threshold)
            return custops__err(CUSTOPS_EINVAL, "tiers:1:%d: thresholds must increase",
                                (int)(colon + 1 - text) + 1);
        loy_tier *t = &l->tiers[l->ntiers];
        if (!(t->name = custops__strndup(p, (size_t)(colon - p))))
            return custops__nomem();
        t->threshold = v;
        t->mult = 1.0;
        l->ntiers++;
        p = *comma ? comma + 1 : comma;
    }
    if (l->ntiers == 0)
        return custops__err(CUSTOPS_EINVAL, "tiers:1:1: expected at least one NAME:THRESHOLD");
    return CUSTOPS_OK;
}

static int parse_mults(custops_loyalty *l, const char *text)
{
    const char *p = text;
    size_t i = 0;
    while (*p) {
        const char *comma = strchr(p, ',');
        if (!comma)
            comma = p + strlen(p);
        double v;
        if (i >= l->ntiers)
            return custops__err(CUSTOPS_EINVAL, "multipliers:1:%d: more multipliers than the %zu tiers",
                                (int)(p - text) + 1, l->ntiers);
        if (custops__parse_f64(p, (size_t)(comma - p), &v) || !(v >= 0 && v <= 100))
            return custops__err(CUSTOPS_EINVAL, "multipliers:1:%d: expected a multiplier between 0 and 100",
                                (int)(p - text) + 1);
        l->tiers[i++].mult = v;
        p = *comma ? comma + 1 : comma;
    }
    if (i != l->ntiers)
        return custops__err(CUSTOPS_EINVAL, "multipliers: %zu given for %zu tiers", i, l->ntiers);
    return CUSTOPS_OK;
}

int loy_configure(custops_loyalty *l, const custops_loyalty_options *o)
{
    if (o->version != CUSTOPS_LOYALTY_OPTIONS_VERSION)
        return custops__err(CUSTOPS_EVERSION, "custops_loyalty_options version %u is unknown", o->version);
    if (o->exponent < 0 || o->exponent > 4)
        return custops__err(CUSTOPS_EINVAL, "exponent %d is outside 0..4", o->exponent);
    if (!(o->points_per_unit >= 0 && o->points_per_unit <= 1e6))
        return custops__err(CUSTOPS_EINVAL, "points_per_unit must be within 0..1e6");
    if (o->expiry_days < 0 || o->expiry_days > 36500 || o->window_days < 1 || o->window_days > 36500)
        return custops__err(CUSTOPS_EINVAL, "expiry_days must be 0..36500 and window_days 1..36500");
    if (!o->tiers)
        return custops__err(CUSTOPS_EINVAL, "tiers is NULL");
    l->exponent = o->exponent;
    l->rate = o->points_per_unit;
    l->expiry_days = o->expiry_days;
    l->window_days = o->window_days;
    int rc = parse_tiers(l, o->tiers);
    if (!rc && o->multipliers && o->multipliers[0])
        rc = parse_mults(l, o->multipliers);
    if (rc)
        return rc;
    if (!(l->tiers_text = custops__strdup(o->tiers)))
        return custops__nomem();
    if (!(l->mult_text = custops__strdup(o->multipliers ? o->multipliers : "")))
        return custops__nomem();
    return CUSTOPS_OK;
}

int custops_loyalty_recalc(size_t *changes_out, custops_loyalty *l, int64_t instant)
{
    if (changes_out)
        *changes_out = 0;
    CUSTOPS__CHECK_NULL(l);
    int rc = loy_check_time(l, instant);
    if (rc)
        return rc;
    size_t n = l->ids.count;
    int64_t *spend = custops__calloc(n ? n : 1, sizeof *spend);
    if (!spend)
        return custops__nomem();
    for (uint32_t i = 0; i < n; i++)
        if ((rc = loy_expire(l, i, instant))) {
            custops__free(spend);
            return rc;
        }
    /* purchases are in time order: binary search the window start */
    int64_t from = instant - l->window_days * LOY_DAY;
    size_t lo = 0, hi = l->npurchases;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (l->purchases[mid].time <= from)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t i = lo; i < l->npurchases; i++) {
        const loy_purchase *p = &l->purchases[i];
        if (p->time > instant)
            break;
        if (__builtin_add_overflow(spend[p->cust], p->amount, &spend[p->cust]))
            spend[p->cust] = INT64_MAX;
    }
    size_t changes = 0;
    for (uint32_t i = 0; i < n; i++) {
        int32_t t = 0;
        for (size_t k = 0; k < l->ntiers; k++)
            if (spend[i] >= l->tiers[k].threshold)
                t = (int32_t)k;
        if (t == l->members[i].tier)
            continue;
        if (CUSTOPS__GROW(l->history, l->cap_history, l->nhistory + 1)) {
            custops__free(spend);
            return CUSTOPS_ENOMEM;
        }
        loy_change *c = &l->history[l->nhistory++];
        c->cust = i;
        c->from = l->members[i].tier;
        c->to = t;
        c->time = instant;
        c->spend = spend[i];
        l->members[i].tier = t;
        changes++;
    }
    custops__free(spend);
    if (changes_out)
        *changes_out = changes;
    return CUSTOPS_OK;
}

int custops_loyalty_tier(const char **tier_out, const custops_loyalty *l, const char *customer)
{
    CUSTOPS__CHECK_NULL(tier_out);
    *tier_out = NULL;
    CUSTOPS__CHECK_NULL(l);
    CUSTOPS__CHECK_NULL(customer);
    uint32_t id;
    if (custops__intern_get(&l->ids, customer, strlen(customer), &id))
        return custops__err(CUSTOPS_ENOTFOUND, "no member '%s'", customer);
    *tier_out = l->tiers[l->members[id].tier].name;
    return CUSTOPS_OK;
}

int custops_loyalty_history(custops_frame **out, const custops_loyalty *l)
{
    CUSTOPS__CHECK_NULL(out);
    *out = NULL;
    CUSTOPS__CHECK_NULL(l);
    size_t n = l->nhistory, cap = n ? n : 1;
    const char **cu = custops__calloc(cap, sizeof *cu), **fr = custops__calloc(cap, sizeof *fr),
               **to = custops__calloc(cap, sizeof *to);
    int64_t *tm = custops__calloc(cap, sizeof *tm), *sp = custops__calloc(cap, sizeof *sp);
    custops_frame *f = NULL;
    int rc = (!cu || !fr || !to || !tm || !sp) ? custops__nomem() : CUSTOPS_OK;
    for (size_t i = 0; !rc && i < n; i++) {
        const loy_change *c = &l->history[i];
        cu[i] = custops__intern_str(&l->ids, c->cust);
        fr[i] = l->tiers[c->from].name;
        to[i] = l->tiers[c->to].name;
        tm[i] = c->time;
        sp[i] = c->spend;
    }
    if (!rc && !(rc = custops_frame_new(&f)) && !(rc = custops_frame_add_string(f, "customer", cu, n)) &&
        !(rc = custops_frame_add_int64(f, "time", tm, n)) && !(rc = custops_frame_add_string(f, "from", fr, n)) &&
        !(rc = custops_frame_add_string(f, "to", to, n)) && !(rc = custops_frame_add_int64(f, "spend", sp, n))) {
        *out = f;
        f = NULL;
    }
    custops_frame_free(f);
    custops__free(cu);
    custops__free(fr);
    custops__free(to);
    custops__free(tm);
    custops__free(sp);
    return rc;
}
