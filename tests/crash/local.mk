check_PROGRAMS += crash/check_crash
crash_check_crash_SOURCES = %reldir%/check_crash.c %reldir%/crashkit.h
TESTS += crash/check_crash
check_PROGRAMS += crash/check_crash_clv
crash_check_crash_clv_SOURCES = %reldir%/check_crash_clv.c %reldir%/crashkit.h
TESTS += crash/check_crash_clv
