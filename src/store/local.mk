# store: the customer profile store. Handle, tables and record rules
# (store.c), time fields (timeparse.c), CSV and JSON Lines ingest
# (ingest.c, csv.c, jsonl.c), ordering and views (views.c), features and
# windows (features.c), privacy (privacy.c), save/load (persist.c).
libcustops_la_SOURCES += \
	%reldir%/store_internal.h \
	%reldir%/ingest_internal.h \
	%reldir%/store.c \
	%reldir%/timeparse.c \
	%reldir%/ingest.c \
	%reldir%/csv.c \
	%reldir%/jsonl.c \
	%reldir%/views.c \
	%reldir%/features.c \
	%reldir%/privacy.c \
	%reldir%/persist.c
