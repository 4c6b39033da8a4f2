/* Helpers shared by the Check test programs. */
#ifndef CUSTOPS_TESTUTIL_H
#define CUSTOPS_TESTUTIL_H

#include <check.h>
#include <custops.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Assert a libcustops call succeeded, showing its message when it did not. */
#define ck_assert_ok(expr)                                                                         \
    do {                                                                                           \
        int ck_rc_ = (expr);                                                                       \
        ck_assert_msg(ck_rc_ == CUSTOPS_OK, "%s failed: %d %s", #expr, ck_rc_, custops_last_error()); \
    } while (0)

/* Assert a call failed with the given status and that a message was set. */
#define ck_assert_status(expr, want)                                                                \
    do {                                                                                            \
        custops_clear_error();                                                                      \
        int ck_rc_ = (expr);                                                                        \
        ck_assert_msg(ck_rc_ == (want), "%s returned %d (%s), wanted %d", #expr, ck_rc_,             \
                      custops_last_error(), (want));                                                \
        ck_assert_msg(custops_last_error()[0] != '\0', "%s set no error message", #expr);          \
    } while (0)

/* Path of a file in the shared data sets, or NULL (test should skip) when absent. */
static inline const char *test_shared_file(const char *name, char *buf, size_t cap)
{
    const char *dir = getenv("SHARED_DATA");
    if (!dir)
        return NULL;
    snprintf(buf, cap, "%s/%s", dir, name);
    FILE *f = fopen(buf, "rb");
    if (!f)
        return NULL;
    fclose(f);
    return buf;
}

/* A fresh temporary directory path for this test (created). */
static inline void test_tmpdir(char *buf, size_t cap)
{
    const char *base = getenv("TMPDIR");
    snprintf(buf, cap, "%s/custops-test-XXXXXX", base ? base : "/tmp");
    if (!mkdtemp(buf))
        ck_abort_msg("mkdtemp failed");
}

/* ---- frame columns in assertions: a missing column or one of another
 * type fails the test at the call, naming the column ---- */
static inline size_t test_col(const custops_frame *f, const char *name)
{
    size_t c;
    ck_assert_msg(custops_frame_find(f, name, &c) == CUSTOPS_OK, "no column %s", name);
    return c;
}

static inline const int64_t *test_i64_col(const custops_frame *f, const char *name)
{
    const int64_t *v;
    ck_assert_ok(custops_frame_int64(f, test_col(f, name), &v));
    return v;
}

static inline const double *test_f64_col(const custops_frame *f, const char *name)
{
    const double *v;
    ck_assert_ok(custops_frame_double(f, test_col(f, name), &v));
    return v;
}

static inline int64_t test_i64(const custops_frame *f, const char *name, size_t row)
{
    ck_assert_uint_lt(row, custops_frame_nrows(f));
    return test_i64_col(f, name)[row];
}

static inline double test_f64(const custops_frame *f, const char *name, size_t row)
{
    ck_assert_uint_lt(row, custops_frame_nrows(f));
    return test_f64_col(f, name)[row];
}

static inline const char *test_str(const custops_frame *f, const char *name, size_t row)
{
    const char *s;
    ck_assert_ok(custops_frame_string(f, test_col(f, name), row, &s));
    return s;
}

/* The instant of a local time text ("2025-11-11 00:00") in an IANA zone. */
static inline int64_t test_local_time(const char *text, const char *zone)
{
    custops_zone *z;
    ck_assert_ok(custops_zone_open(&z, zone));
    int64_t t;
    ck_assert_ok(custops_time_parse(text, z, &t));
    custops_zone_free(z);
    return t;
}

/* Standard main: run one suite, exit non-zero on any failure. */
#define TEST_MAIN(make_suite)                                       \
    int main(void)                                                  \
    {                                                               \
        SRunner *sr = srunner_create(make_suite());                 \
        srunner_run_all(sr, CK_NORMAL);                             \
        int failed = srunner_ntests_failed(sr);                     \
        srunner_free(sr);                                           \
        return failed ? EXIT_FAILURE : EXIT_SUCCESS;                \
    }

#endif
