check_PROGRAMS += ledger/check_ledger
ledger_check_ledger_SOURCES = %reldir%/check_ledger.c %reldir%/ledger_fixture.h
TESTS += ledger/check_ledger
check_PROGRAMS += ledger/check_ledger_sqlite
ledger_check_ledger_sqlite_SOURCES = %reldir%/check_ledger_sqlite.c %reldir%/ledger_fixture.h
ledger_check_ledger_sqlite_CFLAGS = $(AM_CFLAGS) $(SQLITE3_CFLAGS)
ledger_check_ledger_sqlite_LDADD = $(LDADD) $(SQLITE3_LIBS)
TESTS += ledger/check_ledger_sqlite
# SIGKILL during ledger transitions (built on tests/crash/crashkit.h)
check_PROGRAMS += crash/check_ledger_crash
crash_check_ledger_crash_SOURCES = crash/check_ledger_crash.c crash/crashkit.h
TESTS += crash/check_ledger_crash
