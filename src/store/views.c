/* Putting rows in view order and handing them out as frames.
 *
 * Rows are appended in arrival order; the first view or feature pass after
 * a change sorts them in place: a counting sort on the customer code (one
 * linear pass, stable), then each customer's few rows by (time, order),
 * which are usually already in order. Lines hold no customer or time:
 * the orders are put in that order and renumbered, and the lines are
 * counting-sorted by order code. The permutation is applied column by
 * column through one spare array, so sorting costs one extra column of
 * memory, not a copy of the table. */
#include "store_internal.h"

#include <stdlib.h>

typedef struct key3 {
    int64_t a, b;
    uint32_t idx;
} key3;

static int key3_cmp(const void *x, const void *y)
{
    const key3 *p = x, *q = y;
    if (p->a != q->a)
        return p->a < q->a ? -1 : 1;
    if (p->b != q->b)
        return p->b < q->b ? -1 : 1;
    return p->idx < q->idx ? -1 : p->idx > q->idx;
}

/* perm[i] = source row of view row i, ordered by (cust, k2, k3, arrival);
 * ck2 (then ck3) < 0: no such key */
static int sort_perm(const st_table *t, size_t ncust, int ccust, int ck2, int ck3, uint32_t **perm_out)
{
    size_t n = t->n;
    *perm_out = NULL;
    if (n >= UINT32_MAX)
        return custops__err(CUSTOPS_ELIMIT, "more than 4 billion rows in one store table");
    uint32_t *perm = custops__calloc(n ? n : 1, sizeof *perm);
    size_t *start = custops__calloc(ncust + 1, sizeof *start);
    if (!perm || !start) {
        custops__free(perm);
        custops__free(start);
        return custops__nomem();
    }
    for (size_t i = 0; i < n; i++)
        start[st_get(t, ccust, i) + 1]++;
    for (size_t c = 0; c < ncust; c++)
        start[c + 1] += start[c];
    size_t *pos = start; /* reused as fill cursor, then restored below */
    for (size_t i = 0; i < n; i++)
        perm[pos[st_get(t, ccust, i)]++] = (uint32_t)i;
    /* pos[c] now holds the end of bucket c == start of bucket c+1 */
    key3 *scratch = NULL;
    size_t scap = 0;
    int rc = CUSTOPS_OK;
    size_t b = 0;
    for (size_t c = 0; c < ncust && rc == 0 && ck2 >= 0; c++) {
        size_t e = pos[c];
        int sorted = 1;
        for (size_t i = b + 1; i < e && sorted; i++) {
            uint32_t p = perm[i - 1], q = perm[i];
            int64_t kp = st_get(t, ck2, p), kq = st_get(t, ck2, q);
            if (kp > kq || (kp == kq && ck3 >= 0 && st_get(t, ck3, p) > st_get(t, ck3, q)))
                sorted = 0;
        }
        if (!sorted) {
            size_t m = e - b;
            if ((rc = CUSTOPS__GROW(scratch, scap, m)) != 0)
                break;
            for (size_t i = 0; i < m; i++) {
                uint32_t p = perm[b + i];
                scratch[i] = (key3){st_get(t, ck2, p), ck3 >= 0 ? st_get(t, ck3, p) : 0, p};
            }
            qsort(scratch, m, sizeof *scratch, key3_cmp);
            for (size_t i = 0; i < m; i++)
                perm[b + i] = scratch[i].idx;
        }
        b = e;
    }
    custops__free(scratch);
    custops__free(start);
    if (rc) {
        custops__free(perm);
        return rc;
    }
    *perm_out = perm;
    return CUSTOPS_OK;
}

#define GATHER(T)                                                                                                    \
    do {                                                                                                             \
        const T *from = t->col[c];                                                                                   \
        T *to = spare;                                                                                               \
        for (size_t i = 0; i < t->n; i++)                                                                            \
            to[i] = from[perm[i]];                                                                                   \
    } while (0)

/* one column at a time through one spare block as large as the widest
 * column, copied back into the column's own block: the extra memory is one
 * column, not a copy of the table, and nothing can fail half-way */
