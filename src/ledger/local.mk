# ledger: the redemption state machine (ledger.c) over one backend
# interface (ledger_internal.h) with in-memory, SQLite and optional
# PostgreSQL backends, the hash-chained journal and bulk code generation.
libcustops_la_SOURCES += \
	%reldir%/ledger_internal.h \
	%reldir%/ledger.c \
	%reldir%/journal.c \
	%reldir%/sha256.c \
	%reldir%/codegen.c \
	%reldir%/backend_memory.c \
	%reldir%/backend_sqlite.c
libcustops_la_CPPFLAGS += $(SQLITE3_CFLAGS)
libcustops_la_LIBADD += $(SQLITE3_LIBS)
if HAVE_LIBPQ
libcustops_la_SOURCES += %reldir%/backend_pg.c
libcustops_la_CPPFLAGS += $(LIBPQ_CFLAGS)
libcustops_la_LIBADD += $(LIBPQ_LIBS)
else
libcustops_la_SOURCES += %reldir%/backend_pg_none.c
endif
EXTRA_DIST += %reldir%/backend_pg.c %reldir%/backend_pg_none.c
