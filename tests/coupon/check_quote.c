/* The quote: every condition, effect and stacking mode, rounding and
 * allocation, the Asia/Shanghai midnight edge, issuance, determinism, and
 * the best combination against brute force on random small carts. Every
 * expected number is worked out by hand in the comment beside it. */
#include "coupon_test.h"

#define NOW sh("2025-11-11 10:00") /* a Tuesday */

static int applied(const custops_quote *q, const char *rule) { return reason_of(q, rule, NULL, NULL)[0] == 0; }

static const char *CART3 =
    "{\"currency\":\"CNY\",\"lines\":["
    "{\"id\":\"L1\",\"sku\":\"A\",\"category\":[\"fresh\",\"fruit\"],\"brand\":\"acme\",\"tags\":[\"new\"],\"unit_price\":\"43.00\"},"
    "{\"id\":\"L2\",\"sku\":\"B\",\"category\":[\"home\"],\"brand\":\"bolt\",\"unit_price\":\"14.00\"},"
    "{\"id\":\"L3\",\"sku\":\"C\",\"category\":[\"home\"],\"brand\":\"acme\",\"tags\":[\"no_coupon\"],\"unit_price\":\"23.00\"}],"
    "\"shipping\":\"8.00\","
    "\"customer\":{\"id\":\"c1\",\"paid_orders\":0,\"tier\":\"silver\",\"segments\":[\"vip\"]},"
    "\"ctx\":{\"channel\":\"app\",\"payment\":\"alipay\",\"region\":\"SH\"}}";

START_TEST(conditions_each_kind)
{
    custops_ruleset *rs = rules(
        "tiers \"bronze\", \"silver\", \"gold\";\n"
        "rule sub_ok { when subtotal() >= 80.00; then amount_off 1.00; }\n"
        "rule sub_no { when subtotal() >= 80.01; then amount_off 1.00; }\n"
        "rule qty_ok { when qty() >= 3; then amount_off 1.00; }\n"
        "rule qty_no { when qty() > 3; then amount_off 1.00; }\n"
        "rule sku_in { scope sku(\"B\"); when subtotal() >= 14.00; then amount_off 1.00; }\n"
        "rule cat_sub { scope category(\"home\"); when subtotal() >= 37.01; then amount_off 1.00; }\n"
        "rule brand_x { scope brand(\"acme\") - tag(\"no_coupon\"); when subtotal() > 43.00; then amount_off 1.00; }\n"
        "rule tag_none { scope tag(\"missing\"); then amount_off 1.00; }\n"
        "rule seg_ok { when in_segment(\"vip\"); then amount_off 1.00; }\n"
        "rule seg_no { when in_segment(\"lapsed\"); then amount_off 1.00; }\n"
        "rule tier_ok { when customer.tier >= \"silver\"; then amount_off 1.00; }\n"
        "rule tier_no { when customer.tier >= \"gold\"; then amount_off 1.00; }\n"
        "rule first_ok { when first_order(); then amount_off 1.00; }\n"
        "rule paid_no { when customer.paid_orders >= 1; then amount_off 1.00; }\n"
        "rule known_ok { when customer.known; then amount_off 1.00; }\n"
        "rule chan_ok { when ctx.channel in (\"app\", \"mini\"); then amount_off 1.00; }\n"
        "rule chan_no { when ctx.channel == \"web\"; then amount_off 1.00; }\n"
        "rule pay_no { when ctx.payment == \"card\"; then amount_off 1.00; }\n"
        "rule reg_no { when ctx.region != \"SH\"; then amount_off 1.00; }\n"
        "rule or_not { when not (ctx.region == \"BJ\" or ctx.channel == \"web\"); then amount_off 1.00; }\n"
        "rule other_no { when ctx.missing == \"x\"; then amount_off 1.00; }\n");
    custops_quote *q = quote(rs, CART3, NOW);
    int64_t gap, value;
    ck_assert(applied(q, "sub_ok")); /* 43 + 14 + 23 = 80.00 */
    ck_assert_str_eq(reason_of(q, "sub_no", &gap, &value), "SUBTOTAL_BELOW");
    ck_assert_int_eq(gap, 1); /* add 0.01 more */
    ck_assert_int_eq(value, 100);
    ck_assert(applied(q, "qty_ok"));
    ck_assert_str_eq(reason_of(q, "qty_no", &gap, NULL), "QTY_BELOW");
    ck_assert_int_eq(gap, 1);
    ck_assert(applied(q, "sku_in"));
    ck_assert_int_eq(alloc_sum(q, "sku_in", "L2"), 100); /* only the SKU in scope carries it */
    ck_assert_str_eq(reason_of(q, "cat_sub", &gap, NULL), "SUBTOTAL_BELOW"); /* home = 37.00 */
    ck_assert_int_eq(gap, 1);
    ck_assert_str_eq(reason_of(q, "brand_x", NULL, NULL), "SUBTOTAL_BELOW"); /* acme minus no_coupon = 43.00 */
    ck_assert_str_eq(reason_of(q, "tag_none", NULL, NULL), "SCOPE_EMPTY");
    ck_assert(applied(q, "seg_ok"));
    ck_assert_str_eq(reason_of(q, "seg_no", NULL, NULL), "SEGMENT_MISMATCH");
    ck_assert(applied(q, "tier_ok"));
    ck_assert_str_eq(reason_of(q, "tier_no", NULL, NULL), "TIER_MISMATCH");
    ck_assert(applied(q, "first_ok"));
    ck_assert_str_eq(reason_of(q, "paid_no", NULL, NULL), "NOT_FIRST_ORDER");
    ck_assert(applied(q, "known_ok"));
    ck_assert(applied(q, "chan_ok"));
    ck_assert_str_eq(reason_of(q, "chan_no", NULL, NULL), "CHANNEL_MISMATCH");
    ck_assert_str_eq(reason_of(q, "pay_no", NULL, NULL), "PAYMENT_MISMATCH");
    ck_assert_str_eq(reason_of(q, "reg_no", NULL, NULL), "REGION_MISMATCH");
    ck_assert(applied(q, "or_not"));
    ck_assert_str_eq(reason_of(q, "other_no", NULL, NULL), "CONDITION_FALSE");
    custops_quote_free(q);
    /* a guest: first-order rules need an identified customer */
    q = quote(rs, "{\"lines\":[{\"id\":\"L\",\"sku\":\"A\",\"unit_price\":100}]}", NOW);
    ck_assert_str_eq(reason_of(q, "first_ok", NULL, NULL), "CUSTOMER_REQUIRED");
    ck_assert_str_eq(reason_of(q, "known_ok", NULL, NULL), "CUSTOMER_REQUIRED");
    ck_assert_str_eq(reason_of(q, "tier_ok", NULL, NULL), "TIER_MISMATCH");
    custops_quote_free(q);
    custops_ruleset_free(rs);
}
END_TEST

/* A lone customer.tier comparison is judged from a compiled record (the
 * tier literal's rank), not by walking the condition: every comparison,
 * for each tier and for a customer without one, must say what the walk
 * says (a missing tier equals nothing, so only != holds). */
