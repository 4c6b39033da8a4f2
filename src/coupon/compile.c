/* Compile: the public entry points for rule text, the finishing pass shared
 * by the text and JSON loaders (zones, sorting by id, validation, splitting
 * conditions into conjuncts that explain themselves), and the ruleset's
 * lifetime. */
#include "coupon_internal.h"

#include <stdio.h>
#include <stdlib.h>

const char *const cpn_lane_names[LANE_COUNT] = {"item", "order", "shipping", "points", "issue"};
const char *const cpn_effect_names[EF_COUNT] = {"amount_off", "amount_off_each", "percent_off", "every", "tiers",
                                                "fixed_price", "buy", "free_shipping", "shipping_off", "gift",
                                                "points_x", "points_plus", "issue"};
const char *const cpn_limit_names[LIM_COUNT] = {"per_code", "per_customer", "total", "budget", "qty_per_customer",
                                                "per_order"};
const char *const cpn_period_names[5] = {"none", "day", "week", "month", "year"};
const char *const cpn_recipient_names[3] = {"customer", "inviter", "invitee"};

custops_ruleset *cpn_ruleset_alloc(void)
{
    custops_ruleset *rs = custops__calloc(1, sizeof *rs);
    if (!rs)
        return NULL;
    memcpy(rs->currency, "CNY", 4);
    rs->exponent = 2;
    rs->points_rate = 1;
    return rs;
}

void cpn_rule_release(cpn_rule *r)
{
    custops__free(r->id);
    custops__free(r->title);
    custops__free(r->combine_groups);
    custops__free(r->code);
    custops__free(r->event);
    custops__free(r->tz);
    custops__free(r->windows);
    for (int i = 0; i < r->nscope; i++)
        custops__free(r->scope[i].value);
    custops__free(r->scope);
    for (int i = 0; i < r->nnodes; i++)
        custops__free(r->nodes[i].s);
    custops__free(r->nodes);
    custops__free(r->conj);
    custops__free(r->conj_reason);
    custops__free(r->conj_need);
    for (int i = 0; i < r->neffects; i++) {
        custops__free(r->effects[i].str);
        custops__free(r->effects[i].tiers);
    }
    custops__free(r->effects);
    custops__free(r->limits);
}

/* the quote's lookup tables, see build_tables() and lane_conds() */
static void free_tables(custops_ruleset *rs)
{
    custops__free(rs->sel_table);
    custops__free(rs->scope_sel);
    custops__free(rs->scope_sel_at);
    custops__free(rs->scope_ninc);
    custops__free(rs->rule_table);
    custops__free(rs->plain_span);
    custops__free(rs->plain_run);
    custops__free(rs->wallet_span);
    rs->sel_table = NULL;
    rs->scope_sel = rs->scope_sel_at = rs->scope_ninc = NULL;
    rs->rule_table = NULL;
    rs->plain_span = NULL;
    rs->plain_run = NULL;
    rs->wallet_span = NULL;
    for (int l = 0; l < LANE_COUNT; l++) {
        custops__free(rs->lane_cond[l]);
        rs->lane_cond[l] = NULL;
    }
}

void custops_ruleset_free(custops_ruleset *rs)
{
    if (!rs)
        return;
    for (size_t i = 0; i < rs->nrules; i++)
        cpn_rule_release(&rs->rules[i]);
    custops__free(rs->rules);
    for (int i = 0; i < rs->ngroups; i++)
        custops__free(rs->groups[i].id);
    custops__free(rs->groups);
    for (int i = 0; i < rs->ntiers; i++)
        custops__free(rs->tiers[i]);
    custops__free(rs->tiers);
    for (int i = 0; i < rs->nzones; i++) {
        custops_zone_free(rs->zones[i]);
        custops__free(rs->zone_names[i]);
    }
    custops__free(rs->zones);
    custops__free(rs->zone_names);
    custops__free(rs->tz);
    for (int i = 0; i < LANE_COUNT; i++)
        custops__free(rs->lane_rules[i]);
    custops__free(rs->scope_rule);
    free_tables(rs);
    for (size_t i = 0; i < rs->nlints; i++)
        custops__free(rs->lints[i].msg);
    custops__free(rs->lints);
    custops__free(rs);
}

