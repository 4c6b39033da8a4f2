/* Save files for fitted models: kind "CLVM" through the core frame
 * (atomic write, checksums). Payload, version 1, little endian:
 *   u32 model kind, u32 parameter count k, f64 params[k], f64 stderr[k],
 *   u8 stderr valid, f64 log-likelihood, f64 gradient norm, u32 iterations,
 *   u8 status code, f64 customers, f64 distinct rows.
 * The loader checks every field; anything off is CUSTOPS_ECORRUPT. */
#include "clv_internal.h"

#include <math.h>

#define CLVM_VERSION 1

static const char *const status_names[] = {"given", "converged", "converged-f", "nelder-mead"};

int custops_clv_save(const custops_clv_model *m, const char *path)
{
    CUSTOPS__CHECK_NULL(m);
    CUSTOPS__CHECK_NULL(path);
    custops__buf b;
    custops__buf_init(&b);
    uint8_t code = 0;
    for (uint8_t i = 0; i < 4; i++)
        if (strcmp(m->status, status_names[i]) == 0)
            code = i;
    custops__buf_u32(&b, (uint32_t)m->spec->kind);
    custops__buf_u32(&b, (uint32_t)m->spec->np);
    for (int k = 0; k < m->spec->np; k++)
        custops__buf_f64(&b, m->th[k]);
    for (int k = 0; k < m->spec->np; k++)
        custops__buf_f64(&b, m->se[k]);
    custops__buf_u8(&b, (uint8_t)(m->se_ok ? 1 : 0));
    custops__buf_f64(&b, m->loglik);
    custops__buf_f64(&b, m->grad_norm);
    custops__buf_u32(&b, m->iterations);
    custops__buf_u8(&b, code);
    custops__buf_f64(&b, m->customers);
    custops__buf_f64(&b, m->rows);
    int rc = custops__buf_status(&b);
    if (rc == CUSTOPS_OK)
        rc = custops__save_atomic(path, "CLVM", CLVM_VERSION, b.data, b.len);
    custops__buf_release(&b);
    return rc;
}

static int corrupt(const char *path, const char *what)
{
    return custops__err(CUSTOPS_ECORRUPT, "%s: CLV model file is corrupt: %s", path, what);
}

int custops__clv_decode(custops_clv_model **out, const void *data, size_t len, const char *what)
{
    custops__rd r;
    custops__rd_init(&r, data, len, what);
    uint32_t kind, np, iters;
    uint8_t se_ok, code;
    double th[CLV_MAXP], se[CLV_MAXP], ll, gn, customers, rows;
    int rc;
    if ((rc = custops__rd_u32(&r, &kind)) || (rc = custops__rd_u32(&r, &np)))
        return rc;
    const clv_spec *s = custops__clv_spec((int)kind);
    if (!s)
        return corrupt(what, "unknown model kind");
    if (np != (uint32_t)s->np)
        return corrupt(what, "wrong parameter count");
    for (uint32_t k = 0; k < np; k++)
        if ((rc = custops__rd_f64(&r, &th[k])))
            return rc;
    for (uint32_t k = 0; k < np; k++)
        if ((rc = custops__rd_f64(&r, &se[k])))
            return rc;
    if ((rc = custops__rd_u8(&r, &se_ok)) || (rc = custops__rd_f64(&r, &ll)) || (rc = custops__rd_f64(&r, &gn)) ||
        (rc = custops__rd_u32(&r, &iters)) || (rc = custops__rd_u8(&r, &code)) ||
        (rc = custops__rd_f64(&r, &customers)) || (rc = custops__rd_f64(&r, &rows)))
        return rc;
    if (custops__rd_left(&r) != 0)
        return corrupt(what, "trailing bytes");
    for (uint32_t k = 0; k < np; k++)
        if (!(isfinite(th[k]) && th[k] > 0 && th[k] <= 1e10) || !(isfinite(se[k]) && se[k] >= 0))
            return corrupt(what, "parameter or standard error out of range");
    if (se_ok > 1 || code > 3 || !isfinite(ll) || !isfinite(gn) || gn < 0 || !isfinite(customers) || customers < 0 ||
        !isfinite(rows) || rows < 0)
        return corrupt(what, "fit report out of range");
    custops_clv_model *m;
    if ((rc = custops__clv_model_make(&m, (int)kind, th, np)) != CUSTOPS_OK)
        return rc;
    memcpy(m->se, se, sizeof(double) * np);
    m->se_ok = se_ok;
    m->loglik = ll;
    m->grad_norm = gn;
    m->iterations = iters;
    m->status = status_names[code];
    m->customers = customers;
    m->rows = rows;
    *out = m;
    return CUSTOPS_OK;
}

int custops_clv_load(custops_clv_model **out, const char *path)
{
    CUSTOPS__CHECK_NULL(out);
    *out = NULL;
    CUSTOPS__CHECK_NULL(path);
    void *payload;
    size_t len;
    uint32_t version;
    int rc = custops__load_file(path, "CLVM", CLVM_VERSION, &payload, &len, &version);
    if (rc != CUSTOPS_OK)
        return rc;
    rc = custops__clv_decode(out, payload, len, path);
    custops__free(payload);
    return rc;
}
