/* A counting allocator for the allocator hook that can fail the Nth
 * allocation, and the sweep every module's out-of-memory test runs with it:
 * run the workload failing allocation 1, then 2, ... until a run no longer
 * reaches the failure point. Every run must end with OK or an allowed status
 * and leave no block alive. Include after testutil.h. */
#ifndef CUSTOPS_FAILALLOC_H
#define CUSTOPS_FAILALLOC_H

#include "testutil.h"

/* live: blocks allocated and not freed; count: allocations since the last
 * reset; fail_at: the allocation (1-based) to fail, 0 for none. */
static struct {
    long live, count, fail_at;
} failalloc;

static void *failalloc_malloc(size_t n, void *ud)
{
    (void)ud;
    if (failalloc.fail_at && ++failalloc.count == failalloc.fail_at)
        return NULL;
    void *p = malloc(n);
    if (p)
        failalloc.live++;
    return p;
}

static void *failalloc_realloc(void *p, size_t n, void *ud)
{
    (void)ud;
    if (failalloc.fail_at && ++failalloc.count == failalloc.fail_at)
        return NULL;
    void *q = realloc(p, n);
    if (q && !p)
        failalloc.live++;
    return q;
}

static void failalloc_free(void *p, void *ud)
{
    (void)ud;
    if (p)
        failalloc.live--;
    free(p);
}

static const custops_allocator FAILALLOC = {CUSTOPS_ALLOCATOR_VERSION, failalloc_malloc, failalloc_realloc,
                                            failalloc_free, NULL};

/* Start counting afresh, failing allocation fail_at (0: none). */
static inline void failalloc_reset(long fail_at)
{
    failalloc.live = 0;
    failalloc.count = 0;
    failalloc.fail_at = fail_at;
}

/* Run workload(ctx) once without failures, then with each allocation failing
 * in turn. Statuses other than OK and ENOMEM must be listed in also_ok
 * (terminated by 0), e.g. EIO when a failed allocation surfaces as a failed
 * write. Fails the test when a run leaks, returns another status, never
 * completes within max_allocs, or allocates fewer than min_allocs times (the
 * sweep would prove little). Returns the number of failure points tried. */
static inline long failalloc_sweep(int (*workload)(void *ctx), void *ctx, long min_allocs, long max_allocs,
                                   const int *also_ok)
{
    ck_assert_ok(custops_set_allocator(&FAILALLOC));
    failalloc_reset(0);
    ck_assert_ok(workload(ctx));
    ck_assert_msg(failalloc.live == 0, "the workload leaked %ld blocks without any failure", failalloc.live);
    long n;
    int done = 0;
    for (n = 1; n <= max_allocs && !done; n++) {
        failalloc_reset(n);
        int rc = workload(ctx);
        failalloc.fail_at = 0;
        int allowed = rc == CUSTOPS_OK || rc == CUSTOPS_ENOMEM;
        for (const int *s = also_ok; s && *s && !allowed; s++)
            allowed = rc == *s;
        ck_assert_msg(allowed, "failing allocation %ld gave %d (%s)", n, rc, custops_last_error());
        ck_assert_msg(failalloc.live == 0, "failing allocation %ld leaked %ld blocks", n, failalloc.live);
        if (failalloc.count < n) { /* the failure point was never reached: every allocation ran */
            ck_assert_msg(rc == CUSTOPS_OK, "a run without a failed allocation gave %d (%s)", rc,
                          custops_last_error());
            done = 1;
        }
    }
    ck_assert_msg(done, "the workload never completed within %ld allocations", max_allocs);
    ck_assert_msg(n > min_allocs, "the workload made only %ld allocations: the sweep would prove little", n - 1);
    ck_assert_ok(custops_set_allocator(NULL));
    return n - 1;
}

#endif
