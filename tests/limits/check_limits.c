/* Resource limits of every text parser: input size, nesting depth, counts
 * and lengths. Each test crosses one limit by one and checks the status
 * (CUSTOPS_ELIMIT unless noted), the message and, for parsers that track
 * position, the line:col of the offending token. docs/limits.md lists the
 * same limits; a change to one should change both. */
#include "limits_util.h"

/* ---- audience language (segment) ---- */

static custops_frame *g_customers;
static custops_segment_ctx *g_ctx;

static void seg_setup(void)
{
    const char *ids[3] = {"a", "b", "c"};
    int64_t orders[3] = {1, 4, 9};
    ck_assert_ok(custops_frame_new(&g_customers));
    ck_assert_ok(custops_frame_add_string(g_customers, "customer_id", ids, 3));
    ck_assert_ok(custops_frame_add_int64(g_customers, "orders", orders, 3));
    ck_assert_ok(custops_segment_ctx_new(&g_ctx, g_customers, 1718452800));
}

static void seg_teardown(void)
{
    custops_segment_ctx_free(g_ctx);
    custops_frame_free(g_customers);
    g_ctx = NULL;
    g_customers = NULL;
}

START_TEST(segment_depth_parens)
{
    /* 60000 '(' (within the length limit) would overflow the stack of a
     * naive recursive parser */
    char *text = lim_repeat("", "(", 60000, "orders > 1");
    custops_audience *a = NULL;
    ck_assert_limit(custops_audience_compile(&a, text, g_ctx), CUSTOPS_ELIMIT, "nested deeper than 64 levels");
    ck_assert_msg(strstr(custops_last_error(), ":1:65:") != NULL, "no line:col in '%s'", custops_last_error());
    ck_assert_ptr_null(a);
    free(text);
}
END_TEST

START_TEST(segment_depth_not)
{
    char *text = lim_repeat("", "not ", 10000, "orders > 1");
    custops_audience *a = NULL;
    ck_assert_limit(custops_audience_compile(&a, text, g_ctx), CUSTOPS_ELIMIT, "nested deeper than 64 levels");
    ck_assert_msg(strstr(custops_last_error(), ":1:") != NULL, "no line:col in '%s'", custops_last_error());
    free(text);
}
END_TEST

START_TEST(segment_depth_at_limit_compiles)
{
    /* 63 parentheses plus the predicate itself stay within 64 levels */
    char *open = lim_repeat("", "(", 63, "orders > 1");
    char *text = lim_repeat(open, ")", 63, "");
    custops_audience *a = NULL;
    ck_assert_ok(custops_audience_compile(&a, text, g_ctx));
    custops_audience_free(a);
    free(open);
    free(text);
}
END_TEST

START_TEST(segment_depth_raised)
{
    ck_assert_ok(custops_segment_ctx_set_limits(g_ctx, 1u << 20, 1000));
    char *text = lim_repeat("", "(", 100000, "orders > 1");
    custops_audience *a = NULL;
    ck_assert_limit(custops_audience_compile(&a, text, g_ctx), CUSTOPS_ELIMIT, "nested deeper than 1000 levels");
    free(text);
    ck_assert_limit(custops_segment_ctx_set_limits(g_ctx, 1u << 20, 1001), CUSTOPS_ERANGE, "outside 1..1000");
    ck_assert_limit(custops_segment_ctx_set_limits(g_ctx, (16u << 20) + 1, 10), CUSTOPS_ERANGE,
                    "outside 1..16777216");
    ck_assert_limit(custops_segment_ctx_set_limits(g_ctx, 0, 10), CUSTOPS_ERANGE, "outside 1..16777216");
}
END_TEST

START_TEST(segment_length)
{
    char *text = lim_repeat("orders > 1", " ", 65536, "");
    custops_audience *a = NULL;
    ck_assert_limit(custops_audience_compile(&a, text, g_ctx), CUSTOPS_ELIMIT, "more than the limit of 65536");
    ck_assert_ptr_null(a);
    free(text);
    ck_assert_ok(custops_segment_ctx_set_limits(g_ctx, 16, 64));
    ck_assert_limit(custops_audience_compile(&a, "orders > 1 and orders < 3", g_ctx), CUSTOPS_ELIMIT,
                    "more than the limit of 16");
}
END_TEST

