/* Private structures of the play engine: compiled plays (parse.c), journey
 * state and the due-action loop (engine.c), persistence (persist.c). */
#ifndef CUSTOPS_PLAYS_INTERNAL_H
#define CUSTOPS_PLAYS_INTERNAL_H

#include "core/internal.h"
#include "custops/plays.h"

#define PLAYS_MAX_TEXT (1u << 20)
#define PLAYS_MAX_PLAYS 1000
#define PLAYS_MAX_STEPS 64
#define PLAYS_MAX_CAPS 8
#define NONE32 UINT32_MAX

enum step_kind { ST_WAIT = 1, ST_WAIT_TRIGGER, ST_WAIT_ABS, ST_STOP_IF, ST_SEND, ST_COUPON, ST_TAG };
enum trigger_kind { TRIG_EVENT = 1, TRIG_SCHEDULE };
enum sched_kind { SCHED_DAILY = 1, SCHED_WEEKLY, SCHED_MONTHLY };
enum journey_status { J_ACTIVE = 0, J_DONE, J_STOPPED };

typedef struct play_step {
    int kind;
    int64_t secs;      /* wait duration, or absolute instant for ST_WAIT_ABS */
    uint32_t type;     /* ST_STOP_IF: event type (strings table) */
    int same_key;
    uint32_t channel;  /* ST_SEND */
    uint32_t target;   /* template, coupon rule or tag (strings table) */
    int best_time;
    int line;
} play_step;

typedef struct play_cap {
    uint32_t channel;
    int64_t limit, window;
} play_cap;

typedef struct play_def {
    uint32_t name;     /* strings table */
    int trigger;
    uint32_t trig_type;
    int sched, sched_arg; /* weekday 0=Monday.., or day of month */
    int32_t sched_sod;
    int32_t quiet_from, quiet_to; /* seconds of day; -1 when none */
    double holdout;    /* share 0..1 */
    play_step steps[PLAYS_MAX_STEPS];
    int nsteps;
    play_cap caps[PLAYS_MAX_CAPS];
    int ncaps;
} play_def;

typedef struct journey {
    uint32_t play, customer, key;
    uint16_t step;
    uint8_t status, deferred;
    int64_t trigger, cursor;
    int64_t wake; /* nothing can happen before this instant: due() skips the journey (not saved) */
} journey;

struct custops_journeys {
    char *text;           /* the plays as given, kept for save/load */
    custops_zone *zone;
    custops__intern strings;   /* play names, types, channels, targets, keys */
    custops__intern customers; /* dense customer ids */
    play_def *plays;
    size_t nplays;
    int64_t last_now;

    journey *js;
    size_t nj, jcap;
    uint32_t *jslots;     /* open addressing over journey index+1, by (play, customer, key) */
    size_t njslots;

    /* event log with per-customer chains */
    uint32_t *ev_type, *ev_key, *ev_next;
    int64_t *ev_time;
    size_t nev, evcap;
    /* send log with per-customer chains (for caps) */
    uint32_t *sd_channel, *sd_next;
    int64_t *sd_time;
    size_t nsd, sdcap;
    /* per customer: chain heads and best hour */
    uint32_t *ev_head, *sd_head;
    int8_t *send_hour;
    size_t ccap;
    /* consent set: (customer << 32 | channel) + 1, open addressing */
    uint64_t *consent;
    size_t nconsent, consent_slots;
};

/* parse.c */
int custops__plays_parse(custops_journeys *j, const char *text);
/* engine.c */
int custops__plays_customer(custops_journeys *j, const char *id, uint32_t *out);
/* after customers were interned directly: size the per-customer arrays */
int custops__plays_customer_table_ready(custops_journeys *j);
int custops__plays_journey_start(custops_journeys *j, uint32_t play, uint32_t customer, uint32_t key, int64_t t);
int custops__plays_consent_put(custops_journeys *j, uint32_t customer, uint32_t channel, int allowed);
void custops__plays_release(custops_journeys *j);
int custops__plays_has_consent(const custops_journeys *j, uint32_t customer, uint32_t channel);
int custops__plays_holdout(const custops_journeys *j, const play_def *d, uint32_t customer);

#endif
