/* Private structures of the coupon module: the compiled ruleset, the cart,
 * the quote, and the small JSON reader shared by the ruleset and cart
 * loaders. Rules are sorted by id at compile time, so a rule's index is its
 * canonical order everywhere (JSON, tie-breaks, output). */
#ifndef CUSTOPS_COUPON_INTERNAL_H
#define CUSTOPS_COUPON_INTERNAL_H

#include "core/internal.h"
#include "custops/coupon.h"

/* ---- lanes, groups, effects ---- */
enum { LANE_ITEM, LANE_ORDER, LANE_SHIPPING, LANE_POINTS, LANE_ISSUE, LANE_COUNT };
enum { GM_EXCLUSIVE, GM_PER_LINE, GM_STACKABLE };
enum { COMBINE_ALL, COMBINE_NONE, COMBINE_ONLY, COMBINE_EXCEPT };
enum { CODE_NONE, CODE_REQUIRED, CODE_WALLET };
enum { RESTORE_FULL, RESTORE_NEVER };
enum {
    EF_AMOUNT_OFF, EF_AMOUNT_OFF_EACH, EF_PERCENT_OFF, EF_EVERY, EF_TIERS, EF_FIXED_PRICE, EF_BXGY,
    EF_FREE_SHIPPING, EF_SHIPPING_OFF, EF_GIFT, EF_POINTS_X, EF_POINTS_PLUS, EF_ISSUE, EF_COUNT
};
enum { REC_CUSTOMER, REC_INVITER, REC_INVITEE };
enum { LIM_PER_CODE, LIM_PER_CUSTOMER, LIM_TOTAL, LIM_BUDGET, LIM_QTY_PER_CUSTOMER, LIM_PER_ORDER, LIM_COUNT };
enum { PERIOD_NONE, PERIOD_DAY, PERIOD_WEEK, PERIOD_MONTH, PERIOD_YEAR };

extern const char *const cpn_lane_names[LANE_COUNT];
extern const char *const cpn_effect_names[EF_COUNT];
extern const char *const cpn_limit_names[LIM_COUNT];
extern const char *const cpn_period_names[5];
extern const char *const cpn_recipient_names[3];

typedef struct cpn_group {
    char *id;
    int mode;
    int max; /* stackable cap; 0 = no cap */
} cpn_group;

typedef struct cpn_effect {
    int kind;
    int64_t a;      /* amount / percent bp / step / price / points / buy */
    int64_t b;      /* cap (-1 none) / off / get / max_units */
    int64_t c;      /* max_times / max_sets (0 none) / bxgy percent bp (10000 = free) */
    int64_t d;      /* bxgy: max sets (0 none) */
    int flag;       /* bxgy: 0 cheapest, 1 priciest; issue: recipient */
    char *str;      /* gift sku / issue template */
    int64_t *tiers; /* pairs threshold, off ascending */
    int ntiers;
} cpn_effect;

typedef struct cpn_limit {
    int kind;
    int period;
    int64_t n; /* count or money */
} cpn_limit;

/* scope selector term; kind 0 sku, 1 category, 2 brand, 3 tag */
enum { SEL_SKU, SEL_CATEGORY, SEL_BRAND, SEL_TAG };
typedef struct cpn_sel {
    int kind;
    int exclude;
    char *value;
    uint64_t hash; /* cpn_sel_hash(kind, value), set by finish */
} cpn_sel;
uint64_t cpn_sel_hash(int kind, const char *s);

/* Compile-time lookup tables of strings the quote meets in the cart (scope
 * selector values, rule ids of wallet coupons). A string's key is its
 * length and its first and last 8 bytes, read once without hashing it
 * whole; the key alone decides equality up to 16 bytes, a longer string
 * compares its middle too. So that long strings alike at both ends (skus
 * such as "PHONE-15-PRO-256GB-BLACK" and "PHONE-15-PRO-512GB-BLACK") do
 * not all land in one slot, b then also mixes in a hash of the middle. A
 * table is read-only after compile. */
typedef struct cpn_skey {
    uint64_t a, b; /* first 8 bytes (zero-padded); last 8 bytes past 8, else 0;
                    * past 16, the last 8 bytes xor a hash of the middle */
    size_t len;
} cpn_skey;
typedef struct cpn_sent {
    uint64_t a, b;
    size_t len;
    int kind;      /* -1: an empty slot */
    int id;        /* what the string stands for: selector id, rule index */
    const char *s; /* the string (owned by the ruleset) */
} cpn_sent;
/* The key of the NUL-terminated s, of which `avail` bytes from s on may be
 * read (0 when unknown): with 8 or more, a word at a time. */
