/* custops coupons: compile, lint and quote promotion rules.
 *   custops coupons compile RULES            canonical JSON of the ruleset
 *   custops coupons lint RULES               findings as RULES:LINE:COL: CODE rule: message
 *   custops coupons quote RULES CART.json [--now TIME]
 *   custops coupons issue RULES EVENT CART.json [--now TIME]   coupons to issue, one JSON object a line
 * RULES is rule text or canonical JSON (recognized by a leading '{'). */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

static void help(void)
{
    printf("Usage: custops coupons compile RULES\n"
           "       custops coupons lint RULES\n"
           "       custops coupons quote RULES CART.json [--now TIME]\n"
           "       custops coupons issue RULES EVENT CART.json [--now TIME]\n\n"
           "compile prints the canonical JSON of the rules (text or JSON in).\n"
           "lint prints RULES:LINE:COL: CODE rule: message per finding; exit 1 when any.\n"
           "quote prints the quote of the cart as JSON; TIME is ISO 8601 with an offset\n"
           "(2025-11-11T00:30:00+08:00) or Unix seconds, else the cart's \"now\".\n"
           "issue prints the coupons an event (order_paid, shipment_late, points_exchange)\n"
           "issues for the cart's customer, one JSON object a line.\n"
           "Exit status: 0 ok, 1 findings or a library error, 2 usage or read error.\n");
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 65536, n = 0, got;
    char *buf = malloc(cap);
    while (buf && (got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (n > (64u << 20)) {
            free(buf);
            buf = NULL;
            break;
        }
        if (cap - n < 2) {
            char *b = realloc(buf, cap * 2);
            if (!b) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = b;
            cap *= 2;
        }
    }
    if (f != stdin)
        fclose(f);
    if (buf) {
        buf[n] = 0;
        *len = n;
    }
    return buf;
}

static int load_rules(const char *path, custops_ruleset **rs)
{
    size_t len;
    char *text = slurp(path, &len);
    if (!text) {
        fprintf(stderr, "custops coupons: %s: cannot read (missing, unreadable or larger than 64 MiB)\n", path);
        return 2;
    }
    const char *p = text;
    while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')
        p++;
    int rc = *p == '{' ? custops_ruleset_from_json(rs, text, len) : custops_ruleset_compile(rs, text, len, path);
    free(text);
    if (rc)
        return cli_fail("coupons", rc, path);
    return 0;
}

static int cmd_compile(const char *path)
{
    custops_ruleset *rs;
    int st = load_rules(path, &rs);
    if (st)
        return st;
    char *json;
    int rc = custops_ruleset_to_json(rs, &json, NULL);
    custops_ruleset_free(rs);
    if (rc)
        return cli_fail("coupons", rc, "to_json");
    fputs(json, stdout);
    custops_free(json);
    return 0;
}

static int cmd_lint(const char *path)
{
    custops_ruleset *rs;
    int st = load_rules(path, &rs);
    if (st)
        return st;
    custops_frame *f;
    int rc = custops_ruleset_lint(&f, rs);
    custops_ruleset_free(rs);
    if (rc)
        return cli_fail("coupons", rc, "lint");
    size_t cr, cl, cc, ck, cm;
    const int64_t *line, *col;
    custops_frame_find(f, "rule", &cr);
    custops_frame_find(f, "line", &cl);
    custops_frame_find(f, "column", &cc);
    custops_frame_find(f, "code", &ck);
    custops_frame_find(f, "message", &cm);
    custops_frame_int64(f, cl, &line);
    custops_frame_int64(f, cc, &col);
    size_t n = custops_frame_nrows(f);
    for (size_t i = 0; i < n; i++) {
        const char *rule, *code, *msg;
        custops_frame_string(f, cr, i, &rule);
        custops_frame_string(f, ck, i, &code);
        custops_frame_string(f, cm, i, &msg);
        printf("%s:%lld:%lld: %s %s: %s\n", path, (long long)line[i], (long long)col[i], code, rule, msg);
    }
    custops_frame_free(f);
    return n ? 1 : 0;
}

static int cmd_issue(const char *rules, const char *event, const char *cart_path, const char *now_text);

static int cmd_quote(const char *rules, const char *cart_path, const char *now_text)
{
    custops_ruleset *rs;
    int st = load_rules(rules, &rs);
    if (st)
        return st;
    size_t len;
    char *text = slurp(cart_path, &len);
    if (!text) {
        custops_ruleset_free(rs);
        fprintf(stderr, "custops coupons: %s: cannot read\n", cart_path);
        return 2;
    }
    custops_cart *cart;
    int rc = custops_cart_from_json(&cart, text, len);
    free(text);
    if (rc) {
        custops_ruleset_free(rs);
        return cli_fail("coupons", rc, cart_path);
    }
    int64_t now = 0;
    if (now_text) {
        char *end;
        long long v = strtoll(now_text, &end, 10);
        if (*now_text && !*end)
            now = v;
        else if ((rc = custops_time_parse(now_text, NULL, &now))) {
            custops_cart_free(cart);
            custops_ruleset_free(rs);
            return cli_usage_error("coupons", "bad --now '%s'", now_text);
        }
    } else if (custops_cart_now(cart, &now) != CUSTOPS_OK) {
        custops_cart_free(cart);
        custops_ruleset_free(rs);
        return cli_usage_error("coupons", "the cart has no \"now\"; pass --now TIME");
    }
    custops_quote *q;
    rc = custops_quote_run(&q, rs, cart, now);
    custops_cart_free(cart);
    if (rc) {
        custops_ruleset_free(rs);
        return cli_fail("coupons", rc, "quote");
    }
    char *json;
    rc = custops_quote_to_json(q, &json, NULL);
    custops_quote_free(q);
    custops_ruleset_free(rs);
    if (rc)
        return cli_fail("coupons", rc, "quote");
    fputs(json, stdout);
    custops_free(json);
    return 0;
}

static int load_cart(const char *cart_path, const char *now_text, custops_cart **cart, int64_t *now)
{
    size_t len;
    char *text = slurp(cart_path, &len);
    if (!text) {
        fprintf(stderr, "custops coupons: %s: cannot read\n", cart_path);
        return 2;
    }
    int rc = custops_cart_from_json(cart, text, len);
    free(text);
    if (rc)
        return cli_fail("coupons", rc, cart_path);
    if (now_text) {
        char *end;
        long long v = strtoll(now_text, &end, 10);
        if (*now_text && !*end)
            *now = v;
        else if (custops_time_parse(now_text, NULL, now)) {
            custops_cart_free(*cart);
            return cli_usage_error("coupons", "bad --now '%s'", now_text);
        }
    } else if (custops_cart_now(*cart, now) != CUSTOPS_OK) {
        custops_cart_free(*cart);
        return cli_usage_error("coupons", "the cart has no \"now\"; pass --now TIME");
    }
    return 0;
}

static int cmd_issue(const char *rules, const char *event, const char *cart_path, const char *now_text)
{
    custops_ruleset *rs;
    int st = load_rules(rules, &rs);
    if (st)
        return st;
    custops_cart *cart;
    int64_t now;
    if ((st = load_cart(cart_path, now_text, &cart, &now))) {
        custops_ruleset_free(rs);
        return st;
    }
    custops_frame *f;
    int rc = custops_ruleset_issue(&f, rs, event, cart, now);
    custops_cart_free(cart);
    custops_ruleset_free(rs);
    if (rc)
        return cli_fail("coupons", rc, "issue");
    size_t c[4], cc;
    const char *names[4] = {"rule", "template", "recipient", "issue_key"};
    for (int k = 0; k < 4; k++)
        custops_frame_find(f, names[k], &c[k]);
    custops_frame_find(f, "cost_points", &cc);
    const int64_t *cost;
    custops_frame_int64(f, cc, &cost);
    for (size_t i = 0; i < custops_frame_nrows(f); i++) {
        printf("{");
        for (int k = 0; k < 4; k++) {
            const char *v;
            custops_frame_string(f, c[k], i, &v);
            printf("\"%s\":\"", names[k]);
            for (const char *p = v; *p; p++) /* ids are plain text; escape the two JSON specials */
                printf(*p == '"' || *p == '\\' ? "\\%c" : "%c", *p);
            printf("\",");
        }
        printf("\"cost_points\":%lld}\n", (long long)cost[i]);
    }
    custops_frame_free(f);
    return 0;
}

static int run(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        help();
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "compile") == 0 && argc == 3)
        return cmd_compile(argv[2]);
    if (strcmp(argv[1], "lint") == 0 && argc == 3)
        return cmd_lint(argv[2]);
    if (strcmp(argv[1], "quote") == 0 && (argc == 4 || (argc == 6 && strcmp(argv[4], "--now") == 0)))
        return cmd_quote(argv[2], argv[3], argc == 6 ? argv[5] : NULL);
    if (strcmp(argv[1], "issue") == 0 && (argc == 5 || (argc == 7 && strcmp(argv[5], "--now") == 0)))
        return cmd_issue(argv[2], argv[3], argv[4], argc == 7 ? argv[6] : NULL);
    return cli_usage_error("coupons", "unknown subcommand or wrong arguments");
}

const cli_command cli_cmd_coupons = {"coupons", "compile, lint and quote promotion rules", run};
