/* The quote: a pure function of (ruleset, cart, now).
 *
 *   1. eligibility: code presented or coupon in the wallet, validity and
 *      windows in the rule's zone;
 *   2. lanes in order: item prices, order, shipping, points. Inside a lane
 *      every rule sees the same lane-start bases (parallel); lanes are
 *      sequential, so order thresholds are judged after item prices.
 *      Each lane: scope, conditions, effects -> candidates; the optimizer
 *      picks the best combination; chosen rules are applied in
 *      (priority desc, id asc) order with each line clamped at zero;
 *   3. every rule not used gets a reason, near misses get their gap.
 * Scope matching: each cart SKU, category, brand and tag (of the kinds some
 * scope of the ruleset uses) is looked up once in the ruleset's table of
 * distinct selectors, giving per selector a bitmap of lines; a scope ORs
 * its selectors' bitmaps, so a rule costs no string compare at all. */
#include "coupon_internal.h"

#include <limits.h>
#include <stdlib.h>
#ifdef CPN_CROSSCHECK
#include <stdio.h>
#endif

/* ---- quote-owned storage ---- */
void custops_quote_free(custops_quote *q)
{
    if (!q)
        return;
    custops__free(q->arena);
    custops__free(q->line_base); /* also holds line_net and line_ids, see custops_quote_run */
    custops__free(q->allocs);
    custops__free(q->applied);
    custops__free(q->reasons);
    custops__free(q->gifts);
    custops__free(q->hints);
    custops__free(q->unknown_codes);
    custops__free(q);
}

/* a reason where the room is there: run_lane makes room for one reason per
 * rule of the lane when it starts (a rule gets at most one) */
static inline void put_reason(custops_quote *q, int rule, int code, int other, int64_t need, int64_t have,
                              int64_t gap, int64_t value)
{
    q->reasons[q->nreasons++] = (cpn_reason){rule, code, other, need, have, gap, value};
}

/* a reason, making room first: eligibility() and run_lane's per-rule loop
 * (where the room is there too, but without the check GCC compiled the
 * loop into 2.6k more instructions per quote) */
static int add_reason(custops_quote *q, int rule, int code, int other, int64_t need, int64_t have, int64_t gap,
                      int64_t value)
{
    if (CPN_GROW(q->reasons, q->reasons_cap, q->nreasons + 1))
        return CUSTOPS_ENOMEM;
    put_reason(q, rule, code, other, need, have, gap, value);
    return 0;
}


/* Place `bytes` at *off in block (16-byte aligned) and advance *off. With
 * block NULL it only measures: a first pass sizes one allocation for many
 * arrays, a second places them. */
static void *carve(unsigned char *block, size_t *off, size_t bytes)
{
    void *p = block ? block + *off : NULL;
    *off += (bytes + 15) & ~(size_t)15;
    return p;
}

/* ---- scope index: per selector of the ruleset, the bitmap of its lines ---- */
/* room in the run itself for up to 128 selectors and 64 words of their bitmaps,
 * which spares most quotes an allocation */
enum { SIDX_ROWS = 128, SIDX_WORDS = 64 };
typedef struct sidx {
    uint32_t *row;  /* per selector id (rs->sel_table): 1 + its row in bits, 0: no line */
    uint64_t *bits; /* rows of `words` words, one per selector some line matched */
    size_t words, nrows;
    void *block;    /* owns row and bits when they do not fit the local arrays */
    uint32_t row_local[SIDX_ROWS];
    uint64_t bits_local[SIDX_WORDS];
} sidx;

static inline void sidx_add(sidx *x, int id, size_t line)
{
    if (!x->row[id]) {
        x->row[id] = (uint32_t)++x->nrows;
        memset(x->bits + (x->nrows - 1) * x->words, 0, x->words * sizeof *x->bits);
    }
    x->bits[(x->row[id] - 1) * x->words + line / 64] |= 1ull << (line % 64);
}

static inline const uint64_t *sidx_get(const sidx *x, int id)
{
    return x->row[id] ? x->bits + (x->row[id] - 1) * x->words : NULL;
}

/* ---- the run ---- */
/* one distinct scope in this quote, see scope_of() */
typedef struct scope_ent {
    int have_acc;   /* its line bitmap is at sacc + acc_off */
    int lane;       /* the lane stamp of the lists below */
    int n, nw;      /* lines in scope, of them with a positive base */
    int64_t S, Q;   /* their base sum and quantity */
    int64_t wmin;   /* the smallest positive base among them (0: none) */
    size_t acc_off, int_off, w_off;
    int lz_lane;    /* lane stamp of lz_off: the lane's shared lazy line list */
    uintptr_t lz_off;
    int sh_k;       /* the shadow class its last lazy candidate joined (valid if it matches) */
} scope_ent;

enum { LZ_MAX = 16 }; /* distinct scopes per lane whose lazy candidates share their lines */
typedef struct qrun {
    const custops_ruleset *rs;
    const custops_cart *cart;
    custops_quote *q;
    int64_t now;
    size_t n, words;
    unsigned char *block; /* the per-rule, per-line and per-scope arrays below (in scratch, freed with it) */
    sidx idx;
    uint64_t *discountable;
    int *eligible;      /* per rule: 1 candidate so far */
    uint32_t *via;      /* per rule: code / wallet instance (quote arena) */
    int *via_wallet;
    int *chosen_rules;  /* across lanes */
    int nchosen;
    int *group_used;
    int tier_rank;
    int64_t *net;       /* per line */
    scope_ent *sc;      /* per scope id */
    int lane_stamp;     /* bumped per lane: the bases changed */
    uint64_t *sacc;     /* scope bitmaps, for the whole quote */
    size_t sacc_len, sacc_cap;
    int *sint;          /* per scope: inl then widx, for this lane */
    size_t sint_len, sint_cap;
    int64_t *sw;        /* per scope: w, for this lane */
    size_t sw_len, sw_cap;
    int64_t *tx, *tuh, *tnh; /* one rule's shares; kept at 0, -1, 0 between rules */
    /* candidate pool */
    cpn_cand *cands;
    size_t ncands, cands_cap;
    int64_t *pool;
    size_t npool, pool_cap;
    cpn_scratch scratch; /* per lane and per optimizer call working memory */
    int nchosen_restrictive; /* chosen rules with a combine clause */
    int lz_n;                /* entries of lz_acc and lz_off below */
    int sh_n, sh_ok;         /* entries of sh below; see run_lane */
    /* the lane's shadowed candidates, in rule order once the loop is done
     * (see shadow_class): no cpn_cand record, just what their reasons need;
     * nholes counts the records in cands whose class found a better member */
    struct sh_member {
        int rule;
        short cls, code; /* its class; it consumes a code or wallet coupon */
        int64_t amount;
    } *shm;
    size_t nshm, shm_cap;
    int nholes;
    size_t shm_sort_from; /* the first entry that may be out of rule order (SIZE_MAX: none) */
    /* Only the fields above are zeroed per quote (see custops_quote_run):
     * the arrays below are read only up to their counters, which every
     * lane resets, and zeroing them cost some 3.5 KB of stores per quote. */
    /* lazy candidates with the same scope share one list and bitmap of its
     * lines (pool offsets), so the optimizer can bound them together */
    uint64_t lz_acc[LZ_MAX][(CUSTOPS_COUPON_MAX_LINES + 63) / 64];
    uintptr_t lz_off[LZ_MAX];
    /* the lane's lazy candidates by (group, shared line list), see run_lane:
     * per class its best member so far, which stands for the others */
    struct sh_class {
        int group;
        uintptr_t off;
        int best;       /* its best member so far (candidate index) */
        int root;       /* after the optimizer: the best one's component */
        int other;      /* the shadowed members' conflict (all alike), -2 until found */
        int cnt;        /* its shadowed members */
        int pick;       /* its group is exclusive or per line: members may be shadowed */
        int nnz;        /* its lines with a positive base (the shared list at off) */
        int64_t wsum;   /* and their bases' sum */
        /* for the losers, once the optimizer ran: its component is small
         * (forcing a member is explained), its exclusive group is used up by
         * an earlier lane, and the component's value */
        int small, full;
        int64_t cvalue;
    } sh[CPN_AGG_MAX];
} qrun;

/* The lines of a rule's scope. Each distinct scope (see rs->scope_rule)
 * has its line bitmap computed once per quote (it depends only on the cart)
 * and its line lists, subtotal and quantity once per lane (they depend on
 * the lane-start bases); every other rule of that scope reuses them.
 * scope_fill() makes them (out of line: once per scope and lane); scope_of()
 * gives the scope's entry, whose lists scope_inl() and scope_view() find
 * (offsets: a later scope_fill() may move the buffers). */
