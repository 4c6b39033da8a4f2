/* Shrinking an intern table: the store forgets identifiers when a customer
 * is erased (privacy) and when a failed batch is rolled back, and the dense
 * ids must stay dense, so a new table is built from the kept strings. The
 * old one is left alone so a caller changing several tables can commit all
 * or none. */
#include "internal.h"

int custops__intern_compact(const custops__intern *t, custops__intern *out, const uint8_t *keep, uint32_t keep_below,
                            uint32_t *remap)
{
    custops__intern_init(out);
    for (uint32_t id = 0; id < t->count; id++) {
        int kept = keep ? keep[id] != 0 : id < keep_below;
        uint32_t nid = UINT32_MAX;
        if (kept) {
            const char *s = custops__intern_str(t, id);
            int rc = custops__intern_put(out, s, strlen(s), &nid, NULL);
            if (rc) {
                custops__intern_release(out);
                return rc;
            }
        }
        if (remap)
            remap[id] = nid;
    }
    return CUSTOPS_OK;
}

void custops__intern_truncate(custops__intern *t, uint32_t count)
{
    if (count >= t->count)
        return;
    t->arena_len = (size_t)t->offsets[count];
    t->count = count;
    /* re-place the kept ids with the same linear probing intern.c uses;
     * the slot array keeps its size, so nothing is allocated */
    memset(t->slots, 0, t->nslots * sizeof *t->slots);
    size_t mask = t->nslots - 1;
    for (uint32_t id = 0; id < count; id++) {
        size_t i = (size_t)t->hashes[id] & mask;
        while (t->slots[i])
            i = (i + 1) & mask;
        t->slots[i] = id + 1;
    }
}

void custops__intern_trim(custops__intern *t)
{
    if (t->count == 0)
        return;
    if (t->arena_cap > t->arena_len + t->arena_len / 8) {
        char *a = custops__realloc(t->arena, t->arena_len);
        if (a) {
            t->arena = a;
            t->arena_cap = t->arena_len;
        }
    }
    if (t->ids_cap > t->count + t->count / 8) {
        /* both arrays must keep the same capacity: shrink both or neither */
        uint64_t *o = custops__realloc(t->offsets, (size_t)t->count * sizeof *o);
        if (!o)
            return;
        t->offsets = o;
        uint64_t *h = custops__realloc(t->hashes, (size_t)t->count * sizeof *h);
        if (!h) {
            /* offsets holds exactly count entries now; capacity must say so */
            o = custops__realloc(t->offsets, (size_t)t->ids_cap * sizeof *o);
            if (o)
                t->offsets = o;
            else
                t->ids_cap = t->count; /* hashes is larger than needed: harmless */
            return;
        }
        t->hashes = h;
        t->ids_cap = t->count;
    }
}
