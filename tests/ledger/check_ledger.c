/* Redemption ledger: every transition and error, limits, budgets,
 * expiry, idempotency, the journal and code generation, on every backend
 * (the loop index picks it, see ledger_fixture.h). */
#include "ledger_fixture.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#define T0 1700000000

START_TEST(test_reserve_commit)
{
    lfix f;
    lfix_open(&f, _i);
    issue_simple(f.l, "WELCOME10", 3, 0, NULL);
    counter_is(f.l, "code:WELCOME10", 3, 0, 0);
    custops_ledger_receipt r = CUSTOPS_LEDGER_RECEIPT_INIT;
    ck_assert_ok(custops_ledger_reserve(f.l, &r, "WELCOME10", "c1", "o1", 500, 900, "k1", T0));
    ck_assert_int_eq(r.state, CUSTOPS_LEDGER_PENDING);
    ck_assert_int_eq(r.amount, 500);
    ck_assert_int_eq(r.expires, T0 + 900);
    ck_assert_int_eq(r.replayed, 0);
    ck_assert_int_eq(r.seq, 2); /* issue was record 1 */
    counter_is(f.l, "code:WELCOME10", 3, 0, 1);
    ck_assert_ok(custops_ledger_commit(f.l, &r, "o1", "WELCOME10", "k2", T0 + 5));
    ck_assert_int_eq(r.state, CUSTOPS_LEDGER_COMMITTED);
    ck_assert_int_eq(r.seq, 3);
    counter_is(f.l, "code:WELCOME10", 3, 1, 0);
    custops_ledger_receipt q = CUSTOPS_LEDGER_RECEIPT_INIT;
    ck_assert_ok(custops_ledger_reservation(&q, f.l, "o1", "WELCOME10"));
    ck_assert_int_eq(q.state, CUSTOPS_LEDGER_COMMITTED);
    ck_assert_int_eq(q.amount, 500);
    ck_assert_str_eq(custops_ledger_backend(f.l), _i == 0 ? "memory" : _i == 1 ? "sqlite" : "postgresql");
    /* the state survives a reopen (not for memory) */
    if (_i > 0) {
        lfix_reopen(&f);
        counter_is(f.l, "code:WELCOME10", 3, 1, 0);
        int64_t n;
        ck_assert_ok(custops_ledger_verify(&n, NULL, f.l));
        ck_assert_int_eq(n, 3);
    }
    lfix_close(&f);
}
END_TEST

START_TEST(test_transition_errors)
{
    lfix f;
    lfix_open(&f, _i);
    issue_simple(f.l, "A", 0, 0, NULL);
    custops_ledger_coupon c = CUSTOPS_LEDGER_COUPON_INIT;
    c.code = "A";
    ck_assert_status(custops_ledger_issue(f.l, NULL, &c, NULL, T0), CUSTOPS_EEXISTS);
    ck_assert_status(custops_ledger_reserve(f.l, NULL, "NOPE", NULL, "o1", 0, 60, NULL, T0), CUSTOPS_ENOTFOUND);
    ck_assert_status(custops_ledger_commit(f.l, NULL, "o1", "A", NULL, T0), CUSTOPS_ENOTFOUND);
    ck_assert_status(custops_ledger_release(f.l, NULL, "o1", "A", NULL, T0), CUSTOPS_ENOTFOUND);
    ck_assert_status(custops_ledger_reverse(f.l, NULL, "o1", "A", 1, NULL, T0), CUSTOPS_ENOTFOUND);
    ck_assert_ok(custops_ledger_reserve(f.l, NULL, "A", NULL, "o1", 100, 60, NULL, T0));
    /* one live reservation per (order, code) */
    ck_assert_status(custops_ledger_reserve(f.l, NULL, "A", NULL, "o1", 100, 60, NULL, T0), CUSTOPS_EEXISTS);
    ck_assert_status(custops_ledger_reverse(f.l, NULL, "o1", "A", 1, NULL, T0), CUSTOPS_ESTATE);
    ck_assert_ok(custops_ledger_commit(f.l, NULL, "o1", "A", NULL, T0));
    ck_assert_status(custops_ledger_commit(f.l, NULL, "o1", "A", NULL, T0), CUSTOPS_ESTATE);
    ck_assert_status(custops_ledger_release(f.l, NULL, "o1", "A", NULL, T0), CUSTOPS_ESTATE);
    ck_assert_status(custops_ledger_reverse(f.l, NULL, "o1", "A", 101, NULL, T0), CUSTOPS_ERANGE);
    ck_assert_ok(custops_ledger_reverse(f.l, NULL, "o1", "A", CUSTOPS_LEDGER_REST, NULL, T0));
    ck_assert_status(custops_ledger_reverse(f.l, NULL, "o1", "A", 0, NULL, T0), CUSTOPS_ESTATE);
    /* a released reservation can be replaced by a new one for the same order */
    ck_assert_ok(custops_ledger_reserve(f.l, NULL, "A", NULL, "o2", 0, 60, NULL, T0));
    ck_assert_ok(custops_ledger_release(f.l, NULL, "o2", "A", NULL, T0));
    ck_assert_status(custops_ledger_commit(f.l, NULL, "o2", "A", NULL, T0), CUSTOPS_ESTATE);
    ck_assert_ok(custops_ledger_reserve(f.l, NULL, "A", NULL, "o2", 0, 60, NULL, T0));
    lfix_close(&f);
}
END_TEST

