# analytics: one Check program per topic.
check_PROGRAMS += analytics/check_abtest
analytics_check_abtest_SOURCES = %reldir%/check_abtest.c
TESTS += analytics/check_abtest
