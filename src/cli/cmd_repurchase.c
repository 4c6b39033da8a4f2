/* custops repurchase: repurchase cycles per SKU from a lines CSV, or the
 * customers due for a reminder today. */
#include "cli.h"
#include "csvframe.h"

#include <getopt.h>
#include <stdlib.h>

static void help(void)
{
    printf("Usage: custops repurchase --lines LINES.csv --now TIME [--zone ZONE] [options]\n\n"
           "LINES.csv has the lines-frame columns (customer, order, time, sku,\n"
           "category, ...; time as Unix seconds or a date-time). Prints one CSV row per\n"
           "SKU: Kaplan-Meier median and quartiles of the days between repurchases,\n"
           "the source (1 SKU, 2 category fallback, 0 none) and the counts.\n\n"
           "  --zone ZONE          zone of local days and of TIME texts (default UTC)\n"
           "  --min-intervals N    intervals a SKU needs before its own cycle is used (10)\n"
           "  --outlier-iqr K      Tukey fence Q3 + K IQR for lapses (3; 0 keeps all)\n"
           "  --due                list customers due for a reminder on the day of --now\n"
           "  --lead D, --grace D  days before / after the expected date to remind (3, 7)\n"
           "  --out PATH           write the CSV to PATH instead of standard output\n");
}

static int run(int argc, char **argv)
{
    static const struct option opts[] = {{"lines", required_argument, NULL, 'l'},
                                         {"now", required_argument, NULL, 'n'},
                                         {"zone", required_argument, NULL, 'z'},
                                         {"min-intervals", required_argument, NULL, 'm'},
                                         {"outlier-iqr", required_argument, NULL, 'k'},
                                         {"due", no_argument, NULL, 'd'},
                                         {"lead", required_argument, NULL, 'L'},
                                         {"grace", required_argument, NULL, 'G'},
                                         {"out", required_argument, NULL, 'o'},
                                         {"help", no_argument, NULL, 'h'},
                                         {0}};
    const char *lines_path = NULL, *now = NULL, *zone = "UTC", *out = NULL;
    custops_repurchase_options o = CUSTOPS_REPURCHASE_OPTIONS_INIT;
    int due = 0, c;
    char *end;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'l': lines_path = optarg; break;
        case 'n': now = optarg; break;
        case 'z': zone = optarg; break;
        case 'm': o.min_intervals = strtoll(optarg, &end, 10); if (*end) return cli_usage_error("repurchase", "bad --min-intervals"); break;
        case 'k': o.outlier_iqr = strtod(optarg, &end); if (*end) return cli_usage_error("repurchase", "bad --outlier-iqr"); break;
        case 'd': due = 1; break;
        case 'L': o.lead_days = strtoll(optarg, &end, 10); if (*end) return cli_usage_error("repurchase", "bad --lead"); break;
        case 'G': o.grace_days = strtoll(optarg, &end, 10); if (*end) return cli_usage_error("repurchase", "bad --grace"); break;
        case 'o': out = optarg; break;
        case 'h': help(); return 0;
        default: return cli_usage_error("repurchase", "unknown option");
        }
    }
    if (!lines_path || !now || optind != argc)
        return cli_usage_error("repurchase", "--lines and --now are required");
    custops_zone *z;
    int rc = custops_zone_open(&z, zone);
    if (rc)
        return cli_fail("repurchase", rc, zone);
    o.zone = z;
    if (csvframe_time_arg(now, z, &o.now)) {
        custops_zone_free(z);
        return cli_usage_error("repurchase", "'%s' is not a time", now);
    }
    char err[1024];
    custops_frame *lines = NULL, *cycles = NULL, *list = NULL;
    int code = 0;
    if ((rc = csvframe_load(&lines, lines_path, CSVF_LINES, CSVF_NLINES, z, err, sizeof err))) {
        fprintf(stderr, "custops repurchase: %s\n", err);
        code = 1;
    } else if ((rc = custops_repurchase_cycles(&cycles, lines, &o))) {
        code = cli_fail("repurchase", rc, "cycles");
    } else if (due && (rc = custops_repurchase_due(&list, lines, cycles, &o))) {
        code = cli_fail("repurchase", rc, "due");
    } else if ((rc = csvframe_emit(due ? list : cycles, out))) {
        code = cli_fail("repurchase", rc, out ? out : "standard output");
    }
    custops_frame_free(list);
    custops_frame_free(cycles);
    custops_frame_free(lines);
    custops_zone_free(z);
    return code;
}

const cli_command cli_cmd_repurchase = {"repurchase", "repurchase cycles per SKU and reminder lists", run};
