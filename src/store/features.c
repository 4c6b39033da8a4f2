/* Customer features as of an instant: one pass over the lines, which are in
 * (customer, time, order) order, so each customer is a contiguous run and
 * its orders and local days come one after another.
 *
 * Frequency, recency and T follow Fader, Hardie and Lee (2005): purchases
 * are grouped into local calendar days (several orders on one day are one
 * transaction, as in the CDNOW summaries), frequency x is the number of
 * transaction days after the first, recency t_x the time from the first to
 * the last transaction and T the time from the first transaction to `now`,
 * both counted in whole days and expressed in the chosen period. Monetary
 * is the mean net value of the repeat transactions (the first is left out,
 * as the Gamma-Gamma spend model requires). */
#include "store_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>


void custops_features_opts_init(custops_features_opts *o)
{
    if (o) {
        custops_features_opts d = CUSTOPS_FEATURES_OPTS_INIT;
        *o = d;
    }
}

/* output columns, in frame order after customer_id */
enum {
    F_FREQUENCY, F_RECENCY, F_T, F_MONETARY, F_ORDERS, F_SPEND, F_AOV, F_REFUND_RATE, F_FIRST, F_LAST, F_TENURE,
    F_SINCE_LAST, F_TOP_CATEGORY, F_COUPON_SHARE, F_DISCOUNT_RATE, F_HOUR0, F_GENDER = F_HOUR0 + 24, F_BIRTH_YEAR,
    F_REGION, F_MEMBER_SINCE, F_SMS, F_EMAIL, F_PUSH, F_TAGS, F_NCOLS
};

static const char *const BASE_NAMES[F_HOUR0] = {
    "frequency", "recency",    "T",           "monetary",   "orders",       "spend",        "aov",          "refund_rate",
    "first_order", "last_order", "tenure_days", "days_since_last_order", "top_category", "coupon_share", "discount_rate"};
static const char *const ATTR_NAMES[F_NCOLS - F_GENDER] = {"gender",        "birth_year",    "region",
                                                           "member_since",  "consent_sms",   "consent_email",
                                                           "consent_push",  "tags"};

static int is_double(int k) { return k == F_RECENCY || k == F_T || k == F_MONETARY || k == F_REFUND_RATE || k == F_COUPON_SHARE || k == F_DISCOUNT_RATE; }

typedef struct outcols {
    void *col[F_NCOLS];
} outcols;

static void out_free(outcols *o)
{
    for (int k = 0; k < F_NCOLS; k++)
        custops__free(o->col[k]);
}

static int64_t *I(outcols *o, int k) { return o->col[k]; }
static double *D(outcols *o, int k) { return o->col[k]; }

static int check_opts(const custops_store *s, const custops_features_opts *o, custops_zone **zone, int *own)
{
    CUSTOPS__CHECK_NULL(s);
    CUSTOPS__CHECK_NULL(o);
    if (o->version != CUSTOPS_FEATURES_OPTS_VERSION)
        return custops__err(CUSTOPS_EVERSION, "custops_features_opts version %u is not supported (want %u)",
                            o->version, CUSTOPS_FEATURES_OPTS_VERSION);
    if (o->period != CUSTOPS_PERIOD_DAY && o->period != CUSTOPS_PERIOD_WEEK)
        return custops__err(CUSTOPS_EINVAL, "custops_features_opts: period must be CUSTOPS_PERIOD_DAY or _WEEK, got %d",
                            o->period);
    if (!st_time_ok(o->now))
        return custops__err(CUSTOPS_ERANGE, "custops_features_opts: now %lld is outside the years 1..9999",
                            (long long)o->now);
    *own = 0;
    *zone = s->zone;
    if (o->zone) {
        int rc = custops_zone_open(zone, o->zone);
        if (rc)
            return rc;
        *own = 1;
    }
    return CUSTOPS_OK;
}

/* Refunds made at or before now, as (customer, order time, order, amount)
 * in the lines' (customer, time, order) order: the feature pass merges
 * this short list with the lines, so it never looks an order up at random
 * (a per-order array or bitmap indexed by order id misses the cache on
 * nearly every order of a large store). Refunds of one order stay
 * adjacent; the pass sums them. */
typedef struct refund_key {
    int64_t cust, time, order, amount;
} refund_key;

static int refund_key_cmp(const void *x, const void *y)
{
    const refund_key *p = x, *q = y;
    if (p->cust != q->cust)
        return p->cust < q->cust ? -1 : 1;
    if (p->time != q->time)
        return p->time < q->time ? -1 : 1;
    return p->order < q->order ? -1 : p->order > q->order;
}

