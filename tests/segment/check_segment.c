/* The audience language: every operator and count function against a small
 * hand-built data set whose answers are worked out in the comments, the
 * exact line:col error messages, explanations, bitsets and the library. */
#include "testutil.h"

#include <math.h>

#define N 8
#define NOW 1718452800 /* 2024-06-15T12:00:00Z */
#define DAY 86400

static custops_frame *customers, *lines, *events, *regions, *tagdict, *cats, *skus;
static custops_segment_ctx *ctx;

/* customers:     0      1      2      3      4      5      6      7 */
static const int64_t orders[N] = {0, 1, 2, 5, 1, 3, 0, 10};
static const int64_t spend[N] = {0, 1500, 25000, 99900, 500, 10000, 0, 500000};
static const int64_t days[N] = {-1, 5, 40, 2, 200, 400, -1, 1};
static const int64_t region[N] = {0, 1, 2, 0, 1, -1, 2, 0}; /* Tokyo Osaka Kyoto */
static const int64_t tags[N] = {1, 2, 3, 0, 4, 0, 5, 7};    /* bits: vip new sale */

static void setup(void)
{
    const char *ids[N] = {"c0", "c1", "c2", "c3", "c4", "c5", "c6", "c7"};
    double clv[N] = {0.0, 10.5, 200, 1000, NAN, 50, 0, 5000};
    int64_t last[N];
    for (int i = 0; i < N; i++)
        last[i] = days[i] < 0 ? -1 : NOW - days[i] * DAY;
    ck_assert_ok(custops_frame_new(&customers));
    ck_assert_ok(custops_frame_add_string(customers, "customer_id", ids, N));
    ck_assert_ok(custops_frame_add_int64(customers, "orders", orders, N));
    ck_assert_ok(custops_frame_add_int64(customers, "spend", spend, N));
    ck_assert_ok(custops_frame_add_int64(customers, "days_since_last_order", days, N));
    ck_assert_ok(custops_frame_add_int64(customers, "last_order", last, N));
    ck_assert_ok(custops_frame_add_int64(customers, "region", region, N));
    ck_assert_ok(custops_frame_add_int64(customers, "tags", tags, N));
    ck_assert_ok(custops_frame_add_double(customers, "clv", clv, N));

    const char *rn[] = {"Tokyo", "Osaka", "Kyoto"}, *tn[] = {"vip", "new", "sale"}, *cn[] = {"Shoes", "Hats"},
               *sn[] = {"A1", "B2", "C3"};
    ck_assert_ok(custops_frame_new(&regions));
    ck_assert_ok(custops_frame_add_string(regions, "name", rn, 3));
    ck_assert_ok(custops_frame_new(&tagdict));
    ck_assert_ok(custops_frame_add_string(tagdict, "name", tn, 3));
    ck_assert_ok(custops_frame_new(&cats));
    ck_assert_ok(custops_frame_add_string(cats, "name", cn, 2));
    ck_assert_ok(custops_frame_new(&skus));
    ck_assert_ok(custops_frame_add_string(skus, "name", sn, 3));

    /* lines, sorted by customer, time, order:
     * c1: order 100 5 days ago, two Shoes lines (1000 + 500)
     * c2: order 200 40 days ago (Hats 700); order 201 2 days ago lines Shoes, Hats, Shoes (200, 300, 400)
     * c3: orders 300..302 3, 2, 1 days ago, one Hats line of 1000 each
     * c7: order 700 100 days ago, Shoes 5000 with 2000 refunded */
    enum { L = 10 };
    int64_t cu[L] = {1, 1, 2, 2, 2, 2, 3, 3, 3, 7};
    int64_t od[L] = {100, 100, 200, 201, 201, 201, 300, 301, 302, 700};
    int64_t tm[L] = {NOW - 5 * DAY, NOW - 5 * DAY, NOW - 40 * DAY, NOW - 2 * DAY, NOW - 2 * DAY, NOW - 2 * DAY,
                     NOW - 3 * DAY, NOW - 2 * DAY, NOW - 1 * DAY, NOW - 100 * DAY};
    int64_t sk[L] = {0, 0, 1, 0, 1, 2, 1, 1, 1, 2};
    int64_t ca[L] = {0, 0, 1, 0, 1, 0, 1, 1, 1, 0};
    int64_t am[L] = {1000, 500, 700, 200, 300, 400, 1000, 1000, 1000, 5000};
    int64_t rf[L] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 2000};
    ck_assert_ok(custops_frame_new(&lines));
    ck_assert_ok(custops_frame_add_int64(lines, "customer", cu, L));
    ck_assert_ok(custops_frame_add_int64(lines, "order", od, L));
    ck_assert_ok(custops_frame_add_int64(lines, "time", tm, L));
    ck_assert_ok(custops_frame_add_int64(lines, "sku", sk, L));
    ck_assert_ok(custops_frame_add_int64(lines, "category", ca, L));
    ck_assert_ok(custops_frame_add_int64(lines, "amount", am, L));
    ck_assert_ok(custops_frame_add_int64(lines, "refunded", rf, L));

    /* events: c4 cart_add 5 days ago; c5 cart_add 1 day ago; c6 view 5 days ago; c4 favourite 12 days ago */
    int64_t ecu[4] = {4, 4, 5, 6}, etm[4] = {NOW - 12 * DAY, NOW - 5 * DAY, NOW - DAY, NOW - 5 * DAY},
            ety[4] = {3, 2, 2, 1};
    ck_assert_ok(custops_frame_new(&events));
    ck_assert_ok(custops_frame_add_int64(events, "customer", ecu, 4));
    ck_assert_ok(custops_frame_add_int64(events, "time", etm, 4));
    ck_assert_ok(custops_frame_add_int64(events, "type", ety, 4));

    ck_assert_ok(custops_segment_ctx_new(&ctx, customers, NOW));
    ck_assert_ok(custops_segment_ctx_set_lines(ctx, lines));
    ck_assert_ok(custops_segment_ctx_set_events(ctx, events));
    ck_assert_ok(custops_segment_ctx_add_dict(ctx, "region", regions));
    ck_assert_ok(custops_segment_ctx_add_dict(ctx, "tag", tagdict));
    ck_assert_ok(custops_segment_ctx_add_dict(ctx, "category", cats));
    ck_assert_ok(custops_segment_ctx_add_dict(ctx, "sku", skus));
}