START_TEST(test_argument_checks)
{
    lfix f;
    lfix_open(&f, _i);
    issue_simple(f.l, "A", 0, 0, NULL);
    custops_ledger *none = NULL;
    ck_assert_status(custops_ledger_open(&none, NULL, NULL), CUSTOPS_EINVAL);
    ck_assert_status(custops_ledger_open(NULL, "memory:", NULL), CUSTOPS_EINVAL);
    ck_assert_status(custops_ledger_open(&none, "", NULL), CUSTOPS_EINVAL);
    custops_ledger_options o;
    ck_assert_status(custops_ledger_options_init(&o, 99), CUSTOPS_EVERSION);
    ck_assert_ok(custops_ledger_options_init(&o, CUSTOPS_LEDGER_OPTIONS_VERSION));
    o.busy_timeout_ms = -1;
    ck_assert_status(custops_ledger_open(&none, "memory:", &o), CUSTOPS_EINVAL);
    o.version = 7;
    ck_assert_status(custops_ledger_open(&none, "memory:", &o), CUSTOPS_EVERSION);
    ck_assert_ptr_null(none);
    ck_assert_status(custops_ledger_reserve(NULL, NULL, "A", NULL, "o", 0, 60, NULL, T0), CUSTOPS_EINVAL);
    ck_assert_status(custops_ledger_reserve(f.l, NULL, NULL, NULL, "o", 0, 60, NULL, T0), CUSTOPS_EINVAL);
    ck_assert_status(custops_ledger_reserve(f.l, NULL, "A", NULL, NULL, 0, 60, NULL, T0), CUSTOPS_EINVAL);
    ck_assert_status(custops_ledger_reserve(f.l, NULL, "A", NULL, "", 0, 60, NULL, T0), CUSTOPS_EINVAL);
    ck_assert_status(custops_ledger_reserve(f.l, NULL, "A", NULL, "o", -1, 60, NULL, T0), CUSTOPS_EINVAL);
    ck_assert_status(custops_ledger_reserve(f.l, NULL, "A", NULL, "o", 0, 0, NULL, T0), CUSTOPS_EINVAL);
    ck_assert_status(custops_ledger_reserve(f.l, NULL, "A", "bad\ncustomer", "o", 0, 60, NULL, T0), CUSTOPS_EINVAL);
    ck_assert_status(custops_ledger_reserve(f.l, NULL, "A", NULL, "o", 0, INT64_MAX, NULL, T0), CUSTOPS_ERANGE);
    char longid[200];
    memset(longid, 'x', sizeof longid - 1);
    longid[sizeof longid - 1] = '\0';
    ck_assert_status(custops_ledger_reserve(f.l, NULL, "A", NULL, longid, 0, 60, NULL, T0), CUSTOPS_ELIMIT);
    ck_assert_status(custops_ledger_reserve(f.l, NULL, "A", NULL, "o", 0, 60, longid, T0), CUSTOPS_ELIMIT);
    ck_assert_status(custops_ledger_reverse(f.l, NULL, "o", "A", -5, NULL, T0), CUSTOPS_EINVAL);
    ck_assert_status(custops_ledger_budget_add(f.l, NULL, "camp", -1, NULL, T0), CUSTOPS_EINVAL);
    ck_assert_status(custops_ledger_budget_add(f.l, NULL, "a/b", 1, NULL, T0), CUSTOPS_EINVAL);
    custops_ledger_coupon c = CUSTOPS_LEDGER_COUPON_INIT;
    ck_assert_status(custops_ledger_issue(f.l, NULL, &c, NULL, T0), CUSTOPS_EINVAL); /* no code */
    c.code = "X/Y";
    ck_assert_status(custops_ledger_issue(f.l, NULL, &c, NULL, T0), CUSTOPS_EINVAL);
    c.code = "B";
    c.max_uses = -1;
    ck_assert_status(custops_ledger_issue(f.l, NULL, &c, NULL, T0), CUSTOPS_EINVAL);
    c.max_uses = 0;
    c.valid_from = 100;
    c.valid_until = 50;
    ck_assert_status(custops_ledger_issue(f.l, NULL, &c, NULL, T0), CUSTOPS_EINVAL);
    c.valid_until = 0;
    c.version = 2;
    ck_assert_status(custops_ledger_issue(f.l, NULL, &c, NULL, T0), CUSTOPS_EVERSION);
    custops_ledger_receipt r = CUSTOPS_LEDGER_RECEIPT_INIT;
    r.version = 9;
    ck_assert_status(custops_ledger_reserve(f.l, &r, "A", NULL, "o", 0, 60, NULL, T0), CUSTOPS_EVERSION);
    int64_t a, b, d;
    ck_assert_status(custops_ledger_counter(&a, &b, &d, f.l, "code:NOPE"), CUSTOPS_ENOTFOUND);
    ck_assert_status(custops_ledger_counter(NULL, &b, &d, f.l, "code:A"), CUSTOPS_EINVAL);
    char *s = NULL;
    ck_assert_status(custops_ledger_show(&s, NULL), CUSTOPS_EINVAL);
    ck_assert_str_eq(custops_ledger_state_name(CUSTOPS_LEDGER_PARTIALLY_REVERSED), "partially_reversed");
    ck_assert_str_eq(custops_ledger_state_name(42), "unknown");
    ck_assert_str_eq(custops_ledger_reason_name(CUSTOPS_LEDGER_BUDGET), "budget");
    ck_assert_str_eq(custops_ledger_reason_name(-1), "unknown");
    custops_ledger_free(NULL);
    /* nothing above reached the journal except the one issue */
    int64_t n;
    ck_assert_ok(custops_ledger_verify(&n, NULL, f.l));
    ck_assert_int_eq(n, 1);
    lfix_close(&f);
}
END_TEST

START_TEST(test_usage_limit)
{
    lfix f;
    lfix_open(&f, _i);
    issue_simple(f.l, "LIM3", 3, 0, NULL);
    char order[16];
    for (int k = 0; k < 3; k++) {
        snprintf(order, sizeof order, "o%d", k);
        ck_assert_ok(custops_ledger_reserve(f.l, NULL, "LIM3", NULL, order, 0, 60, NULL, T0));
    }
    custops_ledger_receipt r = CUSTOPS_LEDGER_RECEIPT_INIT;
    ck_assert_status(custops_ledger_reserve(f.l, &r, "LIM3", NULL, "o3", 0, 60, NULL, T0), CUSTOPS_ELIMIT);
    ck_assert_int_eq(r.reason, CUSTOPS_LEDGER_TOTAL_LIMIT);
    counter_is(f.l, "code:LIM3", 3, 0, 3);
    /* releasing one gives the room back; committing keeps it used */
    ck_assert_ok(custops_ledger_release(f.l, NULL, "o0", "LIM3", NULL, T0));
    ck_assert_ok(custops_ledger_commit(f.l, NULL, "o1", "LIM3", NULL, T0));
    ck_assert_ok(custops_ledger_reserve(f.l, NULL, "LIM3", NULL, "o3", 0, 60, NULL, T0));
    counter_is(f.l, "code:LIM3", 3, 1, 2);
    ck_assert_status(custops_ledger_reserve(f.l, NULL, "LIM3", NULL, "o4", 0, 60, NULL, T0), CUSTOPS_ELIMIT);
    lfix_close(&f);
}
END_TEST

START_TEST(test_customer_limit_and_owner)
{
    lfix f;
    lfix_open(&f, _i);
    issue_simple(f.l, "ONCE", 0, 1, NULL);
    custops_ledger_receipt r = CUSTOPS_LEDGER_RECEIPT_INIT;
    ck_assert_ok(custops_ledger_reserve(f.l, NULL, "ONCE", "alice", "o1", 0, 60, NULL, T0));
    ck_assert_status(custops_ledger_reserve(f.l, &r, "ONCE", "alice", "o2", 0, 60, NULL, T0), CUSTOPS_ELIMIT);
    ck_assert_int_eq(r.reason, CUSTOPS_LEDGER_CUSTOMER_LIMIT);
    ck_assert_status(custops_ledger_reserve(f.l, &r, "ONCE", NULL, "o3", 0, 60, NULL, T0), CUSTOPS_ESTATE);
    ck_assert_int_eq(r.reason, CUSTOPS_LEDGER_CUSTOMER_REQUIRED);
    ck_assert_ok(custops_ledger_reserve(f.l, NULL, "ONCE", "bob", "o4", 0, 60, NULL, T0));
    counter_is(f.l, "code:ONCE/cust:alice", 1, 0, 1);
    counter_is(f.l, "code:ONCE", -1, 0, 2);
    /* the 3-D Secure case: alice's first order is committed after a retry;
     * her second order is still refused, her limit is not double counted */
    ck_assert_ok(custops_ledger_commit(f.l, NULL, "o1", "ONCE", "pay-o1", T0 + 1));
    ck_assert_ok(custops_ledger_commit(f.l, &r, "o1", "ONCE", "pay-o1", T0 + 2));
    ck_assert_int_eq(r.replayed, 1);
    counter_is(f.l, "code:ONCE/cust:alice", 1, 1, 0);
    ck_assert_status(custops_ledger_reserve(f.l, &r, "ONCE", "alice", "o2", 0, 60, NULL, T0), CUSTOPS_ELIMIT);
    /* a full refund gives alice her use back */
    ck_assert_ok(custops_ledger_reverse(f.l, NULL, "o1", "ONCE", CUSTOPS_LEDGER_REST, NULL, T0 + 3));
    counter_is(f.l, "code:ONCE/cust:alice", 1, 0, 0);
    ck_assert_ok(custops_ledger_reserve(f.l, NULL, "ONCE", "alice", "o2", 0, 60, NULL, T0 + 4));

    custops_ledger_coupon c = CUSTOPS_LEDGER_COUPON_INIT;
    c.code = "MINE";
    c.owner = "carol";
    ck_assert_ok(custops_ledger_issue(f.l, NULL, &c, NULL, T0));
    ck_assert_status(custops_ledger_reserve(f.l, &r, "MINE", "dave", "o5", 0, 60, NULL, T0), CUSTOPS_ESTATE);
    ck_assert_int_eq(r.reason, CUSTOPS_LEDGER_NOT_OWNED);
    ck_assert_status(custops_ledger_reserve(f.l, &r, "MINE", NULL, "o5", 0, 60, NULL, T0), CUSTOPS_ESTATE);
    ck_assert_int_eq(r.reason, CUSTOPS_LEDGER_CUSTOMER_REQUIRED);
    ck_assert_ok(custops_ledger_reserve(f.l, &r, "MINE", "carol", "o5", 0, 60, NULL, T0));
    lfix_close(&f);
}
END_TEST

