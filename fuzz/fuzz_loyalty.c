/* Fuzz the loyalty program loader (kind LOYL) and its tier option text.
 * The bytes go straight into the payload decoder (the fuzz build compiles
 * the library sources in, so the private decoder is reachable past the
 * checksum) and, as a NUL-terminated string, into the tiers option. A
 * program that loads is exercised (purchase, redeem, recalc, ledger,
 * history) and saved and loaded again: the round trip must succeed. */
#include "custops.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);
int custops__loy_decode(custops_loyalty **out, const void *payload, size_t len, const char *what);

static void exercise(custops_loyalty *l)
{
    custops_frame *f = NULL;
    if (custops_loyalty_ledger(&f, l) == CUSTOPS_OK)
        custops_frame_free(f);
    if (custops_loyalty_history(&f, l) == CUSTOPS_OK)
        custops_frame_free(f);
    int64_t bal, pts;
    const char *tier;
    (void)custops_loyalty_balance(&bal, l, "c", 1800000000);
    (void)custops_loyalty_tier(&tier, l, "c");
    (void)custops_loyalty_purchase(&pts, l, "c", 1800000000, 12345, 1.5);
    (void)custops_loyalty_redeem(l, "c", 1800000001, 10);
    size_t changes;
    (void)custops_loyalty_recalc(&changes, l, 1800000002);
    char path[] = "/tmp/fuzz-loyl-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        return;
    close(fd);
    if (custops_loyalty_save(l, path) == CUSTOPS_OK) {
        custops_loyalty *back = NULL;
        if (custops_loyalty_load(&back, path) != CUSTOPS_OK) {
            fprintf(stderr, "saved program does not load: %s\n", custops_last_error());
            abort(); /* what the library saved it must load */
        }
        custops_loyalty_free(back);
    }
    unlink(path);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    size_t skip = size > 40 && memcmp(data, "CUSTOPS", 7) == 0 ? 40 : 0;
    custops_loyalty *l = NULL;
    if (custops__loy_decode(&l, data + skip, size - skip, "<fuzz>") == CUSTOPS_OK) {
        exercise(l);
        custops_loyalty_free(l);
    }
    /* the tiers option: "name:threshold,..." */
    char *s = malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    custops_loyalty_options o;
    if (custops_loyalty_options_init(&o, CUSTOPS_LOYALTY_OPTIONS_VERSION) == CUSTOPS_OK) {
        o.tiers = s;
        if (custops_loyalty_new(&l, &o) == CUSTOPS_OK) {
            exercise(l);
            custops_loyalty_free(l);
        }
    }
    free(s);
    return 0;
}
