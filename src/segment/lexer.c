/* Tokens of the audience language. Dates (2024-05-30[T10:00[:00]]) and
 * relative offsets (-30d) are single tokens so the parser never has to
 * reassemble them from numbers and minus signs. */
#include "segment_internal.h"

#include <ctype.h>
#include <stdio.h>
#include <strings.h>

void seg_lex_init(seg_lexer *lx, const char *text, size_t len, const char *what)
{
    memset(lx, 0, sizeof *lx);
    custops__scan_init(&lx->sc, text, len, what);
}

void seg_lex_release(seg_lexer *lx)
{
    custops__free(lx->strbuf);
    lx->strbuf = NULL;
}

bool seg_tok_is(const seg_tok *t, const char *kw)
{
    return t->kind == TK_IDENT && strlen(kw) == t->len && strncasecmp(t->start, kw, t->len) == 0;
}

void seg_tok_describe(const seg_tok *t, char *buf, size_t cap)
{
    if (t->kind == TK_EOF) {
        snprintf(buf, cap, "end of text");
        return;
    }
    size_t n = t->len > 40 ? 40 : t->len;
    snprintf(buf, cap, "'%.*s%s'", (int)n, t->start, t->len > 40 ? "..." : "");
}

static int digits(const char *p, const char *end, int n)
{
    for (int i = 0; i < n; i++)
        if (p + i >= end || !isdigit((unsigned char)p[i]))
            return 0;
    return 1;
}

static int num2(const char *p) { return (p[0] - '0') * 10 + (p[1] - '0'); }

/* YYYY-MM-DD[THH:MM[:SS]] at p; returns the length or 0. */
static size_t lex_date(seg_tok *t, const char *p, const char *end)
{
    if (!digits(p, end, 4) || p + 10 > end || p[4] != '-' || !digits(p + 5, end, 2) || p[7] != '-' ||
        !digits(p + 8, end, 2))
        return 0;
    t->y = num2(p) * 100 + num2(p + 2);
    t->mo = num2(p + 5);
    t->d = num2(p + 8);
    t->h = t->mi = t->s = t->has_time = 0;
    size_t n = 10;
    if (p + 16 <= end && (p[10] == 'T' || p[10] == 't') && digits(p + 11, end, 2) && p[13] == ':' &&
        digits(p + 14, end, 2)) {
        t->has_time = 1;
        t->h = num2(p + 11);
        t->mi = num2(p + 14);
        n = 16;
        if (p + 19 <= end && p[16] == ':' && digits(p + 17, end, 2)) {
            t->s = num2(p + 17);
            n = 19;
        }
    }
    return n;
}

static int is_ident_char(int c) { return isalnum(c) || c == '_'; }

static int lex_string(seg_lexer *lx, seg_tok *t)
{
    custops__scan *s = &lx->sc;
    char q = *s->p;
    const char *open = s->p;
    custops__scan_advance(s);
    size_t n = 0;
    for (;;) {
        if (s->p >= s->end)
            return custops__scan_err_at(s, open, CUSTOPS_EPARSE, "unterminated string: expected a closing %c", q);
        char c = *s->p;
        if (c == q) {
            custops__scan_advance(s);
            break;
        }
        if (c == '\\') {
            custops__scan_advance(s);
            if (s->p >= s->end)
                continue;
            c = *s->p;
            if (c != '\\' && c != '"' && c != '\'')
                return custops__scan_err(s, CUSTOPS_EPARSE, "unknown escape '\\%c': expected \\\\, \\\" or \\'", c);
        }
        if (CUSTOPS__GROW(lx->strbuf, lx->strcap, n + 2))
            return CUSTOPS_ENOMEM;
        lx->strbuf[n++] = c;
        custops__scan_advance(s);
    }
    if (CUSTOPS__GROW(lx->strbuf, lx->strcap, n + 1))
        return CUSTOPS_ENOMEM;
    lx->strbuf[n] = '\0';
    t->kind = TK_STR;
    t->str = lx->strbuf;
    return CUSTOPS_OK;
}

