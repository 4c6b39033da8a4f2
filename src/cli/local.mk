# the custops command-line program: one file per subcommand, public API only.
custops_SOURCES += \
	%reldir%/cli.h \
	%reldir%/main.c \
	%reldir%/util.c \
	%reldir%/cmd_time.c \
	%reldir%/cmd_message.c
custops_SOURCES += %reldir%/cmd_synth.c
custops_SOURCES += %reldir%/cmd_ledger.c
custops_SOURCES += %reldir%/cmd_segment.c
custops_SOURCES += %reldir%/cmd_abtest.c
custops_SOURCES += %reldir%/cmd_calendar.c
custops_SOURCES += %reldir%/cmd_repurchase.c
custops_SOURCES += %reldir%/cmd_sendtime.c
custops_SOURCES += %reldir%/cmd_crosssell.c
custops_SOURCES += %reldir%/cmd_kpi.c

# The HTML report writer for `custops run` (issue 8); tested by
# tests/cli/check_report.c until the run command links it.
EXTRA_DIST += %reldir%/report.h %reldir%/report.c %reldir%/config.h %reldir%/config.c
