/* Scratch memory for one quote: a chain of chunks handed out by bumping an
 * offset, released by rewinding to a mark. A quote used to make some three
 * hundred small mallocs (one set per lane, per optimizer call, per solved
 * component); now it makes one or two, and the chunks stay for the next
 * lane. Pointers never move: a new chunk is linked in, never reallocated. */
#include "coupon_internal.h"

struct cpn_chunk {
    cpn_chunk *next;
    size_t cap, used;
    _Alignas(16) unsigned char data[];
};

/* The first chunk stays under 64 KB with its header: glibc considers
 * trimming the heap whenever it frees a chunk of 64 KB or more, and a
 * quote frees its scratch every time (see presize() in quote.c). */
enum { SCRATCH_ALIGN = 16, SCRATCH_FIRST = 32 * 1024 };

/* a request the current chunk has no room for: the next chunk, or a new
 * one (out of line: the common case below then needs no stack frame) */
static __attribute__((noinline)) void *take_chunk(cpn_scratch *s, size_t bytes)
{
    if (bytes > SIZE_MAX / 2) {
        custops__err(CUSTOPS_ENOMEM, "coupon quote: scratch request of %zu bytes", bytes);
        return NULL;
    }
    size_t n = (bytes + SCRATCH_ALIGN - 1) & ~(size_t)(SCRATCH_ALIGN - 1);
    cpn_chunk *c = s->cur;
    cpn_chunk *next = c ? c->next : s->first;
    if (next && next->cap >= n) {
        next->used = 0;
        c = next;
    } else {
        size_t cap = c && c->cap * 2 > n ? c->cap * 2 : n;
        if (cap < SCRATCH_FIRST)
            cap = SCRATCH_FIRST;
        cpn_chunk *m = custops__malloc(sizeof *m + cap);
        if (!m) {
            custops__nomem();
            return NULL;
        }
        m->cap = cap;
        m->used = 0;
        m->next = next; /* a smaller chunk left after it is kept for later */
        if (c)
            c->next = m;
        else
            s->first = m;
        c = m;
    }
    s->cur = c;
    c->used = n;
    return c->data;
}

void *cpn_scratch_take(cpn_scratch *s, size_t bytes)
{
    /* A chunk's capacity and use are multiples of SCRATCH_ALIGN, so when
     * the request fits, so does it rounded up (and it cannot overflow). */
    cpn_chunk *c = s->cur;
    if (!c || bytes > c->cap - c->used)
        return take_chunk(s, bytes);
    void *p = c->data + c->used;
    c->used += (bytes + SCRATCH_ALIGN - 1) & ~(size_t)(SCRATCH_ALIGN - 1);
    return p;
}

void *cpn_scratch_zero(cpn_scratch *s, size_t bytes)
{
    void *p = cpn_scratch_take(s, bytes);
    if (p)
        memset(p, 0, bytes);
    return p;
}

cpn_mark cpn_scratch_mark(const cpn_scratch *s)
{
    cpn_mark m = {s->cur, s->cur ? s->cur->used : 0};
    return m;
}

void cpn_scratch_release(cpn_scratch *s, cpn_mark m)
{
    s->cur = m.chunk;
    if (m.chunk)
        m.chunk->used = m.used;
}

void cpn_scratch_free(cpn_scratch *s)
{
    cpn_chunk *c = s->first;
    while (c) {
        cpn_chunk *n = c->next;
        custops__free(c);
        c = n;
    }
    s->first = s->cur = NULL;
}