static inline cpn_skey cpn_skey_of(const char *s, size_t avail)
{
    cpn_skey k = {0, 0, 0};
    size_t n = 0;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (avail >= 8) {
        /* the lowest 0x80 bit of z marks the first zero byte (borrows run
         * upwards only), so the bytes below it are the string's */
        uint64_t w, z;
        memcpy(&w, s, 8);
        z = (w - 0x0101010101010101ull) & ~w & 0x8080808080808080ull;
        if (z) {
            n = (size_t)__builtin_ctzll(z) / 8;
            k.a = w & ((z ^ (z - 1)) >> 8); /* the bytes below that one */
            k.len = n;
            return k;
        }
        k.a = w;
        n = 8;
    } else
#endif
    {
        (void)avail;
        while (n < 8 && s[n]) {
            k.a |= (uint64_t)(unsigned char)s[n] << (8 * n);
            n++;
        }
    }
    if (n == 8 && s[8]) {
        n += strlen(s + 8);
        memcpy(&k.b, s + n - 8, 8);
        if (n > 16) { /* the middle, s[8 .. n - 8): a word at a time, the rest bytewise */
            uint64_t h = 0x9ae16a3b2f90404full, w;
            size_t i = 8;
            for (; i + 8 <= n - 8; i += 8) {
                memcpy(&w, s + i, 8);
                h = (h ^ w) * 0xff51afd7ed558ccdull;
            }
            for (; i < n - 8; i++)
                h = (h ^ (unsigned char)s[i]) * 0x100000001b3ull;
            k.b ^= h ^ (h >> 29);
        }
    }
    k.len = n;
    return k;
}
/* the home slot in a table of 1 << bits slots (bits >= 1): the top bits of
 * a multiplicative mix, which the low bytes of short ids also reach */
static inline size_t cpn_skey_slot(const cpn_skey *k, int kind, unsigned bits)
{
    uint64_t h = (k->a ^ (k->b * 0xc2b2ae3d27d4eb4full) ^ ((uint64_t)k->len << 56 | (uint64_t)kind)) *
                 0x9e3779b97f4a7c15ull;
    return (size_t)(h >> (64 - bits));
}
/* is the string s with key k the stored string t with key (a, b, len)? */
static inline __attribute__((always_inline)) int cpn_skey_same(const cpn_skey *k, const char *s, uint64_t a, uint64_t b,
                                                                size_t len, const char *t)
{
    return a == k->a && b == k->b && len == k->len && (len <= 16 || memcmp(t + 8, s + 8, len - 16) == 0);
}
/* the id of (kind, s) in table t, or -1, where k is s's key (made once,
 * e.g. by the cart when it took the string) */
static inline __attribute__((always_inline)) int cpn_skey_find_key(const cpn_sent *t, unsigned bits, int kind,
                                                                    const cpn_skey *k, const char *s)
{
    size_t mask = ((size_t)1 << bits) - 1;
    for (size_t i = cpn_skey_slot(k, kind, bits);; i = (i + 1) & mask) {
        const cpn_sent *e = &t[i];
        if (e->kind < 0)
            return -1;
        if (e->kind == kind && cpn_skey_same(k, s, e->a, e->b, e->len, e->s))
            return e->id;
    }
}
/* the id of (kind, s) in table t, or -1 (avail: see cpn_skey_of) */
static inline __attribute__((always_inline)) int cpn_skey_find(const cpn_sent *t, unsigned bits, int kind,
                                                                const char *s, size_t avail)
{
    cpn_skey k = cpn_skey_of(s, avail);
    return cpn_skey_find_key(t, bits, kind, &k, s);
}

enum { WIN_DOW, WIN_DOM, WIN_FIRST };
typedef struct cpn_window {
    int kind;
    uint32_t mask;         /* dow bits 1..7, dom bits 1..31 */
    int32_t from_s, to_s;  /* seconds of the local day, to_s may be 86400 */
    int64_t at, dur;       /* WIN_FIRST: [at, at+dur) */
} cpn_window;

/* condition expression nodes (an array; children by index) */
enum {
    X_OR, X_AND, X_NOT, X_CMP, X_IN, X_INT, X_MONEY, X_STR, X_BOOL,
    X_SUBTOTAL, X_QTY, X_IN_SEGMENT, X_FIRST_ORDER, X_CUST_KNOWN, X_CUST_PAID, X_CUST_TIER, X_CUST_ID, X_CTX
};
enum { CMP_GE, CMP_GT, CMP_LE, CMP_LT, CMP_EQ, CMP_NE };
/* does a comparison whose three-way result is c (<0, 0, >0) satisfy op? */
static inline int cpn_cmp_holds(int c, int op)
{
    switch (op) {
    case CMP_GE: return c >= 0;
    case CMP_GT: return c > 0;
    case CMP_LE: return c <= 0;
    case CMP_LT: return c < 0;
    case CMP_EQ: return c == 0;
    default: return c != 0;
    }
}
enum { T_BOOL, T_INT, T_MONEY, T_STR, T_TIER };
typedef struct cpn_node {
    int op;
    int type;
    int a, b;     /* children (X_OR/AND/CMP), child (NOT), subject + first of list (IN: list is b..b+n) */
    int n;        /* IN list length; CMP operator */
    int64_t v;    /* literal value */
    char *s;      /* literal string / ctx key / segment */
} cpn_node;

