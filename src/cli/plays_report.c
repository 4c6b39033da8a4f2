/* custops plays, the report: what the plays would have done (actions per
 * step, per local day and per channel, by status) and, for plays with a
 * holdout, whether the customers they reached did better than the ones
 * held back (custops_uplift_report over one row per play and customer). */
#include "plays_cli.h"

#include <float.h>
#include <stdlib.h>
#include <string.h>

static const int64_t *col_i64(const custops_frame *f, const char *name)
{
    size_t c;
    const int64_t *v;
    if (custops_frame_find(f, name, &c) || custops_frame_int64(f, c, &v))
        return NULL;
    return v;
}

/* growable columns of the per-customer outcome frame */
typedef struct outcome_rows {
    const char **play, **scope;
    int64_t *holdout, *reached, *visited, *converted, *revenue;
    size_t n, cap;
} outcome_rows;

static int rows_push(outcome_rows *r, const char *play, const char *scope, int64_t h, int64_t reach, int64_t v, int64_t c, int64_t rev)
{
    if (r->n == r->cap) {
        size_t cap = r->cap ? 2 * r->cap : 1024;
        void *p[7] = {realloc(r->play, cap * sizeof *r->play), realloc(r->holdout, cap * 8),
                      realloc(r->reached, cap * 8), realloc(r->visited, cap * 8),
                      realloc(r->converted, cap * 8), realloc(r->revenue, cap * 8),
                      realloc(r->scope, cap * sizeof *r->scope)};
        if (p[0])
            r->play = p[0];
        if (p[1])
            r->holdout = p[1];
        if (p[2])
            r->reached = p[2];
        if (p[3])
            r->visited = p[3];
        if (p[4])
            r->converted = p[4];
        if (p[5])
            r->revenue = p[5];
        if (p[6])
            r->scope = p[6];
        for (int k = 0; k < 7; k++)
            if (!p[k])
                return CUSTOPS_ENOMEM;
        r->cap = cap;
    }
    r->play[r->n] = play;
    r->scope[r->n] = scope;
    r->holdout[r->n] = h;
    r->reached[r->n] = reach;
    r->visited[r->n] = v;
    r->converted[r->n] = c;
    r->revenue[r->n] = rev;
    r->n++;
    return 0;
}

static void rows_free(outcome_rows *r)
{
    free(r->play);
    free(r->scope);
    free(r->holdout);
    free(r->reached);
    free(r->visited);
    free(r->converted);
    free(r->revenue);
}

/* What one uplift group covers: the whole play, one of its steps, or its
 * messages on one channel. */
typedef struct uplift_scope {
    int what; /* 0 play, 1 step row, 2 channel */
    size_t steprow;
    const char *channel;
} uplift_scope;

static int in_scope(const plays_sim *s, const uplift_scope *sc, size_t a)
{
    if (sc->what == 1)
        return s->a_steprow[a] == sc->steprow;
    if (sc->what == 2)
        return strcmp(s->steps[s->a_steprow[a]].channel, sc->channel) == 0;
    return 1;
}

/* A customer enters a group at their first action in it (sent, suppressed
 * or held out alike, so both arms start the same way); the outcomes are
 * counted in (entry, entry + window]: a visit event, an order, and the
 * order lines' amounts. A group without both arms is left out. */