START_TEST(test_validity_window)
{
    lfix f;
    lfix_open(&f, _i);
    custops_ledger_coupon c = CUSTOPS_LEDGER_COUPON_INIT;
    c.code = "D11";
    c.valid_from = T0 + 100;
    c.valid_until = T0 + 200; /* [start, end) */
    ck_assert_ok(custops_ledger_issue(f.l, NULL, &c, NULL, T0));
    custops_ledger_receipt r = CUSTOPS_LEDGER_RECEIPT_INIT;
    ck_assert_status(custops_ledger_reserve(f.l, &r, "D11", NULL, "o1", 0, 60, NULL, T0 + 99), CUSTOPS_ESTATE);
    ck_assert_int_eq(r.reason, CUSTOPS_LEDGER_NOT_STARTED);
    ck_assert_ok(custops_ledger_reserve(f.l, &r, "D11", NULL, "o1", 0, 60, NULL, T0 + 100));
    ck_assert_ok(custops_ledger_reserve(f.l, &r, "D11", NULL, "o2", 0, 60, NULL, T0 + 199));
    ck_assert_status(custops_ledger_reserve(f.l, &r, "D11", NULL, "o3", 0, 60, NULL, T0 + 200), CUSTOPS_ESTATE);
    ck_assert_int_eq(r.reason, CUSTOPS_LEDGER_ENDED);
    lfix_close(&f);
}
END_TEST

START_TEST(test_budget_and_reversal)
{
    lfix f;
    lfix_open(&f, _i);
    issue_simple(f.l, "SAVE4", 0, 0, "d11");
    custops_ledger_receipt r = CUSTOPS_LEDGER_RECEIPT_INIT;
    /* an unfunded campaign has budget 0: a discount is refused, a zero one is fine */
    ck_assert_status(custops_ledger_reserve(f.l, &r, "SAVE4", NULL, "o0", 1, 60, NULL, T0), CUSTOPS_ELIMIT);
    ck_assert_int_eq(r.reason, CUSTOPS_LEDGER_BUDGET);
    ck_assert_ok(custops_ledger_budget_add(f.l, &r, "d11", 1000, "fund-1", T0));
    ck_assert_int_eq(r.amount, 1000);
    ck_assert_ok(custops_ledger_budget_add(f.l, &r, "d11", 1000, "fund-1", T0)); /* replay: not twice */
    counter_is(f.l, "budget:d11", 1000, 0, 0);
    ck_assert_ok(custops_ledger_reserve(f.l, NULL, "SAVE4", NULL, "o1", 400, 60, NULL, T0));
    ck_assert_ok(custops_ledger_reserve(f.l, NULL, "SAVE4", NULL, "o2", 400, 60, NULL, T0));
    ck_assert_status(custops_ledger_reserve(f.l, &r, "SAVE4", NULL, "o3", 400, 60, NULL, T0), CUSTOPS_ELIMIT);
    ck_assert_int_eq(r.reason, CUSTOPS_LEDGER_BUDGET);
    /* the refused reservation charged nothing, not even the code counter */
    counter_is(f.l, "code:SAVE4", -1, 0, 2);
    counter_is(f.l, "budget:d11", 1000, 0, 800);
    ck_assert_ok(custops_ledger_reserve(f.l, NULL, "SAVE4", NULL, "o3", 200, 60, NULL, T0));
    counter_is(f.l, "budget:d11", 1000, 0, 1000);
    ck_assert_ok(custops_ledger_commit(f.l, NULL, "o1", "SAVE4", NULL, T0));
    ck_assert_ok(custops_ledger_release(f.l, NULL, "o2", "SAVE4", NULL, T0));
    counter_is(f.l, "budget:d11", 1000, 400, 200);
    /* partial refund: the share goes back to the budget, the use stays */
    ck_assert_ok(custops_ledger_reverse(f.l, &r, "o1", "SAVE4", 150, NULL, T0));
    ck_assert_int_eq(r.state, CUSTOPS_LEDGER_PARTIALLY_REVERSED);
    ck_assert_int_eq(r.amount, 150);
    counter_is(f.l, "budget:d11", 1000, 250, 200);
    counter_is(f.l, "code:SAVE4", -1, 1, 1);
    ck_assert_status(custops_ledger_reverse(f.l, NULL, "o1", "SAVE4", 251, NULL, T0), CUSTOPS_ERANGE);
    ck_assert_ok(custops_ledger_reverse(f.l, &r, "o1", "SAVE4", CUSTOPS_LEDGER_REST, NULL, T0));
    ck_assert_int_eq(r.state, CUSTOPS_LEDGER_REVERSED);
    ck_assert_int_eq(r.amount, 250);
    counter_is(f.l, "budget:d11", 1000, 0, 200);
    counter_is(f.l, "code:SAVE4", -1, 0, 1);
    ck_assert_status(custops_ledger_budget_add(f.l, NULL, "d11", INT64_MAX, NULL, T0), CUSTOPS_ERANGE);
    lfix_close(&f);
}
END_TEST

START_TEST(test_no_restore_policy)
{
    lfix f;
    lfix_open(&f, _i);
    custops_ledger_coupon c = CUSTOPS_LEDGER_COUPON_INIT;
    c.code = "KEEP";
    c.max_uses = 1;
    c.restore_on_reversal = 0;
    ck_assert_ok(custops_ledger_issue(f.l, NULL, &c, NULL, T0));
    ck_assert_ok(custops_ledger_reserve(f.l, NULL, "KEEP", NULL, "o1", 10, 60, NULL, T0));
    ck_assert_ok(custops_ledger_commit(f.l, NULL, "o1", "KEEP", NULL, T0));
    ck_assert_ok(custops_ledger_reverse(f.l, NULL, "o1", "KEEP", CUSTOPS_LEDGER_REST, NULL, T0));
    counter_is(f.l, "code:KEEP", 1, 1, 0);
    ck_assert_status(custops_ledger_reserve(f.l, NULL, "KEEP", NULL, "o2", 10, 60, NULL, T0), CUSTOPS_ELIMIT);
    lfix_close(&f);
}
END_TEST

START_TEST(test_expiry)
{
    lfix f;
    lfix_open(&f, _i);
    issue_simple(f.l, "E", 2, 0, "camp");
    ck_assert_ok(custops_ledger_budget_add(f.l, NULL, "camp", 100, NULL, T0));
    ck_assert_ok(custops_ledger_reserve(f.l, NULL, "E", NULL, "o1", 30, 10, NULL, T0));
    ck_assert_ok(custops_ledger_reserve(f.l, NULL, "E", NULL, "o2", 30, 20, NULL, T0));
    counter_is(f.l, "budget:camp", 100, 0, 60);
    int64_t n = -1;
    ck_assert_ok(custops_ledger_expire(f.l, &n, T0 + 9));
    ck_assert_int_eq(n, 0);
    /* lazily: the next transition at T0+10 expires o1 first, so o3 fits */
    ck_assert_ok(custops_ledger_reserve(f.l, NULL, "E", NULL, "o3", 30, 60, NULL, T0 + 10));
    custops_ledger_receipt r = CUSTOPS_LEDGER_RECEIPT_INIT;
    ck_assert_ok(custops_ledger_reservation(&r, f.l, "o1", "E"));
    ck_assert_int_eq(r.state, CUSTOPS_LEDGER_EXPIRED);
    ck_assert_status(custops_ledger_commit(f.l, NULL, "o1", "E", NULL, T0 + 11), CUSTOPS_ESTATE);
    ck_assert_ok(custops_ledger_expire(f.l, &n, T0 + 20));
    ck_assert_int_eq(n, 1);
    counter_is(f.l, "code:E", 2, 0, 1);
    counter_is(f.l, "budget:camp", 100, 0, 30);
    ck_assert_ok(custops_ledger_commit(f.l, NULL, "o3", "E", NULL, T0 + 69));
    ck_assert_ok(custops_ledger_expire(f.l, &n, T0 + 1000));
    ck_assert_int_eq(n, 0);
    counter_is(f.l, "budget:camp", 100, 30, 0);
    lfix_close(&f);
}
END_TEST

