/* custops ledger: the coupon redemption ledger from the shell.
 *   custops ledger init|issue|budget|reserve|commit|release|reverse|expire|show|verify|journal LEDGER [OPTIONS]
 *   custops ledger codes --count N [--ledger LEDGER] [--issue ...]
 * LEDGER is a file path (SQLite), sqlite:PATH or a PostgreSQL URL. Money is
 * in minor units; times are Unix seconds. Transitions need --now (a number,
 * or "now" for this machine's clock: the library itself never reads it). */
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void help(void)
{
    printf("Usage: custops ledger COMMAND LEDGER [OPTIONS]\n\n"
           "Commands:\n"
           "  init      create the ledger (or upgrade its schema) and print its journal size\n"
           "  issue     --code C [--owner ID] [--campaign B] [--max-uses N] [--per-customer N]\n"
           "            [--from T] [--until T] [--no-restore]\n"
           "  budget    --campaign B --amount MINOR     add money to a campaign budget\n"
           "  reserve   --code C --order O [--customer ID] [--amount MINOR] [--ttl SECONDS (900)]\n"
           "  commit    --code C --order O\n"
           "  release   --code C --order O\n"
           "  reverse   --code C --order O [--amount MINOR|rest (rest)]\n"
           "  expire    expire overdue reservations\n"
           "  show      print the whole state as JSON\n"
           "  verify    check the journal's hash chain; prints records and head hash\n"
           "  journal   [--after SEQ] [--limit N]: the journal as JSON lines (seq, ts, prev, hash, record)\n"
           "  codes     --count N [--prefix P] [--length L (10)] [--seed S (1)] [--ledger LEDGER]\n"
           "            [--issue and issue's limit options]: print unique codes, one a line\n\n"
           "Transitions take --now T (Unix seconds, or 'now') and an optional --key K\n"
           "(idempotency key: a retry with the same key answers the same and changes\n"
           "nothing). Exit status: 0 done, 1 refused or failed, 2 usage error.\n");
}

typedef struct opts {
    const char *code, *owner, *campaign, *order, *customer, *key, *prefix, *ledger;
    int64_t max_uses, per_customer, from, until, amount, ttl, now, count, length, seed, after, limit;
    int have_now, have_amount, amount_rest, no_restore, issue;
} opts;

static int parse_i64(const char *cmd, const char *name, const char *v, int64_t *out)
{
    char *end;
    errno = 0;
    long long x = strtoll(v, &end, 10);
    if (errno || end == v || *end != '\0')
        return cli_usage_error(cmd, "%s needs an integer, got '%s'", name, v);
    *out = (int64_t)x;
    return 0;
}

static int parse_opts(const char *cmd, int argc, char **argv, int first, opts *o)
{
    memset(o, 0, sizeof *o);
    o->ttl = 900;
    o->length = 10;
    o->seed = 1;
    for (int i = first; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--no-restore") == 0) {
            o->no_restore = 1;
            continue;
        }
        if (strcmp(a, "--issue") == 0) {
            o->issue = 1;
            continue;
        }
        if (strncmp(a, "--", 2) != 0 || i + 1 >= argc)
            return cli_usage_error(cmd, "unexpected argument '%s'", a);
        const char *v = argv[++i];
        int rc = 0;
        if (!strcmp(a, "--code"))
            o->code = v;
        else if (!strcmp(a, "--owner"))
            o->owner = v;
        else if (!strcmp(a, "--campaign"))
            o->campaign = v;
        else if (!strcmp(a, "--order"))
            o->order = v;
        else if (!strcmp(a, "--customer"))
            o->customer = v;
        else if (!strcmp(a, "--key"))
            o->key = v;
        else if (!strcmp(a, "--prefix"))
            o->prefix = v;
        else if (!strcmp(a, "--ledger"))
            o->ledger = v;
        else if (!strcmp(a, "--max-uses"))
            rc = parse_i64(cmd, a, v, &o->max_uses);
        else if (!strcmp(a, "--per-customer"))
            rc = parse_i64(cmd, a, v, &o->per_customer);
        else if (!strcmp(a, "--from"))
            rc = parse_i64(cmd, a, v, &o->from);
        else if (!strcmp(a, "--until"))
            rc = parse_i64(cmd, a, v, &o->until);
        else if (!strcmp(a, "--ttl"))
            rc = parse_i64(cmd, a, v, &o->ttl);
        else if (!strcmp(a, "--count"))
            rc = parse_i64(cmd, a, v, &o->count);
        else if (!strcmp(a, "--length"))
            rc = parse_i64(cmd, a, v, &o->length);
        else if (!strcmp(a, "--seed"))
            rc = parse_i64(cmd, a, v, &o->seed);
        else if (!strcmp(a, "--after"))
            rc = parse_i64(cmd, a, v, &o->after);
        else if (!strcmp(a, "--limit"))
            rc = parse_i64(cmd, a, v, &o->limit);
        else if (!strcmp(a, "--amount")) {
            o->have_amount = 1;
            if (!strcmp(v, "rest"))
                o->amount_rest = 1;
            else
                rc = parse_i64(cmd, a, v, &o->amount);
        } else if (!strcmp(a, "--now")) {
            o->have_now = 1;
            if (!strcmp(v, "now"))
                o->now = (int64_t)time(NULL);
            else
                rc = parse_i64(cmd, a, v, &o->now);
        } else
            return cli_usage_error(cmd, "unknown option '%s'", a);
        if (rc)
            return rc;
    }
    return 0;
}

