/* Plays: the language, journeys, waits, stop conditions, quiet hours,
 * best send time, consent, caps, holdouts, schedules, exactly-once
 * actions and persistence. Times are Asia/Shanghai unless said. */
#include "testutil.h"

static const char *PLAYS =
    "# unpaid orders: remind at 15 minutes and 2 hours, then stop\n"
    "play unpaid_reminder\n"
    "  trigger event order_unpaid\n"
    "  cap sms 3 per 1d\n"
    "  wait 15m\n"
    "  stop if event order_paid same key\n"
    "  send sms unpaid_first\n"
    "  wait until trigger + 2h\n"
    "  stop if event order_paid same key\n"
    "  send sms unpaid_last\n"
    "end\n"
    "\n"
    "play closed_recovery\n"
    "  trigger event order_closed\n"
    "  coupon recovery_10\n"
    "end\n"
    "play late_shipment\n"
    "  trigger event order_paid\n"
    "  wait until 2024-11-14 00:00\n"
    "  stop if event order_shipped same key\n"
    "  send sms apology\n"
    "  wait until 2024-11-18 00:00\n"
    "  stop if event order_shipped same key\n"
    "  coupon late_comp_5\n"
    "end\n"
    "play night_owl\n"
    "  trigger event cart_add\n"
    "  quiet 22:00-08:00\n"
    "  cap push 1 per 1d\n"
    "  wait 15m\n"
    "  send push cart_nudge\n"
    "end\n"
    "play weekly_winback holdout 50%\n"
    "  trigger schedule weekly mon 10:00\n"
    "  send sms winback at best time\n"
    "  tag winback_contacted\n"
    "end\n";

static int64_t at(const char *local) { return test_local_time(local, "Asia/Shanghai"); }

static custops_journeys *engine(void)
{
    custops_journeys *j;
    ck_assert_ok(custops_journeys_new(&j, PLAYS, "Asia/Shanghai"));
    return j;
}

/* Column value helpers */
static custops_frame *due(custops_journeys *j, int64_t now)
{
    custops_frame *f;
    ck_assert_ok(custops_journeys_due(j, now, &f));
    return f;
}

START_TEST(compiles_and_names)
{
    custops_journeys *j = engine();
    ck_assert_uint_eq(custops_journeys_nplays(j), 5);
    ck_assert_str_eq(custops_journeys_play_name(j, 0), "unpaid_reminder");
    ck_assert_str_eq(custops_journeys_play_name(j, 4), "weekly_winback");
    ck_assert_ptr_null(custops_journeys_play_name(j, 5));
    ck_assert_uint_eq(custops_journeys_active(j), 0);
    custops_journeys_free(j);
}
END_TEST

static void parse_error(const char *text, const char *where)
{
    custops_journeys *j;
    ck_assert_status(custops_journeys_new(&j, text, "Asia/Shanghai"), CUSTOPS_EPARSE);
    ck_assert_ptr_null(j);
    ck_assert_msg(strstr(custops_last_error(), where) != NULL, "wanted '%s' in '%s'", where, custops_last_error());
}

