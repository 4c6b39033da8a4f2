/* A lookup index in front of the customer and order intern tables.
 *
 * The core intern table keeps slot -> id and id -> hash in two arrays, so
 * a probe of a large table misses the cache twice (the slot, then the hash
 * of the id in it) before the string is even compared; CSV ingest spent
 * about half its time there. Here each slot holds the upper 32 bits of the
 * hash next to the id, so a probe is one cache line and a string is read
 * only when those 32 bits agree. The intern table stays the owner of the
 * strings and of its own slots (every other reader keeps using it); this
 * index only answers put/get faster and follows the table: ids added behind
 * its back are indexed on the next call, and anything that can shrink or
 * replace the table (rollback, erase, purge, load) invalidates it. */
#include "store_internal.h"

#define TAG_MASK 0xFFFFFFFF00000000ULL

void custops__st_index_release(st_index *x)
{
    custops__free(x->slots);
    memset(x, 0, sizeof *x);
}

void custops__st_index_invalidate(st_index *x) { x->valid = 0; }

size_t custops__st_index_bytes(const st_index *x) { return x->nslots * sizeof *x->slots; }

/* the intern table's own hash: one hash per key serves both tables */
static inline uint64_t hash_of(const char *p, size_t n) { return custops__intern_hash(p, n); }

/* length of string id of t, from the offsets (no strlen over the arena) */
static inline size_t len_of(const custops__intern *t, uint32_t id)
{
    size_t end = id + 1 < t->count ? (size_t)t->offsets[id + 1] : t->arena_len;
    return end - (size_t)t->offsets[id] - 1;
}

static void place(uint64_t *slots, size_t mask, uint64_t h, uint32_t id)
{
    size_t i = (size_t)h & mask;
    while (slots[i])
        i = (i + 1) & mask;
    slots[i] = (h & TAG_MASK) | ((uint64_t)id + 1);
}

/* Make the index cover every id of t, with room for one more at a load
 * factor of at most 3/4: the 32 tag bits make a probe past a foreign slot
 * cheap, and the index of a large order table is a sizeable part of the
 * store's memory. */
static int sync(st_index *x, const custops__intern *t)
{
    if (x->valid && x->n == t->count && ((size_t)t->count + 1) * 4 <= x->nslots * 3)
        return CUSTOPS_OK; /* the common case: up to date, room for one more */
    size_t want = x->nslots ? x->nslots : 64;
    while (((size_t)t->count + 1) * 4 > want * 3)
        want *= 2;
    int rebuild = !x->valid || x->n > t->count || want != x->nslots;
    if (!rebuild) {
        for (uint32_t id = x->n; id < t->count; id++)
            place(x->slots, x->nslots - 1, t->hashes[id], id);
        x->n = t->count;
        return CUSTOPS_OK;
    }
    uint64_t *slots = custops__calloc(want, sizeof *slots);
    if (!slots)
        return custops__nomem();
    custops__free(x->slots);
    x->slots = slots;
    x->nslots = want;
    for (uint32_t id = 0; id < t->count; id++)
        place(slots, want - 1, t->hashes[id], id);
    x->n = t->count;
    x->valid = 1;
    return CUSTOPS_OK;
}

/* slot of (p, n): holding its id when *found, else the empty slot it would take */
static size_t find(const st_index *x, const custops__intern *t, const char *p, size_t n, uint64_t h, int *found)
{
    size_t mask = x->nslots - 1, i = (size_t)h & mask;
    uint64_t tag = h & TAG_MASK;
    for (;;) {
        uint64_t v = x->slots[i];
        if (v == 0) {
            *found = 0;
            return i;
        }
        if ((v & TAG_MASK) == tag) {
            uint32_t id = (uint32_t)v - 1;
            if (id < t->count && len_of(t, id) == n && memcmp(t->arena + t->offsets[id], p, n) == 0) {
                *found = 1;
                return i;
            }
        }
        i = (i + 1) & mask;
    }
}

int custops__st_index_get(st_index *x, const custops__intern *t, const char *p, size_t n, uint32_t *id)
{
    int rc = sync(x, t);
    if (rc)
        return rc;
    int found;
    size_t i = find(x, t, p, n, hash_of(p, n), &found);
    if (!found)
        return CUSTOPS_ENOTFOUND;
    *id = (uint32_t)x->slots[i] - 1;
    return CUSTOPS_OK;
}

int custops__st_index_put(st_index *x, custops__intern *t, const char *p, size_t n, uint32_t *id, bool *added)
{
    return custops__st_index_put_h(x, t, p, n, hash_of(p, n), id, added);
}

int custops__st_index_put_h(st_index *x, custops__intern *t, const char *p, size_t n, uint64_t h, uint32_t *id,
                            bool *added)
{
    *added = false;
    int rc = sync(x, t);
    if (rc)
        return rc;
    int found;
    size_t i = find(x, t, p, n, h, &found);
    if (found) {
        *id = (uint32_t)x->slots[i] - 1;
        return CUSTOPS_OK;
    }
    /* the index covers every id of t, so (p, n) is new: append without a second lookup */
    if ((rc = custops__intern_append(t, p, n, h, id)) != 0)
        return rc;
    *added = true;
    x->slots[i] = (h & TAG_MASK) | ((uint64_t)*id + 1);
    x->n++;
    return CUSTOPS_OK;
}

void custops__st_index_prefetch(const st_index *x, uint64_t h)
{
    if (x->nslots)
        __builtin_prefetch(&x->slots[(size_t)h & (x->nslots - 1)]);
}

int custops__st_prefetch_line(const custops_store *s, const st_str *order, const st_str *customer, uint64_t *hashes)
{
    /* a further line of the last order takes add_line's path without lookups:
     * hashing its ids would be wasted (half the lines of a typical file) */
    if (s->have_last_order && st_is(&s->orders, s->last_order, order->p, order->n))
        return 0;
    hashes[0] = hash_of(order->p, order->n);
    hashes[1] = hash_of(customer->p, customer->n);
    custops__st_index_prefetch(&s->order_index, hashes[0]);
    custops__st_index_prefetch(&s->customer_index, hashes[1]);
    /* a new order is appended to the intern table too: its slot misses as well */
    custops__intern_prefetch(&s->orders, hashes[0]);
    return 1;
}
