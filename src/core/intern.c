/* String interning: each distinct customer id, SKU or category is stored
 * once in an arena and named by a dense uint32 id from then on, so columns
 * hold 4-byte ids instead of pointers and no row ever allocates.
 *
 * The lookup index is one array of 64-bit slots, each the upper 32 bits
 * of the string's hash (its tag) next to id + 1. A slot's home is the top
 * bits of the hash, which are also the top bits of the tag, so growing the
 * index re-places every slot from the slot alone (no per-id hash array),
 * and a probe is one cache line: a string is only compared when the tags
 * agree. Linear probing, load factor at most 3/4. */
#include "internal.h"

#define SEED 0x5bd1e9955bd1e995ULL
#define TAG_MASK 0xFFFFFFFF00000000ULL
/* the home of a slot needs log2(nslots) bits of the 32-bit tag */
#define MAX_SLOTS ((size_t)1 << 32)

void custops__intern_init(custops__intern *t) { memset(t, 0, sizeof *t); }

void custops__intern_release(custops__intern *t)
{
    custops__free(t->arena);
    custops__free(t->offsets);
    custops__free(t->slots);
    memset(t, 0, sizeof *t);
}

#ifdef __SIZEOF_INT128__
/* the 128-bit product of a and b, its halves folded */
static inline uint64_t mix(uint64_t a, uint64_t b)
{
    __uint128_t r = (__uint128_t)a * b;
    return (uint64_t)r ^ (uint64_t)(r >> 64);
}
#endif

/* Ids of up to 16 bytes (order and customer ids, SKUs: nearly all of them)
 * are read with two overlapping loads and mixed with two 128-bit multiplies
 * (the short-input step of the public wyhash design), about a quarter of
 * the instructions of xxh64 for such lengths; longer ones go to xxh64. The
 * hash never leaves memory (save files hold the strings), so only its
 * spread matters. */
uint64_t custops__intern_hash(const char *s, size_t len)
{
#ifdef __SIZEOF_INT128__
    if (len <= 16) {
        uint64_t a = 0, b = 0;
        if (len >= 8) {
            memcpy(&a, s, 8);
            memcpy(&b, s + len - 8, 8);
        } else if (len >= 4) {
            uint32_t x, y;
            memcpy(&x, s, 4);
            memcpy(&y, s + len - 4, 4);
            a = x;
            b = y;
        } else if (len > 0) {
            const unsigned char *u = (const unsigned char *)s;
            a = (uint64_t)u[0] << 16 | (uint64_t)u[len / 2] << 8 | u[len - 1];
        }
        return mix(0xe7037ed1a0b428dbULL ^ len, mix(a ^ 0xe7037ed1a0b428dbULL, b ^ SEED ^ 0xa0761d6478bd642fULL));
    }
#endif
    return custops__hash64(s, len, SEED);
}

static inline size_t home(size_t nslots, uint64_t h)
{
    /* top log2(nslots) bits; nslots >= 64 whenever there are slots */
    return (size_t)(h >> (64 - __builtin_ctzll((unsigned long long)nslots)));
}

static inline size_t len_of(const custops__intern *t, uint32_t id)
{
    size_t end = id + 1 < t->count ? (size_t)t->offsets[id + 1] : t->arena_len;
    return end - (size_t)t->offsets[id] - 1;
}

/* slot of (s, len): holding its id when *found, else the empty slot it would take */
static size_t find_slot(const custops__intern *t, const char *s, size_t len, uint64_t h, int *found)
{
    size_t mask = t->nslots - 1, i = home(t->nslots, h);
    uint64_t tag = h & TAG_MASK;
    for (;;) {
        uint64_t v = t->slots[i];
        if (v == 0) {
            *found = 0;
            return i;
        }
        if ((v & TAG_MASK) == tag) {
            uint32_t id = (uint32_t)v - 1;
            if (len_of(t, id) == len && memcmp(t->arena + t->offsets[id], s, len) == 0) {
                *found = 1;
                return i;
            }
        }
        i = (i + 1) & mask;
    }
}

static void place(uint64_t *slots, size_t nslots, uint64_t v)
{
    size_t mask = nslots - 1, i = home(nslots, v);
    while (slots[i])
        i = (i + 1) & mask;
    slots[i] = v;
}

static int rehash(custops__intern *t, size_t nslots)
{
    uint64_t *slots = custops__calloc(nslots, sizeof *slots);
    if (!slots)
        return custops__nomem();
    for (size_t i = 0; i < t->nslots; i++)
        if (t->slots[i])
            place(slots, nslots, t->slots[i]); /* the tag holds the top bits of the hash */
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
    size_t i = find_slot(t, s, len, custops__intern_hash(s, len), &found);
    if (!found)
        return CUSTOPS_ENOTFOUND;
    *id = (uint32_t)t->slots[i] - 1;
    return CUSTOPS_OK;
}

