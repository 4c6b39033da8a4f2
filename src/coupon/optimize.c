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

int cpn_compatible(const custops_ruleset *rs, int a, int b)
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

typedef struct search {
    const cpn_opt_in *in;
    const custops_ruleset *rs;
    int n, ns;
    int64_t *sumx;
    int *count;         /* per group members chosen (this lane) */
    uint64_t *mask;     /* per slot: per-line groups present */
    int *chosen, *stack, depth;
    key cur;
    int *best;
    key bestk;
    int have_best;
    int *byrule;        /* candidate indices sorted by rule index */
    int *stamp;         /* per group, for the bound */
    int stamp_gen;
    uint64_t nodes, budget;
    int stopped;
} search;

static int restrictive(const cpn_rule *r) { return r->combine != COMBINE_ALL; }

static int feasible(const search *s, int i)
{
    const cpn_cand *c = &s->in->cands[i];
    const cpn_rule *r = &s->rs->rules[c->rule];
    if (r->group >= 0) {
        const cpn_group *g = &s->rs->groups[r->group];
        int used = s->count[r->group] + (s->in->group_used ? s->in->group_used[r->group] : 0);
        if (g->mode == GM_EXCLUSIVE && used >= 1)
            return 0;
        if (g->mode == GM_STACKABLE && g->max > 0 && used >= g->max)
            return 0;
        if (g->mode == GM_PER_LINE) {
            uint64_t bit = 1ull << r->group;
            for (int l = 0; l < s->ns; l++)
                if (c->x[l] > 0 && (s->mask[l] & bit))
                    return 0;
        }
    }
    for (int k = 0; k < s->depth; k++) {
        int j = s->stack[k];
        const cpn_rule *rj = &s->rs->rules[s->in->cands[j].rule];
        if ((restrictive(r) || restrictive(rj)) && !cpn_compatible(s->rs, c->rule, s->in->cands[j].rule))
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
    const cpn_rule *r = &s->rs->rules[c->rule];
    for (int l = 0; l < s->ns; l++)
        if (c->x[l]) {
            s->cur.v += slot_gain(s, l, c->x[l]);
            s->sumx[l] += c->x[l];
            if (r->group >= 0 && s->rs->groups[r->group].mode == GM_PER_LINE)
                s->mask[l] |= 1ull << r->group;
        }
    if (r->group >= 0)
        s->count[r->group]++;
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
    const cpn_rule *r = &s->rs->rules[c->rule];
    for (int l = 0; l < s->ns; l++)
        if (c->x[l]) {
            s->sumx[l] -= c->x[l];
            s->cur.v -= slot_gain(s, l, c->x[l]);
            if (r->group >= 0 && s->rs->groups[r->group].mode == GM_PER_LINE)
                s->mask[l] &= ~(1ull << r->group);
        }
    if (r->group >= 0)
        s->count[r->group]--;
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
    int64_t add = 0, room = 0;
    s->stamp_gen++;
    for (int l = 0; l < s->ns; l++) {
        int64_t cap = s->in->cap[l], used = s->sumx[l] < cap ? s->sumx[l] : cap;
        room += cap - used;
    }
    for (int j = i; j < s->n; j++) {
        const cpn_cand *c = &s->in->cands[j];
        const cpn_rule *r = &s->rs->rules[c->rule];
        if (r->group >= 0) {
            /* group capacity only: per-line and compatibility checks would cost
             * O(depth + lines) per candidate and only tighten the bound */
            const cpn_group *g = &s->rs->groups[r->group];
            int used = s->count[r->group] + (s->in->group_used ? s->in->group_used[r->group] : 0);
            if ((g->mode == GM_EXCLUSIVE && used >= 1) || (g->mode == GM_STACKABLE && g->max > 0 && used >= g->max))
                continue;
            if (g->mode == GM_EXCLUSIVE) {
                if (s->stamp[r->group] == s->stamp_gen)
                    continue; /* only the group's largest remaining member counts */
                s->stamp[r->group] = s->stamp_gen;
            }
        }
        add += c->amount;
        ub.gifts += c->gift;
        if (c->priority > 0)
            ub.prio += c->priority;
    }
    ub.v += add < room ? add : room;
    return key_cmp(&ub, &s->bestk) > 0;
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
    int forced = s->in->forced == i;
    if (feasible(s, i)) {
        include(s, i);
        dfs(s, i + 1);
        exclude_undo(s, i);
    }
    if (!forced)
        dfs(s, i + 1);
}

int cpn_optimize(const cpn_opt_in *in, cpn_opt_out *out)
{
    search s;
    memset(&s, 0, sizeof s);
    s.in = in;
    s.rs = in->rs;
    s.n = in->n;
    s.ns = in->nslots;
    s.budget = in->budget ? in->budget : 100000;
    out->value = 0;
    out->exact = 1;
    out->nodes = 0;
    if (s.n == 0)
        return 0;
    size_t n = (size_t)s.n, ng = (size_t)(in->rs->ngroups + 1);
    s.sumx = custops__calloc((size_t)s.ns + 1, sizeof *s.sumx);
    s.mask = custops__calloc((size_t)s.ns + 1, sizeof *s.mask);
    s.count = custops__calloc(ng, sizeof *s.count);
    s.stamp = custops__calloc(ng, sizeof *s.stamp);
    s.chosen = custops__calloc(n, sizeof *s.chosen);
    s.stack = custops__calloc(n, sizeof *s.stack);
    s.best = custops__calloc(n, sizeof *s.best);
    s.byrule = custops__calloc(n, sizeof *s.byrule);
    int rc = 0;
    if (!s.sumx || !s.mask || !s.count || !s.stamp || !s.chosen || !s.stack || !s.best || !s.byrule) {
        rc = custops__nomem();
        goto done;
    }
    /* candidates arrive in decreasing amount; byrule orders them by rule index (insertion sort: n is small) */
    for (int i = 0; i < s.n; i++) {
        int k = i;
        while (k > 0 && in->cands[s.byrule[k - 1]].rule > in->cands[i].rule) {
            s.byrule[k] = s.byrule[k - 1];
            k--;
        }
        s.byrule[k] = i;
    }
    /* greedy seed: take every feasible candidate in order (the forced one first) */
    if (in->forced >= 0) {
        if (feasible(&s, in->forced))
            include(&s, in->forced);
    }
    for (int i = 0; i < s.n; i++)
        if (!s.chosen[i] && feasible(&s, i))
            include(&s, i);
    leaf(&s);
    while (s.depth)
        exclude_undo(&s, s.stack[s.depth - 1]);
    if (s.n <= 4096) {
        dfs(&s, 0);
        out->exact = !s.stopped;
    } else {
        out->exact = 0;
    }
    for (int i = 0; i < s.n; i++)
        out->chosen[i] = s.best[i];
    out->value = s.bestk.v;
    out->nodes = s.nodes;
done:
    custops__free(s.sumx);
    custops__free(s.mask);
    custops__free(s.count);
    custops__free(s.stamp);
    custops__free(s.chosen);
    custops__free(s.stack);
    custops__free(s.best);
    custops__free(s.byrule);
    return rc;
}
