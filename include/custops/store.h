/**
 * @file custops/store.h
 * @brief The customer profile store: order lines, refunds, behaviour events
 *        and customer attributes held in columns, read from CSV or JSON Lines
 *        (docs/formats.md), handed to models as column frames, saved and
 *        loaded through the checksummed save-file frame.
 *
 * Data is columnar: every record kind is a set of growable integer columns,
 * each as narrow as its values allow; strings (customer ids, order ids,
 * SKUs, ...) are interned once. Views (custops_store_lines(),
 * custops_store_events()) copy the columns into int64 frames the caller
 * owns; a view does not change when the store does.
 *
 * Every batch (an array of records or a whole file under the fail-fast
 * policy) is applied whole or not at all.
 * Thread rules: a store is used by one thread at a time.
 */
#ifndef CUSTOPS_STORE_H
#define CUSTOPS_STORE_H

#include "custops/common.h"
#include "custops/frame.h"

CUSTOPS_BEGIN_DECLS

/** Opaque profile store. */
typedef struct custops_store custops_store;

/** Behaviour event types (the `type` column of the events frame). */
typedef enum custops_event_type {
    CUSTOPS_EVENT_VISIT = 0,           /**< a visit / session start */
    CUSTOPS_EVENT_VIEW = 1,            /**< a product view */
    CUSTOPS_EVENT_CART_ADD = 2,        /**< a product put into the cart */
    CUSTOPS_EVENT_FAVOURITE = 3,       /**< a product marked as favourite */
    CUSTOPS_EVENT_COUPON_RECEIVED = 4, /**< a coupon handed to the customer */
    CUSTOPS_EVENT_COUPON_USED = 5,     /**< a coupon redeemed */
    CUSTOPS_EVENT_LOGIN = 6            /**< a login */
} custops_event_type;

/**
 * Create an empty store.
 * @param out receives the store (caller owns it; free with custops_store_free); NULL on failure
 * @param zone zone name for naive local times and local days ("Asia/Shanghai", "UTC", "+08:00")
 * @param currency ISO 4217 code of every money amount the store will hold ("CNY")
 * @return CUSTOPS_OK, CUSTOPS_EINVAL, CUSTOPS_ENOTFOUND (unknown zone or currency), CUSTOPS_ENOMEM
 */
CUSTOPS_API int custops_store_new(custops_store **out, const char *zone, const char *currency);

/**
 * Free a store and everything it holds.
 * @param store the store, or NULL (no-op)
 */
CUSTOPS_API void custops_store_free(custops_store *store);

/**
 * Name of the store's zone.
 * @param store the store
 * @return borrowed string valid until the store is freed; "" for NULL
 */
CUSTOPS_API const char *custops_store_zone(const custops_store *store);

/**
 * Currency code of the store.
 * @param store the store
 * @return borrowed three-letter code valid until the store is freed; "" for NULL
 */
CUSTOPS_API const char *custops_store_currency(const custops_store *store);

/** Sizes of a store, filled by custops_store_stats(). */
typedef struct custops_store_counts {
    uint64_t customers; /**< distinct customers (rows of the customers frame) */
    uint64_t orders;    /**< distinct orders */
    uint64_t lines;     /**< order lines */
    uint64_t refunds;   /**< refunds */
    uint64_t events;    /**< behaviour events */
    uint64_t bytes;     /**< bytes of memory held by the store's arrays and tables */
} custops_store_counts;

/**
 * Count what the store holds.
 * @param store the store
 * @param out receives the counts
 * @return CUSTOPS_OK or CUSTOPS_EINVAL
 */
CUSTOPS_API int custops_store_stats(const custops_store *store, custops_store_counts *out);

/* ------------------------------------------------------------------ */
/* Batch C API: arrays of records, each batch applied whole or not at all */

/** One order line for custops_store_add_lines(). Money in the store's minor units. */
typedef struct custops_order_line {
    const char *order_id;    /**< order identifier (required) */
    const char *customer_id; /**< customer identifier (required) */
    int64_t time;            /**< Unix seconds the order was paid */
    const char *sku;         /**< product identifier (required) */
    const char *category;    /**< product category, or NULL */
    int64_t qty;             /**< units, > 0 */
    int64_t unit_price;      /**< list price of one unit, >= 0, minor units */
    int64_t discount;        /**< discount on the whole line, 0..qty*unit_price, minor units */
    const char *coupon;      /**< coupon code of the order, or NULL */
    const char *channel;     /**< sales channel, or NULL */
} custops_order_line;

