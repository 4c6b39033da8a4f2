/* Loading the shared CLV data sets for the tests (skipped when absent). */
#ifndef CLV_TESTDATA_H
#define CLV_TESTDATA_H

#include "testutil.h"

#include <math.h>

typedef struct clv_data {
    size_t n;
    double x[30000], t[30000], T[30000], m[30000], w[30000];
} clv_data;

/* Reads a CSV with a header line and `cols` numeric columns; mapping:
 * "summary" ID,frequency,recency,T; "spend" ID,x,t_x,T,zbar;
 * "donations" frequency,recency,periods,weights. Returns NULL when the
 * shared data are absent (the caller skips). */
static inline clv_data *clv_data_load(const char *name)
{
    char buf[4096];
    const char *path = test_shared_file(name, buf, sizeof buf);
    if (!path) {
        fprintf(stderr, "SKIP: %s not found (SHARED_DATA unset or data absent)\n", name);
        return NULL;
    }
    FILE *f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    clv_data *d = calloc(1, sizeof *d);
    ck_assert_ptr_nonnull(d);
    char line[512];
    ck_assert_ptr_nonnull(fgets(line, sizeof line, f));
    int spend = strstr(name, "with_transactions") != NULL, don = strstr(name, "donations") != NULL;
    while (fgets(line, sizeof line, f) && d->n < 30000) {
        double a, b, c, e, g = 0;
        int k = sscanf(line, "%lf,%lf,%lf,%lf,%lf", &a, &b, &c, &e, &g);
        ck_assert_int_ge(k, 4);
        size_t i = d->n++;
        if (don) {
            d->x[i] = a; d->t[i] = b; d->T[i] = c; d->w[i] = e;
        } else {
            d->x[i] = b; d->t[i] = c; d->T[i] = e; d->m[i] = spend ? g : 0; d->w[i] = 1;
        }
    }
    fclose(f);
    return d;
}

/* relative closeness */
static inline int close_rel(double a, double b, double tol)
{
    return fabs(a - b) <= tol * fmax(fabs(a), fabs(b));
}

#define ck_assert_rel(a, b, tol)                                                                         \
    ck_assert_msg(close_rel((a), (b), (tol)), "%s = %.10g, expected %.10g (rel tol %g)", #a, (double)(a), \
                  (double)(b), (double)(tol))

#endif
