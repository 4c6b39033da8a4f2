/* The canonical JSON form of a ruleset, both ways. Canonical means: rules
 * sorted by id, every key always present in a fixed order, money as exact
 * decimal strings, instants as local ISO 8601 with offset in the rule's
 * zone, conditions as canonical text (one string per conjunct). So
 * text -> ruleset -> JSON -> ruleset -> JSON gives identical bytes. */
#include "coupon_internal.h"

#include <stdio.h>

int cpn_money_print(custops__buf *b, int64_t v, int exponent)
{
    char s[40];
    custops_money_format(v, exponent, s, sizeof s);
    return custops__buf_puts(b, s);
}

static void jmoney(custops__buf *b, int64_t v, int exponent)
{
    custops__buf_u8(b, '"');
    cpn_money_print(b, v, exponent);
    custops__buf_u8(b, '"');
}

static void jtime(custops__buf *b, int64_t t, const custops_zone *z)
{
    char s[48];
    int32_t off = 0;
    /* ISO 8601 offsets have minutes at most: local mean time (+08:05:43)
     * would not read back exactly, so such instants are written in UTC */
    if (z && (custops_zone_offset(z, t, &off) || off % 60))
        z = NULL;
    custops_time_format(t, z, s, sizeof s);
    cpn_buf_jstr(b, s);
}

static void jnullstr(custops__buf *b, const char *s)
{
    if (s)
        cpn_buf_jstr(b, s);
    else
        custops__buf_puts(b, "null");
}

static const char *const CMP_TEXT[] = {">=", ">", "<=", "<", "==", "!="};

int cpn_expr_print(custops__buf *b, const custops_ruleset *rs, const cpn_rule *r, int node, int top)
{
    const cpn_node *x = &r->nodes[node];
    switch (x->op) {
    case X_OR:
    case X_AND: {
        if (!top)
            custops__buf_u8(b, '(');
        const cpn_node *l = &r->nodes[x->a];
        cpn_expr_print(b, rs, r, x->a, l->op == x->op); /* left-assoc chain needs no parentheses */
        custops__buf_puts(b, x->op == X_OR ? " or " : " and ");
        cpn_expr_print(b, rs, r, x->b, 0);
        if (!top)
            custops__buf_u8(b, ')');
        return 0;
    }
    case X_NOT:
        custops__buf_puts(b, "not ");
        return cpn_expr_print(b, rs, r, x->a, 0);
    case X_CMP:
        cpn_expr_print(b, rs, r, x->a, 0);
        custops__buf_printf(b, " %s ", CMP_TEXT[x->n]);
        return cpn_expr_print(b, rs, r, x->b, 0);
    case X_IN:
        cpn_expr_print(b, rs, r, x->a, 0);
        custops__buf_puts(b, " in (");
        for (int i = 0; i < x->n; i++) {
            if (i)
                custops__buf_puts(b, ", ");
            cpn_expr_print(b, rs, r, x->b + i, 0);
        }
        return custops__buf_u8(b, ')');
    case X_INT: return custops__buf_printf(b, "%lld", (long long)x->v);
    case X_MONEY: return cpn_money_print(b, x->v, rs->exponent);
    case X_STR:
        if (x->type == T_TIER)
            return custops__buf_printf(b, "\"%s\"", rs->tiers[x->v]);
        return custops__buf_printf(b, "\"%s\"", x->s);
    case X_BOOL: return custops__buf_puts(b, x->v ? "true" : "false");
    case X_SUBTOTAL: return custops__buf_puts(b, "subtotal()");
    case X_QTY: return custops__buf_puts(b, "qty()");
    case X_FIRST_ORDER: return custops__buf_puts(b, "first_order()");
    case X_IN_SEGMENT: return custops__buf_printf(b, "in_segment(\"%s\")", x->s);
    case X_CUST_KNOWN: return custops__buf_puts(b, "customer.known");
    case X_CUST_PAID: return custops__buf_puts(b, "customer.paid_orders");
    case X_CUST_TIER: return custops__buf_puts(b, "customer.tier");
    case X_CUST_ID: return custops__buf_puts(b, "customer.id");
    case X_CTX: return custops__buf_printf(b, "ctx.%s", x->s);
    default: return 0;
    }
}