/**
 * Append order lines. Lines of one order must agree on customer and time
 * (also with lines of that order added earlier).
 * @param store the store
 * @param lines @p n lines
 * @param n number of lines
 * @return CUSTOPS_OK, CUSTOPS_EINVAL (a bad record: the message gives its index), CUSTOPS_ERANGE, CUSTOPS_ENOMEM; nothing is added on failure
 */
CUSTOPS_API int custops_store_add_lines(custops_store *store, const custops_order_line *lines, size_t n);

/** One refund for custops_store_add_refunds(). */
typedef struct custops_refund {
    const char *refund_id; /**< refund identifier; a repeated id is ignored (idempotency) */
    const char *order_id;  /**< the refunded order (must already be in the store) */
    int64_t time;          /**< Unix seconds of the refund */
    const char *sku;       /**< refunded line's SKU, or NULL for the whole order */
    int64_t qty;           /**< refunded units, or -1 for all */
    int64_t amount;        /**< money returned, > 0, minor units */
} custops_refund;

/**
 * Append refunds. A refund of a SKU goes to that SKU's lines of the order;
 * a refund of the whole order (or of a SKU the order lacks) is spread over
 * its lines in proportion to their amounts (custops_money_allocate()).
 * @param store the store
 * @param refunds @p n refunds
 * @param n number of refunds
 * @return CUSTOPS_OK, CUSTOPS_EINVAL, CUSTOPS_ENOTFOUND (unknown order), CUSTOPS_ENOMEM; nothing is added on failure
 */
CUSTOPS_API int custops_store_add_refunds(custops_store *store, const custops_refund *refunds, size_t n);

/** One behaviour event for custops_store_add_events(). */
typedef struct custops_event {
    const char *customer_id; /**< customer identifier (required) */
    int64_t time;            /**< Unix seconds */
    int type;                /**< a custops_event_type */
    const char *sku;         /**< product, or NULL */
    const char *category;    /**< category, or NULL */
    const char *coupon;      /**< coupon code, or NULL */
} custops_event;

/**
 * Append behaviour events.
 * @param store the store
 * @param events @p n events
 * @param n number of events
 * @return CUSTOPS_OK, CUSTOPS_EINVAL, CUSTOPS_ENOMEM; nothing is added on failure
 */
CUSTOPS_API int custops_store_add_events(custops_store *store, const custops_event *events, size_t n);

/** Customer attributes for custops_store_add_customers(). */
typedef struct custops_customer {
    const char *customer_id; /**< customer identifier (required) */
    int gender;              /**< 0 unknown, 1 female, 2 male */
    int64_t birth_year;      /**< year, or -1 unknown */
    const char *region;      /**< region, or NULL */
    int64_t member_since;    /**< Unix seconds of registration, or -1 unknown */
    int consent_sms;         /**< 1 consents to SMS, 0 not */
    int consent_email;       /**< 1 consents to e-mail, 0 not */
    int consent_push;        /**< 1 consents to push messages, 0 not */
    const char *tags;        /**< '|'-separated tags, or NULL */
} custops_customer;

/**
 * Set customer attributes (a later record for the same customer replaces
 * the earlier one).
 * @param store the store
 * @param customers @p n records
 * @param n number of records
 * @return CUSTOPS_OK, CUSTOPS_EINVAL, CUSTOPS_ENOMEM; nothing is changed on failure
 */
CUSTOPS_API int custops_store_add_customers(custops_store *store, const custops_customer *customers, size_t n);

/* ------------------------------------------------------------------ */
/* CSV and JSON Lines ingest (docs/formats.md)                          */

/** Record kinds of the input formats. */
typedef enum custops_record_kind {
    CUSTOPS_RECORD_AUTO = 0,       /**< CSV: tell from the header; JSONL: from each "kind" field */
    CUSTOPS_RECORD_ORDER_LINE = 1, /**< order lines (orders.csv) */
    CUSTOPS_RECORD_REFUND = 2,     /**< refunds (refunds.csv) */
    CUSTOPS_RECORD_EVENT = 3,      /**< behaviour events (events.csv) */
    CUSTOPS_RECORD_CUSTOMER = 4    /**< customer attributes (customers.csv) */
} custops_record_kind;

/** What to do with a bad row. */
typedef enum custops_ingest_policy {
    CUSTOPS_INGEST_FAIL_FAST = 0, /**< the first bad row fails the call; nothing of the file is applied */
    CUSTOPS_INGEST_SKIP = 1       /**< bad rows are skipped, counted and reported; the rest is applied */
} custops_ingest_policy;

