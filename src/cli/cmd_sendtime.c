/* custops sendtime: best local hour and weekday per customer from events
 * and/or order lines CSVs. */
#include "cli.h"
#include "csvframe.h"

#include <getopt.h>
#include <stdlib.h>

static void help(void)
{
    printf("Usage: custops sendtime [--events EVENTS.csv] [--lines LINES.csv] [--zone ZONE] [options]\n\n"
           "Counts each customer's events and orders per local hour and weekday,\n"
           "shrinks them toward the population (Dirichlet prior, strength estimated\n"
           "unless given) and prints per customer the best hour and weekday as CSV.\n\n"
           "  --zone ZONE            zone of the local hours (default UTC)\n"
           "  --event-weight W       weight of an event (1)\n"
           "  --order-weight W       weight of an order (3)\n"
           "  --hour-strength A      fix the prior strength for hours\n"
           "  --weekday-strength A   fix the prior strength for weekdays\n"
           "  --full                 add the 24 expected hour shares p_hour_HH\n"
           "  --out PATH             write the CSV to PATH instead of standard output\n");
}

static int run(int argc, char **argv)
{
    static const struct option opts[] = {{"events", required_argument, NULL, 'e'},
                                         {"lines", required_argument, NULL, 'l'},
                                         {"zone", required_argument, NULL, 'z'},
                                         {"event-weight", required_argument, NULL, 'E'},
                                         {"order-weight", required_argument, NULL, 'O'},
                                         {"hour-strength", required_argument, NULL, 'H'},
                                         {"weekday-strength", required_argument, NULL, 'W'},
                                         {"full", no_argument, NULL, 'f'},
                                         {"out", required_argument, NULL, 'o'},
                                         {"help", no_argument, NULL, 'h'},
                                         {0}};
    const char *ev_path = NULL, *li_path = NULL, *zone = "UTC", *out = NULL;
    custops_sendtime_options o = CUSTOPS_SENDTIME_OPTIONS_INIT;
    int c;
    char *end;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        double *d = NULL;
        switch (c) {
        case 'e': ev_path = optarg; break;
        case 'l': li_path = optarg; break;
        case 'z': zone = optarg; break;
        case 'E': d = &o.event_weight; break;
        case 'O': d = &o.order_weight; break;
        case 'H': d = &o.hour_strength; break;
        case 'W': d = &o.weekday_strength; break;
        case 'f': o.full = 1; break;
        case 'o': out = optarg; break;
        case 'h': help(); return 0;
        default: return cli_usage_error("sendtime", "unknown option");
        }
        if (d) {
            *d = strtod(optarg, &end);
            if (*end || !*optarg)
                return cli_usage_error("sendtime", "'%s' is not a number", optarg);
        }
    }
    if ((!ev_path && !li_path) || optind != argc)
        return cli_usage_error("sendtime", "give --events and/or --lines");
    custops_zone *z;
    int rc = custops_zone_open(&z, zone);
    if (rc)
        return cli_fail("sendtime", rc, zone);
    o.zone = z;
    char err[1024];
    custops_frame *ev = NULL, *li = NULL, *res = NULL;
    int code = 0;
    double hs, ws;
    if ((ev_path && (rc = csvframe_load(&ev, ev_path, CSVF_EVENTS, CSVF_NEVENTS, z, err, sizeof err))) ||
        (li_path && (rc = csvframe_load(&li, li_path, CSVF_LINES, CSVF_NLINES, z, err, sizeof err)))) {
        fprintf(stderr, "custops sendtime: %s\n", err);
        code = 1;
    } else if ((rc = custops_sendtime_best(&res, &hs, &ws, ev, li, &o))) {
        code = cli_fail("sendtime", rc, "best");
    } else {
        fprintf(stderr, "custops sendtime: prior strength: hours %.4g, weekdays %.4g\n", hs, ws);
        if ((rc = csvframe_emit(res, out)))
            code = cli_fail("sendtime", rc, out ? out : "standard output");
    }
    custops_frame_free(res);
    custops_frame_free(ev);
    custops_frame_free(li);
    custops_zone_free(z);
    return code;
}

const cli_command cli_cmd_sendtime = {"sendtime", "best local send hour and weekday per customer", run};
