/**
 * @file custops/segment.h
 * @brief Audiences: a small compiled language over customer columns, bitsets,
 *        explanations, a library of named audiences, RFM scores, lifecycle
 *        classes and k-means clustering.
 *
 * An audience is an expression over the columns of a customers frame (see
 * the data contract: one row per customer) and, optionally, windowed counts
 * over a lines frame and an events frame:
 *
 *     spend > 100.00 and region in ("Tokyo", "Osaka")
 *       and not orders in -10d..now
 *       and events(cart_add) between -10d and -3d
 *       and (bought category "Shoes" in -90d..now >= 2 or clv in top 10%)
 *
 * Grammar (keywords are case-insensitive; `#` starts a comment):
 *
 *     expr      := term { "or" term }           ("and" binds tighter)
 *     term      := factor { "and" factor }
 *     factor    := "not" factor | "(" expr ")" | "segment" NAME | predicate
 *     predicate := COLUMN OP value                  OP: = != <> < <= > >=
 *                | COLUMN ["not"] "between" value "and" value   (inclusive)
 *                | COLUMN ["not"] "in" "(" value {"," value} ")"
 *                | COLUMN "in" ("top"|"bottom") NUMBER "%"
 *                | COLUMN "has" STRING              (tag bitmask columns)
 *                | COLUMN "is" ["not"] "null"        (-1 / NaN / "")
 *                | count [window] [OP NUMBER]       (default: >= 1)
 *     count     := "orders" | "spend" | "events" "(" EVENT_TYPE ")"
 *                | "bought" ("category"|"sku") STRING
 *     window    := "in" time ".." time | "between" time "and" time | "since" time
 *     time      := "now" | "today" | "yesterday" | -Nd | -Nw | -Nm | -Ny
 *                | YYYY-MM-DD | YYYY-MM-DDTHH:MM[:SS]
 *
 * Values: numbers; money columns (spend, aov, monetary and any listed with
 * custops_segment_ctx_set_money_cols()) take decimal amounts in major units
 * (`spend > 100.50` is 10050 minor units with exponent 2); strings compare
 * with string columns or name dictionary codes (`region = "Tokyo"` looks up
 * "Tokyo" in the `region` dictionary; `top_category` uses `category`, any
 * other int64 column a dictionary of its own name); times compare with
 * instant columns (-1 means none and never matches).
 *
 * Time rules: days are local days in the context's zone, as in Shopify.
 * `-30d` is the local day 30 days before the day of `now`; `-1m`/`-1y`
 * step calendar months/years (the day clamped to the month's end). A day
 * used as a lower bound starts at its local midnight, used as an upper bound
 * it ends at the next midnight; `now` is the instant itself. So
 * `last_order >= -30d` includes the whole day 30 days ago, `x = 2024-05-30`
 * matches that local day, `x > 2024-05-30` starts the day after, and
 * `between -10d and -3d` covers eight whole local days. A count without a
 * window covers all rows up to and including `now`.
 *
 * Counts: `orders` counts distinct orders (lines of one order are
 * contiguous), `spend` sums amount - refunded (minor units; the comparison
 * takes major units), `events(TYPE)` counts events of a type (visit, view,
 * cart_add, favourite, coupon_received, coupon_used, login), `bought
 * category "X"` / `bought sku "X"` count orders with at least one such line.
 *
 * Percentiles: `COLUMN in top P%` keeps rows whose value is at least the
 * k-th largest value, k = ceil(P/100 * n) over the non-NaN values; ties at
 * the threshold are all kept, so the audience may exceed P%. `bottom` is
 * the mirror image. Thresholds are computed at each evaluation.
 *
 * Evaluation is columnar: the compiled plan tests blocks of 4096 rows per
 * clause with tight loops over the column arrays and combines 64-bit words;
 * an AND skips its right side for blocks where the left is empty. The
 * result is a bitset with set algebra, counts and ids.
 *
 * Limits: expression text at most 64 KiB and nesting depth 64 by default
 * (custops_segment_ctx_set_limits()); IN lists at most 10000 values.
 *
 * Thread rules: a context, an audience and a bitset are used by one thread
 * at a time; a library may be read concurrently once built.
 */
#ifndef CUSTOPS_SEGMENT_H
#define CUSTOPS_SEGMENT_H

