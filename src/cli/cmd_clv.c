/* custops clv: fit CLV models on a CSV of customers and predict with them.
 *   custops clv fit --model NAME [--penalty X] [--out MODEL] [--json FILE] INPUT.csv
 *   custops clv predict --model-file MODEL [--spend-model MODEL] [--t T]
 *          [--months N --discount R --periods-per-month P --margin M] [--out OUT.csv] INPUT.csv
 * INPUT.csv has a header naming frequency, recency, T and optionally
 * monetary, weights and id columns (aliases: x, t_x, n/periods, zbar,
 * count, customer_id); other columns are ignored. */
#include "cli.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static void help(void)
{
    printf("Usage: custops clv fit --model MODEL [options] INPUT.csv\n"
           "       custops clv predict --model-file FILE [options] INPUT.csv\n\n"
           "INPUT.csv: a header line naming the columns frequency, recency, T and\n"
           "optionally monetary, weights and id (aliases: x, t_x, n or periods, zbar or\n"
           "monetary_value, count, customer_id or ID); other columns are ignored.\n\n"
           "fit: MODEL is bgnbd, mbgnbd, pareto_nbd, bgbb or gamma_gamma (which uses\n"
           "frequency and monetary). Prints the fit as JSON.\n"
           "  --penalty X        L2 penalty (lifetimes' penalizer_coef)\n"
           "  --out FILE         save the fitted model (a CLVM save file)\n"
           "  --json FILE        write the JSON to FILE instead of standard output\n\n"
           "predict: writes CSV with id (when given), p_alive and expected_purchases\n"
           "over --t, plus clv when --spend-model (a gamma_gamma model) is given and\n"
           "the input has monetary values.\n"
           "  --t T              horizon for expected purchases (default 1 time unit)\n"
           "  --months N         CLV horizon in months (default 12)\n"
           "  --discount R       monthly discount rate (default 0.01)\n"
           "  --periods-per-month P  time units per month (default 30, days)\n"
           "  --margin M         profit margin (default 1)\n"
           "  --out FILE         write the CSV to FILE (atomically) instead of standard output\n\n"
           "Exit status: 0 success, 1 data or model error, 2 usage error.\n");
}

typedef struct table {
    size_t n, cap;
    double *col[5]; /* frequency, recency, T, monetary, weights */
    int have[5];
    char **id;
} table;

static const char *const COLS[5][5] = {{"frequency", "x", NULL},
                                       {"recency", "t_x", NULL},
                                       {"T", "n", "periods", NULL},
                                       {"monetary", "zbar", "monetary_value", NULL},
                                       {"weights", "count", NULL}};

static void table_free(table *t)
{
    for (int k = 0; k < 5; k++)
        free(t->col[k]);
    if (t->id)
        for (size_t i = 0; i < t->n; i++)
            free(t->id[i]);
    free(t->id);
}

/* Reads the CSV: plain comma-separated numbers (ids may be any text
 * without commas). Errors name file:line:col. */
