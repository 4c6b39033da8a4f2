/* In-process ledger backend. Strings are interned once and records hold
 * their ids, so a reservation costs about 64 bytes. Transactions keep an
 * undo log: rollback reverses each change in turn (counter additions by
 * subtracting, record writes by restoring the saved copy), which is what
 * makes a refused multi-counter reservation all-or-nothing here too.
 * Overdue reservations are found through a min-heap on their deadline
 * whose stale entries are dropped lazily.
 *
 * The journal's SHA-256 chain is computed lazily: a transition only
 * appends its record, and the hashes of the records not yet hashed are
 * computed (in order, each linking to the one before) the first time
 * anything reads the head or the records. The bytes produced are the same
 * as hashing at once; the hot path just does not pay ~1 us per record. */
#include "ledger/ledger_internal.h"

typedef struct mcoupon {
    uint32_t code, owner, campaign;
    uint8_t present;
    int32_t restore;
    int64_t max_uses, max_per_customer, valid_from, valid_until, issued_at;
} mcoupon;

typedef struct mcounter {
    int64_t lim, used, reserved;
    uint8_t present;
} mcounter;

typedef struct mres {
    uint32_t order, code, customer, campaign;
    int32_t state, per_customer;
    uint8_t present;
    int64_t amount, reversed, created, expires;
} mres;

typedef struct midem {
    uint64_t req_hash;
    int32_t state;
    uint8_t present;
    int64_t seq, amount, expires;
} midem;

typedef struct mjrec {
    int64_t seq, ts;
    size_t off, len;
    unsigned char hash[32];
} mjrec;

typedef struct mheap {
    int64_t expires;
    uint32_t res;
} mheap;

enum { U_COUPON, U_COUNTER_CREATE, U_COUNTER_ADD, U_RES, U_IDEM, U_JOURNAL };

typedef struct mundo {
    int kind;
    uint32_t id;
    int64_t a, b, c;
    mres res;   /* previous record for U_RES */
    midem idem; /* previous record for U_IDEM */
} mundo;

typedef struct membe {
    lg_backend base;
    custops__intern strs, coupon_keys, counter_keys, res_keys, idem_keys;
    mcoupon *coupons;
    size_t coupons_cap;
    mcounter *counters;
    size_t counters_cap;
    mres *res;
    size_t res_cap;
    midem *idem;
    size_t idem_cap;
    mjrec *jrecs;
    size_t njrecs, jrecs_cap;
    size_t nhashed; /* jrecs[0 .. nhashed) have their hash */
    custops__buf jbodies;
    mheap *heap;
    size_t nheap, heap_cap;
    mundo *undo;
    size_t nundo, undo_cap;
    int in_txn;
} membe;

/* ---- helpers ---- */

static int str_id(membe *m, const char *s, uint32_t *id)
{
    return custops__intern_put(&m->strs, s, strlen(s), id, NULL);
}

static const char *str_of(const membe *m, uint32_t id) { return custops__intern_str(&m->strs, id); }

/* Make sure arr (indexed by intern id) covers id; new slots are zeroed (absent). */
static int cover(void **arr, size_t *cap, uint32_t id, size_t elem)
{
    if ((size_t)id < *cap)
        return 0;
    size_t old = *cap;
    int rc = custops__grow(arr, cap, (size_t)id + 1, elem);
    if (rc)
        return rc;
    memset((char *)*arr + old * elem, 0, (*cap - old) * elem);
    return 0;
}

static int undo_slot(membe *m, mundo **u)
{
    int rc = CUSTOPS__GROW(m->undo, m->undo_cap, m->nundo + 1);
    if (rc)
        return rc;
    *u = &m->undo[m->nundo++];
    return 0;
}

static void heap_up(membe *m, size_t i)
{
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (m->heap[p].expires <= m->heap[i].expires)
            break;
        mheap t = m->heap[p];
        m->heap[p] = m->heap[i];
        m->heap[i] = t;
        i = p;
    }
}

static void heap_pop(membe *m)
{
    m->heap[0] = m->heap[--m->nheap];
    size_t i = 0;
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, s = i;
        if (l < m->nheap && m->heap[l].expires < m->heap[s].expires)
            s = l;
        if (r < m->nheap && m->heap[r].expires < m->heap[s].expires)
            s = r;
        if (s == i)
            break;
        mheap t = m->heap[s];
        m->heap[s] = m->heap[i];
        m->heap[i] = t;
        i = s;
    }
}

