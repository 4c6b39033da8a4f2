/* custops run: the whole customer-operations job in one command; see run.h
 * for the stages. This file reads the settings and makes the outputs
 * appear atomically. */
#define _GNU_SOURCE /* renameat2 */
#include "run.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void help(void)
{
    printf("Usage: custops run [options]\n\n"
           "From order history to decisions: ingest, profile, RFM and lifecycle classes,\n"
           "CLV (BG/NBD + Gamma-Gamma) checked on a holdout period, audiences from the\n"
           "campaign's definitions with the coupon or message each receives, and the\n"
           "repurchase reminders due. Without --data or --jsonl it runs on the built-in\n"
           "synthetic store.\n\n"
           "Writes into the output directory, all at once or not at all:\n"
           "  customers.csv, customers.jsonl   one row per customer\n"
           "  audiences.csv                    audience sizes, coupons and messages\n"
           "  reminders.csv                    repurchase reminders due\n"
           "  report.html                      a self-contained report with charts\n\n"
           "  --config FILE       settings (INI; see docs/run.md); the options below win\n"
           "  --data DIR          orders.csv [refunds.csv events.csv customers.csv] in DIR\n"
           "  --jsonl FILE        one JSON Lines file of mixed records instead\n"
           "  --customers N       synthetic store size (default 5000)\n"
           "  --seed S            synthetic store seed (default 42)\n"
           "  --as-of TIME        take features at TIME (default: end of the last order's day)\n"
           "  --zone ZONE         store time zone (default Asia/Shanghai)\n"
           "  --out DIR           output directory (default custops-run)\n"
           "  --quiet             no summary on the terminal\n"
           "  --help              show this help\n\n"
           "Exit status: 0 done, 1 failed (nothing written), 2 usage.\n");
}

void run_stage(const run_state *st, int k, const char *what)
{
    if (!st->quiet && isatty(STDERR_FILENO))
        fprintf(stderr, "\r\033[K[%d/4] %s", k, what);
}

const int64_t *run_i64(const custops_frame *f, const char *name)
{
    size_t c;
    const int64_t *v = NULL;
    if (custops_frame_find(f, name, &c) || custops_frame_int64(f, c, &v))
        fprintf(stderr, "custops run: internal: no int64 column '%s'\n", name);
    return v;
}

const double *run_f64(const custops_frame *f, const char *name)
{
    size_t c;
    const double *v = NULL;
    if (custops_frame_find(f, name, &c) || custops_frame_double(f, c, &v))
        fprintf(stderr, "custops run: internal: no double column '%s'\n", name);
    return v;
}

double *run_i64_as_f64(const custops_frame *f, const char *name)
{
    const int64_t *v = run_i64(f, name);
    size_t n = custops_frame_nrows(f);
    double *d = v ? malloc((n ? n : 1) * sizeof *d) : NULL;
    for (size_t i = 0; d && i < n; i++)
        d[i] = (double)v[i];
    return d;
}

/* Settings: defaults, then the configuration file, then the command line. */
static int read_config(run_state *st, config *cfg)
{
    char err[512];
    int rc = 0;
#define CK(x)                                                                                                      \
    do {                                                                                                           \
        if ((x) < 0) {                                                                                             \
            fprintf(stderr, "custops run: %s\n", err);                                                             \
            rc = 1;                                                                                                \
        }                                                                                                          \
    } while (0)
    CK(config_str(cfg, "input", NULL, "data", &st->data_dir, err, sizeof err));
    CK(config_str(cfg, "input", NULL, "jsonl", &st->jsonl, err, sizeof err));
    CK(config_str(cfg, "input", NULL, "zone", &st->zone_name, err, sizeof err));
    CK(config_str(cfg, "input", NULL, "currency", &st->currency, err, sizeof err));
    CK(config_str(cfg, "input", NULL, "as_of", &st->as_of_text, err, sizeof err));
    CK(config_int(cfg, "input", NULL, "synth_customers", 10, CUSTOPS_SYNTH_MAX_CUSTOMERS, &st->synth_customers, err,
                  sizeof err));
    CK(config_int(cfg, "input", NULL, "synth_seed", 0, INT64_MAX, &st->synth_seed, err, sizeof err));
    CK(config_int(cfg, "clv", NULL, "holdout_weeks", 0, 520, &st->holdout_weeks, err, sizeof err));
    CK(config_int(cfg, "clv", NULL, "horizon_weeks", 1, 520, &st->horizon_weeks, err, sizeof err));
    CK(config_int(cfg, "clv", NULL, "months", 1, 120, &st->clv_months, err, sizeof err));
    CK(config_double(cfg, "clv", NULL, "monthly_discount_rate", 0, 1, &st->discount_rate, err, sizeof err));
    CK(config_double(cfg, "clv", NULL, "margin", 0.0001, 1, &st->margin, err, sizeof err));
    CK(config_str(cfg, "output", NULL, "dir", &st->out_dir, err, sizeof err));
#undef CK
    return rc;
}

