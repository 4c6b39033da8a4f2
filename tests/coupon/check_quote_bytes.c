/* The quote's exact output bytes, pinned. Each case (the guide's promotions
 * on its 11.11 cart, the benchmark's 30-line cart against 220 rules, and a
 * few hundred generated rulesets and carts covering every lane, effect,
 * stacking mode, combine restriction, code, wallet, window and condition)
 * is quoted and its canonical JSON hashed; the hashes were recorded from
 * the engine before the quote was optimised for speed, so any change in a
 * byte of any answer, reason or allocation fails here.
 *
 * To record new hashes deliberately (a change of semantics, never of
 * speed): COUPON_BYTES_WRITE=path ./check_quote_bytes writes the file. */
#include "coupon_test.h"

#include <stdarg.h>

#define NOW sh("2025-11-11 10:00") /* a Tuesday */

typedef struct sbuf {
    char *p;
    size_t len, cap;
} sbuf;

static void sb_add(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_add(sbuf *b, const char *fmt, ...)
{
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(b->p ? b->p + b->len : NULL, b->p ? b->cap - b->len : 0, fmt, ap);
        va_end(ap);
        ck_assert_int_ge(n, 0);
        if (b->p && (size_t)n < b->cap - b->len) {
            b->len += (size_t)n;
            return;
        }
        size_t cap = b->cap ? b->cap * 2 : 4096;
        while (cap < b->len + (size_t)n + 1)
            cap *= 2;
        b->p = realloc(b->p, cap);
        ck_assert_ptr_nonnull(b->p);
        b->cap = cap;
    }
}

static unsigned rnd(unsigned *s)
{
    *s = *s * 1103515245u + 12345u;
    return (*s >> 16) & 0x7fff;
}

static unsigned pick(unsigned *s, unsigned n) { return rnd(s) % n; }

/* FNV-1a over the bytes */
static uint64_t fnv(const char *p, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)p[i];
        h *= 1099511628211ull;
    }
    return h;
}

/* ---- a generated ruleset and cart ---- */

static void gen_effect(sbuf *b, unsigned *s, int lane)
{
    if (lane == 2) {
        if (pick(s, 2))
            sb_add(b, "free_shipping");
        else
            sb_add(b, "shipping_off %u.00", 1 + pick(s, 9));
        return;
    }
    if (lane == 3) {
        if (pick(s, 2))
            sb_add(b, "points_x %u", 2 + pick(s, 3));
        else
            sb_add(b, "points_plus %u", 10 + pick(s, 200));
        return;
    }
    unsigned k = pick(s, lane == 0 ? 8 : 6);
    switch (k) {
    case 0: sb_add(b, "amount_off %u.%02u", 1 + pick(s, 60), pick(s, 100)); break;
    case 1:
        if (pick(s, 2))
            sb_add(b, "percent_off %u%% cap %u.00", 3 + pick(s, 40), 5 + pick(s, 50));
        else
            sb_add(b, "percent_off %u%%", 3 + pick(s, 40));
        break;
    case 2: sb_add(b, "every %u.00 off %u.00 max_times %u", 50 + pick(s, 100), 2 + pick(s, 20), 1 + pick(s, 5)); break;
    case 3: {
        unsigned t1 = 40 + pick(s, 100), t2 = t1 + 50 + pick(s, 200);
        sb_add(b, "tiers(%u.00: %u.00, %u.00: %u.00)", t1, 3 + pick(s, 10), t2, 15 + pick(s, 30));
        break;
    }
    case 4: sb_add(b, "gift \"G%u\" qty %u", pick(s, 4), 1 + pick(s, 2)); break;
    case 5:
        if (lane == 0)
            sb_add(b, "fixed_price %u.00", 5 + pick(s, 60));
        else
            sb_add(b, "amount_off %u.00", 1 + pick(s, 30));
        break;
    case 6: sb_add(b, "amount_off_each %u.00 max_units %u", 1 + pick(s, 10), 1 + pick(s, 5)); break;
    default:
        sb_add(b, "buy %u get %u %s %s", 1 + pick(s, 3), 1 + pick(s, 2), pick(s, 2) ? "free" : "percent_off 50%",
               pick(s, 2) ? "cheapest" : "priciest");
        break;
    }
}