uint64_t cpn_sel_hash(int kind, const char *s)
{
    return custops__hash64(s, strlen(s), 0x9e3779b97f4a7c15ull * (uint64_t)(kind + 1));
}

int cpn_find_group(const custops_ruleset *rs, const char *id)
{
    for (int i = 0; i < rs->ngroups; i++)
        if (strcmp(rs->groups[i].id, id) == 0)
            return i;
    return -1;
}

int cpn_tier_rank(const custops_ruleset *rs, const char *tier)
{
    for (int i = 0; i < rs->ntiers; i++)
        if (strcmp(rs->tiers[i], tier) == 0)
            return i;
    return -1;
}

int cpn_add_node(cpn_rule *r, const cpn_node *n, int *idx)
{
    if (r->nnodes >= 4096)
        return custops__err(CUSTOPS_ELIMIT, "rule %s: condition has more than 4096 parts", r->id ? r->id : "?");
    if ((r->nnodes & 15) == 0) {
        cpn_node *m = custops__reallocarray(r->nodes, (size_t)r->nnodes + 16, sizeof *m);
        if (!m)
            return custops__nomem();
        r->nodes = m;
    }
    r->nodes[r->nnodes] = *n;
    *idx = r->nnodes++;
    return 0;
}

int cpn_zone_for(custops_ruleset *rs, const char *tz, const custops_zone **out)
{
    for (int i = 0; i < rs->nzones; i++)
        if (strcmp(rs->zone_names[i], tz) == 0) {
            *out = rs->zones[i];
            return 0;
        }
    custops_zone *z;
    int rc = custops_zone_open(&z, tz);
    if (rc)
        return rc;
    custops_zone **zm = custops__reallocarray(rs->zones, (size_t)rs->nzones + 1, sizeof *zm);
    if (zm)
        rs->zones = zm;
    char **nm = zm ? custops__reallocarray(rs->zone_names, (size_t)rs->nzones + 1, sizeof *nm) : NULL;
    if (nm)
        rs->zone_names = nm;
    char *name = nm ? custops__strdup(tz) : NULL;
    if (!name) {
        custops_zone_free(z);
        return custops__nomem();
    }
    rs->zones[rs->nzones] = z;
    rs->zone_names[rs->nzones++] = name;
    *out = z;
    return 0;
}

static int naive_to_instant(const custops_zone *z, int64_t naive, int64_t *out)
{
    int64_t day = naive >= 0 ? naive / 86400 : -((-naive + 86399) / 86400);
    int64_t sec = naive - day * 86400;
    if (day < INT32_MIN || day > INT32_MAX)
        return custops__err(CUSTOPS_ERANGE, "date out of range");
    return custops_zone_instant(z, (int32_t)day, (int32_t)sec, out);
}

static int lint(custops_ruleset *rs, const cpn_rule *r, int rule, const char *code, const char *fmt, ...)
    CUSTOPS__PRINTF(5, 6);
static int lint(custops_ruleset *rs, const cpn_rule *r, int rule, const char *code, const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (CUSTOPS__GROW(rs->lints, rs->lints_cap, rs->nlints + 1))
        return CUSTOPS_ENOMEM;
    char *m = custops__strdup(msg);
    if (!m)
        return custops__nomem();
    rs->lints[rs->nlints++] = (struct cpn_lint){rule, r->line, r->col, code, m};
    return 0;
}

static int collect_conj(cpn_rule *r, int node, int *out, int *n)
{
    if (r->nodes[node].op == X_AND) {
        collect_conj(r, r->nodes[node].a, out, n);
        collect_conj(r, r->nodes[node].b, out, n);
        return 0;
    }
    out[(*n)++] = node;
    return 0;
}

static int uses(const cpn_rule *r, int node, int op, const char *key)
{
    const cpn_node *x = &r->nodes[node];
    if (x->op == op && (!key || (x->s && strcmp(x->s, key) == 0)))
        return 1;
    switch (x->op) {
    case X_OR: case X_AND: case X_CMP:
        return uses(r, x->a, op, key) || uses(r, x->b, op, key);
    case X_NOT:
        return uses(r, x->a, op, key);
    case X_IN:
        return uses(r, x->a, op, key);
    default:
        return 0;
    }
}

