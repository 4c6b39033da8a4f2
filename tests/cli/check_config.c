/* The `custops run` configuration reader: sections, named sections, typed
 * getters with ranges, and every error at its line and column. */
#include "testutil.h"

#include "../../src/cli/config.c"

static char err[256];

static void bad(const char *text, const char *expect)
{
    err[0] = '\0';
    config *c = config_parse("run.ini", text, err, sizeof err);
    ck_assert_ptr_null(c);
    ck_assert_str_eq(err, expect);
}

START_TEST(sections_and_values)
{
    const char *text = "# a comment\n"
                       "[input]\n"
                       "synth_customers = 5000\r\n"
                       "zone=Asia/Shanghai   \n"
                       "; another comment\n"
                       "\n"
                       "[audience win_back]\n"
                       "define = lifecycle = \"sleeping\" and clv in top 20%\n"
                       "coupon = winback_20\n"
                       "[audience vip]\n"
                       "define = rfm_segment = \"champions\"\n"
                       "[clv]\n"
                       "discount = 0.01\n"
                       "holdout = yes\n";
    config *c = config_parse("run.ini", text, err, sizeof err);
    ck_assert_msg(c != NULL, "%s", err);
    ck_assert_uint_eq(config_count(c), 7);
    int64_t n = 0;
    ck_assert_int_eq(config_int(c, "input", NULL, "synth_customers", 1, 10000000, &n, err, sizeof err), 0);
    ck_assert_int_eq(n, 5000);
    const char *s = NULL;
    ck_assert_int_eq(config_str(c, "input", NULL, "zone", &s, err, sizeof err), 0);
    ck_assert_str_eq(s, "Asia/Shanghai");
    ck_assert_int_eq(config_str(c, "audience", "win_back", "define", &s, err, sizeof err), 0);
    ck_assert_str_eq(s, "lifecycle = \"sleeping\" and clv in top 20%");
    const char *names[4];
    ck_assert_uint_eq(config_names(c, "audience", names, 4), 2);
    ck_assert_str_eq(names[0], "win_back");
    ck_assert_str_eq(names[1], "vip");
    double d = 0;
    ck_assert_int_eq(config_double(c, "clv", NULL, "discount", 0, 1, &d, err, sizeof err), 0);
    ck_assert_double_eq(d, 0.01);
    int b = 0;
    ck_assert_int_eq(config_bool(c, "clv", NULL, "holdout", &b, err, sizeof err), 0);
    ck_assert_int_eq(b, 1);
    /* absent keys leave the default and say so */
    n = 7;
    ck_assert_int_eq(config_int(c, "input", NULL, "seed", 0, 100, &n, err, sizeof err), 1);
    ck_assert_int_eq(n, 7);
    /* unread settings are reported: a typo must not pass silently */
    ck_assert_int_eq(config_check_unused(c, err, sizeof err), -1);
    ck_assert_str_eq(err, "run.ini:9:1: unknown setting 'coupon' in [audience win_back]");
    ck_assert_int_eq(config_str(c, "audience", "win_back", "coupon", &s, err, sizeof err), 0);
    ck_assert_int_eq(config_str(c, "audience", "vip", "define", &s, err, sizeof err), 0);
    ck_assert_int_eq(config_check_unused(c, err, sizeof err), 0);
    config_free(c);
}
END_TEST

START_TEST(bad_values_name_their_place)
{
    config *c = config_parse("run.ini", "[input]\nseed = 12x\nrate = nan\nflag = maybe\nempty =\n", err, sizeof err);
    ck_assert_ptr_nonnull(c);
    int64_t n;
    double d;
    int b;
    const char *s;
    ck_assert_int_eq(config_int(c, "input", NULL, "seed", 0, 100, &n, err, sizeof err), -1);
    ck_assert_str_eq(err, "run.ini:2:8: expected an integer from 0 to 100 for 'seed', got '12x'");
    ck_assert_int_eq(config_double(c, "input", NULL, "rate", 0, 1, &d, err, sizeof err), -1);
    ck_assert_str_eq(err, "run.ini:3:8: expected a number from 0 to 1 for 'rate', got 'nan'");
    ck_assert_int_eq(config_bool(c, "input", NULL, "flag", &b, err, sizeof err), -1);
    ck_assert_str_eq(err, "run.ini:4:8: expected yes or no for 'flag', got 'maybe'");
    ck_assert_int_eq(config_str(c, "input", NULL, "empty", &s, err, sizeof err), -1);
    ck_assert_str_eq(err, "run.ini:5:8: expected a value for 'empty'");
    config_free(c);
    c = config_parse("run.ini", "[input]\nseed = 101\n", err, sizeof err);
    ck_assert_int_eq(config_int(c, "input", NULL, "seed", 0, 100, &n, err, sizeof err), -1);
    config_free(c);
}
END_TEST

START_TEST(syntax_errors)
{
    bad("[input\n", "run.ini:1:7: expected ']' to close the section header");
    bad("[input] x\n", "run.ini:1:9: expected end of line after ']'");
    bad("[ ]\n", "run.ini:1:3: expected a section name");
    bad("[audience a b]\n", "run.ini:1:13: expected ']' after the section name");
    bad("[input]\n  = 3\n", "run.ini:2:3: expected a key, a [section] or a comment");
    bad("[input]\nseed 3\n", "run.ini:2:6: expected '=' after the key");
    bad("seed = 3\n", "run.ini:1:1: expected a [section] before the first key");
    bad("[input]\nseed = 1\nseed = 2\n", "run.ini:3:1: 'seed' is already set on line 2");
    ck_assert_ptr_null(config_load("/nonexistent/run.ini", err, sizeof err));
    ck_assert_str_eq(err, "/nonexistent/run.ini: No such file or directory");
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("config");
    TCase *tc = tcase_create("config");
    tcase_add_test(tc, sections_and_values);
    tcase_add_test(tc, bad_values_name_their_place);
    tcase_add_test(tc, syntax_errors);
    suite_add_tcase(s, tc);
    return s;
}

TEST_MAIN(suite)
