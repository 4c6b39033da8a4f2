/* Private to the segment module: tokens, the compiled plan and the pieces
 * the lexer, parser, binder, evaluator and explainer share. */
#ifndef CUSTOPS_SEGMENT_INTERNAL_H
#define CUSTOPS_SEGMENT_INTERNAL_H

#include "core/internal.h"

#define SEG_BLOCK 4096            /* rows per evaluation block */
#define SEG_BLOCK_WORDS (SEG_BLOCK / 64)
#define SEG_MAX_IN 10000          /* values in one IN list */
#define SEG_MAX_DICTS 32

/* ---- context ---- */
typedef struct seg_dict {
    char *name;
    const custops_frame *frame;
} seg_dict;

struct custops_segment_ctx {
    const custops_frame *customers, *lines, *events;
    seg_dict dicts[SEG_MAX_DICTS];
    size_t ndicts;
    const custops_zone *zone;
    int64_t now;
    char *money_cols; /* ",a,b," for lookup, or NULL */
    int exponent;
    const custops_segment_library *library;
    size_t max_length, max_depth;
};

int seg_ctx_copy(custops_segment_ctx *dst, const custops_segment_ctx *src);
void seg_ctx_release(custops_segment_ctx *c);
/* The dictionary frame's name column for column `col` (NULL if none). */
const custops_frame *seg_ctx_dict_for(const custops_segment_ctx *c, const char *col, size_t *name_col);
bool seg_ctx_is_money(const custops_segment_ctx *c, const char *col);

/* ---- tokens (lexer.c) ---- */
typedef enum seg_tok_kind {
    TK_EOF, TK_IDENT, TK_NUM, TK_STR, TK_DATE, TK_REL, TK_LP, TK_RP, TK_COMMA, TK_DOTDOT, TK_PCT, TK_OP
} seg_tok_kind;

typedef enum seg_op { OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE } seg_op;

typedef struct seg_tok {
    seg_tok_kind kind;
    const char *start;
    size_t len;
    double num;      /* TK_NUM value */
    int is_int;      /* TK_NUM without fraction or exponent */
    seg_op op;       /* TK_OP */
    int rel_n;       /* TK_REL: signed count */
    char rel_unit;   /* 'd','w','m','y' */
    int y, mo, d, h, mi, s, has_time; /* TK_DATE */
    char *str;       /* TK_STR unescaped (owned by the lexer's arena) */
} seg_tok;

typedef struct seg_lexer {
    custops__scan sc;
    seg_tok tok;     /* current token */
    char *strbuf;    /* unescaped string of the current token */
    size_t strcap;
} seg_lexer;

void seg_lex_init(seg_lexer *lx, const char *text, size_t len, const char *what);
void seg_lex_release(seg_lexer *lx);
int seg_lex_next(seg_lexer *lx);
/* Quoted description of the current token for "but found ..." messages. */
void seg_tok_describe(const seg_tok *t, char *buf, size_t cap);
bool seg_tok_is(const seg_tok *t, const char *kw); /* identifier equal (case-insensitive) */

/* ---- plan ---- */
typedef enum seg_node_kind { N_AND, N_OR, N_NOT, N_LEAF } seg_node_kind;

typedef enum seg_leaf_kind {
    L_I64,    /* int64 column in [lo, hi] */
    L_F64,    /* double column in [flo, fhi] (NaN never) */
    L_SET,    /* int64 column in a sorted set */
    L_TAG,    /* int64 bitmask column & mask != 0 */
    L_PCT,    /* percentile: becomes L_I64/L_F64 at prepare */
    L_FUNC,   /* windowed count: an int64 array per customer at prepare, then [lo, hi] */
    L_STR,    /* string column equal to one of a set of strings */
    L_NULL    /* column is null: int64 -1, double NaN, string "" */
} seg_leaf_kind;

typedef enum seg_func { F_ORDERS, F_SPEND, F_EVENTS, F_BOUGHT_CAT, F_BOUGHT_SKU } seg_func;

