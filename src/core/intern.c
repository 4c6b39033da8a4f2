/* String interning: each distinct customer id, SKU or category is stored
 * once in an arena and named by a dense uint32 id from then on, so columns
 * hold 4-byte ids instead of pointers and no row ever allocates. */
#include "internal.h"

#define SEED 0x5bd1e9955bd1e995ULL

void custops__intern_init(custops__intern *t) { memset(t, 0, sizeof *t); }

void custops__intern_release(custops__intern *t)
{
    custops__free(t->arena);
    custops__free(t->offsets);
    custops__free(t->slots);
    custops__free(t->hashes);
    memset(t, 0, sizeof *t);
}

static size_t find_slot(const custops__intern *t, const char *s, size_t len, uint64_t h, int *found)
{
    size_t mask = t->nslots - 1, i = (size_t)h & mask;
    for (;;) {
        uint32_t v = t->slots[i];
        if (v == 0) {
            *found = 0;
            return i;
        }
        uint32_t id = v - 1;
        if (t->hashes[id] == h) {
            const char *c = t->arena + t->offsets[id];
            if (strncmp(c, s, len) == 0 && c[len] == '\0') {
                *found = 1;
                return i;
            }
        }
        i = (i + 1) & mask;
    }
}

static int rehash(custops__intern *t, size_t nslots)
{
    uint32_t *slots = custops__calloc(nslots, sizeof *slots);
    if (!slots)
        return custops__nomem();
    size_t mask = nslots - 1;
    for (uint32_t id = 0; id < t->count; id++) {
        size_t i = (size_t)t->hashes[id] & mask;
        while (slots[i])
            i = (i + 1) & mask;
        slots[i] = id + 1;
    }
    custops__free(t->slots);
    t->slots = slots;
    t->nslots = nslots;
    return CUSTOPS_OK;
}

int custops__intern_get(const custops__intern *t, const char *s, size_t len, uint32_t *id)
{
    if (t->nslots == 0)
        return CUSTOPS_ENOTFOUND;
    int found;
    size_t i = find_slot(t, s, len, custops__hash64(s, len, SEED), &found);
    if (!found)
        return CUSTOPS_ENOTFOUND;
    *id = t->slots[i] - 1;
    return CUSTOPS_OK;
}

/* Make room for one more id: keep the load factor under 1/2. */
static int room_for_one(custops__intern *t)
{
    if ((size_t)(t->count + 1) * 2 > t->nslots)
        return rehash(t, t->nslots ? t->nslots * 2 : 64);
    return CUSTOPS_OK;
}

/* Store s (hash h) as the next id in the empty slot i. */
static int insert_new(custops__intern *t, const char *s, size_t len, uint64_t h, size_t i, uint32_t *id)
{
    if (t->count == UINT32_MAX - 1)
        return custops__err(CUSTOPS_ELIMIT, "more than 4 billion distinct identifiers");
    size_t idcap = t->ids_cap;
    if (CUSTOPS__GROW(t->offsets, idcap, (size_t)t->count + 1))
        return CUSTOPS_ENOMEM;
    size_t hcap = t->ids_cap;
    if (CUSTOPS__GROW(t->hashes, hcap, (size_t)t->count + 1))
        return CUSTOPS_ENOMEM;
    if (idcap != hcap) /* both grew by the same doubling rule */
        return custops__err(CUSTOPS_ENOMEM, "intern table capacity mismatch");
    t->ids_cap = (uint32_t)(idcap > UINT32_MAX ? UINT32_MAX : idcap);
    if (CUSTOPS__GROW(t->arena, t->arena_cap, t->arena_len + len + 1))
        return CUSTOPS_ENOMEM;
    memcpy(t->arena + t->arena_len, s, len);
    t->arena[t->arena_len + len] = '\0';
    t->offsets[t->count] = t->arena_len;
    t->hashes[t->count] = h;
    t->arena_len += len + 1;
    t->slots[i] = t->count + 1;
    *id = t->count++;
    return CUSTOPS_OK;
}

int custops__intern_put(custops__intern *t, const char *s, size_t len, uint32_t *id, bool *added)
{
    if (added)
        *added = false;
    if (memchr(s, '\0', len))
        return custops__err(CUSTOPS_EINVAL, "identifier contains a NUL byte");
    int rc = room_for_one(t);
    if (rc)
        return rc;
    uint64_t h = custops__hash64(s, len, SEED);
    int found;
    size_t i = find_slot(t, s, len, h, &found);
    if (found) {
        *id = t->slots[i] - 1;
        return CUSTOPS_OK;
    }
    rc = insert_new(t, s, len, h, i, id);
    if (!rc && added)
        *added = true;
    return rc;
}

/* Adding an identifier the caller already knows is absent (the store's
 * hash-tagged index said so): the same insertion as custops__intern_put
 * without the lookup, which on a large table costs two cache misses per
 * probe (slot, then the hash of the id in it). */
uint64_t custops__intern_hash(const char *s, size_t len) { return custops__hash64(s, len, SEED); }

int custops__intern_append(custops__intern *t, const char *s, size_t len, uint64_t h, uint32_t *id)
{
    if (memchr(s, '\0', len))
        return custops__err(CUSTOPS_EINVAL, "identifier contains a NUL byte");
    int rc = room_for_one(t);
    if (rc)
        return rc;
    size_t mask = t->nslots - 1, i = (size_t)h & mask;
    while (t->slots[i])
        i = (i + 1) & mask;
    return insert_new(t, s, len, h, i, id);
}

void custops__intern_prefetch(const custops__intern *t, uint64_t h)
{
    if (t->nslots)
        __builtin_prefetch(&t->slots[(size_t)h & (t->nslots - 1)], 1);
}

const char *custops__intern_str(const custops__intern *t, uint32_t id)
{
    return id < t->count ? t->arena + t->offsets[id] : NULL;
}
