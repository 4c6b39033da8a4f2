/* The cart: every input of a quote except the ruleset and the clock. Strings
 * live in one arena (offsets, not pointers, so the arena may grow), lines
 * in one array: no allocation per line beyond amortized growth. */
#include "coupon_internal.h"

#include <stdio.h>

int cpn_cart_str_add(custops_cart *c, const char *s, size_t len, uint32_t *off)
{
    if (c->arena_len + len + 1 > UINT32_MAX)
        return custops__err(CUSTOPS_ELIMIT, "cart strings exceed 4 GiB");
    if (c->arena_len + len + 1 > c->arena_cap) {
        size_t cap = c->arena_cap ? c->arena_cap * 2 : 1024;
        while (cap < c->arena_len + len + 1)
            cap *= 2;
        char *m = custops__realloc(c->arena, cap);
        if (!m)
            return custops__nomem();
        c->arena = m;
        c->arena_cap = cap;
    }
    memcpy(c->arena + c->arena_len, s, len);
    c->arena[c->arena_len + len] = 0;
    *off = (uint32_t)c->arena_len;
    c->arena_len += len + 1;
    return 0;
}

static int str_add(custops_cart *c, const char *s, uint32_t *off) { return cpn_cart_str_add(c, s, strlen(s), off); }

/* the key of the cart string at off, for c->line_key, ref_key, wallet_key */
static cpn_skey str_key(const custops_cart *c, uint32_t off) { return cpn_skey_of(c->arena + off, c->arena_len - off); }

int custops_cart_new(custops_cart **out, const char *currency)
{
    CUSTOPS__CHECK_NULL(out);
    *out = NULL;
    CUSTOPS__CHECK_NULL(currency);
    int e;
    if (strlen(currency) != 3)
        return custops__err(CUSTOPS_EINVAL, "custops_cart_new: currency must be three letters");
    int rc = custops_currency_exponent(currency, &e);
    if (rc)
        return custops__err(rc, "custops_cart_new: unknown currency \"%s\"", currency);
    custops_cart *c = custops__calloc(1, sizeof *c);
    if (!c)
        return custops__nomem();
    memcpy(c->currency, currency, 4);
    c->exponent = e;
    uint32_t zero;
    if ((rc = cpn_cart_str_add(c, "", 0, &zero))) {
        custops__free(c);
        return rc;
    }
    *out = c;
    return 0;
}

void custops_cart_free(custops_cart *c)
{
    if (!c)
        return;
    custops__free(c->arena);
    custops__free(c->lines);
    custops__free(c->refs);
    custops__free(c->segments);
    custops__free(c->ctx);
    custops__free(c->codes);
    custops__free(c->wallet);
    custops__free(c->stock);
    custops__free(c->stock_n);
    custops__free(c->stock_slot);
    custops__free(c->line_key);
    custops__free(c->ref_key);
    custops__free(c->wallet_key);
    custops__free(c);
}

int custops_cart_add_line(custops_cart *c, const char *line_id, const char *sku, int64_t unit_price, int64_t qty)
{
    CUSTOPS__CHECK_NULL(c);
    CUSTOPS__CHECK_NULL(line_id);
    CUSTOPS__CHECK_NULL(sku);
    if (!line_id[0])
        return custops__err(CUSTOPS_EINVAL, "custops_cart_add_line: empty line id");
    if (unit_price < 0)
        return custops__err(CUSTOPS_EINVAL, "line %s: negative unit price", line_id);
    if (qty < 1 || qty > 1000000)
        return custops__err(CUSTOPS_EINVAL, "line %s: qty must be 1..1000000", line_id);
    int64_t total;
    if (custops_money_mul(unit_price, qty, &total))
        return custops__err(CUSTOPS_ERANGE, "line %s: unit price times qty overflows", line_id);
    if (c->nlines >= CUSTOPS_COUPON_MAX_LINES)
        return custops__err(CUSTOPS_ELIMIT, "a cart holds at most %d lines", CUSTOPS_COUPON_MAX_LINES);
    for (size_t i = 0; i < c->nlines; i++)
        if (strcmp(c->arena + c->lines[i].id, line_id) == 0)
            return custops__err(CUSTOPS_EEXISTS, "line id \"%s\" used twice", line_id);
    if (CUSTOPS__GROW(c->lines, c->lines_cap, c->nlines + 1) ||
        CUSTOPS__GROW(c->line_key, c->line_key_cap, c->nlines + 1))
        return CUSTOPS_ENOMEM;
    cpn_line *l = &c->lines[c->nlines];
    memset(l, 0, sizeof *l);
    int rc;
    if ((rc = str_add(c, line_id, &l->id)) || (rc = str_add(c, sku, &l->sku)))
        return rc;
    l->unit_price = unit_price;
    l->qty = qty;
    l->discountable = 1;
    l->cat0 = l->tag0 = (uint32_t)c->nrefs;
    c->line_key[c->nlines] = (struct cpn_line_key){str_key(c, l->sku), {0, 0, 0}};
    c->nlines++;
    return 0;
}

