/* RFM scores against hand-worked values and a brute-force O(n^2) count of
 * the tie rule; lifecycle classes; k-means on separated blobs. */
#include "testutil.h"

#include <math.h>

START_TEST(rfm_hand_worked)
{
    /* 10 scored customers and one prospect (row 10) */
    int64_t freq[11] = {1, 1, 1, 1, 2, 2, 3, 5, 8, 13, 0};
    int64_t rec[11] = {0, 1, 1, 5, 10, 20, 30, 60, 90, 365, -1};
    double mon[11] = {10, 10, 20, 30, 40, 50, 60, 70, 80, 90, 0};
    custops_frame *f, *out;
    ck_assert_ok(custops_frame_new(&f));
    ck_assert_ok(custops_frame_add_int64(f, "orders", freq, 11));
    ck_assert_ok(custops_frame_add_int64(f, "days_since_last_order", rec, 11));
    ck_assert_ok(custops_frame_add_double(f, "spend", mon, 11));
    ck_assert_ok(custops_rfm_score(&out, f, NULL));
    /* F: 1 + floor(5 L / 10), L = count strictly below: 1->0, 2->4, 3->6, 5->7, 8->8, 13->9 */
    int64_t wf[11] = {1, 1, 1, 1, 3, 3, 4, 4, 5, 5, 0};
    /* R: G = count with strictly more days: 0->9, 1->7, 5->6, 10->5, 20->4, 30->3, 60->2, 90->1, 365->0 */
    int64_t wr[11] = {5, 4, 4, 4, 3, 3, 2, 2, 1, 1, 0};
    /* M: 10->0, 20->2, 30->3, 40->4 ... 90->9 */
    int64_t wm[11] = {1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 0};
    for (size_t i = 0; i < 11; i++) {
        ck_assert_int_eq(test_i64(out, "f", i), wf[i]);
        ck_assert_int_eq(test_i64(out, "r", i), wr[i]);
        ck_assert_int_eq(test_i64(out, "m", i), wm[i]);
        ck_assert_int_eq(test_i64(out, "rfm", i), wr[i] * 100 + wf[i] * 10 + wm[i]);
    }
    ck_assert_str_eq(test_str(out, "segment", 0), "new");          /* R5 F1 */
    ck_assert_str_eq(test_str(out, "segment", 1), "promising");      /* R4 F1 */
    ck_assert_str_eq(test_str(out, "segment", 4), "need_attention"); /* R3 F3 */
    ck_assert_str_eq(test_str(out, "segment", 6), "at_risk");      /* R2 F4 */
    ck_assert_str_eq(test_str(out, "segment", 8), "cant_lose");    /* R1 F5 */
    ck_assert_str_eq(test_str(out, "segment", 10), "prospect");
    ck_assert_int_eq(test_i64(out, "segment_code", 10), -1);
    custops_frame_free(out);

    /* a custom table; unmatched rows are "other" */
    custops_rfm_rule rules[] = {{"top", 4, 5, 1, 5, 1, 5}};
    custops_rfm_options o;
    ck_assert_ok(custops_rfm_options_init(&o, CUSTOPS_RFM_OPTIONS_VERSION));
    o.rules = rules;
    o.nrules = 1;
    ck_assert_ok(custops_rfm_score(&out, f, &o));
    ck_assert_str_eq(test_str(out, "segment", 0), "top");
    ck_assert_str_eq(test_str(out, "segment", 9), "other");
    ck_assert_int_eq(test_i64(out, "segment_code", 9), 1);
    custops_frame_free(out);
    rules[0].r_lo = 0;
    ck_assert_status(custops_rfm_score(&out, f, &o), CUSTOPS_EINVAL);
    o.rules = NULL;
    o.monetary_col = "nope";
    ck_assert_status(custops_rfm_score(&out, f, &o), CUSTOPS_EINVAL);
    ck_assert_str_eq(custops_last_error(), "the frame has no column 'nope'");
    /* user breaks: frequency cuts 1,2,4,8 -> 1:1 2:2 3:3 5:4 8:4 13:5; recency cuts in days */
    o.monetary_col = "spend";
    double fb[4] = {1, 2, 4, 8}, rb[4] = {1, 7, 30, 90}, bad[4] = {1, 1, 2, 3};
    o.f_breaks = fb;
    o.r_breaks = rb;
    ck_assert_ok(custops_rfm_score(&out, f, &o));
    int64_t wfb[10] = {1, 1, 1, 1, 2, 2, 3, 4, 4, 5}, wrb[10] = {5, 5, 5, 4, 3, 3, 3, 2, 2, 1};
    for (size_t i = 0; i < 10; i++) {
        ck_assert_int_eq(test_i64(out, "f", i), wfb[i]);
        ck_assert_int_eq(test_i64(out, "r", i), wrb[i]);
        ck_assert_int_eq(test_i64(out, "m", i), wm[i]); /* still quantiles */
    }
    custops_frame_free(out);
    o.f_breaks = bad;
    ck_assert_status(custops_rfm_score(&out, f, &o), CUSTOPS_EINVAL);
    o.f_breaks = o.r_breaks = NULL;
    /* tie rule "first": the four customers with one order take positions 0..3 of 10 -> 1,1,2,2 */
    o.tie_rule = CUSTOPS_RFM_TIES_FIRST;
    ck_assert_ok(custops_rfm_score(&out, f, &o));
    int64_t wff[10] = {1, 1, 2, 2, 3, 3, 4, 4, 5, 5};
    for (size_t i = 0; i < 10; i++)
        ck_assert_int_eq(test_i64(out, "f", i), wff[i]);
    custops_frame_free(out);
    o.tie_rule = 7;
    ck_assert_status(custops_rfm_score(&out, f, &o), CUSTOPS_EINVAL);
    o.tie_rule = 0;
    o.version = 99;
    ck_assert_status(custops_rfm_score(&out, f, &o), CUSTOPS_EVERSION);
    ck_assert_status(custops_rfm_options_init(&o, 7), CUSTOPS_EVERSION);
    custops_frame_free(f);
}
END_TEST

