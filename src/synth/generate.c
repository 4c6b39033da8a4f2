/*
 * One synthetic customer at a time.
 *
 * Each customer has its own random stream (seeded from the seed and the
 * customer's index), so a customer's history does not depend on the ones
 * before it. Only the running order and refund numbers are shared, which
 * is why customers are generated in index order.
 *
 * The purchase *count* and purchase *days* come from the BG/NBD process
 * exactly; the time of day is then drawn from the store's daily rhythm,
 * and with double11 on, purchases of November 1-21 move to November 11
 * with probability 0.35 (count unchanged, so frequency still follows the
 * model; recency moves by at most ten days for those orders).
 */
#include "synth_internal.h"

#include <math.h>
#include <stdlib.h>

#define MAX_ORDERS_PER_CUSTOMER 5000
#define MAX_OWNED 16
#define D11_MOVE_PROB 0.35

/* Orders per local hour, 0h..23h: quiet nights, a lunch bump, an evening peak at 21h. */
static const uint64_t RHYTHM_CUM[24] = {4,  6,  7,  8,  9,  10, 12, 15, 20, 26, 33,  41,
                                        50, 58, 65, 72, 79, 87, 97, 110, 127, 147, 165, 174};
static const uint64_t REGION_CUM[SYNTH_NREGIONS] = {30, 48, 68, 80, 90, 95, 100};
static const uint64_t CHANNEL_CUM[SYNTH_NCHANNELS] = {50, 75, 90, 100};

static int bad(const char *field, const char *why)
{
    return custops__err(CUSTOPS_EINVAL, "custops_synth_options: field '%s' %s", field, why);
}

static int positive(double v) { return isfinite(v) && v > 0; }
static int unit_range(double v) { return isfinite(v) && v >= 0 && v <= 1; }

static int validate(const custops_synth_options *o)
{
    if (o->version != CUSTOPS_SYNTH_OPTIONS_VERSION)
        return custops__err(CUSTOPS_EVERSION, "custops_synth_options: version %u is not %d", o->version,
                            CUSTOPS_SYNTH_OPTIONS_VERSION);
    if (o->customers < 1)
        return bad("customers", "must be at least 1");
    if (o->customers > CUSTOPS_SYNTH_MAX_CUSTOMERS)
        return custops__err(CUSTOPS_ELIMIT, "custops_synth_options: field 'customers' is %lld, more than the limit of %d",
                            (long long)o->customers, CUSTOPS_SYNTH_MAX_CUSTOMERS);
    if (o->start_day < -100000 || o->start_day > 100000)
        return bad("start_day", "is outside years 1696..2243");
    if (o->end_day <= o->start_day || (int64_t)o->end_day - o->start_day > 7320)
        return bad("end_day", "must be 1 to 7320 days after start_day");
    if (!o->zone)
        return bad("zone", "is NULL");
    if (!o->currency)
        return bad("currency", "is NULL");
    if (o->skus < 1 || o->skus > 100000)
        return bad("skus", "must be 1 .. 100000");
    if (o->categories < 1 || o->categories > 1000 || o->categories > o->skus)
        return bad("categories", "must be 1 .. 1000 and at most skus");
    if (!positive(o->r))
        return bad("r", "must be finite and > 0");
    if (!positive(o->alpha))
        return bad("alpha", "must be finite and > 0");
    if (!positive(o->a))
        return bad("a", "must be finite and > 0");
    if (!positive(o->b))
        return bad("b", "must be finite and > 0");
    if (!positive(o->p))
        return bad("p", "must be finite and > 0");
    if (!isfinite(o->q) || o->q <= 1)
        return bad("q", "must be finite and > 1 (the mean order value is p*gamma/(q-1))");
    if (!positive(o->gamma))
        return bad("gamma", "must be finite and > 0");
    if (!positive(o->acquisition_share) || o->acquisition_share > 1)
        return bad("acquisition_share", "must be in (0, 1]");
    if (!unit_range(o->coupon_propensity))
        return bad("coupon_propensity", "must be in [0, 1]");
    if (!unit_range(o->refund_rate))
        return bad("refund_rate", "must be in [0, 1]");
    if (!isfinite(o->events_per_order) || o->events_per_order < 1 || o->events_per_order > 50)
        return bad("events_per_order", "must be in [1, 50]");
    if (o->double11 != 0 && o->double11 != 1)
        return bad("double11", "must be 0 or 1");
    if (o->jsonl != 0 && o->jsonl != 1)
        return bad("jsonl", "must be 0 or 1");
    return CUSTOPS_OK;
}

