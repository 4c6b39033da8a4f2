check_PROGRAMS += coupon/check_rules
coupon_check_rules_SOURCES = %reldir%/check_rules.c %reldir%/coupon_test.h
coupon_check_rules_CPPFLAGS = $(AM_CPPFLAGS) -DCOUPON_TOP_SRCDIR='"$(abs_top_srcdir)"'
TESTS += coupon/check_rules
check_PROGRAMS += coupon/check_quote
coupon_check_quote_SOURCES = %reldir%/check_quote.c %reldir%/coupon_test.h
coupon_check_quote_CPPFLAGS = $(AM_CPPFLAGS) -DCOUPON_TOP_SRCDIR='"$(abs_top_srcdir)"'
TESTS += coupon/check_quote
EXTRA_DIST += %reldir%/examples
TESTS += %reldir%/test_doc_examples.sh
EXTRA_DIST += %reldir%/test_doc_examples.sh %reldir%/doc_examples.py
# the guide its worked examples are read from (the test fails without it)
EXTRA_DIST += ../docs/coupons.md
check_PROGRAMS += coupon/check_coupon_alloc
coupon_check_coupon_alloc_SOURCES = %reldir%/check_coupon_alloc.c
TESTS += coupon/check_coupon_alloc
check_PROGRAMS += coupon/check_quote_bytes
coupon_check_quote_bytes_SOURCES = %reldir%/check_quote_bytes.c %reldir%/coupon_test.h
coupon_check_quote_bytes_CPPFLAGS = $(AM_CPPFLAGS) -DCOUPON_TOP_SRCDIR='"$(abs_top_srcdir)"'
TESTS += coupon/check_quote_bytes
EXTRA_DIST += %reldir%/quote_bytes.txt
check_PROGRAMS += coupon/check_coupon_threads
coupon_check_coupon_threads_SOURCES = %reldir%/check_coupon_threads.c %reldir%/coupon_test.h
coupon_check_coupon_threads_CPPFLAGS = $(AM_CPPFLAGS) -DCOUPON_TOP_SRCDIR='"$(abs_top_srcdir)"'
coupon_check_coupon_threads_LDADD = $(LDADD) -lpthread
TESTS += coupon/check_coupon_threads