START_TEST(test_idempotency)
{
    lfix f;
    lfix_open(&f, _i);
    issue_simple(f.l, "ID", 1, 0, NULL);
    custops_ledger_coupon c = CUSTOPS_LEDGER_COUPON_INIT;
    c.code = "COMP";
    custops_ledger_receipt a = CUSTOPS_LEDGER_RECEIPT_INIT, b = CUSTOPS_LEDGER_RECEIPT_INIT;
    /* exactly-once issuance through its key */
    ck_assert_ok(custops_ledger_issue(f.l, &a, &c, "late_ship_comp:ORDER123", T0));
    ck_assert_ok(custops_ledger_issue(f.l, &b, &c, "late_ship_comp:ORDER123", T0 + 60));
    ck_assert_int_eq(b.replayed, 1);
    ck_assert_int_eq(a.seq, b.seq);
    c.max_uses = 5;
    ck_assert_status(custops_ledger_issue(f.l, NULL, &c, "late_ship_comp:ORDER123", T0), CUSTOPS_ECONFLICT);

    ck_assert_ok(custops_ledger_reserve(f.l, &a, "ID", "c", "o1", 7, 60, "r-o1", T0));
    ck_assert_ok(custops_ledger_reserve(f.l, &b, "ID", "c", "o1", 7, 60, "r-o1", T0 + 5));
    ck_assert_int_eq(b.replayed, 1);
    ck_assert_int_eq(a.seq, b.seq);
    ck_assert_int_eq(a.state, b.state);
    ck_assert_int_eq(a.amount, b.amount);
    ck_assert_int_eq(a.expires, b.expires);
    counter_is(f.l, "code:ID", 1, 0, 1);
    /* same key, different request: refused, nothing changes */
    ck_assert_status(custops_ledger_reserve(f.l, NULL, "ID", "c", "o1", 8, 60, "r-o1", T0), CUSTOPS_ECONFLICT);
    ck_assert_status(custops_ledger_commit(f.l, NULL, "o1", "ID", "r-o1", T0), CUSTOPS_ECONFLICT);
    ck_assert_status(custops_ledger_reserve(f.l, NULL, "ID", NULL, "o1", 7, 60, "r-o1", T0), CUSTOPS_ECONFLICT);
    counter_is(f.l, "code:ID", 1, 0, 1);
    /* a refused request stores no key: the same key works once room is back */
    ck_assert_status(custops_ledger_reserve(f.l, NULL, "ID", "d", "o2", 7, 60, "r-o2", T0), CUSTOPS_ELIMIT);
    ck_assert_ok(custops_ledger_release(f.l, NULL, "o1", "ID", "rel-o1", T0));
    ck_assert_ok(custops_ledger_reserve(f.l, &a, "ID", "d", "o2", 7, 60, "r-o2", T0));
    ck_assert_int_eq(a.replayed, 0);
    /* replays after later transitions still answer the original request */
    ck_assert_ok(custops_ledger_release(f.l, &b, "o1", "ID", "rel-o1", T0 + 1));
    ck_assert_int_eq(b.state, CUSTOPS_LEDGER_RELEASED);
    ck_assert_int_eq(b.replayed, 1);
    int64_t n;
    ck_assert_ok(custops_ledger_verify(&n, NULL, f.l));
    ck_assert_int_eq(n, 5); /* 2 issues, reserve, release, reserve */
    lfix_close(&f);
}
END_TEST

START_TEST(test_journal_and_show)
{
    lfix f;
    lfix_open(&f, _i);
    issue_simple(f.l, "J", 0, 0, NULL);
    ck_assert_ok(custops_ledger_reserve(f.l, NULL, "J", "c\"q", "o1", 3, 60, NULL, T0));
    char hex[65], hex2[65];
    int64_t n;
    ck_assert_ok(custops_ledger_verify(&n, hex, f.l));
    ck_assert_int_eq(n, 2);
    ck_assert_int_eq(strlen(hex), 64);
    ck_assert_ok(custops_ledger_commit(f.l, NULL, "o1", "J", NULL, T0));
    ck_assert_ok(custops_ledger_verify(&n, hex2, f.l));
    ck_assert_int_eq(n, 3);
    ck_assert_str_ne(hex, hex2);
    char *s;
    ck_assert_ok(custops_ledger_show(&s, f.l));
    ck_assert_ptr_nonnull(strstr(s, "\"records\":3"));
    ck_assert_ptr_nonnull(strstr(s, hex2));
    ck_assert_ptr_nonnull(strstr(s, "\"customer\":\"c\\\"q\""));
    ck_assert_ptr_nonnull(strstr(s, "\"state\":\"committed\""));
    ck_assert_ptr_nonnull(strstr(s, "{\"key\":\"code:J\",\"limit\":-1,\"used\":1,\"reserved\":0}"));
    custops_free(s);
    /* the journal as JSON lines */
    ck_assert_ok(custops_ledger_journal(&s, f.l, 0, 0));
    ck_assert_ptr_nonnull(strstr(s, "{\"seq\":1,\"ts\":1000,\"prev\":\"0000000000000000"));
    ck_assert_ptr_nonnull(strstr(s, "\"record\":{\"op\":\"commit\",\"order\":\"o1\",\"code\":\"J\",\"state\":\"committed\",\"amount\":3}}\n"));
    ck_assert_ptr_nonnull(strstr(s, hex2)); /* the last record's hash is the head */
    int lines = 0;
    for (char *p = s; (p = strchr(p, '\n')); p++)
        lines++;
    ck_assert_int_eq(lines, 3);
    custops_free(s);
    ck_assert_ok(custops_ledger_journal(&s, f.l, 1, 1));
    ck_assert(strncmp(s, "{\"seq\":2,", 9) == 0);
    ck_assert_ptr_null(strstr(s, "\"seq\":3"));
    custops_free(s);
    ck_assert_ok(custops_ledger_journal(&s, f.l, 3, 0));
    ck_assert_str_eq(s, "");
    custops_free(s);
    ck_assert_status(custops_ledger_journal(&s, f.l, -1, 0), CUSTOPS_EINVAL);
    ck_assert_status(custops_ledger_journal(NULL, f.l, 0, 0), CUSTOPS_EINVAL);
    lfix_close(&f);
}
END_TEST

START_TEST(test_codes)
{
    char *a, *b;
    ck_assert_ok(custops_ledger_codes(&a, NULL, 500, "D11-", 8, 42));
    ck_assert_ok(custops_ledger_codes(&b, NULL, 500, "D11-", 8, 42));
    ck_assert(strcmp(a, b) == 0); /* seeded */
    custops_free(b);
    ck_assert_ok(custops_ledger_codes(&b, NULL, 500, "D11-", 8, 43));
    ck_assert(strcmp(a, b) != 0);
    custops_free(b);
    /* 500 lines, each prefix + 8 characters of the alphabet, all distinct */
    int lines = 0;
    for (char *p = a; *p; lines++) {
        char *nl = strchr(p, '\n');
        ck_assert_ptr_nonnull(nl);
        ck_assert_int_eq(nl - p, 12);
        ck_assert(strncmp(p, "D11-", 4) == 0);
        for (char *q = p + 4; q < nl; q++)
            ck_assert_ptr_nonnull(strchr("34679ACDEFGHJKMNPQRTWXY", *q));
        for (char *o = a; o < p; o += 13)
            ck_assert(strncmp(o, p, 12) != 0);
        p = nl + 1;
    }
    ck_assert_int_eq(lines, 500);
    /* a tiny space forces collisions: 23^4 = 279841 codes, so asking for all is refused */
    ck_assert_status(custops_ledger_codes(&b, NULL, 200000, NULL, 4, 1), CUSTOPS_ELIMIT);
    ck_assert_ok(custops_ledger_codes(&b, NULL, 100000, NULL, 4, 1));
    custops_free(b);
    ck_assert_status(custops_ledger_codes(&b, NULL, 0, NULL, 8, 1), CUSTOPS_EINVAL);
    ck_assert_status(custops_ledger_codes(&b, NULL, 1, NULL, 3, 1), CUSTOPS_EINVAL);
    ck_assert_status(custops_ledger_codes(&b, NULL, 1, "a/", 8, 1), CUSTOPS_EINVAL);
    ck_assert_status(custops_ledger_codes(NULL, NULL, 1, NULL, 8, 1), CUSTOPS_EINVAL);
    /* codes already issued in a ledger are skipped: issue the first 3 of a
     * batch, regenerate with the same seed and they are gone */
    lfix f;
    lfix_open(&f, 1);
    char first[3][13];
    for (int k = 0; k < 3; k++) {
        memcpy(first[k], a + 13 * k, 12);
        first[k][12] = '\0';
        issue_simple(f.l, first[k], 0, 0, NULL);
    }
    ck_assert_ok(custops_ledger_codes(&b, f.l, 500, "D11-", 8, 42));
    for (int k = 0; k < 3; k++)
        ck_assert_ptr_null(strstr(b, first[k]));
    /* the batch is the original stream minus the issued codes, plus 3 more drawn after it */
    ck_assert(strncmp(b, a + 3 * 13, (500 - 3) * 13) == 0);
    custops_free(b);
    custops_free(a);
    lfix_close(&f);
}
END_TEST

