/* Fuzz the coupon rule language: whatever compiles must round-trip through
 * canonical JSON to the same bytes, lint, and quote a small cart. */
#include "custops.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

static const char *CART = "{\"lines\":[{\"id\":\"L1\",\"sku\":\"A\",\"category\":[\"fresh\"],\"brand\":\"b\",\"tags\":[\"t\"],"
                          "\"unit_price\":\"43.00\",\"qty\":2},{\"id\":\"L2\",\"sku\":\"B\",\"unit_price\":1},"
                          "{\"id\":\"L3\",\"sku\":\"SKU-F\",\"unit_price\":\"99.00\",\"qty\":3}],\"shipping\":\"8.00\","
                          "\"customer\":{\"id\":\"c\",\"paid_orders\":0,\"tier\":\"silver\",\"segments\":[\"vip\"],"
                          "\"referrer\":\"r\",\"points\":900},\"ctx\":{\"channel\":\"app\",\"delay_hours\":50},"
                          "\"codes\":[\"SAVE\"],\"wallet\":[{\"id\":\"W\",\"rule\":\"a\"}],\"stock\":{\"G\":1}}";

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    custops_ruleset *rs = NULL, *back = NULL;
    if (custops_ruleset_compile(&rs, (const char *)data, size, "fuzz") != CUSTOPS_OK)
        return 0;
    char *j1 = NULL, *j2 = NULL;
    size_t n1 = 0;
    if (custops_ruleset_to_json(rs, &j1, &n1) == CUSTOPS_OK) {
        if (custops_ruleset_from_json(&back, j1, n1) != CUSTOPS_OK)
            abort(); /* canonical JSON must always load */
        if (custops_ruleset_to_json(back, &j2, NULL) != CUSTOPS_OK || strcmp(j1, j2) != 0)
            abort(); /* and write the same bytes */
    }
    custops_frame *f = NULL;
    if (custops_ruleset_lint(&f, rs) == CUSTOPS_OK)
        custops_frame_free(f);
    custops_cart *cart = NULL;
    if (custops_cart_from_json(&cart, CART, strlen(CART)) == CUSTOPS_OK) {
        for (int64_t now = 1762790400; now < 1762790400 + 3 * 86400; now += 40000) {
            custops_quote *q = NULL;
            if (custops_quote_run(&q, rs, cart, now) == CUSTOPS_OK) {
                char *qj = NULL;
                if (custops_quote_to_json(q, &qj, NULL) == CUSTOPS_OK)
                    custops_free(qj);
                custops_quote_free(q);
            }
            const char *events[] = {"order_paid", "shipment_late", "points_exchange"};
            for (int e = 0; e < 3; e++)
                if (custops_ruleset_issue(&f, rs, events[e], cart, now) == CUSTOPS_OK)
                    custops_frame_free(f);
        }
        custops_cart_free(cart);
    }
    custops_free(j1);
    custops_free(j2);
    custops_ruleset_free(back);
    custops_ruleset_free(rs);
    return 0;
}
