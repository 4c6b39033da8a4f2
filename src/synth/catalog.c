/*
 * The synthetic store's catalogue: categories (some of them consumables
 * bought again on a cycle), SKUs with list prices and a long-tailed
 * popularity, threshold coupons, channels, regions and tags.
 *
 * The catalogue depends on the seed, the number of SKUs and categories and
 * the currency exponent only, never on the number of customers, so a
 * bigger sample of the same store sells the same products.
 */
#include "synth_internal.h"

#include <stdio.h>

const char *const synth_channel_names[SYNTH_NCHANNELS] = {"app", "mini_program", "web", "store"};
const char *const synth_region_names[SYNTH_NREGIONS] = {
    "East China", "North China", "South China", "Central China", "Southwest China", "Northwest China", "Northeast China"};
const char *const synth_tag_names[SYNTH_NTAGS] = {"vip", "new_parent", "pet_owner", "student", "bargain_hunter",
                                                   "live_stream_fan"};
const char *const synth_event_names[7] = {"visit", "view", "cart_add", "favourite", "coupon_received", "coupon_used",
                                          "login"};

/* Named categories: base repurchase cycle in days (0: not a consumable)
 * and the typical list price in major units. */
static const struct {
    const char *name;
    int cycle;
    int price;
} CATS[] = {
    {"snacks", 14, 19},   {"personal_care", 30, 39}, {"apparel", 0, 99},    {"beauty", 45, 129},
    {"baby", 30, 89},     {"electronics", 0, 299},   {"pet_food", 30, 69},  {"home", 0, 59},
    {"beverages", 14, 25}, {"household", 45, 29},    {"tea", 60, 79},       {"books", 0, 39},
    {"fresh", 7, 25},     {"toys", 0, 79},           {"sports", 0, 149},    {"jewelry", 0, 399},
};
#define NCATS_NAMED ((int)(sizeof CATS / sizeof CATS[0]))

/* Spend-threshold coupons, in major units: spend 69 get 10 off, ... */
static const int COUPONS[SYNTH_NCOUPONS][2] = {{69, 10}, {149, 25}, {299, 60}};

static int64_t pow10i(int e)
{
    int64_t v = 1;
    while (e-- > 0)
        v *= 10;
    return v;
}

void synth_catalog_release(synth_catalog *c)
{
    custops__free(c->sku_names);
    custops__free(c->cat_names);
    custops__free(c->cat_arena);
    custops__free(c->sku_cat);
    custops__free(c->price);
    custops__free(c->cycle);
    custops__free(c->pop_cum);
    custops__free(c->cat_first);
    custops__free(c->cat_skus);
    memset(c, 0, sizeof *c);
}

int synth_catalog_build(synth_catalog *c, const custops_synth_options *o, int exponent)
{
    memset(c, 0, sizeof *c);
    int32_t n = o->skus, nc = o->categories;
    c->nskus = n;
    c->ncats = nc;
    c->exponent = exponent;
    c->sku_names = custops__calloc((size_t)n, sizeof *c->sku_names);
    c->cat_names = custops__calloc((size_t)nc, sizeof *c->cat_names);
    c->cat_arena = custops__calloc((size_t)nc, 16);
    c->sku_cat = custops__calloc((size_t)n, sizeof *c->sku_cat);
    c->price = custops__calloc((size_t)n, sizeof *c->price);
    c->cycle = custops__calloc((size_t)n, sizeof *c->cycle);
    c->pop_cum = custops__calloc((size_t)n, sizeof *c->pop_cum);
    c->cat_first = custops__calloc((size_t)nc + 1, sizeof *c->cat_first);
    c->cat_skus = custops__calloc((size_t)n, sizeof *c->cat_skus);
    if (!c->sku_names || !c->cat_names || !c->cat_arena || !c->sku_cat || !c->price || !c->cycle || !c->pop_cum ||
        !c->cat_first || !c->cat_skus) {
        synth_catalog_release(c);
        return custops__nomem();
    }
    for (int32_t k = 0; k < nc; k++) {
        char *name = c->cat_arena + (size_t)k * 16;
        if (k < NCATS_NAMED)
            snprintf(name, 16, "%s", CATS[k].name);
        else
            snprintf(name, 16, "category_%d", (int)(k % 10000) + 1); /* k < 1000 */
        c->cat_names[k] = name;
    }
    int64_t unit = pow10i(exponent);
    synth_rng g;
    synth_rng_seed(&g, o->seed, 0xCA7A106ull);
    uint64_t total = 0;
    for (int32_t i = 0; i < n; i++) {
        snprintf(c->sku_names[i], sizeof c->sku_names[i], "SKU%05d", (int)i + 1);
        /* every category gets at least one SKU */
        int32_t k = i < nc ? i : (int32_t)synth_below(&g, (uint64_t)nc);
        c->sku_cat[i] = k;
        int base = k < NCATS_NAMED ? CATS[k].price : 99;
        /* list price: the category's level times 0.5 .. 2 in steps of 1/16,
         * rounded to whole major units ending in .90 where there are decimals */
        int64_t major = (int64_t)base * (8 + (int64_t)synth_below(&g, 25)) / 16;
        if (major < 2)
            major = 2;
        c->price[i] = major * unit - (exponent >= 2 ? unit / 10 : 0);
        /* consumables: 3 in 4 SKUs have a cycle of 3/4, 1 or 3/2 times the base */
        int cyc = k < NCATS_NAMED ? CATS[k].cycle : 0;
        if (cyc > 0 && synth_below(&g, 4) != 0) {
            static const int num[3] = {3, 4, 6};
            cyc = cyc * num[synth_below(&g, 3)] / 4;
            c->cycle[i] = cyc < 1 ? 1 : cyc;
        }
        /* long tail: weight ~ 1 / (rank + 8), ranks shuffled by the draw */
        uint64_t w = 1000000u / (uint64_t)(synth_below(&g, (uint64_t)n) + 8);
        total += w ? w : 1;
        c->pop_cum[i] = total;
    }
    /* SKUs grouped by category (counting sort) */
    for (int32_t i = 0; i < n; i++)
        c->cat_first[c->sku_cat[i] + 1]++;
    for (int32_t k = 0; k < nc; k++)
        c->cat_first[k + 1] += c->cat_first[k];
    int32_t *fill = custops__calloc((size_t)nc, sizeof *fill);
    if (!fill) {
        synth_catalog_release(c);
        return custops__nomem();
    }
    for (int32_t i = 0; i < n; i++) {
        int32_t k = c->sku_cat[i];
        c->cat_skus[c->cat_first[k] + fill[k]++] = i;
    }
    custops__free(fill);
    for (int j = 0; j < SYNTH_NCOUPONS; j++) {
        static const char *const codes[SYNTH_NCOUPONS] = {"MJ69-10", "MJ149-25", "MJ299-60"};
        c->coupons[j].code = codes[j];
        c->coupons[j].threshold = COUPONS[j][0] * unit;
        c->coupons[j].off = COUPONS[j][1] * unit;
    }
    return CUSTOPS_OK;
}
