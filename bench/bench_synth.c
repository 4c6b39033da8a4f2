/* Synthetic store: order lines generated per second, written as CSV files
 * to a temporary directory and built as an in-memory frame. */
#include "bench.h"

#include <time.h>
#include <unistd.h>

/* Wall time includes the fsync of every file (atomic writes) and whatever
 * else the machine runs; CPU time shows the generator's own cost. */
static double cpu_now(void) { return (double)clock() / CLOCKS_PER_SEC; }

static void clean(const char *dir)
{
    static const char *const names[] = {"orders.csv", "refunds.csv", "events.csv", "customers.csv", "truth.json",
                                        "store.jsonl"};
    char path[600];
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        unlink(path);
    }
}

int main(void)
{
    bench_report r = {.suite = "synth"};
    const char *base = getenv("TMPDIR");
    char dir[512];
    snprintf(dir, sizeof dir, "%s/custops-bench-synth-XXXXXX", base ? base : "/tmp");
    if (!mkdtemp(dir)) {
        fprintf(stderr, "bench_synth: cannot make a temporary directory\n");
        return 1;
    }
    custops_synth_options o;
    custops_synth_options_init(&o, CUSTOPS_SYNTH_OPTIONS_VERSION);
    o.customers = 50000;

    custops_frame *f = NULL;
    double t0 = bench_now(), c0 = cpu_now();
    if (custops_synth_order_lines(&o, &f)) {
        fprintf(stderr, "bench_synth: %s\n", custops_last_error());
        return 1;
    }
    double dt = bench_now() - t0, dc = cpu_now() - c0;
    double lines = (double)custops_frame_nrows(f);
    custops_frame_free(f);
    bench_record(&r, "order lines in memory (frame), wall", lines / dt / 1e6, "M lines/s", NULL, -1);
    bench_record(&r, "order lines in memory (frame), CPU", lines / dc / 1e6, "M lines/s", NULL, -1);

    for (int jsonl = 0; jsonl <= 1; jsonl++) {
        o.jsonl = jsonl;
        t0 = bench_now();
        c0 = cpu_now();
        if (custops_synth_write(&o, dir)) {
            fprintf(stderr, "bench_synth: %s\n", custops_last_error());
            return 1;
        }
        dt = bench_now() - t0;
        dc = cpu_now() - c0;
        const char *what = jsonl ? "order lines to store.jsonl (+ events, refunds, customers)"
                                 : "order lines to CSV (+ events, refunds, customers)";
        char name[96];
        snprintf(name, sizeof name, "%s, wall", what);
        bench_record(&r, name, lines / dt / 1e6, "M lines/s", NULL, -1);
        snprintf(name, sizeof name, "%s, CPU", what);
        bench_record(&r, name, lines / dc / 1e6, "M lines/s", NULL, -1);
        clean(dir);
    }
    bench_record(&r, "order lines per run (50k customers)", lines, "lines", NULL, -1);
    clean(dir);
    rmdir(dir);
    bench_write(&r);
    return 0;
}