static int measure(plays_sim *s, size_t p, const uplift_scope *sc, const char *label, int64_t *first, uint8_t *reached,
                   outcome_rows *rows)
{
    const char *name = custops_journeys_play_name(s->j, p);
    const int64_t *lt = col_i64(s->lines, "time"), *la = col_i64(s->lines, "amount"),
                  *et = col_i64(s->events, "time"), *ety = col_i64(s->events, "type");
    for (size_t i = 0; i < s->ncust; i++)
        first[i] = INT64_MAX, reached[i] = 0;
    for (size_t a = 0; a < s->na; a++) {
        int32_t c = s->a_cust[a];
        if (s->a_play[a] != p || c < 0 || !in_scope(s, sc, a))
            continue;
        if (s->a_at[a] < first[c])
            first[c] = s->a_at[a];
        if (s->a_status[a] == 0)
            reached[c] = 1;
    }
    size_t start = rows->n, nh = 0;
    int rc;
    for (size_t i = 0; i < s->ncust; i++) {
        if (first[i] == INT64_MAX)
            continue;
        int h;
        if ((rc = custops_journeys_in_holdout(s->j, name, s->ids[i], &h)))
            return rc;
        int64_t lo_t = first[i], hi_t = first[i] > INT64_MAX - s->window ? INT64_MAX : first[i] + s->window;
        int64_t visited = 0, converted = 0, revenue = 0;
        for (size_t e = s->event_start[i]; e < s->event_start[i + 1]; e++)
            if (ety[e] == CUSTOPS_EVENT_VISIT && et[e] > lo_t && et[e] <= hi_t)
                visited = 1;
        for (size_t l = s->line_start[i]; l < s->line_start[i + 1]; l++)
            if (lt[l] > lo_t && lt[l] <= hi_t) {
                converted = 1;
                revenue += la[l];
            }
        if ((rc = rows_push(rows, name, label, h, h ? 0 : reached[i], visited, converted, revenue)))
            return rc;
        nh += (size_t)h;
    }
    if (nh == 0 || nh == rows->n - start)
        rows->n = start; /* no holdout (or no treatment): nothing to compare */
    return CUSTOPS_OK;
}

/* Uplift per play ("play"), per step ("step N") and per channel
 * ("channel CH"). Step and channel groups hold the customers whose journey
 * reached that step, treated or held out: an early step that works can
 * stop treated journeys before a later one, so later steps compare
 * slightly different populations (the play row is the unbiased one). */
int plays_uplift(plays_sim *s, custops_frame **out)
{
    *out = NULL;
    size_t nplays = custops_journeys_nplays(s->j);
    int64_t *first = malloc((s->ncust ? s->ncust : 1) * sizeof *first);
    uint8_t *reached = malloc(s->ncust ? s->ncust : 1);
    char **labels = calloc(2 * s->nsteps + 1, sizeof *labels);
    size_t nlabels = 0;
    outcome_rows rows;
    memset(&rows, 0, sizeof rows);
    custops_frame *f = NULL;
    int rc = CUSTOPS_ENOMEM;
    if (!first || !reached || !labels)
        goto out;
    for (size_t p = 0; p < nplays; p++) {
        uplift_scope all = {0, 0, NULL};
        if ((rc = measure(s, p, &all, "play", first, reached, &rows)))
            goto out;
        for (size_t k = 0; k < s->nsteps; k++) {
            if (s->steps[k].play != p)
                continue;
            char buf[96];
            snprintf(buf, sizeof buf, "step %lld", (long long)s->steps[k].step);
            if (!(labels[nlabels] = strdup(buf))) {
                rc = CUSTOPS_ENOMEM;
                goto out;
            }
            uplift_scope st = {1, k, NULL};
            if ((rc = measure(s, p, &st, labels[nlabels++], first, reached, &rows)))
                goto out;
            /* a channel once per play, at its first step */
            const char *ch = s->steps[k].channel;
            int seen = !ch[0];
            for (size_t q = 0; q < k && !seen; q++)
                seen = s->steps[q].play == p && strcmp(s->steps[q].channel, ch) == 0;
            if (seen)
                continue;
            snprintf(buf, sizeof buf, "channel %s", ch);
            if (!(labels[nlabels] = strdup(buf))) {
                rc = CUSTOPS_ENOMEM;
                goto out;
            }
            uplift_scope chs = {2, 0, ch};
            if ((rc = measure(s, p, &chs, labels[nlabels++], first, reached, &rows)))
                goto out;
        }
    }
    rc = CUSTOPS_OK;
    if (rows.n == 0)
        goto out;
    if ((rc = custops_frame_new(&f)) || (rc = custops_frame_add_string(f, "play", rows.play, rows.n)) ||
        (rc = custops_frame_add_string(f, "scope", rows.scope, rows.n)) ||
        (rc = custops_frame_add_int64(f, "holdout", rows.holdout, rows.n)) ||
        (rc = custops_frame_add_int64(f, "reached", rows.reached, rows.n)) ||
        (rc = custops_frame_add_int64(f, "visited", rows.visited, rows.n)) ||
        (rc = custops_frame_add_int64(f, "converted", rows.converted, rows.n)) ||
        (rc = custops_frame_add_int64(f, "revenue", rows.revenue, rows.n)))
        goto out;
    custops_uplift_options o;
    custops_uplift_options_init(&o, CUSTOPS_UPLIFT_OPTIONS_VERSION);
    o.group_cols = "play,scope";
    rc = custops_uplift_report(f, &o, out);
out:
    custops_frame_free(f);
    rows_free(&rows);
    for (size_t k = 0; k < nlabels; k++)
        free(labels[k]);
    free(labels);
    free(first);
    free(reached);
    return rc ? cli_fail(s->cmd, rc, "uplift") : 0;
}

