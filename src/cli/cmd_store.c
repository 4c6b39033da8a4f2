/* custops ingest / custops profile: build a saved profile store from CSV
 * and JSON Lines files, and print customer features from it.
 *   custops ingest --store S [--zone Z] [--currency C] [--skip] FILE...
 *   custops profile --store S --as-of TIME [--customer ID] [--format csv|jsonl] */
#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---------------- ingest ---------------- */

static void ingest_help(void)
{
    printf("Usage: custops ingest --store FILE [options] INPUT...\n\n"
           "Read order lines, refunds, events and customer records (CSV with a header\n"
           "row, or JSON Lines when the name ends in .jsonl/.ndjson; see docs/formats.md)\n"
           "into the profile store FILE, creating it if it does not exist. Each input is\n"
           "applied whole or not at all unless --skip is given. Ingest orders before\n"
           "the refunds that name them.\n\n"
           "  --store FILE      the saved store (read if present, written atomically)\n"
           "  --zone ZONE       zone of naive local times for a new store (default UTC)\n"
           "  --currency CODE   currency of a new store (default CNY)\n"
           "  --kind KIND       record kind of the inputs: order_line, refund, event,\n"
           "                    customer (default: from the CSV header / JSON \"kind\")\n"
           "  --skip            skip bad rows, count and report them instead of failing\n"
           "  --allow-unknown   ignore unknown columns and fields\n"
           "  --rejects FILE    write the rejected rows (line, column, message) as CSV\n"
           "  --quiet           no summary lines\n"
           "  --help            show this help\n\n"
           "Exit status: 0 done, 1 an input or the store failed (nothing saved), 2 usage.\n");
}

