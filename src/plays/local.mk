# plays: triggers and timed journeys (parse.c), engine state (engine.c),
# the due-action loop (due.c) and persistence (persist.c).
libcustops_la_SOURCES += \
	%reldir%/plays_internal.h \
	%reldir%/parse.c \
	%reldir%/engine.c \
	%reldir%/due.c \
	%reldir%/persist.c \
	%reldir%/measure.c \
	%reldir%/channel_value.c
