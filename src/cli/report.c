/* HTML report writer with inline SVG charts (see report.h). */
#include "report.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <sys/stat.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct sbuf {
    char *s;
    size_t len, cap;
    int failed;
} sbuf;

struct report {
    sbuf body;
    char *title, *subtitle;
    sbuf doc; /* assembled on demand */
    int nsections;
};

static void sb_add(sbuf *b, const char *s, size_t n)
{
    if (b->failed)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t c = b->cap ? b->cap : 4096;
        while (c < b->len + n + 1)
            c *= 2;
        char *p = realloc(b->s, c);
        if (!p) {
            b->failed = 1;
            return;
        }
        b->s = p;
        b->cap = c;
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

static void sb_puts(sbuf *b, const char *s) { sb_add(b, s, strlen(s)); }

static void sb_printf(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(sbuf *b, const char *fmt, ...)
{
    char tmp[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n < sizeof tmp) {
        sb_add(b, tmp, (size_t)n);
        return;
    }
    char *big = malloc((size_t)n + 1);
    if (!big) {
        b->failed = 1;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    sb_add(b, big, (size_t)n);
    free(big);
}

/* Text made safe for HTML and SVG element content and attributes. */
static void sb_esc(sbuf *b, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '&': sb_puts(b, "&amp;"); break;
        case '<': sb_puts(b, "&lt;"); break;
        case '>': sb_puts(b, "&gt;"); break;
        case '"': sb_puts(b, "&quot;"); break;
        case '\'': sb_puts(b, "&#39;"); break;
        default: sb_add(b, s, 1);
        }
    }
}

report *report_new(const char *title, const char *subtitle)
{
    report *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->title = strdup(title ? title : "custops report");
    r->subtitle = strdup(subtitle ? subtitle : "");
    if (!r->title || !r->subtitle) {
        report_free(r);
        return NULL;
    }
    return r;
}

void report_free(report *r)
{
    if (!r)
        return;
    free(r->body.s);
    free(r->doc.s);
    free(r->title);
    free(r->subtitle);
    free(r);
}

void report_section(report *r, const char *title, const char *text)
{
    if (r->nsections++)
        sb_puts(&r->body, "</section>\n");
    sb_puts(&r->body, "<section>\n<h2>");
    sb_esc(&r->body, title);
    sb_puts(&r->body, "</h2>\n");
    if (text && *text)
        report_paragraph(r, text);
}

void report_paragraph(report *r, const char *text)
{
    sb_puts(&r->body, "<p>");
    sb_esc(&r->body, text);
    sb_puts(&r->body, "</p>\n");
}

void report_tiles(report *r, const char *const *labels, const char *const *values, size_t n)
{
    sb_puts(&r->body, "<div class=\"tiles\">\n");
    for (size_t i = 0; i < n; i++) {
        sb_puts(&r->body, "<div class=\"tile\"><div class=\"tile-value\">");
        sb_esc(&r->body, values[i]);
        sb_puts(&r->body, "</div><div class=\"tile-label\">");
        sb_esc(&r->body, labels[i]);
        sb_puts(&r->body, "</div></div>\n");
    }
    sb_puts(&r->body, "</div>\n");
}

void report_table(report *r, const char *caption, const char *const *headers, size_t ncols,
                  const char *const *cells, size_t nrows)
{
    sb_puts(&r->body, "<table>\n");
    if (caption && *caption) {
        sb_puts(&r->body, "<caption>");
        sb_esc(&r->body, caption);
        sb_puts(&r->body, "</caption>\n");
    }
    sb_puts(&r->body, "<thead><tr>");
    for (size_t c = 0; c < ncols; c++) {
        sb_puts(&r->body, "<th>");
        sb_esc(&r->body, headers[c]);
        sb_puts(&r->body, "</th>");
    }
    sb_puts(&r->body, "</tr></thead>\n<tbody>\n");
    for (size_t i = 0; i < nrows; i++) {
        sb_puts(&r->body, "<tr>");
        for (size_t c = 0; c < ncols; c++) {
            sb_puts(&r->body, "<td>");
            sb_esc(&r->body, cells[i * ncols + c]);
            sb_puts(&r->body, "</td>");
        }
        sb_puts(&r->body, "</tr>\n");
    }
    sb_puts(&r->body, "</tbody></table>\n");
}

/* ---- charts ---- */

#define W 640.0
#define ML 64.0
#define MR 16.0
#define MT 16.0

/* Plot height and bottom margin vary per chart (long rotated labels need
 * room); every chart function sets them before drawing. */
typedef struct geom {
    double h, mb;
} geom;

static const char *const PALETTE[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"};

/* A "nice" tick step (1, 2 or 5 times a power of ten) for about `want` ticks. */
static double nice_step(double span, int want)
{
    if (!(span > 0) || !isfinite(span))
        return 1;
    double raw = span / want, mag = pow(10, floor(log10(raw))), f = raw / mag;
    return (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * mag;
}

static void fmt_num(char *buf, size_t cap, double v)
{
    double a = fabs(v);
    if (a >= 1e9)
        snprintf(buf, cap, "%.3gG", v / 1e9);
    else if (a >= 1e6)
        snprintf(buf, cap, "%.3gM", v / 1e6);
    else if (a >= 1e4)
        snprintf(buf, cap, "%.3gk", v / 1e3);
    else
        snprintf(buf, cap, "%.4g", v);
}

static void figure_open(report *r, const char *id, const char *title, geom g)
{
    sb_puts(&r->body, "<figure class=\"chart\" data-chart=\"");
    sb_esc(&r->body, id);
    sb_printf(&r->body, "\">\n<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-label=\"", W, g.h);
    sb_esc(&r->body, title);
    sb_puts(&r->body, "\">\n");
}

static void figure_close(report *r, const char *title)
{
    sb_puts(&r->body, "</svg>\n<figcaption>");
    sb_esc(&r->body, title);
    sb_puts(&r->body, "</figcaption>\n</figure>\n");
}

/* y axis with gridlines over [lo, hi]; returns the rounded range. */
static void y_axis(report *r, geom g, double *lo, double *hi, const char *label)
{
    const double H = g.h, MB = g.mb;
    if (!(*hi > *lo)) {
        *hi = *lo + 1;
    }
    double step = nice_step(*hi - *lo, 5);
    *lo = floor(*lo / step) * step;
    *hi = ceil(*hi / step) * step;
    for (double v = *lo; v <= *hi + step / 2; v += step) {
        double y = MT + (H - MT - MB) * (1 - (v - *lo) / (*hi - *lo));
        char t[32];
        fmt_num(t, sizeof t, fabs(v) < step / 1e6 ? 0 : v);
        sb_printf(&r->body, "<line class=\"grid\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\"/>"
                            "<text class=\"tick\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n",
                  ML, W - MR, y, y, ML - 6, y + 4, t);
    }
    if (label && *label) {
        sb_printf(&r->body, "<text class=\"axis-label\" transform=\"translate(14 %.1f) rotate(-90)\" text-anchor=\"middle\">", (H - MB + MT) / 2);
        sb_esc(&r->body, label);
        sb_puts(&r->body, "</text>\n");
    }
}

void report_bar_chart(report *r, const char *id, const char *title, const char *const *labels,
                      const double *values, size_t n, const char *unit)
{
    int rotate = n > 8;
    size_t longest = 0;
    for (size_t i = 0; i < n; i++)
        if (strlen(labels[i]) > longest)
            longest = strlen(labels[i]);
    /* about 6.5 px per character of 11px text, at 35 degrees */
    double mb = rotate ? 28 + 6.5 * 0.574 * (double)(longest > 24 ? 24 : longest) : 40;
    geom g = {256 + mb, mb};
    const double H = g.h, MB = g.mb;
    figure_open(r, id, title, g);
    double lo = 0, hi = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(values[i])) {
            if (values[i] > hi) hi = values[i];
            if (values[i] < lo) lo = values[i];
        }
    y_axis(r, g, &lo, &hi, unit);
    double band = n ? (W - ML - MR) / (double)n : 0, y0 = MT + (H - MT - MB) * (1 - (0 - lo) / (hi - lo));
    for (size_t i = 0; i < n; i++) {
        double v = isfinite(values[i]) ? values[i] : 0;
        double y = MT + (H - MT - MB) * (1 - (v - lo) / (hi - lo));
        double x = ML + band * (double)i + band * 0.1;
        char t[32];
        fmt_num(t, sizeof t, v);
        sb_printf(&r->body, "<rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"><title>",
                  x, v >= 0 ? y : y0, band * 0.8, fabs(y0 - y), PALETTE[0]);
        sb_esc(&r->body, labels[i]);
        sb_printf(&r->body, ": %s</title></rect>\n", t);
        double lx = x + band * 0.4, ly = H - MB + 14;
        if (rotate)
            sb_printf(&r->body, "<text class=\"tick\" transform=\"translate(%.1f %.1f) rotate(-35)\" text-anchor=\"end\">", lx, ly);
        else
            sb_printf(&r->body, "<text class=\"tick\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">", lx, ly);
        sb_esc(&r->body, labels[i]);
        sb_puts(&r->body, "</text>\n");
    }
    sb_printf(&r->body, "<line class=\"axis\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\"/>\n", ML, W - MR, y0, y0);
    figure_close(r, title);
}

void report_line_chart(report *r, const char *id, const char *title, const double *x, size_t n,
                       const char *const *names, const double *y, size_t ns, const char *xlabel, const char *ylabel)
{
    geom g = {320, 64};
    const double H = g.h, MB = g.mb;
    figure_open(r, id, title, g);
    double xlo = INFINITY, xhi = -INFINITY, lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        if (x[i] < xlo) xlo = x[i];
        if (x[i] > xhi) xhi = x[i];
    }
    for (size_t i = 0; i < n * ns; i++)
        if (isfinite(y[i])) {
            if (y[i] < lo) lo = y[i];
            if (y[i] > hi) hi = y[i];
        }
    if (!isfinite(lo)) {
        lo = 0;
        hi = 1;
    }
    if (lo > 0)
        lo = 0;
    if (!(xhi > xlo)) {
        xlo = n ? x[0] - 1 : 0;
        xhi = xlo + 2;
    }
    y_axis(r, g, &lo, &hi, ylabel);
    double xs = nice_step(xhi - xlo, 6);
    for (double v = ceil(xlo / xs) * xs; v <= xhi + xs / 1e6; v += xs) {
        double px = ML + (W - ML - MR) * (v - xlo) / (xhi - xlo);
        char t[32];
        fmt_num(t, sizeof t, v);
        sb_printf(&r->body, "<text class=\"tick\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>\n", px, H - MB + 16, t);
    }
    if (xlabel && *xlabel) {
        sb_printf(&r->body, "<text class=\"axis-label\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">", (W + ML - MR) / 2, H - MB + 36);
        sb_esc(&r->body, xlabel);
        sb_puts(&r->body, "</text>\n");
    }
    for (size_t s = 0; s < ns; s++) {
        const char *col = PALETTE[s % (sizeof PALETTE / sizeof PALETTE[0])];
        sb_printf(&r->body, "<polyline class=\"series\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"", col);
        for (size_t i = 0; i < n; i++) {
            double v = y[s * n + i];
            if (!isfinite(v))
                continue;
            sb_printf(&r->body, "%.1f,%.1f ", ML + (W - ML - MR) * (x[i] - xlo) / (xhi - xlo),
                      MT + (H - MT - MB) * (1 - (v - lo) / (hi - lo)));
        }
        sb_puts(&r->body, "\"><title>");
        sb_esc(&r->body, names[s]);
        sb_puts(&r->body, "</title></polyline>\n");
        /* legend */
        double lx = ML + 8 + 150.0 * (double)s, ly = H - 12;
        sb_printf(&r->body, "<rect x=\"%.1f\" y=\"%.1f\" width=\"12\" height=\"4\" fill=\"%s\"/>"
                            "<text class=\"legend\" x=\"%.1f\" y=\"%.1f\">", lx, ly - 4, col, lx + 16, ly);
        sb_esc(&r->body, names[s]);
        sb_puts(&r->body, "</text>\n");
    }
    figure_close(r, title);
}

/* Light to dark blue, t in [0,1]. */
static void heat_color(double t, char *buf, size_t cap)
{
    static const double a[3] = {247, 251, 255}, b[3] = {8, 48, 107};
    if (!(t >= 0))
        t = 0;
    if (t > 1)
        t = 1;
    snprintf(buf, cap, "#%02x%02x%02x", (int)(a[0] + (b[0] - a[0]) * t), (int)(a[1] + (b[1] - a[1]) * t),
             (int)(a[2] + (b[2] - a[2]) * t));
}

void report_heatmap(report *r, const char *id, const char *title, const char *const *rows, size_t nrows,
                    const char *const *cols, size_t ncols, const double *values, double vmin, double vmax,
                    const char *fmt, double scale)
{
    geom g = {nrows > 8 ? 28 + 24.0 * (double)nrows : 320, 0};
    const double H = g.h;
    figure_open(r, id, title, g);
    double left = 96, top = 28, cw = ncols ? (W - left - MR) / (double)ncols : 0,
           ch = nrows ? (H - top - 8) / (double)nrows : 0;
    for (size_t c = 0; c < ncols; c++) {
        sb_printf(&r->body, "<text class=\"tick\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">", left + cw * ((double)c + 0.5), top - 8);
        sb_esc(&r->body, cols[c]);
        sb_puts(&r->body, "</text>\n");
    }
    for (size_t i = 0; i < nrows; i++) {
        sb_printf(&r->body, "<text class=\"tick\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">", left - 6, top + ch * ((double)i + 0.5) + 4);
        sb_esc(&r->body, rows[i]);
        sb_puts(&r->body, "</text>\n");
        for (size_t c = 0; c < ncols; c++) {
            double v = values[i * ncols + c];
            if (!isfinite(v))
                continue;
            double t = vmax > vmin ? (v - vmin) / (vmax - vmin) : 0.5;
            char color[8], text[48];
            heat_color(t, color, sizeof color);
            snprintf(text, sizeof text, fmt && *fmt ? fmt : "%.2f", v * scale);
            sb_printf(&r->body, "<rect class=\"cell\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"><title>",
                      left + cw * (double)c, top + ch * (double)i, cw - 1, ch - 1, color);
            sb_esc(&r->body, rows[i]);
            sb_puts(&r->body, " / ");
            sb_esc(&r->body, cols[c]);
            sb_puts(&r->body, ": ");
            sb_esc(&r->body, text);
            sb_puts(&r->body, "</title></rect>\n");
            if (cw >= 34 && ch >= 14) {
                sb_printf(&r->body, "<text class=\"cell-text\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" fill=\"%s\">",
                          left + cw * ((double)c + 0.5), top + ch * ((double)i + 0.5) + 4, t > 0.55 ? "#fff" : "#222");
                sb_esc(&r->body, text);
                sb_puts(&r->body, "</text>\n");
            }
        }
    }
    figure_close(r, title);
}

static const char CSS[] =
    "body{font-family:system-ui,-apple-system,'Segoe UI','Noto Sans CJK SC','PingFang SC',sans-serif;"
    "margin:0 auto;max-width:1080px;padding:24px;color:#222;background:#fff}"
    "h1{margin:0 0 4px}h2{border-bottom:1px solid #ddd;padding-bottom:4px;margin-top:32px}"
    ".subtitle{color:#666;margin:0 0 16px}"
    ".tiles{display:flex;flex-wrap:wrap;gap:12px}.tile{border:1px solid #ddd;border-radius:6px;padding:10px 14px;min-width:140px}"
    ".tile-value{font-size:1.4em;font-weight:600}.tile-label{color:#666;font-size:.9em}"
    "figure.chart{margin:16px 0}figure.chart svg{width:100%;max-width:760px;height:auto;display:block}"
    "figcaption{color:#555;font-size:.9em}"
    ".grid{stroke:#eee}.axis{stroke:#999}.tick,.legend{font-size:11px;fill:#555}.axis-label{font-size:12px;fill:#333}"
    ".cell-text{font-size:10px}"
    "table{border-collapse:collapse;margin:12px 0;font-size:.92em}caption{text-align:left;color:#555;padding:4px 0}"
    "th,td{border-bottom:1px solid #eee;padding:4px 10px;text-align:right}th:first-child,td:first-child{text-align:left}";

const char *report_html(report *r)
{
    sbuf *d = &r->doc;
    d->len = 0;
    d->failed = 0;
    sb_puts(d, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
               "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>");
    sb_esc(d, r->title);
    sb_puts(d, "</title>\n<style>");
    sb_puts(d, CSS);
    sb_puts(d, "</style>\n</head>\n<body>\n<h1>");
    sb_esc(d, r->title);
    sb_puts(d, "</h1>\n<p class=\"subtitle\">");
    sb_esc(d, r->subtitle);
    sb_puts(d, "</p>\n");
    if (r->body.s)
        sb_puts(d, r->body.s);
    if (r->nsections)
        sb_puts(d, "</section>\n");
    sb_puts(d, "</body>\n</html>\n");
    return d->failed || r->body.failed ? NULL : d->s;
}

int report_write(const report *rc, const char *path)
{
    report *r = (report *)rc;
    const char *html = report_html(r);
    if (!html) {
        errno = ENOMEM;
        return -1;
    }
    size_t plen = strlen(path);
    char *tmp = malloc(plen + 16);
    if (!tmp)
        return -1;
    snprintf(tmp, plen + 16, "%s.tmp.XXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        free(tmp);
        return -1;
    }
    size_t len = strlen(html), off = 0;
    while (off < len) {
        ssize_t w = write(fd, html + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            break;
        off += (size_t)w;
    }
    int ok = off == len && fchmod(fd, 0644) == 0 && fsync(fd) == 0;
    ok = close(fd) == 0 && ok;
    if (ok && rename(tmp, path) == 0) {
        free(tmp);
        return 0;
    }
    int e = errno;
    unlink(tmp);
    free(tmp);
    errno = e ? e : EIO;
    return -1;
}
