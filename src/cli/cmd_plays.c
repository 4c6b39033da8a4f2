/* custops plays: dry-run automated plays (custops/plays.h) over a date
 * range of a store and report what they would have done and whether it
 * worked. plays_cli.h describes the parts. */
#include "plays_cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void help(void)
{
    printf("Usage: custops plays --plays FILE --from YYYY-MM-DD --to YYYY-MM-DD [options]\n\n"
           "Dry-run the plays of FILE (the play language of custops/plays.h) over the local\n"
           "days FROM..TO of a store: the store's orders and events are fed to the journey\n"
           "engine as triggers (order_created, order_paid, visit, cart_add, ...), schedule\n"
           "plays enroll their audience at each run, and the actions due are collected but\n"
           "not executed. Reports actions per step, channel and day by status (send,\n"
           "holdout, suppressed for consent, suppressed by cap) and, for plays with a\n"
           "holdout, the uplift of visit rate, conversion and revenue per customer.\n\n"
           "Data (one of; default a synthetic store):\n"
           "  --data DIR             orders.csv (+ customers.csv, refunds.csv, events.csv)\n"
           "  --jsonl FILE           one mixed JSON Lines file\n"
           "  --store FILE           a store saved by 'custops store' / custops_store_save\n"
           "  --customers N          synthetic store size (default 2000)\n"
           "  --seed S               synthetic store seed (default 42)\n"
           "  --zone ZONE            zone of the data and the plays (default the store's, or Asia/Shanghai)\n"
           "  --currency CODE        currency of CSV/JSONL data (default CNY)\n"
           "Plays:\n"
           "  --plays FILE           play definitions (required)\n"
           "  --events FILE          extra trigger events CSV: customer_id,type,key,time\n"
           "                         (order_unpaid, order_closed, order_shipped, ...)\n"
           "  --audience PLAY=EXPR   audience of a schedule play (segment language), repeatable\n"
           "  --assume-consent CH    treat every customer as consenting to channel CH, repeatable\n"
           "                         (sms, email and push consent come from customers.csv)\n"
           "  --no-best-time         ignore best send times (default: each customer's most\n"
           "                         frequent order hour)\n"
           "  --tick DURATION        clock step, e.g. 15m, 1h, 1d (default 1h; changes batching only)\n"
           "  --window DURATION      outcome window after a customer's first action (default 7d)\n"
           "Output:\n"
           "  --format text|json|csv report format on standard output (default text)\n"
           "  --actions FILE         write every action due as CSV\n"
           "  --uplift FILE          write the uplift report as CSV\n"
           "  --save-journeys FILE   save the journey state at the end of the range\n"
           "  --ledger LOCATION      issue the coupons due into this ledger (sqlite:PATH, a file,\n"
           "                         memory: or postgresql://...), once per action key\n"
           "  --quiet                no progress on the terminal\n\n"
           "Exit status: 0 done, 1 error in the data or the plays, 2 usage error.\n");
}

static int parse_duration(const char *text, int64_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (errno || end == text || v <= 0 || v > 100000)
        return -1;
    int64_t unit = *end == 's' ? 1 : *end == 'm' ? 60 : *end == 'h' ? 3600 : *end == 'd' ? 86400
                 : *end == 'w' ? 604800 : 0;
    if (!unit || end[1])
        return -1;
    *out = v * unit;
    return 0;
}

static int parse_day(const char *text, int32_t *day)
{
    int y, m, d, n = 0;
    if (sscanf(text, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 || text[n] != '\0')
        return -1;
    return custops_date_to_day(y, m, d, day) == 0 ? 0 : -1;
}

static char *read_file(const char *path, size_t limit)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = malloc(limit + 2);
    size_t n = buf ? fread(buf, 1, limit + 1, f) : 0;
    int bad = ferror(f) || n > limit;
    fclose(f);
    if (!buf || bad) {
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    return buf;
}

typedef struct args {
    const char *plays, *data, *jsonl, *store, *zone, *currency, *from, *to, *format, *actions, *uplift, *save, *ledger;
    int64_t customers, seed;
} args;

static int ingest_dir(const char *cmd, custops_store *st, const char *dir, int quiet)
{
    static const char *const FILES[] = {"customers.csv", "orders.csv", "refunds.csv", "events.csv"};
    for (size_t k = 0; k < 4; k++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, FILES[k]);
        if (access(path, F_OK) != 0) {
            if (k != 1)
                continue;
            fprintf(stderr, "custops %s: %s: no such file (the data folder needs at least orders.csv)\n", cmd, path);
            return 1;
        }
        cli_progress pr;
        cli_progress_start(&pr, FILES[k]);
        if (quiet)
            pr.active = 0;
        int rc = custops_store_ingest_csv(st, path, NULL, NULL, NULL);
        cli_progress_end(&pr);
        if (rc)
            return cli_fail(cmd, rc, "ingest");
    }
    return 0;
}

