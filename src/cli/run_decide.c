/* custops run, stage 3: decisions. Audiences come from the campaign's
 * definitions ([audience NAME] sections: define = an audience expression,
 * coupon = the rule it receives, message = the template it is sent), or,
 * without a configuration, from four plays the practice runs everywhere.
 * Repurchase reminders are due where a product's cycle says so. */
#include "run.h"

#include <stdlib.h>
#include <string.h>

/* The built-in campaign (docs/run.md explains each). */
static const run_audience DEFAULT_AUDIENCES[] = {
    {"cart_rescue", "events(cart_add) between -10d and -3d and not orders in -10d..now", "cart_10_off", "cart_nudge",
     NULL, 0},
    {"win_back", "lifecycle = \"sleeping\" and clv in top 30%", "winback_20_off", "winback", NULL, 0},
    {"vip_care", "rfm_segment in (\"champions\", \"loyal\")", "", "vip_thanks", NULL, 0},
    {"second_order", "lifecycle = \"new\"", "second_order_15_off", "welcome", NULL, 0},
};

static int audiences_from_config(run_state *st, config *cfg)
{
    const char *names[RUN_MAX_AUDIENCES + 1];
    size_t n = config_names(cfg, "audience", names, RUN_MAX_AUDIENCES + 1);
    if (n > RUN_MAX_AUDIENCES) {
        fprintf(stderr, "custops run: more than %d audiences\n", RUN_MAX_AUDIENCES);
        return 1;
    }
    char err[512];
    for (size_t i = 0; i < n; i++) {
        run_audience *a = &st->aud[st->naud++];
        a->name = names[i];
        a->coupon = a->message = "";
        int r = config_str(cfg, "audience", names[i], "define", &a->define, err, sizeof err);
        if (r == 1)
            snprintf(err, sizeof err, "audience '%s' has no 'define' setting", names[i]);
        if (r != 0 || config_str(cfg, "audience", names[i], "coupon", &a->coupon, err, sizeof err) < 0 ||
            config_str(cfg, "audience", names[i], "message", &a->message, err, sizeof err) < 0) {
            fprintf(stderr, "custops run: %s\n", err);
            return 1;
        }
    }
    return 0;
}

static int evaluate_audiences(run_state *st)
{
    custops_segment_ctx *ctx = NULL;
    int rc = custops_segment_ctx_new(&ctx, st->features, st->as_of);
    if (!rc)
        rc = custops_segment_ctx_set_lines(ctx, st->lines);
    if (!rc)
        rc = custops_segment_ctx_set_events(ctx, st->events);
    if (!rc)
        rc = custops_segment_ctx_set_zone(ctx, st->zone);
    custops_frame *dicts[6] = {0};
    static const char *const DICTS[6] = {"sku", "category", "region", "tag", "channel", "coupon"};
    for (int i = 0; i < 6 && !rc; i++)
        if ((rc = custops_store_dict(st->store, DICTS[i], &dicts[i])) == 0)
            rc = custops_segment_ctx_add_dict(ctx, DICTS[i], dicts[i]);
    if (rc) {
        rc = cli_fail("run", rc, "audience context");
        goto out;
    }
    for (size_t i = 0; i < st->naud; i++) {
        run_audience *a = &st->aud[i];
        custops_audience *comp = NULL;
        if ((rc = custops_audience_compile(&comp, a->define, ctx)) != 0) {
            char what[160];
            snprintf(what, sizeof what, "audience '%s'", a->name);
            rc = cli_fail("run", rc, what);
            goto out;
        }
        rc = custops_audience_evaluate(&a->members, comp);
        custops_audience_free(comp);
        if (rc) {
            rc = cli_fail("run", rc, "audience evaluation");
            goto out;
        }
        a->count = custops_bitset_count(a->members);
    }
out:
    custops_segment_ctx_free(ctx);
    for (int i = 0; i < 6; i++)
        custops_frame_free(dicts[i]);
    return rc ? 1 : 0;
}

/* Each customer's most pressing reminder: the one whose expected day is
 * nearest (overdue and upcoming alike). */
static int reminders(run_state *st)
{
    custops_repurchase_options ro;
    custops_repurchase_options_init(&ro, CUSTOPS_REPURCHASE_OPTIONS_VERSION);
    ro.zone = st->zone;
    ro.now = st->as_of;
    int rc = custops_repurchase_cycles(&st->cycles, st->lines, &ro);
    if (!rc)
        rc = custops_repurchase_due(&st->reminders, st->lines, st->cycles, &ro);
    if (rc)
        return cli_fail("run", rc, "repurchase reminders");
    size_t n = st->n ? st->n : 1;
    st->reminder_sku = malloc(n * sizeof *st->reminder_sku);
    st->reminder_day = malloc(n * sizeof *st->reminder_day);
    int64_t *best = malloc(n * sizeof *best);
    if (!st->reminder_sku || !st->reminder_day || !best) {
        free(best);
        fprintf(stderr, "custops run: out of memory\n");
        return 1;
    }
    for (size_t i = 0; i < st->n; i++) {
        st->reminder_sku[i] = -1;
        st->reminder_day[i] = -1;
        best[i] = INT64_MAX;
    }
    const int64_t *cust = run_i64(st->reminders, "customer"), *sku = run_i64(st->reminders, "sku"),
                  *day = run_i64(st->reminders, "expected_day"), *until = run_i64(st->reminders, "days_until");
    for (size_t k = 0, m = custops_frame_nrows(st->reminders); k < m; k++) {
        int64_t c = cust[k], d = until[k] < 0 ? -until[k] : until[k];
        if (c < 0 || (size_t)c >= st->n || d >= best[c])
            continue;
        best[c] = d;
        st->reminder_sku[c] = (int32_t)sku[k];
        st->reminder_day[c] = day[k];
    }
    free(best);
    return 0;
}

int run_decide(run_state *st, config *cfg)
{
    run_stage(st, 3, "audiences and reminders");
    const char *probe[1];
    if (cfg && config_names(cfg, "audience", probe, 1) > 0) {
        if (audiences_from_config(st, cfg))
            return 1;
    } else {
        for (size_t i = 0; i < sizeof DEFAULT_AUDIENCES / sizeof DEFAULT_AUDIENCES[0]; i++)
            st->aud[st->naud++] = DEFAULT_AUDIENCES[i];
    }
    return evaluate_audiences(st) || reminders(st);
}
