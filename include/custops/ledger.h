/**
 * @file custops/ledger.h
 * @brief Coupon redemption ledger: issue, reserve, commit, release, expire
 *        and reverse coupon uses atomically and idempotently, with usage
 *        limits, per-customer limits and money budgets that are never
 *        overspent, and a hash-chained journal of every transition.
 *
 * A coupon (a code) is issued once with its limits. An order reserves a
 * coupon for a discount amount with a time to live; the reservation is then
 * committed (payment captured), released (order abandoned) or expires (the
 * caller's clock passed its deadline). A committed use can be reversed in
 * part (partial refund: the budget gets the discount share back) or in
 * full (the usage counts are restored too, unless the coupon says never).
 *
 *     reserve ──▶ PENDING ──commit──▶ COMMITTED ──reverse(part)──▶ PARTIALLY_REVERSED
 *                    │                    └────reverse(rest)──────────▶ REVERSED
 *                    └──release / expire──▶ RELEASED | EXPIRED
 *
 * Admission is atomic: `used + reserved + 1 <= limit` for the coupon and
 * for the (coupon, customer) pair, and `spent + reserved + amount <=
 * budget` for the coupon's campaign budget, are checked and incremented in
 * one transaction with guarded updates, all or nothing. Counters only ever
 * change by atomic additions, never by writing back a value read earlier.
 *
 * Every transition takes an idempotency key (may be NULL to opt out). A
 * replay of a key with the same request returns the stored receipt and
 * changes nothing; the same key with a different request fails with
 * CUSTOPS_ECONFLICT. Only successful transitions store their key, so a
 * request refused for a limit can be retried later with the same key.
 *
 * Time is always the caller's: every call takes `now` in Unix seconds (UTC);
 * reservations whose deadline passed expire lazily at the start of every
 * transition and with custops_ledger_expire(). The read-only calls
 * (custops_ledger_counter(), custops_ledger_reservation(), show, journal,
 * verify) take no clock and expire nothing: call custops_ledger_expire()
 * first for a view as of now.
 *
 * Backends, chosen by the location given to custops_ledger_open():
 * `"memory:"` keeps everything in this process; `"sqlite:PATH"` (or a
 * plain path) keeps it in an SQLite file that several processes on one
 * machine can share (each transition is one `BEGIN IMMEDIATE`
 * transaction); `"postgresql://..."` or `"postgres:CONNINFO"` uses a
 * PostgreSQL server when the library was built with libpq.
 *
 * On PostgreSQL, transitions on different coupons run concurrently (row
 * locks, no ledger-wide lock), so the journal there is one hash chain per
 * coupon (`code:CODE`) and per campaign budget (`budget:CAMPAIGN`), each
 * numbered from 1: a receipt's seq counts within its coupon's (or, for
 * custops_ledger_budget_add(), its budget's) chain, journal lines name
 * their chain, and custops_ledger_verify() checks every chain. A ledger
 * with a single coupon reads exactly as on the other backends.
 *
 * Thread rules: a ledger handle is used by one thread at a time; open one
 * handle per thread or process on the same SQLite file or server. Never
 * keep an SQLite ledger open across fork(): SQLite's lock bookkeeping is
 * per process, and a child that inherits an open connection (even one it
 * does not use) can break the locking of the connections it opens itself.
 * Close the handle before forking and open new ones in the children.
 */
#ifndef CUSTOPS_LEDGER_H
#define CUSTOPS_LEDGER_H

#include "custops/common.h"

CUSTOPS_BEGIN_DECLS

/** Opaque redemption ledger handle. */
typedef struct custops_ledger custops_ledger;

/** Longest code, customer id, order id, campaign or idempotency key, in bytes. */
#define CUSTOPS_LEDGER_MAX_ID 128

/** Amount for custops_ledger_reverse(): reverse everything not yet reversed. */
#define CUSTOPS_LEDGER_REST (-1)

/** Reservation states (custops_ledger_receipt::state). */
typedef enum custops_ledger_state {
    CUSTOPS_LEDGER_NONE = 0,               /**< no reservation (issue, budget receipts) */
    CUSTOPS_LEDGER_PENDING = 1,            /**< reserved, waiting for commit */
    CUSTOPS_LEDGER_COMMITTED = 2,          /**< used */
    CUSTOPS_LEDGER_PARTIALLY_REVERSED = 3, /**< used, part of the discount refunded */
    CUSTOPS_LEDGER_REVERSED = 4,           /**< fully refunded */
    CUSTOPS_LEDGER_RELEASED = 5,           /**< given back before commit */
    CUSTOPS_LEDGER_EXPIRED = 6             /**< its time to live passed before commit */
} custops_ledger_state;

