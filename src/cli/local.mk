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
custops_SOURCES += %reldir%/cmd_coupons.c

# custops run: the main job (run.h explains the stages), its configuration
# reader and the HTML report writer
custops_SOURCES += %reldir%/run.h %reldir%/cmd_run.c %reldir%/run_input.c %reldir%/run_models.c
custops_SOURCES += %reldir%/run_decide.c %reldir%/run_output.c
custops_SOURCES += %reldir%/config.h %reldir%/config.c %reldir%/report.h %reldir%/report.c
custops_SOURCES += %reldir%/cmd_store.c
custops_SOURCES += %reldir%/cmd_clv.c
custops_SOURCES += %reldir%/plays_cli.h %reldir%/cmd_plays.c %reldir%/plays_sim.c %reldir%/plays_report.c