START_TEST(tier_comparisons_each_op)
{
    custops_ruleset *rs = rules("tiers \"bronze\", \"silver\", \"gold\";\n"
                                "rule eq { when customer.tier == \"silver\"; then amount_off 1.00; }\n"
                                "rule ne { when customer.tier != \"silver\"; then amount_off 1.00; }\n"
                                "rule lt { when customer.tier < \"silver\"; then amount_off 1.00; }\n"
                                "rule le { when customer.tier <= \"silver\"; then amount_off 1.00; }\n"
                                "rule gt { when customer.tier > \"silver\"; then amount_off 1.00; }\n"
                                "rule ge { when customer.tier >= \"silver\"; then amount_off 1.00; }\n"
                                "rule ge_and { when customer.tier >= \"silver\" and qty() >= 1; then amount_off 1.00; }\n"
                                "rule pts { lane points; when customer.tier > \"bronze\"; then points_plus 5; }\n");
    static const char *tiers[] = {"bronze", "silver", "gold", NULL};
    /* per tier: eq ne lt le gt ge ge_and pts */
    static const int want[4][8] = {
        {0, 1, 1, 1, 0, 0, 0, 0}, /* bronze */
        {1, 0, 0, 1, 0, 1, 1, 1}, /* silver */
        {0, 1, 0, 0, 1, 1, 1, 1}, /* gold */
        {0, 1, 0, 0, 0, 0, 0, 0}, /* none */
    };
    static const char *names[] = {"eq", "ne", "lt", "le", "gt", "ge", "ge_and", "pts"};
    for (int t = 0; t < 4; t++) {
        char cart[256];
        snprintf(cart, sizeof cart,
                 "{\"lines\":[{\"id\":\"L\",\"sku\":\"A\",\"unit_price\":\"10.00\"}],"
                 "\"customer\":{\"id\":\"c\"%s%s%s}}",
                 tiers[t] ? ",\"tier\":\"" : "", tiers[t] ? tiers[t] : "", tiers[t] ? "\"" : "");
        custops_quote *q = quote(rs, cart, NOW);
        for (int k = 0; k < 8; k++) {
            const char *why = reason_of(q, names[k], NULL, NULL);
            if (want[t][k])
                ck_assert_msg(why[0] == 0 || strcmp(why, "BEATEN_BY_COMBINATION") == 0, "%s %s: %s",
                              tiers[t] ? tiers[t] : "none", names[k], why);
            else
                ck_assert_msg(strcmp(why, "TIER_MISMATCH") == 0, "%s %s: %s", tiers[t] ? tiers[t] : "none", names[k],
                              why);
        }
        custops_quote_free(q);
    }
    custops_ruleset_free(rs);
}
END_TEST

START_TEST(time_zone_midnight_edge)
{
    /* Asia/Shanghai midnight of 11.11 is 16:00 UTC on 11.10 */
    custops_ruleset *rs = rules("tz \"Asia/Shanghai\";\n"
                                "rule d11 { valid 2025-11-11T00:00 .. 2025-11-12T00:00; then amount_off 1.00; }\n"
                                "rule monday { window dow(1); then amount_off 1.00; }\n"
                                "rule first2h { window first 2h from 2025-11-11T00:00; then amount_off 1.00; }\n"
                                "rule utc_day { tz \"UTC\"; window dow(2); then amount_off 1.00; }\n");
    const char *cart = "{\"lines\":[{\"id\":\"L\",\"sku\":\"A\",\"unit_price\":\"10.00\"}]}";
    int64_t t;
    ck_assert_ok(custops_time_parse("2025-11-10T15:59:59Z", NULL, &t));
    custops_quote *q = quote(rs, cart, t);
    ck_assert_str_eq(reason_of(q, "d11", NULL, NULL), "NOT_STARTED");
    ck_assert(applied(q, "monday")); /* 23:59:59 Monday in Shanghai */
    ck_assert_str_eq(reason_of(q, "first2h", NULL, NULL), "OUTSIDE_WINDOW");
    ck_assert_str_eq(reason_of(q, "utc_day", NULL, NULL), "OUTSIDE_WINDOW"); /* Monday in UTC too */
    custops_quote_free(q);
    q = quote(rs, cart, t + 1); /* 16:00:00Z = 00:00 Tuesday in Shanghai: half-open, included */
    ck_assert(applied(q, "d11"));
    ck_assert_str_eq(reason_of(q, "monday", NULL, NULL), "OUTSIDE_WINDOW");
    ck_assert(applied(q, "first2h"));
    ck_assert_str_eq(reason_of(q, "utc_day", NULL, NULL), "OUTSIDE_WINDOW"); /* still Monday in UTC */
    custops_quote_free(q);
    q = quote(rs, cart, t + 1 + 8 * 3600); /* 00:00Z Tuesday: the rule with its own zone opens */
    ck_assert(applied(q, "utc_day"));
    custops_quote_free(q);
    q = quote(rs, cart, t + 1 + 2 * 3600 - 1); /* 01:59:59 */
    ck_assert(applied(q, "first2h"));
    custops_quote_free(q);
    q = quote(rs, cart, t + 1 + 2 * 3600); /* 02:00:00: the end is excluded */
    ck_assert_str_eq(reason_of(q, "first2h", NULL, NULL), "OUTSIDE_WINDOW");
    custops_quote_free(q);
    q = quote(rs, cart, t + 1 + 86400); /* 12.11 00:00 local: expired */
    ck_assert_str_eq(reason_of(q, "d11", NULL, NULL), "EXPIRED");
    custops_quote_free(q);
    custops_ruleset_free(rs);
}
END_TEST

