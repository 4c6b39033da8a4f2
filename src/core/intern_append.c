/* Adding an identifier the caller already knows is absent (the store's
 * hash-tagged index said so): the same insertion as custops__intern_put
 * without the lookup, which on a large table costs two cache misses per
 * probe (slot, then the hash of the id in it). The table stays exactly what
 * custops__intern_put would have built, so every reader keeps working. */
#include "internal.h"

/* must equal SEED in intern.c: custops__intern_get recomputes this hash */
#define INTERN_SEED 0x5bd1e9955bd1e995ULL

static int regrow(custops__intern *t, size_t nslots)
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

uint64_t custops__intern_hash(const char *s, size_t len) { return custops__hash64(s, len, INTERN_SEED); }

int custops__intern_append(custops__intern *t, const char *s, size_t len, uint64_t h, uint32_t *id)
{
    if (memchr(s, '\0', len))
        return custops__err(CUSTOPS_EINVAL, "identifier contains a NUL byte");
    if ((size_t)(t->count + 1) * 2 > t->nslots) { /* the load factor rule of intern.c */
        int rc = regrow(t, t->nslots ? t->nslots * 2 : 64);
        if (rc)
            return rc;
    }
    if (t->count == UINT32_MAX - 1)
        return custops__err(CUSTOPS_ELIMIT, "more than 4 billion distinct identifiers");
    size_t idcap = t->ids_cap;
    if (CUSTOPS__GROW(t->offsets, idcap, (size_t)t->count + 1))
        return CUSTOPS_ENOMEM;
    size_t hcap = t->ids_cap;
    if (CUSTOPS__GROW(t->hashes, hcap, (size_t)t->count + 1))
        return CUSTOPS_ENOMEM;
    if (idcap != hcap)
        return custops__err(CUSTOPS_ENOMEM, "intern table capacity mismatch");
    t->ids_cap = (uint32_t)(idcap > UINT32_MAX ? UINT32_MAX : idcap);
    if (CUSTOPS__GROW(t->arena, t->arena_cap, t->arena_len + len + 1))
        return CUSTOPS_ENOMEM;
    size_t mask = t->nslots - 1, i = (size_t)h & mask;
    while (t->slots[i])
        i = (i + 1) & mask;
    memcpy(t->arena + t->arena_len, s, len);
    t->arena[t->arena_len + len] = '\0';
    t->offsets[t->count] = t->arena_len;
    t->hashes[t->count] = h;
    t->arena_len += len + 1;
    t->slots[i] = t->count + 1;
    *id = t->count++;
    return CUSTOPS_OK;
}

void custops__intern_prefetch(const custops__intern *t, uint64_t h)
{
    if (t->nslots)
        __builtin_prefetch(&t->slots[(size_t)h & (t->nslots - 1)], 1);
}
