/* `custops plays` end to end.
 * 1. A small hand-made store and trigger file where every action the plays
 *    must produce (and its time and status) was worked out by hand: unpaid
 *    reminders stopped by payment, a closed-order coupon, late-shipment
 *    apology and compensation, quiet hours, a push cap, missing consent and
 *    a weekly audience.
 * 2. The synthetic store: the uplift report of the CLI against the same
 *    numbers recomputed here through the library (store lines from the
 *    generator, holdout membership from a fresh engine, custops_uplift_report). */
#include "testutil.h"

#include <math.h>

static char dir[256];

static void write_file(const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
}

static int custops(const char *args)
{
    const char *bin = getenv("CUSTOPS");
    ck_assert_ptr_nonnull(bin);
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "cd '%s' && '%s' plays --quiet %s", dir, bin, args);
    int rc = system(cmd);
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static custops_frame *read_csv(const char *name, const custops_zone *z)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    custops_frame *f;
    ck_assert_ok(custops_frame_read_csv(&f, path, z));
    return f;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static const char *HAND_PLAYS =
    "play unpaid_reminder\n"
    "  trigger event order_unpaid\n"
    "  wait 15m\n"
    "  stop if event order_paid same key\n"
    "  send sms unpaid_first\n"
    "  wait until trigger + 2h\n"
    "  stop if event order_paid same key\n"
    "  send sms unpaid_last\n"
    "end\n"
    "play closed_recovery\n"
    "  trigger event order_closed\n"
    "  coupon recovery_10\n"
    "end\n"
    "play late_shipment\n"
    "  trigger event order_paid\n"
    "  wait until 2024-11-14 00:00\n"
    "  stop if event order_shipped\n"
    "  send sms apology\n"
    "  wait until 2024-11-18 00:00\n"
    "  stop if event order_shipped\n"
    "  coupon late_comp_5\n"
    "end\n"
    "play night_cart\n"
    "  trigger event cart_add\n"
    "  quiet 22:00-08:00\n"
    "  cap push 1 per 1d\n"
    "  wait 10m\n"
    "  send push cart_nudge\n"
    "end\n"
    "play vip_weekly\n"
    "  trigger schedule weekly mon 10:00\n"
    "  tag vip_contacted\n"
    "end\n";

/* play, step, customer, local time, status: worked out by hand */
static const char *const EXPECTED[] = {
    /* c1 pays at 20:30: the first reminder only; c3 has no sms consent */
    "unpaid_reminder,3,c1,2024-11-10 20:15,send",
    "unpaid_reminder,3,c2,2024-11-10 20:15,send",
    "unpaid_reminder,6,c2,2024-11-10 22:00,send",
    "unpaid_reminder,3,c3,2024-11-10 20:15,suppressed_consent",
    "unpaid_reminder,6,c3,2024-11-10 22:00,suppressed_consent",
    "closed_recovery,1,c2,2024-11-11 20:00,send",
    /* order_paid from the trigger file (c1, o1) and from the store (c2, A1);
     * c1's order ships on the 15th: apology but no compensation */
    "late_shipment,3,c1,2024-11-14 00:00,send",
    "late_shipment,3,c2,2024-11-14 00:00,send",
    "late_shipment,6,c2,2024-11-18 00:00,send",
    /* c3's cart adds at 21:55 and 23:00 fall due in quiet hours: both held
     * to 08:00, where the cap of one push a day lets one through */
    "night_cart,2,c3,2024-11-11 08:00,send",
    "night_cart,2,c3,2024-11-11 08:00,suppressed_cap",
    "night_cart,2,c2,2024-11-12 12:10,suppressed_consent",
    /* customers with an order by each Monday 10:00 */
    "vip_weekly,1,c3,2024-11-11 10:00,send",
    "vip_weekly,1,c2,2024-11-18 10:00,send",
    "vip_weekly,1,c3,2024-11-18 10:00,send",
};
#define NEXPECTED (sizeof EXPECTED / sizeof EXPECTED[0])

