/*
 * Private pieces of the synthetic store generator.
 *
 * rng.c      the random number generator and the distributions, built
 *            only from IEEE-exact operations so that every machine draws
 *            the same numbers (no libm call decides a written byte);
 * catalog.c  products, categories, prices, cycles, coupons;
 * generate.c one customer at a time into reusable scratch arrays;
 * write.c    CSV, JSONL and truth.json writers; lines.c the frame.
 *
 * The generator never reads the clock, the environment or global state.
 */
#ifndef CUSTOPS_SYNTH_INTERNAL_H
#define CUSTOPS_SYNTH_INTERNAL_H

#include "core/internal.h"

/* Forbid fused multiply-add contraction in this module: a compiler that
 * fuses a*b+c on one machine and not on another would draw different
 * numbers from the same seed. */
#if defined(__clang__)
#pragma clang fp contract(off)
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

/* ---- random numbers (rng.c) ---- */
typedef struct synth_rng {
    uint64_t s[4];
} synth_rng;

uint64_t synth_splitmix64(uint64_t *state);
/* Seed a stream from a seed and a stream number (customer index, ...). */
void synth_rng_seed(synth_rng *g, uint64_t seed, uint64_t stream);
uint64_t synth_next(synth_rng *g);
/* Uniform in [0, 1) with 53 random bits. */
double synth_uniform(synth_rng *g);
/* Uniform in (0, 1]: safe to take the logarithm of. */
double synth_uniform_pos(synth_rng *g);
/* Uniform integer in [0, n), n > 0, without modulo bias. */
uint64_t synth_below(synth_rng *g, uint64_t n);
/* Bernoulli(prob). */
int synth_chance(synth_rng *g, double prob);
double synth_exponential(synth_rng *g, double rate);
double synth_normal(synth_rng *g);
/* Gamma(shape, rate): mean shape / rate. */
double synth_gamma(synth_rng *g, double shape, double rate);
double synth_beta(synth_rng *g, double a, double b);
/* Poisson(mean) for mean <= 60. */
int synth_poisson(synth_rng *g, double mean);
/* Index drawn with probability weight[i] / total from cumulative integer
 * weights cum[0..n-1] (cum[n-1] = total). */
size_t synth_pick_cum(synth_rng *g, const uint64_t *cum, size_t n);

/* exp and natural log from +, -, *, / and frexp/ldexp only (exact on
 * IEEE-754 doubles), accurate to about one unit in the last place. */
double synth_exp(double x);
double synth_log(double x);

/* ---- catalogue (catalog.c) ---- */
#define SYNTH_NCOUPONS 3
#define SYNTH_NCHANNELS 4
#define SYNTH_NREGIONS 7
#define SYNTH_NTAGS 6

typedef struct synth_coupon {
    const char *code;
    int64_t threshold; /* minor units */
    int64_t off;       /* minor units */
} synth_coupon;

typedef struct synth_catalog {
    int32_t nskus, ncats;
    char (*sku_names)[16];
    char **cat_names;     /* ncats names (static or owned in cat_arena) */
    char *cat_arena;
    int32_t *sku_cat;     /* nskus */
    int64_t *price;       /* nskus, minor units */
    int32_t *cycle;       /* nskus, days; 0 = no cycle */
    uint64_t *pop_cum;    /* nskus cumulative popularity weights */
    int32_t *cat_first;   /* ncats+1 offsets into cat_skus */
    int32_t *cat_skus;    /* SKUs grouped by category */
    synth_coupon coupons[SYNTH_NCOUPONS];
    int exponent;         /* currency exponent */
} synth_catalog;

extern const char *const synth_channel_names[SYNTH_NCHANNELS];
extern const char *const synth_region_names[SYNTH_NREGIONS];
extern const char *const synth_tag_names[SYNTH_NTAGS];
extern const char *const synth_event_names[7];

int synth_catalog_build(synth_catalog *c, const custops_synth_options *o, int exponent);
void synth_catalog_release(synth_catalog *c);

/* ---- generation (generate.c) ---- */
enum { SYNTH_EV_VISIT, SYNTH_EV_VIEW, SYNTH_EV_CART, SYNTH_EV_FAV, SYNTH_EV_COUPON_RECEIVED,
       SYNTH_EV_COUPON_USED, SYNTH_EV_LOGIN };

typedef struct synth_line {
    int32_t sku, qty;
    int64_t unit_price, discount;
} synth_line;

typedef struct synth_order {
    int64_t time;
    int64_t seq;        /* global order number, 1-based */
    int32_t first_line, nlines;
    int32_t coupon;     /* -1 none */
    int32_t channel;
} synth_order;

typedef struct synth_refund {
    int64_t time, seq;  /* refund number, 1-based */
    int32_t order;      /* index into the customer's orders */
    int32_t sku;        /* -1: whole order */
    int32_t qty;        /* 0: all units */
    int64_t amount;
} synth_refund;

typedef struct synth_event {
    int64_t time;
    int32_t type, sku, coupon; /* sku, coupon: -1 none */
    int32_t order;      /* tie-break: creation order */
} synth_event;

typedef struct synth_person {
    int64_t index;      /* 0-based */
    int gender;         /* 0 unknown, 1 f, 2 m */
    int birth_year;     /* 0 unknown */
    int region;
    int64_t member_since; /* -1 unknown */
    unsigned tags;      /* bit i: synth_tag_names[i] */
    int consent_sms, consent_email, consent_push;
} synth_person;

/* Everything of one customer; arrays are reused from customer to customer. */
typedef struct synth_customer {
    synth_person person;
    synth_order *orders;
    size_t norders, orders_cap;
    synth_line *lines;
    size_t nlines, lines_cap;
    synth_refund *refunds;
    size_t nrefunds, refunds_cap;
    synth_event *events;
    size_t nevents, events_cap;
    double *times;      /* scratch: purchase times in days */
    size_t times_cap;
    int32_t *own_sku;   /* cyclic SKUs the customer keeps buying */
    int64_t *own_last;  /* and when each was last bought */
    size_t nown;
} synth_customer;

typedef struct synth_gen {
    custops_synth_options o;
    custops_zone *zone;
    synth_catalog cat;
    int32_t span_days;
    int64_t start_instant, end_instant;
    int32_t d11_days[32]; /* local days that are November 11 inside the window */
    int nd11;
    int64_t next_order, next_refund;
    /* running totals for truth.json */
    int64_t n_orders, n_lines, n_refunds, n_events;
} synth_gen;

/* Validate options (NULL = defaults), open the zone, build the catalogue. */
int synth_gen_init(synth_gen *g, const custops_synth_options *opts);
void synth_gen_release(synth_gen *g);
/* Generate customer i (0-based; customers must be generated in order). */
int synth_gen_customer(synth_gen *g, int64_t i, synth_customer *c);
void synth_customer_release(synth_customer *c);

/* Formatting helpers shared by the writers (write.c). */
void synth_customer_id(char buf[24], int64_t index);
void synth_order_id(char buf[24], int64_t seq);
void synth_refund_id(char buf[24], int64_t seq);

#endif
