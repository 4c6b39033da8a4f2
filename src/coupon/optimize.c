/* The best combination of applicable rules in one lane, exactly: branch and
 * bound over include/exclude decisions, candidates in decreasing value.
 *
 * Objective V(X) = sum over slots of min(capacity, sum of shares of X), so
 * overlapping discounts never count twice. Constraints: exclusive groups
 * (one member), exclusive per line groups (no two members discount the same
 * line), stackable groups with a maximum, and symmetric compatibility.
 * Ties are broken by a fixed key so the answer is deterministic:
 *   larger V, fewer codes or wallet coupons consumed, more gift rules,
 *   larger total priority, fewer rules, then the lexicographically smaller
 *   list of rule indices (rules are sorted by id).
 * The bound is a tuple over the same key; a node is pruned only when its
 * bound is strictly worse, so the tie-breaks stay exact. A greedy pass
 * seeds the incumbent; past the node budget the search stops and the
 * answer is flagged heuristic. */
#include "coupon_internal.h"

#ifdef CPN_CROSSCHECK
#include <stdio.h>
#include <stdlib.h>
#endif

int cpn_compatible_slow(const custops_ruleset *rs, int a, int b)
{
    const cpn_rule *ra = &rs->rules[a], *rb = &rs->rules[b];
    for (int pass = 0; pass < 2; pass++) {
        const cpn_rule *x = pass ? rb : ra, *y = pass ? ra : rb;
        switch (x->combine) {
        case COMBINE_NONE:
            return 0;
        case COMBINE_ONLY: {
            int ok = 0;
            for (int i = 0; i < x->ncombine; i++)
                ok |= y->group == x->combine_groups[i];
            if (!ok)
                return 0;
            break;
        }
        case COMBINE_EXCEPT:
            for (int i = 0; i < x->ncombine; i++)
                if (y->group == x->combine_groups[i])
                    return 0;
            break;
        default:
            break;
        }
    }
    return 1;
}

typedef struct key {
    int64_t v, codes, gifts, prio, nrules;
} key;

/* what the search reads of a candidate at every node, gathered once per solve */
typedef struct cinfo {
    int group, mode, max; /* group -1: none; mode and max of the group */
    int restrictive;      /* combine is not "all" */
    const int32_t *nz;    /* its nonzero slots */
    int nnz;
    const uint64_t *bits; /* the same as a bitmap */
    int64_t amount, priority;
    int gift, code;
    int bcap;             /* the bound counts its amount as a member of a capped group */
} cinfo;

typedef struct search {
    const cpn_opt_in *in;
    const custops_ruleset *rs;
    int n, ns;
    int64_t *sumx;
    int *count;         /* per group members chosen (this lane) */
    uint64_t *gbits;    /* per exclusive-per-line group: the slots its chosen members discount */
    int words;          /* of a slot bitmap */
    int *chosen, *stack, depth;
    key cur;
    int *best;
    key bestk;
    int have_best;
    int *byrule;        /* candidate indices sorted by rule index */
    /* The bound in O(groups): candidates of a capped group (exclusive, or
     * stackable with a maximum) count only as the first `room` members at or
     * after the position; every other candidate counts, by suffix sums. */
    int ncg;            /* capped groups present */
    int *cg_group;      /* their group index */
    int *cg_first;      /* per capped group: where its member sums start in pa/pg/pp */
    int *cg_size;
    int *cg_next;       /* ncg x (n + 1): members of the group before position i */
    int *cg_first_pos;  /* position of its first member (for its mode and max) */
    int64_t *pa, *pg, *pp; /* per capped group member prefix sums of amount, gift, positive priority */
    int64_t *sa, *sg, *sp; /* suffix sums over the uncapped candidates */
    int *room;          /* per group, members the bound may still count */
    uint64_t nodes, budget;
    int stopped;
    int fixed; /* candidate included before the search (forced), or -1 */
    int forced; /* candidate that must be chosen, or -1 */
    int runs;   /* searches run on this prepared state */
    int *sufmin; /* smallest rule index after each position */
    cinfo *ci;   /* per candidate */
    int64_t totalcap; /* sum of the slot capacities: room left is totalcap - cur.v */
    int anyrestrict;  /* some candidate restricts what it combines with */
} search;

static int restrictive(const cpn_rule *r) { return r->combine != COMBINE_ALL; }

static int feasible(const search *s, int i)
{
    const cpn_cand *c = &s->in->cands[i];
    const cinfo *ci = &s->ci[i];
    if (ci->group >= 0) {
        int used = s->count[ci->group] + (s->in->group_used ? s->in->group_used[ci->group] : 0);
        if (ci->mode == GM_EXCLUSIVE && used >= 1)
            return 0;
        if (ci->mode == GM_STACKABLE && ci->max > 0 && used >= ci->max)
            return 0;
        if (ci->mode == GM_PER_LINE) {
            /* shares are never negative, so "nonzero" is "discounts the line" */
            const uint64_t *g = s->gbits + (size_t)ci->group * (size_t)s->words;
            for (int w = 0; w < s->words; w++)
                if (ci->bits[w] & g[w])
                    return 0;
        }
    }
    if (!s->anyrestrict)
        return 1;
    if (ci->restrictive) {
        for (int k = 0; k < s->depth; k++)
            if (!cpn_compatible(s->rs, c->rule, s->in->cands[s->stack[k]].rule))
                return 0;
        return 1;
    }
    for (int k = 0; k < s->depth; k++) { /* only a pair with a combine clause on one side can clash */
        int j = s->stack[k];
        if (s->ci[j].restrictive && !cpn_compatible(s->rs, c->rule, s->in->cands[j].rule))
            return 0;
    }
    return 1;
}

static int64_t slot_gain(const search *s, int l, int64_t add)
{
    int64_t cap = s->in->cap[l], before = s->sumx[l] < cap ? s->sumx[l] : cap;
    int64_t after = s->sumx[l] + add;
    if (after > cap)
        after = cap;
    return after - before;
}

static void include(search *s, int i)
{
    const cpn_cand *c = &s->in->cands[i];
    const cinfo *ci = &s->ci[i];
    const int32_t *nz = ci->nz;
    for (int k = 0; k < ci->nnz; k++) {
        int l = nz[k];
        s->cur.v += slot_gain(s, l, c->x[k]);
        s->sumx[l] += c->x[k];
    }
    if (ci->mode == GM_PER_LINE) { /* members never overlap, so exclude_undo can clear these bits */
        uint64_t *g = s->gbits + (size_t)ci->group * (size_t)s->words;
        for (int w = 0; w < s->words; w++)
            g[w] |= ci->bits[w];
    }
    if (ci->group >= 0)
        s->count[ci->group]++;
    s->cur.codes += c->code;
    s->cur.gifts += c->gift;
    s->cur.prio += c->priority;
    s->cur.nrules++;
    s->chosen[i] = 1;
    s->stack[s->depth++] = i;
}