static int read_table(const char *path, table *t)
{
    memset(t, 0, sizeof *t);
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "custops clv: %s: %s\n", path, strerror(errno));
        return 1;
    }
    char *line = NULL;
    size_t lcap = 0;
    ssize_t len;
    int map[64], ncols = 0, idcol = -1;
    long lineno = 0;
    cli_progress prog;
    cli_progress_start(&prog, "reading");
    int rc = 0;
    while ((len = getline(&line, &lcap, f)) > 0) {
        lineno++;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if (lineno == 1) {
            char *save = NULL;
            for (char *tok = strtok_r(line, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
                if (ncols == 64) {
                    fprintf(stderr, "custops clv: %s:1: more than 64 columns\n", path);
                    rc = 1;
                    goto done;
                }
                map[ncols] = -1;
                for (int k = 0; k < 5; k++)
                    for (int a = 0; COLS[k][a]; a++)
                        if (strcmp(tok, COLS[k][a]) == 0 && !t->have[k]) {
                            map[ncols] = k;
                            t->have[k] = 1;
                        }
                if (map[ncols] < 0 && idcol < 0 &&
                    (strcmp(tok, "id") == 0 || strcmp(tok, "ID") == 0 || strcmp(tok, "customer_id") == 0))
                    idcol = ncols;
                ncols++;
            }
            continue;
        }
        if (len == 0)
            continue;
        if (t->n == t->cap) {
            size_t nc = t->cap ? 2 * t->cap : 4096;
            for (int k = 0; k < 5; k++) {
                double *p = realloc(t->col[k], nc * sizeof(double));
                if (!p) {
                    fprintf(stderr, "custops clv: out of memory\n");
                    rc = 1;
                    goto done;
                }
                t->col[k] = p;
            }
            if (idcol >= 0) {
                char **p = realloc(t->id, nc * sizeof(char *));
                if (!p) {
                    fprintf(stderr, "custops clv: out of memory\n");
                    rc = 1;
                    goto done;
                }
                t->id = p;
            }
            t->cap = nc;
        }
        for (int k = 0; k < 5; k++)
            t->col[k][t->n] = k == 4 ? 1.0 : 0.0;
        if (idcol >= 0)
            t->id[t->n] = NULL;
        char *p = line;
        for (int c = 0; c < ncols; c++) {
            char *end = strchr(p, ',');
            if (!end && c + 1 < ncols) {
                fprintf(stderr, "custops clv: %s:%ld:%ld: expected %d columns, found %d\n", path, lineno,
                        (long)(p - line) + 1, ncols, c + 1);
                rc = 1;
                goto done;
            }
            if (end)
                *end = '\0';
            if (c == idcol) {
                t->id[t->n] = strdup(p);
                if (!t->id[t->n]) {
                    rc = 1;
                    goto done;
                }
            } else if (map[c] >= 0) {
                char *e;
                errno = 0;
                double v = strtod(p, &e);
                if (e == p || *e != '\0' || errno == ERANGE || !isfinite(v)) {
                    fprintf(stderr, "custops clv: %s:%ld:%ld: '%s' is not a number (column %s)\n", path, lineno,
                            (long)(p - line) + 1, p, COLS[map[c]][0]);
                    rc = 1;
                    goto done;
                }
                t->col[map[c]][t->n] = v;
            }
            p = end ? end + 1 : p + strlen(p);
        }
        t->n++;
        if ((t->n & 0xffff) == 0)
            cli_progress_update(&prog, (double)t->n, 0, "rows");
    }
    if (lineno == 0) {
        fprintf(stderr, "custops clv: %s: empty file (a header line is required)\n", path);
        rc = 1;
    }
done:
    cli_progress_end(&prog);
    free(line);
    fclose(f);
    if (rc)
        table_free(t);
    return rc;
}

static const char *next_arg(int argc, char **argv, int *i)
{
    if (*i + 1 >= argc)
        return NULL;
    return argv[++*i];
}

static int parse_double(const char *s, double *out)
{
    char *e;
    if (!s)
        return -1;
    errno = 0;
    *out = strtod(s, &e);
    return (e == s || *e || errno || !isfinite(*out)) ? -1 : 0;
}

static void fit_progress(void *ctx, unsigned int iteration, double loglik)
{
    cli_progress *p = ctx;
    (void)loglik;
    cli_progress_update(p, iteration, 0, "iterations");
}

static void json_fit(FILE *f, const custops_clv_model *m)
{
    double customers, rows;
    custops_clv_data_size(m, &customers, &rows);
    fprintf(f, "{\"model\": \"%s\", \"params\": {", custops_clv_name(m));
    for (size_t i = 0; i < custops_clv_nparams(m); i++)
        fprintf(f, "%s\"%s\": %.10g", i ? ", " : "", custops_clv_param_name(m, i), custops_clv_param(m, i));
    fprintf(f, "}, \"stderr\": {");
    for (size_t i = 0; i < custops_clv_nparams(m); i++)
        fprintf(f, "%s\"%s\": %.6g", i ? ", " : "", custops_clv_param_name(m, i), custops_clv_stderr(m, i));
    fprintf(f, "}, \"loglik\": %.6f, \"iterations\": %u, \"grad_norm\": %.3g, \"status\": \"%s\", "
               "\"customers\": %.0f, \"rows\": %.0f}\n",
            custops_clv_loglik(m), custops_clv_iterations(m), custops_clv_grad_norm(m), custops_clv_status(m),
            customers, rows);
}