static void gen_rules(sbuf *b, unsigned *s, int nrules)
{
    static const char *groups[] = {"", "group ex;", "group pl;", "group st;", "group sf;", "group sh;"};
    static const char *combines[] = {"combine none;", "combine except(ex);", "combine only(st, sf);", "combine except(pl);"};
    static const char *scopes[] = {"scope category(\"c%u\");", "scope sku(\"S%u\");", "scope brand(\"b%u\");",
                                   "scope all - tag(\"no_coupon\");", "scope category(\"c%u\") - tag(\"no_coupon\");",
                                   "scope tag(\"t%u\");"};
    static const char *conds[] = {"when subtotal() >= %u.00;", "when qty() >= %u;", "when customer.tier >= \"silver\";",
                                  "when ctx.channel == \"app\";", "when in_segment(\"vip\");", "when first_order();",
                                  "when customer.known and subtotal() > %u.00;", "when ctx.region != \"SH\";"};
    sb_add(b, "currency CNY; tz \"Asia/Shanghai\"; tiers \"bronze\", \"silver\", \"gold\";\n"
              "group ex exclusive; group pl exclusive per_line; group st stackable max 2; group sf stackable;\n"
              "group sh exclusive;\n");
    for (int i = 0; i < nrules; i++) {
        int lane = (int)pick(s, 10);
        lane = lane < 4 ? 0 : lane < 8 ? 1 : lane == 8 ? 2 : 3;
        sb_add(b, "rule r%02d { lane %s; ", i, lane == 0 ? "item" : lane == 1 ? "order" : lane == 2 ? "shipping" : "points");
        unsigned g = pick(s, 6);
        if (lane >= 2 && g != 0)
            g = lane == 2 ? 5 : 4;
        sb_add(b, "%s ", groups[g]);
        if (!pick(s, 6))
            sb_add(b, "%s ", combines[pick(s, 4)]);
        if (!pick(s, 5))
            sb_add(b, "priority %u; ", pick(s, 4));
        unsigned code = pick(s, 8);
        if (code == 0)
            sb_add(b, "code \"K%u\"; ", pick(s, 3));
        else if (code == 1)
            sb_add(b, "code wallet; ");
        unsigned t = pick(s, 12);
        if (t == 0)
            sb_add(b, "valid 2025-11-12T00:00 .. 2025-11-13T00:00; ");
        else if (t == 1)
            sb_add(b, "valid 2025-11-01T00:00 .. 2025-11-11T10:00; ");
        else if (t == 2)
            sb_add(b, "window dow(2) 09:00..12:00; ");
        else if (t == 3)
            sb_add(b, "window dom(8) 00:00..24:00; ");
        else if (t == 4)
            sb_add(b, "window first 2h from 2025-11-11T09:00; ");
        if (lane <= 1 && pick(s, 2))
            sb_add(b, scopes[pick(s, 6)], pick(s, 4));
        if (pick(s, 2))
            sb_add(b, conds[pick(s, 8)], 20 + pick(s, 200));
        sb_add(b, " then ");
        gen_effect(b, s, lane);
        if (lane <= 1 && !pick(s, 6)) {
            sb_add(b, ", ");
            gen_effect(b, s, lane);
        }
        sb_add(b, ";");
        if (!pick(s, 5))
            sb_add(b, " limit per_customer 1;");
        sb_add(b, " }\n");
    }
}