START_TEST(segment_in_list)
{
    char *text = lim_repeat("orders in (0", ",1", 10000, ")");
    custops_audience *a = NULL;
    ck_assert_ok(custops_segment_ctx_set_limits(g_ctx, 1u << 20, 64));
    ck_assert_limit(custops_audience_compile(&a, text, g_ctx), CUSTOPS_ELIMIT, "more than 10000 values in one 'in' list");
    /* the 10001st value: "orders in (" is 11 bytes, each value 2 */
    ck_assert_msg(strstr(custops_last_error(), ":1:20012:") != NULL, "position in '%s'", custops_last_error());
    free(text);
}
END_TEST

/* A library where each definition names the one below twice would expand
 * to 2^40 predicates; the expanded text is bounded by the length limit. */
START_TEST(segment_reference_fanout)
{
    custops_segment_library *lib;
    ck_assert_ok(custops_segment_library_new(&lib));
    ck_assert_ok(custops_segment_library_define(lib, "s0", "orders > 1"));
    char name[16], text[64];
    for (int i = 1; i <= 40; i++) {
        snprintf(name, sizeof name, "s%d", i);
        snprintf(text, sizeof text, "segment s%d or segment s%d", i - 1, i - 1);
        ck_assert_ok(custops_segment_library_define(lib, name, text));
    }
    ck_assert_ok(custops_segment_ctx_set_library(g_ctx, lib));
    custops_audience *a = NULL;
    ck_assert_limit(custops_audience_compile(&a, "segment s40", g_ctx), CUSTOPS_ELIMIT,
                    "expression with its segment references expanded is more than the limit of 65536 bytes");
    ck_assert_ptr_null(a);
    /* a small fan-out stays within the limit and is evaluated */
    ck_assert_ok(custops_audience_compile(&a, "segment s3", g_ctx));
    custops_bitset *b = NULL;
    ck_assert_ok(custops_audience_evaluate(&b, a));
    ck_assert_uint_eq(custops_bitset_count(b), 2);
    custops_bitset_free(b);
    custops_audience_free(a);
    custops_segment_library_free(lib);
}
END_TEST

/* A chain of references counts towards the nesting depth. */
START_TEST(segment_reference_chain)
{
    custops_segment_library *lib;
    ck_assert_ok(custops_segment_library_new(&lib));
    ck_assert_ok(custops_segment_library_define(lib, "c0", "orders > 1"));
    char name[16], text[64];
    for (int i = 1; i <= 100; i++) {
        snprintf(name, sizeof name, "c%d", i);
        snprintf(text, sizeof text, "segment c%d", i - 1);
        ck_assert_ok(custops_segment_library_define(lib, name, text));
    }
    ck_assert_ok(custops_segment_ctx_set_library(g_ctx, lib));
    custops_audience *a = NULL;
    ck_assert_limit(custops_audience_compile(&a, "segment c100", g_ctx), CUSTOPS_ELIMIT, "nested deeper than 64 levels");
    custops_segment_library_free(lib);
}
END_TEST

START_TEST(segment_library_count)
{
    custops_segment_library *lib;
    ck_assert_ok(custops_segment_library_new(&lib));
    char name[32];
    for (int i = 0; i < 10000; i++) {
        snprintf(name, sizeof name, "s%d", i);
        ck_assert_ok(custops_segment_library_define(lib, name, "orders > 1"));
    }
    ck_assert_limit(custops_segment_library_define(lib, "one_more", "orders > 1"), CUSTOPS_ELIMIT,
                    "at most 10000 definitions");
    custops_segment_library_free(lib);
}
END_TEST

/* ---- coupon rule language and its JSON (tested only: src/coupon is owned elsewhere) ---- */