#include "custops/common.h"
#include "custops/frame.h"
#include "custops/time.h"

CUSTOPS_BEGIN_DECLS

/** Opaque set of row indexes 0..n-1 (one bit per customer). */
typedef struct custops_bitset custops_bitset;
/** Opaque evaluation context: the frames, dictionaries, zone and `now`. */
typedef struct custops_segment_ctx custops_segment_ctx;
/** Opaque compiled audience. */
typedef struct custops_audience custops_audience;
/** Opaque library of named audience definitions. */
typedef struct custops_segment_library custops_segment_library;

/* ------------------------------------------------------------------ bitsets */

/**
 * Make an empty bitset over n rows.
 * @param out receives the bitset (caller owns it; free with custops_bitset_free)
 * @param n number of rows
 * @return CUSTOPS_OK, CUSTOPS_EINVAL or CUSTOPS_ENOMEM
 */
CUSTOPS_API int custops_bitset_new(custops_bitset **out, size_t n);

/**
 * Free a bitset.
 * @param bs the bitset, or NULL (no-op)
 */
CUSTOPS_API void custops_bitset_free(custops_bitset *bs);

/**
 * Number of rows the bitset covers.
 * @param bs the bitset
 * @return the size (0 for NULL)
 */
CUSTOPS_API size_t custops_bitset_size(const custops_bitset *bs);

/**
 * Number of rows in the set.
 * @param bs the bitset
 * @return the population count (0 for NULL)
 */
CUSTOPS_API size_t custops_bitset_count(const custops_bitset *bs);

/**
 * Whether row i is in the set.
 * @param bs the bitset
 * @param i row index
 * @return 1 if set, 0 if not or out of range
 */
CUSTOPS_API int custops_bitset_test(const custops_bitset *bs, size_t i);

/**
 * Add or remove row i.
 * @param bs the bitset
 * @param i row index below the size
 * @param on nonzero to add, zero to remove
 * @return CUSTOPS_OK or CUSTOPS_EINVAL
 */
CUSTOPS_API int custops_bitset_set(custops_bitset *bs, size_t i, int on);

/**
 * In place: dst = dst OR src.
 * @param dst the bitset changed
 * @param src another bitset of the same size
 * @return CUSTOPS_OK or CUSTOPS_EINVAL (NULL, size mismatch)
 */
CUSTOPS_API int custops_bitset_union(custops_bitset *dst, const custops_bitset *src);

/**
 * In place: dst = dst AND src.
 * @param dst the bitset changed
 * @param src another bitset of the same size
 * @return CUSTOPS_OK or CUSTOPS_EINVAL
 */
CUSTOPS_API int custops_bitset_intersect(custops_bitset *dst, const custops_bitset *src);

/**
 * In place: dst = dst AND NOT src.
 * @param dst the bitset changed
 * @param src another bitset of the same size
 * @return CUSTOPS_OK or CUSTOPS_EINVAL
 */
CUSTOPS_API int custops_bitset_minus(custops_bitset *dst, const custops_bitset *src);

/**
 * Copy a bitset.
 * @param out receives the copy (caller owns it)
 * @param bs the bitset
 * @return CUSTOPS_OK, CUSTOPS_EINVAL or CUSTOPS_ENOMEM
 */
CUSTOPS_API int custops_bitset_copy(custops_bitset **out, const custops_bitset *bs);

/**
 * The rows in the set, ascending.
 * @param ids_out receives custops_count() int64 row indexes (caller frees
 *        with custops_free); NULL when the set is empty
 * @param n_out receives the number of ids
 * @param bs the bitset
 * @return CUSTOPS_OK, CUSTOPS_EINVAL or CUSTOPS_ENOMEM
 */
CUSTOPS_API int custops_bitset_ids(int64_t **ids_out, size_t *n_out, const custops_bitset *bs);

/**
 * Write the set as one byte per row (1 in the set, 0 not), e.g. into a
 * numpy bool array.
 * @param bs the bitset
 * @param out buffer of @p n bytes
 * @param n must equal custops_bitset_size()
 * @return CUSTOPS_OK or CUSTOPS_EINVAL
 */
CUSTOPS_API int custops_bitset_to_bytes(const custops_bitset *bs, uint8_t *out, size_t n);

/* ------------------------------------------------------------------ context */

