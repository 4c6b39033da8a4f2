/* Thread rules under ThreadSanitizer: read-only objects (zones, finished
 * frames) are shared by many threads at once, and error messages stay
 * thread-local. Built and run by tools/tsan-check.sh, not by make check
 * (it needs the library compiled with -fsanitize=thread). */
#include <custops.h>

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#define THREADS 8
#define ROUNDS 20000

static custops_zone *g_zone;
static custops_frame *g_frame;

static void *worker(void *arg)
{
    long id = (long)arg;
    long bad = 0;
    for (int i = 0; i < ROUNDS; i++) {
        int32_t day, sod;
        if (custops_zone_local(g_zone, 1731254400 + (int64_t)i * 3600, &day, &sod) != CUSTOPS_OK)
            bad++;
        const double *v;
        size_t col;
        if (custops_frame_find(g_frame, "v", &col) != CUSTOPS_OK || custops_frame_double(g_frame, col, &v) != CUSTOPS_OK ||
            v[i % 4] != (double)(i % 4))
            bad++;
        /* each thread fails in its own way and must read back its own message */
        char code[4] = {'Q', (char)('A' + id), (char)('A' + i % 26), 0};
        int e;
        custops_currency_exponent(code, &e);
        if (!strstr(custops_last_error(), code))
            bad++;
    }
    return (void *)bad;
}

int main(void)
{
    if (custops_zone_open(&g_zone, "Asia/Shanghai") || custops_frame_new(&g_frame))
        return 1;
    double v[4] = {0, 1, 2, 3};
    if (custops_frame_add_double(g_frame, "v", v, 4))
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
    custops_frame_free(g_frame);
    custops_zone_free(g_zone);
    printf("%s: %d threads x %d rounds, %ld bad\n", bad ? "FAIL" : "ok", THREADS, ROUNDS, bad);
    return bad != 0;
}
