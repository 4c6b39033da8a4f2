# Scoring 1M customers from Python (custops.clv) against a direct C call on
# the same arrays in the same process (bench/py/bench_clv_py.py)
BENCH_RUN += bench_clv_py
bench_clv_py: $(srcdir)/py/bench_clv_py.py
	$(AM_V_GEN)printf '#!/bin/sh\nPYTHONPATH="%s" LD_LIBRARY_PATH="%s" exec "%s" "%s" "$$@"\n' \
	  '$(abs_top_builddir)/bindings/python/pkg' '$(abs_top_builddir)/src/.libs' \
	  '$(PYTHON)' '$(abs_srcdir)/py/bench_clv_py.py' > $@ && chmod +x $@
CLEANFILES += bench_clv_py
EXTRA_DIST += %reldir%/clv_py.mk %reldir%/py/bench_clv_py.py