static void teardown(void)
{
    custops_segment_ctx_free(ctx);
    custops_frame_free(customers);
    custops_frame_free(lines);
    custops_frame_free(events);
    custops_frame_free(regions);
    custops_frame_free(tagdict);
    custops_frame_free(cats);
    custops_frame_free(skus);
}

/* Members of an audience as a string of row digits, e.g. "0357". */
static void members(const char *text, char *buf)
{
    custops_audience *a;
    custops_bitset *bs;
    int rc = custops_audience_compile(&a, text, ctx);
    ck_assert_msg(rc == CUSTOPS_OK, "%s: %s", text, custops_last_error());
    ck_assert_ok(custops_audience_evaluate(&bs, a));
    size_t k = 0;
    for (size_t i = 0; i < N; i++)
        if (custops_bitset_test(bs, i))
            buf[k++] = (char)('0' + i);
    buf[k] = '\0';
    ck_assert_uint_eq(custops_bitset_count(bs), k);
    custops_bitset_free(bs);
    custops_audience_free(a);
}

#define CK_AUD(text, want)                                                                         \
    do {                                                                                           \
        char got_[N + 1];                                                                          \
        members(text, got_);                                                                       \
        ck_assert_msg(strcmp(got_, want) == 0, "%s: got {%s}, want {%s}", text, got_, want);       \
    } while (0)

