/* The library of named audiences: name-sorted definitions, each checked
 * for syntax and for reference cycles when it is defined, saved as one
 * "SEGS" save file. */
#include "segment_internal.h"

#include <stdio.h>

#define LIB_MAX 10000
#define LIB_VERSION 1

typedef struct def {
    char *name, *text;
    seg_refs refs;
} def;

struct custops_segment_library {
    def *defs;
    size_t n, cap;
};

int custops_segment_library_new(custops_segment_library **out)
{
    CUSTOPS__CHECK_NULL(out);
    *out = custops__calloc(1, sizeof **out);
    return *out ? CUSTOPS_OK : custops__nomem();
}

static void def_release(def *d)
{
    custops__free(d->name);
    custops__free(d->text);
    seg_refs_release(&d->refs);
}

void custops_segment_library_free(custops_segment_library *lib)
{
    if (!lib)
        return;
    for (size_t i = 0; i < lib->n; i++)
        def_release(&lib->defs[i]);
    custops__free(lib->defs);
    custops__free(lib);
}

/* index of name, or the insertion point with *found = 0 */
static size_t find(const custops_segment_library *lib, const char *name, int *found)
{
    size_t lo = 0, hi = lib->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(lib->defs[mid].name, name);
        if (c == 0) {
            *found = 1;
            return mid;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = 0;
    return lo;
}

const char *seg_library_text(const custops_segment_library *lib, const char *name)
{
    int found;
    size_t i = find(lib, name, &found);
    return found ? lib->defs[i].text : NULL;
}

static int check_name(const char *name)
{
    size_t n = strlen(name);
    if (n < 1 || n > 64)
        return custops__err(CUSTOPS_EINVAL, "segment name must have 1..64 characters");
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
            return custops__err(CUSTOPS_EINVAL, "segment name '%s': character %zu is not one of A-Z a-z 0-9 _ -", name,
                                i + 1);
    }
    return CUSTOPS_OK;
}

/* Parse for syntax only and collect references. */
static int syntax(const char *name, const char *text, seg_refs *refs)
{
    custops_audience *a = custops__calloc(1, sizeof *a);
    if (!a)
        return custops__nomem();
    a->ctx.max_length = 65536;
    a->ctx.max_depth = 64;
    a->ctx.exponent = 2;
    int root;
    int rc = seg_parse(a, text, name, false, refs, NULL, 0, &root);
    custops_audience_free(a);
    return rc;
}

/* Does following references from `from` reach `target`? (iterative DFS) */
static int reaches(const custops_segment_library *lib, const seg_refs *start, const char *target, const char *self,
                   const seg_refs *self_refs, bool *hit)
{
    *hit = false;
    const char **todo = NULL;
    size_t ntodo = 0, cap = 0;
    unsigned char *seen = custops__calloc(lib->n + 1, 1);
    if (!seen)
        return custops__nomem();
    int rc = CUSTOPS_OK;
    for (size_t i = 0; i < start->n && !rc; i++) {
        if (CUSTOPS__GROW(todo, cap, ntodo + 1))
            rc = CUSTOPS_ENOMEM;
        else
            todo[ntodo++] = start->names[i];
    }
    while (!rc && ntodo && !*hit) {
        const char *nm = todo[--ntodo];
        if (strcmp(nm, target) == 0) {
            *hit = true;
            break;
        }
        const seg_refs *r = NULL;
        int found;
        size_t idx = find(lib, nm, &found);
        if (strcmp(nm, self) == 0) {
            r = self_refs;
            idx = lib->n; /* slot for the new definition */
        } else if (found) {
            r = &lib->defs[idx].refs;
        }
        if (!r || seen[idx])
            continue;
        seen[idx] = 1;
        for (size_t i = 0; i < r->n; i++) {
            if (CUSTOPS__GROW(todo, cap, ntodo + 1)) {
                rc = CUSTOPS_ENOMEM;
                break;
            }
            todo[ntodo++] = r->names[i];
        }
    }
    custops__free(todo);
    custops__free(seen);
    return rc;
}