static __attribute__((noinline)) int scope_fill(qrun *R, const cpn_rule *r)
{
    scope_ent *e = &R->sc[r->scope_id];
    size_t words = R->words;
    if (!e->have_acc) {
        if (CPN_GROW(R->sacc, R->sacc_cap, R->sacc_len + words))
            return CUSTOPS_ENOMEM;
        /* the scope's distinct selectors, includes first (see build_tables) */
        const custops_ruleset *rs = R->rs;
        const int *ids = rs->scope_sel + rs->scope_sel_at[r->scope_id];
        int nids = rs->scope_sel_at[r->scope_id + 1] - rs->scope_sel_at[r->scope_id];
        int ninc = rs->scope_ninc[r->scope_id];
        uint64_t *acc = R->sacc + R->sacc_len;
        for (size_t w = 0; w < words; w++)
            acc[w] = ninc ? 0 : ~0ull; /* no include: every line */
        for (int k = 0; k < ninc; k++) {
            const uint64_t *b = sidx_get(&R->idx, ids[k]);
            if (b)
                for (size_t w = 0; w < words; w++)
                    acc[w] |= b[w];
        }
        for (int k = ninc; k < nids; k++) {
            const uint64_t *b = sidx_get(&R->idx, ids[k]);
            if (b)
                for (size_t w = 0; w < words; w++)
                    acc[w] &= ~b[w];
        }
        for (size_t w = 0; w < words; w++)
            acc[w] &= R->discountable[w]; /* discountable has no bit past the last line */
        e->acc_off = R->sacc_len;
        e->have_acc = 1;
        R->sacc_len += words;
    }
    const uint64_t *acc = R->sacc + e->acc_off;
    if (e->lane != R->lane_stamp) {
        int count = 0, nw = 0;
        for (size_t w = 0; w < words; w++)
            count += __builtin_popcountll(acc[w]);
        if (CPN_GROW(R->sint, R->sint_cap, R->sint_len + 2 * (size_t)count) ||
            CPN_GROW(R->sw, R->sw_cap, R->sw_len + (size_t)count))
            return CUSTOPS_ENOMEM;
        int *inl = R->sint + R->sint_len, *widx = inl + count;
        int64_t *wv = R->sw + R->sw_len, s = 0, qty = 0, wmin = 0;
        count = 0;
        for (size_t w = 0; w < words; w++)
            for (uint64_t m = acc[w]; m; m &= m - 1) {
                int l = (int)(w * 64) + __builtin_ctzll(m);
                inl[count++] = l;
                s += R->net[l];
                qty += R->cart->lines[l].qty;
                if (R->net[l] > 0) {
                    if (!nw || R->net[l] < wmin)
                        wmin = R->net[l];
                    wv[nw] = R->net[l];
                    widx[nw++] = l;
                }
            }
        e->lane = R->lane_stamp;
        e->n = count;
        e->nw = nw;
        e->S = s; /* bases are never negative: the positive ones sum to s */
        e->wmin = wmin;
        e->Q = qty;
        e->int_off = R->sint_len;
        e->w_off = R->sw_len;
        R->sint_len += 2 * (size_t)count;
        R->sw_len += (size_t)count;
    }
    return 0;
}

/* the common case inline: the scope's lists are already made for this lane;
 * returns its line count (or an error), its entry in *ep */
static inline int scope_of(qrun *R, const cpn_rule *r, const scope_ent **ep)
{
    const scope_ent *e = &R->sc[r->scope_id];
    *ep = e;
    if (e->lane != R->lane_stamp) {
        int rc = scope_fill(R, r);
        if (rc)
            return rc;
    }
    return e->n;
}

/* a scope's lines, ascending, then those with a positive base (e->nw) */
static inline const int *scope_inl(const qrun *R, const scope_ent *e)
{
    return R->sint + e->int_off;
}

/* the lane view of a scope for cpn_effects_apply() and the like */
static inline cpn_lane_view scope_view(const qrun *R, const scope_ent *e)
{
    const int *inl = scope_inl(R, e);
    return (cpn_lane_view){R->cart, R->net, e->S, e->Q, R->rs->exponent, inl, e->n, R->sw + e->w_off, inl + e->n,
                           e->nw, e->S};
}

/* money an unmet threshold would unlock, for the gap message */
static int64_t unlocks_at(const custops_ruleset *rs, const cpn_rule *r, int64_t need)
{
    int64_t total = 0;
    (void)rs;
    for (int k = 0; k < r->neffects; k++) {
        const cpn_effect *e = &r->effects[k];
        int64_t d = 0;
        if (e->kind == EF_AMOUNT_OFF || e->kind == EF_SHIPPING_OFF) {
            d = e->a;
        } else if (e->kind == EF_PERCENT_OFF) {
            custops_money_muldiv(need, e->a, 10000, &d);
            if (e->b >= 0 && d > e->b)
                d = e->b;
        } else if (e->kind == EF_EVERY) {
            d = need >= e->a ? need / e->a * e->b : 0;
        } else if (e->kind == EF_TIERS) {
            for (int i = 0; i < e->ntiers; i++)
                if (need >= e->tiers[2 * i])
                    d = e->tiers[2 * i + 1];
        }
        total += d;
    }
    return total;
}

/* subtotal() or qty() against a threshold literal v, op CMP_GE or CMP_GT
 * (classify() gives a threshold reason to no other comparison) */
static inline int threshold_holds(int64_t subject, int64_t v, int op)
{
    return op == CMP_GE ? subject >= v : subject > v;
}

/* customer.tier of rank t against the tier literal of rank v, as eval()
 * compares them: a missing tier (rank -1) is equal to nothing */
static inline int tier_holds(int64_t t, int64_t v, int op)
{
    return t < 0 ? op == CMP_NE : cpn_cmp_holds((t > v) - (t < v), op);
}

/* -1 when all conditions hold; else a reason (with need/have for thresholds) */
static int conditions(qrun *R, const cpn_rule *r, int64_t S, int64_t Q, int64_t *need, int64_t *have, int *clause)
{
    int threshold = -1;
    for (int k = 0; k < r->nconj; k++) {
        int why = r->conj_reason[k];
        if (why == R_SUBTOTAL_BELOW || why == R_QTY_BELOW) {
            /* a threshold (classify() gives these reasons only to
             * subtotal() or qty() >= or > a literal): two integers compared
             * as eval() would, without walking the nodes */
            const cpn_node *x = &r->nodes[r->conj[k]];
            if (threshold_holds(why == R_SUBTOTAL_BELOW ? S : Q, r->nodes[x->b].v, x->n))
                continue;
        } else if (why == R_TIER_MISMATCH && cpn_tier_literal(r, r->conj[k])) {
            /* customer.tier against a tier literal: the ranks compared */
            const cpn_node *x = &r->nodes[r->conj[k]];
            if (tier_holds(R->tier_rank, r->nodes[x->b].v, x->n))
                continue;
        } else {
            /* the context only here: most conjuncts take the paths above */
            cpn_eval_ctx e = {R->rs, R->cart, S, Q, R->tier_rank};
            if (cpn_eval_bool(&e, r, r->conj[k]))
                continue;
        }
        if (why == R_SUBTOTAL_BELOW || why == R_QTY_BELOW) {
            if (threshold < 0) {
                threshold = why;
                *need = r->conj_need[k];
                *have = why == R_SUBTOTAL_BELOW ? S : Q;
            }
            continue; /* eligibility reasons win over a gap */
        }
        if (why == R_NOT_FIRST_ORDER && !R->cart->known)
            why = R_CUSTOMER_REQUIRED;
        *clause = k + 1;
        return why;
    }
    return threshold;
}

/* conditions() for the li-th rule of a lane, from its precomputed record
 * when it has no conjunct, one threshold or one tier comparison (see
 * rs->lane_cond) */
static inline int lane_conditions(qrun *R, const struct cpn_lane_cond *lc, const cpn_rule *r, int64_t S, int64_t Q,
                                  int64_t *need, int64_t *have, int *clause)
{
    if (lc->why == -1)
        return -1;
    if (lc->why < 0)
        return conditions(R, r, S, Q, need, have, clause);
    if (lc->why == R_TIER_MISMATCH) {
        if (tier_holds(R->tier_rank, lc->v, lc->op))
            return -1;
        *clause = 1;
        return R_TIER_MISMATCH;
    }
    int64_t subject = lc->why == R_SUBTOTAL_BELOW ? S : Q;
    if (threshold_holds(subject, lc->v, lc->op))
        return -1;
    *need = lc->need;
    *have = subject;
    return lc->why;
}

/* the stock of a gift from the cart's table of its stock entries (see
 * stock_slot): a key and a probe or two, not a compare per entry. Out of
 * line: only gift rules ask, and inline it made run_lane too big for GCC
 * to inline (see there). */
static __attribute__((noinline)) int gift_in_stock(const custops_cart *c, const char *sku, int64_t qty)
{
    ptrdiff_t i = cpn_cart_stock_find(c, sku);
    return i >= 0 && c->stock_n[i] >= qty;
}

/* Candidates hold real pointers into the pool as they are built. Growing it
 * (rare: presize() gives it room for the largest lane up to a bound) moves
 * every candidate's pointers to the new block while the old one is still
 * there to measure them against. */
static __attribute__((noinline)) int pool_grow(qrun *R, size_t n)
{
    size_t cap = R->pool_cap ? R->pool_cap : 4096;
    while (cap < R->npool + n)
        cap *= 2;
    int64_t *old = R->pool, *m = custops__reallocarray(NULL, cap, sizeof *m);
    if (!m)
        return custops__nomem();
    if (R->npool)
        memcpy(m, old, R->npool * sizeof *m);
    for (size_t i = 0; i < R->ncands; i++) {
        cpn_cand *c = &R->cands[i];
        c->bits = (uint64_t *)(m + ((int64_t *)c->bits - old));
        c->nz = (int32_t *)(m + ((int64_t *)c->nz - old));
        if (!c->lazy) {
            c->x = m + (c->x - old);
            c->uh = m + (c->uh - old);
            c->nh = m + (c->nh - old);
        }
    }
    custops__free(old);
    R->pool = m;
    R->pool_cap = cap;
    return 0;
}

/* n words of the pool, at *out (the pool offset of them: *out - R->pool) */
static inline int pool_take(qrun *R, size_t n, int64_t **out)
{
    if (R->npool + n > R->pool_cap) {
        int rc = pool_grow(R, n);
        if (rc)
            return rc;
    }
    *out = R->pool + R->npool;
    R->npool += n;
    return 0;
}

/* back to 0, -1, 0 for the next rule (only in-scope entries were written) */
static void clear_shares(qrun *R, const int *lst, int ninl)
{
    for (int k = 0; k < ninl; k++) {
        int l = lst[k];
        R->tx[l] = 0;
        R->tuh[l] = -1;
        R->tnh[l] = 0;
    }
}

