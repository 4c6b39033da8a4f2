# store: ingest, views, features (CDNOW proof), windows, privacy, save/load.
check_PROGRAMS += store/check_store
store_check_store_SOURCES = %reldir%/check_store.c
TESTS += store/check_store
# SIGKILL while saving (uses the crash harness of tests/crash)
check_PROGRAMS += store/check_store_crash
store_check_store_crash_SOURCES = %reldir%/check_store_crash.c
TESTS += store/check_store_crash
# every allocation failed in turn: ENOMEM, no leak, store unchanged
check_PROGRAMS += store/check_store_alloc
store_check_store_alloc_SOURCES = %reldir%/check_store_alloc.c
TESTS += store/check_store_alloc
EXTRA_DIST += %reldir%/store_v1.stor
# CSV time fields against custops_time_parse over generated texts
check_PROGRAMS += store/check_store_times
store_check_store_times_SOURCES = %reldir%/check_store_times.c
TESTS += store/check_store_times
