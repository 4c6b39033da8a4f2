/**
 * @file custops/crosssell.h
 * @brief "Bought A, also bought B": item pairs from baskets or from whole
 *        customer histories, with support, confidence and lift, top k per item.
 * A basket is the set of distinct items sharing one value of the basket
 * column: @c order gives shopping baskets, @c customer gives purchase
 * histories. With N baskets, n(A) baskets holding A and n(AB) holding both:
 * support = n(AB)/N, confidence(A->B) = n(AB)/n(A), lift = confidence /
 * (n(B)/N).
 *
 * Counting needs memory linear in the number of lines (two compressed
 * index arrays) plus one counter per item: for each item A the baskets
 * holding A are walked and their other items counted in a sparse
 * accumulator, so no item-by-item matrix is ever built. Time is the sum over
 * baskets of size^2; baskets above @c max_basket_items are skipped to keep
 * that bounded.
 */
#ifndef CUSTOPS_CROSSSELL_H
#define CUSTOPS_CROSSSELL_H

#include "custops/common.h"
#include "custops/frame.h"

CUSTOPS_BEGIN_DECLS

/** Version of custops_crosssell_options understood by this header. */
#define CUSTOPS_CROSSSELL_OPTIONS_VERSION 1

/** How the top k partners of an item are ranked. */
typedef enum custops_crosssell_rank {
    CUSTOPS_CROSSSELL_BY_CONFIDENCE = 0, /**< confidence, then lift, then smaller item code */
    CUSTOPS_CROSSSELL_BY_LIFT = 1        /**< lift, then confidence, then smaller item code */
} custops_crosssell_rank;

/** Settings of custops_crosssell_pairs(). */
typedef struct custops_crosssell_options {
    unsigned int version;     /**< CUSTOPS_CROSSSELL_OPTIONS_VERSION */
    const char *basket_col;   /**< int64 column naming the basket; default "order" ("customer" for histories) */
    const char *item_col;     /**< int64 item column (negative = none, skipped); default "sku" */
    int64_t min_count;        /**< minimum n(AB); default 2 */
    double min_support;       /**< minimum support n(AB)/N in [0, 1]; default 0 (the larger bound wins) */
    int64_t top_k;            /**< partners kept per item, 1..10000; default 10 */
    int rank_by;              /**< a custops_crosssell_rank; default by confidence */
    int64_t max_basket_items; /**< baskets with more distinct items are skipped; default 500 */
} custops_crosssell_options;

/** Static initializer with the defaults. */
#define CUSTOPS_CROSSSELL_OPTIONS_INIT \
    { CUSTOPS_CROSSSELL_OPTIONS_VERSION, "order", "sku", 2, 0.0, 10, CUSTOPS_CROSSSELL_BY_CONFIDENCE, 500 }

/**
 * Fill @p opts with the defaults for @p version.
 * @param opts the options to fill
 * @param version CUSTOPS_CROSSSELL_OPTIONS_VERSION
 * @return CUSTOPS_OK, CUSTOPS_EINVAL or CUSTOPS_EVERSION
 */
CUSTOPS_API int custops_crosssell_options_init(custops_crosssell_options *opts, unsigned int version);

/**
 * Top partners of every item.
 * Output columns, ordered by @c item_a then @c rank: @c item_a, @c item_b
 * (item codes), @c rank (1 = best), @c count_ab, @c count_a, @c count_b
 * (int64), @c support, @c confidence, @c lift (double). Pairs below the
 * minimum support are left out.
 * @param out receives the pairs frame (caller owns it)
 * @param lines a frame with the basket and item columns (e.g. the lines frame)
 * @param opts options, or NULL for the defaults
 * @return CUSTOPS_OK, CUSTOPS_EINVAL (missing column, bad option),
 *         CUSTOPS_EVERSION, CUSTOPS_ELIMIT (2^32 or more baskets or items)
 *         or CUSTOPS_ENOMEM
 */
CUSTOPS_API int custops_crosssell_pairs(custops_frame **out, const custops_frame *lines,
                                        const custops_crosssell_options *opts);

CUSTOPS_END_DECLS

#endif /* CUSTOPS_CROSSSELL_H */
