/* INI-style configuration for `custops run`; see config.h. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CONFIG_MAX_BYTES (1 << 20)
#define CONFIG_MAX_ENTRIES 4096

struct config {
    char *path;
    char *text; /* a private copy, cut into NUL-terminated pieces */
    config_entry *e;
    size_t n;
};

static void msg(char *err, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (err && cap)
        vsnprintf(err, cap, fmt, ap);
    va_end(ap);
}

static char *trim_right(char *s, char *end)
{
    while (end > s && isspace((unsigned char)end[-1]))
        end--;
    *end = '\0';
    return s;
}

static int ident_char(int ch) { return isalnum(ch) || ch == '_' || ch == '-' || ch == '.'; }

config *config_parse(const char *path, const char *text, char *err, size_t errcap)
{
    size_t len = strlen(text);
    if (len > CONFIG_MAX_BYTES) {
        msg(err, errcap, "%s: the configuration is larger than %d bytes", path, CONFIG_MAX_BYTES);
        return NULL;
    }
    config *c = calloc(1, sizeof *c);
    if (!c || !(c->path = strdup(path)) || !(c->text = malloc(len + 1))) {
        msg(err, errcap, "%s: out of memory", path);
        config_free(c);
        return NULL;
    }
    memcpy(c->text, text, len + 1);
    const char *section = NULL, *name = "";
    char *p = c->text;
    for (int line = 1; *p; line++) {
        char *eol = strchr(p, '\n');
        char *next = eol ? eol + 1 : p + strlen(p);
        char *end = eol ? eol : next;
        if (end > p && end[-1] == '\r')
            end--;
        char *s = p;
        while (s < end && (*s == ' ' || *s == '\t'))
            s++;
        int col0 = (int)(s - p) + 1;
        if (s == end || *s == '#' || *s == ';') {
            p = next;
            continue;
        }
        if (*s == '[') {
            char *close = memchr(s, ']', (size_t)(end - s));
            if (!close) {
                msg(err, errcap, "%s:%d:%d: expected ']' to close the section header", path, line, (int)(end - p) + 1);
                goto fail;
            }
            for (char *q = close + 1; q < end; q++)
                if (!isspace((unsigned char)*q)) {
                    if (*q == '#' || *q == ';')
                        break;
                    msg(err, errcap, "%s:%d:%d: expected end of line after ']'", path, line, (int)(q - p) + 1);
                    goto fail;
                }
            char *a = s + 1;
            while (a < close && isspace((unsigned char)*a))
                a++;
            char *b = a;
            while (b < close && ident_char((unsigned char)*b))
                b++;
            if (b == a) {
                msg(err, errcap, "%s:%d:%d: expected a section name", path, line, (int)(a - p) + 1);
                goto fail;
            }
            char *n0 = b;
            while (n0 < close && isspace((unsigned char)*n0))
                n0++;
            char *n1 = n0;
            while (n1 < close && ident_char((unsigned char)*n1))
                n1++;
            char *rest = n1;
            while (rest < close && isspace((unsigned char)*rest))
                rest++;
            if (rest != close) {
                msg(err, errcap, "%s:%d:%d: expected ']' after the section name", path, line, (int)(rest - p) + 1);
                goto fail;
            }
            *b = '\0';
            *n1 = '\0';
            section = a;
            name = n0 < n1 ? n0 : "";
            p = next;
            continue;
        }
        char *k = s, *ke = s;
        while (ke < end && ident_char((unsigned char)*ke))
            ke++;
        if (ke == k) {
            msg(err, errcap, "%s:%d:%d: expected a key, a [section] or a comment", path, line, col0);
            goto fail;
        }
        char *eq = ke;
        while (eq < end && (*eq == ' ' || *eq == '\t'))
            eq++;
        if (eq == end || *eq != '=') {
            msg(err, errcap, "%s:%d:%d: expected '=' after the key", path, line, (int)(eq - p) + 1);
            goto fail;
        }
        if (!section) {
            msg(err, errcap, "%s:%d:%d: expected a [section] before the first key", path, line, col0);
            goto fail;
        }
        char *v = eq + 1;
        while (v < end && (*v == ' ' || *v == '\t'))
            v++;
        if (c->n == CONFIG_MAX_ENTRIES) {
            msg(err, errcap, "%s:%d:%d: more than %d settings", path, line, col0, CONFIG_MAX_ENTRIES);
            goto fail;
        }
        config_entry *grown = realloc(c->e, (c->n + 1) * sizeof *grown);
        if (!grown) {
            msg(err, errcap, "%s: out of memory", path);
            goto fail;
        }
        c->e = grown;
        *ke = '\0';
        config_entry *x = &c->e[c->n++];
        x->section = section;
        x->name = name;
        x->key = k;
        x->line = line;
        x->col = (int)(v - p) + 1;
        x->key_col = col0;
        x->used = 0;
        x->value = trim_right(v, end);
        for (size_t i = 0; i + 1 < c->n; i++)
            if (!strcmp(c->e[i].section, section) && !strcmp(c->e[i].name, name) && !strcmp(c->e[i].key, k)) {
                msg(err, errcap, "%s:%d:%d: '%s' is already set on line %d", path, line, col0, k, c->e[i].line);
                goto fail;
            }
        p = next;
    }
    return c;
fail:
    config_free(c);
    return NULL;
}

