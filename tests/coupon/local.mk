check_PROGRAMS += coupon/check_rules
coupon_check_rules_SOURCES = %reldir%/check_rules.c %reldir%/coupon_test.h
TESTS += coupon/check_rules
check_PROGRAMS += coupon/check_quote
coupon_check_quote_SOURCES = %reldir%/check_quote.c %reldir%/coupon_test.h
TESTS += coupon/check_quote
EXTRA_DIST += %reldir%/examples
