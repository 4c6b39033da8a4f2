# analytics: campaign analytics (A/B tests, repurchase cycles, send times,
# cross-sell, KPIs and funnels, campaign calendars). core/intervals.c holds
# interval estimators shared with other statistics modules.
libcustops_la_SOURCES += \
	core/intervals.c \
	%reldir%/abtest.c
libcustops_la_SOURCES += \
	%reldir%/analytics.h \
	%reldir%/common.c \
	%reldir%/repurchase.c \
	%reldir%/crosssell.c \
	%reldir%/sendtime.c \
	%reldir%/kpi.c \
	%reldir%/calendar.c
# The CSV reader/printer of the analytics commands is compiled into the
# custops program (it uses only the public API), not into the library.
custops_SOURCES += %reldir%/csvframe.h %reldir%/csvframe.c
custops_CPPFLAGS += -I$(srcdir)/analytics
