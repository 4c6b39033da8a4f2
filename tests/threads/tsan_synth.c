/* The synthetic store under ThreadSanitizer: generators running at once
 * in several threads share nothing (no global state, no static caches)
 * and each gets exactly the lines a lone run gets. Built and run by
 * tools/tsan-check.sh. */
#include <custops.h>

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#define THREADS 4

static custops_frame *g_ref;

static void *worker(void *arg)
{
    long id = (long)arg;
    custops_synth_options o;
    custops_synth_options_init(&o, CUSTOPS_SYNTH_OPTIONS_VERSION);
    o.customers = 300;
    o.seed = 17;
    if (id % 2) /* half the threads use another zone: no zone state is shared */
        o.zone = "UTC";
    custops_frame *f;
    if (custops_synth_order_lines(&o, &f) != CUSTOPS_OK)
        return (void *)1;
    long bad = 0;
    size_t col, refcol;
    const int64_t *a, *b;
    if (id % 2 == 0) {
        if (custops_frame_nrows(f) != custops_frame_nrows(g_ref) || custops_frame_find(f, "unit_price", &col) ||
            custops_frame_find(g_ref, "unit_price", &refcol) || custops_frame_int64(f, col, &a) ||
            custops_frame_int64(g_ref, refcol, &b) || memcmp(a, b, custops_frame_nrows(f) * sizeof *a) != 0)
            bad++;
    }
    custops_frame_free(f);
    return (void *)bad;
}

int main(void)
{
    custops_synth_options o;
    custops_synth_options_init(&o, CUSTOPS_SYNTH_OPTIONS_VERSION);
    o.customers = 300;
    o.seed = 17;
    if (custops_synth_order_lines(&o, &g_ref) != CUSTOPS_OK)
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
    custops_frame_free(g_ref);
    printf("%s: %ld mismatches\n", bad ? "FAIL" : "ok", bad);
    return bad != 0;
}
