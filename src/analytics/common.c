/* Shared analytics plumbing: contract column lookup, local days and
 * output-column assembly with one failure path. */
#include "analytics.h"

static int lookup(const custops_frame *f, const char *fn, const char *what, const char *col, const int64_t **out,
                  int optional)
{
    *out = NULL;
    size_t c;
    if (!f)
        return custops__err(CUSTOPS_EINVAL, "%s: the %s frame is NULL", fn, what);
    int rc = custops_frame_find(f, col, &c);
    if (rc == CUSTOPS_ENOTFOUND && optional) {
        custops_clear_error();
        return 0;
    }
    if (rc)
        return custops__err(CUSTOPS_EINVAL, "%s: the %s frame has no column '%s'", fn, what, col);
    if (custops_frame_col_type(f, c) != CUSTOPS_COL_INT64)
        return custops__err(CUSTOPS_EINVAL, "%s: column '%s' of the %s frame must be int64", fn, col, what);
    if (custops_frame_int64(f, c, out))
        return custops__err(CUSTOPS_EINVAL, "%s: cannot read column '%s' of the %s frame", fn, col, what);
    return 0;
}

int custops__an_i64(const custops_frame *f, const char *fn, const char *what, const char *col, const int64_t **out)
{
    return lookup(f, fn, what, col, out, 0);
}

int custops__an_i64_opt(const custops_frame *f, const char *fn, const char *what, const char *col,
                        const int64_t **out)
{
    return lookup(f, fn, what, col, out, 1);
}

static int64_t floor_div(int64_t a, int64_t b) { return a / b - (a % b < 0); }

int custops__an_local(const custops_zone *zone, int64_t t, int32_t *day, int32_t *sod)
{
    int32_t off;
    int rc = custops_zone_offset(zone, t, &off);
    if (rc)
        return rc;
    if (t > INT64_MAX - 86400 || t < INT64_MIN + 86400)
        return custops__err(CUSTOPS_ERANGE, "instant %lld is out of range", (long long)t);
    int64_t local = t + off, dd = floor_div(local, 86400);
    if (dd < INT32_MIN || dd > INT32_MAX)
        return custops__err(CUSTOPS_ERANGE, "instant %lld is out of range", (long long)t);
    *day = (int32_t)dd;
    if (sod)
        *sod = (int32_t)(local - dd * 86400);
    return 0;
}

void custops__an_put_i64(custops_frame *f, int *rc, const char *name, int64_t *owned, size_t n)
{
    if (*rc) {
        custops__free(owned);
        return;
    }
    *rc = custops__frame_add_int64_owned(f, name, owned, n);
}

void custops__an_put_f64(custops_frame *f, int *rc, const char *name, double *owned, size_t n)
{
    if (*rc) {
        custops__free(owned);
        return;
    }
    *rc = custops__frame_add_double_owned(f, name, owned, n);
}
