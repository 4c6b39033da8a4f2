/* KPIs, funnels and cohorts. Distinct counts (orders, buyers, visitors,
 * active cohort customers) come from sorting compact keys once; sums are
 * checked for overflow. */
#include "analytics.h"
#include "custops/kpi.h"

#include <stdio.h>
#include <stdlib.h>

#define MAX_DAYS 36600
#define MAX_MONTHS 1200

int custops_kpi_options_init(custops_kpi_options *opts, unsigned int version)
{
    CUSTOPS__CHECK_NULL(opts);
    if (version != CUSTOPS_KPI_OPTIONS_VERSION)
        return custops__err(CUSTOPS_EVERSION, "%s: unknown options version %u", __func__, version);
    custops_kpi_options d = CUSTOPS_KPI_OPTIONS_INIT;
    *opts = d;
    return CUSTOPS_OK;
}

static int check_opts(const char *fn, const custops_kpi_options *o)
{
    if (!o)
        return custops__err(CUSTOPS_EINVAL, "%s: options are NULL (zone and range are required)", fn);
    if (o->version != CUSTOPS_KPI_OPTIONS_VERSION)
        return custops__err(CUSTOPS_EVERSION, "%s: unknown options version %u", fn, o->version);
    if (!o->zone)
        return custops__err(CUSTOPS_EINVAL, "%s: options.zone is NULL", fn);
    if (o->from >= o->to)
        return custops__err(CUSTOPS_EINVAL, "%s: options.from (%lld) must be before options.to (%lld)", fn,
                            (long long)o->from, (long long)o->to);
    return 0;
}

static int add_money(int64_t *acc, int64_t v, const char *fn, const char *what, size_t row)
{
    if (__builtin_add_overflow(*acc, v, acc))
        return custops__err(CUSTOPS_ERANGE, "%s: lines row %zu: the sum of %s overflows int64", fn, row, what);
    return 0;
}

typedef struct key3 {
    int64_t a, b, c;
} key3;

static int cmp_key3(const void *x, const void *y)
{
    const key3 *p = x, *q = y;
    if (p->a != q->a)
        return p->a < q->a ? -1 : 1;
    if (p->b != q->b)
        return p->b < q->b ? -1 : 1;
    return (p->c > q->c) - (p->c < q->c);
}

static double ratio(double a, double b) { return b > 0 ? a / b : 0; }