/**
 * Make a context over a customers frame. The context and every audience
 * compiled with it BORROW the frames given to it: they must stay alive and
 * unchanged while the audience is used.
 * @param out receives the context (caller owns it; free with custops_segment_ctx_free)
 * @param customers customers frame (one row per customer; borrowed)
 * @param now the as-of instant (Unix seconds) for relative times
 * @return CUSTOPS_OK, CUSTOPS_EINVAL or CUSTOPS_ENOMEM
 */
CUSTOPS_API int custops_segment_ctx_new(custops_segment_ctx **out, const custops_frame *customers, int64_t now);

/**
 * Free a context (audiences compiled with it keep their own copy of it).
 * @param ctx the context, or NULL (no-op)
 */
CUSTOPS_API void custops_segment_ctx_free(custops_segment_ctx *ctx);

/**
 * Set the lines frame (contract columns customer, order, time, sku,
 * category, amount, refunded) used by `orders`, `spend` and `bought`.
 * @param ctx the context
 * @param lines the frame (borrowed), or NULL to remove it
 * @return CUSTOPS_OK or CUSTOPS_EINVAL (a required column is missing; the message names it)
 */
CUSTOPS_API int custops_segment_ctx_set_lines(custops_segment_ctx *ctx, const custops_frame *lines);

/**
 * Set the events frame (contract columns customer, time, type) used by `events(...)`.
 * @param ctx the context
 * @param events the frame (borrowed), or NULL to remove it
 * @return CUSTOPS_OK or CUSTOPS_EINVAL (a required column is missing)
 */
CUSTOPS_API int custops_segment_ctx_set_events(custops_segment_ctx *ctx, const custops_frame *events);

/**
 * Add (or replace) a dictionary: a frame whose string column `name` gives
 * the name of code i in row i.
 * @param ctx the context
 * @param name dictionary name ("region", "category", "sku", "tag", ...)
 * @param dict the frame (borrowed)
 * @return CUSTOPS_OK, CUSTOPS_EINVAL (no string column `name`) or CUSTOPS_ENOMEM
 */
CUSTOPS_API int custops_segment_ctx_add_dict(custops_segment_ctx *ctx, const char *name, const custops_frame *dict);

/**
 * Set the zone local days are counted in (default UTC).
 * @param ctx the context
 * @param zone the zone (borrowed; must outlive the context and its audiences), or NULL for UTC
 * @return CUSTOPS_OK or CUSTOPS_EINVAL
 */
CUSTOPS_API int custops_segment_ctx_set_zone(custops_segment_ctx *ctx, const custops_zone *zone);

/**
 * Name extra money columns and the currency exponent (default 2).
 * @param ctx the context
 * @param cols comma-separated column names (e.g. "clv,predicted_spend"), or NULL
 * @param exponent currency exponent 0..4
 * @return CUSTOPS_OK, CUSTOPS_EINVAL, CUSTOPS_ERANGE or CUSTOPS_ENOMEM
 */
CUSTOPS_API int custops_segment_ctx_set_money_cols(custops_segment_ctx *ctx, const char *cols, int exponent);

/**
 * Set the library `segment NAME` references are resolved in.
 * @param ctx the context
 * @param lib the library (borrowed during compilation only), or NULL
 * @return CUSTOPS_OK or CUSTOPS_EINVAL
 */
CUSTOPS_API int custops_segment_ctx_set_library(custops_segment_ctx *ctx, const custops_segment_library *lib);

/**
 * Set the resource limits for compilation.
 * @param ctx the context
 * @param max_length longest expression text in bytes (1..16 MiB), counted
 *        with every `segment NAME` reference expanded
 * @param max_depth deepest nesting of parentheses, not, and references (1..1000)
 * @return CUSTOPS_OK or CUSTOPS_ERANGE
 */
CUSTOPS_API int custops_segment_ctx_set_limits(custops_segment_ctx *ctx, size_t max_length, size_t max_depth);

/* ----------------------------------------------------------------- audience */

