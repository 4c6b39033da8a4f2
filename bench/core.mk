EXTRA_PROGRAMS += bench_core
BENCH_RUN += bench_core
bench_core_SOURCES = %reldir%/bench_core.c
EXTRA_DIST += %reldir%/core.mk