static void exclude_undo(search *s, int i)
{
    const cpn_cand *c = &s->in->cands[i];
    const cinfo *ci = &s->ci[i];
    const int32_t *nz = ci->nz;
    for (int k = 0; k < ci->nnz; k++) {
        int l = nz[k];
        s->sumx[l] -= c->x[k];
        s->cur.v -= slot_gain(s, l, c->x[k]);
    }
    if (ci->mode == GM_PER_LINE) {
        uint64_t *g = s->gbits + (size_t)ci->group * (size_t)s->words;
        for (int w = 0; w < s->words; w++)
            g[w] &= ~ci->bits[w];
    }
    if (ci->group >= 0)
        s->count[ci->group]--;
    s->cur.codes -= c->code;
    s->cur.gifts -= c->gift;
    s->cur.prio -= c->priority;
    s->cur.nrules--;
    s->chosen[i] = 0;
    s->depth--;
}

/* -1: a better than b, 1: worse, 0: equal */
static int key_cmp(const key *a, const key *b)
{
    if (a->v != b->v) return a->v > b->v ? -1 : 1;
    if (a->codes != b->codes) return a->codes < b->codes ? -1 : 1;
    if (a->gifts != b->gifts) return a->gifts > b->gifts ? -1 : 1;
    if (a->prio != b->prio) return a->prio > b->prio ? -1 : 1;
    if (a->nrules != b->nrules) return a->nrules < b->nrules ? -1 : 1;
    return 0;
}

/* is chosen set A (flags) lexicographically smaller than B as sorted rule lists? */
static int ids_smaller(const search *s, const int *a, const int *b)
{
    int n = s->n;
    for (int k = 0; k < n; k++) {
        int i = s->byrule[k];
        if (a[i] == b[i])
            continue;
        const int *other = a[i] ? b : a;
        int more = 0;
        for (int m = k + 1; m < n && !more; m++)
            more = other[s->byrule[m]];
        return a[i] ? more : !more;
    }
    return 0;
}

static void leaf(search *s)
{
    int c = s->have_best ? key_cmp(&s->cur, &s->bestk) : -1;
    if (c < 0 || (c == 0 && ids_smaller(s, s->chosen, s->best))) {
        memcpy(s->best, s->chosen, (size_t)s->n * sizeof *s->best);
        s->bestk = s->cur;
        s->have_best = 1;
    }
}

static int bound_worse(search *s, int i)
{
    if (!s->have_best)
        return 0;
    key ub = s->cur;
    /* cur.v is the sum over slots of min(capacity, shares): what is left is the rest */
    int64_t add = s->sa[i], room = s->totalcap - s->cur.v;
    ub.gifts += s->sg[i];
    ub.prio += s->sp[i];
    for (int cg = 0; cg < s->ncg; cg++) {
        /* group capacity only: per-line and compatibility checks would cost
         * O(depth + lines) per candidate and only tighten the bound */
        int g = s->cg_group[cg];
        const cinfo *c0 = &s->ci[s->cg_first_pos[cg]];
        int used = s->count[g] + (s->in->group_used ? s->in->group_used[g] : 0);
        /* per-line exclusivity is within this lane: earlier lanes do not count */
        int left = c0->mode == GM_EXCLUSIVE ? 1 - used : c0->mode == GM_PER_LINE ? 1 - s->count[g] : c0->max - used;
        if (left <= 0)
            continue;
        /* only as many of the group's largest remaining members as still fit */
        int a = s->cg_next[(size_t)cg * (size_t)(s->n + 1) + (size_t)i], b = a + left;
        if (b > s->cg_size[cg])
            b = s->cg_size[cg];
        if (a >= b)
            continue;
        const int64_t *pa = s->pa + s->cg_first[cg] + cg, *pg = s->pg + s->cg_first[cg] + cg,
                      *pp = s->pp + s->cg_first[cg] + cg;
        add += pa[b] - pa[a];
        ub.gifts += pg[b] - pg[a];
        ub.prio += pp[b] - pp[a];
    }
    ub.v += add < room ? add : room;
    /* reaching ub.gifts takes one more rule per gift: without this the
     * "fewer rules" part of the bound is never tight for gift rules */
    ub.nrules += ub.gifts - s->cur.gifts;
    int c = key_cmp(&ub, &s->bestk);
    if (c != 0)
        return c > 0;
    /* A tie on the key: a completion can only win on ids. Let j be the first
     * decided position where this path left out a candidate the incumbent
     * took. If every later candidate has a larger rule index, the incumbent
     * holds the smallest id of any difference, so it stays smaller. This
     * keeps ties among equal-valued rules (gifts) from being enumerated. */
    for (int j = 0; j < i; j++) {
        if (s->chosen[j] == s->best[j])
            continue;
        return s->best[j] && s->sufmin[j] > s->in->cands[j].rule;
    }
    return 0;
}

static void dfs(search *s, int i)
{
    if (s->stopped)
        return;
    if (++s->nodes > s->budget) {
        s->stopped = 1;
        return;
    }
    if (i == s->n) {
        leaf(s);
        return;
    }
    if (bound_worse(s, i))
        return;
    int forced = s->forced == i;
    if (i == s->fixed) { /* already included at the root */
        dfs(s, i + 1);
        return;
    }
    if (feasible(s, i)) {
        include(s, i);
        dfs(s, i + 1);
        exclude_undo(s, i);
    }
    if (!forced)
        dfs(s, i + 1);
}

static int capped(const cinfo *c)
{
    return c->group >= 0 && (c->mode == GM_EXCLUSIVE || (c->mode == GM_STACKABLE && c->max > 0));
}

