/* The profile store: batch API, CSV/JSONL ingest with exact line:col
 * errors, whole-or-nothing, views, features (checked by hand and against
 * the published CDNOW summaries), windows, split, privacy, save/load. */
#include "testutil.h"

#include <math.h>

static const char *ORDERS =
    "order_id,customer_id,time,currency,sku,category,qty,unit_price,discount,coupon_code,channel\n"
    "o1,alice,2024-11-01 10:00:00,CNY,sku1,shoes,2,100.00,20.00,,app\n"
    "o1,alice,2024-11-01 10:00:00,CNY,sku2,socks,1,9.90,,,app\n"
    "o2,bob,2024-11-02T09:30:00+08:00,CNY,sku1,shoes,1,100,,C10,web\n"
    "o3,alice,2024-11-01 18:00:00,CNY,sku3,shoes,1,50.5,,,app\n"
    "o4,alice,2024-11-10 21:15:00,CNY,sku2,socks,3,9.90,0.70,C10,app\n"
    "o5,carol,1730764800,CNY,\"sku,4\",\"he said \"\"hi\"\"\",1,1.00,,,store\n";

static custops_store *shop(void)
{
    custops_store *s;
    ck_assert_ok(custops_store_new(&s, "Asia/Shanghai", "CNY"));
    custops_ingest_result r;
    ck_assert_ok(custops_store_ingest_csv_buffer(s, ORDERS, strlen(ORDERS), "orders.csv", NULL, &r, NULL));
    ck_assert_int_eq(r.rows, 6);
    ck_assert_int_eq(r.accepted, 6);
    return s;
}

static int64_t at(const char *text)
{
    custops_zone *z;
    ck_assert_ok(custops_zone_open(&z, "Asia/Shanghai"));
    int64_t t;
    ck_assert_ok(custops_time_parse(text, z, &t));
    custops_zone_free(z);
    return t;
}

static size_t col(const custops_frame *f, const char *name)
{
    size_t c;
    ck_assert_msg(custops_frame_find(f, name, &c) == CUSTOPS_OK, "no column %s", name);
    return c;
}

static int64_t I(const custops_frame *f, const char *name, size_t row)
{
    const int64_t *v;
    ck_assert_ok(custops_frame_int64(f, col(f, name), &v));
    return v[row];
}

static double D(const custops_frame *f, const char *name, size_t row)
{
    const double *v;
    ck_assert_ok(custops_frame_double(f, col(f, name), &v));
    return v[row];
}

static const char *S(const custops_frame *f, const char *name, size_t row)
{
    const char *v;
    ck_assert_ok(custops_frame_string(f, col(f, name), row, &v));
    return v;
}

static size_t row_of(const custops_frame *f, const char *id)
{
    for (size_t i = 0; i < custops_frame_nrows(f); i++)
        if (strcmp(S(f, "customer_id", i), id) == 0)
            return i;
    ck_abort_msg("customer %s not in frame", id);
    return 0;
}

START_TEST(test_ingest_and_lines_view)
{
    custops_store *s = shop();
    custops_store_counts n;
    ck_assert_ok(custops_store_stats(s, &n));
    ck_assert_int_eq(n.customers, 3);
    ck_assert_int_eq(n.orders, 5);
    ck_assert_int_eq(n.lines, 6);
    custops_frame *l;
    ck_assert_ok(custops_store_lines(s, &l));
    ck_assert_int_eq(custops_frame_nrows(l), 6);
    /* sorted by (customer, time, order): alice o1 x2, o3, o4; bob; carol */
    ck_assert_int_eq(I(l, "customer", 0), 0);
    ck_assert_int_eq(I(l, "order", 0), 0);
    /* sorting renumbers the orders in (customer, time) order: o1 0, o3 1 */
    ck_assert_int_eq(I(l, "order", 1), 0);
    ck_assert_int_eq(I(l, "order", 2), 1); /* o3 at 18:00 after o1 at 10:00 */
    ck_assert_int_eq(I(l, "time", 2), at("2024-11-01 18:00:00"));
    ck_assert_int_eq(I(l, "amount", 0), 18000); /* 2*100.00 - 20.00 */
    ck_assert_int_eq(I(l, "discount", 0), 2000);
    ck_assert_int_eq(I(l, "amount", 2), 5050);
    ck_assert_int_eq(I(l, "amount", 3), 2900); /* 3*9.90 - 0.70 */
    ck_assert_int_eq(I(l, "coupon", 3), 0);
    ck_assert_int_eq(I(l, "coupon", 0), -1);
    ck_assert_int_eq(I(l, "time", 4), at("2024-11-02T09:30:00+08:00"));
    ck_assert_int_eq(I(l, "time", 5), 1730764800);
    custops_frame *d;
    ck_assert_ok(custops_store_dict(s, "sku", &d));
    ck_assert_str_eq(S(d, "name", (size_t)I(l, "sku", 5)), "sku,4");
    custops_frame_free(d);
    ck_assert_ok(custops_store_dict(s, "category", &d));
    ck_assert_str_eq(S(d, "name", (size_t)I(l, "category", 5)), "he said \"hi\"");
    custops_frame_free(d);
    ck_assert_status(custops_store_dict(s, "colour", &d), CUSTOPS_ENOTFOUND);
    custops_frame_free(l);
    custops_store_free(s);
}
END_TEST

START_TEST(test_features_by_hand)
{
    custops_store *s = shop();
    custops_features_opts o = CUSTOPS_FEATURES_OPTS_INIT;
    o.now = at("2024-11-15 00:00:00");
    o.period = CUSTOPS_PERIOD_DAY;
    custops_frame *f;
    ck_assert_ok(custops_store_features(s, &o, &f));
    ck_assert_int_eq(custops_frame_nrows(f), 3);
    size_t a = row_of(f, "alice");
    /* alice: orders o1 (Nov 1 10:00), o3 (Nov 1 18:00), o4 (Nov 10): two transaction days */
    ck_assert_int_eq(I(f, "orders", a), 3);
    ck_assert_int_eq(I(f, "frequency", a), 1);
    ck_assert_double_eq_tol(D(f, "recency", a), 9.0, 1e-12);
    ck_assert_double_eq_tol(D(f, "T", a), 14.0, 1e-12);
    ck_assert_double_eq_tol(D(f, "monetary", a), 2900.0, 1e-9); /* the repeat day: o4 */
    ck_assert_int_eq(I(f, "spend", a), 18000 + 990 + 5050 + 2900);
    ck_assert_int_eq(I(f, "aov", a), (18000 + 990 + 5050 + 2900 + 1) / 3);
    ck_assert_int_eq(I(f, "first_order", a), at("2024-11-01 10:00:00"));
    ck_assert_int_eq(I(f, "last_order", a), at("2024-11-10 21:15:00"));
    ck_assert_int_eq(I(f, "tenure_days", a), 14);
    ck_assert_int_eq(I(f, "days_since_last_order", a), 5);
    ck_assert_double_eq_tol(D(f, "coupon_share", a), 1.0 / 3.0, 1e-12);
    ck_assert_double_eq_tol(D(f, "discount_rate", a), 2070.0 / (26940.0 + 2070.0), 1e-12);
    ck_assert_int_eq(I(f, "hour_10", a), 1);
    ck_assert_int_eq(I(f, "hour_18", a), 1);
    ck_assert_int_eq(I(f, "hour_21", a), 1);
    ck_assert_int_eq(I(f, "hour_00", a), 0);
    custops_frame *d;
    ck_assert_ok(custops_store_dict(s, "category", &d));
    ck_assert_str_eq(S(d, "name", (size_t)I(f, "top_category", a)), "shoes");
    custops_frame_free(d);
    size_t b = row_of(f, "bob");
    ck_assert_int_eq(I(f, "frequency", b), 0);
    ck_assert_double_eq(D(f, "monetary", b), 0.0);
    ck_assert_int_eq(I(f, "hour_09", b), 1);
    ck_assert_int_eq(I(f, "gender", b), 0);
    ck_assert_int_eq(I(f, "birth_year", b), -1);
    custops_frame_free(f);
    /* as of Nov 5: o4 is in the future and does not count */
    o.now = at("2024-11-05 00:00:00");
    o.period = CUSTOPS_PERIOD_WEEK;
    ck_assert_ok(custops_store_features(s, &o, &f));
    a = row_of(f, "alice");
    ck_assert_int_eq(I(f, "orders", a), 2);
    ck_assert_int_eq(I(f, "frequency", a), 0);
    ck_assert_double_eq_tol(D(f, "T", a), 4.0 / 7.0, 1e-12);
    ck_assert_int_eq(I(f, "first_order", row_of(f, "carol")), -1); /* 08:00 on Nov 5, after now */
    custops_frame_free(f);
    /* bad options */
    o.version = 99;
    ck_assert_status(custops_store_features(s, &o, &f), CUSTOPS_EVERSION);
    o.version = CUSTOPS_FEATURES_OPTS_VERSION;
    o.period = 3;
    ck_assert_status(custops_store_features(s, &o, &f), CUSTOPS_EINVAL);
    ck_assert_ptr_null(f);
    custops_store_free(s);
}
END_TEST

/* An exact tie between categories goes to the name first in byte order,
 * whatever order the categories were first seen in. */
START_TEST(test_top_category_tie_by_name)
{
    static const char *const orders[2] = {
        "order_id,customer_id,time,currency,sku,category,qty,unit_price\n"
        "o1,dan,2024-11-01 10:00:00,CNY,s1,zeta,1,10.00\n"
        "o2,dan,2024-11-02 10:00:00,CNY,s2,alpha,1,10.00\n"
        "o3,eve,2024-11-02 10:00:00,CNY,s2,alpha,1,10.00\n",
        "order_id,customer_id,time,currency,sku,category,qty,unit_price\n"
        "o3,eve,2024-11-02 10:00:00,CNY,s2,alpha,1,10.00\n"
        "o2,dan,2024-11-02 10:00:00,CNY,s2,alpha,1,10.00\n"
        "o1,dan,2024-11-01 10:00:00,CNY,s1,zeta,1,10.00\n",
    };
    for (int k = 0; k < 2; k++) {
        custops_store *s;
        ck_assert_ok(custops_store_new(&s, "Asia/Shanghai", "CNY"));
        ck_assert_ok(custops_store_ingest_csv_buffer(s, orders[k], strlen(orders[k]), "tie.csv", NULL, NULL, NULL));
        custops_features_opts o = CUSTOPS_FEATURES_OPTS_INIT;
        o.now = at("2024-11-15 00:00:00");
        custops_frame *f, *d;
        ck_assert_ok(custops_store_features(s, &o, &f));
        ck_assert_ok(custops_store_dict(s, "category", &d));
        ck_assert_str_eq(S(d, "name", (size_t)I(f, "top_category", row_of(f, "dan"))), "alpha");
        custops_frame_free(d);
        custops_frame_free(f);
        custops_store_free(s);
    }
}
END_TEST

START_TEST(test_refunds)
{
    custops_store *s = shop();
    const char *csv = "refund_id,order_id,time,sku,qty,amount\n"
                      "r1,o1,2024-11-03 12:00:00,sku2,1,9.90\n"
                      "r2,o1,2024-11-04 12:00:00,,,18.00\n"
                      "r1,o1,2024-11-03 12:00:00,sku2,1,9.90\n";
    custops_ingest_result r;
    ck_assert_ok(custops_store_ingest_csv_buffer(s, csv, strlen(csv), "refunds.csv", NULL, &r, NULL));
    ck_assert_int_eq(r.accepted, 3);
    ck_assert_int_eq(r.ignored, 1); /* r1 again: idempotent */
    custops_frame *l;
    ck_assert_ok(custops_store_lines(s, &l));
    /* o1 lines: 180.00 and 9.90. r1 -> sku2 line; r2 18.00 split 180:9.90 by largest remainder */
    int64_t share1 = 1800 * 18000 / (18000 + 990);
    int64_t a = I(l, "refunded", 0), b = I(l, "refunded", 1);
    ck_assert_int_eq(a + b, 990 + 1800);
    ck_assert_int_ge(a, share1);
    ck_assert_int_le(a, share1 + 1);
    custops_frame_free(l);
    custops_features_opts o = CUSTOPS_FEATURES_OPTS_INIT;
    o.now = at("2024-11-03 23:00:00"); /* r1 counts, r2 not yet */
    custops_frame *f;
    ck_assert_ok(custops_store_features(s, &o, &f));
    size_t ai = row_of(f, "alice");
    ck_assert_int_eq(I(f, "spend", ai), 18000 + 990 + 5050 - 990);
    ck_assert_double_eq_tol(D(f, "refund_rate", ai), 990.0 / (18000 + 990 + 5050), 1e-12);
    custops_frame_free(f);
    /* unknown order: fails with line:col at the order_id field */
    const char *bad = "refund_id,order_id,time,amount\nr9,nope,2024-11-03 12:00:00,1.00\n";
    ck_assert_status(custops_store_ingest_csv_buffer(s, bad, strlen(bad), "refunds.csv", NULL, NULL, NULL),
                     CUSTOPS_EPARSE);
    ck_assert_str_eq(custops_last_error(), "refunds.csv:2:4: unknown order 'nope' (ingest orders first)");
    custops_store_free(s);
}
END_TEST

