/* Failing every allocation in turn through compile, JSON both ways, cart
 * parsing, quote, explanation and issuance gives CUSTOPS_ENOMEM and leaks
 * nothing. */
#include "failalloc.h"


static const char *RULES =
    "currency CNY; tz \"Asia/Shanghai\"; tiers \"silver\", \"gold\";\n"
    "group g exclusive; group p exclusive per_line; group s stackable max 2;\n"
    "rule a { group g; code wallet; when subtotal() >= 69.00; then amount_off 10.00; limit per_customer 1; }\n"
    "rule b { group g; code \"SAVE\"; then percent_off 12% cap 50.00; limit per_code 9; }\n"
    "rule c { lane item; group p; scope category(\"fresh\") - tag(\"x\"); then percent_off 10%; }\n"
    "rule d { lane item; group p; scope sku(\"F\"); then fixed_price 59.00; limit qty_per_customer 2; }\n"
    "rule e { lane item; then buy 2 get 1 free cheapest max_sets 3; }\n"
    "rule f { group s; window dow(2) 00:00..24:00; then every 100.00 off 10.00 max_times 5; }\n"
    "rule g2 { group s; when customer.tier >= \"silver\" and in_segment(\"vip\"); then tiers(100.00: 5.00, 300.00: 15.00); }\n"
    "rule h { lane shipping; when subtotal() >= 99.00; then free_shipping; }\n"
    "rule i { group s; then gift \"G\" qty 1; }\n"
    "rule j { lane points; window first 2h from 2025-11-11T00:00; then points_x 2; }\n"
    "rule k { on order_paid; when ctx.referrer != \"\"; then issue \"C\" to inviter; }\n";

static const char *CART =
    "{\"lines\":[{\"id\":\"L1\",\"sku\":\"A\",\"category\":[\"fresh\"],\"tags\":[\"y\"],\"unit_price\":\"43.00\",\"qty\":2},"
    "{\"id\":\"L2\",\"sku\":\"F\",\"brand\":\"b\",\"unit_price\":\"99.00\",\"qty\":3}],\"shipping\":\"8.00\","
    "\"customer\":{\"id\":\"c\",\"tier\":\"gold\",\"segments\":[\"vip\"],\"referrer\":\"r\"},\"codes\":[\"save\",\"nope\"],"
    "\"wallet\":[{\"id\":\"W\",\"rule\":\"a\"}],\"stock\":{\"G\":1}}";

static int workload(void *ctx)
{
    (void)ctx;
    custops_ruleset *rs = NULL, *back = NULL;
    custops_cart *cart = NULL;
    custops_quote *q = NULL;
    custops_frame *f1 = NULL, *f2 = NULL, *f3 = NULL, *f4 = NULL;
    char *j = NULL, *qj = NULL;
    size_t n = 0;
    int rc = custops_ruleset_compile(&rs, RULES, strlen(RULES), "t");
    if (!rc)
        rc = custops_ruleset_to_json(rs, &j, &n);
    if (!rc)
        rc = custops_ruleset_from_json(&back, j, n);
    if (!rc)
        rc = custops_cart_from_json(&cart, CART, strlen(CART));
    if (!rc)
        rc = custops_quote_run(&q, back, cart, 1762828200); /* 2025-11-11 10:30 Shanghai */
    if (!rc)
        rc = custops_quote_to_json(q, &qj, NULL);
    if (!rc)
        rc = custops_quote_allocations(&f1, q);
    if (!rc)
        rc = custops_quote_reasons(&f2, q);
    if (!rc)
        rc = custops_ruleset_lint(&f3, rs);
    if (!rc)
        rc = custops_ruleset_issue(&f4, rs, "order_paid", cart, 0);
    custops_frame_free(f1);
    custops_frame_free(f2);
    custops_frame_free(f3);
    custops_frame_free(f4);
    custops_free(j);
    custops_free(qj);
    custops_quote_free(q);
    custops_cart_free(cart);
    custops_ruleset_free(back);
    custops_ruleset_free(rs);
    return rc;
}

START_TEST(fail_every_allocation_in_turn)
{
    static const int also_ok[] = {CUSTOPS_ENOTFOUND, 0};
    failalloc_sweep(workload, NULL, 50, 20000, also_ok);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("coupon alloc");
    TCase *t = tcase_create("alloc");
    tcase_set_timeout(t, 120);
    tcase_add_test(t, fail_every_allocation_in_turn);
    suite_add_tcase(s, t);
    return s;
}

TEST_MAIN(suite)
