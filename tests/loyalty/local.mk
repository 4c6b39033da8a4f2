check_PROGRAMS += loyalty/check_loyalty
loyalty_check_loyalty_SOURCES = %reldir%/check_loyalty.c
TESTS += loyalty/check_loyalty