/* Children race for a coupon with limit L on one shared ledger (an SQLite
 * file or a PostgreSQL server): each reserves and commits its own orders,
 * retrying both with the same keys. Exactly L win, every round. */
static int race_child(const char *loc, int child, int round, int per_child)
{
    custops_ledger *l = NULL;
    if (custops_ledger_open(&l, loc, NULL))
        return 100;
    int wins = 0;
    char order[32], key[48], code[16];
    snprintf(code, sizeof code, "RACE%d", round);
    for (int k = 0; k < per_child; k++) {
        snprintf(order, sizeof order, "r%d-c%d-o%d", round, child, k);
        snprintf(key, sizeof key, "r-%s", order);
        custops_ledger_receipt r = CUSTOPS_LEDGER_RECEIPT_INIT, r2 = CUSTOPS_LEDGER_RECEIPT_INIT;
        int rc = custops_ledger_reserve(l, &r, code, "shared-customer", order, 100, 600, key, T0);
        if (rc == CUSTOPS_ELIMIT)
            continue;
        if (rc) {
            fprintf(stderr, "child %d: reserve: %d %s\n", child, rc, custops_last_error());
            wins = 101;
            break;
        }
        /* the retry of a reservation that won returns the same receipt */
        if (custops_ledger_reserve(l, &r2, code, "shared-customer", order, 100, 600, key, T0) || !r2.replayed ||
            r2.seq != r.seq) {
            wins = 102;
            break;
        }
        snprintf(key, sizeof key, "c-%s", order);
        if (custops_ledger_commit(l, NULL, order, code, key, T0 + 1) ||
            custops_ledger_commit(l, &r2, order, code, key, T0 + 2) || !r2.replayed) {
            wins = 103;
            break;
        }
        wins++;
    }
    custops_ledger_free(l);
    return wins;
}

START_TEST(test_multiprocess_race)
{
    const int N = 6, PER = 4, L = 7, ROUNDS = 4;
    lfix f;
    lfix_open(&f, _i);
    ck_assert_ok(custops_ledger_budget_add(f.l, NULL, "race", 100 * L * ROUNDS, NULL, T0));
    for (int round = 0; round < ROUNDS; round++) {
        char code[16];
        snprintf(code, sizeof code, "RACE%d", round);
        issue_simple(f.l, code, L, 0, "race");
        /* connections must not cross a fork: close ours first */
        custops_ledger_free(f.l);
        f.l = NULL;
        pid_t pids[16];
        for (int c = 0; c < N; c++) {
            pids[c] = fork();
            ck_assert_int_ge(pids[c], 0);
            if (pids[c] == 0)
                _exit(race_child(f.loc, c, round, PER));
        }
        int total = 0;
        for (int c = 0; c < N; c++) {
            int st;
            waitpid(pids[c], &st, 0);
            ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) <= PER, "child %d failed with status %d", c,
                          WIFEXITED(st) ? WEXITSTATUS(st) : -1);
            total += WEXITSTATUS(st);
        }
        ck_assert_int_eq(total, L);
        ck_assert_ok(custops_ledger_open(&f.l, f.loc, NULL));
        char key[32];
        snprintf(key, sizeof key, "code:%s", code);
        counter_is(f.l, key, L, L, 0);
    }
    counter_is(f.l, "budget:race", 100 * L * ROUNDS, 100 * L * ROUNDS, 0);
    int64_t n;
    ck_assert_ok(custops_ledger_verify(&n, NULL, f.l));
    ck_assert_int_eq(n, 1 + ROUNDS * (1 + 2 * L));
    lfix_close(&f);
}
END_TEST

/* ---- property test: random operations against an independent model ---- */

#define PC 4  /* coupons */
#define PO 40 /* orders */

typedef struct model {
    int64_t lim[PC], used[PC], reserved[PC];
    int64_t budget, spent, held;
    int state[PO][PC];
    int64_t amount[PO][PC], reversed[PO][PC], expires[PO][PC];
} model;