int custops__st_apply_perm(st_table *t, const uint32_t *perm)
{
    if (t->n == 0)
        return CUSTOPS_OK;
    size_t w = 1;
    for (int c = 0; c < t->ncols; c++)
        w = t->width[c] > w ? t->width[c] : w;
    void *spare = custops__reallocarray(NULL, t->n ? t->n : 1, w);
    if (!spare)
        return custops__nomem();
    for (int c = 0; c < t->ncols; c++) {
        switch (t->width[c]) {
        case 1:
            GATHER(int8_t);
            break;
        case 2:
            GATHER(int16_t);
            break;
        case 4:
            GATHER(int32_t);
            break;
        default:
            GATHER(int64_t);
            break;
        }
        memcpy(t->col[c], spare, t->n * t->width[c]);
    }
    custops__free(spare);
    return CUSTOPS_OK;
}

/* Renumber the orders into (customer, time, old id) order: the intern
 * table's strings and offsets, its slots' ids, the ord rows and the order
 * codes of lines and refunds. Sorting the lines by order code then gives
 * (customer, time, order) order, and a pass over the sorted lines reads
 * ord sequentially. Everything is allocated first: it succeeds or changes
 * nothing. */
static int renumber_orders(custops_store *s)
{
    custops__intern *t = &s->orders;
    size_t no = t->count;
    uint32_t *perm; /* perm[new] = old */
    int rc = sort_perm(&s->ord, s->customers.count, O_CUSTOMER, O_TIME, -1, &perm);
    if (rc)
        return rc;
    size_t k = 0;
    while (k < no && perm[k] == k)
        k++;
    if (k == no) { /* already in order */
        custops__free(perm);
        return CUSTOPS_OK;
    }
    uint32_t *inv = custops__reallocarray(NULL, no, sizeof *inv); /* inv[old] = new */
    char *arena = custops__malloc(t->arena_len ? t->arena_len : 1);
    uint64_t *offsets = custops__reallocarray(NULL, no, sizeof *offsets);
    if (!inv || !arena || !offsets || (rc = custops__st_apply_perm(&s->ord, perm)) != 0) {
        custops__free(perm);
        custops__free(inv);
        custops__free(arena);
        custops__free(offsets);
        return rc ? rc : custops__nomem();
    }
    /* from here on nothing can fail */
    size_t len = 0;
    for (size_t i = 0; i < no; i++) {
        uint32_t old = perm[i];
        size_t end = old + 1 < no ? (size_t)t->offsets[old + 1] : t->arena_len, n = end - (size_t)t->offsets[old];
        memcpy(arena + len, t->arena + t->offsets[old], n);
        offsets[i] = len;
        len += n;
        inv[old] = (uint32_t)i;
    }
    custops__free(t->arena);
    custops__free(t->offsets);
    t->arena = arena;
    t->arena_cap = t->arena_len;
    t->offsets = offsets;
    t->ids_cap = (uint32_t)no;
    for (size_t i = 0; i < t->nslots; i++)
        if (t->slots[i])
            t->slots[i] = (t->slots[i] & 0xFFFFFFFF00000000ULL) | ((uint64_t)inv[(uint32_t)t->slots[i] - 1] + 1);
    /* new codes lie in the same range as the old: they fit the columns */
    for (size_t i = 0; i < s->lines.n; i++)
        st_put(&s->lines, L_ORDER, i, inv[st_get(&s->lines, L_ORDER, i)]);
    for (size_t i = 0; i < s->refunds.n; i++)
        st_put(&s->refunds, R_ORDER, i, inv[st_get(&s->refunds, R_ORDER, i)]);
    s->have_last_order = 0;
    custops__free(perm);
    custops__free(inv);
    return CUSTOPS_OK;
}

