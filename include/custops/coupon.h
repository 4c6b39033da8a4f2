/**
 * @file custops/coupon.h
 * @brief Coupon and promotion rules: a rule language, its canonical JSON, and
 *        a pure quote that picks the best combination and explains the rest.
 *
 * A ruleset is compiled once from text (see docs/coupons.md for the
 * language) or from its canonical JSON, and is read-only afterwards: share
 * it across threads. A cart holds everything the storefront knows at
 * checkout: lines, shipping fee, the customer context (id, known, paid
 * orders, tier, segments, free-form attributes such as channel, payment and
 * region), the codes the buyer typed, the coupons in the buyer's wallet and
 * the stock of gifts. A quote is a pure function of (ruleset, cart, now):
 * the same inputs give byte-identical JSON.
 *
 * Usage counters (per customer, total, budget) are not read here: the
 * redemption ledger owns them. The quote reports each chosen rule's limits
 * so the ledger can reserve them.
 */
#ifndef CUSTOPS_COUPON_H
#define CUSTOPS_COUPON_H

#include "custops/common.h"
#include "custops/frame.h"

CUSTOPS_BEGIN_DECLS

/** A compiled, read-only set of promotion rules. */
typedef struct custops_ruleset custops_ruleset;
/** The inputs of one quote: lines, shipping, customer context, codes, wallet, gift stock. */
typedef struct custops_cart custops_cart;
/** The result of one quote. */
typedef struct custops_quote custops_quote;

/** Largest rule text or JSON accepted, in bytes. */
#define CUSTOPS_COUPON_MAX_TEXT (64u << 20)
/** Most rules in one ruleset. */
#define CUSTOPS_COUPON_MAX_RULES 100000
/** Most stacking groups in one ruleset. */
#define CUSTOPS_COUPON_MAX_GROUPS 64
/** Most lines in one cart. */
#define CUSTOPS_COUPON_MAX_LINES 1000
/** Most presented codes plus wallet coupons in one cart. */
#define CUSTOPS_COUPON_MAX_CODES 1000
/** Deepest nesting of a condition expression or JSON value. */
#define CUSTOPS_COUPON_MAX_DEPTH 32

/**
 * Compile rule text into a ruleset.
 * @param out receives the ruleset (caller frees with custops_ruleset_free)
 * @param text the rule text (UTF-8; need not be NUL-terminated)
 * @param len bytes of @p text
 * @param what name used in messages ("rules.txt"); NULL gives "<rules>"
 * @return CUSTOPS_OK, CUSTOPS_EINVAL, CUSTOPS_EPARSE ("what:line:col: expected ..."),
 *         CUSTOPS_ENOTFOUND (unknown time zone), CUSTOPS_ELIMIT or CUSTOPS_ENOMEM
 */
CUSTOPS_API int custops_ruleset_compile(custops_ruleset **out, const char *text, size_t len, const char *what);

/**
 * Build a ruleset from its canonical JSON (as written by custops_ruleset_to_json()).
 * @param out receives the ruleset (caller frees with custops_ruleset_free)
 * @param json the JSON text
 * @param len bytes of @p json
 * @return CUSTOPS_OK, CUSTOPS_EINVAL, CUSTOPS_EPARSE (with line:col), CUSTOPS_ELIMIT or CUSTOPS_ENOMEM
 */
CUSTOPS_API int custops_ruleset_from_json(custops_ruleset **out, const char *json, size_t len);

/**
 * Free a ruleset. Quotes made from it must be freed first.
 * @param rs the ruleset, or NULL (no-op)
 */
CUSTOPS_API void custops_ruleset_free(custops_ruleset *rs);

/**
 * Canonical JSON of a ruleset: rules sorted by id, money as exact decimal
 * strings, conditions as canonical text. Compiling it again gives the same bytes.
 * @param rs the ruleset
 * @param json_out receives a NUL-terminated string (free with custops_free)
 * @param len_out receives its length (may be NULL)
 * @return CUSTOPS_OK, CUSTOPS_EINVAL or CUSTOPS_ENOMEM
 */
CUSTOPS_API int custops_ruleset_to_json(const custops_ruleset *rs, char **json_out, size_t *len_out);

/**
 * Number of rules.
 * @param rs the ruleset
 * @return the count; 0 for NULL
 */
CUSTOPS_API size_t custops_ruleset_nrules(const custops_ruleset *rs);

/**
 * Id of rule @p i (rules are sorted by id).
 * @param rs the ruleset
 * @param i index below custops_ruleset_nrules()
 * @return borrowed string valid while the ruleset lives; "" when out of range
 */
CUSTOPS_API const char *custops_ruleset_rule_id(const custops_ruleset *rs, size_t i);

/**
 * Lint findings: a frame with columns rule, line, column, code, message
 * (line and column point into the source text; 0 for JSON input). Codes:
 * DISCOUNT_GE_THRESHOLD, WINDOW_EMPTY, WINDOW_INVERTED, CODE_WITHOUT_LIMIT,
 * UNREACHABLE_TIER, BUDGET_BELOW_DISCOUNT, PERCENT_FULL.
 * @param out receives the frame (caller frees with custops_frame_free)
 * @param rs the ruleset
 * @return CUSTOPS_OK, CUSTOPS_EINVAL or CUSTOPS_ENOMEM
 */
