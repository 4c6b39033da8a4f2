/* custops run, stage 1: data in. The operator's files, or the built-in
 * synthetic store (written into the output's input/ folder so the run can
 * be repeated and inspected), go through the same CSV ingest. */
#include "run.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void on_bytes(uint64_t done, uint64_t total, void *ud)
{
    cli_progress_update(ud, (double)done / 1048576.0, (double)total / 1048576.0, "MiB");
}

static int on_customers(void *ud, int64_t done, int64_t total)
{
    cli_progress_update(ud, (double)done, (double)total, "customers");
    return 0;
}

static int ingest(run_state *st, const char *dir, const char *file, int required)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    if (access(path, F_OK) != 0) {
        if (!required)
            return 0;
        fprintf(stderr, "custops run: %s: no such file (the data folder needs at least orders.csv)\n", path);
        return 1;
    }
    cli_progress pr;
    cli_progress_start(&pr, file);
    if (st->quiet)
        pr.active = 0;
    custops_ingest_opts o;
    custops_ingest_opts_init(&o);
    o.progress = on_bytes;
    o.progress_ud = &pr;
    int rc = custops_store_ingest_csv(st->store, path, &o, NULL, NULL);
    cli_progress_end(&pr);
    return rc ? cli_fail("run", rc, "ingest") : 0;
}

int run_input(run_state *st, config *cfg)
{
    (void)cfg;
    int rc = custops_zone_open(&st->zone, st->zone_name);
    if (rc)
        return cli_fail("run", rc, "zone");
    if ((rc = custops_store_new(&st->store, st->zone_name, st->currency)) != 0)
        return cli_fail("run", rc, "store");
    if ((rc = custops_currency_exponent(st->currency, &st->exponent)) != 0)
        return cli_fail("run", rc, "currency");

    run_stage(st, 1, "reading the data");
    char synth_dir[4200];
    const char *dir = st->data_dir;
    if (!st->data_dir && !st->jsonl) {
        snprintf(synth_dir, sizeof synth_dir, "%s/input", st->staging);
        custops_synth_options so;
        custops_synth_options_init(&so, CUSTOPS_SYNTH_OPTIONS_VERSION);
        so.customers = st->synth_customers;
        so.seed = (uint64_t)st->synth_seed;
        so.zone = st->zone_name;
        so.currency = st->currency;
        cli_progress pr;
        cli_progress_start(&pr, "synthetic store");
        if (st->quiet)
            pr.active = 0;
        so.progress = on_customers;
        so.progress_ud = &pr;
        rc = custops_synth_write(&so, synth_dir);
        cli_progress_end(&pr);
        if (rc)
            return cli_fail("run", rc, "synthetic store");
        dir = synth_dir;
    }
    if (st->jsonl) {
        cli_progress pr;
        cli_progress_start(&pr, st->jsonl);
        if (st->quiet)
            pr.active = 0;
        custops_ingest_opts o;
        custops_ingest_opts_init(&o);
        o.progress = on_bytes;
        o.progress_ud = &pr;
        rc = custops_store_ingest_jsonl(st->store, st->jsonl, &o, NULL, NULL);
        cli_progress_end(&pr);
        if (rc)
            return cli_fail("run", rc, "ingest");
    } else if (ingest(st, dir, "customers.csv", 0) || ingest(st, dir, "orders.csv", 1) ||
               ingest(st, dir, "refunds.csv", 0) || ingest(st, dir, "events.csv", 0)) {
        return 1;
    }

    custops_store_counts counts;
    custops_store_stats(st->store, &counts);
    if (counts.lines == 0) {
        fprintf(stderr, "custops run: the data holds no order lines\n");
        return 1;
    }
    st->nlines = (int64_t)counts.lines;
    st->norders = (int64_t)counts.orders;
    if ((rc = custops_store_lines(st->store, &st->lines)) || (rc = custops_store_events(st->store, &st->events)))
        return cli_fail("run", rc, "views");

    if (st->as_of_text) {
        if ((rc = custops_time_parse(st->as_of_text, st->zone, &st->as_of)) != 0)
            return cli_fail("run", rc, "--as-of");
    } else {
        /* the end of the local day of the last order */
        const int64_t *t = run_i64(st->lines, "time");
        int64_t last = t[0];
        for (size_t i = 1, n = custops_frame_nrows(st->lines); i < n; i++)
            if (t[i] > last)
                last = t[i];
        int32_t day, sod;
        custops_zone_local(st->zone, last, &day, &sod);
        custops_zone_instant(st->zone, day + 1, 0, &st->as_of);
        st->as_of -= 1;
    }
    return 0;
}
