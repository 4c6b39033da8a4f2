/* Allocator hook: every allocation goes through it, and failing the Nth
 * allocation for every N gives a clean CUSTOPS_ENOMEM and no leak. */
#include "suite_core.h"

static long g_live, g_count, g_fail_at;

static void *t_malloc(size_t n, void *ud)
{
    (void)ud;
    if (g_fail_at && ++g_count == g_fail_at)
        return NULL;
    void *p = malloc(n);
    if (p)
        g_live++;
    return p;
}

static void *t_realloc(void *p, size_t n, void *ud)
{
    (void)ud;
    if (g_fail_at && ++g_count == g_fail_at)
        return NULL;
    void *q = realloc(p, n);
    if (q && !p)
        g_live++;
    return q;
}

static void t_free(void *p, void *ud)
{
    (void)ud;
    g_live--;
    free(p);
}

static const custops_allocator T_ALLOC = {CUSTOPS_ALLOCATOR_VERSION, t_malloc, t_realloc, t_free, NULL};

/* A workload touching frames and zones. */
static int workload(void)
{
    custops_frame *f = NULL;
    custops_zone *z = NULL;
    int rc = custops_frame_new(&f);
    int64_t v[4] = {1, 2, 3, 4};
    const char *s[4] = {"a", "b", "c", "d"};
    if (rc == 0)
        rc = custops_frame_add_int64(f, "v", v, 4);
    if (rc == 0)
        rc = custops_frame_add_string(f, "s", s, 4);
    if (rc == 0)
        rc = custops_zone_open(&z, "Asia/Shanghai");
    int64_t w[3] = {1, 1, 1}, out[3];
    if (rc == 0)
        rc = custops_money_allocate(100, w, 3, out);
    custops_zone_free(z);
    custops_frame_free(f);
    return rc;
}

START_TEST(fail_every_allocation_in_turn)
{
    ck_assert_ok(custops_set_allocator(&T_ALLOC));
    g_fail_at = 0;
    g_live = 0;
    ck_assert_ok(workload());
    ck_assert_int_eq(g_live, 0);
    int saw_success = 0;
    for (long n = 1; n < 200 && !saw_success; n++) {
        g_fail_at = n;
        g_count = 0;
        g_live = 0;
        int rc = workload();
        ck_assert_msg(rc == CUSTOPS_OK || rc == CUSTOPS_ENOMEM || rc == CUSTOPS_EIO || rc == CUSTOPS_ENOTFOUND,
                      "failing allocation %ld gave %d", n, rc);
        ck_assert_msg(g_live == 0, "failing allocation %ld leaked %ld blocks", n, g_live);
        saw_success = rc == CUSTOPS_OK;
    }
    ck_assert(saw_success);
    ck_assert_ok(custops_set_allocator(NULL));
}
END_TEST

START_TEST(allocator_validation)
{
    custops_allocator bad = T_ALLOC;
    bad.version = 99;
    ck_assert_status(custops_set_allocator(&bad), CUSTOPS_EVERSION);
    bad = T_ALLOC;
    bad.free_fn = NULL;
    ck_assert_status(custops_set_allocator(&bad), CUSTOPS_EINVAL);
}
END_TEST

TCase *tcase_alloc(void)
{
    TCase *tc = tcase_create("alloc");
    tcase_add_test(tc, fail_every_allocation_in_turn);
    tcase_add_test(tc, allocator_validation);
    return tc;
}