START_TEST(effects_amounts)
{
    custops_ruleset *rs = rules(
        "group s stackable;\n"
        "rule pct { group s; then percent_off 10%; }\n");
    /* 1.25 x 10% = 0.125 -> 0.13 (half up, once on the subtotal) */
    custops_quote *q = quote(rs, "{\"lines\":[{\"id\":\"L\",\"sku\":\"A\",\"unit_price\":125}]}", NOW);
    ck_assert_int_eq(custops_quote_discount(q), 13);
    custops_quote_free(q);
    custops_ruleset_free(rs);

    rs = rules("rule pct_cap { then percent_off 12% cap 10.00; }\n");
    q = quote(rs, "{\"lines\":[{\"id\":\"L\",\"sku\":\"A\",\"unit_price\":\"123.45\"}]}", NOW);
    ck_assert_int_eq(custops_quote_discount(q), 1000); /* 14.81 capped at 10.00 */
    custops_quote_free(q);
    q = quote(rs, "{\"lines\":[{\"id\":\"L\",\"sku\":\"A\",\"unit_price\":\"23.45\"}]}", NOW);
    ck_assert_int_eq(custops_quote_discount(q), 281); /* 2.814 -> 2.81 */
    custops_quote_free(q);
    custops_ruleset_free(rs);

    rs = rules("rule every { then every 100.00 off 10.00 max_times 5; }\n");
    q = quote(rs, "{\"lines\":[{\"id\":\"L\",\"sku\":\"A\",\"unit_price\":\"350.00\"}]}", NOW);
    ck_assert_int_eq(custops_quote_discount(q), 3000); /* 3 steps */
    char *j = qjson(q);
    ck_assert_ptr_nonnull(strstr(j, "\"gap\":5000,\"unlocks\":1000")); /* 50.00 more for the 4th step */
    custops_free(j);
    custops_quote_free(q);
    q = quote(rs, "{\"lines\":[{\"id\":\"L\",\"sku\":\"A\",\"unit_price\":\"800.00\"}]}", NOW);
    ck_assert_int_eq(custops_quote_discount(q), 5000); /* capped at 5 steps */
    custops_quote_free(q);
    custops_ruleset_free(rs);

    rs = rules("rule tiers { then tiers(100.00: 10.00, 200.00: 25.00, 300.00: 40.00); }\n");
    q = quote(rs, "{\"lines\":[{\"id\":\"L\",\"sku\":\"A\",\"unit_price\":\"250.00\"}]}", NOW);
    ck_assert_int_eq(custops_quote_discount(q), 2500);
    j = qjson(q);
    ck_assert_ptr_nonnull(strstr(j, "\"gap\":5000,\"unlocks\":1500,\"message\":\"add 50.00 more to get 15.00 more off\""));
    custops_free(j);
    custops_quote_free(q);
    int64_t gap, value;
    q = quote(rs, "{\"lines\":[{\"id\":\"L\",\"sku\":\"A\",\"unit_price\":\"99.99\"}]}", NOW);
    ck_assert_str_eq(reason_of(q, "tiers", &gap, &value), "SUBTOTAL_BELOW");
    ck_assert_int_eq(gap, 1);
    ck_assert_int_eq(value, 1000);
    custops_quote_free(q);
    custops_ruleset_free(rs);

    /* fixed price: 2 units per customer at 59.00 instead of 99.00 */
    rs = rules("rule flash { lane item; scope sku(\"F\"); then fixed_price 59.00; limit qty_per_customer 2; }\n");
    q = quote(rs, "{\"lines\":[{\"id\":\"L\",\"sku\":\"F\",\"unit_price\":\"99.00\",\"qty\":3}]}", NOW);
    ck_assert_int_eq(custops_quote_discount(q), 8000);
    j = qjson(q);
    ck_assert_ptr_nonnull(strstr(j, "\"amount\":8000,\"unit_high\":4000,\"units_high\":2,\"unit_low\":0"));
    custops_free(j);
    custops_quote_free(q);
    custops_ruleset_free(rs);

    /* amount off each, max 3 units, priciest units first: 5+5+2(capped at the 2.00 unit) */
    rs = rules("rule each { lane item; then amount_off_each 5.00 max_units 3; }\n");
    q = quote(rs, "{\"lines\":[{\"id\":\"L1\",\"sku\":\"A\",\"unit_price\":\"2.00\",\"qty\":2},"
                  "{\"id\":\"L2\",\"sku\":\"B\",\"unit_price\":\"9.00\",\"qty\":2}]}", NOW);
    ck_assert_int_eq(custops_quote_discount(q), 1200);
    ck_assert_int_eq(alloc_sum(q, "each", "L2"), 1000);
    custops_quote_free(q);
    custops_ruleset_free(rs);
}
END_TEST

START_TEST(buy_x_get_y)
{
    /* units by price: 30 30 20 10 10 10 -> 2 sets of (2+1) */
    const char *cart = "{\"lines\":[{\"id\":\"A\",\"sku\":\"A\",\"unit_price\":\"30.00\",\"qty\":2},"
                       "{\"id\":\"B\",\"sku\":\"B\",\"unit_price\":\"20.00\",\"qty\":1},"
                       "{\"id\":\"C\",\"sku\":\"C\",\"unit_price\":\"10.00\",\"qty\":3}]}";
    struct { const char *rule; int64_t want; } cases[] = {
        {"rule b { lane item; then buy 2 get 1 free cheapest; }", 2000},            /* the two cheapest units */
        {"rule b { lane item; then buy 2 get 1 free priciest; }", 3000},            /* 20 from (30,30,20), 10 from (10,10,10) */
        {"rule b { lane item; then buy 2 get 1 free cheapest max_sets 1; }", 1000},
        {"rule b { lane item; then buy 2 get 1 free priciest max_sets 1; }", 2000},
        {"rule b { lane item; then buy 2 get 1 percent_off 50% cheapest; }", 1000},
        {"rule b { lane item; then buy 5 get 2 free cheapest; }", 0},               /* 6 units < 7: QTY_BELOW */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        custops_ruleset *rs = rules(cases[i].rule);
        custops_quote *q = quote(rs, cart, NOW);
        ck_assert_msg(custops_quote_discount(q) == cases[i].want, "%s: %lld", cases[i].rule,
                      (long long)custops_quote_discount(q));
        if (!cases[i].want)
            ck_assert_str_eq(reason_of(q, "b", NULL, NULL), "QTY_BELOW");
        custops_quote_free(q);
        custops_ruleset_free(rs);
    }
}
END_TEST

START_TEST(shipping_gifts_points)
{
    custops_ruleset *rs = rules(
        "group ship exclusive; group pts stackable; group gift stackable;\n"
        "rule coupon { lane order; then amount_off 5.00; }\n"
        "rule free_ship { lane shipping; group ship; when subtotal() >= 99.00; then free_shipping; }\n"
        "rule ship_off { lane shipping; group ship; then shipping_off 3.00; }\n"
        "rule tote { group gift; when subtotal() >= 50.00; then gift \"TOTE\" qty 1; }\n"
        "rule mug { group gift; then gift \"MUG\" qty 2; }\n"
        "rule double { lane points; group pts; then points_x 2; }\n"
        "rule bonus { lane points; group pts; then points_plus 100; }\n");
    /* 100.00 of goods, 5.00 off in the order lane leaves 95.00 < 99.00: lanes are sequential */
    custops_quote *q = quote(rs, "{\"lines\":[{\"id\":\"L\",\"sku\":\"A\",\"unit_price\":\"100.00\"}],"
                                 "\"shipping\":\"8.00\",\"stock\":{\"TOTE\":1,\"MUG\":1}}", NOW);
    ck_assert_str_eq(reason_of(q, "free_ship", NULL, NULL), "SUBTOTAL_BELOW");
    ck_assert(applied(q, "ship_off"));
    ck_assert_int_eq(custops_quote_discount(q), 800);     /* 5.00 + 3.00 */
    ck_assert_int_eq(custops_quote_total(q), 9500 + 500); /* 95.00 + 5.00 shipping */
    ck_assert(applied(q, "tote"));
    ck_assert_str_eq(reason_of(q, "mug", NULL, NULL), "GIFT_OUT_OF_STOCK"); /* needs 2, 1 left */
    /* points: floor(95.00) = 95 base, x2 adds 95, +100 */
    ck_assert_int_eq(custops_quote_points(q), 95 + 95 + 100);
    char *j = qjson(q);
    ck_assert_ptr_nonnull(strstr(j, "\"gifts\":[{\"rule\":\"tote\",\"sku\":\"TOTE\",\"qty\":1}]"));
    ck_assert_ptr_nonnull(strstr(j, "\"shipping\":{\"fee\":800,\"discount\":300,\"net\":500}"));
    custops_free(j);
    custops_quote_free(q);
    custops_ruleset_free(rs);
}
END_TEST

/* A gift's stock is found through a table the cart keeps by the sku's
 * length and first and last 8 bytes: skus that share those bytes (longer
 * than 16, differing only in the middle), short ones, an updated entry, a
 * sku the cart lacks, and enough entries to grow the table several times. */
