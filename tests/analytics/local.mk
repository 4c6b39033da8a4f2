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
check_PROGRAMS += analytics/check_calendar
analytics_check_calendar_SOURCES = %reldir%/check_calendar.c
analytics_check_calendar_CPPFLAGS = $(AM_CPPFLAGS) -DANALYTICS_TEST_DATA='"$(abs_srcdir)/%reldir%/data"'
TESTS += analytics/check_calendar
EXTRA_DIST += %reldir%/data/double11.cal
check_PROGRAMS += analytics/check_alloc_analytics
analytics_check_alloc_analytics_SOURCES = %reldir%/check_alloc_analytics.c
TESTS += analytics/check_alloc_analytics