int custops_synth_options_init(custops_synth_options *opts, unsigned int version)
{
    CUSTOPS__CHECK_NULL(opts);
    if (version != CUSTOPS_SYNTH_OPTIONS_VERSION)
        return custops__err(CUSTOPS_EVERSION, "custops_synth_options_init: version %u is not %d", version,
                            CUSTOPS_SYNTH_OPTIONS_VERSION);
    custops_synth_options d = CUSTOPS_SYNTH_OPTIONS_INIT;
    *opts = d;
    return CUSTOPS_OK;
}

int synth_gen_init(synth_gen *g, const custops_synth_options *opts)
{
    memset(g, 0, sizeof *g);
    custops_synth_options d = CUSTOPS_SYNTH_OPTIONS_INIT;
    g->o = opts ? *opts : d;
    int rc = validate(&g->o);
    if (rc)
        return rc;
    int exponent;
    if ((rc = custops_currency_exponent(g->o.currency, &exponent)) != 0) {
        custops__err_prefix("custops_synth_options: field 'currency': ");
        return rc;
    }
    if ((rc = custops_zone_open(&g->zone, g->o.zone)) != 0) {
        custops__err_prefix("custops_synth_options: field 'zone': ");
        return rc;
    }
    g->span_days = g->o.end_day - g->o.start_day;
    if ((rc = custops_zone_instant(g->zone, g->o.start_day, 0, &g->start_instant)) != 0 ||
        (rc = custops_zone_instant(g->zone, g->o.end_day, 0, &g->end_instant)) != 0) {
        synth_gen_release(g);
        return rc;
    }
    int y0, y1;
    custops_day_to_date(g->o.start_day, &y0, NULL, NULL);
    custops_day_to_date(g->o.end_day, &y1, NULL, NULL);
    for (int y = y0; y <= y1 && g->nd11 < 32; y++) {
        int32_t d11;
        if (custops_date_to_day(y, 11, 11, &d11) == 0 && d11 >= g->o.start_day && d11 < g->o.end_day)
            g->d11_days[g->nd11++] = d11;
    }
    if ((rc = synth_catalog_build(&g->cat, &g->o, exponent)) != 0) {
        synth_gen_release(g);
        return rc;
    }
    g->next_order = g->next_refund = 1;
    return CUSTOPS_OK;
}

void synth_gen_release(synth_gen *g)
{
    custops_zone_free(g->zone);
    synth_catalog_release(&g->cat);
    memset(g, 0, sizeof *g);
}

void synth_customer_release(synth_customer *c)
{
    custops__free(c->orders);
    custops__free(c->lines);
    custops__free(c->refunds);
    custops__free(c->events);
    custops__free(c->times);
    custops__free(c->own_sku);
    custops__free(c->own_last);
    memset(c, 0, sizeof *c);
}

static int is_d11(const synth_gen *g, int32_t day)
{
    for (int i = 0; i < g->nd11; i++)
        if (g->d11_days[i] == day)
            return 1;
    return 0;
}

/* An instant on local day `day` at a time of day drawn from the rhythm. */
static int64_t rhythm_instant(const synth_gen *g, synth_rng *r, int32_t day)
{
    int32_t hour = (int32_t)synth_pick_cum(r, RHYTHM_CUM, 24);
    int32_t sod = hour * 3600 + (int32_t)synth_below(r, 3600);
    int64_t t = 0;
    custops_zone_instant(g->zone, day, sod, &t); /* valid zone and day: cannot fail */
    return t;
}

