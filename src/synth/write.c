/*
 * Writers of the synthetic store: the four CSV files of docs/formats.md,
 * or one mixed JSON Lines file, plus truth.json. Rows are formatted into
 * memory buffers that are streamed to temporary files whenever they pass
 * a megabyte, so memory stays flat however many customers are asked for;
 * the files are renamed into place only when all of them are complete.
 */
#include "synth_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#define FLUSH_AT (1u << 20)

enum { F_ORDERS, F_REFUNDS, F_EVENTS, F_CUSTOMERS, NFILES };
static const char *const CSV_NAMES[NFILES] = {"orders.csv", "refunds.csv", "events.csv", "customers.csv"};
static const char *const CSV_HEADERS[NFILES] = {
    "order_id,customer_id,time,currency,sku,category,qty,unit_price,discount,coupon_code,channel\n",
    "refund_id,order_id,time,sku,qty,amount\n",
    "customer_id,time,type,sku,category,coupon_code\n",
    "customer_id,gender,birth_year,region,member_since,tags,consent_sms,consent_email,consent_push\n",
};

/* prefix + v zero-padded to width digits (faster than snprintf, and v >= 0 always) */
static void format_id(char buf[24], char prefix, int64_t v, int width)
{
    char tmp[24];
    int n = 0;
    uint64_t u = (uint64_t)v;
    do {
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u && n < 20);
    while (n < width)
        tmp[n++] = '0';
    buf[0] = prefix;
    for (int i = 0; i < n; i++)
        buf[1 + i] = tmp[n - 1 - i];
    buf[1 + n] = '\0';
}

void synth_customer_id(char buf[24], int64_t index) { format_id(buf, 'C', index + 1, 7); }
void synth_order_id(char buf[24], int64_t seq) { format_id(buf, 'O', seq, 8); }
void synth_refund_id(char buf[24], int64_t seq) { format_id(buf, 'R', seq, 7); }

/* ---- small appenders (no printf in the row loops) ---- */

static void put_str(custops__buf *b, const char *s) { custops__buf_append(b, s, strlen(s)); }
static void put_ch(custops__buf *b, char c) { custops__buf_append(b, &c, 1); }