static void print_receipt(const char *what, const custops_ledger_receipt *r)
{
    printf("%s: state=%s amount=%lld expires=%lld seq=%lld%s\n", what, custops_ledger_state_name(r->state),
           (long long)r->amount, (long long)r->expires, (long long)r->seq, r->replayed ? " replayed" : "");
}

static int refused(const char *what, int rc, const custops_ledger_receipt *r)
{
    cli_fail("ledger", rc, what);
    if (r->reason)
        fprintf(stderr, "custops ledger: %s: reason %s\n", what, custops_ledger_reason_name(r->reason));
    return 1;
}

static int need(const char *sub, const char *name, const void *v)
{
    if (!v)
        return cli_usage_error("ledger", "%s needs %s", sub, name);
    return 0;
}

static int do_codes(const opts *o)
{
    if (o->count < 1)
        return cli_usage_error("ledger", "codes needs --count N (N >= 1)");
    if (o->issue && !o->ledger)
        return cli_usage_error("ledger", "codes --issue needs --ledger LEDGER");
    if (o->issue && !o->have_now)
        return cli_usage_error("ledger", "codes --issue needs --now");
    if (o->length < 0 || o->seed < 0)
        return cli_usage_error("ledger", "--length and --seed must not be negative");
    custops_ledger *l = NULL;
    int rc;
    if (o->ledger && (rc = custops_ledger_open(&l, o->ledger, NULL)))
        return cli_fail("ledger", rc, o->ledger);
    char *codes = NULL;
    rc = custops_ledger_codes(&codes, l, (size_t)o->count, o->prefix, (size_t)o->length, (uint64_t)o->seed);
    if (rc) {
        custops_ledger_free(l);
        return cli_fail("ledger", rc, "codes");
    }
    int status = 0;
    for (char *p = codes; *p && !status;) {
        char *nl = strchr(p, '\n');
        *nl = '\0';
        if (o->issue) {
            custops_ledger_coupon c = CUSTOPS_LEDGER_COUPON_INIT;
            c.code = p;
            c.owner = o->owner;
            c.campaign = o->campaign;
            c.max_uses = o->max_uses;
            c.max_per_customer = o->per_customer;
            c.valid_from = o->from;
            c.valid_until = o->until;
            c.restore_on_reversal = !o->no_restore;
            if ((rc = custops_ledger_issue(l, NULL, &c, NULL, o->now)))
                status = cli_fail("ledger", rc, p);
        }
        if (!status)
            printf("%s\n", p);
        p = nl + 1;
    }
    custops_free(codes);
    custops_ledger_free(l);
    return status;
}