/* What a failing conjunct means for the buyer, decided once at compile. */
static void classify(const cpn_rule *r, int node, int *reason, int64_t *need)
{
    const cpn_node *x = &r->nodes[node];
    *need = 0;
    if (x->op == X_CMP && (x->n == CMP_GE || x->n == CMP_GT) &&
        (r->nodes[x->a].op == X_SUBTOTAL || r->nodes[x->a].op == X_QTY) &&
        (r->nodes[x->b].op == X_MONEY || r->nodes[x->b].op == X_INT)) {
        *reason = r->nodes[x->a].op == X_SUBTOTAL ? R_SUBTOTAL_BELOW : R_QTY_BELOW;
        *need = r->nodes[x->b].v + (x->n == CMP_GT);
        return;
    }
    if (uses(r, node, X_IN_SEGMENT, NULL)) *reason = R_SEGMENT_MISMATCH;
    else if (uses(r, node, X_FIRST_ORDER, NULL) || uses(r, node, X_CUST_PAID, NULL)) *reason = R_NOT_FIRST_ORDER;
    else if (uses(r, node, X_CUST_KNOWN, NULL)) *reason = R_CUSTOMER_REQUIRED;
    else if (uses(r, node, X_CUST_TIER, NULL)) *reason = R_TIER_MISMATCH;
    else if (uses(r, node, X_CTX, "channel")) *reason = R_CHANNEL_MISMATCH;
    else if (uses(r, node, X_CTX, "payment")) *reason = R_PAYMENT_MISMATCH;
    else if (uses(r, node, X_CTX, "region")) *reason = R_REGION_MISMATCH;
    else *reason = R_CONDITION_FALSE;
}

static int rule_err(const char *what, const cpn_rule *r, int status, const char *msg)
{
    return custops__err(status, "%s:%d:%d: rule %s: %s", what, r->line, r->col, r->id, msg);
}

static int cmp_rule(const void *a, const void *b)
{
    return strcmp(((const cpn_rule *)a)->id, ((const cpn_rule *)b)->id);
}

/* selectors in a canonical order: exclude, kind, value */
static int cmp_sel(const void *a, const void *b)
{
    const cpn_sel *x = *(const cpn_sel *const *)a, *y = *(const cpn_sel *const *)b;
    if (x->exclude != y->exclude)
        return x->exclude - y->exclude;
    if (x->kind != y->kind)
        return x->kind - y->kind;
    return strcmp(x->value, y->value);
}

/* Give rules with the same selector set (in any order, with repeats) the
 * same scope id, numbered by first rule. The lines a scope selects depend
 * only on that set, so the quote computes them once per scope. Selector
 * hashes must be set. */
static int intern_scopes(custops_ruleset *rs)
{
    size_t nsel = 0, n = rs->nrules, slots = 16;
    for (size_t i = 0; i < n; i++)
        nsel += (size_t)rs->rules[i].nscope;
    while (slots < 2 * n)
        slots *= 2;
    const cpn_sel **sel = custops__calloc(nsel + 1, sizeof *sel);
    size_t *first = custops__calloc(n + 1, sizeof *first), *len = custops__calloc(n + 1, sizeof *len);
    uint64_t *hash = custops__calloc(n + 1, sizeof *hash);
    int *table = custops__malloc(slots * sizeof *table);
    custops__free(rs->scope_rule);
    rs->scope_rule = custops__calloc(n + 1, sizeof *rs->scope_rule);
    rs->nscopes = 0;
    rs->sel_kinds = 0;
    int rc = 0;
    if (!sel || !first || !len || !hash || !table || !rs->scope_rule) {
        rc = custops__nomem();
        goto done;
    }
    for (size_t k = 0; k < slots; k++)
        table[k] = -1;
    size_t at = 0;
    for (size_t i = 0; i < n; i++) {
        cpn_rule *r = &rs->rules[i];
        const cpn_sel **s = sel + at;
        size_t m = 0;
        for (int k = 0; k < r->nscope; k++) {
            s[m++] = &r->scope[k];
            rs->sel_kinds |= 1u << r->scope[k].kind;
        }
        if (m > 1)
            qsort(s, m, sizeof *s, cmp_sel);
        size_t u = 0; /* drop repeats */
        for (size_t k = 0; k < m; k++)
            if (!u || cmp_sel(&s[u - 1], &s[k]) != 0)
                s[u++] = s[k];
        uint64_t h = 0x84222325cbf29ce4ull;
        for (size_t k = 0; k < u; k++)
            h = (h ^ (s[k]->hash + (uint64_t)s[k]->exclude)) * 0x100000001b3ull;
        first[i] = at;
        len[i] = u;
        hash[i] = h;
        at += (size_t)r->nscope;
        size_t j = (size_t)h & (slots - 1);
        for (;; j = (j + 1) & (slots - 1)) {
            int o = table[j];
            if (o < 0) {
                table[j] = (int)i;
                r->scope_id = rs->nscopes;
                rs->scope_rule[rs->nscopes++] = (int)i;
                break;
            }
            if (hash[o] == h && len[o] == u) {
                size_t k = 0;
                while (k < u && cmp_sel(&sel[first[o] + k], &s[k]) == 0)
                    k++;
                if (k == u) {
                    r->scope_id = rs->rules[o].scope_id;
                    break;
                }
            }
        }
    }
done:
    custops__free(sel);
    custops__free(first);
    custops__free(len);
    custops__free(hash);
    custops__free(table);
    return rc;
}

