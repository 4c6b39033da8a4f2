EXTRA_PROGRAMS += bench_analytics
BENCH_RUN += bench_analytics
bench_analytics_SOURCES = %reldir%/bench_analytics.c
EXTRA_DIST += %reldir%/analytics.mk