static void gen_cart(sbuf *b, unsigned *s, int nrules)
{
    int nlines = 1 + (int)pick(s, 12);
    sb_add(b, "{\"currency\":\"CNY\",\"shipping\":\"%u.00\",\"lines\":[", pick(s, 3) * 6);
    for (int l = 0; l < nlines; l++) {
        sb_add(b, "%s{\"id\":\"L%d\",\"sku\":\"S%u\",\"category\":[\"c%u\"],\"brand\":\"b%u\"", l ? "," : "", l,
               pick(s, 4), pick(s, 4), pick(s, 4));
        unsigned tg = pick(s, 5);
        if (tg == 0)
            sb_add(b, ",\"tags\":[\"no_coupon\"]");
        else if (tg == 1)
            sb_add(b, ",\"tags\":[\"t%u\"]", pick(s, 4));
        sb_add(b, ",\"unit_price\":%u,\"qty\":%u}", 50 + pick(s, 9000), 1 + pick(s, 4));
    }
    static const char *tiers[] = {"", "bronze", "silver", "gold"};
    sb_add(b, "],\"customer\":{\"id\":\"c%u\",\"known\":%s,\"paid_orders\":%u,\"tier\":\"%s\",\"segments\":[%s]},",
           pick(s, 9), pick(s, 4) ? "true" : "false", pick(s, 3), tiers[pick(s, 4)], pick(s, 2) ? "\"vip\"" : "");
    sb_add(b, "\"ctx\":{\"channel\":\"%s\",\"region\":\"%s\"},", pick(s, 2) ? "app" : "web", pick(s, 2) ? "SH" : "BJ");
    sb_add(b, "\"stock\":{\"G0\":%u,\"G1\":%u,\"G2\":9},\"codes\":[", pick(s, 3), pick(s, 3));
    int nc = (int)pick(s, 3);
    for (int i = 0; i < nc; i++)
        sb_add(b, "%s\"%s%u\"", i ? "," : "", pick(s, 4) ? "k" : "nope", pick(s, 3));
    sb_add(b, "],\"wallet\":[");
    int nw = (int)pick(s, 4);
    for (int i = 0; i < nw; i++)
        sb_add(b, "%s{\"id\":\"W%d\",\"rule\":\"r%02u\"}", i ? "," : "", i, pick(s, (unsigned)nrules));
    sb_add(b, "]}");
}

/* the benchmark's shape: 200 automatic rules over five groups, 20 wallet templates, 30 lines */
static void bench_rules(sbuf *b, int nrules, int nwallet)
{
    sb_add(b, "currency CNY; tz \"Asia/Shanghai\"; tiers \"bronze\", \"silver\", \"gold\";\n"
              "group item_price exclusive per_line; group platform exclusive; group store exclusive;\n"
              "group gift stackable max 3; group ship exclusive; group pts exclusive;\n");
    for (int i = 0; i < nrules; i++) {
        sb_add(b, "rule auto_%05d { valid 2025-11-01T00:00 .. 2025-12-01T00:00; ", i);
        switch (i % 10) {
        case 0: case 1: case 2: case 3:
            sb_add(b, "lane item; group item_price; scope category(\"c%d\"); then percent_off %d%%; }\n", i % 20, 5 + i % 20);
            break;
        case 4: case 5:
            sb_add(b, "lane order; group platform; when subtotal() >= %d.00; then tiers(%d.00: %d.00, %d.00: %d.00); }\n",
                   100 + i % 300, 100 + i % 300, 5 + i % 30, 400 + i % 300, 20 + i % 60);
            break;
        case 6:
            sb_add(b, "lane order; group platform; scope brand(\"b%d\"); then every 100.00 off %d.00 max_times 5; }\n",
                   i % 10, 5 + i % 10);
            break;
        case 7:
            sb_add(b, "lane order; group gift; when subtotal() >= %d.00; then gift \"G%d\" qty 1; }\n", 50 + i % 500, i % 7);
            break;
        case 8:
            sb_add(b, "lane shipping; group ship; when subtotal() >= %d.00; then %s; }\n", 30 + i % 100,
                   i % 3 ? "shipping_off 5.00" : "free_shipping");
            break;
        default:
            sb_add(b, "lane points; group pts; when customer.tier >= \"silver\"; then points_x %d; }\n", 2 + i % 3);
            break;
        }
    }
    for (int i = 0; i < nwallet; i++)
        sb_add(b, "rule wallet_%03d { lane order; group store; code wallet; when subtotal() >= %d.00; "
                  "then amount_off %d.00; limit per_customer 1; }\n", i, 50 + 25 * i, 5 + 3 * i);
}

