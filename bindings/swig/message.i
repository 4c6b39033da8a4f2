/* message: templates and the advertising-text lint. */
CUSTOPS_HANDLE(custops_template, custops_template_free)
%apply custops_template **OUT { custops_template **out };
%apply custops_frame **OUT { custops_frame **findings_out };
custops_rc custops_template_compile(custops_template **out, const char *text);
size_t custops_template_nfields(const custops_template *tpl);
const char *custops_template_field(const custops_template *tpl, size_t i);
custops_rc custops_template_check(const custops_template *tpl, const custops_frame *fields);
custops_rc custops_template_render_frame(const custops_template *tpl, const custops_frame *fields, custops_frame **out);
custops_rc custops_ad_lint(const char *text, custops_frame **findings_out);

/* render one row: the library's buffer becomes a native string */
%typemap(in, numinputs=0) char **text_out (char *tmp = NULL) { $1 = &tmp; }
#if defined(SWIGPYTHON)
%typemap(argout) char **text_out { $result = SWIG_Python_AppendOutput($result, PyUnicode_FromString(*$1)); }
#else
%typemap(argout) char **text_out { lua_pushstring(L, *$1); SWIG_arg++; }
#endif
%typemap(freearg) char **text_out { custops_free(*$1); }
custops_rc custops_template_render(const custops_template *tpl, const custops_frame *fields, size_t row, char **text_out);