/**
 * Compile an audience expression against a context: columns, dictionary
 * names and times are resolved now, so errors come here with their place.
 * @param out receives the audience (caller owns it; free with custops_audience_free)
 * @param text the expression
 * @param ctx the context (copied; the frames it names stay borrowed)
 * @return CUSTOPS_OK, CUSTOPS_EINVAL, CUSTOPS_EPARSE ("audience:LINE:COL:
 *         expected ... but found ..."), CUSTOPS_ENOTFOUND (unknown column,
 *         dictionary name or segment, with line:col), CUSTOPS_ELIMIT,
 *         CUSTOPS_ESTATE (a cycle of segment references) or CUSTOPS_ENOMEM
 */
CUSTOPS_API int custops_audience_compile(custops_audience **out, const char *text, const custops_segment_ctx *ctx);

/**
 * Free an audience.
 * @param a the audience, or NULL (no-op)
 */
CUSTOPS_API void custops_audience_free(custops_audience *a);

/**
 * Evaluate an audience over all customers.
 * @param out receives the members (caller owns it; free with custops_bitset_free)
 * @param a the audience (its per-evaluation state, such as percentile
 *        thresholds and window counts, is kept for custops_audience_explain())
 * @return CUSTOPS_OK, CUSTOPS_EINVAL, CUSTOPS_ERANGE (a lines/events row names
 *         a customer outside the frame), CUSTOPS_ESTATE (the customers frame
 *         changed size since compilation) or CUSTOPS_ENOMEM
 */
CUSTOPS_API int custops_audience_evaluate(custops_bitset **out, custops_audience *a);

/**
 * Explain why one customer is or is not in the audience: the deciding
 * clauses, as written, with the customer's values, e.g.
 * "in: spend > 100 (spend = 153.20) and orders in -10d..now (count = 2)" or
 * "out: orders in -10d..now (count = 0) is false".
 * @param text_out receives the explanation (caller frees with custops_free)
 * @param member_out receives 1 if the customer is a member, else 0 (may be NULL)
 * @param a the audience (evaluated before, or prepared now)
 * @param row customer row index
 * @return CUSTOPS_OK, CUSTOPS_EINVAL (row out of range) or CUSTOPS_ENOMEM
 */
CUSTOPS_API int custops_audience_explain(char **text_out, int *member_out, custops_audience *a, size_t row);

/**
 * Number of leaf clauses in the compiled plan (after inlining references).
 * @param a the audience
 * @return the clause count (0 for NULL)
 */
CUSTOPS_API size_t custops_audience_nclauses(const custops_audience *a);

/* ------------------------------------------------------------------ library */

/**
 * Make an empty library of named audiences.
 * @param out receives the library (caller owns it; free with custops_segment_library_free)
 * @return CUSTOPS_OK, CUSTOPS_EINVAL or CUSTOPS_ENOMEM
 */
CUSTOPS_API int custops_segment_library_new(custops_segment_library **out);

/**
 * Free a library.
 * @param lib the library, or NULL (no-op)
 */
CUSTOPS_API void custops_segment_library_free(custops_segment_library *lib);

/**
 * Define (or redefine) a named audience. The text is syntax-checked and its
 * `segment` references are checked for cycles against the other definitions;
 * references to names not yet defined are allowed (checked at compile time).
 * @param lib the library
 * @param name 1..64 characters from [A-Za-z0-9_-]
 * @param text the expression
 * @return CUSTOPS_OK, CUSTOPS_EINVAL (bad name), CUSTOPS_EPARSE
 *         ("NAME:LINE:COL: ..."), CUSTOPS_ESTATE (the definition would make a
 *         cycle), CUSTOPS_ELIMIT (more than 10000 definitions) or CUSTOPS_ENOMEM
 */
CUSTOPS_API int custops_segment_library_define(custops_segment_library *lib, const char *name, const char *text);

/**
 * Remove a definition.
 * @param lib the library
 * @param name the name
 * @return CUSTOPS_OK, CUSTOPS_EINVAL or CUSTOPS_ENOTFOUND
 */
CUSTOPS_API int custops_segment_library_remove(custops_segment_library *lib, const char *name);

/**
 * Number of definitions.
 * @param lib the library
 * @return the count (0 for NULL)
 */
CUSTOPS_API size_t custops_segment_library_count(const custops_segment_library *lib);

/**
 * Name of the i-th definition, in name order.
 * @param lib the library
 * @param i index below custops_segment_library_count()
 * @return the name, borrowed (valid until the library changes), or NULL
 */
CUSTOPS_API const char *custops_segment_library_name(const custops_segment_library *lib, size_t i);