/* Brute force: count strictly smaller / larger for each row. */
START_TEST(rfm_matches_brute_force)
{
    enum { M = 2003 };
    int64_t *fr = malloc(M * sizeof *fr), *rc = malloc(M * sizeof *rc);
    double *mo = malloc(M * sizeof *mo);
    uint64_t s = 7;
    for (size_t i = 0; i < M; i++) {
        s = s * 6364136223846793005u + 1442695040888963407u;
        fr[i] = 1 + (int64_t)((s >> 33) % 7) * (int64_t)((s >> 40) % 3); /* many ties, some 0 = prospects */
        rc[i] = (int64_t)((s >> 20) % 400);
        mo[i] = (double)((s >> 45) % 50) * 2.5;
    }
    custops_frame *f, *out;
    ck_assert_ok(custops_frame_new(&f));
    ck_assert_ok(custops_frame_add_int64(f, "orders", fr, M));
    ck_assert_ok(custops_frame_add_int64(f, "days_since_last_order", rc, M));
    ck_assert_ok(custops_frame_add_double(f, "spend", mo, M));
    ck_assert_ok(custops_rfm_score(&out, f, NULL));
    size_t ns = 0;
    for (size_t i = 0; i < M; i++)
        ns += fr[i] > 0;
    for (size_t i = 0; i < M; i++) {
        if (fr[i] <= 0) {
            ck_assert_int_eq(test_i64(out, "f", i), 0);
            continue;
        }
        size_t lf = 0, lm = 0, gr = 0;
        for (size_t j = 0; j < M; j++) {
            if (fr[j] <= 0)
                continue;
            lf += fr[j] < fr[i];
            lm += mo[j] < mo[i];
            gr += rc[j] > rc[i];
        }
        ck_assert_int_eq(test_i64(out, "f", i), 1 + (int64_t)(5 * lf / ns));
        ck_assert_int_eq(test_i64(out, "m", i), 1 + (int64_t)(5 * lm / ns));
        ck_assert_int_eq(test_i64(out, "r", i), 1 + (int64_t)(5 * gr / ns));
    }
    custops_frame_free(out);
    custops_frame_free(f);
    free(fr);
    free(rc);
    free(mo);
}
END_TEST

START_TEST(lifecycle_rules_and_model)
{
    /*                      prospect new  potential active sleeping churned */
    int64_t orders[6] = {0, 1, 1, 3, 4, 2};
    int64_t since[6] = {-1, 3, 40, 10, 120, 400};
    int64_t tenure[6] = {0, 10, 200, 300, 500, 900};
    double palive[6] = {0.9, 0.95, 0.1, 0.6, 0.3, 0.9};
    custops_frame *f, *out;
    ck_assert_ok(custops_frame_new(&f));
    ck_assert_ok(custops_frame_add_int64(f, "orders", orders, 6));
    ck_assert_ok(custops_frame_add_int64(f, "days_since_last_order", since, 6));
    ck_assert_ok(custops_frame_add_int64(f, "tenure_days", tenure, 6));
    ck_assert_ok(custops_frame_add_double(f, "p_alive", palive, 6));
    ck_assert_ok(custops_lifecycle_classify(&out, f, NULL));
    const char *want[6] = {"prospect", "new", "potential", "active", "sleeping", "churned"};
    for (size_t i = 0; i < 6; i++) {
        ck_assert_str_eq(test_str(out, "lifecycle", i), want[i]);
        ck_assert_int_eq(test_i64(out, "lifecycle_code", i), (int64_t)i);
        ck_assert_str_eq(custops_lifecycle_name((int)i), want[i]);
    }
    ck_assert_ptr_null(custops_lifecycle_name(6));
    custops_frame_free(out);
    /* model variant: P(alive) < 0.2 churned, < 0.5 sleeping */
    custops_lifecycle_options o;
    ck_assert_ok(custops_lifecycle_options_init(&o, CUSTOPS_LIFECYCLE_OPTIONS_VERSION));
    o.p_alive_col = "p_alive";
    ck_assert_ok(custops_lifecycle_classify(&out, f, &o));
    const char *want2[6] = {"prospect", "new", "churned", "active", "sleeping", "active"};
    for (size_t i = 0; i < 6; i++)
        ck_assert_str_eq(test_str(out, "lifecycle", i), want2[i]);
    custops_frame_free(out);
    o.sleeping_p = 0.1; /* below churned_p */
    ck_assert_status(custops_lifecycle_classify(&out, f, &o), CUSTOPS_EINVAL);
    o.p_alive_col = NULL;
    o.churned_days = 10;
    ck_assert_status(custops_lifecycle_classify(&out, f, &o), CUSTOPS_EINVAL);
    custops_frame_free(f);
}
END_TEST

