EXTRA_PROGRAMS += bench_segment
BENCH_RUN += bench_segment
bench_segment_SOURCES = %reldir%/bench_segment.c
EXTRA_DIST += %reldir%/segment.mk
