/* Error mapping and shared typemaps. */
%include <stdint.i>
%include <typemaps.i>

%rename("%(strip:[custops_])s") "";

/* custops_rc: an int status. Negative raises; otherwise the result is the
 * out-parameters (or None / nothing). */
%{
typedef int custops_rc;
%}
typedef int custops_rc;

#if defined(SWIGPYTHON)
%{
static PyObject *custops_py_error_type = NULL;
static void custops_py_raise(int rc)
{
    const char *msg = custops_last_error();
    PyObject *exc = PyObject_CallFunction(custops_py_error_type, "s", msg[0] ? msg : custops_strerror(rc));
    if (!exc)
        return;
    PyObject *st = PyLong_FromLong(rc);
    PyObject_SetAttrString(exc, "status", st);
    Py_XDECREF(st);
    PyObject *name = PyUnicode_FromString(custops_strerror(rc));
    PyObject_SetAttrString(exc, "status_name", name);
    Py_XDECREF(name);
    PyErr_SetObject(custops_py_error_type, exc);
    Py_DECREF(exc);
}
%}
%init %{
    custops_py_error_type = PyErr_NewExceptionWithDoc("custops.Error",
        "A libcustops call failed. str(e) is the library's message; e.status is the status code.",
        PyExc_RuntimeError, NULL);
    Py_INCREF(custops_py_error_type);
    PyModule_AddObject(m, "Error", custops_py_error_type);
#if defined(SWIGPYTHON_BUILTIN)
    SwigPyBuiltin_AddPublicSymbol(public_interface, "Error");
#endif
%}
#define CUSTOPS_RAISE(rc) do { custops_py_raise(rc); SWIG_fail; } while (0)
%typemap(out) custops_rc {
    if ($1 < 0) CUSTOPS_RAISE($1);
    $result = SWIG_Py_Void();
}
#elif defined(SWIGLUA)
#define CUSTOPS_RAISE(rc) do { lua_pushfstring(L, "custops: %s: %s", custops_strerror(rc), custops_last_error()); SWIG_fail; } while (0)
%typemap(out) custops_rc {
    if ($1 < 0) CUSTOPS_RAISE($1);
}
#endif

/* Handles returned through custops_x **out: caller owns them, so the
 * wrapper takes ownership and frees them with the type's destructor. */
%define CUSTOPS_HANDLE(TYPE, FREEFN)
%{ typedef struct TYPE TYPE; %}
typedef struct TYPE TYPE;
%nodefaultctor TYPE;
struct TYPE {};
%extend TYPE { ~TYPE() { FREEFN($self); } }
%typemap(in, numinputs=0) TYPE **OUT (TYPE *tmp = NULL) { $1 = &tmp; }
#if defined(SWIGPYTHON)
%typemap(argout) TYPE **OUT { $result = SWIG_Python_AppendOutput($result, SWIG_NewPointerObj(SWIG_as_voidptr(*$1), $*descriptor, SWIG_POINTER_OWN)); }
#else
%typemap(argout) TYPE **OUT { SWIG_NewPointerObj(L, *$1, $*descriptor, 1); SWIG_arg++; }
#endif
%enddef

/* Scalar out-parameters. */
%apply int64_t *OUTPUT { int64_t *out, int64_t *minor_out, int64_t *instant_out };
%apply int32_t *OUTPUT { int32_t *offset_out, int32_t *day_out, int32_t *second_of_day_out };
%apply int *OUTPUT { int *exponent_out };
%typemap(in, numinputs=0) size_t *col_out (size_t tmp = 0) { $1 = &tmp; }
#if defined(SWIGPYTHON)
%typemap(argout) size_t *col_out { $result = SWIG_Python_AppendOutput($result, PyLong_FromSize_t(*$1)); }
#else
%typemap(argout) size_t *col_out { lua_pushinteger(L, (lua_Integer)*$1); SWIG_arg++; }
#endif

/* Text out-buffers: (char *buf, size_t cap) becomes a returned string. */
%typemap(in, numinputs=0) (char *buf, size_t cap) (char tmp[128]) { $1 = tmp; $2 = sizeof tmp; tmp[0] = 0; }
#if defined(SWIGPYTHON)
%typemap(argout) (char *buf, size_t cap) { $result = SWIG_Python_AppendOutput($result, PyUnicode_FromString($1)); }
#else
%typemap(argout) (char *buf, size_t cap) { lua_pushstring(L, $1); SWIG_arg++; }
#endif

/* Numeric arrays in: Python takes any C-contiguous buffer of the right item
 * type (numpy arrays without a copy); Lua takes a table (1-based). */
%define CUSTOPS_ARRAY_IN(CTYPE, PYFMT, LUACHECK, LUAGET)
#if defined(SWIGPYTHON)
%typemap(in) (const CTYPE *values, size_t n) (Py_buffer view, int have = 0) {
    if (PyObject_GetBuffer($input, &view, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) != 0) SWIG_fail;
    have = 1;
    if (view.itemsize != sizeof(CTYPE) || view.ndim != 1 || !strchr(PYFMT, view.format ? view.format[strlen(view.format) - 1] : 'B')) {
        PyErr_Format(PyExc_TypeError, "expected a 1-d contiguous buffer of " #CTYPE " (numpy dtype " PYFMT "), got format '%s'", view.format ? view.format : "B");
        SWIG_fail;
    }
    $1 = (CTYPE *)view.buf; $2 = (size_t)(view.len / view.itemsize);
}
%typemap(freearg) (const CTYPE *values, size_t n) { if (have$argnum) PyBuffer_Release(&view$argnum); }
#else
%typemap(in) (const CTYPE *values, size_t n) (CTYPE *arr = NULL) {
    luaL_checktype(L, $input, LUA_TTABLE);
    size_t len = (size_t)lua_rawlen(L, $input);
    arr = (CTYPE *)malloc((len ? len : 1) * sizeof(CTYPE));
    if (!arr) { lua_pushstring(L, "custops: out of memory"); SWIG_fail; }
    for (size_t i = 0; i < len; i++) {
        lua_rawgeti(L, $input, (lua_Integer)i + 1);
        if (!LUACHECK(L, -1)) { free(arr); arr = NULL; lua_pushfstring(L, "custops: element %d is not a " #CTYPE, (int)i + 1); SWIG_fail; }
        arr[i] = (CTYPE)LUAGET(L, -1);
        lua_pop(L, 1);
    }
    $1 = arr; $2 = len;
}
%typemap(freearg) (const CTYPE *values, size_t n) { free(arr$argnum); }
#endif
%enddef

%{
#if defined(SWIGLUA)
#if LUA_VERSION_NUM >= 503
static int custops_lua_isint(lua_State *L, int i) { return lua_isinteger(L, i); }
#else /* Lua 5.1 / LuaJIT: numbers are doubles; accept integral ones */
static int custops_lua_isint(lua_State *L, int i)
{
    if (lua_type(L, i) != LUA_TNUMBER) return 0;
    lua_Number v = lua_tonumber(L, i);
    return v == (lua_Number)(int64_t)v;
}
#endif
#endif
%}
CUSTOPS_ARRAY_IN(int64_t, "qlL", custops_lua_isint, lua_tointeger)
CUSTOPS_ARRAY_IN(double, "d", lua_isnumber, lua_tonumber)
