/* Loyalty: tiers from trailing spend with history, earn multipliers,
 * FIFO redemption, expiry, the ledger, validation and save/load. */
#include "testutil.h"

#define DAY 86400
#define T0 1704067200 /* 2024-01-01T00:00:00Z */

static custops_loyalty *program(void)
{
    custops_loyalty_options o;
    ck_assert_ok(custops_loyalty_options_init(&o, CUSTOPS_LOYALTY_OPTIONS_VERSION));
    o.tiers = "member:0,silver:1000,gold:5000,black:20000";
    o.multipliers = "1,1.5,2,3";
    o.expiry_days = 180;
    o.window_days = 365;
    custops_loyalty *l;
    ck_assert_ok(custops_loyalty_new(&l, &o));
    return l;
}

START_TEST(earn_tiers_and_history)
{
    custops_loyalty *l = program();
    int64_t pts;
    const char *tier;
    /* 600.00 as a member: 600 points; a 2x promotion on 500.00: 1000 points */
    ck_assert_ok(custops_loyalty_purchase(&pts, l, "ann", T0, 60000, 1.0));
    ck_assert_int_eq(pts, 600);
    ck_assert_ok(custops_loyalty_purchase(&pts, l, "ann", T0 + DAY, 50000, 2.0));
    ck_assert_int_eq(pts, 1000);
    ck_assert_ok(custops_loyalty_tier(&tier, l, "ann"));
    ck_assert_str_eq(tier, "member"); /* tiers change only at recalc */
    size_t changes;
    ck_assert_ok(custops_loyalty_recalc(&changes, l, T0 + 2 * DAY));
    ck_assert_uint_eq(changes, 1);
    ck_assert_ok(custops_loyalty_tier(&tier, l, "ann"));
    ck_assert_str_eq(tier, "silver"); /* 1100.00 >= 1000 */
    /* silver earns 1.5x: 99.99 -> floor(149.985) = 149 */
    ck_assert_ok(custops_loyalty_purchase(&pts, l, "ann", T0 + 3 * DAY, 9999, 1.0));
    ck_assert_int_eq(pts, 149);
    /* a year later the trailing window holds nothing: back to member */
    ck_assert_ok(custops_loyalty_recalc(&changes, l, T0 + 400 * DAY));
    ck_assert_uint_eq(changes, 1);
    ck_assert_ok(custops_loyalty_tier(&tier, l, "ann"));
    ck_assert_str_eq(tier, "member");
    custops_frame *h;
    ck_assert_ok(custops_loyalty_history(&h, l));
    ck_assert_uint_eq(custops_frame_nrows(h), 2);
    ck_assert_str_eq(test_str(h, "from", 0), "member");
    ck_assert_str_eq(test_str(h, "to", 0), "silver");
    ck_assert_int_eq(test_i64(h, "spend", 0), 110000);
    ck_assert_str_eq(test_str(h, "to", 1), "member");
    ck_assert_int_eq(test_i64(h, "spend", 1), 0);
    custops_frame_free(h);
    ck_assert_status(custops_loyalty_tier(&tier, l, "bob"), CUSTOPS_ENOTFOUND);
    custops_loyalty_free(l);
}
END_TEST

