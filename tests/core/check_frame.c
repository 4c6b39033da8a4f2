/* Frames: building, validation, borrowing, CSV output. */
#include "suite_core.h"

START_TEST(build_and_read)
{
    custops_frame *f;
    ck_assert_ok(custops_frame_new(&f));
    int64_t ids[3] = {1, 2, 3};
    double v[3] = {0.5, 1.5, -2};
    const char *names[3] = {"a", "b,c", "say \"hi\""};
    ck_assert_ok(custops_frame_add_int64(f, "id", ids, 3));
    ck_assert_ok(custops_frame_add_double(f, "value", v, 3));
    ck_assert_ok(custops_frame_add_string(f, "name", names, 3));
    ck_assert_uint_eq(custops_frame_nrows(f), 3);
    ck_assert_uint_eq(custops_frame_ncols(f), 3);
    ck_assert_str_eq(custops_frame_col_name(f, 1), "value");
    ck_assert_ptr_null(custops_frame_col_name(f, 3));
    ck_assert_int_eq(custops_frame_col_type(f, 2), CUSTOPS_COL_STRING);
    size_t c;
    ck_assert_ok(custops_frame_find(f, "value", &c));
    ck_assert_uint_eq(c, 1);
    const double *dv;
    ck_assert_ok(custops_frame_double(f, c, &dv));
    ck_assert_double_eq(dv[1], 1.5);
    const int64_t *iv;
    ck_assert_status(custops_frame_int64(f, 1, &iv), CUSTOPS_EINVAL);
    const char *s;
    ck_assert_ok(custops_frame_string(f, 2, 1, &s));
    ck_assert_str_eq(s, "b,c");
    ck_assert_status(custops_frame_string(f, 2, 3, &s), CUSTOPS_EINVAL);
    ck_assert_status(custops_frame_find(f, "nope", &c), CUSTOPS_ENOTFOUND);
    /* wrong length, duplicate name, empty name */
    ck_assert_status(custops_frame_add_int64(f, "short", ids, 2), CUSTOPS_EINVAL);
    ck_assert_status(custops_frame_add_int64(f, "id", ids, 3), CUSTOPS_EINVAL);
    ck_assert_status(custops_frame_add_int64(f, "", ids, 3), CUSTOPS_EINVAL);
    ck_assert_uint_eq(custops_frame_ncols(f), 3);

    char dir[256], path[300];
    test_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/out.csv", dir);
    ck_assert_ok(custops_frame_write_csv(f, path));
    FILE *fp = fopen(path, "r");
    char text[256] = {0};
    size_t n = fread(text, 1, sizeof text - 1, fp);
    fclose(fp);
    text[n] = 0;
    ck_assert_str_eq(text, "id,value,name\n1,0.5,a\n2,1.5,\"b,c\"\n3,-2,\"say \"\"hi\"\"\"\n");
    remove(path);
    rmdir(dir);
    custops_frame_free(f);
}
END_TEST

START_TEST(empty_frame)
{
    custops_frame *f;
    ck_assert_ok(custops_frame_new(&f));
    ck_assert_ok(custops_frame_add_int64(f, "x", NULL, 0));
    ck_assert_uint_eq(custops_frame_nrows(f), 0);
    ck_assert_status(custops_frame_add_double(f, "y", NULL, 1), CUSTOPS_EINVAL);
    custops_frame_free(f);
    ck_assert_status(custops_frame_new(NULL), CUSTOPS_EINVAL);
}
END_TEST

TCase *tcase_frame(void)
{
    TCase *tc = tcase_create("frame");
    tcase_add_test(tc, build_and_read);
    tcase_add_test(tc, empty_frame);
    return tc;
}
