/* Coupon figures: quote latency (p50, p99) and throughput for a 30-line
 * cart against 200 active rules and 20 wallet coupons, and compile time for
 * 10,000 rules. The rule text and cart are generated here and also written
 * to $BENCH_OUT (coupon_rules.txt, its canonical coupon_rules.json,
 * coupon_cart.json and the C result coupon_quote.json) so bench/py can run
 * the same quote in pure Python and check it gets the same answer. */
#include "bench.h"

#include <stdarg.h>
#include <sys/resource.h>
#include <stdint.h>

static void add(char **buf, size_t *len, size_t *cap, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void add(char **buf, size_t *len, size_t *cap, const char *fmt, ...)
{
    va_list ap;
    for (;;) {
        va_start(ap, fmt);
        int n = vsnprintf(*buf + *len, *cap - *len, fmt, ap);
        va_end(ap);
        if ((size_t)n < *cap - *len) {
            *len += (size_t)n;
            return;
        }
        *cap *= 2;
        *buf = realloc(*buf, *cap);
    }
}

/* nrules automatic rules over 5 stacking groups plus nwallet wallet templates */
static char *make_rules(int nrules, int nwallet, size_t *len_out)
{
    size_t cap = 1 << 16, len = 0;
    char *b = malloc(cap);
    b[0] = 0;
    add(&b, &len, &cap, "currency CNY; tz \"Asia/Shanghai\"; tiers \"bronze\", \"silver\", \"gold\";\n"
                        "group item_price exclusive per_line; group platform exclusive; group store exclusive;\n"
                        "group gift stackable max 3; group ship exclusive; group pts exclusive;\n");
    for (int i = 0; i < nrules; i++) {
        int kind = i % 10;
        add(&b, &len, &cap, "rule auto_%05d { valid 2025-11-01T00:00 .. 2025-12-01T00:00; ", i);
        switch (kind) {
        case 0: case 1: case 2: case 3:
            add(&b, &len, &cap, "lane item; group item_price; scope category(\"c%d\"); then percent_off %d%%; }\n",
                i % 20, 5 + i % 20);
            break;
        case 4: case 5:
            add(&b, &len, &cap, "lane order; group platform; when subtotal() >= %d.00; then tiers(%d.00: %d.00, %d.00: %d.00); }\n",
                100 + i % 300, 100 + i % 300, 5 + i % 30, 400 + i % 300, 20 + i % 60);
            break;
        case 6:
            add(&b, &len, &cap, "lane order; group platform; scope brand(\"b%d\"); then every 100.00 off %d.00 max_times 5; }\n",
                i % 10, 5 + i % 10);
            break;
        case 7:
            add(&b, &len, &cap, "lane order; group gift; when subtotal() >= %d.00; then gift \"G%d\" qty 1; }\n", 50 + i % 500, i % 7);
            break;
        case 8:
            add(&b, &len, &cap, "lane shipping; group ship; when subtotal() >= %d.00; then %s; }\n", 30 + i % 100,
                i % 3 ? "shipping_off 5.00" : "free_shipping");
            break;
        default:
            add(&b, &len, &cap, "lane points; group pts; when customer.tier >= \"silver\"; then points_x %d; }\n", 2 + i % 3);
            break;
        }
    }
    for (int i = 0; i < nwallet; i++)
        add(&b, &len, &cap, "rule wallet_%03d { lane order; group store; code wallet; when subtotal() >= %d.00; "
                            "then amount_off %d.00; limit per_customer 1; }\n", i, 50 + 25 * i, 5 + 3 * i);
    *len_out = len;
    return b;
}

static char *make_cart(int nlines, int nwallet)
{
    size_t cap = 1 << 14, len = 0;
    char *b = malloc(cap);
    b[0] = 0;
    add(&b, &len, &cap, "{\"currency\":\"CNY\",\"now\":\"2025-11-11T10:00:00+08:00\",\"shipping\":\"10.00\",\"lines\":[");
    for (int i = 0; i < nlines; i++)
        add(&b, &len, &cap, "%s{\"id\":\"L%02d\",\"sku\":\"S%02d\",\"category\":[\"c%d\"],\"brand\":\"b%d\",\"unit_price\":%d,\"qty\":%d}",
            i ? "," : "", i, i, (i * 7) % 20, i % 10, 990 + 137 * i, 1 + i % 3);
    add(&b, &len, &cap, "],\"customer\":{\"id\":\"c1\",\"known\":true,\"paid_orders\":4,\"tier\":\"gold\"},"
                        "\"stock\":{\"G0\":9,\"G1\":9,\"G2\":9,\"G3\":9,\"G4\":9,\"G5\":9,\"G6\":9},\"wallet\":[");
    for (int i = 0; i < nwallet; i++)
        add(&b, &len, &cap, "%s{\"id\":\"W%03d\",\"rule\":\"wallet_%03d\"}", i ? "," : "", i, i);
    add(&b, &len, &cap, "]}\n");
    return b;
}

/* CPU seconds of this thread: on a shared, loaded machine wall time mostly
 * measures the other processes */
static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void write_file(const char *name, const char *data)
{
    const char *dir = getenv("BENCH_OUT");
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir ? dir : ".", name);
    FILE *f = fopen(path, "w");
    if (f) {
        fputs(data, f);
        fclose(f);
    }
}