/* rm -r of a directory we made (no symlink following, one level of files). */
static void remove_tree(const char *dir)
{
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *e;
        char path[PATH_MAX + 256];
        while ((e = readdir(d)) != NULL) {
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
                continue;
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            struct stat sb;
            if (lstat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
                remove_tree(path);
            else
                unlink(path);
        }
        closedir(d);
    }
    rmdir(dir);
}

/* Make the staging directory the output: exchange it with an existing
 * output in one renameat2(RENAME_EXCHANGE), or rename it into place. */
static int publish(run_state *st)
{
    int dfd = open(st->staging, O_RDONLY | O_DIRECTORY);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    struct stat sb;
    if (lstat(st->out_dir, &sb) == 0) {
        if (!S_ISDIR(sb.st_mode)) {
            fprintf(stderr, "custops run: %s exists and is not a directory\n", st->out_dir);
            return 1;
        }
        if (renameat2(AT_FDCWD, st->staging, AT_FDCWD, st->out_dir, RENAME_EXCHANGE) != 0) {
            fprintf(stderr, "custops run: cannot replace %s: %s\n", st->out_dir, strerror(errno));
            return 1;
        }
        remove_tree(st->staging); /* now holds the previous output */
        return 0;
    }
    if (rename(st->staging, st->out_dir) != 0) {
        fprintf(stderr, "custops run: cannot create %s: %s\n", st->out_dir, strerror(errno));
        return 1;
    }
    return 0;
}

static void release(run_state *st)
{
    custops_frame_free(st->lines);
    custops_frame_free(st->events);
    custops_frame_free(st->features);
    custops_frame_free(st->rfm);
    custops_frame_free(st->lifecycle);
    custops_frame_free(st->cohorts);
    custops_frame_free(st->cycles);
    custops_frame_free(st->reminders);
    custops_clv_free(st->bgnbd);
    custops_clv_free(st->gg);
    custops_store_free(st->store);
    custops_zone_free(st->zone);
    free(st->p_alive);
    free(st->expected);
    free(st->clv);
    free(st->reminder_sku);
    free(st->reminder_day);
    for (size_t i = 0; i < st->naud; i++)
        custops_bitset_free(st->aud[i].members);
}

