/* Thread rules under ThreadSanitizer for CLV: one fitted model shared by
 * many threads predicting at once (its functions are const and keep no
 * state), and fits on different data in parallel. Built and run by
 * tools/tsan-check.sh. */
#include <custops.h>

#include <math.h>
#include <pthread.h>
#include <stdio.h>

#define THREADS 4
#define N 2000

static custops_clv_model *g_model;
static double g_x[N], g_t[N], g_T[N];

static void *worker(void *arg)
{
    long id = (long)arg, bad = 0;
    double out[N], e[3], tt[3] = {1, 10, 100}, xs[3] = {0, 1, 2};
    for (int round = 0; round < 5; round++) {
        if (custops_clv_prob_alive(g_model, g_x, g_t, g_T, N, out) != CUSTOPS_OK)
            bad++;
        if (custops_clv_conditional_expected_purchases(g_model, 39, g_x, g_t, g_T, 200, out) != CUSTOPS_OK)
            bad++;
        if (custops_clv_expected_purchases(g_model, tt, 3, e) != CUSTOPS_OK ||
            custops_clv_prob_purchases(g_model, tt, xs, 3, e) != CUSTOPS_OK)
            bad++;
    }
    /* a fit of its own on the shared (read-only) arrays */
    custops_clv_model *m = NULL;
    if (custops_clv_fit(&m, id % 2 ? CUSTOPS_CLV_BGNBD : CUSTOPS_CLV_PARETO_NBD, g_x, g_t, g_T, NULL, N, NULL) !=
        CUSTOPS_OK)
        bad++;
    custops_clv_free(m);
    return (void *)bad;
}

int main(void)
{
    double p[4] = {0.55, 10.6, 0.6, 11.7};
    if (custops_clv_new(&g_model, CUSTOPS_CLV_PARETO_NBD, p, 4))
        return 1;
    for (int i = 0; i < N; i++)
        g_T[i] = 27 + i % 12;
    if (custops_clv_simulate(g_model, 5, g_T, N, g_x, g_t))
        return 1;
    pthread_t th[THREADS];
    for (long i = 0; i < THREADS; i++)
        pthread_create(&th[i], NULL, worker, (void *)i);
    long bad = 0;
    for (int i = 0; i < THREADS; i++) {
        void *r;
        pthread_join(th[i], &r);
        bad += (long)r;
    }
    custops_clv_free(g_model);
    if (bad) {
        fprintf(stderr, "tsan_clv: %ld failures\n", bad);
        return 1;
    }
    printf("tsan_clv: %d threads shared one model\n", THREADS);
    return 0;
}