/** Version of custops_ingest_opts understood by this header. */
#define CUSTOPS_INGEST_OPTS_VERSION 1

/** Options of the ingest functions. */
typedef struct custops_ingest_opts {
    unsigned int version;     /**< CUSTOPS_INGEST_OPTS_VERSION */
    int kind;                 /**< a custops_record_kind (CSV: AUTO tells it from the header) */
    int policy;               /**< a custops_ingest_policy */
    int allow_unknown_columns;/**< 1: ignore unknown CSV columns / JSON fields; 0: they are an error */
    size_t max_field_len;     /**< longest field in bytes (0 = 65536) */
    size_t max_line_len;      /**< longest line / record in bytes (0 = 1048576) */
    size_t max_rejects;       /**< rejected rows kept in the report (0 = 1000); all are counted */
    /** Called about every 4 MiB with bytes done and total, or NULL. */
    void (*progress)(uint64_t done, uint64_t total, void *ud);
    void *progress_ud;        /**< passed back to @c progress */
} custops_ingest_opts;

/** Initializer for custops_ingest_opts: automatic kind, fail fast, default limits. */
#define CUSTOPS_INGEST_OPTS_INIT {CUSTOPS_INGEST_OPTS_VERSION, CUSTOPS_RECORD_AUTO, CUSTOPS_INGEST_FAIL_FAST, 0, 0, 0, 0, NULL, NULL}

/**
 * Fill ingest options with the defaults of CUSTOPS_INGEST_OPTS_INIT.
 * @param opts the options to fill
 */
CUSTOPS_API void custops_ingest_opts_init(custops_ingest_opts *opts);

/** What an ingest call did. */
typedef struct custops_ingest_result {
    uint64_t rows;     /**< data rows read (excluding the CSV header and blank lines) */
    uint64_t accepted; /**< rows applied */
    uint64_t rejected; /**< rows skipped (policy SKIP) */
    uint64_t ignored;  /**< rows accepted but without effect (repeated refund ids) */
} custops_ingest_result;

/**
 * Ingest a CSV file of one record kind (header row, columns in any order).
 * @param store the store
 * @param path the file
 * @param opts options, or NULL for the defaults
 * @param result receives counts (may be NULL)
 * @param rejects_out receives, if not NULL, a frame of rejected rows with
 *        columns line (int64), column (int64) and message (string); caller owns it.
 *        Under fail-fast it holds the failing row when the call fails on bad data.
 * @return CUSTOPS_OK, CUSTOPS_EPARSE (bad data: "file:line:col: message"), CUSTOPS_ELIMIT,
 *         CUSTOPS_EIO, CUSTOPS_EINVAL, CUSTOPS_EVERSION, CUSTOPS_ENOMEM
 */
CUSTOPS_API int custops_store_ingest_csv(custops_store *store, const char *path, const custops_ingest_opts *opts,
                                         custops_ingest_result *result, custops_frame **rejects_out);

/**
 * Ingest CSV text from memory; same rules as custops_store_ingest_csv().
 * @param store the store
 * @param data the text (need not be NUL-terminated)
 * @param len its length in bytes
 * @param name name used in error messages ("orders.csv")
 * @param opts options, or NULL for the defaults
 * @param result receives counts (may be NULL)
 * @param rejects_out receives the rejected rows frame (may be NULL)
 * @return as custops_store_ingest_csv()
 */
CUSTOPS_API int custops_store_ingest_csv_buffer(custops_store *store, const char *data, size_t len, const char *name,
                                                const custops_ingest_opts *opts, custops_ingest_result *result,
                                                custops_frame **rejects_out);

/**
 * Ingest a JSON Lines file: one flat object per line with the CSV column
 * names as fields plus "kind" ("order_line", "refund", "event", "customer").
 * @param store the store
 * @param path the file
 * @param opts options, or NULL for the defaults (opts->kind, if set, is the kind of lines without "kind")
 * @param result receives counts (may be NULL)
 * @param rejects_out receives the rejected rows frame (may be NULL)
 * @return as custops_store_ingest_csv()
 */
CUSTOPS_API int custops_store_ingest_jsonl(custops_store *store, const char *path, const custops_ingest_opts *opts,
                                           custops_ingest_result *result, custops_frame **rejects_out);

/**
 * Ingest JSON Lines text from memory; same rules as custops_store_ingest_jsonl().
 * @param store the store
 * @param data the text
 * @param len its length in bytes
 * @param name name used in error messages
 * @param opts options, or NULL
 * @param result receives counts (may be NULL)
 * @param rejects_out receives the rejected rows frame (may be NULL)
 * @return as custops_store_ingest_csv()
 */