static int add_event(synth_customer *c, int64_t time, int type, int32_t sku, int32_t coupon)
{
    if (CUSTOPS__GROW(c->events, c->events_cap, c->nevents + 1))
        return CUSTOPS_ENOMEM;
    synth_event *e = &c->events[c->nevents];
    e->time = time;
    e->type = type;
    e->sku = sku;
    e->coupon = coupon;
    e->order = (int32_t)c->nevents;
    c->nevents++;
    return CUSTOPS_OK;
}

static int cmp_event(const void *pa, const void *pb)
{
    const synth_event *a = pa, *b = pb;
    if (a->time != b->time)
        return a->time < b->time ? -1 : 1;
    return a->order < b->order ? -1 : a->order > b->order;
}

/* A SKU: half the time from one of the customer's two favourite
 * categories, otherwise by overall popularity. */
static int32_t pick_sku(const synth_catalog *cat, synth_rng *r, const int32_t fav[2])
{
    if (synth_chance(r, 0.5)) {
        int32_t k = fav[synth_below(r, 2)];
        int32_t first = cat->cat_first[k], n = cat->cat_first[k + 1] - first;
        return cat->cat_skus[first + (int32_t)synth_below(r, (uint64_t)n)];
    }
    return (int32_t)synth_pick_cum(r, cat->pop_cum, (size_t)cat->nskus);
}

static int add_to_basket(synth_customer *c, synth_order *o, const synth_catalog *cat, int32_t sku, int32_t qty)
{
    for (int32_t l = o->first_line; l < o->first_line + o->nlines; l++)
        if (c->lines[l].sku == sku) {
            c->lines[l].qty += qty;
            return CUSTOPS_OK;
        }
    if (CUSTOPS__GROW(c->lines, c->lines_cap, c->nlines + 1))
        return CUSTOPS_ENOMEM;
    synth_line *ln = &c->lines[c->nlines++];
    ln->sku = sku;
    ln->qty = qty;
    ln->unit_price = cat->price[sku];
    ln->discount = 0;
    o->nlines++;
    return CUSTOPS_OK;
}

static int owned(const synth_customer *c, int32_t sku)
{
    for (size_t j = 0; j < c->nown; j++)
        if (c->own_sku[j] == sku)
            return (int)j;
    return -1;
}

/* Lines of one order: cyclic SKUs that fall due, then picks until the
 * basket is as close as it gets to the Gamma-Gamma target value. */
