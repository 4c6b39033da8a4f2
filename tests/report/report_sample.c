/* Writes a report with every chart kind to argv[1], for the browser check
 * (render_check.py) that proves the writer's SVG renders cleanly. */
#include <math.h>
#include <stdio.h>

#include "../../src/cli/report.c"

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: report_sample OUT.html\n");
        return 2;
    }
    report *r = report_new("Sample report", "every chart kind");
    if (!r)
        return 1;
    report_section(r, "Summary", "Key figures & a table");
    const char *labels[3] = {"Customers", "Orders", "GMV"}, *values[3] = {"10,000", "52,113", "¥1,234,567.00"};
    report_tiles(r, labels, values, 3);
    const char *seg[4] = {"champions", "loyal", "at risk", "<lost>"};
    double sizes[4] = {120, 480, 233, 1000};
    report_bar_chart(r, "bars", "Customers per RFM segment", seg, sizes, 4, "customers");
    double x[5] = {0, 1, 2, 3, 4}, y[10] = {1, 2, 3, 4, 5, 1.5, NAN, 3.5, 4.5, 6};
    const char *series[2] = {"actual", "model"};
    report_line_chart(r, "lines", "Cumulative repeat purchases", x, 5, series, y, 2, "week", "purchases");
    const char *rows[2] = {"2024-01", "2024-02"}, *cols[3] = {"M0", "M1", "M2"};
    double heat[6] = {1, 0.4, 0.2, 1, 0.35, NAN};
    report_heatmap(r, "heat", "Cohort retention", rows, 2, cols, 3, heat, 0, 1, "%.0f%%", 100);
    const char *hdr[2] = {"segment", "customers"}, *cells[4] = {"champions", "120", "a<b", "1"};
    report_table(r, "Segment table", hdr, 2, cells, 2);
    int rc = report_write(r, argv[1]);
    report_free(r);
    return rc ? 1 : 0;
}
