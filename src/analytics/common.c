/* Shared analytics plumbing: contract column lookup, local days and
 * output-column assembly with one failure path. */
#include "analytics.h"

#include <stdlib.h>

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

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

int custops__an_remap(const int64_t *v, size_t n, uint32_t *ids, int64_t **codes_out, size_t *ncodes)
{
    *codes_out = NULL;
    *ncodes = 0;
    int64_t max = -1;
    for (size_t i = 0; i < n; i++)
        if (v[i] > max)
            max = v[i];
    int64_t *codes = NULL;
    size_t nc = 0;
    if (max < 0) {
        codes = custops__malloc(8);
        if (!codes)
            return custops__nomem();
        for (size_t i = 0; i < n; i++)
            ids[i] = UINT32_MAX;
    } else if ((uint64_t)max <= 2 * (uint64_t)n + 1024) {
        /* presence table over 0..max, then ranks */
        uint32_t *rank = custops__calloc((size_t)max + 1, sizeof *rank);
        if (!rank)
            return custops__nomem();
        for (size_t i = 0; i < n; i++)
            if (v[i] >= 0)
                rank[v[i]] = 1;
        for (int64_t c = 0; c <= max; c++)
            nc += rank[c];
        if (nc >= UINT32_MAX) {
            custops__free(rank);
            return custops__err(CUSTOPS_ELIMIT, "more than 2^32-2 distinct codes");
        }
        codes = custops__reallocarray(NULL, nc ? nc : 1, sizeof *codes);
        if (!codes) {
            custops__free(rank);
            return custops__nomem();
        }
        uint32_t next = 0;
        for (int64_t c = 0; c <= max; c++)
            if (rank[c]) {
                codes[next] = c;
                rank[c] = ++next; /* id + 1, so 0 still means absent */
            }
        for (size_t i = 0; i < n; i++)
            ids[i] = v[i] >= 0 ? rank[v[i]] - 1 : UINT32_MAX;
        custops__free(rank);
    } else {
        codes = custops__reallocarray(NULL, n ? n : 1, sizeof *codes);
        if (!codes)
            return custops__nomem();
        for (size_t i = 0; i < n; i++)
            if (v[i] >= 0)
                codes[nc++] = v[i];
        qsort(codes, nc, sizeof *codes, cmp_i64);
        size_t u = 0;
        for (size_t i = 0; i < nc; i++)
            if (u == 0 || codes[i] != codes[u - 1])
                codes[u++] = codes[i];
        nc = u;
        if (nc >= UINT32_MAX) {
            custops__free(codes);
            return custops__err(CUSTOPS_ELIMIT, "more than 2^32-2 distinct codes");
        }
        for (size_t i = 0; i < n; i++) {
            if (v[i] < 0) {
                ids[i] = UINT32_MAX;
                continue;
            }
            size_t lo = 0, hi = nc;
            while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (codes[mid] < v[i])
                    lo = mid + 1;
                else
                    hi = mid;
            }
            ids[i] = (uint32_t)lo;
        }
    }
    *codes_out = codes;
    *ncodes = nc;
    return 0;
}
