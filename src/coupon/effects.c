/* Money effects of one rule on the lane bases of its in-scope lines. Each
 * order-level amount is rounded once (percent: half up on the in-scope
 * subtotal, then the cap) and spread over the lines by core largest
 * remainder, so the shares sum exactly; unit-level effects (fixed price,
 * amount off each, buy X get Y) say which units carry the discount. */
#include "coupon_internal.h"

#include <stdlib.h>

typedef struct run {
    int line;
    int64_t unit, qty;
} run;

static int cmp_run(const void *a, const void *b)
{
    const run *x = a, *y = b;
    if (x->unit != y->unit)
        return x->unit > y->unit ? -1 : 1;
    return x->line - y->line;
}

/* positions p in [0, n) with p mod m >= X */
static int64_t block_count(int64_t n, int64_t m, int64_t X)
{
    int64_t r = n % m - X;
    return (n / m) * (m - X) + (r > 0 ? r : 0);
}

/* the r-th largest (1-based, r <= n) of n distinct keys; reorders a */
static uint64_t kth_largest(uint64_t *a, size_t n, size_t r)
{
    size_t lo = 0, hi = n, want = r - 1; /* its position in descending order, within [lo, hi) */
    for (;;) {
        size_t mid = lo + (hi - lo) / 2, last = hi - 1, m = mid;
        /* median of three as the pivot, moved to the end */
        if ((a[lo] > a[mid]) != (a[lo] > a[last]))
            m = lo;
        else if ((a[last] > a[lo]) != (a[last] > a[mid]))
            m = last;
        uint64_t p = a[m], t;
        a[m] = a[last];
        a[last] = p;
        size_t st = lo;
        for (size_t i = lo; i < last; i++)
            if (a[i] > p) {
                t = a[i];
                a[i] = a[st];
                a[st++] = t;
            }
        a[last] = a[st];
        a[st] = p;
        if (want == st)
            return p;
        if (want < st)
            hi = st;
        else
            lo = st + 1;
    }
}

/* (remainder, -index) packed in one word, for a remainder below 2^52:
 * distinct keys in the order the leftover units go */
#define SPREAD_KEY(r, i) ((uint64_t)(r) << 10 | (uint64_t)(1023 - (i)))

/* A unit each to the left largest of the k keys (sel: a copy, reordered):
 * exactly the keys at or above the left-th largest. */
static inline __attribute__((always_inline)) void give_units(const uint64_t *key, uint64_t *sel, size_t k,
                                                             int64_t left, int64_t *x, const int *idx, int by_position)
{
    uint64_t cut = key[0];
    if (left == 1) { /* often: one unit, to the largest key */
        for (size_t i = 1; i < k; i++)
            cut = key[i] > cut ? key[i] : cut;
    } else {
        cut = kth_largest(sel, k, (size_t)left);
    }
    for (size_t i = 0; i < k; i++)
        x[by_position ? i : (size_t)idx[i]] += key[i] >= cut;
}

/* Spread amount over the in-scope lines with a positive base, in proportion
 * to the base, by largest remainder with ties to the lower index: the same
 * shares as custops_money_allocate(), added into x. 64-bit arithmetic
 * whenever amount * base fits (always, for real carts; 128-bit division was
 * most of the cost of a quote), a selection for the leftover units instead
 * of a scan per unit, no scratch allocation, and the weights and their sum
 * come with the scope (shared by every rule of the lane with that scope). */