/* the sums bound_worse() reads, see struct search */
static int bound_tables(search *s)
{
    cpn_scratch *sc = s->in->scratch;
    int n = s->n, ng = s->rs->ngroups;
    int cgof[CUSTOPS_COUPON_MAX_GROUPS + 1];
    for (int g = 0; g < ng; g++)
        cgof[g] = -1;
    /* An exclusive-per-line group whose members here all discount the same
     * lines admits one of them at most: the bound counts only the amount of
     * its next member, as for an exclusive group, but still every member's
     * gift and priority (a smaller member may carry more of those, and when
     * the capacity binds the values tie and those decide). */
    int same[CUSTOPS_COUPON_MAX_GROUPS + 1], firstm[CUSTOPS_COUPON_MAX_GROUPS + 1];
    for (int g = 0; g < ng; g++) {
        same[g] = 1;
        firstm[g] = -1;
    }
    for (int i = 0; i < n; i++) {
        const cinfo *c = &s->ci[i];
        if (c->mode != GM_PER_LINE)
            continue;
        if (firstm[c->group] < 0)
            firstm[c->group] = i;
        if (c->nnz == 0 || (c->bits != s->ci[firstm[c->group]].bits &&
                              memcmp(c->bits, s->ci[firstm[c->group]].bits, (size_t)s->words * sizeof *c->bits) != 0))
            same[c->group] = 0;
    }
    s->ncg = 0;
    for (int i = 0; i < n; i++) {
        cinfo *c = &s->ci[i];
        c->bcap = capped(c) || (c->mode == GM_PER_LINE && same[c->group]);
        if (c->bcap && cgof[c->group] < 0)
            cgof[c->group] = s->ncg++;
    }
    size_t nc = (size_t)s->ncg, nn = (size_t)n + 1;
    s->cg_group = cpn_scratch_zero(sc, (4 * nc + nc * nn + 1) * sizeof(int));
    s->pa = cpn_scratch_zero(sc, (3 * ((size_t)n + nc) + 3 * nn) * sizeof(int64_t));
    if (!s->cg_group || !s->pa)
        return CUSTOPS_ENOMEM;
    s->cg_first = s->cg_group + nc;
    s->cg_size = s->cg_group + 2 * nc;
    s->cg_first_pos = s->cg_group + 3 * nc;
    s->cg_next = s->cg_group + 4 * nc;
    s->pg = s->pa + (size_t)n + nc;
    s->pp = s->pa + 2 * ((size_t)n + nc);
    s->sa = s->pa + 3 * ((size_t)n + nc);
    s->sg = s->sa + nn;
    s->sp = s->sa + 2 * nn;
    for (int g = 0; g < ng; g++)
        if (cgof[g] >= 0)
            s->cg_group[cgof[g]] = g;
    for (int i = n - 1; i >= 0; i--) {
        const cinfo *c = &s->ci[i];
        int free_ = !c->bcap, free_extras = free_ || c->mode == GM_PER_LINE;
        s->sa[i] = s->sa[i + 1] + (free_ ? c->amount : 0);
        s->sg[i] = s->sg[i + 1] + (free_extras ? c->gift : 0);
        s->sp[i] = s->sp[i + 1] + (free_extras && c->priority > 0 ? c->priority : 0);
        if (!free_) {
            s->cg_size[cgof[c->group]]++;
            s->cg_first_pos[cgof[c->group]] = i;
        }
    }
    for (int cg = 1; cg < s->ncg; cg++)
        s->cg_first[cg] = s->cg_first[cg - 1] + s->cg_size[cg - 1];
    int seen[CUSTOPS_COUPON_MAX_GROUPS + 1];
    for (int cg = 0; cg < s->ncg; cg++)
        seen[cg] = 0;
    for (int i = 0; i < n; i++) {
        for (int cg = 0; cg < s->ncg; cg++)
            s->cg_next[(size_t)cg * nn + (size_t)i] = seen[cg];
        const cinfo *c = &s->ci[i];
        if (!c->bcap)
            continue;
        int cg = cgof[c->group];
        size_t at = (size_t)s->cg_first[cg] + (size_t)cg + (size_t)seen[cg];
        s->pa[at + 1] = s->pa[at] + c->amount;
        int extras = c->mode != GM_PER_LINE; /* per-line members count these in the suffix sums */
        s->pg[at + 1] = s->pg[at] + (extras ? c->gift : 0);
        s->pp[at + 1] = s->pp[at] + (extras && c->priority > 0 ? c->priority : 0);
        seen[cg]++;
    }
    for (int cg = 0; cg < s->ncg; cg++)
        s->cg_next[(size_t)cg * nn + (size_t)n] = seen[cg];
    return 0;
}

/* everything of a search that does not depend on the forced candidate (n > 0) */
static int prepare(search *sp, const cpn_opt_in *in)
{
    memset(sp, 0, sizeof *sp);
    sp->in = in;
    sp->rs = in->rs;
    sp->n = in->n;
    sp->ns = in->nslots;
    size_t n = (size_t)sp->n, ng = (size_t)(in->rs->ngroups + 1), ns = (size_t)sp->ns + 1;
    sp->words = (sp->ns + 63) / 64 ? (sp->ns + 63) / 64 : 1;
    /* one zeroed block for every array of the search, from the quote's scratch */
    size_t words = ns + ng * (size_t)sp->words + ng + 5 * n;
    int64_t *block = cpn_scratch_zero(in->scratch, words * sizeof(int64_t));
    sp->ci = cpn_scratch_take(in->scratch, n * sizeof *sp->ci);
    if (!block || !sp->ci)
        return CUSTOPS_ENOMEM;
    sp->sumx = block;
    sp->gbits = (uint64_t *)(block + ns);
    int64_t *rest = block + ns + ng * (size_t)sp->words;
    sp->count = (int *)rest;
    sp->chosen = (int *)(rest + ng);
    sp->stack = (int *)(rest + ng + n);
    sp->best = (int *)(rest + ng + 2 * n);
    sp->byrule = (int *)(rest + ng + 3 * n);
    sp->sufmin = (int *)(rest + ng + 4 * n);
    for (int l = 0; l < sp->ns; l++)
        sp->totalcap += in->cap[l];
    for (int i = 0; i < sp->n; i++) {
        const cpn_cand *c = &in->cands[i];
        const cpn_rule *r = &in->rs->rules[c->rule];
        cinfo *ci = &sp->ci[i];
        ci->group = r->group;
        ci->mode = r->group >= 0 ? in->rs->groups[r->group].mode : -1;
        ci->max = r->group >= 0 ? in->rs->groups[r->group].max : 0;
        ci->restrictive = restrictive(r);
        sp->anyrestrict |= ci->restrictive;
        ci->amount = c->amount;
        ci->priority = c->priority;
        ci->gift = c->gift;
        ci->code = c->code;
        ci->nz = c->nz;
        ci->nnz = c->nnz;
        ci->bits = c->bits;
    }
    if (bound_tables(sp))
        return CUSTOPS_ENOMEM;
    for (int i = sp->n - 1, m = INT32_MAX; i >= 0; i--) {
        sp->sufmin[i] = m;
        if (in->cands[i].rule < m)
            m = in->cands[i].rule;
    }
    /* candidates arrive in decreasing amount; byrule orders them by rule index (insertion sort: n is small) */
    for (int i = 0; i < sp->n; i++) {
        int k = i, rule = in->cands[i].rule; /* a local: the stores below may alias it for the compiler */
        while (k > 0 && in->cands[sp->byrule[k - 1]].rule > rule) {
            sp->byrule[k] = sp->byrule[k - 1];
            k--;
        }
        sp->byrule[k] = i;
    }
    return 0;
}

/* one search on a prepared state: the greedy seed, then branch and bound */
static void run(search *s, int forced, uint64_t budget, cpn_opt_out *out)
{
    if (s->runs++) { /* back to the state prepare() left */
        size_t ng = (size_t)(s->rs->ngroups + 1);
        memset(s->sumx, 0, ((size_t)s->ns + 1) * sizeof *s->sumx);
        memset(s->gbits, 0, ng * (size_t)s->words * sizeof *s->gbits);
        memset(s->count, 0, ng * sizeof *s->count);
        memset(s->chosen, 0, (size_t)s->n * sizeof *s->chosen);
        memset(&s->cur, 0, sizeof s->cur);
        s->depth = 0;
        s->have_best = 0;
    }
    s->budget = budget;
    s->forced = forced;
    s->fixed = -1;
    s->nodes = 0;
    s->stopped = 0;
    /* greedy seed: take every feasible candidate in order (the forced one first) */
    if (forced >= 0) {
        if (feasible(s, forced))
            include(s, forced);
    }
    for (int i = 0; i < s->n; i++)
        if (!s->chosen[i] && feasible(s, i))
            include(s, i);
    leaf(s);
    while (s->depth)
        exclude_undo(s, s->stack[s->depth - 1]);
    if (s->n <= 4096) {
        if (forced >= 0 && feasible(s, forced)) {
            /* decide the forced rule first: the rest of its groups is then pruned at once */
            include(s, forced);
            s->fixed = forced;
        }
        dfs(s, 0);
        out->exact = !s->stopped;
    } else {
        out->exact = 0;
    }
    if (out->chosen)
        for (int i = 0; i < s->n; i++)
            out->chosen[i] = s->best[i];
    out->value = s->bestk.v;
    out->nodes = s->nodes;
}