int custops_cart_line_attr(custops_cart *c, const char *key, const char *value)
{
    CUSTOPS__CHECK_NULL(c);
    CUSTOPS__CHECK_NULL(key);
    CUSTOPS__CHECK_NULL(value);
    if (!c->nlines)
        return custops__err(CUSTOPS_EINVAL, "custops_cart_line_attr: add a line first");
    cpn_line *l = &c->lines[c->nlines - 1];
    if (strcmp(key, "discountable") == 0) {
        if (strcmp(value, "true") && strcmp(value, "false"))
            return custops__err(CUSTOPS_EINVAL, "discountable must be \"true\" or \"false\"");
        l->discountable = strcmp(value, "true") == 0;
        return 0;
    }
    if (strcmp(key, "brand") == 0) {
        int rc = str_add(c, value, &l->brand);
        if (!rc)
            c->line_key[c->nlines - 1].brand = str_key(c, l->brand);
        return rc;
    }
    int cat = strcmp(key, "category") == 0;
    if (!cat && strcmp(key, "tag") != 0)
        return custops__err(CUSTOPS_EINVAL, "unknown line attribute \"%s\" (category, brand, tag, discountable)", key);
    if ((cat ? l->ncat : l->ntag) >= 64)
        return custops__err(CUSTOPS_ELIMIT, "more than 64 %ss on a line", key);
    /* categories and tags of the last line are kept as two runs at the end of refs:
     * [cat0, cat0+ncat) then [tag0, tag0+ntag); adding a category shifts the tags */
    uint32_t off;
    int rc = str_add(c, value, &off);
    if (rc || (rc = CUSTOPS__GROW(c->refs, c->refs_cap, c->nrefs + 1)) ||
        (rc = CUSTOPS__GROW(c->ref_key, c->ref_key_cap, c->nrefs + 1)))
        return rc;
    if (cat) {
        memmove(c->refs + l->tag0 + 1, c->refs + l->tag0, l->ntag * sizeof *c->refs);
        memmove(c->ref_key + l->tag0 + 1, c->ref_key + l->tag0, l->ntag * sizeof *c->ref_key);
        c->refs[l->cat0 + l->ncat] = off;
        c->ref_key[l->cat0 + l->ncat] = str_key(c, off);
        l->ncat++;
        l->tag0++;
    } else {
        c->refs[l->tag0 + l->ntag] = off;
        c->ref_key[l->tag0 + l->ntag] = str_key(c, off);
        l->ntag++;
    }
    c->nrefs++;
    return 0;
}

int custops_cart_set_shipping(custops_cart *c, int64_t fee)
{
    CUSTOPS__CHECK_NULL(c);
    if (fee < 0)
        return custops__err(CUSTOPS_EINVAL, "custops_cart_set_shipping: negative fee");
    c->shipping = fee;
    return 0;
}

int custops_cart_set_customer(custops_cart *c, const char *customer_id, int known, int64_t paid_orders,
                              const char *tier)
{
    CUSTOPS__CHECK_NULL(c);
    if (paid_orders < 0)
        return custops__err(CUSTOPS_EINVAL, "custops_cart_set_customer: negative paid_orders");
    int rc = str_add(c, customer_id ? customer_id : "", &c->customer_id);
    if (!rc)
        rc = str_add(c, tier ? tier : "", &c->tier);
    c->known = known != 0 && customer_id && customer_id[0];
    c->paid_orders = paid_orders;
    return rc;
}