/* Move one rule's shares from the per-line buffers (tx, tuh, tnh) into dx:
 * the nonzero slots' shares, then at dx + cap their unit overrides, at
 * dx + 2 cap their counts, at dx + 3 cap the slots as a bitmap of `words`
 * and then as a list. The buffers go back to 0, -1, 0 for the next rule.
 * Returns the number of nonzero slots. */
static int take_shares(qrun *R, const int *lst, int ninl, size_t words, int64_t *dx, size_t cap)
{
    int64_t *duh = dx + cap, *dnh = dx + 2 * cap;
    uint64_t *bits = (uint64_t *)(dx + 3 * cap);
    int32_t *nz = (int32_t *)(bits + words);
    int nnz = 0;
    memset(bits, 0, words * sizeof *bits);
    for (int k = 0; k < ninl; k++) {
        int l = lst[k];
        if (R->tx[l]) {
            bits[l / 64] |= 1ull << (l % 64);
            dx[nnz] = R->tx[l];
            duh[nnz] = R->tuh[l];
            dnh[nnz] = R->tnh[l];
            nz[nnz++] = l;
        }
        R->tx[l] = 0;
        R->tuh[l] = -1;
        R->tnh[l] = 0;
    }
    return nnz;
}

/* A lazy candidate's shares straight into its compact arrays at dx (see
 * take_shares): cpn_effects_apply() spreads its amount over the lines with
 * a positive base and then clamps each to its base, which a lazy amount (at
 * most the subtotal) never needs; so when no share exceeds its base and
 * they sum to the amount, as they always should, they are the shares, with
 * no unit overrides, and there is no per-line buffer to fill and clear.
 * Returns 0 when it could not say so (the caller then takes the long way). */
static int spread_shares(const cpn_lane_view *v, cpn_cand *c, int64_t *dx, size_t words, size_t cap)
{
    int nw = v->nw, nnz = 0;
    int64_t sum = 0;
    for (int k = 0; k < nw; k++)
        dx[k] = 0;
    if (cpn_effects_spread(v, c->amount, dx))
        return 0;
    for (int k = 0; k < nw; k++) {
        if (dx[k] > v->w[k])
            return 0;
        sum += dx[k];
    }
    if (sum != c->amount)
        return 0;
    uint64_t *bits = (uint64_t *)(dx + 3 * cap);
    int32_t *nz = (int32_t *)(bits + words);
    memset(bits, 0, words * sizeof *bits);
    for (int k = 0; k < nw; k++) /* in place: nnz <= k, and the overrides start at cap >= nw */
        if (dx[k]) {
            int l = v->widx[k];
            dx[nnz] = dx[k];
            dx[cap + (size_t)nnz] = -1;
            dx[2 * cap + (size_t)nnz] = 0;
            bits[l / 64] |= 1ull << (l % 64);
            nz[nnz++] = l;
        }
    c->nnz = nnz;
    return 1;
}

/* The shares of a lazy candidate, computed as they would have been when it
 * was built: on the lane-start bases (so before anything of this lane is
 * applied), into scratch memory that lasts until the lane ends. */
static int materialise(qrun *R, cpn_cand *c)
{
    const custops_ruleset *rs = R->rs;
    const cpn_rule *r = &rs->rules[c->rule];
    int64_t amount, need, unl;
    const scope_ent *e;
    int ninl = scope_of(R, r, &e);
    if (ninl < 0)
        return ninl;
    cpn_lane_view v = scope_view(R, e);
    size_t words = (R->n + 63) / 64 ? (R->n + 63) / 64 : 1, cap = (size_t)ninl;
    int64_t *dx = cpn_scratch_take(&R->scratch, (cap * 3 + words + (cap + 1) / 2 + 1) * sizeof *dx);
    if (!dx)
        return CUSTOPS_ENOMEM;
    if (!spread_shares(&v, c, dx, words, cap)) {
        int why = cpn_effects_apply(rs, r, &v, R->tx, R->tuh, R->tnh, &amount, &need, &unl);
        if (why != -1 || amount != c->amount) { /* the same computation as before: cannot differ */
            clear_shares(R, v.inl, ninl);
            return why < -1 ? why
                            : custops__err(CUSTOPS_EINVAL, "coupon quote: rule %s: shares differ from the amount", r->id);
        }
        c->nnz = take_shares(R, v.inl, ninl, words, dx, cap);
    }
#ifdef CPN_CROSSCHECK
    else { /* local check, never shipped: the long way gives the same shares */
        int why = cpn_effects_apply(rs, r, &v, R->tx, R->tuh, R->tnh, &amount, &need, &unl);
        int bad = why != -1 || amount != c->amount, k = 0;
        for (int j = 0; j < ninl; j++) {
            int l = v.inl[j];
            if (!R->tx[l])
                continue;
            if (k >= c->nnz || dx[k] != R->tx[l] || ((int32_t *)(dx + 3 * cap + words))[k] != l ||
                dx[cap + (size_t)k] != R->tuh[l] || dx[2 * cap + (size_t)k] != R->tnh[l])
                bad = 1;
            k++;
        }
        if (bad || k != c->nnz) {
            fprintf(stderr, "CPN_CROSSCHECK: rule %s spread shares differ\n", r->id);
            abort();
        }
        clear_shares(R, v.inl, ninl);
    }
#endif
    c->x = dx;
    c->uh = dx + cap;
    c->nh = dx + 2 * cap;
    c->bits = (uint64_t *)(dx + 3 * cap);
    c->nz = (int32_t *)(c->bits + words);
    c->lazy = 0;
    return 0;
}

/* the pool offset of a scope's positive-base lines as a bitmap of `words`
 * then a list, shared by the lane's lazy candidates of that scope */
static int lazy_lines(qrun *R, int sid, size_t words, uintptr_t *out)
{
    /* a scope's lines are the same for all its rules in a lane: the search
     * below (which also shares one list between scopes with the same lines)
     * runs once per scope and lane, its answer is remembered in sc[sid] */
    scope_ent *e = &R->sc[sid];
    if (e->lz_lane == R->lane_stamp) {
        *out = e->lz_off;
        return 0;
    }
    size_t wb = R->words * sizeof(uint64_t);
    const uint64_t *acc = R->sacc + e->acc_off;
    const int *widx = scope_inl(R, e) + e->n;
    for (int i = 0; i < R->lz_n; i++)
        if (memcmp(R->lz_acc[i], acc, wb) == 0) {
            *out = e->lz_off = R->lz_off[i];
            e->lz_lane = R->lane_stamp;
            return 0;
        }
    int64_t *p;
    size_t cap = (size_t)e->nw;
    int rc = pool_take(R, words + (cap + 1) / 2, &p);
    if (rc)
        return rc;
    uintptr_t off = (uintptr_t)(p - R->pool);
    uint64_t *bits = (uint64_t *)p;
    int32_t *nz = (int32_t *)(bits + words);
    memset(bits, 0, words * sizeof *bits);
    for (int k = 0; k < e->nw; k++) {
        int l = widx[k];
        bits[l / 64] |= 1ull << (l % 64);
        nz[k] = l;
    }
    if (R->lz_n < LZ_MAX) { /* past that, a scope is not shared (nor remembered) */
        memcpy(R->lz_acc[R->lz_n], acc, wb);
        R->lz_off[R->lz_n++] = off;
        e->lz_off = off;
        e->lz_lane = R->lane_stamp;
    }
    *out = off;
    return 0;
}

/* application order: priority desc, id asc (insertion sort: few chosen rules) */
static void sort_apply(const custops_ruleset *rs, const cpn_cand **order, int n)
{
    for (int i = 1; i < n; i++) {
        const cpn_cand *c = order[i];
        int64_t pc = rs->rules[c->rule].priority;
        int k = i;
        while (k > 0) {
            const cpn_cand *o = order[k - 1];
            int64_t po = rs->rules[o->rule].priority;
            if (po > pc || (po == pc && o->rule < c->rule))
                break;
            order[k] = o;
            k--;
        }
        order[k] = c;
    }
}

/* one allocation into q->allocs, which the lane sized for all of its own */
static inline void record_alloc(custops_quote *q, int rule, int line, int64_t amount, int64_t uh, int64_t nh,
                                int64_t qty)
{
    cpn_alloc *a = &q->allocs[q->nallocs++];
    a->rule = rule;
    a->line = line;
    a->amount = amount;
    if (uh >= 0 && uh * nh == amount) {
        a->unit_high = uh;
        a->units_high = nh;
        a->unit_low = 0;
    } else {
        cpn_unit_split(amount, qty, &a->unit_high, &a->units_high, &a->unit_low);
    }
}

/* the chosen rules of a lane by group, for conflict_with() */
typedef struct chosen_ix {
    int first[CUSTOPS_COUPON_MAX_GROUPS + 1]; /* per group: its first in application order, or -1 */
    int pcol[CUSTOPS_COUPON_MAX_GROUPS + 1];  /* per exclusive-per-line group with chosen members: its column */
    int *owner;      /* column x slot: the first chosen member (position) discounting the slot, or -1 */
    int restrictive; /* some chosen rule has a combine clause */
} chosen_ix;

