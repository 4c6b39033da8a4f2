/* One SWIG interface for every language. Python builds it as the extension
 * custops.native (custops/_native.so, -builtin types) behind the pure-Python package custops; Lua builds it as
 * custops.native behind the pure-Lua module custops. The thin layers above
 * give the idioms (classes, numpy/pandas, tables, __gc); this file gives a
 * faithful, checked view of the C API:
 *   - every function returning custops_rc raises on a negative status with
 *     the library's message (Python: custops.Error; Lua: error());
 *   - out-parameters become return values;
 *   - arrays go in as buffers (Python) or tables (Lua).
 * Each module adds its declarations in swig/<module>.i. */

#if defined(SWIGPYTHON)
%module(package="custops") native
#else
%module custops_native
#endif

%{
#include "custops.h"
%}

%include "swig/runtime.i"
%include "swig/core.i"
%include "swig/money.i"
%include "swig/time.i"
%include "swig/frame.i"
%include "swig/message.i"
%include "swig/plays.i"
%include "swig/coupon.i"
%include "swig/ledger.i"
%include "swig/measure.i"
%include "swig/store.i"
%include "swig/segment.i"
%include "swig/loyalty.i"
%include "swig/analytics.i"
%include "swig/synth.i"
%include "swig/clv.i"