config *config_load(const char *path, char *err, size_t errcap)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        msg(err, errcap, "%s: %s", path, strerror(errno));
        return NULL;
    }
    char *buf = malloc(CONFIG_MAX_BYTES + 2);
    size_t n = buf ? fread(buf, 1, CONFIG_MAX_BYTES + 1, f) : 0;
    int bad = !buf || ferror(f);
    fclose(f);
    if (bad) {
        msg(err, errcap, "%s: cannot read", path);
        free(buf);
        return NULL;
    }
    if (n > CONFIG_MAX_BYTES || memchr(buf, '\0', n)) {
        msg(err, errcap, "%s: not a configuration file (too large or binary)", path);
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    config *c = config_parse(path, buf, err, errcap);
    free(buf);
    return c;
}

void config_free(config *c)
{
    if (!c)
        return;
    free(c->path);
    free(c->text);
    free(c->e);
    free(c);
}

size_t config_count(const config *c) { return c ? c->n : 0; }
config_entry *config_at(config *c, size_t i) { return c && i < c->n ? &c->e[i] : NULL; }

static config_entry *find(config *c, const char *section, const char *name, const char *key)
{
    for (size_t i = 0; c && i < c->n; i++)
        if (!strcmp(c->e[i].section, section) && !strcmp(c->e[i].name, name ? name : "") &&
            !strcmp(c->e[i].key, key)) {
            c->e[i].used = 1;
            return &c->e[i];
        }
    return NULL;
}

int config_str(config *c, const char *section, const char *name, const char *key, const char **out, char *err,
               size_t errcap)
{
    config_entry *x = find(c, section, name, key);
    if (!x)
        return 1;
    if (!x->value[0]) {
        msg(err, errcap, "%s:%d:%d: expected a value for '%s'", c->path, x->line, x->col, key);
        return -1;
    }
    *out = x->value;
    return 0;
}

int config_int(config *c, const char *section, const char *name, const char *key, int64_t lo, int64_t hi,
               int64_t *out, char *err, size_t errcap)
{
    config_entry *x = find(c, section, name, key);
    if (!x)
        return 1;
    char *end = NULL;
    errno = 0;
    long long v = strtoll(x->value, &end, 10);
    if (!x->value[0] || *end || errno || v < lo || v > hi) {
        msg(err, errcap, "%s:%d:%d: expected an integer from %lld to %lld for '%s', got '%s'", c->path, x->line,
            x->col, (long long)lo, (long long)hi, key, x->value);
        return -1;
    }
    *out = v;
    return 0;
}

int config_double(config *c, const char *section, const char *name, const char *key, double lo, double hi,
                  double *out, char *err, size_t errcap)
{
    config_entry *x = find(c, section, name, key);
    if (!x)
        return 1;
    char *end = NULL;
    errno = 0;
    double v = strtod(x->value, &end);
    if (!x->value[0] || *end || errno || !isfinite(v) || v < lo || v > hi) {
        msg(err, errcap, "%s:%d:%d: expected a number from %g to %g for '%s', got '%s'", c->path, x->line, x->col,
            lo, hi, key, x->value);
        return -1;
    }
    *out = v;
    return 0;
}

int config_bool(config *c, const char *section, const char *name, const char *key, int *out, char *err,
                size_t errcap)
{
    config_entry *x = find(c, section, name, key);
    if (!x)
        return 1;
    if (!strcmp(x->value, "yes") || !strcmp(x->value, "true") || !strcmp(x->value, "1"))
        *out = 1;
    else if (!strcmp(x->value, "no") || !strcmp(x->value, "false") || !strcmp(x->value, "0"))
        *out = 0;
    else {
        msg(err, errcap, "%s:%d:%d: expected yes or no for '%s', got '%s'", c->path, x->line, x->col, key, x->value);
        return -1;
    }
    return 0;
}

size_t config_names(const config *c, const char *section, const char **names, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; c && i < c->n; i++) {
        if (strcmp(c->e[i].section, section))
            continue;
        int seen = 0;
        for (size_t k = 0; k < n && k < cap; k++)
            seen |= !strcmp(names[k], c->e[i].name);
        if (!seen) {
            if (n < cap)
                names[n] = c->e[i].name;
            n++;
        }
    }
    return n < cap ? n : cap;
}

int config_check_unused(const config *c, char *err, size_t errcap)
{
    for (size_t i = 0; c && i < c->n; i++)
        if (!c->e[i].used) {
            const config_entry *x = &c->e[i];
            msg(err, errcap, "%s:%d:%d: unknown setting '%s' in [%s%s%s]", c->path, x->line, x->key_col, x->key,
                x->section, x->name[0] ? " " : "", x->name);
            return -1;
        }
    return 0;
}