static int fill_basket(synth_gen *g, synth_rng *r, synth_customer *c, synth_order *o, double target, const int32_t fav[2])
{
    const synth_catalog *cat = &g->cat;
    int rc;
    int64_t subtotal = 0;
    /* replenishment: bought again with probability exp(-(gap - cycle)^2 / (2 sigma^2)),
     * sigma = 15% of the cycle, so the next purchase is centred on the cycle */
    for (size_t j = 0; j < c->nown; j++) {
        int32_t sku = c->own_sku[j];
        double cyc = cat->cycle[sku], sigma = cyc * 0.15 < 1 ? 1 : cyc * 0.15;
        double gap = (double)(o->time - c->own_last[j]) / 86400.0 - cyc;
        if (synth_chance(r, synth_exp(-gap * gap / (2 * sigma * sigma)))) {
            int32_t qty = synth_chance(r, 0.2) ? 2 : 1;
            if ((rc = add_to_basket(c, o, cat, sku, qty)) != 0)
                return rc;
            subtotal += cat->price[sku] * qty;
        }
    }
    /* Free picks until the target is reached. The item that would cross
     * the target is kept with probability (target - subtotal) / price
     * (randomized rounding), so the basket value equals the target in
     * expectation and the Gamma-Gamma spend model holds for the orders. */
    int32_t cheapest = -1;
    for (int tries = 0; tries < 60 && o->nlines < 12; tries++) {
        if (o->nlines > 0 && (double)subtotal >= target)
            break;
        int32_t sku = pick_sku(cat, r, fav);
        int j = cat->cycle[sku] ? owned(c, sku) : -1;
        if (j >= 0 && (double)(o->time - c->own_last[j]) < 0.5 * 86400.0 * cat->cycle[sku])
            continue; /* still has stock of this consumable */
        int64_t price = cat->price[sku];
        int last = 0;
        if (o->nlines == 0 && (double)price > target) {
            /* an order has at least one line: look for one within the target
             * (the cheapest of those seen after 20 looks) */
            if (cheapest < 0 || price < cat->price[cheapest])
                cheapest = sku;
            if (tries < 20)
                continue;
            sku = cheapest;
            price = cat->price[sku];
            j = cat->cycle[sku] ? owned(c, sku) : -1;
            last = 1;
        } else if ((double)(subtotal + price) > target) {
            if (!synth_chance(r, (target - (double)subtotal) / (double)price))
                break;
            last = 1;
        }
        if ((rc = add_to_basket(c, o, cat, sku, 1)) != 0)
            return rc;
        subtotal += price;
        if (cat->cycle[sku] && j < 0 && c->nown < MAX_OWNED) {
            c->own_sku[c->nown] = sku;
            c->own_last[c->nown++] = o->time;
        }
        if (last)
            break;
    }
    if (o->nlines == 0) { /* every pick was a consumable still in stock: buy the first cheap one */
        int32_t sku = pick_sku(cat, r, fav);
        if ((rc = add_to_basket(c, o, cat, sku, 1)) != 0)
            return rc;
    }
    /* this order's consumables are restocked now */
    for (int32_t l = o->first_line; l < o->first_line + o->nlines; l++) {
        int j = owned(c, c->lines[l].sku);
        if (j >= 0)
            c->own_last[j] = o->time;
    }
    return CUSTOPS_OK;
}

/* The best threshold coupon the basket qualifies for, spread over the
 * lines in proportion to their amounts (largest remainder). */
static int apply_coupon(const synth_catalog *cat, synth_customer *c, synth_order *o, double propensity, synth_rng *r)
{
    int64_t subtotal = 0;
    for (int32_t l = o->first_line; l < o->first_line + o->nlines; l++)
        subtotal += c->lines[l].unit_price * c->lines[l].qty;
    int best = -1;
    for (int j = 0; j < SYNTH_NCOUPONS; j++)
        if (subtotal >= cat->coupons[j].threshold)
            best = j;
    if (best < 0 || !synth_chance(r, propensity))
        return CUSTOPS_OK;
    int64_t weights[12], shares[12];
    for (int32_t l = 0; l < o->nlines; l++)
        weights[l] = c->lines[o->first_line + l].unit_price * c->lines[o->first_line + l].qty;
    int rc = custops_money_allocate(cat->coupons[best].off, weights, (size_t)o->nlines, shares);
    if (rc)
        return rc;
    for (int32_t l = 0; l < o->nlines; l++)
        c->lines[o->first_line + l].discount = shares[l];
    o->coupon = best;
    return CUSTOPS_OK;
}

/* Behaviour before an order: visit (and login), views, favourites, cart
 * additions, the coupon received days before and used at payment. */
