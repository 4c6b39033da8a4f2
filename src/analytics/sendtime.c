/* Best send time: weighted activity per local hour and weekday, shrunk
 * toward the population by a Dirichlet prior whose strength comes from the
 * method of moments of the Dirichlet-multinomial. */
#include "analytics.h"
#include "custops/sendtime.h"

#include <math.h>
#include <stdio.h>

#define CELLS 31 /* 24 hours then 7 weekdays */

int custops_sendtime_options_init(custops_sendtime_options *opts, unsigned int version)
{
    CUSTOPS__CHECK_NULL(opts);
    if (version != CUSTOPS_SENDTIME_OPTIONS_VERSION)
        return custops__err(CUSTOPS_EVERSION, "%s: unknown options version %u", __func__, version);
    custops_sendtime_options d = CUSTOPS_SENDTIME_OPTIONS_INIT;
    *opts = d;
    return CUSTOPS_OK;
}

static int check_opts(const char *fn, const custops_sendtime_options *o)
{
    if (!o)
        return custops__err(CUSTOPS_EINVAL, "%s: options are NULL (the zone is required)", fn);
    if (o->version != CUSTOPS_SENDTIME_OPTIONS_VERSION)
        return custops__err(CUSTOPS_EVERSION, "%s: unknown options version %u", fn, o->version);
    if (!o->zone)
        return custops__err(CUSTOPS_EINVAL, "%s: options.zone is NULL", fn);
    if (o->customers < 0 || o->customers > INT32_MAX)
        return custops__err(CUSTOPS_EINVAL, "%s: options.customers must be in 0..2^31-1", fn);
    if (!(o->event_weight >= 0) || !(o->order_weight >= 0) || !isfinite(o->event_weight) ||
        !isfinite(o->order_weight) || o->event_weight + o->order_weight <= 0)
        return custops__err(CUSTOPS_EINVAL, "%s: weights must be finite, >= 0 and not both 0", fn);
    if (!(o->hour_strength >= 0) || !(o->weekday_strength >= 0) || !isfinite(o->hour_strength) ||
        !isfinite(o->weekday_strength))
        return custops__err(CUSTOPS_EINVAL, "%s: prior strengths must be finite and >= 0", fn);
    return 0;
}

/* Adds weight w at instant t to customer c's cells. */
static int add(float *cells, size_t ncust, const char *fn, const char *what, size_t row, int64_t c, int64_t t,
               double w, const custops_zone *zone)
{
    if (c < 0 || (uint64_t)c >= ncust)
        return custops__err(CUSTOPS_EINVAL, "%s: %s row %zu: customer %lld is outside 0..%zu", fn, what, row,
                            (long long)c, ncust ? ncust - 1 : 0);
    int32_t day, sod;
    int rc = custops__an_local(zone, t, &day, &sod);
    if (rc) {
        custops__err_prefix("%s: %s row %zu: ", fn, what, row);
        return rc;
    }
    float *x = cells + (size_t)c * CELLS;
    x[sod / 3600] += (float)w;
    x[24 + custops_day_weekday(day)] += (float)w;
    return 0;
}

/* Method-of-moments prior strength over cells [off, off+k): with pooled
 * shares p, sum_i sum_h (c_ih - n_i p_h)^2 / (n_i p_h) has expectation
 * (k-1) sum_i (1 + (n_i - 1) rho), rho = 1 / (1 + A). */
static double strength(const float *cells, size_t ncust, int off, int k, const double *p)
{
    double x2 = 0, base = 0, slope = 0;
    for (size_t i = 0; i < ncust; i++) {
        const float *x = cells + i * CELLS + off;
        double n = 0;
        for (int h = 0; h < k; h++)
            n += x[h];
        if (n <= 0)
            continue;
        for (int h = 0; h < k; h++) {
            double d = x[h] - n * p[h];
            x2 += d * d / (n * p[h]);
        }
        base += k - 1;
        slope += (k - 1) * (n - 1);
    }
    if (slope <= 0)
        return 1e6; /* nobody has two events: no evidence of differences */
    double rho = (x2 - base) / slope;
    if (rho < 1e-6)
        rho = 1e-6;
    if (rho > 1 - 1e-6)
        rho = 1 - 1e-6;
    return 1 / rho - 1;
}

/* Argmax of (c_h + A p_h) / (n + A) with the tie rule. */
static int best(const float *x, int k, const double *p, double a, double *score)
{
    double n = 0;
    for (int h = 0; h < k; h++)
        n += x[h];
    int b = 0;
    double bv = -1;
    for (int h = 0; h < k; h++) {
        double v = (x[h] + a * p[h]) / (n + a);
        /* relative tolerance: float sums of equal counts must tie */
        if (v > bv * (1 + 1e-9) || (fabs(v - bv) <= bv * 1e-9 && p[h] > p[b])) {
            bv = v;
            b = h;
        }
    }
    *score = bv;
    return b;
}