CUSTOPS_API int custops_ruleset_lint(custops_frame **out, const custops_ruleset *rs);

/**
 * New empty cart.
 * @param out receives the cart (caller frees with custops_cart_free)
 * @param currency ISO 4217 code of every amount in the cart ("CNY")
 * @return CUSTOPS_OK, CUSTOPS_EINVAL, CUSTOPS_ENOTFOUND (unknown currency) or CUSTOPS_ENOMEM
 */
CUSTOPS_API int custops_cart_new(custops_cart **out, const char *currency);

/**
 * Parse a cart from JSON (see docs/coupons.md for the fields).
 * @param out receives the cart (caller frees with custops_cart_free)
 * @param json the JSON text
 * @param len bytes of @p json
 * @return CUSTOPS_OK, CUSTOPS_EINVAL, CUSTOPS_EPARSE (with line:col), CUSTOPS_ERANGE, CUSTOPS_ELIMIT or CUSTOPS_ENOMEM
 */
CUSTOPS_API int custops_cart_from_json(custops_cart **out, const char *json, size_t len);

/**
 * Free a cart.
 * @param cart the cart, or NULL (no-op)
 */
CUSTOPS_API void custops_cart_free(custops_cart *cart);

/**
 * Append a line.
 * @param cart the cart
 * @param line_id unique id of the line
 * @param sku the SKU
 * @param unit_price price of one unit in minor units, >= 0
 * @param qty units, >= 1
 * @return CUSTOPS_OK, CUSTOPS_EINVAL, CUSTOPS_EEXISTS (duplicate id), CUSTOPS_ERANGE, CUSTOPS_ELIMIT or CUSTOPS_ENOMEM
 */
CUSTOPS_API int custops_cart_add_line(custops_cart *cart, const char *line_id, const char *sku, int64_t unit_price,
                                      int64_t qty);

/**
 * Describe the last added line: key "category" (repeat for a path), "brand",
 * "tag" (repeatable) or "discountable" ("true"/"false").
 * @param cart the cart
 * @param key one of the keys above
 * @param value the value
 * @return CUSTOPS_OK, CUSTOPS_EINVAL (no line yet, unknown key) or CUSTOPS_ENOMEM
 */
CUSTOPS_API int custops_cart_line_attr(custops_cart *cart, const char *key, const char *value);

/**
 * Set the shipping fee.
 * @param cart the cart
 * @param fee minor units, >= 0
 * @return CUSTOPS_OK or CUSTOPS_EINVAL
 */
CUSTOPS_API int custops_cart_set_shipping(custops_cart *cart, int64_t fee);

/**
 * Set the customer.
 * @param cart the cart
 * @param customer_id stable id, or NULL/"" for a guest
 * @param known 1 when the customer is identified (logged in), else 0
 * @param paid_orders orders that ever reached PAID, >= 0
 * @param tier membership tier name, or NULL/"" for none
 * @return CUSTOPS_OK, CUSTOPS_EINVAL or CUSTOPS_ENOMEM
 */
CUSTOPS_API int custops_cart_set_customer(custops_cart *cart, const char *customer_id, int known,
                                          int64_t paid_orders, const char *tier);

/**
 * Add a segment the customer belongs to (a snapshot from segmentation).
 * @param cart the cart
 * @param segment the segment name
 * @return CUSTOPS_OK, CUSTOPS_EINVAL or CUSTOPS_ENOMEM
 */
CUSTOPS_API int custops_cart_add_segment(custops_cart *cart, const char *segment);

/**
 * Set a context attribute read by conditions as ctx.KEY (channel, payment,
 * region, group_buy_formed, delay_hours, referrer, points, event_key, ...).
 * Setting a key again replaces its value.
 * @param cart the cart
 * @param key attribute name
 * @param value attribute value as text ("app", "true", "48")
 * @return CUSTOPS_OK, CUSTOPS_EINVAL or CUSTOPS_ENOMEM
 */
CUSTOPS_API int custops_cart_set_ctx(custops_cart *cart, const char *key, const char *value);

/**
 * Present a code the buyer typed (matched case-insensitively).
 * @param cart the cart
 * @param code the code
 * @return CUSTOPS_OK, CUSTOPS_EINVAL, CUSTOPS_ELIMIT or CUSTOPS_ENOMEM
 */
CUSTOPS_API int custops_cart_add_code(custops_cart *cart, const char *code);

/**
 * Add a coupon instance from the buyer's wallet.
 * @param cart the cart
 * @param instance_id id of the coupon instance (from the ledger)
 * @param rule_id the rule (template) it redeems
 * @return CUSTOPS_OK, CUSTOPS_EINVAL, CUSTOPS_ELIMIT or CUSTOPS_ENOMEM
 */
CUSTOPS_API int custops_cart_add_wallet(custops_cart *cart, const char *instance_id, const char *rule_id);

