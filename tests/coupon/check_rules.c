/* The rule language: compile errors at line:col, the canonical JSON round
 * trip, lints, limits and argument checks. */
#include "coupon_test.h"

static char *read_src(const char *rel, size_t *len)
{
    char path[1024];
    src_path(rel, path, sizeof path);
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    ck_assert(fread(buf, 1, (size_t)n, f) == (size_t)n);
    buf[n] = 0;
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static void expect_error(const char *text, int status, const char *msg)
{
    custops_ruleset *rs = (custops_ruleset *)1;
    custops_clear_error();
    int rc = custops_ruleset_compile(&rs, text, strlen(text), "t.rules");
    ck_assert_msg(rc == status, "wanted %d got %d (%s) for: %s", status, rc, custops_last_error(), text);
    ck_assert_ptr_null(rs);
    ck_assert_msg(strstr(custops_last_error(), msg) != NULL, "message '%s' lacks '%s'", custops_last_error(), msg);
}

START_TEST(errors_name_line_and_column)
{
    expect_error("rule a {\n  lane order;\n  then amount_of 10.00;\n}", CUSTOPS_EPARSE, "t.rules:3:8: unknown effect 'amount_of'");
    expect_error("rule a { then amount_off 10.001; }", CUSTOPS_EPARSE, "t.rules:1:26: amount has more than 2 decimals");
    expect_error("rule a { then amount_off 10.00 }", CUSTOPS_EPARSE, "t.rules:1:32: expected ';', found '}'");
    expect_error("rule a { group g; then amount_off 1.00; }", CUSTOPS_EPARSE, "unknown group 'g'");
    expect_error("rule a { when subtotal() >= ; then amount_off 1.00; }", CUSTOPS_EPARSE, "t.rules:1:29: expected a value");
    expect_error("rule a { when qty() >= 1.50; then amount_off 1.00; }", CUSTOPS_EPARSE, "cannot compare");
    expect_error("rule a { when customer.tier >= \"platinum\"; then amount_off 1.00; }", CUSTOPS_EPARSE, "unknown tier");
    expect_error("rule a { then percent_off 120%; }", CUSTOPS_ERANGE, "at most 100%");
    expect_error("rule a { valid 2025-11-01T00:00 .. 2025-11-02T00:00; then amount_off 1.00; }", CUSTOPS_EPARSE,
                 "needs a zone");
    expect_error("tz \"Mars/Olympus\"; rule a { then amount_off 1.00; }", CUSTOPS_ENOTFOUND, "Mars/Olympus");
    expect_error("rule a { then amount_off 1.00; } rule a { then amount_off 2.00; }", CUSTOPS_EEXISTS, "used twice");
    expect_error("rule a { lane shipping; then amount_off 1.00; }", CUSTOPS_EPARSE, "does not belong in lane shipping");
    expect_error("rule a { on order_paid; lane order; then amount_off 1.00; }", CUSTOPS_EPARSE, "lane issue");
    expect_error("rule a { when subtotal() >= 1.00; }", CUSTOPS_EPARSE, "has no 'then'");
    expect_error("rule a { then tiers(100.00: 10.00, 50.00: 5.00); }", CUSTOPS_EPARSE, "must increase");
    expect_error("rule a { then amount_off 1.00; ", CUSTOPS_EPARSE, "end of input");
    expect_error("rule a { title \"x\n; }", CUSTOPS_EPARSE, "t.rules:1:18: line break inside a string");
}
END_TEST

START_TEST(depth_and_size_limits)
{
    /* 40 nested parentheses exceed the depth limit of 32 */
    char text[512] = "rule a { when ";
    for (int i = 0; i < 40; i++)
        strcat(text, "(");
    strcat(text, "qty() >= 1");
    for (int i = 0; i < 40; i++)
        strcat(text, ")");
    strcat(text, "; then amount_off 1.00; }");
    expect_error(text, CUSTOPS_ELIMIT, "nested too deeply");
    custops_ruleset *rs;
    ck_assert_status(custops_ruleset_compile(&rs, "x", (size_t)CUSTOPS_COUPON_MAX_TEXT + 1, NULL), CUSTOPS_ELIMIT);
    ck_assert_status(custops_ruleset_compile(NULL, "x", 1, NULL), CUSTOPS_EINVAL);
    ck_assert_status(custops_ruleset_compile(&rs, NULL, 1, NULL), CUSTOPS_EINVAL);
    ck_assert_status(custops_ruleset_to_json(NULL, NULL, NULL), CUSTOPS_EINVAL);
    custops_ruleset_free(NULL);
}
END_TEST

START_TEST(json_round_trip_is_byte_identical)
{
    size_t len;
    char *text = read_src("tests/coupon/examples/promos.rules", &len);
    custops_ruleset *a, *b, *c;
    ck_assert_ok(custops_ruleset_compile(&a, text, len, "promos.rules"));
    ck_assert_uint_eq(custops_ruleset_nrules(a), 12);
    ck_assert_str_eq(custops_ruleset_rule_id(a, 0), "d11_double_points"); /* sorted by id */
    ck_assert_str_eq(custops_ruleset_rule_id(a, 99), "");
    char *j1, *j2, *j3;
    size_t n1, n2;
    ck_assert_ok(custops_ruleset_to_json(a, &j1, &n1));
    ck_assert_uint_eq(strlen(j1), n1);
    ck_assert_ok(custops_ruleset_from_json(&b, j1, n1));
    ck_assert_ok(custops_ruleset_to_json(b, &j2, &n2));
    ck_assert_str_eq(j1, j2);
    /* and once more through JSON: still identical */
    ck_assert_ok(custops_ruleset_from_json(&c, j2, n2));
    ck_assert_ok(custops_ruleset_to_json(c, &j3, NULL));
    ck_assert_str_eq(j2, j3);
    /* conditions are canonical text, money exact decimals, instants local with offset */
    ck_assert_ptr_nonnull(strstr(j1, "\"when\":[\"in_segment(\\\"silent_high_value\\\")\",\"ctx.channel in (\\\"app\\\", \\\"mini\\\")\",\"subtotal() >= 199.00\"]"));
    ck_assert_ptr_nonnull(strstr(j1, "\"from\":\"2025-11-11T20:00:00+08:00\""));
    ck_assert_ptr_nonnull(strstr(j1, "{\"kind\":\"percent_off\",\"percent\":\"12.00\",\"cap\":\"50.00\"}"));
    custops_free(j1);
    custops_free(j2);
    custops_free(j3);
    custops_ruleset_free(a);
    custops_ruleset_free(b);
    custops_ruleset_free(c);
    free(text);
}
END_TEST

/* found by fuzzing: local mean time offsets (+08:05:43) must still round-trip */
START_TEST(json_round_trip_with_second_offsets)
{
    const char *text = "tz \"Asia/Shanghai\"; rule r { valid 1012-11-01T00:00 .. 2025-11-12T00:00; then amount_off 1.00; }";
    custops_ruleset *a = rules(text), *b;
    char *j1, *j2;
    size_t n1;
    ck_assert_ok(custops_ruleset_to_json(a, &j1, &n1));
    ck_assert_ok(custops_ruleset_from_json(&b, j1, n1));
    ck_assert_ok(custops_ruleset_to_json(b, &j2, NULL));
    ck_assert_str_eq(j1, j2);
    custops_free(j1);
    custops_free(j2);
    custops_ruleset_free(a);
    custops_ruleset_free(b);
    /* and an empty cart object is a valid, empty cart (fuzzing found a NULL memcpy) */
    custops_cart *c;
    ck_assert_ok(custops_cart_from_json(&c, "{\"lines\":[],\"ctx\":{}}", 21));
    custops_cart_free(c);
}
END_TEST

START_TEST(json_errors_have_positions)
{
    custops_ruleset *rs;
    const char *bad = "{\"format\":\"custops.coupons/1\",\n \"currency\":\"CNY\",\"tz\":null,\"points_rate\":1,"
                      "\"tiers\":[],\"groups\":[],\"rules\":[{\"id\":\"a\",\"lane\":\"order\",\"title\":null,"
                      "\"group\":null,\"combine\":{\"mode\":\"all\",\"groups\":[]},\"priority\":0,"
                      "\"code\":{\"mode\":\"none\",\"value\":null},\"on\":\"quote\",\"tz\":null,\"valid\":null,"
                      "\"windows\":[],\"scope\":[],\"when\":[\"subtotal() >=\"],\"then\":[],\"limits\":[],"
                      "\"restore\":\"never\",\"cost_points\":0}]}";
    ck_assert_status(custops_ruleset_from_json(&rs, bad, strlen(bad)), CUSTOPS_EPARSE);
    ck_assert_ptr_nonnull(strstr(custops_last_error(), "rule a when"));
    ck_assert_status(custops_ruleset_from_json(&rs, "{\"format\":", 11), CUSTOPS_EPARSE);
    ck_assert_ptr_nonnull(strstr(custops_last_error(), "<ruleset.json>:1:11:"));
    ck_assert_status(custops_ruleset_from_json(&rs, "{\"format\":\"x/2\"}", 16), CUSTOPS_EVERSION);
    char deep[200];
    memset(deep, '[', 100);
    deep[100] = 0;
    ck_assert_status(custops_ruleset_from_json(&rs, deep, 100), CUSTOPS_ELIMIT);
}
END_TEST

static int has_lint(const custops_ruleset *rs, const char *rule, const char *code)
{
    custops_frame *f;
    ck_assert_ok(custops_ruleset_lint(&f, rs));
    size_t cr, cc;
    ck_assert_ok(custops_frame_find(f, "rule", &cr));
    ck_assert_ok(custops_frame_find(f, "code", &cc));
    int found = 0;
    for (size_t i = 0; i < custops_frame_nrows(f); i++) {
        const char *r, *c;
        custops_frame_string(f, cr, i, &r);
        custops_frame_string(f, cc, i, &c);
        found |= strcmp(r, rule) == 0 && strcmp(c, code) == 0;
    }
    custops_frame_free(f);
    return found;
}

START_TEST(lints)
{
    custops_ruleset *rs = rules(
        "tz \"Asia/Shanghai\";\n"
        "rule give_away { when subtotal() >= 10.00; then amount_off 10.00; }\n"
        "rule every_bad { then every 10.00 off 10.00; }\n"
        "rule empty { valid 2025-11-11T00:00 .. 2025-11-11T00:00; then amount_off 1.00; }\n"
        "rule inverted { valid 2025-11-12T00:00 .. 2025-11-11T00:00; then amount_off 1.00; }\n"
        "rule win_inv { window dow(1) 12:00..10:00; then amount_off 1.00; }\n"
        "rule no_limit { code \"SAVE\"; then amount_off 1.00; }\n"
        "rule tiers_dead { then tiers(100.00: 10.00, 200.00: 10.00); }\n"
        "rule tiers_below { when subtotal() >= 300.00; then tiers(100.00: 10.00, 200.00: 20.00, 400.00: 50.00); }\n"
        "rule budget_small { code wallet; then amount_off 20.00; limit budget 10.00; }\n"
        "rule fine { code wallet; when subtotal() >= 69.00; then amount_off 10.00; limit per_customer 1; }\n");
    ck_assert(has_lint(rs, "give_away", "DISCOUNT_GE_THRESHOLD"));
    ck_assert(has_lint(rs, "every_bad", "DISCOUNT_GE_THRESHOLD"));
    ck_assert(has_lint(rs, "empty", "WINDOW_EMPTY"));
    ck_assert(has_lint(rs, "inverted", "WINDOW_INVERTED"));
    ck_assert(has_lint(rs, "win_inv", "WINDOW_INVERTED"));
    ck_assert(has_lint(rs, "no_limit", "CODE_WITHOUT_LIMIT"));
    ck_assert(has_lint(rs, "tiers_dead", "UNREACHABLE_TIER"));
    ck_assert(has_lint(rs, "tiers_below", "UNREACHABLE_TIER"));
    ck_assert(has_lint(rs, "budget_small", "BUDGET_BELOW_DISCOUNT"));
    ck_assert(!has_lint(rs, "fine", "DISCOUNT_GE_THRESHOLD"));
    ck_assert(!has_lint(rs, "fine", "CODE_WITHOUT_LIMIT"));
    /* the line and column point at the rule */
    custops_frame *f;
    ck_assert_ok(custops_ruleset_lint(&f, rs));
    size_t cl, cr;
    const int64_t *line;
    custops_frame_find(f, "line", &cl);
    custops_frame_find(f, "rule", &cr);
    custops_frame_int64(f, cl, &line);
    for (size_t i = 0; i < custops_frame_nrows(f); i++) {
        const char *r;
        custops_frame_string(f, cr, i, &r);
        if (strcmp(r, "give_away") == 0)
            ck_assert_int_eq(line[i], 2);
    }
    custops_frame_free(f);
    custops_ruleset_free(rs);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("coupon rules");
    TCase *t = tcase_create("language");
    tcase_add_test(t, errors_name_line_and_column);
    tcase_add_test(t, depth_and_size_limits);
    tcase_add_test(t, json_round_trip_is_byte_identical);
    tcase_add_test(t, json_round_trip_with_second_offsets);
    tcase_add_test(t, json_errors_have_positions);
    tcase_add_test(t, lints);
    suite_add_tcase(s, t);
    return s;
}

TEST_MAIN(suite)