static int refunds_as_of(const custops_store *s, int64_t now, refund_key **out, size_t *n_out)
{
    size_t n = 0;
    *out = NULL;
    *n_out = 0;
    for (size_t i = 0; i < s->refunds.n; i++)
        n += st_get(&s->refunds, R_TIME, i) <= now;
    if (n == 0)
        return CUSTOPS_OK;
    refund_key *r = custops__calloc(n, sizeof *r);
    if (!r)
        return custops__nomem();
    size_t k = 0;
    for (size_t i = 0; i < s->refunds.n; i++)
        if (st_get(&s->refunds, R_TIME, i) <= now) {
            int64_t o = st_get(&s->refunds, R_ORDER, i);
            r[k++] = (refund_key){st_get(&s->ord, O_CUSTOMER, (size_t)o), st_get(&s->ord, O_TIME, (size_t)o), o,
                                  st_get(&s->refunds, R_AMOUNT, i)};
        }
    qsort(r, n, sizeof *r, refund_key_cmp);
    *out = r;
    *n_out = n;
    return CUSTOPS_OK;
}

/* Customer and time of the lines, read through their orders: the lines of
 * an order are adjacent, so ord is read once per order, and in order once
 * the orders are numbered in line order (st_prepare). */
typedef struct line_cursor {
    const st_table *L, *O;
    int64_t order, cust, time;
} line_cursor;

static void cursor_init(line_cursor *k, const custops_store *s)
{
    *k = (line_cursor){&s->lines, &s->ord, -1, -1, 0};
}

/* line j: its order; k->cust and k->time are the order's */
static inline int64_t cursor_at(line_cursor *k, size_t j)
{
    int64_t o = st_get(k->L, L_ORDER, j);
    if (o != k->order) {
        k->order = o;
        k->cust = st_get(k->O, O_CUSTOMER, (size_t)o);
        k->time = st_get(k->O, O_TIME, (size_t)o);
    }
    return o;
}

static int64_t local_day(const custops_zone *z, int64_t t, int *hour)
{
    int32_t day = 0, sod = 0;
    (void)custops_zone_local(z, t, &day, &sod);
    if (hour)
        *hour = sod / 3600;
    return day;
}

/* Rank of every category code in name order. Codes follow ingest order, so
 * breaking top_category ties by code would make the answer depend on the
 * order the data came in (and differ between partitions of one data set);
 * names do not. */
typedef struct {
    const char *name;
    uint32_t code;
} cat_name;

static int cat_name_cmp(const void *a, const void *b)
{
    return strcmp(((const cat_name *)a)->name, ((const cat_name *)b)->name);
}

static int category_ranks(const custops_store *s, uint32_t **out)
{
    const custops__intern *d = &s->dict[D_CATEGORY];
    size_t n = d->count;
    cat_name *v = custops__reallocarray(NULL, n ? n : 1, sizeof *v);
    uint32_t *rank = custops__reallocarray(NULL, n ? n : 1, sizeof *rank);
    if (!v || !rank) {
        custops__free(v);
        custops__free(rank);
        return custops__nomem();
    }
    for (uint32_t i = 0; i < n; i++)
        v[i] = (cat_name){custops__intern_str(d, i), i};
    qsort(v, n, sizeof *v, cat_name_cmp); /* interned names are unique: a strict order */
    for (uint32_t i = 0; i < n; i++)
        rank[v[i].code] = i;
    custops__free(v);
    *out = rank;
    return 0;
}

