/* custops segment: audiences, RFM and lifecycle over CSV exports.
 *   custops segment check|count|export|explain|list|define|rfm|lifecycle ... */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

#define MAX_DICTS 16

static void help(void)
{
    printf("Usage: custops segment <action> [options] [EXPRESSION]\n\n"
           "Actions:\n"
           "  check   EXPR          check syntax (and, with --customers, columns and names)\n"
           "  count   EXPR          print the number of customers in the audience\n"
           "  export  EXPR          print the members' customer_id (or row), one per line\n"
           "  explain EXPR --row N  say why customer row N is or is not in the audience\n"
           "  list                  list the definitions of --library\n"
           "  define  NAME EXPR     add or replace a definition in --library (created if missing)\n"
           "  rfm                   RFM scores and segment counts (-o writes the scores as CSV)\n"
           "  lifecycle             lifecycle class counts (-o writes the classes as CSV)\n\n"
           "Data options:\n"
           "  --customers FILE      customers CSV with a header row (one row per customer)\n"
           "  --lines FILE          order lines CSV (customer,order,time,sku,category,amount,refunded)\n"
           "  --events FILE         events CSV (customer,time,type)\n"
           "  --dict NAME=FILE      dictionary CSV with a 'name' column (region, category, sku, tag, ...)\n"
           "  --now TIME            the as-of instant, e.g. 2024-06-15T12:00:00Z (required to evaluate)\n"
           "  --zone ZONE           zone of local days and of date-times in the CSVs (default UTC)\n"
           "  --library FILE        saved audience library (SEGS file) for 'segment NAME'\n"
           "  --money-cols A,B      extra money columns (amounts in major units in expressions)\n"
           "  --p-alive COL         lifecycle: model variant from a P(alive) column\n"
           "  --row N               explain: the customer row\n"
           "  -o FILE               write output to FILE instead of standard output\n\n"
           "Exit status: 0 success, 1 error in the data or expression, 2 usage error.\n");
}

typedef struct opts {
    const char *customers, *lines, *events, *now, *zone, *library, *money, *out, *palive, *row;
    const char *dict_name[MAX_DICTS], *dict_file[MAX_DICTS];
    size_t ndicts;
    const char *pos[3];
    size_t npos;
} opts;

typedef struct data {
    custops_zone *zone;
    custops_frame *customers, *lines, *events, *dicts[MAX_DICTS];
    custops_segment_library *lib;
    custops_segment_ctx *ctx;
} data;

static int fail(void)
{
    fprintf(stderr, "custops segment: %s\n", custops_last_error());
    return 1;
}

static int parse_args(int argc, char **argv, opts *o)
{
    memset(o, 0, sizeof *o);
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        const char **slot = NULL;
        if (!strcmp(a, "--customers"))
            slot = &o->customers;
        else if (!strcmp(a, "--lines"))
            slot = &o->lines;
        else if (!strcmp(a, "--events"))
            slot = &o->events;
        else if (!strcmp(a, "--now"))
            slot = &o->now;
        else if (!strcmp(a, "--zone"))
            slot = &o->zone;
        else if (!strcmp(a, "--library"))
            slot = &o->library;
        else if (!strcmp(a, "--money-cols"))
            slot = &o->money;
        else if (!strcmp(a, "--p-alive"))
            slot = &o->palive;
        else if (!strcmp(a, "--row"))
            slot = &o->row;
        else if (!strcmp(a, "-o"))
            slot = &o->out;
        if (slot) {
            if (i + 1 >= argc)
                return cli_usage_error("segment", "%s needs a value", a);
            *slot = argv[++i];
            continue;
        }
        if (!strcmp(a, "--dict")) {
            if (i + 1 >= argc)
                return cli_usage_error("segment", "--dict needs NAME=FILE");
            const char *v = argv[++i], *eq = strchr(v, '=');
            if (!eq || eq == v || !eq[1])
                return cli_usage_error("segment", "--dict needs NAME=FILE, got '%s'", v);
            if (o->ndicts >= MAX_DICTS)
                return cli_usage_error("segment", "at most %d dictionaries", MAX_DICTS);
            o->dict_name[o->ndicts] = v;
            o->dict_file[o->ndicts++] = eq + 1;
            continue;
        }
        if (a[0] == '-' && a[1] == '-')
            return cli_usage_error("segment", "unknown option '%s'", a);
        if (o->npos >= 3)
            return cli_usage_error("segment", "too many arguments ('%s')", a);
        o->pos[o->npos++] = a;
    }
    return 0;
}