/* (kind, s) in table t (see cpn_sent): its id if there, else it enters
 * with `id`, which is returned */
static int skey_add(cpn_sent *t, unsigned bits, int kind, const char *s, int id)
{
    int have = cpn_skey_find(t, bits, kind, s, 0);
    if (have >= 0)
        return have;
    cpn_skey k = cpn_skey_of(s, 0);
    size_t mask = ((size_t)1 << bits) - 1, i = cpn_skey_slot(&k, kind, bits);
    while (t[i].kind >= 0)
        i = (i + 1) & mask;
    t[i] = (cpn_sent){k.a, k.b, k.len, kind, id, s};
    return id;
}

/* an empty table of at least twice n slots, so probes stay short */
static cpn_sent *skey_table(size_t n, unsigned *bits)
{
    unsigned b = 1;
    while (((size_t)1 << b) < 2 * n)
        b++;
    cpn_sent *t = custops__malloc(((size_t)1 << b) * sizeof *t);
    if (!t)
        return NULL;
    for (size_t i = 0; i < ((size_t)1 << b); i++)
        t[i].kind = -1;
    *bits = b;
    return t;
}

/* The quote's lookup tables (see custops_ruleset): every distinct selector
 * of the scopes gets an id and each scope the list of its selector ids,
 * includes then excludes, repeats dropped; every rule id its index. Built
 * after intern_scopes(), from each scope's first rule (the others of a
 * scope have the same selector set). */
