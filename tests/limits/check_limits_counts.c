/* Count and size limits beyond the parsers' depth: ad lint text, loyalty
 * tiers, ledger identifiers, calendar actions and audience lines, coupon
 * rule counts (rules, tiers, windows, scope values, effects) and the store
 * JSON Lines reader on deeply nested values. */
#include "limits_util.h"

static char *rules_text(const char *head, const char *unit, size_t n, const char *tail, size_t *len)
{
    char *t = lim_repeat(head, unit, n, tail);
    *len = strlen(t);
    return t;
}

START_TEST(ad_lint_size)
{
    char *text = lim_repeat("", "a", (1u << 20) + 1, "");
    custops_frame *f = NULL;
    ck_assert_limit(custops_ad_lint(text, &f), CUSTOPS_ELIMIT, "ad text of 1048577 bytes exceeds the limit of 1048576");
    ck_assert_ptr_null(f);
    text[1u << 20] = '\0'; /* exactly at the limit: linted */
    ck_assert_ok(custops_ad_lint(text, &f));
    ck_assert_uint_eq(custops_frame_nrows(f), 0);
    custops_frame_free(f);
    free(text);
}
END_TEST

START_TEST(loyalty_tiers)
{
    char tiers[256], want[64];
    size_t n = (size_t)snprintf(tiers, sizeof tiers, "t0:0");
    for (int i = 1; i <= 16; i++) {
        if (i == 16) /* the 17th tier's name starts after this comma */
            snprintf(want, sizeof want, "tiers:1:%zu: more than 16 tiers", n + 2);
        n += (size_t)snprintf(tiers + n, sizeof tiers - n, ",t%d:%d", i, i * 10);
    }
    custops_loyalty_options o;
    ck_assert_ok(custops_loyalty_options_init(&o, CUSTOPS_LOYALTY_OPTIONS_VERSION));
    o.tiers = tiers;
    custops_loyalty *l = NULL;
    ck_assert_limit(custops_loyalty_new(&l, &o), CUSTOPS_ELIMIT, want);
    ck_assert_ptr_null(l);
    tiers[strlen(tiers) - strlen(",t16:160")] = '\0'; /* 16 tiers are allowed */
    ck_assert_ok(custops_loyalty_new(&l, &o));
    custops_loyalty_free(l);
}
END_TEST

START_TEST(ledger_id_length)
{
    custops_ledger *l;
    ck_assert_ok(custops_ledger_open(&l, "memory:", NULL));
    char *code = lim_repeat("", "C", 129, "");
    custops_ledger_coupon c = CUSTOPS_LEDGER_COUPON_INIT;
    c.code = code;
    ck_assert_limit(custops_ledger_issue(l, NULL, &c, NULL, 1700000000), CUSTOPS_ELIMIT,
                    "code is 129 bytes, at most 128 allowed");
    code[128] = '\0';
    ck_assert_ok(custops_ledger_issue(l, NULL, &c, NULL, 1700000000));
    free(code);
    custops_ledger_free(l);
}
END_TEST

START_TEST(calendar_actions)
{
    char *text = lim_repeat("campaign c zone UTC\nphase p from 2026-01-01T00:00 to 2026-01-02T00:00\n"
                            "audience vip do message m",
                            ", message m", 64, "\n");
    custops_calendar *c = NULL;
    ck_assert_limit(custops_calendar_parse(&c, text, strlen(text), "a.cal"), CUSTOPS_ELIMIT,
                    "more than 64 actions for one audience");
    /* the 65th action starts after "audience vip do " and 64 "message m, " */
    ck_assert_msg(strstr(custops_last_error(), "a.cal:3:721:") != NULL, "position in '%s'", custops_last_error());
    free(text);
}
END_TEST

START_TEST(calendar_audience_lines)
{
    char *text = lim_repeat("campaign c zone UTC\nphase p from 2026-01-01T00:00 to 2026-01-02T00:00\n",
                            "audience vip do message m\n", 4097, "");
    custops_calendar *c = NULL;
    ck_assert_limit(custops_calendar_parse(&c, text, strlen(text), "b.cal"), CUSTOPS_ELIMIT,
                    "more than 4096 audience lines");
    ck_assert_msg(strstr(custops_last_error(), "b.cal:4099:1:") != NULL, "position in '%s'", custops_last_error());
    free(text);
}
END_TEST