static int compute(custops_store *s, const custops_zone *z, int64_t now, int period, outcols *o)
{
    size_t nc = s->customers.count, ncat = s->dict[D_CATEGORY].count;
    /* not zeroed: the pass below writes every column of every customer */
    for (int k = 0; k < F_NCOLS; k++) {
        o->col[k] = custops__reallocarray(NULL, nc ? nc : 1, 8);
        if (!o->col[k])
            return custops__nomem();
    }
    int64_t *cat_amount = custops__calloc(ncat ? ncat : 1, sizeof *cat_amount);
    int64_t *touched = custops__calloc(ncat ? ncat : 1, sizeof *touched);
    uint32_t *cat_rank = NULL;
    if (!cat_amount || !touched || category_ranks(s, &cat_rank)) {
        custops__free(cat_amount);
        custops__free(touched);
        return custops__nomem();
    }
    refund_key *rk;
    size_t nrk, rpos = 0;
    int rc = refunds_as_of(s, now, &rk, &nrk);
    if (rc) {
        custops__free(cat_amount);
        custops__free(touched);
        custops__free(cat_rank);
        return rc;
    }
    const st_table *L = &s->lines;
    line_cursor lc;
    cursor_init(&lc, s);
    size_t n = s->lines.n, j = 0;
    int64_t now_day = local_day(z, now, NULL);
    double per = (double)period;
    for (size_t c = 0; c < nc; c++) {
        int64_t orders = 0, gross = 0, disc = 0, refunds = 0, coupon_orders = 0, first = -1, last = -1;
        int64_t ndays = 0, first_day = 0, cur_day = 0, day_value = 0, repeat_sum = 0, prev_order = -1;
        int64_t top = -1, best = 0, hours[24] = {0};
        size_t ntouched = 0;
        for (; j < n && (cursor_at(&lc, j), lc.cust == (int64_t)c); j++) {
            int64_t t = lc.time;
            if (t > now)
                continue; /* later lines of this customer are later still; skip to the next customer */
            int64_t ord = lc.order;
            if (ord != prev_order) {
                prev_order = ord;
                orders++;
                int hour;
                int64_t day = local_day(z, t, &hour);
                hours[hour]++; /* a local tally: 24 scattered column writes per order would each miss the cache */
                if (first < 0)
                    first = t;
                last = t;
                if (st_get(L, L_COUPON, j) >= 0)
                    coupon_orders++;
                int64_t oref = 0;
                if (rpos < nrk) { /* merge step: skip refunds of earlier (or purged) orders, sum this one's */
                    const refund_key key = {(int64_t)c, t, ord, 0};
                    while (rpos < nrk && refund_key_cmp(&rk[rpos], &key) < 0)
                        rpos++;
                    for (; rpos < nrk && refund_key_cmp(&rk[rpos], &key) == 0; rpos++)
                        oref = st_add(oref, rk[rpos].amount);
                }
                refunds = st_add(refunds, oref);
                if (ndays == 0 || day != cur_day) {
                    if (ndays >= 2)
                        repeat_sum = st_add(repeat_sum, day_value);
                    if (ndays == 0)
                        first_day = day;
                    ndays++;
                    cur_day = day;
                    day_value = 0;
                }
                day_value = st_add(day_value, -oref);
            }
            int64_t amount = st_get(L, L_AMOUNT, j);
            gross = st_add(gross, amount);
            disc = st_add(disc, st_get(L, L_DISCOUNT, j));
            day_value = st_add(day_value, amount);
            int64_t cat = st_get(L, L_CATEGORY, j);
            if (cat >= 0) {
                if (cat_amount[cat] == 0)
                    touched[ntouched++] = cat;
                /* sums only grow, so a running arg-max (ties: the name first
                 * in byte order) is the final one */
                int64_t v = cat_amount[cat] = st_add(cat_amount[cat], st_add(amount, 1));
                if (v > best || (v == best && top >= 0 && cat_rank[cat] < cat_rank[top])) {
                    best = v;
                    top = cat;
                }
            } /* +1: a free line still counts for its category */
        }
        /* forget this customer's category sums for the next one */
        for (size_t k = 0; k < ntouched; k++)
            cat_amount[touched[k]] = 0;
        if (ndays >= 2)
            repeat_sum = st_add(repeat_sum, day_value);
        int64_t spend = st_add(gross, -refunds);
        for (int h = 0; h < 24; h++)
            I(o, F_HOUR0 + h)[c] = hours[h];
        I(o, F_FREQUENCY)[c] = ndays ? ndays - 1 : 0;
        D(o, F_RECENCY)[c] = ndays ? (double)(cur_day - first_day) / per : 0.0;
        D(o, F_T)[c] = ndays ? (double)(now_day - first_day) / per : 0.0;
        D(o, F_MONETARY)[c] = ndays >= 2 ? (double)repeat_sum / (double)(ndays - 1) : 0.0;
        I(o, F_ORDERS)[c] = orders;
        I(o, F_SPEND)[c] = spend;
        /* integer rounding, half away from zero: exact for any int64 spend */
        I(o, F_AOV)[c] = orders ? (spend >= 0 ? st_add(spend, orders / 2) / orders : -(st_add(-(spend + 1), orders / 2 + 1) / orders)) : 0;
        D(o, F_REFUND_RATE)[c] = gross > 0 ? (double)refunds / (double)gross : 0.0;
        I(o, F_FIRST)[c] = first;
        I(o, F_LAST)[c] = last;
        I(o, F_TENURE)[c] = ndays ? now_day - first_day : 0;
        I(o, F_SINCE_LAST)[c] = ndays ? now_day - cur_day : -1;
        I(o, F_TOP_CATEGORY)[c] = top;
        D(o, F_COUPON_SHARE)[c] = orders ? (double)coupon_orders / (double)orders : 0.0;
        D(o, F_DISCOUNT_RATE)[c] = st_add(gross, disc) > 0 ? (double)disc / ((double)gross + (double)disc) : 0.0;
        const st_table *A = &s->attrs;
        I(o, F_GENDER)[c] = st_get(A, C_GENDER, c);
        I(o, F_BIRTH_YEAR)[c] = st_get(A, C_BIRTH_YEAR, c);
        I(o, F_REGION)[c] = st_get(A, C_REGION, c);
        I(o, F_MEMBER_SINCE)[c] = st_get(A, C_MEMBER_SINCE, c);
        I(o, F_SMS)[c] = st_get(A, C_SMS, c);
        I(o, F_EMAIL)[c] = st_get(A, C_EMAIL, c);
        I(o, F_PUSH)[c] = st_get(A, C_PUSH, c);
        I(o, F_TAGS)[c] = st_get(A, C_TAGS, c);
    }
    custops__free(cat_amount);
    custops__free(touched);
    custops__free(cat_rank);
    custops__free(rk);
    return CUSTOPS_OK;
}

