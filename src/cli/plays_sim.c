/* custops plays, the simulated clock: turns the store's records into the
 * journey engine's trigger events, enrolls the audiences of schedule plays
 * at their run instants, and collects the actions due at every tick.
 *
 * Events from the store: each order gives `order_created` and `order_paid`
 * (the store records paid orders; key "o" + the order's number), each
 * behaviour event its type (`visit`, `cart_add`, ...; key the SKU). Events
 * the store cannot hold (order_unpaid, order_closed, order_shipped, ...)
 * come from an extra CSV. Only events inside the range are fed. The engine
 * checks `stop if` events by their own time, so the tick length changes
 * only how actions are batched, never which actions fall due or when. */
#include "plays_cli.h"

#include <stdlib.h>
#include <string.h>

const char *const plays_status_names[PLAYS_NSTATUS] = {"send", "holdout", "suppressed_consent", "suppressed_cap"};

static const char *const EVENT_NAMES[] = {"visit",           "view",        "cart_add", "favourite",
                                          "coupon_received", "coupon_used", "login"};
#define NEVENT_NAMES (sizeof EVENT_NAMES / sizeof EVENT_NAMES[0])

static int fail(plays_sim *s, int rc, const char *what) { return cli_fail(s->cmd, rc, what); }

static const int64_t *col_i64(const custops_frame *f, const char *name)
{
    size_t c;
    const int64_t *v;
    if (custops_frame_find(f, name, &c) || custops_frame_int64(f, c, &v))
        return NULL;
    return v;
}