/* the synthetic store, written to a scratch folder, read, and removed */
static int load_synthetic(plays_sim *s, const args *a, const char *zone)
{
    const char *tmp = getenv("TMPDIR");
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/custops-plays-XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
    if (!mkdtemp(dir)) {
        fprintf(stderr, "custops %s: cannot make a scratch folder in %s\n", s->cmd, tmp && tmp[0] ? tmp : "/tmp");
        return 1;
    }
    custops_synth_options so;
    custops_synth_options_init(&so, CUSTOPS_SYNTH_OPTIONS_VERSION);
    so.customers = a->customers;
    so.seed = (uint64_t)a->seed;
    so.zone = zone;
    so.currency = a->currency;
    int rc = custops_synth_write(&so, dir), status = 0;
    if (rc)
        status = cli_fail(s->cmd, rc, "synthetic store");
    else if ((rc = custops_store_new(&s->store, zone, a->currency)))
        status = cli_fail(s->cmd, rc, "store");
    else
        status = ingest_dir(s->cmd, s->store, dir, s->quiet);
    static const char *const FILES[] = {"customers.csv", "orders.csv", "refunds.csv", "events.csv", "truth.json"};
    for (size_t k = 0; k < 5; k++) {
        char path[4200];
        snprintf(path, sizeof path, "%s/%s", dir, FILES[k]);
        remove(path);
    }
    rmdir(dir);
    return status;
}

static int load_store(plays_sim *s, const args *a)
{
    int rc;
    const char *zone = a->zone ? a->zone : "Asia/Shanghai";
    if (a->store) {
        if ((rc = custops_store_load(&s->store, a->store)))
            return cli_fail(s->cmd, rc, a->store);
        if (!a->zone)
            zone = custops_store_zone(s->store);
    } else if (a->data || a->jsonl) {
        if ((rc = custops_store_new(&s->store, zone, a->currency)))
            return cli_fail(s->cmd, rc, "store");
        if (a->data && ingest_dir(s->cmd, s->store, a->data, s->quiet))
            return 1;
        if (a->jsonl && (rc = custops_store_ingest_jsonl(s->store, a->jsonl, NULL, NULL, NULL)))
            return cli_fail(s->cmd, rc, "ingest");
    } else if (load_synthetic(s, a, zone)) {
        return 1;
    }
    if ((rc = custops_zone_open(&s->zone, zone)))
        return cli_fail(s->cmd, rc, "zone");
    return 0;
}

/* the play file; parse errors point into it as FILE:LINE:COL */
static int load_plays(plays_sim *s, const char *path)
{
    char *text = read_file(path, 1u << 20);
    if (!text) {
        fprintf(stderr, "custops %s: %s: cannot read (missing, unreadable or larger than 1 MiB)\n", s->cmd, path);
        return 1;
    }
    int rc = custops_journeys_new(&s->j, text, custops_zone_name(s->zone));
    free(text);
    if (rc == CUSTOPS_EPARSE && strncmp(custops_last_error(), "<plays>:", 8) == 0) {
        fprintf(stderr, "custops %s: %s:%s\n", s->cmd, path, custops_last_error() + 8);
        return 1;
    }
    return rc ? cli_fail(s->cmd, rc, path) : 0;
}