START_TEST(test_bad_csv_line_col)
{
    custops_store *s;
    ck_assert_ok(custops_store_new(&s, "UTC", "CNY"));
    const char *csv = "customer_id,order_id,time,currency,sku,qty,unit_price\n"
                      "c1,o1,2024-01-01 00:00:00,CNY,s1,1,12.50\n"
                      "c1,o2,2024-01-02 00:00:00,CNY,s1,1,12,50\n";
    /* the third row has one field too many */
    ck_assert_status(custops_store_ingest_csv_buffer(s, csv, strlen(csv), "orders.csv", NULL, NULL, NULL),
                     CUSTOPS_EPARSE);
    ck_assert_str_eq(custops_last_error(), "orders.csv:3:1: row has 8 fields, the header has 7");
    const char *csv2 = "customer_id,order_id,time,currency,sku,qty,unit_price\n"
                       "c1,o1,2024-01-01 00:00:00,CNY,s1,1,12.50\n"
                       "c1,o2,2024-01-02 00:00:00,CNY,s1,1,\"12,50\"\n";
    ck_assert_status(custops_store_ingest_csv_buffer(s, csv2, strlen(csv2), "orders.csv", NULL, NULL, NULL),
                     CUSTOPS_EPARSE);
    ck_assert_str_eq(custops_last_error(),
                     "orders.csv:3:36: expected a decimal amount in column 'unit_price', got '12,50'");
    /* whole file or nothing: the good first row was not applied */
    custops_store_counts n;
    ck_assert_ok(custops_store_stats(s, &n));
    ck_assert_int_eq(n.lines, 0);
    ck_assert_int_eq(n.customers, 0);
    /* more decimals than the currency has is an error, never a rounding */
    const char *csv3 = "customer_id,order_id,time,currency,sku,qty,unit_price\nc1,o1,5,CNY,s1,1,1.005\n";
    ck_assert_status(custops_store_ingest_csv_buffer(s, csv3, strlen(csv3), "o.csv", NULL, NULL, NULL),
                     CUSTOPS_EPARSE);
    ck_assert_ptr_nonnull(strstr(custops_last_error(), "o.csv:2:18: amount '1.005'"));
    /* other currency, bad time, bad qty, missing column, unknown column, unterminated quote */
    const char *cases[][2] = {
        {"customer_id,order_id,time,currency,sku,qty,unit_price\nc1,o1,5,USD,s1,1,1\n",
         "o.csv:2:9: currency 'USD' differs from the store's CNY"},
        {"customer_id,order_id,time,currency,sku,qty,unit_price\nc1,o1,2024-13-01,CNY,s1,1,1\n",
         "o.csv:2:7: expected a time (ISO 8601, 'YYYY-MM-DD HH:MM:SS' or Unix seconds) in column 'time', got "
         "'2024-13-01'"},
        {"customer_id,order_id,time,currency,sku,qty,unit_price\nc1,o1,5,CNY,s1,0,1\n",
         "o.csv:2:16: qty must be > 0, got 0"},
        {"customer_id,order_id,time,currency,sku,qty\nc1,o1,5,CNY,s1,1\n",
         "o.csv:1:1: header lacks the required column 'unit_price' of order_line records"},
        {"customer_id,order_id,time,currency,sku,qty,unit_price,colour\nc1,o1,5,CNY,s1,1,1,red\n",
         "o.csv:1:55: unknown column 'colour' for order_line records"},
        {"customer_id,order_id,time,currency,sku,qty,unit_price\nc1,o1,5,CNY,\"s1,1,1\n",
         "o.csv:2:13: unterminated quoted field"},
        {"customer_id,order_id,time,currency,sku,qty,unit_price\nc1,,5,CNY,s1,1,1\n",
         "o.csv:2:4: required field 'order_id' is empty"},
        {"customer_id,order_id,time,currency,sku,qty,unit_price,discount\nc1,o1,5,CNY,s1,2,1.00,2.01\n",
         "o.csv:2:23: discount must be between 0 and qty * unit_price (200), got 201"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        custops_clear_error();
        int rc = custops_store_ingest_csv_buffer(s, cases[i][0], strlen(cases[i][0]), "o.csv", NULL, NULL, NULL);
        ck_assert_int_eq(rc, CUSTOPS_EPARSE);
        ck_assert_str_eq(custops_last_error(), cases[i][1]);
    }
    ck_assert_ok(custops_store_stats(s, &n));
    ck_assert_int_eq(n.lines, 0);
    custops_store_free(s);
}
END_TEST

START_TEST(test_skip_policy_and_rejects)
{
    custops_store *s;
    ck_assert_ok(custops_store_new(&s, "UTC", "CNY"));
    const char *csv = "qty,unit_price,sku,currency,time,order_id,customer_id\r\n"
                      "1,1.00,s1,CNY,100,o1,c1\r\n"
                      "x,1.00,s1,CNY,100,o2,c2\r\n"
                      "\r\n"
                      "1,1.00,s1,CNY,100,o3,c3\r\n"
                      "1,1.00,s1,CNY,200,o1,c1\r\n";
    custops_ingest_opts o = CUSTOPS_INGEST_OPTS_INIT;
    o.policy = CUSTOPS_INGEST_SKIP;
    custops_ingest_result r;
    custops_frame *rej;
    ck_assert_ok(custops_store_ingest_csv_buffer(s, csv, strlen(csv), "o.csv", &o, &r, &rej));
    ck_assert_int_eq(r.rows, 4);
    ck_assert_int_eq(r.accepted, 2);
    ck_assert_int_eq(r.rejected, 2);
    ck_assert_int_eq(custops_frame_nrows(rej), 2);
    ck_assert_int_eq(I(rej, "line", 0), 3);
    ck_assert_int_eq(I(rej, "column", 0), 1);
    ck_assert_str_eq(S(rej, "message", 0), "expected an integer in column 'qty', got 'x'");
    ck_assert_int_eq(I(rej, "line", 1), 6);
    ck_assert_int_eq(I(rej, "column", 1), 15);
    ck_assert_str_eq(S(rej, "message", 1), "lines of order 'o1' have different times");
    custops_frame_free(rej);
    /* the rejected row's customer c2 was never created */
    custops_store_counts n;
    ck_assert_ok(custops_store_stats(s, &n));
    ck_assert_int_eq(n.customers, 2);
    ck_assert_int_eq(n.lines, 2);
    /* fail-fast reports the failing row in the frame too */
    ck_assert_int_eq(custops_store_ingest_csv_buffer(s, csv, strlen(csv), "o.csv", NULL, &r, &rej), CUSTOPS_EPARSE);
    ck_assert_int_eq(custops_frame_nrows(rej), 1);
    ck_assert_int_eq(I(rej, "line", 0), 3);
    custops_frame_free(rej);
    ck_assert_ok(custops_store_stats(s, &n));
    ck_assert_int_eq(n.lines, 2);
    custops_store_free(s);
}
END_TEST

START_TEST(test_limits)
{
    custops_store *s;
    ck_assert_ok(custops_store_new(&s, "UTC", "CNY"));
    custops_ingest_opts o = CUSTOPS_INGEST_OPTS_INIT;
    o.max_field_len = 12;
    const char *csv = "customer_id,order_id,time,currency,sku,qty,unit_price\nc1,o1,5,CNY,s123456789012,1,1\n";
    ck_assert_status(custops_store_ingest_csv_buffer(s, csv, strlen(csv), "o.csv", &o, NULL, NULL), CUSTOPS_ELIMIT);
    ck_assert_str_eq(custops_last_error(), "o.csv:2:13: field of 13 bytes exceeds the limit of 12 bytes");
    o.max_field_len = 0;
    o.max_line_len = 20;
    ck_assert_status(custops_store_ingest_csv_buffer(s, csv, strlen(csv), "o.csv", &o, NULL, NULL), CUSTOPS_ELIMIT);
    const char *jl = "{\"kind\":\"event\",\"customer_id\":\"c1\",\"time\":5,\"type\":\"view\"}\n";
    ck_assert_status(custops_store_ingest_jsonl_buffer(s, jl, strlen(jl), "e.jsonl", &o, NULL, NULL), CUSTOPS_ELIMIT);
    ck_assert_str_eq(custops_last_error(), "e.jsonl:1:1: line of 58 bytes exceeds the limit of 20 bytes");
    o.version = 7;
    ck_assert_status(custops_store_ingest_csv_buffer(s, csv, strlen(csv), "o.csv", &o, NULL, NULL), CUSTOPS_EVERSION);
    custops_store_free(s);
}
END_TEST

START_TEST(test_jsonl)
{
    custops_store *s;
    ck_assert_ok(custops_store_new(&s, "Asia/Shanghai", "CNY"));
    const char *jl =
        "{\"kind\":\"order_line\",\"order_id\":\"o1\",\"customer_id\":\"c\\u00e9\",\"time\":\"2024-11-11 20:00:00\","
        "\"currency\":\"CNY\",\"sku\":\"s1\",\"qty\":2,\"unit_price\":69.90,\"discount\":null}\n"
        "\n"
        "{\"kind\":\"customer\",\"customer_id\":\"c\u00e9\",\"gender\":\"f\",\"birth_year\":1990,\"region\":\"East "
        "China\",\"tags\":[\"vip\",\"a\\\"b\"],\"consent_sms\":true,\"member_since\":\"2020-01-01T00:00:00Z\"}\n"
        "{\"kind\":\"event\",\"customer_id\":\"c2\",\"time\":1731326400,\"type\":\"cart_add\",\"sku\":\"s1\"}\n";
    custops_ingest_result r;
    ck_assert_ok(custops_store_ingest_jsonl_buffer(s, jl, strlen(jl), "all.jsonl", NULL, &r, NULL));
    ck_assert_int_eq(r.accepted, 3);
    custops_features_opts o = CUSTOPS_FEATURES_OPTS_INIT;
    o.now = at("2024-11-12 00:00:00");
    custops_frame *f;
    ck_assert_ok(custops_store_features(s, &o, &f));
    size_t c = row_of(f, "c\xc3\xa9");
    ck_assert_int_eq(I(f, "spend", c), 13980);
    ck_assert_int_eq(I(f, "gender", c), 1);
    ck_assert_int_eq(I(f, "birth_year", c), 1990);
    ck_assert_int_eq(I(f, "consent_sms", c), 1);
    ck_assert_int_eq(I(f, "consent_email", c), 0);
    ck_assert_int_eq(I(f, "member_since", c), 1577836800);
    ck_assert_int_eq(I(f, "tags", c), 3);
    ck_assert_int_eq(I(f, "hour_20", c), 1);
    custops_frame_free(f);
    custops_frame *d;
    ck_assert_ok(custops_store_dict(s, "tag", &d));
    ck_assert_str_eq(S(d, "name", 1), "a\"b");
    custops_frame_free(d);
    custops_frame *e;
    ck_assert_ok(custops_store_events(s, &e));
    ck_assert_int_eq(custops_frame_nrows(e), 1);
    ck_assert_int_eq(I(e, "type", 0), CUSTOPS_EVENT_CART_ADD);
    custops_frame_free(e);
    /* errors name line and column */
    const char *bad = "{\"kind\":\"event\",\"customer_id\":\"c2\",\"time\":1,\"type\":\"view\"}\n"
                      "{\"kind\":\"event\",\"customer_id\":\"c2\",\"time\":1,\"type\":\"poke\"}\n";
    ck_assert_status(custops_store_ingest_jsonl_buffer(s, bad, strlen(bad), "e.jsonl", NULL, NULL, NULL),
                     CUSTOPS_EPARSE);
    ck_assert_ptr_nonnull(strstr(custops_last_error(), "e.jsonl:2:52: unknown event type 'poke'"));
    const char *bad2 = "{\"kind\":\"event\",\"customer_id\":\"c2\",\"time\":1,\"type\":\"view\",\"x\":{}}\n";
    ck_assert_status(custops_store_ingest_jsonl_buffer(s, bad2, strlen(bad2), "e.jsonl", NULL, NULL, NULL),
                     CUSTOPS_EPARSE);
    ck_assert_str_eq(custops_last_error(), "e.jsonl:1:59: unknown field 'x'");
    const char *bad3 = "{\"customer_id\":\"c2\"}\n";
    ck_assert_status(custops_store_ingest_jsonl_buffer(s, bad3, strlen(bad3), "e.jsonl", NULL, NULL, NULL),
                     CUSTOPS_EPARSE);
    ck_assert_str_eq(custops_last_error(), "e.jsonl:1:1: record has no \"kind\" field");
    ck_assert_ok(custops_store_events(s, &e));
    ck_assert_int_eq(custops_frame_nrows(e), 1); /* nothing of the failed files was applied */
    custops_frame_free(e);
    custops_store_free(s);
}
END_TEST

START_TEST(test_batch_api_whole_or_nothing)
{
    custops_store *s;
    ck_assert_ok(custops_store_new(&s, "UTC", "USD"));
    custops_order_line lines[3] = {
        {"o1", "c1", 1000, "a", NULL, 1, 500, 0, NULL, NULL},
        {"o2", "c2", 2000, "b", "cat", 2, 300, 100, "X", "web"},
        {"o1", "c9", 1000, "a", NULL, 1, 500, 0, NULL, NULL}, /* o1 belongs to c1 */
    };
    ck_assert_status(custops_store_add_lines(s, lines, 3), CUSTOPS_EINVAL);
    ck_assert_ptr_nonnull(strstr(custops_last_error(), "record 2: customer_id: order 'o1' belongs to customer 'c1'"));
    custops_store_counts n;
    ck_assert_ok(custops_store_stats(s, &n));
    ck_assert_int_eq(n.lines, 0);
    ck_assert_int_eq(n.customers, 0);
    ck_assert_int_eq(n.orders, 0);
    ck_assert_ok(custops_store_add_lines(s, lines, 2));
    custops_event ev[2] = {{"c1", 500, CUSTOPS_EVENT_VIEW, "a", NULL, NULL}, {"c3", 600, 42, NULL, NULL, NULL}};
    ck_assert_status(custops_store_add_events(s, ev, 2), CUSTOPS_EINVAL);
    ck_assert_ok(custops_store_add_events(s, ev, 1));
    custops_customer cu[1] = {{"c2", 2, 1985, "North", -1, 1, 1, 0, "a|b|a"}};
    ck_assert_ok(custops_store_add_customers(s, cu, 1));
    custops_refund rf[1] = {{"r1", "o9", 3000, NULL, -1, 100}};
    ck_assert_status(custops_store_add_refunds(s, rf, 1), CUSTOPS_ENOTFOUND);
    ck_assert_status(custops_store_add_lines(NULL, lines, 1), CUSTOPS_EINVAL);
    ck_assert_status(custops_store_add_lines(s, NULL, 1), CUSTOPS_EINVAL);
    ck_assert_ok(custops_store_stats(s, &n));
    ck_assert_int_eq(n.lines, 2);
    ck_assert_int_eq(n.events, 1);
    ck_assert_int_eq(n.customers, 2);
    custops_features_opts o = CUSTOPS_FEATURES_OPTS_INIT;
    o.now = 10000;
    custops_frame *f;
    ck_assert_ok(custops_store_features(s, &o, &f));
    size_t c2 = row_of(f, "c2");
    ck_assert_int_eq(I(f, "spend", c2), 500);
    ck_assert_int_eq(I(f, "gender", c2), 2);
    ck_assert_int_eq(I(f, "tags", c2), 3);
    ck_assert_int_eq(I(f, "region", c2), 0);
    custops_frame_free(f);
    custops_store *bad;
    ck_assert_status(custops_store_new(&bad, "UTC", "XXX"), CUSTOPS_ENOTFOUND);
    ck_assert_ptr_null(bad);
    custops_store_free(s);
}
END_TEST

/* windows on hand-built data: orders in the last N days, events of a type between -10d and -3d */
START_TEST(test_windows)
{
    custops_store *s;
    ck_assert_ok(custops_store_new(&s, "UTC", "CNY"));
    const int64_t DAY = 86400, now = 100 * DAY;
    custops_order_line l[] = {
        {"o1", "a", now - 1 * DAY, "x", NULL, 1, 1, 0, NULL, NULL},
        {"o1", "a", now - 1 * DAY, "y", NULL, 1, 1, 0, NULL, NULL}, /* same order: counted once */
        {"o2", "a", now - 30 * DAY, "x", NULL, 1, 1, 0, NULL, NULL}, /* exactly 30 days: outside (30, 0] */
        {"o3", "a", now - 29 * DAY, "x", NULL, 1, 1, 0, NULL, NULL},
        {"o4", "b", now + 1, "x", NULL, 1, 1, 0, NULL, NULL}, /* future */
        {"o5", "b", now, "x", NULL, 1, 1, 0, NULL, NULL},
    };
    ck_assert_ok(custops_store_add_lines(s, l, 6));
    custops_event e[] = {
        {"a", now - 10 * DAY, CUSTOPS_EVENT_CART_ADD, NULL, NULL, NULL}, /* boundary: excluded */
        {"a", now - 10 * DAY + 1, CUSTOPS_EVENT_CART_ADD, NULL, NULL, NULL},
        {"a", now - 3 * DAY, CUSTOPS_EVENT_CART_ADD, NULL, NULL, NULL}, /* boundary: included */
        {"a", now - 3 * DAY + 1, CUSTOPS_EVENT_CART_ADD, NULL, NULL, NULL},
        {"b", now - 5 * DAY, CUSTOPS_EVENT_FAVOURITE, NULL, NULL, NULL},
        {"c", now - 5 * DAY, CUSTOPS_EVENT_CART_ADD, NULL, NULL, NULL},
    };
    ck_assert_ok(custops_store_add_events(s, e, 6));
    custops_frame *f;
    ck_assert_ok(custops_store_count_orders(s, now, 30, 0, &f));
    ck_assert_int_eq(custops_frame_nrows(f), 3);
    ck_assert_int_eq(I(f, "count", row_of(f, "a")), 2);
    ck_assert_int_eq(I(f, "count", row_of(f, "b")), 1);
    ck_assert_int_eq(I(f, "count", row_of(f, "c")), 0);
    custops_frame_free(f);
    ck_assert_ok(custops_store_count_events(s, CUSTOPS_EVENT_CART_ADD, now, 10, 3, &f));
    ck_assert_int_eq(I(f, "count", row_of(f, "a")), 2);
    ck_assert_int_eq(I(f, "count", row_of(f, "b")), 0);
    ck_assert_int_eq(I(f, "count", row_of(f, "c")), 1);
    custops_frame_free(f);
    ck_assert_status(custops_store_count_events(s, 9, now, 10, 3, &f), CUSTOPS_EINVAL);
    ck_assert_status(custops_store_count_orders(s, now, 3, 10, &f), CUSTOPS_EINVAL);
    ck_assert_status(custops_store_count_orders(s, now, 3, -1, &f), CUSTOPS_EINVAL);
    custops_store_free(s);
}
END_TEST

START_TEST(test_erase_really_erases)
{
    custops_store *s = shop();
    const char *ev = "customer_id,time,type,sku\nalice,2024-11-01 09:00:00,view,sku1\nbob,2024-11-01 "
                     "09:00:00,cart_add,sku1\n";
    ck_assert_ok(custops_store_ingest_csv_buffer(s, ev, strlen(ev), "events.csv", NULL, NULL, NULL));
    const char *cu = "customer_id,region,tags\nalice,Secretville,vip\n";
    ck_assert_ok(custops_store_ingest_csv_buffer(s, cu, strlen(cu), "customers.csv", NULL, NULL, NULL));
    const char *rf = "refund_id,order_id,time,amount\nr1,o3,2024-11-05 00:00:00,5.00\n";
    ck_assert_ok(custops_store_ingest_csv_buffer(s, rf, strlen(rf), "refunds.csv", NULL, NULL, NULL));
    char *json;
    ck_assert_ok(custops_store_export_customer(s, "alice", &json));
    ck_assert_ptr_nonnull(strstr(json, "\"order_id\":\"o4\""));
    ck_assert_ptr_nonnull(strstr(json, "\"refund_id\":\"r1\""));
    ck_assert_ptr_nonnull(strstr(json, "\"region\":\"Secretville\""));
    ck_assert_ptr_nonnull(strstr(json, "\"type\":\"view\""));
    ck_assert_ptr_nonnull(strstr(json, "\"amount\":\"180.00\""));
    custops_free(json);
    ck_assert_ok(custops_store_erase(s, "alice"));
    ck_assert_status(custops_store_erase(s, "alice"), CUSTOPS_ENOTFOUND);
    ck_assert_status(custops_store_export_customer(s, "alice", &json), CUSTOPS_ENOTFOUND);
    custops_store_counts n;
    ck_assert_ok(custops_store_stats(s, &n));
    ck_assert_int_eq(n.customers, 2);
    ck_assert_int_eq(n.orders, 2);
    ck_assert_int_eq(n.lines, 2);
    ck_assert_int_eq(n.events, 1);
    ck_assert_int_eq(n.refunds, 0);
    custops_frame *d;
    ck_assert_ok(custops_store_dict(s, "customer", &d));
    ck_assert_int_eq(custops_frame_nrows(d), 2);
    ck_assert_str_eq(S(d, "name", 0), "bob");
    custops_frame_free(d);
    custops_frame *l;
    ck_assert_ok(custops_store_lines(s, &l));
    ck_assert_int_eq(I(l, "customer", 0), 0);
    ck_assert_int_eq(I(l, "customer", 1), 1);
    ck_assert_int_eq(I(l, "order", 0), 0);
    custops_frame_free(l);
    /* nothing of alice survives a save either: her id is not in the file */
    char dir[256], path[300];
    test_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/s.stor", dir);
    ck_assert_ok(custops_store_save(s, path));
    FILE *fp = fopen(path, "rb");
    ck_assert_ptr_nonnull(fp);
    char buf[65536];
    size_t got = fread(buf, 1, sizeof buf, fp);
    fclose(fp);
    for (size_t i = 0; i + 5 <= got; i++) {
        ck_assert_msg(memcmp(buf + i, "alice", 5) != 0, "'alice' still in the save file");
    }
    unlink(path);
    rmdir(dir);
    /* the orders of bob can still be refunded, alice's o4 is gone */
    const char *rf2 = "refund_id,order_id,time,amount\nr2,o4,2024-11-12 00:00:00,1.00\n";
    ck_assert_status(custops_store_ingest_csv_buffer(s, rf2, strlen(rf2), "refunds.csv", NULL, NULL, NULL),
                     CUSTOPS_EPARSE);
    custops_store_free(s);
}
END_TEST

START_TEST(test_purge)
{
    custops_store *s = shop();
    const char *ev = "customer_id,time,type\nalice,2024-10-01 09:00:00,visit\nbob,2024-11-09 09:00:00,login\n";
    ck_assert_ok(custops_store_ingest_csv_buffer(s, ev, strlen(ev), "events.csv", NULL, NULL, NULL));
    uint64_t removed;
    ck_assert_ok(custops_store_purge(s, at("2024-11-05 00:00:00"), &removed));
    ck_assert_int_eq(removed, 4 + 1); /* o1 x2, o2, o3 lines and one event; o5 is 08:00 on Nov 5 */
    custops_store_counts n;
    ck_assert_ok(custops_store_stats(s, &n));
    ck_assert_int_eq(n.lines, 2);
    ck_assert_int_eq(n.orders, 2);
    ck_assert_int_eq(n.events, 1);
    ck_assert_int_eq(n.customers, 3);
    custops_frame *l;
    ck_assert_ok(custops_store_lines(s, &l));
    ck_assert_int_eq(I(l, "order", 0), 0);
    ck_assert_int_eq(I(l, "amount", 0), 2900);
    custops_frame_free(l);
    custops_store_free(s);
}
END_TEST

static void same_frames(const custops_frame *a, const custops_frame *b)
{
    ck_assert_int_eq(custops_frame_nrows(a), custops_frame_nrows(b));
    ck_assert_int_eq(custops_frame_ncols(a), custops_frame_ncols(b));
    for (size_t c = 0; c < custops_frame_ncols(a); c++) {
        ck_assert_str_eq(custops_frame_col_name(a, c), custops_frame_col_name(b, c));
        for (size_t r = 0; r < custops_frame_nrows(a); r++) {
            if (custops_frame_col_type(a, c) == CUSTOPS_COL_INT64) {
                const int64_t *x, *y;
                custops_frame_int64(a, c, &x);
                custops_frame_int64(b, c, &y);
                ck_assert_msg(x[r] == y[r], "column %s row %zu: %lld != %lld", custops_frame_col_name(a, c), r, (long long)x[r], (long long)y[r]);
            } else if (custops_frame_col_type(a, c) == CUSTOPS_COL_DOUBLE) {
                const double *x, *y;
                custops_frame_double(a, c, &x);
                custops_frame_double(b, c, &y);
                ck_assert_double_eq(x[r], y[r]);
            } else {
                const char *x, *y;
                custops_frame_string(a, c, r, &x);
                custops_frame_string(b, c, r, &y);
                ck_assert_str_eq(x, y);
            }
        }
    }
}

START_TEST(test_save_load_round_trip_and_corruption)
{
    custops_store *s = shop();
    const char *ev = "customer_id,time,type,coupon_code\nbob,2024-11-01 09:00:00,coupon_received,C10\n";
    ck_assert_ok(custops_store_ingest_csv_buffer(s, ev, strlen(ev), "events.csv", NULL, NULL, NULL));
    const char *rf = "refund_id,order_id,time,sku,amount\nr1,o1,2024-11-05 00:00:00,sku1,5.00\n";
    ck_assert_ok(custops_store_ingest_csv_buffer(s, rf, strlen(rf), "refunds.csv", NULL, NULL, NULL));
    const char *cu = "customer_id,gender,tags,consent_push\ncarol,m,x|y,1\n";
    ck_assert_ok(custops_store_ingest_csv_buffer(s, cu, strlen(cu), "customers.csv", NULL, NULL, NULL));
    char dir[256], path[300];
    test_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/s.stor", dir);
    ck_assert_ok(custops_store_save(s, path));
    custops_store *t;
    ck_assert_ok(custops_store_load(&t, path));
    ck_assert_str_eq(custops_store_zone(t), "Asia/Shanghai");
    ck_assert_str_eq(custops_store_currency(t), "CNY");
    custops_features_opts o = CUSTOPS_FEATURES_OPTS_INIT;
    o.now = at("2024-12-01 00:00:00");
    custops_frame *a, *b;
    ck_assert_ok(custops_store_features(s, &o, &a));
    ck_assert_ok(custops_store_features(t, &o, &b));
    same_frames(a, b);
    custops_frame_free(a);
    custops_frame_free(b);
    ck_assert_ok(custops_store_lines(s, &a));
    ck_assert_ok(custops_store_lines(t, &b));
    same_frames(a, b);
    custops_frame_free(a);
    custops_frame_free(b);
    ck_assert_ok(custops_store_events(s, &a));
    ck_assert_ok(custops_store_events(t, &b));
    same_frames(a, b);
    custops_frame_free(a);
    custops_frame_free(b);
    /* the loaded store keeps working: refunds find their orders, ids stay */
    ck_assert_ok(custops_store_ingest_csv_buffer(t, rf, strlen(rf), "refunds.csv", NULL, NULL, NULL));
    custops_store_free(t);

    /* every truncation and a flipped byte anywhere give ECORRUPT and no store */
    FILE *fp = fopen(path, "rb");
    static unsigned char buf[1 << 16];
    size_t len = fread(buf, 1, sizeof buf, fp);
    fclose(fp);
    ck_assert_int_gt(len, 100);
    char bad[320];
    snprintf(bad, sizeof bad, "%s/bad.stor", dir);
    for (size_t cut = 0; cut < len; cut += (cut < 64 ? 1 : 37)) {
        fp = fopen(bad, "wb");
        fwrite(buf, 1, cut, fp);
        fclose(fp);
        t = (custops_store *)1;
        ck_assert_status(custops_store_load(&t, bad), CUSTOPS_ECORRUPT);
        ck_assert_ptr_null(t);
    }
    for (size_t i = 0; i < len; i += 13) {
        buf[i] ^= 0x5a;
        fp = fopen(bad, "wb");
        fwrite(buf, 1, len, fp);
        fclose(fp);
        buf[i] ^= 0x5a;
        int rc = custops_store_load(&t, bad);
        ck_assert_msg(rc == CUSTOPS_ECORRUPT || rc == CUSTOPS_EVERSION, "flip at %zu gave %d", i, rc);
        ck_assert_ptr_null(t);
    }
    ck_assert_status(custops_store_load(&t, "/nonexistent/x.stor"), CUSTOPS_ENOTFOUND);
    unlink(bad);
    unlink(path);
    rmdir(dir);
    custops_store_free(s);
}
END_TEST

/* tests/store/store_v1.stor was written by custops_store_save of the
 * version-1 layout (all int64 columns) from exactly the store built here:
 * the CSV of shop() plus an order whose amount needs 8 bytes and whose
 * time is before 1970, two refunds, an event and customer attributes.
 * Whatever the in-memory layout becomes, a version-1 file must load into
 * the same store. */
static const char *V1_EXTRA = "order_id,customer_id,time,currency,sku,category,qty,unit_price,discount,coupon_code,channel\n"
                              "o6,dave,1901-01-01 00:00:00,CNY,sku9,,1,50000000000.00,,,\n";

static custops_store *v1_source(void)
{
    custops_store *s = shop();
    ck_assert_ok(custops_store_ingest_csv_buffer(s, V1_EXTRA, strlen(V1_EXTRA), "orders.csv", NULL, NULL, NULL));
    const char *ev = "customer_id,time,type,coupon_code\nbob,2024-11-01 09:00:00,coupon_received,C10\n";
    ck_assert_ok(custops_store_ingest_csv_buffer(s, ev, strlen(ev), "events.csv", NULL, NULL, NULL));
    const char *rf = "refund_id,order_id,time,sku,amount\nr1,o1,2024-11-05 00:00:00,sku1,5.00\n"
                     "r2,o6,1901-02-01 00:00:00,,7.00\n";
    ck_assert_ok(custops_store_ingest_csv_buffer(s, rf, strlen(rf), "refunds.csv", NULL, NULL, NULL));
    const char *cu = "customer_id,gender,tags,consent_push\ncarol,m,x|y,1\n";
    ck_assert_ok(custops_store_ingest_csv_buffer(s, cu, strlen(cu), "customers.csv", NULL, NULL, NULL));
    return s;
}

START_TEST(test_load_version_1_file)
{
    const char *top = getenv("top_srcdir");
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/store/store_v1.stor", top ? top : "..");
    custops_store *t, *s = v1_source();
    ck_assert_ok(custops_store_load(&t, path));
    ck_assert_str_eq(custops_store_zone(t), "Asia/Shanghai");
    ck_assert_str_eq(custops_store_currency(t), "CNY");
    custops_store_counts n;
    ck_assert_ok(custops_store_stats(t, &n));
    ck_assert_int_eq(n.customers, 4);
    ck_assert_int_eq(n.orders, 6);
    ck_assert_int_eq(n.lines, 7);
    ck_assert_int_eq(n.refunds, 2);
    ck_assert_int_eq(n.events, 1);
    custops_frame *a, *b;
    ck_assert_ok(custops_store_lines(t, &b));
    /* dave's order sorts last (customer code 3); its amount needs 8 bytes */
    ck_assert_int_eq(I(b, "amount", 6), INT64_C(5000000000000));
    ck_assert_int_eq(I(b, "time", 6), at("1901-01-01 00:00:00"));
    ck_assert_int_eq(I(b, "refunded", 6), 700);
    ck_assert_int_eq(I(b, "category", 6), -1);
    ck_assert_ok(custops_store_lines(s, &a));
    same_frames(a, b);
    custops_frame_free(a);
    custops_frame_free(b);
    ck_assert_ok(custops_store_events(s, &a));
    ck_assert_ok(custops_store_events(t, &b));
    same_frames(a, b);
    custops_frame_free(a);
    custops_frame_free(b);
    custops_features_opts o = CUSTOPS_FEATURES_OPTS_INIT;
    o.now = at("2024-12-01 00:00:00");
    ck_assert_ok(custops_store_features(s, &o, &a));
    ck_assert_ok(custops_store_features(t, &o, &b));
    same_frames(a, b);
    custops_frame_free(a);
    custops_frame_free(b);
    static const char *const dicts[] = {"customer", "sku", "category", "coupon", "channel", "region", "tag"};
    for (size_t d = 0; d < sizeof dicts / sizeof *dicts; d++) {
        ck_assert_ok(custops_store_dict(s, dicts[d], &a));
        ck_assert_ok(custops_store_dict(t, dicts[d], &b));
        same_frames(a, b);
        custops_frame_free(a);
        custops_frame_free(b);
    }
    /* the loaded store knows its refund ids and orders */
    const char *rf = "refund_id,order_id,time,sku,amount\nr2,o6,1901-02-01 00:00:00,,7.00\n";
    custops_ingest_result r;
    ck_assert_ok(custops_store_ingest_csv_buffer(t, rf, strlen(rf), "refunds.csv", NULL, &r, NULL));
    ck_assert_int_eq(r.ignored, 1);
    ck_assert_ok(custops_store_stats(t, &n));
    ck_assert_int_eq(n.refunds, 2);
    custops_store_free(t);
    custops_store_free(s);
}
END_TEST

/* Columns are stored as narrow as their values allow and widen in place
 * (all rows) the first time a value does not fit: 1 -> 2 -> 4 -> 8 bytes,
 * times as an offset from a base near 2023. Every value must come back
 * exactly, before and after each widening, and a batch rolled back after
 * it widened a column leaves the rows as they were. */
static void add_one(custops_store *s, size_t k, int64_t time, int64_t qty, int64_t price, int64_t discount)
{
    char oid[32], cid[32];
    snprintf(oid, sizeof oid, "o%05zu", k);
    snprintf(cid, sizeof cid, "c%05zu", k); /* one customer per row: view order = insertion order */
    custops_order_line l = {oid, cid, time, "s", NULL, qty, price, discount, NULL, NULL};
    ck_assert_ok(custops_store_add_lines(s, &l, 1));
}

static void check_lines(custops_store *s, size_t n, const int64_t *time, const int64_t *amount, const int64_t *disc)
{
    custops_frame *f;
    ck_assert_ok(custops_store_lines(s, &f));
    ck_assert_uint_eq(custops_frame_nrows(f), n);
    for (size_t i = 0; i < n; i++) {
        ck_assert_int_eq(I(f, "customer", i), (int64_t)i);
        ck_assert_int_eq(I(f, "order", i), (int64_t)i);
        ck_assert_int_eq(I(f, "time", i), time[i]);
        ck_assert_int_eq(I(f, "amount", i), amount[i]);
        ck_assert_int_eq(I(f, "discount", i), disc[i]);
        ck_assert_int_eq(I(f, "category", i), -1);
        ck_assert_int_eq(I(f, "qty", i), 1);
    }
    custops_frame_free(f);
}

START_TEST(test_columns_widen)
{
    custops_store *s;
    ck_assert_ok(custops_store_new(&s, "UTC", "USD"));
    enum { N = 300 };
    static int64_t time[N + 16], amount[N + 16], disc[N + 16];
    const int64_t B = INT64_C(1700000000); /* the time base */
    size_t n = 0;
    /* many small rows first, so widening converts more rows than one block */
    for (; n < N; n++) {
        time[n] = B + (int64_t)n - 100;
        amount[n] = (int64_t)(n % 100);
        disc[n] = 0;
        add_one(s, n, time[n], 1, amount[n], 0);
    }
    check_lines(s, n, time, amount, disc);
    /* each boundary of each width: the last value that fits, then the first that does not */
    static const int64_t amounts[] = {127, 128, 32767, 32768, INT32_MAX, (int64_t)INT32_MAX + 1, INT64_C(5000000000000)};
    static const int64_t times[] = {INT64_C(1700000000) + INT32_MAX, INT64_C(1700000000) + INT32_MIN,
                                    INT64_C(1700000000) + (int64_t)INT32_MAX + 1, INT64_C(-62135596800),
                                    INT64_C(253402300799)};
    for (size_t k = 0; k < sizeof amounts / sizeof *amounts; k++, n++) {
        time[n] = B;
        amount[n] = amounts[k] - 1;
        disc[n] = 1;
        add_one(s, n, time[n], 1, amounts[k], 1);
        check_lines(s, n + 1, time, amount, disc);
    }
    for (size_t k = 0; k < sizeof times / sizeof *times; k++, n++) {
        time[n] = times[k];
        amount[n] = 3;
        disc[n] = 0;
        add_one(s, n, time[n], 1, 3, 0);
        check_lines(s, n + 1, time, amount, disc);
    }
    /* a batch that widens the discount column to 8 bytes, then fails: rolled back */
    custops_order_line bad[2] = {{"w1", "w1", B, "s", NULL, 1, INT64_C(9000000000000000000), INT64_C(8000000000000000000),
                                  NULL, NULL},
                                 {"w2", "w2", B, "s", NULL, 0, 1, 0, NULL, NULL}};
    ck_assert_status(custops_store_add_lines(s, bad, 2), CUSTOPS_EINVAL);
    check_lines(s, n, time, amount, disc);
    /* the store keeps working at the wider width */
    time[n] = B + 7;
    amount[n] = 2;
    disc[n] = 5;
    add_one(s, n, time[n], 1, 7, 5);
    n++;
    check_lines(s, n, time, amount, disc);
    /* saved and loaded: the same values */
    char dir[256], path[300];
    test_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/w.stor", dir);
    ck_assert_ok(custops_store_save(s, path));
    custops_store *t;
    ck_assert_ok(custops_store_load(&t, path));
    check_lines(t, n, time, amount, disc);
    custops_store_free(t);
    unlink(path);
    rmdir(dir);
    custops_store_free(s);
}
END_TEST

/* The intern tables index themselves (hash-tagged slots re-placed from the
 * tags when they grow, re-hashed from the strings on rollback): after
 * several growths and a rollback of thousands of new ids, every kept id is
 * found with its own code and every dropped one is unknown. */
START_TEST(test_index_growth_and_large_rollback)
{
    custops_store *s;
    ck_assert_ok(custops_store_new(&s, "UTC", "CNY"));
    enum { KEEP = 5000, DROP = 7000 };
    static custops_order_line l[KEEP + DROP + 1];
    static char oid[KEEP + DROP][16], cid[KEEP + DROP][16];
    for (size_t i = 0; i < KEEP + DROP; i++) {
        snprintf(oid[i], sizeof oid[i], "ord-%zu", i);
        snprintf(cid[i], sizeof cid[i], "cu%zu", i % 3000);
        l[i] = (custops_order_line){oid[i], cid[i], 1000 + (int64_t)i, "s", NULL, 1, 1, 0, NULL, NULL};
    }
    ck_assert_ok(custops_store_add_lines(s, l, KEEP));
    l[KEEP + DROP] = (custops_order_line){"bad", "x", 1, "s", NULL, 0, 1, 0, NULL, NULL};
    ck_assert_status(custops_store_add_lines(s, l + KEEP, DROP + 1), CUSTOPS_EINVAL);
    custops_store_counts n;
    ck_assert_ok(custops_store_stats(s, &n));
    ck_assert_int_eq(n.orders, KEEP);
    ck_assert_int_eq(n.customers, 3000);
    for (size_t i = 0; i < KEEP + DROP; i += 7) {
        char rid[24];
        snprintf(rid, sizeof rid, "r%zu", i);
        custops_refund rf = {rid, oid[i], 9000, NULL, -1, 1};
        ck_assert_int_eq(custops_store_add_refunds(s, &rf, 1), i < KEEP ? CUSTOPS_OK : CUSTOPS_ENOTFOUND);
    }
    /* a kept order still checks its customer; a dropped one is new again */
    custops_order_line again[2] = {{oid[10], "cu11", 1010, "s", NULL, 1, 1, 0, NULL, NULL},
                                   {oid[KEEP + 5], "zz", 5, "s", NULL, 1, 1, 0, NULL, NULL}};
    ck_assert_status(custops_store_add_lines(s, again, 1), CUSTOPS_EINVAL);
    ck_assert_ok(custops_store_add_lines(s, again + 1, 1));
    custops_frame *f;
    ck_assert_ok(custops_store_lines(s, &f));
    ck_assert_uint_eq(custops_frame_nrows(f), KEEP + 1);
    /* customer code of each line: its order's customer (time 1000 + i is
     * order i's); order codes follow the lines once sorted */
    for (size_t i = 0; i < custops_frame_nrows(f); i++) {
        int64_t t = I(f, "time", i), c = I(f, "customer", i);
        ck_assert_int_eq(c, t >= 1000 ? (t - 1000) % 3000 : 3000);
        ck_assert_int_eq(I(f, "order", i), (int64_t)i);
    }
    custops_frame_free(f);
    ck_assert_ok(custops_store_dict(s, "customer", &f));
    ck_assert_str_eq(S(f, "name", 3000), "zz");
    ck_assert_str_eq(S(f, "name", 2999), "cu2999");
    custops_frame_free(f);
    custops_store_free(s);
}
END_TEST

/* A line holds no customer or time: they are its order's. Sorting puts
 * the orders in (customer, time, arrival) order and renumbers them, and
 * everything that names an order by code (lines, refunds, the index of
 * order ids) follows: refunds stay on their lines, ids still find their
 * orders, erase, purge, export and save/load see the same store. */
START_TEST(test_orders_renumbered_with_refunds)
{
    custops_store *s;
    ck_assert_ok(custops_store_new(&s, "UTC", "CNY"));
    const char *csv = "order_id,customer_id,time,currency,sku,qty,unit_price\n"
                      "z1,zed,500,CNY,a,1,10\n"
                      "a1,amy,300,CNY,a,1,20\n"
                      "a1,amy,300,CNY,b,2,5\n"
                      "z2,zed,100,CNY,b,1,30\n"
                      "a2,amy,200,CNY,a,1,40\n"
                      "b1,bo,400,CNY,a,3,1\n";
    ck_assert_ok(custops_store_ingest_csv_buffer(s, csv, strlen(csv), "o.csv", NULL, NULL, NULL));
    custops_refund rf[2] = {{"r1", "a1", 600, "b", -1, 400}, {"r2", "z2", 700, NULL, -1, 3000}};
    ck_assert_ok(custops_store_add_refunds(s, rf, 2));
    custops_frame *f;
    ck_assert_ok(custops_store_lines(s, &f));
    /* zed (code 0): z2 at 100, z1 at 500; amy (1): a2 at 200, a1 at 300 x2; bo (2): b1 */
    static const int64_t cust[] = {0, 0, 1, 1, 1, 2}, time[] = {100, 500, 200, 300, 300, 400},
                         amount[] = {3000, 1000, 4000, 2000, 1000, 300}, refunded[] = {3000, 0, 0, 0, 400, 0};
    ck_assert_uint_eq(custops_frame_nrows(f), 6);
    for (size_t i = 0; i < 6; i++) {
        ck_assert_int_eq(I(f, "customer", i), cust[i]);
        ck_assert_int_eq(I(f, "time", i), time[i]);
        ck_assert_int_eq(I(f, "amount", i), amount[i]);
        ck_assert_int_eq(I(f, "refunded", i), refunded[i]);
    }
    static const int64_t order[] = {0, 1, 2, 3, 3, 4};
    for (size_t i = 0; i < 6; i++)
        ck_assert_int_eq(I(f, "order", i), order[i]);
    custops_frame_free(f);
    /* ids still name their orders: a1 belongs to amy at 300, z1 to zed */
    const char *bad = "order_id,customer_id,time,currency,sku,qty,unit_price\na1,amy,301,CNY,a,1,1\n";
    ck_assert_status(custops_store_ingest_csv_buffer(s, bad, strlen(bad), "b.csv", NULL, NULL, NULL), CUSTOPS_EPARSE);
    ck_assert_str_eq(custops_last_error(), "b.csv:2:8: lines of order 'a1' have different times");
    bad = "order_id,customer_id,time,currency,sku,qty,unit_price\nz1,amy,500,CNY,a,1,1\n";
    ck_assert_status(custops_store_ingest_csv_buffer(s, bad, strlen(bad), "c.csv", NULL, NULL, NULL), CUSTOPS_EPARSE);
    ck_assert_str_eq(custops_last_error(), "c.csv:2:4: order 'z1' belongs to customer 'zed'");
    /* a refund added after the renumbering finds its order and line */
    custops_refund r3 = {"r3", "z1", 800, NULL, -1, 250};
    ck_assert_ok(custops_store_add_refunds(s, &r3, 1));
    ck_assert_ok(custops_store_lines(s, &f));
    ck_assert_int_eq(I(f, "refunded", 1), 250);
    ck_assert_int_eq(I(f, "refunded", 0), 3000);
    custops_frame_free(f);
    char *json;
    ck_assert_ok(custops_store_export_customer(s, "zed", &json));
    ck_assert_ptr_nonnull(strstr(json, "\"refund_id\":\"r2\",\"order_id\":\"z2\""));
    ck_assert_ptr_nonnull(strstr(json, "\"refund_id\":\"r3\",\"order_id\":\"z1\""));
    ck_assert_ptr_nonnull(strstr(json, "{\"order_id\":\"z2\",\"time\":"));
    ck_assert_ptr_null(strstr(json, "a1"));
    custops_free(json);
    /* features equal those of the same data added in sorted order */
    custops_store *t;
    ck_assert_ok(custops_store_new(&t, "UTC", "CNY"));
    const char *sorted = "order_id,customer_id,time,currency,sku,qty,unit_price\n"
                         "z2,zed,100,CNY,b,1,30\n"
                         "z1,zed,500,CNY,a,1,10\n"
                         "a2,amy,200,CNY,a,1,40\n"
                         "a1,amy,300,CNY,a,1,20\n"
                         "a1,amy,300,CNY,b,2,5\n"
                         "b1,bo,400,CNY,a,3,1\n";
    ck_assert_ok(custops_store_ingest_csv_buffer(t, sorted, strlen(sorted), "o.csv", NULL, NULL, NULL));
    custops_refund rt[3] = {{"r1", "a1", 600, "b", -1, 400}, {"r2", "z2", 700, NULL, -1, 3000}, {"r3", "z1", 800, NULL, -1, 250}};
    ck_assert_ok(custops_store_add_refunds(t, rt, 3));
    custops_features_opts o = CUSTOPS_FEATURES_OPTS_INIT;
    o.now = 86400 * 30;
    custops_frame *a, *b;
    ck_assert_ok(custops_store_features(s, &o, &a));
    ck_assert_ok(custops_store_features(t, &o, &b));
    same_frames(a, b);
    custops_frame_free(a);
    custops_frame_free(b);
    custops_store_free(t);
    /* save, load, purge and erase after the renumbering */
    char dir[256], path[300];
    test_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/r.stor", dir);
    ck_assert_ok(custops_store_save(s, path));
    ck_assert_ok(custops_store_load(&t, path));
    ck_assert_ok(custops_store_lines(s, &a));
    ck_assert_ok(custops_store_lines(t, &b));
    same_frames(a, b);
    custops_frame_free(a);
    custops_frame_free(b);
    custops_store_free(t);
    unlink(path);
    rmdir(dir);
    uint64_t removed;
    ck_assert_ok(custops_store_purge(s, 250, &removed));
    ck_assert_int_eq(removed, 3); /* z2 and a2, and z2's refund */
    ck_assert_ok(custops_store_erase(s, "amy"));
    ck_assert_ok(custops_store_lines(s, &f));
    ck_assert_uint_eq(custops_frame_nrows(f), 2);
    ck_assert_int_eq(I(f, "time", 0), 500);
    ck_assert_int_eq(I(f, "refunded", 0), 250);
    ck_assert_int_eq(I(f, "time", 1), 400);
    ck_assert_int_eq(I(f, "customer", 1), 1);
    custops_frame_free(f);
    custops_store_free(s);
}
END_TEST

START_TEST(test_split)
{
    custops_store *s;
    ck_assert_ok(custops_store_new(&s, "UTC", "CNY"));
    const int64_t DAY = 86400;
    custops_order_line l[] = {
        {"o1", "a", 0, "x", NULL, 1, 100, 0, NULL, NULL},       {"o2", "a", 3 * DAY, "x", NULL, 1, 200, 0, NULL, NULL},
        {"o3", "a", 12 * DAY, "x", NULL, 1, 1, 0, NULL, NULL},  {"o4", "a", 12 * DAY + 5, "x", NULL, 1, 1, 0, NULL, NULL},
        {"o5", "a", 15 * DAY, "x", NULL, 1, 1, 0, NULL, NULL},  {"o6", "b", 11 * DAY, "x", NULL, 1, 1, 0, NULL, NULL},
        {"o7", "b", 13 * DAY, "x", NULL, 1, 1, 0, NULL, NULL},  {"o8", "b", 30 * DAY, "x", NULL, 1, 1, 0, NULL, NULL},
    };
    ck_assert_ok(custops_store_add_lines(s, l, 8));
    custops_features_opts o = CUSTOPS_FEATURES_OPTS_INIT;
    o.now = 10 * DAY;
    o.period = CUSTOPS_PERIOD_DAY;
    custops_frame *cal, *hold;
    ck_assert_ok(custops_store_split(s, &o, 20 * DAY, &cal, &hold));
    size_t a = row_of(cal, "a"), b = row_of(cal, "b");
    ck_assert_int_eq(I(cal, "frequency", a), 1);
    ck_assert_double_eq_tol(D(cal, "T", a), 10.0, 1e-12);
    ck_assert_double_eq_tol(D(cal, "monetary", a), 200.0, 1e-12);
    ck_assert_int_eq(I(hold, "frequency_holdout", row_of(hold, "a")), 2); /* days 12 and 15 */
    ck_assert_int_eq(I(hold, "frequency_holdout", row_of(hold, "b")), 1); /* day 13; day 11 is b's first */
    ck_assert_double_eq_tol(D(hold, "duration_holdout", 0), 10.0, 1e-12);
    ck_assert_int_eq(I(cal, "orders", b), 0);
    custops_frame_free(cal);
    custops_frame_free(hold);
    ck_assert_status(custops_store_split(s, &o, 5 * DAY, &cal, &hold), CUSTOPS_EINVAL);
    custops_store_free(s);
}
END_TEST

/* The CDNOW proof: frequency, recency and T in weeks rebuilt from the raw
 * transaction log equal the published calibration summary (Fader, Hardie
 * and Lee 2005) for every one of the 2,357 sample customers, and monetary
 * equals Hardie's zbar (mean repeat transaction value). */
START_TEST(test_cdnow_summary)
{
    char p1[1024], p2[1024], p3[1024];
    const char *log = test_shared_file("CDNOW_sample.txt", p1, sizeof p1);
    const char *sum = test_shared_file("cdnow_customers_summary.csv", p2, sizeof p2);
    const char *zb = test_shared_file("cdnow_customers_summary_with_transactions.csv", p3, sizeof p3);
    if (!log || !sum || !zb) {
        fprintf(stderr, "SKIP test_cdnow_summary: shared CDNOW files absent\n");
        return;
    }
    custops_store *s;
    ck_assert_ok(custops_store_new(&s, "UTC", "USD"));
    FILE *f = fopen(log, "r");
    ck_assert_ptr_nonnull(f);
    char line[256];
    static char ids[8000][16], cids[8000][8];
    custops_order_line *rows = calloc(8000, sizeof *rows);
    size_t n = 0;
    while (fgets(line, sizeof line, f)) {
        unsigned master, sid, date, cds;
        char dollars[32];
        if (sscanf(line, "%u %u %u %u %31s", &master, &sid, &date, &cds, dollars) != 5)
            continue;
        ck_assert_int_lt(n, 8000);
        int32_t day;
        ck_assert_ok(custops_date_to_day((int)(date / 10000), (int)(date / 100 % 100), (int)(date % 100), &day));
        snprintf(ids[n], sizeof ids[n], "t%zu", n);
        snprintf(cids[n], sizeof cids[n], "%u", sid);
        int64_t cents;
        ck_assert_ok(custops_money_parse(dollars, 2, &cents));
        rows[n] = (custops_order_line){ids[n], cids[n], (int64_t)day * 86400, "cd", NULL, 1, cents, 0, NULL, NULL};
        n++;
    }
    fclose(f);
    ck_assert_int_eq(n, 6919);
    ck_assert_ok(custops_store_add_lines(s, rows, n));
    free(rows);
    custops_features_opts o = CUSTOPS_FEATURES_OPTS_INIT;
    int32_t end;
    ck_assert_ok(custops_date_to_day(1997, 9, 30, &end));
    o.now = (int64_t)end * 86400;
    o.period = CUSTOPS_PERIOD_WEEK;
    custops_frame *fr;
    ck_assert_ok(custops_store_features(s, &o, &fr));
    ck_assert_int_eq(custops_frame_nrows(fr), 2357);
    /* map sample id -> row */
    static size_t rowof[2358];
    for (size_t i = 0; i < 2357; i++)
        rowof[atoi(S(fr, "customer_id", i))] = i;
    f = fopen(sum, "r");
    ck_assert_ptr_nonnull(f);
    ck_assert_ptr_nonnull(fgets(line, sizeof line, f)); /* header */
    size_t checked = 0;
    int64_t sum_x = 0;
    while (fgets(line, sizeof line, f)) {
        unsigned id;
        long x;
        double rec, T;
        ck_assert_int_eq(sscanf(line, "%u,%ld,%lf,%lf", &id, &x, &rec, &T), 4);
        size_t r = rowof[id];
        ck_assert_msg(I(fr, "frequency", r) == x, "customer %u: x %lld vs %ld", id, (long long)I(fr, "frequency", r), x);
        ck_assert_msg(fabs(D(fr, "recency", r) - rec) <= 0.005 + 1e-9, "customer %u: t_x %f vs %f", id,
                      D(fr, "recency", r), rec);
        ck_assert_msg(fabs(D(fr, "T", r) - T) <= 0.005 + 1e-9, "customer %u: T %f vs %f", id, D(fr, "T", r), T);
        sum_x += x;
        checked++;
    }
    fclose(f);
    ck_assert_int_eq(checked, 2357);
    ck_assert_int_eq(sum_x, 2457);
    f = fopen(zb, "r");
    ck_assert_ptr_nonnull(fgets(line, sizeof line, f));
    checked = 0;
    while (fgets(line, sizeof line, f)) {
        unsigned id;
        long x;
        double rec, T, z;
        ck_assert_int_eq(sscanf(line, "%u,%ld,%lf,%lf,%lf", &id, &x, &rec, &T, &z), 5);
        size_t r = rowof[id];
        ck_assert_msg(fabs(D(fr, "monetary", r) / 100.0 - z) <= 0.005 + 1e-9, "customer %u: zbar %f vs %f", id,
                      D(fr, "monetary", r) / 100.0, z);
        checked++;
    }
    fclose(f);
    ck_assert_int_eq(checked, 2357);
    custops_frame_free(fr);
    custops_store_free(s);
}
END_TEST


/* Sums over hostile amounts saturate instead of overflowing (UBSan would
 * flag a signed overflow); refunds too large to weight split evenly. */
START_TEST(test_huge_amounts_saturate)
{
    custops_store *s;
    ck_assert_ok(custops_store_new(&s, "UTC", "CNY"));
    const int64_t big = INT64_MAX / 2 + 1;
    custops_order_line l[] = {
        {"o1", "a", 100, "x", "c", 1, big, 0, NULL, NULL},
        {"o1", "a", 100, "y", "c", 1, big, 0, NULL, NULL},
        {"o2", "a", 86400 * 3, "x", "c", 1, big, 0, NULL, NULL},
    };
    ck_assert_ok(custops_store_add_lines(s, l, 3));
    custops_refund r[] = {{"r1", "o1", 200, NULL, -1, 3}};
    ck_assert_ok(custops_store_add_refunds(s, r, 1));
    custops_frame *f;
    ck_assert_ok(custops_store_lines(s, &f));
    ck_assert_int_eq(I(f, "refunded", 0) + I(f, "refunded", 1), 3);
    custops_frame_free(f);
    custops_features_opts o = CUSTOPS_FEATURES_OPTS_INIT;
    o.now = 86400 * 10;
    ck_assert_ok(custops_store_features(s, &o, &f));
    ck_assert_int_eq(I(f, "spend", 0), INT64_MAX - 3);
    ck_assert_int_eq(I(f, "orders", 0), 2);
    ck_assert_double_eq_tol(D(f, "monetary", 0), (double)big, 1.0);
    custops_frame_free(f);
    custops_store_free(s);
}
END_TEST


/* A quoted field may hold newlines: later errors still name the right
 * physical line and column. */
START_TEST(test_quoted_newlines_keep_line_numbers)
{
    custops_store *s;
    ck_assert_ok(custops_store_new(&s, "UTC", "CNY"));
    const char *csv = "customer_id,order_id,time,currency,sku,category,qty,unit_price\n"
                      "c1,o1,5,CNY,s1,\"two\nlines\",1,1\n"
                      "c1,o2,5,CNY,s1,x,1,1\n"
                      "c1,o3,5,CNY,s1,\"a\"\"b\nc\",-1,1\n";
    ck_assert_status(custops_store_ingest_csv_buffer(s, csv, strlen(csv), "q.csv", NULL, NULL, NULL), CUSTOPS_EPARSE);
    /* the bad qty sits on physical line 6, after the second embedded newline */
    ck_assert_str_eq(custops_last_error(), "q.csv:6:4: qty must be > 0, got -1");
    custops_ingest_opts o = CUSTOPS_INGEST_OPTS_INIT;
    o.policy = CUSTOPS_INGEST_SKIP;
    custops_ingest_result r;
    ck_assert_ok(custops_store_ingest_csv_buffer(s, csv, strlen(csv), "q.csv", &o, &r, NULL));
    ck_assert_int_eq(r.accepted, 2);
    custops_frame *d;
    ck_assert_ok(custops_store_dict(s, "category", &d));
    ck_assert_str_eq(S(d, "name", 0), "two\nlines");
    custops_frame_free(d);
    custops_store_free(s);
}
END_TEST


/* The CSV reader's fast paths against a reader without them. Random order
 * line files (three column layouts, lines of one order repeating order,
 * customer and time, the same instant written differently, a customer that
 * changes, bad rows, wrong field counts, quoted fields with commas, quotes
 * and newlines, CRLF, blank lines, NUL bytes, fields of 1 to 40 bytes so
 * they cross 16- and 32-byte blocks, a last line without newline) are read
 * whole (skip policy) and row by row, one call per row, where no row ever
 * follows another: same accepted rows, same messages and columns in the
 * same order, same lines view. The whole-file read is repeated with a
 * field limit below the line lengths (the checked split) and fail-fast. */
static uint64_t fp_rng = 12345;
static unsigned fp_next(unsigned n)
{
    fp_rng = fp_rng * 6364136223846793005ULL + 1442695040888963407ULL;
    return (unsigned)(fp_rng >> 33) % n;
}

typedef struct fp_out {
    size_t accepted, rejected, nrej;
    char msg[256][160];
    int64_t line[256], column[256];
} fp_out;

static void fp_collect(fp_out *o, const custops_ingest_result *r, custops_frame *rej)
{
    o->accepted += r->accepted;
    o->rejected += r->rejected;
    for (size_t i = 0; rej && i < custops_frame_nrows(rej) && o->nrej < 256; i++, o->nrej++) {
        snprintf(o->msg[o->nrej], sizeof o->msg[0], "%s", S(rej, "message", i));
        o->line[o->nrej] = I(rej, "line", i);
        o->column[o->nrej] = I(rej, "column", i);
    }
    custops_frame_free(rej);
}

static void fp_same_lines(custops_store *a, custops_store *b)
{
    custops_frame *fa, *fb;
    ck_assert_ok(custops_store_lines(a, &fa));
    ck_assert_ok(custops_store_lines(b, &fb));
    ck_assert_uint_eq(custops_frame_nrows(fa), custops_frame_nrows(fb));
    ck_assert_uint_eq(custops_frame_ncols(fa), custops_frame_ncols(fb));
    for (size_t c = 0; c < custops_frame_ncols(fa); c++) {
        const int64_t *va, *vb;
        ck_assert_ok(custops_frame_int64(fa, c, &va));
        ck_assert_ok(custops_frame_int64(fb, c, &vb));
        for (size_t i = 0; i < custops_frame_nrows(fa); i++)
            ck_assert_msg(va[i] == vb[i], "column %s row %zu: %lld vs %lld", custops_frame_col_name(fa, c), i,
                          (long long)va[i], (long long)vb[i]);
    }
    custops_frame_free(fa);
    custops_frame_free(fb);
}

/* Rows with far more fields than the header (past the 64 columns a
 * header may have, crossing the split's 32-byte blocks at any point) are
 * counted to the last field, plain or quoted, with or without a newline. */
START_TEST(test_csv_many_fields_counted)
{
    custops_store *s;
    ck_assert_ok(custops_store_new(&s, "UTC", "CNY"));
    const char *head = "customer_id,order_id,time,currency,sku,qty,unit_price\n";
    char *csv = malloc(8192), want[128];
    const int counts[] = {8, 63, 64, 65, 66, 95, 96, 97, 150, 1000};
    for (size_t k = 0; k < sizeof counts / sizeof counts[0]; k++)
        for (int variant = 0; variant < 3; variant++) {
            size_t len = (size_t)sprintf(csv, "%sc1,o1,5,CNY,s1,1,1\n", head);
            for (int i = 0; i < counts[k]; i++)
                len += (size_t)sprintf(csv + len, "%s%s", i ? "," : "",
                                       variant == 1 && i == counts[k] - 1 ? "\"x\"" : i % 3 ? "1" : "ab");
            if (variant != 2)
                csv[len++] = '\n';
            ck_assert_status(custops_store_ingest_csv_buffer(s, csv, len, "o.csv", NULL, NULL, NULL), CUSTOPS_EPARSE);
            snprintf(want, sizeof want, "o.csv:3:1: row has %d fields, the header has 7", counts[k]);
            ck_assert_str_eq(custops_last_error(), want);
        }
    free(csv);
    custops_store_free(s);
}
END_TEST

START_TEST(test_csv_fast_paths_match_row_by_row)
{
    static const char *layouts[3][11] = {
        {"order_id", "customer_id", "time", "currency", "sku", "category", "qty", "unit_price", "discount",
         "coupon_code", "channel"},
        {"customer_id", "time", "order_id", "sku", "currency", "qty", "unit_price", NULL},
        {"order_id", "sku", "customer_id", "time", "currency", "qty", "unit_price", NULL},
    };
    static const char *times[4] = {"2024-01-02 03:04:05", "2024-01-02T03:04:05+08:00", "1704135845",
                                   "2024-01-01T19:04:05Z"}; /* the last three are one instant */
    enum { ROWS = 80, CAP = 16384 };
    char *text = malloc(CAP), *one = malloc(CAP);
    size_t rs[ROWS + 1], re[ROWS + 1];
    for (int file = 0; file < 60; file++) {
        const char *const *cols = layouts[file % 3];
        int ncols = 0;
        while (ncols < 11 && cols[ncols])
            ncols++;
        size_t len = 0, hlen;
        for (int c = 0; c < ncols; c++)
            len += (size_t)sprintf(text + len, "%s%s", c ? "," : "", cols[c]);
        text[len++] = '\n';
        hlen = len;
        int nrows = 0, order = 0, cust = 0, tix = 0;
        const char *eol = file % 4 == 1 ? "\r\n" : "\n";
        for (int k = 0; k < ROWS; k++) {
            unsigned pick = fp_next(10);
            if (k == 0 || pick < 3) { /* a new order */
                order = 1 + (int)fp_next(40);
                cust = (int)fp_next(5);
                tix = (int)fp_next(4);
            } else if (pick == 3) { /* the same instant written otherwise */
                tix = 1 + (int)fp_next(3);
            } else if (pick == 4 && fp_next(4) == 0) { /* another customer: an error if the order is known */
                cust = (int)fp_next(5);
            }
            if (fp_next(12) == 0)
                len += (size_t)sprintf(text + len, "%s", eol); /* blank line */
            rs[nrows] = len;
            int bad = (int)fp_next(25), extra = fp_next(30) == 0, quoted = fp_next(8) == 0;
            for (int c = 0; c < ncols; c++) {
                const char *f = cols[c];
                if (c)
                    text[len++] = ',';
                if (!strcmp(f, "order_id"))
                    len += (size_t)sprintf(text + len, quoted && fp_next(2) ? "\"o%d\"" : "o%d", order);
                else if (!strcmp(f, "customer_id"))
                    len += (size_t)sprintf(text + len, bad == 1 ? "" : "cust%d", cust);
                else if (!strcmp(f, "time"))
                    len += (size_t)sprintf(text + len, "%s", bad == 2 ? "2024-13-01" : times[tix]);
                else if (!strcmp(f, "currency"))
                    len += (size_t)sprintf(text + len, "%s", bad == 3 ? "USD" : "CNY");
                else if (!strcmp(f, "sku")) {
                    int n = 1 + (int)fp_next(40);
                    if (quoted) {
                        len += (size_t)sprintf(text + len, "\"s,\"\"%d", n);
                        for (int j = 0; j < n % 7; j++)
                            text[len++] = j == 3 ? '\n' : 'q';
                        text[len++] = '"';
                    } else {
                        text[len++] = 's';
                        for (int j = 1; j < n; j++)
                            text[len++] = (char)(bad == 4 && j == n / 2 ? '\0' : 'a' + (n + j) % 3);
                    }
                } else if (!strcmp(f, "category"))
                    len += (size_t)sprintf(text + len, "cat%u", fp_next(3));
                else if (!strcmp(f, "qty"))
                    len += (size_t)sprintf(text + len, "%s", bad == 5 ? "x" : bad == 6 ? "0" : bad == 7 ? "+2" : "2");
                else if (!strcmp(f, "unit_price"))
                    len += (size_t)sprintf(text + len, "%s", bad == 8 ? "1.005" : bad == 9 ? "12" : "12.50");
                else if (!strcmp(f, "discount"))
                    len += (size_t)sprintf(text + len, "%s", bad == 10 ? "99.00" : fp_next(3) ? "" : "1.00");
                else if (!strcmp(f, "coupon_code"))
                    len += (size_t)sprintf(text + len, "%s", fp_next(3) ? "" : "C5");
                else
                    len += (size_t)sprintf(text + len, "%s", fp_next(2) ? "mini_program" : "app");
            }
            if (extra)
                len += (size_t)sprintf(text + len, ",more");
            re[nrows] = len;
            if (k + 1 < ROWS || file % 5 != 0)
                len += (size_t)sprintf(text + len, "%s", eol);
            nrows++;
            ck_assert_uint_lt(len, CAP - 1024);
        }
        /* the whole file, skip policy */
        custops_store *a, *b, *c;
        ck_assert_ok(custops_store_new(&a, "Asia/Shanghai", "CNY"));
        ck_assert_ok(custops_store_new(&b, "Asia/Shanghai", "CNY"));
        ck_assert_ok(custops_store_new(&c, "Asia/Shanghai", "CNY"));
        custops_ingest_opts o = CUSTOPS_INGEST_OPTS_INIT;
        o.policy = CUSTOPS_INGEST_SKIP;
        custops_ingest_result r;
        custops_frame *rej;
        static fp_out wa, wb, wc;
        memset(&wa, 0, sizeof wa);
        memset(&wb, 0, sizeof wb);
        memset(&wc, 0, sizeof wc);
        ck_assert_ok(custops_store_ingest_csv_buffer(a, text, len, "f.csv", &o, &r, &rej));
        fp_collect(&wa, &r, rej);
        /* row by row */
        for (int k = 0; k < nrows; k++) {
            memcpy(one, text, hlen);
            memcpy(one + hlen, text + rs[k], re[k] - rs[k]);
            ck_assert_ok(custops_store_ingest_csv_buffer(b, one, hlen + re[k] - rs[k], "f.csv", &o, &r, &rej));
            fp_collect(&wb, &r, rej);
        }
        ck_assert_uint_eq(wa.accepted, wb.accepted);
        ck_assert_uint_eq(wa.rejected, wb.rejected);
        ck_assert_uint_eq(wa.nrej, wb.nrej);
        for (size_t i = 0; i < wa.nrej; i++) {
            ck_assert_str_eq(wa.msg[i], wb.msg[i]);
            ck_assert_int_eq(wa.column[i], wb.column[i]);
        }
        /* the checked split: every line longer than the field limit */
        o.max_field_len = 48;
        ck_assert_ok(custops_store_ingest_csv_buffer(c, text, len, "f.csv", &o, &r, &rej));
        fp_collect(&wc, &r, rej);
        ck_assert_uint_eq(wa.accepted, wc.accepted);
        ck_assert_uint_eq(wa.nrej, wc.nrej);
        for (size_t i = 0; i < wa.nrej; i++) {
            ck_assert_str_eq(wa.msg[i], wc.msg[i]);
            ck_assert_int_eq(wa.line[i], wc.line[i]);
            ck_assert_int_eq(wa.column[i], wc.column[i]);
        }
        fp_same_lines(a, b);
        fp_same_lines(a, c);
        /* fail-fast stops at the first rejected row, with its line and column */
        if (wa.nrej) {
            char want[256];
            snprintf(want, sizeof want, "f.csv:%lld:%lld: %s", (long long)wa.line[0], (long long)wa.column[0],
                     wa.msg[0]);
            custops_store *d;
            ck_assert_ok(custops_store_new(&d, "Asia/Shanghai", "CNY"));
            ck_assert_status(custops_store_ingest_csv_buffer(d, text, len, "f.csv", NULL, NULL, NULL), CUSTOPS_EPARSE);
            ck_assert_str_eq(custops_last_error(), want);
            custops_store_free(d);
        }
        custops_store_free(a);
        custops_store_free(b);
        custops_store_free(c);
    }
    free(text);
    free(one);
}
END_TEST

/* Years outside 1..9999 are refused, at ingest and in options. */
START_TEST(test_time_range)
{
    custops_store *s;
    ck_assert_ok(custops_store_new(&s, "UTC", "CNY"));
    const char *csv = "customer_id,order_id,time,currency,sku,qty,unit_price\nc1,o1,99999999999999,CNY,s1,1,1\n";
    ck_assert_status(custops_store_ingest_csv_buffer(s, csv, strlen(csv), "t.csv", NULL, NULL, NULL), CUSTOPS_EPARSE);
    ck_assert_str_eq(custops_last_error(), "t.csv:2:7: time 99999999999999 is outside the years 1..9999");
    custops_features_opts o = CUSTOPS_FEATURES_OPTS_INIT;
    o.now = INT64_MAX;
    custops_frame *f;
    ck_assert_status(custops_store_features(s, &o, &f), CUSTOPS_ERANGE);
    custops_store_free(s);
}
END_TEST

/* The order and customer lookups go through an index kept beside the
 * intern tables; it must follow every way those tables shrink or are
 * replaced: a rolled-back batch, an erase, a load. A stale index would
 * call a new order known (or an old one new) and the checks below fail. */
START_TEST(test_lookup_index_follows_the_tables)
{
    custops_store *s;
    ck_assert_ok(custops_store_new(&s, "UTC", "CNY"));
    const char *hdr = "order_id,customer_id,time,currency,sku,qty,unit_price\n";
    char buf[4096];
    snprintf(buf, sizeof buf, "%so1,ann,100,CNY,a,1,1\no2,bob,200,CNY,a,1,1\n", hdr);
    ck_assert_ok(custops_store_ingest_csv_buffer(s, buf, strlen(buf), "a.csv", NULL, NULL, NULL));
    /* o3/o4 and cy are added, then the last row fails: all rolled back */
    snprintf(buf, sizeof buf, "%so3,cy,300,CNY,a,1,1\no4,cy,300,CNY,a,1,1\no5,cy,300,CNY,a,0,1\n", hdr);
    ck_assert_status(custops_store_ingest_csv_buffer(s, buf, strlen(buf), "b.csv", NULL, NULL, NULL), CUSTOPS_EPARSE);
    ck_assert_str_eq(custops_last_error(), "b.csv:4:17: qty must be > 0, got 0");
    /* o3 is free again: it may now belong to dee */
    snprintf(buf, sizeof buf, "%so3,dee,400,CNY,a,1,1\no1,ann,100,CNY,b,1,1\n", hdr);
    ck_assert_ok(custops_store_ingest_csv_buffer(s, buf, strlen(buf), "c.csv", NULL, NULL, NULL));
    custops_store_counts n;
    ck_assert_ok(custops_store_stats(s, &n));
    ck_assert_int_eq(n.orders, 3);
    ck_assert_int_eq(n.customers, 3);
    ck_assert_int_eq(n.lines, 4);
    custops_refund rf = {"r1", "o4", 500, NULL, -1, 1};
    ck_assert_status(custops_store_add_refunds(s, &rf, 1), CUSTOPS_ENOTFOUND);
    /* erase ann: o1 is forgotten and may be reused; bob's o2 still checks its customer */
    ck_assert_ok(custops_store_erase(s, "ann"));
    snprintf(buf, sizeof buf, "%so1,eve,600,CNY,a,1,1\n", hdr);
    ck_assert_ok(custops_store_ingest_csv_buffer(s, buf, strlen(buf), "d.csv", NULL, NULL, NULL));
    snprintf(buf, sizeof buf, "%so2,eve,200,CNY,a,1,1\n", hdr);
    ck_assert_status(custops_store_ingest_csv_buffer(s, buf, strlen(buf), "e.csv", NULL, NULL, NULL), CUSTOPS_EPARSE);
    ck_assert_str_eq(custops_last_error(), "e.csv:2:4: order 'o2' belongs to customer 'bob'");
    /* a loaded store knows every order of the saved one */
    char dir[256], path[300];
    test_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/s.stor", dir);
    ck_assert_ok(custops_store_save(s, path));
    custops_store *t;
    ck_assert_ok(custops_store_load(&t, path));
    ck_assert_status(custops_store_ingest_csv_buffer(t, buf, strlen(buf), "e.csv", NULL, NULL, NULL), CUSTOPS_EPARSE);
    ck_assert_str_eq(custops_last_error(), "e.csv:2:4: order 'o2' belongs to customer 'bob'");
    snprintf(buf, sizeof buf, "%so9,eve,700,CNY,a,1,1\no3,dee,400,CNY,c,2,1\n", hdr);
    ck_assert_ok(custops_store_ingest_csv_buffer(t, buf, strlen(buf), "f.csv", NULL, NULL, NULL));
    ck_assert_ok(custops_store_stats(t, &n));
    ck_assert_int_eq(n.orders, 4); /* o1 o2 o3 o9 */
    ck_assert_int_eq(n.customers, 3); /* bob dee eve */
    custops_store_free(t);
    remove(path);
    rmdir(dir);
    custops_store_free(s);
}
END_TEST

/* Dictionary codes are cached by value; a rolled-back batch drops the codes
 * it added, so a value interned again later must not get its old code. */
START_TEST(test_dictionary_codes_after_rollback)
{
    custops_store *s;
    ck_assert_ok(custops_store_new(&s, "UTC", "CNY"));
    const char *hdr = "order_id,customer_id,time,currency,sku,category,qty,unit_price,channel\n";
    char buf[4096];
    snprintf(buf, sizeof buf, "%so1,ann,100,CNY,x,k1,1,1,app\n", hdr);
    ck_assert_ok(custops_store_ingest_csv_buffer(s, buf, strlen(buf), "a.csv", NULL, NULL, NULL));
    snprintf(buf, sizeof buf, "%so2,ann,200,CNY,y,k2,1,1,web\no3,ann,300,CNY,y,k2,0,1,web\n", hdr);
    ck_assert_status(custops_store_ingest_csv_buffer(s, buf, strlen(buf), "b.csv", NULL, NULL, NULL), CUSTOPS_EPARSE);
    snprintf(buf, sizeof buf, "%so2,ann,200,CNY,z,k3,1,1,store\no3,ann,300,CNY,y,k2,1,1,web\n", hdr);
    ck_assert_ok(custops_store_ingest_csv_buffer(s, buf, strlen(buf), "c.csv", NULL, NULL, NULL));
    custops_frame *f;
    ck_assert_ok(custops_store_lines(s, &f));
    ck_assert_int_eq(custops_frame_nrows(f), 3);
    static const char *const want[3][3] = {{"x", "k1", "app"}, {"z", "k3", "store"}, {"y", "k2", "web"}};
    static const char *const dicts[3] = {"sku", "category", "channel"};
    for (int k = 0; k < 3; k++) {
        custops_frame *d;
        ck_assert_ok(custops_store_dict(s, dicts[k], &d));
        for (size_t row = 0; row < 3; row++)
            ck_assert_str_eq(S(d, "name", (size_t)I(f, dicts[k], row)), want[row][k]);
        custops_frame_free(d);
    }
    custops_frame_free(f);
    custops_store_free(s);
}
END_TEST

/* Rows are read one ahead of the one applied; errors must still come in
 * file order: a bad row before a format error is the one reported under
 * fail-fast, and is a reject (before the fatal error) under skip. */
START_TEST(test_row_errors_before_format_errors)
{
    custops_store *s;
    ck_assert_ok(custops_store_new(&s, "UTC", "CNY"));
    const char *csv = "order_id,customer_id,time,currency,sku,qty,unit_price\n"
                      "o1,ann,100,CNY,a,1,1\n"
                      "o2,ann,200,CNY,a,x,1\n"
                      "o3,ann,300,CNY,\"a,1,1\n";
    ck_assert_status(custops_store_ingest_csv_buffer(s, csv, strlen(csv), "g.csv", NULL, NULL, NULL), CUSTOPS_EPARSE);
    ck_assert_str_eq(custops_last_error(), "g.csv:3:18: expected an integer in column 'qty', got 'x'");
    custops_ingest_opts o = CUSTOPS_INGEST_OPTS_INIT;
    o.policy = CUSTOPS_INGEST_SKIP;
    custops_frame *rej = NULL;
    ck_assert_status(custops_store_ingest_csv_buffer(s, csv, strlen(csv), "g.csv", &o, NULL, &rej), CUSTOPS_EPARSE);
    ck_assert_str_eq(custops_last_error(), "g.csv:4:16: unterminated quoted field");
    ck_assert_ptr_nonnull(rej);
    ck_assert_int_eq(custops_frame_nrows(rej), 1);
    ck_assert_int_eq(I(rej, "line", 0), 3);
    custops_frame_free(rej);
    /* a row with too few fields right after a bad one: both, in order */
    const char *csv2 = "order_id,customer_id,time,currency,sku,qty,unit_price\n"
                       "o2,ann,200,CNY,a,x,1\n"
                       "o3,ann\n"
                       "o4,ann,300,CNY,a,1,1\n";
    custops_ingest_result r;
    ck_assert_ok(custops_store_ingest_csv_buffer(s, csv2, strlen(csv2), "h.csv", &o, &r, &rej));
    ck_assert_int_eq(r.rows, 3);
    ck_assert_int_eq(r.accepted, 1);
    ck_assert_int_eq(r.rejected, 2);
    ck_assert_int_eq(I(rej, "line", 0), 2);
    ck_assert_int_eq(I(rej, "line", 1), 3);
    custops_frame_free(rej);
    /* rows are read several ahead of the one applied: a format error a few
     * rows after bad rows still comes after them, and rows of one order
     * read ahead of each other still agree on customer and time */
    const char *csv3 = "order_id,customer_id,time,currency,sku,qty,unit_price\n"
                       "p1,ann,100,CNY,a,1,1\n"
                       "p1,ann,100,CNY,b,y,1\n"
                       "p1,bob,100,CNY,c,1,1\n"
                       "p1,ann,101,CNY,c,1,1\n"
                       "p1,ann,100,CNY,d,1,1\n"
                       "p2,ann,100,CNY,\"a,1,1\n";
    ck_assert_status(custops_store_ingest_csv_buffer(s, csv3, strlen(csv3), "k.csv", &o, &r, &rej), CUSTOPS_EPARSE);
    ck_assert_str_eq(custops_last_error(), "k.csv:7:16: unterminated quoted field");
    ck_assert_int_eq(custops_frame_nrows(rej), 3);
    ck_assert_int_eq(I(rej, "line", 0), 3);
    ck_assert_int_eq(I(rej, "line", 1), 4);
    ck_assert_int_eq(I(rej, "line", 2), 5);
    custops_frame_free(rej);
    o.policy = CUSTOPS_INGEST_FAIL_FAST;
    ck_assert_status(custops_store_ingest_csv_buffer(s, csv3 + 0, strlen(csv3), "k.csv", &o, NULL, NULL), CUSTOPS_EPARSE);
    ck_assert_str_eq(custops_last_error(), "k.csv:3:18: expected an integer in column 'qty', got 'y'");
    const char *csv4 = "order_id,customer_id,time,currency,sku,qty,unit_price\n"
                       "q1,ann,100,CNY,a,1,1\n"
                       "q1,ann,100,CNY,b,1,1\n"
                       "q1,bob,100,CNY,c,1,1\n";
    ck_assert_status(custops_store_ingest_csv_buffer(s, csv4, strlen(csv4), "m.csv", &o, NULL, NULL), CUSTOPS_EPARSE);
    ck_assert_str_eq(custops_last_error(), "m.csv:4:4: order 'q1' belongs to customer 'ann'");
    custops_store_counts n;
    ck_assert_ok(custops_store_stats(s, &n));
    ck_assert_int_eq(n.lines, 1); /* o4 of h.csv; nothing of the failed files */
    custops_store_free(s);
}
END_TEST

/* Features of a random store (many customers, orders on shared days,
 * several refunds per order, some after `now`, lines added out of order)
 * against a direct recomputation from the generated orders: the feature
 * pass merges refunds with the sorted lines and tallies per customer, so
 * any slip in that bookkeeping shows here. Zone UTC: local day = t / 86400. */
#define RX_CUST 60
#define RX_ORD 700
START_TEST(test_features_random_cross_check)
{
    static int64_t ocust[RX_ORD], otime[RX_ORD], oamount[RX_ORD], orefund[RX_ORD];
    static int ocoupon[RX_ORD];
    uint64_t st = 12345;
#define RX_NEXT() (st = st * 6364136223846793005ULL + 1442695040888963407ULL, (uint32_t)(st >> 33))
    custops_store *s;
    ck_assert_ok(custops_store_new(&s, "UTC", "CNY"));
    const int64_t base = 1700000000 - 1700000000 % 86400, now = base + 20 * 86400;
    char oid[RX_ORD][12], cid[RX_CUST][12];
    for (int c = 0; c < RX_CUST; c++)
        snprintf(cid[c], sizeof cid[c], "c%d", c);
    for (int o = 0; o < RX_ORD; o++) {
        snprintf(oid[o], sizeof oid[o], "o%d", o);
        ocust[o] = RX_NEXT() % RX_CUST;
        otime[o] = base + (int64_t)(RX_NEXT() % (24 * 86400)); /* some after now */
        ocoupon[o] = RX_NEXT() % 4 == 0;
        int k = 1 + (int)(RX_NEXT() % 3);
        custops_order_line l[3];
        oamount[o] = 0;
        for (int j = 0; j < k; j++) {
            int64_t qty = 1 + RX_NEXT() % 3, price = RX_NEXT() % 5000, disc = price ? RX_NEXT() % price : 0;
            l[j] = (custops_order_line){oid[o], cid[ocust[o]], otime[o], j ? "b" : "a", j ? "x" : "y", qty, price,
                                        disc, ocoupon[o] ? "C" : NULL, "app"};
            oamount[o] += qty * price - disc;
        }
        ck_assert_ok(custops_store_add_lines(s, l, (size_t)k));
    }
    char rid[RX_ORD][12];
    int nr = 0;
    for (int o = 0; o < RX_ORD; o++) {
        int k = (int)(RX_NEXT() % 4) - 1; /* up to 2 refunds per order */
        for (int j = 0; j < k && oamount[o] > 0; j++) {
            snprintf(rid[nr], sizeof rid[nr], "r%d", nr);
            int64_t amt = 1 + RX_NEXT() % (uint32_t)oamount[o], t = otime[o] + (int64_t)(RX_NEXT() % (6 * 86400));
            custops_refund r = {rid[nr], oid[o], t, NULL, -1, amt};
            ck_assert_ok(custops_store_add_refunds(s, &r, 1));
            if (t <= now && otime[o] <= now)
                orefund[o] += amt;
            nr++;
        }
    }
    custops_features_opts fo = CUSTOPS_FEATURES_OPTS_INIT;
    fo.now = now;
    fo.period = CUSTOPS_PERIOD_DAY;
    custops_frame *f;
    ck_assert_ok(custops_store_features(s, &fo, &f));
    for (int c = 0; c < RX_CUST; c++) {
        int64_t orders = 0, gross = 0, refunds = 0, coupons = 0, first = -1, last = -1, hours[24] = {0};
        int64_t day_value[24] = {0};
        int day_seen[24] = {0};
        for (int o = 0; o < RX_ORD; o++)
            if (ocust[o] == c && otime[o] <= now) {
                orders++;
                gross += oamount[o];
                refunds += orefund[o];
                coupons += ocoupon[o];
                if (first < 0 || otime[o] < first)
                    first = otime[o];
                if (otime[o] > last)
                    last = otime[o];
                hours[(otime[o] % 86400) / 3600]++;
                int d = (int)((otime[o] - base) / 86400);
                day_seen[d] = 1;
                day_value[d] += oamount[o] - orefund[o];
            }
        int ndays = 0, first_day = -1, last_day = -1;
        int64_t repeat = 0;
        for (int d = 0; d < 24; d++)
            if (day_seen[d]) {
                if (ndays++ == 0)
                    first_day = d;
                else
                    repeat += day_value[d];
                last_day = d;
            }
        size_t r = row_of(f, cid[c]);
        ck_assert_int_eq(I(f, "orders", r), orders);
        ck_assert_int_eq(I(f, "spend", r), gross - refunds);
        ck_assert_int_eq(I(f, "frequency", r), ndays ? ndays - 1 : 0);
        ck_assert_int_eq(I(f, "first_order", r), first);
        ck_assert_int_eq(I(f, "last_order", r), last);
        ck_assert_double_eq_tol(D(f, "recency", r), (ndays ? last_day - first_day : 0), 1e-12);
        ck_assert_double_eq_tol(D(f, "T", r), (ndays ? 20 - first_day : 0), 1e-12);
        ck_assert_double_eq_tol(D(f, "monetary", r), (ndays >= 2 ? (double)repeat / (ndays - 1) : 0.0), 1e-9);
        ck_assert_double_eq_tol(D(f, "refund_rate", r), (gross > 0 ? (double)refunds / (double)gross : 0.0), 1e-12);
        ck_assert_double_eq_tol(D(f, "coupon_share", r), (orders ? (double)coupons / (double)orders : 0.0), 1e-12);
        for (int h = 0; h < 24; h++) {
            char name[8];
            snprintf(name, sizeof name, "hour_%02d", h);
            ck_assert_int_eq(I(f, name, r), hours[h]);
        }
    }
    ck_assert_int_gt(nr, 100);
    custops_frame_free(f);
    custops_store_free(s);
#undef RX_NEXT
}
END_TEST

static Suite *store_suite(void)
{
    Suite *s = suite_create("store");
    TCase *tc = tcase_create("store");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_ingest_and_lines_view);
    tcase_add_test(tc, test_features_by_hand);
    tcase_add_test(tc, test_top_category_tie_by_name);
    tcase_add_test(tc, test_refunds);
    tcase_add_test(tc, test_features_random_cross_check);
    tcase_add_test(tc, test_lookup_index_follows_the_tables);
    tcase_add_test(tc, test_dictionary_codes_after_rollback);
    tcase_add_test(tc, test_row_errors_before_format_errors);
    tcase_add_test(tc, test_bad_csv_line_col);
    tcase_add_test(tc, test_skip_policy_and_rejects);
    tcase_add_test(tc, test_limits);
    tcase_add_test(tc, test_jsonl);
    tcase_add_test(tc, test_batch_api_whole_or_nothing);
    tcase_add_test(tc, test_windows);
    tcase_add_test(tc, test_erase_really_erases);
    tcase_add_test(tc, test_purge);
    tcase_add_test(tc, test_save_load_round_trip_and_corruption);
    tcase_add_test(tc, test_load_version_1_file);
    tcase_add_test(tc, test_columns_widen);
    tcase_add_test(tc, test_index_growth_and_large_rollback);
    tcase_add_test(tc, test_orders_renumbered_with_refunds);
    tcase_add_test(tc, test_split);
    tcase_add_test(tc, test_cdnow_summary);
    tcase_add_test(tc, test_huge_amounts_saturate);
    tcase_add_test(tc, test_quoted_newlines_keep_line_numbers);
    tcase_add_test(tc, test_time_range);
    tcase_add_test(tc, test_csv_fast_paths_match_row_by_row);
    tcase_add_test(tc, test_csv_many_fields_counted);
    suite_add_tcase(s, tc);
    return s;
}

TEST_MAIN(store_suite)