static void bench_cart(sbuf *b, int nlines, int nwallet, int price_step)
{
    sb_add(b, "{\"currency\":\"CNY\",\"shipping\":\"10.00\",\"lines\":[");
    for (int i = 0; i < nlines; i++)
        sb_add(b, "%s{\"id\":\"L%02d\",\"sku\":\"S%02d\",\"category\":[\"c%d\"],\"brand\":\"b%d\",\"unit_price\":%d,\"qty\":%d}",
               i ? "," : "", i, i, (i * 7) % 20, i % 10, 990 + price_step * i, 1 + i % 3);
    sb_add(b, "],\"customer\":{\"id\":\"c1\",\"known\":true,\"paid_orders\":4,\"tier\":\"gold\"},"
              "\"stock\":{\"G0\":9,\"G1\":9,\"G2\":9,\"G3\":9,\"G4\":9,\"G5\":9,\"G6\":9},\"wallet\":[");
    for (int i = 0; i < nwallet; i++)
        sb_add(b, "%s{\"id\":\"W%03d\",\"rule\":\"wallet_%03d\"}", i ? "," : "", i, i);
    sb_add(b, "]}");
}

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    sbuf b = {0};
    char chunk[4096];
    size_t n;
    sb_add(&b, "%s", "");
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        sb_add(&b, "%.*s", (int)n, chunk);
    fclose(f);
    *len = b.len;
    return b.p;
}

/* many overlapping stacking rules: past the node budget, the heuristic answer */
static void stress_case(sbuf *rt, sbuf *ct, unsigned *s)
{
    sb_add(rt, "currency CNY; group sf stackable; group pl exclusive per_line;\n");
    for (int i = 0; i < 40; i++) {
        unsigned a = pick(s, 6), b = (a + 1 + pick(s, 5)) % 6;
        sb_add(rt, "rule s%02d { lane order; group %s; scope category(\"c%u\") + category(\"c%u\"); then percent_off %u%%; }\n",
               i, i % 2 ? "sf" : "pl", a, b, 25 + pick(s, 40));
    }
    sb_add(ct, "{\"currency\":\"CNY\",\"lines\":[");
    for (int l = 0; l < 12; l++)
        sb_add(ct, "%s{\"id\":\"L%d\",\"sku\":\"S%d\",\"category\":[\"c%d\"],\"unit_price\":%u,\"qty\":%d}", l ? "," : "",
               l, l, l % 6, 500 + pick(s, 9000), 1 + l % 3);
    sb_add(ct, "]}");
}

/* ---- the cases and the pinned hashes ---- */

typedef struct pinned {
    char name[32];
    uint64_t hash;
    size_t len;
} pinned;

static pinned pins[1024];
static int npins;

static void load_pins(void)
{
    char path[1024];
    size_t len;
    char *text = read_all(src_path("tests/coupon/quote_bytes.txt", path, sizeof path), &len);
    ck_assert_msg(text != NULL, "cannot read %s", path);
    const char *p = text;
    while (*p && npins < 1024) {
        unsigned long long h;
        size_t l;
        int used = 0;
        if (*p == '#') {
            p = strchr(p, '\n');
            p = p ? p + 1 : "";
            continue;
        }
        ck_assert_int_eq(sscanf(p, "%31s %llx %zu%n", pins[npins].name, &h, &l, &used), 3);
        pins[npins].hash = h;
        pins[npins].len = l;
        npins++;
        p += used;
        while (*p == '\n' || *p == ' ')
            p++;
    }
    free(text);
}

static FILE *writing;
static int checked, mismatched;

