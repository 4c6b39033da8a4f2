/* "Why is customer i (not) in the audience": the clauses that decide the
 * answer, as written, with the customer's values. For a true AND every
 * part counts; for a false AND the first false part is enough; OR the
 * other way round; NOT passes the question to its operand. */
#include "segment_internal.h"

#include <inttypes.h>
#include <stdio.h>

static int node_value(const custops_audience *a, int n, size_t row)
{
    const seg_node *x = &a->nodes[n];
    switch (x->kind) {
    case N_LEAF: return seg_leaf_test(&a->leaves[x->a], row);
    case N_NOT: return !node_value(a, x->a, row);
    case N_AND: return node_value(a, x->a, row) && node_value(a, x->b, row);
    case N_OR: return node_value(a, x->a, row) || node_value(a, x->b, row);
    }
    return 0;
}

static void put_money(custops__buf *b, int64_t v, int exponent)
{
    if (exponent == 0) {
        custops__buf_printf(b, "%" PRId64, v);
        return;
    }
    int64_t p = 1;
    for (int i = 0; i < exponent; i++)
        p *= 10;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    custops__buf_printf(b, "%s%" PRIu64 ".%0*" PRIu64, v < 0 ? "-" : "", u / (uint64_t)p, exponent, u % (uint64_t)p);
}

static void put_value(custops__buf *b, const custops_audience *a, const seg_leaf *l, size_t row)
{
    const char *name = custops_frame_col_name(a->ctx.customers, l->col);
    if (l->kind == L_FUNC) {
        static const char *const what[] = {"orders", "spend", "count", "orders", "orders"};
        custops__buf_printf(b, "%s = ", what[l->func]);
        if (l->func == F_SPEND)
            put_money(b, l->counts[row], a->ctx.exponent);
        else
            custops__buf_printf(b, "%" PRId64, l->counts[row]);
        return;
    }
    custops__buf_printf(b, "%s = ", name ? name : "?");
    if (l->kind == L_STR || (l->kind == L_NULL && !l->i64 && !l->f64)) {
        const char *s = "";
        custops_frame_string(a->ctx.customers, l->col, row, &s);
        custops__buf_printf(b, "\"%s\"", s);
    } else if (l->f64) {
        double v = l->f64[row];
        if (l->money)
            v /= (a->ctx.exponent == 0 ? 1 : a->ctx.exponent == 1 ? 10 : a->ctx.exponent == 2 ? 100 : a->ctx.exponent == 3 ? 1000 : 10000);
        custops__buf_printf(b, "%.10g", v);
        if (l->kind == L_PCT && !l->pct_empty)
            custops__buf_printf(b, ", threshold %.10g", l->top ? l->flo : l->fhi);
    } else if (l->i64) {
        int64_t v = l->i64[row];
        if (l->date) {
            char t[40];
            if (v < 0 || custops_time_format(v, a->ctx.zone, t, sizeof t))
                custops__buf_puts(b, v < 0 ? "none" : "?");
            else
                custops__buf_puts(b, t);
        } else if (l->money) {
            put_money(b, v, a->ctx.exponent);
        } else if (l->kind == L_TAG) {
            custops__buf_printf(b, "0x%" PRIx64, (uint64_t)v);
        } else {
            custops__buf_printf(b, "%" PRId64, v);
        }
        if (l->kind == L_PCT && !l->pct_empty)
            custops__buf_printf(b, ", threshold %" PRId64, l->top ? l->lo : l->hi);
    }
}

static void explain(custops__buf *b, const custops_audience *a, int n, size_t row, int *first)
{
    const seg_node *x = &a->nodes[n];
    int v = node_value(a, n, row);
    switch (x->kind) {
    case N_LEAF: {
        const seg_leaf *l = &a->leaves[x->a];
        if (!*first)
            custops__buf_puts(b, "; ");
        *first = 0;
        custops__buf_append(b, a->texts[x->text] + x->off, x->len);
        custops__buf_printf(b, " is %s (", v ? "true" : "false");
        put_value(b, a, l, row);
        custops__buf_puts(b, ")");
        return;
    }
    case N_NOT:
        explain(b, a, x->a, row, first);
        return;
    case N_AND:
        if (v) {
            explain(b, a, x->a, row, first);
            explain(b, a, x->b, row, first);
        } else {
            explain(b, a, node_value(a, x->a, row) ? x->b : x->a, row, first);
        }
        return;
    case N_OR:
        if (!v) {
            explain(b, a, x->a, row, first);
            explain(b, a, x->b, row, first);
        } else {
            explain(b, a, node_value(a, x->a, row) ? x->a : x->b, row, first);
        }
        return;
    }
}

int custops_audience_explain(char **text_out, int *member_out, custops_audience *a, size_t row)
{
    CUSTOPS__CHECK_NULL(text_out);
    *text_out = NULL;
    if (member_out)
        *member_out = 0;
    CUSTOPS__CHECK_NULL(a);
    if (row >= a->nrows)
        return custops__err(CUSTOPS_EINVAL, "row %zu is outside the %zu customers", row, a->nrows);
    int rc;
    if (!a->prepared && (rc = seg_prepare(a)))
        return rc;
    int v = node_value(a, a->root, row);
    custops__buf b;
    custops__buf_init(&b);
    custops__buf_puts(&b, v ? "in: " : "out: ");
    int first = 1;
    explain(&b, a, a->root, row, &first);
    custops__buf_u8(&b, 0);
    if ((rc = custops__buf_status(&b))) {
        custops__buf_release(&b);
        return rc;
    }
    *text_out = (char *)b.data;
    if (member_out)
        *member_out = v;
    return CUSTOPS_OK;
}
