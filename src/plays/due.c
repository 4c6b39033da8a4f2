/* The due-action loop: advance every journey to `now`, emitting each action
 * once. Quiet hours and best send time defer messages; consent, caps and
 * holdouts decide their status. An undo log makes the whole call atomic. */
#include "plays_internal.h"

#include <stdio.h>

typedef struct undo {
    uint32_t idx;
    journey old;
} undo;

typedef struct out_rows {
    size_t n, cap;
    uint32_t *play, *customer, *channel, *target;
    int64_t *step, *at;
    uint8_t *kind, *status;
    uint64_t *key;
} out_rows;

enum { K_MESSAGE, K_COUPON, K_TAG };
enum { S_SEND, S_HOLDOUT, S_NO_CONSENT, S_CAP };
static const char *const KIND_NAMES[] = {"message", "coupon", "tag"};
static const char *const STATUS_NAMES[] = {"send", "holdout", "suppressed_consent", "suppressed_cap"};

static void rows_free(out_rows *r)
{
    custops__free(r->play);
    custops__free(r->customer);
    custops__free(r->channel);
    custops__free(r->target);
    custops__free(r->step);
    custops__free(r->at);
    custops__free(r->kind);
    custops__free(r->status);
    custops__free(r->key);
}

static int rows_grow(out_rows *r)
{
    if (r->n < r->cap)
        return CUSTOPS_OK;
    size_t nc = r->cap ? r->cap * 2 : 64;
#define G(f)                                                        \
    do {                                                            \
        void *p_ = custops__reallocarray(r->f, nc, sizeof *r->f);   \
        if (!p_)                                                    \
            return custops__nomem();                                \
        r->f = p_;                                                  \
    } while (0)
    G(play);
    G(customer);
    G(channel);
    G(target);
    G(step);
    G(at);
    G(kind);
    G(status);
    G(key);
#undef G
    r->cap = nc;
    return CUSTOPS_OK;
}

/* Is the local time of t inside the play's quiet period? If so, *until is
 * the end of that period. */
static int in_quiet(const custops_journeys *j, const play_def *d, int64_t t, int64_t *until)
{
    if (d->quiet_from < 0)
        return 0;
    int32_t day, sod;
    custops_zone_local(j->zone, t, &day, &sod);
    int wraps = d->quiet_from > d->quiet_to;
    int quiet = wraps ? (sod >= d->quiet_from || sod < d->quiet_to) : (sod >= d->quiet_from && sod < d->quiet_to);
    if (!quiet)
        return 0;
    int32_t end_day = wraps && sod >= d->quiet_from ? day + 1 : day;
    custops_zone_instant(j->zone, end_day, d->quiet_to, until);
    return 1;
}

/* Next instant >= t whose local hour is `hour`. */
static int64_t next_hour(const custops_journeys *j, int64_t t, int hour)
{
    int32_t day, sod;
    custops_zone_local(j->zone, t, &day, &sod);
    if (sod / 3600 == hour)
        return t;
    int64_t cand;
    custops_zone_instant(j->zone, day, hour * 3600, &cand);
    if (cand <= t)
        custops_zone_instant(j->zone, day + 1, hour * 3600, &cand);
    return cand;
}

static int stop_event_seen(const custops_journeys *j, const journey *x, const play_step *st)
{
    for (uint32_t e = j->ev_head[x->customer]; e != NONE32; e = j->ev_next[e])
        if (j->ev_type[e] == st->type && j->ev_time[e] >= x->trigger && j->ev_time[e] <= x->cursor &&
            (!st->same_key || j->ev_key[e] == x->key))
            return 1;
    return 0;
}

static int cap_reached(const custops_journeys *j, const play_def *d, uint32_t customer, uint32_t channel, int64_t at)
{
    for (int c = 0; c < d->ncaps; c++) {
        if (d->caps[c].channel != channel)
            continue;
        int64_t count = 0;
        for (uint32_t s = j->sd_head[customer]; s != NONE32; s = j->sd_next[s])
            if (j->sd_channel[s] == channel && j->sd_time[s] > at - d->caps[c].window && j->sd_time[s] <= at)
                count++;
        if (count >= d->caps[c].limit)
            return 1;
    }
    return 0;
}

