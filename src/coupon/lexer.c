/* Tokens of the rule language over the core scanner, so every error reads
 * "<what>:<line>:<col>: expected X, found Y". Date-times (2025-11-11T20:00),
 * times (20:00), durations (2h), percentages (12%) and numbers are told
 * apart here by their shape, which keeps the parser free of character work. */
#include "coupon_internal.h"

static const char *const TOKEN_NAMES[] = {
    "end of input", "a name", "a string", "a number", "a percentage", "a date-time", "a time", "a duration",
    "';'", "'{'", "'}'", "'('", "')'", "','", "'.'", "'..'", "':'", "'+'", "'-'", "'>='", "'>'", "'<='", "'<'",
    "'=='", "'!='"};

const char *cpn_tok_name(int kind) { return TOKEN_NAMES[kind]; }

void cpn_lex_init(cpn_lexer *lx, const char *text, size_t len, const char *what)
{
    memset(lx, 0, sizeof *lx);
    custops__scan_init(&lx->sc, text, len, what ? what : "<rules>");
}

static int is_digit(int c) { return c >= '0' && c <= '9'; }
static int is_ident(int c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || is_digit(c); }

static int peek_at(const cpn_lexer *lx, size_t k)
{
    return lx->sc.p + k < lx->sc.end ? (unsigned char)lx->sc.p[k] : -1;
}

int cpn_lex_next(cpn_lexer *lx)
{
    custops__scan *s = &lx->sc;
    custops__scan_skip_ws(s);
    cpn_tok *t = &lx->tok;
    t->p = s->p;
    t->line = s->line;
    t->col = custops__scan_col(s);
    t->len = 0;
    if (custops__scan_eof(s)) {
        t->kind = TK_EOF;
        return 0;
    }
    int c = custops__scan_peek(s);
    if (is_digit(c)) {
        size_t n = 0;
        while (is_digit(peek_at(lx, n)))
            n++;
        if (n == 4 && peek_at(lx, 4) == '-') { /* 2025-11-11T20:00[:00] */
            size_t k = 4;
            while (is_digit(peek_at(lx, k)) || peek_at(lx, k) == '-' || peek_at(lx, k) == 'T' || peek_at(lx, k) == ':')
                k++;
            t->kind = TK_DATETIME;
            n = k;
        } else if (peek_at(lx, n) == ':' && is_digit(peek_at(lx, n + 1))) { /* 20:00 */
            n++;
            while (is_digit(peek_at(lx, n)))
                n++;
            t->kind = TK_TIME;
        } else {
            if (peek_at(lx, n) == '.' && is_digit(peek_at(lx, n + 1))) {
                n++;
                while (is_digit(peek_at(lx, n)))
                    n++;
            }
            int e = peek_at(lx, n);
            if (e == '%') {
                n++;
                t->kind = TK_PERCENT;
            } else if ((e == 'm' || e == 'h' || e == 'd') && !is_ident(peek_at(lx, n + 1))) {
                n++;
                t->kind = TK_DURATION;
            } else {
                t->kind = TK_NUMBER;
            }
        }
        for (size_t i = 0; i < n; i++)
            custops__scan_advance(s);
        t->len = n;
        if (is_ident(custops__scan_peek(s)))
            return custops__scan_err(s, CUSTOPS_EPARSE, "unexpected character after %s", cpn_tok_name(t->kind));
        return 0;
    }
    if (is_ident(c)) {
        size_t n = 0;
        while (is_ident(peek_at(lx, n)))
            n++;
        for (size_t i = 0; i < n; i++)
            custops__scan_advance(s);
        t->kind = TK_IDENT;
        t->len = n;
        return 0;
    }
    if (c == '"') {
        custops__scan_advance(s);
        while (!custops__scan_eof(s) && custops__scan_peek(s) != '"') {
            int ch = custops__scan_peek(s);
            if (ch == '\n' || ch == '\\')
                return custops__scan_err(s, CUSTOPS_EPARSE, "%s inside a string (strings are one line, no escapes)",
                                         ch == '\n' ? "line break" : "backslash");
            custops__scan_advance(s);
        }
        if (custops__scan_eof(s))
            return custops__scan_err_at(s, t->p, CUSTOPS_EPARSE, "unterminated string");
        custops__scan_advance(s);
        t->kind = TK_STRING;
        t->p++;
        t->len = (size_t)(s->p - t->p) - 1;
        return 0;
    }
    int n2 = peek_at(lx, 1);
    int kind = -1, len = 1;
    switch (c) {
    case ';': kind = TK_SEMI; break;
    case '{': kind = TK_LBRACE; break;
    case '}': kind = TK_RBRACE; break;
    case '(': kind = TK_LPAREN; break;
    case ')': kind = TK_RPAREN; break;
    case ',': kind = TK_COMMA; break;
    case ':': kind = TK_COLON; break;
    case '+': kind = TK_PLUS; break;
    case '-': kind = TK_MINUS; break;
    case '.': kind = n2 == '.' ? TK_DOTDOT : TK_DOT; len = n2 == '.' ? 2 : 1; break;
    case '>': kind = n2 == '=' ? TK_GE : TK_GT; len = n2 == '=' ? 2 : 1; break;
    case '<': kind = n2 == '=' ? TK_LE : TK_LT; len = n2 == '=' ? 2 : 1; break;
    case '=': if (n2 == '=') { kind = TK_EQ; len = 2; } break;
    case '!': if (n2 == '=') { kind = TK_NE; len = 2; } break;
    default: break;
    }
    if (kind < 0) {
        if (c >= 0x20 && c < 0x7f)
            return custops__scan_err(s, CUSTOPS_EPARSE, "unexpected character '%c'", c);
        return custops__scan_err(s, CUSTOPS_EPARSE, "unexpected byte 0x%02x (non-ASCII text belongs in strings)", c);
    }
    for (int i = 0; i < len; i++)
        custops__scan_advance(s);
    t->kind = kind;
    t->len = (size_t)len;
    return 0;
}

int cpn_lex_expected(cpn_lexer *lx, const char *what)
{
    const cpn_tok *t = &lx->tok;
    if (t->kind == TK_EOF)
        return custops__scan_err_at(&lx->sc, t->p, CUSTOPS_EPARSE, "expected %s, found end of input", what);
    return custops__scan_err_at(&lx->sc, t->p, CUSTOPS_EPARSE, "expected %s, found '%.*s'", what,
                                (int)(t->len > 40 ? 40 : t->len), t->p);
}