START_TEST(coupon_rule_count)
{
    /* rule names must be unique: build them one by one */
    size_t cap = 100001 * 48, n = 0;
    char *text = malloc(cap);
    ck_assert_ptr_nonnull(text);
    for (size_t i = 0; i < 100001; i++)
        n += (size_t)snprintf(text + n, cap - n, "rule r%zu { then amount_off 1.00; }\n", i);
    custops_ruleset *rs = NULL;
    ck_assert_limit(custops_ruleset_compile(&rs, text, n, "many.rules"), CUSTOPS_ELIMIT, "more than 100000 rules");
    ck_assert_msg(strstr(custops_last_error(), "many.rules:100001:") != NULL, "position in '%s'",
                  custops_last_error());
    ck_assert_ptr_null(rs);
    free(text);
}
END_TEST

START_TEST(coupon_tiers)
{
    size_t len;
    char *text = rules_text("tiers \"t\"", ", \"t\"", 64, ";\n", &len);
    custops_ruleset *rs = NULL;
    ck_assert_limit(custops_ruleset_compile(&rs, text, len, "t.rules"), CUSTOPS_ELIMIT, "more than 64 tiers");
    ck_assert_msg(strstr(custops_last_error(), "t.rules:1:") != NULL, "position in '%s'", custops_last_error());
    free(text);
}
END_TEST

START_TEST(coupon_windows)
{
    size_t len;
    char *text = rules_text("tz \"UTC\";\nrule w {\n  window dow(1)", ", dow(1)", 64, ";\n  then amount_off 1.00;\n}\n",
                            &len);
    custops_ruleset *rs = NULL;
    ck_assert_limit(custops_ruleset_compile(&rs, text, len, "w.rules"), CUSTOPS_ELIMIT, "more than 64 windows");
    ck_assert_msg(strstr(custops_last_error(), "w.rules:3:") != NULL, "position in '%s'", custops_last_error());
    free(text);
}
END_TEST

START_TEST(coupon_scope_values)
{
    size_t len;
    char *text = rules_text("rule s {\n  scope sku(\"a\"", ", \"a\"", 10000, ");\n  then amount_off 1.00;\n}\n", &len);
    custops_ruleset *rs = NULL;
    ck_assert_limit(custops_ruleset_compile(&rs, text, len, "s.rules"), CUSTOPS_ELIMIT, "more than 10000 scope values");
    ck_assert_msg(strstr(custops_last_error(), "s.rules:2:") != NULL, "position in '%s'", custops_last_error());
    free(text);
}
END_TEST

START_TEST(coupon_effects)
{
    size_t len;
    char *text = rules_text("rule e {\n  then amount_off 1.00", ", amount_off 1.00", 16, ";\n}\n", &len);
    custops_ruleset *rs = NULL;
    /* the message names the rule and points at the 17th effect */
    ck_assert_limit(custops_ruleset_compile(&rs, text, len, "e.rules"), CUSTOPS_ELIMIT, "rule e: more than 16 effects");
    ck_assert_msg(strstr(custops_last_error(), "e.rules:2:280:") != NULL, "position in '%s'", custops_last_error());
    free(text);
}
END_TEST

START_TEST(store_jsonl_nested)
{
    /* a nested object where a field value belongs is refused at once,
     * whatever its depth: the reader does not recurse */
    custops_store *s;
    ck_assert_ok(custops_store_new(&s, "UTC", "CNY"));
    char *text = lim_repeat("{\"kind\":\"event\",\"customer_id\":", "{\"a\":", 100000, "1}\n");
    custops_clear_error();
    int rc = custops_store_ingest_jsonl_buffer(s, text, strlen(text), "n.jsonl", NULL, NULL, NULL);
    ck_assert_int_ne(rc, CUSTOPS_OK);
    ck_assert_msg(strstr(custops_last_error(), "n.jsonl:1:") != NULL, "position in '%s'", custops_last_error());
    free(text);
    custops_store_free(s);
}
END_TEST

TCase *limits_counts_tcase(void)
{
    TCase *tc = tcase_create("counts");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, ad_lint_size);
    tcase_add_test(tc, loyalty_tiers);
    tcase_add_test(tc, ledger_id_length);
    tcase_add_test(tc, calendar_actions);
    tcase_add_test(tc, calendar_audience_lines);
    tcase_add_test(tc, coupon_rule_count);
    tcase_add_test(tc, coupon_tiers);
    tcase_add_test(tc, coupon_windows);
    tcase_add_test(tc, coupon_scope_values);
    tcase_add_test(tc, coupon_effects);
    tcase_add_test(tc, store_jsonl_nested);
    return tc;
}