static int heap_push(membe *m, int64_t expires, uint32_t res)
{
    int rc = CUSTOPS__GROW(m->heap, m->heap_cap, m->nheap + 1);
    if (rc)
        return rc;
    m->heap[m->nheap].expires = expires;
    m->heap[m->nheap].res = res;
    heap_up(m, m->nheap++);
    return 0;
}

/* ---- transactions ---- */

static int mem_begin(lg_backend *b, const lg_hint *h)
{
    (void)h;
    membe *m = (membe *)b;
    m->nundo = 0;
    m->in_txn = 1;
    return 0;
}

static int mem_commit(lg_backend *b)
{
    membe *m = (membe *)b;
    m->nundo = 0;
    m->in_txn = 0;
    return 0;
}

static void mem_rollback(lg_backend *b)
{
    membe *m = (membe *)b;
    while (m->nundo > 0) {
        mundo *u = &m->undo[--m->nundo];
        switch (u->kind) {
        case U_COUPON: m->coupons[u->id].present = 0; break;
        case U_COUNTER_CREATE: m->counters[u->id].present = 0; break;
        case U_COUNTER_ADD:
            m->counters[u->id].lim -= u->a;
            m->counters[u->id].used -= u->b;
            m->counters[u->id].reserved -= u->c;
            break;
        case U_RES:
            m->res[u->id] = u->res;
            /* its heap entry may have been dropped as stale meanwhile */
            if (u->res.present && u->res.state == CUSTOPS_LEDGER_PENDING)
                (void)heap_push(m, u->res.expires, u->id);
            break;
        case U_IDEM: m->idem[u->id] = u->idem; break;
        case U_JOURNAL:
            m->njrecs = (size_t)u->a;
            m->jbodies.len = (size_t)u->b;
            if (m->nhashed > m->njrecs)
                m->nhashed = m->njrecs;
            break;
        }
    }
    m->in_txn = 0;
}

/* ---- coupons ---- */

static int mem_coupon_get(lg_backend *b, const char *code, lg_coupon *out)
{
    membe *m = (membe *)b;
    uint32_t id;
    if (custops__intern_get(&m->coupon_keys, code, strlen(code), &id) || id >= m->coupons_cap ||
        !m->coupons[id].present)
        return CUSTOPS_ENOTFOUND;
    const mcoupon *c = &m->coupons[id];
    strcpy(out->code, str_of(m, c->code));
    strcpy(out->owner, str_of(m, c->owner));
    strcpy(out->campaign, str_of(m, c->campaign));
    out->max_uses = c->max_uses;
    out->max_per_customer = c->max_per_customer;
    out->valid_from = c->valid_from;
    out->valid_until = c->valid_until;
    out->issued_at = c->issued_at;
    out->restore = c->restore;
    return 0;
}

static int mem_coupon_insert(lg_backend *b, const lg_coupon *c)
{
    membe *m = (membe *)b;
    uint32_t id;
    mcoupon n;
    memset(&n, 0, sizeof n);
    int rc = custops__intern_put(&m->coupon_keys, c->code, strlen(c->code), &id, NULL);
    if (!rc)
        rc = cover((void **)&m->coupons, &m->coupons_cap, id, sizeof *m->coupons);
    if (rc)
        return rc;
    if (m->coupons[id].present)
        return CUSTOPS_EEXISTS;
    if ((rc = str_id(m, c->code, &n.code)) || (rc = str_id(m, c->owner, &n.owner)) ||
        (rc = str_id(m, c->campaign, &n.campaign)))
        return rc;
    mundo *u;
    if ((rc = undo_slot(m, &u)))
        return rc;
    u->kind = U_COUPON;
    u->id = id;
    n.present = 1;
    n.restore = c->restore;
    n.max_uses = c->max_uses;
    n.max_per_customer = c->max_per_customer;
    n.valid_from = c->valid_from;
    n.valid_until = c->valid_until;
    n.issued_at = c->issued_at;
    m->coupons[id] = n;
    return 0;
}