static int build_tables(custops_ruleset *rs)
{
    size_t total = 0;
    for (int s = 0; s < rs->nscopes; s++)
        total += (size_t)rs->rules[rs->scope_rule[s]].nscope;
    free_tables(rs);
    rs->sel_table = skey_table(total, &rs->sel_bits);
    rs->scope_sel = custops__malloc((total + 1) * sizeof *rs->scope_sel);
    rs->scope_sel_at = custops__malloc(((size_t)rs->nscopes + 1) * sizeof *rs->scope_sel_at);
    rs->scope_ninc = custops__malloc(((size_t)rs->nscopes + 1) * sizeof *rs->scope_ninc);
    size_t nwallet = 0;
    for (size_t i = 0; i < rs->nrules; i++)
        nwallet += rs->rules[i].code_mode == CODE_WALLET;
    rs->rule_table = skey_table(nwallet, &rs->rule_bits);
    rs->plain_span = custops__malloc((rs->nrules + 1) * sizeof *rs->plain_span);
    rs->wallet_span = custops__malloc((rs->nrules + 1) * sizeof *rs->wallet_span);
    rs->nsels = 0;
    /* per selector id: 1 + the last scope pass (two per scope) that listed it */
    size_t *seen = custops__calloc(total + 1, sizeof *seen);
    if (!rs->sel_table || !rs->scope_sel || !rs->scope_sel_at || !rs->scope_ninc || !rs->rule_table ||
        !rs->plain_span || !rs->wallet_span || !seen) {
        custops__free(seen);
        return custops__nomem();
    }
    size_t at = 0;
    for (int s = 0; s < rs->nscopes; s++) {
        const cpn_rule *r = &rs->rules[rs->scope_rule[s]];
        rs->scope_sel_at[s] = (int)at;
        for (int exclude = 0; exclude < 2; exclude++) {
            size_t pass = 2 * (size_t)s + (size_t)exclude + 1;
            for (int k = 0; k < r->nscope; k++) {
                const cpn_sel *x = &r->scope[k];
                if (x->exclude != exclude)
                    continue;
                int id = skey_add(rs->sel_table, rs->sel_bits, x->kind, x->value, rs->nsels);
                if (id == rs->nsels)
                    rs->nsels++;
                if (seen[id] != pass) {
                    seen[id] = pass;
                    rs->scope_sel[at++] = id;
                }
            }
            if (!exclude)
                rs->scope_ninc[s] = (int)at - rs->scope_sel_at[s];
        }
    }
    rs->scope_sel_at[rs->nscopes] = (int)at;
    custops__free(seen);
    for (size_t i = 0; i < rs->nrules; i++) {
        const cpn_rule *r = &rs->rules[i];
        if (r->code_mode == CODE_WALLET)
            skey_add(rs->rule_table, rs->rule_bits, 0, r->id, (int)i);
        /* in time, for a rule with no windows: now INT64_MAX takes the slow path, same answer */
        struct cpn_span span = r->has_valid ? (struct cpn_span){r->valid_from, r->valid_to}
                                            : (struct cpn_span){INT64_MIN, INT64_MAX};
        struct cpn_span none = {INT64_MAX, INT64_MIN};
        int timed = r->lane != LANE_ISSUE && !r->nwindows;
        rs->plain_span[i] = timed && r->code_mode == CODE_NONE ? span : none;
        rs->wallet_span[i] = timed && r->code_mode == CODE_WALLET ? span : none;
    }
    return 0;
}

/* rs->plain_run, from rs->plain_span: rules sorted by id often come in long
 * runs of one validity (a campaign's rules), which the quote then marks in
 * time with one test instead of one per rule (at most
 * CUSTOPS_COUPON_MAX_RULES: an index fits in 32 bits) */
static int plain_runs(custops_ruleset *rs)
{
    rs->plain_run = custops__malloc((rs->nrules + 1) * sizeof *rs->plain_run);
    if (!rs->plain_run)
        return custops__nomem();
    const struct cpn_span *p = rs->plain_span;
    for (size_t i = rs->nrules; i-- > 0;)
        rs->plain_run[i] = i + 1 < rs->nrules && p[i].from == p[i + 1].from && p[i].to == p[i + 1].to
                               ? rs->plain_run[i + 1]
                               : (uint32_t)(i + 1);
    return 0;
}

static int effect_lane_ok(int kind, int lane)
{
    switch (kind) {
    case EF_FREE_SHIPPING: case EF_SHIPPING_OFF: return lane == LANE_SHIPPING;
    case EF_POINTS_X: case EF_POINTS_PLUS: return lane == LANE_POINTS;
    case EF_ISSUE: return lane == LANE_ISSUE;
    default: return lane == LANE_ITEM || lane == LANE_ORDER;
    }
}

