/* Plays: the triggers and settings check_plays leaves out. Daily schedules
 * (a birthday greeting with a gift coupon), monthly schedules, the
 * order_created trigger, cap windows that expire and caps per channel,
 * quiet hours that do not wrap midnight, quiet hours that hold messages
 * only, and quiet hours read in the engine's zone. Times are
 * Asia/Shanghai unless said. */
#include "testutil.h"

static int64_t at(const char *local) { return test_local_time(local, "Asia/Shanghai"); }

static custops_frame *due(custops_journeys *j, int64_t now)
{
    custops_frame *f;
    ck_assert_ok(custops_journeys_due(j, now, &f));
    return f;
}

static custops_journeys *engine(const char *text, const char *zone)
{
    custops_journeys *j;
    ck_assert_ok(custops_journeys_new(&j, text, zone));
    return j;
}

/* "Birthday in 7 days: greeting and a gift coupon." The engine runs the
 * play daily; the caller's audience is whoever has a birthday 7 days after
 * the run day (here worked out from a small table of birthdays). */
START_TEST(birthday_daily_schedule)
{
    static const char *const PLAY = "play birthday\n"
                                    "  trigger schedule daily 09:00\n"
                                    "  send sms birthday_greeting\n"
                                    "  coupon birthday_gift\n"
                                    "end\n";
    static const struct { const char *id; int month, day; } PEOPLE[] = {
        {"ann", 3, 8}, {"bob", 3, 9}, {"cat", 3, 8}, {"dan", 7, 1}};
    custops_journeys *j = engine(PLAY, "Asia/Shanghai");
    for (size_t p = 0; p < 4; p++)
        ck_assert_ok(custops_journeys_set_consent(j, PEOPLE[p].id, "sms", 1));
    int64_t run;
    ck_assert_ok(custops_journeys_next_run(j, "birthday", at("2024-02-29 12:00"), &run));
    ck_assert_int_eq(run, at("2024-03-01 09:00"));
    size_t sends = 0, coupons = 0;
    for (int k = 0; k < 3; k++) { /* runs of March 1, 2 and 3 */
        int32_t day;
        int32_t sod;
        custops_zone *z;
        ck_assert_ok(custops_zone_open(&z, "Asia/Shanghai"));
        ck_assert_ok(custops_zone_local(z, run, &day, &sod));
        custops_zone_free(z);
        int y, m, d;
        custops_day_to_date(day + 7, &y, &m, &d);
        const char *members[4];
        size_t n = 0;
        for (size_t p = 0; p < 4; p++)
            if (PEOPLE[p].month == m && PEOPLE[p].day == d)
                members[n++] = PEOPLE[p].id;
        ck_assert_ok(custops_journeys_enroll(j, "birthday", members, n, run));
        custops_frame *f = due(j, run);
        ck_assert_uint_eq(custops_frame_nrows(f), 2 * n);
        for (size_t i = 0; i < custops_frame_nrows(f); i++) {
            ck_assert_int_eq(test_i64(f, "at", i), run);
            ck_assert_str_eq(test_str(f, "status", i), "send");
            if (!strcmp(test_str(f, "kind", i), "message")) {
                ck_assert_str_eq(test_str(f, "target", i), "birthday_greeting");
                ck_assert_str_eq(test_str(f, "channel", i), "sms");
                sends++;
            } else {
                ck_assert_str_eq(test_str(f, "kind", i), "coupon");
                ck_assert_str_eq(test_str(f, "target", i), "birthday_gift");
                coupons++;
            }
        }
        custops_frame_free(f);
        ck_assert_ok(custops_journeys_next_run(j, "birthday", run, &run));
    }
    /* March 1 + 7 = March 8: ann and cat; March 9: bob; March 10: nobody */
    ck_assert_uint_eq(sends, 3);
    ck_assert_uint_eq(coupons, 3);
    ck_assert_int_eq(run, at("2024-03-04 09:00"));
    ck_assert_uint_eq(custops_journeys_active(j), 0);
    custops_journeys_free(j);
}
END_TEST

