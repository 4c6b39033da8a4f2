/* Segment figures: a five-clause audience over 10 million customers
 * (goal < 100 ms on one core), the same with a percentile clause, RFM
 * scoring of 10 million customers (goal < 1 s) and lifecycle classes.
 * BENCH_SEGMENT_ROWS overrides the row count for quick runs. */
#include "bench.h"

/* CPU seconds of this thread: the machine may be shared, so wall-clock
 * figures are reported next to CPU time. */
static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint64_t rng = 88172645463325252u;
static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

int main(void)
{
    bench_report r = {.suite = "segment"};
    size_t n = 10000000;
    const char *env = getenv("BENCH_SEGMENT_ROWS");
    if (env && atol(env) > 0)
        n = (size_t)atol(env);
    const int64_t now = 1718452800;
    custops_frame *f;
    if (custops_frame_new(&f))
        return 1;
    int64_t *v = malloc(n * sizeof *v);
    double *d = malloc(n * sizeof *d);
    if (!v || !d)
        return 1;
    /* orders: 0..20 skewed; spend minor units; days since last order; region code 0..46; tags bitmask; clv */
    for (size_t i = 0; i < n; i++)
        v[i] = (int64_t)(next() % 8 == 0 ? 0 : 1 + (next() % 64) / (1 + next() % 8));
    custops_frame_add_int64(f, "orders", v, n);
    for (size_t i = 0; i < n; i++)
        v[i] = (int64_t)(next() % 2000000);
    custops_frame_add_int64(f, "spend", v, n);
    for (size_t i = 0; i < n; i++)
        v[i] = (int64_t)(next() % 1000);
    custops_frame_add_int64(f, "days_since_last_order", v, n);
    for (size_t i = 0; i < n; i++)
        v[i] = (int64_t)(next() % 47);
    custops_frame_add_int64(f, "region", v, n);
    for (size_t i = 0; i < n; i++)
        v[i] = (int64_t)(next() & 0xff);
    custops_frame_add_int64(f, "tags", v, n);
    for (size_t i = 0; i < n; i++)
        v[i] = (int64_t)(next() % 3000);
    custops_frame_add_int64(f, "tenure_days", v, n);
    for (size_t i = 0; i < n; i++)
        d[i] = (double)(next() % 1000000) / 100.0;
    custops_frame_add_double(f, "clv", d, n);
    free(v);
    free(d);

    const char *regions[47], *tags[8] = {"vip", "new", "sale", "app", "wechat", "tmall", "jd", "staff"};
    char rbuf[47][8];
    for (int i = 0; i < 47; i++) {
        snprintf(rbuf[i], sizeof rbuf[i], "p%02d", i);
        regions[i] = rbuf[i];
    }
    custops_frame *rd, *td;
    custops_frame_new(&rd);
    custops_frame_add_string(rd, "name", regions, 47);
    custops_frame_new(&td);
    custops_frame_add_string(td, "name", tags, 8);
    custops_segment_ctx *ctx;
    custops_segment_ctx_new(&ctx, f, now);
    custops_segment_ctx_add_dict(ctx, "region", rd);
    custops_segment_ctx_add_dict(ctx, "tag", td);

    char name[96];
    const char *five = "orders >= 2 and spend > 1000 and days_since_last_order <= 180 "
                       "and region in (\"p01\", \"p02\", \"p03\", \"p10\", \"p20\") and not tags has \"staff\"";
    const char *pct = "orders >= 2 and spend > 1000 and days_since_last_order <= 180 "
                      "and region in (\"p01\", \"p02\", \"p03\", \"p10\", \"p20\") and clv in top 10%";
    const char *texts[2] = {five, pct}, *labels[2] = {"five-clause audience", "five clauses incl. clv in top 10%"};
    for (int k = 0; k < 2; k++) {
        custops_audience *a;
        if (custops_audience_compile(&a, texts[k], ctx)) {
            fprintf(stderr, "%s\n", custops_last_error());
            return 1;
        }
        double best = 1e9, bestcpu = 1e9;
        size_t count = 0;
        for (int rep = 0; rep < 5; rep++) {
            custops_bitset *bs;
            double t0 = bench_now(), c0 = cpu_now();
            custops_audience_evaluate(&bs, a);
            double dt = bench_now() - t0, dc = cpu_now() - c0;
            if (dt < best)
                best = dt;
            if (dc < bestcpu)
                bestcpu = dc;
            count = custops_bitset_count(bs);
            custops_bitset_free(bs);
        }
        snprintf(name, sizeof name, "%s, %zuM customers (best of 5)", labels[k], n / 1000000);
        bench_record(&r, name, best * 1e3, "ms", k == 0 ? "< 100 ms" : NULL, best < 0.1);
        snprintf(name, sizeof name, "%s, %zuM customers, CPU time", labels[k], n / 1000000);
        bench_record(&r, name, bestcpu * 1e3, "ms cpu", NULL, -1);
        snprintf(name, sizeof name, "%s: members", labels[k]);
        bench_record(&r, name, (double)count, "customers", NULL, -1);
        custops_audience_free(a);
    }
    /* a windowless five-clause worst case: the first clause is not selective */
    {
        custops_audience *a;
        custops_audience_compile(&a, "days_since_last_order >= 0 or spend > 5 and orders > 0 and clv > 1 and tags has \"vip\"", ctx);
        custops_bitset *bs;
        double t0 = bench_now();
        custops_audience_evaluate(&bs, a);
        double dt = bench_now() - t0;
        snprintf(name, sizeof name, "five clauses, no early exit, %zuM customers", n / 1000000);
        bench_record(&r, name, dt * 1e3, "ms", NULL, -1);
        custops_bitset_free(bs);
        custops_audience_free(a);
    }

    custops_frame *out;
    double best = 1e9, bestcpu = 1e9;
    for (int rep = 0; rep < 3; rep++) {
        double t0 = bench_now(), c0 = cpu_now();
        if (custops_rfm_score(&out, f, NULL)) {
            fprintf(stderr, "%s\n", custops_last_error());
            return 1;
        }
        double dt = bench_now() - t0, dc = cpu_now() - c0;
        if (dt < best)
            best = dt;
        if (dc < bestcpu)
            bestcpu = dc;
        custops_frame_free(out);
    }
    snprintf(name, sizeof name, "RFM scores + segment names, %zuM customers (best of 3)", n / 1000000);
    bench_record(&r, name, best, "s", NULL, -1);
    snprintf(name, sizeof name, "RFM scores + segment names, %zuM customers, CPU time", n / 1000000);
    bench_record(&r, name, bestcpu, "s cpu", NULL, -1);
    custops_rfm_options ro;
    custops_rfm_options_init(&ro, CUSTOPS_RFM_OPTIONS_VERSION);
    ro.segment_names = 0;
    best = bestcpu = 1e9;
    for (int rep = 0; rep < 3; rep++) {
        double t0 = bench_now(), c0 = cpu_now();
        custops_rfm_score(&out, f, &ro);
        double dt = bench_now() - t0, dc = cpu_now() - c0;
        if (dt < best)
            best = dt;
        if (dc < bestcpu)
            bestcpu = dc;
        custops_frame_free(out);
    }
    snprintf(name, sizeof name, "RFM scores + segment codes, %zuM customers (best of 3)", n / 1000000);
    bench_record(&r, name, best, "s", "< 1 s", best < 1.0);
    snprintf(name, sizeof name, "RFM scores + segment codes, %zuM customers, CPU time", n / 1000000);
    bench_record(&r, name, bestcpu, "s cpu", NULL, -1);
    double t0 = bench_now();
    custops_lifecycle_classify(&out, f, NULL);
    double dt = bench_now() - t0;
    custops_frame_free(out);
    snprintf(name, sizeof name, "lifecycle classes, %zuM customers", n / 1000000);
    bench_record(&r, name, dt, "s", NULL, -1);

    custops_segment_ctx_free(ctx);
    custops_frame_free(rd);
    custops_frame_free(td);
    custops_frame_free(f);
    bench_write(&r);
    return 0;
}
