/* frame: column tables. Columns come out whole: Python gets bytes that the
 * package views with numpy.frombuffer (one memcpy, no per-row Python work);
 * Lua gets a table. */
CUSTOPS_HANDLE(custops_frame, custops_frame_free)
%apply custops_frame **OUT { custops_frame **out };
custops_rc custops_frame_new(custops_frame **out);
size_t custops_frame_nrows(const custops_frame *frame);
size_t custops_frame_ncols(const custops_frame *frame);
const char *custops_frame_col_name(const custops_frame *frame, size_t col);
int custops_frame_col_type(const custops_frame *frame, size_t col);
custops_rc custops_frame_find(const custops_frame *frame, const char *name, size_t *col_out);
custops_rc custops_frame_add_int64(custops_frame *frame, const char *name, const int64_t *values, size_t n);
custops_rc custops_frame_add_double(custops_frame *frame, const char *name, const double *values, size_t n);
custops_rc custops_frame_write_csv(const custops_frame *frame, const char *path);

%constant int COL_INT64 = CUSTOPS_COL_INT64;
%constant int COL_DOUBLE = CUSTOPS_COL_DOUBLE;
%constant int COL_STRING = CUSTOPS_COL_STRING;

#if defined(SWIGPYTHON)
%typemap(in, numinputs=0) const int64_t **data_out (const int64_t *tmp = NULL) { $1 = ($1_ltype)&tmp; }
%typemap(argout) const int64_t **data_out {
    $result = SWIG_Python_AppendOutput($result, PyBytes_FromStringAndSize((const char *)*$1, (Py_ssize_t)(custops_frame_nrows(arg1) * sizeof(int64_t))));
}
%typemap(in, numinputs=0) const double **data_out (const double *tmp = NULL) { $1 = ($1_ltype)&tmp; }
%typemap(argout) const double **data_out {
    $result = SWIG_Python_AppendOutput($result, PyBytes_FromStringAndSize((const char *)*$1, (Py_ssize_t)(custops_frame_nrows(arg1) * sizeof(double))));
}
/* list of str in */
%typemap(in) (const char *const *values, size_t n) (const char **arr = NULL, size_t len = 0) {
    if (!PySequence_Check($input)) { PyErr_SetString(PyExc_TypeError, "expected a sequence of str"); SWIG_fail; }
    len = (size_t)PySequence_Size($input);
    arr = (const char **)calloc(len ? len : 1, sizeof(char *));
    if (!arr) { PyErr_NoMemory(); SWIG_fail; }
    for (size_t i = 0; i < len; i++) {
        PyObject *o = PySequence_GetItem($input, (Py_ssize_t)i);
        if (!o || !PyUnicode_Check(o)) { Py_XDECREF(o); PyErr_Format(PyExc_TypeError, "element %zu is not a str", i); SWIG_fail; }
        arr[i] = PyUnicode_AsUTF8(o); /* valid while the sequence holds the object */
        Py_DECREF(o);
        if (!arr[i]) SWIG_fail;
    }
    $1 = ($1_ltype)arr; $2 = len;
}
%typemap(freearg) (const char *const *values, size_t n) { free((void *)arr$argnum); }
%inline %{
/* A whole string column as a list of str. */
static PyObject *custops_frame_strings(const custops_frame *frame, size_t col)
{
    size_t n = custops_frame_nrows(frame);
    PyObject *list = PyList_New((Py_ssize_t)n);
    if (!list) return NULL;
    for (size_t i = 0; i < n; i++) {
        const char *s;
        int rc = custops_frame_string(frame, col, i, &s);
        if (rc < 0) { Py_DECREF(list); custops_py_raise(rc); return NULL; }
        PyList_SET_ITEM(list, (Py_ssize_t)i, PyUnicode_FromString(s));
    }
    return list;
}
%}
#else
%typemap(in, numinputs=0) const int64_t **data_out (const int64_t *tmp = NULL) { $1 = ($1_ltype)&tmp; }
%typemap(argout) const int64_t **data_out {
    size_t n = custops_frame_nrows(arg1);
    lua_createtable(L, (int)n, 0);
    for (size_t i = 0; i < n; i++) { lua_pushinteger(L, (lua_Integer)(*$1)[i]); lua_rawseti(L, -2, (lua_Integer)i + 1); }
    SWIG_arg++;
}
%typemap(in, numinputs=0) const double **data_out (const double *tmp = NULL) { $1 = ($1_ltype)&tmp; }
%typemap(argout) const double **data_out {
    size_t n = custops_frame_nrows(arg1);
    lua_createtable(L, (int)n, 0);
    for (size_t i = 0; i < n; i++) { lua_pushnumber(L, (*$1)[i]); lua_rawseti(L, -2, (lua_Integer)i + 1); }
    SWIG_arg++;
}
%typemap(in) (const char *const *values, size_t n) (const char **arr = NULL) {
    luaL_checktype(L, $input, LUA_TTABLE);
    size_t len = (size_t)lua_rawlen(L, $input);
    arr = (const char **)calloc(len ? len : 1, sizeof(char *));
    if (!arr) { lua_pushstring(L, "custops: out of memory"); SWIG_fail; }
    for (size_t i = 0; i < len; i++) {
        lua_rawgeti(L, $input, (lua_Integer)i + 1);
        if (lua_type(L, -1) != LUA_TSTRING) { lua_pushfstring(L, "custops: element %d is not a string", (int)i + 1); SWIG_fail; }
        arr[i] = lua_tostring(L, -1); /* anchored by the table */
        lua_pop(L, 1);
    }
    $1 = ($1_ltype)arr; $2 = len;
}
%typemap(freearg) (const char *const *values, size_t n) { free((void *)arr$argnum); }
%native(frame_strings) int custops_lua_frame_strings(lua_State *L);
%{
/* A whole string column as a table. */
static int custops_lua_frame_strings(lua_State *L)
{
    custops_frame *frame = NULL;
    if (!SWIG_IsOK(SWIG_ConvertPtr(L, 1, (void **)&frame, SWIGTYPE_p_custops_frame, 0)))
        return luaL_error(L, "custops: frame_strings: argument 1 is not a frame");
    lua_Integer col = luaL_checkinteger(L, 2);
    size_t n = custops_frame_nrows(frame);
    lua_createtable(L, (int)n, 0);
    for (size_t i = 0; i < n; i++) {
        const char *s;
        int rc = custops_frame_string(frame, (size_t)col, i, &s);
        if (rc < 0) return luaL_error(L, "custops: %s: %s", custops_strerror(rc), custops_last_error());
        lua_pushstring(L, s);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    return 1;
}
%}
#endif
custops_rc custops_frame_int64(const custops_frame *frame, size_t col, const int64_t **data_out);
custops_rc custops_frame_double(const custops_frame *frame, size_t col, const double **data_out);
custops_rc custops_frame_add_string(custops_frame *frame, const char *name, const char *const *values, size_t n);
