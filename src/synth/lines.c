/*
 * The synthetic store in memory: its order lines and its catalogue as
 * frames. Ids are formatted once into one text block; repeated strings
 * (SKU, category, currency, channel, coupon) point into the catalogue, so
 * nothing is allocated per row before the frame copies the columns.
 */
#include "synth_internal.h"

#include <stdio.h>

typedef struct line_cols {
    size_t n, cap;
    size_t *order_off, *cust_off; /* offsets into ids */
    int64_t *time, *qty, *price, *discount;
    const char **currency, **sku, **category, **coupon, **channel;
    custops__buf ids;
} line_cols;

static void cols_release(line_cols *L)
{
    custops__free(L->order_off);
    custops__free(L->cust_off);
    custops__free(L->time);
    custops__free(L->qty);
    custops__free(L->price);
    custops__free(L->discount);
    custops__free(L->currency);
    custops__free(L->sku);
    custops__free(L->category);
    custops__free(L->coupon);
    custops__free(L->channel);
    custops__buf_release(&L->ids);
}

static int cols_reserve(line_cols *L, size_t need)
{
    if (need <= L->cap)
        return CUSTOPS_OK;
    size_t cap = L->cap ? L->cap : 1024;
    while (cap < need)
        cap *= 2;
#define GROWCOL(f)                                                                                 \
    do {                                                                                           \
        void *p_ = custops__reallocarray(L->f, cap, sizeof *L->f);                                 \
        if (!p_)                                                                                   \
            return custops__nomem();                                                               \
        L->f = p_;                                                                                 \
    } while (0)
    GROWCOL(order_off);
    GROWCOL(cust_off);
    GROWCOL(time);
    GROWCOL(qty);
    GROWCOL(price);
    GROWCOL(discount);
    GROWCOL(currency);
    GROWCOL(sku);
    GROWCOL(category);
    GROWCOL(coupon);
    GROWCOL(channel);
#undef GROWCOL
    L->cap = cap;
    return CUSTOPS_OK;
}

static int append_customer(line_cols *L, const synth_gen *g, const synth_customer *c)
{
    const synth_catalog *cat = &g->cat;
    int rc = cols_reserve(L, L->n + c->nlines);
    if (rc)
        return rc;
    char cid[24];
    synth_customer_id(cid, c->person.index);
    size_t cust_off = L->ids.len;
    custops__buf_append(&L->ids, cid, strlen(cid) + 1);
    for (size_t k = 0; k < c->norders; k++) {
        const synth_order *o = &c->orders[k];
        char oid[24];
        synth_order_id(oid, o->seq);
        size_t order_off = L->ids.len;
        custops__buf_append(&L->ids, oid, strlen(oid) + 1);
        for (int32_t l = o->first_line; l < o->first_line + o->nlines; l++) {
            const synth_line *ln = &c->lines[l];
            size_t i = L->n++;
            L->order_off[i] = order_off;
            L->cust_off[i] = cust_off;
            L->time[i] = o->time;
            L->qty[i] = ln->qty;
            L->price[i] = ln->unit_price;
            L->discount[i] = ln->discount;
            L->currency[i] = g->o.currency;
            L->sku[i] = cat->sku_names[ln->sku];
            L->category[i] = cat->cat_names[cat->sku_cat[ln->sku]];
            L->coupon[i] = o->coupon >= 0 ? cat->coupons[o->coupon].code : "";
            L->channel[i] = synth_channel_names[o->channel];
        }
    }
    return custops__buf_status(&L->ids);
}

/* Turn id offsets into pointers (the text block no longer moves) and add a string column. */
static int add_ids(custops_frame *f, const char *name, const line_cols *L, const size_t *off)
{
    const char **v = custops__reallocarray(NULL, L->n ? L->n : 1, sizeof *v);
    if (!v)
        return custops__nomem();
    for (size_t i = 0; i < L->n; i++)
        v[i] = (const char *)L->ids.data + off[i];
    int rc = custops_frame_add_string(f, name, v, L->n);
    custops__free(v);
    return rc;
}

