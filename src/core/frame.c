/* Column tables. Columns are plain arrays so C callers index them directly
 * and bindings copy them into numpy in one memcpy. */
#include "internal.h"

typedef struct frame_col {
    char *name;
    int type;
    void *data;      /* int64_t[] or double[] */
    int borrowed;    /* data belongs to another handle (a zero-copy view) */
    char **strings;  /* for string columns: nrows pointers into one block */
    char *block;
} frame_col;

struct custops_frame {
    frame_col *cols;
    size_t ncols, cap;
    size_t nrows;
};

int custops_frame_new(custops_frame **out)
{
    CUSTOPS__CHECK_NULL(out);
    *out = custops__calloc(1, sizeof **out);
    return *out ? CUSTOPS_OK : custops__nomem();
}

static void col_release(frame_col *c)
{
    custops__free(c->name);
    if (!c->borrowed)
        custops__free(c->data);
    custops__free(c->strings);
    custops__free(c->block);
}

void custops_frame_free(custops_frame *f)
{
    if (!f)
        return;
    for (size_t i = 0; i < f->ncols; i++)
        col_release(&f->cols[i]);
    custops__free(f->cols);
    custops__free(f);
}

size_t custops_frame_nrows(const custops_frame *f) { return f ? f->nrows : 0; }
size_t custops_frame_ncols(const custops_frame *f) { return f ? f->ncols : 0; }

const char *custops_frame_col_name(const custops_frame *f, size_t col)
{
    return f && col < f->ncols ? f->cols[col].name : NULL;
}

int custops_frame_col_type(const custops_frame *f, size_t col) { return f && col < f->ncols ? f->cols[col].type : 0; }

int custops_frame_find(const custops_frame *f, const char *name, size_t *col_out)
{
    CUSTOPS__CHECK_NULL(f);
    CUSTOPS__CHECK_NULL(name);
    CUSTOPS__CHECK_NULL(col_out);
    for (size_t i = 0; i < f->ncols; i++)
        if (strcmp(f->cols[i].name, name) == 0) {
            *col_out = i;
            return CUSTOPS_OK;
        }
    return custops__err(CUSTOPS_ENOTFOUND, "frame has no column '%s'", name);
}

/* Validates and reserves a new column slot; the caller fills data. */
static int add_slot(custops_frame *f, const char *name, size_t n, const void *values, frame_col **slot)
{
    CUSTOPS__CHECK_NULL(f);
    CUSTOPS__CHECK_NULL(name);
    if (!name[0])
        return custops__err(CUSTOPS_EINVAL, "frame column name is empty");
    if (!values && n)
        return custops__err(CUSTOPS_EINVAL, "column '%s': values is NULL but n is %zu", name, n);
    if (f->ncols && n != f->nrows)
        return custops__err(CUSTOPS_EINVAL, "column '%s' has %zu rows, the frame has %zu", name, n, f->nrows);
    for (size_t i = 0; i < f->ncols; i++)
        if (strcmp(f->cols[i].name, name) == 0)
            return custops__err(CUSTOPS_EINVAL, "frame already has a column '%s'", name);
    if (CUSTOPS__GROW(f->cols, f->cap, f->ncols + 1))
        return CUSTOPS_ENOMEM;
    frame_col *c = &f->cols[f->ncols];
    memset(c, 0, sizeof *c);
    c->name = custops__strdup(name);
    if (!c->name)
        return custops__nomem();
    *slot = c;
    return CUSTOPS_OK;
}

static void commit_slot(custops_frame *f, size_t n)
{
    f->nrows = n;
    f->ncols++;
}

static int add_numeric(custops_frame *f, const char *name, const void *values, size_t n, int type, size_t elem,
                       void *owned)
{
    frame_col *c = NULL;
    int rc = add_slot(f, name, n, owned ? owned : values, &c);
    if (rc) {
        custops__free(owned);
        return rc;
    }
    if (owned) {
        c->data = owned;
    } else {
        c->data = custops__reallocarray(NULL, n ? n : 1, elem);
        if (!c->data) {
            custops__free(c->name);
            return custops__nomem();
        }
        if (n)
            memcpy(c->data, values, n * elem);
    }
    c->type = type;
    commit_slot(f, n);
    return CUSTOPS_OK;
}

int custops_frame_add_int64(custops_frame *f, const char *name, const int64_t *v, size_t n)
{
    return add_numeric(f, name, v, n, CUSTOPS_COL_INT64, sizeof(int64_t), NULL);
}

int custops_frame_add_double(custops_frame *f, const char *name, const double *v, size_t n)
{
    return add_numeric(f, name, v, n, CUSTOPS_COL_DOUBLE, sizeof(double), NULL);
}

int custops__frame_add_int64_owned(custops_frame *f, const char *name, int64_t *v, size_t n)
{
    return add_numeric(f, name, NULL, n, CUSTOPS_COL_INT64, sizeof(int64_t), v);
}

int custops__frame_add_double_owned(custops_frame *f, const char *name, double *v, size_t n)
{
    return add_numeric(f, name, NULL, n, CUSTOPS_COL_DOUBLE, sizeof(double), v);
}

/* Views: the store hands models its columns without copying 20 million
 * rows; the caller promises the array outlives the frame. */