static int log_send(custops_journeys *j, uint32_t customer, uint32_t channel, int64_t at)
{
    size_t cap = j->sdcap;
    if (CUSTOPS__GROW(j->sd_channel, cap, j->nsd + 1))
        return CUSTOPS_ENOMEM;
    cap = j->sdcap;
    if (CUSTOPS__GROW(j->sd_next, cap, j->nsd + 1))
        return CUSTOPS_ENOMEM;
    cap = j->sdcap;
    if (CUSTOPS__GROW(j->sd_time, cap, j->nsd + 1))
        return CUSTOPS_ENOMEM;
    j->sdcap = cap;
    size_t i = j->nsd++;
    j->sd_channel[i] = channel;
    j->sd_time[i] = at;
    j->sd_next[i] = j->sd_head[customer];
    j->sd_head[customer] = (uint32_t)i;
    return CUSTOPS_OK;
}

static uint64_t action_key(const custops_journeys *j, const journey *x)
{
    const char *pn = custops__intern_str(&j->strings, j->plays[x->play].name);
    const char *cn = custops__intern_str(&j->customers, x->customer);
    const char *kn = custops__intern_str(&j->strings, x->key);
    uint64_t h = custops__hash64(pn, strlen(pn) + 1, 0x616374696f6eULL);
    h = custops__hash64(cn, strlen(cn) + 1, h);
    h = custops__hash64(kn, strlen(kn) + 1, h);
    return custops__hash64(&x->step, sizeof x->step, h);
}

/* Advance one journey; appends rows. */
static int advance(custops_journeys *j, journey *x, int64_t now, out_rows *r)
{
    const play_def *d = &j->plays[x->play];
    while (x->status == J_ACTIVE) {
        if (x->step >= d->nsteps) {
            x->status = J_DONE;
            break;
        }
        const play_step *st = &d->steps[x->step];
        int64_t target;
        switch (st->kind) {
        case ST_WAIT:
        case ST_WAIT_TRIGGER:
        case ST_WAIT_ABS:
            target = st->kind == ST_WAIT ? x->cursor + st->secs
                     : st->kind == ST_WAIT_TRIGGER ? x->trigger + st->secs : st->secs;
            if (target > now) {
                x->wake = target;
                return CUSTOPS_OK; /* not yet: the cursor stays, the step stays */
            }
            if (target > x->cursor)
                x->cursor = target;
            x->step++;
            x->deferred = 0;
            continue;
        case ST_STOP_IF:
            if (stop_event_seen(j, x, st)) {
                x->status = J_STOPPED;
                return CUSTOPS_OK;
            }
            x->step++;
            continue;
        default:
            break;
        }
        /* an action */
        int64_t at = x->cursor, until;
        if (st->kind == ST_SEND) {
            if (st->best_time && !x->deferred && j->send_hour[x->customer] >= 0) {
                at = next_hour(j, at, j->send_hour[x->customer]);
                x->deferred = 1;
            }
            if (in_quiet(j, d, at, &until))
                at = until;
            if (at > now) {
                x->cursor = at; /* wait for it; re-checked on a later call */
                x->wake = at;
                return CUSTOPS_OK;
            }
            x->cursor = at;
        }
        int rc = rows_grow(r);
        if (rc)
            return rc;
        size_t i = r->n;
        int status = S_SEND;
        if (custops__plays_holdout(j, d, x->customer))
            status = S_HOLDOUT;
        else if (st->kind == ST_SEND && !custops__plays_has_consent(j, x->customer, st->channel))
            status = S_NO_CONSENT;
        else if (st->kind == ST_SEND && cap_reached(j, d, x->customer, st->channel, at))
            status = S_CAP;
        if (status == S_SEND && st->kind == ST_SEND && (rc = log_send(j, x->customer, st->channel, at)) != 0)
            return rc;
        r->play[i] = x->play;
        r->customer[i] = x->customer;
        r->channel[i] = st->kind == ST_SEND ? st->channel : NONE32;
        r->target[i] = st->target;
        r->step[i] = x->step + 1;
        r->at[i] = at;
        r->kind[i] = (uint8_t)(st->kind == ST_SEND ? K_MESSAGE : st->kind == ST_COUPON ? K_COUPON : K_TAG);
        r->status[i] = (uint8_t)status;
        r->key[i] = action_key(j, x);
        r->n++;
        x->step++;
        x->deferred = 0;
    }
    return CUSTOPS_OK;
}

