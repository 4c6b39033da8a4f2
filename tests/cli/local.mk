TESTS += %reldir%/test_cli.sh %reldir%/test_message.sh
TESTS += %reldir%/test_ledger.sh
TESTS += %reldir%/test_segment.sh
EXTRA_DIST += %reldir%/test_segment.sh
EXTRA_DIST += %reldir%/test_cli.sh %reldir%/test_message.sh
TESTS += %reldir%/test_synth.sh
EXTRA_DIST += %reldir%/test_synth.sh
EXTRA_DIST += %reldir%/test_ledger.sh
TESTS += %reldir%/test_cli.sh %reldir%/test_message.sh %reldir%/test_analytics.sh
EXTRA_DIST += %reldir%/test_cli.sh %reldir%/test_message.sh %reldir%/test_analytics.sh

check_PROGRAMS += cli/check_report
cli_check_report_SOURCES = %reldir%/check_report.c
cli_check_report_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/src/cli
cli_check_report_LDADD = $(LDADD)
TESTS += cli/check_report

check_PROGRAMS += cli/check_config
cli_check_config_SOURCES = %reldir%/check_config.c
cli_check_config_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/src/cli
cli_check_config_LDADD = $(LDADD)
TESTS += cli/check_config