START_TEST(coupon_condition_depth)
{
    char *text = lim_repeat("rule r {\n  when ", "(", 100000, "subtotal() >= 1.00;\n  then amount_off 1.00;\n}\n");
    custops_ruleset *rs = NULL;
    ck_assert_limit(custops_ruleset_compile(&rs, text, strlen(text), "deep.rules"), CUSTOPS_ELIMIT,
                    "condition nested too deeply");
    ck_assert_msg(strstr(custops_last_error(), "deep.rules:2:") != NULL, "position in '%s'", custops_last_error());
    ck_assert_ptr_null(rs);
    free(text);
}
END_TEST

START_TEST(coupon_text_size)
{
    /* the size is checked before a byte is read: the buffer stays untouched */
    size_t n = (size_t)CUSTOPS_COUPON_MAX_TEXT + 1;
    char *big = malloc(n);
    ck_assert_ptr_nonnull(big);
    custops_ruleset *rs = NULL;
    ck_assert_limit(custops_ruleset_compile(&rs, big, n, "big.rules"), CUSTOPS_ELIMIT,
                    "big.rules: rule text larger than 67108864 bytes");
    ck_assert_limit(custops_ruleset_from_json(&rs, big, n), CUSTOPS_ELIMIT, "JSON larger than 67108864 bytes");
    custops_cart *cart = NULL;
    ck_assert_limit(custops_cart_from_json(&cart, big, n), CUSTOPS_ELIMIT, "JSON larger than 67108864 bytes");
    free(big);
}
END_TEST

START_TEST(coupon_json_depth)
{
    char *text = lim_repeat("", "[", 100000, "");
    custops_cart *cart = NULL;
    ck_assert_limit(custops_cart_from_json(&cart, text, strlen(text)), CUSTOPS_ELIMIT, "JSON nested deeper than 32");
    ck_assert_msg(strstr(custops_last_error(), ":1:33:") != NULL, "position in '%s'", custops_last_error());
    custops_ruleset *rs = NULL;
    ck_assert_limit(custops_ruleset_from_json(&rs, text, strlen(text)), CUSTOPS_ELIMIT, "JSON nested deeper than 32");
    free(text);
}
END_TEST

START_TEST(coupon_cart_lines)
{
    size_t cap = 1001 * 64 + 64;
    char *text = malloc(cap);
    ck_assert_ptr_nonnull(text);
    size_t n = (size_t)snprintf(text, cap, "{\"lines\":[");
    for (int i = 0; i < 1001; i++)
        n += (size_t)snprintf(text + n, cap - n, "%s{\"id\":\"l%d\",\"sku\":\"S\",\"unit_price\":\"1.00\",\"qty\":1}",
                              i ? "," : "", i);
    n += (size_t)snprintf(text + n, cap - n, "]}");
    custops_cart *cart = NULL;
    /* the JSON reader reports the limit, as a limit, at the offending line's position */
    custops_clear_error();
    int rc = custops_cart_from_json(&cart, text, n);
    ck_assert_msg(rc == CUSTOPS_ELIMIT, "status %d (%s)", rc, custops_last_error());
    ck_assert_msg(strstr(custops_last_error(), "a cart holds at most 1000 lines") != NULL, "%s", custops_last_error());
    ck_assert_msg(strstr(custops_last_error(), "<cart.json>:1:") != NULL, "%s", custops_last_error());
    ck_assert_ptr_null(cart);
    free(text);
}
END_TEST

START_TEST(coupon_cart_codes)
{
    char *text = lim_repeat("{\"lines\":[],\"codes\":[\"c\"", ",\"c\"", 1000, "]}");
    custops_cart *cart = NULL;
    ck_assert_limit(custops_cart_from_json(&cart, text, strlen(text)), CUSTOPS_ELIMIT,
                    "more than 1000 codes and wallet coupons");
    free(text);
}
END_TEST

START_TEST(coupon_groups)
{
    char *text = malloc(65 * 24 + 64);
    ck_assert_ptr_nonnull(text);
    size_t n = 0;
    for (int i = 0; i < 65; i++)
        n += (size_t)sprintf(text + n, "group g%d exclusive;\n", i);
    custops_ruleset *rs = NULL;
    ck_assert_limit(custops_ruleset_compile(&rs, text, n, "g.rules"), CUSTOPS_ELIMIT, "more than 64 groups");
    ck_assert_msg(strstr(custops_last_error(), "g.rules:65:") != NULL, "position in '%s'", custops_last_error());
    free(text);
}
END_TEST

