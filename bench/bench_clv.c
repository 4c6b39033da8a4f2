/* CLV figures: fit time of BG/NBD and Pareto/NBD at 10k, 100k and 1M
 * customers, with day-granularity data (ties, as real data has) and with
 * continuous times (no ties), and P(alive) throughput. Data are simulated
 * from the CDNOW estimates (weeks; cohort joining over 12 weeks, observed
 * 27 to 39 weeks). One thread. Goals are judged on the process CPU time
 * (one core): on a shared machine wall time also counts other programs'
 * work, so both are reported. */
#include "bench.h"

#include <math.h>

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void make_data(int kind, const double *p, size_t n, int days, double *x, double *tx, double *T)
{
    custops_clv_model *m;
    if (custops_clv_new(&m, kind, p, 4) != 0)
        exit(1);
    for (size_t i = 0; i < n; i++)
        T[i] = 27.0 + 12.0 * (double)((i * 2654435761u) % 100000) / 100000.0;
    if (days)
        for (size_t i = 0; i < n; i++)
            T[i] = floor(T[i] * 7.0) / 7.0;
    if (custops_clv_simulate(m, 7, T, n, x, tx) != 0)
        exit(1);
    if (days) /* purchases recorded by day: recency in whole days */
        for (size_t i = 0; i < n; i++) {
            tx[i] = floor(tx[i] * 7.0) / 7.0;
            if (x[i] > 0 && tx[i] == 0)
                tx[i] = 1.0 / 7.0 < T[i] ? 1.0 / 7.0 : T[i];
        }
    custops_clv_free(m);
}

int main(void)
{
    bench_report r = {.suite = "clv"};
    static const double BG[4] = {0.243, 4.414, 0.793, 2.426};
    static const double PN[4] = {0.553, 10.58, 0.606, 11.67};
    size_t sizes[3] = {10000, 100000, 1000000};
    size_t nmax = sizes[2];
    double *x = malloc(nmax * sizeof(double)), *tx = malloc(nmax * sizeof(double)), *T = malloc(nmax * sizeof(double)),
           *out = malloc(nmax * sizeof(double));
    if (!x || !tx || !T || !out)
        return 1;
    for (int model = 0; model < 2; model++) {
        int kind = model ? CUSTOPS_CLV_PARETO_NBD : CUSTOPS_CLV_BGNBD;
        const char *name = model ? "pareto_nbd" : "bgnbd";
        for (int days = 1; days >= 0; days--)
            for (int s = 0; s < 3; s++) {
                size_t n = sizes[s];
                make_data(kind, model ? PN : BG, n, days, x, tx, T);
                custops_clv_model *m;
                double t0 = bench_now(), c0 = cpu_now();
                int rc = custops_clv_fit(&m, kind, x, tx, T, NULL, n, NULL);
                double wall = bench_now() - t0, dt = cpu_now() - c0;
                if (rc != 0) {
                    fprintf(stderr, "fit failed: %s\n", custops_last_error());
                    continue;
                }
                double rows;
                custops_clv_data_size(m, NULL, &rows);
                char label[96], goal[64] = "";
                snprintf(label, sizeof label, "fit %s %zuk customers, %s (%.0f rows)", name, n / 1000,
                         days ? "day ties" : "untied", rows);
                int met = -1;
                if (n == nmax) {
                    snprintf(goal, sizeof goal, "< %s s", model ? "2" : "0.3");
                    met = dt < (model ? 2.0 : 0.3);
                }
                bench_record(&r, label, dt, "s cpu", goal, met);
                snprintf(label, sizeof label, "  same, wall clock");
                bench_record(&r, label, wall, "s", NULL, -1);
                custops_clv_free(m);
            }
    }
    /* P(alive) throughput on the million untied customers */
    for (int model = 0; model < 2; model++) {
        int kind = model ? CUSTOPS_CLV_PARETO_NBD : CUSTOPS_CLV_BGNBD;
        custops_clv_model *m;
        custops_clv_new(&m, kind, model ? PN : BG, 4);
        make_data(kind, model ? PN : BG, nmax, 0, x, tx, T);
        double c0 = cpu_now();
        int reps = model ? 1 : 5;
        for (int k = 0; k < reps; k++)
            custops_clv_prob_alive(m, x, tx, T, nmax, out);
        double dt = (cpu_now() - c0) / reps;
        char label[96];
        snprintf(label, sizeof label, "prob_alive %s", model ? "pareto_nbd" : "bgnbd");
        bench_record(&r, label, nmax / dt / 1e6, "M/s cpu", model ? NULL : "> 10", model ? -1 : nmax / dt > 1e7);
        custops_clv_free(m);
    }
    bench_write(&r);
    free(x);
    free(tx);
    free(T);
    free(out);
    return 0;
}