START_TEST(hand_made_store)
{
    test_tmpdir(dir, sizeof dir);
    write_file("plays.txt", HAND_PLAYS);
    write_file("customers.csv", "customer_id,consent_sms,consent_push\nc1,1,1\nc2,1,0\nc3,0,1\n");
    write_file("orders.csv", "order_id,customer_id,time,currency,sku,qty,unit_price\n"
                             "A1,c2,2024-11-12 09:00:00,CNY,s1,1,50.00\n"
                             "A2,c3,2024-11-01 09:00:00,CNY,s1,1,10.00\n");
    write_file("events.csv", "customer_id,time,type,sku\n"
                             "c3,2024-11-10 21:55:00,cart_add,s1\n"
                             "c3,2024-11-10 23:00:00,cart_add,s2\n"
                             "c2,2024-11-12 12:00:00,cart_add,s1\n");
    write_file("triggers.csv", "customer_id,type,key,time\n"
                               "c1,order_unpaid,o1,2024-11-10 20:00:00\n"
                               "c1,order_paid,o1,2024-11-10 20:30:00\n"
                               "c2,order_unpaid,o2,2024-11-10 20:00:00\n"
                               "c3,order_unpaid,o3,2024-11-10 20:00:00\n"
                               "c2,order_closed,o2,2024-11-11 20:00:00\n"
                               "c1,order_shipped,o1,2024-11-15 10:00:00\n");
    const char *common = "--plays plays.txt --data . --events triggers.csv --from 2024-11-10 --to 2024-11-20 "
                         "--audience 'vip_weekly=orders >= 1'";
    char args[1024];
    snprintf(args, sizeof args, "%s --actions actions.csv --format csv > report.csv", common);
    ck_assert_int_eq(custops(args), 0);

    custops_zone *z;
    ck_assert_ok(custops_zone_open(&z, "Asia/Shanghai"));
    custops_frame *a = read_csv("actions.csv", z);
    size_t n = custops_frame_nrows(a);
    ck_assert_uint_eq(n, NEXPECTED);
    const int64_t *step = test_i64_col(a, "step"), *at = test_i64_col(a, "at");
    char *got[NEXPECTED], *want[NEXPECTED];
    for (size_t i = 0; i < n; i++) {
        char when[64];
        int32_t day, sod;
        ck_assert_ok(custops_zone_local(z, at[i], &day, &sod));
        int y, m, d;
        custops_day_to_date(day, &y, &m, &d);
        snprintf(when, sizeof when, "%04d-%02d-%02d %02d:%02d", y, m, d, sod / 3600, sod / 60 % 60);
        got[i] = malloc(256);
        snprintf(got[i], 256, "%s,%lld,%s,%s,%s", test_str(a, "play", i), (long long)step[i], test_str(a, "customer_id", i),
                 when, test_str(a, "status", i));
        /* the kind column says what the step does */
        const char *kind = test_str(a, "kind", i);
        if (strstr(got[i], "recovery") || strstr(got[i], "late_shipment,6"))
            ck_assert_str_eq(kind, "coupon");
        else if (strstr(got[i], "vip_weekly"))
            ck_assert_str_eq(kind, "tag");
        else
            ck_assert_str_eq(kind, "message");
        want[i] = strdup(EXPECTED[i]);
    }
    qsort(got, n, sizeof *got, cmp_str);
    qsort(want, n, sizeof *want, cmp_str);
    for (size_t i = 0; i < n; i++)
        ck_assert_str_eq(got[i], want[i]);
    /* action keys are distinct (exactly once) */
    for (size_t i = 0; i < n; i++)
        for (size_t k = i + 1; k < n; k++)
            ck_assert_str_ne(test_str(a, "action_key", i), test_str(a, "action_key", k));
    for (size_t i = 0; i < n; i++) {
        free(got[i]);
        free(want[i]);
    }

    /* the CSV report's counts agree with the actions */
    custops_frame *r = read_csv("report.csv", z);
    const int64_t *send = test_i64_col(r, "send"), *consent = test_i64_col(r, "suppressed_consent"), *cap = test_i64_col(r, "suppressed_cap"),
                  *hold = test_i64_col(r, "holdout"), *day = test_i64_col(r, "day");
    int64_t nov10;
    ck_assert_ok(custops_time_parse("2024-11-10 00:00", z, &nov10));
    int found_total = 0, found_push = 0, found_day = 0;
    for (size_t i = 0; i < custops_frame_nrows(r); i++) {
        const char *table = test_str(r, "table", i);
        if (!strcmp(table, "total")) {
            found_total = 1;
            ck_assert_int_eq(send[i], 11);
            ck_assert_int_eq(hold[i], 0);
            ck_assert_int_eq(consent[i], 3);
            ck_assert_int_eq(cap[i], 1);
        } else if (!strcmp(table, "channel") && !strcmp(test_str(r, "channel", i), "push")) {
            found_push = 1;
            ck_assert_int_eq(send[i], 1);
            ck_assert_int_eq(consent[i], 1);
            ck_assert_int_eq(cap[i], 1);
        } else if (!strcmp(table, "day") && day[i] == nov10) {
            found_day = 1;
            ck_assert_int_eq(send[i], 3);
            ck_assert_int_eq(consent[i], 2);
        }
    }
    ck_assert(found_total && found_push && found_day);
    custops_frame_free(r);
    custops_frame_free(a);

    /* the tick length changes batching only: a daily clock gives the same actions */
    snprintf(args, sizeof args, "%s --tick 1d --actions daily.csv --format csv > /dev/null", common);
    ck_assert_int_eq(custops(args), 0);
    custops_frame *b = read_csv("daily.csv", z);
    ck_assert_uint_eq(custops_frame_nrows(b), NEXPECTED);
    a = read_csv("actions.csv", z);
    char *ka[NEXPECTED], *kb[NEXPECTED];
    for (size_t i = 0; i < NEXPECTED; i++) {
        ka[i] = strdup(test_str(a, "action_key", i));
        kb[i] = strdup(test_str(b, "action_key", i));
    }
    qsort(ka, NEXPECTED, sizeof *ka, cmp_str);
    qsort(kb, NEXPECTED, sizeof *kb, cmp_str);
    for (size_t i = 0; i < NEXPECTED; i++) {
        ck_assert_str_eq(ka[i], kb[i]);
        free(ka[i]);
        free(kb[i]);
    }
    custops_frame_free(a);
    custops_frame_free(b);

    /* the unpaid reminders' keys are the engine's own: replay them through the API */
    custops_journeys *j;
    ck_assert_ok(custops_journeys_new(&j, HAND_PLAYS, "Asia/Shanghai"));
    ck_assert_ok(custops_journeys_set_consent(j, "c1", "sms", 1));
    ck_assert_ok(custops_journeys_set_consent(j, "c2", "sms", 1));
    int64_t t0, t1;
    ck_assert_ok(custops_time_parse("2024-11-10 20:00", z, &t0));
    ck_assert_ok(custops_time_parse("2024-11-10 20:30", z, &t1));
    ck_assert_ok(custops_journeys_event(j, "c1", "order_unpaid", "o1", t0));
    ck_assert_ok(custops_journeys_event(j, "c2", "order_unpaid", "o2", t0));
    ck_assert_ok(custops_journeys_event(j, "c1", "order_paid", "o1", t1));
    custops_frame *api;
    ck_assert_ok(custops_journeys_due(j, t0 + 3 * 3600, &api));
    a = read_csv("actions.csv", z);
    size_t matched = 0;
    for (size_t i = 0; i < custops_frame_nrows(api); i++) {
        if (strcmp(test_str(api, "play", i), "unpaid_reminder") != 0)
            continue;
        for (size_t k = 0; k < custops_frame_nrows(a); k++)
            matched += strcmp(test_str(api, "action_key", i), test_str(a, "action_key", k)) == 0;
    }
    ck_assert_uint_eq(matched, 3);
    custops_frame_free(api);

    /* --ledger issues the two coupons due once: a second run replays them */
    for (int run = 0; run < 2; run++) {
        snprintf(args, sizeof args, "%s --ledger sqlite:ledger.db > ledger%d.txt", common, run);
        ck_assert_int_eq(custops(args), 0);
        char path[512], text[4096];
        snprintf(path, sizeof path, "%s/ledger%d.txt", dir, run);
        FILE *fp = fopen(path, "r");
        ck_assert_ptr_nonnull(fp);
        size_t len = fread(text, 1, sizeof text - 1, fp);
        fclose(fp);
        text[len] = '\0';
        const char *line = run == 0 ? "Ledger: 2 coupons issued, 0 already issued" : "Ledger: 0 coupons issued, 2 already issued";
        ck_assert_msg(strstr(text, line) != NULL, "run %d: %s", run, text);
    }
    /* the codes are in the ledger: RULE-ACTIONKEY */
    custops_ledger *led;
    char loc[512];
    snprintf(loc, sizeof loc, "sqlite:%s/ledger.db", dir);
    ck_assert_ok(custops_ledger_open(&led, loc, NULL));
    size_t found = 0;
    for (size_t i = 0; i < custops_frame_nrows(a); i++) {
        if (strcmp(test_str(a, "kind", i), "coupon") != 0)
            continue;
        char code[256];
        snprintf(code, sizeof code, "%s-%s", test_str(a, "target", i), test_str(a, "action_key", i));
        custops_ledger_coupon c = CUSTOPS_LEDGER_COUPON_INIT;
        c.code = code;
        ck_assert_status(custops_ledger_issue(led, NULL, &c, "another-key", test_i64_col(a, "at")[i]), CUSTOPS_EEXISTS);
        found++;
    }
    ck_assert_uint_eq(found, 2);
    custops_ledger_free(led);
    custops_frame_free(a);
    custops_journeys_free(j);
    custops_zone_free(z);
}
END_TEST

