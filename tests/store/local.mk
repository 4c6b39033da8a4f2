# store: ingest, views, features (CDNOW proof), windows, privacy, save/load.
check_PROGRAMS += store/check_store
store_check_store_SOURCES = %reldir%/check_store.c
TESTS += store/check_store
