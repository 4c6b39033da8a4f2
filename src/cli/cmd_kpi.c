/* custops kpi: headline KPIs, the funnel and cohorts over a local date
 * range, from lines and events CSVs. */
#include "cli.h"
#include "csvframe.h"

#include <getopt.h>
#include <string.h>

static void help(void)
{
    printf("Usage: custops kpi summary|funnel|cohorts --lines LINES.csv [--events EVENTS.csv]\n"
           "                  --from TIME --to TIME [--zone ZONE] [--by-day] [--unordered] [--out PATH]\n\n"
           "summary: GMV, refunds, net revenue, items, orders, buyers, UV, AOV,\n"
           "  conversion and repurchase rate for [from, to) (per local day with --by-day).\n"
           "funnel: customers reaching visit -> view -> cart_add -> order (needs --events;\n"
           "  steps in time order unless --unordered).\n"
           "cohorts: retention and cumulative LTV by first-order month.\n"
           "TIME as for 'custops time' (read in ZONE, default UTC) or @EPOCH.\n");
}

static int run(int argc, char **argv)
{
    static const struct option opts[] = {{"lines", required_argument, NULL, 'l'},
                                         {"events", required_argument, NULL, 'e'},
                                         {"from", required_argument, NULL, 'f'},
                                         {"to", required_argument, NULL, 't'},
                                         {"zone", required_argument, NULL, 'z'},
                                         {"by-day", no_argument, NULL, 'd'},
                                         {"unordered", no_argument, NULL, 'u'},
                                         {"out", required_argument, NULL, 'o'},
                                         {"help", no_argument, NULL, 'h'},
                                         {0}};
    const char *li_path = NULL, *ev_path = NULL, *from = NULL, *to = NULL, *zone = "UTC", *out = NULL;
    custops_kpi_options o = CUSTOPS_KPI_OPTIONS_INIT;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'l': li_path = optarg; break;
        case 'e': ev_path = optarg; break;
        case 'f': from = optarg; break;
        case 't': to = optarg; break;
        case 'z': zone = optarg; break;
        case 'd': o.by_day = 1; break;
        case 'u': o.ordered_funnel = 0; break;
        case 'o': out = optarg; break;
        case 'h': help(); return 0;
        default: return cli_usage_error("kpi", "unknown option");
        }
    }
    if (optind != argc - 1)
        return cli_usage_error("kpi", "expected one of summary, funnel, cohorts");
    const char *sub = argv[optind];
    int which = strcmp(sub, "summary") == 0 ? 0 : strcmp(sub, "funnel") == 0 ? 1 : strcmp(sub, "cohorts") == 0 ? 2 : -1;
    if (which < 0)
        return cli_usage_error("kpi", "unknown report '%s'", sub);
    if (!li_path || !from || !to)
        return cli_usage_error("kpi", "--lines, --from and --to are required");
    if (which == 1 && !ev_path)
        return cli_usage_error("kpi", "the funnel needs --events");
    custops_zone *z;
    int rc = custops_zone_open(&z, zone);
    if (rc)
        return cli_fail("kpi", rc, zone);
    o.zone = z;
    if (csvframe_time_arg(from, z, &o.from) || csvframe_time_arg(to, z, &o.to)) {
        custops_zone_free(z);
        return cli_usage_error("kpi", "--from and --to must be times");
    }
    char err[1024];
    custops_frame *li = NULL, *ev = NULL, *res = NULL;
    int code = 0;
    if ((rc = csvframe_load(&li, li_path, CSVF_LINES, CSVF_NLINES, z, err, sizeof err)) ||
        (ev_path && (rc = csvframe_load(&ev, ev_path, CSVF_EVENTS, CSVF_NEVENTS, z, err, sizeof err)))) {
        fprintf(stderr, "custops kpi: %s\n", err);
        code = 1;
    } else {
        rc = which == 0 ? custops_kpi_summary(&res, li, ev, &o)
             : which == 1 ? custops_kpi_funnel(&res, li, ev, &o)
                          : custops_kpi_cohorts(&res, li, &o);
        if (rc)
            code = cli_fail("kpi", rc, sub);
        else if ((rc = csvframe_emit(res, out)))
            code = cli_fail("kpi", rc, out ? out : "standard output");
    }
    custops_frame_free(res);
    custops_frame_free(li);
    custops_frame_free(ev);
    custops_zone_free(z);
    return code;
}

const cli_command cli_cmd_kpi = {"kpi", "KPIs, funnel and cohorts over a local date range", run};
