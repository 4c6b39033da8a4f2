/* Profile store benchmarks: CSV ingest speed (goal >= 3M order lines/s on
 * one core), features for 1M customers / 20M lines (goal < 1 s) and memory
 * per order line (goal < 40 bytes). The data come from a small
 * deterministic generator below (a linear congruential stream), so runs
 * are comparable. BENCH_STORE_SCALE (default 1.0) shrinks the big case. */
#include "bench.h"

#include <stdint.h>

/* CPU time of this process: on a shared machine wall time also counts the
 * time other processes held the core, so both are reported */
static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint64_t rng = 88172645463325252ULL;
static uint32_t next(void)
{
    rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(rng >> 33);
}

/* n order lines as CSV: ~2 lines per order, ISO times with offset */
static char *make_csv(size_t n, size_t ncust, size_t *len_out)
{
    size_t cap = n * 110 + 256, len = 0;
    char *b = malloc(cap);
    len += (size_t)sprintf(b, "order_id,customer_id,time,currency,sku,category,qty,unit_price,discount,coupon_code,channel\n");
    static const char *chan[] = {"app", "web", "mini_program", "store"};
    size_t order = 0;
    for (size_t i = 0; i < n;) {
        unsigned cust = next() % (unsigned)ncust, k = 1 + next() % 3, day = next() % 700, sec = next() % 86400;
        const char *ch = chan[next() % 4];
        int coupon = next() % 5 == 0;
        order++;
        for (unsigned j = 0; j < k && i < n; j++, i++) {
            unsigned sku = next() % 5000, qty = 1 + next() % 3, price = 100 + next() % 50000;
            int y = 2023 + (int)(day / 365);
            unsigned doy = day % 365, mo = 1 + doy / 31 % 12, md = 1 + doy % 28;
            len += (size_t)sprintf(b + len, "o%zu,c%u,%04d-%02u-%02uT%02u:%02u:%02u+08:00,CNY,sku%u,cat%u,%u,%u.%02u,%s,%s,%s\n",
                                   order, cust, y, mo, md, sec / 3600, sec / 60 % 60, sec % 60, sku, sku % 40, qty,
                                   price / 100, price % 100, coupon ? "1.00" : "", coupon ? "C5" : "", ch);
        }
    }
    *len_out = len;
    return b;
}

