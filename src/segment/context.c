/* The evaluation context: borrowed frames, dictionaries, zone, `now`,
 * money columns and limits. Audiences copy it, so a context can be freed
 * or changed after compiling without touching compiled audiences. */
#include "segment_internal.h"

#include <stdio.h>

static const char *const BUILTIN_MONEY = ",spend,aov,monetary,";

int custops_segment_ctx_new(custops_segment_ctx **out, const custops_frame *customers, int64_t now)
{
    CUSTOPS__CHECK_NULL(out);
    *out = NULL;
    CUSTOPS__CHECK_NULL(customers);
    custops_segment_ctx *c = custops__calloc(1, sizeof *c);
    if (!c)
        return custops__nomem();
    c->customers = customers;
    c->now = now;
    c->exponent = 2;
    c->max_length = 65536;
    c->max_depth = 64;
    *out = c;
    return CUSTOPS_OK;
}

void seg_ctx_release(custops_segment_ctx *c)
{
    for (size_t i = 0; i < c->ndicts; i++)
        custops__free(c->dicts[i].name);
    c->ndicts = 0;
    custops__free(c->money_cols);
    c->money_cols = NULL;
}

void custops_segment_ctx_free(custops_segment_ctx *ctx)
{
    if (!ctx)
        return;
    seg_ctx_release(ctx);
    custops__free(ctx);
}

int seg_ctx_copy(custops_segment_ctx *dst, const custops_segment_ctx *src)
{
    *dst = *src;
    dst->money_cols = NULL;
    dst->ndicts = 0;
    if (src->money_cols && !(dst->money_cols = custops__strdup(src->money_cols)))
        return custops__nomem();
    for (size_t i = 0; i < src->ndicts; i++) {
        if (!(dst->dicts[i].name = custops__strdup(src->dicts[i].name))) {
            seg_ctx_release(dst);
            return custops__nomem();
        }
        dst->dicts[i].frame = src->dicts[i].frame;
        dst->ndicts = i + 1;
    }
    return CUSTOPS_OK;
}

static int require(const custops_frame *f, const char *what, const char *const *cols, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        size_t c;
        if (custops_frame_find(f, cols[i], &c) != CUSTOPS_OK || custops_frame_col_type(f, c) != CUSTOPS_COL_INT64)
            return custops__err(CUSTOPS_EINVAL, "%s frame: missing int64 column '%s'", what, cols[i]);
    }
    return CUSTOPS_OK;
}

int custops_segment_ctx_set_lines(custops_segment_ctx *ctx, const custops_frame *lines)
{
    CUSTOPS__CHECK_NULL(ctx);
    static const char *const cols[] = {"customer", "order", "time", "sku", "category", "amount", "refunded"};
    if (lines) {
        int rc = require(lines, "lines", cols, sizeof cols / sizeof *cols);
        if (rc)
            return rc;
    }
    ctx->lines = lines;
    return CUSTOPS_OK;
}

int custops_segment_ctx_set_events(custops_segment_ctx *ctx, const custops_frame *events)
{
    CUSTOPS__CHECK_NULL(ctx);
    static const char *const cols[] = {"customer", "time", "type"};
    if (events) {
        int rc = require(events, "events", cols, sizeof cols / sizeof *cols);
        if (rc)
            return rc;
    }
    ctx->events = events;
    return CUSTOPS_OK;
}

