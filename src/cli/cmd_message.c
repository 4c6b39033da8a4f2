/* custops message: check advertising text before it goes out.
 *   custops message lint [FILE...]   (stdin when no file) */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

static void help(void)
{
    printf("Usage: custops message lint [FILE...]\n\n"
           "Report absolute claims that the PRC Advertising Law forbids (最佳, 国家级,\n"
           "第一, ...) as FILE:LINE:COLUMN: TERM (RULE). Reads standard input when no\n"
           "FILE is given. Exit status: 0 clean, 1 findings, 2 usage or read error.\n");
}

static char *slurp(FILE *f, size_t limit)
{
    size_t cap = 65536, len = 0;
    char *buf = malloc(cap);
    if (!buf)
        return NULL;
    size_t n;
    while ((n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
        len += n;
        if (len > limit) {
            free(buf);
            return NULL;
        }
        if (cap - len < 2) {
            char *b = realloc(buf, cap * 2);
            if (!b) {
                free(buf);
                return NULL;
            }
            buf = b;
            cap *= 2;
        }
    }
    buf[len] = '\0';
    return buf;
}

static int lint_text(const char *name, const char *text, int *findings)
{
    custops_frame *f;
    int rc = custops_ad_lint(text, &f);
    if (rc) {
        fprintf(stderr, "custops message: %s: %s\n", name, custops_last_error());
        return 2;
    }
    size_t cl, cc, ct, cr;
    const int64_t *line, *col;
    custops_frame_find(f, "line", &cl);
    custops_frame_find(f, "column", &cc);
    custops_frame_find(f, "term", &ct);
    custops_frame_find(f, "rule", &cr);
    custops_frame_int64(f, cl, &line);
    custops_frame_int64(f, cc, &col);
    for (size_t i = 0; i < custops_frame_nrows(f); i++) {
        const char *term, *rule;
        custops_frame_string(f, ct, i, &term);
        custops_frame_string(f, cr, i, &rule);
        printf("%s:%lld:%lld: %s (%s)\n", name, (long long)line[i], (long long)col[i], term, rule);
        (*findings)++;
    }
    custops_frame_free(f);
    return 0;
}

static int run(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        help();
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "lint") != 0)
        return cli_usage_error("message", "unknown subcommand '%s'", argv[1]);
    int findings = 0, status = 0;
    if (argc == 2) {
        char *text = slurp(stdin, 16u << 20);
        if (!text) {
            fprintf(stderr, "custops message: cannot read standard input (or larger than 16 MiB)\n");
            return 2;
        }
        status = lint_text("<stdin>", text, &findings);
        free(text);
    }
    for (int i = 2; i < argc && status == 0; i++) {
        FILE *f = fopen(argv[i], "rb");
        char *text = f ? slurp(f, 16u << 20) : NULL;
        if (f)
            fclose(f);
        if (!text) {
            fprintf(stderr, "custops message: %s: cannot read (missing, unreadable or larger than 16 MiB)\n", argv[i]);
            return 2;
        }
        status = lint_text(argv[i], text, &findings);
        free(text);
    }
    if (status)
        return status;
    return findings ? 1 : 0;
}

const cli_command cli_cmd_message = {"message", "lint advertising text for forbidden absolute claims", run};
