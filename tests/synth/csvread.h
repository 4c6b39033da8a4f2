/* A small RFC 4180 reader for the synth tests, written independently of
 * the library so that the files are checked by something other than the
 * code that wrote them. Whole file in memory; fields split in place. */
#ifndef SYNTH_TEST_CSVREAD_H
#define SYNTH_TEST_CSVREAD_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct csv_table {
    char *text;      /* the file, fields NUL-terminated in place */
    char ***rows;    /* rows[i][j] */
    int *nfields;    /* fields per row */
    size_t nrows;    /* including the header row */
    char error[128]; /* "" or what was wrong (line number) */
} csv_table;

static inline void csv_free(csv_table *t)
{
    for (size_t i = 0; i < t->nrows; i++)
        free(t->rows[i]);
    free(t->rows);
    free(t->nfields);
    free(t->text);
    memset(t, 0, sizeof *t);
}

/* Returns 0, or -1 with t->error set (unreadable file, bad quoting). */
static inline int csv_read(csv_table *t, const char *path)
{
    memset(t, 0, sizeof *t);
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(t->error, sizeof t->error, "%s: cannot open", path);
        return -1;
    }
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    t->text = malloc((size_t)len + 1);
    if (fread(t->text, 1, (size_t)len, f) != (size_t)len) {
        fclose(f);
        snprintf(t->error, sizeof t->error, "%s: short read", path);
        return -1;
    }
    fclose(f);
    t->text[len] = '\0';
    size_t cap = 0;
    char *p = t->text, *end = t->text + len, *w;
    size_t line = 1;
    while (p < end) {
        if (t->nrows == cap) {
            cap = cap ? cap * 2 : 1024;
            t->rows = realloc(t->rows, cap * sizeof *t->rows);
            t->nfields = realloc(t->nfields, cap * sizeof *t->nfields);
        }
        int nf = 0, fcap = 16;
        char **fields = malloc((size_t)fcap * sizeof *fields);
        for (;;) { /* one field */
            if (nf == fcap)
                fields = realloc(fields, (size_t)(fcap *= 2) * sizeof *fields);
            fields[nf++] = w = p;
            if (p < end && *p == '"') {
                p++;
                for (;;) {
                    if (p >= end) {
                        snprintf(t->error, sizeof t->error, "%s:%zu: unterminated quote", path, line);
                        free(fields);
                        return -1;
                    }
                    if (*p == '"' && p + 1 < end && p[1] == '"') {
                        *w++ = '"';
                        p += 2;
                    } else if (*p == '"') {
                        p++;
                        break;
                    } else {
                        if (*p == '\n')
                            line++;
                        *w++ = *p++;
                    }
                }
                if (p < end && *p != ',' && *p != '\n' && *p != '\r') {
                    snprintf(t->error, sizeof t->error, "%s:%zu: text after a closing quote", path, line);
                    free(fields);
                    return -1;
                }
            } else {
                while (p < end && *p != ',' && *p != '\n' && *p != '\r') {
                    if (*p == '"') {
                        snprintf(t->error, sizeof t->error, "%s:%zu: quote inside an unquoted field", path, line);
                        free(fields);
                        return -1;
                    }
                    *w++ = *p++;
                }
            }
            char sep = p < end ? *p : '\n';
            *w = '\0'; /* w <= p: safe to terminate in place */
            if (sep == ',') {
                p++;
                continue;
            }
            if (p < end && sep == '\r')
                p++;
            if (p < end && (sep == '\n' || *p == '\n'))
                p++;
            break;
        }
        t->rows[t->nrows] = fields;
        t->nfields[t->nrows] = nf;
        t->nrows++;
        line++;
    }
    return 0;
}

#endif
