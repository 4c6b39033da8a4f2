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