/**
 * Text of a definition.
 * @param lib the library
 * @param name the name
 * @param text_out receives the text, borrowed (valid until the library changes)
 * @return CUSTOPS_OK, CUSTOPS_EINVAL or CUSTOPS_ENOTFOUND
 */
CUSTOPS_API int custops_segment_library_get(const custops_segment_library *lib, const char *name,
                                            const char **text_out);

/**
 * Save the library atomically (save-file kind "SEGS").
 * @param lib the library
 * @param path destination
 * @return CUSTOPS_OK, CUSTOPS_EINVAL, CUSTOPS_EIO or CUSTOPS_ENOMEM
 */
CUSTOPS_API int custops_segment_library_save(const custops_segment_library *lib, const char *path);

/**
 * Load a library saved with custops_segment_library_save(); every
 * definition is checked again (syntax, names, cycles).
 * @param out receives the library (caller owns it)
 * @param path the file
 * @return CUSTOPS_OK, CUSTOPS_EINVAL, CUSTOPS_EIO, CUSTOPS_ECORRUPT,
 *         CUSTOPS_EVERSION or CUSTOPS_ENOMEM
 */
CUSTOPS_API int custops_segment_library_load(custops_segment_library **out, const char *path);

/* ---------------------------------------------------------------------- RFM */

/** One row of an RFM segment table: the first rule whose ranges hold names the customer. */
typedef struct custops_rfm_rule {
    const char *name; /**< segment name */
    int r_lo;         /**< lowest recency score, 1..5 */
    int r_hi;         /**< highest recency score */
    int f_lo;         /**< lowest frequency score */
    int f_hi;         /**< highest frequency score */
    int m_lo;         /**< lowest monetary score */
    int m_hi;         /**< highest monetary score */
} custops_rfm_rule;

/** Tie rules of custops_rfm_score(). */
typedef enum custops_rfm_ties {
    CUSTOPS_RFM_TIES_SHARED = 0, /**< equal values, equal scores (default; pandas rank(method="min")) */
    CUSTOPS_RFM_TIES_FIRST = 1   /**< NTILE by rank, ties broken by row order (pandas rank(method="first")); sorts */
} custops_rfm_ties;

/** Version of custops_rfm_options. */
#define CUSTOPS_RFM_OPTIONS_VERSION 1

/** Options for custops_rfm_score(). */
typedef struct custops_rfm_options {
    unsigned int version;         /**< CUSTOPS_RFM_OPTIONS_VERSION */
    const char *recency_col;      /**< days since last order, lower is better (default "days_since_last_order") */
    const char *frequency_col;    /**< higher is better (default "orders") */
    const char *monetary_col;     /**< higher is better (default "spend") */
    const custops_rfm_rule *rules;/**< segment table; NULL for the built-in 11-segment table */
    size_t nrules;                /**< number of rules */
    int segment_names;            /**< nonzero (default): add the string column `segment`; 0: codes only (faster) */
    int tie_rule;                 /**< a custops_rfm_ties value (default CUSTOPS_RFM_TIES_SHARED) */
    const double *r_breaks;       /**< NULL, or 4 ascending recency cuts: score 5 - #(cuts below the value) */
    const double *f_breaks;       /**< NULL, or 4 ascending frequency cuts: score 1 + #(cuts below the value) */
    const double *m_breaks;       /**< NULL, or 4 ascending monetary cuts: score 1 + #(cuts below the value) */
} custops_rfm_options;

/** Initializer for custops_rfm_options with the defaults. */
#define CUSTOPS_RFM_OPTIONS_INIT \
    {CUSTOPS_RFM_OPTIONS_VERSION, "days_since_last_order", "orders", "spend", NULL, 0, 1, 0, NULL, NULL, NULL}

/**
 * Fill options with the defaults.
 * @param opts the options
 * @param version CUSTOPS_RFM_OPTIONS_VERSION
 * @return CUSTOPS_OK, CUSTOPS_EINVAL or CUSTOPS_EVERSION
 */
CUSTOPS_API int custops_rfm_options_init(custops_rfm_options *opts, unsigned int version);

