/* Fuzz CSV and JSON Lines ingest: the first byte picks the format and the
 * policy, the rest is the file. Any input must be applied whole, skipped
 * row by row or refused with a line:col message -- never crash or leak --
 * and the store must stay usable (views and features run afterwards). */
#include "custops.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    if (size < 1)
        return 0;
    custops_store *s = NULL;
    if (custops_store_new(&s, "Asia/Shanghai", "CNY") != CUSTOPS_OK)
        return 0;
    custops_ingest_opts o = CUSTOPS_INGEST_OPTS_INIT;
    o.policy = data[0] & 1 ? CUSTOPS_INGEST_SKIP : CUSTOPS_INGEST_FAIL_FAST;
    o.allow_unknown_columns = (data[0] >> 2) & 1;
    o.max_field_len = 256;
    o.max_line_len = 1024;
    custops_frame *rej = NULL;
    const char *text = (const char *)data + 1;
    if (data[0] & 2)
        (void)custops_store_ingest_jsonl_buffer(s, text, size - 1, "f.jsonl", &o, NULL, &rej);
    else
        (void)custops_store_ingest_csv_buffer(s, text, size - 1, "f.csv", &o, NULL, &rej);
    custops_frame_free(rej);
    custops_frame *f = NULL;
    if (custops_store_lines(s, &f) == CUSTOPS_OK)
        custops_frame_free(f);
    if (custops_store_events(s, &f) == CUSTOPS_OK)
        custops_frame_free(f);
    custops_features_opts fo = CUSTOPS_FEATURES_OPTS_INIT;
    fo.now = 1732000000;
    if (custops_store_features(s, &fo, &f) == CUSTOPS_OK)
        custops_frame_free(f);
    custops_store_free(s);
    return 0;
}