int custops_kpi_summary(custops_frame **out, const custops_frame *lines, const custops_frame *events,
                        const custops_kpi_options *o)
{
    CUSTOPS__CHECK_NULL(out);
    *out = NULL;
    int rc = check_opts(__func__, o);
    if (rc)
        return rc;
    const int64_t *cust, *ord, *time, *qty, *amount, *refunded, *ec = NULL, *et = NULL;
    if ((rc = custops__an_i64(lines, __func__, "lines", "customer", &cust)) ||
        (rc = custops__an_i64(lines, __func__, "lines", "order", &ord)) ||
        (rc = custops__an_i64(lines, __func__, "lines", "time", &time)) ||
        (rc = custops__an_i64(lines, __func__, "lines", "qty", &qty)) ||
        (rc = custops__an_i64(lines, __func__, "lines", "amount", &amount)) ||
        (rc = custops__an_i64_opt(lines, __func__, "lines", "refunded", &refunded)))
        return rc;
    if (events && ((rc = custops__an_i64(events, __func__, "events", "customer", &ec)) ||
                   (rc = custops__an_i64(events, __func__, "events", "time", &et))))
        return rc;
    int32_t d0, d1;
    if ((rc = custops__an_local(o->zone, o->from, &d0, NULL)) || (rc = custops__an_local(o->zone, o->to - 1, &d1, NULL)))
        return rc;
    if ((int64_t)d1 - d0 + 1 > MAX_DAYS)
        return custops__err(CUSTOPS_ELIMIT, "%s: the range spans more than %d days", __func__, MAX_DAYS);
    size_t ns = o->by_day ? (size_t)(d1 - d0 + 1) : 1;
    size_t nl = custops_frame_nrows(lines), ne = events ? custops_frame_nrows(events) : 0;

    int64_t *gmv = custops__calloc(ns, 8), *ref = custops__calloc(ns, 8), *net = custops__calloc(ns, 8),
            *items = custops__calloc(ns, 8), *orders = custops__calloc(ns, 8), *buyers = custops__calloc(ns, 8),
            *uv = custops__calloc(ns, 8), *repeat = custops__calloc(ns, 8), *day = custops__calloc(ns, 8);
    double *aov = custops__calloc(ns, 8), *conv = custops__calloc(ns, 8), *rep = custops__calloc(ns, 8);
    char **dates = custops__calloc(ns, sizeof *dates);
    char *dbuf = custops__calloc(ns, 16);
    key3 *keys = custops__reallocarray(NULL, (nl > ne ? nl : ne) + 1, sizeof *keys);
    custops_frame *f = NULL;
    if (!gmv || !ref || !net || !items || !orders || !buyers || !uv || !repeat || !day || !aov || !conv || !rep ||
        !dates || !dbuf || !keys) {
        rc = custops__nomem();
        goto done;
    }
    size_t nk = 0;
    for (size_t i = 0; i < nl && !rc; i++) {
        if (time[i] < o->from || time[i] >= o->to)
            continue;
        size_t s = 0;
        if (o->by_day) {
            int32_t d;
            if ((rc = custops__an_local(o->zone, time[i], &d, NULL)))
                break;
            s = (size_t)(d - d0);
        }
        int64_t r = refunded ? refunded[i] : 0;
        if ((rc = add_money(&gmv[s], amount[i], __func__, "amount", i)) ||
            (rc = add_money(&ref[s], r, __func__, "refunded", i)) ||
            (rc = add_money(&items[s], qty[i], __func__, "qty", i)))
            break;
        keys[nk++] = (key3){(int64_t)s, cust[i], ord[i]};
    }
    if (rc)
        goto done;
    qsort(keys, nk, sizeof *keys, cmp_key3);
    for (size_t i = 0, run = 0; i < nk; i++) {
        int new_order = i == 0 || cmp_key3(&keys[i], &keys[i - 1]) != 0;
        int new_buyer = i == 0 || keys[i].a != keys[i - 1].a || keys[i].b != keys[i - 1].b;
        if (new_buyer) {
            buyers[keys[i].a]++;
            run = 0;
        }
        if (new_order && ++run == 2)
            repeat[keys[i].a]++;
        orders[keys[i].a] += new_order;
    }
    nk = 0;
    for (size_t i = 0; i < ne && !rc; i++) {
        if (et[i] < o->from || et[i] >= o->to)
            continue;
        size_t s = 0;
        if (o->by_day) {
            int32_t d;
            if ((rc = custops__an_local(o->zone, et[i], &d, NULL)))
                break;
            s = (size_t)(d - d0);
        }
        keys[nk++] = (key3){(int64_t)s, ec[i], 0};
    }
    if (rc)
        goto done;
    qsort(keys, nk, sizeof *keys, cmp_key3);
    for (size_t i = 0; i < nk; i++)
        if (i == 0 || cmp_key3(&keys[i], &keys[i - 1]) != 0)
            uv[keys[i].a]++;
    for (size_t s = 0; s < ns; s++) {
        if (__builtin_sub_overflow(gmv[s], ref[s], &net[s])) {
            rc = custops__err(CUSTOPS_ERANGE, "%s: net revenue overflows int64", __func__);
            goto done;
        }
        aov[s] = ratio((double)gmv[s], (double)orders[s]);
        conv[s] = ratio((double)buyers[s], (double)uv[s]);
        rep[s] = ratio((double)repeat[s], (double)buyers[s]);
        day[s] = d0 + (int64_t)s;
        int y, m, dd;
        custops_day_to_date((int32_t)day[s], &y, &m, &dd);
        dates[s] = dbuf + 16 * s;
        snprintf(dates[s], 16, "%04d-%02d-%02d", y, m, dd);
    }
    if ((rc = custops_frame_new(&f)))
        goto done;
    if (o->by_day) {
        custops__an_put_i64(f, &rc, "day", day, ns);
        day = NULL;
        if (!rc)
            rc = custops_frame_add_string(f, "date", (const char *const *)dates, ns);
    }
    custops__an_put_i64(f, &rc, "gmv", gmv, ns);
    custops__an_put_i64(f, &rc, "refunds", ref, ns);
    custops__an_put_i64(f, &rc, "net_revenue", net, ns);
    custops__an_put_i64(f, &rc, "items", items, ns);
    custops__an_put_i64(f, &rc, "orders", orders, ns);
    custops__an_put_i64(f, &rc, "buyers", buyers, ns);
    custops__an_put_i64(f, &rc, "uv", uv, ns);
    custops__an_put_f64(f, &rc, "aov", aov, ns);
    custops__an_put_f64(f, &rc, "conversion", conv, ns);
    custops__an_put_f64(f, &rc, "repurchase_rate", rep, ns);
    gmv = ref = net = items = orders = buyers = uv = NULL;
    aov = conv = rep = NULL;
    if (!rc) {
        *out = f;
        f = NULL;
    }
done:
    custops_frame_free(f);
    custops__free(gmv), custops__free(ref), custops__free(net), custops__free(items), custops__free(orders);
    custops__free(buyers), custops__free(uv), custops__free(repeat), custops__free(day), custops__free(aov);
    custops__free(conv), custops__free(rep), custops__free(dates), custops__free(dbuf), custops__free(keys);
    return rc;
}

