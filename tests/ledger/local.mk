check_PROGRAMS += ledger/check_ledger
ledger_check_ledger_SOURCES = %reldir%/check_ledger.c %reldir%/ledger_fixture.h
TESTS += ledger/check_ledger
ledger_check_ledger_CFLAGS = $(AM_CFLAGS)
ledger_check_ledger_LDADD = $(LDADD)
# the same suite against a throwaway PostgreSQL server (skips without one)
if HAVE_LIBPQ
ledger_check_ledger_CFLAGS += $(LIBPQ_CFLAGS) -DLEDGER_TEST_PG
ledger_check_ledger_LDADD += $(LIBPQ_LIBS)
TESTS += %reldir%/test_ledger_pg.sh
endif
EXTRA_DIST += %reldir%/test_ledger_pg.sh %reldir%/pg_sandbox.sh
check_PROGRAMS += ledger/check_ledger_sqlite
ledger_check_ledger_sqlite_SOURCES = %reldir%/check_ledger_sqlite.c %reldir%/ledger_fixture.h
ledger_check_ledger_sqlite_CFLAGS = $(AM_CFLAGS) $(SQLITE3_CFLAGS)
ledger_check_ledger_sqlite_LDADD = $(LDADD) $(SQLITE3_LIBS)
TESTS += ledger/check_ledger_sqlite
# SIGKILL during ledger transitions (built on tests/crash/crashkit.h)
check_PROGRAMS += crash/check_ledger_crash
crash_check_ledger_crash_SOURCES = crash/check_ledger_crash.c crash/crashkit.h
TESTS += crash/check_ledger_crash
