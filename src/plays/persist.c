/* Save and load the journey engine (kind "JRNY", version 1): the plays
 * text, every interned string in id order, journeys, the event and send
 * logs with their chains, consent and send hours. The loader recompiles
 * the plays, re-interns the strings (ids must come back identical) and
 * checks every index, so a damaged file can never point outside arrays. */
#include "plays_internal.h"

#define KIND "JRNY"
#define VERSION 1

static void put_strings(custops__buf *b, const custops__intern *t)
{
    custops__buf_u64(b, t->count);
    for (uint32_t i = 0; i < t->count; i++)
        custops__buf_str(b, custops__intern_str(t, i));
}

int custops_journeys_save(const custops_journeys *j, const char *path)
{
    CUSTOPS__CHECK_NULL(j);
    CUSTOPS__CHECK_NULL(path);
    custops__buf b;
    custops__buf_init(&b);
    custops__buf_str(&b, j->text);
    custops__buf_str(&b, custops_zone_name(j->zone));
    custops__buf_i64(&b, j->last_now);
    put_strings(&b, &j->strings);
    put_strings(&b, &j->customers);
    custops__buf_u64(&b, j->nj);
    for (size_t i = 0; i < j->nj; i++) {
        const journey *x = &j->js[i];
        custops__buf_u32(&b, x->play);
        custops__buf_u32(&b, x->customer);
        custops__buf_u32(&b, x->key);
        custops__buf_u32(&b, x->step);
        custops__buf_u8(&b, x->status);
        custops__buf_u8(&b, x->deferred);
        custops__buf_i64(&b, x->trigger);
        custops__buf_i64(&b, x->cursor);
    }
    custops__buf_u64(&b, j->nev);
    for (size_t i = 0; i < j->nev; i++) {
        custops__buf_u32(&b, j->ev_type[i]);
        custops__buf_u32(&b, j->ev_key[i]);
        custops__buf_u32(&b, j->ev_next[i]);
        custops__buf_i64(&b, j->ev_time[i]);
    }
    custops__buf_u64(&b, j->nsd);
    for (size_t i = 0; i < j->nsd; i++) {
        custops__buf_u32(&b, j->sd_channel[i]);
        custops__buf_u32(&b, j->sd_next[i]);
        custops__buf_i64(&b, j->sd_time[i]);
    }
    for (uint32_t c = 0; c < j->customers.count; c++) {
        custops__buf_u32(&b, j->ev_head[c]);
        custops__buf_u32(&b, j->sd_head[c]);
        custops__buf_u8(&b, (uint8_t)j->send_hour[c]);
    }
    custops__buf_u64(&b, j->nconsent);
    for (size_t i = 0; i < j->consent_slots; i++)
        if (j->consent[i])
            custops__buf_u64(&b, j->consent[i] - 1);
    int rc = custops__buf_status(&b);
    if (rc == 0)
        rc = custops__save_atomic(path, KIND, VERSION, b.data, b.len);
    custops__buf_release(&b);
    return rc;
}

static int bad(const char *path, const char *what)
{
    return custops__err(CUSTOPS_ECORRUPT, "%s: %s", path, what);
}

static int get_strings(custops__rd *r, custops__intern *t, const char *path)
{
    uint64_t n;
    int rc = custops__rd_count(r, &n, 4);
    for (uint64_t i = 0; rc == 0 && i < n; i++) {
        char *s;
        if ((rc = custops__rd_str(r, &s)) != 0)
            break;
        uint32_t id;
        rc = custops__intern_put(t, s, strlen(s), &id, NULL);
        custops__free(s);
        if (rc == 0 && id != i)
            rc = bad(path, "string table does not match the plays it was saved with");
    }
    if (rc == 0 && t->count != n)
        rc = bad(path, "string table has duplicates");
    return rc;
}