START_TEST(comparisons)
{
    CK_AUD("orders > 2", "357");
    CK_AUD("orders >= 2 and orders <= 3", "25");
    CK_AUD("orders = 1", "14");
    CK_AUD("orders == 1", "14");
    CK_AUD("orders != 1", "023567");
    CK_AUD("orders <> 1", "023567");
    CK_AUD("orders < 1", "06");
    CK_AUD("orders <= 1", "0146");
    CK_AUD("orders > 2.5", "357");
    CK_AUD("orders < 2.5", "01246");
    CK_AUD("orders = 2.5", "");
    CK_AUD("orders between 1 and 3", "1245");
    CK_AUD("orders not between 1 and 3", "0367");
    CK_AUD("orders in (0, 5, 10)", "0367");
    CK_AUD("orders not in (0, 5, 10)", "1245");
    CK_AUD("orders in (1,2,3,4,5,6,7,8,9,11,12)", "12345");
    /* money columns take major units: 100 is 10000 minor units */
    CK_AUD("spend > 100", "237");
    CK_AUD("spend >= 100.00", "2357");
    CK_AUD("spend < 15.00", "046");
    CK_AUD("spend = 15", "1");
    /* doubles; NaN (row 4) matches nothing, not even != */
    CK_AUD("clv > 100", "237");
    CK_AUD("clv != 0", "12357");
    CK_AUD("clv <= 10.5", "016");
    CK_AUD("clv between 10 and 1000", "1235");
    CK_AUD("clv is null", "4");
    CK_AUD("clv is not null", "0123567");
    /* text column */
    CK_AUD("customer_id = \"c3\"", "3");
    CK_AUD("customer_id != 'c3'", "0124567");
    CK_AUD("customer_id in (\"c1\", \"c2\", \"zz\")", "12");
    CK_AUD("customer_id not in (\"c1\")", "0234567");
}
END_TEST

START_TEST(dictionaries_and_tags)
{
    CK_AUD("region = \"Tokyo\"", "037");
    CK_AUD("region != \"Tokyo\"", "12456");
    CK_AUD("region in (\"Osaka\", \"Kyoto\")", "1246");
    CK_AUD("region not in (\"Tokyo\")", "12456");
    CK_AUD("region is null", "5");
    CK_AUD("region is not null", "0123467");
    CK_AUD("tags has \"vip\"", "0267");
    CK_AUD("tags has \"sale\"", "467");
    CK_AUD("not tags has \"new\"", "03456");
}
END_TEST

START_TEST(boolean_logic)
{
    /* AND binds tighter than OR */
    CK_AUD("orders = 0 or orders = 1 and spend > 10", "016");
    CK_AUD("(orders = 0 or orders = 1) and spend > 10", "1");
    CK_AUD("not orders = 0", "123457");
    CK_AUD("not not orders = 0", "06");
    CK_AUD("NOT (orders > 2 OR region = \"Kyoto\")", "014");
    CK_AUD("orders > 2 # a comment\n and region = \"Tokyo\"", "37");
}
END_TEST

START_TEST(percentiles)
{
    /* non-NaN clv: 0 10.5 200 1000 50 0 5000 (7 values); top 25%: k = ceil(1.75) = 2, threshold 1000 */
    CK_AUD("clv in top 25%", "37");
    /* bottom 30%: k = ceil(2.1) = 3, the 3rd smallest is 10.5; ties at 0 kept */
    CK_AUD("clv in bottom 30%", "016");
    CK_AUD("clv in top 100%", "0123567");
    /* int64: spend 8 values, top 50%: k = 4, 4th largest = 10000 */
    CK_AUD("spend in top 50%", "2357");
    CK_AUD("spend in bottom 10%", "06"); /* k = 1, smallest 0, both zeros kept */
}
END_TEST

START_TEST(dates)
{
    /* last_order is NOW - days; -30d starts at the local midnight 30 days before today */
    CK_AUD("last_order >= -30d", "137");
    CK_AUD("last_order < -30d", "245");
    CK_AUD("last_order between -45d and -3d", "12");
    CK_AUD("last_order > 2024-01-01", "1237");
    CK_AUD("last_order = 2024-06-10", "1");          /* 5 days before 2024-06-15 */
    CK_AUD("last_order != 2024-06-10", "23457");
    CK_AUD("last_order <= -2d", "12345");
    CK_AUD("last_order > -2d", "7");
    CK_AUD("last_order = yesterday", "7");
    CK_AUD("last_order >= -1w and last_order < today", "137");
    CK_AUD("last_order >= -1y", "12347");
}
END_TEST