static int run(int argc, char **argv)
{
    enum { O_CONFIG = 256, O_DATA, O_JSONL, O_CUST, O_SEED, O_ASOF, O_ZONE, O_OUT, O_QUIET, O_HELP };
    static const struct option longopts[] = {
        {"config", required_argument, NULL, O_CONFIG}, {"data", required_argument, NULL, O_DATA},
        {"jsonl", required_argument, NULL, O_JSONL},   {"customers", required_argument, NULL, O_CUST},
        {"seed", required_argument, NULL, O_SEED},     {"as-of", required_argument, NULL, O_ASOF},
        {"zone", required_argument, NULL, O_ZONE},     {"out", required_argument, NULL, O_OUT},
        {"quiet", no_argument, NULL, O_QUIET},         {"help", no_argument, NULL, O_HELP},
        {NULL, 0, NULL, 0}};
    run_state st;
    memset(&st, 0, sizeof st);
    st.zone_name = "Asia/Shanghai";
    st.currency = "CNY";
    st.out_dir = "custops-run";
    st.synth_customers = 5000;
    st.synth_seed = 42;
    st.holdout_weeks = 26;
    st.horizon_weeks = 26;
    st.clv_months = 12;
    st.discount_rate = 0.01;
    st.margin = 1.0;
    const char *config_path = NULL, *o_data = NULL, *o_jsonl = NULL, *o_asof = NULL, *o_zone = NULL, *o_out = NULL;
    int64_t o_cust = -1, o_seed = -1;
    optind = 1;
    int ch;
    while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        char *end = NULL;
        switch (ch) {
        case O_CONFIG: config_path = optarg; break;
        case O_DATA: o_data = optarg; break;
        case O_JSONL: o_jsonl = optarg; break;
        case O_ASOF: o_asof = optarg; break;
        case O_ZONE: o_zone = optarg; break;
        case O_OUT: o_out = optarg; break;
        case O_QUIET: st.quiet = 1; break;
        case O_CUST:
            o_cust = strtoll(optarg, &end, 10);
            if (!*optarg || *end || o_cust < 10 || o_cust > CUSTOPS_SYNTH_MAX_CUSTOMERS)
                return cli_usage_error("run", "--customers needs a number from 10 to %d", CUSTOPS_SYNTH_MAX_CUSTOMERS);
            break;
        case O_SEED:
            o_seed = strtoll(optarg, &end, 10);
            if (!*optarg || *end || o_seed < 0)
                return cli_usage_error("run", "--seed needs a non-negative integer");
            break;
        case O_HELP: help(); return 0;
        default: return cli_usage_error("run", "unknown option");
        }
    }
    if (optind < argc)
        return cli_usage_error("run", "unexpected argument '%s'", argv[optind]);

    config *cfg = NULL;
    if (config_path) {
        char err[512];
        if (!(cfg = config_load(config_path, err, sizeof err))) {
            fprintf(stderr, "custops run: %s\n", err);
            return 1;
        }
        if (read_config(&st, cfg)) {
            config_free(cfg);
            return 1;
        }
    }
    if (o_data) st.data_dir = o_data;
    if (o_jsonl) st.jsonl = o_jsonl;
    if (o_asof) st.as_of_text = o_asof;
    if (o_zone) st.zone_name = o_zone;
    if (o_out) st.out_dir = o_out;
    if (o_cust > 0) st.synth_customers = o_cust;
    if (o_seed >= 0) st.synth_seed = o_seed;
    if (st.data_dir && st.jsonl) {
        config_free(cfg);
        return cli_usage_error("run", "give --data or --jsonl, not both");
    }

    /* the staging directory sits beside the output so the final rename stays on one file system */
    snprintf(st.staging, sizeof st.staging, "%s.tmp-%ld", st.out_dir, (long)getpid());
    if (mkdir(st.staging, 0777) != 0) {
        fprintf(stderr, "custops run: cannot create %s: %s\n", st.staging, strerror(errno));
        config_free(cfg);
        return 1;
    }
    int rc = run_input(&st, cfg);
    if (!rc)
        rc = run_models(&st);
    if (!rc)
        rc = run_decide(&st, cfg);
    if (!rc && cfg) {
        char err[512];
        if (config_check_unused(cfg, err, sizeof err)) {
            fprintf(stderr, "custops run: %s\n", err);
            rc = 1;
        }
    }
    if (!rc)
        rc = run_output(&st);
    if (!rc)
        rc = publish(&st);
    if (!rc)
        run_summary(&st);
    if (rc)
        remove_tree(st.staging);
    release(&st);
    config_free(cfg);
    return rc;
}

const cli_command cli_cmd_run = {"run", "the whole job: profiles, CLV, segments, audiences, reminders, report", run};
