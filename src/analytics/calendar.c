/* Campaign calendars: a keyword-led text format compiled into phases,
 * bindings and actions over one interned string table; "what runs now" is
 * a binary search for the phase and a scan of its bindings. */
#include "analytics.h"
#include "custops/calendar.h"

#include <stdio.h>

#define CAL_MAX_TEXT (1u << 20)
#define CAL_MAX_PHASES 256
#define CAL_MAX_BINDINGS 4096
#define CAL_MAX_ACTIONS 64
#define CAL_MAX_NAME 256

enum { ACT_COUPON, ACT_MESSAGE, ACT_REMINDER };
static const char *const ACT_NAMES[] = {"coupon", "message", "reminder"};

typedef struct cal_phase {
    uint32_t name;
    int64_t start, end;
    int has_end;
    const char *pos; /* in the text, for errors while parsing only */
    size_t b0, b1;   /* bindings [b0, b1) */
} cal_phase;

typedef struct cal_binding {
    uint32_t audience;
    size_t a0, a1; /* actions [a0, a1) */
} cal_binding;

typedef struct cal_action {
    int kind;
    uint32_t arg;
} cal_action;

struct custops_calendar {
    custops__intern strs;
    uint32_t name, zone_name;
    custops_zone *zone;
    cal_phase *phases;
    size_t nphases, phases_cap;
    cal_binding *bindings;
    size_t nbindings, bindings_cap;
    cal_action *actions;
    size_t nactions, actions_cap;
};

void custops_calendar_free(custops_calendar *cal)
{
    if (!cal)
        return;
    custops__intern_release(&cal->strs);
    custops_zone_free(cal->zone);
    custops__free(cal->phases);
    custops__free(cal->bindings);
    custops__free(cal->actions);
    custops__free(cal);
}

/* ---- tokens ---- */
enum { T_EOF, T_WORD, T_STRING, T_COMMA };

typedef struct tok {
    int type;
    const char *pos; /* start in the text */
    char text[CAL_MAX_NAME + 1];
    size_t len;
} tok;

typedef struct parser {
    custops__scan s;
    tok t;      /* current token */
    int peeked; /* t holds a token not yet consumed */
} parser;

static int is_word_char(int c) { return c > ' ' && c != ',' && c != '"' && c != '#' && c != 127; }

static int lex(parser *p)
{
    custops__scan *s = &p->s;
    tok *t = &p->t;
    custops__scan_skip_ws(s);
    t->pos = s->p;
    t->len = 0;
    t->text[0] = '\0';
    if (custops__scan_eof(s)) {
        t->type = T_EOF;
        return 0;
    }
    int c = custops__scan_peek(s);
    if (c == ',') {
        t->type = T_COMMA;
        custops__scan_advance(s);
        return 0;
    }
    if (c == '"') {
        t->type = T_STRING;
        custops__scan_advance(s);
        for (;;) {
            c = custops__scan_peek(s);
            if (c < 0 || c == '\n')
                return custops__scan_err_at(s, t->pos, CUSTOPS_EPARSE, "unterminated string");
            custops__scan_advance(s);
            if (c == '"')
                break;
            if (c == '\\') {
                c = custops__scan_peek(s);
                if (c != '"' && c != '\\')
                    return custops__scan_err(s, CUSTOPS_EPARSE, "unknown escape (only \\\" and \\\\)");
                custops__scan_advance(s);
            } else if (c < ' ' && c != '\t') {
                return custops__scan_err(s, CUSTOPS_EPARSE, "control character in string");
            }
            if (t->len == CAL_MAX_NAME)
                return custops__scan_err_at(s, t->pos, CUSTOPS_ELIMIT, "string longer than %d bytes", CAL_MAX_NAME);
            t->text[t->len++] = (char)c;
        }
        t->text[t->len] = '\0';
        return 0;
    }
    if (!is_word_char(c))
        return custops__scan_err(s, CUSTOPS_EPARSE, "unexpected character 0x%02x", (unsigned)c);
    t->type = T_WORD;
    while ((c = custops__scan_peek(s)) >= 0 && is_word_char(c)) {
        if (t->len == CAL_MAX_NAME)
            return custops__scan_err_at(s, t->pos, CUSTOPS_ELIMIT, "word longer than %d bytes", CAL_MAX_NAME);
        t->text[t->len++] = (char)c;
        custops__scan_advance(s);
    }
    t->text[t->len] = '\0';
    return 0;
}

static int next(parser *p)
{
    if (p->peeked) {
        p->peeked = 0;
        return 0;
    }
    return lex(p);
}

static int peek(parser *p)
{
    if (p->peeked)
        return 0;
    int rc = lex(p);
    if (!rc)
        p->peeked = 1;
    return rc;
}