static void data_free(data *d)
{
    custops_segment_ctx_free(d->ctx);
    custops_segment_library_free(d->lib);
    for (size_t i = 0; i < MAX_DICTS; i++)
        custops_frame_free(d->dicts[i]);
    custops_frame_free(d->customers);
    custops_frame_free(d->lines);
    custops_frame_free(d->events);
    custops_zone_free(d->zone);
}

/* Load everything the options name; returns an exit status (0 ok). */
static int data_load(const opts *o, data *d, int need_now)
{
    memset(d, 0, sizeof *d);
    int64_t now = 0;
    if (o->zone && custops_zone_open(&d->zone, o->zone))
        return fail();
    if (o->now) {
        char *end;
        long long v = strtoll(o->now, &end, 10);
        if (*o->now && !*end)
            now = v;
        else if (custops_time_parse(o->now, d->zone, &now))
            return fail();
    } else if (need_now) {
        return cli_usage_error("segment", "--now TIME is required (the library never reads the clock)");
    }
    if (!o->customers)
        return cli_usage_error("segment", "--customers FILE is required");
    if (custops_frame_read_csv(&d->customers, o->customers, d->zone))
        return fail();
    if (o->lines && custops_frame_read_csv(&d->lines, o->lines, d->zone))
        return fail();
    if (o->events && custops_frame_read_csv(&d->events, o->events, d->zone))
        return fail();
    if (o->library && custops_segment_library_load(&d->lib, o->library))
        return fail();
    if (custops_segment_ctx_new(&d->ctx, d->customers, now) || custops_segment_ctx_set_zone(d->ctx, d->zone) ||
        custops_segment_ctx_set_lines(d->ctx, d->lines) || custops_segment_ctx_set_events(d->ctx, d->events) ||
        custops_segment_ctx_set_library(d->ctx, d->lib) ||
        (o->money && custops_segment_ctx_set_money_cols(d->ctx, o->money, 2)))
        return fail();
    for (size_t i = 0; i < o->ndicts; i++) {
        char name[128];
        size_t n = (size_t)(o->dict_file[i] - 1 - o->dict_name[i]);
        if (n >= sizeof name)
            return cli_usage_error("segment", "dictionary name too long");
        memcpy(name, o->dict_name[i], n);
        name[n] = '\0';
        if (custops_frame_read_csv(&d->dicts[i], o->dict_file[i], NULL) ||
            custops_segment_ctx_add_dict(d->ctx, name, d->dicts[i]))
            return fail();
    }
    return 0;
}

static FILE *open_out(const opts *o)
{
    if (!o->out)
        return stdout;
    FILE *f = fopen(o->out, "w");
    if (!f)
        fprintf(stderr, "custops segment: %s: cannot open for writing\n", o->out);
    return f;
}

static int close_out(const opts *o, FILE *f)
{
    if (f == stdout)
        return fflush(stdout) ? 1 : 0;
    if (fclose(f)) {
        fprintf(stderr, "custops segment: %s: write failed\n", o->out);
        return 1;
    }
    return 0;
}

static int evaluate(const opts *o, data *d, custops_audience **a, custops_bitset **bs)
{
    if (o->npos != 1)
        return cli_usage_error("segment", "expected one EXPRESSION argument");
    if (custops_audience_compile(a, o->pos[0], d->ctx))
        return fail();
    if (bs && custops_audience_evaluate(bs, *a))
        return fail();
    return 0;
}