static const char *const SEL_NAMES[] = {"sku", "category", "brand", "tag"};
static const char *const COMBINE_NAMES[] = {"all", "none", "only", "except"};
static const char *const CODE_NAMES[] = {"none", "required", "wallet"};
static const char *const GROUP_MODES[] = {"exclusive", "exclusive_per_line", "stackable"};

static void hhmm(custops__buf *b, int32_t s) { custops__buf_printf(b, "\"%02d:%02d\"", s / 3600, s / 60 % 60); }

static void effect_json(custops__buf *b, const custops_ruleset *rs, const cpn_effect *e)
{
    int x = rs->exponent;
    custops__buf_printf(b, "{\"kind\":\"%s\"", cpn_effect_names[e->kind]);
    switch (e->kind) {
    case EF_AMOUNT_OFF:
    case EF_SHIPPING_OFF:
        custops__buf_puts(b, ",\"amount\":");
        jmoney(b, e->a, x);
        break;
    case EF_AMOUNT_OFF_EACH:
        custops__buf_puts(b, ",\"amount\":");
        jmoney(b, e->a, x);
        custops__buf_printf(b, ",\"max_units\":%lld", (long long)e->b);
        break;
    case EF_PERCENT_OFF:
        custops__buf_puts(b, ",\"percent\":");
        jmoney(b, e->a, 2);
        custops__buf_puts(b, ",\"cap\":");
        if (e->b >= 0)
            jmoney(b, e->b, x);
        else
            custops__buf_puts(b, "null");
        break;
    case EF_EVERY:
        custops__buf_puts(b, ",\"step\":");
        jmoney(b, e->a, x);
        custops__buf_puts(b, ",\"off\":");
        jmoney(b, e->b, x);
        custops__buf_printf(b, ",\"max_times\":%lld", (long long)e->c);
        break;
    case EF_TIERS:
        custops__buf_puts(b, ",\"tiers\":[");
        for (int t = 0; t < e->ntiers; t++) {
            custops__buf_puts(b, t ? ",[" : "[");
            jmoney(b, e->tiers[2 * t], x);
            custops__buf_u8(b, ',');
            jmoney(b, e->tiers[2 * t + 1], x);
            custops__buf_u8(b, ']');
        }
        custops__buf_u8(b, ']');
        break;
    case EF_FIXED_PRICE:
        custops__buf_puts(b, ",\"price\":");
        jmoney(b, e->a, x);
        break;
    case EF_BXGY:
        custops__buf_printf(b, ",\"buy\":%lld,\"get\":%lld,\"percent\":", (long long)e->a, (long long)e->b);
        jmoney(b, e->c, 2);
        custops__buf_printf(b, ",\"select\":\"%s\",\"max_sets\":%lld", e->flag ? "priciest" : "cheapest", (long long)e->d);
        break;
    case EF_GIFT:
        custops__buf_puts(b, ",\"sku\":");
        cpn_buf_jstr(b, e->str);
        custops__buf_printf(b, ",\"qty\":%lld", (long long)e->a);
        break;
    case EF_POINTS_X: custops__buf_printf(b, ",\"factor\":%lld", (long long)e->a); break;
    case EF_POINTS_PLUS: custops__buf_printf(b, ",\"points\":%lld", (long long)e->a); break;
    case EF_ISSUE:
        custops__buf_puts(b, ",\"template\":");
        cpn_buf_jstr(b, e->str);
        custops__buf_printf(b, ",\"to\":\"%s\"", cpn_recipient_names[e->flag]);
        break;
    default: break;
    }
    custops__buf_u8(b, '}');
}

