/* Growable byte buffers for writing, and bounds-checked readers for loading.
 * Save-file loaders read only through custops__rd so a truncated or hostile
 * file can never make them read past the end or allocate absurd sizes. */
#include "internal.h"

#include <stdio.h>

void custops__buf_init(custops__buf *b) { memset(b, 0, sizeof *b); }

void custops__buf_release(custops__buf *b)
{
    custops__free(b->data);
    memset(b, 0, sizeof *b);
}

int custops__buf_append(custops__buf *b, const void *data, size_t n)
{
    if (b->failed)
        return CUSTOPS_ENOMEM;
    if (n > SIZE_MAX - b->len - 1 || CUSTOPS__GROW(b->data, b->cap, b->len + n + 1) != 0) {
        b->failed = 1;
        return custops__nomem();
    }
    if (n)
        memcpy(b->data + b->len, data, n);
    b->len += n;
    b->data[b->len] = '\0'; /* keeps text buffers usable as C strings */
    return CUSTOPS_OK;
}

int custops__buf_puts(custops__buf *b, const char *s) { return custops__buf_append(b, s, strlen(s)); }

int custops__buf_printf(custops__buf *b, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        return custops__err(CUSTOPS_EINVAL, "format error");
    if ((size_t)n < sizeof small)
        return custops__buf_append(b, small, (size_t)n);
    char *big = custops__malloc((size_t)n + 1);
    if (!big) {
        b->failed = 1;
        return custops__nomem();
    }
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    int rc = custops__buf_append(b, big, (size_t)n);
    custops__free(big);
    return rc;
}

int custops__buf_u8(custops__buf *b, uint8_t v) { return custops__buf_append(b, &v, 1); }

int custops__buf_u32(custops__buf *b, uint32_t v)
{
    unsigned char x[4];
    for (int i = 0; i < 4; i++)
        x[i] = (unsigned char)(v >> (8 * i));
    return custops__buf_append(b, x, 4);
}

int custops__buf_u64(custops__buf *b, uint64_t v)
{
    unsigned char x[8];
    for (int i = 0; i < 8; i++)
        x[i] = (unsigned char)(v >> (8 * i));
    return custops__buf_append(b, x, 8);
}

int custops__buf_i64(custops__buf *b, int64_t v) { return custops__buf_u64(b, (uint64_t)v); }

int custops__buf_f64(custops__buf *b, double v)
{
    uint64_t u;
    memcpy(&u, &v, 8);
    return custops__buf_u64(b, u);
}

int custops__buf_str(custops__buf *b, const char *s)
{
    size_t n = strlen(s);
    if (n > UINT32_MAX)
        return custops__err(CUSTOPS_ELIMIT, "string longer than 4 GiB");
    custops__buf_u32(b, (uint32_t)n);
    return custops__buf_append(b, s, n);
}

int custops__buf_status(const custops__buf *b) { return b->failed ? custops__nomem() : CUSTOPS_OK; }

void custops__rd_init(custops__rd *r, const void *data, size_t len, const char *what)
{
    r->p = data;
    r->end = r->p + len;
    r->what = what ? what : "data";
}

size_t custops__rd_left(const custops__rd *r) { return (size_t)(r->end - r->p); }

static int rd_short(const custops__rd *r, size_t n)
{
    return custops__err(CUSTOPS_ECORRUPT, "%s: truncated (needed %zu more bytes, %zu left)", r->what, n,
                        custops__rd_left(r));
}

int custops__rd_bytes(custops__rd *r, void *out, size_t n)
{
    if (custops__rd_left(r) < n)
        return rd_short(r, n);
    memcpy(out, r->p, n);
    r->p += n;
    return CUSTOPS_OK;
}

int custops__rd_view(custops__rd *r, const void **out, size_t n)
{
    if (custops__rd_left(r) < n)
        return rd_short(r, n);
    *out = r->p;
    r->p += n;
    return CUSTOPS_OK;
}

int custops__rd_u8(custops__rd *r, uint8_t *v) { return custops__rd_bytes(r, v, 1); }

int custops__rd_u32(custops__rd *r, uint32_t *v)
{
    if (custops__rd_left(r) < 4)
        return rd_short(r, 4);
    uint32_t x = 0;
    for (int i = 0; i < 4; i++)
        x |= (uint32_t)r->p[i] << (8 * i);
    r->p += 4;
    *v = x;
    return CUSTOPS_OK;
}

int custops__rd_u64(custops__rd *r, uint64_t *v)
{
    if (custops__rd_left(r) < 8)
        return rd_short(r, 8);
    uint64_t x = 0;
    for (int i = 0; i < 8; i++)
        x |= (uint64_t)r->p[i] << (8 * i);
    r->p += 8;
    *v = x;
    return CUSTOPS_OK;
}

int custops__rd_i64(custops__rd *r, int64_t *v)
{
    uint64_t u;
    int rc = custops__rd_u64(r, &u);
    if (rc == 0)
        *v = (int64_t)u;
    return rc;
}

int custops__rd_f64(custops__rd *r, double *v)
{
    uint64_t u;
    int rc = custops__rd_u64(r, &u);
    if (rc == 0)
        memcpy(v, &u, 8);
    return rc;
}

int custops__rd_str(custops__rd *r, char **out)
{
    uint32_t n = 0;
    const void *p = NULL;
    int rc = custops__rd_u32(r, &n);
    if (rc == 0)
        rc = custops__rd_view(r, &p, n);
    if (rc)
        return rc;
    if (memchr(p, '\0', n))
        return custops__err(CUSTOPS_ECORRUPT, "%s: string contains a NUL byte", r->what);
    *out = custops__strndup(p, n);
    return *out ? CUSTOPS_OK : custops__nomem();
}

int custops__rd_count(custops__rd *r, uint64_t *n, size_t min_elem_bytes)
{
    int rc = custops__rd_u64(r, n);
    if (rc)
        return rc;
    if (min_elem_bytes && *n > custops__rd_left(r) / min_elem_bytes)
        return custops__err(CUSTOPS_ECORRUPT, "%s: count %llu exceeds the data that follows", r->what,
                            (unsigned long long)*n);
    return CUSTOPS_OK;
}