/* ------------------------------------------------------------------ */
/* tallies                                                             */

typedef struct tally {
    char key[64];
    int64_t count[PLAYS_NSTATUS];
} tally;

typedef struct tallies {
    tally *days;       /* one per local day of the range */
    int32_t day0;
    size_t ndays;
    tally chan[PLAYS_MAX_CHANNELS + 1]; /* the last collects the rest */
    size_t nchan;
    int64_t total[PLAYS_NSTATUS];
} tallies;

static int tally_build(plays_sim *s, tallies *t)
{
    memset(t, 0, sizeof *t);
    int32_t d1, sod;
    custops_zone_local(s->zone, s->from, &t->day0, &sod);
    custops_zone_local(s->zone, s->end - 1, &d1, &sod);
    t->ndays = (size_t)(d1 - t->day0 + 1);
    t->days = calloc(t->ndays, sizeof *t->days);
    if (!t->days)
        return CUSTOPS_ENOMEM;
    for (size_t d = 0; d < t->ndays; d++) {
        int y, m, md;
        custops_day_to_date(t->day0 + (int32_t)d, &y, &m, &md);
        snprintf(t->days[d].key, sizeof t->days[d].key, "%04d-%02d-%02d", y, m, md);
    }
    for (size_t a = 0; a < s->na; a++) {
        int32_t day;
        custops_zone_local(s->zone, s->a_at[a], &day, &sod);
        int64_t d = (int64_t)day - t->day0;
        d = d < 0 ? 0 : d >= (int64_t)t->ndays ? (int64_t)t->ndays - 1 : d;
        int st = s->a_status[a];
        t->days[d].count[st]++;
        t->total[st]++;
    }
    /* channels from the step rows (messages only; coupons and tags have none) */
    for (size_t k = 0; k < s->nsteps; k++) {
        const plays_step_row *r = &s->steps[k];
        if (!r->channel[0])
            continue;
        size_t c = 0;
        while (c < t->nchan && strcmp(t->chan[c].key, r->channel) != 0)
            c++;
        if (c == t->nchan) {
            if (t->nchan < PLAYS_MAX_CHANNELS)
                t->nchan++;
            else
                c = PLAYS_MAX_CHANNELS; /* "(other)" */
            snprintf(t->chan[c].key, sizeof t->chan[c].key, "%s", c == PLAYS_MAX_CHANNELS ? "(other)" : r->channel);
            if (c == PLAYS_MAX_CHANNELS)
                t->nchan = PLAYS_MAX_CHANNELS + 1;
        }
        for (int st = 0; st < PLAYS_NSTATUS; st++)
            t->chan[c].count[st] += r->count[st];
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* output                                                              */

static void json_str(FILE *f, const char *v)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(f, "\\%c", *p);
        else if (*p < 0x20)
            fprintf(f, "\\u%04x", *p);
        else
            fputc(*p, f);
    }
    fputc('"', f);
}

