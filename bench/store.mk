EXTRA_PROGRAMS += bench_store
BENCH_RUN += bench_store
bench_store_SOURCES = %reldir%/bench_store.c
EXTRA_DIST += %reldir%/store.mk
