/* Analytics figures: cross-sell over 10 million synthetic baskets (100k
 * SKUs, skewed popularity), repurchase cycles and reminders for 1 million
 * customers, send times and KPIs on the same lines. BENCH_SCALE (default 1)
 * scales the sizes for quick runs. */
#include "bench.h"

#include <math.h>

static uint64_t rng = 0x2545F4914F6CDD1DULL;
static inline uint64_t next_u64(void)
{
    uint64_t z = (rng += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}
static inline double unif(void) { return (double)(next_u64() >> 11) * 0x1.0p-53; }

static int add_col(custops_frame *f, const char *name, int64_t *v, size_t n)
{
    int rc = custops_frame_add_int64(f, name, v, n);
    free(v);
    if (rc)
        fprintf(stderr, "bench: %s: %s\n", name, custops_last_error());
    return rc;
}

static void crosssell(bench_report *r, double scale)
{
    size_t nb = (size_t)(10000000 * scale), cap = nb * 3, n = 0;
    const double nsku = 100000;
    int64_t *order = malloc(cap * sizeof *order), *sku = malloc(cap * sizeof *sku);
    if (!order || !sku)
        return;
    double t0 = bench_now();
    for (size_t b = 0; b < nb; b++) {
        /* 1 + geometric sizes (mean 2.5), popularity ~ u^3 (a long tail) */
        int m = 1;
        while (m < 20 && unif() < 0.6)
            m++;
        for (int j = 0; j < m; j++) {
            if (n == cap) {
                cap *= 2;
                order = realloc(order, cap * sizeof *order);
                sku = realloc(sku, cap * sizeof *sku);
                if (!order || !sku)
                    return;
            }
            double u = unif();
            order[n] = (int64_t)b;
            sku[n] = (int64_t)(u * u * u * nsku);
            n++;
        }
    }
    double gen = bench_now() - t0;
    custops_frame *f;
    if (custops_frame_new(&f) || add_col(f, "order", order, n) || add_col(f, "sku", sku, n))
        return;
    printf("generated %zu baskets, %zu lines in %.1f s\n", nb, n, gen);
    custops_crosssell_options o = CUSTOPS_CROSSSELL_OPTIONS_INIT;
    o.min_count = 5;
    custops_frame *out;
    t0 = bench_now();
    int rc = custops_crosssell_pairs(&out, f, &o);
    double dt = bench_now() - t0;
    if (rc) {
        fprintf(stderr, "bench: crosssell: %s\n", custops_last_error());
    } else {
        char name[96];
        snprintf(name, sizeof name, "crosssell %.3gM baskets, %.3gM lines, 100k SKUs, top 10", nb / 1e6, n / 1e6);
        bench_record(r, name, dt, "s", scale >= 1 ? "< 60 s" : NULL, dt < 60);
        bench_record(r, "crosssell throughput", n / dt / 1e6, "M lines/s", NULL, -1);
        bench_record(r, "crosssell pairs kept", (double)custops_frame_nrows(out), "rows", NULL, -1);
        custops_frame_free(out);
    }
    custops_frame_free(f);
}

static void customers(bench_report *r, double scale)
{
    size_t nc = (size_t)(1000000 * scale), cap = nc * 5, n = 0;
    int64_t *cust = malloc(cap * 8), *ord = malloc(cap * 8), *tim = malloc(cap * 8), *sku = malloc(cap * 8),
            *cat = malloc(cap * 8), *qty = malloc(cap * 8), *amt = malloc(cap * 8);
    if (!cust || !ord || !tim || !sku || !cat || !qty || !amt)
        return;
    const int64_t start = 1735660800; /* 2025-01-01 UTC */
    int64_t order = 0;
    for (size_t c = 0; c < nc; c++) {
        /* each customer has a favourite SKU (10k SKUs, 100 categories) bought
         * on a cycle of 20..60 days with noise, from a random start */
        int64_t s = (int64_t)(pow(unif(), 2) * 10000), cycle = 20 + (int64_t)(unif() * 40);
        double day = unif() * 120;
        int buys = 1 + (int)(unif() * 8);
        for (int k = 0; k < buys && day < 365; k++) {
            if (n == cap)
                break;
            cust[n] = (int64_t)c, ord[n] = order++, sku[n] = s, cat[n] = s % 100, qty[n] = 1, amt[n] = 1990;
            tim[n] = start + (int64_t)day * 86400 + 8 * 3600 + (int64_t)(unif() * 14 * 3600);
            n++;
            day += cycle * (0.8 + 0.4 * unif());
        }
    }
    custops_frame *f;
    if (custops_frame_new(&f) || add_col(f, "customer", cust, n) || add_col(f, "order", ord, n) ||
        add_col(f, "time", tim, n) || add_col(f, "sku", sku, n) || add_col(f, "category", cat, n) ||
        add_col(f, "qty", qty, n) || add_col(f, "amount", amt, n))
        return;
    printf("generated %zu customers, %zu lines\n", nc, n);
    custops_zone *z;
    if (custops_zone_open(&z, "Asia/Shanghai"))
        return;
    custops_repurchase_options o = CUSTOPS_REPURCHASE_OPTIONS_INIT;
    o.zone = z;
    o.now = start + 365 * 86400;
    custops_frame *cy = NULL, *due = NULL;
    char name[96];
    double t0 = bench_now();
    int rc = custops_repurchase_cycles(&cy, f, &o);
    double t1 = bench_now();
    if (!rc)
        rc = custops_repurchase_due(&due, f, cy, &o);
    double t2 = bench_now();
    if (rc) {
        fprintf(stderr, "bench: repurchase: %s\n", custops_last_error());
    } else {
        snprintf(name, sizeof name, "repurchase cycles, %.3gM customers, %.3gM lines", nc / 1e6, n / 1e6);
        bench_record(r, name, t1 - t0, "s", scale >= 1 ? "< 10 s" : NULL, t1 - t0 < 10);
        snprintf(name, sizeof name, "reminders due, %.3gM customers", nc / 1e6);
        bench_record(r, name, t2 - t1, "s", scale >= 1 ? "< 10 s" : NULL, t2 - t1 < 10);
        bench_record(r, "reminders listed", (double)custops_frame_nrows(due), "rows", NULL, -1);
    }
    custops_frame_free(cy);
    custops_frame_free(due);

    custops_sendtime_options so = CUSTOPS_SENDTIME_OPTIONS_INIT;
    so.zone = z;
    custops_frame *st = NULL;
    t0 = bench_now();
    if (custops_sendtime_best(&st, NULL, NULL, NULL, f, &so) == 0) {
        snprintf(name, sizeof name, "send times, %.3gM customers", nc / 1e6);
        bench_record(r, name, bench_now() - t0, "s", NULL, -1);
    }
    custops_frame_free(st);

    custops_kpi_options ko = CUSTOPS_KPI_OPTIONS_INIT;
    ko.zone = z;
    ko.from = start;
    ko.to = start + 365 * 86400;
    ko.by_day = 1;
    custops_frame *k = NULL;
    t0 = bench_now();
    if (custops_kpi_summary(&k, f, NULL, &ko) == 0) {
        snprintf(name, sizeof name, "KPIs per day over a year, %.3gM lines", n / 1e6);
        bench_record(r, name, bench_now() - t0, "s", NULL, -1);
    } else {
        fprintf(stderr, "bench: kpi: %s\n", custops_last_error());
    }
    custops_frame_free(k);
    t0 = bench_now();
    if (custops_kpi_cohorts(&k, f, &ko) == 0) {
        snprintf(name, sizeof name, "cohorts by month, %.3gM lines", n / 1e6);
        bench_record(r, name, bench_now() - t0, "s", NULL, -1);
    }
    custops_frame_free(k);
    custops_zone_free(z);
    custops_frame_free(f);
}

int main(void)
{
    bench_report r = {.suite = "analytics"};
    const char *s = getenv("BENCH_SCALE");
    double scale = s ? atof(s) : 1;
    if (!(scale > 0 && scale <= 10))
        scale = 1;
    customers(&r, scale);
    crosssell(&r, scale);
    bench_write(&r);
    return 0;
}