static int index_chosen(qrun *R, const cpn_cand *const *chosen, int nch, int nslots, chosen_ix *ix)
{
    const custops_ruleset *rs = R->rs;
    int ncol = 0;
    for (int g = 0; g < rs->ngroups; g++)
        ix->first[g] = ix->pcol[g] = -1;
    ix->restrictive = 0;
    for (int k = 0; k < nch; k++) {
        const cpn_rule *o = &rs->rules[chosen[k]->rule];
        ix->restrictive |= o->combine != COMBINE_ALL;
        if (o->group < 0 || ix->first[o->group] >= 0)
            continue;
        ix->first[o->group] = k;
        if (rs->groups[o->group].mode == GM_PER_LINE)
            ix->pcol[o->group] = ncol++;
    }
    ix->owner = cpn_scratch_take(&R->scratch, ((size_t)ncol * (size_t)nslots + 1) * sizeof *ix->owner);
    if (!ix->owner)
        return CUSTOPS_ENOMEM;
    for (size_t i = 0; i < (size_t)ncol * (size_t)nslots; i++)
        ix->owner[i] = -1;
    for (int k = nch - 1; k >= 0; k--) { /* backwards: the first in order is written last */
        int g = rs->rules[chosen[k]->rule].group;
        if (g < 0 || ix->pcol[g] < 0)
            continue;
        int *own = ix->owner + (size_t)ix->pcol[g] * (size_t)nslots;
        for (int j = 0; j < chosen[k]->nnz; j++)
            own[chosen[k]->nz[j]] = k;
    }
    return 0;
}

/* the rule a losing candidate collides with, for NOT_COMBINABLE: the first
 * chosen one (in application order) it is incompatible with or shares a
 * group with (per line: a line) */
static int conflict_with(const qrun *R, const cpn_cand *c, const cpn_cand *const *chosen, int nch, int nslots,
                         const chosen_ix *ix)
{
    int g = c->group;
    if (!ix->restrictive && !c->restrictive) {
        /* every pair is compatible: only the chosen of its own group count,
         * the first of them in order, or per line the first on one of its
         * lines (nz lists the same slots as bits; shares are never negative) */
        if (g < 0 || ix->first[g] < 0)
            return -1;
        if (ix->pcol[g] < 0)
            return chosen[ix->first[g]]->rule;
        const int *own = ix->owner + (size_t)ix->pcol[g] * (size_t)nslots;
        int k = -1;
        for (int j = 0; j < c->nnz; j++) {
            int o = own[c->nz[j]];
            if (o >= 0 && (k < 0 || o < k))
                k = o;
        }
        return k >= 0 ? chosen[k]->rule : -1;
    }
    const cpn_rule *r = &R->rs->rules[c->rule];
    size_t words = (size_t)(nslots + 63) / 64;
    for (int k = 0; k < nch; k++) {
        const cpn_rule *o = &R->rs->rules[chosen[k]->rule];
        if (!cpn_compatible(R->rs, c->rule, chosen[k]->rule))
            return chosen[k]->rule;
        if (r->group >= 0 && r->group == o->group) {
            int mode = R->rs->groups[r->group].mode;
            if (mode == GM_EXCLUSIVE || mode == GM_STACKABLE)
                return chosen[k]->rule;
            for (size_t w = 0; w < words; w++) /* shares are never negative */
                if (c->bits[w] & chosen[k]->bits[w])
                    return chosen[k]->rule;
        }
    }
    return -1;
}

/* Shadowed candidates. Lazy members of one exclusive or exclusive-per-line
 * group with the same shared line list (the same lines, bases and sum) are
 * interchangeable for the optimizer except for their keys: components()
 * bounds them together by their largest amount (the sum is not read for
 * these modes) and joins them anyway; if their component is pick-one its
 * answer is the best key, and forcing one gives that one. So the best of
 * such a class (by the pick-one key, ties to the smaller rule, which comes
 * first) stands for the others, which skip the optimizer: they are
 * explained from the class's component as the pick-one solve would (see
 * the losers in run_lane). Only when the answer is certain: the component found
 * without them must be pick-one and stay within CPN_PICK_ONE_MAX with them,
 * nothing may need shares, and there must be no more classes than
 * components() aggregates (all lazy candidates count); else the lane runs
 * again with every candidate, exactly as before. */

/* a's pick-one key better than b's: the order of cpn_one_cmp() (see
 * coupon_internal.h) for lazy members, whose value is their amount. Written
 * out because calling cpn_one_cmp() here measured 1.7-3% slower per quote;
 * a change to that order must change this too. */
static int key_better(const cpn_cand *a, const cpn_cand *b)
{
    if (a->amount != b->amount) return a->amount > b->amount;
    if (a->code != b->code) return a->code < b->code;
    if (a->gift != b->gift) return a->gift > b->gift;
    return a->priority > b->priority;
}

/* The class of a lazy candidate of rule ri (its shared line list at pool
 * offset off), before its record is written. Returns 1 when a better
 * member stands for it: it is then kept only as a compact entry of R->shm
 * (no record, it never reaches the optimizer). When it is the better one,
 * the class's previous best moves to R->shm and leaves a hole in R->cands
 * (marked by its shadow field), which run_lane closes after the loop. */
static inline __attribute__((always_inline)) int shadow_class(qrun *R, const cpn_rule *r, int ri, int64_t amount,
                                                             uintptr_t off, int *hint, size_t most)
{
    int k = *hint; /* the class its scope's previous candidate joined, else a scan */
    if (!(k < R->sh_n && R->sh[k].off == off && R->sh[k].group == r->group))
        for (k = 0; k < R->sh_n && !(R->sh[k].off == off && R->sh[k].group == r->group);)
            k++;
    *hint = k;
    if (k == R->sh_n) {
        if (k == CPN_AGG_MAX) { /* more classes than components() aggregates */
            R->sh_ok = 0;
            return 0;
        }
        /* every candidate on this list has the scope's current lines */
        int pick = r->group >= 0 && R->rs->groups[r->group].mode != GM_STACKABLE;
        const scope_ent *e = &R->sc[r->scope_id];
        R->sh[k] = (struct sh_class){r->group, off, -1, -1, -2, 0, pick, e->nw, e->S};
        R->sh_n++;
    }
    if (!R->sh[k].pick || r->combine != COMBINE_ALL)
        return 0;
    int b = R->sh[k].best;
    if (b < 0) {
        R->sh[k].best = (int)R->ncands;
        return 0;
    }
    cpn_cand key; /* the fields key_better reads */
    key.amount = amount;
    key.code = r->code_mode != CODE_NONE;
    key.gift = r->has_gift;
    key.priority = r->priority;
    /* room for the whole lane (each of its rules comes once) at the first need */
    if (CPN_GROW(R->shm, R->shm_cap, most))
        return CUSTOPS_ENOMEM;
    struct sh_member m = {ri, (short)k, (short)key.code, amount};
    const cpn_cand *best = &R->cands[b];
    int displaced = key_better(&key, best); /* candidates come in rule order: a tie stays with b */
    if (displaced) {
        m = (struct sh_member){best->rule, (short)k, (short)best->code, best->amount};
        R->cands[b].shadow = k + 1;
        R->sh[k].best = (int)R->ncands;
        R->nholes++;
        if (R->nshm && R->shm[R->nshm - 1].rule > m.rule && R->nshm < R->shm_sort_from)
            R->shm_sort_from = R->nshm;
    }
    R->shm[R->nshm++] = m;
    R->sh[k].cnt++;
    return !displaced;
}

/* A candidate's fields that come from its rule and amount (its lines and
 * shares are set by whoever built them): one place for the records the
 * lane loop builds and those rebuilt for shadowed members. */
static inline void cand_rule_fields(const qrun *R, cpn_cand *c, int ri, const cpn_rule *r, int lazy, int64_t amount)
{
    c->lazy = lazy;
    c->rule = ri;
    c->group = r->group;
    c->restrictive = r->combine != COMBINE_ALL;
    c->amount = amount;
    c->gift = r->has_gift;
    c->code = r->code_mode != CODE_NONE;
    c->via = R->via[ri];
    c->via_wallet = R->via_wallet[ri];
    c->priority = r->priority;
    c->shadow = 0;
}

/* the record a shadowed candidate would have had (see run_lane's loop) */
static void shadow_record(const qrun *R, const struct sh_member *m, size_t words, cpn_cand *c)
{
    const cpn_rule *r = &R->rs->rules[m->rule];
    const struct sh_class *k = &R->sh[m->cls];
    c->bits = (uint64_t *)(R->pool + k->off);
    c->nz = (int32_t *)(c->bits + words);
    c->nnz = k->nnz;
    c->wsum = k->wsum;
    c->x = c->uh = c->nh = NULL;
    cand_rule_fields(R, c, m->rule, r, 1, m->amount);
}

/* After the loop: the holes closed (map: per record its new index, for the
 * classes' best) and the shadowed entries in rule order. */
static void shadow_settle(qrun *R, int *map)
{
    if (R->nholes) {
        size_t nc = 0;
        for (size_t i = 0; i < R->ncands; i++) {
            map[i] = (int)nc;
            if (!R->cands[i].shadow)
                R->cands[nc++] = R->cands[i];
        }
        R->ncands = nc;
        for (int k = 0; k < R->sh_n; k++)
            if (R->sh[k].best >= 0)
                R->sh[k].best = map[R->sh[k].best];
        R->nholes = 0;
    }
    if (R->shm_sort_from < R->nshm) { /* a displaced best comes late: insertion, few are out of place */
        for (size_t i = R->shm_sort_from; i < R->nshm; i++) {
            struct sh_member m = R->shm[i];
            size_t j = i;
            for (; j > 0 && R->shm[j - 1].rule > m.rule; j--)
                R->shm[j] = R->shm[j - 1];
            R->shm[j] = m;
        }
    }
}

/* Every candidate back in R->cands, in rule order, with the record the loop
 * would have built without shadows (both lists are in rule order: merged
 * from the back, in place). */
static int unshadow(qrun *R, size_t words)
{
    size_t nc = R->ncands, ns = R->nshm;
    if (!ns)
        return 0;
    if (CPN_GROW(R->cands, R->cands_cap, nc + ns))
        return CUSTOPS_ENOMEM;
    for (size_t o = nc + ns; o-- > 0;) {
        if (ns && (!nc || R->shm[ns - 1].rule > R->cands[nc - 1].rule))
            shadow_record(R, &R->shm[--ns], words, &R->cands[o]);
        else
            R->cands[o] = R->cands[--nc];
    }
    R->ncands += R->nshm;
    R->nshm = 0;
    return 0;
}