/**
 * The built-in segment table (11 rules on R and F, a partition of the 5x5
 * grid): champions R5 F4-5; loyal R3-4 F4-5; potential_loyalist R4-5 F2-3;
 * new R5 F1; promising R4 F1; need_attention R3 F3; about_to_sleep R3 F1-2;
 * cant_lose R1-2 F5; at_risk R1-2 F3-4; lost R1 F1; hibernating R1-2 F1-2.
 * @param n_out receives the number of rules
 * @return the table (static, never freed)
 */
CUSTOPS_API const custops_rfm_rule *custops_rfm_default_rules(size_t *n_out);

/**
 * Score customers 1-5 on recency, frequency and monetary value and name
 * their segment.
 *
 * Tie rule ("shared"): among the n scored customers, the frequency score of
 * a value x is 1 + floor(5 * L / n) where L is the number of scored customers
 * with a value strictly below x (pandas: rank(method="min") - 1); monetary
 * likewise; recency counts customers with strictly MORE days (more recent is
 * better). Equal values always get equal scores and the result does not
 * depend on row order. Customers whose frequency is 0 or below, or whose
 * recency is negative (no orders), are not scored: scores 0, segment "prospect".
 * Computed with four order statistics per column (radix select), no sort.
 *
 * Alternatives: tie_rule CUSTOPS_RFM_TIES_FIRST gives 1 + floor(5 (k - 1) / n)
 * with k the 1-based position in a stable sort (row order breaks ties, as
 * pandas qcut(rank(method="first")) or SQL NTILE); user breaks (4 ascending
 * cut values per column) replace the quantiles of that column: a value
 * above c of the cuts scores 1 + c (frequency, monetary) or 5 - c (recency).
 * @param out receives a frame with int64 columns r, f, m, rfm (100r+10f+m),
 *        segment_code (index into the rule table; the table size for "other",
 *        -1 for prospects) and, unless opts->segment_names is 0, the string
 *        column segment ("other" when no rule matches), one row per customer
 * @param customers the customers frame
 * @param opts options, or NULL for the defaults
 * @return CUSTOPS_OK, CUSTOPS_EINVAL (missing column, named), CUSTOPS_EVERSION or CUSTOPS_ENOMEM
 */
CUSTOPS_API int custops_rfm_score(custops_frame **out, const custops_frame *customers, const custops_rfm_options *opts);

/* ---------------------------------------------------------------- lifecycle */

/** Version of custops_lifecycle_options. */
#define CUSTOPS_LIFECYCLE_OPTIONS_VERSION 1

/** Options for custops_lifecycle_classify(). */
typedef struct custops_lifecycle_options {
    unsigned int version;     /**< CUSTOPS_LIFECYCLE_OPTIONS_VERSION */
    int64_t new_days;         /**< tenure (days since first order) at most this: new (default 30) */
    int64_t active_orders;    /**< orders at least this (and recent): active (default 2) */
    int64_t sleeping_days;    /**< days since last order above this: sleeping (default 90) */
    int64_t churned_days;     /**< days since last order above this: churned (default 365) */
    const char *p_alive_col;  /**< NULL for the rule-based variant; else a double column of P(alive) */
    double sleeping_p;        /**< model variant: P(alive) below this: sleeping (default 0.5) */
    double churned_p;         /**< model variant: P(alive) below this: churned (default 0.2) */
    int names;                /**< nonzero (default): add the string column `lifecycle`; 0: codes only */
} custops_lifecycle_options;

/** Initializer for custops_lifecycle_options with the defaults. */
#define CUSTOPS_LIFECYCLE_OPTIONS_INIT {CUSTOPS_LIFECYCLE_OPTIONS_VERSION, 30, 2, 90, 365, NULL, 0.5, 0.2, 1}

/** Lifecycle classes (values of the `lifecycle_code` column). */
typedef enum custops_lifecycle_class {
    CUSTOPS_LIFECYCLE_PROSPECT = 0,  /**< no order yet */
    CUSTOPS_LIFECYCLE_NEW = 1,       /**< first order recent */
    CUSTOPS_LIFECYCLE_POTENTIAL = 2, /**< recent but few orders */
    CUSTOPS_LIFECYCLE_ACTIVE = 3,    /**< recent and repeat */
    CUSTOPS_LIFECYCLE_SLEEPING = 4,  /**< lapsing */
    CUSTOPS_LIFECYCLE_CHURNED = 5    /**< gone */
} custops_lifecycle_class;

