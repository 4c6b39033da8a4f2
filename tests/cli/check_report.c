/* The HTML report writer used by `custops run`: structure, escaping,
 * every chart kind present and well formed, atomic write. The writer is
 * CLI code (not library API), so the test compiles it in directly. */
#include "testutil.h"

#include "../../src/cli/report.c"

static int count(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = hay; (p = strstr(p, needle)) != NULL; p++)
        n++;
    return n;
}

static report *sample(void)
{
    report *r = report_new("Store <report>", "as of 2024-11-11 & then");
    ck_assert_ptr_nonnull(r);
    report_section(r, "Summary", "Customers & orders");
    const char *labels[3] = {"Customers", "Orders", "GMV"}, *values[3] = {"10,000", "52,113", "¥1,234,567.00"};
    report_tiles(r, labels, values, 3);
    report_section(r, "Segments", NULL);
    const char *seg[4] = {"champions", "loyal", "at risk", "<lost>"};
    double sizes[4] = {120, 480, 233, 1000};
    report_bar_chart(r, "segment-sizes", "Customers per RFM segment", seg, sizes, 4, "customers");
    double x[5] = {0, 1, 2, 3, 4}, y[10] = {1, 2, 3, 4, 5, 1.5, NAN, 3.5, 4.5, 6};
    const char *series[2] = {"actual", "model"};
    report_line_chart(r, "tracking", "Cumulative repeat purchases", x, 5, series, y, 2, "week", "purchases");
    const char *rows[2] = {"2024-01", "2024-02"}, *cols[3] = {"M0", "M1", "M2"};
    double heat[6] = {1, 0.4, 0.2, 1, 0.35, NAN};
    report_heatmap(r, "retention", "Cohort retention", rows, 2, cols, 3, heat, 0, 1, "%.0f%%", 100);
    const char *hdr[2] = {"segment", "customers"}, *cells[4] = {"champions", "120", "a<b", "1"};
    report_table(r, "Segment table", hdr, 2, cells, 2);
    return r;
}

START_TEST(structure_and_escaping)
{
    report *r = sample();
    const char *html = report_html(r);
    ck_assert_ptr_nonnull(html);
    ck_assert_int_eq(count(html, "<figure class=\"chart\""), 3);
    ck_assert_int_eq(count(html, "data-chart=\"segment-sizes\""), 1);
    ck_assert_int_eq(count(html, "data-chart=\"tracking\""), 1);
    ck_assert_int_eq(count(html, "data-chart=\"retention\""), 1);
    ck_assert_int_eq(count(html, "<section>"), count(html, "</section>"));
    ck_assert_int_eq(count(html, "<svg"), count(html, "</svg>"));
    /* every user string is escaped */
    ck_assert_ptr_nonnull(strstr(html, "<title>Store &lt;report&gt;</title>"));
    ck_assert_ptr_nonnull(strstr(html, "&lt;lost&gt;"));
    ck_assert_ptr_nonnull(strstr(html, "<td>a&lt;b</td>"));
    ck_assert_ptr_null(strstr(html, "<lost>"));
    /* self-contained: no scripts, no external resources */
    ck_assert_ptr_null(strstr(html, "<script"));
    ck_assert_int_eq(count(html, "http://"), count(html, "http://www.w3.org/2000/svg"));
    ck_assert_ptr_null(strstr(html, "https://"));
    /* heat-map cells: 5 finite values, the NaN cell is left out; values in tooltips */
    ck_assert_int_eq(count(html, "class=\"cell\""), 5);
    ck_assert_ptr_nonnull(strstr(html, "2024-02 / M1: 35%"));
    report_free(r);
}
END_TEST

START_TEST(atomic_write)
{
    report *r = sample();
    char dir[256], path[300];
    test_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/report.html", dir);
    ck_assert_int_eq(report_write(r, path), 0);
    FILE *f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    char head[16] = {0};
    ck_assert_uint_eq(fread(head, 1, 15, f), 15);
    fclose(f);
    ck_assert_str_eq(head, "<!DOCTYPE html>");
    snprintf(path, sizeof path, "%s/missing-dir/report.html", dir);
    ck_assert_int_eq(report_write(r, path), -1);
    snprintf(path, sizeof path, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(path), 0);
    report_free(r);
}
END_TEST

START_TEST(degenerate_inputs)
{
    report *r = report_new(NULL, NULL);
    double z[1] = {0};
    const char *l[1] = {"only"};
    report_bar_chart(r, "empty", "No data", NULL, NULL, 0, "");
    report_bar_chart(r, "zero", "All zero", l, z, 1, "");
    double x[1] = {5}, y[1] = {NAN};
    const char *s[1] = {"s"};
    report_line_chart(r, "flat", "One NaN point", x, 1, s, y, 1, "", "");
    const char *html = report_html(r);
    ck_assert_ptr_nonnull(html);
    ck_assert_ptr_null(strstr(html, "nan"));
    ck_assert_ptr_null(strstr(html, "inf"));
    report_free(r);
}
END_TEST

static Suite *report_suite(void)
{
    Suite *s = suite_create("report");
    TCase *tc = tcase_create("html");
    tcase_add_test(tc, structure_and_escaping);
    tcase_add_test(tc, atomic_write);
    tcase_add_test(tc, degenerate_inputs);
    suite_add_tcase(s, tc);
    return s;
}

TEST_MAIN(report_suite)
