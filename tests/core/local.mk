check_PROGRAMS += core/check_core
core_check_core_SOURCES = \
	%reldir%/check_core.c \
	%reldir%/check_money.c \
	%reldir%/check_time.c \
	%reldir%/check_frame.c \
	%reldir%/check_alloc.c \
	%reldir%/suite_core.h
TESTS += core/check_core
