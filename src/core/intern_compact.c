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