typedef struct seg_leaf {
    seg_leaf_kind kind;
    int negate;             /* result inverted (valid rows only, see none_neg) */
    int date;               /* int64 instants: values < 0 are "none", never match */
    size_t col;             /* column index in customers */
    const int64_t *i64;
    const double *f64;
    int64_t lo, hi;
    double flo, fhi;
    int64_t *set;           /* L_SET sorted values / L_STR not used */
    size_t nset;
    char **strs;            /* L_STR */
    size_t nstrs;
    int64_t mask;           /* L_TAG */
    /* L_PCT */
    int top;
    double pct;
    /* L_FUNC */
    seg_func func;
    int64_t t0, t1;         /* window, inclusive instants */
    int64_t code;           /* event type, category or sku code */
    /* prepared state */
    int64_t *counts;        /* L_FUNC per customer */
    uint64_t *bits;         /* L_STR / L_NULL-on-string precomputed bitset */
    int prepared_pct;       /* L_PCT resolved into lo/hi or flo/fhi */
    int pct_is_f64;
    int pct_empty;
    int money;              /* value shown in major units in explanations */
} seg_leaf;

typedef struct seg_node {
    seg_node_kind kind;
    int a, b;               /* children (node indexes); leaf index in a for N_LEAF */
    int text;               /* which source text */
    size_t off, len;        /* source span in that text */
} seg_node;

struct custops_audience {
    custops_segment_ctx ctx;
    seg_node *nodes;
    size_t nnodes, capnodes;
    seg_leaf *leaves;
    size_t nleaves, capleaves;
    char **texts;           /* the expression and every inlined definition */
    size_t ntexts, captexts;
    size_t text_bytes;      /* their total length: bounded by ctx.max_length, so
                             * references that fan out (a diamond of definitions
                             * each naming the one below twice) cannot expand
                             * exponentially */
    int root;
    size_t depth;           /* deepest node nesting (sizes the evaluation stack) */
    size_t cur_depth;       /* parser recursion depth, across inlined definitions */
    size_t nrows;
    int prepared;
};

/* parser.c: parse text into a (new) audience. With bind == false (library
 * syntax checks) nothing is resolved against a context and `segment NAME`
 * references are only collected into refs (may be NULL). */
typedef struct seg_refs {
    char **names;
    size_t n, cap;
} seg_refs;
void seg_refs_release(seg_refs *r);
int seg_parse(custops_audience *a, const char *text, const char *what, bool bind, seg_refs *refs,
              const char *const *stack, size_t nstack, int *root_out);

/* bind.c: turn a parsed predicate into a leaf (resolving names and times). */
int seg_add_node(custops_audience *a, seg_node_kind kind, int x, int y, int text, size_t off, size_t len);
int seg_add_leaf(custops_audience *a, seg_leaf **out, int *index);
void seg_leaf_release(seg_leaf *l);
/* time values */
typedef struct seg_time {
    int64_t start, end; /* [start, end) */
} seg_time;
int seg_time_from_tok(const custops_segment_ctx *c, const seg_tok *t, seg_time *out);
int seg_day_start(const custops_segment_ctx *c, int32_t day, int64_t *out);

/* prepare.c: per-evaluation state (percentile thresholds, window counts). */
int seg_prepare(custops_audience *a);
/* eval.c */
void seg_eval_block(const custops_audience *a, int node, size_t row0, size_t nrows, uint64_t *out, uint64_t *stack);
int seg_leaf_test(const seg_leaf *l, size_t row);
uint64_t *seg_bitset_words(custops_bitset *bs);

/* rankselect.c: k-th smallest values by radix select over order-preserving keys */
#define SEG_MAX_RANKS 8
typedef struct seg_keycol {
    const int64_t *i64;    /* one of i64 / f64 */
    const double *f64;     /* NaN is skipped */
    const uint64_t *valid; /* optional row bitmask */
    size_t n;
} seg_keycol;
static inline uint64_t seg_key_i64(int64_t x) { return (uint64_t)x ^ ((uint64_t)1 << 63); }
static inline uint64_t seg_key_f64(double x)
{
    uint64_t b;
    if (x == 0)
        x = 0; /* -0 and +0 are one value */
    memcpy(&b, &x, sizeof b);
    return (b >> 63) ? ~b : b | ((uint64_t)1 << 63);
}
static inline int64_t seg_key_to_i64(uint64_t k) { return (int64_t)(k ^ ((uint64_t)1 << 63)); }
static inline double seg_key_to_f64(uint64_t k)
{
    uint64_t b = (k >> 63) ? k & ~((uint64_t)1 << 63) : ~k;
    double x;
    memcpy(&x, &b, sizeof x);
    return x;
}
/* ranks ascending or not, each below the number of valid values; out[r] = key
 * of the ranks[r]-th smallest (0-based). count_out (may be NULL) gets that number. */
int seg_select_keys(const seg_keycol *c, const size_t *ranks, size_t nr, uint64_t *out, size_t *count_out);

/* the `segment` library's lookup used by the parser */
const char *seg_library_text(const custops_segment_library *lib, const char *name);

#endif
