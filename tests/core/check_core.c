/* Core conventions: version agreement, status names, thread-local errors. */
#include "suite_core.h"

#include <pthread.h>

START_TEST(version_matches_package)
{
    ck_assert_str_eq(custops_version(), CUSTOPS_VERSION);
    ck_assert_int_eq(custops_version_number(), CUSTOPS_VERSION_NUMBER);
    ck_assert_str_eq(CUSTOPS_VERSION, PACKAGE_VERSION_FOR_TEST);
    int a, b, c;
    ck_assert_int_eq(sscanf(CUSTOPS_VERSION, "%d.%d.%d", &a, &b, &c), 3);
    ck_assert_int_eq(a * 10000 + b * 100 + c, CUSTOPS_VERSION_NUMBER);
}
END_TEST

START_TEST(strerror_names_every_status)
{
    for (int s = CUSTOPS_OK; s >= CUSTOPS_EUNSUPPORTED; s--)
        ck_assert_str_ne(custops_strerror(s), "unknown status");
    ck_assert_str_eq(custops_strerror(-999), "unknown status");
    ck_assert_str_eq(custops_strerror(CUSTOPS_OK), "success");
}
END_TEST

START_TEST(last_error_set_and_cleared)
{
    custops_clear_error();
    ck_assert_str_eq(custops_last_error(), "");
    ck_assert_int_eq(custops_last_status(), CUSTOPS_OK);
    int exp;
    ck_assert_int_eq(custops_currency_exponent(NULL, &exp), CUSTOPS_EINVAL);
    ck_assert_ptr_nonnull(strstr(custops_last_error(), "code"));
    ck_assert_int_eq(custops_last_status(), CUSTOPS_EINVAL);
    custops_clear_error();
    ck_assert_str_eq(custops_last_error(), "");
}
END_TEST

static void *other_thread(void *arg)
{
    (void)arg;
    int exp;
    custops_currency_exponent("XXQ", &exp); /* fails with its own message */
    return strstr(custops_last_error(), "XXQ") ? (void *)1 : NULL;
}

START_TEST(errors_are_thread_local)
{
    int exp;
    ck_assert_int_eq(custops_currency_exponent("ABC", &exp), CUSTOPS_ENOTFOUND);
    pthread_t th;
    void *res;
    ck_assert_int_eq(pthread_create(&th, NULL, other_thread, NULL), 0);
    pthread_join(th, &res);
    ck_assert_ptr_nonnull(res);
    ck_assert_ptr_nonnull(strstr(custops_last_error(), "ABC"));
    ck_assert_ptr_null(strstr(custops_last_error(), "XXQ"));
}
END_TEST

START_TEST(free_accepts_null)
{
    custops_free(NULL);
    custops_frame_free(NULL);
    custops_zone_free(NULL);
}
END_TEST

static Suite *core_suite(void)
{
    Suite *s = suite_create("core");
    TCase *tc = tcase_create("conventions");
    tcase_add_test(tc, version_matches_package);
    tcase_add_test(tc, strerror_names_every_status);
    tcase_add_test(tc, last_error_set_and_cleared);
    tcase_add_test(tc, errors_are_thread_local);
    tcase_add_test(tc, free_accepts_null);
    suite_add_tcase(s, tc);
    suite_add_tcase(s, tcase_money());
    suite_add_tcase(s, tcase_time());
    suite_add_tcase(s, tcase_frame());
    suite_add_tcase(s, tcase_alloc());
    return s;
}

TEST_MAIN(core_suite)