static void json_counts(FILE *f, const int64_t *c)
{
    for (int st = 0; st < PLAYS_NSTATUS; st++)
        fprintf(f, ",\"%s\":%lld", plays_status_names[st], (long long)c[st]);
}

static void json_number(FILE *f, double v)
{
    if (v >= DBL_MAX || v <= -DBL_MAX)
        fputs("null", f); /* not estimable */
    else
        fprintf(f, "%.17g", v);
}

static void json_frame_rows(FILE *f, const custops_frame *fr)
{
    fputc('[', f);
    for (size_t i = 0, n = fr ? custops_frame_nrows(fr) : 0; i < n; i++) {
        fprintf(f, "%s{", i ? "," : "");
        for (size_t c = 0; c < custops_frame_ncols(fr); c++) {
            fprintf(f, "%s", c ? "," : "");
            json_str(f, custops_frame_col_name(fr, c));
            fputc(':', f);
            int type = custops_frame_col_type(fr, c);
            if (type == CUSTOPS_COL_STRING) {
                const char *v;
                custops_frame_string(fr, c, i, &v);
                json_str(f, v);
            } else if (type == CUSTOPS_COL_INT64) {
                const int64_t *v;
                custops_frame_int64(fr, c, &v);
                fprintf(f, "%lld", (long long)v[i]);
            } else {
                const double *v;
                custops_frame_double(fr, c, &v);
                json_number(f, v[i]);
            }
        }
        fputc('}', f);
    }
    fputc(']', f);
}

static void text_range(plays_sim *s, char *buf, size_t cap)
{
    char a[64], b[64];
    custops_time_format(s->from, s->zone, a, sizeof a);
    custops_time_format(s->end, s->zone, b, sizeof b);
    snprintf(buf, cap, "%s .. %s", a, b);
}

static double dcol(const custops_frame *f, const char *name, size_t row)
{
    size_t c;
    const double *v;
    if (custops_frame_find(f, name, &c) || custops_frame_double(f, c, &v))
        return 0;
    return v[row];
}

static void text_uplift_cell(FILE *f, const custops_frame *u, const char *outcome, size_t row, double scale,
                             const char *unit)
{
    char name[64];
    snprintf(name, sizeof name, "%s_uplift", outcome);
    double up = dcol(u, name, row);
    snprintf(name, sizeof name, "%s_lo", outcome);
    double lo = dcol(u, name, row);
    snprintf(name, sizeof name, "%s_hi", outcome);
    double hi = dcol(u, name, row);
    if (lo <= -DBL_MAX || hi >= DBL_MAX)
        fprintf(f, "  %+9.2f%s [not estimable]", up * scale, unit);
    else
        fprintf(f, "  %+9.2f%s [%+.2f, %+.2f]", up * scale, unit, lo * scale, hi * scale);
}

