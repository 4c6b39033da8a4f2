/* Journey state and the due-action loop. All state is columnar arrays with
 * per-customer chains by index (no per-event allocation). due() records an
 * undo log so that a failure part way leaves every journey as it was. */
#include "plays_internal.h"

#include <stdio.h>

#define HOLDOUT_SEED 0x686f6c646f7574ULL /* "holdout" */

static int grow_customers(custops_journeys *j)
{
    size_t need = j->customers.count;
    if (need <= j->ccap)
        return CUSTOPS_OK;
    size_t ncap = j->ccap ? j->ccap : 64;
    while (ncap < need)
        ncap *= 2;
    uint32_t *eh = custops__reallocarray(j->ev_head, ncap, sizeof *eh);
    if (!eh)
        return custops__nomem();
    j->ev_head = eh;
    uint32_t *sh = custops__reallocarray(j->sd_head, ncap, sizeof *sh);
    if (!sh)
        return custops__nomem();
    j->sd_head = sh;
    int8_t *hr = custops__reallocarray(j->send_hour, ncap, sizeof *hr);
    if (!hr)
        return custops__nomem();
    j->send_hour = hr;
    for (size_t i = j->ccap; i < ncap; i++) {
        eh[i] = sh[i] = NONE32;
        hr[i] = -1;
    }
    j->ccap = ncap;
    return CUSTOPS_OK;
}

int custops__plays_customer_table_ready(custops_journeys *j) { return grow_customers(j); }

int custops__plays_customer(custops_journeys *j, const char *id, uint32_t *out)
{
    if (!id[0])
        return custops__err(CUSTOPS_EINVAL, "customer id is empty");
    int rc = custops__intern_put(&j->customers, id, strlen(id), out, NULL);
    return rc ? rc : grow_customers(j);
}

static uint64_t jhash(uint32_t play, uint32_t customer, uint32_t key)
{
    uint32_t k[3] = {play, customer, key};
    return custops__hash64(k, sizeof k, 0x6a6f75726e6579ULL);
}

static int jslots_rehash(custops_journeys *j, size_t nslots)
{
    uint32_t *s = custops__calloc(nslots, sizeof *s);
    if (!s)
        return custops__nomem();
    for (size_t i = 0; i < j->nj; i++) {
        const journey *x = &j->js[i];
        size_t h = (size_t)jhash(x->play, x->customer, x->key) & (nslots - 1);
        while (s[h])
            h = (h + 1) & (nslots - 1);
        s[h] = (uint32_t)i + 1;
    }
    custops__free(j->jslots);
    j->jslots = s;
    j->njslots = nslots;
    return CUSTOPS_OK;
}

/* Make room for m more journeys so that starting them cannot fail. */
static int reserve_journeys(custops_journeys *j, size_t m)
{
    if (j->nj + m >= UINT32_MAX - 1)
        return custops__err(CUSTOPS_ELIMIT, "more than 4 billion journeys");
    if (CUSTOPS__GROW(j->js, j->jcap, j->nj + m))
        return CUSTOPS_ENOMEM;
    size_t ns = j->njslots ? j->njslots : 256;
    while ((j->nj + m) * 2 > ns)
        ns *= 2;
    return ns != j->njslots ? jslots_rehash(j, ns) : CUSTOPS_OK;
}

int custops__plays_journey_start(custops_journeys *j, uint32_t play, uint32_t customer, uint32_t key, int64_t t)
{
    int rc = reserve_journeys(j, 1);
    if (rc)
        return rc;
    size_t h = (size_t)jhash(play, customer, key) & (j->njslots - 1);
    while (j->jslots[h]) {
        const journey *x = &j->js[j->jslots[h] - 1];
        if (x->play == play && x->customer == customer && x->key == key)
            return CUSTOPS_OK; /* same trigger again: one journey only */
        h = (h + 1) & (j->njslots - 1);
    }
    journey *x = &j->js[j->nj];
    memset(x, 0, sizeof *x);
    x->play = play;
    x->customer = customer;
    x->key = key;
    x->trigger = x->cursor = t;
    x->wake = INT64_MIN;
    x->status = J_ACTIVE;
    j->jslots[h] = (uint32_t)++j->nj;
    return CUSTOPS_OK;
}

/* ---- consent set ---- */