static int load_body(custops_journeys *j, custops__rd *r, const char *path)
{
    int rc = custops__rd_i64(r, &j->last_now);
    if (rc == 0)
        rc = get_strings(r, &j->strings, path);
    if (rc == 0)
        rc = get_strings(r, &j->customers, path);
    if (rc)
        return rc;
    uint32_t ns = j->strings.count, nc = j->customers.count;
    if ((rc = custops__plays_customer_table_ready(j)) != 0)
        return rc;
    uint64_t n;
    if ((rc = custops__rd_count(r, &n, 34)) != 0)
        return rc;
    for (uint64_t i = 0; i < n; i++) {
        journey x;
        uint32_t step;
        memset(&x, 0, sizeof x);
        if ((rc = custops__rd_u32(r, &x.play)) || (rc = custops__rd_u32(r, &x.customer)) ||
            (rc = custops__rd_u32(r, &x.key)) || (rc = custops__rd_u32(r, &step)) || (rc = custops__rd_u8(r, &x.status)) ||
            (rc = custops__rd_u8(r, &x.deferred)) || (rc = custops__rd_i64(r, &x.trigger)) ||
            (rc = custops__rd_i64(r, &x.cursor)))
            return rc;
        if (x.play >= j->nplays || x.customer >= nc || x.key >= ns || step > (uint32_t)j->plays[x.play].nsteps ||
            x.status > J_STOPPED)
            return bad(path, "journey refers outside the saved tables");
        x.step = (uint16_t)step;
        if ((rc = custops__plays_journey_start(j, x.play, x.customer, x.key, x.trigger)) != 0)
            return rc;
        if (j->nj != i + 1)
            return bad(path, "duplicate journey");
        j->js[i] = x;
    }
    if ((rc = custops__rd_count(r, &n, 20)) != 0)
        return rc;
    if (n) {
        j->ev_type = custops__calloc(n, sizeof *j->ev_type);
        j->ev_key = custops__calloc(n, sizeof *j->ev_key);
        j->ev_next = custops__calloc(n, sizeof *j->ev_next);
        j->ev_time = custops__calloc(n, sizeof *j->ev_time);
        if (!j->ev_type || !j->ev_key || !j->ev_next || !j->ev_time)
            return custops__nomem();
        j->evcap = n;
    }
    for (uint64_t i = 0; i < n; i++) {
        if ((rc = custops__rd_u32(r, &j->ev_type[i])) || (rc = custops__rd_u32(r, &j->ev_key[i])) ||
            (rc = custops__rd_u32(r, &j->ev_next[i])) || (rc = custops__rd_i64(r, &j->ev_time[i])))
            return rc;
        /* chains point to older entries only, so they can never loop */
        if (j->ev_type[i] >= ns || j->ev_key[i] >= ns || (j->ev_next[i] != NONE32 && j->ev_next[i] >= i))
            return bad(path, "event log refers outside the saved tables");
        j->nev = (size_t)i + 1;
    }
    if ((rc = custops__rd_count(r, &n, 16)) != 0)
        return rc;
    if (n) {
        j->sd_channel = custops__calloc(n, sizeof *j->sd_channel);
        j->sd_next = custops__calloc(n, sizeof *j->sd_next);
        j->sd_time = custops__calloc(n, sizeof *j->sd_time);
        if (!j->sd_channel || !j->sd_next || !j->sd_time)
            return custops__nomem();
        j->sdcap = n;
    }
    for (uint64_t i = 0; i < n; i++) {
        if ((rc = custops__rd_u32(r, &j->sd_channel[i])) || (rc = custops__rd_u32(r, &j->sd_next[i])) ||
            (rc = custops__rd_i64(r, &j->sd_time[i])))
            return rc;
        if (j->sd_channel[i] >= ns || (j->sd_next[i] != NONE32 && j->sd_next[i] >= i))
            return bad(path, "send log refers outside the saved tables");
        j->nsd = (size_t)i + 1;
    }
    for (uint32_t c = 0; c < nc; c++) {
        uint8_t hour;
        if ((rc = custops__rd_u32(r, &j->ev_head[c])) || (rc = custops__rd_u32(r, &j->sd_head[c])) ||
            (rc = custops__rd_u8(r, &hour)))
            return rc;
        if ((j->ev_head[c] != NONE32 && j->ev_head[c] >= j->nev) || (j->sd_head[c] != NONE32 && j->sd_head[c] >= j->nsd) ||
            (hour > 23 && hour != 0xFF))
            return bad(path, "customer table refers outside the saved logs");
        j->send_hour[c] = (int8_t)hour;
    }
    if ((rc = custops__rd_count(r, &n, 8)) != 0)
        return rc;
    for (uint64_t i = 0; i < n; i++) {
        uint64_t k;
        if ((rc = custops__rd_u64(r, &k)) != 0)
            return rc;
        if ((k >> 32) >= nc || (k & 0xFFFFFFFFu) >= ns)
            return bad(path, "consent entry refers outside the saved tables");
        if ((rc = custops__plays_consent_put(j, (uint32_t)(k >> 32), (uint32_t)k, 1)) != 0)
            return rc;
    }
    if (custops__rd_left(r) != 0)
        return bad(path, "trailing bytes after the journey state");
    return CUSTOPS_OK;
}

int custops_journeys_load(custops_journeys **out, const char *path)
{
    CUSTOPS__CHECK_NULL(out);
    *out = NULL;
    CUSTOPS__CHECK_NULL(path);
    void *payload;
    size_t len;
    uint32_t version;
    int rc = custops__load_file(path, KIND, VERSION, &payload, &len, &version);
    if (rc)
        return rc;
    custops__rd r;
    custops__rd_init(&r, payload, len, path);
    char *text = NULL, *zone = NULL;
    custops_journeys *j = NULL;
    rc = custops__rd_str(&r, &text);
    if (rc == 0)
        rc = custops__rd_str(&r, &zone);
    if (rc == 0) {
        rc = custops_journeys_new(&j, text, zone);
        /* the text was compiled when saved: failing now means the file lies */
        if (rc && rc != CUSTOPS_ENOMEM) {
            custops__err_prefix("%s: saved plays do not compile: ", path);
            rc = CUSTOPS_ECORRUPT;
        }
    }
    if (rc == 0)
        rc = load_body(j, &r, path);
    custops__free(text);
    custops__free(zone);
    custops__free(payload);
    if (rc) {
        custops_journeys_free(j);
        return rc;
    }
    *out = j;
    return CUSTOPS_OK;
}