/* refunded column: every refund spread over its lines (lines are in order) */
static int spread_refunds(custops_store *s)
{
    size_t n = s->lines.n, no = s->orders.count;
    st_table *c = &s->lines;
    for (size_t i = 0; i < n; i++)
        st_put(c, L_REFUNDED, i, 0);
    if (s->refunds.n == 0)
        return CUSTOPS_OK;
    size_t *first = custops__calloc(no + 1, sizeof *first), *count = custops__calloc(no + 1, sizeof *count);
    int64_t *w = NULL, *share = NULL;
    size_t wcap = 0, scap = 0;
    int rc = (!first || !count) ? custops__nomem() : CUSTOPS_OK;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        size_t o = (size_t)st_get(c, L_ORDER, i);
        if (count[o]++ == 0)
            first[o] = i;
    }
    for (size_t r = 0; rc == 0 && r < s->refunds.n; r++) {
        size_t o = (size_t)st_get(&s->refunds, R_ORDER, r);
        int64_t sku = st_get(&s->refunds, R_SKU, r);
        size_t f = first[o], m = count[o], hits = 0;
        if (m == 0)
            continue; /* order purged */
        if ((rc = CUSTOPS__GROW(w, wcap, m)) || (rc = CUSTOPS__GROW(share, scap, m)))
            break;
        if (sku >= 0)
            for (size_t k = 0; k < m; k++)
                hits += st_get(c, L_SKU, f + k) == sku;
        int64_t pos = 0;
        for (size_t k = 0; k < m; k++) {
            int in = hits == 0 || st_get(c, L_SKU, f + k) == sku;
            w[k] = in ? st_get(c, L_AMOUNT, f + k) : 0;
            pos += w[k] > 0;
        }
        if (pos == 0) /* free lines only: split evenly */
            for (size_t k = 0; k < m; k++)
                w[k] = (hits == 0 || st_get(c, L_SKU, f + k) == sku) ? 1 : 0;
        int64_t amount = st_get(&s->refunds, R_AMOUNT, r);
        rc = custops_money_allocate(amount, w, m, share);
        if (rc == CUSTOPS_ERANGE) { /* weights too large to sum: split evenly over the same lines */
            for (size_t k = 0; k < m; k++)
                w[k] = w[k] > 0;
            rc = custops_money_allocate(amount, w, m, share);
        }
        if (rc)
            break;
        for (size_t k = 0; k < m && rc == 0; k++)
            rc = st_set(c, L_REFUNDED, f + k, st_add(st_get(c, L_REFUNDED, f + k), share[k]));
    }
    custops__free(first);
    custops__free(count);
    custops__free(w);
    custops__free(share);
    return rc;
}

int custops__st_prepare(custops_store *s)
{
    int rc;
    custops__st_table_shrink(&s->lines);
    custops__st_table_shrink(&s->events);
    custops__st_table_shrink(&s->refunds);
    custops__st_table_shrink(&s->ord);
    custops__st_table_shrink(&s->attrs);
    custops__intern_trim(&s->customers);
    custops__intern_trim(&s->orders);
    if (!s->lines_sorted) {
        uint32_t *perm;
        if ((rc = renumber_orders(s)) != 0 ||
            (rc = sort_perm(&s->lines, s->orders.count, L_ORDER, -1, -1, &perm)) != 0)
            return rc;
        rc = custops__st_apply_perm(&s->lines, perm);
        custops__free(perm);
        if (rc == 0)
            rc = spread_refunds(s);
        if (rc)
            return rc;
        s->lines_sorted = 1;
        s->have_last_order = 0;
    }
    if (!s->events_sorted) {
        uint32_t *perm;
        if ((rc = sort_perm(&s->events, s->customers.count, E_CUSTOMER, E_TIME, -1, &perm)) != 0)
            return rc;
        rc = custops__st_apply_perm(&s->events, perm);
        custops__free(perm);
        if (rc)
            return rc;
        s->events_sorted = 1;
    }
    return CUSTOPS_OK;
}

static const char *const LINE_COLS[ST_LINE_VIEW_COLS] = {"customer", "order",    "time",     "sku",    "category", "qty",
                                               "amount",   "discount", "refunded", "coupon", "channel"};
static const char *const EVENT_COLS[E_NCOLS] = {"customer", "time", "type", "sku", "category", "coupon"};

#define WIDEN(T)                                                                                                     \
    do {                                                                                                             \
        const T *from = t->col[c];                                                                                   \
        for (size_t i = 0; i < t->n; i++)                                                                            \
            v[i] = base + from[i];                                                                                   \
    } while (0)