static size_t consent_find(const custops_journeys *j, uint64_t k, int *found)
{
    size_t mask = j->consent_slots - 1, h = (size_t)custops__hash64(&k, 8, 7) & mask;
    while (j->consent[h]) {
        if (j->consent[h] - 1 == k) {
            *found = 1;
            return h;
        }
        h = (h + 1) & mask;
    }
    *found = 0;
    return h;
}

int custops__plays_consent_put(custops_journeys *j, uint32_t customer, uint32_t channel, int allowed)
{
    uint64_t k = (uint64_t)customer << 32 | channel;
    int found = 0;
    if (j->consent_slots) {
        size_t h = consent_find(j, k, &found);
        if (found && !allowed) {
            /* delete with backward-shift so probes stay correct */
            size_t mask = j->consent_slots - 1, i = h;
            j->consent[i] = 0;
            for (size_t n = (i + 1) & mask; j->consent[n]; n = (n + 1) & mask) {
                uint64_t v = j->consent[n];
                uint64_t kk = v - 1;
                j->consent[n] = 0;
                size_t p = (size_t)custops__hash64(&kk, 8, 7) & mask;
                while (j->consent[p])
                    p = (p + 1) & mask;
                j->consent[p] = v;
            }
            j->nconsent--;
            return CUSTOPS_OK;
        }
        if (found || !allowed)
            return CUSTOPS_OK;
    } else if (!allowed) {
        return CUSTOPS_OK;
    }
    if ((j->nconsent + 1) * 2 > j->consent_slots) {
        size_t ns = j->consent_slots ? j->consent_slots * 2 : 256;
        uint64_t *t = custops__calloc(ns, sizeof *t);
        if (!t)
            return custops__nomem();
        uint64_t *old = j->consent;
        size_t olds = j->consent_slots;
        j->consent = t;
        j->consent_slots = ns;
        for (size_t i = 0; i < olds; i++)
            if (old[i]) {
                uint64_t kk = old[i] - 1;
                size_t p = (size_t)custops__hash64(&kk, 8, 7) & (ns - 1);
                while (t[p])
                    p = (p + 1) & (ns - 1);
                t[p] = old[i];
            }
        custops__free(old);
    }
    size_t h = consent_find(j, k, &found);
    j->consent[h] = k + 1;
    j->nconsent++;
    return CUSTOPS_OK;
}

int custops__plays_has_consent(const custops_journeys *j, uint32_t customer, uint32_t channel)
{
    if (!j->consent_slots)
        return 0;
    int found;
    consent_find(j, (uint64_t)customer << 32 | channel, &found);
    return found;
}

/* ---- public API ---- */

void custops__plays_release(custops_journeys *j)
{
    custops__free(j->text);
    custops_zone_free(j->zone);
    custops__intern_release(&j->strings);
    custops__intern_release(&j->customers);
    custops__free(j->plays);
    custops__free(j->js);
    custops__free(j->jslots);
    custops__free(j->ev_type);
    custops__free(j->ev_key);
    custops__free(j->ev_next);
    custops__free(j->ev_time);
    custops__free(j->sd_channel);
    custops__free(j->sd_next);
    custops__free(j->sd_time);
    custops__free(j->ev_head);
    custops__free(j->sd_head);
    custops__free(j->send_hour);
    custops__free(j->consent);
}

void custops_journeys_free(custops_journeys *j)
{
    if (!j)
        return;
    custops__plays_release(j);
    custops__free(j);
}

int custops_journeys_new(custops_journeys **out, const char *text, const char *zone)
{
    CUSTOPS__CHECK_NULL(out);
    *out = NULL;
    CUSTOPS__CHECK_NULL(text);
    CUSTOPS__CHECK_NULL(zone);
    size_t len = strlen(text);
    if (len > PLAYS_MAX_TEXT)
        return custops__err(CUSTOPS_ELIMIT, "plays text of %zu bytes exceeds the limit of %u", len, PLAYS_MAX_TEXT);
    custops_journeys *j = custops__calloc(1, sizeof *j);
    if (!j)
        return custops__nomem();
    custops__intern_init(&j->strings);
    custops__intern_init(&j->customers);
    j->last_now = INT64_MIN;
    int rc = custops_zone_open(&j->zone, zone);
    if (rc == 0 && !(j->text = custops__strndup(text, len)))
        rc = custops__nomem();
    if (rc == 0)
        rc = custops__plays_parse(j, j->text);
    if (rc) {
        custops_journeys_free(j);
        return rc;
    }
    *out = j;
    return CUSTOPS_OK;
}

size_t custops_journeys_nplays(const custops_journeys *j) { return j ? j->nplays : 0; }