/** Why a reservation was refused (custops_ledger_receipt::reason). */
typedef enum custops_ledger_reason {
    CUSTOPS_LEDGER_OK = 0,             /**< not refused */
    CUSTOPS_LEDGER_TOTAL_LIMIT = 1,    /**< the coupon's usage limit is reached */
    CUSTOPS_LEDGER_CUSTOMER_LIMIT = 2, /**< this customer's limit for the coupon is reached */
    CUSTOPS_LEDGER_BUDGET = 3,         /**< the campaign budget cannot cover the discount */
    CUSTOPS_LEDGER_NOT_OWNED = 4,      /**< the coupon was issued to another customer */
    CUSTOPS_LEDGER_NOT_STARTED = 5,    /**< now is before the coupon's valid_from */
    CUSTOPS_LEDGER_ENDED = 6,          /**< now is at or after the coupon's valid_until */
    CUSTOPS_LEDGER_CUSTOMER_REQUIRED = 7 /**< the coupon needs an identified customer */
} custops_ledger_reason;

/** Version of custops_ledger_options understood by this header. */
#define CUSTOPS_LEDGER_OPTIONS_VERSION 1
/** Initializer for custops_ledger_options with the defaults. */
#define CUSTOPS_LEDGER_OPTIONS_INIT {CUSTOPS_LEDGER_OPTIONS_VERSION, 5000, 1, 8}

/** How a ledger is opened. */
typedef struct custops_ledger_options {
    unsigned int version;   /**< CUSTOPS_LEDGER_OPTIONS_VERSION */
    int32_t busy_timeout_ms;/**< how long to wait for another process's lock (SQLite) before CUSTOPS_EBUSY */
    int32_t durable;        /**< 1: fsync every transaction (SQLite synchronous=FULL); 0: survive process crashes only */
    int32_t max_retries;    /**< PostgreSQL: how often a serialization failure is retried */
} custops_ledger_options;

/**
 * Fill options with the defaults.
 * @param opts the options to fill
 * @param version CUSTOPS_LEDGER_OPTIONS_VERSION
 * @return CUSTOPS_OK, CUSTOPS_EINVAL or CUSTOPS_EVERSION
 */
CUSTOPS_API int custops_ledger_options_init(custops_ledger_options *opts, unsigned int version);

/** Version of custops_ledger_coupon understood by this header. */
#define CUSTOPS_LEDGER_COUPON_VERSION 1
/** Initializer for custops_ledger_coupon: unlimited, always valid, restoring on full reversal. */
#define CUSTOPS_LEDGER_COUPON_INIT {CUSTOPS_LEDGER_COUPON_VERSION, NULL, NULL, NULL, 0, 0, 0, 0, 1}

/** A coupon to issue. Limits of 0 mean unlimited. */
typedef struct custops_ledger_coupon {
    unsigned int version;       /**< CUSTOPS_LEDGER_COUPON_VERSION */
    const char *code;           /**< the code, 1..128 bytes, no control characters */
    const char *owner;          /**< customer the coupon belongs to, or NULL for anyone */
    const char *campaign;       /**< budget it spends from (custops_ledger_budget_add()), or NULL */
    int64_t max_uses;           /**< uses in total (0: unlimited) */
    int64_t max_per_customer;   /**< uses per customer (0: unlimited; else a customer id is required) */
    int64_t valid_from;         /**< first valid instant, Unix seconds (0: no start) */
    int64_t valid_until;        /**< first instant no longer valid (0: no end) */
    int32_t restore_on_reversal;/**< 1: a full reversal gives the use back; 0: never */
} custops_ledger_coupon;

/** Version of custops_ledger_receipt understood by this header. */
#define CUSTOPS_LEDGER_RECEIPT_VERSION 1
/** Initializer for custops_ledger_receipt. */
#define CUSTOPS_LEDGER_RECEIPT_INIT {CUSTOPS_LEDGER_RECEIPT_VERSION, 0, 0, 0, 0, 0, 0}