int custops_segment_ctx_add_dict(custops_segment_ctx *ctx, const char *name, const custops_frame *dict)
{
    CUSTOPS__CHECK_NULL(ctx);
    CUSTOPS__CHECK_NULL(name);
    CUSTOPS__CHECK_NULL(dict);
    size_t c;
    if (!name[0])
        return custops__err(CUSTOPS_EINVAL, "dictionary name is empty");
    if (custops_frame_find(dict, "name", &c) != CUSTOPS_OK || custops_frame_col_type(dict, c) != CUSTOPS_COL_STRING)
        return custops__err(CUSTOPS_EINVAL, "dictionary '%s': missing string column 'name'", name);
    for (size_t i = 0; i < ctx->ndicts; i++)
        if (strcmp(ctx->dicts[i].name, name) == 0) {
            ctx->dicts[i].frame = dict;
            return CUSTOPS_OK;
        }
    if (ctx->ndicts >= SEG_MAX_DICTS)
        return custops__err(CUSTOPS_ELIMIT, "more than %d dictionaries", SEG_MAX_DICTS);
    if (!(ctx->dicts[ctx->ndicts].name = custops__strdup(name)))
        return custops__nomem();
    ctx->dicts[ctx->ndicts++].frame = dict;
    return CUSTOPS_OK;
}

int custops_segment_ctx_set_zone(custops_segment_ctx *ctx, const custops_zone *zone)
{
    CUSTOPS__CHECK_NULL(ctx);
    ctx->zone = zone;
    return CUSTOPS_OK;
}

int custops_segment_ctx_set_money_cols(custops_segment_ctx *ctx, const char *cols, int exponent)
{
    CUSTOPS__CHECK_NULL(ctx);
    if (exponent < 0 || exponent > 4)
        return custops__err(CUSTOPS_ERANGE, "currency exponent %d is outside 0..4", exponent);
    char *m = NULL;
    if (cols && cols[0]) {
        size_t n = strlen(cols);
        if (!(m = custops__malloc(n + 3)))
            return custops__nomem();
        m[0] = ',';
        memcpy(m + 1, cols, n);
        m[n + 1] = ',';
        m[n + 2] = '\0';
        for (char *q = m; *q; q++)
            if (*q == ' ')
                *q = ',';
    }
    custops__free(ctx->money_cols);
    ctx->money_cols = m;
    ctx->exponent = exponent;
    return CUSTOPS_OK;
}

int custops_segment_ctx_set_library(custops_segment_ctx *ctx, const custops_segment_library *lib)
{
    CUSTOPS__CHECK_NULL(ctx);
    ctx->library = lib;
    return CUSTOPS_OK;
}

int custops_segment_ctx_set_limits(custops_segment_ctx *ctx, size_t max_length, size_t max_depth)
{
    CUSTOPS__CHECK_NULL(ctx);
    if (max_length < 1 || max_length > (16u << 20))
        return custops__err(CUSTOPS_ERANGE, "max_length %zu is outside 1..16777216", max_length);
    if (max_depth < 1 || max_depth > 1000)
        return custops__err(CUSTOPS_ERANGE, "max_depth %zu is outside 1..1000", max_depth);
    ctx->max_length = max_length;
    ctx->max_depth = max_depth;
    return CUSTOPS_OK;
}

static bool in_list(const char *list, const char *col)
{
    size_t n = strlen(col);
    if (n == 0)
        return false;
    for (const char *q = strstr(list, col); q; q = strstr(q + 1, col))
        if (q[-1] == ',' && q[n] == ',')
            return true;
    return false;
}

bool seg_ctx_is_money(const custops_segment_ctx *c, const char *col)
{
    return in_list(BUILTIN_MONEY, col) || (c->money_cols && in_list(c->money_cols, col));
}

const custops_frame *seg_ctx_dict_for(const custops_segment_ctx *c, const char *col, size_t *name_col)
{
    /* contract columns whose dictionary has another name */
    const char *dict = col;
    if (strcmp(col, "top_category") == 0)
        dict = "category";
    else if (strcmp(col, "tags") == 0)
        dict = "tag";
    for (size_t i = 0; i < c->ndicts; i++)
        if (strcmp(c->dicts[i].name, dict) == 0) {
            if (custops_frame_find(c->dicts[i].frame, "name", name_col) != CUSTOPS_OK)
                return NULL;
            return c->dicts[i].frame;
        }
    return NULL;
}