/* reason codes */
enum {
    R_NOT_STARTED, R_EXPIRED, R_OUTSIDE_WINDOW, R_CODE_REQUIRED, R_NOT_IN_WALLET, R_SCOPE_EMPTY,
    R_SUBTOTAL_BELOW, R_QTY_BELOW, R_CUSTOMER_REQUIRED, R_NOT_FIRST_ORDER, R_SEGMENT_MISMATCH,
    R_TIER_MISMATCH, R_CHANNEL_MISMATCH, R_PAYMENT_MISMATCH, R_REGION_MISMATCH, R_CONDITION_FALSE,
    R_NOT_COMBINABLE, R_BEATEN_BY_COMBINATION, R_GIFT_OUT_OF_STOCK, R_NO_EFFECT, R_COUNT
};
extern const char *const cpn_reason_names[R_COUNT];

typedef struct cpn_rule {
    /* What every quote reads for every rule comes first, in the first two
     * cache lines: a quote visits all rules, and with these fields spread
     * over the whole struct each rule cost four lines (a fifth of a
     * quote's L1 misses). */
    int lane, group; /* group -1: none */
    int combine;
    int code_mode;
    int scope_id; /* rules with the same selector set share one, see rs->scope_rule */
    int nconj;
    /* set by cpn_ruleset_finish, so the quote does not walk the effects of
     * every rule: whether one is a gift, how many discount lines */
    int has_gift, nmoney;
    int has_valid, nwindows;
    int64_t valid_from, valid_to;
    int neffects;
    int root; /* -1: no condition */
    int64_t priority;
    cpn_effect *effects;
    int *conj;       /* roots of the top-level AND conjuncts */
    int *conj_reason;
    int64_t *conj_need;
    cpn_node *nodes;
    cpn_window *windows;
    const custops_zone *zone;
    /* the rest: compile, lint, explain and the ledger */
    char *id, *title;
    int line, col;
    int *combine_groups;
    int ncombine;
    char *code; /* CODE_REQUIRED: normalized upper-case code */
    char *event; /* NULL: quote */
    char *tz;    /* NULL: ruleset tz */
    cpn_sel *scope;
    int nscope;
    int naive;   /* valid/first times are still naive local seconds (text input) */
    int nnodes;
    cpn_limit *limits;
    int nlimits;
    int restore;
    int64_t cost_points;
} cpn_rule;

/* is the node `customer.tier OP "tier"` (a literal the compiler ranked)?
 * The quote compares such a conjunct's ranks without walking the nodes. */
static inline int cpn_tier_literal(const cpn_rule *r, int node)
{
    const cpn_node *x = &r->nodes[node];
    return x->op == X_CMP && r->nodes[x->a].op == X_CUST_TIER && r->nodes[x->b].op == X_STR &&
           r->nodes[x->b].type == T_TIER;
}

struct custops_ruleset {
    char currency[4];
    int exponent;
    char *tz;
    custops_zone *zone;
    custops_zone **zones; /* distinct rule zones, owned */
    char **zone_names;
    int nzones;
    int64_t points_rate;
    char **tiers;
    int ntiers;
    cpn_group *groups;
    int ngroups;
    cpn_rule *rules;
    size_t nrules;
    /* distinct scopes (selector sets, order and repeats ignored): the quote
     * computes each one's lines once, not once per rule */
    int *scope_rule; /* per scope id: the first rule with that scope */
    int nscopes;
    unsigned sel_kinds; /* bit 1 << SEL_x: some rule's scope has a selector of that kind */
    /* the distinct selectors (kind, value) of all scopes, numbered from 0,
     * by key (see cpn_skey); per scope its selector ids, includes first:
     * the quote marks each selector's lines once and a scope ORs them */
    cpn_sent *sel_table;
    unsigned sel_bits; /* the table has 1 << sel_bits slots */
    int nsels;
    int *scope_sel;    /* scope s: ids at [scope_sel_at[s], scope_sel_at[s + 1]) */
    int *scope_sel_at;
    int *scope_ninc;   /* scope s: how many of its ids are includes */
    cpn_sent *rule_table; /* wallet rules' ids (kind 0) to rule indices */
    unsigned rule_bits;
    /* per rule: automatic, no windows, and then in time iff from <= now < to
     * (the whole range without validity); every other rule has an empty
     * span, so the quote tests most rules in two compares */
    struct cpn_span { int64_t from, to; } *plain_span;
    int *lane_rules[LANE_COUNT]; /* rule indices per lane, ascending */
    int lane_n[LANE_COUNT];
    /* per lane, parallel to lane_rules[l]: each rule's conditions when the
     * quote can judge them without the rule's conjunct and node arrays, one
     * sequential read instead of three scattered ones (see lane_conds() in
     * compile.c) */
    struct cpn_lane_cond {
        int64_t v, need;   /* threshold: the literal, and the reason's need */
        signed char why;   /* -2: through the conjuncts; -1: no conjunct; else the one
                            * conjunct is a threshold with this reason (R_SUBTOTAL_BELOW:
                            * subtotal(), R_QTY_BELOW: qty()), or R_TIER_MISMATCH:
                            * customer.tier against the tier literal of rank v */
        signed char op;    /* threshold: CMP_GE or CMP_GT; tier: any comparison */
        unsigned char flags; /* CPN_LC_*: what the quote would otherwise read through the rule */
    } *lane_cond[LANE_COUNT];
    /* lint findings, filled at compile */
    struct cpn_lint { int rule, line, col; const char *code; char *msg; } *lints;
    size_t nlints, lints_cap;
    /* per rule: the end of its run of consecutive rules with the same
     * plain_span, so the quote finds a run of automatic rules in time with
     * one test (see plain_runs() in compile.c) */
    uint32_t *plain_run;
    /* per rule: a wallet rule (CODE_WALLET) without windows, not in the
     * issue lane, is in time iff from <= now < to as in plain_span; every
     * other rule has an empty span. The quote finds a wallet coupon presented
     * and in time without reading its rule. */
    struct cpn_span *wallet_span;
};