static inline __attribute__((always_inline)) int spread_to(const cpn_lane_view *v, int64_t amount, int64_t *x,
                                                             int by_position)
{
    size_t k = (size_t)v->nw;
    if (!k || amount <= 0)
        return 0;
    if (k == 1) { /* one line: its weight is the sum, so it takes all */
        x[by_position ? 0 : v->widx[0]] += amount;
        return 0;
    }
    const int64_t *w = v->w, wsum = v->wsum;
    const int *idx = v->widx;
    int64_t given = 0, p, left;
    uint64_t key[CUSTOPS_COUPON_MAX_LINES], sel[CUSTOPS_COUPON_MAX_LINES];
    if (!__builtin_mul_overflow(amount, wsum, &p) && p < ((int64_t)1 << 52)) {
        /* every amount * w[i] (at most amount * wsum) is exact as a double,
         * so p / wsum by a multiplication is off by at most one, which the
         * remainder corrects (a division per line per rule was a tenth of a
         * quote) */
        const double inv = 1.0 / (double)wsum;
        for (size_t i = 0; i < k; i++) {
            p = amount * w[i];
            int64_t q = (int64_t)((double)p * inv), r = p - q * wsum;
            while (r < 0) {
                q--;
                r += wsum;
            }
            while (r >= wsum) {
                q++;
                r -= wsum;
            }
            key[i] = sel[i] = SPREAD_KEY(r, i);
            x[by_position ? i : (size_t)idx[i]] += q;
            given += q;
        }
        if ((left = amount - given) > 0) /* fewer than k */
            give_units(key, sel, k, left, x, idx, by_position);
        return 0;
    }
    int64_t rem[CUSTOPS_COUPON_MAX_LINES];
    for (size_t i = 0; i < k; i++) {
        int64_t q;
        if (!__builtin_mul_overflow(amount, w[i], &p)) {
            q = p / wsum;
            rem[i] = p % wsum;
        } else {
            __int128 pp = (__int128)amount * w[i];
            q = (int64_t)(pp / wsum);
            rem[i] = (int64_t)(pp % wsum);
        }
        x[by_position ? i : (size_t)idx[i]] += q;
        given += q;
    }
    if ((left = amount - given) <= 0)
        return 0;
    if (wsum <= ((int64_t)1 << 52)) {
        for (size_t i = 0; i < k; i++)
            key[i] = sel[i] = SPREAD_KEY(rem[i], i);
        give_units(key, sel, k, left, x, idx, by_position);
        return 0;
    }
    for (; left > 0; left--) { /* remainders too wide to pack: a scan per unit */
        size_t best = 0;
        for (size_t i = 1; i < k; i++)
            if (rem[i] > rem[best])
                best = i;
        x[by_position ? best : (size_t)idx[best]] += 1;
        rem[best] = -1;
    }
    return 0;
}

static int spread(const cpn_lane_view *v, int64_t amount, int64_t *x)
{
    return spread_to(v, amount, x, 0);
}

/* spread() into x by position in v->widx (x[k] is line widx[k]'s share)
 * instead of by line: a lazy candidate's shares straight into its compact
 * arrays, see materialise() in quote.c */
int cpn_effects_spread(const cpn_lane_view *v, int64_t amount, int64_t *x)
{
    return spread_to(v, amount, x, 1);
}

int cpn_effects_percent_wide(const cpn_rule *r, const cpn_effect *e, int64_t S, int64_t *d)
{
    int rc = custops_money_muldiv(S, e->a, 10000, d);
    return rc ? custops__err(rc, "rule %s: percent of %lld overflows", r->id, (long long)S) : 0;
}

int cpn_effects_every_overflow(const cpn_rule *r, int64_t times, int64_t b)
{
    int64_t d;
    (void)custops_money_mul(times, b, &d); /* its own message first, as before */
    return custops__err(CUSTOPS_ERANGE, "rule %s: every overflows", r->id);
}

