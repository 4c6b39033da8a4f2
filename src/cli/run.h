/* `custops run`: the main job, from order history to decisions.
 *
 * The stages run in order, each in a file of its own, and share this state:
 *   run_input.c   data in: the built-in synthetic store, or the operator's
 *                 CSV / JSON Lines files, into a profile store
 *   run_models.c  features as of a date, CLV (BG/NBD + Gamma-Gamma) with a
 *                 calibration/holdout check, RFM segments, lifecycle classes
 *   run_decide.c  audiences from the campaign's definitions, the coupon or
 *                 message each one receives, repurchase reminders due
 *   run_output.c  the per-customer table (CSV, JSON Lines), the HTML report
 *                 and the terminal summary
 * cmd_run.c reads the command line and the configuration file and writes
 * every output into a staging directory that replaces the output directory
 * in one rename, so outputs appear complete or not at all. */
#ifndef CUSTOPS_CLI_RUN_H
#define CUSTOPS_CLI_RUN_H

#include "cli.h"
#include "config.h"

#define RUN_MAX_AUDIENCES 64
#define RUN_HOLDOUT_BINS 8 /* calibration vs holdout by frequency 0..7+ */

typedef struct run_audience {
    const char *name, *define, *coupon, *message; /* borrowed from the config or built-in defaults */
    custops_bitset *members;
    size_t count;
} run_audience;

typedef struct run_state {
    /* settings (command line over configuration file over defaults) */
    const char *data_dir, *jsonl, *out_dir, *zone_name, *currency, *as_of_text;
    int64_t synth_customers, synth_seed;
    int64_t holdout_weeks, horizon_weeks, clv_months;
    double discount_rate, margin;
    int quiet, exponent;

    /* data */
    custops_zone *zone;
    custops_store *store;
    custops_frame *lines, *events;   /* views of the store */
    int64_t as_of;                   /* instant the features are taken at */
    size_t n;                        /* customers */
    int64_t nlines, norders;

    /* models */
    custops_frame *features;         /* one row per customer, plus model columns added by run_models */
    custops_clv_model *bgnbd, *gg;
    double *p_alive, *expected, *clv; /* n values each */
    int holdout_ok;                   /* 0 when the data could not support a holdout check */
    char holdout_note[256];
    double hold_count[RUN_HOLDOUT_BINS], hold_pred[RUN_HOLDOUT_BINS], hold_act[RUN_HOLDOUT_BINS];
    double hold_pred_total, hold_act_total;
    custops_frame *rfm, *lifecycle, *cohorts, *cycles, *reminders;

    /* decisions */
    run_audience aud[RUN_MAX_AUDIENCES];
    size_t naud;
    int32_t *reminder_sku;            /* per customer: SKU code of the reminder due, -1 none */
    int64_t *reminder_day;            /* its expected local day */

    /* staging directory the outputs are written into */
    char staging[4096];
} run_state;

/* Each stage returns 0, or 1 after printing "custops run: ..." to stderr. */
int run_input(run_state *st, config *cfg);
int run_models(run_state *st);
int run_decide(run_state *st, config *cfg);
int run_output(run_state *st);
/* The summary on the terminal, after the outputs are in place. */
void run_summary(const run_state *st);

/* Progress of a stage on a terminal ("[3/6] fitting CLV"); quiet: nothing. */
void run_stage(const run_state *st, int k, const char *what);

/* Frame columns by name; abort the stage with a message naming the column
 * when it is missing (a library contract break, not bad input). */
const int64_t *run_i64(const custops_frame *f, const char *name);
const double *run_f64(const custops_frame *f, const char *name);
/* An int64 column as doubles (n values, caller frees). */
double *run_i64_as_f64(const custops_frame *f, const char *name);

#endif