static int solve(const cpn_opt_in *in, cpn_opt_out *out)
{
    out->value = 0;
    out->exact = 1;
    out->nodes = 0;
    if (in->n == 0)
        return 0;
    search s;
    int rc = prepare(&s, in);
    if (rc)
        return rc;
    run(&s, in->forced, in->budget ? in->budget : 100000, out);
    return 0;
}

/* ---- decomposition: rules that cannot interact are solved apart ----
 * Two candidates interact when they share an exclusive group, a stackable
 * group whose cap can bind, an exclusive-per-line group on a common line,
 * are incompatible, or touch a slot whose shares can exceed its capacity.
 * The key is a lexicographic vector and sums of component optima are
 * optimal (lexicographic order is compatible with addition; tied component
 * options have equal sizes, so the id tie-break also composes). */

static int uf_find(int *p, int x)
{
    while (p[x] != x) {
        p[x] = p[p[x]];
        x = p[x];
    }
    return x;
}

static void uf_union(int *p, int a, int b)
{
    a = uf_find(p, a);
    b = uf_find(p, b);
    if (a != b)
        p[a > b ? a : b] = a < b ? a : b;
}

/* A bound on the summed shares of `count` lazy candidates with these
 * summed amounts on a line whose base (= capacity, in the lanes that have
 * lazy candidates) is w: each share is floor(amount * w / wsum) plus at most
 * one leftover unit, and never above w (see cpn_cand). */
static int64_t lazy_bound(int64_t amount, int64_t count, int64_t wsum, int64_t w)
{
    int64_t p, cw;
    if (__builtin_mul_overflow(count, w, &cw))
        cw = INT64_MAX;
    if (wsum <= 0 || __builtin_mul_overflow(amount, w, &p))
        return cw;
    int64_t b = p / wsum + count; /* count <= number of candidates: no overflow */
    return b < cw ? b : cw;
}

/* lazy candidates bounded together, see components() */
enum { AGG_MAX = CPN_AGG_MAX };
typedef struct lazy_agg {
    const int32_t *nz; /* the scope's lines, shared by its lazy candidates */
    int nnz, col;
    int rep;           /* its first candidate */
    int64_t wsum, dmax, dsum, count;
} lazy_agg;

static inline int agg_is(const lazy_agg *g, const cpn_cand *c, int col)
{
    return g->nz == c->nz && g->col == col && g->wsum == c->wsum;
}

/* How a column's shares on a slot count towards the slot's total: all of
 * them (no group, or a stackable group without a cap), the largest (one
 * member per exclusive group; an exclusive-per-line group has one member
 * per line), or the smaller of their sum and `max` times the largest. */
enum { PART_SUM, PART_MAX, PART_CAPPED };

/* components()'s per-slot state: the slot's total so far, and the column
 * being walked's largest share and sum there (valid when stamp is it) */
typedef struct slot_acc {
    int64_t total, mx, sm;
    int stamp; /* the column mx, sm and last belong to, -1 none */
    int last;  /* per-line column: its last member seen on the slot; when
                * a capacity binds, the first candidate on the slot */
    int hot;   /* SLOT_TOUCHED, SLOT_BOUND; exactly SLOT_BINDS when it binds */
} slot_acc;
enum { SLOT_BINDS = 1, SLOT_BOUND = 2, SLOT_TOUCHED = 4 };

static inline int64_t sat_add(int64_t a, int64_t b) /* both nonnegative */
{
    return a > INT64_MAX - b ? INT64_MAX : a + b;
}

/* the slot's state for column c, reset when c first reaches it */
static inline slot_acc *col_slot(slot_acc *sa, int *touched, int *nt, int l, int c)
{
    slot_acc *s = &sa[l];
    if (s->stamp != c) {
        s->stamp = c;
        s->mx = s->sm = 0;
        s->last = -1;
        touched[(*nt)++] = l;
    }
    return s;
}

/* The cheap proof that no slot's total can exceed its capacity, per
 * column: a lazy contribution on slot l is at most d * cap[l] / wsum + 1
 * (lazy_bound() without its overflow branch, which cannot be taken when
 * d times the largest capacity fits), and a share at most its candidate's
 * largest share. So a column's part on any slot is at most r * cap[l] + k,
 * with r the largest (an exclusive or per-line column) or the summed (any
 * other) d / wsum of its lazy contributions and k the largest or summed
 * extra (1 or the count per lazy one, the largest share per other). Every
 * slot then fits when the columns' k add up to at most (1 - their r) times
 * the smallest capacity. r is held rounded up, in units of 2^-FIT_BITS. */
enum { FIT_BITS = 20 };
typedef struct fit_acc {
    int64_t r, k;
} fit_acc;

/* d / wsum rounded up, or -1 when the bound above does not hold */
static inline int64_t fit_ratio(int64_t d, int64_t wsum, int64_t capmax)
{
    int64_t p;
    if (d < 0 || wsum <= 0 || d >= (int64_t)1 << (62 - FIT_BITS) || __builtin_mul_overflow(d, capmax, &p))
        return -1;
    return (d << FIT_BITS) / wsum + 1;
}

static inline void fit_add(fit_acc *f, int pm, int64_t r, int64_t k)
{
    if (pm == PART_MAX) { /* one member counts: the largest r and the largest k bound it */
        f->r = r > f->r ? r : f->r;
        f->k = k > f->k ? k : f->k;
    } else { /* a capped stackable column's part is at most its sum */
        f->r = sat_add(f->r, r);
        f->k = sat_add(f->k, k);
    }
}

/* a column's part mode, see PART_SUM */
static inline int part_mode(const cpn_group *grp)
{
    return grp->mode != GM_STACKABLE ? PART_MAX : grp->max > 0 ? PART_CAPPED : PART_SUM;
}

/* per-line column c's candidate x reaches slot l: it collides with the
 * column's last candidate there */
static inline void line_meet(slot_acc *sa, int *parent, int l, int c, int x)
{
    slot_acc *s = &sa[l];
    if (s->stamp != c) {
        s->stamp = c;
        s->last = x;
        return;
    }
    uf_union(parent, s->last, x);
    s->last = x;
}