/* Make room for one more id: keep the load factor at most 3/4 (past 2^32
 * slots the table stops growing; ids < 2^32 - 1 keep a slot free). */
static int room_for_one(custops__intern *t)
{
    if (t->nslots == 0)
        return rehash(t, 64);
    if (((size_t)t->count + 1) * 4 > t->nslots * 3 && t->nslots < MAX_SLOTS)
        return rehash(t, t->nslots * 2);
    return CUSTOPS_OK;
}

/* Store s (hash h) as the next id in the empty slot i. */
static int insert_new(custops__intern *t, const char *s, size_t len, uint64_t h, size_t i, uint32_t *id)
{
    if (t->count == UINT32_MAX - 1)
        return custops__err(CUSTOPS_ELIMIT, "more than 4 billion distinct identifiers");
    /* the capacity tests here, not in a call each: most inserts fit */
    if ((size_t)t->count + 1 > t->ids_cap) {
        size_t idcap = t->ids_cap;
        if (CUSTOPS__GROW(t->offsets, idcap, (size_t)t->count + 1))
            return CUSTOPS_ENOMEM;
        t->ids_cap = (uint32_t)(idcap > UINT32_MAX ? UINT32_MAX : idcap);
    }
    if (t->arena_len + len + 1 > t->arena_cap && CUSTOPS__GROW(t->arena, t->arena_cap, t->arena_len + len + 1))
        return CUSTOPS_ENOMEM;
    memcpy(t->arena + t->arena_len, s, len);
    t->arena[t->arena_len + len] = '\0';
    t->offsets[t->count] = t->arena_len;
    t->arena_len += len + 1;
    t->slots[i] = (h & TAG_MASK) | ((uint64_t)t->count + 1);
    *id = t->count++;
    return CUSTOPS_OK;
}

/* put with h computed; s holds no NUL byte (the caller checked) */
static int put_checked(custops__intern *t, const char *s, size_t len, uint64_t h, uint32_t *id, bool *added)
{
    if (added)
        *added = false;
    int rc = room_for_one(t);
    if (rc)
        return rc;
    int found;
    size_t i = find_slot(t, s, len, h, &found);
    if (found) {
        *id = (uint32_t)t->slots[i] - 1;
        return CUSTOPS_OK;
    }
    rc = insert_new(t, s, len, h, i, id);
    if (!rc && added)
        *added = true;
    return rc;
}

int custops__intern_put(custops__intern *t, const char *s, size_t len, uint32_t *id, bool *added)
{
    if (memchr(s, '\0', len)) {
        if (added)
            *added = false;
        return custops__err(CUSTOPS_EINVAL, "identifier contains a NUL byte");
    }
    return put_checked(t, s, len, custops__intern_hash(s, len), id, added);
}

int custops__intern_put_h(custops__intern *t, const char *s, size_t len, uint64_t h, uint32_t *id, bool *added)
{
    return put_checked(t, s, len, h, id, added);
}

void custops__intern_prefetch(const custops__intern *t, uint64_t h)
{
    if (t->nslots)
        __builtin_prefetch(&t->slots[home(t->nslots, h)]);
}

/* The later stages of a lookup of hash h, as hints: stage 2 loads the
 * offset of the id whose tag matches in the (by now loaded) slots, stage 3
 * the start of its string. Only bounded reads of the index; nothing found,
 * nothing loaded. */
void custops__intern_prefetch_id(const custops__intern *t, uint64_t h, int stage)
{
    if (t->nslots == 0)
        return;
    size_t mask = t->nslots - 1, i = home(t->nslots, h);
    uint64_t tag = h & TAG_MASK;
    for (int k = 0; k < 4; k++, i = (i + 1) & mask) {
        uint64_t v = t->slots[i];
        if (v == 0)
            return;
        if ((v & TAG_MASK) == tag) {
            uint32_t id = (uint32_t)v - 1;
            if (id >= t->count)
                return;
            if (stage == 2)
                __builtin_prefetch(&t->offsets[id]);
            else
                __builtin_prefetch(t->arena + t->offsets[id]);
            return;
        }
    }
}

const char *custops__intern_str(const custops__intern *t, uint32_t id)
{
    return id < t->count ? t->arena + t->offsets[id] : NULL;
}

void custops__intern_truncate(custops__intern *t, uint32_t count)
{
    if (count >= t->count)
        return;
    t->arena_len = (size_t)t->offsets[count];
    t->count = count;
    /* re-place the kept ids, hashing their strings again: the slot array
     * keeps its size, so nothing is allocated */
    memset(t->slots, 0, t->nslots * sizeof *t->slots);
    for (uint32_t id = 0; id < count; id++) {
        uint64_t h = custops__intern_hash(t->arena + t->offsets[id], len_of(t, id));
        place(t->slots, t->nslots, (h & TAG_MASK) | ((uint64_t)id + 1));
    }
}
