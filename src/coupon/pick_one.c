/* Components where at most one candidate can ever be chosen, solved without
 * the search. Most components of a real lane are like this: the members of
 * one exclusive group, or of one exclusive-per-line group that all discount
 * the same lines. Their optimum is the best single member by the search's
 * key (value, fewer codes, more gifts, larger priority, fewer rules: a rule
 * whose key ties the empty set's loses to it), ties between members going to
 * the smaller rule index, the id tie-break for one-rule sets.
 *
 * The branch and bound finds the same optimum: on such a component every
 * path includes at most one candidate, so it visits at most m * (m + 1) / 2
 * + m nodes, under the smallest node budget (20,000) for m <= PICK_ONE_MAX,
 * so its answer there is always exact and equals this one. */
#include "coupon_internal.h"

enum { PICK_ONE_MAX = CPN_PICK_ONE_MAX };

int cpn_pick_one_applies(const cpn_opt_in *in, const int *map, int m)
{
    if (m < 1 || m > PICK_ONE_MAX)
        return 0;
    const custops_ruleset *rs = in->rs;
    const cpn_cand *c0 = &in->cands[map[0]];
    if (m == 1)
        return cpn_pick_one_lone_applies(in, c0);
    int g = c0->group;
    if (g < 0)
        return 0;
    int mode = rs->groups[g].mode;
    if (mode != GM_EXCLUSIVE && mode != GM_PER_LINE)
        return 0;
    size_t words = ((size_t)in->nslots + 63) / 64;
    for (int i = 0; i < m; i++) {
        const cpn_cand *c = &in->cands[map[i]];
        if (c->group != g)
            return 0;
        /* per line: two members exclude each other only when they share a
         * line; identical nonempty line sets make every pair collide (lazy
         * members of one scope share one bitmap: equal pointers, no compare) */
        if (mode == GM_PER_LINE &&
            (c->nnz == 0 || (c->bits != c0->bits && memcmp(c->bits, c0->bits, words * sizeof *c->bits) != 0)))
            return 0;
    }
    return 1;
}

int cpn_pick_one_solve(const cpn_opt_in *in, const int *map, int m, int forced, int *chosen, int64_t *value)
{
    int best = -1;
    cpn_one_key bk = {0, 0, 0, 0};
    if (chosen)
        for (int i = 0; i < m; i++)
            chosen[i] = 0;
    *value = 0;
    if (cpn_pick_one_full(in, &in->cands[map[0]]))
        return -1; /* nothing fits: the empty set */
    if (forced >= 0) {
        best = forced;
        bk = cpn_one_key_of(in, &in->cands[map[forced]]);
    } else {
        for (int i = 0; i < m; i++) {
            const cpn_cand *c = &in->cands[map[i]];
            cpn_one_key k = cpn_one_key_of(in, c);
            if (k.v < bk.v) /* a smaller value loses: nothing more to compare */
                continue;
            int cmp = cpn_one_cmp(&k, &bk); /* against the empty set first: a tie loses on rule count */
            if (cmp < 0 || (cmp == 0 && best >= 0 && c->rule < in->cands[map[best]].rule)) {
                best = i;
                bk = k;
            }
        }
    }
    if (best < 0)
        return -1;
    if (chosen)
        chosen[best] = 1;
    *value = bk.v;
    return best;
}

/* Gift-only components: members of one stackable group that discount
 * nothing (no shares, amount 0), consume no code, restrict nothing, each
 * carry a gift and share one priority p >= 0. Every set then has the value
 * 0 and no codes, so the search's key prefers the most gifts (as many
 * members as the group's room allows), then equal priority sums and rule
 * counts for sets of that size, then the smallest list of rule indices:
 * the first `room` members by rule index. The search's greedy seed is that
 * set, nothing beats it, and every other path ties at best and is cut by
 * the id test at its first difference (the bound is tight: equal gifts and
 * priorities), so the search visits O(m) nodes and returns the seed,
 * exactly; checked against it with -DCPN_CROSSCHECK. */
int cpn_gifts_applies(const cpn_opt_in *in, const int *map, int m)
{
    if (m < 1 || m > PICK_ONE_MAX)
        return 0;
    const cpn_cand *c0 = &in->cands[map[0]];
    int g = c0->group;
    if (g < 0 || in->rs->groups[g].mode != GM_STACKABLE || c0->priority < 0)
        return 0;
    int64_t p = c0->priority;
    for (int i = 0, prev = -1; i < m; i++) { /* rule indices are nonnegative */
        const cpn_cand *c = &in->cands[map[i]];
        if (c->group != g || c->restrictive || c->code || !c->gift || c->nnz != 0 || c->amount != 0 ||
            c->priority != p || c->rule <= prev)
            return 0;
        prev = c->rule;
    }
    return 1;
}

int cpn_gifts_solve(const cpn_opt_in *in, const int *map, int m, int forced, int *chosen, int64_t *value)
{
    int g = in->cands[map[0]].group, max = in->rs->groups[g].max;
    int used = in->group_used ? in->group_used[g] : 0;
    int room = max > 0 ? (max - used > 0 ? max - used : 0) : m;
    *value = 0;
    if (chosen)
        for (int i = 0; i < m; i++)
            chosen[i] = i < room;
    if (forced >= 0)
        return room > 0 ? forced : -1;
    return room > 0 ? 0 : -1;
}