int custops_sendtime_best(custops_frame **out, double *hs_out, double *ws_out, const custops_frame *events,
                          const custops_frame *lines, const custops_sendtime_options *o)
{
    CUSTOPS__CHECK_NULL(out);
    *out = NULL;
    if (hs_out)
        *hs_out = 0;
    if (ws_out)
        *ws_out = 0;
    int rc = check_opts(__func__, o);
    if (rc)
        return rc;
    if (!events && !lines)
        return custops__err(CUSTOPS_EINVAL, "%s: events and lines are both NULL", __func__);
    const int64_t *ec = NULL, *et = NULL, *ety = NULL, *lc = NULL, *lo = NULL, *lt = NULL;
    if (events && ((rc = custops__an_i64(events, __func__, "events", "customer", &ec)) ||
                   (rc = custops__an_i64(events, __func__, "events", "time", &et)) ||
                   (rc = custops__an_i64(events, __func__, "events", "type", &ety))))
        return rc;
    if (lines && ((rc = custops__an_i64(lines, __func__, "lines", "customer", &lc)) ||
                  (rc = custops__an_i64(lines, __func__, "lines", "order", &lo)) ||
                  (rc = custops__an_i64(lines, __func__, "lines", "time", &lt))))
        return rc;
    size_t ne = events ? custops_frame_nrows(events) : 0, nl = lines ? custops_frame_nrows(lines) : 0;
    int64_t maxc = -1;
    for (size_t i = 0; i < ne; i++)
        maxc = ec[i] > maxc ? ec[i] : maxc;
    for (size_t i = 0; i < nl; i++)
        maxc = lc[i] > maxc ? lc[i] : maxc;
    if (maxc >= INT32_MAX)
        return custops__err(CUSTOPS_ELIMIT, "%s: customer index %lld; at most 2^31-2", __func__, (long long)maxc);
    size_t ncust = o->customers > 0 ? (size_t)o->customers : (size_t)(maxc + 1);
    float *cells = custops__calloc(ncust ? ncust * CELLS : 1, sizeof *cells);
    if (!cells)
        return custops__nomem();
    for (size_t i = 0; i < ne && !rc; i++) {
        if (ety[i] < 0 || ety[i] > 31 || !(o->event_types >> ety[i] & 1u) || o->event_weight == 0)
            continue;
        rc = add(cells, ncust, __func__, "events", i, ec[i], et[i], o->event_weight, o->zone);
    }
    /* an order counts once: its lines are contiguous in the contract, and a
     * repeated (customer, order) pair on the next row is the same order */
    for (size_t i = 0; i < nl && !rc; i++) {
        if (o->order_weight == 0 || (i > 0 && lo[i] == lo[i - 1] && lc[i] == lc[i - 1]))
            continue;
        rc = add(cells, ncust, __func__, "lines", i, lc[i], lt[i], o->order_weight, o->zone);
    }
    if (rc) {
        custops__free(cells);
        return rc;
    }
    /* population shares, lightly smoothed so no cell has share 0 */
    double tot[CELLS] = {0}, p[CELLS];
    for (size_t i = 0; i < ncust; i++)
        for (int h = 0; h < CELLS; h++)
            tot[h] += cells[i * CELLS + h];
    double sh = 0, sw = 0;
    for (int h = 0; h < 24; h++)
        sh += tot[h];
    for (int h = 24; h < CELLS; h++)
        sw += tot[h];
    for (int h = 0; h < 24; h++)
        p[h] = (tot[h] + 0.5) / (sh + 12);
    for (int h = 24; h < CELLS; h++)
        p[h] = (tot[h] + 0.5) / (sw + 3.5);
    double ah = o->hour_strength > 0 ? o->hour_strength : strength(cells, ncust, 0, 24, p);
    double aw = o->weekday_strength > 0 ? o->weekday_strength : strength(cells, ncust, 24, 7, p + 24);

    custops_frame *f = NULL;
    size_t m = ncust ? ncust : 1;
    int64_t *c_id = custops__reallocarray(NULL, m, 8), *c_bh = custops__reallocarray(NULL, m, 8),
            *c_bw = custops__reallocarray(NULL, m, 8);
    double *c_hs = custops__reallocarray(NULL, m, 8), *c_ws = custops__reallocarray(NULL, m, 8),
           *c_act = custops__reallocarray(NULL, m, 8);
    double *ph[24] = {0};
    if (!c_id || !c_bh || !c_bw || !c_hs || !c_ws || !c_act)
        rc = custops__nomem();
    for (int h = 0; o->full && h < 24 && !rc; h++)
        if (!(ph[h] = custops__reallocarray(NULL, m, 8)))
            rc = custops__nomem();
    for (size_t i = 0; i < ncust && !rc; i++) {
        const float *x = cells + i * CELLS;
        c_id[i] = (int64_t)i;
        c_bh[i] = best(x, 24, p, ah, &c_hs[i]);
        c_bw[i] = best(x + 24, 7, p + 24, aw, &c_ws[i]);
        double n = 0;
        for (int h = 0; h < 24; h++)
            n += x[h];
        c_act[i] = n;
        for (int h = 0; o->full && h < 24; h++)
            ph[h][i] = (x[h] + ah * p[h]) / (n + ah);
    }
    custops__free(cells);
    if (!rc)
        rc = custops_frame_new(&f);
    custops__an_put_i64(f, &rc, "customer", c_id, ncust);
    custops__an_put_i64(f, &rc, "best_hour", c_bh, ncust);
    custops__an_put_f64(f, &rc, "hour_score", c_hs, ncust);
    custops__an_put_i64(f, &rc, "best_weekday", c_bw, ncust);
    custops__an_put_f64(f, &rc, "weekday_score", c_ws, ncust);
    custops__an_put_f64(f, &rc, "activity", c_act, ncust);
    for (int h = 0; h < 24; h++) {
        char name[16];
        snprintf(name, sizeof name, "p_hour_%02d", h);
        if (o->full)
            custops__an_put_f64(f, &rc, name, ph[h], ncust);
    }
    if (rc) {
        custops_frame_free(f);
        return rc;
    }
    *out = f;
    if (hs_out)
        *hs_out = ah;
    if (ws_out)
        *ws_out = aw;
    return CUSTOPS_OK;
}
