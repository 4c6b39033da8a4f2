/* Lint for absolute claims in advertising text. Article 9(3) of the PRC
 * Advertising Law forbids "national-level", "highest-level", "best" and
 * similar words; market regulators apply it to a family of superlatives
 * (the "extreme words" list that storefront reviewers use). The rules here
 * are a documented, conservative reading: explicit terms, the 最+word
 * superlative pattern, and 第一 as a ranking claim, each with the benign
 * ordinary-language exceptions operators need (最近 "recently", 第一次
 * "the first time") so the lint stays usable. */
#include "core/internal.h"

#include "custops/message.h"

/* Ad copy is short; a bound keeps hostile input from growing the findings
 * (one copy of the term each) without limit and keeps line/column in int. */
#define AD_LINT_MAX_TEXT (1u << 20)

typedef struct term_rule {
    const char *term;
    const char *rule;
} term_rule;

/* Longest first where one term contains another. */
static const term_rule TERMS[] = {
    {"全网最低", "superlative price claim (Advertising Law art. 9(3))"},
    {"独一无二", "absolute uniqueness claim"},
    {"史无前例", "absolute claim"},
    {"国家级", "'national-level' is named in Advertising Law art. 9(3)"},
    {"世界级", "absolute level claim"},
    {"最高级", "'highest-level' is named in Advertising Law art. 9(3)"},
    {"顶级", "absolute level claim"},
    {"极致", "absolute claim"},
    {"唯一", "absolute uniqueness claim"},
    {"首选", "absolute ranking claim"},
    {"绝对", "absolute claim"},
    {"万能", "absolute efficacy claim"},
    {"根治", "absolute efficacy claim"},
    {"永久", "absolute duration claim"},
};

/* 最X that are ordinary words, not superlative claims. */
static const char *const ZUI_BENIGN[] = {"最近", "最后", "最终", "最初"};

/* 第一X where X makes an ordinal, not a ranking. */
static const char *const DIYI_ORDINAL[] = {"次", "天", "步", "批", "期", "单", "件", "波", "轮", "季", "周", "章",
                                           "个", "位", "时间", "眼", "口"};

static const char ZUI[] = "最";
static const char DIYI[] = "第一";

/* Length of the UTF-8 sequence at p (1..4), or 0 if invalid. */
static size_t utf8_len(const unsigned char *p, const unsigned char *end)
{
    unsigned c = p[0];
    size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (n == 0 || (size_t)(end - p) < n)
        return 0;
    for (size_t i = 1; i < n; i++)
        if ((p[i] & 0xC0) != 0x80)
            return 0;
    if (n == 2 && c < 0xC2)
        return 0; /* overlong */
    return n;
}

static int starts_with(const char *p, const char *end, const char *w)
{
    size_t l = strlen(w);
    return (size_t)(end - p) >= l && memcmp(p, w, l) == 0;
}

/* A CJK ideograph (U+4E00..U+9FFF) starts at p. */
static size_t cjk_at(const char *p, const char *end)
{
    const unsigned char *u = (const unsigned char *)p;
    if (end - p >= 3 && utf8_len(u, (const unsigned char *)end) == 3) {
        unsigned cp = ((u[0] & 0x0Fu) << 12) | ((u[1] & 0x3Fu) << 6) | (u[2] & 0x3Fu);
        if (cp >= 0x4E00 && cp <= 0x9FFF)
            return 3;
    }
    return 0;
}

typedef struct findings {
    int64_t *start, *end, *line, *col;
    const char **term, **rule;
    char **owned; /* copies of the terms */
    size_t n, cap;
} findings;

static int add(findings *f, size_t s, size_t e, int line, int col, const char *text, const char *rule)
{
    size_t c1 = f->cap, c2 = f->cap, c3 = f->cap, c4 = f->cap, c5 = f->cap, c6 = f->cap, c7 = f->cap;
    if (CUSTOPS__GROW(f->start, c1, f->n + 1) || CUSTOPS__GROW(f->end, c2, f->n + 1) ||
        CUSTOPS__GROW(f->line, c3, f->n + 1) || CUSTOPS__GROW(f->col, c4, f->n + 1) ||
        CUSTOPS__GROW(f->term, c5, f->n + 1) || CUSTOPS__GROW(f->rule, c6, f->n + 1) ||
        CUSTOPS__GROW(f->owned, c7, f->n + 1))
        return CUSTOPS_ENOMEM;
    f->cap = c1;
    char *copy = custops__strndup(text + s, e - s);
    if (!copy)
        return custops__nomem();
    f->start[f->n] = (int64_t)s;
    f->end[f->n] = (int64_t)e;
    f->line[f->n] = line;
    f->col[f->n] = col;
    f->owned[f->n] = copy;
    f->term[f->n] = copy;
    f->rule[f->n] = rule;
    f->n++;
    return CUSTOPS_OK;
}

