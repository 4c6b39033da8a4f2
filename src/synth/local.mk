# synth: the deterministic synthetic store generator. Its random numbers
# and exp/log (rng.c), catalogue (catalog.c), customers (generate.c), the
# CSV/JSONL/truth.json writers (write.c) and the in-memory frames (lines.c).
libcustops_la_SOURCES += \
	%reldir%/synth_internal.h \
	%reldir%/rng.c \
	%reldir%/catalog.c \
	%reldir%/generate.c \
	%reldir%/write.c \
	%reldir%/lines.c
# A core helper added for synth (streaming atomic writes); listed here so
# that core/local.mk stays untouched by this branch.
libcustops_la_SOURCES += core/wfile.c
