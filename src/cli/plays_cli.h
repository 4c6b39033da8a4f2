/* `custops plays`: dry-run automated plays over a date range of a store.
 *
 *   cmd_plays.c     command line, loading the store and the play file
 *   plays_sim.c     the simulated clock: store records become trigger
 *                   events, schedule plays enroll their audience, the
 *                   journey engine returns the actions due at each tick
 *   plays_report.c  tallies per day / step / channel / status, the uplift
 *                   of each play against its holdout, and the output as a
 *                   text table, JSON or CSV
 * Nothing is executed: coupons, messages and tags are only counted. */
#ifndef CUSTOPS_CLI_PLAYS_H
#define CUSTOPS_CLI_PLAYS_H

#include "cli.h"

#define PLAYS_MAX_AUDIENCES 64
#define PLAYS_MAX_CHANNELS 32
#define PLAYS_NSTATUS 4 /* send, holdout, suppressed_consent, suppressed_cap */

extern const char *const plays_status_names[PLAYS_NSTATUS];

/* One step of one play, as seen in the actions (kind, channel and target
 * are the same for every action of a step). */
typedef struct plays_step_row {
    size_t play;
    int64_t step;
    char kind[16], channel[64], target[128];
    int64_t count[PLAYS_NSTATUS];
} plays_step_row;

typedef struct plays_sim {
    /* settings */
    const char *cmd;           /* "plays", for messages */
    int64_t from, end;         /* simulated range [from, end) */
    int64_t step;              /* clock tick, seconds */
    int64_t window;            /* outcome window after a customer's first action, seconds */
    int best_time;             /* derive each customer's best send hour from its order hours */
    const char *assume_consent[PLAYS_MAX_CHANNELS];
    size_t nassume;
    const char *aud_play[PLAYS_MAX_AUDIENCES], *aud_expr[PLAYS_MAX_AUDIENCES];
    size_t naud;
    const char *extra_events;  /* CSV customer_id,type,key,time, or NULL */
    int quiet;

    /* data (owned) */
    custops_store *store;
    custops_zone *zone;
    custops_journeys *j;
    custops_frame *lines, *events;   /* store views */
    custops_frame *features;         /* as of `from`: ids, consent, order hours */
    size_t ncust;
    const char **ids;                /* borrowed from features, ncust entries */
    int64_t *id_slots;               /* open-addressing hash of ids -> row + 1 */
    size_t nslots;
    size_t *line_start, *event_start; /* ncust + 1 offsets into the sorted views */

    /* run results */
    int64_t nfed, ntick, nenrolled;
    /* every action, compact (for tallies and outcome measurement) */
    uint32_t *a_play;
    int32_t *a_cust;                 /* store row, -1 for a customer the store lacks */
    int64_t *a_at;
    uint8_t *a_status;
    uint16_t *a_steprow;             /* index into steps */
    size_t na, acap;
    plays_step_row *steps;
    size_t nsteps, stepcap;
    FILE *actions_csv;               /* --actions: every action as CSV, or NULL */
    custops_ledger *ledger;          /* --ledger: coupons due are issued here, or NULL (dry run) */
    int64_t issued, replayed;        /* coupons issued, and found already issued (same action key) */
} plays_sim;

/* plays_sim.c */
int plays_sim_prepare(plays_sim *s);  /* features, id index, consent, send hours */
int plays_sim_run(plays_sim *s);      /* the clock loop */
int64_t plays_sim_lookup(const plays_sim *s, const char *id); /* store row or -1 */
void plays_sim_free(plays_sim *s);

/* plays_report.c: the uplift frame (group column "play", only plays with
 * both treatment and holdout customers); *out NULL when there is none */
int plays_uplift(plays_sim *s, custops_frame **out);
enum { PLAYS_TEXT, PLAYS_JSON, PLAYS_CSV };
int plays_report(plays_sim *s, const custops_frame *uplift, int format, FILE *f);

#endif