static int build_frame(const custops_journeys *j, const out_rows *r, custops_frame **out)
{
    size_t n = r->n;
    const char **play = custops__calloc(n ? n : 1, sizeof *play), **cust = custops__calloc(n ? n : 1, sizeof *cust),
               **kind = custops__calloc(n ? n : 1, sizeof *kind), **chan = custops__calloc(n ? n : 1, sizeof *chan),
               **target = custops__calloc(n ? n : 1, sizeof *target), **status = custops__calloc(n ? n : 1, sizeof *status),
               **key = custops__calloc(n ? n : 1, sizeof *key);
    char *keybuf = custops__calloc(n ? n : 1, 17);
    custops_frame *f = NULL;
    int rc = play && cust && kind && chan && target && status && key && keybuf ? custops_frame_new(&f) : custops__nomem();
    for (size_t i = 0; rc == 0 && i < n; i++) {
        snprintf(keybuf + 17 * i, 17, "%016llx", (unsigned long long)r->key[i]);
        key[i] = keybuf + 17 * i;
        play[i] = custops__intern_str(&j->strings, j->plays[r->play[i]].name);
        cust[i] = custops__intern_str(&j->customers, r->customer[i]);
        kind[i] = KIND_NAMES[r->kind[i]];
        chan[i] = r->channel[i] == NONE32 ? "" : custops__intern_str(&j->strings, r->channel[i]);
        target[i] = custops__intern_str(&j->strings, r->target[i]);
        status[i] = STATUS_NAMES[r->status[i]];
    }
    if (rc == 0)
        rc = custops_frame_add_string(f, "action_key", key, n);
    if (rc == 0)
        rc = custops_frame_add_string(f, "play", play, n);
    if (rc == 0)
        rc = custops_frame_add_int64(f, "step", r->step, n);
    if (rc == 0)
        rc = custops_frame_add_string(f, "customer_id", cust, n);
    if (rc == 0)
        rc = custops_frame_add_string(f, "kind", kind, n);
    if (rc == 0)
        rc = custops_frame_add_string(f, "channel", chan, n);
    if (rc == 0)
        rc = custops_frame_add_string(f, "target", target, n);
    if (rc == 0)
        rc = custops_frame_add_int64(f, "at", r->at, n);
    if (rc == 0)
        rc = custops_frame_add_string(f, "status", status, n);
    custops__free(play);
    custops__free(cust);
    custops__free(kind);
    custops__free(chan);
    custops__free(target);
    custops__free(status);
    custops__free(key);
    custops__free(keybuf);
    if (rc) {
        custops_frame_free(f);
        return rc;
    }
    *out = f;
    return CUSTOPS_OK;
}

int custops_journeys_due(custops_journeys *j, int64_t now, custops_frame **actions_out)
{
    CUSTOPS__CHECK_NULL(actions_out);
    *actions_out = NULL;
    CUSTOPS__CHECK_NULL(j);
    if (now < j->last_now)
        return custops__err(CUSTOPS_EINVAL, "time went backwards: now %lld is before the previous call's %lld",
                            (long long)now, (long long)j->last_now);
    out_rows r;
    memset(&r, 0, sizeof r);
    undo *log = NULL;
    size_t nlog = 0, logcap = 0, nsd_before = j->nsd;
    int rc = CUSTOPS_OK;
    for (size_t i = 0; i < j->nj && rc == 0; i++) {
        journey *x = &j->js[i];
        if (x->status != J_ACTIVE || x->wake > now)
            continue; /* most journeys sleep in a wait: skip them without touching the undo log */
        if ((rc = CUSTOPS__GROW(log, logcap, nlog + 1)) != 0)
            break;
        log[nlog].idx = (uint32_t)i;
        log[nlog].old = *x;
        nlog++;
        rc = advance(j, x, now, &r);
    }
    if (rc == 0)
        rc = build_frame(j, &r, actions_out);
    if (rc) {
        /* undo: journeys back to their old state, sends logged by this call removed */
        for (size_t k = nlog; k-- > 0;)
            j->js[log[k].idx] = log[k].old;
        while (j->nsd > nsd_before) {
            size_t s = --j->nsd;
            /* sends were pushed at the head of their customer's chain */
            for (uint32_t c = 0; c < j->customers.count; c++)
                if (j->sd_head[c] == s) {
                    j->sd_head[c] = j->sd_next[s];
                    break;
                }
        }
    } else {
        j->last_now = now;
    }
    custops__free(log);
    rows_free(&r);
    return rc;
}
