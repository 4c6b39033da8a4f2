/* Order statistics without sorting: most-significant-digit radix select.
 * Values become order-preserving unsigned keys (int64: flip the sign bit;
 * double: flip all bits of negatives, the sign bit of the rest). One pass
 * finds the key range; then each pass histograms the next 16 bits (below
 * the bits every value shares) of the values still in the running and
 * narrows each wanted rank to one bucket. Small-range integer columns
 * (counts, days) finish in one pass; doubles take at most four. */
#include "segment_internal.h"

#include <math.h>

#define DIGIT 16
#define NB ((size_t)1 << DIGIT)

/* Fields copied to locals so the histogram stores cannot alias them. */
#define SCAN(...)                                                                        \
    do {                                                                                 \
        const int64_t *i64_ = c->i64;                                                    \
        const double *f64_ = c->f64;                                                     \
        const uint64_t *valid_ = c->valid;                                               \
        const size_t n_ = c->n;                                                          \
        if (i64_) {                                                                      \
            for (size_t i = 0; i < n_; i++) {                                            \
                if (valid_ && !((valid_[i >> 6] >> (i & 63)) & 1))                       \
                    continue;                                                            \
                uint64_t k = seg_key_i64(i64_[i]);                                       \
                __VA_ARGS__                                                              \
            }                                                                            \
        } else {                                                                         \
            for (size_t i = 0; i < n_; i++) {                                            \
                double x_ = f64_[i];                                                     \
                if (x_ != x_ || (valid_ && !((valid_[i >> 6] >> (i & 63)) & 1)))        \
                    continue;                                                            \
                uint64_t k = seg_key_f64(x_);                                            \
                __VA_ARGS__                                                              \
            }                                                                            \
        }                                                                                \
    } while (0)

int seg_select_keys(const seg_keycol *c, const size_t *ranks, size_t nr, uint64_t *out, size_t *count_out)
{
    if (nr > SEG_MAX_RANKS)
        return custops__err(CUSTOPS_EINVAL, "at most %d ranks at once", SEG_MAX_RANKS);
    uint64_t mn = UINT64_MAX, mx = 0;
    size_t cnt = 0;
    SCAN({
        cnt++;
        if (k < mn)
            mn = k;
        if (k > mx)
            mx = k;
    });
    if (count_out)
        *count_out = cnt;
    for (size_t r = 0; r < nr; r++)
        if (ranks[r] >= cnt)
            return custops__err(CUSTOPS_EINVAL, "rank %zu of %zu values", ranks[r], cnt);
    if (nr == 0)
        return CUSTOPS_OK;
    if (cnt > UINT32_MAX)
        return custops__err(CUSTOPS_ELIMIT, "more than %u values", UINT32_MAX);
    uint64_t span = mx - mn;
    if (span == 0) {
        for (size_t r = 0; r < nr; r++)
            out[r] = mn;
        return CUSTOPS_OK;
    }
    uint32_t *hist = custops__malloc(nr * NB * sizeof *hist);
    if (!hist)
        return custops__nomem();
    uint64_t prefix[SEG_MAX_RANKS] = {0};
    size_t rem[SEG_MAX_RANKS];
    for (size_t r = 0; r < nr; r++)
        rem[r] = ranks[r];
    int top = 64 - __builtin_clzll(span);
    while (top > 0) {
        int lo = top > DIGIT ? top - DIGIT : 0;
        uint64_t dmask = ((uint64_t)1 << (top - lo)) - 1;
        /* the distinct prefixes still wanted, one histogram each */
        uint64_t gp[SEG_MAX_RANKS];
        size_t ng = 0, gof[SEG_MAX_RANKS];
        for (size_t r = 0; r < nr; r++) {
            size_t g = 0;
            while (g < ng && gp[g] != prefix[r])
                g++;
            if (g == ng)
                gp[ng++] = prefix[r];
            gof[r] = g;
        }
        memset(hist, 0, ng * NB * sizeof *hist);
        if (ng == 1) {
            uint64_t p0 = gp[0];
            SCAN({
                uint64_t d = k - mn;
                if ((top >= 64 ? 0 : d >> top) == p0)
                    hist[(d >> lo) & dmask]++;
            });
        } else {
            SCAN({
                uint64_t d = k - mn, p = top >= 64 ? 0 : d >> top;
                for (size_t g = 0; g < ng; g++)
                    if (gp[g] == p) {
                        hist[g * NB + ((d >> lo) & dmask)]++;
                        break;
                    }
            });
        }
        for (size_t r = 0; r < nr; r++) {
            const uint32_t *h = hist + gof[r] * NB;
            for (uint64_t b = 0; b <= dmask; b++) {
                if (rem[r] < h[b]) {
                    prefix[r] = (prefix[r] << (top - lo)) | b;
                    break;
                }
                rem[r] -= h[b];
            }
        }
        top = lo;
    }
    for (size_t r = 0; r < nr; r++)
        out[r] = mn + prefix[r];
    custops__free(hist);
    return CUSTOPS_OK;
}