/* Candidates interact (see above): members of a capped group, of an
 * exclusive-per-line group on a common line, incompatible pairs, and
 * everything on a slot whose shares can exceed its capacity (counting one
 * member per exclusive group, at most `max` largest per capped stackable
 * group). The candidates are bucketed by column (a group present in this
 * lane; the last column: no group) in one pass, which also gathers the
 * cheap proof that no capacity binds (see fit_acc): when it holds, only
 * the per-line columns walk their lines, for their collisions. Otherwise
 * each column is walked on its own: per slot only that column's largest
 * share and sum are held at a time and only the slots a column reaches are
 * folded into the totals, no slot x column table to clear and scan. The
 * union-find partition does not depend on the order of the unions, and
 * saturating sums of nonnegative shares do not depend on the order of the
 * additions, so the walk's order does not matter. */
static int components(const cpn_opt_in *in, int *parent)
{
    const custops_ruleset *rs = in->rs;
    int n = in->n, ng = rs->ngroups, ns = in->nslots;
    enum { MAXC = CUSTOPS_COUPON_MAX_GROUPS + 2 }; /* columns: the groups, then no group */
    int col[CUSTOPS_COUPON_MAX_GROUPS + 1], gof[MAXC], cfirst[MAXC], cnt[MAXC], chead[MAXC], ahead[MAXC], pmode[MAXC];
    int capd[MAXC]; /* a capped group (exclusive, or stackable with a maximum) */
    fit_acc fa[MAXC];
    int ncol = 0, anyrestrict = 0, anyperline = 0, fit = 1;
    size_t nsl = (size_t)ns + 1;
    slot_acc *sa = cpn_scratch_take(in->scratch, nsl * sizeof *sa + (nsl + 2 * ((size_t)n + 1)) * sizeof(int));
    if (!sa)
        return CUSTOPS_ENOMEM;
    int *touched = (int *)(sa + nsl);
    int *next = touched + nsl;  /* per candidate: next in its column */
    int *aggof = next + n + 1; /* per candidate: its lazy aggregate, -1 none */
    for (int g = 0; g < ng; g++)
        col[g] = -1;
    int64_t capmin = INT64_MAX, capmax = 0;
    for (int l = 0; l < ns; l++) {
        int64_t w = in->cap[l];
        capmin = w < capmin ? w : capmin;
        capmax = w > capmax ? w : capmax;
    }
    int uhead = -1, uahead = -1; /* the no-group column's lists */
    fit_acc ufit = {0, 0};
    /* Lazy candidates of one scope (they share its line list) and one column
     * are bounded together: the largest share by the largest amount's bound,
     * the sum of shares by the summed amounts' bound plus one per member. In
     * an exclusive-per-line column (the quote makes such a member lazy only
     * when it discounts every line of its list) they all collide, so they
     * are joined to the first, which stands for them on each line. The
     * first AGG_MAX keys in candidate order get an aggregate. */
    lazy_agg agg[AGG_MAX];
    int anext[AGG_MAX];
    int nagg = 0, hit = 0;
    for (int i = 0; i < n; i++) {
        const cpn_cand *c = &in->cands[i];
        int g = c->group, cc = -1;
        fit_acc *f = &ufit;
        anyrestrict |= c->restrictive;
        if (g >= 0) {
            if (col[g] < 0) {
                gof[ncol] = g;
                cfirst[ncol] = i;
                cnt[ncol] = 0;
                chead[ncol] = ahead[ncol] = -1;
                pmode[ncol] = part_mode(&rs->groups[g]);
                capd[ncol] = rs->groups[g].mode == GM_EXCLUSIVE || pmode[ncol] == PART_CAPPED;
                anyperline |= rs->groups[g].mode == GM_PER_LINE;
                fa[ncol] = (fit_acc){0, 0};
                col[g] = ncol++;
            }
            cc = col[g];
            cnt[cc]++;
            next[i] = chead[cc];
            chead[cc] = i;
            f = &fa[cc];
        } else {
            next[i] = uhead;
            uhead = i;
        }
        /* a capped group's members rooted at its first at once, undone
         * below if its cap cannot bind: most caps bind, and then the
         * column need not be walked for it */
        parent[i] = cc >= 0 && capd[cc] ? cfirst[cc] : i;
        int pm = cc >= 0 ? pmode[cc] : PART_SUM;
        aggof[i] = -1;
        if (!c->lazy) {
            if (!c->nnz) /* adds nothing anywhere (a gift rule) */
                continue;
            int64_t top = 0;
            for (int k = 0; k < c->nnz; k++)
                top = c->x[k] > top ? c->x[k] : top;
            fit_add(f, pm, 0, top);
            continue;
        }
        /* the previous lazy candidate's aggregate first: rules of one kind
         * tend to come together (keys are distinct, so the scan would find
         * the same one) */
        int a = 0;
        if (hit < nagg && agg_is(&agg[hit], c, cc))
            a = hit;
        else
            while (a < nagg && !agg_is(&agg[a], c, cc))
                a++;
        hit = a;
        if (a >= AGG_MAX) {
            int64_t r = fit_ratio(c->amount, c->wsum, capmax);
            if (r < 0)
                fit = 0;
            else
                fit_add(f, pm, r, 1);
            continue;
        }
        if (a == nagg) {
            agg[nagg++] = (lazy_agg){c->nz, c->nnz, cc, i, c->wsum, 0, 0, 0};
            int *h = cc >= 0 ? &ahead[cc] : &uahead;
            anext[a] = *h;
            *h = a;
        } else if (cc >= 0 && rs->groups[g].mode == GM_PER_LINE && c->nnz > 0) {
            uf_union(parent, agg[a].rep, i); /* per line, the same lines: they collide */
        }
        lazy_agg *ag = &agg[a];
        ag->dmax = c->amount > ag->dmax ? c->amount : ag->dmax;
        ag->dsum = sat_add(ag->dsum, c->amount);
        ag->count++;
        aggof[i] = a;
    }
    for (int a = 0; a < nagg && fit; a++) {
        const lazy_agg *g = &agg[a];
        int pm = g->col >= 0 ? pmode[g->col] : PART_SUM;
        int64_t r = fit_ratio(pm == PART_MAX ? g->dmax : g->dsum, g->wsum, capmax);
        if (r < 0)
            fit = 0;
        else
            fit_add(g->col >= 0 ? &fa[g->col] : &ufit, pm, r, pm == PART_MAX ? 1 : g->count);
    }
    if (fit) {
        int64_t R = ufit.r, K = ufit.k, one = (int64_t)1 << FIT_BITS, lim = (int64_t)1 << 41;
        for (int c = 0; c < ncol; c++) {
            R = sat_add(R, fa[c].r);
            K = sat_add(K, fa[c].k);
        }
        fit = capmin >= 0 && R <= one && K < lim && (K << FIT_BITS) <= (capmin < lim ? capmin : lim) * (one - R);
    }
#ifdef CPN_CROSSCHECK
    int proved = fit; /* local check, never shipped: the full walk must find no slot that can bind */
    fit = 0;
#endif
    if (!fit || anyperline)
        for (int l = 0; l < ns; l++)
            sa[l] = (slot_acc){0, 0, 0, -1, -1, 0};
    /* the no-group column last: its shares all count, straight into the totals */
    for (int c = 0; c <= ncol; c++) {
        int pm = PART_SUM, pl = 0, root = -1, undo = 0, max = 0, nt = 0;
        int head = c < ncol ? chead[c] : uhead, ahd = c < ncol ? ahead[c] : uahead;
        if (c < ncol) {
            const cpn_group *grp = &rs->groups[gof[c]];
            int used = in->group_used ? in->group_used[gof[c]] : 0;
            max = grp->max;
            pm = pmode[c];
            pl = grp->mode == GM_PER_LINE;
            /* whether a group's cap binds depends on the group only: all its
             * members are one component, rooted at its first. When it cannot
             * bind, each member is its own root again (aggregates join only
             * per-line members, so nothing else joined them). */
            if (grp->mode == GM_EXCLUSIVE || (grp->mode == GM_STACKABLE && max > 0 && used + cnt[c] > max))
                root = cfirst[c];
            undo = capd[c] && root < 0;
        }
        if (fit) { /* no capacity binds: only the per-line collisions are left */
            for (int i = head; i >= 0 && (undo || pl); i = next[i]) {
                if (undo)
                    parent[i] = i;
                if (!pl || aggof[i] >= 0)
                    continue;
                const cpn_cand *cd = &in->cands[i];
                for (int k = 0; k < cd->nnz; k++)
                    line_meet(sa, parent, cd->nz[k], c, i);
            }
            for (int a = ahd; a >= 0 && pl; a = anext[a])
                for (int k = 0; k < agg[a].nnz; k++)
                    line_meet(sa, parent, agg[a].nz[k], c, agg[a].rep);
            continue;
        }
        for (int i = head; i >= 0; i = next[i]) {
            if (undo)
                parent[i] = i;
            if (aggof[i] >= 0)
                continue;
            const cpn_cand *cd = &in->cands[i];
            int bound = cd->lazy ? SLOT_BOUND : 0; /* a bound, not a share, goes in */
            for (int k = 0; k < cd->nnz; k++) {
                int l = cd->nz[k];
                int64_t x = cd->lazy ? lazy_bound(cd->amount, 1, cd->wsum, in->cap[l]) : cd->x[k];
                sa[l].hot |= SLOT_TOUCHED | bound;
                if (pm == PART_SUM) {
                    sa[l].total = sat_add(sa[l].total, x);
                    continue;
                }
                slot_acc *s = col_slot(sa, touched, &nt, l, c);
                if (pm == PART_CAPPED)
                    s->sm = sat_add(s->sm, x);
                if (x > s->mx)
                    s->mx = x;
                if (pl) {
                    if (s->last >= 0)
                        uf_union(parent, s->last, i);
                    s->last = i;
                }
            }
        }
        for (int a = ahd; a >= 0; a = anext[a]) {
            const lazy_agg *g = &agg[a];
            for (int k = 0; k < g->nnz; k++) {
                int l = g->nz[k];
                int64_t w = in->cap[l];
                sa[l].hot |= SLOT_TOUCHED | SLOT_BOUND;
                if (pm == PART_SUM) {
                    sa[l].total = sat_add(sa[l].total, lazy_bound(g->dsum, g->count, g->wsum, w));
                    continue;
                }
                /* one member: its largest and its sum are the same bound */
                int64_t hi = lazy_bound(g->dmax, 1, g->wsum, w);
                slot_acc *s = col_slot(sa, touched, &nt, l, c);
                if (pm == PART_CAPPED)
                    s->sm = sat_add(s->sm, g->count == 1 ? hi : lazy_bound(g->dsum, g->count, g->wsum, w));
                if (hi > s->mx)
                    s->mx = hi;
                if (pl) { /* the members meet the column's others here */
                    if (s->last >= 0)
                        uf_union(parent, s->last, g->rep);
                    s->last = g->rep;
                }
            }
        }
        for (int t = 0; t < nt; t++) {
            slot_acc *s = &sa[touched[t]];
            int64_t part = s->mx;
            if (pm == PART_CAPPED)
                part = s->mx <= INT64_MAX / max && s->sm > s->mx * max ? s->mx * max : s->sm;
            s->total = sat_add(s->total, part);
        }
    }
    int anybinds = 0;
    for (int l = 0; l < ns && !fit; l++) {
        slot_acc *s = &sa[l];
        if (!(s->hot & SLOT_TOUCHED) || s->total <= in->cap[l])
            continue;
#ifdef CPN_CROSSCHECK
        if (proved) {
            fprintf(stderr, "CPN_CROSSCHECK: slot %d can bind (%lld > %lld) though proved not to\n", l,
                    (long long)s->total, (long long)in->cap[l]);
            abort();
        }
#endif
        if (s->hot & SLOT_BOUND)
            return CPN_NEED_SHARES; /* the bounds are not enough to tell */
        s->hot = SLOT_BINDS;
        s->last = -1;
        anybinds = 1;
    }
    /* everything on a binding slot interacts (only shares went in there:
     * no aggregated candidate touches it) */
    for (int i = 0; anybinds && i < n; i++) {
        const cpn_cand *c = &in->cands[i];
        for (int k = 0; k < c->nnz; k++) {
            slot_acc *s = &sa[c->nz[k]];
            if (s->hot != SLOT_BINDS)
                continue;
            if (s->last >= 0)
                uf_union(parent, s->last, i);
            else
                s->last = i;
        }
    }
    for (int i = 0; anyrestrict && i < n; i++) {
        const cpn_rule *ri = &rs->rules[in->cands[i].rule];
        if (!restrictive(ri))
            continue;
        for (int j = 0; j < n; j++)
            if (j != i && !cpn_compatible(rs, in->cands[i].rule, in->cands[j].rule))
                uf_union(parent, i, j);
    }
    return 0;
}