static int mem_coupon_scan(lg_backend *b, lg_coupon_cb cb, void *ud)
{
    membe *m = (membe *)b;
    for (uint32_t i = 0; i < m->coupon_keys.count; i++) {
        if (i >= m->coupons_cap || !m->coupons[i].present)
            continue;
        lg_coupon c;
        mem_coupon_get(b, custops__intern_str(&m->coupon_keys, i), &c);
        int rc = cb(ud, &c);
        if (rc)
            return rc;
    }
    return 0;
}

/* ---- counters ---- */

static int counter_find(membe *m, const char *key, uint32_t *id)
{
    if (custops__intern_get(&m->counter_keys, key, strlen(key), id) || *id >= m->counters_cap ||
        !m->counters[*id].present)
        return CUSTOPS_ENOTFOUND;
    return 0;
}

static int mem_counter_create(lg_backend *b, const char *key, int64_t lim)
{
    membe *m = (membe *)b;
    uint32_t id;
    int rc = custops__intern_put(&m->counter_keys, key, strlen(key), &id, NULL);
    if (!rc)
        rc = cover((void **)&m->counters, &m->counters_cap, id, sizeof *m->counters);
    if (rc)
        return rc;
    if (m->counters[id].present)
        return 0;
    mundo *u;
    if ((rc = undo_slot(m, &u)))
        return rc;
    u->kind = U_COUNTER_CREATE;
    u->id = id;
    m->counters[id].lim = lim;
    m->counters[id].used = 0;
    m->counters[id].reserved = 0;
    m->counters[id].present = 1;
    return 0;
}

static int mem_counter_add(lg_backend *b, const char *key, int64_t dl, int64_t du, int64_t dr, int guard)
{
    membe *m = (membe *)b;
    uint32_t id;
    if (counter_find(m, key, &id))
        return CUSTOPS_ENOTFOUND;
    mcounter *c = &m->counters[id];
    if (guard && c->lim >= 0 && c->used + c->reserved + du + dr > c->lim + dl)
        return CUSTOPS_ELIMIT;
    mundo *u;
    int rc = undo_slot(m, &u);
    if (rc)
        return rc;
    u->kind = U_COUNTER_ADD;
    u->id = id;
    u->a = dl;
    u->b = du;
    u->c = dr;
    c->lim += dl;
    c->used += du;
    c->reserved += dr;
    return 0;
}

static int mem_counter_get(lg_backend *b, const char *key, int64_t *lim, int64_t *used, int64_t *reserved)
{
    membe *m = (membe *)b;
    uint32_t id;
    if (counter_find(m, key, &id))
        return CUSTOPS_ENOTFOUND;
    *lim = m->counters[id].lim;
    *used = m->counters[id].used;
    *reserved = m->counters[id].reserved;
    return 0;
}

static int mem_counter_scan(lg_backend *b, lg_counter_cb cb, void *ud)
{
    membe *m = (membe *)b;
    for (uint32_t i = 0; i < m->counter_keys.count; i++) {
        if (i >= m->counters_cap || !m->counters[i].present)
            continue;
        const mcounter *c = &m->counters[i];
        int rc = cb(ud, custops__intern_str(&m->counter_keys, i), c->lim, c->used, c->reserved);
        if (rc)
            return rc;
    }
    return 0;
}

/* ---- reservations ---- */

static int res_key(char *buf, const char *order, const char *code)
{
    size_t a = strlen(order), c = strlen(code);
    memcpy(buf, order, a);
    buf[a] = 0x1f;
    memcpy(buf + a + 1, code, c);
    return (int)(a + 1 + c);
}

static void res_out(const membe *m, const mres *r, lg_res *out)
{
    strcpy(out->order, str_of(m, r->order));
    strcpy(out->code, str_of(m, r->code));
    strcpy(out->customer, str_of(m, r->customer));
    strcpy(out->campaign, str_of(m, r->campaign));
    out->state = r->state;
    out->per_customer = r->per_customer;
    out->amount = r->amount;
    out->reversed = r->reversed;
    out->created = r->created;
    out->expires = r->expires;
}

static int mem_res_get(lg_backend *b, const char *order, const char *code, lg_res *out)
{
    membe *m = (membe *)b;
    char key[2 * LG_ID + 1];
    int n = res_key(key, order, code);
    uint32_t id;
    if (custops__intern_get(&m->res_keys, key, (size_t)n, &id) || id >= m->res_cap || !m->res[id].present)
        return CUSTOPS_ENOTFOUND;
    res_out(m, &m->res[id], out);
    return 0;
}