int seg_lex_next(seg_lexer *lx)
{
    custops__scan *s = &lx->sc;
    seg_tok *t = &lx->tok;
    custops__scan_skip_ws(s);
    memset(t, 0, sizeof *t);
    t->start = s->p;
    if (s->p >= s->end) {
        t->kind = TK_EOF;
        return CUSTOPS_OK;
    }
    const char *p = s->p, *end = s->end;
    unsigned char c = (unsigned char)*p;
    size_t n = 0;
    if (c == '(' || c == ')' || c == ',' || c == '%') {
        t->kind = c == '(' ? TK_LP : c == ')' ? TK_RP : c == ',' ? TK_COMMA : TK_PCT;
        n = 1;
    } else if (c == '.' && p + 1 < end && p[1] == '.') {
        t->kind = TK_DOTDOT;
        n = 2;
    } else if (c == '=' || c == '!' || c == '<' || c == '>') {
        t->kind = TK_OP;
        int two = p + 1 < end && p[1] == '=';
        if (c == '=') {
            t->op = OP_EQ;
            n = two ? 2 : 1; /* "==" accepted as "=" */
        } else if (c == '!') {
            if (!two)
                return custops__scan_err(s, CUSTOPS_EPARSE, "expected '!=' but found '!'");
            t->op = OP_NE;
            n = 2;
        } else if (c == '<') {
            if (p + 1 < end && p[1] == '>') {
                t->op = OP_NE;
                n = 2;
            } else {
                t->op = two ? OP_LE : OP_LT;
                n = two ? 2 : 1;
            }
        } else {
            t->op = two ? OP_GE : OP_GT;
            n = two ? 2 : 1;
        }
    } else if (c == '"' || c == '\'') {
        int rc = lex_string(lx, t);
        t->len = (size_t)(s->p - t->start);
        return rc;
    } else if (isalpha(c) || c == '_') {
        while (p + n < end && is_ident_char((unsigned char)p[n]))
            n++;
        t->kind = TK_IDENT;
    } else if (isdigit(c) || ((c == '-' || c == '+') && p + 1 < end && isdigit((unsigned char)p[1]))) {
        size_t dl = isdigit(c) ? lex_date(t, p, end) : 0;
        if (dl && !(p + dl < end && is_ident_char((unsigned char)p[dl]))) {
            t->kind = TK_DATE;
            n = dl;
        } else {
            size_t i = (c == '-' || c == '+') ? 1 : 0;
            while (p + i < end && isdigit((unsigned char)p[i]))
                i++;
            int frac = 0;
            if (p + i + 1 < end && p[i] == '.' && isdigit((unsigned char)p[i + 1])) {
                frac = 1;
                i++;
                while (p + i < end && isdigit((unsigned char)p[i]))
                    i++;
            }
            if (!frac && (c == '-' || c == '+') && p + i < end && strchr("dwmy", p[i]) &&
                !(p + i + 1 < end && is_ident_char((unsigned char)p[i + 1]))) {
                int64_t v;
                if (custops__parse_i64(p + 1, i - 1, &v) || v > 100000)
                    return custops__scan_err(s, CUSTOPS_EPARSE, "relative time '%.*s' is too large (at most 100000 units)",
                                             (int)(i + 1), p);
                t->kind = TK_REL;
                t->rel_n = (int)(c == '-' ? -v : v);
                t->rel_unit = p[i];
                n = i + 1;
            } else {
                if (p + i < end && is_ident_char((unsigned char)p[i]))
                    return custops__scan_err_at(s, p + i, CUSTOPS_EPARSE,
                                                "expected a number, a date YYYY-MM-DD or an offset such as -30d but found '%.*s'",
                                                (int)(i + 1), p);
                if (custops__parse_f64(p, i, &t->num))
                    return custops__scan_err(s, CUSTOPS_EPARSE, "malformed number '%.*s'", (int)i, p);
                t->is_int = !frac;
                t->kind = TK_NUM;
                n = i;
            }
        }
    } else {
        return custops__scan_err(s, CUSTOPS_EPARSE, "unexpected character '%c'",
                                 isprint(c) ? (char)c : '?');
    }
    for (size_t i = 0; i < n; i++)
        custops__scan_advance(s);
    t->len = n;
    return CUSTOPS_OK;
}
