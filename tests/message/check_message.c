/* Message templates and the advertising-text lint. */
#include "testutil.h"

static custops_frame *customers(void)
{
    custops_frame *f;
    ck_assert_ok(custops_frame_new(&f));
    const char *names[3] = {"小王", "", "Li"};
    int64_t amounts[3] = {1000, 500, 12345};
    double p[3] = {0.5, 0.25, 1.0 / 3.0};
    ck_assert_ok(custops_frame_add_string(f, "nickname", names, 3));
    ck_assert_ok(custops_frame_add_int64(f, "coupon", amounts, 3));
    ck_assert_ok(custops_frame_add_double(f, "p_alive", p, 3));
    return f;
}

START_TEST(render_fields_and_filters)
{
    custops_frame *f = customers();
    custops_template *t;
    ck_assert_ok(custops_template_compile(&t, "{{ nickname | default(\"亲\") }}，送你{{coupon|money}}元券，{{{{不是字段}} p={{p_alive}} ¥{{coupon | money(0)}}"));
    ck_assert_uint_eq(custops_template_nfields(t), 3);
    ck_assert_str_eq(custops_template_field(t, 0), "nickname");
    ck_assert_str_eq(custops_template_field(t, 1), "coupon");
    ck_assert_ptr_null(custops_template_field(t, 3));
    ck_assert_ok(custops_template_check(t, f));
    char *s;
    ck_assert_ok(custops_template_render(t, f, 0, &s));
    ck_assert_str_eq(s, "小王，送你10.00元券，{{不是字段}} p=0.5 ¥1000");
    custops_free(s);
    ck_assert_ok(custops_template_render(t, f, 1, &s));
    ck_assert_str_eq(s, "亲，送你5.00元券，{{不是字段}} p=0.25 ¥500");
    custops_free(s);
    custops_frame *out;
    ck_assert_ok(custops_template_render_frame(t, f, &out));
    ck_assert_uint_eq(custops_frame_nrows(out), 3);
    const char *m;
    ck_assert_ok(custops_frame_string(out, 0, 2, &m));
    ck_assert_str_eq(m, "Li，送你123.45元券，{{不是字段}} p=0.333333 ¥12345");
    custops_frame_free(out);
    ck_assert_status(custops_template_render(t, f, 3, &s), CUSTOPS_EINVAL);
    ck_assert_ptr_null(s);
    custops_template_free(t);
    custops_frame_free(f);
}
END_TEST

START_TEST(missing_fields_and_types)
{
    custops_frame *f = customers();
    custops_template *t;
    ck_assert_ok(custops_template_compile(&t, "hi\n  {{ tier }}"));
    ck_assert_status(custops_template_check(t, f), CUSTOPS_ENOTFOUND);
    ck_assert_ptr_nonnull(strstr(custops_last_error(), "<template>:2:6: field 'tier'"));
    char *s;
    ck_assert_status(custops_template_render(t, f, 0, &s), CUSTOPS_ENOTFOUND);
    custops_template_free(t);
    ck_assert_ok(custops_template_compile(&t, "{{p_alive|money}}"));
    ck_assert_status(custops_template_check(t, f), CUSTOPS_EINVAL);
    ck_assert_ptr_nonnull(strstr(custops_last_error(), "not an int64"));
    custops_template_free(t);
    ck_assert_ok(custops_template_compile(&t, "{{coupon|default(\"x\")}}"));
    ck_assert_status(custops_template_check(t, f), CUSTOPS_EINVAL);
    custops_template_free(t);
    custops_frame_free(f);
}
END_TEST

START_TEST(syntax_errors_have_positions)
{
    custops_template *t;
    ck_assert_status(custops_template_compile(&t, "a {{ }}"), CUSTOPS_EPARSE);
    ck_assert_ptr_null(t);
    ck_assert_ptr_nonnull(strstr(custops_last_error(), "<template>:1:6: expected a field name"));
    ck_assert_status(custops_template_compile(&t, "line1\n{{name"), CUSTOPS_EPARSE);
    ck_assert_ptr_nonnull(strstr(custops_last_error(), "<template>:2:7: expected '}}'"));
    ck_assert_status(custops_template_compile(&t, "{{x|upper}}"), CUSTOPS_EPARSE);
    ck_assert_ptr_nonnull(strstr(custops_last_error(), "unknown filter 'upper'"));
    ck_assert_status(custops_template_compile(&t, "{{x|money(7)}}"), CUSTOPS_EPARSE);
    ck_assert_status(custops_template_compile(&t, "{{x|default(\"abc)}}"), CUSTOPS_EPARSE);
    ck_assert_status(custops_template_compile(&t, "{{x|default(abc)}}"), CUSTOPS_EPARSE);
    ck_assert_status(custops_template_compile(NULL, "x"), CUSTOPS_EINVAL);
    char *big = malloc(70000);
    memset(big, 'a', 69999);
    big[69999] = 0;
    ck_assert_status(custops_template_compile(&t, big), CUSTOPS_ELIMIT);
    free(big);
    ck_assert_ok(custops_template_compile(&t, ""));
    custops_frame *f = customers();
    char *s;
    ck_assert_ok(custops_template_render(t, f, 0, &s));
    ck_assert_str_eq(s, "");
    custops_free(s);
    custops_frame_free(f);
    custops_template_free(t);
}
END_TEST