static int add_off(custops_cart *c, uint32_t **arr, size_t *n, size_t *cap, const char *s)
{
    uint32_t off;
    int rc = str_add(c, s, &off);
    if (rc || (rc = custops__grow((void **)arr, cap, *n + 1, sizeof **arr)))
        return rc;
    (*arr)[(*n)++] = off;
    return 0;
}

int custops_cart_add_segment(custops_cart *c, const char *segment)
{
    CUSTOPS__CHECK_NULL(c);
    CUSTOPS__CHECK_NULL(segment);
    if (c->nsegments >= 10000)
        return custops__err(CUSTOPS_ELIMIT, "more than 10000 segments");
    return add_off(c, &c->segments, &c->nsegments, &c->segments_cap, segment);
}

const char *cpn_cart_ctx(const custops_cart *c, const char *key)
{
    for (size_t i = 0; i < c->nctx; i++)
        if (strcmp(c->arena + c->ctx[i].key, key) == 0)
            return c->arena + c->ctx[i].value;
    return NULL;
}

int custops_cart_set_ctx(custops_cart *c, const char *key, const char *value)
{
    CUSTOPS__CHECK_NULL(c);
    CUSTOPS__CHECK_NULL(key);
    CUSTOPS__CHECK_NULL(value);
    if (!key[0])
        return custops__err(CUSTOPS_EINVAL, "custops_cart_set_ctx: empty key");
    uint32_t v;
    int rc = str_add(c, value, &v);
    if (rc)
        return rc;
    for (size_t i = 0; i < c->nctx; i++)
        if (strcmp(c->arena + c->ctx[i].key, key) == 0) {
            c->ctx[i].value = v;
            return 0;
        }
    if (c->nctx >= 1000)
        return custops__err(CUSTOPS_ELIMIT, "more than 1000 context attributes");
    uint32_t k;
    if ((rc = str_add(c, key, &k)) || (rc = CUSTOPS__GROW(c->ctx, c->ctx_cap, c->nctx + 1)))
        return rc;
    c->ctx[c->nctx++] = (cpn_kv){k, v};
    return 0;
}

int custops_cart_add_code(custops_cart *c, const char *code)
{
    CUSTOPS__CHECK_NULL(c);
    CUSTOPS__CHECK_NULL(code);
    if (!code[0] || strlen(code) > 256)
        return custops__err(CUSTOPS_EINVAL, "custops_cart_add_code: a code has 1 to 256 bytes");
    if (c->ncodes + c->nwallet >= CUSTOPS_COUPON_MAX_CODES)
        return custops__err(CUSTOPS_ELIMIT, "more than %d codes and wallet coupons", CUSTOPS_COUPON_MAX_CODES);
    int rc = add_off(c, &c->codes, &c->ncodes, &c->codes_cap, code);
    if (!rc) /* codes match case-insensitively: keep them upper-case */
        for (char *p = c->arena + c->codes[c->ncodes - 1]; *p; p++)
            if (*p >= 'a' && *p <= 'z')
                *p = (char)(*p - 32);
    return rc;
}

int custops_cart_add_wallet(custops_cart *c, const char *instance_id, const char *rule_id)
{
    CUSTOPS__CHECK_NULL(c);
    CUSTOPS__CHECK_NULL(instance_id);
    CUSTOPS__CHECK_NULL(rule_id);
    if (!instance_id[0] || !rule_id[0])
        return custops__err(CUSTOPS_EINVAL, "custops_cart_add_wallet: empty instance or rule id");
    if (c->ncodes + c->nwallet >= CUSTOPS_COUPON_MAX_CODES)
        return custops__err(CUSTOPS_ELIMIT, "more than %d codes and wallet coupons", CUSTOPS_COUPON_MAX_CODES);
    uint32_t a, b;
    int rc;
    if ((rc = str_add(c, instance_id, &a)) || (rc = str_add(c, rule_id, &b)) ||
        (rc = CUSTOPS__GROW(c->wallet, c->wallet_cap, c->nwallet + 1)) ||
        (rc = CUSTOPS__GROW(c->wallet_key, c->wallet_key_cap, c->nwallet + 1)))
        return rc;
    c->wallet_key[c->nwallet] = str_key(c, b);
    c->wallet[c->nwallet++] = (cpn_kv){a, b};
    return 0;
}