static int add_borrowed(custops_frame *f, const char *name, const void *v, size_t n, int type)
{
    frame_col *c = NULL;
    int rc = add_slot(f, name, n, v, &c);
    if (rc)
        return rc;
    c->data = (void *)(uintptr_t)v;
    c->borrowed = 1;
    c->type = type;
    commit_slot(f, n);
    return CUSTOPS_OK;
}

int custops__frame_add_int64_borrowed(custops_frame *f, const char *name, const int64_t *v, size_t n)
{
    return add_borrowed(f, name, v, n, CUSTOPS_COL_INT64);
}

int custops__frame_add_double_borrowed(custops_frame *f, const char *name, const double *v, size_t n)
{
    return add_borrowed(f, name, v, n, CUSTOPS_COL_DOUBLE);
}

int custops_frame_add_string(custops_frame *f, const char *name, const char *const *v, size_t n)
{
    frame_col *c = NULL;
    int rc = add_slot(f, name, n, v, &c);
    if (rc)
        return rc;
    size_t total = 0;
    for (size_t i = 0; i < n; i++) {
        if (!v[i]) {
            custops__free(c->name);
            return custops__err(CUSTOPS_EINVAL, "column '%s': string %zu is NULL", name, i);
        }
        total += strlen(v[i]) + 1;
    }
    c->block = custops__malloc(total ? total : 1);
    c->strings = custops__reallocarray(NULL, n ? n : 1, sizeof(char *));
    if (!c->block || !c->strings) {
        col_release(c);
        return custops__nomem();
    }
    char *p = c->block;
    for (size_t i = 0; i < n; i++) {
        size_t l = strlen(v[i]) + 1;
        memcpy(p, v[i], l);
        c->strings[i] = p;
        p += l;
    }
    c->type = CUSTOPS_COL_STRING;
    commit_slot(f, n);
    return CUSTOPS_OK;
}

static int get_col(const custops_frame *f, size_t col, int type, const frame_col **out)
{
    CUSTOPS__CHECK_NULL(f);
    if (col >= f->ncols)
        return custops__err(CUSTOPS_EINVAL, "column index %zu out of range (frame has %zu)", col, f->ncols);
    if (f->cols[col].type != type)
        return custops__err(CUSTOPS_EINVAL, "column '%s' is not of the requested type", f->cols[col].name);
    *out = &f->cols[col];
    return CUSTOPS_OK;
}

int custops_frame_int64(const custops_frame *f, size_t col, const int64_t **data_out)
{
    const frame_col *c = NULL;
    CUSTOPS__CHECK_NULL(data_out);
    int rc = get_col(f, col, CUSTOPS_COL_INT64, &c);
    *data_out = rc ? NULL : c->data;
    return rc;
}

int custops_frame_double(const custops_frame *f, size_t col, const double **data_out)
{
    const frame_col *c = NULL;
    CUSTOPS__CHECK_NULL(data_out);
    int rc = get_col(f, col, CUSTOPS_COL_DOUBLE, &c);
    *data_out = rc ? NULL : c->data;
    return rc;
}

int custops_frame_string(const custops_frame *f, size_t col, size_t row, const char **str_out)
{
    const frame_col *c = NULL;
    CUSTOPS__CHECK_NULL(str_out);
    *str_out = NULL;
    int rc = get_col(f, col, CUSTOPS_COL_STRING, &c);
    if (rc)
        return rc;
    if (row >= f->nrows)
        return custops__err(CUSTOPS_EINVAL, "row %zu out of range (frame has %zu)", row, f->nrows);
    *str_out = c->strings[row];
    return CUSTOPS_OK;
}

static void csv_field(custops__buf *b, const char *s)
{
    if (strpbrk(s, ",\"\n\r") == NULL) {
        custops__buf_puts(b, s);
        return;
    }
    custops__buf_append(b, "\"", 1);
    for (; *s; s++) {
        if (*s == '"')
            custops__buf_append(b, "\"", 1);
        custops__buf_append(b, s, 1);
    }
    custops__buf_append(b, "\"", 1);
}

int custops_frame_write_csv(const custops_frame *f, const char *path)
{
    CUSTOPS__CHECK_NULL(f);
    CUSTOPS__CHECK_NULL(path);
    custops__buf b;
    custops__buf_init(&b);
    for (size_t c = 0; c < f->ncols; c++) {
        if (c)
            custops__buf_append(&b, ",", 1);
        csv_field(&b, f->cols[c].name);
    }
    custops__buf_append(&b, "\n", 1);
    for (size_t r = 0; r < f->nrows; r++) {
        for (size_t c = 0; c < f->ncols; c++) {
            const frame_col *col = &f->cols[c];
            if (c)
                custops__buf_append(&b, ",", 1);
            if (col->type == CUSTOPS_COL_INT64)
                custops__buf_printf(&b, "%lld", (long long)((const int64_t *)col->data)[r]);
            else if (col->type == CUSTOPS_COL_DOUBLE)
                custops__buf_printf(&b, "%.17g", ((const double *)col->data)[r]);
            else
                csv_field(&b, col->strings[r]);
        }
        custops__buf_append(&b, "\n", 1);
    }
    int rc = custops__buf_status(&b);
    if (rc == 0)
        rc = custops__write_atomic(path, b.data ? (const void *)b.data : "", b.len);
    custops__buf_release(&b);
    return rc;
}