START_TEST(monthly_schedule)
{
    custops_journeys *j = engine("play pay_day\n  trigger schedule monthly 31 09:00\n  tag month_end\nend\n"
                                 "play first\n  trigger schedule monthly 1 00:00\n  tag month_start\nend\n",
                                 "Asia/Shanghai");
    int64_t t;
    ck_assert_ok(custops_journeys_next_run(j, "pay_day", at("2024-01-15 00:00"), &t));
    ck_assert_int_eq(t, at("2024-01-31 09:00"));
    /* months without a 31st have no run: February is skipped, not clamped */
    ck_assert_ok(custops_journeys_next_run(j, "pay_day", t, &t));
    ck_assert_int_eq(t, at("2024-03-31 09:00"));
    ck_assert_ok(custops_journeys_next_run(j, "first", at("2024-12-31 23:59"), &t));
    ck_assert_int_eq(t, at("2025-01-01 00:00"));
    /* strictly after: a run instant itself gives the next one */
    ck_assert_ok(custops_journeys_next_run(j, "first", t, &t));
    ck_assert_int_eq(t, at("2025-02-01 00:00"));
    custops_journeys_free(j);
}
END_TEST

/* "Order created" (a welcome after the first order), a repeated event key,
 * and a stop condition without `same key` (any order stops it). */
START_TEST(order_created_trigger)
{
    custops_journeys *j = engine("play thank_you\n"
                                 "  trigger event order_created\n"
                                 "  wait 2h\n"
                                 "  stop if event order_refunded\n"
                                 "  send push thanks\n"
                                 "end\n",
                                 "Asia/Shanghai");
    int64_t t0 = at("2024-05-01 10:00");
    ck_assert_ok(custops_journeys_set_consent(j, "u1", "push", 1));
    ck_assert_ok(custops_journeys_set_consent(j, "u2", "push", 1));
    ck_assert_ok(custops_journeys_event(j, "u1", "order_created", "A", t0));
    ck_assert_ok(custops_journeys_event(j, "u1", "order_created", "A", t0 + 60)); /* same order again */
    ck_assert_ok(custops_journeys_event(j, "u1", "order_created", "B", t0 + 120)); /* another order */
    ck_assert_ok(custops_journeys_event(j, "u2", "order_created", "C", t0));
    ck_assert_ok(custops_journeys_event(j, "u2", "order_refunded", "other", t0 + 3600));
    ck_assert_uint_eq(custops_journeys_active(j), 3);
    custops_frame *f = due(j, t0 + 3 * 3600);
    ck_assert_uint_eq(custops_frame_nrows(f), 2); /* u1 twice (A, B); u2 stopped by its refund */
    ck_assert_str_eq(test_str(f, "customer_id", 0), "u1");
    ck_assert_str_eq(test_str(f, "customer_id", 1), "u1");
    ck_assert_str_ne(test_str(f, "action_key", 0), test_str(f, "action_key", 1));
    ck_assert_int_eq(test_i64(f, "at", 0) + test_i64(f, "at", 1), 2 * (t0 + 7200) + 120);
    custops_frame_free(f);
    ck_assert_uint_eq(custops_journeys_active(j), 0);
    custops_journeys_free(j);
}
END_TEST

/* A cap counts sends in a sliding window per customer and channel: it
 * frees up when the window has passed, and limits only its own channel. */
START_TEST(cap_window_and_channels)
{
    custops_journeys *j = engine("play ping\n"
                                 "  trigger event ping\n"
                                 "  cap sms 1 per 1d\n"
                                 "  send sms hello\n"
                                 "  send push hello\n"
                                 "end\n",
                                 "UTC");
    ck_assert_ok(custops_journeys_set_consent(j, "x", "sms", 1));
    ck_assert_ok(custops_journeys_set_consent(j, "x", "push", 1));
    int64_t t0 = test_local_time("2024-05-01 10:00", "UTC");
    const int64_t offs[3] = {0, 3600, 86400 + 1};
    const char *const want_sms[3] = {"send", "suppressed_cap", "send"};
    for (int k = 0; k < 3; k++) {
        char key[4];
        snprintf(key, sizeof key, "k%d", k);
        ck_assert_ok(custops_journeys_event(j, "x", "ping", key, t0 + offs[k]));
        custops_frame *f = due(j, t0 + offs[k]);
        ck_assert_uint_eq(custops_frame_nrows(f), 2);
        ck_assert_str_eq(test_str(f, "channel", 0), "sms");
        ck_assert_str_eq(test_str(f, "status", 0), want_sms[k]);
        ck_assert_str_eq(test_str(f, "channel", 1), "push");
        ck_assert_str_eq(test_str(f, "status", 1), "send"); /* no push cap */
        custops_frame_free(f);
    }
    custops_journeys_free(j);
}
END_TEST