static int is_kw(const tok *t, const char *kw) { return t->type == T_WORD && strcmp(t->text, kw) == 0; }

static int expect_kw(parser *p, const char *kw)
{
    int rc = next(p);
    if (rc)
        return rc;
    if (!is_kw(&p->t, kw))
        return custops__scan_err_at(&p->s, p->t.pos, CUSTOPS_EPARSE, "expected '%s'", kw);
    return 0;
}

/* A NAME (word or string) interned into the calendar. */
static int name(parser *p, custops_calendar *cal, const char *what, uint32_t *id)
{
    int rc = next(p);
    if (rc)
        return rc;
    if (p->t.type != T_WORD && p->t.type != T_STRING)
        return custops__scan_err_at(&p->s, p->t.pos, CUSTOPS_EPARSE, "expected %s", what);
    if (p->t.len == 0)
        return custops__scan_err_at(&p->s, p->t.pos, CUSTOPS_EPARSE, "%s is empty", what);
    return custops__intern_put(&cal->strs, p->t.text, p->t.len, id, NULL);
}

static int datetime(parser *p, const custops_calendar *cal, int64_t *t)
{
    int rc = next(p);
    if (rc)
        return rc;
    if (p->t.type != T_WORD && p->t.type != T_STRING)
        return custops__scan_err_at(&p->s, p->t.pos, CUSTOPS_EPARSE, "expected a date or date-time");
    if ((rc = custops_time_parse(p->t.text, cal->zone, t))) {
        char why[256];
        snprintf(why, sizeof why, "%s", custops_last_error());
        return custops__scan_err_at(&p->s, p->t.pos, CUSTOPS_EPARSE, "bad date-time '%s': %s", p->t.text, why);
    }
    return 0;
}

static int is_statement(const tok *t)
{
    return is_kw(t, "campaign") || is_kw(t, "phase") || is_kw(t, "audience");
}

static int action(parser *p, custops_calendar *cal)
{
    int rc = next(p);
    if (rc)
        return rc;
    const tok *t = &p->t;
    int kind = is_kw(t, "coupon") ? ACT_COUPON : is_kw(t, "message") ? ACT_MESSAGE : is_kw(t, "reminder") ? ACT_REMINDER : -1;
    if (kind < 0)
        return custops__scan_err_at(&p->s, t->pos, CUSTOPS_EPARSE, "expected an action: coupon, message or reminder");
    cal_binding *b = &cal->bindings[cal->nbindings - 1];
    if (cal->nactions - b->a0 == CAL_MAX_ACTIONS)
        return custops__scan_err_at(&p->s, t->pos, CUSTOPS_ELIMIT, "more than %d actions for one audience",
                                    CAL_MAX_ACTIONS);
    uint32_t arg;
    if (kind == ACT_REMINDER) {
        /* the name is optional: absent before ',', a keyword or the end */
        if ((rc = peek(p)))
            return rc;
        if (p->t.type == T_STRING || (p->t.type == T_WORD && !is_statement(&p->t))) {
            if ((rc = name(p, cal, "a reminder name", &arg)))
                return rc;
        } else if ((rc = custops__intern_put(&cal->strs, "", 0, &arg, NULL))) {
            return rc;
        }
    } else if ((rc = name(p, cal, kind == ACT_COUPON ? "a coupon rule id" : "a message template name", &arg))) {
        return rc;
    }
    if ((rc = CUSTOPS__GROW(cal->actions, cal->actions_cap, cal->nactions + 1)))
        return rc;
    cal->actions[cal->nactions++] = (cal_action){kind, arg};
    b->a1 = cal->nactions;
    return 0;
}