static void put_int(custops__buf *b, int64_t v)
{
    char tmp[24];
    int n = 0;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    do {
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        tmp[n++] = '-';
    char out[24];
    for (int i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    custops__buf_append(b, out, (size_t)n);
}

static void put_money(custops__buf *b, int64_t minor, int exponent)
{
    char tmp[32];
    custops_money_format(minor, exponent, tmp, sizeof tmp); /* 32 bytes always suffice */
    put_str(b, tmp);
}

static void put_time(custops__buf *b, const synth_gen *g, int64_t t)
{
    char tmp[40];
    custops_time_format(t, g->zone, tmp, sizeof tmp); /* 32 bytes always suffice */
    put_str(b, tmp);
}

/* JSON: "key": and a string value. Our strings never need escapes, but a
 * caller-chosen zone or currency goes through here too, so escape anyway. */
static void put_jstr(custops__buf *b, const char *s)
{
    put_ch(b, '"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            put_ch(b, '\\');
            put_ch(b, (char)c);
        } else if (c < 0x20) {
            char esc[8];
            snprintf(esc, sizeof esc, "\\u%04x", c);
            put_str(b, esc);
        } else {
            put_ch(b, (char)c);
        }
    }
    put_ch(b, '"');
}

static void put_key(custops__buf *b, const char *key)
{
    put_str(b, ", ");
    put_jstr(b, key);
    put_str(b, ": ");
}

/* ---- records ---- */

static void csv_order_lines(custops__buf *b, const synth_gen *g, const synth_customer *c, const synth_order *o)
{
    const synth_catalog *cat = &g->cat;
    char cid[24], oid[24], when[40];
    synth_customer_id(cid, c->person.index);
    synth_order_id(oid, o->seq);
    custops_time_format(o->time, g->zone, when, sizeof when);
    for (int32_t l = o->first_line; l < o->first_line + o->nlines; l++) {
        const synth_line *ln = &c->lines[l];
        put_str(b, oid);
        put_ch(b, ',');
        put_str(b, cid);
        put_ch(b, ',');
        put_str(b, when);
        put_ch(b, ',');
        put_str(b, g->o.currency);
        put_ch(b, ',');
        put_str(b, cat->sku_names[ln->sku]);
        put_ch(b, ',');
        put_str(b, cat->cat_names[cat->sku_cat[ln->sku]]);
        put_ch(b, ',');
        put_int(b, ln->qty);
        put_ch(b, ',');
        put_money(b, ln->unit_price, cat->exponent);
        put_ch(b, ',');
        put_money(b, ln->discount, cat->exponent);
        put_ch(b, ',');
        if (o->coupon >= 0)
            put_str(b, cat->coupons[o->coupon].code);
        put_ch(b, ',');
        put_str(b, synth_channel_names[o->channel]);
        put_ch(b, '\n');
    }
}

static void json_order_lines(custops__buf *b, const synth_gen *g, const synth_customer *c, const synth_order *o)
{
    const synth_catalog *cat = &g->cat;
    char cid[24], oid[24], when[40];
    synth_customer_id(cid, c->person.index);
    synth_order_id(oid, o->seq);
    custops_time_format(o->time, g->zone, when, sizeof when);
    for (int32_t l = o->first_line; l < o->first_line + o->nlines; l++) {
        const synth_line *ln = &c->lines[l];
        put_str(b, "{\"kind\": \"order_line\"");
        put_key(b, "order_id");
        put_jstr(b, oid);
        put_key(b, "customer_id");
        put_jstr(b, cid);
        put_key(b, "time");
        put_jstr(b, when);
        put_key(b, "currency");
        put_jstr(b, g->o.currency);
        put_key(b, "sku");
        put_jstr(b, cat->sku_names[ln->sku]);
        put_key(b, "category");
        put_jstr(b, cat->cat_names[cat->sku_cat[ln->sku]]);
        put_key(b, "qty");
        put_int(b, ln->qty);
        put_key(b, "unit_price");
        put_money(b, ln->unit_price, cat->exponent);
        put_key(b, "discount");
        put_money(b, ln->discount, cat->exponent);
        if (o->coupon >= 0) {
            put_key(b, "coupon_code");
            put_jstr(b, cat->coupons[o->coupon].code);
        }
        put_key(b, "channel");
        put_jstr(b, synth_channel_names[o->channel]);
        put_str(b, "}\n");
    }
}

static void refund_record(custops__buf *b, const synth_gen *g, const synth_customer *c, const synth_refund *r, int json)
{
    const synth_catalog *cat = &g->cat;
    char rid[24], oid[24];
    synth_refund_id(rid, r->seq);
    synth_order_id(oid, c->orders[r->order].seq);
    if (!json) {
        put_str(b, rid);
        put_ch(b, ',');
        put_str(b, oid);
        put_ch(b, ',');
        put_time(b, g, r->time);
        put_ch(b, ',');
        if (r->sku >= 0)
            put_str(b, cat->sku_names[r->sku]);
        put_ch(b, ',');
        if (r->sku >= 0)
            put_int(b, r->qty);
        put_ch(b, ',');
        put_money(b, r->amount, cat->exponent);
        put_ch(b, '\n');
        return;
    }
    put_str(b, "{\"kind\": \"refund\"");
    put_key(b, "refund_id");
    put_jstr(b, rid);
    put_key(b, "order_id");
    put_jstr(b, oid);
    put_key(b, "time");
    char when[40];
    custops_time_format(r->time, g->zone, when, sizeof when);
    put_jstr(b, when);
    if (r->sku >= 0) {
        put_key(b, "sku");
        put_jstr(b, cat->sku_names[r->sku]);
        put_key(b, "qty");
        put_int(b, r->qty);
    }
    put_key(b, "amount");
    put_money(b, r->amount, cat->exponent);
    put_str(b, "}\n");
}

static void event_record(custops__buf *b, const synth_gen *g, const synth_customer *c, const synth_event *e, int json)
{
    const synth_catalog *cat = &g->cat;
    char cid[24], when[40];
    synth_customer_id(cid, c->person.index);
    custops_time_format(e->time, g->zone, when, sizeof when);
    if (!json) {
        put_str(b, cid);
        put_ch(b, ',');
        put_str(b, when);
        put_ch(b, ',');
        put_str(b, synth_event_names[e->type]);
        put_ch(b, ',');
        if (e->sku >= 0) {
            put_str(b, cat->sku_names[e->sku]);
            put_ch(b, ',');
            put_str(b, cat->cat_names[cat->sku_cat[e->sku]]);
        } else {
            put_ch(b, ',');
        }
        put_ch(b, ',');
        if (e->coupon >= 0)
            put_str(b, cat->coupons[e->coupon].code);
        put_ch(b, '\n');
        return;
    }
    put_str(b, "{\"kind\": \"event\"");
    put_key(b, "customer_id");
    put_jstr(b, cid);
    put_key(b, "time");
    put_jstr(b, when);
    put_key(b, "type");
    put_jstr(b, synth_event_names[e->type]);
    if (e->sku >= 0) {
        put_key(b, "sku");
        put_jstr(b, cat->sku_names[e->sku]);
        put_key(b, "category");
        put_jstr(b, cat->cat_names[cat->sku_cat[e->sku]]);
    }
    if (e->coupon >= 0) {
        put_key(b, "coupon_code");
        put_jstr(b, cat->coupons[e->coupon].code);
    }
    put_str(b, "}\n");
}

static void tags_text(char *out, size_t cap, unsigned tags)
{
    size_t len = 0;
    out[0] = '\0';
    for (int i = 0; i < SYNTH_NTAGS; i++)
        if (tags & (1u << i))
            len += (size_t)snprintf(out + len, cap - len, "%s%s", len ? "|" : "", synth_tag_names[i]);
}

static void customer_record(custops__buf *b, const synth_gen *g, const synth_customer *c, int json)
{
    const synth_person *p = &c->person;
    static const char *const genders[3] = {"", "f", "m"};
    char cid[24], tags[128];
    synth_customer_id(cid, p->index);
    tags_text(tags, sizeof tags, p->tags);
    if (!json) {
        put_str(b, cid);
        put_ch(b, ',');
        put_str(b, genders[p->gender]);
        put_ch(b, ',');
        if (p->birth_year)
            put_int(b, p->birth_year);
        put_ch(b, ',');
        put_str(b, synth_region_names[p->region]);
        put_ch(b, ',');
        if (p->member_since >= 0)
            put_time(b, g, p->member_since);
        put_ch(b, ',');
        put_str(b, tags);
        put_str(b, p->consent_sms ? ",1" : ",0");
        put_str(b, p->consent_email ? ",1" : ",0");
        put_str(b, p->consent_push ? ",1\n" : ",0\n");
        return;
    }
    put_str(b, "{\"kind\": \"customer\"");
    put_key(b, "customer_id");
    put_jstr(b, cid);
    if (p->gender) {
        put_key(b, "gender");
        put_jstr(b, genders[p->gender]);
    }
    if (p->birth_year) {
        put_key(b, "birth_year");
        put_int(b, p->birth_year);
    }
    put_key(b, "region");
    put_jstr(b, synth_region_names[p->region]);
    if (p->member_since >= 0) {
        char when[40];
        custops_time_format(p->member_since, g->zone, when, sizeof when);
        put_key(b, "member_since");
        put_jstr(b, when);
    }
    if (tags[0]) {
        put_key(b, "tags");
        put_jstr(b, tags);
    }
    put_key(b, "consent_sms");
    put_int(b, p->consent_sms);
    put_key(b, "consent_email");
    put_int(b, p->consent_email);
    put_key(b, "consent_push");
    put_int(b, p->consent_push);
    put_str(b, "}\n");
}

/* One customer as JSON Lines: the customer, then events, order lines and
 * refunds merged in time order (events first at equal times). */
static int json_customer(custops__buf *b, const synth_gen *g, synth_customer *c)
{
    customer_record(b, g, c, 1);
    /* refunds in time order (few per customer: insertion sort) */
    for (size_t k = 1; k < c->nrefunds; k++) {
        synth_refund t = c->refunds[k];
        size_t j = k;
        while (j > 0 && (c->refunds[j - 1].time > t.time ||
                         (c->refunds[j - 1].time == t.time && c->refunds[j - 1].seq > t.seq))) {
            c->refunds[j] = c->refunds[j - 1];
            j--;
        }
        c->refunds[j] = t;
    }
    size_t ie = 0, io = 0, ir = 0;
    while (ie < c->nevents || io < c->norders || ir < c->nrefunds) {
        int64_t te = ie < c->nevents ? c->events[ie].time : INT64_MAX;
        int64_t to = io < c->norders ? c->orders[io].time : INT64_MAX;
        int64_t tr = ir < c->nrefunds ? c->refunds[ir].time : INT64_MAX;
        if (ie < c->nevents && te <= to && te <= tr)
            event_record(b, g, c, &c->events[ie++], 1);
        else if (io < c->norders && to <= tr)
            json_order_lines(b, g, c, &c->orders[io++]);
        else
            refund_record(b, g, c, &c->refunds[ir++], 1);
    }
    return custops__buf_status(b);
}

static int csv_customer(custops__buf bufs[NFILES], const synth_gen *g, const synth_customer *c)
{
    customer_record(&bufs[F_CUSTOMERS], g, c, 0);
    for (size_t k = 0; k < c->norders; k++)
        csv_order_lines(&bufs[F_ORDERS], g, c, &c->orders[k]);
    for (size_t k = 0; k < c->nrefunds; k++)
        refund_record(&bufs[F_REFUNDS], g, c, &c->refunds[k], 0);
    for (size_t k = 0; k < c->nevents; k++)
        event_record(&bufs[F_EVENTS], g, c, &c->events[k], 0);
    for (int f = 0; f < NFILES; f++)
        if (custops__buf_status(&bufs[f]))
            return CUSTOPS_ENOMEM;
    return CUSTOPS_OK;
}

/* Shortest text that reads back as the same double (deterministic: printf
 * and strtod of glibc and every C99 library are exact). */
static void put_double(custops__buf *b, double v)
{
    char tmp[40];
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(tmp, sizeof tmp, "%.*g", prec, v);
        if (strtod(tmp, NULL) == v)
            break;
    }
    put_str(b, tmp);
}