/**
 * Fill options with the defaults.
 * @param opts the options
 * @param version CUSTOPS_LIFECYCLE_OPTIONS_VERSION
 * @return CUSTOPS_OK, CUSTOPS_EINVAL or CUSTOPS_EVERSION
 */
CUSTOPS_API int custops_lifecycle_options_init(custops_lifecycle_options *opts, unsigned int version);

/**
 * Classify customers into lifecycle classes, first rule that holds:
 * prospect (orders <= 0); churned (days_since_last_order > churned_days, or
 * in the model variant P(alive) < churned_p); sleeping (> sleeping_days, or
 * P(alive) < sleeping_p); new (tenure_days <= new_days); active (orders >=
 * active_orders); otherwise potential.
 * Reads columns orders, days_since_last_order, tenure_days (and p_alive_col).
 * @param out receives a frame with int64 `lifecycle_code` and (unless opts->names is 0) string `lifecycle`
 * @param customers the customers frame
 * @param opts options, or NULL for the defaults
 * @return CUSTOPS_OK, CUSTOPS_EINVAL (missing column, bad thresholds), CUSTOPS_EVERSION or CUSTOPS_ENOMEM
 */
CUSTOPS_API int custops_lifecycle_classify(custops_frame **out, const custops_frame *customers,
                                           const custops_lifecycle_options *opts);

/**
 * Name of a lifecycle class ("prospect", "new", "potential", "active", "sleeping", "churned").
 * @param code a custops_lifecycle_class value
 * @return the name (static), or NULL for an unknown code
 */
CUSTOPS_API const char *custops_lifecycle_name(int code);

/* ------------------------------------------------------------------ k-means */

/** Version of custops_kmeans_options. */
#define CUSTOPS_KMEANS_OPTIONS_VERSION 1

/** Options for custops_kmeans(). */
typedef struct custops_kmeans_options {
    unsigned int version;   /**< CUSTOPS_KMEANS_OPTIONS_VERSION */
    size_t k;               /**< number of clusters, 1..256 (default 4) */
    uint64_t seed;          /**< seed of the k-means++ draws (default 1) */
    size_t max_iter;        /**< Lloyd iterations at most (default 100) */
    size_t sample;          /**< rows sampled for the silhouette (default 2000; 0 = all) */
} custops_kmeans_options;

/** Initializer for custops_kmeans_options with the defaults. */
#define CUSTOPS_KMEANS_OPTIONS_INIT {CUSTOPS_KMEANS_OPTIONS_VERSION, 4, 1, 100, 2000}

/**
 * Fill options with the defaults.
 * @param opts the options
 * @param version CUSTOPS_KMEANS_OPTIONS_VERSION
 * @return CUSTOPS_OK, CUSTOPS_EINVAL or CUSTOPS_EVERSION
 */
CUSTOPS_API int custops_kmeans_options_init(custops_kmeans_options *opts, unsigned int version);

/**
 * k-means++ clustering on standardized columns (z-scores; a constant column
 * contributes nothing), deterministic for a seed. Quality: the mean
 * silhouette over a seeded sample of rows (exact distances within the
 * sample) and the Calinski-Harabasz index over all rows; compare them across
 * k to choose k.
 * @param assign_out receives a frame with int64 `cluster` (0..k-1) per row
 * @param centers_out receives a frame of k rows with the chosen columns (centers in original units) and int64 `size`; may be NULL
 * @param silhouette_out receives the mean silhouette (-1..1; 0 when k is 1); may be NULL
 * @param ch_out receives the Calinski-Harabasz index (0 when k is 1); may be NULL
 * @param frame input frame
 * @param cols comma-separated numeric (int64 or double, finite) column names
 * @param opts options, or NULL for the defaults
 * @return CUSTOPS_OK, CUSTOPS_EINVAL (missing column, NaN, k > rows), CUSTOPS_EVERSION, CUSTOPS_ERANGE or CUSTOPS_ENOMEM
 */
CUSTOPS_API int custops_kmeans(custops_frame **assign_out, custops_frame **centers_out, double *silhouette_out,
                               double *ch_out, const custops_frame *frame, const char *cols,
                               const custops_kmeans_options *opts);

CUSTOPS_END_DECLS

#endif /* CUSTOPS_SEGMENT_H */