static int cmd_fit(int argc, char **argv)
{
    const char *model = NULL, *out = NULL, *json = NULL, *input = NULL;
    custops_clv_fit_options o = CUSTOPS_CLV_FIT_OPTIONS_INIT;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--model") == 0) {
            if (!(model = next_arg(argc, argv, &i)))
                return cli_usage_error("clv fit", "--model needs a value");
        } else if (strcmp(argv[i], "--out") == 0) {
            if (!(out = next_arg(argc, argv, &i)))
                return cli_usage_error("clv fit", "--out needs a file");
        } else if (strcmp(argv[i], "--json") == 0) {
            if (!(json = next_arg(argc, argv, &i)))
                return cli_usage_error("clv fit", "--json needs a file");
        } else if (strcmp(argv[i], "--penalty") == 0) {
            if (parse_double(next_arg(argc, argv, &i), &o.penalty) || o.penalty < 0)
                return cli_usage_error("clv fit", "--penalty needs a number >= 0");
        } else if (argv[i][0] == '-' && argv[i][1]) {
            return cli_usage_error("clv fit", "unknown option '%s'", argv[i]);
        } else if (input) {
            return cli_usage_error("clv fit", "one input file only");
        } else {
            input = argv[i];
        }
    }
    if (!model || !input)
        return cli_usage_error("clv fit", "--model and an input file are required");
    static const char *const names[] = {"", "bgnbd", "mbgnbd", "pareto_nbd", "bgbb", "gamma_gamma"};
    int kind = 0;
    for (int k = 1; k <= 5; k++)
        if (strcmp(model, names[k]) == 0)
            kind = k;
    if (!kind)
        return cli_usage_error("clv fit", "unknown model '%s' (bgnbd, mbgnbd, pareto_nbd, bgbb, gamma_gamma)", model);
    table t;
    if (read_table(input, &t))
        return 1;
    int need_T = kind != CUSTOPS_CLV_GAMMA_GAMMA;
    if (!t.have[0] || (need_T && (!t.have[1] || !t.have[2])) || (!need_T && !t.have[3])) {
        fprintf(stderr, "custops clv fit: %s: the header lacks %s\n", input,
                need_T ? "frequency, recency or T" : "frequency or monetary");
        table_free(&t);
        return 1;
    }
    cli_progress prog;
    cli_progress_start(&prog, "fitting");
    o.progress = fit_progress;
    o.progress_ctx = &prog;
    custops_clv_model *m = NULL;
    const double *w = t.have[4] ? t.col[4] : NULL;
    int rc = need_T ? custops_clv_fit(&m, kind, t.col[0], t.col[1], t.col[2], w, t.n, &o)
                    : custops_clv_fit_spend(&m, t.col[0], t.col[3], w, t.n, &o);
    cli_progress_end(&prog);
    table_free(&t);
    if (rc)
        return cli_fail("clv fit", rc, input);
    if (out && (rc = custops_clv_save(m, out)) != CUSTOPS_OK) {
        custops_clv_free(m);
        return cli_fail("clv fit", rc, out);
    }
    FILE *jf = json ? fopen(json, "w") : stdout;
    if (!jf) {
        fprintf(stderr, "custops clv fit: %s: %s\n", json, strerror(errno));
        custops_clv_free(m);
        return 1;
    }
    json_fit(jf, m);
    if (json && fclose(jf) != 0) {
        fprintf(stderr, "custops clv fit: %s: write failed\n", json);
        custops_clv_free(m);
        return 1;
    }
    custops_clv_free(m);
    return 0;
}

