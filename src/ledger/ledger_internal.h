/* Private pieces of the redemption ledger: the records every backend
 * stores, the backend interface (one vtable, so the state machine in
 * ledger.c is written once), the journal hash chain and SHA-256. */
#ifndef CUSTOPS_LEDGER_INTERNAL_H
#define CUSTOPS_LEDGER_INTERNAL_H

#include "core/internal.h"
#include "custops/ledger.h"

#define LG_ID (CUSTOPS_LEDGER_MAX_ID + 1)

/* ---- SHA-256 (sha256.c) ---- */
typedef struct lg_sha256 {
    uint32_t h[8];
    uint64_t len;
    unsigned char buf[64];
    size_t fill;
} lg_sha256;
void custops__ledger_sha256_init(lg_sha256 *s);
void custops__ledger_sha256_update(lg_sha256 *s, const void *data, size_t n);
void custops__ledger_sha256_final(lg_sha256 *s, unsigned char out[32]);

/* ---- records ---- */
typedef struct lg_coupon {
    char code[LG_ID], owner[LG_ID], campaign[LG_ID]; /* "" when absent */
    int64_t max_uses, max_per_customer, valid_from, valid_until, issued_at;
    int32_t restore;
} lg_coupon;

typedef struct lg_res {
    char order[LG_ID], code[LG_ID];
    char customer[LG_ID]; /* "" for a guest */
    char campaign[LG_ID]; /* copied from the coupon: "" when none */
    int32_t state;
    int32_t per_customer; /* 1 when a code:X/cust:C counter was charged */
    int64_t amount;       /* discount reserved, then committed */
    int64_t reversed;     /* discount given back so far */
    int64_t created, expires;
} lg_res;

/* A stored idempotency key: the request's hash and the receipt given. */
typedef struct lg_idem {
    char key[LG_ID];
    uint64_t req_hash;
    int32_t state;
    int64_t seq, amount, expires;
} lg_idem;

/* One journal record. body is a canonical text of the transition. chain
 * names the hash chain it belongs to on backends with one chain per coupon
 * and budget ("code:X", "budget:C"); single-chain backends ignore it and
 * report "". */
typedef struct lg_jrec {
    int64_t seq, ts;
    const char *chain;
    const char *body;
    size_t body_len;
    unsigned char prev[32], hash[32];
} lg_jrec;

/* ---- backend interface ----
 * Every function returns 0 or a negative status. "Not found" is
 * CUSTOPS_ENOTFOUND and a refused guard is CUSTOPS_ELIMIT, both WITHOUT a
 * message (the state machine words them); other failures set a message.
 * LG_RETRY asks ledger.c to roll back and run the transition again
 * (a PostgreSQL serialization failure). All mutations happen between
 * begin() and commit()/rollback(); rollback undoes every one. */
#define LG_RETRY (-1000)

typedef struct lg_backend lg_backend;
typedef int (*lg_res_cb)(void *ud, const lg_res *r);
typedef int (*lg_coupon_cb)(void *ud, const lg_coupon *c);
typedef int (*lg_counter_cb)(void *ud, const char *key, int64_t lim, int64_t used, int64_t reserved);
typedef int (*lg_jrec_cb)(void *ud, const lg_jrec *r);
typedef int (*lg_head_cb)(void *ud, const char *chain, int64_t seq, const unsigned char hash[32]);

/* What a transition will touch, given to begin() so a backend can fetch it
 * ahead (PostgreSQL sends these reads in one round trip). Every pointer may
 * be NULL. writing is 0 only for the read-only calls. */
typedef struct lg_hint {
    int writing;
    int64_t now;         /* the transition's clock (its lazy expiry) */
    const char *idem_key;
    const char *coupon;  /* a coupon it reads */
    const char *order, *code; /* the reservation it reads */
    const char *chain;   /* the journal chain it appends to */
} lg_hint;

