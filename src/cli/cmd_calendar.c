/* custops calendar: check a campaign calendar file (phases listed in
 * local time) or ask what runs at an instant for a customer's audiences. */
#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static void help(void)
{
    printf("Usage: custops calendar check FILE\n"
           "       custops calendar now FILE --at TIME [--audience NAME]...\n\n"
           "check compiles FILE and lists its phases in the campaign zone; errors\n"
           "give FILE:LINE:COL. now lists the actions (phase, audience, action, arg)\n"
           "running at TIME for a customer in the given audiences (TIME as for\n"
           "'custops time', read in the campaign zone; @EPOCH also works).\n");
}

static int run(int argc, char **argv)
{
    static const struct option opts[] = {
        {"at", required_argument, NULL, 't'}, {"audience", required_argument, NULL, 'a'}, {"help", no_argument, NULL, 'h'}, {0}};
    const char *at = NULL;
    const char **aud = calloc((size_t)argc, sizeof *aud);
    size_t naud = 0;
    int c;
    if (!aud)
        return 1;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (c == 't') {
            at = optarg;
        } else if (c == 'a') {
            aud[naud++] = optarg;
        } else if (c == 'h') {
            free(aud);
            help();
            return 0;
        } else {
            free(aud);
            return cli_usage_error("calendar", "unknown option");
        }
    }
    if (argc - optind != 2) {
        free(aud);
        return cli_usage_error("calendar", "expected 'check FILE' or 'now FILE --at TIME'");
    }
    const char *sub = argv[optind], *file = argv[optind + 1];
    int is_now = strcmp(sub, "now") == 0;
    if (!is_now && strcmp(sub, "check") != 0) {
        free(aud);
        return cli_usage_error("calendar", "unknown subcommand '%s'", sub);
    }
    custops_calendar *cal;
    int rc = custops_calendar_load(&cal, file);
    if (rc) {
        free(aud);
        return cli_fail("calendar", rc, file);
    }
    custops_zone *z = NULL;
    custops_frame *f = NULL;
    int code = 0;
    if ((rc = custops_zone_open(&z, custops_calendar_zone_name(cal)))) {
        code = cli_fail("calendar", rc, "zone");
    } else if (!is_now) {
        if ((rc = custops_calendar_phases(&f, cal))) {
            code = cli_fail("calendar", rc, "phases");
        } else {
            printf("campaign\t%s\nzone\t%s\n", custops_calendar_name(cal), custops_calendar_zone_name(cal));
            size_t cs, ce, cb;
            const int64_t *st, *en, *nb;
            custops_frame_find(f, "start", &cs);
            custops_frame_find(f, "end", &ce);
            custops_frame_find(f, "bindings", &cb);
            custops_frame_int64(f, cs, &st);
            custops_frame_int64(f, ce, &en);
            custops_frame_int64(f, cb, &nb);
            for (size_t i = 0; i < custops_frame_nrows(f); i++) {
                const char *name;
                char b1[40], b2[40];
                custops_frame_string(f, 0, i, &name);
                custops_time_format(st[i], z, b1, sizeof b1);
                custops_time_format(en[i], z, b2, sizeof b2);
                printf("phase\t%s\t%s\t%s\t%lld audience line(s)\n", name, b1, b2, (long long)nb[i]);
            }
        }
    } else if (!at) {
        code = cli_usage_error("calendar", "now needs --at TIME");
    } else {
        int64_t t;
        char *end;
        if (at[0] == '@') {
            t = strtoll(at + 1, &end, 10);
            rc = *end || end == at + 1 ? CUSTOPS_EINVAL : 0;
        } else {
            rc = custops_time_parse(at, z, &t);
        }
        if (rc)
            code = cli_usage_error("calendar", "'%s' is not a time", at);
        else if ((rc = custops_calendar_now(&f, cal, t, aud, naud)))
            code = cli_fail("calendar", rc, "now");
        else {
            printf("phase\taudience\taction\targ\n");
            for (size_t i = 0; i < custops_frame_nrows(f); i++) {
                const char *v[4];
                for (size_t k = 0; k < 4; k++)
                    custops_frame_string(f, k, i, &v[k]);
                printf("%s\t%s\t%s\t%s\n", v[0], v[1], v[2], v[3]);
            }
        }
    }
    custops_frame_free(f);
    custops_zone_free(z);
    custops_calendar_free(cal);
    free(aud);
    return code;
}

const cli_command cli_cmd_calendar = {"calendar", "campaign calendars: check a file, what runs now", run};