static int parse_args(int argc, char **argv, args *a, plays_sim *s, int *format)
{
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i];
        if (!strcmp(o, "--no-best-time")) {
            s->best_time = 0;
            continue;
        }
        if (!strcmp(o, "--quiet")) {
            s->quiet = 1;
            continue;
        }
        if (i + 1 >= argc || strncmp(o, "--", 2) != 0)
            return cli_usage_error(s->cmd, strncmp(o, "--", 2) ? "unexpected argument '%s'" : "%s needs a value", o);
        const char *v = argv[++i];
        const char **slot = !strcmp(o, "--plays")     ? &a->plays
                          : !strcmp(o, "--data")      ? &a->data
                          : !strcmp(o, "--jsonl")     ? &a->jsonl
                          : !strcmp(o, "--store")     ? &a->store
                          : !strcmp(o, "--zone")      ? &a->zone
                          : !strcmp(o, "--currency")  ? &a->currency
                          : !strcmp(o, "--from")      ? &a->from
                          : !strcmp(o, "--to")        ? &a->to
                          : !strcmp(o, "--format")    ? &a->format
                          : !strcmp(o, "--actions")   ? &a->actions
                          : !strcmp(o, "--uplift")    ? &a->uplift
                          : !strcmp(o, "--save-journeys") ? &a->save
                          : !strcmp(o, "--ledger")    ? &a->ledger
                          : !strcmp(o, "--events")    ? &s->extra_events
                                                      : NULL;
        if (slot) {
            *slot = v;
        } else if (!strcmp(o, "--customers") || !strcmp(o, "--seed")) {
            char *end;
            errno = 0;
            long long n = strtoll(v, &end, 10);
            if (errno || end == v || *end || n < 0)
                return cli_usage_error(s->cmd, "%s: '%s' is not a non-negative integer", o, v);
            *(o[2] == 'c' ? &a->customers : &a->seed) = n;
        } else if (!strcmp(o, "--tick") || !strcmp(o, "--window")) {
            if (parse_duration(v, o[2] == 't' ? &s->step : &s->window))
                return cli_usage_error(s->cmd, "%s: '%s' is not a duration such as 15m, 1h or 7d", o, v);
        } else if (!strcmp(o, "--audience")) {
            const char *eq = strchr(v, '=');
            if (!eq || eq == v || !eq[1])
                return cli_usage_error(s->cmd, "--audience needs PLAY=EXPR, got '%s'", v);
            if (s->naud >= PLAYS_MAX_AUDIENCES)
                return cli_usage_error(s->cmd, "at most %d audiences", PLAYS_MAX_AUDIENCES);
            /* the play name is cut out of the argument in place */
            argv[i][eq - v] = '\0';
            s->aud_play[s->naud] = v;
            s->aud_expr[s->naud++] = eq + 1;
        } else if (!strcmp(o, "--assume-consent")) {
            if (s->nassume >= PLAYS_MAX_CHANNELS)
                return cli_usage_error(s->cmd, "at most %d --assume-consent channels", PLAYS_MAX_CHANNELS);
            s->assume_consent[s->nassume++] = v;
        } else {
            return cli_usage_error(s->cmd, "unknown option '%s'", o);
        }
    }
    if (!a->plays || !a->from || !a->to)
        return cli_usage_error(s->cmd, "--plays, --from and --to are required");
    if ((a->data != NULL) + (a->jsonl != NULL) + (a->store != NULL) > 1)
        return cli_usage_error(s->cmd, "give at most one of --data, --jsonl and --store");
    if (a->customers < 1 || a->customers > CUSTOPS_SYNTH_MAX_CUSTOMERS)
        return cli_usage_error(s->cmd, "--customers: between 1 and %d", CUSTOPS_SYNTH_MAX_CUSTOMERS);
    *format = !strcmp(a->format, "text") ? PLAYS_TEXT : !strcmp(a->format, "json") ? PLAYS_JSON
            : !strcmp(a->format, "csv")  ? PLAYS_CSV  : -1;
    if (*format < 0)
        return cli_usage_error(s->cmd, "--format: text, json or csv, not '%s'", a->format);
    return 0;
}

static int run(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            help();
            return 0;
        }
    plays_sim s;
    memset(&s, 0, sizeof s);
    s.cmd = "plays";
    s.step = 3600;
    s.window = 7 * 86400;
    s.best_time = 1;
    args a = {.currency = "CNY", .format = "text", .customers = 2000, .seed = 42};
    int format, status = parse_args(argc, argv, &a, &s, &format);
    if (status)
        return status;
    int32_t d0, d1;
    if (parse_day(a.from, &d0))
        return cli_usage_error(s.cmd, "--from: '%s' is not a date YYYY-MM-DD", a.from);
    if (parse_day(a.to, &d1) || d1 < d0 || d1 - d0 > 3660)
        return cli_usage_error(s.cmd, "--to: '%s' is not a date YYYY-MM-DD from --from to ten years later", a.to);

    custops_frame *uplift = NULL;
    status = 1;
    int rc;
    if (load_store(&s, &a) || load_plays(&s, a.plays))
        goto out;
    if ((rc = custops_zone_instant(s.zone, d0, 0, &s.from)) || (rc = custops_zone_instant(s.zone, d1 + 1, 0, &s.end))) {
        cli_fail(s.cmd, rc, "range");
        goto out;
    }
    if (a.actions && !(s.actions_csv = fopen(a.actions, "w"))) {
        fprintf(stderr, "custops %s: %s: cannot write\n", s.cmd, a.actions);
        goto out;
    }
    if (a.ledger && (rc = custops_ledger_open(&s.ledger, a.ledger, NULL))) {
        cli_fail(s.cmd, rc, a.ledger);
        goto out;
    }
    if (plays_sim_prepare(&s) || (status = plays_sim_run(&s)) != 0)
        goto out;
    status = 1;
    if (s.actions_csv) {
        int bad = ferror(s.actions_csv);
        bad |= fclose(s.actions_csv) != 0;
        s.actions_csv = NULL;
        if (bad) {
            fprintf(stderr, "custops %s: %s: write failed\n", s.cmd, a.actions);
            goto out;
        }
    }
    if (plays_uplift(&s, &uplift))
        goto out;
    if (a.uplift && uplift && (rc = custops_frame_write_csv(uplift, a.uplift))) {
        cli_fail(s.cmd, rc, a.uplift);
        goto out;
    }
    if (a.save && (rc = custops_journeys_save(s.j, a.save))) {
        cli_fail(s.cmd, rc, a.save);
        goto out;
    }
    if (plays_report(&s, uplift, format, stdout))
        goto out;
    status = fflush(stdout) == 0 ? 0 : 1;
out:
    if (s.actions_csv)
        fclose(s.actions_csv);
    custops_frame_free(uplift);
    plays_sim_free(&s);
    return status;
}

const cli_command cli_cmd_plays = {"plays", "dry-run automated plays over a date range and measure their uplift", run};