int main(void)
{
    bench_report rep = {.suite = "store"};
    const char *sc = getenv("BENCH_STORE_SCALE");
    double scale = sc ? atof(sc) : 1.0;
    if (scale <= 0 || scale > 1)
        scale = 1.0;

    /* 1. CSV ingest */
    size_t n = 2000000, len;
    char *csv = make_csv(n, 200000, &len);
    double best = 1e9, best_cpu = 1e9;
    for (int rep_i = 0; rep_i < 3; rep_i++) {
        custops_store *s;
        custops_store_new(&s, "Asia/Shanghai", "CNY");
        double t0 = bench_now(), c0 = cpu_now();
        int rc = custops_store_ingest_csv_buffer(s, csv, len, "bench.csv", NULL, NULL, NULL);
        double dt = bench_now() - t0, dc = cpu_now() - c0;
        if (dc < best_cpu)
            best_cpu = dc;
        if (rc) {
            fprintf(stderr, "ingest failed: %s\n", custops_last_error());
            return 1;
        }
        if (dt < best)
            best = dt;
        custops_store_free(s);
    }
    free(csv);
    bench_record(&rep, "CSV ingest, 2M order lines (ISO times, 11 columns)", n / best, "lines/s", ">= 3e6 lines/s",
                 n / best >= 3e6);
    bench_record(&rep, "CSV ingest, 2M order lines, per CPU second", n / best_cpu, "lines/s", ">= 3e6 lines/s",
                 n / best_cpu >= 3e6);
    bench_record(&rep, "CSV ingest throughput", (double)len / best / 1e6, "MB/s", NULL, 0);

    /* 2. features for 1M customers / 20M lines, built through the batch API */
    size_t ncust = (size_t)(1000000 * scale), nl = (size_t)(20000000 * scale), chunk = 100000;
    custops_store *s;
    custops_store_new(&s, "Asia/Shanghai", "CNY");
    custops_order_line *rows = calloc(chunk, sizeof *rows);
    char (*oid)[16] = malloc(chunk * 16), (*cid)[16] = malloc(chunk * 16);
    static const char *skus[64];
    static char skubuf[64][8];
    for (int k = 0; k < 64; k++) {
        snprintf(skubuf[k], 8, "s%d", k);
        skus[k] = skubuf[k];
    }
    size_t order = 0, done = 0;
    double t0 = bench_now();
    while (done < nl) {
        size_t m = 0;
        while (m < chunk && done + m < nl) {
            unsigned cust = next() % (unsigned)ncust, k = 1 + next() % 3;
            int64_t t = 1672502400 + (int64_t)(next() % (700u * 86400u));
            order++;
            for (unsigned j = 0; j < k && m < chunk && done + m < nl; j++, m++) {
                snprintf(oid[m], 16, "o%zu", order);
                snprintf(cid[m], 16, "c%u", cust);
                rows[m] = (custops_order_line){oid[m], cid[m], t, skus[next() % 64], NULL, 1 + next() % 3,
                                               100 + next() % 50000, 0, NULL, NULL};
            }
        }
        if (custops_store_add_lines(s, rows, m)) {
            fprintf(stderr, "add failed: %s\n", custops_last_error());
            return 1;
        }
        done += m;
    }
    double build = bench_now() - t0;
    free(rows);
    free(oid);
    free(cid);
    custops_store_counts cnt;
    custops_store_stats(s, &cnt);
    char name[96];
    snprintf(name, sizeof name, "batch add, %.0fM lines", nl / 1e6);
    bench_record(&rep, name, nl / build, "lines/s", NULL, 0);
    bench_record(&rep, "memory per order line (all tables, after ingest)", (double)cnt.bytes / (double)cnt.lines,
                 "bytes", "< 40 bytes", (double)cnt.bytes / (double)cnt.lines < 40);
    custops_frame *f;
    t0 = bench_now();
    custops_store_lines(s, &f); /* first view: sorts rows into (customer, time, order) */
    double sort = bench_now() - t0;
    custops_frame_free(f);
    snprintf(name, sizeof name, "first view: order %.0fM lines", nl / 1e6);
    bench_record(&rep, name, sort, "s", NULL, 0);
    custops_store_stats(s, &cnt);
    bench_record(&rep, "memory per order line (after the first view trims spare capacity)",
                 (double)cnt.bytes / (double)cnt.lines, "bytes", "< 40 bytes", (double)cnt.bytes / (double)cnt.lines < 40);
    custops_features_opts o = CUSTOPS_FEATURES_OPTS_INIT;
    o.now = 1672502400 + 700LL * 86400;
    t0 = bench_now();
    double c0 = cpu_now();
    if (custops_store_features(s, &o, &f)) {
        fprintf(stderr, "features failed: %s\n", custops_last_error());
        return 1;
    }
    double feat = bench_now() - t0, feat_cpu = cpu_now() - c0;
    custops_frame_free(f);
    snprintf(name, sizeof name, "features, %.0fk customers / %.0fM lines", cnt.customers / 1e3, nl / 1e6);
    bench_record(&rep, name, feat, "s", "< 1 s", feat < 1.0);
    snprintf(name, sizeof name, "features, %.0fk customers / %.0fM lines, CPU time", cnt.customers / 1e3, nl / 1e6);
    bench_record(&rep, name, feat_cpu, "s", "< 1 s", feat_cpu < 1.0);
    custops_store_free(s);
    bench_write(&rep);
    return 0;
}