/* One lane: every eligible rule's candidate or reason, the optimizer, the
 * losers' reasons, the chosen ones applied. Always inline in its one
 * caller, custops_quote_run, whose qrun is then a local: GCC keeps its
 * fields where they are instead of reloading them through a pointer after
 * every store to the quote's arrays. When a change once made GCC call it
 * instead, the quote took 6% more time for fewer instructions. */
static inline __attribute__((always_inline)) int run_lane(qrun *R, int lane)
{
    const custops_ruleset *rs = R->rs;
    custops_quote *q = R->q;
    size_t n = R->n;
    int shipping = lane == LANE_SHIPPING, points = lane == LANE_POINTS;
    int nslots = shipping || points ? 1 : (int)n;
    int64_t cap_slot[1];
    int rc;
    int64_t points_base = 0;
    if (points) {
        int64_t paid = 0, unit = 1;
        for (size_t l = 0; l < n; l++)
            paid += R->net[l];
        for (int i = 0; i < rs->exponent; i++)
            unit *= 10;
        if (custops_money_mul(paid / unit, rs->points_rate, &points_base))
            return custops__err(CUSTOPS_ERANGE, "points overflow");
        q->points_base = points_base;
        cap_slot[0] = INT64_MAX / 4;
    } else if (shipping) {
        cap_slot[0] = q->shipping_net;
    }
    R->ncands = 0;
    R->npool = 0;
    R->lane_stamp++; /* the bases changed: every scope's lists are recomputed */
    R->sint_len = R->sw_len = 0;
    R->lz_n = 0;
    R->sh_n = 0;
    R->sh_ok = 1;
    R->nshm = 0;
    R->nholes = 0;
    R->shm_sort_from = SIZE_MAX;
    /* the lane's rules, in locals: the stores below may alias the ruleset's
     * fields for all the compiler knows; and room for one reason and one
     * candidate per rule (a rule has at most one of each) */
    const int nlane = rs->lane_n[lane], *lane_rules = rs->lane_rules[lane];
    const struct cpn_lane_cond *lane_cond = rs->lane_cond[lane];
    const cpn_rule *rules = rs->rules;
    const int *eligible = R->eligible;
    size_t words = ((size_t)nslots + 63) / 64;
    if (CPN_GROW(q->reasons, q->reasons_cap, q->nreasons + (size_t)nlane) ||
        CPN_GROW(R->cands, R->cands_cap, (size_t)nlane + 1))
        return CUSTOPS_ENOMEM;
    for (int li = 0; li < nlane; li++) {
        int ri = lane_rules[li];
        if (!eligible[ri])
            continue;
        const cpn_rule *r = &rules[ri];
        int64_t need = 0, have = 0, unl = 0;
        int clause = 0;
        const scope_ent *se;
        int ninl = scope_of(R, r, &se);
        if (ninl < 0)
            return ninl;
        int64_t S = se->S, Q = se->Q;
        if (!ninl) {
            if ((rc = add_reason(q, ri, R_SCOPE_EMPTY, -1, 0, 0, 0, 0)))
                return rc;
            continue;
        }
        const struct cpn_lane_cond *lc = &lane_cond[li];
        int why = lane_conditions(R, lc, r, S, Q, &need, &have, &clause);
#ifdef CPN_CROSSCHECK
        { /* local check, never shipped: the precomputed record says what the conjuncts say */
            int64_t n2 = 0, h2 = 0;
            int c2 = 0, w2 = conditions(R, r, S, Q, &n2, &h2, &c2);
            if (w2 != why || n2 != need || h2 != have || c2 != clause) {
                fprintf(stderr, "CPN_CROSSCHECK: rule %s lane conditions differ\n", r->id);
                abort();
            }
            int perl = r->group >= 0 && rs->groups[r->group].mode == GM_PER_LINE;
            if (!(lc->flags & CPN_LC_LAZY) != !cpn_effects_lazy(r) || !(lc->flags & CPN_LC_PER_LINE) != !perl) {
                fprintf(stderr, "CPN_CROSSCHECK: rule %s lane flags differ\n", r->id);
                abort();
            }
        }
#endif
        if (why >= 0) {
            int64_t gap = need - have, value = 0;
            if (why == R_SUBTOTAL_BELOW)
                value = unlocks_at(rs, r, need);
            if (why != R_SUBTOTAL_BELOW && why != R_QTY_BELOW) {
                need = clause;
                have = 0;
                gap = 0;
            }
            if ((rc = add_reason(q, ri, why, -1, need, have, gap, value)))
                return rc;
            continue;
        }
        int gift = r->has_gift, stock_ok = 1, money = r->nmoney;
        for (int k = 0; gift && k < r->neffects; k++)
            if (r->effects[k].kind == EF_GIFT)
                stock_ok &= gift_in_stock(R->cart, r->effects[k].str, r->effects[k].a);
        if (!stock_ok) {
            if ((rc = add_reason(q, ri, R_GIFT_OUT_OF_STOCK, -1, 0, 0, 0, 0)))
                return rc;
            continue;
        }
        int other = -1;
        if (r->combine != COMBINE_ALL || R->nchosen_restrictive) /* else compatible with every earlier choice */
            for (int k = 0; k < R->nchosen && other < 0; k++)
                if (!cpn_compatible(rs, ri, R->chosen_rules[k]))
                    other = R->chosen_rules[k];
        if (other >= 0) {
            if ((rc = add_reason(q, ri, R_NOT_COMBINABLE, other, 0, 0, 0, 0)))
                return rc;
            continue;
        }
        int64_t amount = 0;
        int lazy = 0, touched = ninl; /* the in-scope lines whose share buffers may be nonzero */
        if (shipping || points) {
            /* one slot, whose share is the amount: no share buffers */
            for (int k = 0; k < r->neffects; k++) {
                const cpn_effect *e = &r->effects[k];
                int64_t d = 0;
                if (e->kind == EF_FREE_SHIPPING)
                    d = q->shipping_net;
                else if (e->kind == EF_SHIPPING_OFF)
                    d = e->a < q->shipping_net ? e->a : q->shipping_net;
                else if (e->kind == EF_POINTS_X && custops_money_mul(points_base, e->a - 1, &d))
                    return custops__err(CUSTOPS_ERANGE, "points overflow");
                else if (e->kind == EF_POINTS_PLUS)
                    d = e->a;
                amount += d;
            }
            if (shipping && amount > q->shipping_net)
                amount = q->shipping_net;
            why = -1;
        } else {
            lazy = lc->flags & CPN_LC_LAZY;
            if (lazy) {
                why = cpn_effects_amount(r, S, se->nw, &amount, &need, &unl);
                lazy = why >= 0 || amount <= S; /* else a percentage above 100%: clamped, so spread now */
                /* A per-line group member's lines are compared (pick-one
                 * components, the losers' conflicts, the decomposition), so
                 * it stays implicit only when its lazy line list is exactly
                 * the lines it discounts: every share is at least
                 * floor(amount * w / wsum), so amount * wmin >= wsum gives
                 * each positive-base line in scope a share of 1 or more. */
                int64_t p;
                if (lazy && why < 0 && (lc->flags & CPN_LC_PER_LINE))
                    lazy = amount > 0 && !__builtin_mul_overflow(amount, se->wmin, &p) && p >= se->S;
#ifdef CPN_CROSSCHECK
                if (lazy && why < 0) { /* local check, never shipped: the eager shares agree */
                    cpn_lane_view v = scope_view(R, se);
                    int64_t a2, n2, u2;
                    int w2 = cpn_effects_apply(rs, r, &v, R->tx, R->tuh, R->tnh, &a2, &n2, &u2);
                    int bad = w2 != why || a2 != amount || n2 != need || u2 != unl, k = 0;
                    int perl = r->group >= 0 && rs->groups[r->group].mode == GM_PER_LINE;
                    for (int j = 0; j < ninl; j++) {
                        int l = v.inl[j];
                        int64_t xl = R->tx[l];
                        if (xl > R->net[l] || xl < 0)
                            bad = 1;
                        int inw = k < v.nw && v.widx[k] == l;
                        k += inw;
                        if (perl && (xl > 0) != inw)
                            bad = 1;
                    }
                    if (bad) {
                        fprintf(stderr, "CPN_CROSSCHECK: rule %s lazy differs\n", r->id);
                        abort();
                    }
                    clear_shares(R, v.inl, ninl);
                }
#endif
            }
            if (!lazy && !money) {
                /* a gift only: no shares, amount 0, nothing below a
                 * threshold, exactly what the effects would say after
                 * visiting every line */
                touched = 0;
                amount = need = unl = 0;
                why = -1;
            } else if (!lazy) {
                cpn_lane_view v = scope_view(R, se);
                why = cpn_effects_apply(rs, r, &v, R->tx, R->tuh, R->tnh, &amount, &need, &unl);
            }
            if (why >= 0) {
                clear_shares(R, scope_inl(R, se), ninl);
                int64_t have2 = why == R_SUBTOTAL_BELOW ? S : Q;
                if ((rc = add_reason(q, ri, why, -1, need, have2, need - have2, unl)))
                    return rc;
                continue;
            }
            if (need > S && amount > 0) { /* next tier or step: the 凑单 hint */
                /* at the first need, room for the rest of the lane (at most
                 * one hint per rule): one allocation, not a doubling series */
                if (q->nhints == q->hints_cap &&
                    CPN_GROW(q->hints, q->hints_cap, q->nhints + (size_t)(nlane - li)))
                    return CUSTOPS_ENOMEM;
                q->hints[q->nhints++] = (cpn_hint){ri, need - S, unl - amount};
            }
        }
        if (amount == 0 && !gift) {
            if (!shipping && !points)
                clear_shares(R, scope_inl(R, se), ninl);
            if ((rc = add_reason(q, ri, R_NO_EFFECT, -1, 0, 0, 0, 0)))
                return rc;
            continue;
        }
        uintptr_t lz_off = 0;
        if (lazy) {
            /* no shares yet: the lines with a positive base as a list and a
             * bitmap, all the optimizer needs to bound them */
            if ((rc = lazy_lines(R, r->scope_id, words, &lz_off)))
                return rc;
            if (R->sh_ok && (rc = shadow_class(R, r, ri, amount, lz_off, &R->sc[r->scope_id].sh_k,
                                                (size_t)nlane)) != 0) {
                if (rc < 0)
                    return rc;
                continue; /* a better member of its class stands for it */
            }
        }
        cpn_cand *c = &R->cands[R->ncands]; /* a shadowed one has none */
        if (lazy) {
            c->bits = (uint64_t *)(R->pool + lz_off);
            c->nz = (int32_t *)(c->bits + words);
            c->nnz = se->nw;
            c->wsum = se->S;
            c->x = c->uh = c->nh = NULL;
        } else if (shipping || points) {
            /* the one slot: its share, no unit override, count 0, the
             * bitmap and the list (empty when the amount is 0) */
            int64_t *dx;
            if ((rc = pool_take(R, 5, &dx)))
                return rc;
            dx[0] = amount;
            dx[1] = -1;
            dx[2] = 0;
            dx[3] = amount != 0;
            c->nz = (int32_t *)(dx + 4);
            c->nz[0] = 0;
            c->nnz = amount != 0;
            c->x = dx;
            c->uh = dx + 1;
            c->nh = dx + 2;
            c->bits = (uint64_t *)(dx + 3);
            c->wsum = 0;
        } else {
            /* only the nonzero slots (at most the in-scope ones): shares, unit
             * overrides, the slots as a list and as a bitmap */
            size_t cap = (size_t)ninl;
            int64_t *dx;
            if ((rc = pool_take(R, cap * 3 + words + (cap + 1) / 2, &dx)))
                return rc;
            c->nnz = take_shares(R, scope_inl(R, se), touched, words, dx, cap);
            c->x = dx;
            c->uh = dx + cap;
            c->nh = dx + 2 * cap;
            c->bits = (uint64_t *)(dx + 3 * cap);
            c->nz = (int32_t *)(c->bits + words);
            c->wsum = 0;
        }
        cand_rule_fields(R, c, ri, r, lazy, amount);
        R->ncands++;
    }
    if (!R->ncands) /* a shadowed candidate's class has a best one */
        return 0;
    /* the candidates stay in rule order: the optimizer puts only the
     * components it searches into search order */
    int nc, nfull = (int)(R->ncands + R->nshm), nshad = 0; /* nfull: at most that (holes count twice) */
    cpn_mark mark = cpn_scratch_mark(&R->scratch);
    /* The lane's working arrays in one block; sized for every candidate:
     * the lane may run again without shadows. Only nshc and stands are
     * added to or read unwritten: the optimizer writes flags, comp and
     * per component root comp_value, at, size and pick, the forced solve
     * fvalue and flags2 where want is set, and order and want are written
     * below before they are read. */
    size_t N = (size_t)nfull;
    int64_t *fvalue = cpn_scratch_take(&R->scratch, N * (2 * sizeof(int64_t) + sizeof(cpn_cand *) + 11 * sizeof(int)));
    if (!fvalue) {
        cpn_scratch_release(&R->scratch, mark);
        return CUSTOPS_ENOMEM;
    }
    int64_t *comp_value = fvalue + N;
    const cpn_cand **order = (const cpn_cand **)(comp_value + N);
    int *nshc = (int *)(order + N); /* per component root: shadowed members */
    int *stands = nshc + N;         /* when some are shadowed: per candidate in cands, how many it stands for */
    int *flags = stands + N;
    int *flags2 = flags + N; /* forced: taken */
    int *want = flags2 + N;
    int *comp = want + N;
    int *map = comp + N;    /* for shadow_settle */
    int *members = map + N; /* members, at, size, pick */
    memset(nshc, 0, 2 * N * sizeof *nshc);
    shadow_settle(R, map);
    nfull = (int)(R->ncands + R->nshm); /* every candidate, shadowed or not */
    if (!R->sh_ok && (rc = unshadow(R, words))) { /* too many classes: no shadows */
        cpn_scratch_release(&R->scratch, mark);
        return rc;
    }
    /* what the optimizer sees: every candidate, or those not shadowed */
    cpn_cand *cands = R->cands;
    nc = (int)R->ncands;
    if (R->nshm) {
        nshad = (int)R->nshm;
        for (int k = 0; k < R->sh_n; k++)
            if (R->sh[k].best >= 0)
                stands[R->sh[k].best] = R->sh[k].cnt;
    }
    cpn_opt_in in = {rs, cands, nc, nslots, shipping || points ? cap_slot : R->net, R->group_used, NULL, 100000, NULL, -1,
                     &R->scratch, nshad ? stands : NULL};
    cpn_opt_out out = {flags, 0, 1, 0, comp, comp_value, members, members + nfull, members + 2 * nfull, members + 3 * nfull};
    const int *csize = out.size; /* per component root (comp[i] is its component's first candidate) */
    rc = cpn_optimize(&in, &out);
    if (nshad && (!rc || rc == CPN_NEED_SHARES || rc == CPN_RETRY)) {
        /* the shadowed ones join their class's best member's component:
         * cpn_optimize checked it is pick-one with them too (else RETRY) */
        int ok = !rc;
        for (int k = 0; ok && k < R->sh_n; k++)
            if (R->sh[k].best >= 0)
                R->sh[k].root = comp[R->sh[k].best];
        for (int i = 0; ok && i < nc; i++)
            nshc[comp[i]] += stands[i];
        for (int i = 0; ok && i < nc; i++)
            if (nshc[i] && (out.pick[i] != 1 || csize[i] + nshc[i] > CPN_PICK_ONE_MAX))
                ok = 0;
        if (!ok) { /* again with every candidate (untouched: in rule order) */
            if (rc == CPN_RETRY)
                rc = 0;
            memset(nshc, 0, (size_t)nfull * sizeof *nshc);
            int e = unshadow(R, words);
            if (e) {
                cpn_scratch_release(&R->scratch, mark);
                return e;
            }
            in.cands = cands = R->cands;
            in.stands = NULL;
            nc = in.n = nfull;
            nshad = 0;
            /* Needing shares without the shadowed ones means needing them
             * with them: the capacity bounds are the same (a class's lines
             * and largest amount), and a searched component with a lazy
             * member stays one with more members. So only a component that
             * is not pick-one with them is solved again. */
            if (!rc)
                rc = cpn_optimize(&in, &out);
        }
    }
    if (rc == CPN_NEED_SHARES) { /* a capacity may bind, or a component needs the full search */
        for (int i = 0; i < nc && rc == CPN_NEED_SHARES; i++) {
            int e = cands[i].lazy ? materialise(R, &cands[i]) : 0;
            if (e)
                rc = e;
        }
        if (rc == CPN_NEED_SHARES)
            rc = cpn_optimize(&in, &out);
    }
    if (!rc) {
        q->nodes += out.nodes;
        if (!out.exact)
            q->exact = 0;
    }
    int nch = 0;
    for (int i = 0; !rc && i < nc; i++)
        if (flags[i])
            order[nch++] = &cands[i];
    if (!rc)
        sort_apply(rs, order, nch);
    for (int k = 0; !rc && k < nch; k++) /* the chosen ones' shares, before any is applied */
        if (order[k]->lazy)
            rc = materialise(R, (cpn_cand *)order[k]);
    /* what forcing a loser would cost: always for a presented code or wallet
     * coupon, for automatic rules when their component is small */
    for (int i = 0; !rc && i < nc; i++)
        want[i] = !flags[i] && (cands[i].code || csize[comp[i]] + nshc[comp[i]] <= 8);
    if (!rc) {
        cpn_opt_in fin = in;
        fin.budget = 20000;
        rc = cpn_optimize_forced(&fin, &out, want, fvalue, flags2);
    }
    /* the losers: whom they collide with, and what forcing them would cost
     * (before applying, while group_used still holds only earlier lanes) */
    chosen_ix cix; /* index_chosen() sets what the losers read (nothing when it is not called) */
    if (!rc)
        rc = index_chosen(R, order, nch, nslots, &cix);
    /* A shadowed loser, as the pick-one solve of its class's component
     * would say: forcing it gives it (its lazy value is its amount) unless
     * an earlier lane used up its exclusive group; so what that costs is the
     * same per class but for the amount, and is found once per class. */
    size_t ns = nshad && !rc ? R->nshm : 0, si = 0;
    for (int k = 0; ns && k < R->sh_n; k++) {
        struct sh_class *h = &R->sh[k];
        if (!h->cnt)
            continue;
        int root = h->root, g = h->group;
        h->small = csize[root] + nshc[root] <= 8;
        h->full = rs->groups[g].mode == GM_EXCLUSIVE && R->group_used[g] >= 1;
        h->cvalue = comp_value[root];
    }
    for (int i = 0; !rc && i <= nc; i++) { /* in rule order, the shadowed ones between */
        for (int upto = i < nc ? cands[i].rule : INT_MAX; si < ns && R->shm[si].rule < upto; si++) {
            /* Its conflict depends only on its group and lines, the same
             * for the whole class, unless some chosen rule has a combine
             * clause: then it is not kept, and other stays -2. */
            const struct sh_member *m = &R->shm[si];
            struct sh_class *h = &R->sh[m->cls];
            int other = h->other;
            int64_t delta = 0;
            if (other == -2) {
                cpn_cand c;
                shadow_record(R, m, words, &c);
                other = conflict_with(R, &c, order, nch, nslots, &cix);
                if (!cix.restrictive)
                    h->other = other;
            }
            if (m->code || h->small)
                delta = h->full ? m->amount : h->cvalue - m->amount;
            put_reason(q, m->rule, other >= 0 ? R_NOT_COMBINABLE : R_BEATEN_BY_COMBINATION, other, 0, m->amount, 0,
                       delta);
        }
        if (i == nc || flags[i])
            continue;
        const cpn_cand *c = &cands[i];
        int other = conflict_with(R, c, order, nch, nslots, &cix);
        int64_t delta = 0;
        if (want[i])
            delta = flags2[i] ? comp_value[comp[i]] - fvalue[i] : c->amount;
        put_reason(q, c->rule, other >= 0 ? R_NOT_COMBINABLE : R_BEATEN_BY_COMBINATION, other, 0, c->amount, 0, delta);
    }
    /* apply in (priority desc, id asc), clamping each slot at zero; at most
     * one allocation per nonzero slot (none for points), sized at once */
    size_t most = 0;
    for (int k = 0; !rc && !points && k < nch; k++)
        most += (size_t)order[k]->nnz;
    if (!rc && (CPN_GROW(q->allocs, q->allocs_cap, q->nallocs + most) ||
                CPN_GROW(q->applied, q->applied_cap, q->napplied + (size_t)nch)))
        rc = CUSTOPS_ENOMEM;
    for (int k = 0; !rc && k < nch; k++) {
        const cpn_cand *c = order[k];
        int64_t took = 0, lost = 0;
        for (int j = 0; j < c->nnz; j++) {
            int l = c->nz[j];
            int64_t xl = c->x[j];
            int64_t avail = shipping ? q->shipping_net : points ? xl : R->net[l];
            int64_t take = xl < avail ? xl : avail;
            lost += xl - take;
            took += take;
            if (points)
                continue;
            if (shipping) {
                q->shipping_net -= take;
                record_alloc(q, c->rule, -1, take, -1, 0, 1);
            } else {
                R->net[l] -= take;
                record_alloc(q, c->rule, l, take, take == xl ? c->uh[j] : -1, c->nh[j], R->cart->lines[l].qty);
            }
        }
        q->applied[q->napplied++] = (cpn_applied){c->rule, lane, points ? 0 : took, lost, points ? took : 0, c->via,
                                                  c->via_wallet};
        if (points)
            q->points_extra += took;
        const cpn_rule *r = &rs->rules[c->rule];
        for (int e = 0; e < r->neffects && !rc; e++)
            if (r->effects[e].kind == EF_GIFT) {
                if (CPN_GROW(q->gifts, q->gifts_cap, q->ngifts + 1))
                    rc = CUSTOPS_ENOMEM;
                else
                    q->gifts[q->ngifts++] = (cpn_gift){c->rule, e, r->effects[e].a};
            }
        if (r->group >= 0)
            R->group_used[r->group]++;
        R->chosen_rules[R->nchosen++] = c->rule;
        R->nchosen_restrictive += r->combine != COMBINE_ALL;
    }
    cpn_scratch_release(&R->scratch, mark);
    return rc;
}