const char *custops_journeys_play_name(const custops_journeys *j, size_t i)
{
    return j && i < j->nplays ? custops__intern_str(&j->strings, j->plays[i].name) : NULL;
}

static int find_play(const custops_journeys *j, const char *name, size_t *idx)
{
    uint32_t id;
    if (custops__intern_get(&j->strings, name, strlen(name), &id) == 0)
        for (size_t i = 0; i < j->nplays; i++)
            if (j->plays[i].name == id) {
                *idx = i;
                return CUSTOPS_OK;
            }
    return custops__err(CUSTOPS_ENOTFOUND, "no play named '%s'", name);
}

int custops_journeys_event(custops_journeys *j, const char *customer, const char *type, const char *key,
                           int64_t instant)
{
    CUSTOPS__CHECK_NULL(j);
    CUSTOPS__CHECK_NULL(customer);
    CUSTOPS__CHECK_NULL(type);
    CUSTOPS__CHECK_NULL(key);
    if (!type[0])
        return custops__err(CUSTOPS_EINVAL, "event type is empty");
    uint32_t c, t, k;
    int rc = custops__plays_customer(j, customer, &c);
    if (rc == 0)
        rc = custops__intern_put(&j->strings, type, strlen(type), &t, NULL);
    if (rc == 0)
        rc = custops__intern_put(&j->strings, key, strlen(key), &k, NULL);
    if (rc)
        return rc;
    size_t cap = j->evcap;
    if (CUSTOPS__GROW(j->ev_type, cap, j->nev + 1))
        return CUSTOPS_ENOMEM;
    cap = j->evcap;
    if (CUSTOPS__GROW(j->ev_key, cap, j->nev + 1))
        return CUSTOPS_ENOMEM;
    cap = j->evcap;
    if (CUSTOPS__GROW(j->ev_next, cap, j->nev + 1))
        return CUSTOPS_ENOMEM;
    cap = j->evcap;
    if (CUSTOPS__GROW(j->ev_time, cap, j->nev + 1))
        return CUSTOPS_ENOMEM;
    j->evcap = cap;
    /* reserve room first so that starting journeys and logging the event
     * cannot fail half way */
    size_t m = 0;
    for (size_t p = 0; p < j->nplays; p++)
        m += j->plays[p].trigger == TRIG_EVENT && j->plays[p].trig_type == t;
    if ((rc = reserve_journeys(j, m)) != 0)
        return rc;
    for (size_t p = 0; p < j->nplays; p++)
        if (j->plays[p].trigger == TRIG_EVENT && j->plays[p].trig_type == t)
            custops__plays_journey_start(j, (uint32_t)p, c, k, instant);
    size_t e = j->nev++;
    j->ev_type[e] = t;
    j->ev_key[e] = k;
    j->ev_time[e] = instant;
    j->ev_next[e] = j->ev_head[c];
    j->ev_head[c] = (uint32_t)e;
    return CUSTOPS_OK;
}

int custops_journeys_set_consent(custops_journeys *j, const char *customer, const char *channel, int allowed)
{
    CUSTOPS__CHECK_NULL(j);
    CUSTOPS__CHECK_NULL(customer);
    CUSTOPS__CHECK_NULL(channel);
    uint32_t c, ch;
    int rc = custops__plays_customer(j, customer, &c);
    if (rc == 0)
        rc = custops__intern_put(&j->strings, channel, strlen(channel), &ch, NULL);
    return rc ? rc : custops__plays_consent_put(j, c, ch, allowed != 0);
}

int custops_journeys_set_send_hour(custops_journeys *j, const char *customer, int hour)
{
    CUSTOPS__CHECK_NULL(j);
    CUSTOPS__CHECK_NULL(customer);
    if (hour < 0 || hour > 23)
        return custops__err(CUSTOPS_EINVAL, "send hour %d is outside 0..23", hour);
    uint32_t c;
    int rc = custops__plays_customer(j, customer, &c);
    if (rc == 0)
        j->send_hour[c] = (int8_t)hour;
    return rc;
}

static int64_t local_instant(const custops_zone *z, int32_t day, int32_t sod)
{
    int64_t t;
    custops_zone_instant(z, day, sod, &t);
    return t;
}

