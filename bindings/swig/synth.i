/* synth: the synthetic store. The options struct becomes plain arguments
 * (the package layers give keyword arguments / a table): a "keep" value
 * leaves a field at its default, so the defaults live only in C. */
%{
#include <math.h>
/* integer "keep the default" marker; doubles use NaN */
#define CUSTOPS_SYNTH_KEEP (-4611686018427387904LL)

static int32_t custops_synth_i32(int64_t v)
{
    /* out of int32 range: a value the library rejects with a message */
    return v < INT32_MIN || v > INT32_MAX ? INT32_MIN : (int32_t)v;
}

static void custops_synth_fill(custops_synth_options *o, int64_t seed, int64_t customers, int64_t start_day,
                               int64_t end_day, const char *zone, const char *currency, int64_t skus,
                               int64_t categories, double r, double alpha, double a, double b, double p, double q,
                               double gamma, double acquisition_share, double coupon_propensity, double refund_rate,
                               double events_per_order, int64_t double11, int64_t jsonl)
{
    custops_synth_options_init(o, CUSTOPS_SYNTH_OPTIONS_VERSION);
    if (seed != CUSTOPS_SYNTH_KEEP) o->seed = (uint64_t)seed;
    if (customers != CUSTOPS_SYNTH_KEEP) o->customers = customers;
    if (start_day != CUSTOPS_SYNTH_KEEP) o->start_day = custops_synth_i32(start_day);
    if (end_day != CUSTOPS_SYNTH_KEEP) o->end_day = custops_synth_i32(end_day);
    if (zone) o->zone = zone;
    if (currency) o->currency = currency;
    if (skus != CUSTOPS_SYNTH_KEEP) o->skus = custops_synth_i32(skus);
    if (categories != CUSTOPS_SYNTH_KEEP) o->categories = custops_synth_i32(categories);
    if (!isnan(r)) o->r = r;
    if (!isnan(alpha)) o->alpha = alpha;
    if (!isnan(a)) o->a = a;
    if (!isnan(b)) o->b = b;
    if (!isnan(p)) o->p = p;
    if (!isnan(q)) o->q = q;
    if (!isnan(gamma)) o->gamma = gamma;
    if (!isnan(acquisition_share)) o->acquisition_share = acquisition_share;
    if (!isnan(coupon_propensity)) o->coupon_propensity = coupon_propensity;
    if (!isnan(refund_rate)) o->refund_rate = refund_rate;
    if (!isnan(events_per_order)) o->events_per_order = events_per_order;
    if (double11 != CUSTOPS_SYNTH_KEEP) o->double11 = double11 == 0 ? 0 : double11 == 1 ? 1 : 2;
    if (jsonl != CUSTOPS_SYNTH_KEEP) o->jsonl = jsonl == 0 ? 0 : jsonl == 1 ? 1 : 2;
}

#define CUSTOPS_SYNTH_PARAMS                                                                                  \
    int64_t seed, int64_t customers, int64_t start_day, int64_t end_day, const char *zone,                   \
        const char *currency, int64_t skus, int64_t categories, double r, double alpha, double a, double b,  \
        double p, double q, double gamma, double acquisition_share, double coupon_propensity,                 \
        double refund_rate, double events_per_order, int64_t double11, int64_t jsonl
#define CUSTOPS_SYNTH_FILL(o)                                                                                 \
    custops_synth_fill(&o, seed, customers, start_day, end_day, zone, currency, skus, categories, r, alpha,  \
                       a, b, p, q, gamma, acquisition_share, coupon_propensity, refund_rate, events_per_order, \
                       double11, jsonl)

static int custops_synth_write_kw(const char *dir, CUSTOPS_SYNTH_PARAMS)
{
    custops_synth_options o;
    CUSTOPS_SYNTH_FILL(o);
    return custops_synth_write(&o, dir);
}

static int custops_synth_order_lines_kw(CUSTOPS_SYNTH_PARAMS, custops_frame **out)
{
    custops_synth_options o;
    CUSTOPS_SYNTH_FILL(o);
    return custops_synth_order_lines(&o, out);
}

static int custops_synth_catalog_kw(CUSTOPS_SYNTH_PARAMS, custops_frame **out)
{
    custops_synth_options o;
    CUSTOPS_SYNTH_FILL(o);
    return custops_synth_catalog(&o, out);
}
%}
%inline %{
/* The "keep the default" marker for the integer arguments below. */
static int64_t custops_synth_keep(void) { return CUSTOPS_SYNTH_KEEP; }
%}

%define CUSTOPS_SYNTH_SWIG_PARAMS
int64_t seed, int64_t customers, int64_t start_day, int64_t end_day, const char *zone, const char *currency,
int64_t skus, int64_t categories, double r, double alpha, double a, double b, double p, double q, double gamma,
double acquisition_share, double coupon_propensity, double refund_rate, double events_per_order, int64_t double11,
int64_t jsonl
%enddef
custops_rc custops_synth_write_kw(const char *dir, CUSTOPS_SYNTH_SWIG_PARAMS);
custops_rc custops_synth_order_lines_kw(CUSTOPS_SYNTH_SWIG_PARAMS, custops_frame **out);
custops_rc custops_synth_catalog_kw(CUSTOPS_SYNTH_SWIG_PARAMS, custops_frame **out);
