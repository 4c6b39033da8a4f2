/* Acquisition-channel value: LTV by first-order channel against spend,
 * giving CAC and ROI, in exact money until the ratios. */
#include "core/internal.h"

#include "custops/measure.h"

int custops_channel_value(const custops_frame *customers, const char *channel_col, const char *value_col,
                          const custops_frame *spend, custops_frame **out)
{
    CUSTOPS__CHECK_NULL(out);
    *out = NULL;
    CUSTOPS__CHECK_NULL(customers);
    CUSTOPS__CHECK_NULL(channel_col);
    CUSTOPS__CHECK_NULL(value_col);
    CUSTOPS__CHECK_NULL(spend);
    size_t cc, vc, sc_ch, sc_sp;
    const int64_t *value, *sp;
    if (custops_frame_find(customers, channel_col, &cc) || custops_frame_col_type(customers, cc) != CUSTOPS_COL_STRING)
        return custops__err(CUSTOPS_EINVAL, "channel value: '%s' is not a string column of customers", channel_col);
    if (custops_frame_find(customers, value_col, &vc) || custops_frame_int64(customers, vc, &value))
        return custops__err(CUSTOPS_EINVAL, "channel value: '%s' is not an int64 column of customers", value_col);
    if (custops_frame_find(spend, "channel", &sc_ch) || custops_frame_col_type(spend, sc_ch) != CUSTOPS_COL_STRING ||
        custops_frame_find(spend, "spend", &sc_sp) || custops_frame_int64(spend, sc_sp, &sp))
        return custops__err(CUSTOPS_EINVAL, "channel value: spend needs a string column 'channel' and an int64 column 'spend'");
    custops__intern ch;
    custops__intern_init(&ch);
    int64_t *count = NULL, *total = NULL, *spent = NULL;
    size_t cap = 0, cap2 = 0, cap3 = 0;
    int rc = CUSTOPS_OK;
    size_t n = custops_frame_nrows(customers);
    for (size_t i = 0; i < n && rc == 0; i++) {
        const char *s;
        custops_frame_string(customers, cc, i, &s);
        uint32_t id;
        bool added;
        if ((rc = custops__intern_put(&ch, s, strlen(s), &id, &added)) != 0)
            break;
        if (added) {
            if (CUSTOPS__GROW(count, cap, (size_t)id + 1) || CUSTOPS__GROW(total, cap2, (size_t)id + 1) ||
                CUSTOPS__GROW(spent, cap3, (size_t)id + 1)) {
                rc = CUSTOPS_ENOMEM;
                break;
            }
            count[id] = total[id] = spent[id] = 0;
        }
        count[id]++;
        if (__builtin_add_overflow(total[id], value[i], &total[id]))
            rc = custops__err(CUSTOPS_ERANGE, "channel value: total value of channel '%s' overflows int64", s);
    }
    for (size_t i = 0; i < custops_frame_nrows(spend) && rc == 0; i++) {
        const char *s;
        custops_frame_string(spend, sc_ch, i, &s);
        uint32_t id;
        if (custops__intern_get(&ch, s, strlen(s), &id) != 0)
            continue; /* spend on a channel that acquired nobody: no row to attach it to */
        if (sp[i] < 0)
            rc = custops__err(CUSTOPS_EINVAL, "channel value: spend row %zu is negative", i);
        else if (__builtin_add_overflow(spent[id], sp[i], &spent[id]))
            rc = custops__err(CUSTOPS_ERANGE, "channel value: spend of channel '%s' overflows int64", s);
    }
    size_t k = ch.count;
    custops_frame *res = NULL;
    const char **names = custops__calloc(k ? k : 1, sizeof *names);
    double *ltv = custops__calloc(k ? k : 1, sizeof *ltv), *cac = custops__calloc(k ? k : 1, sizeof *cac),
           *roi = custops__calloc(k ? k : 1, sizeof *roi);
    if (rc == 0 && (!names || !ltv || !cac || !roi))
        rc = custops__nomem();
    for (size_t i = 0; i < k && rc == 0; i++) {
        names[i] = custops__intern_str(&ch, (uint32_t)i);
        ltv[i] = (double)total[i] / (double)count[i];
        cac[i] = (double)spent[i] / (double)count[i];
        roi[i] = spent[i] ? ((double)total[i] - (double)spent[i]) / (double)spent[i] : 0;
    }
    if (rc == 0)
        rc = custops_frame_new(&res);
    if (rc == 0)
        rc = custops_frame_add_string(res, "channel", names, k);
    if (rc == 0)
        rc = custops_frame_add_int64(res, "customers", count, k);
    if (rc == 0)
        rc = custops_frame_add_int64(res, "value", total, k);
    if (rc == 0)
        rc = custops_frame_add_double(res, "ltv", ltv, k);
    if (rc == 0)
        rc = custops_frame_add_int64(res, "spend", spent, k);
    if (rc == 0)
        rc = custops_frame_add_double(res, "cac", cac, k);
    if (rc == 0)
        rc = custops_frame_add_double(res, "roi", roi, k);
    custops__free(names);
    custops__free(ltv);
    custops__free(cac);
    custops__free(roi);
    custops__free(count);
    custops__free(total);
    custops__free(spent);
    custops__intern_release(&ch);
    if (rc) {
        custops_frame_free(res);
        return rc;
    }
    *out = res;
    return CUSTOPS_OK;
}
