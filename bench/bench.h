/* A tiny benchmark harness: time a body, record a named figure with its
 * unit and goal, and write all figures as JSON and markdown at exit.
 * Benchmarks are programs, not tests: they report, they do not fail. */
#ifndef CUSTOPS_BENCH_H
#define CUSTOPS_BENCH_H

#include <custops.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static inline double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

typedef struct bench_figure {
    char name[96];
    double value;
    char unit[24];
    char goal[64]; /* e.g. "< 0.3 s" or ">= 3e6 lines/s"; "" when none */
    int met;       /* 1 met, 0 missed, -1 no goal */
} bench_figure;

typedef struct bench_report {
    const char *suite;
    bench_figure figs[128];
    int n;
} bench_report;

static inline void bench_record(bench_report *r, const char *name, double value, const char *unit,
                                const char *goal, int met)
{
    if (r->n >= 128)
        return;
    bench_figure *f = &r->figs[r->n++];
    snprintf(f->name, sizeof f->name, "%s", name);
    f->value = value;
    snprintf(f->unit, sizeof f->unit, "%s", unit);
    snprintf(f->goal, sizeof f->goal, "%s", goal ? goal : "");
    f->met = goal && goal[0] ? met : -1;
    printf("%-56s %14.4g %-12s %s%s\n", name, value, unit, goal ? goal : "",
           f->met == 1 ? "  (met)" : f->met == 0 ? "  (MISSED)" : "");
    fflush(stdout);
}

/* Writes <dir>/<suite>.json and <dir>/<suite>.md (dir from BENCH_OUT, default "."). */
static inline void bench_write(const bench_report *r)
{
    const char *dir = getenv("BENCH_OUT");
    char path[512];
    snprintf(path, sizeof path, "%s/%s.json", dir ? dir : ".", r->suite);
    FILE *j = fopen(path, "w");
    snprintf(path, sizeof path, "%s/%s.md", dir ? dir : ".", r->suite);
    FILE *m = fopen(path, "w");
    if (!j || !m) {
        if (j) fclose(j);
        if (m) fclose(m);
        fprintf(stderr, "bench: cannot write results to %s\n", dir ? dir : ".");
        return;
    }
    fprintf(j, "{\"suite\": \"%s\", \"library\": \"%s\", \"figures\": [\n", r->suite, custops_version());
    fprintf(m, "## %s (libcustops %s)\n\n| figure | value | unit | goal | met |\n|---|---:|---|---|---|\n", r->suite,
            custops_version());
    for (int i = 0; i < r->n; i++) {
        const bench_figure *f = &r->figs[i];
        fprintf(j, "  {\"name\": \"%s\", \"value\": %.6g, \"unit\": \"%s\", \"goal\": \"%s\", \"met\": %s}%s\n", f->name,
                f->value, f->unit, f->goal, f->met == 1 ? "true" : f->met == 0 ? "false" : "null",
                i + 1 < r->n ? "," : "");
        fprintf(m, "| %s | %.4g | %s | %s | %s |\n", f->name, f->value, f->unit, f->goal,
                f->met == 1 ? "yes" : f->met == 0 ? "**no**" : "");
    }
    fprintf(j, "]}\n");
    fclose(j);
    fclose(m);
}

#endif