static int lint_rule(custops_ruleset *rs, int i)
{
    cpn_rule *r = &rs->rules[i];
    int rc = 0;
    char a[40], b[40];
    int64_t threshold = 0;
    for (int k = 0; k < r->nconj; k++)
        if (r->conj_reason[k] == R_SUBTOTAL_BELOW)
            threshold = r->conj_need[k];
    for (int k = 0; k < r->neffects && !rc; k++) {
        const cpn_effect *e = &r->effects[k];
        if (e->kind == EF_AMOUNT_OFF && threshold > 0 && e->a >= threshold) {
            custops_money_format(e->a, rs->exponent, a, sizeof a);
            custops_money_format(threshold, rs->exponent, b, sizeof b);
            rc = lint(rs, r, i, "DISCOUNT_GE_THRESHOLD", "discount %s is not below its threshold %s", a, b);
        }
        if (e->kind == EF_EVERY && e->b >= e->a) {
            custops_money_format(e->b, rs->exponent, a, sizeof a);
            custops_money_format(e->a, rs->exponent, b, sizeof b);
            rc = lint(rs, r, i, "DISCOUNT_GE_THRESHOLD", "every %s off %s gives the goods away", b, a);
        }
        if (e->kind == EF_TIERS)
            for (int t = 0; t < e->ntiers && !rc; t++) {
                if (e->tiers[2 * t + 1] >= e->tiers[2 * t]) {
                    custops_money_format(e->tiers[2 * t + 1], rs->exponent, a, sizeof a);
                    custops_money_format(e->tiers[2 * t], rs->exponent, b, sizeof b);
                    rc = lint(rs, r, i, "DISCOUNT_GE_THRESHOLD", "tier %s off is not below its threshold %s", a, b);
                }
                if (!rc && t > 0 && e->tiers[2 * t + 1] <= e->tiers[2 * t - 1]) {
                    custops_money_format(e->tiers[2 * t], rs->exponent, b, sizeof b);
                    rc = lint(rs, r, i, "UNREACHABLE_TIER", "tier at %s gives no more than the tier below it", b);
                }
                if (!rc && threshold > 0 && t + 1 < e->ntiers && e->tiers[2 * t + 2] <= threshold) {
                    custops_money_format(e->tiers[2 * t], rs->exponent, b, sizeof b);
                    rc = lint(rs, r, i, "UNREACHABLE_TIER", "tier at %s is below the rule's subtotal condition", b);
                }
            }
        if (!rc && e->kind == EF_PERCENT_OFF && e->a == 10000 && e->b < 0)
            rc = lint(rs, r, i, "PERCENT_FULL", "100%% off without a cap gives the goods away");
        for (int l = 0; l < r->nlimits && !rc; l++)
            if (r->limits[l].kind == LIM_BUDGET && (e->kind == EF_AMOUNT_OFF || e->kind == EF_SHIPPING_OFF) &&
                r->limits[l].n < e->a)
                rc = lint(rs, r, i, "BUDGET_BELOW_DISCOUNT", "budget is smaller than one discount");
    }
    if (!rc && r->has_valid && r->valid_from == r->valid_to)
        rc = lint(rs, r, i, "WINDOW_EMPTY", "valid interval is empty");
    if (!rc && r->has_valid && r->valid_from > r->valid_to)
        rc = lint(rs, r, i, "WINDOW_INVERTED", "valid interval ends before it starts");
    for (int w = 0; w < r->nwindows && !rc; w++) {
        if (r->windows[w].kind == WIN_FIRST)
            continue;
        if (r->windows[w].from_s == r->windows[w].to_s)
            rc = lint(rs, r, i, "WINDOW_EMPTY", "window %d is empty", w + 1);
        else if (r->windows[w].from_s > r->windows[w].to_s)
            rc = lint(rs, r, i, "WINDOW_INVERTED", "window %d ends before it starts (no wrap past midnight)", w + 1);
    }
    if (!rc && r->code_mode != CODE_NONE && r->nlimits == 0 && r->lane != LANE_ISSUE)
        rc = lint(rs, r, i, "CODE_WITHOUT_LIMIT", "a code or wallet coupon without any limit can be reused forever");
    return rc;
}

/* rs->lane_cond: per lane, in lane order, a rule's conditions when they
 * are none, one subtotal()/qty() threshold as classify() found it, or one
 * customer.tier comparison with a tier literal (the
 * quote then reads one record per rule, in order, not the rule's conj,
 * conj_reason and nodes), and flags of what else the quote asks of every
 * rule (its effects, its group's mode) */
static int lane_conds(custops_ruleset *rs)
{
    for (int l = 0; l < LANE_COUNT; l++) {
        struct cpn_lane_cond *lc = custops__malloc((rs->lane_n[l] ? (size_t)rs->lane_n[l] : 1) * sizeof *lc);
        if (!lc)
            return custops__nomem();
        rs->lane_cond[l] = lc;
        for (int li = 0; li < rs->lane_n[l]; li++) {
            const cpn_rule *r = &rs->rules[rs->lane_rules[l][li]];
            struct cpn_lane_cond c = {0, 0, -2, 0};
            if (r->nconj == 0) {
                c.why = -1;
            } else if (r->nconj == 1 && (r->conj_reason[0] == R_SUBTOTAL_BELOW || r->conj_reason[0] == R_QTY_BELOW)) {
                const cpn_node *x = &r->nodes[r->conj[0]];
                c = (struct cpn_lane_cond){r->nodes[x->b].v, r->conj_need[0], (signed char)r->conj_reason[0],
                                           (signed char)x->n};
            } else if (r->nconj == 1 && r->conj_reason[0] == R_TIER_MISMATCH && cpn_tier_literal(r, r->conj[0])) {
                const cpn_node *x = &r->nodes[r->conj[0]];
                c = (struct cpn_lane_cond){r->nodes[x->b].v, 0, R_TIER_MISMATCH, (signed char)x->n};
            }
            c.flags = (unsigned char)((cpn_effects_lazy(r) ? CPN_LC_LAZY : 0) |
                                      (r->group >= 0 && rs->groups[r->group].mode == GM_PER_LINE ? CPN_LC_PER_LINE : 0));
            lc[li] = c;
        }
    }
    return 0;
}

