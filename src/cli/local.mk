# the custops command-line program: one file per subcommand, public API only.
custops_SOURCES += \
	%reldir%/cli.h \
	%reldir%/main.c \
	%reldir%/util.c \
	%reldir%/cmd_time.c \
	%reldir%/cmd_message.c
custops_SOURCES += %reldir%/cmd_coupons.c

# The HTML report writer for `custops run` (issue 8); tested by
# tests/cli/check_report.c until the run command links it.
EXTRA_DIST += %reldir%/report.h %reldir%/report.c