static int build_truth(const synth_gen *g, custops__buf *b)
{
    const custops_synth_options *o = &g->o;
    const synth_catalog *cat = &g->cat;
    char date[16];
    int y, m, d;
    put_str(b, "{\n  \"generator\": \"libcustops synth\",\n  \"format\": 1,\n  \"seed\": ");
    char seed[24];
    snprintf(seed, sizeof seed, "%llu", (unsigned long long)o->seed);
    put_str(b, seed);
    put_str(b, ",\n  \"customers\": ");
    put_int(b, o->customers);
    custops_day_to_date(o->start_day, &y, &m, &d);
    snprintf(date, sizeof date, "%04d-%02d-%02d", y, m, d);
    put_str(b, ",\n  \"start\": ");
    put_jstr(b, date);
    custops_day_to_date(o->end_day, &y, &m, &d);
    snprintf(date, sizeof date, "%04d-%02d-%02d", y, m, d);
    put_str(b, ",\n  \"end\": ");
    put_jstr(b, date);
    put_str(b, ",\n  \"zone\": ");
    put_jstr(b, o->zone);
    put_str(b, ",\n  \"currency\": ");
    put_jstr(b, o->currency);
    put_str(b, ",\n  \"time_unit\": \"day\",\n  \"bgnbd\": {\"r\": ");
    put_double(b, o->r);
    put_str(b, ", \"alpha\": ");
    put_double(b, o->alpha);
    put_str(b, ", \"a\": ");
    put_double(b, o->a);
    put_str(b, ", \"b\": ");
    put_double(b, o->b);
    put_str(b, "},\n  \"gamma_gamma\": {\"p\": ");
    put_double(b, o->p);
    put_str(b, ", \"q\": ");
    put_double(b, o->q);
    put_str(b, ", \"gamma\": ");
    put_double(b, o->gamma);
    put_str(b, ", \"unit\": \"major\"},\n  \"acquisition_share\": ");
    put_double(b, o->acquisition_share);
    put_str(b, ",\n  \"coupon_propensity\": ");
    put_double(b, o->coupon_propensity);
    put_str(b, ",\n  \"refund_rate\": ");
    put_double(b, o->refund_rate);
    put_str(b, ",\n  \"events_per_order\": ");
    put_double(b, o->events_per_order);
    put_str(b, o->double11 ? ",\n  \"double11\": true" : ",\n  \"double11\": false");
    put_str(b, ",\n  \"coupons\": [");
    for (int j = 0; j < SYNTH_NCOUPONS; j++) {
        put_str(b, j ? ", {\"code\": " : "{\"code\": ");
        put_jstr(b, cat->coupons[j].code);
        put_str(b, ", \"threshold\": ");
        put_money(b, cat->coupons[j].threshold, cat->exponent);
        put_str(b, ", \"off\": ");
        put_money(b, cat->coupons[j].off, cat->exponent);
        put_ch(b, '}');
    }
    put_str(b, "],\n  \"sku_cycles\": {");
    int first = 1;
    for (int32_t i = 0; i < cat->nskus; i++) {
        if (!cat->cycle[i])
            continue;
        put_str(b, first ? "\n    " : ",\n    ");
        first = 0;
        put_jstr(b, cat->sku_names[i]);
        put_str(b, ": ");
        put_int(b, cat->cycle[i]);
    }
    put_str(b, first ? "},\n  \"counts\": {\"customers\": " : "\n  },\n  \"counts\": {\"customers\": ");
    put_int(b, o->customers);
    put_str(b, ", \"orders\": ");
    put_int(b, g->n_orders);
    put_str(b, ", \"order_lines\": ");
    put_int(b, g->n_lines);
    put_str(b, ", \"refunds\": ");
    put_int(b, g->n_refunds);
    put_str(b, ", \"events\": ");
    put_int(b, g->n_events);
    put_str(b, "}\n}\n");
    return custops__buf_status(b);
}

