EXTRA_PROGRAMS += bench_coupon
BENCH_RUN += bench_coupon
bench_coupon_SOURCES = %reldir%/bench_coupon.c
EXTRA_DIST += %reldir%/coupon.mk %reldir%/py
