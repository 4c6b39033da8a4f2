EXTRA_PROGRAMS += bench_coupon
BENCH_RUN += bench_coupon bench_coupon_py
bench_coupon_SOURCES = %reldir%/bench_coupon.c
EXTRA_DIST += %reldir%/coupon.mk %reldir%/py/quote_py.py
# the pure-Python baseline runs after bench_coupon, on the files it wrote
bench_coupon_py: $(srcdir)/%reldir%/py/quote_py.py
	$(AM_V_GEN)printf '#!/bin/sh\nexec "%s" "%s" "$$@"\n' '$(PYTHON)' '$(abs_srcdir)/%reldir%/py/quote_py.py' > $@ && chmod +x $@
CLEANFILES += bench_coupon_py