static void release(findings *f)
{
    for (size_t i = 0; i < f->n; i++)
        custops__free(f->owned[i]);
    custops__free(f->start);
    custops__free(f->end);
    custops__free(f->line);
    custops__free(f->col);
    custops__free(f->term);
    custops__free(f->rule);
    custops__free(f->owned);
}

/* Length of the flagged span at p, or 0; *rule set when flagged. */
static size_t match_at(const char *p, const char *end, const char **rule)
{
    for (size_t i = 0; i < sizeof TERMS / sizeof TERMS[0]; i++)
        if (starts_with(p, end, TERMS[i].term)) {
            *rule = TERMS[i].rule;
            return strlen(TERMS[i].term);
        }
    if (starts_with(p, end, ZUI)) {
        size_t next = cjk_at(p + 3, end);
        if (!next)
            return 0;
        for (size_t i = 0; i < sizeof ZUI_BENIGN / sizeof ZUI_BENIGN[0]; i++)
            if (starts_with(p, end, ZUI_BENIGN[i]))
                return 0;
        *rule = "superlative '最…' claim (Advertising Law art. 9(3) names 'best')";
        return 3 + next;
    }
    if (starts_with(p, end, DIYI)) {
        const char *q = p + strlen(DIYI);
        for (size_t i = 0; i < sizeof DIYI_ORDINAL / sizeof DIYI_ORDINAL[0]; i++)
            if (starts_with(q, end, DIYI_ORDINAL[i]))
                return 0;
        *rule = "ranking claim '第一' (number one)";
        return strlen(DIYI);
    }
    return 0;
}

int custops_ad_lint(const char *text, custops_frame **findings_out)
{
    CUSTOPS__CHECK_NULL(findings_out);
    *findings_out = NULL;
    CUSTOPS__CHECK_NULL(text);
    size_t len = strlen(text);
    if (len > AD_LINT_MAX_TEXT)
        return custops__err(CUSTOPS_ELIMIT, "ad text of %zu bytes exceeds the limit of %u", len, AD_LINT_MAX_TEXT);
    const char *end = text + len;
    findings f;
    memset(&f, 0, sizeof f);
    int rc = CUSTOPS_OK, line = 1, col = 1;
    for (const char *p = text; p < end && rc == 0;) {
        size_t cl = utf8_len((const unsigned char *)p, (const unsigned char *)end);
        if (cl == 0) {
            rc = custops__err(CUSTOPS_EINVAL, "ad text is not valid UTF-8 at byte %zu (line %d, column %d)",
                              (size_t)(p - text), line, col);
            break;
        }
        const char *rule = NULL;
        size_t span = match_at(p, end, &rule);
        if (span) {
            rc = add(&f, (size_t)(p - text), (size_t)(p - text) + span, line, col, text, rule);
            /* advance over the span, counting its characters */
            /* spans are whole valid characters (terms are, and 最 takes only a
             * validated ideograph), so this walk always advances */
            for (const char *q = p; q < p + span; col++) {
                size_t l = utf8_len((const unsigned char *)q, (const unsigned char *)end);
                q += l ? l : 1;
            }
            p += span;
            continue;
        }
        if (*p == '\n') {
            line++;
            col = 1;
        } else {
            col++;
        }
        p += cl;
    }
    custops_frame *out = NULL;
    if (rc == 0)
        rc = custops_frame_new(&out);
    if (rc == 0)
        rc = custops_frame_add_int64(out, "start", f.start, f.n);
    if (rc == 0)
        rc = custops_frame_add_int64(out, "end", f.end, f.n);
    if (rc == 0)
        rc = custops_frame_add_int64(out, "line", f.line, f.n);
    if (rc == 0)
        rc = custops_frame_add_int64(out, "column", f.col, f.n);
    if (rc == 0)
        rc = custops_frame_add_string(out, "term", f.term, f.n);
    if (rc == 0)
        rc = custops_frame_add_string(out, "rule", f.rule, f.n);
    release(&f);
    if (rc) {
        custops_frame_free(out);
        return rc;
    }
    *findings_out = out;
    return CUSTOPS_OK;
}
