EXTRA_PROGRAMS += bench_ledger
BENCH_RUN += bench_ledger bench_ledger_py bench_ledger_pg
bench_ledger_SOURCES = %reldir%/bench_ledger.c
# the same reserve+commit pairs through a straightforward pure-Python ledger
# on Python's sqlite3 (bench/py/pyledger.py), and through custops.Ledger
bench_ledger_py: $(srcdir)/py/bench_ledger_py.py $(srcdir)/py/pyledger.py
	$(AM_V_GEN)printf '#!/bin/sh\nPYTHONPATH="%s:%s" LD_LIBRARY_PATH="%s" exec "%s" "%s" "$$@"\n' \
	  '$(abs_srcdir)/py' '$(abs_top_builddir)/bindings/python/pkg' '$(abs_top_builddir)/src/.libs' \
	  '$(PYTHON)' '$(abs_srcdir)/py/bench_ledger_py.py' > $@ && chmod +x $@
# PostgreSQL with 1, 4 and 16 clients on a throwaway server (skips without one)
bench_ledger_pg: $(srcdir)/bench_ledger_pg.sh bench_ledger
	$(AM_V_GEN)printf '#!/bin/sh\nTOP_SRCDIR="%s" BENCH_BIN="%s" exec sh "%s" "$$@"\n' \
	  '$(abs_top_srcdir)' '$(abs_builddir)' '$(abs_srcdir)/bench_ledger_pg.sh' > $@ && chmod +x $@
CLEANFILES += bench_ledger_py bench_ledger_pg
EXTRA_DIST += %reldir%/ledger.mk %reldir%/py/pyledger.py %reldir%/py/bench_ledger_py.py %reldir%/bench_ledger_pg.sh
