/* Core figures: money parsing and allocation, zone conversion. */
#include "bench.h"

int main(void)
{
    bench_report r = {.suite = "core"};
    const int N = 5000000;
    volatile int64_t sink = 0;
    double t0 = bench_now();
    for (int i = 0; i < N; i++) {
        int64_t v;
        custops_money_parse(i & 1 ? "69.90" : "1234567.05", 2, &v);
        sink += v;
    }
    double dt = bench_now() - t0;
    bench_record(&r, "money_parse", N / dt / 1e6, "M/s", NULL, -1);

    int64_t w[30], s[30];
    for (int i = 0; i < 30; i++)
        w[i] = 100 + i * 37;
    t0 = bench_now();
    for (int i = 0; i < N / 10; i++) {
        custops_money_allocate(1000 + i % 977, w, 30, s);
        sink += s[0];
    }
    dt = bench_now() - t0;
    bench_record(&r, "money_allocate 30 lines", dt / (N / 10) * 1e9, "ns/op", NULL, -1);

    custops_zone *z;
    if (custops_zone_open(&z, "America/New_York") == 0) {
        t0 = bench_now();
        for (int i = 0; i < N; i++) {
            int32_t day;
            custops_zone_local(z, 1700000000 + (int64_t)i * 977, &day, NULL);
            sink += day;
        }
        dt = bench_now() - t0;
        bench_record(&r, "zone_local (TZif, DST zone)", N / dt / 1e6, "M/s", NULL, -1);
        custops_zone_free(z);
    }
    bench_write(&r);
    return sink == 42; /* keep the loops alive */
}
