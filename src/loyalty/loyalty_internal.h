/* Private to the loyalty module: the program's tables. Customers are
 * interned to dense ids; each keeps a FIFO list of its points lots
 * (linked through lot indexes) and a running balance. */
#ifndef CUSTOPS_LOYALTY_INTERNAL_H
#define CUSTOPS_LOYALTY_INTERNAL_H

#include "core/internal.h"
#include "custops/loyalty.h"

#define LOY_MAX_TIERS 16
#define LOY_DAY 86400
/* Largest balance a member may hold: far above any real program, and far
 * enough below INT64_MAX that sums of lots and earnings cannot overflow. */
#define LOY_MAX_POINTS INT64_C(1000000000000000000)

enum { LOY_EARN = 0, LOY_REDEEM = 1, LOY_EXPIRE = 2 };

typedef struct loy_tier {
    char *name;
    int64_t threshold; /* minor units */
    double mult;
} loy_tier;

typedef struct loy_member {
    int32_t tier;
    size_t head, tail; /* lot index + 1, 0 = none */
    int64_t balance;   /* points in unexpired lots */
} loy_member;

typedef struct loy_purchase {
    uint32_t cust;
    int64_t time, amount;
} loy_purchase;

typedef struct loy_lot {
    uint32_t cust;
    int64_t time, expires, left; /* expires 0: never */
    size_t next;                 /* lot index + 1 */
} loy_lot;

typedef struct loy_entry {
    uint32_t cust;
    uint8_t kind;
    int64_t time, points, balance;
} loy_entry;

typedef struct loy_change {
    uint32_t cust;
    int32_t from, to;
    int64_t time, spend;
} loy_change;

struct custops_loyalty {
    loy_tier tiers[LOY_MAX_TIERS];
    size_t ntiers;
    char *tiers_text, *mult_text;
    double rate;
    int exponent;
    int64_t expiry_days, window_days, last_time;
    custops__intern ids;
    loy_member *members;
    size_t cap_members;
    loy_purchase *purchases;
    size_t npurchases, cap_purchases;
    loy_lot *lots;
    size_t nlots, cap_lots;
    loy_entry *ledger;
    size_t nledger, cap_ledger;
    loy_change *history;
    size_t nhistory, cap_history;
};

/* tiers.c */
int loy_configure(custops_loyalty *l, const custops_loyalty_options *o);
/* points.c */
int loy_check_time(custops_loyalty *l, int64_t instant);
int loy_member_get(custops_loyalty *l, const char *customer, bool create, uint32_t *id);
int loy_expire(custops_loyalty *l, uint32_t id, int64_t instant);
int loy_add_lot(custops_loyalty *l, uint32_t cust, int64_t time, int64_t expires, int64_t left);
/* persist.c: rebuild a program from a LOYL payload (the fuzz target calls
 * it past the checksum); `what` names the source in messages. */
int custops__loy_decode(custops_loyalty **out, const void *payload, size_t len, const char *what);

#endif