static void on_progress(uint64_t done, uint64_t total, void *ud)
{
    cli_progress_update(ud, (double)done / 1048576.0, (double)total / 1048576.0, "MiB");
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

static int parse_kind(const char *s)
{
    static const char *const K[] = {"auto", "order_line", "refund", "event", "customer"};
    for (int i = 0; i < 5; i++)
        if (strcmp(s, K[i]) == 0)
            return i;
    return -1;
}

static int run_ingest(int argc, char **argv)
{
    static const struct option opts[] = {{"store", required_argument, NULL, 's'},
                                         {"zone", required_argument, NULL, 'z'},
                                         {"currency", required_argument, NULL, 'c'},
                                         {"kind", required_argument, NULL, 'k'},
                                         {"skip", no_argument, NULL, 'S'},
                                         {"allow-unknown", no_argument, NULL, 'u'},
                                         {"rejects", required_argument, NULL, 'r'},
                                         {"quiet", no_argument, NULL, 'q'},
                                         {"help", no_argument, NULL, 'h'},
                                         {0}};
    const char *path = NULL, *zone = "UTC", *currency = "CNY", *rejects = NULL;
    int quiet = 0, c;
    custops_ingest_opts io = CUSTOPS_INGEST_OPTS_INIT;
    optind = 1;
    while ((c = getopt_long(argc, argv, "s:z:c:k:Sur:qh", opts, NULL)) != -1) {
        switch (c) {
        case 's': path = optarg; break;
        case 'z': zone = optarg; break;
        case 'c': currency = optarg; break;
        case 'k':
            if ((io.kind = parse_kind(optarg)) < 0)
                return cli_usage_error("ingest", "unknown --kind '%s'", optarg);
            break;
        case 'S': io.policy = CUSTOPS_INGEST_SKIP; break;
        case 'u': io.allow_unknown_columns = 1; break;
        case 'r': rejects = optarg; break;
        case 'q': quiet = 1; break;
        case 'h': ingest_help(); return 0;
        default: return cli_usage_error("ingest", "unknown option");
        }
    }
    if (!path)
        return cli_usage_error("ingest", "--store FILE is required");
    if (optind >= argc)
        return cli_usage_error("ingest", "expected at least one INPUT file");
    custops_store *s = NULL;
    int rc;
    if (access(path, F_OK) == 0) {
        if ((rc = custops_store_load(&s, path)) != 0)
            return cli_fail("ingest", rc, path);
    } else if ((rc = custops_store_new(&s, zone, currency)) != 0) {
        return cli_fail("ingest", rc, "new store");
    }
    cli_progress prog;
    io.progress = on_progress;
    io.progress_ud = &prog;
    FILE *rej = NULL;
    if (rejects && !(rej = fopen(rejects, "w"))) {
        custops_store_free(s);
        fprintf(stderr, "custops ingest: cannot write %s\n", rejects);
        return 1;
    }
    if (rej)
        fprintf(rej, "file,line,column,message\n");
    int status = 0;
    for (int i = optind; i < argc && status == 0; i++) {
        const char *in = argv[i];
        int jsonl = ends_with(in, ".jsonl") || ends_with(in, ".ndjson");
        custops_ingest_result r;
        custops_frame *bad = NULL;
        cli_progress_start(&prog, in);
        rc = jsonl ? custops_store_ingest_jsonl(s, in, &io, &r, &bad) : custops_store_ingest_csv(s, in, &io, &r, &bad);
        cli_progress_end(&prog);
        if (rc) {
            status = cli_fail("ingest", rc, in);
        } else if (!quiet) {
            printf("%s: %llu rows, %llu accepted, %llu rejected, %llu ignored\n", in, (unsigned long long)r.rows,
                   (unsigned long long)r.accepted, (unsigned long long)r.rejected, (unsigned long long)r.ignored);
        }
        size_t n = custops_frame_nrows(bad), cl, cc, cm;
        if (rc == 0 && n > 0 && custops_frame_find(bad, "line", &cl) == 0 && custops_frame_find(bad, "column", &cc) == 0 &&
            custops_frame_find(bad, "message", &cm) == 0) {
            const int64_t *line, *col;
            custops_frame_int64(bad, cl, &line);
            custops_frame_int64(bad, cc, &col);
            const char *base = strrchr(in, '/');
            base = base ? base + 1 : in;
            for (size_t k = 0; k < n; k++) {
                const char *m;
                custops_frame_string(bad, cm, k, &m);
                if (k < 20)
                    fprintf(stderr, "%s:%lld:%lld: %s\n", base, (long long)line[k], (long long)col[k], m);
                if (rej) {
                    fprintf(rej, "%s,%lld,%lld,\"", base, (long long)line[k], (long long)col[k]);
                    for (const char *p = m; *p; p++)
                        fputs(*p == '"' ? "\"\"" : (char[2]){*p, 0}, rej);
                    fputs("\"\n", rej);
                }
            }
            if (n > 20)
                fprintf(stderr, "%s: %zu more rejected rows not shown\n", base, n - 20);
        }
        custops_frame_free(bad);
    }
    if (rej && fclose(rej) != 0 && status == 0)
        status = 1;
    if (status == 0 && (rc = custops_store_save(s, path)) != 0)
        status = cli_fail("ingest", rc, path);
    if (status == 0 && !quiet) {
        custops_store_counts n;
        custops_store_stats(s, &n);
        printf("%s: %llu customers, %llu orders, %llu lines, %llu refunds, %llu events\n", path,
               (unsigned long long)n.customers, (unsigned long long)n.orders, (unsigned long long)n.lines,
               (unsigned long long)n.refunds, (unsigned long long)n.events);
    }
    custops_store_free(s);
    return status;
}

const cli_command cli_cmd_ingest = {"ingest", "read CSV/JSONL order, refund, event, customer files into a store",
                                    run_ingest};

/* ---------------- profile ---------------- */

static void profile_help(void)
{
    printf("Usage: custops profile --store FILE --as-of TIME [options]\n\n"
           "Print the features of every customer (or one) as of TIME: frequency,\n"
           "recency and T (Fader-Hardie), monetary, orders, spend, hours, attributes\n"
           "(columns in docs/formats.md).\n\n"
           "  --store FILE       the saved store\n"
           "  --as-of TIME       the instant (YYYY-MM-DD[ HH:MM:SS][+08:00] or @EPOCH);\n"
           "                     naive times are read in --zone or the store's zone\n"
           "  --zone ZONE        zone for local days and hours (default: the store's)\n"
           "  --period day|week  unit of recency and T (default week)\n"
           "  --customer ID      only this customer\n"
           "  --format csv|jsonl output format (default csv)\n"
           "  --help             show this help\n");
}

static void put_csv_str(const char *s)
{
    if (strpbrk(s, ",\"\r\n") == NULL) {
        fputs(s, stdout);
        return;
    }
    putchar('"');
    for (; *s; s++) {
        if (*s == '"')
            putchar('"');
        putchar(*s);
    }
    putchar('"');
}

static void put_json_str(const char *s)
{
    putchar('"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            printf("\\%c", *p);
        else if (*p < 0x20)
            printf("\\u%04x", *p);
        else
            putchar(*p);
    }
    putchar('"');
}

static void print_row(const custops_frame *f, size_t r, int jsonl)
{
    size_t nc = custops_frame_ncols(f);
    if (jsonl)
        putchar('{');
    for (size_t c = 0; c < nc; c++) {
        if (c)
            putchar(',');
        if (jsonl) {
            put_json_str(custops_frame_col_name(f, c));
            putchar(':');
        }
        int t = custops_frame_col_type(f, c);
        if (t == CUSTOPS_COL_INT64) {
            const int64_t *v;
            custops_frame_int64(f, c, &v);
            printf("%lld", (long long)v[r]);
        } else if (t == CUSTOPS_COL_DOUBLE) {
            const double *v;
            custops_frame_double(f, c, &v);
            printf("%.10g", v[r]);
        } else {
            const char *v;
            custops_frame_string(f, c, r, &v);
            if (jsonl)
                put_json_str(v);
            else
                put_csv_str(v);
        }
    }
    puts(jsonl ? "}" : "");
}

static int run_profile(int argc, char **argv)
{
    static const struct option opts[] = {{"store", required_argument, NULL, 's'},
                                         {"as-of", required_argument, NULL, 'a'},
                                         {"zone", required_argument, NULL, 'z'},
                                         {"period", required_argument, NULL, 'p'},
                                         {"customer", required_argument, NULL, 'c'},
                                         {"format", required_argument, NULL, 'f'},
                                         {"help", no_argument, NULL, 'h'},
                                         {0}};
    const char *path = NULL, *asof = NULL, *zone = NULL, *customer = NULL;
    int period = CUSTOPS_PERIOD_WEEK, jsonl = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "s:a:z:p:c:f:h", opts, NULL)) != -1) {
        switch (c) {
        case 's': path = optarg; break;
        case 'a': asof = optarg; break;
        case 'z': zone = optarg; break;
        case 'c': customer = optarg; break;
        case 'p':
            if (strcmp(optarg, "day") == 0)
                period = CUSTOPS_PERIOD_DAY;
            else if (strcmp(optarg, "week") == 0)
                period = CUSTOPS_PERIOD_WEEK;
            else
                return cli_usage_error("profile", "--period must be day or week");
            break;
        case 'f':
            if (strcmp(optarg, "jsonl") == 0)
                jsonl = 1;
            else if (strcmp(optarg, "csv") == 0)
                jsonl = 0;
            else
                return cli_usage_error("profile", "--format must be csv or jsonl");
            break;
        case 'h': profile_help(); return 0;
        default: return cli_usage_error("profile", "unknown option");
        }
    }
    if (!path || !asof)
        return cli_usage_error("profile", "--store FILE and --as-of TIME are required");
    if (optind != argc)
        return cli_usage_error("profile", "unexpected argument '%s'", argv[optind]);
    custops_store *s;
    int rc = custops_store_load(&s, path);
    if (rc)
        return cli_fail("profile", rc, path);
    custops_features_opts o = CUSTOPS_FEATURES_OPTS_INIT;
    o.zone = zone;
    o.period = period;
    if (asof[0] == '@') {
        char *end;
        o.now = strtoll(asof + 1, &end, 10);
        if (*end || end == asof + 1) {
            custops_store_free(s);
            return cli_usage_error("profile", "'%s' is not @EPOCH_SECONDS", asof);
        }
    } else {
        custops_zone *z;
        if ((rc = custops_zone_open(&z, zone ? zone : custops_store_zone(s))) != 0) {
            custops_store_free(s);
            return cli_fail("profile", rc, "--zone");
        }
        rc = custops_time_parse(asof, z, &o.now);
        custops_zone_free(z);
        if (rc) {
            custops_store_free(s);
            return cli_fail("profile", rc, "--as-of");
        }
    }
    custops_frame *f;
    if ((rc = custops_store_features(s, &o, &f)) != 0) {
        custops_store_free(s);
        return cli_fail("profile", rc, "features");
    }
    custops_store_free(s);
    size_t idc;
    custops_frame_find(f, "customer_id", &idc);
    int found = customer == NULL;
    if (!jsonl) {
        for (size_t k = 0; k < custops_frame_ncols(f); k++) {
            if (k)
                putchar(',');
            fputs(custops_frame_col_name(f, k), stdout);
        }
        putchar('\n');
    }
    for (size_t r = 0; r < custops_frame_nrows(f); r++) {
        if (customer) {
            const char *id;
            custops_frame_string(f, idc, r, &id);
            if (strcmp(id, customer) != 0)
                continue;
            found = 1;
        }
        print_row(f, r, jsonl);
    }
    custops_frame_free(f);
    if (!found) {
        fprintf(stderr, "custops profile: no customer '%s' in %s\n", customer, path);
        return 1;
    }
    return fflush(stdout) == 0 ? 0 : 1;
}

const cli_command cli_cmd_profile = {"profile", "print customer features (RFM, CLV inputs) from a store", run_profile};