static int do_check(const opts *o)
{
    if (o->npos != 1)
        return cli_usage_error("segment", "expected one EXPRESSION argument");
    if (!o->customers) {
        /* syntax only: a throwaway library checks it */
        custops_segment_library *lib;
        if (custops_segment_library_new(&lib))
            return fail();
        int rc = custops_segment_library_define(lib, "audience", o->pos[0]);
        custops_segment_library_free(lib);
        if (rc)
            return fail();
        printf("ok\n");
        return 0;
    }
    data d;
    int st = data_load(o, &d, 0);
    custops_audience *a = NULL;
    if (!st && !(st = evaluate(o, &d, &a, NULL)))
        printf("ok: %zu clauses\n", custops_audience_nclauses(a));
    custops_audience_free(a);
    data_free(&d);
    return st;
}

static int do_count_export(const opts *o, int export)
{
    data d;
    int st = data_load(o, &d, 1);
    custops_audience *a = NULL;
    custops_bitset *bs = NULL;
    if (!st && !(st = evaluate(o, &d, &a, &bs))) {
        if (!export) {
            printf("%zu\n", custops_bitset_count(bs));
        } else {
            size_t idcol;
            int has_id = custops_frame_find(d.customers, "customer_id", &idcol) == CUSTOPS_OK &&
                         custops_frame_col_type(d.customers, idcol) == CUSTOPS_COL_STRING;
            int64_t *ids;
            size_t n;
            FILE *f = NULL;
            if (custops_bitset_ids(&ids, &n, bs))
                st = fail();
            else if (!(f = open_out(o)))
                st = 1;
            for (size_t i = 0; !st && i < n; i++) {
                const char *s;
                if (has_id && custops_frame_string(d.customers, idcol, (size_t)ids[i], &s) == CUSTOPS_OK)
                    fprintf(f, "%s\n", s);
                else
                    fprintf(f, "%lld\n", (long long)ids[i]);
            }
            if (f && close_out(o, f))
                st = 1;
            custops_free(ids);
        }
    }
    custops_bitset_free(bs);
    custops_audience_free(a);
    data_free(&d);
    return st;
}

static int do_explain(const opts *o)
{
    if (!o->row)
        return cli_usage_error("segment", "explain needs --row N");
    char *end;
    long long row = strtoll(o->row, &end, 10);
    if (!*o->row || *end || row < 0)
        return cli_usage_error("segment", "--row needs a row number, got '%s'", o->row);
    data d;
    int st = data_load(o, &d, 1);
    custops_audience *a = NULL;
    if (!st && !(st = evaluate(o, &d, &a, NULL))) {
        char *why;
        int member;
        if (custops_audience_explain(&why, &member, a, (size_t)row)) {
            st = fail();
        } else {
            printf("%s\n", why);
            custops_free(why);
        }
    }
    custops_audience_free(a);
    data_free(&d);
    return st;
}

static int do_list(const opts *o)
{
    if (!o->library)
        return cli_usage_error("segment", "list needs --library FILE");
    custops_segment_library *lib;
    if (custops_segment_library_load(&lib, o->library))
        return fail();
    for (size_t i = 0; i < custops_segment_library_count(lib); i++) {
        const char *name = custops_segment_library_name(lib, i), *text;
        custops_segment_library_get(lib, name, &text);
        printf("%s\t%s\n", name, text);
    }
    custops_segment_library_free(lib);
    return 0;
}

static int do_define(const opts *o)
{
    if (!o->library)
        return cli_usage_error("segment", "define needs --library FILE");
    if (o->npos != 2)
        return cli_usage_error("segment", "define needs NAME and EXPRESSION");
    custops_segment_library *lib;
    FILE *probe = fopen(o->library, "rb");
    int rc;
    if (probe) {
        fclose(probe);
        rc = custops_segment_library_load(&lib, o->library);
    } else {
        rc = custops_segment_library_new(&lib);
    }
    if (rc)
        return fail();
    if (custops_segment_library_define(lib, o->pos[0], o->pos[1]) || custops_segment_library_save(lib, o->library)) {
        custops_segment_library_free(lib);
        return fail();
    }
    custops_segment_library_free(lib);
    return 0;
}

/* Print counts of a string column in first-seen order, and write
 * customer_id + the result columns with -o. */