static int mem_res_put(lg_backend *b, const lg_res *r)
{
    membe *m = (membe *)b;
    char key[2 * LG_ID + 1];
    int n = res_key(key, r->order, r->code);
    uint32_t id;
    mres x;
    memset(&x, 0, sizeof x);
    int rc = custops__intern_put(&m->res_keys, key, (size_t)n, &id, NULL);
    if (!rc)
        rc = cover((void **)&m->res, &m->res_cap, id, sizeof *m->res);
    if (rc || (rc = str_id(m, r->order, &x.order)) || (rc = str_id(m, r->code, &x.code)) ||
        (rc = str_id(m, r->customer, &x.customer)) || (rc = str_id(m, r->campaign, &x.campaign)))
        return rc;
    if (r->state == CUSTOPS_LEDGER_PENDING && (rc = heap_push(m, r->expires, id)))
        return rc;
    mundo *u;
    if ((rc = undo_slot(m, &u)))
        return rc;
    u->kind = U_RES;
    u->id = id;
    u->res = m->res[id];
    x.state = r->state;
    x.per_customer = r->per_customer;
    x.present = 1;
    x.amount = r->amount;
    x.reversed = r->reversed;
    x.created = r->created;
    x.expires = r->expires;
    m->res[id] = x;
    return 0;
}

static int mem_res_next_expired(lg_backend *b, int64_t now, lg_res *out)
{
    membe *m = (membe *)b;
    while (m->nheap > 0 && m->heap[0].expires <= now) {
        const mres *r = &m->res[m->heap[0].res];
        if (r->present && r->state == CUSTOPS_LEDGER_PENDING && r->expires == m->heap[0].expires) {
            res_out(m, r, out);
            return 0; /* left in place: the caller's res_put makes it stale */
        }
        heap_pop(m);
    }
    return CUSTOPS_ENOTFOUND;
}

static int mem_res_scan(lg_backend *b, lg_res_cb cb, void *ud)
{
    membe *m = (membe *)b;
    for (uint32_t i = 0; i < m->res_keys.count; i++) {
        if (i >= m->res_cap || !m->res[i].present)
            continue;
        lg_res r;
        res_out(m, &m->res[i], &r);
        int rc = cb(ud, &r);
        if (rc)
            return rc;
    }
    return 0;
}

/* ---- idempotency keys ---- */

static int mem_idem_get(lg_backend *b, const char *key, lg_idem *out)
{
    membe *m = (membe *)b;
    uint32_t id;
    if (custops__intern_get(&m->idem_keys, key, strlen(key), &id) || id >= m->idem_cap || !m->idem[id].present)
        return CUSTOPS_ENOTFOUND;
    const midem *d = &m->idem[id];
    strcpy(out->key, key);
    out->req_hash = d->req_hash;
    out->state = d->state;
    out->seq = d->seq;
    out->amount = d->amount;
    out->expires = d->expires;
    return 0;
}

static int mem_idem_put(lg_backend *b, const lg_idem *r)
{
    membe *m = (membe *)b;
    uint32_t id;
    int rc = custops__intern_put(&m->idem_keys, r->key, strlen(r->key), &id, NULL);
    if (!rc)
        rc = cover((void **)&m->idem, &m->idem_cap, id, sizeof *m->idem);
    mundo *u;
    if (rc || (rc = undo_slot(m, &u)))
        return rc;
    u->kind = U_IDEM;
    u->id = id;
    u->idem = m->idem[id];
    midem *d = &m->idem[id];
    d->req_hash = r->req_hash;
    d->state = r->state;
    d->seq = r->seq;
    d->amount = r->amount;
    d->expires = r->expires;
    d->present = 1;
    return 0;
}

/* ---- journal ---- */

/* Hash every record not hashed yet, in order. */
static void seal(membe *m)
{
    lg_jrec r;
    r.chain = "";
    for (; m->nhashed < m->njrecs; m->nhashed++) {
        mjrec *j = &m->jrecs[m->nhashed];
        if (m->nhashed == 0)
            memset(r.prev, 0, 32);
        else
            memcpy(r.prev, m->jrecs[m->nhashed - 1].hash, 32);
        r.seq = j->seq;
        r.ts = j->ts;
        r.body = (const char *)m->jbodies.data + j->off;
        r.body_len = j->len;
        custops__ledger_journal_hash(&r, j->hash);
    }
}