static void text_report(plays_sim *s, const tallies *t, const custops_frame *u, FILE *f)
{
    char range[160];
    text_range(s, range, sizeof range);
    fprintf(f, "Dry run of %zu play(s) over %s, ticks of %llds (%lld ticks)\n", custops_journeys_nplays(s->j), range,
            (long long)s->step, (long long)s->ntick);
    fprintf(f, "Events fed: %lld; audience enrollments: %lld; actions: %zu "
               "(send %lld, holdout %lld, suppressed for consent %lld, suppressed by cap %lld)\n"
               "%s",
            (long long)s->nfed, (long long)s->nenrolled, s->na, (long long)t->total[0], (long long)t->total[1],
            (long long)t->total[2], (long long)t->total[3],
            s->ledger ? "" : "Nothing was executed: coupons, messages and tags are counted only.\n");
    if (s->ledger)
        fprintf(f, "Ledger: %lld coupons issued, %lld already issued by an earlier run (same action key).\n"
                   "Messages and tags were not executed.\n",
                (long long)s->issued, (long long)s->replayed);
    fputc('\n', f);
    fprintf(f, "%-22s %4s %-8s %-10s %-20s %9s %9s %11s %9s\n", "play", "step", "kind", "channel", "target", "send",
            "holdout", "no_consent", "capped");
    for (size_t k = 0; k < s->nsteps; k++) {
        const plays_step_row *r = &s->steps[k];
        fprintf(f, "%-22s %4lld %-8s %-10s %-20s %9lld %9lld %11lld %9lld\n", custops_journeys_play_name(s->j, r->play),
                (long long)r->step, r->kind, r->channel[0] ? r->channel : "-", r->target, (long long)r->count[0],
                (long long)r->count[1], (long long)r->count[2], (long long)r->count[3]);
    }
    fprintf(f, "\n%-10s %9s %9s %11s %9s\n", "channel", "send", "holdout", "no_consent", "capped");
    for (size_t c = 0; c < t->nchan; c++)
        fprintf(f, "%-10s %9lld %9lld %11lld %9lld\n", t->chan[c].key, (long long)t->chan[c].count[0],
                (long long)t->chan[c].count[1], (long long)t->chan[c].count[2], (long long)t->chan[c].count[3]);
    fprintf(f, "\n%-10s %9s %9s %11s %9s\n", "day", "send", "holdout", "no_consent", "capped");
    for (size_t d = 0; d < t->ndays; d++)
        fprintf(f, "%-10s %9lld %9lld %11lld %9lld\n", t->days[d].key, (long long)t->days[d].count[0],
                (long long)t->days[d].count[1], (long long)t->days[d].count[2], (long long)t->days[d].count[3]);
    fprintf(f, "\nUplift against the holdout (outcomes within %lld h of a customer's first action; 95%% intervals)\n",
            (long long)(s->window / 3600));
    if (!u || custops_frame_nrows(u) == 0) {
        fprintf(f, "  no play had both treated and held-out customers in the range\n");
        return;
    }
    size_t cp, cs;
    custops_frame_find(u, "play", &cp);
    custops_frame_find(u, "scope", &cs);
    for (size_t i = 0; i < custops_frame_nrows(u); i++) {
        const char *name, *scope;
        custops_frame_string(u, cp, i, &name);
        custops_frame_string(u, cs, i, &scope);
        fprintf(f, "%s, %s: %.0f treated, %.0f held out, reach %.1f%%\n", name, scope, dcol(u, "n_treatment", i), dcol(u, "n_holdout", i),
                100 * dcol(u, "reach_rate", i));
        fprintf(f, "  visit rate       %6.2f%% vs %6.2f%%", 100 * dcol(u, "visit_treatment", i),
                100 * dcol(u, "visit_holdout", i));
        text_uplift_cell(f, u, "visit", i, 100, " pp");
        fprintf(f, "\n  conversion       %6.2f%% vs %6.2f%%", 100 * dcol(u, "conversion_treatment", i),
                100 * dcol(u, "conversion_holdout", i));
        text_uplift_cell(f, u, "conversion", i, 100, " pp");
        fprintf(f, "\n  revenue/customer %8.2f vs %8.2f", dcol(u, "revenue_per_customer_treatment", i) / 100,
                dcol(u, "revenue_per_customer_holdout", i) / 100);
        text_uplift_cell(f, u, "revenue_per_customer", i, 0.01, "");
        fputc('\n', f);
    }
}

static void csv_counts_row(FILE *f, const char *table, const char *play, long long step, const char *kind,
                           const char *channel, const char *target, const char *day, const int64_t *c)
{
    fprintf(f, "%s,%s,", table, play);
    if (step > 0)
        fprintf(f, "%lld", step);
    fprintf(f, ",%s,%s,%s,%s,%lld,%lld,%lld,%lld\n", kind, channel, target, day, (long long)c[0], (long long)c[1],
            (long long)c[2], (long long)c[3]);
}