int cpn_ruleset_finish(custops_ruleset *rs, const char *what)
{
    int rc;
    if (rs->nrules > 1)
        qsort(rs->rules, rs->nrules, sizeof *rs->rules, cmp_rule);
    for (size_t i = 0; i + 1 < rs->nrules; i++)
        if (strcmp(rs->rules[i].id, rs->rules[i + 1].id) == 0)
            return rule_err(what, &rs->rules[i + 1], CUSTOPS_EEXISTS, "rule id used twice");
    const custops_zone *dz = NULL;
    if (rs->tz && (rc = cpn_zone_for(rs, rs->tz, &dz)))
        return custops__err(rc, "%s: tz \"%s\": %s", what, rs->tz, custops_last_error());
    for (size_t i = 0; i < rs->nrules; i++) {
        cpn_rule *r = &rs->rules[i];
        r->zone = dz;
        r->has_gift = r->nmoney = 0;
        for (int k = 0; k < r->neffects; k++) {
            r->has_gift |= r->effects[k].kind == EF_GIFT;
            r->nmoney += r->effects[k].kind <= EF_BXGY; /* the effects that discount lines */
        }
        if (r->tz && (rc = cpn_zone_for(rs, r->tz, &r->zone)))
            return custops__err(rc, "%s:%d:%d: rule %s: tz \"%s\": %s", what, r->line, r->col, r->id, r->tz,
                                custops_last_error());
        if ((r->has_valid || r->nwindows) && !r->zone)
            return rule_err(what, r, CUSTOPS_EPARSE, "a time window needs a zone (tz \"Asia/Shanghai\";)");
        if (r->naive) {
            if (r->has_valid && ((rc = naive_to_instant(r->zone, r->valid_from, &r->valid_from)) ||
                                 (rc = naive_to_instant(r->zone, r->valid_to, &r->valid_to))))
                return rc;
            for (int w = 0; w < r->nwindows; w++)
                if (r->windows[w].kind == WIN_FIRST && (rc = naive_to_instant(r->zone, r->windows[w].at, &r->windows[w].at)))
                    return rc;
            r->naive = 0;
        }
        if (r->event && r->lane != LANE_ISSUE)
            return rule_err(what, r, CUSTOPS_EPARSE, "an 'on EVENT' rule must be in lane issue");
        if (!r->event && r->lane == LANE_ISSUE)
            return rule_err(what, r, CUSTOPS_EPARSE, "a lane issue rule needs 'on EVENT;'");
        if (r->lane == LANE_ISSUE && r->group >= 0)
            return rule_err(what, r, CUSTOPS_EPARSE, "issuance rules take no stacking group");
        for (int k = 0; k < r->nscope; k++)
            r->scope[k].hash = cpn_sel_hash(r->scope[k].kind, r->scope[k].value);
        for (int k = 0; k < r->neffects; k++) {
            if (!effect_lane_ok(r->effects[k].kind, r->lane)) {
                char msg[96];
                snprintf(msg, sizeof msg, "effect %s does not belong in lane %s", cpn_effect_names[r->effects[k].kind],
                         cpn_lane_names[r->lane]);
                return rule_err(what, r, CUSTOPS_EPARSE, msg);
            }
        }
        /* conjuncts */
        custops__free(r->conj);
        custops__free(r->conj_reason);
        custops__free(r->conj_need);
        r->conj = NULL;
        r->conj_reason = NULL;
        r->conj_need = NULL;
        r->nconj = 0;
        if (r->root >= 0) {
            r->conj = custops__calloc((size_t)r->nnodes, sizeof *r->conj);
            r->conj_reason = custops__calloc((size_t)r->nnodes, sizeof *r->conj_reason);
            r->conj_need = custops__calloc((size_t)r->nnodes, sizeof *r->conj_need);
            if (!r->conj || !r->conj_reason || !r->conj_need)
                return custops__nomem();
            collect_conj(r, r->root, r->conj, &r->nconj);
            for (int k = 0; k < r->nconj; k++)
                classify(r, r->conj[k], &r->conj_reason[k], &r->conj_need[k]);
        }
    }
    if ((rc = intern_scopes(rs)) || (rc = build_tables(rs)) || (rc = plain_runs(rs)))
        return rc;
    for (int l = 0; l < LANE_COUNT; l++) {
        custops__free(rs->lane_rules[l]);
        rs->lane_rules[l] = custops__calloc(rs->nrules ? rs->nrules : 1, sizeof(int));
        if (!rs->lane_rules[l])
            return custops__nomem();
        rs->lane_n[l] = 0;
    }
    for (size_t i = 0; i < rs->nrules; i++) {
        int l = rs->rules[i].lane;
        rs->lane_rules[l][rs->lane_n[l]++] = (int)i;
        if ((rc = lint_rule(rs, (int)i)))
            return rc;
    }
    return lane_conds(rs);
}