CUSTOPS_API int custops_store_ingest_jsonl_buffer(custops_store *store, const char *data, size_t len,
                                                  const char *name, const custops_ingest_opts *opts,
                                                  custops_ingest_result *result, custops_frame **rejects_out);

/* ------------------------------------------------------------------ */
/* Views (int64 frames; see the data contract in docs/formats.md)     */

/**
 * Order lines as a frame: customer, order, time, sku, category, qty, amount,
 * discount, refunded, coupon, channel (all int64), sorted by (customer, time, order).
 * @param store the store (its rows are put in order on first use)
 * @param out receives a new frame holding a copy of the columns (caller owns it, free
 *        it with custops_frame_free; it stays valid whatever happens to the store)
 * @return CUSTOPS_OK, CUSTOPS_EINVAL, CUSTOPS_ENOMEM
 */
CUSTOPS_API int custops_store_lines(custops_store *store, custops_frame **out);

/**
 * Behaviour events as a frame: customer, time, type, sku, category, coupon
 * (all int64), sorted by (customer, time).
 * @param store the store
 * @param out receives a new frame holding a copy of the columns (as custops_store_lines())
 * @return CUSTOPS_OK, CUSTOPS_EINVAL, CUSTOPS_ENOMEM
 */
CUSTOPS_API int custops_store_events(custops_store *store, custops_frame **out);

/**
 * A dictionary as a frame with one string column `name` (row i is code i).
 * @param store the store
 * @param name "sku", "category", "coupon", "channel", "region", "tag" or "customer"
 * @param out receives a new frame (caller owns it; the strings are copied)
 * @return CUSTOPS_OK, CUSTOPS_EINVAL, CUSTOPS_ENOTFOUND (no such dictionary), CUSTOPS_ENOMEM
 */
CUSTOPS_API int custops_store_dict(const custops_store *store, const char *name, custops_frame **out);

/** Unit in which recency and T are expressed. */
typedef enum custops_period {
    CUSTOPS_PERIOD_DAY = 1, /**< days */
    CUSTOPS_PERIOD_WEEK = 7 /**< weeks (7 days) */
} custops_period;

/** Version of custops_features_opts understood by this header. */
#define CUSTOPS_FEATURES_OPTS_VERSION 1

/** Options of custops_store_features() and custops_store_split(). */
typedef struct custops_features_opts {
    unsigned int version; /**< CUSTOPS_FEATURES_OPTS_VERSION */
    int64_t now;          /**< as-of instant: only orders and refunds at or before it count */
    const char *zone;     /**< zone for local days and hours, or NULL for the store's zone */
    int period;           /**< a custops_period */
} custops_features_opts;

/** Initializer for custops_features_opts: now 0, the store's zone, weeks. */
#define CUSTOPS_FEATURES_OPTS_INIT {CUSTOPS_FEATURES_OPTS_VERSION, 0, NULL, CUSTOPS_PERIOD_WEEK}

/**
 * Fill feature options with the defaults of CUSTOPS_FEATURES_OPTS_INIT.
 * @param opts the options to fill
 */
CUSTOPS_API void custops_features_opts_init(custops_features_opts *opts);

/**
 * One row of features per customer, as of an instant (columns in docs/formats.md).
 * Frequency, recency and T follow Fader and Hardie: orders are grouped into
 * local calendar days (several orders on one day are one transaction);
 * frequency = transaction days - 1, recency = last day - first day,
 * T = day of @c now - first day, both in periods; monetary = mean net value
 * of the repeat transactions (0 if none).
 * @param store the store
 * @param opts options (version, now, zone, period)
 * @param out receives a new frame owned by the caller
 * @return CUSTOPS_OK, CUSTOPS_EINVAL, CUSTOPS_EVERSION, CUSTOPS_ENOTFOUND (zone), CUSTOPS_ENOMEM
 */
CUSTOPS_API int custops_store_features(custops_store *store, const custops_features_opts *opts, custops_frame **out);

/**
 * Calibration / holdout split for model checks: calibration features as of
 * opts->now (the split instant) and, per customer, the repeat transactions
 * (local days with orders, not counting the customer's first ever) in
 * (now, holdout_end].
 * @param store the store
 * @param opts options; now is the split instant
 * @param holdout_end end of the holdout period (inclusive), > opts->now
 * @param calibration_out receives the features frame (caller owns it)
 * @param holdout_out receives a frame with customer_id (string), frequency_holdout (int64)
 *        and duration_holdout (double, periods), one row per customer in the same order
 * @return CUSTOPS_OK, CUSTOPS_EINVAL, CUSTOPS_EVERSION, CUSTOPS_ENOMEM
 */