/** What a transition did. The caller sets version; the call fills the rest. */
typedef struct custops_ledger_receipt {
    unsigned int version; /**< CUSTOPS_LEDGER_RECEIPT_VERSION */
    int32_t state;        /**< custops_ledger_state of the reservation afterwards */
    int32_t reason;       /**< custops_ledger_reason when a reservation was refused */
    int32_t replayed;     /**< 1 when the idempotency key was seen before and nothing changed */
    int64_t seq;          /**< journal sequence number of the transition (PostgreSQL: within its coupon's or budget's chain) */
    int64_t amount;       /**< the money moved: discount reserved/committed/released/reversed, budget added */
    int64_t expires;      /**< reservation deadline (Unix seconds), 0 if none */
} custops_ledger_receipt;

/**
 * Open (creating if needed) a ledger.
 * @param out receives the ledger (caller owns it; free with custops_ledger_free)
 * @param location `"memory:"`, `"sqlite:PATH"`, a plain file path (SQLite),
 *        or a PostgreSQL connection string (`"postgresql://..."`, `"postgres:CONNINFO"`)
 * @param opts options, or NULL for the defaults
 * @return CUSTOPS_OK, CUSTOPS_EINVAL, CUSTOPS_EIO, CUSTOPS_ECORRUPT (not a ledger),
 *         CUSTOPS_EVERSION (schema newer than this library), CUSTOPS_EBUSY,
 *         CUSTOPS_EUNSUPPORTED (backend not built in) or CUSTOPS_ENOMEM
 */
CUSTOPS_API int custops_ledger_open(custops_ledger **out, const char *location, const custops_ledger_options *opts);

/**
 * Close a ledger.
 * @param l the ledger, or NULL (no-op)
 */
CUSTOPS_API void custops_ledger_free(custops_ledger *l);

/**
 * Name of the backend in use.
 * @param l the ledger
 * @return a static string: "memory", "sqlite" or "postgresql" ("" for NULL)
 */
CUSTOPS_API const char *custops_ledger_backend(const custops_ledger *l);

/**
 * Issue a coupon. Issuing is exactly-once through its key (for example
 * `late_ship_comp:ORDER123`).
 * @param l the ledger
 * @param receipt filled on success (may be NULL)
 * @param coupon the code and its limits
 * @param idem_key idempotency key, or NULL
 * @param now the caller's clock, Unix seconds
 * @return CUSTOPS_OK, CUSTOPS_EINVAL, CUSTOPS_ELIMIT (an id too long),
 *         CUSTOPS_EEXISTS (code already issued), CUSTOPS_ECONFLICT,
 *         CUSTOPS_EBUSY, CUSTOPS_EIO or CUSTOPS_ENOMEM
 */
CUSTOPS_API int custops_ledger_issue(custops_ledger *l, custops_ledger_receipt *receipt, const custops_ledger_coupon *coupon, const char *idem_key, int64_t now);

/**
 * Add money to a campaign budget (creating it at 0 first). Budgets only
 * grow through this call; reservations and commits spend from them.
 * @param l the ledger
 * @param receipt filled on success (may be NULL)
 * @param campaign the campaign name
 * @param amount minor units to add, at least 0
 * @param idem_key idempotency key, or NULL
 * @param now the caller's clock, Unix seconds
 * @return CUSTOPS_OK, CUSTOPS_EINVAL, CUSTOPS_ERANGE (overflow),
 *         CUSTOPS_ECONFLICT, CUSTOPS_EBUSY, CUSTOPS_EIO or CUSTOPS_ENOMEM
 */
CUSTOPS_API int custops_ledger_budget_add(custops_ledger *l, custops_ledger_receipt *receipt, const char *campaign, int64_t amount, const char *idem_key, int64_t now);

/**
 * Reserve one use of a coupon for an order. At most one live reservation
 * exists per (order, code).
 * @param l the ledger
 * @param receipt filled on success, and its reason on CUSTOPS_ELIMIT or a
 *        validity refusal (may be NULL)
 * @param code the coupon code
 * @param customer the customer id, or NULL for a guest
 * @param order the order id
 * @param amount the discount in minor units, at least 0 (spent from the campaign budget)
 * @param ttl seconds until the reservation expires, at least 1
 * @param idem_key idempotency key, or NULL
 * @param now the caller's clock, Unix seconds
 * @return CUSTOPS_OK, CUSTOPS_EINVAL, CUSTOPS_ENOTFOUND (unknown code),
 *         CUSTOPS_ELIMIT (usage, customer or budget limit; see receipt->reason),
 *         CUSTOPS_ESTATE (not owned, not yet valid, ended, customer required),
 *         CUSTOPS_EEXISTS (the order already holds this coupon), CUSTOPS_ECONFLICT,
 *         CUSTOPS_EBUSY, CUSTOPS_EIO or CUSTOPS_ENOMEM
 */
