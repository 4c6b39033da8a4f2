/* The play language: a line-oriented definition of triggers, settings and
 * steps (see custops/plays.h), parsed with the shared scanner so errors read
 * "<plays>:line:col: expected ...". */
#include "plays_internal.h"

#include <stdio.h>

typedef struct tok {
    const char *p;
    size_t n;
} tok;

typedef struct parser {
    custops__scan s;
    custops_journeys *j;
} parser;

static void skip_blanks(custops__scan *s)
{
    while (!custops__scan_eof(s) && (*s->p == ' ' || *s->p == '\t' || *s->p == '\r'))
        s->p++;
    if (!custops__scan_eof(s) && *s->p == '#')
        while (!custops__scan_eof(s) && *s->p != '\n')
            s->p++;
}

/* Next word on this line (stops at space, tab, newline, '#'). */
static tok word(parser *ps)
{
    skip_blanks(&ps->s);
    tok t = {ps->s.p, 0};
    while (!custops__scan_eof(&ps->s) && *ps->s.p != ' ' && *ps->s.p != '\t' && *ps->s.p != '\n' &&
           *ps->s.p != '\r' && *ps->s.p != '#')
        ps->s.p++;
    t.n = (size_t)(ps->s.p - t.p);
    return t;
}

static int is(tok t, const char *w) { return t.n == strlen(w) && memcmp(t.p, w, t.n) == 0; }

static int expect_err(parser *ps, tok t, const char *what)
{
    if (t.n == 0)
        return custops__scan_err_at(&ps->s, t.p, CUSTOPS_EPARSE, "expected %s", what);
    return custops__scan_err_at(&ps->s, t.p, CUSTOPS_EPARSE, "expected %s, got '%.*s'", what, (int)(t.n > 40 ? 40 : t.n),
                                t.p);
}

static int end_of_line(parser *ps)
{
    skip_blanks(&ps->s);
    if (!custops__scan_eof(&ps->s) && *ps->s.p != '\n') {
        tok t = word(ps);
        return expect_err(ps, t, "end of line");
    }
    return CUSTOPS_OK;
}

static int ident(parser *ps, tok t, const char *what, uint32_t *id)
{
    if (t.n == 0 || t.n > 128)
        return expect_err(ps, t, what);
    for (size_t i = 0; i < t.n; i++) {
        unsigned char c = (unsigned char)t.p[i];
        if (!(c >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
              c == '-' || c == '.' || c == ':' || c == '/'))
            return expect_err(ps, t, what);
    }
    return custops__intern_put(&ps->j->strings, t.p, t.n, id, NULL);
}

/* 30s 15m 2h 7d 1w -> seconds */
static int duration(parser *ps, tok t, int64_t *secs)
{
    if (t.n < 2)
        return expect_err(ps, t, "a duration such as 15m, 2h or 7d");
    int64_t v;
    if (custops__parse_i64(t.p, t.n - 1, &v) != 0 || v < 0 || v > 3650LL * 86400)
        return expect_err(ps, t, "a duration such as 15m, 2h or 7d");
    int64_t unit;
    switch (t.p[t.n - 1]) {
    case 's': unit = 1; break;
    case 'm': unit = 60; break;
    case 'h': unit = 3600; break;
    case 'd': unit = 86400; break;
    case 'w': unit = 7 * 86400; break;
    default: return expect_err(ps, t, "a duration unit s, m, h, d or w");
    }
    *secs = v * unit;
    if (*secs > 3650LL * 86400)
        return expect_err(ps, t, "a duration of at most 10 years");
    return CUSTOPS_OK;
}

/* HH:MM -> seconds of day */
static int clock_time(parser *ps, tok t, int32_t *sod)
{
    int64_t h, m;
    if (t.n != 5 || t.p[2] != ':' || custops__parse_i64(t.p, 2, &h) || custops__parse_i64(t.p + 3, 2, &m) || h > 23 ||
        m > 59 || h < 0 || m < 0)
        return expect_err(ps, t, "a time of day HH:MM");
    *sod = (int32_t)(h * 3600 + m * 60);
    return CUSTOPS_OK;
}