static int session_events(const synth_gen *g, synth_rng *r, synth_customer *c, const synth_order *o, const int32_t fav[2])
{
    const synth_catalog *cat = &g->cat;
    int rc = 0;
    int nviews = 1 + synth_poisson(r, g->o.events_per_order - 1);
    int login = synth_chance(r, 0.4);
    int nev = 1 + login + nviews + 2 * o->nlines;
    int64_t start = o->time - 120 - (int64_t)synth_below(r, 1680);
    if (start < g->start_instant)
        start = g->start_instant;
    int64_t step = (o->time - start) / (nev + 1);
    int64_t t = start;
    rc |= add_event(c, t, SYNTH_EV_VISIT, -1, -1);
    if (login)
        rc |= add_event(c, t += step, SYNTH_EV_LOGIN, -1, -1);
    for (int v = 0; v < nviews; v++) {
        int32_t sku = v < o->nlines ? c->lines[o->first_line + v].sku : pick_sku(cat, r, fav);
        rc |= add_event(c, t += step, SYNTH_EV_VIEW, sku, -1);
    }
    for (int32_t l = 0; l < o->nlines; l++) {
        int32_t sku = c->lines[o->first_line + l].sku;
        if (synth_chance(r, 0.1))
            rc |= add_event(c, t, SYNTH_EV_FAV, sku, -1);
        rc |= add_event(c, t += step, SYNTH_EV_CART, sku, -1);
    }
    if (o->coupon >= 0) {
        int64_t got = o->time - 86400 * (1 + (int64_t)synth_below(r, 7)) + (int64_t)synth_below(r, 86400);
        if (got >= g->start_instant)
            rc |= add_event(c, got, SYNTH_EV_COUPON_RECEIVED, -1, o->coupon);
        rc |= add_event(c, o->time, SYNTH_EV_COUPON_USED, -1, o->coupon);
    } else if (synth_chance(r, 0.15)) {
        int64_t got = o->time - (int64_t)synth_below(r, 7 * 86400);
        if (got >= g->start_instant)
            rc |= add_event(c, got, SYNTH_EV_COUPON_RECEIVED, -1, (int32_t)synth_below(r, SYNTH_NCOUPONS));
    }
    return rc ? CUSTOPS_ENOMEM : CUSTOPS_OK;
}

/* A session that ends with a full cart and no order, between this order and the next. */
static int abandoned_cart(const synth_gen *g, synth_rng *r, synth_customer *c, int64_t after, int64_t before,
                          const int32_t fav[2])
{
    if (before - after < 7200)
        return CUSTOPS_OK;
    int64_t t = after + 3600 + (int64_t)synth_below(r, (uint64_t)(before - after - 7200));
    int32_t day;
    custops_zone_local(g->zone, t, &day, NULL);
    int64_t t2 = rhythm_instant(g, r, day);
    if (t2 > after && t2 + 3600 < before)
        t = t2;
    int rc = add_event(c, t, SYNTH_EV_VISIT, -1, -1);
    int nviews = 1 + synth_poisson(r, 1.5);
    int32_t sku = -1;
    for (int v = 0; v < nviews; v++) {
        sku = pick_sku(&g->cat, r, fav);
        rc |= add_event(c, t += 30 + (int64_t)synth_below(r, 90), SYNTH_EV_VIEW, sku, -1);
    }
    rc |= add_event(c, t + 20, SYNTH_EV_CART, sku, -1);
    return rc ? CUSTOPS_ENOMEM : CUSTOPS_OK;
}

static int maybe_refund(synth_gen *g, synth_rng *r, synth_customer *c, int32_t oi)
{
    if (!synth_chance(r, g->o.refund_rate))
        return CUSTOPS_OK;
    const synth_order *o = &c->orders[oi];
    int64_t when = o->time + 86400 * (1 + (int64_t)synth_below(r, 14)) + (int64_t)synth_below(r, 86400);
    if (when >= g->end_instant)
        return CUSTOPS_OK; /* would fall after the data ends */
    synth_refund rf = {.time = when, .order = oi, .sku = -1, .qty = 0, .amount = 0};
    if (synth_chance(r, 0.3)) {
        for (int32_t l = o->first_line; l < o->first_line + o->nlines; l++)
            rf.amount += c->lines[l].unit_price * c->lines[l].qty - c->lines[l].discount;
    } else {
        const synth_line *ln = &c->lines[o->first_line + (int32_t)synth_below(r, (uint64_t)o->nlines)];
        rf.sku = ln->sku;
        rf.qty = 1 + (int32_t)synth_below(r, (uint64_t)ln->qty);
        int rc = custops_money_muldiv(ln->unit_price * ln->qty - ln->discount, rf.qty, ln->qty, &rf.amount);
        if (rc)
            return rc;
    }
    if (rf.amount <= 0)
        return CUSTOPS_OK;
    if (CUSTOPS__GROW(c->refunds, c->refunds_cap, c->nrefunds + 1))
        return CUSTOPS_ENOMEM;
    rf.seq = g->next_refund++;
    c->refunds[c->nrefunds++] = rf;
    return CUSTOPS_OK;
}

