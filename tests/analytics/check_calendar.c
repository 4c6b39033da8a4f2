/* Campaign calendars: the Double-11 example (phases, boundaries, what runs
 * for which audiences), errors with line:col for each mistake, limits. */
#include "testutil.h"

static custops_calendar *load_example(void)
{
    char path[4096];
    const char *src = getenv("top_srcdir");
    if (src)
        snprintf(path, sizeof path, "%s/tests/analytics/data/double11.cal", src);
    else /* run by hand or under valgrind without the test environment */
        snprintf(path, sizeof path, "%s/double11.cal", ANALYTICS_TEST_DATA);
    custops_calendar *cal;
    ck_assert_ok(custops_calendar_load(&cal, path));
    return cal;
}

static int64_t sh(const char *text) { return test_local_time(text, "Asia/Shanghai"); }

START_TEST(double11_phases)
{
    custops_calendar *cal = load_example();
    ck_assert_str_eq(custops_calendar_name(cal), "Double 11 2026");
    ck_assert_str_eq(custops_calendar_zone_name(cal), "Asia/Shanghai");
    custops_frame *ph;
    ck_assert_ok(custops_calendar_phases(&ph, cal));
    ck_assert_uint_eq(custops_frame_nrows(ph), 5);
    ck_assert_str_eq(test_str(ph, "phase", 0), "warm_up");
    /* 2026-08-25 00:00 in Shanghai is 2026-08-24 16:00 UTC */
    ck_assert_int_eq(test_i64(ph, "start", 0), 1787587200LL);
    ck_assert_int_eq(test_i64(ph, "start", 0), sh("2026-08-25"));
    ck_assert_int_eq(test_i64(ph, "end", 0), sh("2026-09-09"));
    ck_assert_int_eq(test_i64(ph, "end", 2), sh("2026-11-11")); /* pre-heat runs to the burst */
    ck_assert_int_eq(test_i64(ph, "end", 4), sh("2026-11-26"));
    ck_assert_int_eq(test_i64(ph, "bindings", 1), 2);
    ck_assert_int_eq(test_i64(ph, "bindings", 3), 2);
    custops_frame_free(ph);
    custops_calendar_free(cal);
}
END_TEST

START_TEST(double11_now)
{
    custops_calendar *cal = load_example();
    custops_frame *f;
    const char *aud[] = {"cart_abandoners", "buyers"};
    /* pre-sale: the "*" binding and the cart_abandoners one, in text order */
    ck_assert_ok(custops_calendar_now(&f, cal, sh("2026-09-10 12:00"), aud, 2));
    ck_assert_uint_eq(custops_frame_nrows(f), 3);
    ck_assert_str_eq(test_str(f, "phase", 0), "pre_sale");
    ck_assert_str_eq(test_str(f, "audience", 0), "*");
    ck_assert_str_eq(test_str(f, "action", 0), "message");
    ck_assert_str_eq(test_str(f, "arg", 0), "presale_deposit");
    ck_assert_str_eq(test_str(f, "action", 1), "reminder");
    ck_assert_str_eq(test_str(f, "arg", 1), "");
    ck_assert_str_eq(test_str(f, "action", 2), "coupon");
    ck_assert_str_eq(test_str(f, "arg", 2), "R-205");
    custops_frame_free(f);
    /* the last second of pre-heat, then the first of the burst */
    ck_assert_ok(custops_calendar_now(&f, cal, sh("2026-11-11") - 1, aud, 2));
    ck_assert_uint_eq(custops_frame_nrows(f), 1);
    ck_assert_str_eq(test_str(f, "arg", 0), "cart_nudge");
    custops_frame_free(f);
    const char *vip[] = {"lapsed_vip"};
    ck_assert_ok(custops_calendar_now(&f, cal, sh("2026-11-11"), vip, 1));
    ck_assert_uint_eq(custops_frame_nrows(f), 3);
    ck_assert_str_eq(test_str(f, "phase", 2), "burst");
    ck_assert_str_eq(test_str(f, "arg", 2), "R-1112");
    custops_frame_free(f);
    /* after-sale ends on the 26th; nothing before warm-up or after the end */
    ck_assert_ok(custops_calendar_now(&f, cal, sh("2026-11-25 23:59"), aud, 2));
    ck_assert_uint_eq(custops_frame_nrows(f), 1);
    custops_frame_free(f);
    int64_t outside[] = {sh("2026-11-26"), sh("2026-08-24 23:59"), INT64_MIN, INT64_MAX};
    for (int i = 0; i < 4; i++) {
        ck_assert_ok(custops_calendar_now(&f, cal, outside[i], aud, 2));
        ck_assert_uint_eq(custops_frame_nrows(f), 0);
        ck_assert_uint_eq(custops_frame_ncols(f), 4);
        custops_frame_free(f);
    }
    /* a customer in no audience still gets the "*" bindings */
    ck_assert_ok(custops_calendar_now(&f, cal, sh("2026-09-10"), NULL, 0));
    ck_assert_uint_eq(custops_frame_nrows(f), 1);
    custops_frame_free(f);
    ck_assert_status(custops_calendar_now(&f, cal, 0, NULL, 1), CUSTOPS_EINVAL);
    ck_assert_status(custops_calendar_now(&f, NULL, 0, NULL, 0), CUSTOPS_EINVAL);
    custops_calendar_free(cal);
}
END_TEST