START_TEST(counts_over_lines_and_events)
{
    CK_AUD("orders in -10d..now", "123");
    CK_AUD("orders in -10d..now >= 2", "3");
    CK_AUD("orders since -2d", "23");
    CK_AUD("orders between -3d and -2d", "23");
    CK_AUD("orders between -3d and -2d = 2", "3");
    CK_AUD("orders", "1237");
    CK_AUD("not orders in -10d..now", "04567");
    /* c2's order 201 has Shoes, Hats, Shoes: one order */
    CK_AUD("bought category \"Shoes\" in -10d..now", "12");
    CK_AUD("bought category \"Shoes\" in -10d..now >= 2", "");
    CK_AUD("bought category \"Hats\" >= 2", "23");
    CK_AUD("bought sku \"C3\"", "27");
    CK_AUD("bought sku \"C3\" in -30d..today", "2");
    /* net spend in window (major units): c1 15.00, c2 9.00, c3 30.00 */
    CK_AUD("spend in -10d..now > 10", "13");
    CK_AUD("spend in -200d..now < 31", "01234567");
    CK_AUD("spend in -200d..now = 30", "37"); /* c7: 5000 - 2000 refunded */
    CK_AUD("events(cart_add) between -10d and -3d", "4");
    CK_AUD("events(cart_add) in -10d..now", "45");
    CK_AUD("events(view)", "6");
    /* the interest cohort: carted or favourited 3-10 days ago, no order in 10 days */
    CK_AUD("(events(cart_add) between -10d and -3d or events(favourite) between -10d and -3d)"
           " and not orders in -10d..now",
           "4");
    CK_AUD("events(favourite) between -15d and -3d", "4");
}
END_TEST

static void ck_error(const char *text, int status, const char *msg)
{
    custops_audience *a = (custops_audience *)1;
    custops_clear_error();
    int rc = custops_audience_compile(&a, text, ctx);
    ck_assert_msg(rc == status, "%s: got %d (%s), want %d", text, rc, custops_last_error(), status);
    ck_assert_ptr_null(a);
    ck_assert_msg(strcmp(custops_last_error(), msg) == 0, "%s:\n got  %s\n want %s", text, custops_last_error(),
                  msg);
}

START_TEST(errors_with_line_and_column)
{
    ck_error("orders >", CUSTOPS_EPARSE,
             "audience:1:9: expected a number, a \"string\" or a time (-30d, 2024-05-30, now) but found end of text");
    ck_error("spend > 100 and", CUSTOPS_EPARSE,
             "audience:1:16: expected a column name, a count (orders, spend, events, bought), 'not', '(' or "
             "'segment' but found end of text");
    ck_error("foo > 1", CUSTOPS_ENOTFOUND, "audience:1:1: unknown column 'foo': the customers frame has no such column");
    ck_error("region = \"Nara\"", CUSTOPS_ENOTFOUND, "audience:1:10: unknown region \"Nara\": not in the dictionary");
    ck_error("(orders > 1", CUSTOPS_EPARSE, "audience:1:12: expected ')' to close the '(' at 1:1 but found end of text");
    ck_error("orders > 1\n  and customer_id > 3", CUSTOPS_EPARSE,
             "audience:2:21: column 'customer_id' holds text: expected a \"string\" after '>'");
    ck_error("orders > 1 orders", CUSTOPS_EPARSE, "audience:1:12: expected 'and', 'or' or end of text but found 'orders'");
    ck_error("events(buy)", CUSTOPS_EPARSE,
             "audience:1:8: expected an event type (visit, view, cart_add, favourite, coupon_received, coupon_used, "
             "login) but found 'buy'");
    ck_error("last_order > 2024-02-30", CUSTOPS_EPARSE, "audience:1:14: no such date 2024-02-30");
    ck_error("orders in -10d 5", CUSTOPS_EPARSE, "audience:1:16: expected '..' between the two ends of the window but found '5'");
    ck_error("clv in (1, 2)", CUSTOPS_EPARSE,
             "audience:1:1: 'in (...)' needs an integer, code or text column; 'clv' holds doubles (use between)");
    ck_error("tags = \"vip\"", CUSTOPS_EPARSE, "audience:1:8: tags are a bitmask: expected 'tags has \"NAME\"'");
    ck_error("clv in top 0%", CUSTOPS_EPARSE, "audience:1:12: expected a percentage above 0 and at most 100 but found '0'");
    ck_error("orders > 1 and", CUSTOPS_EPARSE,
             "audience:1:15: expected a column name, a count (orders, spend, events, bought), 'not', '(' or "
             "'segment' but found end of text");
    ck_error("", CUSTOPS_EPARSE, "audience:1:1: expected an expression but found end of text");
    ck_error("orders ! 1", CUSTOPS_EPARSE, "audience:1:8: expected '!=' but found '!'");
    ck_error("customer_id = \"abc", CUSTOPS_EPARSE, "audience:1:15: unterminated string: expected a closing \"");
    ck_error("segment nope", CUSTOPS_ENOTFOUND, "audience:1:9: unknown segment 'nope' (no library in the context)");
    ck_error("orders @ 1", CUSTOPS_EPARSE, "audience:1:8: unexpected character '@'");
    ck_error("orders is 1", CUSTOPS_EPARSE, "audience:1:11: expected 'null' after 'is' but found '1'");
}
END_TEST

