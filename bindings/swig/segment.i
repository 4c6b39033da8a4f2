/* segment: audiences (context, compile, evaluate, explain), bitsets, the
 * library of named audiences, RFM, lifecycle and k-means. The thin layers
 * keep the frames a context borrows alive as long as the audience. */
CUSTOPS_HANDLE(custops_bitset, custops_bitset_free)
CUSTOPS_HANDLE(custops_segment_ctx, custops_segment_ctx_free)
CUSTOPS_HANDLE(custops_audience, custops_audience_free)
CUSTOPS_HANDLE(custops_segment_library, custops_segment_library_free)
%apply custops_bitset **OUT { custops_bitset **out };
%apply custops_segment_ctx **OUT { custops_segment_ctx **out };
%apply custops_audience **OUT { custops_audience **out };
%apply custops_segment_library **OUT { custops_segment_library **out };
%apply custops_frame **OUT { custops_frame **assign_out, custops_frame **centers_out };
%apply double *OUTPUT { double *silhouette_out, double *ch_out };

/* borrowed text out (library definitions) */
%typemap(in, numinputs=0) const char **borrowed_text_out (const char *tmp = NULL) { $1 = ($1_ltype)&tmp; }
/* owned text out: the char **text_out typemaps of message.i; membership out */
%typemap(in, numinputs=0) int *member_out (int tmp = 0) { $1 = &tmp; }
/* ids out */
%typemap(in, numinputs=0) (int64_t **ids_out, size_t *n_out) (int64_t *tmp = NULL, size_t cnt = 0) { $1 = &tmp; $2 = &cnt; }
#if defined(SWIGPYTHON)
%typemap(argout) const char **borrowed_text_out { $result = SWIG_Python_AppendOutput($result, PyUnicode_FromString(*$1 ? *$1 : "")); }
%typemap(argout) int *member_out { $result = SWIG_Python_AppendOutput($result, PyBool_FromLong(*$1)); }
/* ids as bytes of int64 for numpy.frombuffer */
%typemap(argout) (int64_t **ids_out, size_t *n_out) {
    $result = SWIG_Python_AppendOutput($result, PyBytes_FromStringAndSize((const char *)*$1, (Py_ssize_t)(*$2 * sizeof(int64_t))));
}
%typemap(freearg) (int64_t **ids_out, size_t *n_out) { custops_free(*$1); }
%inline %{
/* Membership as bytes (one 0/1 byte per row) for a numpy bool view. */
static PyObject *custops_bitset_bytes(const custops_bitset *bs)
{
    size_t n = custops_bitset_size(bs);
    PyObject *b = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)n);
    if (!b) return NULL;
    int rc = custops_bitset_to_bytes(bs, (uint8_t *)PyBytes_AS_STRING(b), n);
    if (rc < 0) { Py_DECREF(b); custops_py_raise(rc); return NULL; }
    return b;
}
%}
#else
%typemap(argout) const char **borrowed_text_out { lua_pushstring(L, *$1 ? *$1 : ""); SWIG_arg++; }
%typemap(argout) int *member_out { lua_pushboolean(L, *$1); SWIG_arg++; }
%typemap(argout) (int64_t **ids_out, size_t *n_out) {
    lua_createtable(L, (int)*$2, 0);
    for (size_t i = 0; i < *$2; i++) { lua_pushinteger(L, (lua_Integer)(*$1)[i]); lua_rawseti(L, -2, (lua_Integer)i + 1); }
    SWIG_arg++;
}
%typemap(freearg) (int64_t **ids_out, size_t *n_out) { custops_free(*$1); }
#endif

custops_rc custops_bitset_new(custops_bitset **out, size_t n);
size_t custops_bitset_size(const custops_bitset *bs);
size_t custops_bitset_count(const custops_bitset *bs);
int custops_bitset_test(const custops_bitset *bs, size_t i);
custops_rc custops_bitset_set(custops_bitset *bs, size_t i, int on);
custops_rc custops_bitset_union(custops_bitset *dst, const custops_bitset *src);
custops_rc custops_bitset_intersect(custops_bitset *dst, const custops_bitset *src);
custops_rc custops_bitset_minus(custops_bitset *dst, const custops_bitset *src);
custops_rc custops_bitset_copy(custops_bitset **out, const custops_bitset *bs);
custops_rc custops_bitset_ids(int64_t **ids_out, size_t *n_out, const custops_bitset *bs);