START_TEST(parse_errors)
{
    parse_error("", "expected at least one play");
    parse_error("plya x\n", "<plays>:1:1: expected 'play NAME', got 'plya'");
    parse_error("play x\n  trigger event a\n  wait 15q\nend\n", "<plays>:3:8: expected a duration unit");
    parse_error("play x\n  trigger event a\n  send sms\nend\n", "<plays>:3:11: expected a template name");
    parse_error("play x\n  trigger event a\n  send sms t at worst time\nend\n", "<plays>:3:14: expected 'at best time'");
    parse_error("play x\n  trigger schedule weekly funday 10:00\n  tag t\nend\n", "<plays>:2:27: expected a weekday");
    parse_error("play x\n  trigger event a\n  tag t\n", "expected 'end' to close the play");
    parse_error("play x\n  tag t\nend\n", "<plays>:1:1: play has no trigger line");
    parse_error("play x\n  trigger event a\nend\n", "play has no steps");
    parse_error("play x\n trigger event a\n tag t\nend\nplay x\n trigger event b\n tag t\nend\n",
                "<plays>:5:6: play 'x' is defined twice");
    parse_error("play x holdout 150%\n trigger event a\n tag t\nend\n", "<plays>:1:16: expected a percentage");
    parse_error("play x\n trigger event a\n quiet 22:00-22:00\n tag t\nend\n", "expected a non-empty quiet period");
    parse_error("play x\n trigger event a\n wait until 2024-02-30 00:00\n tag t\nend\n", "<plays>:3:13: expected a local date");
    parse_error("play x\n trigger event a\n tag t extra\nend\n", "<plays>:3:8: expected end of line, got 'extra'");
    parse_error("play x\n trigger event a\n dance\nend\n", "<plays>:3:2: expected a step");
    custops_journeys *j;
    ck_assert_status(custops_journeys_new(&j, PLAYS, "Mars/Base"), CUSTOPS_ENOTFOUND);
    ck_assert_status(custops_journeys_new(&j, NULL, "UTC"), CUSTOPS_EINVAL);
}
END_TEST

START_TEST(unpaid_order_stops_when_paid)
{
    custops_journeys *j = engine();
    int64_t t0 = at("2024-11-10 20:00");
    ck_assert_ok(custops_journeys_set_consent(j, "c1", "sms", 1));
    ck_assert_ok(custops_journeys_set_consent(j, "c2", "sms", 1));
    ck_assert_ok(custops_journeys_event(j, "c1", "order_unpaid", "o1", t0));
    ck_assert_ok(custops_journeys_event(j, "c2", "order_unpaid", "o2", t0));
    ck_assert_ok(custops_journeys_event(j, "c2", "order_unpaid", "o2", t0 + 5)); /* repeated: one journey */
    ck_assert_uint_eq(custops_journeys_active(j), 2);
    custops_frame *f = due(j, t0 + 14 * 60);
    ck_assert_uint_eq(custops_frame_nrows(f), 0);
    custops_frame_free(f);
    f = due(j, t0 + 15 * 60);
    ck_assert_uint_eq(custops_frame_nrows(f), 2);
    ck_assert_str_eq(test_str(f, "target", 0), "unpaid_first");
    ck_assert_str_eq(test_str(f, "status", 0), "send");
    ck_assert_str_eq(test_str(f, "kind", 0), "message");
    ck_assert_str_eq(test_str(f, "channel", 0), "sms");
    ck_assert_int_eq(test_i64(f, "at", 0), t0 + 15 * 60);
    ck_assert_int_eq(test_i64(f, "step", 0), 3);
    custops_frame_free(f);
    /* exactly once: asking again at the same time gives nothing */
    f = due(j, t0 + 15 * 60);
    ck_assert_uint_eq(custops_frame_nrows(f), 0);
    custops_frame_free(f);
    /* c1 pays after an hour (other order key does not count for c2) */
    ck_assert_ok(custops_journeys_event(j, "c1", "order_paid", "o1", t0 + 3600));
    ck_assert_ok(custops_journeys_event(j, "c2", "order_paid", "other", t0 + 3600));
    f = due(j, t0 + 3 * 3600);
    ck_assert_uint_eq(custops_frame_nrows(f), 1);
    ck_assert_str_eq(test_str(f, "customer_id", 0), "c2");
    ck_assert_str_eq(test_str(f, "target", 0), "unpaid_last");
    ck_assert_int_eq(test_i64(f, "at", 0), t0 + 2 * 3600); /* due at trigger + 2h, even if asked later */
    custops_frame_free(f);
    /* the order_paid events started late_shipment journeys; the unpaid ones are over */
    ck_assert_uint_eq(custops_journeys_active(j), 2);
    custops_frame *none;
    ck_assert_status(custops_journeys_due(j, t0, &none), CUSTOPS_EINVAL); /* time went backwards */
    ck_assert_ptr_null(none);
    custops_journeys_free(j);
}
END_TEST