static void rule_json(custops__buf *b, const custops_ruleset *rs, const cpn_rule *r)
{
    custops__buf_puts(b, "{\"id\":");
    cpn_buf_jstr(b, r->id);
    custops__buf_puts(b, ",\"title\":");
    jnullstr(b, r->title);
    custops__buf_printf(b, ",\"lane\":\"%s\",\"group\":", cpn_lane_names[r->lane]);
    jnullstr(b, r->group >= 0 ? rs->groups[r->group].id : NULL);
    custops__buf_printf(b, ",\"combine\":{\"mode\":\"%s\",\"groups\":[", COMBINE_NAMES[r->combine]);
    for (int i = 0; i < r->ncombine; i++) {
        if (i)
            custops__buf_u8(b, ',');
        cpn_buf_jstr(b, rs->groups[r->combine_groups[i]].id);
    }
    custops__buf_printf(b, "]},\"priority\":%lld,\"code\":{\"mode\":\"%s\",\"value\":", (long long)r->priority,
                        CODE_NAMES[r->code_mode]);
    jnullstr(b, r->code);
    custops__buf_puts(b, "},\"on\":");
    cpn_buf_jstr(b, r->event ? r->event : "quote");
    custops__buf_puts(b, ",\"tz\":");
    jnullstr(b, r->tz);
    custops__buf_puts(b, ",\"valid\":");
    if (r->has_valid) {
        custops__buf_puts(b, "{\"from\":");
        jtime(b, r->valid_from, r->zone);
        custops__buf_puts(b, ",\"to\":");
        jtime(b, r->valid_to, r->zone);
        custops__buf_u8(b, '}');
    } else {
        custops__buf_puts(b, "null");
    }
    custops__buf_puts(b, ",\"windows\":[");
    for (int i = 0; i < r->nwindows; i++) {
        const cpn_window *w = &r->windows[i];
        if (i)
            custops__buf_u8(b, ',');
        if (w->kind == WIN_FIRST) {
            custops__buf_puts(b, "{\"kind\":\"first\",\"from\":");
            jtime(b, w->at, r->zone);
            custops__buf_printf(b, ",\"seconds\":%lld}", (long long)w->dur);
            continue;
        }
        custops__buf_printf(b, "{\"kind\":\"%s\",\"days\":[", w->kind == WIN_DOW ? "dow" : "dom");
        int first = 1;
        for (int d = 1; d <= 31; d++)
            if (w->mask & (1u << d)) {
                custops__buf_printf(b, first ? "%d" : ",%d", d);
                first = 0;
            }
        custops__buf_puts(b, "],\"from\":");
        hhmm(b, w->from_s);
        custops__buf_puts(b, ",\"to\":");
        hhmm(b, w->to_s);
        custops__buf_u8(b, '}');
    }
    custops__buf_puts(b, "],\"scope\":[");
    for (int i = 0; i < r->nscope; i++) {
        custops__buf_printf(b, "%s{\"kind\":\"%s\",\"exclude\":%s,\"value\":", i ? "," : "", SEL_NAMES[r->scope[i].kind],
                            r->scope[i].exclude ? "true" : "false");
        cpn_buf_jstr(b, r->scope[i].value);
        custops__buf_u8(b, '}');
    }
    custops__buf_puts(b, "],\"when\":[");
    for (int i = 0; i < r->nconj; i++) {
        custops__buf tmp;
        custops__buf_init(&tmp);
        cpn_expr_print(&tmp, rs, r, r->conj[i], 1);
        custops__buf_u8(&tmp, 0);
        if (i)
            custops__buf_u8(b, ',');
        if (tmp.failed)
            b->failed = 1;
        else
            cpn_buf_jstr(b, (const char *)tmp.data);
        custops__buf_release(&tmp);
    }
    custops__buf_puts(b, "],\"then\":[");
    for (int i = 0; i < r->neffects; i++) {
        if (i)
            custops__buf_u8(b, ',');
        effect_json(b, rs, &r->effects[i]);
    }
    custops__buf_puts(b, "],\"limits\":[");
    for (int i = 0; i < r->nlimits; i++) {
        const cpn_limit *l = &r->limits[i];
        custops__buf_printf(b, "%s{\"kind\":\"%s\",\"n\":", i ? "," : "", cpn_limit_names[l->kind]);
        if (l->kind == LIM_BUDGET)
            jmoney(b, l->n, rs->exponent);
        else
            custops__buf_printf(b, "%lld", (long long)l->n);
        custops__buf_printf(b, ",\"period\":\"%s\"}", cpn_period_names[l->period]);
    }
    custops__buf_printf(b, "],\"restore\":\"%s\",\"cost_points\":%lld}",
                        r->restore == RESTORE_NEVER ? "never" : "on_full_reversal", (long long)r->cost_points);
}

