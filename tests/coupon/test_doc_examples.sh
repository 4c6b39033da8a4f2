#!/bin/sh
# The worked examples of docs/coupons.md, run against the custops program.
exec "${PYTHON:-/usr/bin/python3}" "$top_srcdir/tests/coupon/doc_examples.py"
