TESTS += %reldir%/test_cli.sh %reldir%/test_message.sh
TESTS += %reldir%/test_coupons.sh
EXTRA_DIST += %reldir%/test_coupons.sh
EXTRA_DIST += %reldir%/test_cli.sh %reldir%/test_message.sh

check_PROGRAMS += cli/check_report
cli_check_report_SOURCES = %reldir%/check_report.c
cli_check_report_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/src/cli
cli_check_report_LDADD = $(LDADD)
TESTS += cli/check_report