/* enter stock entry i in c->stock_slot, which has an empty slot */
static void stock_slot_put(custops_cart *c, size_t i)
{
    uint32_t off = c->stock[i].key;
    cpn_skey k = cpn_skey_of(c->arena + off, c->arena_len - off);
    size_t mask = ((size_t)1 << c->stock_bits) - 1, s = cpn_skey_slot(&k, 0, c->stock_bits);
    while (c->stock_slot[s].n)
        s = (s + 1) & mask;
    c->stock_slot[s] = (struct cpn_stock_slot){k, i + 1};
}

/* room in c->stock_slot for n entries: at most half full, or doubled and
 * the entries so far entered again */
static int stock_slot_room(custops_cart *c, size_t n)
{
    if (c->stock_slot && 2 * n <= (size_t)1 << c->stock_bits)
        return 0;
    unsigned bits = c->stock_slot ? c->stock_bits + 1 : 3;
    struct cpn_stock_slot *t = custops__calloc((size_t)1 << bits, sizeof *t);
    if (!t)
        return custops__nomem();
    custops__free(c->stock_slot);
    c->stock_slot = t;
    c->stock_bits = bits;
    for (size_t i = 0; i < c->nstock; i++)
        stock_slot_put(c, i);
    return 0;
}

int custops_cart_set_stock(custops_cart *c, const char *sku, int64_t stock)
{
    CUSTOPS__CHECK_NULL(c);
    CUSTOPS__CHECK_NULL(sku);
    if (stock < 0)
        return custops__err(CUSTOPS_EINVAL, "custops_cart_set_stock: negative stock");
    ptrdiff_t at = cpn_cart_stock_find(c, sku);
    if (at >= 0) {
        c->stock_n[at] = stock;
        return 0;
    }
    if (c->nstock >= 10000)
        return custops__err(CUSTOPS_ELIMIT, "more than 10000 stock entries");
    size_t cap = c->stock_cap;
    uint32_t k;
    int rc;
    if ((rc = str_add(c, sku, &k)) || (rc = CUSTOPS__GROW(c->stock, c->stock_cap, c->nstock + 1)))
        return rc;
    if (c->stock_cap != cap || !c->stock_n) {
        int64_t *m = custops__reallocarray(c->stock_n, c->stock_cap, sizeof *m);
        if (!m)
            return custops__nomem();
        c->stock_n = m;
    }
    if ((rc = stock_slot_room(c, c->nstock + 1)))
        return rc;
    c->stock[c->nstock] = (cpn_kv){k, 0};
    c->stock_n[c->nstock] = stock;
    stock_slot_put(c, c->nstock++);
    return 0;
}

int custops_cart_now(const custops_cart *c, int64_t *now_out)
{
    CUSTOPS__CHECK_NULL(now_out);
    *now_out = 0;
    CUSTOPS__CHECK_NULL(c);
    if (!c->has_now)
        return custops__err(CUSTOPS_ENOTFOUND, "the cart has no \"now\"");
    *now_out = c->now;
    return 0;
}

/* ---- JSON ---- */

static int str_list(custops_cart *c, const cpn_jdoc *d, const cpn_json *v, const char *key, int which)
{
    if (!v)
        return 0;
    if (v->type == JS_STR) {
        if (which == 0)
            return custops_cart_line_attr(c, key, v->s);
        return which == 1 ? custops_cart_add_segment(c, v->s) : custops_cart_add_code(c, v->s);
    }
    if (v->type != JS_ARR)
        return cpn_json_err(d, v, "\"%s\" must be a string or an array of strings", key);
    for (uint32_t i = 0; i < v->count; i++) {
        const char *s;
        int rc = cpn_json_str(d, cpn_json_at(d, v, i), &s);
        if (!rc)
            rc = which == 0 ? custops_cart_line_attr(c, key, s)
                 : which == 1 ? custops_cart_add_segment(c, s) : custops_cart_add_code(c, s);
        if (rc)
            return rc;
    }
    return 0;
}

static int scalar_text(const cpn_jdoc *d, const cpn_json *v, char *buf, size_t cap, const char **out)
{
    if (v->type == JS_STR) {
        *out = v->s;
    } else if (v->type == JS_NUM) {
        snprintf(buf, cap, "%.*s", (int)(v->len < cap ? v->len : cap - 1), v->s);
        *out = buf;
    } else if (v->type == JS_BOOL) {
        *out = v->b ? "true" : "false";
    } else {
        return cpn_json_err(d, v, "expected a string, number or boolean");
    }
    return 0;
}