START_TEST(consent_and_caps)
{
    custops_journeys *j = engine();
    int64_t t0 = at("2024-11-10 09:00");
    /* c3 never consented to sms */
    ck_assert_ok(custops_journeys_event(j, "c3", "order_unpaid", "o3", t0));
    /* c4: five unpaid orders in a day, cap 3 sms per day */
    ck_assert_ok(custops_journeys_set_consent(j, "c4", "sms", 1));
    for (int k = 0; k < 5; k++) {
        char key[8];
        snprintf(key, sizeof key, "k%d", k);
        ck_assert_ok(custops_journeys_event(j, "c4", "order_unpaid", key, t0 + k * 60));
    }
    custops_frame *f = due(j, t0 + 3600);
    ck_assert_uint_eq(custops_frame_nrows(f), 6);
    int sent = 0, capped = 0, noconsent = 0;
    for (size_t i = 0; i < 6; i++) {
        const char *s = test_str(f, "status", i);
        sent += strcmp(s, "send") == 0;
        capped += strcmp(s, "suppressed_cap") == 0;
        noconsent += strcmp(s, "suppressed_consent") == 0;
    }
    ck_assert_int_eq(sent, 3);
    ck_assert_int_eq(capped, 2);
    ck_assert_int_eq(noconsent, 1);
    custops_frame_free(f);
    /* withdrawing consent stops later sends */
    ck_assert_ok(custops_journeys_set_consent(j, "c4", "sms", 0));
    f = due(j, t0 + 3 * 3600);
    for (size_t i = 0; i < custops_frame_nrows(f); i++)
        ck_assert_str_ne(test_str(f, "status", i), "send");
    custops_frame_free(f);
    custops_journeys_free(j);
}
END_TEST

START_TEST(quiet_hours_hold_messages)
{
    custops_journeys *j = engine();
    ck_assert_ok(custops_journeys_set_consent(j, "owl", "push", 1));
    int64_t t0 = at("2024-11-10 21:50");
    ck_assert_ok(custops_journeys_event(j, "owl", "cart_add", "sku1", t0));
    custops_frame *f = due(j, at("2024-11-10 23:00"));
    ck_assert_uint_eq(custops_frame_nrows(f), 0); /* 22:05 is quiet */
    custops_frame_free(f);
    f = due(j, at("2024-11-11 07:59"));
    ck_assert_uint_eq(custops_frame_nrows(f), 0);
    custops_frame_free(f);
    f = due(j, at("2024-11-11 09:30"));
    ck_assert_uint_eq(custops_frame_nrows(f), 1);
    ck_assert_int_eq(test_i64(f, "at", 0), at("2024-11-11 08:00"));
    ck_assert_str_eq(test_str(f, "status", 0), "send");
    custops_frame_free(f);
    custops_journeys_free(j);
}
END_TEST

START_TEST(absolute_waits_late_shipment)
{
    custops_journeys *j = engine();
    ck_assert_ok(custops_journeys_set_consent(j, "a", "sms", 1));
    ck_assert_ok(custops_journeys_set_consent(j, "b", "sms", 1));
    ck_assert_ok(custops_journeys_event(j, "a", "order_paid", "oa", at("2024-11-11 00:05")));
    ck_assert_ok(custops_journeys_event(j, "b", "order_paid", "ob", at("2024-11-11 00:06")));
    ck_assert_ok(custops_journeys_event(j, "b", "order_shipped", "ob", at("2024-11-15 10:00")));
    custops_frame *f = due(j, at("2024-11-13 23:59"));
    ck_assert_uint_eq(custops_frame_nrows(f), 0);
    custops_frame_free(f);
    f = due(j, at("2024-11-14 00:00")); /* midnight Shanghai = 16:00 UTC the day before */
    ck_assert_uint_eq(custops_frame_nrows(f), 2);
    ck_assert_str_eq(test_str(f, "target", 0), "apology");
    ck_assert_int_eq(test_i64(f, "at", 0), 1731513600); /* 2024-11-13T16:00:00Z */
    custops_frame_free(f);
    f = due(j, at("2024-11-20 00:00"));
    ck_assert_uint_eq(custops_frame_nrows(f), 1); /* b shipped on the 15th: only a is compensated */
    ck_assert_str_eq(test_str(f, "customer_id", 0), "a");
    ck_assert_str_eq(test_str(f, "kind", 0), "coupon");
    ck_assert_str_eq(test_str(f, "target", 0), "late_comp_5");
    ck_assert_str_eq(test_str(f, "channel", 0), "");
    custops_frame_free(f);
    custops_journeys_free(j);
}
END_TEST