static int parse(parser *p, custops_calendar *cal)
{
    int rc;
    if ((rc = expect_kw(p, "campaign")) || (rc = name(p, cal, "a campaign name", &cal->name)) ||
        (rc = expect_kw(p, "zone")) || (rc = next(p)))
        return rc;
    if (p->t.type != T_WORD && p->t.type != T_STRING)
        return custops__scan_err_at(&p->s, p->t.pos, CUSTOPS_EPARSE, "expected a zone name");
    if ((rc = custops_zone_open(&cal->zone, p->t.text))) {
        char why[256];
        snprintf(why, sizeof why, "%s", custops_last_error());
        return custops__scan_err_at(&p->s, p->t.pos, rc, "zone '%s': %s", p->t.text, why);
    }
    if ((rc = custops__intern_put(&cal->strs, p->t.text, p->t.len, &cal->zone_name, NULL)))
        return rc;
    for (;;) {
        if ((rc = next(p)))
            return rc;
        const tok *t = &p->t;
        if (t->type == T_EOF)
            break;
        if (is_kw(t, "phase")) {
            if (cal->nphases == CAL_MAX_PHASES)
                return custops__scan_err_at(&p->s, t->pos, CUSTOPS_ELIMIT, "more than %d phases", CAL_MAX_PHASES);
            if ((rc = CUSTOPS__GROW(cal->phases, cal->phases_cap, cal->nphases + 1)))
                return rc;
            cal_phase *ph = &cal->phases[cal->nphases];
            memset(ph, 0, sizeof *ph);
            ph->pos = t->pos;
            ph->b0 = ph->b1 = cal->nbindings;
            if ((rc = name(p, cal, "a phase name", &ph->name)) || (rc = expect_kw(p, "from")) ||
                (rc = datetime(p, cal, &ph->start)) || (rc = peek(p)))
                return rc;
            if (is_kw(&p->t, "to")) {
                next(p);
                if ((rc = datetime(p, cal, &ph->end)))
                    return rc;
                ph->has_end = 1;
            }
            for (size_t i = 0; i < cal->nphases; i++)
                if (cal->phases[i].name == ph->name)
                    return custops__scan_err_at(&p->s, ph->pos, CUSTOPS_EPARSE, "phase '%s' is defined twice",
                                                custops__intern_str(&cal->strs, ph->name));
            cal->nphases++;
        } else if (is_kw(t, "audience")) {
            if (cal->nphases == 0)
                return custops__scan_err_at(&p->s, t->pos, CUSTOPS_EPARSE, "'audience' before any 'phase'");
            if (cal->nbindings == CAL_MAX_BINDINGS)
                return custops__scan_err_at(&p->s, t->pos, CUSTOPS_ELIMIT, "more than %d audience lines",
                                            CAL_MAX_BINDINGS);
            if ((rc = CUSTOPS__GROW(cal->bindings, cal->bindings_cap, cal->nbindings + 1)))
                return rc;
            cal_binding *b = &cal->bindings[cal->nbindings];
            b->a0 = b->a1 = cal->nactions;
            if ((rc = name(p, cal, "an audience name", &b->audience)) || (rc = expect_kw(p, "do")))
                return rc;
            cal->nbindings++;
            cal->phases[cal->nphases - 1].b1 = cal->nbindings;
            for (;;) {
                if ((rc = action(p, cal)) || (rc = peek(p)))
                    return rc;
                if (p->t.type != T_COMMA)
                    break;
                next(p);
            }
        } else {
            return custops__scan_err_at(&p->s, t->pos, CUSTOPS_EPARSE, "expected 'phase' or 'audience'");
        }
    }
    if (cal->nphases == 0)
        return custops__scan_err(&p->s, CUSTOPS_EPARSE, "the campaign has no phase");
    for (size_t i = 0; i < cal->nphases; i++) {
        cal_phase *ph = &cal->phases[i];
        const char *nm = custops__intern_str(&cal->strs, ph->name);
        if (!ph->has_end) {
            if (i + 1 == cal->nphases)
                return custops__scan_err_at(&p->s, ph->pos, CUSTOPS_EPARSE, "the last phase '%s' needs 'to'", nm);
            ph->end = cal->phases[i + 1].start;
        }
        if (ph->end <= ph->start)
            return custops__scan_err_at(&p->s, ph->pos, CUSTOPS_EPARSE, "phase '%s' ends before it starts", nm);
        if (i > 0 && ph->start < cal->phases[i - 1].end)
            return custops__scan_err_at(&p->s, ph->pos, CUSTOPS_EPARSE,
                                        "phase '%s' starts before the previous phase ends", nm);
    }
    for (size_t i = 0; i < cal->nphases; i++)
        cal->phases[i].pos = NULL;
    return 0;
}

int custops_calendar_parse(custops_calendar **out, const char *text, size_t len, const char *what)
{
    CUSTOPS__CHECK_NULL(out);
    *out = NULL;
    CUSTOPS__CHECK_NULL(text);
    if (!what)
        what = "<calendar>";
    if (len > CAL_MAX_TEXT)
        return custops__err(CUSTOPS_ELIMIT, "%s: %zu bytes; calendars are limited to %u", what, len, CAL_MAX_TEXT);
    custops_calendar *cal = custops__calloc(1, sizeof *cal);
    if (!cal)
        return custops__nomem();
    custops__intern_init(&cal->strs);
    parser p;
    memset(&p, 0, sizeof p);
    custops__scan_init(&p.s, text, len, what);
    int rc = parse(&p, cal);
    if (rc) {
        custops_calendar_free(cal);
        return rc;
    }
    *out = cal;
    return CUSTOPS_OK;
}

int custops_calendar_load(custops_calendar **out, const char *path)
{
    CUSTOPS__CHECK_NULL(out);
    *out = NULL;
    CUSTOPS__CHECK_NULL(path);
    void *data;
    size_t len;
    int rc = custops__read_file(path, CAL_MAX_TEXT, &data, &len);
    if (rc)
        return rc;
    rc = custops_calendar_parse(out, data, len, path);
    custops__free(data);
    return rc;
}