static uint64_t rng_next(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static void model_expire(model *m, int64_t now)
{
    for (int o = 0; o < PO; o++)
        for (int c = 0; c < PC; c++)
            if (m->state[o][c] == CUSTOPS_LEDGER_PENDING && m->expires[o][c] <= now) {
                m->state[o][c] = CUSTOPS_LEDGER_EXPIRED;
                m->reserved[c]--;
                m->held -= m->amount[o][c];
            }
}

static void check_against_model(custops_ledger *l, const model *m)
{
    char key[32];
    for (int c = 0; c < PC; c++) {
        int64_t a, u, r;
        snprintf(key, sizeof key, "code:P%d", c);
        ck_assert_ok(custops_ledger_counter(&a, &u, &r, l, key));
        ck_assert_int_eq(u, m->used[c]);
        ck_assert_int_eq(r, m->reserved[c]);
        ck_assert_int_le(u + r, a); /* I1 */
        ck_assert_int_ge(u, 0);
        ck_assert_int_ge(r, 0);
    }
    int64_t a, u, r;
    ck_assert_ok(custops_ledger_counter(&a, &u, &r, l, "budget:prop"));
    ck_assert_int_eq(u, m->spent);
    ck_assert_int_eq(r, m->held);
    ck_assert_int_le(u + r, a); /* I2: never overspent */
    ck_assert_int_ge(a - u - r, 0);
}

START_TEST(test_property_invariants)
{
    lfix f;
    lfix_open(&f, _i);
    model m;
    memset(&m, 0, sizeof m);
    uint64_t seed = 0x9e3779b97f4a7c15ULL ^ (uint64_t)(_i + 1);
    char code[8], order[8], key[32];
    for (int c = 0; c < PC; c++) {
        snprintf(code, sizeof code, "P%d", c);
        m.lim[c] = 2 + c * 3;
        issue_simple(f.l, code, m.lim[c], 0, "prop");
    }
    m.budget = 5000;
    ck_assert_ok(custops_ledger_budget_add(f.l, NULL, "prop", m.budget, NULL, T0));
    int64_t now = T0;
    int steps = _i == 0 ? 3000 : 600;
    for (int step = 0; step < steps; step++) {
        now += (int64_t)(rng_next(&seed) % 4);
        int o = (int)(rng_next(&seed) % PO), c = (int)(rng_next(&seed) % PC);
        int op = (int)(rng_next(&seed) % 5);
        int retry = rng_next(&seed) % 4 == 0;
        snprintf(code, sizeof code, "P%d", c);
        snprintf(order, sizeof order, "o%d", o);
        snprintf(key, sizeof key, "s%d", step);
        custops_ledger_receipt r = CUSTOPS_LEDGER_RECEIPT_INIT, r2 = CUSTOPS_LEDGER_RECEIPT_INIT;
        int rc, rc2 = 0;
        model_expire(&m, now);
        int st = m.state[o][c];
        if (op == 0) {
            int64_t amt = (int64_t)(rng_next(&seed) % 900);
            int64_t ttl = 1 + (int64_t)(rng_next(&seed) % 30);
            rc = custops_ledger_reserve(f.l, &r, code, NULL, order, amt, ttl, key, now);
            if (retry)
                rc2 = custops_ledger_reserve(f.l, &r2, code, NULL, order, amt, ttl, key, now);
            int live = st >= CUSTOPS_LEDGER_PENDING && st <= CUSTOPS_LEDGER_PARTIALLY_REVERSED;
            int fits = m.used[c] + m.reserved[c] + 1 <= m.lim[c] && m.spent + m.held + amt <= m.budget;
            if (live) {
                ck_assert_int_eq(rc, CUSTOPS_EEXISTS);
            } else if (!fits) {
                ck_assert_int_eq(rc, CUSTOPS_ELIMIT);
            } else {
                ck_assert_int_eq(rc, CUSTOPS_OK);
                m.state[o][c] = CUSTOPS_LEDGER_PENDING;
                m.amount[o][c] = amt;
                m.reversed[o][c] = 0;
                m.expires[o][c] = now + ttl;
                m.reserved[c]++;
                m.held += amt;
            }
        } else if (op == 1) {
            rc = custops_ledger_commit(f.l, &r, order, code, key, now);
            if (retry)
                rc2 = custops_ledger_commit(f.l, &r2, order, code, key, now);
            if (st == CUSTOPS_LEDGER_PENDING) {
                ck_assert_int_eq(rc, CUSTOPS_OK);
                m.state[o][c] = CUSTOPS_LEDGER_COMMITTED;
                m.reserved[c]--;
                m.used[c]++;
                m.held -= m.amount[o][c];
                m.spent += m.amount[o][c];
            } else {
                ck_assert_int_eq(rc, st == 0 ? CUSTOPS_ENOTFOUND : CUSTOPS_ESTATE);
            }
        } else if (op == 2) {
            rc = custops_ledger_release(f.l, &r, order, code, key, now);
            if (retry)
                rc2 = custops_ledger_release(f.l, &r2, order, code, key, now);
            if (st == CUSTOPS_LEDGER_PENDING) {
                ck_assert_int_eq(rc, CUSTOPS_OK);
                m.state[o][c] = CUSTOPS_LEDGER_RELEASED;
                m.reserved[c]--;
                m.held -= m.amount[o][c];
            } else {
                ck_assert_int_eq(rc, st == 0 ? CUSTOPS_ENOTFOUND : CUSTOPS_ESTATE);
            }
        } else if (op == 3) {
            int64_t left = m.amount[o][c] - m.reversed[o][c];
            int64_t amt = rng_next(&seed) % 2 ? CUSTOPS_LEDGER_REST : (int64_t)(rng_next(&seed) % 400);
            rc = custops_ledger_reverse(f.l, &r, order, code, amt, key, now);
            if (retry)
                rc2 = custops_ledger_reverse(f.l, &r2, order, code, amt, key, now);
            if (st == CUSTOPS_LEDGER_COMMITTED || st == CUSTOPS_LEDGER_PARTIALLY_REVERSED) {
                int64_t take = amt == CUSTOPS_LEDGER_REST ? left : amt;
                if (take > left) {
                    ck_assert_int_eq(rc, CUSTOPS_ERANGE);
                } else {
                    ck_assert_int_eq(rc, CUSTOPS_OK);
                    m.reversed[o][c] += take;
                    m.spent -= take;
                    if (m.reversed[o][c] == m.amount[o][c]) {
                        m.state[o][c] = CUSTOPS_LEDGER_REVERSED;
                        m.used[c]--;
                    } else {
                        m.state[o][c] = CUSTOPS_LEDGER_PARTIALLY_REVERSED;
                    }
                }
            } else {
                ck_assert_int_eq(rc, st == 0 ? CUSTOPS_ENOTFOUND : CUSTOPS_ESTATE);
            }
        } else {
            int64_t n;
            rc = custops_ledger_expire(f.l, &n, now);
            ck_assert_int_eq(rc, CUSTOPS_OK);
            retry = 0;
        }
        /* a retry with the same key is harmless: same answer, no change */
        if (retry && rc == CUSTOPS_OK) {
            ck_assert_int_eq(rc2, CUSTOPS_OK);
            ck_assert_int_eq(r2.replayed, 1);
            ck_assert_int_eq(r2.seq, r.seq);
            ck_assert_int_eq(r2.state, r.state);
            ck_assert_int_eq(r2.amount, r.amount);
        }
        if (step % 7 == 0 || _i == 0)
            check_against_model(f.l, &m);
    }
    check_against_model(f.l, &m);
    int64_t n;
    ck_assert_ok(custops_ledger_verify(&n, NULL, f.l));
    ck_assert_int_gt(n, steps / 5);
    lfix_close(&f);
}
END_TEST

/* ---- allocation failures (memory backend): every one gives ENOMEM, leaks nothing and
 * leaves a ledger whose journal still verifies ---- */

static long fail_at, alloc_count;
static void *fail_malloc(size_t n, void *ud)
{
    (void)ud;
    if (++alloc_count == fail_at)
        return NULL;
    return malloc(n);
}
static void *fail_realloc(void *p, size_t n, void *ud)
{
    (void)ud;
    if (++alloc_count == fail_at)
        return NULL;
    return realloc(p, n);
}
static void fail_free(void *p, void *ud)
{
    (void)ud;
    free(p);
}

static int scenario(custops_ledger *l)
{
    int rc;
    custops_ledger_coupon c = CUSTOPS_LEDGER_COUPON_INIT;
    c.code = "M";
    c.max_uses = 5;
    c.max_per_customer = 2;
    c.campaign = "mc";
    if ((rc = custops_ledger_issue(l, NULL, &c, "i", T0)) || (rc = custops_ledger_budget_add(l, NULL, "mc", 100, "b", T0)))
        return rc;
    char order[8];
    for (int k = 0; k < 4; k++) {
        snprintf(order, sizeof order, "o%d", k);
        rc = custops_ledger_reserve(l, NULL, "M", "cust", order, 10, 50, order, T0 + k);
        if (rc && rc != CUSTOPS_ELIMIT)
            return rc;
    }
    if ((rc = custops_ledger_commit(l, NULL, "o0", "M", NULL, T0 + 5)) ||
        (rc = custops_ledger_reverse(l, NULL, "o0", "M", 4, NULL, T0 + 5)))
        return rc;
    int64_t n;
    return custops_ledger_expire(l, &n, T0 + 100);
}

START_TEST(test_alloc_failures)
{
    custops_allocator a = {CUSTOPS_ALLOCATOR_VERSION, fail_malloc, fail_realloc, fail_free, NULL};
    int saw_enomem = 0, passed = 0;
    for (fail_at = 1; fail_at < 400 && !passed; fail_at++) {
        ck_assert_ok(custops_set_allocator(&a));
        alloc_count = 0;
        custops_ledger *l = NULL;
        int rc = custops_ledger_open(&l, "memory:", NULL);
        if (!rc)
            rc = scenario(l);
        if (rc) {
            ck_assert_int_eq(rc, CUSTOPS_ENOMEM);
            saw_enomem = 1;
            if (l) {
                long keep = fail_at;
                fail_at = -1; /* verification itself may allocate */
                int64_t n;
                ck_assert_ok(custops_ledger_verify(&n, NULL, l));
                fail_at = keep;
            }
        } else {
            passed = 1;
        }
        custops_ledger_free(l);
        custops_set_allocator(NULL);
    }
    ck_assert(saw_enomem);
    ck_assert(passed);
}
END_TEST

#ifdef LEDGER_TEST_PG
/* PostgreSQL: a rewritten or cut journal is caught in any of its chains
 * (one per coupon), a newer schema refused */
START_TEST(test_pg_tamper_and_version)
{
    const char *attacks[] = {
        "UPDATE custops_ledger.journal SET body = replace(body, '\"amount\":5', '\"amount\":6')"
        " WHERE chain = 'code:H' AND seq = 2",
        "DELETE FROM custops_ledger.journal WHERE chain = 'code:H' AND seq = 3",
        "DELETE FROM custops_ledger.head WHERE chain = 'code:G'",
        "DELETE FROM custops_ledger.journal WHERE chain = 'code:G'",
        "UPDATE custops_ledger.journal SET chain = 'code:G', seq = 4 WHERE chain = 'code:H' AND seq = 3",
        "UPDATE custops_ledger.journal SET ts = ts + 1 WHERE chain = 'code:G' AND seq = 1",
        "UPDATE custops_ledger.head SET seq = 1 WHERE chain = 'code:G'",
    };
    for (size_t a = 0; a < sizeof attacks / sizeof attacks[0]; a++) {
        lfix f;
        lfix_open(&f, 2);
        issue_simple(f.l, "H", 10, 0, NULL);
        issue_simple(f.l, "G", 10, 0, NULL);
        ck_assert_ok(custops_ledger_reserve(f.l, NULL, "H", NULL, "o1", 5, 60, NULL, T0));
        ck_assert_ok(custops_ledger_reserve(f.l, NULL, "G", NULL, "o1", 5, 60, NULL, T0));
        ck_assert_ok(custops_ledger_commit(f.l, NULL, "o1", "H", NULL, T0));
        custops_ledger_receipt r = CUSTOPS_LEDGER_RECEIPT_INIT;
        ck_assert_ok(custops_ledger_commit(f.l, &r, "o1", "G", NULL, T0));
        ck_assert_int_eq(r.seq, 3); /* seq counts within the coupon's chain */
        int64_t n;
        char head[65];
        ck_assert_ok(custops_ledger_verify(&n, head, f.l));
        ck_assert_int_eq(n, 6);
        if (a == 0) {
            /* the export names each record's chain; the head folds both chains */
            char *s;
            ck_assert_ok(custops_ledger_journal(&s, f.l, 0, 0));
            ck_assert_ptr_nonnull(strstr(s, "\"chain\":\"code:G\",\"record\":{\"op\":\"issue\""));
            ck_assert_ptr_nonnull(strstr(s, "\"chain\":\"code:H\",\"record\":{\"op\":\"commit\""));
            ck_assert_ptr_null(strstr(s, head));
            custops_free(s);
            ck_assert_ok(custops_ledger_show(&s, f.l));
            ck_assert_ptr_nonnull(strstr(s, head));
            ck_assert_ptr_nonnull(strstr(s, "\"records\":6"));
            custops_free(s);
        }
        lfix_pg_exec(f.loc, attacks[a]);
        ck_assert_msg(custops_ledger_verify(NULL, NULL, f.l) == CUSTOPS_ECORRUPT, "attack %zu not caught", a);
        ck_assert_ptr_nonnull(strstr(custops_last_error(), "journal"));
        lfix_close(&f);
    }
    lfix f;
    lfix_open(&f, 2);
    custops_ledger_free(f.l);
    f.l = NULL;
    lfix_pg_exec(f.loc, "UPDATE custops_ledger.schema_version SET version = 99");
    ck_assert_status(custops_ledger_open(&f.l, f.loc, NULL), CUSTOPS_EVERSION);
    lfix_close(&f);
}
END_TEST
#endif

#ifdef LEDGER_TEST_PG
/* PostgreSQL: a transition waits for another transaction on its coupon at
 * most busy_timeout_ms (then CUSTOPS_EBUSY, nothing left open), while
 * transitions on other coupons go on meanwhile */
START_TEST(test_pg_lock_wait_bounded)
{
    lfix f;
    lfix_open(&f, 2);
    issue_simple(f.l, "B", 5, 0, NULL);
    issue_simple(f.l, "OTHER", 5, 0, NULL);
    custops_ledger_free(f.l);
    custops_ledger_options o = CUSTOPS_LEDGER_OPTIONS_INIT;
    o.busy_timeout_ms = 200;
    ck_assert_ok(custops_ledger_open(&f.l, f.loc, &o));
    PGconn *other = PQconnectdb(f.loc);
    ck_assert_int_eq(PQstatus(other), CONNECTION_OK);
    PGresult *r = PQexec(other, "BEGIN; SELECT 1 FROM custops_ledger.head WHERE chain = 'code:B' FOR UPDATE");
    ck_assert_int_eq(PQresultStatus(r), PGRES_TUPLES_OK);
    PQclear(r);
    ck_assert_status(custops_ledger_reserve(f.l, NULL, "B", NULL, "o1", 1, 60, "k1", T0), CUSTOPS_EBUSY);
    ck_assert_ok(custops_ledger_reserve(f.l, NULL, "OTHER", NULL, "o1", 1, 60, "k2", T0));
    PQclear(PQexec(other, "ROLLBACK"));
    PQfinish(other);
    custops_ledger_receipt rc = CUSTOPS_LEDGER_RECEIPT_INIT;
    ck_assert_ok(custops_ledger_reserve(f.l, &rc, "B", NULL, "o1", 1, 60, "k1", T0));
    ck_assert_int_eq(rc.replayed, 0);
    counter_is(f.l, "code:B", 5, 0, 1);
    int64_t n;
    ck_assert_ok(custops_ledger_verify(&n, NULL, f.l));
    ck_assert_int_eq(n, 4);
    lfix_close(&f);
}
END_TEST
#endif

#ifdef LEDGER_TEST_PG
/* PostgreSQL: a ledger of schema 2 (one chain for everything) opens, keeps
 * its records as chain '' and goes on with a chain per coupon */
START_TEST(test_pg_upgrade_from_one_chain)
{
    lfix f;
    lfix_open(&f, 2);
    issue_simple(f.l, "U", 10, 0, NULL);
    ck_assert_ok(custops_ledger_reserve(f.l, NULL, "U", NULL, "o1", 5, 60, NULL, T0));
    ck_assert_ok(custops_ledger_commit(f.l, NULL, "o1", "U", NULL, T0));
    custops_ledger_free(f.l);
    f.l = NULL;
    /* back to the version 2 tables: the same records, one head row */
    lfix_pg_exec(f.loc, "ALTER TABLE custops_ledger.journal DROP CONSTRAINT journal_pkey;"
                        "ALTER TABLE custops_ledger.journal DROP COLUMN chain;"
                        "ALTER TABLE custops_ledger.journal ADD PRIMARY KEY (seq);"
                        "DROP TABLE custops_ledger.head;"
                        "CREATE TABLE custops_ledger.head(id INTEGER PRIMARY KEY CHECK (id = 1), seq BIGINT NOT NULL,"
                        " hash TEXT NOT NULL);"
                        "INSERT INTO custops_ledger.head SELECT 1, seq, hash FROM custops_ledger.journal"
                        " ORDER BY seq DESC LIMIT 1;"
                        "UPDATE custops_ledger.schema_version SET version = 2");
    ck_assert_ok(custops_ledger_open(&f.l, f.loc, NULL));
    int64_t n;
    ck_assert_ok(custops_ledger_verify(&n, NULL, f.l));
    ck_assert_int_eq(n, 3);
    custops_ledger_receipt r = CUSTOPS_LEDGER_RECEIPT_INIT;
    ck_assert_ok(custops_ledger_reverse(f.l, &r, "o1", "U", CUSTOPS_LEDGER_REST, NULL, T0));
    ck_assert_int_eq(r.seq, 1); /* the first record of chain code:U */
    ck_assert_ok(custops_ledger_verify(&n, NULL, f.l));
    ck_assert_int_eq(n, 4);
    counter_is(f.l, "code:U", 10, 0, 0);
    lfix_pg_exec(f.loc, "UPDATE custops_ledger.journal SET ts = ts + 1 WHERE chain = '' AND seq = 2");
    ck_assert_status(custops_ledger_verify(NULL, NULL, f.l), CUSTOPS_ECORRUPT);
    lfix_close(&f);
}
END_TEST
#endif

#ifdef LEDGER_TEST_PG
/* ---- PostgreSQL: clients SIGKILLed in the middle of a transaction ----
 * Children reserve and commit on one coupon with limit L, each on its own
 * connection (named in application_name), and report every acknowledged
 * commit through a pipe. The parent waits until the server shows one of
 * them inside an open transaction and kills that process at once, several
 * times. Afterwards: every acknowledged commit is there (nothing lost),
 * the counters agree with the reservations and the journal, the journal
 * verifies, and once the killed clients' reservations expire exactly L uses
 * can be committed in total (nothing double-spent, no lock left behind). */

#define KILL_L 24
#define KILL_PER 14

static void kill_child(const char *loc, int id, int ack)
{
    char conn[600];
    snprintf(conn, sizeof conn, "%s%sapplication_name=ledger-kill-%d", loc, strchr(loc, '?') ? "&" : "?", id);
    custops_ledger *l = NULL;
    if (custops_ledger_open(&l, conn, NULL))
        _exit(100);
    char order[32];
    for (int k = 0; k < KILL_PER; k++) {
        snprintf(order, sizeof order, "k%d-o%d", id, k);
        int rc = custops_ledger_reserve(l, NULL, "KILL", NULL, order, 10, 60, order, T0);
        if (rc == CUSTOPS_ELIMIT)
            continue;
        if (rc || custops_ledger_commit(l, NULL, order, "KILL", NULL, T0))
            _exit(101);
        char line[40];
        int n = snprintf(line, sizeof line, "%s\n", order);
        if (write(ack, line, (size_t)n) != n) /* one short write: atomic on a pipe */
            _exit(102);
    }
    custops_ledger_free(l);
    _exit(0);
}

/* the application_name number of a client inside a transaction, or -1 */
static int client_in_transaction(PGconn *c)
{
    PGresult *r = PQexec(c, "SELECT substr(application_name, 13) FROM pg_stat_activity WHERE application_name LIKE "
                            "'ledger-kill-%' AND xact_start IS NOT NULL AND state <> 'idle' LIMIT 1");
    int id = -1;
    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
        id = atoi(PQgetvalue(r, 0, 0));
    PQclear(r);
    return id;
}

START_TEST(test_pg_sigkill_mid_transaction)
{
    lfix f;
    lfix_open(&f, 2);
    custops_ledger_coupon c = CUSTOPS_LEDGER_COUPON_INIT;
    c.code = "KILL";
    c.max_uses = KILL_L;
    c.campaign = "kill";
    ck_assert_ok(custops_ledger_issue(f.l, NULL, &c, NULL, T0));
    ck_assert_ok(custops_ledger_budget_add(f.l, NULL, "kill", 10 * KILL_L, NULL, T0));
    custops_ledger_free(f.l);
    f.l = NULL;
    int ack[2];
    ck_assert_int_eq(pipe(ack), 0);
    enum { N = 3, KILLS = 5 };
    pid_t pids[N + KILLS];
    int alive[N + KILLS], next = 0, kills = 0;
    for (; next < N; next++) {
        pids[next] = fork();
        ck_assert_int_ge(pids[next], 0);
        if (pids[next] == 0)
            kill_child(f.loc, next, ack[1]);
        alive[next] = 1;
    }
    PGconn *watch = PQconnectdb(f.loc);
    ck_assert_int_eq(PQstatus(watch), CONNECTION_OK);
    for (int polls = 0; kills < KILLS && polls < 20000; polls++) {
        int id = client_in_transaction(watch);
        if (id < 0 || id >= next || !alive[id])
            continue;
        kill(pids[id], SIGKILL);
        int st;
        waitpid(pids[id], &st, 0);
        alive[id] = 0;
        if (WIFSIGNALED(st)) /* it may have finished just before */
            kills++;
        pids[next] = fork(); /* a fresh client takes its place */
        ck_assert_int_ge(pids[next], 0);
        if (pids[next] == 0)
            kill_child(f.loc, next, ack[1]);
        alive[next++] = 1;
        if (next == N + KILLS)
            break;
    }
    PQfinish(watch);
    close(ack[1]);
    for (int i = 0; i < next; i++) {
        if (!alive[i])
            continue;
        int st;
        waitpid(pids[i], &st, 0);
        ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "client %d failed (%d)", i,
                      WIFEXITED(st) ? WEXITSTATUS(st) : -1);
    }
    ck_assert_int_gt(kills, 0);
    fprintf(stderr, "ledger sigkill: %d clients killed inside a transaction\n", kills);
    ck_assert_ok(custops_ledger_open(&f.l, f.loc, NULL));
    /* nothing acknowledged was lost */
    char buf[8192];
    size_t len = 0;
    ssize_t got;
    while ((got = read(ack[0], buf + len, sizeof buf - 1 - len)) > 0)
        len += (size_t)got;
    close(ack[0]);
    buf[len] = '\0';
    int acked = 0;
    for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n"), acked++) {
        custops_ledger_receipt r = CUSTOPS_LEDGER_RECEIPT_INIT;
        ck_assert_ok(custops_ledger_reservation(&r, f.l, line, "KILL"));
        ck_assert_int_eq(r.state, CUSTOPS_LEDGER_COMMITTED);
    }
    /* the counters agree with the reservations and with the journal */
    char *show;
    ck_assert_ok(custops_ledger_show(&show, f.l));
    int committed = 0, pending = 0;
    for (char *p = show; (p = strstr(p, "\"state\":\"committed\"")); p++)
        committed++;
    for (char *p = show; (p = strstr(p, "\"state\":\"pending\"")); p++)
        pending++;
    custops_free(show);
    ck_assert_int_ge(committed, acked); /* a kill may land after COMMIT, before the ack */
    fprintf(stderr, "ledger sigkill: %d commits acknowledged, %d committed, %d pending\n", acked, committed, pending);
    counter_is(f.l, "code:KILL", KILL_L, committed, pending);
    counter_is(f.l, "budget:kill", 10 * KILL_L, 10 * committed, 10 * pending);
    int64_t n;
    ck_assert_ok(custops_ledger_verify(&n, NULL, f.l));
    ck_assert_int_eq(n, 2 + pending + 2 * committed);
    /* the killed clients' reservations expire; then the rest of the limit
     * and not one use more can be committed */
    int64_t expired;
    ck_assert_ok(custops_ledger_expire(f.l, &expired, T0 + 61));
    ck_assert_int_eq(expired, pending);
    int more = 0;
    for (int k = 0; k < 2 * KILL_L; k++) {
        char order[32];
        snprintf(order, sizeof order, "after-%d", k);
        int rc = custops_ledger_reserve(f.l, NULL, "KILL", NULL, order, 10, 60, NULL, T0 + 62);
        if (rc == CUSTOPS_ELIMIT)
            break;
        ck_assert_ok(rc);
        ck_assert_ok(custops_ledger_commit(f.l, NULL, order, "KILL", NULL, T0 + 62));
        more++;
    }
    ck_assert_int_eq(committed + more, KILL_L);
    counter_is(f.l, "code:KILL", KILL_L, KILL_L, 0);
    ck_assert_ok(custops_ledger_verify(&n, NULL, f.l));
    lfix_close(&f);
}
END_TEST
#endif

