/* Cross-sell against a brute-force dense count on random small data
 * (dense and sparse codes, both rankings, minimum support, basket size
 * cap), a hand example, and validation. */
#include "linesbuf.h"

#include <math.h>

#define NI 40
#define NB 300

typedef struct bf {
    int bask[NB][NI]; /* presence */
    int nbaskets, na[NI], nab[NI][NI];
} bf;

static int g_rank_by;
static int g_a;
static bf *g_bf;

static int cmp_partner(const void *x, const void *y)
{
    int b1 = *(const int *)x, b2 = *(const int *)y;
    long c1 = g_bf->nab[g_a][b1], c2 = g_bf->nab[g_a][b2];
    long l1 = c1 * g_bf->na[b2], l2 = c2 * g_bf->na[b1]; /* lift order */
    if (g_rank_by == CUSTOPS_CROSSSELL_BY_LIFT) {
        if (l1 != l2)
            return l1 > l2 ? -1 : 1;
        if (c1 != c2)
            return c1 > c2 ? -1 : 1;
    } else {
        if (c1 != c2)
            return c1 > c2 ? -1 : 1;
        if (l1 != l2)
            return l1 > l2 ? -1 : 1;
    }
    return b1 - b2;
}

static void run_case(uint64_t seed, int64_t code_scale, int rank_by, int64_t min_count, double min_support, int k,
                     int max_items, const char *basket_col)
{
    uint64_t s = seed;
    linesbuf lb = {0};
    static bf b;
    memset(&b, 0, sizeof b);
    int sizes[NB] = {0};
    /* draw baskets; several lines may carry the same item */
    int draws[NB][12], nd[NB];
    for (int i = 0; i < NB; i++) {
        nd[i] = 1 + (int)(test_unif(&s) * 10);
        for (int j = 0; j < nd[i]; j++) {
            double u = test_unif(&s);
            draws[i][j] = test_unif(&s) < 0.05 ? -1 : (int)(NI * u * u); /* skewed popularity */
        }
    }
    for (int i = 0; i < NB; i++) {
        for (int j = 0; j < nd[i]; j++)
            if (draws[i][j] >= 0 && !b.bask[i][draws[i][j]]) {
                b.bask[i][draws[i][j]] = 1;
                sizes[i]++;
            }
        if (sizes[i] > max_items || sizes[i] == 0) {
            memset(b.bask[i], 0, sizeof b.bask[i]);
            continue;
        }
        b.nbaskets++;
        for (int x = 0; x < NI; x++)
            if (b.bask[i][x]) {
                b.na[x]++;
                for (int y = 0; y < NI; y++)
                    if (y != x && b.bask[i][y])
                        b.nab[x][y]++;
            }
    }
    /* lines interleaved across baskets: baskets need not be contiguous */
    for (int r = 0; r < 12; r++)
        for (int i = 0; i < NB; i++)
            if (r < nd[i]) {
                int64_t item = draws[i][r] < 0 ? -1 : draws[i][r] * code_scale;
                lb_add(&lb, i * code_scale, i * code_scale, 0, item, -1, 1, 1);
            }
    custops_frame *lines = lb_frame(&lb), *pairs;
    custops_crosssell_options o;
    ck_assert_ok(custops_crosssell_options_init(&o, CUSTOPS_CROSSSELL_OPTIONS_VERSION));
    o.rank_by = rank_by;
    o.min_count = min_count;
    o.min_support = min_support;
    o.top_k = k;
    o.max_basket_items = max_items;
    o.basket_col = basket_col;
    ck_assert_ok(custops_crosssell_pairs(&pairs, lines, &o));

    int64_t need = (int64_t)ceil(min_support * b.nbaskets - 1e-9);
    if (need < min_count)
        need = min_count;
    size_t row = 0, nrows = custops_frame_nrows(pairs);
    g_bf = &b;
    g_rank_by = rank_by;
    for (int a = 0; a < NI; a++) {
        int cand[NI], nc = 0;
        for (int y = 0; y < NI; y++)
            if (y != a && b.nab[a][y] >= need)
                cand[nc++] = y;
        g_a = a;
        qsort(cand, (size_t)nc, sizeof cand[0], cmp_partner);
        for (int r = 0; r < nc && r < k; r++, row++) {
            ck_assert_uint_lt(row, nrows);
            int y = cand[r];
            ck_assert_int_eq(fr_i64(pairs, "item_a", row), a * code_scale);
            ck_assert_int_eq(fr_i64(pairs, "item_b", row), y * code_scale);
            ck_assert_int_eq(fr_i64(pairs, "rank", row), r + 1);
            ck_assert_int_eq(fr_i64(pairs, "count_ab", row), b.nab[a][y]);
            ck_assert_int_eq(fr_i64(pairs, "count_a", row), b.na[a]);
            ck_assert_int_eq(fr_i64(pairs, "count_b", row), b.na[y]);
            double sup = (double)b.nab[a][y] / b.nbaskets, conf = (double)b.nab[a][y] / b.na[a];
            ck_assert_double_eq_tol(fr_f64(pairs, "support", row), sup, 1e-12);
            ck_assert_double_eq_tol(fr_f64(pairs, "confidence", row), conf, 1e-12);
            ck_assert_double_eq_tol(fr_f64(pairs, "lift", row), conf / ((double)b.na[y] / b.nbaskets), 1e-9);
        }
    }
    ck_assert_uint_eq(row, nrows);
    custops_frame_free(pairs);
    custops_frame_free(lines);
}

