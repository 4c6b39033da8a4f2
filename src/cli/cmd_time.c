/* custops time: show an instant in several zones, the check operators need
 * when a campaign window "starts at midnight" in Asia/Shanghai. */
#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static void help(void)
{
    printf("Usage: custops time [--zone ZONE]... [--in ZONE] TIME\n\n"
           "Read TIME (YYYY-MM-DD[ HH:MM[:SS]][Z|+08:00], or @EPOCH_SECONDS) and print\n"
           "it as epoch seconds and as local time in each --zone (default UTC).\n\n"
           "  --in ZONE     zone of TIME when it has no offset (default UTC)\n"
           "  --zone ZONE   print the instant in ZONE; may repeat\n"
           "  --help        show this help\n");
}

static int run(int argc, char **argv)
{
    static const struct option opts[] = {
        {"zone", required_argument, NULL, 'z'}, {"in", required_argument, NULL, 'i'}, {"help", no_argument, NULL, 'h'}, {0}};
    const char *zones[16];
    int nz = 0;
    const char *in = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "z:i:h", opts, NULL)) != -1) {
        if (c == 'z') {
            if (nz == 16)
                return cli_usage_error("time", "at most 16 --zone options");
            zones[nz++] = optarg;
        } else if (c == 'i') {
            in = optarg;
        } else if (c == 'h') {
            help();
            return 0;
        } else {
            return cli_usage_error("time", "unknown option");
        }
    }
    if (optind != argc - 1)
        return cli_usage_error("time", "expected one TIME argument");
    const char *text = argv[optind];
    custops_zone *inz = NULL;
    int rc;
    if (in && (rc = custops_zone_open(&inz, in)) != 0)
        return cli_fail("time", rc, "--in");
    int64_t t;
    if (text[0] == '@') {
        char *end;
        t = strtoll(text + 1, &end, 10);
        if (*end || end == text + 1) {
            custops_zone_free(inz);
            return cli_usage_error("time", "'%s' is not @EPOCH_SECONDS", text);
        }
    } else if ((rc = custops_time_parse(text, inz, &t)) != 0) {
        custops_zone_free(inz);
        return cli_fail("time", rc, "TIME");
    }
    custops_zone_free(inz);
    printf("epoch\t%lld\n", (long long)t);
    if (nz == 0)
        zones[nz++] = "UTC";
    for (int i = 0; i < nz; i++) {
        custops_zone *z;
        char buf[40];
        if ((rc = custops_zone_open(&z, zones[i])) != 0)
            return cli_fail("time", rc, zones[i]);
        rc = custops_time_format(t, z, buf, sizeof buf);
        int32_t day;
        custops_zone_local(z, t, &day, NULL);
        static const char *const WD[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
        printf("%s\t%s %s\n", zones[i], buf, WD[custops_day_weekday(day)]);
        custops_zone_free(z);
        if (rc)
            return cli_fail("time", rc, "format");
    }
    return 0;
}

const cli_command cli_cmd_time = {"time", "show an instant in time zones (campaign windows)", run};