/* the id of the cart string at off in a ruleset table (see cpn_sent), or
 * -1: cpn_skey_find() with the string's key k, which the cart made when the
 * string was added */
static inline __attribute__((always_inline)) int cart_find(const cpn_sent *t, unsigned bits, int kind,
                                                            const custops_cart *c, const cpn_skey *k, uint32_t off)
{
    int id = cpn_skey_find_key(t, bits, kind, k, c->arena + off);
#ifdef CPN_CROSSCHECK
    if (id != cpn_skey_find(t, bits, kind, c->arena + off, c->arena_len - off)) {
        fprintf(stderr, "CPN_CROSSCHECK: the cart's key of \"%s\" is stale\n", c->arena + off);
        abort();
    }
#endif
    return id;
}

/* the wallet rule (code_mode CODE_WALLET) of wallet entry w, or -1 */
static int find_rule(const custops_ruleset *rs, const custops_cart *c, size_t w)
{
    return cart_find(rs->rule_table, rs->rule_bits, 0, c, &c->wallet_key[w], c->wallet[w].value);
}

enum { CODES_LOCAL = (CUSTOPS_COUPON_MAX_CODES + 63) / 64 };

static int eligibility(qrun *R)
{
    const custops_ruleset *rs = R->rs;
    const custops_cart *c = R->cart;
    custops_quote *q = R->q;
    int rc = 0;
    /* which presented codes some rule takes: a bitmap on the stack (a cart
     * holds at most CUSTOPS_COUPON_MAX_CODES) */
    uint64_t hit_local[CODES_LOCAL], *code_hit = hit_local;
    size_t hw = (c->ncodes + 63) / 64;
    if (hw > CODES_LOCAL && !(code_hit = custops__malloc(hw * sizeof *code_hit)))
        return custops__nomem();
    for (size_t k = 0; k < hw; k++)
        code_hit[k] = 0;
    /* wallet coupons: first instance of each rule */
    for (size_t w = 0; w < c->nwallet; w++) {
        int ri = find_rule(rs, c, w);
        if (ri >= 0 && !R->via[ri]) {
            R->via[ri] = c->wallet[w].key; /* the quote's arena copies the cart's */
            R->via_wallet[ri] = 1;
        }
    }
    /* in locals: the stores to eligible[] would make the compiler reload them */
    const struct cpn_span *span = rs->plain_span, *wspan = rs->wallet_span;
    const uint32_t *run = rs->plain_run;
    int64_t now = R->now;
    int *eligible = R->eligible;
    for (size_t i = 0; i < rs->nrules; i++) {
        if (now >= span[i].from && now < span[i].to) {
            /* automatic, in time: the common case, and so is the rest of
             * its run (the same span) */
            size_t end = run[i];
            for (size_t k = i; k < end; k++)
                eligible[k] = 1;
            i = end - 1;
            continue;
        }
        if (R->via[i] && now >= wspan[i].from && now < wspan[i].to) {
            eligible[i] = 1; /* a wallet coupon presented, in time */
            continue;
        }
        const cpn_rule *r = &rs->rules[i];
        eligible[i] = 0; /* no one zeroed it, see custops_quote_run */
        if (r->lane == LANE_ISSUE)
            continue;
        int64_t when = 0;
        int why = -1;
        if (r->code_mode == CODE_REQUIRED) {
            for (size_t k = 0; k < c->ncodes; k++)
                if (strcmp(c->arena + c->codes[k], r->code) == 0) {
                    code_hit[k / 64] |= 1ull << (k % 64);
                    if (!R->via[i])
                        R->via[i] = c->codes[k]; /* the same bytes as r->code */
                }
            if (!R->via[i])
                why = R_CODE_REQUIRED;
        } else if (r->code_mode == CODE_WALLET && !R->via[i]) {
            why = R_NOT_IN_WALLET;
        }
        if (why < 0)
            why = cpn_time_check(r, R->now, &when);
        if (why < 0)
            eligible[i] = 1;
        else if ((rc = add_reason(q, (int)i, why, -1, when, 0, 0, 0)))
            goto done;
    }
    for (size_t k = 0; k < c->ncodes; k++)
        if (!(code_hit[k / 64] >> (k % 64) & 1)) {
            if ((rc = CUSTOPS__GROW(q->unknown_codes, q->unknown_cap, q->nunknown + 1)))
                goto done;
            q->unknown_codes[q->nunknown++] = c->codes[k];
        }
done:
    if (code_hit != hit_local)
        custops__free(code_hit);
    return rc;
}