/* Quiet hours that do not wrap midnight hold messages to their end;
 * coupons and tags are not messages and are not held. */
START_TEST(quiet_midday_messages_only)
{
    custops_journeys *j = engine("play lunch\n"
                                 "  trigger event visit\n"
                                 "  quiet 12:00-14:00\n"
                                 "  coupon lunch_5\n"
                                 "  send email menu\n"
                                 "  tag lunch_visitor\n"
                                 "end\n",
                                 "Asia/Shanghai");
    ck_assert_ok(custops_journeys_set_consent(j, "y", "email", 1));
    ck_assert_ok(custops_journeys_event(j, "y", "visit", "", at("2024-05-01 12:30")));
    custops_frame *f = due(j, at("2024-05-01 13:59"));
    ck_assert_uint_eq(custops_frame_nrows(f), 1); /* the coupon, at once */
    ck_assert_str_eq(test_str(f, "kind", 0), "coupon");
    ck_assert_int_eq(test_i64(f, "at", 0), at("2024-05-01 12:30"));
    custops_frame_free(f);
    f = due(j, at("2024-05-01 15:00"));
    ck_assert_uint_eq(custops_frame_nrows(f), 2);
    ck_assert_str_eq(test_str(f, "kind", 0), "message");
    ck_assert_int_eq(test_i64(f, "at", 0), at("2024-05-01 14:00"));
    ck_assert_str_eq(test_str(f, "kind", 1), "tag");
    ck_assert_int_eq(test_i64(f, "at", 1), at("2024-05-01 14:00")); /* steps follow in order */
    custops_frame_free(f);
    /* outside quiet hours nothing is held */
    ck_assert_ok(custops_journeys_event(j, "y", "visit", "v2", at("2024-05-01 16:00")));
    f = due(j, at("2024-05-01 16:00"));
    ck_assert_uint_eq(custops_frame_nrows(f), 3);
    for (size_t i = 0; i < 3; i++)
        ck_assert_int_eq(test_i64(f, "at", i), at("2024-05-01 16:00"));
    custops_frame_free(f);
    custops_journeys_free(j);
}
END_TEST

/* Quiet hours are local time of the engine's zone: the same instant is
 * quiet in Shanghai (23:00) and not in London (16:00). */
START_TEST(quiet_hours_follow_the_zone)
{
    static const char *const PLAY = "play nudge\n  trigger event cart_add\n  quiet 22:00-08:00\n  send push n\nend\n";
    int64_t t = test_local_time("2024-05-01 15:00", "UTC"); /* 23:00 in Shanghai, 16:00 in London (BST) */
    custops_journeys *sh = engine(PLAY, "Asia/Shanghai"), *lo = engine(PLAY, "Europe/London");
    custops_journeys *both[2] = {sh, lo};
    for (int e = 0; e < 2; e++) {
        ck_assert_ok(custops_journeys_set_consent(both[e], "z", "push", 1));
        ck_assert_ok(custops_journeys_event(both[e], "z", "cart_add", "s", t));
    }
    custops_frame *f = due(lo, t);
    ck_assert_uint_eq(custops_frame_nrows(f), 1);
    ck_assert_int_eq(test_i64(f, "at", 0), t);
    custops_frame_free(f);
    f = due(sh, t);
    ck_assert_uint_eq(custops_frame_nrows(f), 0);
    custops_frame_free(f);
    f = due(sh, t + 86400);
    ck_assert_uint_eq(custops_frame_nrows(f), 1);
    ck_assert_int_eq(test_i64(f, "at", 0), at("2024-05-02 08:00"));
    custops_frame_free(f);
    custops_journeys_free(sh);
    custops_journeys_free(lo);
}
END_TEST

static Suite *triggers_suite(void)
{
    Suite *s = suite_create("plays_triggers");
    TCase *tc = tcase_create("triggers");
    tcase_add_test(tc, birthday_daily_schedule);
    tcase_add_test(tc, monthly_schedule);
    tcase_add_test(tc, order_created_trigger);
    tcase_add_test(tc, cap_window_and_channels);
    tcase_add_test(tc, quiet_midday_messages_only);
    tcase_add_test(tc, quiet_hours_follow_the_zone);
    suite_add_tcase(s, tc);
    return s;
}

TEST_MAIN(triggers_suite)