/* Put the members map[0..m) of a component into the search's order: amount
 * desc, gift first, rule asc (a total order, rule indices are distinct), so
 * a component sees the same order as if all the lane's candidates had been
 * sorted. The quote leaves the candidates in rule order: pick-one
 * components (most of them) do not depend on the order, so only searched
 * components are sorted. Each member becomes a 16-byte key (amount; gift,
 * inverted rule and position packed in a word), merge-sorted. */
typedef struct sort_key {
    int64_t amount;
    uint64_t rest; /* gift << 63 | (INT32_MAX - rule) << 32 | position: larger first */
} sort_key;

static inline int key_before(const sort_key *x, const sort_key *y)
{
    return x->amount != y->amount ? x->amount > y->amount : x->rest > y->rest;
}

static int search_order(const cpn_opt_in *in, int *map, int m)
{
    cpn_mark mark = cpn_scratch_mark(in->scratch);
    sort_key *a = cpn_scratch_take(in->scratch, (size_t)m * sizeof *a);
    sort_key *b = cpn_scratch_take(in->scratch, (size_t)m * sizeof *b);
    if (!a || !b) {
        cpn_scratch_release(in->scratch, mark);
        return CUSTOPS_ENOMEM;
    }
    for (int k = 0; k < m; k++) { /* rule and position are below 2^31 */
        const cpn_cand *c = &in->cands[map[k]];
        a[k] = (sort_key){c->amount, (uint64_t)(c->gift != 0) << 63 | (uint64_t)(INT32_MAX - c->rule) << 32 | (uint32_t)k};
    }
    for (int i = 0; i < m; i += 8) { /* runs of 8 by insertion */
        int end = i + 8 < m ? i + 8 : m;
        for (int j = i + 1; j < end; j++) {
            sort_key v = a[j];
            int k = j;
            while (k > i && key_before(&v, &a[k - 1])) {
                a[k] = a[k - 1];
                k--;
            }
            a[k] = v;
        }
    }
    for (int w = 8; w < m; w *= 2) {
        for (int lo = 0; lo < m; lo += 2 * w) {
            int mid = lo + w < m ? lo + w : m, hi = lo + 2 * w < m ? lo + 2 * w : m, i = lo, j = mid, o = lo;
            while (i < mid && j < hi)
                b[o++] = key_before(&a[j], &a[i]) ? a[j++] : a[i++];
            while (i < mid)
                b[o++] = a[i++];
            while (j < hi)
                b[o++] = a[j++];
        }
        sort_key *t = a;
        a = b;
        b = t;
    }
    int *was = (int *)b; /* b is free now and large enough */
    for (int k = 0; k < m; k++)
        was[k] = map[k];
    for (int k = 0; k < m; k++)
        map[k] = was[(uint32_t)a[k].rest];
    cpn_scratch_release(in->scratch, mark);
    return 0;
}

