# The HTML report in a browser (render_check.py is shared with the
# `custops run` end-to-end test).
check_PROGRAMS += report/report_sample
report_report_sample_SOURCES = %reldir%/report_sample.c
report_report_sample_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/src/cli
report_report_sample_LDADD = -lm
TESTS += %reldir%/test_render.sh %reldir%/test_run_report.sh
EXTRA_DIST += %reldir%/test_render.sh %reldir%/test_run_report.sh %reldir%/render_check.py