static int mem_journal_head(lg_backend *b, const char *chain, int64_t *seq, unsigned char hash[32])
{
    (void)chain; /* one chain */
    membe *m = (membe *)b;
    if (m->njrecs == 0) {
        *seq = 0;
        if (hash)
            memset(hash, 0, 32);
        return 0;
    }
    *seq = m->jrecs[m->njrecs - 1].seq;
    if (hash) {
        seal(m);
        memcpy(hash, m->jrecs[m->njrecs - 1].hash, 32);
    }
    return 0;
}

static int mem_journal_append(lg_backend *b, const lg_jrec *r)
{
    membe *m = (membe *)b;
    size_t off = m->jbodies.len;
    mundo *u;
    int rc = CUSTOPS__GROW(m->jrecs, m->jrecs_cap, m->njrecs + 1);
    if (!rc)
        rc = custops__buf_append(&m->jbodies, r->body, r->body_len);
    if (!rc && (rc = undo_slot(m, &u)) == 0) {
        u->kind = U_JOURNAL;
        u->a = (int64_t)m->njrecs;
        u->b = (int64_t)off;
    }
    if (rc) {
        m->jbodies.len = off;
        m->jbodies.failed = 0;
        return rc;
    }
    mjrec *j = &m->jrecs[m->njrecs++];
    j->seq = r->seq;
    j->ts = r->ts;
    j->off = off;
    j->len = r->body_len; /* its hash: seal() */
    return 0;
}

static int mem_journal_scan(lg_backend *b, lg_jrec_cb cb, void *ud)
{
    membe *m = (membe *)b;
    lg_jrec r;
    r.chain = "";
    memset(r.prev, 0, 32);
    seal(m);
    for (size_t i = 0; i < m->njrecs; i++) {
        const mjrec *j = &m->jrecs[i];
        r.seq = j->seq;
        r.ts = j->ts;
        r.body = (const char *)m->jbodies.data + j->off;
        r.body_len = j->len;
        memcpy(r.hash, j->hash, 32);
        int rc = cb(ud, &r);
        if (rc)
            return rc;
        memcpy(r.prev, j->hash, 32);
    }
    return 0;
}

static void mem_close(lg_backend *b)
{
    membe *m = (membe *)b;
    custops__intern_release(&m->strs);
    custops__intern_release(&m->coupon_keys);
    custops__intern_release(&m->counter_keys);
    custops__intern_release(&m->res_keys);
    custops__intern_release(&m->idem_keys);
    custops__free(m->coupons);
    custops__free(m->counters);
    custops__free(m->res);
    custops__free(m->idem);
    custops__free(m->jrecs);
    custops__buf_release(&m->jbodies);
    custops__free(m->heap);
    custops__free(m->undo);
    custops__free(m);
}

static const lg_backend_ops MEMORY_OPS = {
    .name = "memory",
    .chains = 0,
    .lazy_hash = 1,
    .begin = mem_begin,
    .commit = mem_commit,
    .rollback = mem_rollback,
    .coupon_get = mem_coupon_get,
    .coupon_insert = mem_coupon_insert,
    .counter_create = mem_counter_create,
    .counter_add = mem_counter_add,
    .counter_get = mem_counter_get,
    .res_get = mem_res_get,
    .res_put = mem_res_put,
    .res_next_expired = mem_res_next_expired,
    .idem_get = mem_idem_get,
    .idem_put = mem_idem_put,
    .journal_head = mem_journal_head,
    .journal_append = mem_journal_append,
    .journal_scan = mem_journal_scan,
    .head_scan = NULL,
    .coupon_scan = mem_coupon_scan,
    .counter_scan = mem_counter_scan,
    .res_scan = mem_res_scan,
    .close = mem_close,
};

int custops__ledger_memory_open(lg_backend **out)
{
    membe *m = custops__calloc(1, sizeof *m);
    if (!m)
        return custops__nomem();
    m->base.ops = &MEMORY_OPS;
    custops__intern_init(&m->strs);
    custops__intern_init(&m->coupon_keys);
    custops__intern_init(&m->counter_keys);
    custops__intern_init(&m->res_keys);
    custops__intern_init(&m->idem_keys);
    custops__buf_init(&m->jbodies);
    *out = &m->base;
    return 0;
}