int custops_ruleset_to_json(const custops_ruleset *rs, char **json_out, size_t *len_out)
{
    CUSTOPS__CHECK_NULL(json_out);
    *json_out = NULL;
    if (len_out)
        *len_out = 0;
    CUSTOPS__CHECK_NULL(rs);
    custops__buf b;
    custops__buf_init(&b);
    custops__buf_printf(&b, "{\"format\":\"custops.coupons/1\",\"currency\":\"%s\",\"tz\":", rs->currency);
    jnullstr(&b, rs->tz);
    custops__buf_printf(&b, ",\"points_rate\":%lld,\"tiers\":[", (long long)rs->points_rate);
    for (int i = 0; i < rs->ntiers; i++) {
        if (i)
            custops__buf_u8(&b, ',');
        cpn_buf_jstr(&b, rs->tiers[i]);
    }
    custops__buf_puts(&b, "],\"groups\":[");
    for (int i = 0; i < rs->ngroups; i++) {
        custops__buf_puts(&b, i ? ",\n{\"id\":" : "\n{\"id\":");
        cpn_buf_jstr(&b, rs->groups[i].id);
        custops__buf_printf(&b, ",\"mode\":\"%s\",\"max\":%d}", GROUP_MODES[rs->groups[i].mode], rs->groups[i].max);
    }
    custops__buf_puts(&b, "],\"rules\":[");
    for (size_t i = 0; i < rs->nrules; i++) {
        custops__buf_puts(&b, i ? ",\n" : "\n");
        rule_json(&b, rs, &rs->rules[i]);
    }
    custops__buf_puts(&b, "]}\n");
    custops__buf_u8(&b, 0);
    int rc = custops__buf_status(&b);
    if (rc) {
        custops__buf_release(&b);
        return rc;
    }
    if (len_out)
        *len_out = b.len - 1;
    *json_out = (char *)b.data;
    return 0;
}

/* ---- from JSON ---- */

static int pick(const cpn_jdoc *d, const cpn_json *v, const char *const *names, int n, int *out)
{
    const char *s;
    int rc = cpn_json_str(d, v, &s);
    if (rc)
        return rc;
    for (int i = 0; i < n; i++)
        if (strcmp(s, names[i]) == 0) {
            *out = i;
            return 0;
        }
    return cpn_json_err(d, v, "unknown value \"%.40s\"", s);
}

static int dupstr(const cpn_jdoc *d, const cpn_json *v, char **out, int nullable)
{
    if (nullable && (!v || v->type == JS_NULL)) {
        *out = NULL;
        return 0;
    }
    const char *s;
    int rc = cpn_json_str(d, v, &s);
    if (rc)
        return rc;
    *out = custops__strdup(s);
    return *out ? 0 : custops__nomem();
}

static int get_int(const cpn_jdoc *d, const cpn_json *o, const char *key, int64_t lo, int64_t hi, int64_t *out)
{
    const cpn_json *v = cpn_json_get(d, o, key);
    if (!v)
        return cpn_json_err(d, o, "missing key \"%s\"", key);
    int rc = cpn_json_i64(d, v, out);
    if (!rc && (*out < lo || *out > hi))
        return cpn_json_err(d, v, "\"%s\" out of range", key);
    return rc;
}

static int get_money(const cpn_jdoc *d, const cpn_json *o, const char *key, int exponent, int64_t *out)
{
    const cpn_json *v = cpn_json_get(d, o, key);
    if (!v)
        return cpn_json_err(d, o, "missing key \"%s\"", key);
    return cpn_json_money(d, v, exponent, out);
}

static int get_time(const cpn_jdoc *d, const cpn_json *o, const char *key, int64_t *out)
{
    const char *s;
    const cpn_json *v = cpn_json_get(d, o, key);
    int rc = cpn_json_str(d, v, &s);
    if (!rc && custops_time_parse(s, NULL, out))
        return cpn_json_err(d, v, "bad date-time \"%.40s\"", s);
    return rc;
}

static int hhmm_parse(const cpn_jdoc *d, const cpn_json *v, int32_t *out)
{
    const char *s;
    int rc = cpn_json_str(d, v, &s);
    if (rc)
        return rc;
    if (strlen(s) != 5 || s[2] != ':')
        return cpn_json_err(d, v, "expected HH:MM");
    int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
    if (h < 0 || h > 24 || m < 0 || m > 59 || (h == 24 && m))
        return cpn_json_err(d, v, "expected HH:MM");
    *out = h * 3600 + m * 60;
    return 0;
}

static int arr(const cpn_jdoc *d, const cpn_json *o, const char *key, const cpn_json **out)
{
    const cpn_json *v = cpn_json_get(d, o, key);
    *out = NULL;
    if (!v || v->type != JS_ARR)
        return cpn_json_err(d, v ? v : o, "expected \"%s\" to be an array", key);
    *out = v;
    return 0;
}