static const char *SYNTH_PLAYS = "play second_order holdout 50%\n"
                                 "  trigger event order_created\n"
                                 "  wait 1d\n"
                                 "  send sms come_back\n"
                                 "end\n";

START_TEST(synthetic_uplift_matches_the_api)
{
    test_tmpdir(dir, sizeof dir);
    write_file("plays.txt", SYNTH_PLAYS);
    ck_assert_int_eq(custops("--plays plays.txt --customers 2000 --seed 5 --from 2023-03-01 --to 2023-04-30 "
                             "--assume-consent sms --window 30d --actions actions.csv --uplift uplift.csv "
                             "--format json > report.json"),
                     0);
    custops_zone *z;
    ck_assert_ok(custops_zone_open(&z, "Asia/Shanghai"));
    custops_frame *a = read_csv("actions.csv", z), *u = read_csv("uplift.csv", z);
    size_t n = custops_frame_nrows(a);
    ck_assert_uint_gt(n, 200);

    /* the store's order lines straight from the generator */
    custops_synth_options so;
    ck_assert_ok(custops_synth_options_init(&so, CUSTOPS_SYNTH_OPTIONS_VERSION));
    so.customers = 2000;
    so.seed = 5;
    custops_frame *lines;
    ck_assert_ok(custops_synth_order_lines(&so, &lines));
    size_t nl = custops_frame_nrows(lines);
    const int64_t *lt = test_i64_col(lines, "time"), *qty = test_i64_col(lines, "qty"), *price = test_i64_col(lines, "unit_price"),
                  *disc = test_i64_col(lines, "discount");

    /* per customer: the first action, holdout from a fresh engine */
    custops_journeys *j;
    ck_assert_ok(custops_journeys_new(&j, SYNTH_PLAYS, "Asia/Shanghai"));
    const int64_t *at = test_i64_col(a, "at");
    enum { MAXC = 2001 };
    static int64_t first[MAXC];
    static int hold[MAXC];
    for (size_t c = 0; c < MAXC; c++)
        first[c] = INT64_MAX;
    for (size_t i = 0; i < n; i++) {
        const char *id = test_str(a, "customer_id", i), *status = test_str(a, "status", i);
        int num = atoi(id + 1);
        ck_assert(num >= 0 && num < MAXC);
        int in;
        ck_assert_ok(custops_journeys_in_holdout(j, "second_order", id, &in));
        ck_assert_str_eq(status, in ? "holdout" : "send");
        hold[num] = in;
        if (at[i] < first[num])
            first[num] = at[i];
    }
    int64_t *h = malloc(MAXC * sizeof *h), *conv = malloc(MAXC * sizeof *conv), *rev = malloc(MAXC * sizeof *rev);
    size_t m = 0;
    static int64_t conv_by[MAXC], rev_by[MAXC];
    for (size_t l = 0; l < nl; l++) {
        int num = atoi(test_str(lines, "customer_id", l) + 1);
        if (num < MAXC && first[num] != INT64_MAX && lt[l] > first[num] && lt[l] <= first[num] + 30 * 86400) {
            conv_by[num] = 1;
            rev_by[num] += qty[l] * price[l] - disc[l];
        }
    }
    for (size_t c = 0; c < MAXC; c++)
        if (first[c] != INT64_MAX) {
            h[m] = hold[c];
            conv[m] = conv_by[c];
            rev[m] = rev_by[c];
            m++;
        }
    custops_frame *f, *rep;
    ck_assert_ok(custops_frame_new(&f));
    ck_assert_ok(custops_frame_add_int64(f, "holdout", h, m));
    ck_assert_ok(custops_frame_add_int64(f, "converted", conv, m));
    ck_assert_ok(custops_frame_add_int64(f, "revenue", rev, m));
    custops_uplift_options o;
    ck_assert_ok(custops_uplift_options_init(&o, CUSTOPS_UPLIFT_OPTIONS_VERSION));
    o.reached_col = o.visited_col = "";
    ck_assert_ok(custops_uplift_report(f, &o, &rep));

    /* the play, its only step and its only channel hold the same customers */
    ck_assert_uint_eq(custops_frame_nrows(u), 3);
    static const char *const SCOPES[3] = {"play", "step 2", "channel sms"};
    static const char *const COLS[] = {"n_treatment", "n_holdout", "conversion_treatment", "conversion_holdout",
                                       "conversion_uplift", "conversion_lo", "conversion_hi",
                                       "revenue_per_customer_treatment", "revenue_per_customer_holdout",
                                       "revenue_per_customer_uplift", "revenue_per_customer_lo",
                                       "revenue_per_customer_hi"};
    for (size_t row = 0; row < 3; row++) {
        ck_assert_str_eq(test_str(u, "play", row), "second_order");
        ck_assert_str_eq(test_str(u, "scope", row), SCOPES[row]);
        for (size_t k = 0; k < sizeof COLS / sizeof COLS[0]; k++) {
            double cli, lib;
            size_t c;
            ck_assert_ok(custops_frame_find(u, COLS[k], &c));
            if (custops_frame_col_type(u, c) == CUSTOPS_COL_INT64)
                cli = (double)test_i64_col(u, COLS[k])[row];
            else
                cli = test_f64_col(u, COLS[k])[row];
            lib = test_f64_col(rep, COLS[k])[0];
            ck_assert_msg(fabs(cli - lib) <= 1e-9 * fmax(1, fabs(lib)), "%s %s: CLI %.17g, API %.17g", SCOPES[row],
                          COLS[k], cli, lib);
        }
    }
    /* everyone treated was reached (consent assumed, no cap) */
    size_t rc_col;
    ck_assert_ok(custops_frame_find(u, "reach_rate", &rc_col));
    if (custops_frame_col_type(u, rc_col) == CUSTOPS_COL_INT64) /* "1" reads as an integer */
        ck_assert_int_eq(test_i64_col(u, "reach_rate")[0], 1);
    else
        ck_assert_double_eq_tol(test_f64_col(u, "reach_rate")[0], 1.0, 1e-12);
    free(h);
    free(conv);
    free(rev);
    custops_frame_free(f);
    custops_frame_free(rep);
    custops_frame_free(lines);
    custops_journeys_free(j);
    custops_frame_free(a);
    custops_frame_free(u);
    custops_zone_free(z);
}
END_TEST

static Suite *plays_cli_suite(void)
{
    Suite *s = suite_create("cli_plays");
    TCase *tc = tcase_create("plays");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, hand_made_store);
    tcase_add_test(tc, synthetic_uplift_matches_the_api);
    suite_add_tcase(s, tc);
    return s;
}

TEST_MAIN(plays_cli_suite)