static void draw_person(synth_rng *r, synth_person *p, int64_t first_order, double lambda, double propensity)
{
    double u = synth_uniform(r);
    p->gender = u < 0.55 ? 1 : u < 0.93 ? 2 : 0;
    if (synth_chance(r, 0.92)) {
        uint64_t x = synth_below(r, 46), y = synth_below(r, 46);
        p->birth_year = 2006 - (int)(x < y ? x : y); /* younger customers more common */
    } else {
        p->birth_year = 0;
    }
    p->region = (int)synth_pick_cum(r, REGION_CUM, SYNTH_NREGIONS);
    if (synth_chance(r, 0.85))
        p->member_since = synth_chance(r, 0.4) ? first_order - (int64_t)synth_below(r, 730 * 86400ull)
                                               : first_order - (int64_t)synth_below(r, 600);
    else
        p->member_since = -1;
    p->tags = 0;
    if (lambda * 365 > 12 && synth_chance(r, 0.8))
        p->tags |= 1u << 0; /* vip: buys more than monthly */
    if (synth_chance(r, 0.08))
        p->tags |= 1u << 1;
    if (synth_chance(r, 0.12))
        p->tags |= 1u << 2;
    if (p->birth_year >= 2000 && synth_chance(r, 0.5))
        p->tags |= 1u << 3;
    if (propensity > 0.6)
        p->tags |= 1u << 4;
    if (synth_chance(r, 0.15))
        p->tags |= 1u << 5;
    p->consent_sms = synth_chance(r, 0.6);
    p->consent_email = synth_chance(r, 0.35);
    p->consent_push = synth_chance(r, 0.5);
}