/* Most rules end with a reason, every lane's rules may all be candidates,
 * and each candidate's shares fit in 3.5 words per line plus its bitmap:
 * sizing these once replaces a chain of doubling reallocs (and their
 * copies) per quote. The pool gets half that bound for the largest lane,
 * at most POOL_FIRST words: lazy candidates take far less (a shared line
 * list per scope; the bench uses a fifth of the bound, and 99% of 39,000
 * generated quotes less than half), so few quotes grow it, and a large
 * ruleset only as far as it is used.
 *
 * No block a quote allocates and frees routinely may reach 64 KB: glibc
 * checks whether to give the top of the heap back to the system only when
 * it frees a chunk that large, and when it does, every quote may give the
 * memory back and take it again (up to three brk calls and a page fault
 * or two per quote, 20-65% more time: seen with an 85 KB pool, and with
 * the 64 KB first scratch chunk when a cart was built and freed around
 * each quote; see scratch.c). bench_coupon reports page faults per 1,000
 * quotes to catch it. A lane's scope lists
 * (sint, sw) took at most 2 ints and 1 word per line, plus a little, in
 * all but 0.5% of 9,000 generated quotes: so sized, a cart of up to 56
 * lines keeps them in 1 KB each, which glibc serves from its per-thread
 * cache, and the rare larger lane grows them once. */
enum { POOL_FIRST = 6 * 1024 }; /* words: 48 KB, under the 64 KB above */

