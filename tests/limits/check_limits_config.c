/* Limits of the `custops run` configuration reader (src/cli/config.c,
 * compiled in here as tests/cli/check_config.c does): file size, number of
 * settings, and a long line, each with its message. */
#include "limits_util.h"

#include "cli/config.c"

START_TEST(config_size)
{
    char err[256] = "";
    char *text = lim_repeat("[input]\nx = ", "a", 1u << 20, "\n");
    ck_assert_ptr_null(config_parse("big.ini", text, err, sizeof err));
    ck_assert_str_eq(err, "big.ini: the configuration is larger than 1048576 bytes");
    free(text);
}
END_TEST

START_TEST(config_entries)
{
    char err[256] = "";
    size_t cap = 4097 * 16 + 16, n = 0;
    char *text = malloc(cap);
    ck_assert_ptr_nonnull(text);
    n += (size_t)snprintf(text, cap, "[s]\n");
    for (int i = 0; i < 4097; i++)
        n += (size_t)snprintf(text + n, cap - n, "k%d = 1\n", i);
    ck_assert_ptr_null(config_parse("many.ini", text, err, sizeof err));
    ck_assert_str_eq(err, "many.ini:4098:1: more than 4096 settings");
    free(text);
}
END_TEST

START_TEST(config_long_value)
{
    /* one value of nearly the whole size limit is kept whole */
    char err[256] = "";
    char *text = lim_repeat("[s]\nk = ", "v", (1u << 20) - 16, "\n");
    config *c = config_parse("long.ini", text, err, sizeof err);
    ck_assert_msg(c != NULL, "%s", err);
    const char *v = NULL;
    ck_assert_int_eq(config_str(c, "s", NULL, "k", &v, err, sizeof err), 0);
    ck_assert_uint_eq(strlen(v), (1u << 20) - 16);
    config_free(c);
    free(text);
}
END_TEST

TCase *limits_config_tcase(void)
{
    TCase *tc = tcase_create("config");
    tcase_add_test(tc, config_size);
    tcase_add_test(tc, config_entries);
    tcase_add_test(tc, config_long_value);
    return tc;
}