int custops_journeys_next_run(const custops_journeys *j, const char *play, int64_t after, int64_t *next_out)
{
    CUSTOPS__CHECK_NULL(j);
    CUSTOPS__CHECK_NULL(play);
    CUSTOPS__CHECK_NULL(next_out);
    size_t p;
    int rc = find_play(j, play, &p);
    if (rc)
        return rc;
    const play_def *d = &j->plays[p];
    if (d->trigger != TRIG_SCHEDULE)
        return custops__err(CUSTOPS_EINVAL, "play '%s' is triggered by events, not a schedule", play);
    int32_t day;
    rc = custops_zone_local(j->zone, after, &day, NULL);
    if (rc)
        return rc;
    /* look at most 400 days ahead: a monthly day 31 occurs within 62 */
    for (int32_t dd = day; dd < day + 400; dd++) {
        int ok = 1;
        if (d->sched == SCHED_WEEKLY)
            ok = custops_day_weekday(dd) == d->sched_arg;
        else if (d->sched == SCHED_MONTHLY) {
            int mday;
            custops_day_to_date(dd, NULL, NULL, &mday);
            ok = mday == d->sched_arg;
        }
        if (!ok)
            continue;
        int64_t t = local_instant(j->zone, dd, d->sched_sod);
        if (t > after) {
            *next_out = t;
            return CUSTOPS_OK;
        }
    }
    return custops__err(CUSTOPS_ERANGE, "play '%s' has no run within 400 days", play);
}

int custops_journeys_enroll(custops_journeys *j, const char *play, const char *const *customers, size_t n,
                            int64_t run_instant)
{
    CUSTOPS__CHECK_NULL(j);
    CUSTOPS__CHECK_NULL(play);
    if (n && !customers)
        return custops__err(CUSTOPS_EINVAL, "customers is NULL but n is %zu", n);
    size_t p;
    int rc = find_play(j, play, &p);
    if (rc)
        return rc;
    if (j->plays[p].trigger != TRIG_SCHEDULE)
        return custops__err(CUSTOPS_EINVAL, "play '%s' is triggered by events; feed them with custops_journeys_event", play);
    for (size_t i = 0; i < n; i++)
        if (!customers[i] || !customers[i][0])
            return custops__err(CUSTOPS_EINVAL, "customer %zu is NULL or empty", i);
    char key[40];
    snprintf(key, sizeof key, "run:%lld", (long long)run_instant);
    uint32_t k;
    rc = custops__intern_put(&j->strings, key, strlen(key), &k, NULL);
    for (size_t i = 0; i < n && rc == 0; i++) {
        uint32_t c;
        rc = custops__plays_customer(j, customers[i], &c);
        if (rc == 0)
            rc = custops__plays_journey_start(j, (uint32_t)p, c, k, run_instant);
    }
    return rc;
}

size_t custops_journeys_active(const custops_journeys *j)
{
    size_t n = 0;
    for (size_t i = 0; j && i < j->nj; i++)
        n += j->js[i].status == J_ACTIVE;
    return n;
}

int custops__plays_holdout(const custops_journeys *j, const play_def *d, uint32_t customer)
{
    if (d->holdout <= 0)
        return 0;
    const char *pn = custops__intern_str(&j->strings, d->name), *cn = custops__intern_str(&j->customers, customer);
    uint64_t h = custops__hash64(pn, strlen(pn), HOLDOUT_SEED);
    h = custops__hash64(cn, strlen(cn), h);
    /* top 53 bits as a uniform number in [0, 1) */
    return (double)(h >> 11) * (1.0 / 9007199254740992.0) < d->holdout;
}

int custops_journeys_in_holdout(const custops_journeys *j, const char *play, const char *customer, int *out)
{
    CUSTOPS__CHECK_NULL(j);
    CUSTOPS__CHECK_NULL(play);
    CUSTOPS__CHECK_NULL(customer);
    CUSTOPS__CHECK_NULL(out);
    size_t p;
    int rc = find_play(j, play, &p);
    if (rc)
        return rc;
    uint32_t c;
    if (custops__intern_get(&j->customers, customer, strlen(customer), &c) == 0) {
        *out = custops__plays_holdout(j, &j->plays[p], c);
        return CUSTOPS_OK;
    }
    /* a customer not seen yet: same hash, computed from the strings */
    const play_def *d = &j->plays[p];
    const char *pn = custops__intern_str(&j->strings, d->name);
    uint64_t h = custops__hash64(pn, strlen(pn), HOLDOUT_SEED);
    h = custops__hash64(customer, strlen(customer), h);
    *out = d->holdout > 0 && (double)(h >> 11) * (1.0 / 9007199254740992.0) < d->holdout;
    return CUSTOPS_OK;
}
