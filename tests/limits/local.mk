check_PROGRAMS += limits/check_limits
limits_check_limits_SOURCES = %reldir%/check_limits.c %reldir%/check_limits_files.c %reldir%/check_limits_counts.c %reldir%/check_limits_config.c %reldir%/forge_hash.c %reldir%/limits_util.h
limits_check_limits_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/src
TESTS += limits/check_limits