/* ---- store CSV and JSON Lines ingest (tested only: src/store is owned elsewhere) ---- */

static const char CSV_HEADER[] = "order_id,customer_id,time,currency,sku,qty,unit_price\n";

START_TEST(store_csv_field)
{
    custops_store *s;
    ck_assert_ok(custops_store_new(&s, "UTC", "CNY"));
    custops_ingest_opts o = CUSTOPS_INGEST_OPTS_INIT;
    o.max_field_len = 16;
    char *text = lim_repeat(CSV_HEADER, "x", 17, ",c1,2024-01-01T00:00:00Z,CNY,s,1,1.00\n");
    ck_assert_limit(custops_store_ingest_csv_buffer(s, text, strlen(text), "o.csv", &o, NULL, NULL), CUSTOPS_ELIMIT,
                    "o.csv:2:1: field of 17 bytes exceeds the limit of 16 bytes");
    free(text);
    /* the default, 65536 */
    text = lim_repeat(CSV_HEADER, "x", 65537, ",c1,2024-01-01T00:00:00Z,CNY,s,1,1.00\n");
    ck_assert_limit(custops_store_ingest_csv_buffer(s, text, strlen(text), "o.csv", NULL, NULL, NULL), CUSTOPS_ELIMIT,
                    "o.csv:2:1: field of 65537 bytes exceeds the limit of 65536 bytes");
    free(text);
    custops_store_free(s);
}
END_TEST

START_TEST(store_csv_line)
{
    custops_store *s;
    ck_assert_ok(custops_store_new(&s, "UTC", "CNY"));
    custops_ingest_opts o = CUSTOPS_INGEST_OPTS_INIT;
    o.max_line_len = 64;
    char *text = lim_repeat(CSV_HEADER, "o1,c1,2024-01-01T00:00:00Z,CNY,s,1,1.00", 1, "\no2,c1,2024-01-01T00:00:00Z,CNY,s,1,1.0000000000000000000000000000000000000000000000000000000000\n");
    ck_assert_limit(custops_store_ingest_csv_buffer(s, text, strlen(text), "o.csv", &o, NULL, NULL), CUSTOPS_ELIMIT,
                    "o.csv:3:1: row of");
    ck_assert_msg(strstr(custops_last_error(), "exceeds the limit of 64 bytes") != NULL, "%s", custops_last_error());
    free(text);
    custops_store_free(s);
}
END_TEST

START_TEST(store_csv_columns)
{
    custops_store *s;
    ck_assert_ok(custops_store_new(&s, "UTC", "CNY"));
    char *text = lim_repeat("order_id", ",x", 64, "\n");
    ck_assert_limit(custops_store_ingest_csv_buffer(s, text, strlen(text), "o.csv", NULL, NULL, NULL), CUSTOPS_ELIMIT,
                    "o.csv:1:");
    ck_assert_msg(strstr(custops_last_error(), "64") != NULL, "%s", custops_last_error());
    free(text);
    custops_store_free(s);
}
END_TEST

START_TEST(store_jsonl_line)
{
    custops_store *s;
    ck_assert_ok(custops_store_new(&s, "UTC", "CNY"));
    custops_ingest_opts o = CUSTOPS_INGEST_OPTS_INIT;
    o.max_line_len = 100;
    char *text = lim_repeat("{\"kind\":\"event\",\"customer_id\":\"", "c", 100, "\"}\n");
    ck_assert_limit(custops_store_ingest_jsonl_buffer(s, text, strlen(text), "e.jsonl", &o, NULL, NULL), CUSTOPS_ELIMIT,
                    "e.jsonl:1:1: line of 133 bytes exceeds the limit of 100 bytes");
    free(text);
    custops_store_free(s);
}
END_TEST