START_TEST(limits)
{
    char deep[400];
    size_t k = 0;
    for (int i = 0; i < 100; i++)
        deep[k++] = '(';
    memcpy(deep + k, "orders > 1", 10);
    k += 10;
    for (int i = 0; i < 100; i++)
        deep[k++] = ')';
    deep[k] = '\0';
    custops_audience *a;
    ck_assert_status(custops_audience_compile(&a, deep, ctx), CUSTOPS_ELIMIT);
    ck_assert_ptr_nonnull(strstr(custops_last_error(), "nested deeper than 64 levels"));
    ck_assert_ok(custops_segment_ctx_set_limits(ctx, 1000, 200));
    ck_assert_ok(custops_audience_compile(&a, deep, ctx));
    custops_audience_free(a);
    ck_assert_ok(custops_segment_ctx_set_limits(ctx, 20, 200));
    ck_assert_status(custops_audience_compile(&a, "orders > 1 and orders < 5", ctx), CUSTOPS_ELIMIT);
    ck_assert_str_eq(custops_last_error(), "audience:1:1: expression is 25 bytes, more than the limit of 20");
    ck_assert_status(custops_segment_ctx_set_limits(ctx, 0, 10), CUSTOPS_ERANGE);
    ck_assert_status(custops_audience_compile(NULL, "x", ctx), CUSTOPS_EINVAL);
    ck_assert_status(custops_audience_compile(&a, NULL, ctx), CUSTOPS_EINVAL);
    ck_assert_status(custops_audience_compile(&a, "x", NULL), CUSTOPS_EINVAL);
}
END_TEST

static void ck_explain(const char *text, size_t row, int member, const char *want)
{
    custops_audience *a;
    ck_assert_ok(custops_audience_compile(&a, text, ctx));
    char *why;
    int m;
    ck_assert_ok(custops_audience_explain(&why, &m, a, row));
    ck_assert_int_eq(m, member);
    ck_assert_msg(strcmp(why, want) == 0, "%s row %zu:\n got  %s\n want %s", text, row, why, want);
    custops_free(why);
    custops_audience_free(a);
}

START_TEST(explanations)
{
    ck_explain("spend > 100 and orders in -10d..now", 2, 1,
               "in: spend > 100 is true (spend = 250.00); orders in -10d..now is true (orders = 1)");
    ck_explain("spend > 100 and orders in -10d..now", 7, 0, "out: orders in -10d..now is false (orders = 0)");
    ck_explain("spend > 100 and orders in -10d..now", 1, 0, "out: spend > 100 is false (spend = 15.00)");
    ck_explain("region = \"Kyoto\" or clv in top 25%", 3, 1, "in: clv in top 25% is true (clv = 1000, threshold 1000)");
    ck_explain("region = \"Kyoto\" or clv in top 25%", 1, 0,
               "out: region = \"Kyoto\" is false (region = 1); clv in top 25% is false (clv = 10.5, threshold 1000)");
    ck_explain("not orders in -10d..now", 4, 1, "in: orders in -10d..now is false (orders = 0)");
    ck_explain("last_order >= -30d", 0, 0, "out: last_order >= -30d is false (last_order = none)");
    ck_explain("last_order >= -30d", 1, 1, "in: last_order >= -30d is true (last_order = 2024-06-10T12:00:00Z)");
    ck_explain("events(cart_add) between -10d and -3d", 4, 1,
               "in: events(cart_add) between -10d and -3d is true (count = 1)");
    custops_audience *a;
    ck_assert_ok(custops_audience_compile(&a, "orders > 1", ctx));
    char *why;
    ck_assert_status(custops_audience_explain(&why, NULL, a, N), CUSTOPS_EINVAL);
    ck_assert_ptr_null(why);
    ck_assert_uint_eq(custops_audience_nclauses(a), 1);
    custops_audience_free(a);
}
END_TEST

