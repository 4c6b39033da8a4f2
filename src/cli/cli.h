/* The custops program: shared pieces of the subcommands. The program uses
 * only the public API; if a command needs something the API lacks, the API
 * is what must grow. */
#ifndef CUSTOPS_CLI_H
#define CUSTOPS_CLI_H

#include <custops.h>
#include <stdio.h>

typedef struct cli_command {
    const char *name;
    const char *summary;              /* one line for `custops --help` */
    int (*run)(int argc, char **argv); /* argv[0] is the subcommand name */
} cli_command;

/* Every subcommand file defines one of these. */
extern const cli_command cli_cmd_run;
extern const cli_command cli_cmd_time;
extern const cli_command cli_cmd_message;
extern const cli_command cli_cmd_ingest;
extern const cli_command cli_cmd_profile;
extern const cli_command cli_cmd_coupons;
extern const cli_command cli_cmd_synth;
extern const cli_command cli_cmd_ledger;
extern const cli_command cli_cmd_segment;
extern const cli_command cli_cmd_abtest, cli_cmd_calendar, cli_cmd_repurchase, cli_cmd_sendtime, cli_cmd_crosssell, cli_cmd_kpi;
extern const cli_command cli_cmd_clv;
extern const cli_command cli_cmd_plays;

/* Print "custops <cmd>: <what>: <library message>" to stderr; returns exit code 1. */
int cli_fail(const char *cmd, int status, const char *what);
/* Print a usage error and return exit code 2. */
int cli_usage_error(const char *cmd, const char *fmt, ...);

/* Progress on a terminal: a single self-overwriting line on stderr, shown
 * only when stderr is a terminal, at most ten times a second. */
typedef struct cli_progress {
    const char *label;
    double last;
    int active;
} cli_progress;
void cli_progress_start(cli_progress *p, const char *label);
void cli_progress_update(cli_progress *p, double done, double total, const char *unit);
void cli_progress_end(cli_progress *p);

#endif