static int run(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        help();
        return argc < 2 ? 2 : 0;
    }
    const char *sub = argv[1];
    opts o;
    static const char *const known[] = {"init",    "issue",  "budget", "reserve", "commit", "release",
                                        "reverse", "expire", "show",   "verify",  "codes", "journal"};
    int ok = 0;
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        ok |= strcmp(sub, known[i]) == 0;
    if (!ok)
        return cli_usage_error("ledger", "unknown command '%s'", sub);
    if (!strcmp(sub, "codes")) {
        int rc = parse_opts("ledger", argc, argv, 2, &o);
        return rc ? rc : do_codes(&o);
    }
    if (argc < 3 || argv[2][0] == '-')
        return cli_usage_error("ledger", "%s needs the LEDGER (a file path or connection string)", sub);
    const char *loc = argv[2];
    int rc = parse_opts("ledger", argc, argv, 3, &o);
    if (rc)
        return rc;
    int transition = strcmp(sub, "init") && strcmp(sub, "show") && strcmp(sub, "verify") && strcmp(sub, "journal");
    if (transition && !o.have_now)
        return cli_usage_error("ledger", "%s needs --now SECONDS (or --now now)", sub);
    if ((!strcmp(sub, "issue") || !strcmp(sub, "reserve") || !strcmp(sub, "commit") || !strcmp(sub, "release") ||
         !strcmp(sub, "reverse")) &&
        (rc = need(sub, "--code", o.code)))
        return rc;
    if ((!strcmp(sub, "reserve") || !strcmp(sub, "commit") || !strcmp(sub, "release") || !strcmp(sub, "reverse")) &&
        (rc = need(sub, "--order", o.order)))
        return rc;
    if (!strcmp(sub, "budget") && ((rc = need(sub, "--campaign", o.campaign)) || (rc = need(sub, "--amount", o.have_amount ? "" : NULL))))
        return rc;

    custops_ledger *l;
    if ((rc = custops_ledger_open(&l, loc, NULL)))
        return cli_fail("ledger", rc, loc);
    custops_ledger_receipt r = CUSTOPS_LEDGER_RECEIPT_INIT;
    int status = 0;
    if (!strcmp(sub, "init") || !strcmp(sub, "verify")) {
        int64_t n;
        char head[65];
        rc = custops_ledger_verify(&n, head, l);
        if (rc)
            status = cli_fail("ledger", rc, loc);
        else if (!strcmp(sub, "init"))
            printf("ledger %s ready (%s): %lld journal records\n", loc, custops_ledger_backend(l), (long long)n);
        else
            printf("ok: %lld records, head %s\n", (long long)n, head);
    } else if (!strcmp(sub, "journal")) {
        char *s;
        if ((rc = custops_ledger_journal(&s, l, o.after, o.limit)))
            status = cli_fail("ledger", rc, loc);
        else {
            fputs(s, stdout);
            custops_free(s);
        }
    } else if (!strcmp(sub, "show")) {
        char *s;
        if ((rc = custops_ledger_show(&s, l)))
            status = cli_fail("ledger", rc, loc);
        else {
            fputs(s, stdout);
            custops_free(s);
        }
    } else if (!strcmp(sub, "issue")) {
        custops_ledger_coupon c = CUSTOPS_LEDGER_COUPON_INIT;
        c.code = o.code;
        c.owner = o.owner;
        c.campaign = o.campaign;
        c.max_uses = o.max_uses;
        c.max_per_customer = o.per_customer;
        c.valid_from = o.from;
        c.valid_until = o.until;
        c.restore_on_reversal = !o.no_restore;
        rc = custops_ledger_issue(l, &r, &c, o.key, o.now);
        status = rc ? refused("issue", rc, &r) : (print_receipt("issue", &r), 0);
    } else if (!strcmp(sub, "budget")) {
        rc = custops_ledger_budget_add(l, &r, o.campaign, o.amount, o.key, o.now);
        status = rc ? refused("budget", rc, &r) : (print_receipt("budget", &r), 0);
    } else if (!strcmp(sub, "reserve")) {
        rc = custops_ledger_reserve(l, &r, o.code, o.customer, o.order, o.amount, o.ttl, o.key, o.now);
        status = rc ? refused("reserve", rc, &r) : (print_receipt("reserve", &r), 0);
    } else if (!strcmp(sub, "commit")) {
        rc = custops_ledger_commit(l, &r, o.order, o.code, o.key, o.now);
        status = rc ? refused("commit", rc, &r) : (print_receipt("commit", &r), 0);
    } else if (!strcmp(sub, "release")) {
        rc = custops_ledger_release(l, &r, o.order, o.code, o.key, o.now);
        status = rc ? refused("release", rc, &r) : (print_receipt("release", &r), 0);
    } else if (!strcmp(sub, "reverse")) {
        int64_t amt = o.have_amount && !o.amount_rest ? o.amount : CUSTOPS_LEDGER_REST;
        rc = custops_ledger_reverse(l, &r, o.order, o.code, amt, o.key, o.now);
        status = rc ? refused("reverse", rc, &r) : (print_receipt("reverse", &r), 0);
    } else { /* expire */
        int64_t n;
        if ((rc = custops_ledger_expire(l, &n, o.now)))
            status = cli_fail("ledger", rc, "expire");
        else
            printf("expired: %lld\n", (long long)n);
    }
    custops_ledger_free(l);
    return status;
}

const cli_command cli_cmd_ledger = {"ledger", "coupon redemption ledger: issue, reserve, commit, reverse, verify, codes",
                                    run};