int main(void)
{
    bench_report r = {.suite = "coupon"};
    size_t len;
    char *text = make_rules(200, 20, &len), *cart_json = make_cart(30, 20);
    write_file("coupon_rules.txt", text);
    write_file("coupon_cart.json", cart_json);
    custops_ruleset *rs;
    custops_cart *cart;
    if (custops_ruleset_compile(&rs, text, len, "bench") || custops_cart_from_json(&cart, cart_json, strlen(cart_json))) {
        fprintf(stderr, "bench: %s\n", custops_last_error());
        return 1;
    }
    char *rules_json;
    if (custops_ruleset_to_json(rs, &rules_json, NULL) == CUSTOPS_OK) {
        write_file("coupon_rules.json", rules_json);
        custops_free(rules_json);
    }
    int64_t now;
    custops_cart_now(cart, &now);
    custops_quote *q;
    custops_quote_run(&q, rs, cart, now);
    printf("quote: discount %lld, points %lld, %s\n", (long long)custops_quote_discount(q),
           (long long)custops_quote_points(q), custops_quote_exact(q) ? "exact" : "heuristic");
    char *json;
    custops_quote_to_json(q, &json, NULL);
    write_file("coupon_quote.json", json);
    custops_free(json);
    custops_quote_free(q);
    enum { N = 3000 };
    static double lat[N], clat[N];
    double t0 = bench_now(), c0 = cpu_now();
    for (int i = 0; i < N; i++) {
        double a = bench_now(), ca = cpu_now();
        custops_quote_run(&q, rs, cart, now);
        custops_quote_free(q);
        clat[i] = cpu_now() - ca;
        lat[i] = bench_now() - a;
    }
    double total = bench_now() - t0, ctotal = cpu_now() - c0;
    qsort(lat, N, sizeof lat[0], cmp_d);
    qsort(clat, N, sizeof clat[0], cmp_d);
    bench_record(&r, "quote p50 (30 lines, 200 rules, 20 wallet)", lat[N / 2] * 1e6, "us", "< 20 us", lat[N / 2] * 1e6 < 20);
    bench_record(&r, "quote p99 (30 lines, 200 rules, 20 wallet)", lat[N * 99 / 100] * 1e6, "us", "< 200 us",
                 lat[N * 99 / 100] * 1e6 < 200);
    bench_record(&r, "CPU time per quote p50 (same cart)", clat[N / 2] * 1e6, "us", "< 20 us", clat[N / 2] * 1e6 < 20);
    bench_record(&r, "CPU time per quote p99 (same cart)", clat[N * 99 / 100] * 1e6, "us", "< 200 us",
                 clat[N * 99 / 100] * 1e6 < 200);
    /* Throughput in its own loop: the latency loop above reads two clocks
     * around every quote (four clock_gettime calls, about 0.4 us here, a
     * thread CPU clock is a system call), which is the harness's cost, not
     * the quote's. Its totals are kept as a figure without a goal. */
    bench_record(&r, "quotes per CPU second, timed one by one", N / ctotal, "quotes/s", NULL, -1);
    enum { NT = 20000 };
    struct rusage ru0, ru1;
    getrusage(RUSAGE_SELF, &ru0);
    t0 = bench_now();
    c0 = cpu_now();
    for (int i = 0; i < NT; i++) {
        custops_quote_run(&q, rs, cart, now);
        custops_quote_free(q);
    }
    total = bench_now() - t0;
    ctotal = cpu_now() - c0;
    getrusage(RUSAGE_SELF, &ru1);
    /* A quote allocates and frees some 100 KB of working memory. Should
     * that ever leave a large enough free block at the top of the heap,
     * glibc gives it back to the system and takes it again on the next
     * quote: a page fault per page touched, which once cost 65% more time
     * for fewer instructions. Steady state is no fault at all. */
    double faults = (double)(ru1.ru_minflt - ru0.ru_minflt) * 1000.0 / NT;
    bench_record(&r, "page faults per 1,000 quotes", faults, "faults", "< 10", faults < 10);
    bench_record(&r, "quotes per second (one core)", NT / total, "quotes/s", "> 100000", NT / total > 100000);
    bench_record(&r, "quotes per CPU second", NT / ctotal, "quotes/s", "> 100000", NT / ctotal > 100000);
    t0 = bench_now();
    for (int i = 0; i < 300; i++) {
        custops_quote_run(&q, rs, cart, now);
        custops_quote_to_json(q, &json, NULL);
        custops_free(json);
        custops_quote_free(q);
    }
    bench_record(&r, "quote + canonical JSON", (bench_now() - t0) / 300 * 1e6, "us", NULL, -1);
    /* A storefront request: the cart read from JSON, quoted once, freed.
     * Its allocations interleave with the quote's, another layout of the
     * heap for the trimming the figure above watches. */
    enum { NR = 5000 };
    size_t cart_len = strlen(cart_json);
    getrusage(RUSAGE_SELF, &ru0);
    c0 = cpu_now();
    for (int i = 0; i < NR; i++) {
        custops_cart *c1;
        custops_cart_from_json(&c1, cart_json, cart_len);
        custops_quote_run(&q, rs, c1, now);
        custops_quote_free(q);
        custops_cart_free(c1);
    }
    ctotal = cpu_now() - c0;
    getrusage(RUSAGE_SELF, &ru1);
    bench_record(&r, "cart from JSON + quote (CPU time)", ctotal / NR * 1e6, "us", NULL, -1);
    faults = (double)(ru1.ru_minflt - ru0.ru_minflt) * 1000.0 / NR;
    bench_record(&r, "page faults per 1,000 cart + quote rounds", faults, "faults", "< 10", faults < 10);
    custops_cart_free(cart);
    custops_ruleset_free(rs);
    free(text);

    text = make_rules(10000, 20, &len);
    t0 = bench_now();
    c0 = cpu_now();
    int rc = custops_ruleset_compile(&rs, text, len, "bench10k");
    double dt = bench_now() - t0, cdt = cpu_now() - c0;
    if (rc) {
        fprintf(stderr, "bench: %s\n", custops_last_error());
        return 1;
    }
    bench_record(&r, "compile 10,000 rules", dt * 1e3, "ms", "< 200 ms", dt * 1e3 < 200);
    bench_record(&r, "compile 10,000 rules (CPU time)", cdt * 1e3, "ms", "< 200 ms", cdt * 1e3 < 200);
    cart = NULL;
    custops_cart_from_json(&cart, cart_json, strlen(cart_json));
    c0 = cpu_now();
    for (int i = 0; i < 5; i++) {
        custops_quote_run(&q, rs, cart, now);
        custops_quote_free(q);
    }
    bench_record(&r, "quote with 10,000 rules defined (all active, CPU time)", (cpu_now() - c0) / 5 * 1e6, "us", NULL, -1);
    custops_cart_free(cart);
    custops_ruleset_free(rs);
    free(text);
    free(cart_json);
    bench_write(&r);
    return 0;
}
