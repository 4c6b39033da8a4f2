/* Fuzz the play language and a short journey run over whatever compiles,
 * plus the JRNY loader on the mutated bytes. */
#include "custops.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    custops_journeys *j = NULL;
    if (custops_journeys_new(&j, s, "Asia/Shanghai") == CUSTOPS_OK) {
        const char *types[] = {"order_unpaid", "order_paid", "cart_add", "order_closed", "a"};
        for (int i = 0; i < 5; i++) {
            custops_journeys_set_consent(j, "c", "sms", 1);
            custops_journeys_event(j, "c", types[i], "k", 1731254400 + i * 600);
        }
        for (size_t p = 0; p < custops_journeys_nplays(j); p++) {
            int64_t next;
            const char *name = custops_journeys_play_name(j, p);
            if (custops_journeys_next_run(j, name, 1731254400, &next) == CUSTOPS_OK) {
                const char *who[2] = {"c", "d"};
                custops_journeys_enroll(j, name, who, 2, next);
            }
        }
        custops_frame *f = NULL;
        for (int64_t t = 1731254400; t < 1731254400 + 40 * 86400; t += 7 * 3600)
            if (custops_journeys_due(j, t, &f) == CUSTOPS_OK)
                custops_frame_free(f);
        custops_journeys_free(j);
    }
    /* the same bytes as a save file */
    char path[] = "/tmp/fuzz-jrny-XXXXXX";
    int fd = mkstemp(path);
    if (fd >= 0) {
        if (write(fd, data, size) == (ssize_t)size) {
            custops_journeys *l = NULL;
            if (custops_journeys_load(&l, path) == CUSTOPS_OK)
                custops_journeys_free(l);
        }
        close(fd);
        unlink(path);
    }
    free(s);
    return 0;
}