#ifdef CPN_CROSSCHECK
/* local check, never shipped: the search gives the gift-only closed form's
 * answer, exactly, and so does each forced search */
static void crosscheck_gifts(const cpn_opt_in *in, const int *map, int m, cpn_cand *sub, const int *flags, int64_t value)
{
    cpn_mark mark = cpn_scratch_mark(in->scratch);
    int *map2 = cpn_scratch_take(in->scratch, (size_t)m * sizeof *map2);
    int *f2 = cpn_scratch_take(in->scratch, (size_t)m * sizeof *f2);
    if (!map2 || !f2)
        abort();
    memcpy(map2, map, (size_t)m * sizeof *map2);
    if (search_order(in, map2, m))
        abort();
    cpn_opt_in si = *in;
    si.cands = sub;
    si.n = m;
    si.forced = -1;
    for (int k = 0; k < m; k++)
        sub[k] = in->cands[map2[k]];
    cpn_opt_out so = {f2, 0, 1, 0};
    if (solve(&si, &so))
        abort();
    int bad = !so.exact || so.value != value;
    for (int k = 0; k < m; k++)
        for (int j = 0; j < m; j++)
            if (map2[k] == map[j] && f2[k] != flags[j])
                bad = 1;
    for (int k = 0; k < m && !bad; k++) {
        si.forced = k;
        cpn_opt_out fo = {f2, 0, 1, 0};
        si.budget = 20000;
        if (solve(&si, &fo))
            abort();
        int64_t v;
        int j = 0;
        while (map[j] != map2[k])
            j++;
        int t = cpn_gifts_solve(in, map, m, j, NULL, &v) == j;
        if (!fo.exact || fo.value != v || f2[k] != t)
            bad = 1;
    }
    if (bad) {
        fprintf(stderr, "CPN_CROSSCHECK: gift-only component of %d differs\n", m);
        abort();
    }
    cpn_scratch_release(in->scratch, mark);
}
#endif

/* solve the m candidates map[0..m) of one component (forced: index in the
 * full list or -1) into chosen (per candidate of the full list); a searched
 * component's map is put into search order. known: the pick-one verdict if
 * already asked (0 or 1), else -1. flags: room for m flags; chosen holds
 * zeros for the component's candidates */
static int solve_component(const cpn_opt_in *in, int *map, int m, int forced, cpn_cand *sub, int *flags,
                           cpn_opt_out *res, int *pick, int known, int *chosen)
{
    int sforced = -1;
    for (int k = 0; k < m && forced >= 0; k++)
        if (map[k] == forced)
            sforced = k;
    if (m == 1 && sforced < 0 && (known >= 0 ? known : cpn_pick_one_lone_applies(in, &in->cands[map[0]]))) {
        /* a lone candidate (many, in a lane of per-line groups): no call */
        *pick = 1;
        chosen[map[0]] = cpn_pick_one_lone(in, &in->cands[map[0]], &res->value);
        res->exact = 1;
        res->nodes = 0;
        return 0;
    }
    *pick = known >= 0 ? known : cpn_pick_one_applies(in, map, m);
    if (!*pick && sforced < 0 && cpn_gifts_applies(in, map, m))
        *pick = 2;
    if (*pick == 1) { /* in place: no copy of the members, no flags */
        int best = cpn_pick_one_solve(in, map, m, sforced, NULL, &res->value);
        if (best >= 0)
            chosen[map[best]] = 1;
        res->exact = 1;
        res->nodes = 0;
        return 0;
    }
    cpn_opt_out so = {flags, 0, 1, 0};
    int rc = 0;
    if (*pick == 2) { /* gift-only: the first members by rule, in place */
        cpn_gifts_solve(in, map, m, -1, flags, &so.value);
#ifdef CPN_CROSSCHECK
        crosscheck_gifts(in, map, m, sub, flags, so.value);
#endif
    } else {
        for (int k = 0; k < m; k++)
            if (in->cands[map[k]].lazy)
                return CPN_NEED_SHARES; /* the search adds up shares */
        if ((rc = search_order(in, map, m)))
            return rc;
        cpn_opt_in si = *in;
        si.cands = sub;
        si.n = m;
        si.forced = -1;
        for (int k = 0; k < m; k++) {
            if (map[k] == forced)
                si.forced = k;
            sub[k] = in->cands[map[k]];
        }
        cpn_mark mark = cpn_scratch_mark(in->scratch); /* the search's tables */
        rc = solve(&si, &so);
        cpn_scratch_release(in->scratch, mark);
    }
    for (int k = 0; k < m && !rc; k++)
        chosen[map[k]] = flags[k];
    res->value = so.value;
    res->exact = so.exact;
    res->nodes = so.nodes;
    return rc;
}

/* Do all n candidates belong to one exclusive group, none lazy? Then they
 * are one component (rooted at the first) that is pick-one when small:
 * components() would put every member under the first, and with no lazy
 * candidate it cannot need shares. A lane like shipping's or points'. */
static int one_exclusive(const cpn_opt_in *in)
{
    int g = in->cands[0].group;
    if (g < 0 || in->rs->groups[g].mode != GM_EXCLUSIVE)
        return 0;
    for (int i = 0; i < in->n; i++)
        if (in->cands[i].group != g || in->cands[i].lazy)
            return 0;
    return 1;
}