static void check_case(const char *name, const char *rules_text, const char *cart_json, int64_t now)
{
    custops_ruleset *rs;
    int rc = custops_ruleset_compile(&rs, rules_text, strlen(rules_text), name);
    ck_assert_msg(rc == CUSTOPS_OK, "%s: %s\n%s", name, custops_last_error(), rules_text);
    custops_quote *q = quote(rs, cart_json, now);
    char *j;
    size_t len;
    ck_assert_ok(custops_quote_to_json(q, &j, &len));
    uint64_t h = fnv(j, len);
    if (writing) {
        fprintf(writing, "%s %016llx %zu\n", name, (unsigned long long)h, len);
    } else {
        const pinned *p = NULL;
        for (int i = 0; i < npins && !p; i++)
            if (strcmp(pins[i].name, name) == 0)
                p = &pins[i];
        ck_assert_msg(p != NULL, "%s: no pinned hash", name);
        if (p->hash != h || p->len != len) {
            /* leave the answer beside the test for a diff against the old engine */
            char out[96];
            snprintf(out, sizeof out, "quote_bytes_%s.json", name);
            FILE *f = fopen(out, "w");
            if (f) {
                fwrite(j, 1, len, f);
                fclose(f);
            }
            fprintf(stderr, "%s: output differs from the pinned bytes (written to %s)\n", name, out);
            mismatched++;
        }
        checked++;
    }
    custops_free(j);
    custops_quote_free(q);
    custops_ruleset_free(rs);
}

START_TEST(quote_bytes_pinned)
{
    const char *w = getenv("COUPON_BYTES_WRITE");
    if (w && w[0]) {
        writing = fopen(w, "w");
        ck_assert_ptr_nonnull(writing);
        fprintf(writing, "# case fnv1a64 length: canonical quote JSON of tests/coupon/check_quote_bytes.c\n");
    } else {
        load_pins();
    }
    char path[1024];
    size_t len;
    /* the guide's promotions on its 11.11 cart */
    char *promos = read_all(src_path("tests/coupon/examples/promos.rules", path, sizeof path), &len);
    char *d11 = read_all(src_path("tests/coupon/examples/cart_d11.json", path, sizeof path), &len);
    ck_assert(promos && d11);
    check_case("guide_d11", promos, d11, sh("2025-11-11 00:30"));
    check_case("guide_d11_later", promos, d11, sh("2025-11-11 20:00"));
    free(promos);
    free(d11);
    /* the benchmark cart, and variants of its prices that move thresholds */
    sbuf br = {0};
    bench_rules(&br, 200, 20);
    for (int v = 0; v < 4; v++) {
        sbuf bc = {0};
        char name[32];
        bench_cart(&bc, v == 3 ? 5 : 30, 20 - 5 * v, 137 - 40 * v);
        snprintf(name, sizeof name, "bench_%d", v);
        check_case(name, br.p, bc.p, sh("2025-11-11 10:00"));
        free(bc.p);
    }
    free(br.p);
    /* generated rulesets and carts */
    unsigned seed = 6061u;
    for (int i = 0; i < 2; i++) {
        sbuf rt = {0}, ct = {0};
        char name[32];
        stress_case(&rt, &ct, &seed);
        snprintf(name, sizeof name, "stress_%d", i);
        check_case(name, rt.p, ct.p, NOW);
        free(rt.p);
        free(ct.p);
    }
    for (int i = 0; i < 300; i++) {
        int nrules = 3 + (int)pick(&seed, i % 10 == 9 ? 60 : 25);
        sbuf rt = {0}, ct = {0};
        gen_rules(&rt, &seed, nrules);
        for (int c = 0; c < 2; c++) {
            char name[32];
            ct.len = 0;
            gen_cart(&ct, &seed, nrules);
            snprintf(name, sizeof name, "gen_%03d_%d", i, c);
            check_case(name, rt.p, ct.p, NOW);
        }
        free(rt.p);
        free(ct.p);
    }
    if (writing) {
        fclose(writing);
        writing = NULL;
    } else {
        ck_assert_int_eq(checked, npins);
        ck_assert_msg(mismatched == 0, "%d of %d quotes differ from the pinned bytes", mismatched, checked);
    }
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("coupon quote bytes");
    TCase *t = tcase_create("bytes");
    tcase_set_timeout(t, 120);
    tcase_add_test(t, quote_bytes_pinned);
    suite_add_tcase(s, t);
    return s;
}

TEST_MAIN(suite)