static int cmd_predict(int argc, char **argv)
{
    const char *mfile = NULL, *sfile = NULL, *out = NULL, *input = NULL;
    double t_h = 1.0;
    custops_clv_value_options vo = CUSTOPS_CLV_VALUE_OPTIONS_INIT;
    for (int i = 1; i < argc; i++) {
        double v;
        if (strcmp(argv[i], "--model-file") == 0) {
            if (!(mfile = next_arg(argc, argv, &i)))
                return cli_usage_error("clv predict", "--model-file needs a file");
        } else if (strcmp(argv[i], "--spend-model") == 0) {
            if (!(sfile = next_arg(argc, argv, &i)))
                return cli_usage_error("clv predict", "--spend-model needs a file");
        } else if (strcmp(argv[i], "--out") == 0) {
            if (!(out = next_arg(argc, argv, &i)))
                return cli_usage_error("clv predict", "--out needs a file");
        } else if (strcmp(argv[i], "--t") == 0) {
            if (parse_double(next_arg(argc, argv, &i), &t_h) || t_h < 0)
                return cli_usage_error("clv predict", "--t needs a number >= 0");
        } else if (strcmp(argv[i], "--months") == 0) {
            if (parse_double(next_arg(argc, argv, &i), &v) || v < 1 || v > 100000 || v != floor(v))
                return cli_usage_error("clv predict", "--months needs a whole number of months");
            vo.months = (unsigned int)v;
        } else if (strcmp(argv[i], "--discount") == 0) {
            if (parse_double(next_arg(argc, argv, &i), &vo.discount_rate) || vo.discount_rate < 0)
                return cli_usage_error("clv predict", "--discount needs a rate >= 0");
        } else if (strcmp(argv[i], "--periods-per-month") == 0) {
            if (parse_double(next_arg(argc, argv, &i), &vo.periods_per_month) || vo.periods_per_month <= 0)
                return cli_usage_error("clv predict", "--periods-per-month needs a number > 0");
        } else if (strcmp(argv[i], "--margin") == 0) {
            if (parse_double(next_arg(argc, argv, &i), &vo.margin) || vo.margin <= 0)
                return cli_usage_error("clv predict", "--margin needs a number > 0");
        } else if (argv[i][0] == '-' && argv[i][1]) {
            return cli_usage_error("clv predict", "unknown option '%s'", argv[i]);
        } else if (input) {
            return cli_usage_error("clv predict", "one input file only");
        } else {
            input = argv[i];
        }
    }
    if (!mfile || !input)
        return cli_usage_error("clv predict", "--model-file and an input file are required");
    custops_clv_model *m = NULL, *s = NULL;
    int rc = custops_clv_load(&m, mfile);
    if (rc)
        return cli_fail("clv predict", rc, mfile);
    if (sfile && (rc = custops_clv_load(&s, sfile)) != CUSTOPS_OK) {
        custops_clv_free(m);
        return cli_fail("clv predict", rc, sfile);
    }
    table t;
    if (read_table(input, &t)) {
        custops_clv_free(m);
        custops_clv_free(s);
        return 1;
    }
    int status = 1;
    double *alive = malloc((t.n ? t.n : 1) * sizeof(double)), *exp_p = malloc((t.n ? t.n : 1) * sizeof(double)),
           *clv = malloc((t.n ? t.n : 1) * sizeof(double));
    custops_frame *fr = NULL;
    if (!alive || !exp_p || !clv) {
        fprintf(stderr, "custops clv predict: out of memory\n");
        goto done;
    }
    if (!t.have[0] || !t.have[1] || !t.have[2]) {
        fprintf(stderr, "custops clv predict: %s: the header lacks frequency, recency or T\n", input);
        goto done;
    }
    int want_clv = s && t.have[3];
    if ((rc = custops_clv_prob_alive(m, t.col[0], t.col[1], t.col[2], t.n, alive)) ||
        (rc = custops_clv_conditional_expected_purchases(m, t_h, t.col[0], t.col[1], t.col[2], t.n, exp_p)) ||
        (want_clv && (rc = custops_clv_lifetime_value(m, s, t.col[0], t.col[1], t.col[2], t.col[3], t.n, &vo, clv)))) {
        cli_fail("clv predict", rc, input);
        goto done;
    }
    if (out) {
        if ((rc = custops_frame_new(&fr)) ||
            (t.id && (rc = custops_frame_add_string(fr, "id", (const char *const *)t.id, t.n))) ||
            (rc = custops_frame_add_double(fr, "p_alive", alive, t.n)) ||
            (rc = custops_frame_add_double(fr, "expected_purchases", exp_p, t.n)) ||
            (want_clv && (rc = custops_frame_add_double(fr, "clv", clv, t.n))) ||
            (rc = custops_frame_write_csv(fr, out))) {
            cli_fail("clv predict", rc, out);
            goto done;
        }
    } else {
        printf("%sp_alive,expected_purchases%s\n", t.id ? "id," : "", want_clv ? ",clv" : "");
        for (size_t i = 0; i < t.n; i++) {
            if (t.id)
                printf("%s,", t.id[i]);
            printf("%.10g,%.10g", alive[i], exp_p[i]);
            if (want_clv)
                printf(",%.10g", clv[i]);
            putchar('\n');
        }
        if (fflush(stdout) != 0)
            goto done;
    }
    status = 0;
done:
    custops_frame_free(fr);
    free(alive);
    free(exp_p);
    free(clv);
    table_free(&t);
    custops_clv_free(m);
    custops_clv_free(s);
    return status;
}

static int run(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        help();
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "fit") == 0)
        return cmd_fit(argc - 1, argv + 1);
    if (strcmp(argv[1], "predict") == 0)
        return cmd_predict(argc - 1, argv + 1);
    return cli_usage_error("clv", "unknown subcommand '%s' (fit, predict)", argv[1]);
}

const cli_command cli_cmd_clv = {"clv", "fit CLV models (BG/NBD, Pareto/NBD, ...) and predict", run};
