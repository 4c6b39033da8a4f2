/* Fuzz the `custops run` configuration reader (src/cli/config.c, compiled
 * in here because the fuzz build leaves the CLI out): parse the bytes, read
 * every entry through the typed getters, and ask for the unused keys. */
#include "cli/config.c"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    char err[256];
    config *c = config_parse("fuzz.ini", s, err, sizeof err);
    if (c) {
        const char *names[16];
        size_t nn = config_names(c, "audience", names, 16);
        for (size_t i = 0; i < config_count(c); i++) {
            config_entry *e = config_at(c, i);
            const char *str;
            int64_t v;
            double d;
            int b;
            (void)config_str(c, e->section, e->name[0] ? e->name : NULL, e->key, &str, err, sizeof err);
            (void)config_int(c, e->section, e->name[0] ? e->name : NULL, e->key, -1000, 1000, &v, err, sizeof err);
            (void)config_double(c, e->section, e->name[0] ? e->name : NULL, e->key, 0, 1, &d, err, sizeof err);
            (void)config_bool(c, e->section, e->name[0] ? e->name : NULL, e->key, &b, err, sizeof err);
        }
        (void)nn;
        (void)config_check_unused(c, err, sizeof err);
        config_free(c);
    }
    free(s);
    return 0;
}