static int presize(qrun *R)
{
    const custops_ruleset *rs = R->rs;
    int most = 0;
    for (int lane = 0; lane < LANE_COUNT; lane++)
        if (lane != LANE_ISSUE && rs->lane_n[lane] > most)
            most = rs->lane_n[lane];
    /* allocations: a chosen rule's lines, usually a few rules per line */
    if (CUSTOPS__GROW(R->q->reasons, R->q->reasons_cap, rs->nrules + 1) ||
        CUSTOPS__GROW(R->q->allocs, R->q->allocs_cap, 4 * R->n + 8) ||
        CUSTOPS__GROW(R->cands, R->cands_cap, (size_t)most + 1) ||
        CUSTOPS__GROW(R->sacc, R->sacc_cap, R->words * (size_t)(rs->nscopes < 64 ? rs->nscopes + 1 : 64)) ||
        CUSTOPS__GROW(R->sint, R->sint_cap, 4 * R->n + 32) || CUSTOPS__GROW(R->sw, R->sw_cap, 2 * R->n + 16))
        return CUSTOPS_ENOMEM;
    size_t per = R->n * 3 + R->words + (R->n + 1) / 2 + 1, want = per * (size_t)most / 2;
    if (want > POOL_FIRST)
        want = POOL_FIRST;
    if (want > R->pool_cap) {
        R->pool = custops__reallocarray(NULL, want, sizeof *R->pool);
        if (!R->pool)
            return custops__nomem();
        R->pool_cap = want;
    }
    return 0;
}

/* Mark each selector's lines: every cart string of a kind some scope uses
 * (rs->sel_kinds) is looked up in the ruleset's selector table. A quote
 * touches only the selectors its cart has; scope_fill() ORs them. */
static __attribute__((noinline)) int build_index(qrun *R)
{
    const custops_ruleset *rs = R->rs;
    const custops_cart *c = R->cart;
    sidx *x = &R->idx;
    size_t nsels = (size_t)rs->nsels;
    x->words = R->words;
    x->row = x->row_local;
    x->bits = x->bits_local;
    if (nsels > SIDX_ROWS || nsels * x->words > SIDX_WORDS) {
        /* a row per selector some cart string matches: at most one per string */
        size_t rows = 0;
        for (size_t l = 0; l < R->n && rows < nsels; l++)
            rows += 2 + (size_t)c->lines[l].ncat + c->lines[l].ntag;
        if (rows > nsels)
            rows = nsels;
        /* bits first: 8-byte aligned in the block */
        unsigned char *m = custops__malloc(rows * x->words * sizeof *x->bits + nsels * sizeof *x->row);
        if (!m)
            return custops__nomem();
        x->block = m;
        x->bits = (uint64_t *)(void *)m;
        x->row = (uint32_t *)(void *)(m + rows * x->words * sizeof *x->bits);
    }
    memset(x->row, 0, nsels * sizeof *x->row);
    /* only the kinds some scope selects by: the others would match nothing */
    unsigned kinds = nsels ? rs->sel_kinds : 0;
    int sku = (kinds >> SEL_SKU) & 1, brand = (kinds >> SEL_BRAND) & 1, cat = (kinds >> SEL_CATEGORY) & 1,
        tag = (kinds >> SEL_TAG) & 1;
    const cpn_sent *t = rs->sel_table;
    unsigned bits = rs->sel_bits;
    for (size_t l = 0; l < R->n; l++) {
        const cpn_line *ln = &c->lines[l];
        const struct cpn_line_key *lk = &c->line_key[l];
        int id;
        if (ln->discountable)
            R->discountable[l / 64] |= 1ull << (l % 64);
        if (sku && (id = cart_find(t, bits, SEL_SKU, c, &lk->sku, ln->sku)) >= 0)
            sidx_add(x, id, l);
        if (brand && ln->brand && (id = cart_find(t, bits, SEL_BRAND, c, &lk->brand, ln->brand)) >= 0)
            sidx_add(x, id, l);
        for (uint32_t k = ln->cat0; cat && k < ln->cat0 + ln->ncat; k++)
            if ((id = cart_find(t, bits, SEL_CATEGORY, c, &c->ref_key[k], c->refs[k])) >= 0)
                sidx_add(x, id, l);
        for (uint32_t k = ln->tag0; tag && k < ln->tag0 + ln->ntag; k++)
            if ((id = cart_find(t, bits, SEL_TAG, c, &c->ref_key[k], c->refs[k])) >= 0)
                sidx_add(x, id, l);
    }
    return 0;
}

int custops_quote_run(custops_quote **out, const custops_ruleset *rs, const custops_cart *cart, int64_t now)
{
    CUSTOPS__CHECK_NULL(out);
    *out = NULL;
    CUSTOPS__CHECK_NULL(rs);
    CUSTOPS__CHECK_NULL(cart);
    if (strcmp(rs->currency, cart->currency) != 0)
        return custops__err(CUSTOPS_EINVAL, "custops_quote_run: cart currency %s differs from the ruleset's %s",
                            cart->currency, rs->currency);
    custops_quote *q = custops__calloc(1, sizeof *q);
    if (!q)
        return custops__nomem();
    q->rs = rs;
    q->now = now;
    q->exact = 1;
    qrun R;
    memset(&R, 0, offsetof(qrun, lz_acc));
    R.rs = rs;
    R.cart = cart;
    R.q = q;
    R.now = now;
    R.n = cart->nlines;
    R.words = (R.n + 63) / 64 ? (R.n + 63) / 64 : 1;
    R.tier_rank = cpn_tier_rank(rs, cpn_cart_str(cart, cart->tier));
    size_t n1 = R.n + 1, nr = rs->nrules + 1;
    int rc = 0;
    q->nlines = R.n;
    /* the three per-line arrays in one block: line_base and line_net first
     * (8-byte aligned), then the ids; freed through line_base */
    int64_t *lines = custops__calloc(n1, 2 * sizeof *lines + sizeof *q->line_ids);
    if (lines) {
        q->line_base = lines;
        q->line_net = lines + n1;
        q->line_ids = (uint32_t *)(lines + 2 * n1);
    }
    R.net = q->line_net;
    /* The run's own arrays in one block, carved once to size it, once more
     * to place them. It is the first piece of the run's scratch memory (the
     * lanes mark and release only past it) and goes with it: no malloc of
     * its own. Zeroed are only the arrays read before written, placed
     * first; eligibility() writes every rule's eligible[], and chosen_rules[]
     * is read up to nchosen. */
    size_t zeroed = 0;
    for (int pass = 0; pass < 2; pass++) {
        size_t off = 0;
        R.sc = carve(R.block, &off, ((size_t)rs->nscopes + 1) * sizeof *R.sc);
        R.tx = carve(R.block, &off, n1 * 3 * sizeof *R.tx);
        R.discountable = carve(R.block, &off, R.words * sizeof *R.discountable);
        R.via = carve(R.block, &off, nr * sizeof *R.via);
        R.via_wallet = carve(R.block, &off, nr * sizeof *R.via_wallet);
        R.group_used = carve(R.block, &off, ((size_t)rs->ngroups + 1) * sizeof *R.group_used);
        zeroed = off;
        R.eligible = carve(R.block, &off, nr * sizeof *R.eligible);
        R.chosen_rules = carve(R.block, &off, nr * sizeof *R.chosen_rules);
        if (!pass && !(R.block = cpn_scratch_take(&R.scratch, off)))
            break;
    }
    if (!q->line_ids || !q->line_base || !q->line_net || !R.block) {
        rc = custops__nomem();
        goto done;
    }
    memset(R.block, 0, zeroed);
    R.tuh = R.tx + n1;
    R.tnh = R.tx + 2 * n1;
    for (size_t l = 0; l < n1; l++)
        R.tuh[l] = -1; /* the resting state of the share buffers: 0, -1, 0 */
    /* The quote outlives the cart and names its line ids, codes and wallet
     * ids, all strings of the cart: one copy of the cart's string arena
     * keeps them at the cart's offsets (offset 0 is "" in both, "none"),
     * with no copy per string. */
    if (!(q->arena = custops__malloc(cart->arena_len))) {
        rc = custops__nomem();
        goto done;
    }
    memcpy(q->arena, cart->arena, cart->arena_len);
    int64_t subtotal = 0;
    for (size_t l = 0; l < R.n; l++) {
        const cpn_line *ln = &cart->lines[l];
        int64_t base = ln->unit_price * ln->qty; /* checked when the line was added */
        q->line_ids[l] = ln->id;
        q->line_base[l] = q->line_net[l] = base;
        if (__builtin_add_overflow(subtotal, base, &subtotal)) {
            rc = custops__err(CUSTOPS_ERANGE, "custops_quote_run: cart subtotal overflows");
            goto done;
        }
    }
    q->subtotal = subtotal;
    q->shipping = q->shipping_net = cart->shipping;
    if ((rc = presize(&R)))
        goto done;
    if ((rc = build_index(&R)) || (rc = eligibility(&R)))
        goto done;
    for (int lane = LANE_ITEM; lane <= LANE_POINTS && !rc; lane++)
        rc = run_lane(&R, lane);
    if (rc)
        goto done;
    int64_t merch = 0;
    for (size_t l = 0; l < R.n; l++)
        merch += q->line_net[l];
    q->discount = q->subtotal - merch + (q->shipping - q->shipping_net);
    q->total = merch + q->shipping_net;
    if (q->total < merch) {
        rc = custops__err(CUSTOPS_ERANGE, "custops_quote_run: total overflows");
        goto done;
    }
done:
    custops__free(R.sacc);
    custops__free(R.sint);
    custops__free(R.sw);
    cpn_scratch_free(&R.scratch);
    custops__free(R.cands);
    custops__free(R.pool);
    custops__free(R.shm);
    custops__free(R.idx.block);
    if (rc) {
        custops_quote_free(q);
        return rc;
    }
    *out = q;
    return 0;
}

int64_t custops_quote_discount(const custops_quote *q) { return q ? q->discount : 0; }
int64_t custops_quote_total(const custops_quote *q) { return q ? q->total : 0; }
int64_t custops_quote_points(const custops_quote *q) { return q ? q->points_base + q->points_extra : 0; }
int custops_quote_exact(const custops_quote *q) { return q ? q->exact : 0; }
