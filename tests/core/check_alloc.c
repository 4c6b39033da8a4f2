/* Allocator hook: every allocation goes through it, and failing the Nth
 * allocation for every N gives a clean CUSTOPS_ENOMEM and no leak. */
#include "suite_core.h"
#include "failalloc.h"


/* A workload touching frames and zones. */
static int workload(void *ctx)
{
    (void)ctx;
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
    static const int also_ok[] = {CUSTOPS_EIO, CUSTOPS_ENOTFOUND, 0};
    failalloc_sweep(workload, NULL, 5, 200, also_ok);
}
END_TEST

START_TEST(allocator_validation)
{
    custops_allocator bad = FAILALLOC;
    bad.version = 99;
    ck_assert_status(custops_set_allocator(&bad), CUSTOPS_EVERSION);
    bad = FAILALLOC;
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