START_TEST(schedule_best_time_and_holdout)
{
    custops_journeys *j = engine();
    int64_t next;
    ck_assert_ok(custops_journeys_next_run(j, "weekly_winback", at("2024-11-06 12:00"), &next)); /* a Wednesday */
    ck_assert_int_eq(next, at("2024-11-11 10:00"));
    ck_assert_ok(custops_journeys_next_run(j, "weekly_winback", next, &next));
    ck_assert_int_eq(next, at("2024-11-18 10:00"));
    ck_assert_status(custops_journeys_next_run(j, "unpaid_reminder", 0, &next), CUSTOPS_EINVAL);
    ck_assert_status(custops_journeys_next_run(j, "nope", 0, &next), CUSTOPS_ENOTFOUND);

    enum { N = 2000 };
    static char ids[N][12];
    const char *members[N];
    for (int i = 0; i < N; i++) {
        snprintf(ids[i], sizeof ids[i], "m%05d", i);
        members[i] = ids[i];
        ck_assert_ok(custops_journeys_set_consent(j, ids[i], "sms", 1));
    }
    ck_assert_ok(custops_journeys_set_send_hour(j, "m00000", 20));
    ck_assert_status(custops_journeys_set_send_hour(j, "m00000", 24), CUSTOPS_EINVAL);
    int64_t run = at("2024-11-11 10:00");
    ck_assert_ok(custops_journeys_enroll(j, "weekly_winback", members, N, run));
    ck_assert_ok(custops_journeys_enroll(j, "weekly_winback", members, N, run)); /* same run again: no-op */
    ck_assert_status(custops_journeys_enroll(j, "unpaid_reminder", members, 1, run), CUSTOPS_EINVAL);
    ck_assert_uint_eq(custops_journeys_active(j), N);
    custops_frame *f = due(j, run);
    /* everyone but m00000 (waits for 20:00) gets the sms and the tag now */
    ck_assert_uint_eq(custops_frame_nrows(f), 2 * (N - 1));
    int holdout = 0;
    for (size_t i = 0; i < custops_frame_nrows(f); i += 2) {
        int in;
        ck_assert_ok(custops_journeys_in_holdout(j, "weekly_winback", test_str(f, "customer_id", i), &in));
        ck_assert_str_eq(test_str(f, "status", i), in ? "holdout" : "send");
        ck_assert_str_eq(test_str(f, "status", i + 1), in ? "holdout" : "send");
        holdout += in;
    }
    /* 50% of 1999: binomial sd ~22; allow 5 sd */
    ck_assert_int_ge(holdout, 1000 - 112);
    ck_assert_int_le(holdout, 1000 + 112);
    custops_frame_free(f);
    f = due(j, at("2024-11-11 20:00"));
    ck_assert_uint_eq(custops_frame_nrows(f), 2);
    ck_assert_str_eq(test_str(f, "customer_id", 0), "m00000");
    ck_assert_int_eq(test_i64(f, "at", 0), at("2024-11-11 20:00"));
    custops_frame_free(f);
    ck_assert_uint_eq(custops_journeys_active(j), 0);
    /* holdout is a pure function of play and customer: a fresh engine agrees */
    custops_journeys *j2 = engine();
    for (int i = 0; i < N; i += 97) {
        int a, b;
        ck_assert_ok(custops_journeys_in_holdout(j, "weekly_winback", ids[i], &a));
        ck_assert_ok(custops_journeys_in_holdout(j2, "weekly_winback", ids[i], &b));
        ck_assert_int_eq(a, b);
    }
    int in;
    ck_assert_ok(custops_journeys_in_holdout(j2, "unpaid_reminder", "m00001", &in));
    ck_assert_int_eq(in, 0); /* a play without holdout keeps nobody back */
    custops_journeys_free(j2);
    custops_journeys_free(j);
}
END_TEST

