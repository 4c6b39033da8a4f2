/* The CSV reader: type inference, quoting, empty cells, dates, and errors
 * with file:line:col. */
#include "testutil.h"

#include <math.h>

static custops_frame *parse(const char *text)
{
    custops_frame *f;
    int rc = custops_frame_parse_csv(&f, text, strlen(text), "t.csv", NULL);
    ck_assert_msg(rc == CUSTOPS_OK, "%s", custops_last_error());
    return f;
}

static void ck_bad(const char *text, int status, const char *msg)
{
    custops_frame *f = (custops_frame *)1;
    custops_clear_error();
    int rc = custops_frame_parse_csv(&f, text, strlen(text), "t.csv", NULL);
    ck_assert_int_eq(rc, status);
    ck_assert_ptr_null(f);
    ck_assert_str_eq(custops_last_error(), msg);
}

START_TEST(types_and_quotes)
{
    custops_frame *f = parse("\xef\xbb\xbfid,n,x,when,label,empty\r\n"
                             "a,1,1.5,2024-01-02,\"x, \"\"y\"\"\",\r\n"
                             "b,,nan,2024-01-03T10:00:00Z,plain,\r\n"
                             "\r\n"
                             "c,-3,2,,\"multi\nline\",\n");
    ck_assert_uint_eq(custops_frame_nrows(f), 3);
    ck_assert_uint_eq(custops_frame_ncols(f), 6);
    ck_assert_str_eq(custops_frame_col_name(f, 0), "id");
    ck_assert_int_eq(custops_frame_col_type(f, 0), CUSTOPS_COL_STRING);
    ck_assert_int_eq(custops_frame_col_type(f, 1), CUSTOPS_COL_INT64);
    ck_assert_int_eq(custops_frame_col_type(f, 2), CUSTOPS_COL_DOUBLE);
    ck_assert_int_eq(custops_frame_col_type(f, 3), CUSTOPS_COL_INT64);
    ck_assert_int_eq(custops_frame_col_type(f, 4), CUSTOPS_COL_STRING);
    ck_assert_int_eq(custops_frame_col_type(f, 5), CUSTOPS_COL_STRING);
    const int64_t *n, *t;
    const double *x;
    ck_assert_ok(custops_frame_int64(f, 1, &n));
    ck_assert_int_eq(n[0], 1);
    ck_assert_int_eq(n[1], -1);
    ck_assert_int_eq(n[2], -3);
    ck_assert_ok(custops_frame_double(f, 2, &x));
    ck_assert(isnan(x[1]));
    ck_assert_double_eq(x[2], 2.0);
    ck_assert_ok(custops_frame_int64(f, 3, &t));
    ck_assert_int_eq(t[0], 1704153600);
    ck_assert_int_eq(t[1], 1704276000);
    ck_assert_int_eq(t[2], -1);
    const char *s;
    ck_assert_ok(custops_frame_string(f, 4, 0, &s));
    ck_assert_str_eq(s, "x, \"y\"");
    ck_assert_ok(custops_frame_string(f, 4, 2, &s));
    ck_assert_str_eq(s, "multi\nline");
    custops_frame_free(f);
    f = parse("only\n");
    ck_assert_uint_eq(custops_frame_nrows(f), 0);
    custops_frame_free(f);
}
END_TEST

START_TEST(errors)
{
    ck_bad("a,b\n1,2\n3\n", CUSTOPS_EPARSE, "t.csv:3:1: expected 2 fields but found 1");
    ck_bad("a,b\n1,2,3\n", CUSTOPS_EPARSE, "t.csv:2:1: expected 2 fields but found 3");
    ck_bad("a,b\n1,\"2\n", CUSTOPS_EPARSE, "t.csv:2:3: unterminated quoted field");
    ck_bad("a,b\n1,\"2\"x\n", CUSTOPS_EPARSE, "t.csv:2:6: expected ',' or end of line after a quoted field");
    ck_bad("", CUSTOPS_EPARSE, "t.csv:1:1: expected a header row but the file is empty");
    ck_bad("a,,c\n1,2,3\n", CUSTOPS_EPARSE, "t.csv:1:1: column 2 has an empty name");
    ck_bad("a,a\n1,2\n", CUSTOPS_EPARSE, "t.csv:1:1: column name 'a' appears twice");
    custops_frame *f;
    ck_assert_status(custops_frame_read_csv(&f, "/nonexistent/x.csv", NULL), CUSTOPS_ENOTFOUND);
    ck_assert_status(custops_frame_read_csv(NULL, "x", NULL), CUSTOPS_EINVAL);
}
END_TEST

static Suite *csv_suite(void)
{
    Suite *s = suite_create("frame_csv");
    TCase *tc = tcase_create("read");
    tcase_add_test(tc, types_and_quotes);
    tcase_add_test(tc, errors);
    suite_add_tcase(s, tc);
    return s;
}

TEST_MAIN(csv_suite)