static void bad(const char *text, int status, const char *where)
{
    custops_calendar *cal = (custops_calendar *)1;
    custops_clear_error();
    int rc = custops_calendar_parse(&cal, text, strlen(text), "t.cal");
    ck_assert_msg(rc == status, "'%s': got %d (%s), wanted %d", text, rc, custops_last_error(), status);
    ck_assert_ptr_null(cal);
    ck_assert_msg(strstr(custops_last_error(), where) != NULL, "'%s': message '%s' lacks '%s'", text,
                  custops_last_error(), where);
}

START_TEST(errors_with_line_and_column)
{
    const char *h = "campaign c zone UTC\n";
    char buf[1024];
    bad("", CUSTOPS_EPARSE, "t.cal:1:1: expected 'campaign'");
    bad("campaign c zone Mars/Base\n", CUSTOPS_ENOTFOUND, "t.cal:1:17: zone 'Mars/Base'");
    bad("campaign c zone UTC\n", CUSTOPS_EPARSE, "the campaign has no phase");
    snprintf(buf, sizeof buf, "%sphase a from 2026-01-01\n", h);
    bad(buf, CUSTOPS_EPARSE, "t.cal:2:1: the last phase 'a' needs 'to'");
    snprintf(buf, sizeof buf, "%sphase a from 2026-13-01 to 2026-12-01\n", h);
    bad(buf, CUSTOPS_EPARSE, "t.cal:2:14: bad date-time '2026-13-01'");
    snprintf(buf, sizeof buf, "%sphase a from 2026-02-01 to 2026-01-01\n", h);
    bad(buf, CUSTOPS_EPARSE, "t.cal:2:1: phase 'a' ends before it starts");
    snprintf(buf, sizeof buf, "%sphase a from 2026-01-01 to 2026-02-01\nphase b from 2026-01-15 to 2026-03-01\n", h);
    bad(buf, CUSTOPS_EPARSE, "t.cal:3:1: phase 'b' starts before the previous phase ends");
    snprintf(buf, sizeof buf, "%sphase a from 2026-01-01 to 2026-02-01\nphase a from 2026-03-01 to 2026-04-01\n", h);
    bad(buf, CUSTOPS_EPARSE, "t.cal:3:1: phase 'a' is defined twice");
    snprintf(buf, sizeof buf, "%saudience x do reminder\n", h);
    bad(buf, CUSTOPS_EPARSE, "t.cal:2:1: 'audience' before any 'phase'");
    snprintf(buf, sizeof buf, "%sphase a from 2026-01-01 to 2026-02-01\n  audience x do discount 5\n", h);
    bad(buf, CUSTOPS_EPARSE, "t.cal:3:17: expected an action");
    snprintf(buf, sizeof buf, "%sphase a from 2026-01-01 to 2026-02-01\n  audience x do coupon\n", h);
    bad(buf, CUSTOPS_EPARSE, "t.cal:4:1: expected a coupon rule id");
    snprintf(buf, sizeof buf, "%sphase a from 2026-01-01 to 2026-02-01\n  audience \"x do coupon 1\n", h);
    bad(buf, CUSTOPS_EPARSE, "t.cal:3:12: unterminated string");
    snprintf(buf, sizeof buf, "%sphase a from 2026-01-01 to 2026-02-01\n  audience \"\" do coupon 1\n", h);
    bad(buf, CUSTOPS_EPARSE, "t.cal:3:12: an audience name is empty");
    snprintf(buf, sizeof buf, "%sphase a from 2026-01-01 to 2026-02-01\n  audience x coupon 1\n", h);
    bad(buf, CUSTOPS_EPARSE, "t.cal:3:14: expected 'do'");
    snprintf(buf, sizeof buf, "%sphase a from 2026-01-01 to 2026-02-01\n  audience x do coupon 1,\n", h);
    bad(buf, CUSTOPS_EPARSE, "t.cal:4:1: expected an action");
    snprintf(buf, sizeof buf, "%sphase a from 2026-01-01 to 2026-02-01 extra\n", h);
    bad(buf, CUSTOPS_EPARSE, "t.cal:2:39: expected 'phase' or 'audience'");
    bad("campaign c zone UTC\x01", CUSTOPS_EPARSE, "t.cal:1:20: unexpected character 0x01");
    /* limits */
    char big[600];
    memset(big, 'n', 300);
    big[300] = '\0';
    snprintf(buf, sizeof buf, "campaign %s zone UTC\n", big);
    bad(buf, CUSTOPS_ELIMIT, "t.cal:1:10: word longer than 256 bytes");
    custops_calendar *cal;
    ck_assert_status(custops_calendar_parse(&cal, "x", (size_t)2 << 20, "t.cal"), CUSTOPS_ELIMIT);
    ck_assert_status(custops_calendar_parse(&cal, NULL, 0, "t.cal"), CUSTOPS_EINVAL);
    ck_assert_status(custops_calendar_load(&cal, "/nonexistent/x.cal"), CUSTOPS_ENOTFOUND);
}
END_TEST