/**
 * Set the stock left of a gift SKU (gifts without stock are not given).
 * @param cart the cart
 * @param sku gift SKU
 * @param stock units left, >= 0
 * @return CUSTOPS_OK, CUSTOPS_EINVAL or CUSTOPS_ENOMEM
 */
CUSTOPS_API int custops_cart_set_stock(custops_cart *cart, const char *sku, int64_t stock);

/**
 * The quote instant stored in a cart read from JSON (its "now" field).
 * @param cart the cart
 * @param now_out receives Unix seconds
 * @return CUSTOPS_OK, CUSTOPS_EINVAL or CUSTOPS_ENOTFOUND (the cart has no "now")
 */
CUSTOPS_API int custops_cart_now(const custops_cart *cart, int64_t *now_out);

/**
 * Quote a cart: choose the best combination of applicable rules lane by
 * lane (item prices, order, shipping, points), allocate every discount to
 * lines and units, and explain every rule not used.
 * @param out receives the quote (caller frees with custops_quote_free; it
 *            refers to @p rs, which must outlive it)
 * @param rs the ruleset
 * @param cart the cart (not referenced after the call)
 * @param now the instant of the quote, Unix seconds UTC
 * @return CUSTOPS_OK, CUSTOPS_EINVAL (currency mismatch, bad input), CUSTOPS_ERANGE (overflow) or CUSTOPS_ENOMEM
 */
CUSTOPS_API int custops_quote_run(custops_quote **out, const custops_ruleset *rs, const custops_cart *cart, int64_t now);

/**
 * Free a quote.
 * @param q the quote, or NULL (no-op)
 */
CUSTOPS_API void custops_quote_free(custops_quote *q);

/**
 * Canonical JSON of a quote (same inputs, same bytes).
 * @param q the quote
 * @param json_out receives a NUL-terminated string (free with custops_free)
 * @param len_out receives its length (may be NULL)
 * @return CUSTOPS_OK, CUSTOPS_EINVAL or CUSTOPS_ENOMEM
 */
CUSTOPS_API int custops_quote_to_json(const custops_quote *q, char **json_out, size_t *len_out);

/**
 * Total discount of the quote on merchandise and shipping, in minor units.
 * @param q the quote
 * @return the discount; 0 for NULL
 */
CUSTOPS_API int64_t custops_quote_discount(const custops_quote *q);

/**
 * Amount payable (merchandise and shipping after discounts), in minor units.
 * @param q the quote
 * @return the total; 0 for NULL
 */
CUSTOPS_API int64_t custops_quote_total(const custops_quote *q);

/**
 * Points the order earns (base points times multipliers plus bonuses).
 * @param q the quote
 * @return the points; 0 for NULL
 */
CUSTOPS_API int64_t custops_quote_points(const custops_quote *q);

/**
 * Whether the best-combination search proved its choice optimal.
 * @param q the quote
 * @return 1 exact, 0 when a node budget forced the heuristic answer
 */
CUSTOPS_API int custops_quote_exact(const custops_quote *q);

/**
 * Allocations: one row per (rule, line) with columns rule, lane, line_id,
 * amount, unit_high, units_high, unit_low (the first units_high units of
 * the line carry unit_high each, the rest unit_low; they sum to amount).
 * Shipping discounts use line_id "@shipping".
 * @param out receives the frame (caller frees with custops_frame_free)
 * @param q the quote
 * @return CUSTOPS_OK, CUSTOPS_EINVAL or CUSTOPS_ENOMEM
 */
CUSTOPS_API int custops_quote_allocations(custops_frame **out, const custops_quote *q);

/**
 * Reasons: one row per rule not used, with columns rule, reason, need,
 * have, gap, value, other (a rule id or ""), message.
 * @param out receives the frame (caller frees with custops_frame_free)
 * @param q the quote
 * @return CUSTOPS_OK, CUSTOPS_EINVAL or CUSTOPS_ENOMEM
 */
CUSTOPS_API int custops_quote_reasons(custops_frame **out, const custops_quote *q);

/**
 * Evaluate the issuance rules of an event ("order_paid", "shipment_late",
 * "points_exchange", ...) against a cart's customer context: which coupons
 * to issue. Frame columns: rule, template, recipient, issue_key, cost_points.
 * Recipients: "customer" and "invitee" are the cart's customer,
 * "inviter" is ctx.referrer. issue_key is "rule:ctx.event_key" so the
 * ledger can issue exactly once.
 * @param out receives the frame (caller frees with custops_frame_free)
 * @param rs the ruleset
 * @param event the event name
 * @param cart the customer context (lines may be empty)
 * @param now the instant of the event, Unix seconds UTC
 * @return CUSTOPS_OK, CUSTOPS_EINVAL or CUSTOPS_ENOMEM
 */
CUSTOPS_API int custops_ruleset_issue(custops_frame **out, const custops_ruleset *rs, const char *event,
                                      const custops_cart *cart, int64_t now);

CUSTOPS_END_DECLS

#endif /* CUSTOPS_COUPON_H */