START_TEST(zones_and_local_days)
{
    /* In Asia/Tokyo (UTC+9) NOW is 21:00 on 2024-06-15; a purchase at
     * 2024-06-14T16:00Z is 01:00 on the 15th there: "today" in Tokyo, "yesterday" in UTC */
    custops_zone *tokyo;
    ck_assert_ok(custops_zone_open(&tokyo, "Asia/Tokyo"));
    int64_t t[N] = {-1, 1718380800, -1, -1, -1, -1, -1, -1};
    custops_frame *f;
    ck_assert_ok(custops_frame_new(&f));
    ck_assert_ok(custops_frame_add_int64(f, "first_order", t, N));
    custops_segment_ctx *c;
    ck_assert_ok(custops_segment_ctx_new(&c, f, NOW));
    custops_audience *a;
    custops_bitset *bs;
    ck_assert_ok(custops_audience_compile(&a, "first_order = today", c));
    ck_assert_ok(custops_audience_evaluate(&bs, a));
    ck_assert_uint_eq(custops_bitset_count(bs), 0);
    custops_bitset_free(bs);
    custops_audience_free(a);
    ck_assert_ok(custops_segment_ctx_set_zone(c, tokyo));
    ck_assert_ok(custops_audience_compile(&a, "first_order = today and first_order >= 2024-06-15T01:00", c));
    ck_assert_ok(custops_audience_evaluate(&bs, a));
    ck_assert_int_eq(custops_bitset_test(bs, 1), 1);
    custops_bitset_free(bs);
    custops_audience_free(a);
    ck_assert_ok(custops_audience_compile(&a, "first_order > 2024-06-15T01:00 or first_order < -1m", c));
    ck_assert_ok(custops_audience_evaluate(&bs, a));
    ck_assert_uint_eq(custops_bitset_count(bs), 0);
    custops_bitset_free(bs);
    custops_audience_free(a);
    custops_segment_ctx_free(c);
    custops_frame_free(f);
    custops_zone_free(tokyo);
}
END_TEST

START_TEST(bitset_algebra)
{
    custops_bitset *a, *b, *c;
    ck_assert_ok(custops_bitset_new(&a, 130));
    ck_assert_ok(custops_bitset_new(&b, 130));
    for (size_t i = 0; i < 130; i += 2)
        ck_assert_ok(custops_bitset_set(a, i, 1));
    for (size_t i = 0; i < 130; i += 3)
        ck_assert_ok(custops_bitset_set(b, i, 1));
    ck_assert_uint_eq(custops_bitset_count(a), 65);
    ck_assert_uint_eq(custops_bitset_count(b), 44);
    ck_assert_ok(custops_bitset_copy(&c, a));
    ck_assert_ok(custops_bitset_intersect(c, b));
    ck_assert_uint_eq(custops_bitset_count(c), 22); /* multiples of 6 in 0..129 */
    ck_assert_ok(custops_bitset_union(c, a));
    ck_assert_uint_eq(custops_bitset_count(c), 65);
    ck_assert_ok(custops_bitset_minus(c, b));
    ck_assert_uint_eq(custops_bitset_count(c), 43);
    int64_t *ids;
    size_t n;
    ck_assert_ok(custops_bitset_ids(&ids, &n, c));
    ck_assert_uint_eq(n, 43);
    ck_assert_int_eq(ids[0], 2);
    ck_assert_int_eq(ids[1], 4);
    ck_assert_int_eq(ids[42], 128);
    custops_free(ids);
    uint8_t bytes[130];
    ck_assert_ok(custops_bitset_to_bytes(c, bytes, 130));
    ck_assert_int_eq(bytes[2], 1);
    ck_assert_int_eq(bytes[6], 0);
    ck_assert_status(custops_bitset_to_bytes(c, bytes, 129), CUSTOPS_EINVAL);
    ck_assert_status(custops_bitset_set(c, 130, 1), CUSTOPS_EINVAL);
    ck_assert_int_eq(custops_bitset_test(c, 130), 0);
    custops_bitset *d;
    ck_assert_ok(custops_bitset_new(&d, 10));
    ck_assert_status(custops_bitset_union(c, d), CUSTOPS_EINVAL);
    ck_assert_ok(custops_bitset_ids(&ids, &n, d));
    ck_assert_ptr_null(ids);
    ck_assert_uint_eq(n, 0);
    custops_bitset_free(a);
    custops_bitset_free(b);
    custops_bitset_free(c);
    custops_bitset_free(d);
    custops_bitset_free(NULL);
}
END_TEST