START_TEST(store_jsonl_field)
{
    custops_store *s;
    ck_assert_ok(custops_store_new(&s, "UTC", "CNY"));
    custops_ingest_opts o = CUSTOPS_INGEST_OPTS_INIT;
    o.max_field_len = 8;
    char *text = lim_repeat("{\"kind\":\"event\",\"customer_id\":\"", "c", 9, "\"}\n");
    ck_assert_limit(custops_store_ingest_jsonl_buffer(s, text, strlen(text), "e.jsonl", &o, NULL, NULL), CUSTOPS_ELIMIT,
                    "e.jsonl:1:");
    ck_assert_msg(strstr(custops_last_error(), "exceeds the limit of 8 bytes") != NULL, "%s", custops_last_error());
    free(text);
    custops_store_free(s);
}
END_TEST

/* ---- plays definitions ---- */

START_TEST(plays_text_size)
{
    char *text = lim_repeat("", "#", 1u << 20, "\n");
    custops_journeys *j = NULL;
    ck_assert_limit(custops_journeys_new(&j, text, "UTC"), CUSTOPS_ELIMIT,
                    "plays text of 1048577 bytes exceeds the limit of 1048576");
    ck_assert_ptr_null(j);
    free(text);
}
END_TEST

START_TEST(plays_count)
{
    size_t cap = 1001 * 64;
    char *text = malloc(cap);
    ck_assert_ptr_nonnull(text);
    size_t n = 0;
    for (int i = 0; i < 1001; i++)
        n += (size_t)snprintf(text + n, cap - n, "play p%d\n  trigger event cart_add\n  wait 15m\nend\n", i);
    custops_journeys *j = NULL;
    ck_assert_limit(custops_journeys_new(&j, text, "UTC"), CUSTOPS_ELIMIT, "more than 1000 plays");
    ck_assert_msg(strstr(custops_last_error(), ":4001:1:") != NULL, "position in '%s'", custops_last_error());
    free(text);
}
END_TEST

START_TEST(plays_steps)
{
    char *text = lim_repeat("play p\n  trigger event cart_add\n", "  wait 15m\n", 65, "end\n");
    custops_journeys *j = NULL;
    ck_assert_limit(custops_journeys_new(&j, text, "UTC"), CUSTOPS_ELIMIT, "more than 64 steps in one play");
    ck_assert_msg(strstr(custops_last_error(), ":67:3:") != NULL, "position in '%s'", custops_last_error());
    free(text);
}
END_TEST

START_TEST(plays_caps)
{
    char *text = lim_repeat("play p\n  trigger event cart_add\n", "  cap sms 1 per 1d\n", 9, "end\n");
    custops_journeys *j = NULL;
    ck_assert_limit(custops_journeys_new(&j, text, "UTC"), CUSTOPS_ELIMIT, "more than 8 caps in one play");
    ck_assert_msg(strstr(custops_last_error(), ":11:3:") != NULL, "position in '%s'", custops_last_error());
    free(text);
}
END_TEST

/* ---- message templates ---- */

START_TEST(template_size)
{
    char *text = lim_repeat("", "x", 65537, "");
    custops_template *t = NULL;
    ck_assert_limit(custops_template_compile(&t, text), CUSTOPS_ELIMIT,
                    "template of 65537 bytes exceeds the limit of 65536");
    ck_assert_ptr_null(t);
    free(text);
}
END_TEST

START_TEST(template_parts)
{
    char *text = lim_repeat("", "{{a}}", 4097, "");
    custops_template *t = NULL;
    ck_assert_limit(custops_template_compile(&t, text), CUSTOPS_ELIMIT, "more than 4096 parts in a template");
    ck_assert_msg(strstr(custops_last_error(), "<template>:1:") != NULL, "position in '%s'", custops_last_error());
    free(text);
}
END_TEST

/* ---- campaign calendar ---- */

START_TEST(calendar_size)
{
    char *text = lim_repeat("", "#", 1u << 20, "\n");
    custops_calendar *c = NULL;
    ck_assert_limit(custops_calendar_parse(&c, text, strlen(text), "big.cal"), CUSTOPS_ELIMIT,
                    "big.cal: 1048577 bytes; calendars are limited to 1048576");
    free(text);
}
END_TEST

