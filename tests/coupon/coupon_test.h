/* Helpers shared by the coupon tests: compile text, quote a JSON cart, and
 * read rows of the allocation and reason frames. */
#ifndef COUPON_TEST_H
#define COUPON_TEST_H

#include "testutil.h"

/* A file of the source tree: $top_srcdir when the harness sets it, else the
 * source directory compiled in (valgrind and other runners set no env). */
static inline const char *src_path(const char *rel, char *buf, size_t cap)
{
    const char *top = getenv("top_srcdir");
    snprintf(buf, cap, "%s/%s", top && top[0] ? top : COUPON_TOP_SRCDIR, rel);
    return buf;
}

static inline custops_ruleset *rules(const char *text)
{
    custops_ruleset *rs;
    ck_assert_ok(custops_ruleset_compile(&rs, text, strlen(text), "t.rules"));
    return rs;
}

static inline custops_quote *quote(const custops_ruleset *rs, const char *cart_json, int64_t now)
{
    custops_cart *c;
    ck_assert_ok(custops_cart_from_json(&c, cart_json, strlen(cart_json)));
    custops_quote *q;
    ck_assert_ok(custops_quote_run(&q, rs, c, now));
    custops_cart_free(c);
    return q;
}

/* Unix seconds of a local time in Asia/Shanghai ("2025-11-11 00:30"). */
static inline int64_t sh(const char *local)
{
    custops_zone *z;
    ck_assert_ok(custops_zone_open(&z, "Asia/Shanghai"));
    int64_t t;
    ck_assert_ok(custops_time_parse(local, z, &t));
    custops_zone_free(z);
    return t;
}

/* The reason code of a rule in the quote, or "" when it was applied. */
static inline const char *reason_of(const custops_quote *q, const char *rule, int64_t *gap, int64_t *value)
{
    static char buf[64];
    custops_frame *f;
    ck_assert_ok(custops_quote_reasons(&f, q));
    size_t cr, cc, cg, cv;
    const int64_t *g, *v;
    ck_assert_ok(custops_frame_find(f, "rule", &cr));
    ck_assert_ok(custops_frame_find(f, "reason", &cc));
    ck_assert_ok(custops_frame_find(f, "gap", &cg));
    ck_assert_ok(custops_frame_find(f, "value", &cv));
    ck_assert_ok(custops_frame_int64(f, cg, &g));
    ck_assert_ok(custops_frame_int64(f, cv, &v));
    buf[0] = 0;
    for (size_t i = 0; i < custops_frame_nrows(f); i++) {
        const char *r, *c;
        ck_assert_ok(custops_frame_string(f, cr, i, &r));
        if (strcmp(r, rule) == 0) {
            ck_assert_ok(custops_frame_string(f, cc, i, &c));
            snprintf(buf, sizeof buf, "%s", c);
            if (gap)
                *gap = g[i];
            if (value)
                *value = v[i];
        }
    }
    custops_frame_free(f);
    return buf;
}

/* Sum of allocations of a rule (all lines), or of one line when line != NULL. */
static inline int64_t alloc_sum(const custops_quote *q, const char *rule, const char *line)
{
    custops_frame *f;
    ck_assert_ok(custops_quote_allocations(&f, q));
    size_t cr, cl, ca;
    const int64_t *a;
    ck_assert_ok(custops_frame_find(f, "rule", &cr));
    ck_assert_ok(custops_frame_find(f, "line_id", &cl));
    ck_assert_ok(custops_frame_find(f, "amount", &ca));
    ck_assert_ok(custops_frame_int64(f, ca, &a));
    int64_t s = 0;
    for (size_t i = 0; i < custops_frame_nrows(f); i++) {
        const char *r, *l;
        ck_assert_ok(custops_frame_string(f, cr, i, &r));
        ck_assert_ok(custops_frame_string(f, cl, i, &l));
        if ((!rule || strcmp(r, rule) == 0) && (!line || strcmp(l, line) == 0))
            s += a[i];
    }
    custops_frame_free(f);
    return s;
}

static inline char *qjson(const custops_quote *q)
{
    char *j;
    ck_assert_ok(custops_quote_to_json(q, &j, NULL));
    return j;
}

#endif