START_TEST(redeem_fifo_and_expiry)
{
    custops_loyalty *l = program();
    int64_t pts, bal;
    ck_assert_ok(custops_loyalty_purchase(&pts, l, "bo", T0, 10000, 1.0));       /* lot A 100, exp T0+180d */
    ck_assert_ok(custops_loyalty_purchase(&pts, l, "bo", T0 + 100 * DAY, 20000, 1.0)); /* lot B 200 */
    ck_assert_ok(custops_loyalty_redeem(l, "bo", T0 + 110 * DAY, 150));          /* A 0 left, B 150 */
    ck_assert_ok(custops_loyalty_balance(&bal, l, "bo", T0 + 110 * DAY));
    ck_assert_int_eq(bal, 150);
    /* A expires at 180d but is already spent: nothing lost; B expires at 280d */
    ck_assert_ok(custops_loyalty_balance(&bal, l, "bo", T0 + 200 * DAY));
    ck_assert_int_eq(bal, 150);
    ck_assert_ok(custops_loyalty_balance(&bal, l, "bo", T0 + 280 * DAY));
    ck_assert_int_eq(bal, 0);
    ck_assert_status(custops_loyalty_redeem(l, "bo", T0 + 120 * DAY, 151), CUSTOPS_ERANGE);
    ck_assert_str_eq(custops_last_error(), "member 'bo' has 150 points, fewer than the 151 to redeem");
    ck_assert_ok(custops_loyalty_recalc(NULL, l, T0 + 300 * DAY)); /* expires B's 150 */
    custops_frame *g;
    ck_assert_ok(custops_loyalty_ledger(&g, l));
    ck_assert_uint_eq(custops_frame_nrows(g), 4);
    const char *kinds[4] = {"earn", "earn", "redeem", "expire"};
    int64_t points[4] = {100, 200, -150, -150}, balance[4] = {100, 300, 150, 0};
    for (size_t i = 0; i < 4; i++) {
        ck_assert_str_eq(test_str(g, "kind", i), kinds[i]);
        ck_assert_int_eq(test_i64(g, "points", i), points[i]);
        ck_assert_int_eq(test_i64(g, "balance", i), balance[i]);
    }
    ck_assert_int_eq(test_i64(g, "time", 3), T0 + 280 * DAY);
    custops_frame_free(g);
    /* validation */
    ck_assert_status(custops_loyalty_purchase(&pts, l, "bo", T0, 100, 1.0), CUSTOPS_EINVAL); /* time backwards */
    ck_assert_status(custops_loyalty_purchase(&pts, l, "bo", T0 + 400 * DAY, 0, 1.0), CUSTOPS_ERANGE);
    ck_assert_status(custops_loyalty_purchase(&pts, l, "bo", T0 + 400 * DAY, 100, -1), CUSTOPS_EINVAL);
    ck_assert_status(custops_loyalty_purchase(&pts, l, "", T0 + 400 * DAY, 100, 1), CUSTOPS_EINVAL);
    ck_assert_status(custops_loyalty_redeem(l, "nobody", T0 + 400 * DAY, 1), CUSTOPS_ENOTFOUND);
    ck_assert_status(custops_loyalty_redeem(l, "bo", T0 + 400 * DAY, 0), CUSTOPS_EINVAL);
    ck_assert_ok(custops_loyalty_balance(&bal, l, "nobody", T0));
    ck_assert_int_eq(bal, 0);
    custops_loyalty_free(l);
}
END_TEST

START_TEST(bad_configuration)
{
    custops_loyalty_options o;
    custops_loyalty *l;
    ck_assert_ok(custops_loyalty_options_init(&o, CUSTOPS_LOYALTY_OPTIONS_VERSION));
    o.tiers = "member:0,silver:100,gold:50";
    ck_assert_status(custops_loyalty_new(&l, &o), CUSTOPS_EINVAL);
    ck_assert_str_eq(custops_last_error(), "tiers:1:26: thresholds must increase");
    o.tiers = "member:10";
    ck_assert_status(custops_loyalty_new(&l, &o), CUSTOPS_EINVAL);
    ck_assert_str_eq(custops_last_error(), "tiers:1:8: the first tier must start at 0");
    o.tiers = "member:0,silver";
    ck_assert_status(custops_loyalty_new(&l, &o), CUSTOPS_EINVAL);
    ck_assert_str_eq(custops_last_error(), "tiers:1:10: expected NAME:THRESHOLD");
    o.tiers = "member:0,silver:x";
    ck_assert_status(custops_loyalty_new(&l, &o), CUSTOPS_EINVAL);
    ck_assert_str_eq(custops_last_error(), "tiers:1:17: expected a threshold amount such as 1000 or 999.50");
    o.tiers = "member:0,silver:100";
    o.multipliers = "1";
    ck_assert_status(custops_loyalty_new(&l, &o), CUSTOPS_EINVAL);
    ck_assert_str_eq(custops_last_error(), "multipliers: 1 given for 2 tiers");
    o.multipliers = "1,abc";
    ck_assert_status(custops_loyalty_new(&l, &o), CUSTOPS_EINVAL);
    ck_assert_str_eq(custops_last_error(), "multipliers:1:3: expected a multiplier between 0 and 100");
    o.multipliers = NULL;
    o.expiry_days = -1;
    ck_assert_status(custops_loyalty_new(&l, &o), CUSTOPS_EINVAL);
    o.version = 9;
    ck_assert_status(custops_loyalty_new(&l, &o), CUSTOPS_EVERSION);
    ck_assert_status(custops_loyalty_new(NULL, NULL), CUSTOPS_EINVAL);
    custops_loyalty_free(NULL);
}
END_TEST