START_TEST(kmeans_blobs)
{
    enum { M = 300 };
    double x[M], y[M];
    int64_t truth[M];
    uint64_t s = 3;
    for (size_t i = 0; i < M; i++) {
        int g = (int)(i % 3);
        s = s * 6364136223846793005u + 1442695040888963407u;
        double u = (double)(s >> 11) / 9007199254740992.0 - 0.5;
        s = s * 6364136223846793005u + 1442695040888963407u;
        double v = (double)(s >> 11) / 9007199254740992.0 - 0.5;
        x[i] = g * 10 + u;
        y[i] = (g == 1 ? 100 : 0) + v * 10; /* a larger scale: standardization matters */
        truth[i] = g;
    }
    custops_frame *f, *a, *c, *a2;
    ck_assert_ok(custops_frame_new(&f));
    ck_assert_ok(custops_frame_add_double(f, "x", x, M));
    ck_assert_ok(custops_frame_add_double(f, "y", y, M));
    custops_kmeans_options o;
    ck_assert_ok(custops_kmeans_options_init(&o, CUSTOPS_KMEANS_OPTIONS_VERSION));
    o.k = 3;
    o.seed = 42;
    double sil, ch, sil2, ch2;
    ck_assert_ok(custops_kmeans(&a, &c, &sil, &ch, f, "x, y", &o));
    ck_assert_msg(sil > 0.7, "silhouette %g", sil);
    ck_assert_msg(ch > 100, "CH %g", ch);
    /* the clusters are the blobs (up to label order) */
    int64_t map[3] = {-1, -1, -1};
    for (size_t i = 0; i < M; i++) {
        int64_t l = test_i64(a, "cluster", i);
        if (map[truth[i]] < 0)
            map[truth[i]] = l;
        ck_assert_int_eq(map[truth[i]], l);
    }
    ck_assert_uint_eq(custops_frame_nrows(c), 3);
    int64_t total = 0;
    for (size_t j = 0; j < 3; j++)
        total += test_i64(c, "size", j);
    ck_assert_int_eq(total, M);
    /* deterministic */
    ck_assert_ok(custops_kmeans(&a2, NULL, &sil2, &ch2, f, "x,y", &o));
    for (size_t i = 0; i < M; i++)
        ck_assert_int_eq(test_i64(a, "cluster", i), test_i64(a2, "cluster", i));
    ck_assert_double_eq(sil, sil2);
    ck_assert_double_eq(ch, ch2);
    custops_frame_free(a2);
    /* k = 2 on three blobs scores worse */
    o.k = 2;
    ck_assert_ok(custops_kmeans(&a2, NULL, &sil2, NULL, f, "x,y", &o));
    ck_assert_msg(sil2 < sil, "k=2 silhouette %g vs k=3 %g", sil2, sil);
    custops_frame_free(a2);
    o.k = M + 1;
    ck_assert_status(custops_kmeans(&a2, NULL, NULL, NULL, f, "x", &o), CUSTOPS_EINVAL);
    o.k = 2;
    ck_assert_status(custops_kmeans(&a2, NULL, NULL, NULL, f, "x,zz", &o), CUSTOPS_EINVAL);
    ck_assert_status(custops_kmeans(&a2, NULL, NULL, NULL, f, "", &o), CUSTOPS_EINVAL);
    custops_frame_free(a);
    custops_frame_free(c);
    custops_frame_free(f);
}
END_TEST

static Suite *rfm_suite(void)
{
    Suite *s = suite_create("rfm");
    TCase *tc = tcase_create("scores");
    tcase_add_test(tc, rfm_hand_worked);
    tcase_add_test(tc, rfm_matches_brute_force);
    tcase_add_test(tc, lifecycle_rules_and_model);
    tcase_add_test(tc, kmeans_blobs);
    suite_add_tcase(s, tc);
    return s;
}

TEST_MAIN(rfm_suite)