int custops_segment_library_define(custops_segment_library *lib, const char *name, const char *text)
{
    CUSTOPS__CHECK_NULL(lib);
    CUSTOPS__CHECK_NULL(name);
    CUSTOPS__CHECK_NULL(text);
    int rc = check_name(name);
    if (rc)
        return rc;
    seg_refs refs = {0};
    if ((rc = syntax(name, text, &refs))) {
        seg_refs_release(&refs);
        return rc;
    }
    /* a cycle through the new definition: some path from its references leads back to it */
    bool hit;
    if ((rc = reaches(lib, &refs, name, name, &refs, &hit))) {
        seg_refs_release(&refs);
        return rc;
    }
    if (hit) {
        seg_refs_release(&refs);
        return custops__err(CUSTOPS_ESTATE, "segment '%s' would refer to itself through its references (a cycle)", name);
    }
    int found;
    size_t i = find(lib, name, &found);
    char *t = custops__strdup(text);
    if (!t) {
        seg_refs_release(&refs);
        return custops__nomem();
    }
    if (found) {
        custops__free(lib->defs[i].text);
        seg_refs_release(&lib->defs[i].refs);
        lib->defs[i].text = t;
        lib->defs[i].refs = refs;
        return CUSTOPS_OK;
    }
    if (lib->n >= LIB_MAX) {
        custops__free(t);
        seg_refs_release(&refs);
        return custops__err(CUSTOPS_ELIMIT, "a library holds at most %d definitions", LIB_MAX);
    }
    char *nm = custops__strdup(name);
    if (!nm || CUSTOPS__GROW(lib->defs, lib->cap, lib->n + 1)) {
        custops__free(nm);
        custops__free(t);
        seg_refs_release(&refs);
        return custops__nomem();
    }
    memmove(&lib->defs[i + 1], &lib->defs[i], (lib->n - i) * sizeof *lib->defs);
    lib->defs[i].name = nm;
    lib->defs[i].text = t;
    lib->defs[i].refs = refs;
    lib->n++;
    return CUSTOPS_OK;
}

int custops_segment_library_remove(custops_segment_library *lib, const char *name)
{
    CUSTOPS__CHECK_NULL(lib);
    CUSTOPS__CHECK_NULL(name);
    int found;
    size_t i = find(lib, name, &found);
    if (!found)
        return custops__err(CUSTOPS_ENOTFOUND, "no segment named '%s'", name);
    def_release(&lib->defs[i]);
    memmove(&lib->defs[i], &lib->defs[i + 1], (lib->n - i - 1) * sizeof *lib->defs);
    lib->n--;
    return CUSTOPS_OK;
}

size_t custops_segment_library_count(const custops_segment_library *lib) { return lib ? lib->n : 0; }

const char *custops_segment_library_name(const custops_segment_library *lib, size_t i)
{
    return lib && i < lib->n ? lib->defs[i].name : NULL;
}

int custops_segment_library_get(const custops_segment_library *lib, const char *name, const char **text_out)
{
    CUSTOPS__CHECK_NULL(text_out);
    *text_out = NULL;
    CUSTOPS__CHECK_NULL(lib);
    CUSTOPS__CHECK_NULL(name);
    const char *t = seg_library_text(lib, name);
    if (!t)
        return custops__err(CUSTOPS_ENOTFOUND, "no segment named '%s'", name);
    *text_out = t;
    return CUSTOPS_OK;
}

int custops_segment_library_save(const custops_segment_library *lib, const char *path)
{
    CUSTOPS__CHECK_NULL(lib);
    CUSTOPS__CHECK_NULL(path);
    custops__buf b;
    custops__buf_init(&b);
    custops__buf_u32(&b, (uint32_t)lib->n);
    for (size_t i = 0; i < lib->n; i++) {
        custops__buf_str(&b, lib->defs[i].name);
        custops__buf_str(&b, lib->defs[i].text);
    }
    int rc = custops__buf_status(&b);
    if (!rc)
        rc = custops__save_atomic(path, "SEGS", LIB_VERSION, b.data, b.len);
    custops__buf_release(&b);
    return rc;
}

int custops_segment_library_load(custops_segment_library **out, const char *path)
{
    CUSTOPS__CHECK_NULL(out);
    *out = NULL;
    CUSTOPS__CHECK_NULL(path);
    void *payload;
    size_t len;
    uint32_t version;
    int rc = custops__load_file(path, "SEGS", LIB_VERSION, &payload, &len, &version);
    if (rc)
        return rc;
    custops_segment_library *lib;
    if ((rc = custops_segment_library_new(&lib))) {
        custops__free(payload);
        return rc;
    }
    custops__rd r;
    custops__rd_init(&r, payload, len, path);
    uint32_t n;
    rc = custops__rd_u32(&r, &n);
    if (!rc && n > LIB_MAX)
        rc = custops__err(CUSTOPS_ECORRUPT, "%s: %u definitions, more than %d", path, n, LIB_MAX);
    for (uint32_t i = 0; i < n && !rc; i++) {
        char *name = NULL, *text = NULL;
        rc = custops__rd_str(&r, &name);
        if (!rc)
            rc = custops__rd_str(&r, &text);
        if (!rc) {
            rc = custops_segment_library_define(lib, name, text);
            if (rc && rc != CUSTOPS_ENOMEM) {
                custops__err_prefix("%s: ", path);
                rc = CUSTOPS_ECORRUPT;
            }
        }
        custops__free(name);
        custops__free(text);
    }
    if (!rc && custops__rd_left(&r))
        rc = custops__err(CUSTOPS_ECORRUPT, "%s: %zu bytes after the last definition", path, custops__rd_left(&r));
    custops__free(payload);
    if (rc) {
        custops_segment_library_free(lib);
        return rc;
    }
    *out = lib;
    return CUSTOPS_OK;
}