typedef struct lg_backend_ops {
    const char *name;
    /* 1: one journal chain per coupon and budget, so transitions on
     * unrelated coupons never wait for each other (records come out of
     * journal_scan ordered by chain, then seq); 0: one chain for everything */
    int chains;
    /* 1: journal_append may be given records without a hash; the backend
     * computes them before any reader sees them (memory: hashing off the
     * hot path, the bytes produced are the same) */
    int lazy_hash;
    int (*begin)(lg_backend *b, const lg_hint *h);
    int (*commit)(lg_backend *b);
    void (*rollback)(lg_backend *b);
    int (*coupon_get)(lg_backend *b, const char *code, lg_coupon *out);
    int (*coupon_insert)(lg_backend *b, const lg_coupon *c); /* CUSTOPS_EEXISTS (no message) if present */
    /* create the counter with limit lim (-1 unlimited) if it does not exist */
    int (*counter_create)(lg_backend *b, const char *key, int64_t lim);
    /* atomically lim += dl, used += du, reserved += dr; when guard is set the
     * change happens only if lim < 0 or used + reserved + du + dr <= lim + dl
     * (else CUSTOPS_ELIMIT, nothing changed) */
    int (*counter_add)(lg_backend *b, const char *key, int64_t dl, int64_t du, int64_t dr, int guard);
    int (*counter_get)(lg_backend *b, const char *key, int64_t *lim, int64_t *used, int64_t *reserved);
    int (*res_get)(lg_backend *b, const char *order, const char *code, lg_res *out);
    int (*res_put)(lg_backend *b, const lg_res *r); /* insert or replace by (order, code) */
    /* some PENDING reservation with expires <= now, or CUSTOPS_ENOTFOUND */
    int (*res_next_expired)(lg_backend *b, int64_t now, lg_res *out);
    int (*idem_get)(lg_backend *b, const char *key, lg_idem *out);
    int (*idem_put)(lg_backend *b, const lg_idem *r);
    /* head of a journal chain (the only one on single-chain backends): seq 0
     * and 32 zero bytes when empty; hash may be NULL on lazy_hash backends.
     * In a writing transaction it also reserves the chain until commit. */
    int (*journal_head)(lg_backend *b, const char *chain, int64_t *seq, unsigned char hash[32]);
    int (*journal_append)(lg_backend *b, const lg_jrec *r); /* and moves the head */
    int (*journal_scan)(lg_backend *b, lg_jrec_cb cb, void *ud);
    /* chains backends: every chain's head, ordered by chain (bytewise) */
    int (*head_scan)(lg_backend *b, lg_head_cb cb, void *ud);
    int (*coupon_scan)(lg_backend *b, lg_coupon_cb cb, void *ud);
    int (*counter_scan)(lg_backend *b, lg_counter_cb cb, void *ud);
    int (*res_scan)(lg_backend *b, lg_res_cb cb, void *ud);
    void (*close)(lg_backend *b);
} lg_backend_ops;

struct lg_backend {
    const lg_backend_ops *ops;
};

/* Backends (backend_*.c). Each sets a message on failure. */
int custops__ledger_memory_open(lg_backend **out);
int custops__ledger_sqlite_open(lg_backend **out, const char *path, const custops_ledger_options *o);
int custops__ledger_pg_open(lg_backend **out, const char *conninfo, const custops_ledger_options *o);

/* ---- journal (journal.c) ---- */
/* hash = SHA-256(prev || le64 seq || le64 ts || body) */
void custops__ledger_journal_hash(const lg_jrec *r, unsigned char out[32]);
/* Append a record to a chain with the next sequence number after its head. */
int custops__ledger_journal_add(lg_backend *b, const char *chain, int64_t ts, const char *body, size_t len, int64_t *seq);
/* Check the chains; see custops_ledger_verify(). */
int custops__ledger_journal_verify(lg_backend *b, int64_t *nrecords, unsigned char head[32]);
/* Records and head without checking: the one chain's head, or on chains
 * backends SHA-256 over every chain's (name, NUL, le64 seq, head hash) in
 * chain order (just that chain's head when there is only one). */
int custops__ledger_journal_summary(lg_backend *b, int64_t *nrecords, unsigned char head[32]);
void custops__ledger_hex(const unsigned char *bytes, size_t n, char *out);

/* ---- code generation (codegen.c) ---- */
/* which of n codes (len bytes each, back to back) are issued, in one
 * read transaction (ledger.c; for codegen.c) */
int custops__ledger_codes_taken(custops_ledger *l, const char *codes, size_t n, size_t len, unsigned char *taken);

#endif