/* ---- the cart ---- */
typedef struct cpn_line {
    uint32_t id, sku, brand; /* offsets into the cart string arena; brand 0 = none */
    uint32_t cat0, ncat, tag0, ntag; /* ranges in cart->refs */
    int64_t unit_price, qty;
    int discountable;
} cpn_line;

typedef struct cpn_kv {
    uint32_t key, value;
} cpn_kv;

struct custops_cart {
    char currency[4];
    int exponent;
    char *arena; /* strings back to back, offset 0 is "" */
    size_t arena_len, arena_cap;
    cpn_line *lines;
    size_t nlines, lines_cap;
    uint32_t *refs;
    size_t nrefs, refs_cap;
    int64_t shipping;
    uint32_t customer_id, tier;
    int known;
    int64_t paid_orders;
    uint32_t *segments;
    size_t nsegments, segments_cap;
    cpn_kv *ctx;
    size_t nctx, ctx_cap;
    uint32_t *codes;
    size_t ncodes, codes_cap;
    cpn_kv *wallet; /* key: instance id, value: rule id */
    size_t nwallet, wallet_cap;
    cpn_kv *stock;  /* key: sku, value: unused (see stock_n) */
    int64_t *stock_n;
    size_t nstock, stock_cap;
    int has_now;
    int64_t now;
    /* the stock entries by sku key (see cpn_skey), an open-addressed table
     * of 1 << stock_bits slots at most half full, so the quote finds a gift's
     * stock without comparing strings: slot i is empty when n is 0, else
     * holds entry n - 1 */
    struct cpn_stock_slot {
        cpn_skey key;
        size_t n;
    } *stock_slot;
    unsigned stock_bits;
    /* the keys (see cpn_skey) of the strings a quote looks up in the
     * ruleset's tables, made once as each string is added rather than by
     * every quote: per line its sku's and brand's ({0} while it has none),
     * per refs entry and per wallet entry its rule id's */
    struct cpn_line_key {
        cpn_skey sku, brand;
    } *line_key;
    cpn_skey *ref_key, *wallet_key;
    size_t line_key_cap, ref_key_cap, wallet_key_cap;
};

static inline const char *cpn_cart_str(const custops_cart *c, uint32_t off) { return c->arena + off; }

/* the index of sku's entry in c->stock, or -1: a key and a probe or two in
 * c->stock_slot, not a compare per entry. sku may be any string (a
 * ruleset's): no byte past its end is read. */
static inline ptrdiff_t cpn_cart_stock_find(const custops_cart *c, const char *sku)
{
    if (!c->nstock)
        return -1;
    cpn_skey k = cpn_skey_of(sku, 0);
    size_t mask = ((size_t)1 << c->stock_bits) - 1;
    for (size_t i = cpn_skey_slot(&k, 0, c->stock_bits);; i = (i + 1) & mask) {
        const struct cpn_stock_slot *e = &c->stock_slot[i];
        if (!e->n)
            return -1;
        if (cpn_skey_same(&k, sku, e->key.a, e->key.b, e->key.len, c->arena + c->stock[e->n - 1].key))
            return (ptrdiff_t)e->n - 1;
    }
}
const char *cpn_cart_ctx(const custops_cart *c, const char *key);
int cpn_cart_str_add(custops_cart *c, const char *s, size_t len, uint32_t *off);

/* ---- the quote ---- */
typedef struct cpn_alloc {
    int rule, line; /* line -1: shipping */
    int64_t amount, unit_high, units_high, unit_low;
} cpn_alloc;

typedef struct cpn_applied {
    int rule, lane;
    int64_t amount, lost, points;
    uint32_t via; /* 0: automatic; else arena offset of the code or wallet instance id */
    int via_wallet;
} cpn_applied;

typedef struct cpn_reason {
    int rule, code, other;
    int64_t need, have, gap, value;
} cpn_reason;

typedef struct cpn_gift {
    int rule, effect;
    int64_t qty;
} cpn_gift;

typedef struct cpn_hint {
    int rule;
    int64_t gap, unlocks;
} cpn_hint;