START_TEST(library_references_and_cycles)
{
    custops_segment_library *lib;
    ck_assert_ok(custops_segment_library_new(&lib));
    ck_assert_ok(custops_segment_library_define(lib, "recent", "orders in -10d..now"));
    ck_assert_ok(custops_segment_library_define(lib, "big", "spend > 100"));
    ck_assert_ok(custops_segment_library_define(lib, "vip-recent", "segment recent and segment \"big\""));
    ck_assert_uint_eq(custops_segment_library_count(lib), 3);
    ck_assert_str_eq(custops_segment_library_name(lib, 0), "big");
    ck_assert_str_eq(custops_segment_library_name(lib, 2), "vip-recent");
    /* cycles: recent -> vip-recent -> recent */
    ck_assert_status(custops_segment_library_define(lib, "recent", "segment \"vip-recent\" or orders > 1"),
                     CUSTOPS_ESTATE);
    ck_assert_status(custops_segment_library_define(lib, "self", "segment self"), CUSTOPS_ESTATE);
    ck_assert_status(custops_segment_library_define(lib, "bad name", "orders > 1"), CUSTOPS_EINVAL);
    ck_assert_status(custops_segment_library_define(lib, "broken", "orders >"), CUSTOPS_EPARSE);
    ck_assert_str_eq(custops_last_error(),
                     "broken:1:9: expected a number, a \"string\" or a time (-30d, 2024-05-30, now) but found end of text");
    ck_assert_ok(custops_segment_library_define(lib, "later", "segment not_yet_defined"));
    ck_assert_ok(custops_segment_ctx_set_library(ctx, lib));
    CK_AUD("segment \"vip-recent\"", "23");
    CK_AUD("segment recent and not segment big", "1");
    custops_audience *a;
    ck_assert_status(custops_audience_compile(&a, "segment later", ctx), CUSTOPS_ENOTFOUND);
    ck_assert_str_eq(custops_last_error(), "later:1:9: unknown segment 'not_yet_defined'");
    ck_explain("segment \"vip-recent\"", 3, 1,
               "in: orders in -10d..now is true (orders = 3); spend > 100 is true (spend = 999.00)");

    char dir[256], path[300];
    test_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/segs.bin", dir);
    ck_assert_ok(custops_segment_library_save(lib, path));
    custops_segment_library *back;
    ck_assert_ok(custops_segment_library_load(&back, path));
    ck_assert_uint_eq(custops_segment_library_count(back), 4);
    const char *t;
    ck_assert_ok(custops_segment_library_get(back, "vip-recent", &t));
    ck_assert_str_eq(t, "segment recent and segment \"big\"");
    ck_assert_status(custops_segment_library_get(back, "nope", &t), CUSTOPS_ENOTFOUND);
    ck_assert_ok(custops_segment_library_remove(back, "big"));
    ck_assert_status(custops_segment_library_remove(back, "big"), CUSTOPS_ENOTFOUND);
    ck_assert_uint_eq(custops_segment_library_count(back), 3);
    custops_segment_library_free(back);
    /* corruption: flip a payload byte */
    FILE *fp = fopen(path, "r+b");
    ck_assert_ptr_nonnull(fp);
    fseek(fp, 50, SEEK_SET);
    fputc('#', fp);
    fclose(fp);
    ck_assert_status(custops_segment_library_load(&back, path), CUSTOPS_ECORRUPT);
    ck_assert_ptr_null(back);
    unlink(path);
    rmdir(dir);
    ck_assert_ok(custops_segment_ctx_set_library(ctx, NULL));
    custops_segment_library_free(lib);
}
END_TEST

