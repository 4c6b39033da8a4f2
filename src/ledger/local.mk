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
	%reldir%/backend_sqlite.c \
	%reldir%/backend_pg.c
libcustops_la_CPPFLAGS += $(SQLITE3_CFLAGS)
libcustops_la_LIBADD += $(SQLITE3_LIBS)
# backend_pg.c is a stub that refuses PostgreSQL locations unless libpq was found
if HAVE_LIBPQ
libcustops_la_CPPFLAGS += -DCUSTOPS_HAVE_LIBPQ $(LIBPQ_CFLAGS)
libcustops_la_LIBADD += $(LIBPQ_LIBS)
endif