START_TEST(gift_stock_lookup)
{
    static const char *skus[] = {"G",
                                 "GIFT-0007",
                                 "ABCDEFGHIJKLMNOP",            /* 16: first and last 8 bytes are all of it */
                                 "ABCDEFGHIJKLMNOPQ",           /* 17 */
                                 "TOTE-BAG-RED-2025-LIMITED",   /* 25 */
                                 "TOTE-BAG-TAN-2025-LIMITED",   /* the same length, first 8 and last 8 bytes */
                                 "TOTE-BAG-ASH-2025-LIMITED",   /* and again, as the 300 others */
                                 "MISSING-FROM-THE-CART"};
    /* per sku: the stock set (-1: none), a later update (-1: none), the qty a rule asks */
    static const int stock[][3] = {{1, -1, 1}, {0, 3, 2}, {2, -1, 3}, {5, -1, 5}, {1, -1, 1}, {0, -1, 1}, {4, 1, 2},
                                   {-1, -1, 1}};
    enum { NS = sizeof skus / sizeof skus[0] };
    char text[4096];
    size_t len = (size_t)snprintf(text, sizeof text, "group g stackable;\n");
    for (int i = 0; i < NS; i++)
        len += (size_t)snprintf(text + len, sizeof text - len, "rule r%d { group g; then gift \"%s\" qty %d; }\n", i,
                                skus[i], stock[i][2]);
    custops_ruleset *rs = rules(text);
    custops_cart *c;
    ck_assert_ok(custops_cart_new(&c, "CNY"));
    ck_assert_ok(custops_cart_add_line(c, "L", "A", 10000, 1));
    char other[32];
    for (int k = 0; k < 300; k++) { /* others around them: the table grows while they are in it */
        snprintf(other, sizeof other, "TOTE-BAG-%03d-2025-LIMITED", k);
        ck_assert_ok(custops_cart_set_stock(c, other, k));
        if (k < NS && stock[k][0] >= 0)
            ck_assert_ok(custops_cart_set_stock(c, skus[k], stock[k][0]));
    }
    for (int i = 0; i < NS; i++)
        if (stock[i][1] >= 0)
            ck_assert_ok(custops_cart_set_stock(c, skus[i], stock[i][1])); /* an update, not a second entry */
    custops_quote *q;
    ck_assert_ok(custops_quote_run(&q, rs, c, NOW));
    for (int i = 0; i < NS; i++) {
        int64_t have = stock[i][1] >= 0 ? stock[i][1] : stock[i][0];
        char name[8];
        snprintf(name, sizeof name, "r%d", i);
        if (have >= stock[i][2])
            ck_assert_msg(applied(q, name), "%s: %s", skus[i], reason_of(q, name, NULL, NULL));
        else
            ck_assert_str_eq(reason_of(q, name, NULL, NULL), "GIFT_OUT_OF_STOCK");
    }
    custops_quote_free(q);
    custops_cart_free(c);
    custops_ruleset_free(rs);
}
END_TEST

START_TEST(stacking_modes)
{
    const char *cart = "{\"lines\":[{\"id\":\"L1\",\"sku\":\"X\",\"unit_price\":\"100.00\"},"
                       "{\"id\":\"L2\",\"sku\":\"Y\",\"unit_price\":\"100.00\"}]}";
    /* exclusive: the larger wins */
    custops_ruleset *rs = rules("group g exclusive;\n"
                                "rule a10 { group g; then amount_off 10.00; }\n"
                                "rule a15 { group g; then amount_off 15.00; }\n");
    custops_quote *q = quote(rs, cart, NOW);
    ck_assert_int_eq(custops_quote_discount(q), 1500);
    ck_assert_str_eq(reason_of(q, "a10", NULL, NULL), "NOT_COMBINABLE");
    custops_quote_free(q);
    custops_ruleset_free(rs);

    /* exclusive per line: the best per-line assignment beats the largest single rule
     * (greedy would take wide=20.00 and stop; x15 + y15 = 30.00) */
    rs = rules("group p exclusive per_line;\n"
               "rule wide { lane item; group p; then percent_off 10%; }\n"
               "rule x15 { lane item; group p; scope sku(\"X\"); then percent_off 15%; }\n"
               "rule y15 { lane item; group p; scope sku(\"Y\"); then percent_off 15%; }\n");
    q = quote(rs, cart, NOW);
    ck_assert_int_eq(custops_quote_discount(q), 3000);
    ck_assert(custops_quote_exact(q));
    int64_t value;
    ck_assert_str_eq(reason_of(q, "wide", NULL, &value), "NOT_COMBINABLE");
    ck_assert_int_eq(value, 1000); /* forcing it loses 10.00 */
    custops_quote_free(q);
    custops_ruleset_free(rs);

    /* stackable with a maximum */
    rs = rules("group s stackable max 2;\n"
               "rule s1 { group s; then amount_off 5.00; }\n"
               "rule s2 { group s; then amount_off 6.00; }\n"
               "rule s3 { group s; then amount_off 7.00; }\n");
    q = quote(rs, cart, NOW);
    ck_assert_int_eq(custops_quote_discount(q), 1300);
    ck_assert_str_eq(reason_of(q, "s1", NULL, NULL), "NOT_COMBINABLE");
    custops_quote_free(q);
    custops_ruleset_free(rs);

    /* combine none: a lone 30.00 loses to two 20.00 that stack */
    rs = rules("rule lone { combine none; then amount_off 30.00; }\n"
               "rule t1 { then amount_off 20.00; }\n"
               "rule t2 { then amount_off 20.00; }\n");
    q = quote(rs, cart, NOW);
    ck_assert_int_eq(custops_quote_discount(q), 4000);
    ck_assert_str_eq(reason_of(q, "lone", NULL, &value), "NOT_COMBINABLE");
    ck_assert_int_eq(value, 1000);
    custops_quote_free(q);
    custops_ruleset_free(rs);

    /* compatibility is symmetric: b allows all but a excludes b's group */
    rs = rules("group ga stackable; group gb stackable;\n"
               "rule a { group ga; combine except(gb); then amount_off 10.00; }\n"
               "rule b { group gb; then amount_off 8.00; }\n"
               "rule c { group gb; combine only(gb); then amount_off 1.00; }\n");
    q = quote(rs, cart, NOW);
    /* {a} = 10, {b, c} = 9: a alone wins */
    ck_assert_int_eq(custops_quote_discount(q), 1000);
    ck_assert_str_eq(reason_of(q, "b", NULL, NULL), "NOT_COMBINABLE");
    custops_quote_free(q);
    custops_ruleset_free(rs);

    /* combine across lanes: an item price that excludes order coupons */
    rs = rules("group orders exclusive;\n"
               "rule member { lane item; combine except(orders); then percent_off 5%; }\n"
               "rule coupon { lane order; group orders; then amount_off 50.00; }\n");
    q = quote(rs, cart, NOW);
    ck_assert(applied(q, "member"));
    ck_assert_str_eq(reason_of(q, "coupon", NULL, NULL), "NOT_COMBINABLE");
    ck_assert_int_eq(custops_quote_discount(q), 1000);
    custops_quote_free(q);
    custops_ruleset_free(rs);

    /* overlapping stackable discounts are clamped at the line, never below zero */
    rs = rules("rule big1 { priority 2; then amount_off 150.00; }\n"
               "rule big2 { priority 1; then amount_off 100.00; }\n");
    q = quote(rs, cart, NOW);
    ck_assert_int_eq(custops_quote_discount(q), 20000);
    ck_assert_int_eq(custops_quote_total(q), 0);
    char *j = qjson(q);
    ck_assert_ptr_nonnull(strstr(j, "{\"rule\":\"big2\",\"lane\":\"order\",\"amount\":5000,\"points\":0,\"lost\":5000"));
    custops_free(j);
    custops_quote_free(q);
    custops_ruleset_free(rs);
}
END_TEST