START_TEST(quoted_times_and_keywords)
{
    const char *text = "campaign \"Flash \\\"sale\\\"\" zone \"Asia/Shanghai\"\n"
                       "phase \"phase\" from \"2026-06-18 20:00\" to 2026-06-18T22:00 # two hours\n"
                       "  audience \"audience\" do reminder \"phase\", message m\n";
    custops_calendar *cal;
    ck_assert_ok(custops_calendar_parse(&cal, text, strlen(text), NULL));
    ck_assert_str_eq(custops_calendar_name(cal), "Flash \"sale\"");
    custops_frame *f;
    const char *aud[] = {"audience"};
    ck_assert_ok(custops_calendar_now(&f, cal, sh("2026-06-18 21:00"), aud, 1));
    ck_assert_uint_eq(custops_frame_nrows(f), 2);
    ck_assert_str_eq(test_str(f, "phase", 0), "phase");
    ck_assert_str_eq(test_str(f, "arg", 0), "phase");
    ck_assert_str_eq(test_str(f, "arg", 1), "m");
    custops_frame_free(f);
    ck_assert_ok(custops_calendar_now(&f, cal, sh("2026-06-18 22:00"), aud, 1));
    ck_assert_uint_eq(custops_frame_nrows(f), 0);
    custops_frame_free(f);
    custops_calendar_free(cal);
    custops_calendar_free(NULL);
    ck_assert_str_eq(custops_calendar_name(NULL), "");
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("calendar");
    TCase *tc = tcase_create("calendar");
    tcase_add_test(tc, double11_phases);
    tcase_add_test(tc, double11_now);
    tcase_add_test(tc, errors_with_line_and_column);
    tcase_add_test(tc, quoted_times_and_keywords);
    suite_add_tcase(s, tc);
    return s;
}

TEST_MAIN(suite)