int custops_ruleset_compile(custops_ruleset **out, const char *text, size_t len, const char *what)
{
    CUSTOPS__CHECK_NULL(out);
    *out = NULL;
    CUSTOPS__CHECK_NULL(text);
    if (!what)
        what = "<rules>";
    if (len > CUSTOPS_COUPON_MAX_TEXT)
        return custops__err(CUSTOPS_ELIMIT, "%s: rule text larger than %u bytes", what, CUSTOPS_COUPON_MAX_TEXT);
    custops_ruleset *rs = cpn_ruleset_alloc();
    if (!rs)
        return custops__nomem();
    int rc = cpn_parse_ruleset(rs, text, len, what);
    if (!rc)
        rc = cpn_ruleset_finish(rs, what);
    if (rc) {
        custops_ruleset_free(rs);
        return rc;
    }
    *out = rs;
    return 0;
}

size_t custops_ruleset_nrules(const custops_ruleset *rs) { return rs ? rs->nrules : 0; }

const char *custops_ruleset_rule_id(const custops_ruleset *rs, size_t i)
{
    return rs && i < rs->nrules ? rs->rules[i].id : "";
}

int custops_ruleset_lint(custops_frame **out, const custops_ruleset *rs)
{
    CUSTOPS__CHECK_NULL(out);
    *out = NULL;
    CUSTOPS__CHECK_NULL(rs);
    size_t n = rs->nlints;
    const char **rule = custops__calloc(n + 1, sizeof *rule), **code = custops__calloc(n + 1, sizeof *code),
               **msg = custops__calloc(n + 1, sizeof *msg);
    int64_t *line = custops__calloc(n + 1, sizeof *line), *col = custops__calloc(n + 1, sizeof *col);
    custops_frame *f = NULL;
    int rc = (!rule || !code || !msg || !line || !col) ? custops__nomem() : 0;
    for (size_t i = 0; !rc && i < n; i++) {
        rule[i] = rs->rules[rs->lints[i].rule].id;
        code[i] = rs->lints[i].code;
        msg[i] = rs->lints[i].msg;
        line[i] = rs->lints[i].line;
        col[i] = rs->lints[i].col;
    }
    if (!rc)
        rc = custops_frame_new(&f);
    if (!rc)
        rc = custops_frame_add_string(f, "rule", rule, n);
    if (!rc)
        rc = custops_frame_add_int64(f, "line", line, n);
    if (!rc)
        rc = custops_frame_add_int64(f, "column", col, n);
    if (!rc)
        rc = custops_frame_add_string(f, "code", code, n);
    if (!rc)
        rc = custops_frame_add_string(f, "message", msg, n);
    custops__free(rule);
    custops__free(code);
    custops__free(msg);
    custops__free(line);
    custops__free(col);
    if (rc) {
        custops_frame_free(f);
        return rc;
    }
    *out = f;
    return 0;
}
