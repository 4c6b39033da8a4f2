/* Error printing and terminal progress for the subcommands. */
#include "cli.h"

#include <stdarg.h>
#include <time.h>
#include <unistd.h>

int cli_fail(const char *cmd, int status, const char *what)
{
    const char *msg = custops_last_error();
    fprintf(stderr, "custops %s: %s: %s%s%s\n", cmd, what, custops_strerror(status), msg[0] ? ": " : "", msg);
    return 1;
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "custops %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'custops %s --help'.\n", cmd);
    return 2;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

void cli_progress_start(cli_progress *p, const char *label)
{
    p->label = label;
    p->last = 0;
    p->active = isatty(STDERR_FILENO);
}

void cli_progress_update(cli_progress *p, double done, double total, const char *unit)
{
    if (!p->active)
        return;
    double t = now_seconds();
    if (t - p->last < 0.1)
        return;
    p->last = t;
    if (total > 0)
        fprintf(stderr, "\r%s: %5.1f%% (%.0f of %.0f %s)", p->label, 100.0 * done / total, done, total, unit);
    else
        fprintf(stderr, "\r%s: %.0f %s", p->label, done, unit);
    fflush(stderr);
}

void cli_progress_end(cli_progress *p)
{
    if (p->active && p->last > 0)
        fprintf(stderr, "\r\033[K");
    p->active = 0;
}