static uint64_t hash_id(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

int64_t plays_sim_lookup(const plays_sim *s, const char *id)
{
    if (!s->nslots)
        return -1;
    size_t mask = s->nslots - 1;
    for (size_t p = (size_t)hash_id(id) & mask;; p = (p + 1) & mask) {
        int64_t v = s->id_slots[p];
        if (v == 0)
            return -1;
        if (strcmp(s->ids[v - 1], id) == 0)
            return v - 1;
    }
}

/* start offsets of each customer's rows in a view sorted by customer */
static int offsets(const custops_frame *view, size_t ncust, size_t **out)
{
    size_t n = custops_frame_nrows(view);
    const int64_t *c = col_i64(view, "customer");
    size_t *o = calloc(ncust + 1, sizeof *o);
    if (!o || (n && !c)) {
        free(o);
        return o ? CUSTOPS_EINVAL : CUSTOPS_ENOMEM;
    }
    for (size_t i = 0; i < n; i++)
        if (c[i] >= 0 && (size_t)c[i] < ncust)
            o[c[i] + 1]++;
    for (size_t k = 0; k < ncust; k++)
        o[k + 1] += o[k];
    *out = o;
    return CUSTOPS_OK;
}

int plays_sim_prepare(plays_sim *s)
{
    int rc;
    if ((rc = custops_store_lines(s->store, &s->lines)) || (rc = custops_store_events(s->store, &s->events)))
        return fail(s, rc, "store views");
    custops_features_opts fo;
    custops_features_opts_init(&fo);
    fo.now = s->from;
    if ((rc = custops_store_features(s->store, &fo, &s->features)))
        return fail(s, rc, "features");
    s->ncust = custops_frame_nrows(s->features);
    size_t cid;
    if (custops_frame_find(s->features, "customer_id", &cid))
        return fail(s, CUSTOPS_EINVAL, "features");
    s->ids = malloc((s->ncust ? s->ncust : 1) * sizeof *s->ids);
    for (s->nslots = 16; s->nslots < 2 * s->ncust; s->nslots *= 2)
        ;
    s->id_slots = calloc(s->nslots, sizeof *s->id_slots);
    if (!s->ids || !s->id_slots)
        return fail(s, CUSTOPS_ENOMEM, "customer index");
    for (size_t i = 0; i < s->ncust; i++) {
        custops_frame_string(s->features, cid, i, &s->ids[i]);
        size_t p = (size_t)hash_id(s->ids[i]) & (s->nslots - 1);
        while (s->id_slots[p])
            p = (p + 1) & (s->nslots - 1);
        s->id_slots[p] = (int64_t)i + 1;
    }
    if ((rc = offsets(s->lines, s->ncust, &s->line_start)) || (rc = offsets(s->events, s->ncust, &s->event_start)))
        return fail(s, rc, "customer offsets");

    /* consent from the customer records, plus channels assumed for everyone */
    static const char *const CONSENT[3][2] = {{"consent_sms", "sms"}, {"consent_email", "email"},
                                              {"consent_push", "push"}};
    for (int k = 0; k < 3; k++) {
        const int64_t *v = col_i64(s->features, CONSENT[k][0]);
        for (size_t i = 0; v && i < s->ncust; i++)
            if (v[i] == 1 && (rc = custops_journeys_set_consent(s->j, s->ids[i], CONSENT[k][1], 1)))
                return fail(s, rc, "consent");
    }
    for (size_t k = 0; k < s->nassume; k++)
        for (size_t i = 0; i < s->ncust; i++)
            if ((rc = custops_journeys_set_consent(s->j, s->ids[i], s->assume_consent[k], 1)))
                return fail(s, rc, "consent");

    /* best send hour: the local hour of day the customer ordered most often
     * (ties: the earlier hour); customers without orders keep the default */
    if (s->best_time) {
        const int64_t *hours[24];
        for (int h = 0; h < 24; h++) {
            char name[16];
            snprintf(name, sizeof name, "hour_%02d", h);
            if (!(hours[h] = col_i64(s->features, name)))
                return fail(s, CUSTOPS_EINVAL, "features lack order hours");
        }
        for (size_t i = 0; i < s->ncust; i++) {
            int best = -1;
            int64_t most = 0;
            for (int h = 0; h < 24; h++)
                if (hours[h][i] > most)
                    most = hours[h][i], best = h;
            if (best >= 0 && (rc = custops_journeys_set_send_hour(s->j, s->ids[i], best)))
                return fail(s, rc, "send hour");
        }
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* trigger events in time order                                        */

enum { SRC_ORDER_CREATED, SRC_ORDER_PAID, SRC_EVENT, SRC_EXTRA };

typedef struct feed_ev {
    int64_t t;
    size_t seq; /* position among equal times: records keep their order */
    size_t row;
    int src;
} feed_ev;

static int by_time(const void *a, const void *b)
{
    const feed_ev *x = a, *y = b;
    if (x->t != y->t)
        return x->t < y->t ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

typedef struct feed {
    feed_ev *ev;
    size_t n, cap, next;
    custops_frame *extra, *skus;
    size_t x_cust, x_type, x_key;
    const int64_t *x_time;
} feed;

static int feed_push(feed *fd, int64_t t, size_t row, int src)
{
    if (fd->n == fd->cap) {
        size_t cap = fd->cap ? 2 * fd->cap : 4096;
        feed_ev *e = realloc(fd->ev, cap * sizeof *e);
        if (!e)
            return CUSTOPS_ENOMEM;
        fd->ev = e;
        fd->cap = cap;
    }
    fd->ev[fd->n] = (feed_ev){t, fd->n, row, src};
    fd->n++;
    return 0;
}

/* a cell of the extra events file as text (ids may have been read as numbers) */
static const char *cell(const custops_frame *f, size_t col, size_t row, char *buf, size_t cap)
{
    const char *str;
    if (custops_frame_col_type(f, col) == CUSTOPS_COL_STRING) {
        custops_frame_string(f, col, row, &str);
        return str;
    }
    const int64_t *v;
    if (custops_frame_int64(f, col, &v) == 0) {
        if (v[row] == -1)
            return "";
        snprintf(buf, cap, "%lld", (long long)v[row]);
        return buf;
    }
    return "";
}

static int feed_build(plays_sim *s, feed *fd)
{
    int rc;
    size_t n = custops_frame_nrows(s->lines);
    const int64_t *lc = col_i64(s->lines, "customer"), *lo = col_i64(s->lines, "order"),
                  *lt = col_i64(s->lines, "time");
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && lc[i] == lc[i - 1] && lo[i] == lo[i - 1])
            continue; /* lines of one order are contiguous */
        if (lt[i] < s->from || lt[i] >= s->end)
            continue;
        if (feed_push(fd, lt[i], i, SRC_ORDER_CREATED) || feed_push(fd, lt[i], i, SRC_ORDER_PAID))
            return fail(s, CUSTOPS_ENOMEM, "events");
    }
    n = custops_frame_nrows(s->events);
    const int64_t *et = col_i64(s->events, "time"), *ety = col_i64(s->events, "type");
    for (size_t i = 0; i < n; i++)
        if (et[i] >= s->from && et[i] < s->end && ety[i] >= 0 && (size_t)ety[i] < NEVENT_NAMES &&
            feed_push(fd, et[i], i, SRC_EVENT))
            return fail(s, CUSTOPS_ENOMEM, "events");
    if ((rc = custops_store_dict(s->store, "sku", &fd->skus)))
        return fail(s, rc, "sku names");

    if (s->extra_events) {
        if ((rc = custops_frame_read_csv(&fd->extra, s->extra_events, s->zone)))
            return fail(s, rc, "events file");
        size_t tcol;
        if (custops_frame_find(fd->extra, "customer_id", &fd->x_cust) ||
            custops_frame_find(fd->extra, "type", &fd->x_type) || custops_frame_find(fd->extra, "time", &tcol) ||
            custops_frame_int64(fd->extra, tcol, &fd->x_time)) {
            fprintf(stderr, "custops %s: %s: needs columns customer_id, type, time (a date-time) and optionally key\n",
                    s->cmd, s->extra_events);
            return 1;
        }
        if (custops_frame_find(fd->extra, "key", &fd->x_key))
            fd->x_key = SIZE_MAX;
        for (size_t i = 0, m = custops_frame_nrows(fd->extra); i < m; i++)
            if (fd->x_time[i] >= s->from && fd->x_time[i] < s->end && feed_push(fd, fd->x_time[i], i, SRC_EXTRA))
                return fail(s, CUSTOPS_ENOMEM, "events");
    }
    qsort(fd->ev, fd->n, sizeof *fd->ev, by_time);
    return 0;
}

/* feed every event at or before `upto` */
static int feed_until(plays_sim *s, feed *fd, int64_t upto)
{
    const int64_t *lc = col_i64(s->lines, "customer"), *lo = col_i64(s->lines, "order");
    const int64_t *ec = col_i64(s->events, "customer"), *ety = col_i64(s->events, "type"),
                  *esku = col_i64(s->events, "sku");
    size_t skucol = 0;
    custops_frame_find(fd->skus, "name", &skucol);
    for (; fd->next < fd->n && fd->ev[fd->next].t <= upto; fd->next++) {
        const feed_ev *e = &fd->ev[fd->next];
        const char *id = "", *type = "", *key = "";
        char kbuf[32], ibuf[32], tbuf[32];
        if (e->src == SRC_ORDER_CREATED || e->src == SRC_ORDER_PAID) {
            id = s->ids[lc[e->row]];
            type = e->src == SRC_ORDER_CREATED ? "order_created" : "order_paid";
            snprintf(kbuf, sizeof kbuf, "o%lld", (long long)lo[e->row]);
            key = kbuf;
        } else if (e->src == SRC_EVENT) {
            id = s->ids[ec[e->row]];
            type = EVENT_NAMES[ety[e->row]];
            if (esku[e->row] >= 0)
                custops_frame_string(fd->skus, skucol, (size_t)esku[e->row], &key);
        } else {
            id = cell(fd->extra, fd->x_cust, e->row, ibuf, sizeof ibuf);
            type = cell(fd->extra, fd->x_type, e->row, tbuf, sizeof tbuf);
            if (fd->x_key != SIZE_MAX)
                key = cell(fd->extra, fd->x_key, e->row, kbuf, sizeof kbuf);
        }
        int rc = custops_journeys_event(s->j, id, type, key, e->t);
        if (rc) {
            if (e->src == SRC_EXTRA)
                fprintf(stderr, "custops %s: %s: row %zu: ", s->cmd, s->extra_events, e->row + 2);
            return fail(s, rc, "event");
        }
        s->nfed++;
    }
    return 0;
}

static void feed_free(feed *fd)
{
    free(fd->ev);
    custops_frame_free(fd->extra);
    custops_frame_free(fd->skus);
}

/* ------------------------------------------------------------------ */
/* schedule plays: the audience as of each run instant                 */

static int enroll(plays_sim *s, const char *play, const char *expr, int64_t run)
{
    custops_features_opts fo;
    custops_features_opts_init(&fo);
    fo.now = run;
    custops_frame *feat = NULL;
    custops_segment_ctx *ctx = NULL;
    custops_audience *aud = NULL;
    custops_bitset *bs = NULL;
    const char **members = NULL;
    int rc;
    if ((rc = custops_store_features(s->store, &fo, &feat)) || (rc = custops_segment_ctx_new(&ctx, feat, run)) ||
        (rc = custops_segment_ctx_set_lines(ctx, s->lines)) || (rc = custops_segment_ctx_set_events(ctx, s->events)) ||
        (rc = custops_segment_ctx_set_zone(ctx, s->zone)) || (rc = custops_audience_compile(&aud, expr, ctx)) ||
        (rc = custops_audience_evaluate(&bs, aud)))
        goto out;
    size_t n = custops_bitset_size(bs), m = 0;
    members = malloc((custops_bitset_count(bs) + 1) * sizeof *members);
    if (!members) {
        rc = CUSTOPS_ENOMEM;
        goto out;
    }
    for (size_t i = 0; i < n && i < s->ncust; i++)
        if (custops_bitset_test(bs, i))
            members[m++] = s->ids[i];
    rc = custops_journeys_enroll(s->j, play, members, m, run);
    s->nenrolled += (int64_t)m;
out:
    free(members);
    custops_bitset_free(bs);
    custops_audience_free(aud);
    custops_segment_ctx_free(ctx);
    custops_frame_free(feat);
    if (rc) {
        fprintf(stderr, "custops %s: audience of play '%s': %s: %s\n", s->cmd, play, custops_strerror(rc),
                custops_last_error());
        return 1;
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* collecting the actions                                              */

static int step_row(plays_sim *s, size_t play, int64_t step, const char *kind, const char *channel,
                    const char *target, uint16_t *out)
{
    for (size_t k = 0; k < s->nsteps; k++)
        if (s->steps[k].play == play && s->steps[k].step == step) {
            *out = (uint16_t)k;
            return 0;
        }
    if (s->nsteps >= UINT16_MAX)
        return CUSTOPS_ELIMIT;
    if (s->nsteps == s->stepcap) {
        size_t cap = s->stepcap ? 2 * s->stepcap : 32;
        plays_step_row *r = realloc(s->steps, cap * sizeof *r);
        if (!r)
            return CUSTOPS_ENOMEM;
        s->steps = r;
        s->stepcap = cap;
    }
    plays_step_row *r = &s->steps[s->nsteps];
    memset(r, 0, sizeof *r);
    r->play = play;
    r->step = step;
    snprintf(r->kind, sizeof r->kind, "%s", kind);
    snprintf(r->channel, sizeof r->channel, "%s", channel);
    snprintf(r->target, sizeof r->target, "%s", target);
    *out = (uint16_t)s->nsteps++;
    return 0;
}

static void csv_field(FILE *f, const char *v)
{
    if (strpbrk(v, ",\"\r\n")) {
        fputc('"', f);
        for (; *v; v++) {
            if (*v == '"')
                fputc('"', f);
            fputc(*v, f);
        }
        fputc('"', f);
    } else {
        fputs(v, f);
    }
}

/* --ledger: a coupon due is issued as a single-use code of its owner,
 * RULE-ACTIONKEY, with the action key as the idempotency key, so running
 * the same range again issues nothing twice. */
static int issue(plays_sim *s, const char *key, const char *customer, const char *rule, int64_t at)
{
    char code[160];
    snprintf(code, sizeof code, "%.100s-%s", rule, key);
    custops_ledger_coupon c = CUSTOPS_LEDGER_COUPON_INIT;
    c.code = code;
    c.owner = customer;
    c.max_uses = 1;
    c.valid_from = at;
    custops_ledger_receipt r = CUSTOPS_LEDGER_RECEIPT_INIT;
    int rc = custops_ledger_issue(s->ledger, &r, &c, key, at);
    if (rc)
        return rc;
    *(r.replayed ? &s->replayed : &s->issued) += 1;
    return 0;
}

static int collect(plays_sim *s, const custops_frame *a)
{
    size_t n = custops_frame_nrows(a);
    if (s->na + n > s->acap) {
        size_t cap = s->acap ? s->acap : 4096;
        while (cap < s->na + n)
            cap *= 2;
        uint32_t *p = realloc(s->a_play, cap * sizeof *p);
        if (p)
            s->a_play = p;
        int32_t *c = realloc(s->a_cust, cap * sizeof *c);
        if (c)
            s->a_cust = c;
        int64_t *t = realloc(s->a_at, cap * sizeof *t);
        if (t)
            s->a_at = t;
        uint8_t *st = realloc(s->a_status, cap);
        if (st)
            s->a_status = st;
        uint16_t *r = realloc(s->a_steprow, cap * sizeof *r);
        if (r)
            s->a_steprow = r;
        if (!p || !c || !t || !st || !r)
            return CUSTOPS_ENOMEM;
        s->acap = cap;
    }
    size_t ck, cp, cs, cc, cki, cch, ctg, cat, cst;
    const int64_t *step, *at;
    if (custops_frame_find(a, "action_key", &ck) || custops_frame_find(a, "play", &cp) ||
        custops_frame_find(a, "step", &cs) || custops_frame_find(a, "customer_id", &cc) ||
        custops_frame_find(a, "kind", &cki) || custops_frame_find(a, "channel", &cch) ||
        custops_frame_find(a, "target", &ctg) || custops_frame_find(a, "at", &cat) ||
        custops_frame_find(a, "status", &cst) || custops_frame_int64(a, cs, &step) || custops_frame_int64(a, cat, &at))
        return CUSTOPS_EINVAL;
    size_t nplays = custops_journeys_nplays(s->j);
    for (size_t i = 0; i < n; i++) {
        const char *key, *play, *cust, *kind, *chan, *target, *status;
        custops_frame_string(a, ck, i, &key);
        custops_frame_string(a, cp, i, &play);
        custops_frame_string(a, cc, i, &cust);
        custops_frame_string(a, cki, i, &kind);
        custops_frame_string(a, cch, i, &chan);
        custops_frame_string(a, ctg, i, &target);
        custops_frame_string(a, cst, i, &status);
        size_t p = 0;
        while (p < nplays && strcmp(custops_journeys_play_name(s->j, p), play) != 0)
            p++;
        int st = 0;
        while (st < PLAYS_NSTATUS && strcmp(plays_status_names[st], status) != 0)
            st++;
        if (p == nplays || st == PLAYS_NSTATUS)
            return CUSTOPS_EINVAL;
        uint16_t row;
        int rc = step_row(s, p, step[i], kind, chan, target, &row);
        if (rc)
            return rc;
        s->steps[row].count[st]++;
        if (s->ledger && st == 0 && !strcmp(kind, "coupon") && (rc = issue(s, key, cust, target, at[i])))
            return rc;
        s->a_play[s->na] = (uint32_t)p;
        s->a_cust[s->na] = (int32_t)plays_sim_lookup(s, cust);
        s->a_at[s->na] = at[i];
        s->a_status[s->na] = (uint8_t)st;
        s->a_steprow[s->na] = row;
        s->na++;
        if (s->actions_csv) {
            char when[64];
            custops_time_format(at[i], s->zone, when, sizeof when);
            FILE *f = s->actions_csv;
            fprintf(f, "%s,", key);
            csv_field(f, play);
            fprintf(f, ",%lld,", (long long)step[i]);
            csv_field(f, cust);
            fprintf(f, ",%s,", kind);
            csv_field(f, chan);
            fputc(',', f);
            csv_field(f, target);
            fprintf(f, ",%s,%s\n", when, status);
        }
    }
    return 0;
}

int plays_sim_run(plays_sim *s)
{
    size_t nplays = custops_journeys_nplays(s->j);
    int64_t *next = calloc(nplays ? nplays : 1, sizeof *next);
    const char **expr = calloc(nplays ? nplays : 1, sizeof *expr);
    feed fd;
    memset(&fd, 0, sizeof fd);
    int status = 1, rc;
    if (!next || !expr) {
        cli_fail(s->cmd, CUSTOPS_ENOMEM, "plays");
        goto out;
    }
    /* which plays run on a schedule, and the audience of each */
    for (size_t a = 0; a < s->naud; a++) {
        size_t p = 0;
        while (p < nplays && strcmp(custops_journeys_play_name(s->j, p), s->aud_play[a]) != 0)
            p++;
        if (p == nplays) {
            status = cli_usage_error(s->cmd, "--audience: no play named '%s' in the play file", s->aud_play[a]);
            goto out;
        }
        expr[p] = s->aud_expr[a];
    }
    for (size_t p = 0; p < nplays; p++) {
        const char *name = custops_journeys_play_name(s->j, p);
        rc = custops_journeys_next_run(s->j, name, s->from - 1, &next[p]);
        if (rc == CUSTOPS_EINVAL) { /* an event play */
            next[p] = INT64_MAX;
            if (expr[p]) {
                status = cli_usage_error(s->cmd, "--audience: play '%s' is triggered by events, not a schedule", name);
                goto out;
            }
        } else if (rc) {
            cli_fail(s->cmd, rc, "schedule");
            goto out;
        } else if (!expr[p]) {
            status = cli_usage_error(s->cmd, "play '%s' runs on a schedule: give its audience with --audience %s=EXPR",
                                     name, name);
            goto out;
        }
    }
    if (feed_build(s, &fd))
        goto out;
    if (s->actions_csv)
        fprintf(s->actions_csv, "action_key,play,step,customer_id,kind,channel,target,at,status\n");

    cli_progress pr;
    cli_progress_start(&pr, "simulating");
    if (s->quiet)
        pr.active = 0;
    double total = (double)((s->end - s->from + s->step - 1) / s->step);
    for (int64_t t = s->from;; t += s->step) {
        int64_t tick = t < s->end - 1 ? t : s->end - 1;
        if (feed_until(s, &fd, tick))
            goto out_progress;
        for (size_t p = 0; p < nplays; p++)
            while (next[p] <= tick) {
                if (enroll(s, custops_journeys_play_name(s->j, p), expr[p], next[p]))
                    goto out_progress;
                if ((rc = custops_journeys_next_run(s->j, custops_journeys_play_name(s->j, p), next[p], &next[p]))) {
                    cli_fail(s->cmd, rc, "schedule");
                    goto out_progress;
                }
            }
        custops_frame *a;
        if ((rc = custops_journeys_due(s->j, tick, &a))) {
            cli_fail(s->cmd, rc, "actions due");
            goto out_progress;
        }
        rc = collect(s, a);
        custops_frame_free(a);
        if (rc) {
            cli_fail(s->cmd, rc, "collecting actions");
            goto out_progress;
        }
        s->ntick++;
        cli_progress_update(&pr, (double)s->ntick, total, "ticks");
        if (tick == s->end - 1)
            break;
    }
    status = 0;
out_progress:
    cli_progress_end(&pr);
out:
    feed_free(&fd);
    free(next);
    free(expr);
    return status;
}

void plays_sim_free(plays_sim *s)
{
    custops_ledger_free(s->ledger);
    custops_journeys_free(s->j);
    custops_frame_free(s->lines);
    custops_frame_free(s->events);
    custops_frame_free(s->features);
    custops_store_free(s->store);
    custops_zone_free(s->zone);
    free(s->ids);
    free(s->id_slots);
    free(s->line_start);
    free(s->event_start);
    free(s->a_play);
    free(s->a_cust);
    free(s->a_at);
    free(s->a_status);
    free(s->a_steprow);
    free(s->steps);
}
