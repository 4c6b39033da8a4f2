/* k-means++ on z-scored columns, deterministic for a seed (splitmix64
 * draws), Lloyd iterations until no assignment changes, and two quality
 * measures to choose k: the mean silhouette on a seeded sample and the
 * Calinski-Harabasz index on all rows. */
#include "segment_internal.h"

#include <float.h>
#include <math.h>

int seg_numeric_column(const custops_frame *f, const char *name, double **out);

#define KM_MAX_K 256
#define KM_MAX_COLS 64

static uint64_t splitmix(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static double uniform(uint64_t *s) { return (double)(splitmix(s) >> 11) * (1.0 / 9007199254740992.0); }

int custops_kmeans_options_init(custops_kmeans_options *opts, unsigned int version)
{
    CUSTOPS__CHECK_NULL(opts);
    if (version != CUSTOPS_KMEANS_OPTIONS_VERSION)
        return custops__err(CUSTOPS_EVERSION, "custops_kmeans_options version %u is unknown (this library has %d)",
                            version, CUSTOPS_KMEANS_OPTIONS_VERSION);
    custops_kmeans_options d = CUSTOPS_KMEANS_OPTIONS_INIT;
    *opts = d;
    return CUSTOPS_OK;
}

static double dist2(const double *a, const double *b, size_t d)
{
    double s = 0;
    for (size_t j = 0; j < d; j++) {
        double t = a[j] - b[j];
        s += t * t;
    }
    return s;
}

typedef struct km {
    size_t n, d, k;
    double *x;      /* n x d standardized */
    double *c;      /* k x d centers */
    int64_t *lab;
    size_t *size;
    double mean[KM_MAX_COLS], sd[KM_MAX_COLS];
} km;

static void seed_plusplus(km *m, uint64_t *rng, double *dmin)
{
    size_t n = m->n, d = m->d;
    size_t first = (size_t)(splitmix(rng) % n);
    memcpy(m->c, m->x + first * d, d * sizeof *m->c);
    for (size_t i = 0; i < n; i++)
        dmin[i] = dist2(m->x + i * d, m->c, d);
    for (size_t j = 1; j < m->k; j++) {
        double total = 0;
        for (size_t i = 0; i < n; i++)
            total += dmin[i];
        size_t pick = 0;
        if (total > 0) {
            double u = uniform(rng) * total, acc = 0;
            pick = n - 1;
            for (size_t i = 0; i < n; i++) {
                acc += dmin[i];
                if (acc > u) {
                    pick = i;
                    break;
                }
            }
        } else {
            pick = (size_t)(splitmix(rng) % n);
        }
        memcpy(m->c + j * d, m->x + pick * d, d * sizeof *m->c);
        for (size_t i = 0; i < n; i++) {
            double t = dist2(m->x + i * d, m->c + j * d, d);
            if (t < dmin[i])
                dmin[i] = t;
        }
    }
}

static int lloyd(km *m, size_t max_iter, double *dmin)
{
    size_t n = m->n, d = m->d, k = m->k;
    double *sum = custops__calloc(k * d, sizeof *sum);
    if (!sum)
        return custops__nomem();
    for (size_t it = 0; it < max_iter; it++) {
        size_t changed = 0;
        for (size_t i = 0; i < n; i++) {
            double best = DBL_MAX;
            int64_t bj = 0;
            for (size_t j = 0; j < k; j++) {
                double t = dist2(m->x + i * d, m->c + j * d, d);
                if (t < best) {
                    best = t;
                    bj = (int64_t)j;
                }
            }
            dmin[i] = best;
            if (m->lab[i] != bj) {
                m->lab[i] = bj;
                changed++;
            }
        }
        if (!changed && it > 0)
            break;
        memset(sum, 0, k * d * sizeof *sum);
        memset(m->size, 0, k * sizeof *m->size);
        for (size_t i = 0; i < n; i++) {
            size_t j = (size_t)m->lab[i];
            m->size[j]++;
            for (size_t q = 0; q < d; q++)
                sum[j * d + q] += m->x[i * d + q];
        }
        for (size_t j = 0; j < k; j++) {
            if (m->size[j] == 0) {
                /* an empty cluster takes the point farthest from its center */
                size_t far = 0;
                for (size_t i = 1; i < n; i++)
                    if (dmin[i] > dmin[far])
                        far = i;
                memcpy(m->c + j * d, m->x + far * d, d * sizeof *m->c);
                dmin[far] = 0;
                continue;
            }
            for (size_t q = 0; q < d; q++)
                m->c[j * d + q] = sum[j * d + q] / (double)m->size[j];
        }
    }
    /* final sizes for the reported assignment */
    memset(m->size, 0, k * sizeof *m->size);
    for (size_t i = 0; i < n; i++)
        m->size[m->lab[i]]++;
    custops__free(sum);
    return CUSTOPS_OK;
}

static int silhouette(const km *m, size_t sample, uint64_t seed, double *out)
{
    size_t n = m->n, d = m->d, k = m->k;
    *out = 0;
    if (k < 2)
        return CUSTOPS_OK;
    size_t s = (sample == 0 || sample > n) ? n : sample;
    size_t *idx = custops__malloc(n * sizeof *idx);
    double *acc = custops__malloc(k * sizeof *acc);
    size_t *cnt = custops__malloc(k * sizeof *cnt);
    if (!idx || !acc || !cnt) {
        custops__free(idx);
        custops__free(acc);
        custops__free(cnt);
        return custops__nomem();
    }
    for (size_t i = 0; i < n; i++)
        idx[i] = i;
    uint64_t rng = seed ^ 0x5111u;
    for (size_t i = 0; i < s && s < n; i++) { /* partial Fisher-Yates */
        size_t j = i + (size_t)(splitmix(&rng) % (n - i));
        size_t t = idx[i];
        idx[i] = idx[j];
        idx[j] = t;
    }
    double total = 0;
    size_t used = 0;
    for (size_t a = 0; a < s; a++) {
        memset(acc, 0, k * sizeof *acc);
        memset(cnt, 0, k * sizeof *cnt);
        size_t ia = idx[a];
        for (size_t b = 0; b < s; b++) {
            if (a == b)
                continue;
            size_t ib = idx[b];
            size_t j = (size_t)m->lab[ib];
            acc[j] += sqrt(dist2(m->x + ia * d, m->x + ib * d, d));
            cnt[j]++;
        }
        size_t own = (size_t)m->lab[ia];
        if (cnt[own] == 0) { /* a singleton in the sample scores 0 */
            used++;
            continue;
        }
        double ai = acc[own] / (double)cnt[own], bi = DBL_MAX;
        for (size_t j = 0; j < k; j++)
            if (j != own && cnt[j] && acc[j] / (double)cnt[j] < bi)
                bi = acc[j] / (double)cnt[j];
        if (bi == DBL_MAX)
            continue;
        double mx = ai > bi ? ai : bi;
        total += mx > 0 ? (bi - ai) / mx : 0;
        used++;
    }
    *out = used ? total / (double)used : 0;
    custops__free(idx);
    custops__free(acc);
    custops__free(cnt);
    return CUSTOPS_OK;
}

static double calinski_harabasz(const km *m)
{
    size_t n = m->n, d = m->d, k = m->k;
    if (k < 2 || n <= k)
        return 0;
    double mean[KM_MAX_COLS] = {0};
    for (size_t i = 0; i < n; i++)
        for (size_t q = 0; q < d; q++)
            mean[q] += m->x[i * d + q];
    for (size_t q = 0; q < d; q++)
        mean[q] /= (double)n;
    double b = 0, w = 0;
    for (size_t j = 0; j < k; j++)
        b += (double)m->size[j] * dist2(m->c + j * d, mean, d);
    for (size_t i = 0; i < n; i++)
        w += dist2(m->x + i * d, m->c + (size_t)m->lab[i] * d, d);
    if (!(w > 0))
        return 0;
    return (b / (double)(k - 1)) / (w / (double)(n - k));
}

int custops_kmeans(custops_frame **assign_out, custops_frame **centers_out, double *silhouette_out, double *ch_out,
                   const custops_frame *frame, const char *cols, const custops_kmeans_options *opts)
{
    CUSTOPS__CHECK_NULL(assign_out);
    *assign_out = NULL;
    if (centers_out)
        *centers_out = NULL;
    if (silhouette_out)
        *silhouette_out = 0;
    if (ch_out)
        *ch_out = 0;
    CUSTOPS__CHECK_NULL(frame);
    CUSTOPS__CHECK_NULL(cols);
    custops_kmeans_options dflt = CUSTOPS_KMEANS_OPTIONS_INIT;
    if (!opts)
        opts = &dflt;
    if (opts->version != CUSTOPS_KMEANS_OPTIONS_VERSION)
        return custops__err(CUSTOPS_EVERSION, "custops_kmeans_options version %u is unknown", opts->version);
    km m;
    memset(&m, 0, sizeof m);
    m.n = custops_frame_nrows(frame);
    m.k = opts->k;
    if (m.k < 1 || m.k > KM_MAX_K)
        return custops__err(CUSTOPS_EINVAL, "k = %zu is outside 1..%d", m.k, KM_MAX_K);
    if (m.k > m.n)
        return custops__err(CUSTOPS_EINVAL, "k = %zu is more than the %zu rows", m.k, m.n);
    if (opts->max_iter < 1 || opts->max_iter > 100000)
        return custops__err(CUSTOPS_EINVAL, "max_iter %zu is outside 1..100000", opts->max_iter);
    /* split the column list */
    char names[KM_MAX_COLS][128];
    const char *p = cols;
    while (*p) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        while (len && *p == ' ') {
            p++;
            len--;
        }
        while (len && p[len - 1] == ' ')
            len--;
        if (len == 0 || len >= 128)
            return custops__err(CUSTOPS_EINVAL, "column list '%s': empty or too long name", cols);
        if (m.d >= KM_MAX_COLS)
            return custops__err(CUSTOPS_EINVAL, "more than %d columns", KM_MAX_COLS);
        memcpy(names[m.d], p, len);
        names[m.d][len] = '\0';
        m.d++;
        p = e ? e + 1 : p + len;
    }
    if (m.d == 0)
        return custops__err(CUSTOPS_EINVAL, "no columns given");
    size_t n = m.n, d = m.d, k = m.k;
    int rc = CUSTOPS_OK;
    double *dmin = NULL;
    custops_frame *af = NULL, *cf = NULL;
    m.x = custops__reallocarray(NULL, n * d, sizeof *m.x);
    m.c = custops__calloc(k * d, sizeof *m.c);
    m.lab = custops__malloc(n * sizeof *m.lab);
    m.size = custops__calloc(k, sizeof *m.size);
    dmin = custops__malloc(n * sizeof *dmin);
    if (!m.x || !m.c || !m.lab || !m.size || !dmin) {
        rc = custops__nomem();
        goto done;
    }
    for (size_t q = 0; q < d; q++) {
        double *v;
        if ((rc = seg_numeric_column(frame, names[q], &v)))
            goto done;
        double s = 0, ss = 0;
        for (size_t i = 0; i < n; i++) {
            if (!isfinite(v[i])) {
                custops__free(v);
                rc = custops__err(CUSTOPS_EINVAL, "column '%s' row %zu is not finite", names[q], i);
                goto done;
            }
            s += v[i];
        }
        double mean = s / (double)n;
        for (size_t i = 0; i < n; i++)
            ss += (v[i] - mean) * (v[i] - mean);
        double sd = sqrt(ss / (double)n);
        m.mean[q] = mean;
        m.sd[q] = sd;
        for (size_t i = 0; i < n; i++)
            m.x[i * d + q] = sd > 0 ? (v[i] - mean) / sd : 0;
        custops__free(v);
    }
    for (size_t i = 0; i < n; i++)
        m.lab[i] = -1;
    uint64_t rng = opts->seed;
    seed_plusplus(&m, &rng, dmin);
    if ((rc = lloyd(&m, opts->max_iter, dmin)))
        goto done;
    if (silhouette_out && (rc = silhouette(&m, opts->sample, opts->seed, silhouette_out)))
        goto done;
    if (ch_out)
        *ch_out = calinski_harabasz(&m);
    if ((rc = custops_frame_new(&af)))
        goto done;
    rc = custops__frame_add_int64_owned(af, "cluster", m.lab, n);
    m.lab = NULL;
    if (rc)
        goto done;
    if (centers_out) {
        if ((rc = custops_frame_new(&cf)))
            goto done;
        double *col = custops__malloc(k * sizeof *col);
        int64_t *sz = custops__malloc(k * sizeof *sz);
        if (!col || !sz) {
            custops__free(col);
            custops__free(sz);
            rc = custops__nomem();
            goto done;
        }
        for (size_t q = 0; q < d && !rc; q++) {
            for (size_t j = 0; j < k; j++)
                col[j] = m.c[j * d + q] * m.sd[q] + m.mean[q];
            rc = custops_frame_add_double(cf, names[q], col, k);
        }
        for (size_t j = 0; j < k; j++)
            sz[j] = (int64_t)m.size[j];
        if (!rc)
            rc = custops_frame_add_int64(cf, "size", sz, k);
        custops__free(col);
        custops__free(sz);
        if (rc)
            goto done;
        *centers_out = cf;
        cf = NULL;
    }
    *assign_out = af;
    af = NULL;
done:
    if (rc && centers_out)
        *centers_out = NULL;
    custops_frame_free(af);
    custops_frame_free(cf);
    custops__free(m.x);
    custops__free(m.c);
    custops__free(m.lab);
    custops__free(m.size);
    custops__free(dmin);
    return rc;
}