struct custops_quote {
    const custops_ruleset *rs;
    char *arena; /* a copy of the cart's strings: line ids, codes, wallet ids */
    int64_t now;
    size_t nlines;
    uint32_t *line_ids;
    int64_t *line_base, *line_net;
    int64_t shipping, shipping_net;
    int64_t subtotal, discount, total;
    int64_t points_base, points_extra;
    int exact;
    uint64_t nodes;
    cpn_alloc *allocs;
    size_t nallocs, allocs_cap;
    cpn_applied *applied;
    size_t napplied, applied_cap;
    cpn_reason *reasons;
    size_t nreasons, reasons_cap;
    cpn_gift *gifts;
    size_t ngifts, gifts_cap;
    cpn_hint *hints;
    size_t nhints, hints_cap;
    uint32_t *unknown_codes;
    size_t nunknown, unknown_cap;
};

/* ---- lexer / parser (lexer.c, parser.c) ---- */
enum {
    TK_EOF, TK_IDENT, TK_STRING, TK_NUMBER, TK_PERCENT, TK_DATETIME, TK_TIME, TK_DURATION,
    TK_SEMI, TK_LBRACE, TK_RBRACE, TK_LPAREN, TK_RPAREN, TK_COMMA, TK_DOT, TK_DOTDOT, TK_COLON,
    TK_PLUS, TK_MINUS, TK_GE, TK_GT, TK_LE, TK_LT, TK_EQ, TK_NE
};
typedef struct cpn_tok {
    int kind;
    const char *p;
    size_t len;
    int line, col;
} cpn_tok;
typedef struct cpn_lexer {
    custops__scan sc;
    cpn_tok tok;  /* current token */
    int depth;
} cpn_lexer;
void cpn_lex_init(cpn_lexer *lx, const char *text, size_t len, const char *what);
int cpn_lex_next(cpn_lexer *lx);
const char *cpn_tok_name(int kind);
int cpn_lex_expected(cpn_lexer *lx, const char *what);

int cpn_parse_ruleset(custops_ruleset *rs, const char *text, size_t len, const char *what);
/* Parse one condition expression into rule r (appending nodes); sets *root. */
int cpn_parse_expr_text(custops_ruleset *rs, cpn_rule *r, const char *text, size_t len, const char *what, int *root);

/* ---- compile helpers (compile.c) ---- */
custops_ruleset *cpn_ruleset_alloc(void);
int cpn_ruleset_finish(custops_ruleset *rs, const char *what);
void cpn_rule_release(cpn_rule *r);
int cpn_find_group(const custops_ruleset *rs, const char *id);
int cpn_tier_rank(const custops_ruleset *rs, const char *tier); /* -1 unknown */
int cpn_add_node(cpn_rule *r, const cpn_node *n, int *idx);
int cpn_expr_print(custops__buf *b, const custops_ruleset *rs, const cpn_rule *r, int node, int top);
int cpn_money_print(custops__buf *b, int64_t v, int exponent);
int cpn_parse_local_time(const custops_ruleset *rs, const char *tz, const char *text, size_t len, int64_t *out);
int cpn_zone_for(custops_ruleset *rs, const char *tz, const custops_zone **out);

/* ---- JSON reader (json.c) ---- */
enum { JS_NULL, JS_BOOL, JS_NUM, JS_STR, JS_ARR, JS_OBJ };
typedef struct cpn_json {
    int type;
    int line, col;
    const char *s;  /* JS_STR: decoded, NUL-terminated (in the doc arena); JS_NUM: raw text */
    size_t len;
    int b;
    uint32_t first, count; /* JS_ARR/JS_OBJ: children in doc->kids; objects alternate key, value */
} cpn_json;
typedef struct cpn_jdoc {
    cpn_json *nodes;
    size_t n, cap;
    uint32_t *kids;
    size_t nkids, kids_cap;
    char *strs;
    size_t slen, scap;
    const char *what;
} cpn_jdoc;
int cpn_json_parse(cpn_jdoc *d, const char *text, size_t len, const char *what);
void cpn_json_release(cpn_jdoc *d);
const cpn_json *cpn_json_get(const cpn_jdoc *d, const cpn_json *obj, const char *key);
const cpn_json *cpn_json_at(const cpn_jdoc *d, const cpn_json *arr, uint32_t i);
int cpn_json_err(const cpn_jdoc *d, const cpn_json *v, const char *fmt, ...) CUSTOPS__PRINTF(3, 4);
int cpn_json_i64(const cpn_jdoc *d, const cpn_json *v, int64_t *out);
int cpn_json_money(const cpn_jdoc *d, const cpn_json *v, int exponent, int64_t *out);
int cpn_json_str(const cpn_jdoc *d, const cpn_json *v, const char **out);
int cpn_buf_jstr(custops__buf *b, const char *s);

/* CUSTOPS__GROW with the common case (room left) inline: the quote grows
 * its reason, candidate and allocation arrays once per rule */
#define CPN_GROW(arr, cap, need) ((need) <= (cap) ? CUSTOPS_OK : CUSTOPS__GROW(arr, cap, need))