static int effect_from(const cpn_jdoc *d, const custops_ruleset *rs, const cpn_json *o, cpn_effect *e)
{
    int x = rs->exponent, rc;
    memset(e, 0, sizeof *e);
    e->b = -1;
    if ((rc = pick(d, cpn_json_get(d, o, "kind"), cpn_effect_names, EF_COUNT, &e->kind)))
        return rc;
    switch (e->kind) {
    case EF_AMOUNT_OFF:
    case EF_SHIPPING_OFF:
        return get_money(d, o, "amount", x, &e->a);
    case EF_AMOUNT_OFF_EACH:
        if ((rc = get_money(d, o, "amount", x, &e->a)))
            return rc;
        return get_int(d, o, "max_units", 0, 1000000000, &e->b);
    case EF_PERCENT_OFF: {
        if ((rc = get_money(d, o, "percent", 2, &e->a)))
            return rc;
        if (e->a <= 0 || e->a > 10000)
            return cpn_json_err(d, o, "percent out of range");
        const cpn_json *cap = cpn_json_get(d, o, "cap");
        if (cap && cap->type != JS_NULL) {
            if ((rc = cpn_json_money(d, cap, x, &e->b)))
                return rc;
            if (e->b <= 0)
                return cpn_json_err(d, cap, "cap must be above 0");
        }
        return 0;
    }
    case EF_EVERY:
        if ((rc = get_money(d, o, "step", x, &e->a)) || (rc = get_money(d, o, "off", x, &e->b)) ||
            (rc = get_int(d, o, "max_times", 0, 1000000000, &e->c)))
            return rc;
        return e->a > 0 && e->b > 0 ? 0 : cpn_json_err(d, o, "every: step and off must be above 0");
    case EF_TIERS: {
        const cpn_json *t = NULL;
        if ((rc = arr(d, o, "tiers", &t)))
            return rc;
        if (t->count == 0 || t->count > 64)
            return cpn_json_err(d, t, "1 to 64 tiers");
        e->tiers = custops__calloc((size_t)t->count * 2, sizeof *e->tiers);
        if (!e->tiers)
            return custops__nomem();
        for (uint32_t i = 0; i < t->count; i++) {
            const cpn_json *pair = cpn_json_at(d, t, i);
            if (!pair || pair->type != JS_ARR || pair->count != 2)
                return cpn_json_err(d, pair, "a tier is [threshold, off]");
            if ((rc = cpn_json_money(d, cpn_json_at(d, pair, 0), x, &e->tiers[2 * i])) ||
                (rc = cpn_json_money(d, cpn_json_at(d, pair, 1), x, &e->tiers[2 * i + 1])))
                return rc;
            if (i && e->tiers[2 * i] <= e->tiers[2 * i - 2])
                return cpn_json_err(d, pair, "tier thresholds must increase");
            e->ntiers++;
        }
        return 0;
    }
    case EF_FIXED_PRICE:
        return get_money(d, o, "price", x, &e->a);
    case EF_BXGY: {
        static const char *const sel[] = {"cheapest", "priciest"};
        if ((rc = get_int(d, o, "buy", 1, 1000, &e->a)) || (rc = get_int(d, o, "get", 1, 1000, &e->b)) ||
            (rc = get_money(d, o, "percent", 2, &e->c)) || (rc = get_int(d, o, "max_sets", 0, 1000000000, &e->d)) ||
            (rc = pick(d, cpn_json_get(d, o, "select"), sel, 2, &e->flag)))
            return rc;
        return e->c > 0 && e->c <= 10000 ? 0 : cpn_json_err(d, o, "percent out of range");
    }
    case EF_GIFT:
        if ((rc = dupstr(d, cpn_json_get(d, o, "sku"), &e->str, 0)))
            return rc;
        return get_int(d, o, "qty", 1, 1000000, &e->a);
    case EF_POINTS_X: return get_int(d, o, "factor", 1, 100, &e->a);
    case EF_POINTS_PLUS: return get_int(d, o, "points", 1, 1000000000, &e->a);
    case EF_ISSUE:
        if ((rc = dupstr(d, cpn_json_get(d, o, "template"), &e->str, 0)))
            return rc;
        return pick(d, cpn_json_get(d, o, "to"), cpn_recipient_names, 3, &e->flag);
    default: return 0;
    }
}