static int build_frame(custops_store *s, outcols *o, custops_frame **out)
{
    custops_frame *f;
    int rc = custops__st_intern_frame(&s->customers, "customer_id", &f);
    if (rc)
        return rc;
    size_t nc = s->customers.count;
    for (int k = 0; k < F_NCOLS && rc == 0; k++) {
        char hb[16];
        const char *name;
        if (k < F_HOUR0)
            name = BASE_NAMES[k];
        else if (k < F_GENDER) {
            hb[0] = 'h', hb[1] = 'o', hb[2] = 'u', hb[3] = 'r', hb[4] = '_';
            hb[5] = (char)('0' + (k - F_HOUR0) / 10), hb[6] = (char)('0' + (k - F_HOUR0) % 10), hb[7] = '\0';
            name = hb;
        } else
            name = ATTR_NAMES[k - F_GENDER];
        if (is_double(k))
            rc = custops__frame_add_double_owned(f, name, o->col[k], nc);
        else
            rc = custops__frame_add_int64_owned(f, name, o->col[k], nc);
        o->col[k] = NULL; /* the frame owns it now, or freed it on failure */
    }
    if (rc) {
        custops_frame_free(f);
        return rc;
    }
    *out = f;
    return CUSTOPS_OK;
}

int custops_store_features(custops_store *s, const custops_features_opts *opts, custops_frame **out)
{
    CUSTOPS__CHECK_NULL(out);
    *out = NULL;
    custops_zone *z;
    int own;
    int rc = check_opts(s, opts, &z, &own);
    if (rc)
        return rc;
    outcols o;
    memset(&o, 0, sizeof o);
    if ((rc = custops__st_prepare(s)) == 0 && (rc = compute(s, z, opts->now, opts->period, &o)) == 0)
        rc = build_frame(s, &o, out);
    out_free(&o);
    if (own)
        custops_zone_free(z);
    return rc;
}

static int two_cols(custops_store *s, const char *name1, int64_t *v, const char *name2, double *d,
                    custops_frame **out)
{
    custops_frame *f;
    int rc = custops__st_intern_frame(&s->customers, "customer_id", &f);
    if (rc) {
        custops__free(v);
        custops__free(d);
        return rc;
    }
    size_t nc = s->customers.count;
    /* the _owned adds take the array even when they fail */
    rc = custops__frame_add_int64_owned(f, name1, v, nc);
    if (d) {
        if (rc == 0)
            rc = custops__frame_add_double_owned(f, name2, d, nc);
        else
            custops__free(d);
    }
    if (rc) {
        custops_frame_free(f);
        return rc;
    }
    *out = f;
    return CUSTOPS_OK;
}

