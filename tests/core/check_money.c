/* Exact money: parsing, formatting, overflow, rounding, allocation. */
#include "suite_core.h"

START_TEST(exponents)
{
    int e;
    ck_assert_ok(custops_currency_exponent("CNY", &e));
    ck_assert_int_eq(e, 2);
    ck_assert_ok(custops_currency_exponent("JPY", &e));
    ck_assert_int_eq(e, 0);
    ck_assert_ok(custops_currency_exponent("KWD", &e));
    ck_assert_int_eq(e, 3);
    ck_assert_status(custops_currency_exponent("cny", &e), CUSTOPS_EINVAL);
    ck_assert_status(custops_currency_exponent("QQQ", &e), CUSTOPS_ENOTFOUND);
}
END_TEST

START_TEST(parse_amounts)
{
    int64_t v;
    ck_assert_ok(custops_money_parse("69", 2, &v));
    ck_assert_int_eq(v, 6900);
    ck_assert_ok(custops_money_parse("69.9", 2, &v));
    ck_assert_int_eq(v, 6990);
    ck_assert_ok(custops_money_parse("-0.01", 2, &v));
    ck_assert_int_eq(v, -1);
    ck_assert_ok(custops_money_parse("0.10", 2, &v));
    ck_assert_int_eq(v, 10);
    ck_assert_ok(custops_money_parse("1.500", 2, &v)); /* trailing zero is exact */
    ck_assert_int_eq(v, 150);
    ck_assert_ok(custops_money_parse("500", 0, &v));
    ck_assert_int_eq(v, 500);
    ck_assert_ok(custops_money_parse("92233720368547758.07", 2, &v));
    ck_assert_int_eq(v, INT64_MAX);
    ck_assert_ok(custops_money_parse("-92233720368547758.08", 2, &v));
    ck_assert_int_eq(v, INT64_MIN);
    ck_assert_status(custops_money_parse("92233720368547758.08", 2, &v), CUSTOPS_ERANGE);
    ck_assert_status(custops_money_parse("1.005", 2, &v), CUSTOPS_ERANGE); /* never rounds */
    ck_assert_status(custops_money_parse("1.2.3", 2, &v), CUSTOPS_EPARSE);
    ck_assert_status(custops_money_parse("", 2, &v), CUSTOPS_EPARSE);
    ck_assert_status(custops_money_parse("-", 2, &v), CUSTOPS_EPARSE);
    ck_assert_status(custops_money_parse("1e3", 2, &v), CUSTOPS_EPARSE);
    ck_assert_status(custops_money_parse(" 1", 2, &v), CUSTOPS_EPARSE);
    ck_assert_status(custops_money_parse("1", 5, &v), CUSTOPS_EINVAL);
    ck_assert_status(custops_money_parse(NULL, 2, &v), CUSTOPS_EINVAL);
}
END_TEST

START_TEST(format_amounts)
{
    char b[32];
    ck_assert_ok(custops_money_format(6900, 2, b, sizeof b));
    ck_assert_str_eq(b, "69.00");
    ck_assert_ok(custops_money_format(-1, 2, b, sizeof b));
    ck_assert_str_eq(b, "-0.01");
    ck_assert_ok(custops_money_format(INT64_MIN, 2, b, sizeof b));
    ck_assert_str_eq(b, "-92233720368547758.08");
    ck_assert_ok(custops_money_format(1234, 0, b, sizeof b));
    ck_assert_str_eq(b, "1234");
    ck_assert_status(custops_money_format(123456, 2, b, 4), CUSTOPS_ERANGE);
}
END_TEST

START_TEST(checked_arithmetic)
{
    int64_t r;
    ck_assert_ok(custops_money_add(1, 2, &r));
    ck_assert_int_eq(r, 3);
    ck_assert_status(custops_money_add(INT64_MAX, 1, &r), CUSTOPS_ERANGE);
    ck_assert_status(custops_money_mul(INT64_MAX / 2 + 1, 2, &r), CUSTOPS_ERANGE);
    ck_assert_ok(custops_money_mul(6990, 3, &r));
    ck_assert_int_eq(r, 20970);
    /* 88% of 19.99 = 17.5912 -> 17.59 ; 50% of 0.01 -> 0.01 (half away from zero) */
    ck_assert_ok(custops_money_muldiv(1999, 88, 100, &r));
    ck_assert_int_eq(r, 1759);
    ck_assert_ok(custops_money_muldiv(1, 50, 100, &r));
    ck_assert_int_eq(r, 1);
    ck_assert_ok(custops_money_muldiv(-1, 50, 100, &r));
    ck_assert_int_eq(r, -1);
    ck_assert_ok(custops_money_muldiv(INT64_MAX, 3, 3, &r)); /* 128-bit intermediate */
    ck_assert_int_eq(r, INT64_MAX);
    ck_assert_status(custops_money_muldiv(INT64_MAX, 3, 2, &r), CUSTOPS_ERANGE);
    ck_assert_status(custops_money_muldiv(1, 1, 0, &r), CUSTOPS_EINVAL);
}
END_TEST

START_TEST(allocation_sums_exactly)
{
    /* 10.00 off across three equal lines: 3.34, 3.33, 3.33 (ties to the lower index) */
    int64_t w[3] = {100, 100, 100}, s[3];
    ck_assert_ok(custops_money_allocate(1000, w, 3, s));
    ck_assert_int_eq(s[0], 334);
    ck_assert_int_eq(s[1], 333);
    ck_assert_int_eq(s[2], 333);
    /* largest remainder wins over index */
    int64_t w2[3] = {1, 2, 4}, s2[3];
    ck_assert_ok(custops_money_allocate(100, w2, 3, s2)); /* 14.28, 28.57, 57.14 */
    ck_assert_int_eq(s2[0] + s2[1] + s2[2], 100);
    ck_assert_int_eq(s2[0], 14);
    ck_assert_int_eq(s2[1], 29);
    ck_assert_int_eq(s2[2], 57);
    ck_assert_ok(custops_money_allocate(-1000, w, 3, s));
    ck_assert_int_eq(s[0] + s[1] + s[2], -1000);
    /* random sums are exact */
    srand(7);
    for (int k = 0; k < 1000; k++) {
        int64_t ww[17], ss[17], tot = rand() % 1000000 - 500000, sum = 0;
        for (int i = 0; i < 17; i++)
            ww[i] = rand() % 5000;
        ww[3] = 1;
        ck_assert_ok(custops_money_allocate(tot, ww, 17, ss));
        for (int i = 0; i < 17; i++)
            sum += ss[i];
        ck_assert_int_eq(sum, tot);
    }
    int64_t z[2] = {0, 0};
    ck_assert_status(custops_money_allocate(5, z, 2, s), CUSTOPS_EINVAL);
    int64_t neg[2] = {1, -1};
    ck_assert_status(custops_money_allocate(5, neg, 2, s), CUSTOPS_EINVAL);
}
END_TEST

TCase *tcase_money(void)
{
    TCase *tc = tcase_create("money");
    tcase_add_test(tc, exponents);
    tcase_add_test(tc, parse_amounts);
    tcase_add_test(tc, format_amounts);
    tcase_add_test(tc, checked_arithmetic);
    tcase_add_test(tc, allocation_sums_exactly);
    return tc;
}