const char *custops_calendar_name(const custops_calendar *cal)
{
    return cal ? custops__intern_str(&cal->strs, cal->name) : "";
}

const char *custops_calendar_zone_name(const custops_calendar *cal)
{
    return cal ? custops__intern_str(&cal->strs, cal->zone_name) : "";
}

int custops_calendar_phases(custops_frame **out, const custops_calendar *cal)
{
    CUSTOPS__CHECK_NULL(out);
    *out = NULL;
    CUSTOPS__CHECK_NULL(cal);
    size_t n = cal->nphases;
    const char **names = custops__reallocarray(NULL, n, sizeof *names);
    int64_t *start = custops__reallocarray(NULL, n, 8), *end = custops__reallocarray(NULL, n, 8),
            *nb = custops__reallocarray(NULL, n, 8);
    custops_frame *f = NULL;
    int rc = 0;
    if (!names || !start || !end || !nb)
        rc = custops__nomem();
    for (size_t i = 0; !rc && i < n; i++) {
        names[i] = custops__intern_str(&cal->strs, cal->phases[i].name);
        start[i] = cal->phases[i].start;
        end[i] = cal->phases[i].end;
        nb[i] = (int64_t)(cal->phases[i].b1 - cal->phases[i].b0);
    }
    if (!rc)
        rc = custops_frame_new(&f);
    if (!rc)
        rc = custops_frame_add_string(f, "phase", names, n);
    custops__free(names);
    custops__an_put_i64(f, &rc, "start", start, n);
    custops__an_put_i64(f, &rc, "end", end, n);
    custops__an_put_i64(f, &rc, "bindings", nb, n);
    if (rc) {
        custops_frame_free(f);
        return rc;
    }
    *out = f;
    return CUSTOPS_OK;
}

int custops_calendar_now(custops_frame **out, const custops_calendar *cal, int64_t now,
                         const char *const *audiences, size_t naudiences)
{
    CUSTOPS__CHECK_NULL(out);
    *out = NULL;
    CUSTOPS__CHECK_NULL(cal);
    if (naudiences && !audiences)
        return custops__err(CUSTOPS_EINVAL, "%s: audiences is NULL but naudiences is %zu", __func__, naudiences);
    for (size_t i = 0; i < naudiences; i++)
        if (!audiences[i])
            return custops__err(CUSTOPS_EINVAL, "%s: audiences[%zu] is NULL", __func__, i);
    /* the last phase starting at or before now */
    size_t lo = 0, hi = cal->nphases;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cal->phases[mid].start <= now)
            lo = mid + 1;
        else
            hi = mid;
    }
    const cal_phase *ph = lo > 0 && now < cal->phases[lo - 1].end ? &cal->phases[lo - 1] : NULL;
    size_t n = 0, cap = 0;
    const char **cols[4] = {NULL, NULL, NULL, NULL};
    int rc = 0;
    for (size_t b = ph ? ph->b0 : 0; ph && b < ph->b1 && !rc; b++) {
        const cal_binding *bd = &cal->bindings[b];
        const char *aud = custops__intern_str(&cal->strs, bd->audience);
        int match = strcmp(aud, "*") == 0;
        for (size_t i = 0; i < naudiences && !match; i++)
            match = strcmp(aud, audiences[i]) == 0;
        if (!match)
            continue;
        for (size_t a = bd->a0; a < bd->a1 && !rc; a++) {
            if (n == cap) {
                size_t nc = cap ? cap * 2 : 16;
                for (int k = 0; k < 4 && !rc; k++) {
                    const char **q = custops__reallocarray(cols[k], nc, sizeof *q);
                    if (!q)
                        rc = custops__nomem();
                    else
                        cols[k] = q;
                }
                if (rc)
                    break;
                cap = nc;
            }
            cols[0][n] = custops__intern_str(&cal->strs, ph->name);
            cols[1][n] = aud;
            cols[2][n] = ACT_NAMES[cal->actions[a].kind];
            cols[3][n] = custops__intern_str(&cal->strs, cal->actions[a].arg);
            n++;
        }
    }
    custops_frame *f = NULL;
    static const char *const NAMES[4] = {"phase", "audience", "action", "arg"};
    if (!rc)
        rc = custops_frame_new(&f);
    for (int k = 0; k < 4 && !rc; k++)
        rc = custops_frame_add_string(f, NAMES[k], cols[k], n);
    for (int k = 0; k < 4; k++)
        custops__free(cols[k]);
    if (rc) {
        custops_frame_free(f);
        return rc;
    }
    *out = f;
    return CUSTOPS_OK;
}
