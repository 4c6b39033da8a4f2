/* Bulk coupon codes: a prefix plus random characters from an alphabet
 * without look-alikes, drawn from a seeded generator (splitmix64), so a
 * batch can be regenerated from its seed. Duplicates inside the batch and
 * codes already issued in the ledger are skipped and redrawn. */
#include "ledger/ledger_internal.h"

#include <math.h>

/* No 0/O, 1/I/L, 2/Z, 5/S, 8/B, U/V: 23 characters people read back right. */
static const char ALPHABET[] = "34679ACDEFGHJKMNPQRTWXY";
#define NALPHA (sizeof ALPHABET - 1)

static uint64_t splitmix64(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* uniform in [0, n) without modulo bias */
static unsigned pick(uint64_t *s, unsigned n)
{
    uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    uint64_t x;
    do
        x = splitmix64(s);
    while (x >= limit);
    return (unsigned)(x % n);
}

int custops_ledger_codes(char **out, custops_ledger *l, size_t count, const char *prefix, size_t length, uint64_t seed)
{
    CUSTOPS__CHECK_NULL(out);
    *out = NULL;
    if (!prefix)
        prefix = "";
    size_t plen = strlen(prefix);
    if (count < 1 || count > 10000000)
        return custops__err(CUSTOPS_EINVAL, "ledger codes: count %zu is outside 1..10000000", count);
    if (length < 4 || length > 64)
        return custops__err(CUSTOPS_EINVAL, "ledger codes: length %zu is outside 4..64", length);
    if (plen + length > CUSTOPS_LEDGER_MAX_ID)
        return custops__err(CUSTOPS_ELIMIT, "ledger codes: prefix plus %zu characters exceed %d bytes", length,
                            CUSTOPS_LEDGER_MAX_ID);
    for (size_t i = 0; i < plen; i++) {
        unsigned char c = (unsigned char)prefix[i];
        if (c < 0x20 || c == 0x7f || c == '/')
            return custops__err(CUSTOPS_EINVAL, "ledger codes: prefix has a control character or '/' at byte %zu", i);
    }
    /* keep the space at least twice the batch so redraws stay rare */
    double space = pow((double)NALPHA, (double)length);
    if ((double)count * 2.0 > space)
        return custops__err(CUSTOPS_ELIMIT, "ledger codes: %zu codes of %zu characters need a larger space (%.0f)", count,
                            length, space);
    custops__intern seen;
    custops__intern_init(&seen);
    custops__buf b, batch;
    custops__buf_init(&b);
    custops__buf_init(&batch);
    unsigned char *taken = NULL;
    size_t clen = plen + length;
    char code[LG_ID];
    memcpy(code, prefix, plen);
    uint64_t state = seed;
    size_t made = 0, draws = 0, max_draws = count * 20 + 1000;
    int rc = 0;
    /* draw the missing codes in batches; codes already issued in the ledger
     * are looked up a batch at a time, in one read transaction */
    while (made < count && !rc) {
        size_t want = count - made, got = 0;
        batch.len = 0;
        while (got < want && !rc) {
            if (++draws > max_draws) {
                rc = custops__err(CUSTOPS_ELIMIT, "ledger codes: too many collisions after %zu draws (%zu codes made)",
                                  draws - 1, made + got);
                break;
            }
            for (size_t i = 0; i < length; i++)
                code[plen + i] = ALPHABET[pick(&state, (unsigned)NALPHA)];
            bool added = false;
            uint32_t id;
            if ((rc = custops__intern_put(&seen, code, clen, &id, &added)) || !added)
                continue;
            if ((rc = custops__buf_append(&batch, code, clen)))
                break;
            got++;
        }
        if (rc || got == 0)
            break;
        if (l) {
            unsigned char *t = custops__realloc(taken, got);
            if (!t) {
                rc = custops__nomem();
                break;
            }
            taken = t;
            if ((rc = custops__ledger_codes_taken(l, (const char *)batch.data, got, clen, taken)))
                break;
        }
        for (size_t i = 0; i < got; i++) {
            if (l && taken[i])
                continue;
            custops__buf_append(&b, batch.data + i * clen, clen);
            custops__buf_u8(&b, '\n');
            made++;
        }
    }
    custops__buf_release(&batch);
    custops__free(taken);
    if (!rc)
        rc = custops__buf_u8(&b, 0);
    if (!rc)
        rc = custops__buf_status(&b);
    custops__intern_release(&seen);
    if (rc) {
        custops__buf_release(&b);
        return rc;
    }
    *out = (char *)b.data;
    return 0;
}
