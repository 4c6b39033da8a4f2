/* Fuzz the audience language: compile the bytes against a small customers
 * frame with lines, events and dictionaries, evaluate and explain whatever
 * compiles, check the library's syntax-only path on the same text, and
 * load the bytes as a SEGS library file. */
#include "custops.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

#define N 70 /* more than one 64-row word */

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    static const int64_t now = 1718452800;
    int64_t orders[N], spend[N], last[N], region[N], tags[N];
    double clv[N];
    const char *ids[N];
    char idbuf[N][8];
    for (int i = 0; i < N; i++) {
        orders[i] = i % 7;
        spend[i] = (i * 7919) % 100000;
        last[i] = i % 5 ? now - (int64_t)i * 86400 : -1;
        region[i] = i % 4 - 1;
        tags[i] = i % 9;
        clv[i] = i % 11 ? (double)i * 3.5 : 0.0 / 0.0;
        snprintf(idbuf[i], sizeof idbuf[i], "c%d", i);
        ids[i] = idbuf[i];
    }
    int64_t lc[6] = {0, 0, 3, 5, 5, 69}, lo[6] = {1, 1, 2, 3, 3, 4},
            lt[6] = {now - 86400, now - 86400, now - 10 * 86400, now, now, now - 400 * 86400},
            lk[6] = {0, 1, 1, 0, 0, 1}, la[6] = {100, 200, 300, 400, 500, 600};
    int64_t ec[3] = {1, 2, 69}, et[3] = {now - 3 * 86400, now - 86400, now}, ey[3] = {2, 3, 2};
    const char *regions[3] = {"Tokyo", "Osaka", "Kyoto"}, *tagn[3] = {"vip", "new", "sale"}, *cats[2] = {"Shoes", "Hats"};
    custops_frame *f = NULL, *l = NULL, *e = NULL, *rd = NULL, *td = NULL, *cd = NULL;
    custops_segment_ctx *ctx = NULL;
    custops_segment_library *lib = NULL;
    if (custops_frame_new(&f) || custops_frame_add_string(f, "customer_id", ids, N) ||
        custops_frame_add_int64(f, "orders", orders, N) || custops_frame_add_int64(f, "spend", spend, N) ||
        custops_frame_add_int64(f, "last_order", last, N) || custops_frame_add_int64(f, "region", region, N) ||
        custops_frame_add_int64(f, "tags", tags, N) || custops_frame_add_double(f, "clv", clv, N))
        goto out;
    if (custops_frame_new(&l) || custops_frame_add_int64(l, "customer", lc, 6) ||
        custops_frame_add_int64(l, "order", lo, 6) || custops_frame_add_int64(l, "time", lt, 6) ||
        custops_frame_add_int64(l, "sku", lk, 6) || custops_frame_add_int64(l, "category", lk, 6) ||
        custops_frame_add_int64(l, "amount", la, 6) || custops_frame_add_int64(l, "refunded", lk, 6))
        goto out;
    if (custops_frame_new(&e) || custops_frame_add_int64(e, "customer", ec, 3) ||
        custops_frame_add_int64(e, "time", et, 3) || custops_frame_add_int64(e, "type", ey, 3))
        goto out;
    if (custops_frame_new(&rd) || custops_frame_add_string(rd, "name", regions, 3) || custops_frame_new(&td) ||
        custops_frame_add_string(td, "name", tagn, 3) || custops_frame_new(&cd) ||
        custops_frame_add_string(cd, "name", cats, 2))
        goto out;
    if (custops_segment_library_new(&lib) || custops_segment_library_define(lib, "base", "orders > 1") ||
        custops_segment_library_define(lib, "loop1", "segment base or segment loop2") ||
        custops_segment_library_define(lib, "loop2", "spend > 10"))
        goto out;
    if (custops_segment_ctx_new(&ctx, f, now) || custops_segment_ctx_set_lines(ctx, l) ||
        custops_segment_ctx_set_events(ctx, e) || custops_segment_ctx_add_dict(ctx, "region", rd) ||
        custops_segment_ctx_add_dict(ctx, "tag", td) || custops_segment_ctx_add_dict(ctx, "category", cd) ||
        custops_segment_ctx_add_dict(ctx, "sku", cd) || custops_segment_ctx_set_library(ctx, lib))
        goto out;
    custops_audience *a = NULL;
    if (custops_audience_compile(&a, s, ctx) == CUSTOPS_OK) {
        custops_bitset *bs = NULL;
        if (custops_audience_evaluate(&bs, a) == CUSTOPS_OK) {
            for (size_t i = 0; i < N; i += 13) {
                char *why = NULL;
                int member = 0;
                if (custops_audience_explain(&why, &member, a, i) == CUSTOPS_OK) {
                    if (member != custops_bitset_test(bs, i))
                        abort(); /* the scalar and columnar paths must agree */
                    custops_free(why);
                }
            }
            custops_bitset_free(bs);
        }
        custops_audience_free(a);
    }
    custops_segment_library_define(lib, "fuzzed", s);
    /* the same bytes as a SEGS file */
    char path[] = "/tmp/fuzz-segs-XXXXXX";
    int fd = mkstemp(path);
    if (fd >= 0) {
        if (write(fd, data, size) == (ssize_t)size) {
            custops_segment_library *back = NULL;
            if (custops_segment_library_load(&back, path) == CUSTOPS_OK)
                custops_segment_library_free(back);
        }
        close(fd);
        unlink(path);
    }
out:
    custops_segment_ctx_free(ctx);
    custops_segment_library_free(lib);
    custops_frame_free(f);
    custops_frame_free(l);
    custops_frame_free(e);
    custops_frame_free(rd);
    custops_frame_free(td);
    custops_frame_free(cd);
    free(s);
    return 0;
}