START_TEST(calendar_phases)
{
    size_t cap = 257 * 80 + 64;
    char *text = malloc(cap);
    ck_assert_ptr_nonnull(text);
    size_t n = (size_t)snprintf(text, cap, "campaign c zone UTC\n");
    for (int i = 0; i < 257; i++)
        n += (size_t)snprintf(text + n, cap - n, "phase p%d from 2026-01-01T00:00 to 2026-01-02T00:00\n", i);
    custops_calendar *c = NULL;
    ck_assert_limit(custops_calendar_parse(&c, text, n, "p.cal"), CUSTOPS_ELIMIT, "more than 256 phases");
    ck_assert_msg(strstr(custops_last_error(), "p.cal:258:1:") != NULL, "position in '%s'", custops_last_error());
    free(text);
}
END_TEST

START_TEST(calendar_name)
{
    char *text = lim_repeat("campaign c zone UTC\nphase ", "p", 257, " from 2026-01-01T00:00 to 2026-01-02T00:00\n");
    custops_calendar *c = NULL;
    ck_assert_limit(custops_calendar_parse(&c, text, strlen(text), "n.cal"), CUSTOPS_ELIMIT, "longer than 256 bytes");
    ck_assert_msg(strstr(custops_last_error(), "n.cal:2:7:") != NULL, "position in '%s'", custops_last_error());
    free(text);
}
END_TEST

/* ---- generic CSV frames ---- */

START_TEST(frame_csv_fields)
{
    char *text = lim_repeat("a", ",a", 4096, "\n1\n");
    custops_frame *f = NULL;
    ck_assert_limit(custops_frame_parse_csv(&f, text, strlen(text), "wide.csv", NULL), CUSTOPS_ELIMIT,
                    "more than 4096 fields");
    ck_assert_msg(strstr(custops_last_error(), "wide.csv:1:") != NULL, "position in '%s'", custops_last_error());
    ck_assert_ptr_null(f);
    free(text);
}
END_TEST

static Suite *limits_suite(void)
{
    Suite *s = suite_create("limits");
    TCase *tc = tcase_create("segment");
    tcase_add_checked_fixture(tc, seg_setup, seg_teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, segment_depth_parens);
    tcase_add_test(tc, segment_depth_not);
    tcase_add_test(tc, segment_depth_at_limit_compiles);
    tcase_add_test(tc, segment_depth_raised);
    tcase_add_test(tc, segment_length);
    tcase_add_test(tc, segment_in_list);
    tcase_add_test(tc, segment_reference_fanout);
    tcase_add_test(tc, segment_reference_chain);
    tcase_add_test(tc, segment_library_count);
    suite_add_tcase(s, tc);
    tc = tcase_create("coupon");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, coupon_condition_depth);
    tcase_add_test(tc, coupon_text_size);
    tcase_add_test(tc, coupon_json_depth);
    tcase_add_test(tc, coupon_cart_lines);
    tcase_add_test(tc, coupon_cart_codes);
    tcase_add_test(tc, coupon_groups);
    suite_add_tcase(s, tc);
    tc = tcase_create("store");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, store_csv_field);
    tcase_add_test(tc, store_csv_line);
    tcase_add_test(tc, store_csv_columns);
    tcase_add_test(tc, store_jsonl_line);
    tcase_add_test(tc, store_jsonl_field);
    suite_add_tcase(s, tc);
    tc = tcase_create("text");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, plays_text_size);
    tcase_add_test(tc, plays_count);
    tcase_add_test(tc, plays_steps);
    tcase_add_test(tc, plays_caps);
    tcase_add_test(tc, template_size);
    tcase_add_test(tc, template_parts);
    tcase_add_test(tc, calendar_size);
    tcase_add_test(tc, calendar_phases);
    tcase_add_test(tc, calendar_name);
    tcase_add_test(tc, frame_csv_fields);
    suite_add_tcase(s, tc);
    suite_add_tcase(s, limits_files_tcase());
    suite_add_tcase(s, limits_counts_tcase());
    suite_add_tcase(s, limits_config_tcase());
    return s;
}

TEST_MAIN(limits_suite)