static int group_named(const cpn_jdoc *d, const custops_ruleset *rs, const cpn_json *v, int *out)
{
    const char *s;
    int rc = cpn_json_str(d, v, &s);
    if (rc)
        return rc;
    *out = cpn_find_group(rs, s);
    return *out >= 0 ? 0 : cpn_json_err(d, v, "unknown group \"%.40s\"", s);
}

static int rule_from(const cpn_jdoc *d, custops_ruleset *rs, const cpn_json *o, cpn_rule *r)
{
    int rc, mode;
    const cpn_json *v, *a = NULL;
    r->line = 0;
    r->col = 0;
    r->group = -1;
    r->root = -1;
    if (!o || o->type != JS_OBJ)
        return cpn_json_err(d, o, "a rule is an object");
    if ((rc = dupstr(d, cpn_json_get(d, o, "id"), &r->id, 0)) ||
        (rc = dupstr(d, cpn_json_get(d, o, "title"), &r->title, 1)) ||
        (rc = pick(d, cpn_json_get(d, o, "lane"), cpn_lane_names, LANE_COUNT, &r->lane)))
        return rc;
    if (!r->id[0])
        return cpn_json_err(d, o, "empty rule id");
    v = cpn_json_get(d, o, "group");
    if (v && v->type != JS_NULL && (rc = group_named(d, rs, v, &r->group)))
        return rc;
    const cpn_json *comb = cpn_json_get(d, o, "combine");
    static const char *const combine_names[] = {"all", "none", "only", "except"};
    if ((rc = pick(d, cpn_json_get(d, comb, "mode"), combine_names, 4, &r->combine)) || (rc = arr(d, comb, "groups", &a)))
        return rc;
    if (a->count > CUSTOPS_COUPON_MAX_GROUPS)
        return cpn_json_err(d, a, "too many groups");
    if (a->count) {
        r->combine_groups = custops__calloc(a->count, sizeof(int));
        if (!r->combine_groups)
            return custops__nomem();
        for (uint32_t i = 0; i < a->count; i++, r->ncombine++)
            if ((rc = group_named(d, rs, cpn_json_at(d, a, i), &r->combine_groups[i])))
                return rc;
    }
    if ((rc = get_int(d, o, "priority", -1000000, 1000000, &r->priority)))
        return rc;
    const cpn_json *code = cpn_json_get(d, o, "code");
    static const char *const code_names[] = {"none", "required", "wallet"};
    if ((rc = pick(d, cpn_json_get(d, code, "mode"), code_names, 3, &r->code_mode)) ||
        (rc = dupstr(d, cpn_json_get(d, code, "value"), &r->code, 1)))
        return rc;
    if (r->code_mode == CODE_REQUIRED && (!r->code || !r->code[0]))
        return cpn_json_err(d, code, "a required code needs a value");
    if (r->code)
        for (char *c = r->code; *c; c++)
            if (*c >= 'a' && *c <= 'z')
                *c = (char)(*c - 32);
    if ((rc = dupstr(d, cpn_json_get(d, o, "on"), &r->event, 0)))
        return rc;
    if (strcmp(r->event, "quote") == 0) {
        custops__free(r->event);
        r->event = NULL;
    }
    if ((rc = dupstr(d, cpn_json_get(d, o, "tz"), &r->tz, 1)))
        return rc;
    v = cpn_json_get(d, o, "valid");
    if (v && v->type != JS_NULL) {
        r->has_valid = 1;
        if ((rc = get_time(d, v, "from", &r->valid_from)) || (rc = get_time(d, v, "to", &r->valid_to)))
            return rc;
    }
    if ((rc = arr(d, o, "windows", &a)))
        return rc;
    if (a->count > 64)
        return cpn_json_err(d, a, "more than 64 windows");
    r->windows = custops__calloc(a->count + 1, sizeof *r->windows);
    if (!r->windows)
        return custops__nomem();
    for (uint32_t i = 0; i < a->count; i++) {
        const cpn_json *w = cpn_json_at(d, a, i);
        cpn_window *win = &r->windows[r->nwindows];
        static const char *const wk[] = {"dow", "dom", "first"};
        if ((rc = pick(d, cpn_json_get(d, w, "kind"), wk, 3, &win->kind)))
            return rc;
        if (win->kind == WIN_FIRST) {
            if ((rc = get_time(d, w, "from", &win->at)) || (rc = get_int(d, w, "seconds", 1, 86400000000LL, &win->dur)))
                return rc;
        } else {
            const cpn_json *days;
            if ((rc = arr(d, w, "days", &days)))
                return rc;
            for (uint32_t k = 0; k < days->count; k++) {
                int64_t day;
                if ((rc = cpn_json_i64(d, cpn_json_at(d, days, k), &day)))
                    return rc;
                if (day < 1 || day > (win->kind == WIN_DOW ? 7 : 31))
                    return cpn_json_err(d, days, "day out of range");
                win->mask |= 1u << day;
            }
            if (!win->mask)
                return cpn_json_err(d, days, "no days");
            if ((rc = hhmm_parse(d, cpn_json_get(d, w, "from"), &win->from_s)) ||
                (rc = hhmm_parse(d, cpn_json_get(d, w, "to"), &win->to_s)))
                return rc;
            if (win->from_s == 86400)
                return cpn_json_err(d, w, "a window cannot start at 24:00");
        }
        r->nwindows++;
    }
    if ((rc = arr(d, o, "scope", &a)))
        return rc;
    if (a->count > 10000)
        return cpn_json_err(d, a, "more than 10000 scope values");
    r->scope = custops__calloc(a->count + 1, sizeof *r->scope);
    if (!r->scope)
        return custops__nomem();
    for (uint32_t i = 0; i < a->count; i++) {
        const cpn_json *s = cpn_json_at(d, a, i), *ex = cpn_json_get(d, s, "exclude");
        cpn_sel *sel = &r->scope[r->nscope];
        if ((rc = pick(d, cpn_json_get(d, s, "kind"), SEL_NAMES, 4, &sel->kind)))
            return rc;
        if (!ex || ex->type != JS_BOOL)
            return cpn_json_err(d, s, "\"exclude\" must be true or false");
        sel->exclude = ex->b;
        if ((rc = dupstr(d, cpn_json_get(d, s, "value"), &sel->value, 0)))
            return rc;
        r->nscope++;
    }
    if ((rc = arr(d, o, "when", &a)))
        return rc;
    for (uint32_t i = 0; i < a->count; i++) {
        const cpn_json *s = cpn_json_at(d, a, i);
        const char *text;
        if ((rc = cpn_json_str(d, s, &text)))
            return rc;
        char what[96];
        snprintf(what, sizeof what, "%s:%d:%d: rule %s when", d->what, s->line, s->col, r->id);
        if ((rc = cpn_parse_expr_text(rs, r, text, s->len, what, &r->root)))
            return rc;
    }
    if ((rc = arr(d, o, "then", &a)))
        return rc;
    if (a->count == 0 || a->count > 16)
        return cpn_json_err(d, a, "a rule has 1 to 16 effects");
    r->effects = custops__calloc(a->count, sizeof *r->effects);
    if (!r->effects)
        return custops__nomem();
    for (uint32_t i = 0; i < a->count; i++, r->neffects++)
        if ((rc = effect_from(d, rs, cpn_json_at(d, a, i), &r->effects[i])))
            return rc;
    if ((rc = arr(d, o, "limits", &a)))
        return rc;
    if (a->count > LIM_COUNT * 2)
        return cpn_json_err(d, a, "too many limits");
    r->limits = custops__calloc(a->count + 1, sizeof *r->limits);
    if (!r->limits)
        return custops__nomem();
    for (uint32_t i = 0; i < a->count; i++) {
        const cpn_json *l = cpn_json_at(d, a, i);
        cpn_limit *lim = &r->limits[r->nlimits];
        if ((rc = pick(d, cpn_json_get(d, l, "kind"), cpn_limit_names, LIM_COUNT, &lim->kind)) ||
            (rc = pick(d, cpn_json_get(d, l, "period"), cpn_period_names, 5, &lim->period)))
            return rc;
        if (lim->kind == LIM_BUDGET)
            rc = get_money(d, l, "n", rs->exponent, &lim->n);
        else
            rc = get_int(d, l, "n", 1, INT64_MAX, &lim->n);
        if (rc)
            return rc;
        r->nlimits++;
    }
    static const char *const restore_names[] = {"on_full_reversal", "never"};
    if ((rc = pick(d, cpn_json_get(d, o, "restore"), restore_names, 2, &mode)))
        return rc;
    r->restore = mode;
    return get_int(d, o, "cost_points", 0, INT64_MAX / 2, &r->cost_points);
}

