/* The `custops run` configuration file: INI-style sections of key = value.
 *
 *     # comment
 *     [input]
 *     synth_customers = 5000
 *     [audience win_back]              <- a section may carry a name
 *     define = lifecycle = "sleeping"  <- the value is the rest of the line
 *
 * Values are kept as text with their line and column, so a bad value is
 * reported where it stands: "run.ini:12:11: expected a number". Keys
 * nobody asked for are reported too (a typo must not be silently ignored). */
#ifndef CUSTOPS_CLI_CONFIG_H
#define CUSTOPS_CLI_CONFIG_H

#include <stddef.h>
#include <stdint.h>

typedef struct config config;

typedef struct config_entry {
    const char *section; /* "input", "audience" */
    const char *name;    /* the section's name ("win_back"), "" when none */
    const char *key;
    const char *value;
    int line, col;       /* of the value */
    int key_col;
    int used;            /* set by the getters */
} config_entry;

/* Parse text; NULL with a message "path:line:col: ..." in err on a syntax error. */
config *config_parse(const char *path, const char *text, char *err, size_t errcap);
/* Read and parse a file; NULL with a message in err. */
config *config_load(const char *path, char *err, size_t errcap);
void config_free(config *c);

size_t config_count(const config *c);
config_entry *config_at(config *c, size_t i);

/* Getters: 0 when found and valid, 1 when absent (the default stays), -1 on
 * a bad value (message in err). name may be NULL for unnamed sections. */
int config_str(config *c, const char *section, const char *name, const char *key, const char **out, char *err,
               size_t errcap);
int config_int(config *c, const char *section, const char *name, const char *key, int64_t lo, int64_t hi,
               int64_t *out, char *err, size_t errcap);
int config_double(config *c, const char *section, const char *name, const char *key, double lo, double hi,
                  double *out, char *err, size_t errcap);
int config_bool(config *c, const char *section, const char *name, const char *key, int *out, char *err,
                size_t errcap);

/* Names of the sections called `section` ("audience"), in file order;
 * returns how many (at most cap) were stored in names. */
size_t config_names(const config *c, const char *section, const char **names, size_t cap);

/* -1 and a message naming the first entry no getter read; 0 when all were used. */
int config_check_unused(const config *c, char *err, size_t errcap);

#endif
