EXTRA_PROGRAMS += bench_plays
BENCH_RUN += bench_plays
bench_plays_SOURCES = %reldir%/bench_plays.c
EXTRA_DIST += %reldir%/plays.mk
