/* Fuzz the cart JSON reader and the quote over whatever it accepts, and the
 * ruleset JSON reader on the same bytes. */
#include "custops.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

static const char *RULES =
    "currency CNY; tz \"Asia/Shanghai\"; tiers \"silver\", \"gold\";\n"
    "group g exclusive; group p exclusive per_line; group s stackable max 2;\n"
    "rule a { group g; code wallet; when subtotal() >= 69.00; then amount_off 10.00; limit per_customer 1; }\n"
    "rule b { group g; code \"SAVE\"; then percent_off 12% cap 50.00; limit per_code 9; }\n"
    "rule c { lane item; group p; scope category(\"fresh\") - tag(\"x\"); then percent_off 10%; }\n"
    "rule d { lane item; group p; scope sku(\"F\"); then fixed_price 59.00; limit qty_per_customer 2; }\n"
    "rule e { lane item; then buy 2 get 1 free cheapest max_sets 3; }\n"
    "rule f { group s; then every 100.00 off 10.00 max_times 5; }\n"
    "rule g2 { group s; when customer.tier >= \"silver\" and in_segment(\"vip\"); then tiers(100.00: 5.00, 200.00: 15.00); }\n"
    "rule h { lane shipping; when subtotal() >= 99.00; then free_shipping; }\n"
    "rule i { group s; then gift \"G\" qty 1; }\n"
    "rule j { lane points; window first 2h from 2025-11-11T00:00; then points_x 2; }\n"
    "rule k { on order_paid; when ctx.referrer != \"\"; then issue \"C\" to inviter; }\n";

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    static custops_ruleset *rs;
    if (!rs && custops_ruleset_compile(&rs, RULES, strlen(RULES), "rules") != CUSTOPS_OK)
        return 0;
    custops_cart *cart = NULL;
    if (custops_cart_from_json(&cart, (const char *)data, size) == CUSTOPS_OK) {
        custops_quote *q = NULL;
        if (custops_quote_run(&q, rs, cart, 1762817400) == CUSTOPS_OK) {
            char *j = NULL;
            if (custops_quote_to_json(q, &j, NULL) == CUSTOPS_OK)
                custops_free(j);
            custops_frame *f = NULL;
            if (custops_quote_allocations(&f, q) == CUSTOPS_OK)
                custops_frame_free(f);
            if (custops_quote_reasons(&f, q) == CUSTOPS_OK)
                custops_frame_free(f);
            custops_quote_free(q);
        }
        custops_frame *f = NULL;
        if (custops_ruleset_issue(&f, rs, "order_paid", cart, 0) == CUSTOPS_OK)
            custops_frame_free(f);
        custops_cart_free(cart);
    }
    custops_ruleset *other = NULL;
    if (custops_ruleset_from_json(&other, (const char *)data, size) == CUSTOPS_OK)
        custops_ruleset_free(other);
    return 0;
}