int cpn_effects_apply(const custops_ruleset *rs, const cpn_rule *r, const cpn_lane_view *v, int64_t *x,
                      int64_t *uh, int64_t *nh, int64_t *amount, int64_t *need, int64_t *unlocks)
{
    const custops_cart *c = v->cart;
    int64_t S = v->subtotal;
    int unit_effects = 0, rc;
    *need = *unlocks = 0;
    int64_t qty_cap = 0, lazy = 0;
    for (int i = 0; i < r->nlimits; i++)
        if (r->limits[i].kind == LIM_QTY_PER_CUSTOMER)
            qty_cap = r->limits[i].n;
    int below = -1;
    for (int k = 0; k < r->neffects; k++) {
        const cpn_effect *e = &r->effects[k];
        int64_t d = 0;
        switch (e->kind) {
        case EF_AMOUNT_OFF:
        case EF_PERCENT_OFF:
        case EF_EVERY:
        case EF_TIERS:
            if ((rc = cpn_effects_order(r, e, S, &d, &below, need, unlocks)))
                return rc;
            break;
        case EF_FIXED_PRICE:
        case EF_AMOUNT_OFF_EACH: {
            /* units with the largest saving first, up to the per-order unit cap */
            run runs[CUSTOPS_COUPON_MAX_LINES];
            size_t nr = 0;
            for (int i = 0; i < v->ninl; i++) {
                int l = v->inl[i];
                int64_t unit = v->base[l] / c->lines[l].qty;
                int64_t save = e->kind == EF_FIXED_PRICE ? unit - e->a : (e->a < unit ? e->a : unit);
                if (save > 0)
                    runs[nr++] = (run){(int)l, save, c->lines[l].qty};
            }
            qsort(runs, nr, sizeof *runs, cmp_run);
            int64_t left = e->kind == EF_AMOUNT_OFF_EACH && e->b > 0 ? e->b : -1; /* -1: no unit cap */
            if (qty_cap && (left < 0 || qty_cap < left))
                left = qty_cap;
            for (size_t i = 0; i < nr && left != 0; i++) {
                int64_t units = runs[i].qty;
                if (left > 0 && units > left)
                    units = left;
                int64_t add;
                if (custops_money_mul(runs[i].unit, units, &add))
                    return custops__err(CUSTOPS_ERANGE, "rule %s: discount overflows", r->id);
                x[runs[i].line] += add;
                uh[runs[i].line] = runs[i].unit;
                nh[runs[i].line] = units;
                if (left > 0)
                    left -= units;
            }
            unit_effects++;
            continue;
        }
        case EF_BXGY: {
            run runs[CUSTOPS_COUPON_MAX_LINES];
            size_t nr = 0;
            int64_t U = 0;
            for (int i = 0; i < v->ninl; i++) {
                int l = v->inl[i];
                if (v->base[l] > 0) {
                    runs[nr++] = (run){l, v->base[l] / c->lines[l].qty, c->lines[l].qty};
                    U += c->lines[l].qty;
                }
            }
            qsort(runs, nr, sizeof *runs, cmp_run);
            int64_t m = e->a + e->b, sets = U / m;
            if (e->d > 0 && sets > e->d)
                sets = e->d;
            if (sets == 0) {
                below = R_QTY_BELOW;
                *need = m;
                *unlocks = 0;
                continue;
            }
            int64_t end = sets * m, first_cheap = U - sets * e->b, pos = 0;
            for (size_t i = 0; i < nr; i++) {
                int64_t s0 = pos, s1 = pos + runs[i].qty, cnt;
                pos = s1;
                if (e->flag == 0) { /* cheapest: the last sets*get units overall */
                    int64_t a = s0 > first_cheap ? s0 : first_cheap;
                    cnt = s1 > a ? s1 - a : 0;
                } else { /* priciest: in each block of buy+get from the top, its last get units */
                    int64_t a = s0 < end ? s0 : end, b = s1 < end ? s1 : end;
                    cnt = block_count(b, m, e->a) - block_count(a, m, e->a);
                }
                if (!cnt)
                    continue;
                int64_t per, add;
                if ((rc = custops_money_muldiv(runs[i].unit, e->c, 10000, &per)))
                    return rc;
                if (custops_money_mul(per, cnt, &add))
                    return custops__err(CUSTOPS_ERANGE, "rule %s: discount overflows", r->id);
                x[runs[i].line] += add;
                uh[runs[i].line] = per;
                nh[runs[i].line] = cnt;
            }
            unit_effects++;
            continue;
        }
        default:
            continue;
        }
        if (!x) { /* amount only (see cpn_effects_apply): the shares would sum to d */
            lazy += v->nw ? d : 0;
            continue;
        }
        if (d > 0 && (rc = spread(v, d, x)))
            return rc;
    }
    if (!x) {
        *amount = lazy;
        return lazy == 0 && below >= 0 ? below : -1;
    }
    /* clamp to the line bases; mixed effects on a line lose the unit override */
    int64_t total = 0;
    for (int i = 0; i < v->ninl; i++) {
        int l = v->inl[i];
        if (x[l] > v->base[l]) {
            x[l] = v->base[l];
            uh[l] = -1;
        }
        if (unit_effects && r->neffects > 1)
            uh[l] = -1;
        total += x[l];
    }
    *amount = total;
    if (total == 0 && below >= 0)
        return below;
    return -1;
}