START_TEST(codes_and_wallet)
{
    custops_ruleset *rs = rules("group g exclusive;\n"
                                "rule typed { group g; code \"save10\"; then amount_off 10.00; limit per_code 100; }\n"
                                "rule held { group g; code wallet; then amount_off 12.00; limit per_customer 1; }\n"
                                "rule auto8 { group g; then amount_off 8.00; }\n");
    const char *cart = "{\"lines\":[{\"id\":\"L\",\"sku\":\"A\",\"unit_price\":\"100.00\"}],"
                       "\"codes\":[\"SAVE10\",\"bogus\"],\"wallet\":[{\"id\":\"W7\",\"rule\":\"held\"}]}";
    custops_quote *q = quote(rs, cart, NOW);
    ck_assert_int_eq(custops_quote_discount(q), 1200);
    ck_assert(applied(q, "held"));
    int64_t value;
    ck_assert_str_eq(reason_of(q, "typed", NULL, &value), "NOT_COMBINABLE");
    ck_assert_int_eq(value, 200);
    char *j = qjson(q);
    ck_assert_ptr_nonnull(strstr(j, "\"via\":{\"wallet\":\"W7\"}"));
    ck_assert_ptr_nonnull(strstr(j, "\"unknown_codes\":[\"BOGUS\"]"));
    custops_free(j);
    custops_quote_free(q);
    /* with no code and an empty wallet only the automatic rule is left */
    q = quote(rs, "{\"lines\":[{\"id\":\"L\",\"sku\":\"A\",\"unit_price\":\"100.00\"}]}", NOW);
    ck_assert_int_eq(custops_quote_discount(q), 800);
    ck_assert_str_eq(reason_of(q, "typed", NULL, NULL), "CODE_REQUIRED");
    ck_assert_str_eq(reason_of(q, "held", NULL, NULL), "NOT_IN_WALLET");
    custops_quote_free(q);
    /* equal value: the automatic rule is preferred, the customer keeps the coupon */
    custops_ruleset_free(rs);
    rs = rules("group g exclusive;\n"
               "rule held { group g; code wallet; then amount_off 8.00; limit per_customer 1; }\n"
               "rule auto8 { group g; then amount_off 8.00; }\n");
    q = quote(rs, cart, NOW);
    ck_assert(applied(q, "auto8"));
    ck_assert_str_eq(reason_of(q, "held", NULL, NULL), "NOT_COMBINABLE");
    custops_quote_free(q);
    custops_ruleset_free(rs);
}
END_TEST

START_TEST(rounding_and_allocation)
{
    /* the design table: 3.00 over [43.00, 14.00, 23.00] -> [1.61, 0.53, 0.86] */
    custops_ruleset *rs = rules("rule r { then amount_off 3.00; }\n");
    custops_quote *q = quote(rs, "{\"lines\":[{\"id\":\"a\",\"sku\":\"A\",\"unit_price\":4300},"
                                 "{\"id\":\"b\",\"sku\":\"B\",\"unit_price\":1400},{\"id\":\"c\",\"sku\":\"C\",\"unit_price\":2300}]}",
                             NOW);
    ck_assert_int_eq(alloc_sum(q, "r", "a"), 161);
    ck_assert_int_eq(alloc_sum(q, "r", "b"), 53);
    ck_assert_int_eq(alloc_sum(q, "r", "c"), 86);
    custops_quote_free(q);
    custops_ruleset_free(rs);
    /* 1.00 over three equal lines: [34, 33, 33], the extra cent to the lower index */
    rs = rules("rule r { then amount_off 1.00; }\n");
    q = quote(rs, "{\"lines\":[{\"id\":\"a\",\"sku\":\"A\",\"unit_price\":1000},"
                  "{\"id\":\"b\",\"sku\":\"B\",\"unit_price\":1000},{\"id\":\"c\",\"sku\":\"C\",\"unit_price\":1000}]}",
              NOW);
    ck_assert_int_eq(alloc_sum(q, "r", "a"), 34);
    ck_assert_int_eq(alloc_sum(q, "r", "b"), 33);
    ck_assert_int_eq(alloc_sum(q, "r", "c"), 33);
    custops_quote_free(q);
    /* units: 1.00 over one line of 3 units -> one unit 0.34, two units 0.33 */
    q = quote(rs, "{\"lines\":[{\"id\":\"a\",\"sku\":\"A\",\"unit_price\":1000,\"qty\":3}]}", NOW);
    char *j = qjson(q);
    ck_assert_ptr_nonnull(strstr(j, "\"amount\":100,\"unit_high\":34,\"units_high\":1,\"unit_low\":33"));
    custops_free(j);
    custops_quote_free(q);
    custops_ruleset_free(rs);
    /* overflow is an error, not a wrap */
    custops_cart *c;
    ck_assert_ok(custops_cart_new(&c, "CNY"));
    ck_assert_status(custops_cart_add_line(c, "x", "A", INT64_MAX / 2, 3), CUSTOPS_ERANGE);
    ck_assert_ok(custops_cart_add_line(c, "x", "A", INT64_MAX / 2, 1));
    ck_assert_ok(custops_cart_add_line(c, "y", "B", INT64_MAX / 2, 1));
    ck_assert_ok(custops_cart_add_line(c, "z", "C", INT64_MAX / 2, 1));
    rs = rules("rule r { then amount_off 1.00; }\n");
    ck_assert_status(custops_quote_run(&q, rs, c, NOW), CUSTOPS_ERANGE);
    ck_assert_ptr_null(q);
    custops_cart_free(c);
    custops_ruleset_free(rs);
}
END_TEST

START_TEST(issuance_rules)
{
    size_t len = 0;
    char path[1024];
    src_path("tests/coupon/examples/promos.rules", path, sizeof path);
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    char *text = calloc(1, 1 << 16);
    len = fread(text, 1, (1 << 16) - 1, f);
    fclose(f);
    custops_ruleset *rs;
    ck_assert_ok(custops_ruleset_compile(&rs, text, len, "promos.rules"));
    free(text);
    custops_cart *c;
    const char *j = "{\"customer\":{\"id\":\"c1\",\"paid_orders\":1,\"referrer\":\"c9\",\"points\":600},"
                    "\"ctx\":{\"event_key\":\"O42\",\"delay_hours\":50}}";
    ck_assert_ok(custops_cart_from_json(&c, j, strlen(j)));
    custops_frame *fr;
    ck_assert_ok(custops_ruleset_issue(&fr, rs, "order_paid", c, NOW));
    ck_assert_uint_eq(custops_frame_nrows(fr), 2);
    size_t col;
    const char *s;
    ck_assert_ok(custops_frame_find(fr, "recipient", &col));
    ck_assert_ok(custops_frame_string(fr, col, 0, &s));
    ck_assert_str_eq(s, "c1"); /* invitee */
    ck_assert_ok(custops_frame_string(fr, col, 1, &s));
    ck_assert_str_eq(s, "c9"); /* inviter */
    ck_assert_ok(custops_frame_find(fr, "issue_key", &col));
    ck_assert_ok(custops_frame_string(fr, col, 1, &s));
    ck_assert_str_eq(s, "referral_20:O42:inviter:CPN_NOTHRESH_20");
    custops_frame_free(fr);
    ck_assert_ok(custops_ruleset_issue(&fr, rs, "shipment_late", c, NOW));
    ck_assert_uint_eq(custops_frame_nrows(fr), 1);
    custops_frame_free(fr);
    ck_assert_ok(custops_ruleset_issue(&fr, rs, "points_exchange", c, NOW));
    ck_assert_uint_eq(custops_frame_nrows(fr), 1);
    ck_assert_ok(custops_frame_find(fr, "cost_points", &col));
    const int64_t *cost;
    ck_assert_ok(custops_frame_int64(fr, col, &cost));
    ck_assert_int_eq(cost[0], 500);
    custops_frame_free(fr);
    custops_cart_free(c);
    /* 47 hours late, 400 points, second order: nothing */
    j = "{\"customer\":{\"id\":\"c1\",\"paid_orders\":2,\"referrer\":\"c9\",\"points\":400},\"ctx\":{\"delay_hours\":47}}";
    ck_assert_ok(custops_cart_from_json(&c, j, strlen(j)));
    const char *events[] = {"order_paid", "shipment_late", "points_exchange", "unheard_of"};
    for (int i = 0; i < 4; i++) {
        ck_assert_ok(custops_ruleset_issue(&fr, rs, events[i], c, NOW));
        ck_assert_uint_eq(custops_frame_nrows(fr), 0);
        custops_frame_free(fr);
    }
    custops_cart_free(c);
    custops_ruleset_free(rs);
}
END_TEST

