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

void custops__intern_trim(custops__intern *t)
{
    if (t->count == 0)
        return;
    if (t->arena_cap > t->arena_len) {
        char *a = custops__realloc(t->arena, t->arena_len);
        if (a) {
            t->arena = a;
            t->arena_cap = t->arena_len;
        }
    }
    if (t->ids_cap > t->count) {
        uint64_t *o = custops__realloc(t->offsets, (size_t)t->count * sizeof *o);
        if (o) {
            t->offsets = o;
            t->ids_cap = t->count;
        }
    }
}