/* Findings as "term@line:col" joined by spaces. */
static void lint_summary(const char *text, char *buf, size_t cap)
{
    custops_frame *f;
    ck_assert_ok(custops_ad_lint(text, &f));
    buf[0] = 0;
    const int64_t *line, *col;
    size_t c;
    ck_assert_ok(custops_frame_find(f, "line", &c));
    ck_assert_ok(custops_frame_int64(f, c, &line));
    ck_assert_ok(custops_frame_find(f, "column", &c));
    ck_assert_ok(custops_frame_int64(f, c, &col));
    ck_assert_ok(custops_frame_find(f, "term", &c));
    for (size_t i = 0; i < custops_frame_nrows(f); i++) {
        const char *term;
        ck_assert_ok(custops_frame_string(f, c, i, &term));
        size_t l = strlen(buf);
        snprintf(buf + l, cap - l, "%s%s@%lld:%lld", i ? " " : "", term, (long long)line[i], (long long)col[i]);
    }
    custops_frame_free(f);
}

START_TEST(lint_true_positives)
{
    char b[512];
    lint_summary("全网最低价，国家级品质，销量第一！", b, sizeof b);
    ck_assert_str_eq(b, "全网最低@1:1 国家级@1:7 第一@1:15");
    lint_summary("本店最好的面霜", b, sizeof b);
    ck_assert_str_eq(b, "最好@1:3");
    lint_summary("Top quality\n唯一正品，顶级享受", b, sizeof b);
    ck_assert_str_eq(b, "唯一@2:1 顶级@2:6");
    lint_summary("绝对有效，万能修复，最佳选择", b, sizeof b);
    ck_assert_str_eq(b, "绝对@1:1 万能@1:6 最佳@1:11");
    /* spans are byte offsets into the text */
    custops_frame *f;
    ck_assert_ok(custops_ad_lint("ab最佳c", &f));
    const int64_t *s, *e;
    ck_assert_ok(custops_frame_int64(f, 0, &s));
    ck_assert_ok(custops_frame_int64(f, 1, &e));
    ck_assert_int_eq(s[0], 2);
    ck_assert_int_eq(e[0], 8);
    custops_frame_free(f);
}
END_TEST

START_TEST(lint_false_positives_avoided)
{
    char b[512];
    lint_summary("最近浏览的商品，最后一天，第一次下单立减，第一天签到", b, sizeof b);
    ck_assert_str_eq(b, "");
    lint_summary("Double 11 sale: 20% off everything", b, sizeof b);
    ck_assert_str_eq(b, "");
    lint_summary("", b, sizeof b);
    ck_assert_str_eq(b, "");
    lint_summary("最", b, sizeof b); /* a lone character is no claim */
    ck_assert_str_eq(b, "");
    custops_frame *f;
    ck_assert_status(custops_ad_lint("ok \xff bad", &f), CUSTOPS_EINVAL);
    ck_assert_ptr_nonnull(strstr(custops_last_error(), "byte 3"));
    ck_assert_ptr_null(f);
    /* 最 followed by a broken sequence that looks like an ideograph (the
     * fuzzer found this hung the column count) */
    ck_assert_status(custops_ad_lint("\xe6\x9c\x80\xe5\x41\x41", &f), CUSTOPS_EINVAL);
}
END_TEST

static Suite *message_suite(void)
{
    Suite *s = suite_create("message");
    TCase *tc = tcase_create("template");
    tcase_add_test(tc, render_fields_and_filters);
    tcase_add_test(tc, missing_fields_and_types);
    tcase_add_test(tc, syntax_errors_have_positions);
    suite_add_tcase(s, tc);
    tc = tcase_create("adlint");
    tcase_add_test(tc, lint_true_positives);
    tcase_add_test(tc, lint_false_positives_avoided);
    suite_add_tcase(s, tc);
    return s;
}

TEST_MAIN(message_suite)