static int parse_trigger(parser *ps, play_def *d)
{
    tok t = word(ps);
    if (is(t, "event")) {
        d->trigger = TRIG_EVENT;
        return ident(ps, word(ps), "an event type", &d->trig_type);
    }
    if (!is(t, "schedule"))
        return expect_err(ps, t, "'event' or 'schedule'");
    d->trigger = TRIG_SCHEDULE;
    t = word(ps);
    if (is(t, "daily")) {
        d->sched = SCHED_DAILY;
    } else if (is(t, "weekly")) {
        static const char *const DAYS[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
        d->sched = SCHED_WEEKLY;
        tok w = word(ps);
        d->sched_arg = -1;
        for (int i = 0; i < 7; i++)
            if (is(w, DAYS[i]))
                d->sched_arg = i;
        if (d->sched_arg < 0)
            return expect_err(ps, w, "a weekday mon..sun");
    } else if (is(t, "monthly")) {
        d->sched = SCHED_MONTHLY;
        tok w = word(ps);
        int64_t day;
        if (custops__parse_i64(w.p, w.n, &day) || day < 1 || day > 31)
            return expect_err(ps, w, "a day of month 1..31");
        d->sched_arg = (int)day;
    } else {
        return expect_err(ps, t, "'daily', 'weekly' or 'monthly'");
    }
    return clock_time(ps, word(ps), &d->sched_sod);
}

static int percent(parser *ps, tok t, double *share)
{
    int64_t v;
    if (t.n < 2 || t.p[t.n - 1] != '%' || custops__parse_i64(t.p, t.n - 1, &v) || v < 0 || v > 100)
        return expect_err(ps, t, "a percentage 0%..100%");
    *share = (double)v / 100.0;
    return CUSTOPS_OK;
}

static int parse_step(parser *ps, play_def *d, tok kw, int *handled)
{
    *handled = 1;
    play_step st;
    memset(&st, 0, sizeof st);
    st.line = ps->s.line;
    int rc = CUSTOPS_OK;
    if (is(kw, "wait")) {
        tok t = word(ps);
        if (is(t, "until")) {
            tok a = word(ps);
            if (is(a, "trigger")) {
                tok plus = word(ps);
                if (!is(plus, "+"))
                    return expect_err(ps, plus, "'+' after 'trigger'");
                st.kind = ST_WAIT_TRIGGER;
                rc = duration(ps, word(ps), &st.secs);
            } else {
                /* YYYY-MM-DD [HH:MM] local */
                tok tm = word(ps);
                char buf[40];
                if (a.n != 10 || tm.n > 8)
                    return expect_err(ps, a, "'trigger + DURATION' or a local date YYYY-MM-DD HH:MM");
                snprintf(buf, sizeof buf, "%.*s%s%.*s", (int)a.n, a.p, tm.n ? " " : "", (int)tm.n, tm.p);
                st.kind = ST_WAIT_ABS;
                if (custops_time_parse(buf, ps->j->zone, &st.secs) != 0)
                    return expect_err(ps, a, "a local date YYYY-MM-DD HH:MM");
            }
        } else {
            st.kind = ST_WAIT;
            rc = duration(ps, t, &st.secs);
        }
    } else if (is(kw, "stop")) {
        tok a = word(ps), b = word(ps);
        if (!is(a, "if") || !is(b, "event"))
            return expect_err(ps, is(a, "if") ? b : a, "'if event TYPE'");
        st.kind = ST_STOP_IF;
        rc = ident(ps, word(ps), "an event type", &st.type);
        skip_blanks(&ps->s);
        if (rc == 0 && !custops__scan_eof(&ps->s) && *ps->s.p != '\n') {
            tok s1 = word(ps), s2 = word(ps);
            if (!is(s1, "same") || !is(s2, "key"))
                return expect_err(ps, is(s1, "same") ? s2 : s1, "'same key' or end of line");
            st.same_key = 1;
        }
    } else if (is(kw, "send")) {
        st.kind = ST_SEND;
        rc = ident(ps, word(ps), "a channel such as sms", &st.channel);
        if (rc == 0)
            rc = ident(ps, word(ps), "a template name", &st.target);
        skip_blanks(&ps->s);
        if (rc == 0 && !custops__scan_eof(&ps->s) && *ps->s.p != '\n') {
            tok a = word(ps), b = word(ps), c = word(ps);
            if (!is(a, "at") || !is(b, "best") || !is(c, "time"))
                return expect_err(ps, a, "'at best time' or end of line");
            st.best_time = 1;
        }
    } else if (is(kw, "coupon")) {
        st.kind = ST_COUPON;
        rc = ident(ps, word(ps), "a coupon rule id", &st.target);
    } else if (is(kw, "tag")) {
        st.kind = ST_TAG;
        rc = ident(ps, word(ps), "a tag", &st.target);
    } else {
        *handled = 0;
        return CUSTOPS_OK;
    }
    if (rc)
        return rc;
    if (d->nsteps >= PLAYS_MAX_STEPS)
        return custops__scan_err_at(&ps->s, kw.p, CUSTOPS_ELIMIT, "more than %d steps in one play", PLAYS_MAX_STEPS);
    d->steps[d->nsteps++] = st;
    return end_of_line(ps);
}

static int parse_setting(parser *ps, play_def *d, tok kw)
{
    int rc;
    if (is(kw, "trigger")) {
        if (d->trigger)
            return custops__scan_err_at(&ps->s, kw.p, CUSTOPS_EPARSE, "a play has one trigger");
        rc = parse_trigger(ps, d);
    } else if (is(kw, "quiet")) {
        tok t = word(ps);
        if (t.n != 11 || t.p[5] != '-')
            return expect_err(ps, t, "quiet hours HH:MM-HH:MM");
        tok a = {t.p, 5}, b = {t.p + 6, 5};
        rc = clock_time(ps, a, &d->quiet_from);
        if (rc == 0)
            rc = clock_time(ps, b, &d->quiet_to);
        if (rc == 0 && d->quiet_from == d->quiet_to)
            return expect_err(ps, t, "a non-empty quiet period");
    } else if (is(kw, "cap")) {
        if (d->ncaps >= PLAYS_MAX_CAPS)
            return custops__scan_err_at(&ps->s, kw.p, CUSTOPS_ELIMIT, "more than %d caps in one play", PLAYS_MAX_CAPS);
        play_cap *c = &d->caps[d->ncaps];
        rc = ident(ps, word(ps), "a channel", &c->channel);
        if (rc)
            return rc;
        tok n = word(ps);
        if (custops__parse_i64(n.p, n.n, &c->limit) || c->limit < 0)
            return expect_err(ps, n, "a number of messages");
        tok per = word(ps);
        if (!is(per, "per"))
            return expect_err(ps, per, "'per'");
        rc = duration(ps, word(ps), &c->window);
        if (rc == 0 && c->window == 0)
            return custops__scan_err(&ps->s, CUSTOPS_EPARSE, "a cap window must be longer than 0");
        d->ncaps++;
    } else if (is(kw, "holdout")) {
        rc = percent(ps, word(ps), &d->holdout);
    } else {
        return expect_err(ps, kw, "a step (wait, stop, send, coupon, tag), a setting (trigger, quiet, cap, holdout) or 'end'");
    }
    return rc ? rc : end_of_line(ps);
}

int custops__plays_parse(custops_journeys *j, const char *text)
{
    parser ps;
    ps.j = j;
    custops__scan_init(&ps.s, text, strlen(text), "<plays>");
    size_t cap = 0;
    play_def *cur = NULL;
    tok cur_kw = {NULL, 0};
    int rc = CUSTOPS_OK;
    while (rc == 0) {
        custops__scan_skip_ws(&ps.s); /* blank lines and comments */
        if (custops__scan_eof(&ps.s))
            break;
        tok kw = word(&ps);
        if (!cur) {
            if (!is(kw, "play")) {
                rc = expect_err(&ps, kw, "'play NAME'");
                break;
            }
            if (j->nplays >= PLAYS_MAX_PLAYS) {
                rc = custops__scan_err_at(&ps.s, kw.p, CUSTOPS_ELIMIT, "more than %d plays", PLAYS_MAX_PLAYS);
                break;
            }
            if (CUSTOPS__GROW(j->plays, cap, j->nplays + 1)) {
                rc = CUSTOPS_ENOMEM;
                break;
            }
            cur = &j->plays[j->nplays];
            memset(cur, 0, sizeof *cur);
            cur->quiet_from = cur->quiet_to = -1;
            tok name = word(&ps);
            if ((rc = ident(&ps, name, "a play name", &cur->name)) != 0)
                break;
            for (size_t i = 0; i < j->nplays; i++)
                if (j->plays[i].name == cur->name) {
                    rc = custops__scan_err_at(&ps.s, name.p, CUSTOPS_EPARSE, "play '%.*s' is defined twice", (int)name.n,
                                              name.p);
                    break;
                }
            if (rc)
                break;
            skip_blanks(&ps.s);
            if (!custops__scan_eof(&ps.s) && *ps.s.p != '\n') {
                tok h = word(&ps);
                if (!is(h, "holdout")) {
                    rc = expect_err(&ps, h, "'holdout P%' or end of line");
                    break;
                }
                if ((rc = percent(&ps, word(&ps), &cur->holdout)) != 0)
                    break;
            }
            rc = end_of_line(&ps);
            cur_kw = kw;
            continue;
        }
        if (is(kw, "end")) {
            if (!cur->trigger)
                rc = custops__scan_err_at(&ps.s, cur_kw.p, CUSTOPS_EPARSE, "play has no trigger line");
            else if (cur->nsteps == 0)
                rc = custops__scan_err_at(&ps.s, cur_kw.p, CUSTOPS_EPARSE, "play has no steps");
            else
                rc = end_of_line(&ps);
            j->nplays++;
            cur = NULL;
            continue;
        }
        int handled;
        rc = parse_step(&ps, cur, kw, &handled);
        if (rc == 0 && !handled)
            rc = parse_setting(&ps, cur, kw);
    }
    if (rc == 0 && cur)
        rc = custops__scan_err(&ps.s, CUSTOPS_EPARSE, "expected 'end' to close the play");
    if (rc == 0 && j->nplays == 0)
        rc = custops__err(CUSTOPS_EPARSE, "<plays>:1:1: expected at least one play");
    return rc;
}
