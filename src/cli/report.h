/* A self-contained HTML report with inline SVG charts: no scripts, no
 * fonts, no network, so it opens anywhere (mail attachment, air-gapped
 * office) and renders the same in every browser. Used by `custops run`.
 *
 * Every chart is a <figure class="chart" data-chart="ID"> so tests and
 * readers can find it; values appear in <title> tooltips and in a
 * visually-hidden table for screen readers. */
#ifndef CUSTOPS_CLI_REPORT_H
#define CUSTOPS_CLI_REPORT_H

#include <stddef.h>

typedef struct report report;

/* NULL on out of memory. */
report *report_new(const char *title, const char *subtitle);
void report_free(report *r);

/* A section heading with an optional paragraph of plain text. */
void report_section(report *r, const char *title, const char *text);
/* A paragraph of plain text (escaped). */
void report_paragraph(report *r, const char *text);
/* Key figures shown as tiles: labels[i] above values[i] (preformatted text). */
void report_tiles(report *r, const char *const *labels, const char *const *values, size_t n);
/* A table of preformatted cells, row-major nrows x ncols. */
void report_table(report *r, const char *caption, const char *const *headers, size_t ncols,
                  const char *const *cells, size_t nrows);

/* Vertical bars, one per label. */
void report_bar_chart(report *r, const char *id, const char *title, const char *const *labels,
                      const double *values, size_t n, const char *unit);
/* Lines over a shared x axis: series s has values y[s*n + i] at x[i]; NaN skips a point. */
void report_line_chart(report *r, const char *id, const char *title, const double *x, size_t n,
                       const char *const *series_names, const double *y, size_t nseries,
                       const char *xlabel, const char *ylabel);
/* A heat map: values[row*ncols + col] in [vmin, vmax]; NaN is an empty cell.
 * fmt formats the cell text ("%.0f%%" style, applied to value*scale). */
void report_heatmap(report *r, const char *id, const char *title, const char *const *row_labels, size_t nrows,
                    const char *const *col_labels, size_t ncols, const double *values, double vmin, double vmax,
                    const char *fmt, double scale);

/* Write the document atomically (temp file + rename). 0 or -1 with errno. */
int report_write(const report *r, const char *path);
/* The document so far (for tests); valid until the next call on r. */
const char *report_html(report *r);

#endif