int custops_synth_order_lines(const custops_synth_options *opts, custops_frame **out)
{
    CUSTOPS__CHECK_NULL(out);
    *out = NULL;
    synth_gen g;
    int rc = synth_gen_init(&g, opts);
    if (rc)
        return rc;
    line_cols L;
    memset(&L, 0, sizeof L);
    custops__buf_init(&L.ids);
    synth_customer c;
    memset(&c, 0, sizeof c);
    custops_frame *f = NULL;
    for (int64_t i = 0; i < g.o.customers && rc == 0; i++) {
        if ((rc = synth_gen_customer(&g, i, &c)) == 0)
            rc = append_customer(&L, &g, &c);
        if (rc == 0 && g.o.progress && (((i + 1) & 1023) == 0 || i + 1 == g.o.customers) &&
            g.o.progress(g.o.progress_ud, i + 1, g.o.customers))
            rc = custops__err(CUSTOPS_ESTATE, "custops_synth_order_lines: cancelled by the progress callback");
    }
    if (rc == 0)
        rc = custops_frame_new(&f);
    if (rc == 0)
        rc = add_ids(f, "order_id", &L, L.order_off);
    if (rc == 0)
        rc = add_ids(f, "customer_id", &L, L.cust_off);
    if (rc == 0)
        rc = custops_frame_add_int64(f, "time", L.time, L.n);
    if (rc == 0)
        rc = custops_frame_add_string(f, "currency", L.currency, L.n);
    if (rc == 0)
        rc = custops_frame_add_string(f, "sku", L.sku, L.n);
    if (rc == 0)
        rc = custops_frame_add_string(f, "category", L.category, L.n);
    if (rc == 0)
        rc = custops_frame_add_int64(f, "qty", L.qty, L.n);
    if (rc == 0)
        rc = custops_frame_add_int64(f, "unit_price", L.price, L.n);
    if (rc == 0)
        rc = custops_frame_add_int64(f, "discount", L.discount, L.n);
    if (rc == 0)
        rc = custops_frame_add_string(f, "coupon_code", L.coupon, L.n);
    if (rc == 0)
        rc = custops_frame_add_string(f, "channel", L.channel, L.n);
    cols_release(&L);
    synth_customer_release(&c);
    synth_gen_release(&g);
    if (rc) {
        custops_frame_free(f);
        return rc;
    }
    *out = f;
    return CUSTOPS_OK;
}

int custops_synth_catalog(const custops_synth_options *opts, custops_frame **out)
{
    CUSTOPS__CHECK_NULL(out);
    *out = NULL;
    synth_gen g;
    int rc = synth_gen_init(&g, opts);
    if (rc)
        return rc;
    const synth_catalog *cat = &g.cat;
    size_t n = (size_t)cat->nskus;
    const char **sku = custops__reallocarray(NULL, n, sizeof *sku);
    const char **category = custops__reallocarray(NULL, n, sizeof *category);
    int64_t *price = custops__reallocarray(NULL, n, sizeof *price);
    int64_t *cycle = custops__reallocarray(NULL, n, sizeof *cycle);
    custops_frame *f = NULL;
    if (!sku || !category || !price || !cycle) {
        rc = custops__nomem();
    } else {
        for (size_t i = 0; i < n; i++) {
            sku[i] = cat->sku_names[i];
            category[i] = cat->cat_names[cat->sku_cat[i]];
            price[i] = cat->price[i];
            cycle[i] = cat->cycle[i];
        }
        rc = custops_frame_new(&f);
        if (rc == 0)
            rc = custops_frame_add_string(f, "sku", sku, n);
        if (rc == 0)
            rc = custops_frame_add_string(f, "category", category, n);
        if (rc == 0)
            rc = custops_frame_add_int64(f, "list_price", price, n);
        if (rc == 0)
            rc = custops_frame_add_int64(f, "cycle_days", cycle, n);
    }
    custops__free(sku);
    custops__free(category);
    custops__free(price);
    custops__free(cycle);
    synth_gen_release(&g);
    if (rc) {
        custops_frame_free(f);
        return rc;
    }
    *out = f;
    return CUSTOPS_OK;
}
