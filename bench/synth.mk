EXTRA_PROGRAMS += bench_synth
BENCH_RUN += bench_synth
bench_synth_SOURCES = %reldir%/bench_synth.c
EXTRA_DIST += %reldir%/synth.mk
