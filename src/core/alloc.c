/* The allocator hook: the one piece of process-wide mutable state. Every
 * allocation in the library passes through here so that embedders can use
 * their own heap and tests can fail the Nth allocation. */
#include "internal.h"

#include <stdlib.h>

static void *sys_malloc(size_t n, void *ud) { (void)ud; return malloc(n); }
static void *sys_realloc(void *p, size_t n, void *ud) { (void)ud; return realloc(p, n); }
static void sys_free(void *p, void *ud) { (void)ud; free(p); }

static custops_allocator g_alloc = {CUSTOPS_ALLOCATOR_VERSION, sys_malloc, sys_realloc, sys_free, NULL};

int custops_set_allocator(const custops_allocator *alloc)
{
    if (alloc == NULL) {
        custops_allocator sys = {CUSTOPS_ALLOCATOR_VERSION, sys_malloc, sys_realloc, sys_free, NULL};
        g_alloc = sys;
        return CUSTOPS_OK;
    }
    if (alloc->version != CUSTOPS_ALLOCATOR_VERSION)
        return custops__err(CUSTOPS_EVERSION, "custops_set_allocator: unknown allocator version %u (this library knows %d)",
                            alloc->version, CUSTOPS_ALLOCATOR_VERSION);
    if (!alloc->malloc_fn || !alloc->realloc_fn || !alloc->free_fn)
        return custops__err(CUSTOPS_EINVAL, "custops_set_allocator: malloc_fn, realloc_fn and free_fn are all required");
    g_alloc = *alloc;
    return CUSTOPS_OK;
}

void *custops__malloc(size_t size)
{
    return g_alloc.malloc_fn(size ? size : 1, g_alloc.ud);
}

void *custops__calloc(size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size)
        return NULL;
    void *p = custops__malloc(n * size);
    if (p)
        memset(p, 0, (n * size) > 0 ? n * size : 1);
    return p;
}

void *custops__realloc(void *ptr, size_t size)
{
    if (ptr == NULL)
        return custops__malloc(size);
    return g_alloc.realloc_fn(ptr, size ? size : 1, g_alloc.ud);
}

void *custops__reallocarray(void *ptr, size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size)
        return NULL;
    return custops__realloc(ptr, n * size);
}

void custops__free(void *ptr)
{
    if (ptr)
        g_alloc.free_fn(ptr, g_alloc.ud);
}

void custops_free(void *ptr) { custops__free(ptr); }

char *custops__strndup(const char *s, size_t n)
{
    char *d = custops__malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

char *custops__strdup(const char *s) { return custops__strndup(s, strlen(s)); }

/* Past 64 MiB a block grows by a quarter instead of doubling: realloc of
 * a large block moves pages (mremap on glibc) rather than copying bytes,
 * so the smaller step costs little time and keeps the slack (memory held
 * but unused) at most a quarter of what is used. */
#define GROW_GENTLY_FROM ((size_t)64 << 20)

size_t custops__grow_cap(size_t cap, size_t need, size_t elem, size_t first)
{
    size_t ncap = cap ? cap : first;
    while (ncap < need) {
        size_t step = ncap >= GROW_GENTLY_FROM / elem ? ncap / 4 : ncap;
        if (ncap > SIZE_MAX / elem - step)
            return 0;
        ncap += step;
    }
    return ncap;
}

int custops__grow(void **ptr, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return CUSTOPS_OK;
    size_t ncap = custops__grow_cap(*cap, need, elem, 8);
    if (!ncap)
        return custops__nomem();
    void *p = custops__reallocarray(*ptr, ncap, elem);
    if (!p)
        return custops__nomem();
    *ptr = p;
    *cap = ncap;
    return CUSTOPS_OK;
}