START_TEST(cart_validation)
{
    custops_cart *c;
    ck_assert_status(custops_cart_new(&c, "XXX"), CUSTOPS_ENOTFOUND);
    ck_assert_status(custops_cart_new(NULL, "CNY"), CUSTOPS_EINVAL);
    ck_assert_ok(custops_cart_new(&c, "CNY"));
    ck_assert_status(custops_cart_add_line(c, "a", "A", -1, 1), CUSTOPS_EINVAL);
    ck_assert_status(custops_cart_add_line(c, "a", "A", 1, 0), CUSTOPS_EINVAL);
    ck_assert_status(custops_cart_line_attr(c, "brand", "x"), CUSTOPS_EINVAL); /* no line yet */
    ck_assert_ok(custops_cart_add_line(c, "a", "A", 1, 1));
    ck_assert_status(custops_cart_add_line(c, "a", "B", 1, 1), CUSTOPS_EEXISTS);
    ck_assert_status(custops_cart_line_attr(c, "color", "x"), CUSTOPS_EINVAL);
    ck_assert_status(custops_cart_set_shipping(c, -5), CUSTOPS_EINVAL);
    ck_assert_status(custops_cart_set_stock(c, "T", -1), CUSTOPS_EINVAL);
    int64_t now;
    ck_assert_status(custops_cart_now(c, &now), CUSTOPS_ENOTFOUND);
    custops_cart_free(c);
    custops_cart_free(NULL);
    const char *bad[] = {"[]", "{\"lines\":[{\"id\":\"a\",\"sku\":\"A\",\"unit_price\":\"1.001\"}]}",
                         "{\"lines\":[{\"id\":\"a\",\"sku\":\"A\"}]}", "{\"lines\":{}}", "{\"now\":\"yesterday\"}",
                         "{\"currency\":\"JPY\",\"lines\":[{\"id\":\"a\",\"sku\":\"A\",\"unit_price\":\"1.5\"}]}"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        custops_clear_error();
        c = (custops_cart *)1;
        ck_assert_msg(custops_cart_from_json(&c, bad[i], strlen(bad[i])) != 0, "accepted %s", bad[i]);
        ck_assert_ptr_null(c);
        ck_assert(custops_last_error()[0]);
    }
    /* currency mismatch */
    custops_ruleset *rs = rules("currency USD; rule r { then amount_off 1.00; }");
    ck_assert_ok(custops_cart_new(&c, "CNY"));
    custops_quote *q;
    ck_assert_status(custops_quote_run(&q, rs, c, 0), CUSTOPS_EINVAL);
    custops_cart_free(c);
    custops_ruleset_free(rs);
}
END_TEST

START_TEST(determinism)
{
    custops_ruleset *rs = rules("group g exclusive; group s stackable;\n"
                                "rule a { group g; then amount_off 10.00; }\n"
                                "rule b { group g; then amount_off 10.00; }\n"
                                "rule c { group s; then percent_off 3%; }\n"
                                "rule d { group s; scope sku(\"B\"); then percent_off 7%; }\n");
    char *first = NULL;
    for (int i = 0; i < 5; i++) {
        custops_quote *q = quote(rs, CART3, NOW);
        char *j = qjson(q);
        if (!first)
            first = j;
        else {
            ck_assert_str_eq(first, j);
            custops_free(j);
        }
        ck_assert(applied(q, "a")); /* equal value: the smaller id wins */
        custops_quote_free(q);
    }
    custops_free(first);
    custops_ruleset_free(rs);
}
END_TEST

/* ---- best combination vs brute force ---- */

typedef struct grule {
    int amount, pct, cat, group, combine;
} grule;

static unsigned rnd(unsigned *s)
{
    *s = *s * 1103515245u + 12345u;
    return (*s >> 16) & 0x7fff;
}

static void rule_text(char *out, size_t cap, const grule *r, int i, int with_stacking)
{
    static const char *groups[] = {"", "group ex;", "group st;"};
    static const char *combines[] = {"", "combine none;", "combine except(ex);", "combine only(st);"};
    char eff[64], scope[48] = "";
    if (r->pct)
        snprintf(eff, sizeof eff, "percent_off %d%%", r->pct);
    else
        snprintf(eff, sizeof eff, "amount_off %d.00", r->amount);
    if (r->cat)
        snprintf(scope, sizeof scope, "scope category(\"c%d\");", r->cat);
    snprintf(out, cap, "rule r%d { %s %s %s then %s; }\n", i, with_stacking ? groups[r->group] : "",
             with_stacking ? combines[r->combine] : "", scope, eff);
}

static int allows(const grule *a, const grule *b)
{
    switch (a->combine) {
    case 1: return 0;
    case 2: return b->group != 1;
    case 3: return b->group == 2;
    default: return 1;
    }
}