/* column c of t as int64 values */
static void widen_col(const st_table *t, int c, int64_t *v)
{
    int64_t base = t->base[c];
    switch (t->width[c]) {
    case 1:
        WIDEN(int8_t);
        break;
    case 2:
        WIDEN(int16_t);
        break;
    case 4:
        WIDEN(int32_t);
        break;
    default:
        memcpy(v, t->col[c], t->n * sizeof *v);
        break;
    }
}

/* view column c: lines (s not NULL) read customer and time through their
 * orders, once per run of lines of one order */
static void view_col(const custops_store *s, const st_table *t, int c, int64_t *v)
{
    if (!s) {
        widen_col(t, c, v);
        return;
    }
    if (c != 0 && c != 2) {
        widen_col(t, c == 1 ? L_ORDER : c - 2, v);
        return;
    }
    int oc = c == 0 ? O_CUSTOMER : O_TIME;
    int64_t prev = -1, x = 0;
    for (size_t i = 0; i < t->n; i++) {
        int64_t o = st_get(t, L_ORDER, i);
        if (o != prev) {
            prev = o;
            x = st_get(&s->ord, oc, (size_t)o);
        }
        v[i] = x;
    }
}

/* the frame's int64 columns are copies of the narrow ones */
static int view(const custops_store *s, const st_table *t, int ncols, const char *const *names, custops_frame **out)
{
    custops_frame *f;
    int rc = custops_frame_new(&f);
    for (int c = 0; rc == 0 && c < ncols; c++) {
        int64_t *v = custops__reallocarray(NULL, t->n ? t->n : 1, sizeof *v);
        if (!v) {
            rc = custops__nomem();
            break;
        }
        if (t->n)
            view_col(s, t, c, v);
        rc = custops__frame_add_int64_owned(f, names[c], v, t->n);
    }
    if (rc) {
        custops_frame_free(f);
        return rc;
    }
    *out = f;
    return CUSTOPS_OK;
}

int custops_store_lines(custops_store *s, custops_frame **out)
{
    CUSTOPS__CHECK_NULL(out);
    *out = NULL;
    CUSTOPS__CHECK_NULL(s);
    int rc = custops__st_prepare(s);
    return rc ? rc : view(s, &s->lines, ST_LINE_VIEW_COLS, LINE_COLS, out);
}

int custops_store_events(custops_store *s, custops_frame **out)
{
    CUSTOPS__CHECK_NULL(out);
    *out = NULL;
    CUSTOPS__CHECK_NULL(s);
    int rc = custops__st_prepare(s);
    return rc ? rc : view(NULL, &s->events, E_NCOLS, EVENT_COLS, out);
}

int custops__st_intern_frame(const custops__intern *t, const char *col, custops_frame **out)
{
    *out = NULL;
    const char **v = custops__calloc(t->count ? t->count : 1, sizeof *v);
    if (!v)
        return custops__nomem();
    for (uint32_t i = 0; i < t->count; i++)
        v[i] = custops__intern_str(t, i);
    custops_frame *f;
    int rc = custops_frame_new(&f);
    if (rc == 0)
        rc = custops_frame_add_string(f, col, v, t->count);
    custops__free(v);
    if (rc) {
        custops_frame_free(f);
        return rc;
    }
    *out = f;
    return CUSTOPS_OK;
}

int custops_store_dict(const custops_store *s, const char *name, custops_frame **out)
{
    CUSTOPS__CHECK_NULL(out);
    *out = NULL;
    CUSTOPS__CHECK_NULL(s);
    CUSTOPS__CHECK_NULL(name);
    if (strcmp(name, "customer") == 0)
        return custops__st_intern_frame(&s->customers, "name", out);
    for (int d = 0; d < D_COUNT; d++)
        if (strcmp(name, custops__store_dict_names[d]) == 0)
            return custops__st_intern_frame(&s->dict[d], "name", out);
    return custops__err(CUSTOPS_ENOTFOUND,
                        "custops_store_dict: no dictionary '%s' (sku, category, coupon, channel, region, tag, customer)",
                        name);
}
