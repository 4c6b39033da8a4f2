/* Fuzz the store loader's payload decoder (behind the checksummed frame,
 * where random bytes would almost never reach): any input must give a
 * valid store or an error, never a crash, leak or out-of-bounds read.
 * A decoded store is then exercised through its views and features. */
#include "store/store_internal.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    custops_store *s = NULL;
    if (custops__st_decode(&s, data, size, 1, "fuzz") != CUSTOPS_OK)
        return 0;
    custops_frame *f = NULL;
    if (custops_store_lines(s, &f) == CUSTOPS_OK)
        custops_frame_free(f);
    custops_features_opts o = CUSTOPS_FEATURES_OPTS_INIT;
    o.now = 1700000000;
    if (custops_store_features(s, &o, &f) == CUSTOPS_OK)
        custops_frame_free(f);
    if (s->customers.count > 0) {
        char *json = NULL;
        if (custops_store_export_customer(s, custops__intern_str(&s->customers, 0), &json) == CUSTOPS_OK)
            custops_free(json);
        (void)custops_store_erase(s, custops__intern_str(&s->customers, 0));
    }
    custops_store_free(s);
    return 0;
}