int custops_store_split(custops_store *s, const custops_features_opts *opts, int64_t holdout_end,
                        custops_frame **calibration_out, custops_frame **holdout_out)
{
    CUSTOPS__CHECK_NULL(calibration_out);
    *calibration_out = NULL;
    CUSTOPS__CHECK_NULL(holdout_out);
    *holdout_out = NULL;
    custops_zone *z;
    int own;
    int rc = check_opts(s, opts, &z, &own);
    if (rc)
        return rc;
    if (holdout_end <= opts->now || !st_time_ok(holdout_end)) {
        if (own)
            custops_zone_free(z);
        return custops__err(CUSTOPS_EINVAL,
                            "custops_store_split: holdout_end must be after the split instant (and before year 10000)");
    }
    custops_frame *cal = NULL, *hold = NULL;
    rc = custops_store_features(s, opts, &cal);
    size_t nc = s->customers.count;
    int64_t *x = rc ? NULL : custops__calloc(nc ? nc : 1, sizeof *x);
    double *dur = rc ? NULL : custops__calloc(nc ? nc : 1, sizeof *dur);
    if (rc == 0 && (!x || !dur)) {
        custops__free(x);
        custops__free(dur);
        rc = custops__nomem();
    }
    if (rc == 0) {
        line_cursor lc;
        cursor_init(&lc, s);
        int64_t split_day = local_day(z, opts->now, NULL), end_day = local_day(z, holdout_end, NULL);
        size_t j = 0, n = s->lines.n;
        for (size_t c = 0; c < nc; c++) {
            int64_t first_day = 0, cur = 0, count = 0;
            int seen = 0, have_cur = 0;
            for (; j < n && (cursor_at(&lc, j), lc.cust == (int64_t)c); j++) {
                int64_t t = lc.time, day = local_day(z, t, NULL);
                if (!seen) {
                    first_day = day;
                    seen = 1;
                }
                if (t <= opts->now || t > holdout_end || day == first_day)
                    continue;
                if (!have_cur || day != cur) {
                    count++;
                    cur = day;
                    have_cur = 1;
                }
            }
            x[c] = count;
            dur[c] = (double)(end_day - split_day) / (double)opts->period;
        }
        rc = two_cols(s, "frequency_holdout", x, "duration_holdout", dur, &hold);
    }
    if (own)
        custops_zone_free(z);
    if (rc) {
        custops_frame_free(cal);
        return rc;
    }
    *calibration_out = cal;
    *holdout_out = hold;
    return CUSTOPS_OK;
}

static int window(int64_t now, int64_t from_days, int64_t to_days, int64_t *lo, int64_t *hi)
{
    if (to_days < 0 || from_days <= to_days)
        return custops__err(CUSTOPS_EINVAL, "window: need from_days > to_days >= 0, got (%lld, %lld)",
                            (long long)from_days, (long long)to_days);
    if (from_days > 1000000 || now < INT64_MIN / 2 || now > INT64_MAX / 2)
        return custops__err(CUSTOPS_ERANGE, "window: from_days or now out of range");
    *lo = now - from_days * 86400;
    *hi = now - to_days * 86400;
    return CUSTOPS_OK;
}

int custops_store_count_orders(custops_store *s, int64_t now, int64_t from_days, int64_t to_days,
                               custops_frame **out)
{
    CUSTOPS__CHECK_NULL(out);
    *out = NULL;
    CUSTOPS__CHECK_NULL(s);
    int64_t lo, hi;
    int rc = window(now, from_days, to_days, &lo, &hi);
    if (rc || (rc = custops__st_prepare(s)) != 0)
        return rc;
    size_t nc = s->customers.count;
    int64_t *cnt = custops__calloc(nc ? nc : 1, sizeof *cnt);
    if (!cnt)
        return custops__nomem();
    line_cursor lc;
    cursor_init(&lc, s);
    int64_t prev = -1;
    for (size_t j = 0; j < s->lines.n; j++) {
        int64_t o = cursor_at(&lc, j), t = lc.time;
        if (t > lo && t <= hi && o != prev) {
            cnt[lc.cust]++;
            prev = o;
        }
    }
    return two_cols(s, "count", cnt, NULL, NULL, out);
}

int custops_store_count_events(custops_store *s, int type, int64_t now, int64_t from_days, int64_t to_days,
                               custops_frame **out)
{
    CUSTOPS__CHECK_NULL(out);
    *out = NULL;
    CUSTOPS__CHECK_NULL(s);
    if (type < 0 || type > CUSTOPS_EVENT_LOGIN)
        return custops__err(CUSTOPS_EINVAL, "custops_store_count_events: unknown event type %d", type);
    int64_t lo, hi;
    int rc = window(now, from_days, to_days, &lo, &hi);
    if (rc)
        return rc;
    size_t nc = s->customers.count;
    int64_t *cnt = custops__calloc(nc ? nc : 1, sizeof *cnt);
    if (!cnt)
        return custops__nomem();
    const st_table *E = &s->events;
    for (size_t j = 0; j < s->events.n; j++) {
        int64_t t = st_get(E, E_TIME, j);
        if (t > lo && t <= hi && st_get(E, E_TYPE, j) == type)
            cnt[st_get(E, E_CUSTOMER, j)]++;
    }
    return two_cols(s, "count", cnt, NULL, NULL, out);
}