START_TEST(best_combination_matches_brute_force)
{
    unsigned seed = 20251111u;
    const char *head = "group ex exclusive; group st stackable max 2;\n";
    for (int trial = 0; trial < 120; trial++) {
        int k = 3 + (int)(rnd(&seed) % 4); /* 3..6 rules */
        grule g[6];
        char text[4096], line[256];
        char cart[1024] = "{\"lines\":[";
        for (int l = 0; l < 3; l++) {
            char ln[160];
            snprintf(ln, sizeof ln, "%s{\"id\":\"L%d\",\"sku\":\"S%d\",\"category\":[\"c%d\"],\"unit_price\":%u,\"qty\":%u}",
                     l ? "," : "", l, l, 1 + l % 2, 100 + rnd(&seed) % 5000, 1 + rnd(&seed) % 3);
            strcat(cart, ln);
        }
        strcat(cart, "]}");
        snprintf(text, sizeof text, "%s", head);
        for (int i = 0; i < k; i++) {
            g[i].pct = rnd(&seed) % 2 ? 5 + (int)(rnd(&seed) % 40) : 0;
            g[i].amount = 1 + (int)(rnd(&seed) % 80);
            g[i].cat = (int)(rnd(&seed) % 3);
            g[i].group = (int)(rnd(&seed) % 3);
            g[i].combine = rnd(&seed) % 3 ? 0 : 1 + (int)(rnd(&seed) % 3);
            rule_text(line, sizeof line, &g[i], i, 1);
            strcat(text, line);
        }
        custops_ruleset *rs = rules(text);
        custops_quote *q = quote(rs, cart, NOW);
        int64_t got = custops_quote_discount(q);
        ck_assert(custops_quote_exact(q));
        /* allocations sum to the discount and no line goes negative */
        ck_assert_int_eq(alloc_sum(q, NULL, NULL), got);
        custops_quote_free(q);
        custops_ruleset_free(rs);
        int64_t best = 0;
        for (int mask = 1; mask < (1 << k); mask++) {
            int ok = 1, ex = 0, st = 0;
            for (int i = 0; i < k && ok; i++) {
                if (!(mask >> i & 1))
                    continue;
                ex += g[i].group == 1;
                st += g[i].group == 2;
                for (int j = 0; j < k; j++)
                    if (j != i && (mask >> j & 1) && (!allows(&g[i], &g[j]) || !allows(&g[j], &g[i])))
                        ok = 0;
            }
            if (!ok || ex > 1 || st > 2)
                continue;
            /* the value of this set alone, with no stacking rules at all */
            snprintf(text, sizeof text, "%s", "");
            for (int i = 0; i < k; i++)
                if (mask >> i & 1) {
                    rule_text(line, sizeof line, &g[i], i, 0);
                    strcat(text, line);
                }
            rs = rules(text);
            q = quote(rs, cart, NOW);
            if (custops_quote_discount(q) > best)
                best = custops_quote_discount(q);
            custops_quote_free(q);
            custops_ruleset_free(rs);
        }
        ck_assert_msg(got == best, "trial %d: quote %lld, brute force %lld", trial, (long long)got, (long long)best);
    }
}
END_TEST

/* An order-level amount is spread over the lines exactly as core's
 * custops_money_allocate() would (largest remainder, ties to the lower
 * index), for small, large and huge bases: the quote has its own faster
 * version of that arithmetic, so it is checked against the original. */
START_TEST(spread_matches_money_allocate)
{
    unsigned seed = 424242u;
    for (int trial = 0; trial < 300; trial++) {
        int n = 1 + (int)(rnd(&seed) % 40), mag = trial % 3;
        int64_t base[40], want[40], w[40], S = 0;
        size_t nw = 0;
        custops_cart *c;
        ck_assert_ok(custops_cart_new(&c, "CNY"));
        for (int l = 0; l < n; l++) {
            int64_t price = (int64_t)(rnd(&seed) % 10000);
            if (mag == 1)
                price = price * 100003 + rnd(&seed);
            else if (mag == 2)
                price = (price + 1) * 2000000000003LL + rnd(&seed); /* products past 2^52 and 2^63 */
            if (rnd(&seed) % 7 == 0)
                price = 0;
            int64_t qty = 1 + (int64_t)(rnd(&seed) % 3);
            char id[16];
            snprintf(id, sizeof id, "L%d", l);
            ck_assert_ok(custops_cart_add_line(c, id, "S", price, qty));
            base[l] = price * qty;
            S += base[l];
            if (base[l] > 0)
                w[nw++] = base[l];
        }
        if (S == 0) {
            custops_cart_free(c);
            continue;
        }
        int64_t d = 1 + (int64_t)(((uint64_t)rnd(&seed) << 30 ^ (uint64_t)rnd(&seed) << 15 ^ rnd(&seed)) % (uint64_t)S);
        char text[128];
        snprintf(text, sizeof text, "rule spread { lane order; then amount_off %lld.%02lld; }", (long long)(d / 100),
                 (long long)(d % 100));
        custops_ruleset *rs = rules(text);
        int64_t shares[40];
        ck_assert_ok(custops_money_allocate(d, w, nw, shares));
        for (int l = 0, k = 0; l < n; l++)
            want[l] = base[l] > 0 ? shares[k++] : 0;
        custops_quote *q;
        ck_assert_ok(custops_quote_run(&q, rs, c, NOW));
        ck_assert_int_eq(custops_quote_discount(q), d);
        for (int l = 0; l < n; l++) {
            char id[16];
            snprintf(id, sizeof id, "L%d", l);
            ck_assert_msg(alloc_sum(q, "spread", id) == want[l], "trial %d line %d: %lld, core allocates %lld", trial, l,
                          (long long)alloc_sum(q, "spread", id), (long long)want[l]);
        }
        custops_quote_free(q);
        custops_ruleset_free(rs);
        custops_cart_free(c);
    }
}
END_TEST

/* Rules with the same selector set, written in another order or with a
 * selector repeated, share one scope in the compiled ruleset, and the quote
 * computes its lines once for all of them. Sets that differ only by an
 * exclude or by the selector kind must stay apart. Each rule here gets on
 * every line exactly what it gets when it is the only rule (no group, small
 * discounts: no capacity binds), in the item lane and in the order lane. */
/* The quote indexes only the selector kinds the ruleset's scopes use: a
 * ruleset selecting by one kind must find exactly the lines of that kind,
 * even when other kinds carry the same value, and a ruleset without scopes
 * discounts every line. */
START_TEST(scope_index_per_kind)
{
    static const char *cart = "{\"lines\":[{\"id\":\"L1\",\"sku\":\"X\",\"unit_price\":\"10.00\"},"
                              "{\"id\":\"L2\",\"sku\":\"S2\",\"category\":[\"X\"],\"unit_price\":\"10.00\"},"
                              "{\"id\":\"L3\",\"sku\":\"S3\",\"brand\":\"X\",\"unit_price\":\"10.00\"},"
                              "{\"id\":\"L4\",\"sku\":\"S4\",\"tags\":[\"X\"],\"unit_price\":\"10.00\"}]}";
    static const char *kinds[] = {"sku", "category", "brand", "tag"};
    static const char *lines[] = {"L1", "L2", "L3", "L4"};
    char text[256];
    for (int k = 0; k < 4; k++) {
        snprintf(text, sizeof text, "rule r { lane item; scope %s(\"X\"); then percent_off 10%%; }\n", kinds[k]);
        custops_ruleset *rs = rules(text);
        custops_quote *q = quote(rs, cart, NOW);
        ck_assert_int_eq(custops_quote_discount(q), 100);
        for (int l = 0; l < 4; l++)
            ck_assert_int_eq(alloc_sum(q, "r", lines[l]), l == k ? 100 : 0);
        custops_quote_free(q);
        custops_ruleset_free(rs);
    }
    custops_ruleset *rs = rules("rule r { lane item; then percent_off 10%; }\n");
    custops_quote *q = quote(rs, cart, NOW);
    ck_assert_int_eq(custops_quote_discount(q), 400);
    custops_quote_free(q);
    custops_ruleset_free(rs);
}
END_TEST

/* Exclusive-per-line members whose shares stay implicit until chosen (a
 * spread that gives every line of its scope at least a unit) against
 * members that must be spread at once (one cent: only the larger line gets
 * it) and members of a narrower scope. */