int custops_kpi_funnel(custops_frame **out, const custops_frame *lines, const custops_frame *events,
                       const custops_kpi_options *o)
{
    CUSTOPS__CHECK_NULL(out);
    *out = NULL;
    int rc = check_opts(__func__, o);
    if (rc)
        return rc;
    const int64_t *lc, *lt, *ec, *et, *ety;
    if ((rc = custops__an_i64(lines, __func__, "lines", "customer", &lc)) ||
        (rc = custops__an_i64(lines, __func__, "lines", "time", &lt)) ||
        (rc = custops__an_i64(events, __func__, "events", "customer", &ec)) ||
        (rc = custops__an_i64(events, __func__, "events", "time", &et)) ||
        (rc = custops__an_i64(events, __func__, "events", "type", &ety)))
        return rc;
    size_t nl = custops_frame_nrows(lines), ne = custops_frame_nrows(events);
    key3 *k = custops__reallocarray(NULL, nl + ne + 1, sizeof *k);
    if (!k)
        return custops__nomem();
    size_t n = 0;
    for (size_t i = 0; i < ne; i++)
        if (et[i] >= o->from && et[i] < o->to && ety[i] >= 0 && ety[i] <= 2)
            k[n++] = (key3){ec[i], et[i], ety[i]};
    for (size_t i = 0; i < nl; i++)
        if (lt[i] >= o->from && lt[i] < o->to)
            k[n++] = (key3){lc[i], lt[i], 3};
    qsort(k, n, sizeof *k, cmp_key3); /* by customer, time, step */
    int64_t reached[4] = {0};
    for (size_t i = 0; i < n;) {
        size_t j = i;
        int stage = 0, seen = 0;
        for (; j < n && k[j].a == k[i].a; j++) {
            seen |= 1 << k[j].c;
            if (k[j].c == stage && stage < 4)
                stage++;
        }
        if (!o->ordered_funnel)
            for (stage = 0; stage < 4 && (seen >> stage & 1); stage++)
                ;
        for (int s = 0; s < stage; s++)
            reached[s]++;
        i = j;
    }
    custops__free(k);
    static const char *const STEPS[4] = {"visit", "view", "cart_add", "order"};
    double prev[4], first[4];
    for (int s = 0; s < 4; s++) {
        prev[s] = s == 0 ? 1 : ratio((double)reached[s], (double)reached[s - 1]);
        first[s] = s == 0 ? 1 : ratio((double)reached[s], (double)reached[0]);
    }
    custops_frame *f;
    if ((rc = custops_frame_new(&f)))
        return rc;
    if ((rc = custops_frame_add_string(f, "step", STEPS, 4)) || (rc = custops_frame_add_int64(f, "customers", reached, 4)) ||
        (rc = custops_frame_add_double(f, "rate_from_previous", prev, 4)) ||
        (rc = custops_frame_add_double(f, "rate_from_first", first, 4))) {
        custops_frame_free(f);
        return rc;
    }
    *out = f;
    return CUSTOPS_OK;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static int month_of(const custops_zone *z, int64_t t, int32_t *month)
{
    int32_t d;
    int rc = custops__an_local(z, t, &d, NULL);
    if (rc)
        return rc;
    int y, m, dd;
    custops_day_to_date(d, &y, &m, &dd);
    *month = y * 12 + (m - 1);
    return 0;
}

int custops_kpi_cohorts(custops_frame **out, const custops_frame *lines, const custops_kpi_options *o)
{
    CUSTOPS__CHECK_NULL(out);
    *out = NULL;
    int rc = check_opts(__func__, o);
    if (rc)
        return rc;
    const int64_t *cust, *time, *amount, *refunded;
    if ((rc = custops__an_i64(lines, __func__, "lines", "customer", &cust)) ||
        (rc = custops__an_i64(lines, __func__, "lines", "time", &time)) ||
        (rc = custops__an_i64(lines, __func__, "lines", "amount", &amount)) ||
        (rc = custops__an_i64_opt(lines, __func__, "lines", "refunded", &refunded)))
        return rc;
    size_t n = custops_frame_nrows(lines);
    int32_t m_from, m_last;
    if ((rc = month_of(o->zone, o->from, &m_from)) || (rc = month_of(o->zone, o->to - 1, &m_last)))
        return rc;
    if ((int64_t)m_last - m_from + 1 > MAX_MONTHS)
        return custops__err(CUSTOPS_ELIMIT, "%s: the range spans more than %d months", __func__, MAX_MONTHS);
    size_t nm = (size_t)(m_last - m_from + 1);

    uint32_t *id = custops__reallocarray(NULL, n ? n : 1, sizeof *id);
    int64_t *codes = NULL, *first = NULL, *rev = NULL, *size = NULL;
    int32_t *cm = NULL;
    uint64_t *keys = NULL;
    size_t *row0 = NULL;
    custops_frame *f = NULL;
    int64_t *r_cohort = NULL, *r_off = NULL, *r_size = NULL, *r_act = NULL, *r_rev = NULL;
    double *r_ret = NULL, *r_ltv = NULL;
    size_t nc = 0;
    if (!id) {
        rc = custops__nomem();
        goto done;
    }
    if ((rc = custops__an_remap(cust, n, id, &codes, &nc)))
        goto done;
    first = custops__reallocarray(NULL, nc ? nc : 1, sizeof *first);
    cm = custops__reallocarray(NULL, nc ? nc : 1, sizeof *cm);
    rev = custops__calloc(nm * nm, sizeof *rev);
    size = custops__calloc(nm, sizeof *size);
    keys = custops__reallocarray(NULL, n ? n : 1, sizeof *keys);
    if (!first || !cm || !rev || !size || !keys) {
        rc = custops__nomem();
        goto done;
    }
    for (size_t c = 0; c < nc; c++)
        first[c] = INT64_MAX;
    for (size_t i = 0; i < n; i++)
        if (id[i] != UINT32_MAX && time[i] < first[id[i]])
            first[id[i]] = time[i];
    for (size_t c = 0; c < nc; c++) {
        cm[c] = -1;
        if (first[c] >= o->from && first[c] < o->to) {
            int32_t m;
            if ((rc = month_of(o->zone, first[c], &m)))
                goto done;
            cm[c] = m - m_from;
            size[cm[c]]++;
        }
    }
    size_t nk = 0;
    for (size_t i = 0; i < n; i++) {
        if (id[i] == UINT32_MAX || cm[id[i]] < 0 || time[i] >= o->to)
            continue;
        int32_t m;
        if ((rc = month_of(o->zone, time[i], &m)))
            goto done;
        uint64_t c0 = (uint64_t)cm[id[i]], off = (uint64_t)(m - m_from) - c0;
        int64_t v = amount[i] - (refunded ? refunded[i] : 0);
        if ((refunded && __builtin_sub_overflow(amount[i], refunded[i], &v)) ||
            __builtin_add_overflow(rev[c0 * nm + off], v, &rev[c0 * nm + off])) {
            rc = custops__err(CUSTOPS_ERANGE, "%s: lines row %zu: cohort revenue overflows int64", __func__, i);
            goto done;
        }
        keys[nk++] = c0 << 43 | off << 32 | id[i];
    }
    qsort(keys, nk, sizeof *keys, cmp_u64);
    size_t nr = 0;
    for (size_t c = 0; c < nm; c++)
        if (size[c])
            nr += nm - c;
    size_t m1 = nr ? nr : 1;
    r_cohort = custops__reallocarray(NULL, m1, 8), r_off = custops__reallocarray(NULL, m1, 8);
    r_size = custops__reallocarray(NULL, m1, 8), r_act = custops__calloc(m1, 8);
    r_rev = custops__reallocarray(NULL, m1, 8), r_ret = custops__reallocarray(NULL, m1, 8);
    r_ltv = custops__reallocarray(NULL, m1, 8);
    if (!r_cohort || !r_off || !r_size || !r_act || !r_rev || !r_ret || !r_ltv) {
        rc = custops__nomem();
        goto done;
    }
    /* row of (cohort c, offset off): rows of earlier cohorts first */
    row0 = custops__reallocarray(NULL, nm, sizeof *row0); /* cohort -> its first row */
    if (!row0) {
        rc = custops__nomem();
        goto done;
    }
    for (size_t c = 0, r = 0; c < nm; c++) {
        int64_t sz = size[c];
        row0[c] = sz ? r : SIZE_MAX;
        if (!sz)
            continue;
        int64_t cum = 0;
        int32_t mon = m_from + (int32_t)c;
        for (size_t off = 0; off < nm - c; off++, r++) {
            r_cohort[r] = (int64_t)(mon / 12) * 100 + mon % 12 + 1;
            r_off[r] = (int64_t)off;
            r_size[r] = sz;
            r_rev[r] = rev[c * nm + off];
            if (__builtin_add_overflow(cum, r_rev[r], &cum)) {
                rc = custops__err(CUSTOPS_ERANGE, "%s: cohort revenue overflows int64", __func__);
                goto done;
            }
            r_ltv[r] = (double)cum / (double)sz;
        }
    }
    for (size_t i = 0; i < nk; i++)
        if (i == 0 || keys[i] != keys[i - 1]) {
            uint64_t c0 = keys[i] >> 43, off = keys[i] >> 32 & 0x7ff;
            r_act[row0[c0] + off]++;
        }
    for (size_t r = 0; r < nr; r++)
        r_ret[r] = (double)r_act[r] / (double)r_size[r];
    if ((rc = custops_frame_new(&f)))
        goto done;
    custops__an_put_i64(f, &rc, "cohort", r_cohort, nr);
    custops__an_put_i64(f, &rc, "offset", r_off, nr);
    custops__an_put_i64(f, &rc, "cohort_size", r_size, nr);
    custops__an_put_i64(f, &rc, "active", r_act, nr);
    custops__an_put_i64(f, &rc, "revenue", r_rev, nr);
    custops__an_put_f64(f, &rc, "retention", r_ret, nr);
    custops__an_put_f64(f, &rc, "ltv", r_ltv, nr);
    r_cohort = r_off = r_size = r_act = r_rev = NULL;
    r_ret = r_ltv = NULL;
    if (!rc) {
        *out = f;
        f = NULL;
    }
done:
    custops_frame_free(f);
    custops__free(id), custops__free(codes), custops__free(first), custops__free(cm), custops__free(rev);
    custops__free(size), custops__free(keys), custops__free(row0), custops__free(r_cohort), custops__free(r_off), custops__free(r_size);
    custops__free(r_act), custops__free(r_rev), custops__free(r_ret), custops__free(r_ltv);
    return rc;
}
