# the custops command-line program: one file per subcommand, public API only.
custops_SOURCES += \
	%reldir%/cli.h \
	%reldir%/main.c \
	%reldir%/util.c \
	%reldir%/cmd_time.c