CUSTOPS_API int custops_store_split(custops_store *store, const custops_features_opts *opts, int64_t holdout_end,
                                    custops_frame **calibration_out, custops_frame **holdout_out);

/**
 * Orders per customer in a window: orders with time in
 * (now - from_days days, now - to_days days].
 * "Orders in the last 30 days" is (30, 0).
 * @param store the store
 * @param now reference instant
 * @param from_days start of the window in days before now, > to_days
 * @param to_days end of the window in days before now, >= 0
 * @param out receives a frame with customer_id (string) and count (int64), one row per customer
 * @return CUSTOPS_OK, CUSTOPS_EINVAL, CUSTOPS_ERANGE, CUSTOPS_ENOMEM
 */
CUSTOPS_API int custops_store_count_orders(custops_store *store, int64_t now, int64_t from_days, int64_t to_days,
                                           custops_frame **out);

/**
 * Events of one type per customer in a window (now - from_days, now - to_days]:
 * "cart adds between 10 and 3 days ago" is (CART_ADD, now, 10, 3).
 * @param store the store
 * @param type a custops_event_type
 * @param now reference instant
 * @param from_days start of the window in days before now, > to_days
 * @param to_days end of the window in days before now, >= 0
 * @param out receives a frame with customer_id (string) and count (int64), one row per customer
 * @return CUSTOPS_OK, CUSTOPS_EINVAL, CUSTOPS_ERANGE, CUSTOPS_ENOMEM
 */
CUSTOPS_API int custops_store_count_events(custops_store *store, int type, int64_t now, int64_t from_days,
                                           int64_t to_days, custops_frame **out);

/* ------------------------------------------------------------------ */
/* Privacy                                                              */

/**
 * Erase a customer everywhere: order lines, orders, refunds of those orders,
 * events, attributes and the interned identifier. Customer row indexes of
 * the others shift down to stay dense.
 * @param store the store
 * @param customer_id the customer
 * @return CUSTOPS_OK, CUSTOPS_EINVAL, CUSTOPS_ENOTFOUND, CUSTOPS_ENOMEM (then nothing changed)
 */
CUSTOPS_API int custops_store_erase(custops_store *store, const char *customer_id);

/**
 * Retention: drop order lines, refunds and events older than an instant
 * (time < before). Orders left without lines are forgotten; customers are kept.
 * @param store the store
 * @param before the retention instant
 * @param removed_out receives the number of lines + refunds + events dropped (may be NULL)
 * @return CUSTOPS_OK, CUSTOPS_EINVAL, CUSTOPS_ENOMEM (then nothing changed)
 */
CUSTOPS_API int custops_store_purge(custops_store *store, int64_t before, uint64_t *removed_out);

/**
 * Everything the store holds on one customer as JSON text: attributes,
 * order lines, refunds and events, times in ISO 8601 in the store zone,
 * money as decimal strings.
 * @param store the store
 * @param customer_id the customer
 * @param json_out receives a NUL-terminated string (free with custops_free)
 * @return CUSTOPS_OK, CUSTOPS_EINVAL, CUSTOPS_ENOTFOUND, CUSTOPS_ENOMEM
 */
CUSTOPS_API int custops_store_export_customer(custops_store *store, const char *customer_id, char **json_out);

/* ------------------------------------------------------------------ */
/* Persistence                                                          */

/**
 * Save the whole store (kind "STOR"), atomically: a crash leaves the old
 * file or the new one.
 * @param store the store
 * @param path destination
 * @return CUSTOPS_OK, CUSTOPS_EINVAL, CUSTOPS_EIO, CUSTOPS_ENOMEM
 */
CUSTOPS_API int custops_store_save(const custops_store *store, const char *path);

/**
 * Load a store saved by custops_store_save().
 * @param out receives the store (caller owns it); NULL on failure
 * @param path the file
 * @return CUSTOPS_OK, CUSTOPS_EINVAL, CUSTOPS_ENOTFOUND, CUSTOPS_EIO, CUSTOPS_ECORRUPT (truncated, damaged,
 *         inconsistent), CUSTOPS_EVERSION, CUSTOPS_ENOMEM
 */
CUSTOPS_API int custops_store_load(custops_store **out, const char *path);

CUSTOPS_END_DECLS

#endif /* CUSTOPS_STORE_H */