static int ruleset_from(const cpn_jdoc *d, custops_ruleset *rs)
{
    const cpn_json *root = &d->nodes[0], *v, *a = NULL;
    int rc;
    if (root->type != JS_OBJ)
        return cpn_json_err(d, root, "a ruleset is a JSON object");
    const char *s;
    if ((rc = cpn_json_str(d, cpn_json_get(d, root, "format"), &s)))
        return rc;
    if (strcmp(s, "custops.coupons/1") != 0)
        return custops__err(CUSTOPS_EVERSION, "%s: unknown ruleset format \"%.40s\"", d->what, s);
    if ((rc = cpn_json_str(d, v = cpn_json_get(d, root, "currency"), &s)))
        return rc;
    if (strlen(s) != 3 || custops_currency_exponent(s, &rs->exponent))
        return cpn_json_err(d, v, "unknown currency");
    memcpy(rs->currency, s, 4);
    if ((rc = dupstr(d, cpn_json_get(d, root, "tz"), &rs->tz, 1)) ||
        (rc = get_int(d, root, "points_rate", 0, 1000000, &rs->points_rate)) || (rc = arr(d, root, "tiers", &a)))
        return rc;
    if (a->count > 64)
        return cpn_json_err(d, a, "more than 64 tiers");
    rs->tiers = custops__calloc(a->count + 1, sizeof *rs->tiers);
    if (!rs->tiers)
        return custops__nomem();
    for (uint32_t i = 0; i < a->count; i++, rs->ntiers++)
        if ((rc = dupstr(d, cpn_json_at(d, a, i), &rs->tiers[i], 0)))
            return rc;
    if ((rc = arr(d, root, "groups", &a)))
        return rc;
    if (a->count > CUSTOPS_COUPON_MAX_GROUPS)
        return cpn_json_err(d, a, "more than 64 groups");
    rs->groups = custops__calloc(a->count + 1, sizeof *rs->groups);
    if (!rs->groups)
        return custops__nomem();
    for (uint32_t i = 0; i < a->count; i++) {
        const cpn_json *g = cpn_json_at(d, a, i);
        cpn_group *grp = &rs->groups[rs->ngroups];
        int64_t max;
        if ((rc = dupstr(d, cpn_json_get(d, g, "id"), &grp->id, 0)))
            return rc;
        rs->ngroups++;
        if ((rc = pick(d, cpn_json_get(d, g, "mode"), GROUP_MODES, 3, &grp->mode)) ||
            (rc = get_int(d, g, "max", 0, 1000, &max)))
            return rc;
        grp->max = (int)max;
        for (int k = 0; k + 1 < rs->ngroups; k++)
            if (strcmp(rs->groups[k].id, grp->id) == 0)
                return cpn_json_err(d, g, "group declared twice");
    }
    if ((rc = arr(d, root, "rules", &a)))
        return rc;
    if (a->count > CUSTOPS_COUPON_MAX_RULES)
        return custops__err(CUSTOPS_ELIMIT, "%s: more than %d rules", d->what, CUSTOPS_COUPON_MAX_RULES);
    rs->rules = custops__calloc(a->count + 1, sizeof *rs->rules);
    if (!rs->rules)
        return custops__nomem();
    for (uint32_t i = 0; i < a->count; i++) {
        rs->nrules++;
        if ((rc = rule_from(d, rs, cpn_json_at(d, a, i), &rs->rules[i])))
            return rc;
    }
    return 0;
}

int custops_ruleset_from_json(custops_ruleset **out, const char *json, size_t len)
{
    CUSTOPS__CHECK_NULL(out);
    *out = NULL;
    CUSTOPS__CHECK_NULL(json);
    cpn_jdoc d;
    int rc = cpn_json_parse(&d, json, len, "<ruleset.json>");
    if (rc)
        return rc;
    custops_ruleset *rs = cpn_ruleset_alloc();
    if (!rs) {
        cpn_json_release(&d);
        return custops__nomem();
    }
    rc = ruleset_from(&d, rs);
    if (!rc)
        rc = cpn_ruleset_finish(rs, "<ruleset.json>");
    cpn_json_release(&d);
    if (rc) {
        custops_ruleset_free(rs);
        return rc;
    }
    *out = rs;
    return 0;
}
