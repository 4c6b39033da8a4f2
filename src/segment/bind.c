/* Plan storage (nodes and leaves), the time rules of the language, and
 * compiling an audience from text. */
#include "segment_internal.h"

#include <stdio.h>
#include <strings.h>

int seg_add_node(custops_audience *a, seg_node_kind kind, int x, int y, int text, size_t off, size_t len)
{
    if (CUSTOPS__GROW(a->nodes, a->capnodes, a->nnodes + 1))
        return CUSTOPS_ENOMEM;
    seg_node *n = &a->nodes[a->nnodes++];
    n->kind = kind;
    n->a = x;
    n->b = y;
    n->text = text;
    n->off = off;
    n->len = len;
    return CUSTOPS_OK;
}

int seg_add_leaf(custops_audience *a, seg_leaf **out, int *index)
{
    if (CUSTOPS__GROW(a->leaves, a->capleaves, a->nleaves + 1))
        return CUSTOPS_ENOMEM;
    seg_leaf *l = &a->leaves[a->nleaves];
    memset(l, 0, sizeof *l);
    l->kind = L_I64;
    l->lo = 1; /* empty until bound */
    *index = (int)a->nleaves++;
    *out = l;
    return CUSTOPS_OK;
}

void seg_leaf_release(seg_leaf *l)
{
    custops__free(l->set);
    for (size_t i = 0; i < l->nstrs; i++)
        custops__free(l->strs[i]);
    custops__free(l->strs);
    custops__free(l->counts);
    custops__free(l->bits);
    l->set = NULL;
    l->strs = NULL;
    l->counts = NULL;
    l->bits = NULL;
    l->nset = l->nstrs = 0;
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

int seg_day_start(const custops_segment_ctx *c, int32_t day, int64_t *out)
{
    if (!c->zone) {
        *out = (int64_t)day * 86400;
        return CUSTOPS_OK;
    }
    return custops_zone_instant(c->zone, day, 0, out);
}

static int today(const custops_segment_ctx *c, int32_t *day)
{
    if (!c->zone) {
        int64_t d = floor_div(c->now, 86400);
        if (d > INT32_MAX || d < INT32_MIN)
            return custops__err(CUSTOPS_ERANGE, "now %lld is out of range", (long long)c->now);
        *day = (int32_t)d;
        return CUSTOPS_OK;
    }
    int32_t sod;
    return custops_zone_local(c->zone, c->now, day, &sod);
}

static int day_range(const custops_segment_ctx *c, int32_t day, seg_time *out)
{
    int rc = seg_day_start(c, day, &out->start);
    if (!rc)
        rc = seg_day_start(c, day + 1, &out->end);
    return rc;
}

static int days_in_month(int y, int m)
{
    static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return d[m - 1];
}

int seg_time_from_tok(const custops_segment_ctx *c, const seg_tok *t, seg_time *out)
{
    int32_t day;
    int rc;
    if (seg_tok_is(t, "now")) {
        out->start = c->now;
        out->end = c->now + 1;
        return CUSTOPS_OK;
    }
    if (t->kind == TK_DATE) {
        if (t->mo < 1 || t->mo > 12 || t->d < 1 || t->d > days_in_month(t->y, t->mo))
            return custops__err(CUSTOPS_EPARSE, "no such date %04d-%02d-%02d", t->y, t->mo, t->d);
        if (custops_date_to_day(t->y, t->mo, t->d, &day))
            return custops__err(CUSTOPS_EPARSE, "date out of range");
        if (!t->has_time)
            return day_range(c, day, out);
        if (t->h > 23 || t->mi > 59 || t->s > 59)
            return custops__err(CUSTOPS_EPARSE, "no such time of day %02d:%02d:%02d", t->h, t->mi, t->s);
        int sod = t->h * 3600 + t->mi * 60 + t->s;
        if (c->zone) {
            if ((rc = custops_zone_instant(c->zone, day, sod, &out->start)))
                return rc;
        } else {
            out->start = (int64_t)day * 86400 + sod;
        }
        out->end = out->start + 1;
        return CUSTOPS_OK;
    }
    if ((rc = today(c, &day)))
        return rc;
    if (seg_tok_is(t, "today"))
        return day_range(c, day, out);
    if (seg_tok_is(t, "yesterday"))
        return day_range(c, day - 1, out);
    /* relative */
    if (t->rel_unit == 'd' || t->rel_unit == 'w')
        return day_range(c, day + t->rel_n * (t->rel_unit == 'w' ? 7 : 1), out);
    int y, m, d;
    custops_day_to_date(day, &y, &m, &d);
    int months = t->rel_n * (t->rel_unit == 'y' ? 12 : 1);
    int total = y * 12 + (m - 1) + months;
    y = total / 12;
    m = total % 12 + 1;
    if (d > days_in_month(y, m))
        d = days_in_month(y, m);
    if (custops_date_to_day(y, m, d, &day))
        return custops__err(CUSTOPS_EPARSE, "relative date out of range");
    return day_range(c, day, out);
}

static size_t height(const custops_audience *a, int n)
{
    const seg_node *x = &a->nodes[n];
    if (x->kind == N_LEAF)
        return 1;
    size_t h = height(a, x->a);
    if (x->kind != N_NOT) {
        size_t hb = height(a, x->b);
        if (hb > h)
            h = hb;
    }
    return h + 1;
}

void custops_audience_free(custops_audience *a)
{
    if (!a)
        return;
    for (size_t i = 0; i < a->nleaves; i++)
        seg_leaf_release(&a->leaves[i]);
    for (size_t i = 0; i < a->ntexts; i++)
        custops__free(a->texts[i]);
    custops__free(a->texts);
    custops__free(a->leaves);
    custops__free(a->nodes);
    seg_ctx_release(&a->ctx);
    custops__free(a);
}

int custops_audience_compile(custops_audience **out, const char *text, const custops_segment_ctx *ctx)
{
    CUSTOPS__CHECK_NULL(out);
    *out = NULL;
    CUSTOPS__CHECK_NULL(text);
    CUSTOPS__CHECK_NULL(ctx);
    custops_audience *a = custops__calloc(1, sizeof *a);
    if (!a)
        return custops__nomem();
    int rc = seg_ctx_copy(&a->ctx, ctx);
    if (rc) {
        custops__free(a);
        return rc;
    }
    a->nrows = custops_frame_nrows(ctx->customers);
    rc = seg_parse(a, text, "audience", true, NULL, NULL, 0, &a->root);
    if (!rc)
        a->depth = height(a, a->root);
    if (rc) {
        custops_audience_free(a);
        return rc;
    }
    *out = a;
    return CUSTOPS_OK;
}

size_t custops_audience_nclauses(const custops_audience *a) { return a ? a->nleaves : 0; }