/* ---- scratch memory of one quote (scratch.c) ---- */
typedef struct cpn_chunk cpn_chunk;
typedef struct cpn_scratch {
    cpn_chunk *first, *cur;
} cpn_scratch;
typedef struct cpn_mark {
    cpn_chunk *chunk;
    size_t used;
} cpn_mark;
/* 16-byte aligned, valid until released past; NULL (error set) when out of memory */
void *cpn_scratch_take(cpn_scratch *s, size_t bytes);
void *cpn_scratch_zero(cpn_scratch *s, size_t bytes);
cpn_mark cpn_scratch_mark(const cpn_scratch *s);
void cpn_scratch_release(cpn_scratch *s, cpn_mark m);
void cpn_scratch_free(cpn_scratch *s);

/* ---- quote pieces ---- */
typedef struct cpn_eval_ctx {
    const custops_ruleset *rs;
    const custops_cart *cart;
    int64_t subtotal, qty;
    int tier_rank;
} cpn_eval_ctx;
int cpn_eval_bool(const cpn_eval_ctx *e, const cpn_rule *r, int node);
/* -1 in time; else the reason with *when (start, end or next opening; 0 unknown) */
int cpn_time_check(const cpn_rule *r, int64_t now, int64_t *when);

typedef struct cpn_cand {
    int rule;
    int group;        /* its rule's group (-1: none) and whether its rule */
    int restrictive;  /* has a combine clause: read per candidate, kept here */
    int64_t amount;   /* money value (sum of line shares), or points */
    int32_t *nz;      /* the slots with a nonzero share, ascending */
    int nnz;
    int64_t *x;       /* share per nonzero slot (x[k] is slot nz[k]'s) */
    int64_t *uh, *nh; /* unit split overrides per nonzero slot (-1: generic) */
    uint64_t *bits;   /* the same slots as a bitmap of (nslots + 63) / 64 words */
    /* lazy: x, uh and nh are NULL until the quote materialises them; nz, nnz
     * and bits are then the in-scope lines with a positive base (a superset
     * of the nonzero ones) and wsum their bases' sum, so a share on line l is
     * at most amount * base[l] / wsum + 1 and at most base[l] */
    int lazy;
    int64_t wsum;
    int shadow;       /* quote: 1 + its class when a better member stands for it (see run_lane) */
    int gift;         /* has a gift */
    int code;         /* consumes a code or wallet coupon */
    uint32_t via;
    int via_wallet;
    int64_t priority;
} cpn_cand;

typedef struct cpn_opt_in {
    const custops_ruleset *rs;
    cpn_cand *cands;
    int n;
    int nslots;
    const int64_t *cap;      /* per slot capacity */
    const int *group_used;   /* per group: members chosen in earlier lanes */
    const uint64_t *slot_groups; /* unused, reserved */
    uint64_t budget;
    const int *comp;         /* components from an earlier run on the same input, or NULL */
    int forced;              /* candidate that must be chosen, or -1; then only its
                              * component is solved and value is that component's */
    cpn_scratch *scratch;    /* working memory, rewound before returning */
    const int *stands;       /* per candidate: how many others left out it stands for
                              * (see run_lane), or NULL; a component with such a
                              * candidate must be pick-one with them, else CPN_RETRY */
} cpn_opt_in;
typedef struct cpn_opt_out {
    int *chosen; /* flags per candidate */
    int64_t value;
    int exact;
    uint64_t nodes;
    int *comp;            /* optional: per candidate, its component (a candidate index) */
    int64_t *comp_value;  /* optional: per component root, its optimum */
    /* optional, all or none (n entries each), for cpn_optimize_forced: the
     * candidates listed by component (a searched one's in search order),
     * and per component root where its list starts, its size and whether it
     * was solved in closed form (1 pick-one, 2 gift-only, 0 searched) */
    int *members, *at, *size, *pick;
} cpn_opt_out;
/* cpn_optimize's answer when it needs the shares of lazy candidates: the
 * capacity of some line may bind, or a component needs the full search */
enum { CPN_NEED_SHARES = 1, CPN_RETRY = 2 };
int cpn_optimize(const cpn_opt_in *in, cpn_opt_out *out);
/* What forcing each candidate with want[i] set gives its component (the
 * components of an earlier cpn_optimize on the same input, with in->forced
 * -1 and all of comp, members, at, size and pick set; in->forced ignored):
 * the optimum into value[i], and taken[i] whether it could be chosen at
 * all. Each component is prepared once for all its forced searches. */
int cpn_optimize_forced(const cpn_opt_in *in, const cpn_opt_out *comps, const int *want, int64_t *value, int *taken);
/* pick_one.c: a component (the m candidates in->cands[map[k]]) whose
 * members exclude each other pairwise is solved in closed form, in place:
 * applies says whether it is one, solve sets chosen[k] (if not NULL) and the
 * value and returns the chosen position k or -1 (forced, a position: that
 * candidate if it fits, as the search does). */
enum { CPN_PICK_ONE_MAX = 128 }; /* the largest component solved as pick-one */
enum { CPN_AGG_MAX = 32 };       /* lazy aggregates components() bounds together */
int cpn_pick_one_applies(const cpn_opt_in *in, const int *map, int m);
int cpn_pick_one_solve(const cpn_opt_in *in, const int *map, int m, int forced, int *chosen, int64_t *value);
/* The search's key of a one-rule set {c} (see pick_one.c), its order (-1: a
 * better, 1: worse, 0: a tie) and whether an earlier lane used up c's
 * exclusive group (per-line exclusivity is within the lane, so a lone
 * member always fits): the parts of cpn_pick_one_solve() that a lone
 * candidate needs, inline for the optimizer's one-member components. */
