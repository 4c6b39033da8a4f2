/* The thread rule of the quote (docs/coupons.md): a compiled ruleset is
 * shared read-only, so any number of threads may quote against it at once
 * and each gets the bytes a lone thread gets. The quote keeps per-scope
 * work (line bitmaps, lists, sums) in its own run, never in the ruleset;
 * this test quotes carts whose rules share scopes across lanes from four
 * threads and compares every JSON byte with a single-threaded reference.
 * Also built under ThreadSanitizer by hand: see the comment at the end. */
#include "coupon_test.h"

#include <pthread.h>

static const char *RULES =
    "currency CNY; tz \"Asia/Shanghai\"; tiers \"silver\", \"gold\";\n"
    "group p exclusive per_line; group o exclusive; group s stackable max 2; group w exclusive;\n"
    "rule i1 { lane item; group p; scope category(\"fresh\") - tag(\"x\"); then percent_off 10%; }\n"
    "rule i2 { lane item; group p; scope category(\"fresh\") - tag(\"x\") - tag(\"x\"); then percent_off 12%; }\n"
    "rule i3 { lane item; group p; scope brand(\"b\") + category(\"home\"); then amount_off_each 1.00; }\n"
    "rule i4 { lane item; scope category(\"home\") + brand(\"b\") + brand(\"b\"); then buy 2 get 1 free cheapest; }\n"
    "rule o1 { group o; scope category(\"fresh\") - tag(\"x\"); when subtotal() >= 50.00; then tiers(50.00: 5.00, 150.00: 20.00); }\n"
    "rule o2 { group o; scope category(\"home\") + brand(\"b\"); then every 40.00 off 4.00 max_times 3; }\n"
    "rule o3 { group s; when qty() > 3; then percent_off 5% cap 8.00; }\n"
    "rule o4 { group s; then gift \"G\" qty 1; }\n"
    "rule o5 { group w; code wallet; when subtotal() >= 60.00; then amount_off 6.00; }\n"
    "rule s1 { lane shipping; when subtotal() >= 99.00; then free_shipping; }\n"
    "rule p1 { lane points; when customer.tier >= \"silver\"; then points_x 2; }\n";

static const char *CARTS[] = {
    "{\"lines\":[{\"id\":\"L1\",\"sku\":\"A\",\"category\":[\"fresh\"],\"unit_price\":\"43.00\",\"qty\":2},"
    "{\"id\":\"L2\",\"sku\":\"B\",\"category\":[\"fresh\"],\"tags\":[\"x\"],\"unit_price\":\"12.50\"},"
    "{\"id\":\"L3\",\"sku\":\"C\",\"category\":[\"home\"],\"brand\":\"b\",\"unit_price\":\"19.90\",\"qty\":3}],"
    "\"shipping\":\"8.00\",\"customer\":{\"id\":\"c\",\"tier\":\"gold\"},\"wallet\":[{\"id\":\"W\",\"rule\":\"o5\"}],"
    "\"stock\":{\"G\":1}}",
    "{\"lines\":[{\"id\":\"L1\",\"sku\":\"D\",\"category\":[\"home\"],\"unit_price\":\"5.00\",\"qty\":7}],"
    "\"shipping\":\"6.00\",\"customer\":{\"id\":\"d\",\"tier\":\"silver\"}}",
    "{\"lines\":[{\"id\":\"L1\",\"sku\":\"E\",\"category\":[\"fresh\"],\"brand\":\"b\",\"unit_price\":\"80.00\"},"
    "{\"id\":\"L2\",\"sku\":\"F\",\"category\":[\"toys\"],\"unit_price\":\"30.00\",\"qty\":2}],\"shipping\":\"10.00\","
    "\"wallet\":[{\"id\":\"W2\",\"rule\":\"o5\"}]}",
};
enum { NCARTS = 3, NTHREADS = 4, ROUNDS = 40 };

static custops_ruleset *shared;
static custops_cart *carts[NCARTS];
static char *want[NCARTS];

static char *quote_json(const custops_cart *c)
{
    int64_t now = sh("2025-11-11 10:00");
    custops_quote *q;
    char *json = NULL;
    if (custops_quote_run(&q, shared, c, now) != CUSTOPS_OK)
        return NULL;
    if (custops_quote_to_json(q, &json, NULL) != CUSTOPS_OK)
        json = NULL;
    custops_quote_free(q);
    return json;
}

static void *worker(void *arg)
{
    intptr_t mismatches = 0;
    (void)arg;
    for (int r = 0; r < ROUNDS; r++)
        for (int k = 0; k < NCARTS; k++) {
            char *got = quote_json(carts[(k + r) % NCARTS]);
            mismatches += !got || strcmp(got, want[(k + r) % NCARTS]) != 0;
            custops_free(got);
        }
    return (void *)mismatches;
}

START_TEST(shared_ruleset_quotes_from_threads)
{
    shared = rules(RULES);
    for (int k = 0; k < NCARTS; k++) {
        ck_assert_ok(custops_cart_from_json(&carts[k], CARTS[k], strlen(CARTS[k])));
        want[k] = quote_json(carts[k]);
        ck_assert_ptr_nonnull(want[k]);
        ck_assert_msg(strstr(want[k], "\"applied\":[\n{") != NULL, "cart %d: no rule applied: %s", k, want[k]);
    }
    pthread_t t[NTHREADS];
    for (int i = 0; i < NTHREADS; i++)
        ck_assert_int_eq(pthread_create(&t[i], NULL, worker, NULL), 0);
    intptr_t bad = 0;
    for (int i = 0; i < NTHREADS; i++) {
        void *r;
        ck_assert_int_eq(pthread_join(t[i], &r), 0);
        bad += (intptr_t)r;
    }
    ck_assert_int_eq(bad, 0);
    for (int k = 0; k < NCARTS; k++) {
        custops_free(want[k]);
        custops_cart_free(carts[k]);
    }
    custops_ruleset_free(shared);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("coupon threads");
    TCase *t = tcase_create("threads");
    tcase_set_timeout(t, 60);
    tcase_add_test(t, shared_ruleset_quotes_from_threads);
    suite_add_tcase(s, t);
    return s;
}

TEST_MAIN(suite)

/* Under ThreadSanitizer (as tools/tsan-check.sh builds tests/threads): compile
 * this file and every library source but src/cli with clang -fsanitize=thread
 * -DCUSTOPS_BUILDING -Iinclude -Isrc -Itests -DCOUPON_TOP_SRCDIR, link Check,
 * and run it with CK_FORK=no. */