START_TEST(per_line_spread_members)
{
    static const char *cart = "{\"lines\":[{\"id\":\"L1\",\"sku\":\"A\",\"category\":[\"c1\"],\"unit_price\":\"10.00\"},"
                              "{\"id\":\"L2\",\"sku\":\"B\",\"category\":[\"c1\"],\"unit_price\":\"20.00\"}]}";
    const char *head = "group p exclusive per_line;\n";
    const char *a = "rule a { lane item; group p; scope category(\"c1\"); then percent_off 10%; }\n";
    const char *b = "rule b { lane item; group p; scope category(\"c1\"); then percent_off 20%; }\n";
    const char *c = "rule c { lane item; group p; scope sku(\"A\"); then amount_off 1.50; }\n";
    const char *t = "rule t { lane item; group p; scope category(\"c1\"); then amount_off 0.01; }\n";
    char text[1024];
    int64_t gap, value;
    /* one scope: the larger wins, the other loses to it */
    snprintf(text, sizeof text, "%s%s%s", head, a, b);
    custops_ruleset *rs = rules(text);
    custops_quote *q = quote(rs, cart, NOW);
    ck_assert_int_eq(custops_quote_discount(q), 600);
    ck_assert(applied(q, "b"));
    ck_assert_str_eq(reason_of(q, "a", &gap, &value), "NOT_COMBINABLE");
    ck_assert_int_eq(alloc_sum(q, "b", "L1"), 200);
    ck_assert_int_eq(alloc_sum(q, "b", "L2"), 400);
    custops_quote_free(q);
    custops_ruleset_free(rs);
    /* a narrower scope on L1 collides with both: the search picks b */
    snprintf(text, sizeof text, "%s%s%s%s", head, a, b, c);
    rs = rules(text);
    q = quote(rs, cart, NOW);
    ck_assert_int_eq(custops_quote_discount(q), 600);
    ck_assert_str_eq(reason_of(q, "c", &gap, &value), "NOT_COMBINABLE");
    custops_quote_free(q);
    custops_ruleset_free(rs);
    /* one cent lands on L2 only, so it combines with c on L1 */
    snprintf(text, sizeof text, "%s%s%s", head, c, t);
    rs = rules(text);
    q = quote(rs, cart, NOW);
    ck_assert_int_eq(custops_quote_discount(q), 151);
    ck_assert_int_eq(alloc_sum(q, "t", "L2"), 1);
    ck_assert_int_eq(alloc_sum(q, "t", "L1"), 0);
    ck_assert_int_eq(alloc_sum(q, "c", "L1"), 150);
    custops_quote_free(q);
    custops_ruleset_free(rs);
    /* and it collides with b on L2 */
    snprintf(text, sizeof text, "%s%s%s%s", head, b, c, t);
    rs = rules(text);
    q = quote(rs, cart, NOW);
    ck_assert_int_eq(custops_quote_discount(q), 600);
    ck_assert(applied(q, "b"));
    custops_quote_free(q);
    custops_ruleset_free(rs);
}
END_TEST

START_TEST(shared_scopes_same_as_alone)
{
    static const char *scopes[] = {
        "category(\"home\") + brand(\"acme\")",
        "brand(\"acme\") + category(\"home\") + category(\"home\")", /* the same set */
        "category(\"home\") - brand(\"acme\")",                       /* acme excluded */
        "category(\"home\") - tag(\"no_coupon\")",
        "category(\"home\") - tag(\"no_coupon\") - tag(\"no_coupon\")", /* the same as the one before */
        "sku(\"B\")",
        "brand(\"B\")", /* same value, other kind: no line */
        NULL,           /* no scope: every line */
    };
    static const char *lines[] = {"L1", "L2", "L3"};
    enum { NS = 8 };
    for (int lane = 0; lane < 2; lane++) {
        char all[4096] = "", one[512];
        size_t len = 0;
        for (int i = 0; i < NS; i++) {
            const char *then = lane ? "lane order; then amount_off 1.00;" : "lane item; then percent_off 10%;";
            snprintf(one, sizeof one, "rule r%d { %s %s%s%s }\n", i, then, scopes[i] ? "scope " : "",
                     scopes[i] ? scopes[i] : "", scopes[i] ? ";" : "");
            len += (size_t)snprintf(all + len, sizeof all - len, "%s", one);
        }
        custops_ruleset *rs = rules(all);
        custops_quote *q = quote(rs, CART3, NOW);
        for (int i = 0; i < NS; i++) {
            char id[8], text[512];
            snprintf(id, sizeof id, "r%d", i);
            const char *then = lane ? "lane order; then amount_off 1.00;" : "lane item; then percent_off 10%;";
            snprintf(text, sizeof text, "rule r%d { %s %s%s%s }\n", i, then, scopes[i] ? "scope " : "",
                     scopes[i] ? scopes[i] : "", scopes[i] ? ";" : "");
            custops_ruleset *rs1 = rules(text);
            custops_quote *q1 = quote(rs1, CART3, NOW);
            ck_assert_str_eq(reason_of(q, id, NULL, NULL), reason_of(q1, id, NULL, NULL));
            for (int l = 0; l < 3; l++)
                ck_assert_msg(alloc_sum(q, id, lines[l]) == alloc_sum(q1, id, lines[l]), "lane %d rule %s line %s: %lld alone %lld",
                              lane, id, lines[l], (long long)alloc_sum(q, id, lines[l]), (long long)alloc_sum(q1, id, lines[l]));
            custops_quote_free(q1);
            custops_ruleset_free(rs1);
        }
        /* hand-checked: home+acme is every line; acme excluded leaves L2;
         * no_coupon excluded leaves L2; brand "B" selects nothing */
        ck_assert_int_eq(alloc_sum(q, "r0", NULL), lane ? 100 : 430 + 140 + 230);
        ck_assert_int_eq(alloc_sum(q, "r1", NULL), alloc_sum(q, "r0", NULL));
        ck_assert_int_eq(alloc_sum(q, "r2", "L2"), lane ? 100 : 140);
        ck_assert_int_eq(alloc_sum(q, "r2", NULL), alloc_sum(q, "r2", "L2"));
        ck_assert_int_eq(alloc_sum(q, "r4", NULL), alloc_sum(q, "r3", NULL));
        ck_assert_str_eq(reason_of(q, "r6", NULL, NULL), "SCOPE_EMPTY");
        custops_quote_free(q);
        custops_ruleset_free(rs);
    }
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("coupon quote");
    TCase *t = tcase_create("quote");
    tcase_set_timeout(t, 60);
    tcase_add_test(t, conditions_each_kind);
    tcase_add_test(t, tier_comparisons_each_op);
    tcase_add_test(t, time_zone_midnight_edge);
    tcase_add_test(t, effects_amounts);
    tcase_add_test(t, buy_x_get_y);
    tcase_add_test(t, shipping_gifts_points);
    tcase_add_test(t, gift_stock_lookup);
    tcase_add_test(t, stacking_modes);
    tcase_add_test(t, codes_and_wallet);
    tcase_add_test(t, rounding_and_allocation);
    tcase_add_test(t, issuance_rules);
    tcase_add_test(t, cart_validation);
    tcase_add_test(t, determinism);
    tcase_add_test(t, best_combination_matches_brute_force);
    tcase_add_test(t, spread_matches_money_allocate);
    tcase_add_test(t, shared_scopes_same_as_alone);
    tcase_add_test(t, scope_index_per_kind);
    tcase_add_test(t, per_line_spread_members);
    suite_add_tcase(s, t);
    return s;
}

TEST_MAIN(suite)