CUSTOPS_API int custops_ledger_reserve(custops_ledger *l, custops_ledger_receipt *receipt, const char *code, const char *customer, const char *order, int64_t amount, int64_t ttl, const char *idem_key, int64_t now);

/**
 * Commit a pending reservation: the use counts and the discount is spent.
 * @param l the ledger
 * @param receipt filled on success (may be NULL)
 * @param order the order id
 * @param code the coupon code
 * @param idem_key idempotency key, or NULL
 * @param now the caller's clock, Unix seconds
 * @return CUSTOPS_OK, CUSTOPS_EINVAL, CUSTOPS_ENOTFOUND (no reservation),
 *         CUSTOPS_ESTATE (not pending: already committed, released or expired),
 *         CUSTOPS_ECONFLICT, CUSTOPS_EBUSY, CUSTOPS_EIO or CUSTOPS_ENOMEM
 */
CUSTOPS_API int custops_ledger_commit(custops_ledger *l, custops_ledger_receipt *receipt, const char *order, const char *code, const char *idem_key, int64_t now);

/**
 * Release a pending reservation (order cancelled before payment).
 * @param l the ledger
 * @param receipt filled on success (may be NULL)
 * @param order the order id
 * @param code the coupon code
 * @param idem_key idempotency key, or NULL
 * @param now the caller's clock, Unix seconds
 * @return CUSTOPS_OK, CUSTOPS_EINVAL, CUSTOPS_ENOTFOUND, CUSTOPS_ESTATE,
 *         CUSTOPS_ECONFLICT, CUSTOPS_EBUSY, CUSTOPS_EIO or CUSTOPS_ENOMEM
 */
CUSTOPS_API int custops_ledger_release(custops_ledger *l, custops_ledger_receipt *receipt, const char *order, const char *code, const char *idem_key, int64_t now);

/**
 * Reverse (refund) part or all of a committed use. The discount share
 * given back returns to the campaign budget; when nothing remains the
 * reservation is REVERSED and, if the coupon restores on reversal, the use
 * counts are given back.
 * @param l the ledger
 * @param receipt filled on success (may be NULL)
 * @param order the order id
 * @param code the coupon code
 * @param amount discount share to give back, 0..remaining, or CUSTOPS_LEDGER_REST
 * @param idem_key idempotency key, or NULL (then each call reverses again)
 * @param now the caller's clock, Unix seconds
 * @return CUSTOPS_OK, CUSTOPS_EINVAL, CUSTOPS_ENOTFOUND, CUSTOPS_ESTATE (not committed),
 *         CUSTOPS_ERANGE (more than remains), CUSTOPS_ECONFLICT, CUSTOPS_EBUSY,
 *         CUSTOPS_EIO or CUSTOPS_ENOMEM
 */
CUSTOPS_API int custops_ledger_reverse(custops_ledger *l, custops_ledger_receipt *receipt, const char *order, const char *code, int64_t amount, const char *idem_key, int64_t now);

/**
 * Expire every pending reservation whose deadline is at or before now.
 * (Every transition does this too, lazily.)
 * @param l the ledger
 * @param count receives the number expired (may be NULL)
 * @param now the caller's clock, Unix seconds
 * @return CUSTOPS_OK, CUSTOPS_EINVAL, CUSTOPS_EBUSY, CUSTOPS_EIO or CUSTOPS_ENOMEM
 */
CUSTOPS_API int custops_ledger_expire(custops_ledger *l, int64_t *count, int64_t now);

/**
 * Read a counter. Keys: `code:CODE` (uses), `code:CODE/cust:CUSTOMER`
 * (one customer's uses), `budget:CAMPAIGN` (money).
 * @param limit receives the limit (-1: unlimited)
 * @param used receives the committed amount
 * @param reserved receives the amount held by pending reservations
 * @param l the ledger
 * @param key the counter key
 * @return CUSTOPS_OK, CUSTOPS_EINVAL, CUSTOPS_ENOTFOUND, CUSTOPS_EBUSY or CUSTOPS_EIO
 */
CUSTOPS_API int custops_ledger_counter(int64_t *limit, int64_t *used, int64_t *reserved, custops_ledger *l, const char *key);

/**
 * Read a reservation.
 * @param receipt receives state, amount still committed (or reserved) and expires
 * @param l the ledger
 * @param order the order id
 * @param code the coupon code
 * @return CUSTOPS_OK, CUSTOPS_EINVAL, CUSTOPS_ENOTFOUND, CUSTOPS_EBUSY or CUSTOPS_EIO
 */
