/* custops: the command-line face of libcustops. Dispatches to one
 * subcommand per file; see `custops --help`. */
#include "cli.h"

#include <string.h>

static const cli_command *const COMMANDS[] = {
    &cli_cmd_run,
    &cli_cmd_time,
    &cli_cmd_message,
    &cli_cmd_ingest,
    &cli_cmd_profile,
    &cli_cmd_coupons,
    &cli_cmd_synth,
    &cli_cmd_ledger,
    &cli_cmd_segment,
    &cli_cmd_abtest, &cli_cmd_calendar, &cli_cmd_repurchase, &cli_cmd_sendtime, &cli_cmd_crosssell, &cli_cmd_kpi,
    &cli_cmd_clv,
    &cli_cmd_plays,
};
#define NCOMMANDS (sizeof COMMANDS / sizeof COMMANDS[0])

static void usage(FILE *f)
{
    fprintf(f, "Usage: custops [--help] [--version] <command> [options]\n\n"
               "Customer operations from the command line: profiles, segments, CLV,\n"
               "coupons and campaign analytics. Commands:\n\n");
    for (size_t i = 0; i < NCOMMANDS; i++)
        fprintf(f, "  %-10s %s\n", COMMANDS[i]->name, COMMANDS[i]->summary);
    fprintf(f, "\nRun 'custops <command> --help' for a command's options.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
        printf("custops %s (libcustops %s)\n", CUSTOPS_VERSION, custops_version());
        return 0;
    }
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (strcmp(argv[1], COMMANDS[i]->name) == 0)
            return COMMANDS[i]->run(argc - 1, argv + 1);
    fprintf(stderr, "custops: unknown command '%s'\n\n", argv[1]);
    usage(stderr);
    return 2;
}