/* Runs the same script on two engines, one saved and reloaded half way:
 * the actions (keys included) must be identical. */
START_TEST(save_load_continues_identically)
{
    char dir[256], path[300];
    test_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/journeys.jrny", dir);
    custops_journeys *a = engine(), *b = engine();
    int64_t t0 = at("2024-11-10 20:00");
    custops_journeys *both[2] = {a, b};
    for (int e = 0; e < 2; e++) {
        custops_journeys *j = both[e];
        ck_assert_ok(custops_journeys_set_consent(j, "x", "sms", 1));
        ck_assert_ok(custops_journeys_set_send_hour(j, "x", 9));
        ck_assert_ok(custops_journeys_event(j, "x", "order_unpaid", "o1", t0));
        ck_assert_ok(custops_journeys_event(j, "y", "order_closed", "o2", t0));
        custops_frame_free(due(j, t0 + 20 * 60));
    }
    ck_assert_ok(custops_journeys_save(b, path));
    custops_journeys_free(b);
    ck_assert_ok(custops_journeys_load(&b, path));
    ck_assert_uint_eq(custops_journeys_active(b), custops_journeys_active(a));
    custops_frame *fa = due(a, t0 + 5 * 3600), *fb = due(b, t0 + 5 * 3600);
    ck_assert_uint_eq(custops_frame_nrows(fa), 1);
    ck_assert_uint_eq(custops_frame_nrows(fb), 1);
    ck_assert_str_eq(test_str(fa, "action_key", 0), test_str(fb, "action_key", 0));
    ck_assert_str_eq(test_str(fb, "target", 0), "unpaid_last");
    custops_frame_free(fa);
    custops_frame_free(fb);
    /* time cannot go backwards after a reload either */
    custops_frame *none;
    ck_assert_status(custops_journeys_due(b, t0, &none), CUSTOPS_EINVAL);

    /* every truncation and a flipped byte fail cleanly */
    FILE *fp = fopen(path, "rb");
    static unsigned char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf, fp);
    fclose(fp);
    char cut[320];
    snprintf(cut, sizeof cut, "%s/cut.jrny", dir);
    for (size_t k = 0; k < n; k += (n > 400 ? 7 : 1)) {
        fp = fopen(cut, "wb");
        fwrite(buf, 1, k, fp);
        fclose(fp);
        custops_journeys *c;
        ck_assert_status(custops_journeys_load(&c, cut), CUSTOPS_ECORRUPT);
        ck_assert_ptr_null(c);
    }
    buf[n / 2] ^= 0x40;
    fp = fopen(cut, "wb");
    fwrite(buf, 1, n, fp);
    fclose(fp);
    custops_journeys *c;
    ck_assert_status(custops_journeys_load(&c, cut), CUSTOPS_ECORRUPT);
    remove(cut);
    remove(path);
    rmdir(dir);
    custops_journeys_free(a);
    custops_journeys_free(b);
}
END_TEST

static Suite *plays_suite(void)
{
    Suite *s = suite_create("plays");
    TCase *tc = tcase_create("journeys");
    tcase_add_test(tc, compiles_and_names);
    tcase_add_test(tc, parse_errors);
    tcase_add_test(tc, unpaid_order_stops_when_paid);
    tcase_add_test(tc, consent_and_caps);
    tcase_add_test(tc, quiet_hours_hold_messages);
    tcase_add_test(tc, absolute_waits_late_shipment);
    tcase_add_test(tc, schedule_best_time_and_holdout);
    tcase_add_test(tc, save_load_continues_identically);
    suite_add_tcase(s, tc);
    return s;
}

TEST_MAIN(plays_suite)
