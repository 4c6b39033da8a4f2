/* custops synth: write a deterministic synthetic store (orders, refunds,
 * events, customers and the model truth) for demos and tests. */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static void help(void)
{
    printf("Usage: custops synth --out DIR [options]\n\n"
           "Generate a synthetic store whose purchases follow the BG/NBD model and whose\n"
           "order values follow the Gamma-Gamma model, and write orders.csv, refunds.csv,\n"
           "events.csv, customers.csv and truth.json (the parameters) into DIR. The same\n"
           "options give byte-identical files on every machine.\n\n"
           "  --out DIR              output directory (created if missing)\n"
           "  --customers N          number of customers (default 10000)\n"
           "  --seed S               random seed (default 42)\n"
           "  --start YYYY-MM-DD     first local day of the data (default 2023-01-01)\n"
           "  --end YYYY-MM-DD       first local day after the data (default 2025-01-01)\n"
           "  --zone ZONE            store time zone (default Asia/Shanghai)\n"
           "  --currency CODE        ISO 4217 currency (default CNY)\n"
           "  --skus N               products in the catalogue (default 200)\n"
           "  --categories N         product categories (default 12)\n"
           "  --refund-rate X        share of orders refunded (default 0.06)\n"
           "  --coupon-propensity X  mean share of eligible orders using a coupon (default 0.3)\n"
           "  --no-double11          no November 11 spike\n"
           "  --jsonl                one mixed store.jsonl instead of four CSV files\n"
           "  --help                 show this help\n\n"
           "Progress is shown on a terminal. Exit status: 0 written, 1 failed, 2 usage.\n");
}

static int parse_day(const char *text, int32_t *day)
{
    int y, m, d, n = 0;
    if (sscanf(text, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 || text[n] != '\0')
        return -1;
    return custops_date_to_day(y, m, d, day) == 0 ? 0 : -1;
}

static int parse_i64(const char *text, int64_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (errno || end == text || *end)
        return -1;
    *out = v;
    return 0;
}

static int parse_f64(const char *text, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (errno || end == text || *end || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

static int on_progress(void *ud, int64_t done, int64_t total)
{
    cli_progress_update(ud, (double)done, (double)total, "customers");
    return 0;
}

static int run(int argc, char **argv)
{
    enum { O_OUT = 'o', O_CUST = 'n', O_SEED = 's', O_START = 256, O_END, O_ZONE, O_CURR, O_SKUS, O_CATS, O_REFUND,
           O_COUPON, O_NOD11, O_JSONL, O_HELP = 'h' };
    static const struct option longopts[] = {
        {"out", required_argument, NULL, O_OUT},       {"customers", required_argument, NULL, O_CUST},
        {"seed", required_argument, NULL, O_SEED},     {"start", required_argument, NULL, O_START},
        {"end", required_argument, NULL, O_END},       {"zone", required_argument, NULL, O_ZONE},
        {"currency", required_argument, NULL, O_CURR}, {"skus", required_argument, NULL, O_SKUS},
        {"categories", required_argument, NULL, O_CATS}, {"refund-rate", required_argument, NULL, O_REFUND},
        {"coupon-propensity", required_argument, NULL, O_COUPON}, {"no-double11", no_argument, NULL, O_NOD11},
        {"jsonl", no_argument, NULL, O_JSONL},         {"help", no_argument, NULL, O_HELP},
        {0}};
    custops_synth_options o;
    custops_synth_options_init(&o, CUSTOPS_SYNTH_OPTIONS_VERSION);
    const char *out = NULL;
    int c;
    int64_t v;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:n:s:h", longopts, NULL)) != -1) {
        switch (c) {
        case O_OUT:
            out = optarg;
            break;
        case O_CUST:
            if (parse_i64(optarg, &o.customers))
                return cli_usage_error("synth", "--customers: '%s' is not an integer", optarg);
            break;
        case O_SEED:
            if (parse_i64(optarg, &v) || v < 0)
                return cli_usage_error("synth", "--seed: '%s' is not a non-negative integer", optarg);
            o.seed = (uint64_t)v;
            break;
        case O_START:
            if (parse_day(optarg, &o.start_day))
                return cli_usage_error("synth", "--start: '%s' is not a date YYYY-MM-DD", optarg);
            break;
        case O_END:
            if (parse_day(optarg, &o.end_day))
                return cli_usage_error("synth", "--end: '%s' is not a date YYYY-MM-DD", optarg);
            break;
        case O_ZONE:
            o.zone = optarg;
            break;
        case O_CURR:
            o.currency = optarg;
            break;
        case O_SKUS:
        case O_CATS:
            if (parse_i64(optarg, &v) || v < 0 || v > 1000000)
                return cli_usage_error("synth", "--%s: '%s' is not a count", c == O_SKUS ? "skus" : "categories", optarg);
            *(c == O_SKUS ? &o.skus : &o.categories) = (int32_t)v;
            break;
        case O_REFUND:
            if (parse_f64(optarg, &o.refund_rate))
                return cli_usage_error("synth", "--refund-rate: '%s' is not a number", optarg);
            break;
        case O_COUPON:
            if (parse_f64(optarg, &o.coupon_propensity))
                return cli_usage_error("synth", "--coupon-propensity: '%s' is not a number", optarg);
            break;
        case O_NOD11:
            o.double11 = 0;
            break;
        case O_JSONL:
            o.jsonl = 1;
            break;
        case O_HELP:
            help();
            return 0;
        default:
            return cli_usage_error("synth", "unknown option");
        }
    }
    if (optind != argc)
        return cli_usage_error("synth", "unexpected argument '%s'", argv[optind]);
    if (!out)
        return cli_usage_error("synth", "--out DIR is required");
    cli_progress progress;
    cli_progress_start(&progress, "custops synth");
    o.progress = on_progress;
    o.progress_ud = &progress;
    int rc = custops_synth_write(&o, out);
    cli_progress_end(&progress);
    if (rc)
        return cli_fail("synth", rc, out);
    printf("wrote %lld customers (seed %llu) to %s: %s truth.json\n", (long long)o.customers,
           (unsigned long long)o.seed, out,
           o.jsonl ? "store.jsonl" : "orders.csv refunds.csv events.csv customers.csv");
    return 0;
}

const cli_command cli_cmd_synth = {"synth", "write a deterministic synthetic store (CSV or JSONL) with its truth", run};