custops_rc custops_segment_ctx_new(custops_segment_ctx **out, const custops_frame *customers, int64_t now);
custops_rc custops_segment_ctx_set_lines(custops_segment_ctx *ctx, const custops_frame *lines);
custops_rc custops_segment_ctx_set_events(custops_segment_ctx *ctx, const custops_frame *events);
custops_rc custops_segment_ctx_add_dict(custops_segment_ctx *ctx, const char *name, const custops_frame *dict);
custops_rc custops_segment_ctx_set_zone(custops_segment_ctx *ctx, const custops_zone *zone);
custops_rc custops_segment_ctx_set_money_cols(custops_segment_ctx *ctx, const char *cols, int exponent);
custops_rc custops_segment_ctx_set_library(custops_segment_ctx *ctx, const custops_segment_library *lib);
custops_rc custops_segment_ctx_set_limits(custops_segment_ctx *ctx, size_t max_length, size_t max_depth);

custops_rc custops_audience_compile(custops_audience **out, const char *text, const custops_segment_ctx *ctx);
custops_rc custops_audience_evaluate(custops_bitset **out, custops_audience *a);
custops_rc custops_audience_explain(char **text_out, int *member_out, custops_audience *a, size_t row);
size_t custops_audience_nclauses(const custops_audience *a);

custops_rc custops_segment_library_new(custops_segment_library **out);
custops_rc custops_segment_library_define(custops_segment_library *lib, const char *name, const char *text);
custops_rc custops_segment_library_remove(custops_segment_library *lib, const char *name);
size_t custops_segment_library_count(const custops_segment_library *lib);
const char *custops_segment_library_name(const custops_segment_library *lib, size_t i);
custops_rc custops_segment_library_get(const custops_segment_library *lib, const char *name, const char **borrowed_text_out);
custops_rc custops_segment_library_save(const custops_segment_library *lib, const char *path);
custops_rc custops_segment_library_load(custops_segment_library **out, const char *path);

custops_rc custops_frame_read_csv(custops_frame **out, const char *path, const custops_zone *zone);
const char *custops_lifecycle_name(int code);

%inline %{
/* Options structs flattened into arguments for the bindings. */
static custops_rc custops_rfm_score_cols(custops_frame **out, const custops_frame *customers, const char *recency_col,
                                         const char *frequency_col, const char *monetary_col, int segment_names,
                                         int tie_rule)
{
    custops_rfm_options o;
    int rc = custops_rfm_options_init(&o, CUSTOPS_RFM_OPTIONS_VERSION);
    if (rc) return rc;
    o.recency_col = recency_col;
    o.frequency_col = frequency_col;
    o.monetary_col = monetary_col;
    o.segment_names = segment_names;
    o.tie_rule = tie_rule;
    return custops_rfm_score(out, customers, &o);
}
static custops_rc custops_lifecycle_classify_with(custops_frame **out, const custops_frame *customers, int64_t new_days,
                                                  int64_t active_orders, int64_t sleeping_days, int64_t churned_days,
                                                  const char *p_alive_col, double sleeping_p, double churned_p)
{
    custops_lifecycle_options o;
    int rc = custops_lifecycle_options_init(&o, CUSTOPS_LIFECYCLE_OPTIONS_VERSION);
    if (rc) return rc;
    o.new_days = new_days;
    o.active_orders = active_orders;
    o.sleeping_days = sleeping_days;
    o.churned_days = churned_days;
    o.p_alive_col = p_alive_col && p_alive_col[0] ? p_alive_col : NULL;
    o.sleeping_p = sleeping_p;
    o.churned_p = churned_p;
    return custops_lifecycle_classify(out, customers, &o);
}
static custops_rc custops_kmeans_with(custops_frame **assign_out, custops_frame **centers_out, double *silhouette_out,
                                      double *ch_out, const custops_frame *frame, const char *cols, size_t k,
                                      uint64_t seed, size_t max_iter, size_t sample)
{
    custops_kmeans_options o;
    int rc = custops_kmeans_options_init(&o, CUSTOPS_KMEANS_OPTIONS_VERSION);
    if (rc) return rc;
    o.k = k;
    o.seed = seed;
    o.max_iter = max_iter;
    o.sample = sample;
    return custops_kmeans(assign_out, centers_out, silhouette_out, ch_out, frame, cols, &o);
}
%}