int synth_gen_customer(synth_gen *g, int64_t index, synth_customer *c)
{
    const custops_synth_options *o = &g->o;
    const synth_catalog *cat = &g->cat;
    synth_rng r;
    synth_rng_seed(&r, o->seed, (uint64_t)index + 1);
    c->norders = c->nlines = c->nrefunds = c->nevents = c->nown = 0;
    if (!c->own_sku) {
        c->own_sku = custops__calloc(MAX_OWNED, sizeof *c->own_sku);
        c->own_last = custops__calloc(MAX_OWNED, sizeof *c->own_last);
        if (!c->own_sku || !c->own_last)
            return custops__nomem();
    }

    /* the BG/NBD process, in days from the start of the window */
    double lambda = synth_gamma(&r, o->r, o->alpha);
    double pdrop = synth_beta(&r, o->a, o->b);
    double nu = synth_gamma(&r, o->q, o->gamma);
    double propensity = o->coupon_propensity <= 0   ? 0
                        : o->coupon_propensity >= 1 ? 1
                                                    : synth_beta(&r, 2 * o->coupon_propensity, 2 * (1 - o->coupon_propensity));
    double t = synth_uniform(&r) * o->acquisition_share * g->span_days;
    size_t n = 0;
    if (CUSTOPS__GROW(c->times, c->times_cap, 1))
        return CUSTOPS_ENOMEM;
    c->times[n++] = t; /* the first (trial) purchase: no drop-out after it */
    while (n < MAX_ORDERS_PER_CUSTOMER) {
        t += lambda > 0 ? synth_exponential(&r, lambda) : HUGE_VAL;
        if (!(t < g->span_days))
            break;
        if (CUSTOPS__GROW(c->times, c->times_cap, n + 1))
            return CUSTOPS_ENOMEM;
        c->times[n++] = t;
        if (synth_chance(&r, pdrop))
            break; /* drops out after this repeat purchase */
    }

    if (CUSTOPS__GROW(c->orders, c->orders_cap, n))
        return CUSTOPS_ENOMEM;
    for (size_t k = 0; k < n; k++) {
        int32_t day = o->start_day + (int32_t)c->times[k];
        if (o->double11) {
            int y, m, md;
            custops_day_to_date(day, &y, &m, &md);
            if (m == 11 && md >= 1 && md <= 21 && md != 11 && synth_chance(&r, D11_MOVE_PROB)) {
                int32_t d11 = day - md + 11;
                if (is_d11(g, d11))
                    day = d11;
            }
        }
        synth_order *od = &c->orders[k];
        od->time = rhythm_instant(g, &r, day);
        od->coupon = -1;
        od->nlines = 0;
    }
    /* days moved and hours redrawn: restore time order (nearly sorted already) */
    for (size_t k = 1; k < n; k++) {
        synth_order tmp = c->orders[k];
        size_t j = k;
        while (j > 0 && c->orders[j - 1].time > tmp.time) {
            c->orders[j] = c->orders[j - 1];
            j--;
        }
        c->orders[j] = tmp;
    }
    c->norders = n;

    c->person.index = index;
    draw_person(&r, &c->person, c->orders[0].time, lambda, propensity);
    int32_t fav[2];
    for (int f = 0; f < 2; f++)
        fav[f] = cat->sku_cat[synth_pick_cum(&r, cat->pop_cum, (size_t)cat->nskus)];
    if ((c->person.tags & 2u) && cat->ncats > 4)
        fav[0] = 4; /* new parents buy baby products */
    if ((c->person.tags & 4u) && cat->ncats > 6)
        fav[1] = 6; /* pet owners buy pet food */
    int32_t preferred = (int32_t)synth_pick_cum(&r, CHANNEL_CUM, SYNTH_NCHANNELS);
    double unit = 1;
    for (int e = 0; e < cat->exponent; e++)
        unit *= 10;

    int rc;
    for (size_t k = 0; k < n; k++) {
        synth_order *od = &c->orders[k];
        od->seq = g->next_order++;
        od->channel = synth_chance(&r, 0.8) ? preferred : (int32_t)synth_below(&r, SYNTH_NCHANNELS);
        od->first_line = (int32_t)c->nlines;
        double target = synth_gamma(&r, o->p, nu) * unit;
        if ((rc = fill_basket(g, &r, c, od, target, fav)) != 0)
            return rc;
        int32_t day;
        custops_zone_local(g->zone, od->time, &day, NULL);
        double prop = is_d11(g, day) ? (propensity * 1.5 > 1 ? 1 : propensity * 1.5) : propensity;
        if ((rc = apply_coupon(cat, c, od, prop, &r)) != 0)
            return rc;
        if ((rc = session_events(g, &r, c, od, fav)) != 0)
            return rc;
        if (synth_chance(&r, 0.3)) {
            int64_t next = k + 1 < n ? c->orders[k + 1].time : g->end_instant;
            if ((rc = abandoned_cart(g, &r, c, od->time, next, fav)) != 0)
                return rc;
        }
        if ((rc = maybe_refund(g, &r, c, (int32_t)k)) != 0)
            return rc;
    }
    qsort(c->events, c->nevents, sizeof *c->events, cmp_event);
    g->n_orders += (int64_t)n;
    g->n_lines += (int64_t)c->nlines;
    g->n_refunds += (int64_t)c->nrefunds;
    g->n_events += (int64_t)c->nevents;
    return CUSTOPS_OK;
}