static int report(const opts *o, const custops_frame *customers, const custops_frame *res, const char *label)
{
    size_t lc;
    if (custops_frame_find(res, label, &lc))
        return fail();
    size_t n = custops_frame_nrows(res);
    const char *names[64];
    size_t counts[64], k = 0;
    for (size_t i = 0; i < n; i++) {
        const char *s;
        custops_frame_string(res, lc, i, &s);
        size_t j = 0;
        while (j < k && strcmp(names[j], s) != 0)
            j++;
        if (j == k && k < 64) {
            names[k] = s;
            counts[k++] = 0;
        }
        if (j < k)
            counts[j]++;
    }
    printf("%s,count\n", label);
    for (size_t j = 0; j < k; j++)
        printf("%s,%zu\n", names[j], counts[j]);
    if (!o->out)
        return 0;
    custops_frame *f;
    if (custops_frame_new(&f))
        return fail();
    int rc = 0;
    size_t idc;
    if (custops_frame_find(customers, "customer_id", &idc) == CUSTOPS_OK &&
        custops_frame_col_type(customers, idc) == CUSTOPS_COL_STRING) {
        const char **ids = malloc((n ? n : 1) * sizeof *ids);
        if (!ids) {
            custops_frame_free(f);
            return 1;
        }
        for (size_t i = 0; i < n; i++)
            custops_frame_string(customers, idc, i, &ids[i]);
        rc = custops_frame_add_string(f, "customer_id", ids, n);
        free(ids);
    }
    for (size_t c = 0; !rc && c < custops_frame_ncols(res); c++) {
        const char *name = custops_frame_col_name(res, c);
        int t = custops_frame_col_type(res, c);
        if (t == CUSTOPS_COL_INT64) {
            const int64_t *v;
            custops_frame_int64(res, c, &v);
            rc = custops_frame_add_int64(f, name, v, n);
        } else if (t == CUSTOPS_COL_STRING) {
            const char **v = malloc((n ? n : 1) * sizeof *v);
            if (!v) {
                rc = CUSTOPS_ENOMEM;
                break;
            }
            for (size_t i = 0; i < n; i++)
                custops_frame_string(res, c, i, &v[i]);
            rc = custops_frame_add_string(f, name, v, n);
            free(v);
        }
    }
    if (!rc)
        rc = custops_frame_write_csv(f, o->out);
    custops_frame_free(f);
    return rc ? fail() : 0;
}

static int do_rfm_lifecycle(const opts *o, int rfm)
{
    if (!o->customers)
        return cli_usage_error("segment", "--customers FILE is required");
    custops_frame *c, *res = NULL;
    if (custops_frame_read_csv(&c, o->customers, NULL))
        return fail();
    int rc;
    if (rfm) {
        rc = custops_rfm_score(&res, c, NULL);
    } else {
        custops_lifecycle_options lo;
        custops_lifecycle_options_init(&lo, CUSTOPS_LIFECYCLE_OPTIONS_VERSION);
        lo.p_alive_col = o->palive;
        rc = custops_lifecycle_classify(&res, c, &lo);
    }
    int st = rc ? fail() : report(o, c, res, rfm ? "segment" : "lifecycle");
    custops_frame_free(res);
    custops_frame_free(c);
    return st;
}

static int run(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        help();
        return argc < 2 ? 2 : 0;
    }
    opts o;
    int st = parse_args(argc, argv, &o);
    if (st)
        return st;
    const char *act = argv[1];
    if (!strcmp(act, "check"))
        return do_check(&o);
    if (!strcmp(act, "count"))
        return do_count_export(&o, 0);
    if (!strcmp(act, "export"))
        return do_count_export(&o, 1);
    if (!strcmp(act, "explain"))
        return do_explain(&o);
    if (!strcmp(act, "list"))
        return do_list(&o);
    if (!strcmp(act, "define"))
        return do_define(&o);
    if (!strcmp(act, "rfm"))
        return do_rfm_lifecycle(&o, 1);
    if (!strcmp(act, "lifecycle"))
        return do_rfm_lifecycle(&o, 0);
    return cli_usage_error("segment", "unknown action '%s' (check, count, export, explain, list, define, rfm, lifecycle)",
                           act);
}

const cli_command cli_cmd_segment = {"segment", "audiences, RFM and lifecycle over customer CSVs", run};
