TESTS += %reldir%/test_cli.sh %reldir%/test_message.sh
TESTS += %reldir%/test_coupons.sh
EXTRA_DIST += %reldir%/test_coupons.sh
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
TESTS += %reldir%/test_store.sh
EXTRA_DIST += %reldir%/test_store.sh

check_PROGRAMS += cli/check_config
cli_check_config_SOURCES = %reldir%/check_config.c
cli_check_config_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/src/cli
cli_check_config_LDADD = $(LDADD)
TESTS += cli/check_config

# custops run end to end: its table against the library's API, and its CLI behaviour
TESTS += %reldir%/test_run.sh
EXTRA_DIST += %reldir%/test_run.sh
check_PROGRAMS += cli/check_run
cli_check_run_SOURCES = %reldir%/check_run.c
cli_check_run_LDADD = $(LDADD)
TESTS += cli/check_run
TESTS += %reldir%/test_clv.sh
EXTRA_DIST += %reldir%/test_clv.sh
check_PROGRAMS += cli/check_plays_cli
cli_check_plays_cli_SOURCES = %reldir%/check_plays_cli.c
TESTS += cli/check_plays_cli
TESTS += %reldir%/test_plays.sh
EXTRA_DIST += %reldir%/test_plays.sh