START_TEST(save_and_load)
{
    custops_loyalty *l = program();
    int64_t pts, bal;
    char names[3][8] = {"a", "b", "c"};
    for (int i = 0; i < 30; i++)
        ck_assert_ok(custops_loyalty_purchase(&pts, l, names[i % 3], T0 + i * DAY, 10000 * (i + 1), 1.0));
    ck_assert_ok(custops_loyalty_recalc(NULL, l, T0 + 40 * DAY));
    ck_assert_ok(custops_loyalty_redeem(l, "b", T0 + 41 * DAY, 500));
    char dir[256], path[300];
    test_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/loyalty.bin", dir);
    ck_assert_ok(custops_loyalty_save(l, path));
    custops_loyalty *back;
    ck_assert_ok(custops_loyalty_load(&back, path));
    for (int i = 0; i < 3; i++) {
        int64_t b1, b2;
        const char *t1, *t2;
        ck_assert_ok(custops_loyalty_balance(&b1, l, names[i], T0 + 300 * DAY));
        ck_assert_ok(custops_loyalty_balance(&b2, back, names[i], T0 + 300 * DAY));
        ck_assert_int_eq(b1, b2);
        ck_assert_ok(custops_loyalty_tier(&t1, l, names[i]));
        ck_assert_ok(custops_loyalty_tier(&t2, back, names[i]));
        ck_assert_str_eq(t1, t2);
    }
    /* the loaded program carries on identically */
    ck_assert_ok(custops_loyalty_redeem(back, "a", T0 + 42 * DAY, 100));
    ck_assert_ok(custops_loyalty_redeem(l, "a", T0 + 42 * DAY, 100));
    ck_assert_ok(custops_loyalty_balance(&bal, back, "a", T0 + 42 * DAY));
    ck_assert_ok(custops_loyalty_balance(&pts, l, "a", T0 + 42 * DAY));
    ck_assert_int_eq(bal, pts);
    ck_assert_status(custops_loyalty_purchase(&pts, back, "a", T0, 100, 1), CUSTOPS_EINVAL);
    custops_frame *g1, *g2;
    ck_assert_ok(custops_loyalty_ledger(&g1, l));
    ck_assert_ok(custops_loyalty_ledger(&g2, back));
    ck_assert_uint_eq(custops_frame_nrows(g1), custops_frame_nrows(g2));
    custops_frame_free(g1);
    custops_frame_free(g2);
    custops_loyalty_free(back);
    /* a corrupt byte is caught by the checksum */
    FILE *fp = fopen(path, "r+b");
    fseek(fp, 60, SEEK_SET);
    fputc(0x7f, fp);
    fclose(fp);
    ck_assert_status(custops_loyalty_load(&back, path), CUSTOPS_ECORRUPT);
    ck_assert_ptr_null(back);
    unlink(path);
    rmdir(dir);
    custops_loyalty_free(l);
}
END_TEST

static Suite *loyalty_suite(void)
{
    Suite *s = suite_create("loyalty");
    TCase *tc = tcase_create("program");
    tcase_add_test(tc, earn_tiers_and_history);
    tcase_add_test(tc, redeem_fifo_and_expiry);
    tcase_add_test(tc, bad_configuration);
    tcase_add_test(tc, save_and_load);
    suite_add_tcase(s, tc);
    return s;
}

TEST_MAIN(loyalty_suite)