static int ensure_dir(const char *dir)
{
    struct stat st;
    if (stat(dir, &st) == 0) {
        if (!S_ISDIR(st.st_mode))
            return custops__err(CUSTOPS_EIO, "%s: exists and is not a directory", dir);
        return CUSTOPS_OK;
    }
    if (mkdir(dir, 0755) != 0 && errno != EEXIST)
        return custops__err(CUSTOPS_EIO, "%s: cannot create directory: %s", dir, strerror(errno));
    return CUSTOPS_OK;
}

int custops_synth_write(const custops_synth_options *opts, const char *dir)
{
    CUSTOPS__CHECK_NULL(dir);
    if (!dir[0])
        return custops__err(CUSTOPS_EINVAL, "custops_synth_write: argument 'dir' is empty");
    synth_gen g;
    int rc = synth_gen_init(&g, opts);
    if (rc)
        return rc;
    if ((rc = ensure_dir(dir)) != 0) {
        synth_gen_release(&g);
        return rc;
    }
    int nfiles = g.o.jsonl ? 1 : NFILES;
    custops__wfile files[NFILES + 1]; /* the data files and truth.json */
    custops__buf bufs[NFILES + 1];
    for (int f = 0; f <= NFILES; f++) {
        files[f].fd = -1;
        files[f].tmp = files[f].path = NULL;
        custops__buf_init(&bufs[f]);
    }
    size_t dl = strlen(dir);
    char *path = custops__malloc(dl + 32);
    synth_customer c;
    memset(&c, 0, sizeof c);
    if (!path) {
        rc = custops__nomem();
        goto out;
    }
    for (int f = 0; f < nfiles; f++) {
        snprintf(path, dl + 32, "%s/%s", dir, g.o.jsonl ? "store.jsonl" : CSV_NAMES[f]);
        if ((rc = custops__wfile_open(&files[f], path)) != 0)
            goto out;
        if (!g.o.jsonl)
            put_str(&bufs[f], CSV_HEADERS[f]);
    }
    for (int64_t i = 0; i < g.o.customers; i++) {
        if ((rc = synth_gen_customer(&g, i, &c)) != 0)
            goto out;
        rc = g.o.jsonl ? json_customer(&bufs[0], &g, &c) : csv_customer(bufs, &g, &c);
        if (rc) {
            rc = custops__nomem();
            goto out;
        }
        int last = i + 1 == g.o.customers;
        for (int f = 0; f < nfiles; f++)
            if (bufs[f].len >= FLUSH_AT || last) {
                if ((rc = custops__wfile_write(&files[f], bufs[f].data, bufs[f].len)) != 0)
                    goto out;
                bufs[f].len = 0;
            }
        if (g.o.progress && (((i + 1) & 1023) == 0 || last) && g.o.progress(g.o.progress_ud, i + 1, g.o.customers)) {
            rc = custops__err(CUSTOPS_ESTATE, "custops_synth_write: cancelled by the progress callback after %lld customers",
                              (long long)(i + 1));
            goto out;
        }
    }
    /* everything that can run out of memory happens before the first rename */
    snprintf(path, dl + 32, "%s/truth.json", dir);
    if ((rc = build_truth(&g, &bufs[NFILES])) != 0 || (rc = custops__wfile_open(&files[NFILES], path)) != 0 ||
        (rc = custops__wfile_write(&files[NFILES], bufs[NFILES].data, bufs[NFILES].len)) != 0)
        goto out;
    for (int f = 0; f < nfiles; f++)
        if ((rc = custops__wfile_commit(&files[f])) != 0)
            goto out;
    rc = custops__wfile_commit(&files[NFILES]);
out:
    for (int f = 0; f <= NFILES; f++) {
        custops__wfile_abort(&files[f]);
        custops__buf_release(&bufs[f]);
    }
    custops__free(path);
    synth_customer_release(&c);
    synth_gen_release(&g);
    return rc;
}