CUSTOPS_API int custops_ledger_reservation(custops_ledger_receipt *receipt, custops_ledger *l, const char *order, const char *code);

/**
 * The whole ledger state as JSON: coupons, counters, reservations and the
 * journal head.
 * @param out receives a NUL-terminated JSON text (free with custops_free)
 * @param l the ledger
 * @return CUSTOPS_OK, CUSTOPS_EINVAL, CUSTOPS_EBUSY, CUSTOPS_EIO or CUSTOPS_ENOMEM
 */
CUSTOPS_API int custops_ledger_show(char **out, custops_ledger *l);

/**
 * Export journal records as JSON lines, oldest first, one record a line:
 * `{"seq":N,"ts":T,"prev":"HEX","hash":"HEX","record":{...}}` where
 * record is the transition as journaled (op, ids, amounts, state, key).
 * The hashes let an auditor recheck the chain without the library:
 * hash = SHA-256(prev bytes || seq as 8 bytes little endian || ts as 8
 * bytes little endian || the record text exactly as printed).
 * On PostgreSQL each line also carries `"chain":"code:X"` (after "hash"),
 * the lines come chain by chain (chain names in byte order), seq and prev
 * refer to the record's own chain (its first record links to 32 zero
 * bytes) and `after` applies to each chain's seq.
 * @param out receives the text (free with custops_free); "" when no record matches
 * @param l the ledger
 * @param after only records with seq > after (0: from the start)
 * @param limit at most this many records (0: no limit)
 * @return CUSTOPS_OK, CUSTOPS_EINVAL, CUSTOPS_ECORRUPT, CUSTOPS_EBUSY, CUSTOPS_EIO or CUSTOPS_ENOMEM
 */
CUSTOPS_API int custops_ledger_journal(char **out, custops_ledger *l, int64_t after, int64_t limit);

/**
 * Check the journal: consecutive sequence numbers, every record's SHA-256
 * hash and the link to the previous one, and the recorded head (so records
 * removed from the end are noticed too). On PostgreSQL every chain is
 * checked against its own head, and the head reported is that chain's
 * head when there is one chain, else SHA-256 over every chain's (name,
 * NUL byte, last seq as 8 bytes little endian, head hash) in chain order.
 * @param nrecords receives the number of records (may be NULL)
 * @param head_hex receives the head hash as 64 hex digits plus NUL (a
 *        buffer of at least 65 bytes; may be NULL); keep it elsewhere to
 *        detect a rewritten history later
 * @param l the ledger
 * @return CUSTOPS_OK, CUSTOPS_ECORRUPT (naming the first bad record),
 *         CUSTOPS_EINVAL, CUSTOPS_EBUSY, CUSTOPS_EIO or CUSTOPS_ENOMEM
 */
CUSTOPS_API int custops_ledger_verify(int64_t *nrecords, char *head_hex, custops_ledger *l);

/**
 * Generate unique coupon codes: `prefix` followed by `length` characters
 * from an unambiguous alphabet (no 0/O, 1/I/L, 2/Z, 5/S, 8/B, U/V), drawn
 * from a seeded generator, so the same seed gives the same codes. Codes
 * already issued in the ledger and duplicates are skipped.
 * @param out receives the codes, one per line (free with custops_free)
 * @param l a ledger whose codes must be avoided, or NULL
 * @param count how many codes, 1..10,000,000
 * @param prefix text before the random part, or NULL
 * @param length random characters per code, 4..64
 * @param seed generator seed
 * @return CUSTOPS_OK, CUSTOPS_EINVAL, CUSTOPS_ELIMIT (the space is too small
 *         for count unique codes), CUSTOPS_EBUSY, CUSTOPS_EIO or CUSTOPS_ENOMEM
 */
CUSTOPS_API int custops_ledger_codes(char **out, custops_ledger *l, size_t count, const char *prefix, size_t length, uint64_t seed);

/**
 * Name of a reservation state.
 * @param state a custops_ledger_state value
 * @return a static lower-case name ("pending", ...), "unknown" otherwise
 */
CUSTOPS_API const char *custops_ledger_state_name(int state);

/**
 * Name of a refusal reason.
 * @param reason a custops_ledger_reason value
 * @return a static lower-case name ("total_limit", ...), "unknown" otherwise
 */
CUSTOPS_API const char *custops_ledger_reason_name(int reason);

CUSTOPS_END_DECLS

#endif /* CUSTOPS_LEDGER_H */