typedef struct cpn_one_key {
    int64_t v, codes, gifts, prio;
} cpn_one_key;
static inline int cpn_one_cmp(const cpn_one_key *a, const cpn_one_key *b)
{
    if (a->v != b->v) return a->v > b->v ? -1 : 1;
    if (a->codes != b->codes) return a->codes < b->codes ? -1 : 1;
    if (a->gifts != b->gifts) return a->gifts > b->gifts ? -1 : 1;
    if (a->prio != b->prio) return a->prio > b->prio ? -1 : 1;
    return 0;
}
static inline __attribute__((always_inline)) cpn_one_key cpn_one_key_of(const cpn_opt_in *in, const cpn_cand *c)
{
    cpn_one_key k = {0, c->code, c->gift, c->priority};
    if (c->lazy) { /* no share exceeds its line's base, which is its capacity */
        k.v = c->amount;
        return k;
    }
    for (int j = 0; j < c->nnz; j++) {
        int64_t cap = in->cap[c->nz[j]];
        k.v += c->x[j] < cap ? c->x[j] : cap;
    }
    return k;
}
static inline int cpn_pick_one_full(const cpn_opt_in *in, const cpn_cand *c)
{
    int g = c->group;
    return in->rs->groups[g].mode == GM_EXCLUSIVE && in->group_used && in->group_used[g] >= 1;
}
/* cpn_pick_one_applies() for m = 1: a lone member of an exclusive group, or
 * of an exclusive-per-line group when it discounts some line */
static inline int cpn_pick_one_lone_applies(const cpn_opt_in *in, const cpn_cand *c)
{
    return c->group >= 0 && (in->rs->groups[c->group].mode == GM_EXCLUSIVE ||
                             (in->rs->groups[c->group].mode == GM_PER_LINE && c->nnz != 0));
}
/* cpn_pick_one_solve() for m = 1, not forced: whether c is chosen (a key
 * that ties the empty set's loses to it on the rule count) */
static inline int cpn_pick_one_lone(const cpn_opt_in *in, const cpn_cand *c, int64_t *value)
{
    const cpn_one_key none = {0, 0, 0, 0};
    cpn_one_key k = cpn_one_key_of(in, c);
    int take = !cpn_pick_one_full(in, c) && cpn_one_cmp(&k, &none) < 0;
    *value = take ? k.v : 0;
    return take;
}
/* the same for a component of gift-only members of one stackable group
 * (see pick_one.c): the first `room` members by rule index; solve returns
 * forced (or 0) when some member fits, else -1 */
int cpn_gifts_applies(const cpn_opt_in *in, const int *map, int m);
int cpn_gifts_solve(const cpn_opt_in *in, const int *map, int m, int forced, int *chosen, int64_t *value);
int cpn_compatible_slow(const custops_ruleset *rs, int a, int b);
/* may rules a and b be chosen together (combine clauses, both ways)? */
static inline int cpn_compatible(const custops_ruleset *rs, int a, int b)
{
    if (rs->rules[a].combine == COMBINE_ALL && rs->rules[b].combine == COMBINE_ALL)
        return 1;
    return cpn_compatible_slow(rs, a, b);
}

/* effects.c: compute one rule's shares on the lane bases */
typedef struct cpn_lane_view {
    const custops_cart *cart;
    const int64_t *base; /* per line net at lane start */
    int64_t subtotal, qty;
    int exponent;
    const int *inl;      /* the lines in scope, ascending */
    int ninl;
    const int64_t *w;    /* the bases of the in-scope lines with a positive base */
    const int *widx;     /* their lines, ascending */
    int nw;
    int64_t wsum;        /* sum of w */
} cpn_lane_view;
/* Effects write only the in-scope entries of x, uh and nh: every other entry
 * must already hold 0, -1 and 0 (the caller keeps them so). With x NULL only
 * the amount (and need, unlocks, the reason) is computed, which is exact only
 * for a rule that cpn_effects_lazy() accepts. */
int cpn_effects_apply(const custops_ruleset *rs, const cpn_rule *r, const cpn_lane_view *v, int64_t *x,
                      int64_t *uh, int64_t *nh, int64_t *amount, int64_t *need, int64_t *unlocks);
/* Can the rule's shares stay implicit until needed? One order-level effect
 * spread over the in-scope lines by their bases: its shares sum to its amount
 * d and, when d is at most the in-scope subtotal, none exceeds its line's
 * base, so nothing is clamped and amount = d. */
