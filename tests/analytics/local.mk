# analytics: one Check program per topic.
check_PROGRAMS += analytics/check_abtest
analytics_check_abtest_SOURCES = %reldir%/check_abtest.c
TESTS += analytics/check_abtest
check_PROGRAMS += analytics/check_repurchase
analytics_check_repurchase_SOURCES = %reldir%/check_repurchase.c %reldir%/linesbuf.h
TESTS += analytics/check_repurchase
check_PROGRAMS += analytics/check_crosssell
analytics_check_crosssell_SOURCES = %reldir%/check_crosssell.c %reldir%/linesbuf.h
TESTS += analytics/check_crosssell
check_PROGRAMS += analytics/check_sendtime
analytics_check_sendtime_SOURCES = %reldir%/check_sendtime.c %reldir%/linesbuf.h
TESTS += analytics/check_sendtime
check_PROGRAMS += analytics/check_kpi
analytics_check_kpi_SOURCES = %reldir%/check_kpi.c %reldir%/linesbuf.h
TESTS += analytics/check_kpi
