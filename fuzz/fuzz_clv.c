/* Fuzz the CLV model loader (kind CLVM) on mutated bytes, then run the
 * predictions on whatever loads: a loaded model must never produce NaN.
 * The bytes go both through the file loader (frame and checksums) and
 * straight into the payload decoder (the fuzz build compiles the library
 * sources in, so the private decoder is reachable past the checksum). */
#include "custops.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);
int custops__clv_decode(custops_clv_model **out, const void *data, size_t len, const char *what);

static void exercise(custops_clv_model *m)
{
    double x[3] = {0, 2, 10}, tx[3] = {0, 3, 9}, T[3] = {10, 10, 10}, out[3];
    if (custops_clv_kind_of(m) == CUSTOPS_CLV_GAMMA_GAMMA) {
        if (custops_clv_expected_spend(m, x, T, 3, out) == CUSTOPS_OK)
            for (int i = 0; i < 3; i++)
                if (!isfinite(out[i]))
                    abort();
        return;
    }
    if (custops_clv_kind_of(m) == CUSTOPS_CLV_BGBB) {
        tx[1] = 2;
        tx[2] = 10;
    }
    if (custops_clv_prob_alive(m, x, tx, T, 3, out) == CUSTOPS_OK)
        for (int i = 0; i < 3; i++)
            if (!isfinite(out[i]) || out[i] < 0 || out[i] > 1)
                abort();
    if (custops_clv_expected_purchases(m, T, 3, out) == CUSTOPS_OK)
        for (int i = 0; i < 3; i++)
            if (!isfinite(out[i]))
                abort();
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    char path[] = "/tmp/fuzz-clvm-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        return 0;
    if (write(fd, data, size) == (ssize_t)size) {
        custops_clv_model *m = NULL;
        if (custops_clv_load(&m, path) == CUSTOPS_OK) {
            exercise(m);
            custops_clv_free(m);
        }
    }
    close(fd);
    unlink(path);
    /* the payload decoder directly, skipping the 40-byte frame header when present */
    custops_clv_model *d = NULL;
    size_t skip = size > 40 && memcmp(data, "CUSTOPS", 7) == 0 ? 40 : 0;
    if (custops__clv_decode(&d, data + skip, size - skip, "<fuzz>") == CUSTOPS_OK) {
        exercise(d);
        custops_clv_free(d);
    }
    return 0;
}