START_TEST(lines_frame_validation)
{
    custops_frame *bad;
    ck_assert_ok(custops_frame_new(&bad));
    int64_t v[1] = {0};
    ck_assert_ok(custops_frame_add_int64(bad, "customer", v, 1));
    ck_assert_status(custops_segment_ctx_set_lines(ctx, bad), CUSTOPS_EINVAL);
    ck_assert_str_eq(custops_last_error(), "lines frame: missing int64 column 'order'");
    ck_assert_status(custops_segment_ctx_set_events(ctx, bad), CUSTOPS_EINVAL);
    custops_frame_free(bad);
    /* a line naming a customer outside the frame */
    int64_t cu[1] = {99}, z[1] = {NOW - 1};
    custops_frame *l;
    ck_assert_ok(custops_frame_new(&l));
    const char *names[] = {"customer", "order", "time", "sku", "category", "amount", "refunded"};
    ck_assert_ok(custops_frame_add_int64(l, names[0], cu, 1));
    for (int i = 1; i < 7; i++)
        ck_assert_ok(custops_frame_add_int64(l, names[i], z, 1));
    ck_assert_ok(custops_segment_ctx_set_lines(ctx, l));
    custops_audience *a;
    custops_bitset *bs;
    ck_assert_ok(custops_audience_compile(&a, "orders in -1d..now", ctx));
    ck_assert_status(custops_audience_evaluate(&bs, a), CUSTOPS_ERANGE);
    ck_assert_str_eq(custops_last_error(), "lines row 0: customer 99 is outside 0..7");
    custops_audience_free(a);
    ck_assert_ok(custops_segment_ctx_set_lines(ctx, NULL));
    ck_assert_status(custops_audience_compile(&a, "orders in -1d..now", ctx), CUSTOPS_ENOTFOUND);
    ck_assert_str_eq(custops_last_error(), "audience:1:1: 'orders' needs a lines frame (custops_segment_ctx_set_lines)");
    custops_frame_free(l);
}
END_TEST

/* A bigger frame crossing several evaluation blocks, checked row by row
 * against the scalar explanation path and a direct C computation. */
START_TEST(blocks_match_scalar)
{
    enum { M = 10007 };
    int64_t *x = malloc(M * sizeof *x);
    double *y = malloc(M * sizeof *y);
    uint64_t s = 12345;
    for (size_t i = 0; i < M; i++) {
        s = s * 6364136223846793005u + 1442695040888963407u;
        x[i] = (int64_t)(s >> 40) % 1000;
        y[i] = (double)((s >> 20) % 1000) / 10.0;
    }
    custops_frame *f;
    ck_assert_ok(custops_frame_new(&f));
    ck_assert_ok(custops_frame_add_int64(f, "x", x, M));
    ck_assert_ok(custops_frame_add_double(f, "y", y, M));
    custops_segment_ctx *c;
    ck_assert_ok(custops_segment_ctx_new(&c, f, NOW));
    custops_audience *a;
    ck_assert_ok(custops_audience_compile(&a, "(x < 300 or y >= 90) and not x in (5, 7, 9) or x between 990 and 995", c));
    custops_bitset *bs;
    ck_assert_ok(custops_audience_evaluate(&bs, a));
    size_t want = 0;
    for (size_t i = 0; i < M; i++) {
        int v = ((x[i] < 300 || y[i] >= 90) && !(x[i] == 5 || x[i] == 7 || x[i] == 9)) || (x[i] >= 990 && x[i] <= 995);
        want += (size_t)v;
        ck_assert_int_eq(custops_bitset_test(bs, i), v);
        if (i % 997 == 0) {
            char *why;
            int m;
            ck_assert_ok(custops_audience_explain(&why, &m, a, i));
            ck_assert_int_eq(m, v);
            custops_free(why);
        }
    }
    ck_assert_uint_eq(custops_bitset_count(bs), want);
    custops_bitset_free(bs);
    custops_audience_free(a);
    custops_segment_ctx_free(c);
    custops_frame_free(f);
    free(x);
    free(y);
}
END_TEST

static Suite *segment_suite(void)
{
    Suite *s = suite_create("segment");
    TCase *tc = tcase_create("language");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, comparisons);
    tcase_add_test(tc, dictionaries_and_tags);
    tcase_add_test(tc, boolean_logic);
    tcase_add_test(tc, percentiles);
    tcase_add_test(tc, dates);
    tcase_add_test(tc, counts_over_lines_and_events);
    tcase_add_test(tc, errors_with_line_and_column);
    tcase_add_test(tc, limits);
    tcase_add_test(tc, explanations);
    tcase_add_test(tc, zones_and_local_days);
    tcase_add_test(tc, bitset_algebra);
    tcase_add_test(tc, library_references_and_cycles);
    tcase_add_test(tc, lines_frame_validation);
    tcase_add_test(tc, blocks_match_scalar);
    suite_add_tcase(s, tc);
    return s;
}

TEST_MAIN(segment_suite)