static Suite *ledger_suite(void)
{
    Suite *s = suite_create("ledger");
    TCase *tc = tcase_create("transitions");
    tcase_set_timeout(tc, 120);
    int nb = lfix_nbackends();
    tcase_add_loop_test(tc, test_reserve_commit, 0, nb);
    tcase_add_loop_test(tc, test_transition_errors, 0, nb);
    tcase_add_loop_test(tc, test_argument_checks, 0, nb);
    tcase_add_loop_test(tc, test_usage_limit, 0, nb);
    tcase_add_loop_test(tc, test_customer_limit_and_owner, 0, nb);
    tcase_add_loop_test(tc, test_validity_window, 0, nb);
    tcase_add_loop_test(tc, test_budget_and_reversal, 0, nb);
    tcase_add_loop_test(tc, test_no_restore_policy, 0, nb);
    tcase_add_loop_test(tc, test_expiry, 0, nb);
    tcase_add_loop_test(tc, test_idempotency, 0, nb);
    tcase_add_loop_test(tc, test_journal_and_show, 0, nb);
    tcase_add_loop_test(tc, test_property_invariants, 0, nb);
    tcase_add_loop_test(tc, test_multiprocess_race, 1, nb);
    tcase_add_test(tc, test_codes);
#ifdef LEDGER_TEST_PG
    if (nb > 2)
        tcase_add_test(tc, test_pg_tamper_and_version);
    if (nb > 2)
        tcase_add_test(tc, test_pg_sigkill_mid_transaction);
    if (nb > 2)
        tcase_add_test(tc, test_pg_upgrade_from_one_chain);
    if (nb > 2)
        tcase_add_test(tc, test_pg_lock_wait_bounded);
#endif
    tcase_add_test(tc, test_alloc_failures);
    suite_add_tcase(s, tc);
    return s;
}

TEST_MAIN(ledger_suite)