int cpn_optimize(const cpn_opt_in *in, cpn_opt_out *out)
{
    int n = in->n, rc = 0;
    out->value = 0;
    out->exact = 1;
    out->nodes = 0;
    if (n == 0)
        return 0;
    cpn_mark mark = cpn_scratch_mark(in->scratch);
    /* the working arrays in one take; the partition goes straight into the
     * caller's array when it wants it, so do the members */
    size_t nn = (size_t)n, own_parent = out->comp && !in->comp ? 0 : nn, own_members = out->members ? 0 : nn;
    cpn_cand *sub = cpn_scratch_take(in->scratch, nn * sizeof *sub + (own_parent + own_members + 4 * nn + 1) * sizeof(int));
    if (!sub) {
        rc = CUSTOPS_ENOMEM;
        goto done;
    }
    int *start = (int *)(sub + n), *roots = start + n + 1, *flags = roots + 2 * n, *rest = flags + n;
    int *parent = own_parent ? rest : out->comp;
    int *members = own_members ? rest + own_parent : out->members;
    int *known = roots + n; /* per component (by its place in roots): its pick-one verdict, -1 not asked */
    int nroots = 0;
    if (!in->comp && one_exclusive(in)) {
        memset(parent, 0, nn * sizeof *parent);
        known[0] = n <= CPN_PICK_ONE_MAX; /* cpn_pick_one_applies() asks no more of an exclusive group */
        roots[nroots++] = 0;
        start[0] = n;
        for (int i = 0; i < n; i++)
            members[i] = i;
    } else {
        memset(start, 0, (nn + 1) * sizeof *start);
        if (!in->comp && (rc = components(in, parent)))
            goto done;
        /* each candidate's component (rooted at its first candidate, so a
         * root comes before its members) and the components' sizes, in one
         * pass. A component's members tend to come in runs (a group's rules
         * are often neighbours): they are counted and placed a run at a
         * time, not with a read-modify-write of the count per member, which
         * would wait for the previous member's store. */
        int rr = 0, len = 0; /* the run's root, its length so far */
        for (int i = 0; i < n; i++) {
            int r = in->comp ? in->comp[i] : parent[i];
            if (!in->comp && parent[r] != r) /* most trees are flat: a capped group's members point at its first */
                r = uf_find(parent, i);
            parent[i] = r;
            if (r == i) {
                known[nroots] = -1;
                roots[nroots++] = i;
            }
            if (r != rr) {
                start[rr + 1] += len;
                rr = r;
                len = 0;
            }
            len++;
        }
        start[rr + 1] += len;
        /* members of each component, in candidate order */
        if (nroots == 1) { /* one component: the identity */
            for (int i = 0; i < n; i++)
                members[i] = i;
            start[0] = n;
        } else {
            for (int i = 0; i < n; i++)
                start[i + 1] += start[i];
            for (int i = 0; i < n;) { /* start[r] ends at the next component's start */
                int r = parent[i], at = start[r];
                do
                    members[at++] = i++;
                while (i < n && parent[i] == r);
                start[r] = at;
            }
        }
    }
    /* unchosen unless a solve says otherwise: a pick-one solve then marks only
     * its choice, and when forced, only the forced one's component is solved */
    memset(out->chosen, 0, nn * sizeof *out->chosen);
    if (in->stands) /* before any search: the answer would be thrown away */
        for (int t = 0, at = 0; t < nroots; t++) {
            int root = roots[t], m = start[root] - at, extra = 0;
            for (int k = 0; k < m; k++)
                extra += in->stands[members[at + k]];
            if (extra) {
                if (known[t] < 0)
                    known[t] = m == 1 ? cpn_pick_one_lone_applies(in, &in->cands[members[at]])
                                      : cpn_pick_one_applies(in, members + at, m);
                if (m + extra > CPN_PICK_ONE_MAX || !known[t]) {
                    rc = CPN_RETRY;
                    goto done;
                }
            }
            at = start[root];
        }
    for (int t = 0, at = 0; t < nroots; t++) {
        int root = roots[t];
        int *map = members + at;
        int m = start[root] - at;
        at = start[root];
        if (in->forced >= 0 && parent[in->forced] != root)
            continue; /* forcing one rule only changes its own component */
        cpn_opt_out res;
        int pick;
        rc = solve_component(in, map, m, in->forced, sub, flags, &res, &pick, known[t], out->chosen);
        if (rc)
            goto done;
        if (out->members) {
            out->at[root] = (int)(map - members);
            out->size[root] = m;
            out->pick[root] = pick;
        }
        out->value += res.value;
        out->nodes += res.nodes;
        if (!res.exact)
            out->exact = 0;
        if (out->comp_value)
            out->comp_value[root] = res.value;
    }
    if (out->comp && parent != out->comp)
        for (int i = 0; i < n; i++)
            out->comp[i] = parent[i];
done:
    cpn_scratch_release(in->scratch, mark);
    return rc;
}

int cpn_optimize_forced(const cpn_opt_in *in, const cpn_opt_out *comps, const int *want, int64_t *value, int *taken)
{
    int n = in->n, rc = 0, i = 0;
    for (; i + 4 <= n; i += 4) { /* often nobody: then no walk over the components */
        uint64_t four[2]; /* flags, read four at a time */
        memcpy(four, want + i, sizeof four);
        if (four[0] | four[1])
            break;
    }
    while (i < n && !want[i])
        i++;
    if (i == n)
        return 0;
    cpn_mark mark = cpn_scratch_mark(in->scratch);
    cpn_cand *sub = NULL; /* taken for the first searched component */
    /* the components as cpn_optimize listed them: back to back in members,
     * in the order of their roots (a searched one's list in search order) */
    for (int at = 0, m; at < n; at += m) {
        int root = comps->comp[comps->members[at]];
        int *map = comps->members + at, wanted = 0;
        m = comps->size[root];
        for (int k = 0; k < m; k++)
            wanted |= want[map[k]];
        if (!wanted)
            continue;
        if (comps->pick[root]) { /* in place */
            for (int k = 0; k < m; k++)
                if (want[map[k]])
                    taken[map[k]] = (comps->pick[root] == 1 ? cpn_pick_one_solve(in, map, m, k, NULL, &value[map[k]])
                                                            : cpn_gifts_solve(in, map, m, k, NULL, &value[map[k]])) == k;
            continue;
        }
        if (!sub && !(sub = cpn_scratch_take(in->scratch, (size_t)n * sizeof *sub))) {
            rc = CUSTOPS_ENOMEM;
            goto done;
        }
        cpn_opt_in si = *in;
        si.cands = sub;
        si.n = m;
        si.forced = -1;
        for (int k = 0; k < m; k++) /* solve_component() left a searched list in search order */
            sub[k] = in->cands[map[k]];
        cpn_mark inner = cpn_scratch_mark(in->scratch);
        search s;
        if ((rc = prepare(&s, &si)))
            goto done;
        for (int k = 0; k < m; k++) {
            if (!want[map[k]])
                continue;
            cpn_opt_out so = {.exact = 1};
            run(&s, k, in->budget ? in->budget : 100000, &so);
            value[map[k]] = so.value;
            taken[map[k]] = s.best[k];
        }
        cpn_scratch_release(in->scratch, inner);
    }
done:
    cpn_scratch_release(in->scratch, mark);
    return rc;
}