static inline int cpn_effects_lazy(const cpn_rule *r)
{
    if (r->neffects != 1)
        return 0;
    int k = r->effects[0].kind;
    return k == EF_AMOUNT_OFF || k == EF_PERCENT_OFF || k == EF_EVERY || k == EF_TIERS;
}
/* rs->lane_cond flags of a rule */
enum {
    CPN_LC_LAZY = 1,    /* cpn_effects_lazy() */
    CPN_LC_PER_LINE = 2 /* its group is exclusive per line */
};
/* the rare ends of cpn_effects_order() (effects.c): a 128-bit percentage
 * or its error, an every that overflows */
int cpn_effects_percent_wide(const cpn_rule *r, const cpn_effect *e, int64_t S, int64_t *d) __attribute__((cold));
int cpn_effects_every_overflow(const cpn_rule *r, int64_t times, int64_t b) __attribute__((cold));
/* The amount *dp of one order-level effect e (amount, percent, every, tiers)
 * on the in-scope subtotal S, and for a threshold not reached *belowp with
 * the need and what it unlocks; shared by cpn_effects_apply() and
 * cpn_effects_amount(), so the lazy amount is the same computation. Inline:
 * the quote asks it of every lazy rule, and the call was most of its cost. */
static inline __attribute__((always_inline)) int cpn_effects_order(const cpn_rule *r, const cpn_effect *e, int64_t S,
                                                                    int64_t *dp, int *belowp, int64_t *need,
                                                                    int64_t *unlocks)
{
    int64_t d = 0;
    int rc;
    switch (e->kind) {
    case EF_AMOUNT_OFF:
        d = e->a < S ? e->a : S;
        break;
    case EF_PERCENT_OFF: {
        int64_t p;
        /* custops_money_muldiv's half up in 64 bits: p = 10000 q + m rounds
         * to q + (m >= 5000) = (p + 5000) / 10000, which cannot wrap as an
         * unsigned and divides by a constant */
        if ((S | e->a) >= 0 && !__builtin_mul_overflow(S, e->a, &p))
            d = (int64_t)(((uint64_t)p + 5000) / 10000);
        else if ((rc = cpn_effects_percent_wide(r, e, S, &d)))
            return rc;
        if (e->b >= 0 && d > e->b)
            d = e->b;
        break;
    }
    case EF_EVERY: {
        int64_t times = S / e->a;
        if (e->c > 0 && times > e->c)
            times = e->c;
        if (times == 0) {
            *belowp = R_SUBTOTAL_BELOW;
            *need = e->a;
            *unlocks = e->b;
        } else if (e->c == 0 || times < e->c) {
            *need = (times + 1) * e->a; /* hint: the next step */
            *unlocks = (times + 1) * e->b;
        }
        if (__builtin_mul_overflow(times, e->b, &d)) /* custops_money_mul, inline */
            return cpn_effects_every_overflow(r, times, e->b);
        if (d > S)
            d = S;
        break;
    }
    case EF_TIERS: {
        /* the last threshold reached: they increase (both loaders check) */
        const int64_t *t = e->tiers, *end = e->tiers + 2 * e->ntiers;
        if (S < t[0]) {
            *belowp = R_SUBTOTAL_BELOW;
            *need = t[0];
            *unlocks = t[1];
            break;
        }
        while (t + 2 < end && S >= t[2])
            t += 2;
        d = t[1] < S ? t[1] : S;
        if (t + 2 < end) {
            *need = t[2];
            *unlocks = t[3];
        }
        break;
    }
    default:
        break;
    }
    *dp = d;
    return 0;
}
/* cpn_effects_apply() with x NULL for a rule cpn_effects_lazy() accepts,
 * from the scope's subtotal S and its count of positive-base lines nw: the
 * same amount, need, unlocks and reason, without the lane view */
static inline int cpn_effects_amount(const cpn_rule *r, int64_t S, int nw, int64_t *amount, int64_t *need,
                                     int64_t *unlocks)
{
    int64_t d = 0;
    int below = -1, rc;
    *need = *unlocks = 0;
    if ((rc = cpn_effects_order(r, &r->effects[0], S, &d, &below, need, unlocks)))
        return rc;
    *amount = nw ? d : 0; /* no line with a positive base: nothing to spread over */
    return *amount == 0 && below >= 0 ? below : -1;
}
/* spread amount over v's positive-base lines by their bases, exactly as
 * cpn_effects_apply() does, into x[k] for line v->widx[k] (x zeroed, nw
 * entries); before any clamp to the bases */
int cpn_effects_spread(const cpn_lane_view *v, int64_t amount, int64_t *x);
/* an amount over qty units: nhigh of them at high, the rest at low (inline:
 * a call per allocation, most of them on a line of one unit) */
static inline void cpn_unit_split(int64_t amount, int64_t qty, int64_t *high, int64_t *nhigh, int64_t *low)
{
    if (qty == 1) { /* the usual line: no division */
        *high = *low = amount;
        *nhigh = 0;
        return;
    }
    if (qty <= 0) {
        *high = *nhigh = *low = 0;
        return;
    }
    *low = amount / qty;
    *nhigh = amount % qty;
    *high = *low + (*nhigh != 0);
}

int cpn_quote_to_json(const custops_quote *q, custops__buf *b);
int cpn_reason_message(custops__buf *b, const custops_quote *q, const cpn_reason *r);

#endif