START_TEST(matches_brute_force)
{
    for (uint64_t seed = 1; seed <= 5; seed++) {
        run_case(seed, 1, CUSTOPS_CROSSSELL_BY_CONFIDENCE, 1, 0, 5, 500, "order");
        run_case(seed, 1, CUSTOPS_CROSSSELL_BY_LIFT, 2, 0, 3, 500, "order");
        run_case(seed, 1000003, CUSTOPS_CROSSSELL_BY_CONFIDENCE, 1, 0.02, 40, 500, "customer");
        run_case(seed, 1, CUSTOPS_CROSSSELL_BY_LIFT, 1, 0, 1, 4, "order");
    }
}
END_TEST

START_TEST(hand_example)
{
    /* baskets {milk, bread}, {milk, bread, eggs}, {milk}, {eggs}:
     * N = 4; milk->bread n=2, conf 2/3, lift (2/3)/(2/4) = 4/3 */
    linesbuf b = {0};
    enum { MILK = 1, BREAD = 2, EGGS = 3 };
    lb_add(&b, 0, 10, 0, MILK, -1, 1, 1);
    lb_add(&b, 0, 10, 0, BREAD, -1, 1, 1);
    lb_add(&b, 0, 11, 0, MILK, -1, 1, 1);
    lb_add(&b, 0, 11, 0, BREAD, -1, 1, 1);
    lb_add(&b, 0, 11, 0, EGGS, -1, 1, 1);
    lb_add(&b, 1, 12, 0, MILK, -1, 1, 1);
    lb_add(&b, 1, 13, 0, EGGS, -1, 1, 1);
    custops_frame *lines = lb_frame(&b), *p;
    custops_crosssell_options o = CUSTOPS_CROSSSELL_OPTIONS_INIT;
    o.min_count = 1;
    ck_assert_ok(custops_crosssell_pairs(&p, lines, &o));
    ck_assert_int_eq(fr_i64(p, "item_a", 0), MILK);
    ck_assert_int_eq(fr_i64(p, "item_b", 0), BREAD);
    ck_assert_double_eq_tol(fr_f64(p, "confidence", 0), 2.0 / 3, 1e-12);
    ck_assert_double_eq_tol(fr_f64(p, "lift", 0), 4.0 / 3, 1e-12);
    ck_assert_double_eq_tol(fr_f64(p, "support", 0), 0.5, 1e-12);
    custops_frame_free(p);
    /* histories: customer 0 bought all three, customer 1 milk and eggs */
    o.basket_col = "customer";
    ck_assert_ok(custops_crosssell_pairs(&p, lines, &o));
    ck_assert_int_eq(fr_i64(p, "item_a", 0), MILK);
    ck_assert_int_eq(fr_i64(p, "item_b", 0), EGGS); /* 2 of 2 beats bread's 1 */
    ck_assert_double_eq_tol(fr_f64(p, "confidence", 0), 1.0, 1e-12);
    custops_frame_free(p);
    custops_frame_free(lines);
}
END_TEST

START_TEST(validation)
{
    linesbuf b = {0};
    lb_add(&b, 0, 0, 0, 1, -1, 1, 1);
    custops_frame *lines = lb_frame(&b), *p = NULL;
    custops_crosssell_options o = CUSTOPS_CROSSSELL_OPTIONS_INIT;
    o.top_k = 0;
    ck_assert_status(custops_crosssell_pairs(&p, lines, &o), CUSTOPS_EINVAL);
    o.top_k = 5;
    o.min_support = NAN;
    ck_assert_status(custops_crosssell_pairs(&p, lines, &o), CUSTOPS_EINVAL);
    o.min_support = 0;
    o.item_col = "nope";
    ck_assert_status(custops_crosssell_pairs(&p, lines, &o), CUSTOPS_EINVAL);
    ck_assert_ptr_nonnull(strstr(custops_last_error(), "'nope'"));
    ck_assert_ptr_null(p);
    o.item_col = "sku";
    o.version = 7;
    ck_assert_status(custops_crosssell_pairs(&p, lines, &o), CUSTOPS_EVERSION);
    ck_assert_ok(custops_crosssell_pairs(&p, lines, NULL));
    ck_assert_uint_eq(custops_frame_nrows(p), 0);
    ck_assert_uint_eq(custops_frame_ncols(p), 9);
    custops_frame_free(p);
    custops_frame_free(lines);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("crosssell");
    TCase *tc = tcase_create("crosssell");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, matches_brute_force);
    tcase_add_test(tc, hand_example);
    tcase_add_test(tc, validation);
    suite_add_tcase(s, tc);
    return s;
}

TEST_MAIN(suite)