/* A cart call failed on the value v: put v's line and column in front of
 * its message but keep its status, so running out of memory stays ENOMEM
 * and a limit stays ELIMIT instead of turning into a parse error. */
static int at_node(const cpn_jdoc *d, const cpn_json *v, int rc)
{
    if (rc == CUSTOPS_ENOMEM)
        return rc;
    char msg[256];
    snprintf(msg, sizeof msg, "%s", custops_last_error());
    return custops__err(rc, "%s:%d:%d: %s", d->what, v->line, v->col, msg);
}

static int cart_from(custops_cart **out, const cpn_jdoc *d)
{
    const cpn_json *root = &d->nodes[0], *v;
    if (root->type != JS_OBJ)
        return cpn_json_err(d, root, "a cart is a JSON object");
    const char *cur = "CNY";
    int rc;
    if ((v = cpn_json_get(d, root, "currency")) && (rc = cpn_json_str(d, v, &cur)))
        return rc;
    custops_cart *c;
    if ((rc = custops_cart_new(&c, cur)))
        return v ? at_node(d, v, rc) : rc;
    *out = c;
    const cpn_json *lines = cpn_json_get(d, root, "lines");
    if (lines && lines->type != JS_ARR)
        return cpn_json_err(d, lines, "\"lines\" must be an array");
    for (uint32_t i = 0; lines && i < lines->count; i++) {
        const cpn_json *l = cpn_json_at(d, lines, i);
        const char *id, *sku;
        int64_t price, qty = 1;
        if (!l || l->type != JS_OBJ)
            return cpn_json_err(d, l, "a line is an object");
        if ((rc = cpn_json_str(d, cpn_json_get(d, l, "id"), &id)) || (rc = cpn_json_str(d, cpn_json_get(d, l, "sku"), &sku)))
            return rc;
        if ((rc = cpn_json_money(d, cpn_json_get(d, l, "unit_price"), c->exponent, &price)))
            return rc;
        if ((v = cpn_json_get(d, l, "qty")) && (rc = cpn_json_i64(d, v, &qty)))
            return rc;
        if ((rc = custops_cart_add_line(c, id, sku, price, qty)))
            return at_node(d, l, rc);
        if ((rc = str_list(c, d, cpn_json_get(d, l, "category"), "category", 0)) ||
            (rc = str_list(c, d, cpn_json_get(d, l, "tags"), "tag", 0)))
            return rc;
        if ((v = cpn_json_get(d, l, "brand"))) {
            const char *brand;
            if ((rc = cpn_json_str(d, v, &brand)) || (rc = custops_cart_line_attr(c, "brand", brand)))
                return rc;
        }
        if ((v = cpn_json_get(d, l, "discountable"))) {
            if (v->type != JS_BOOL)
                return cpn_json_err(d, v, "\"discountable\" must be true or false");
            c->lines[c->nlines - 1].discountable = v->b;
        }
    }
    if ((v = cpn_json_get(d, root, "shipping"))) {
        int64_t fee;
        if ((rc = cpn_json_money(d, v, c->exponent, &fee)))
            return rc;
        if (fee < 0)
            return cpn_json_err(d, v, "negative shipping fee");
        c->shipping = fee;
    }
    const cpn_json *cust = cpn_json_get(d, root, "customer");
    if (cust) {
        if (cust->type != JS_OBJ)
            return cpn_json_err(d, cust, "\"customer\" must be an object");
        const char *id = "", *tier = "";
        int64_t paid = 0;
        int known = 0;
        if ((v = cpn_json_get(d, cust, "id")) && v->type != JS_NULL && (rc = cpn_json_str(d, v, &id)))
            return rc;
        if ((v = cpn_json_get(d, cust, "tier")) && v->type != JS_NULL && (rc = cpn_json_str(d, v, &tier)))
            return rc;
        if ((v = cpn_json_get(d, cust, "paid_orders")) && (rc = cpn_json_i64(d, v, &paid)))
            return rc;
        if ((v = cpn_json_get(d, cust, "known"))) {
            if (v->type != JS_BOOL)
                return cpn_json_err(d, v, "\"known\" must be true or false");
            known = v->b;
        } else {
            known = id[0] != 0;
        }
        if ((rc = custops_cart_set_customer(c, id, known, paid, tier)))
            return at_node(d, cust, rc);
        if ((rc = str_list(c, d, cpn_json_get(d, cust, "segments"), "segments", 1)))
            return rc;
        /* other customer fields (referrer, points, ...) become context attributes */
        for (uint32_t i = 0; i + 1 < cust->count; i += 2) {
            const cpn_json *k = &d->nodes[d->kids[cust->first + i]], *val = &d->nodes[d->kids[cust->first + i + 1]];
            if (!strcmp(k->s, "id") || !strcmp(k->s, "tier") || !strcmp(k->s, "paid_orders") ||
                !strcmp(k->s, "known") || !strcmp(k->s, "segments") || val->type == JS_NULL)
                continue;
            char buf[64];
            const char *text;
            if ((rc = scalar_text(d, val, buf, sizeof buf, &text)) || (rc = custops_cart_set_ctx(c, k->s, text)))
                return rc;
        }
    }
    const cpn_json *ctx = cpn_json_get(d, root, "ctx");
    if (ctx) {
        if (ctx->type != JS_OBJ)
            return cpn_json_err(d, ctx, "\"ctx\" must be an object");
        for (uint32_t i = 0; i + 1 < ctx->count; i += 2) {
            const cpn_json *k = &d->nodes[d->kids[ctx->first + i]], *val = &d->nodes[d->kids[ctx->first + i + 1]];
            char buf[64];
            const char *text;
            if ((rc = scalar_text(d, val, buf, sizeof buf, &text)) || (rc = custops_cart_set_ctx(c, k->s, text)))
                return rc;
        }
    }
    if ((rc = str_list(c, d, cpn_json_get(d, root, "codes"), "codes", 2)))
        return rc;
    const cpn_json *wallet = cpn_json_get(d, root, "wallet");
    if (wallet && wallet->type != JS_ARR)
        return cpn_json_err(d, wallet, "\"wallet\" must be an array");
    for (uint32_t i = 0; wallet && i < wallet->count; i++) {
        const cpn_json *w = cpn_json_at(d, wallet, i);
        const char *id, *rule;
        if ((rc = cpn_json_str(d, cpn_json_get(d, w, "id"), &id)) || (rc = cpn_json_str(d, cpn_json_get(d, w, "rule"), &rule)) ||
            (rc = custops_cart_add_wallet(c, id, rule)))
            return rc;
    }
    const cpn_json *stock = cpn_json_get(d, root, "stock");
    if (stock && stock->type != JS_OBJ)
        return cpn_json_err(d, stock, "\"stock\" must be an object of sku: units");
    for (uint32_t i = 0; stock && i + 1 < stock->count; i += 2) {
        const cpn_json *k = &d->nodes[d->kids[stock->first + i]], *val = &d->nodes[d->kids[stock->first + i + 1]];
        int64_t n;
        if ((rc = cpn_json_i64(d, val, &n)))
            return rc;
        if ((rc = custops_cart_set_stock(c, k->s, n)))
            return at_node(d, val, rc);
    }
    if ((v = cpn_json_get(d, root, "now"))) {
        if (v->type == JS_NUM) {
            if ((rc = cpn_json_i64(d, v, &c->now)))
                return rc;
        } else {
            const char *s;
            if ((rc = cpn_json_str(d, v, &s)))
                return rc;
            if (custops_time_parse(s, NULL, &c->now))
                return cpn_json_err(d, v, "bad \"now\" (use 2025-11-11T00:30:00+08:00 or Unix seconds)");
        }
        c->has_now = 1;
    }
    return 0;
}

int custops_cart_from_json(custops_cart **out, const char *json, size_t len)
{
    CUSTOPS__CHECK_NULL(out);
    *out = NULL;
    CUSTOPS__CHECK_NULL(json);
    cpn_jdoc d;
    int rc = cpn_json_parse(&d, json, len, "<cart.json>");
    if (rc)
        return rc;
    custops_cart *c = NULL;
    rc = cart_from(&c, &d);
    cpn_json_release(&d);
    if (rc) {
        custops_cart_free(c);
        return rc;
    }
    *out = c;
    return 0;
}
