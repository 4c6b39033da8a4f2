/* The one text scanner under every parser (CSV, JSON Lines, the audience
 * language, the rule language). Keeping position tracking in one place is
 * what makes every error read "<what>:<line>:<col>: <message>". */
#include "internal.h"

#include <stdio.h>

void custops__scan_init(custops__scan *s, const char *text, size_t len, const char *what)
{
    s->p = s->start = s->line_start = text;
    s->end = text + len;
    s->line = 1;
    s->what = what ? what : "<input>";
}

int custops__scan_col(const custops__scan *s) { return (int)(s->p - s->line_start) + 1; }

void custops__scan_advance(custops__scan *s)
{
    if (s->p >= s->end)
        return;
    if (*s->p == '\n') {
        s->line++;
        s->line_start = s->p + 1;
    }
    s->p++;
}

void custops__scan_skip_ws(custops__scan *s)
{
    while (s->p < s->end) {
        char c = *s->p;
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            custops__scan_advance(s);
        } else if (c == '#') {
            while (s->p < s->end && *s->p != '\n')
                s->p++;
        } else {
            break;
        }
    }
}

static int verr_at(const custops__scan *s, const char *pos, int status, const char *fmt, va_list ap)
{
    /* recompute line/column of pos from the start: errors are rare, scans are hot */
    int line = 1;
    const char *ls = s->start;
    if (pos < s->start)
        pos = s->start;
    if (pos > s->end)
        pos = s->end;
    for (const char *q = s->start; q < pos; q++)
        if (*q == '\n') {
            line++;
            ls = q + 1;
        }
    char msg[768];
    vsnprintf(msg, sizeof msg, fmt, ap);
    return custops__err(status, "%s:%d:%d: %s", s->what, line, (int)(pos - ls) + 1, msg);
}

int custops__scan_err(const custops__scan *s, int status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = verr_at(s, s->p, status, fmt, ap);
    va_end(ap);
    return rc;
}

int custops__scan_err_at(const custops__scan *s, const char *pos, int status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = verr_at(s, pos, status, fmt, ap);
    va_end(ap);
    return rc;
}
