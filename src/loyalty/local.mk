# loyalty: tiers by trailing spend (tiers.c), the points ledger (points.c)
# and the LOYL save file (persist.c).
libcustops_la_SOURCES += \
	%reldir%/loyalty_internal.h \
	%reldir%/tiers.c \
	%reldir%/points.c \
	%reldir%/persist.c
