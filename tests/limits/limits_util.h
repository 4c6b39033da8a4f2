/* Helpers of the resource-limit tests: big generated inputs, an assertion
 * on status plus message text, and save files with forged contents. */
#ifndef CUSTOPS_LIMITS_UTIL_H
#define CUSTOPS_LIMITS_UTIL_H

#include "testutil.h"

#include <stdint.h>

/* prefix, then unit n times, then suffix, NUL-terminated (caller frees). */
static inline char *lim_repeat(const char *prefix, const char *unit, size_t n, const char *suffix)
{
    size_t lp = strlen(prefix), lu = strlen(unit), ls = strlen(suffix);
    char *s = malloc(lp + lu * n + ls + 1);
    ck_assert_ptr_nonnull(s);
    memcpy(s, prefix, lp);
    for (size_t i = 0; i < n; i++)
        memcpy(s + lp + i * lu, unit, lu);
    memcpy(s + lp + lu * n, suffix, ls + 1);
    return s;
}

/* The call failed with status `want` and its message contains `text`. */
#define ck_assert_limit(expr, want, text)                                                               \
    do {                                                                                                \
        custops_clear_error();                                                                          \
        int lim_rc_ = (expr);                                                                           \
        ck_assert_msg(lim_rc_ == (want), "%s returned %d (%s), wanted %d", #expr, lim_rc_,              \
                      custops_last_error(), (want));                                                    \
        ck_assert_msg(strstr(custops_last_error(), (text)) != NULL, "%s: message '%s' lacks '%s'", #expr, \
                      custops_last_error(), (text));                                                    \
    } while (0)

/* Write a save file in the core frame (magic, kind, version, length,
 * checksums) around an arbitrary payload. */
void lim_forge_save(const char *path, const char kind[4], uint32_t version, const void *payload, size_t len);

/* Little-endian appenders for forged payloads. */
typedef struct lim_buf {
    unsigned char data[4096];
    size_t len;
} lim_buf;
static inline void lim_u8(lim_buf *b, uint8_t v) { b->data[b->len++] = v; }
static inline void lim_u32(lim_buf *b, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        lim_u8(b, (uint8_t)(v >> (8 * i)));
}
static inline void lim_u64(lim_buf *b, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        lim_u8(b, (uint8_t)(v >> (8 * i)));
}

TCase *limits_files_tcase(void);
TCase *limits_counts_tcase(void);
TCase *limits_config_tcase(void);

#endif