int plays_report(plays_sim *s, const custops_frame *u, int format, FILE *f)
{
    tallies t;
    if (tally_build(s, &t))
        return cli_fail(s->cmd, CUSTOPS_ENOMEM, "report");
    if (format == PLAYS_TEXT) {
        text_report(s, &t, u, f);
    } else if (format == PLAYS_CSV) {
        /* play, channel and target names are identifiers of the play
         * language (no commas or quotes), so they need no quoting */
        fprintf(f, "table,play,step,kind,channel,target,day,send,holdout,suppressed_consent,suppressed_cap\n");
        for (size_t k = 0; k < s->nsteps; k++) {
            const plays_step_row *r = &s->steps[k];
            csv_counts_row(f, "step", custops_journeys_play_name(s->j, r->play), (long long)r->step, r->kind,
                           r->channel, r->target, "", r->count);
        }
        for (size_t c = 0; c < t.nchan; c++)
            csv_counts_row(f, "channel", "", 0, "", t.chan[c].key, "", "", t.chan[c].count);
        for (size_t d = 0; d < t.ndays; d++)
            csv_counts_row(f, "day", "", 0, "", "", "", t.days[d].key, t.days[d].count);
        csv_counts_row(f, "total", "", 0, "", "", "", "", t.total);
    } else {
        char a[64], b[64];
        custops_time_format(s->from, s->zone, a, sizeof a);
        custops_time_format(s->end, s->zone, b, sizeof b);
        fprintf(f, "{\"from\":\"%s\",\"to\":\"%s\",\"tick_seconds\":%lld,\"ticks\":%lld,\"events_fed\":%lld,"
                   "\"enrolled\":%lld,\"window_seconds\":%lld,\"actions\":%zu,\"totals\":{",
                a, b, (long long)s->step, (long long)s->ntick, (long long)s->nfed, (long long)s->nenrolled,
                (long long)s->window, s->na);
        for (int st = 0; st < PLAYS_NSTATUS; st++)
            fprintf(f, "%s\"%s\":%lld", st ? "," : "", plays_status_names[st], (long long)t.total[st]);
        fprintf(f, "},\"plays\":[");
        for (size_t p = 0; p < custops_journeys_nplays(s->j); p++) {
            fprintf(f, "%s", p ? "," : "");
            json_str(f, custops_journeys_play_name(s->j, p));
        }
        fprintf(f, "],\"steps\":[");
        for (size_t k = 0; k < s->nsteps; k++) {
            const plays_step_row *r = &s->steps[k];
            fprintf(f, "%s{\"play\":", k ? "," : "");
            json_str(f, custops_journeys_play_name(s->j, r->play));
            fprintf(f, ",\"step\":%lld,\"kind\":", (long long)r->step);
            json_str(f, r->kind);
            fprintf(f, ",\"channel\":");
            json_str(f, r->channel);
            fprintf(f, ",\"target\":");
            json_str(f, r->target);
            json_counts(f, r->count);
            fputc('}', f);
        }
        fprintf(f, "],\"channels\":[");
        for (size_t c = 0; c < t.nchan; c++) {
            fprintf(f, "%s{\"channel\":", c ? "," : "");
            json_str(f, t.chan[c].key);
            json_counts(f, t.chan[c].count);
            fputc('}', f);
        }
        fprintf(f, "],\"days\":[");
        for (size_t d = 0; d < t.ndays; d++) {
            fprintf(f, "%s{\"day\":\"%s\"", d ? "," : "", t.days[d].key);
            json_counts(f, t.days[d].count);
            fputc('}', f);
        }
        if (s->ledger)
            fprintf(f, "],\"ledger\":{\"issued\":%lld,\"replayed\":%lld", (long long)s->issued,
                    (long long)s->replayed);
        fprintf(f, "%s,\"uplift\":", s->ledger ? "}" : "]");
        json_frame_rows(f, u);
        fprintf(f, "}\n");
    }
    free(t.days);
    return 0;
}
