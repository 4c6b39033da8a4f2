EXTRA_PROGRAMS += bench_clv
BENCH_RUN += bench_clv
bench_clv_SOURCES = %reldir%/bench_clv.c
EXTRA_DIST += %reldir%/clv.mk
