#!/bin/sh
# The report of `custops run` on the synthetic store in headless Chromium:
# every chart present and drawn, no console errors, no network requests.
# Skips (77) without Chromium, chromedriver or selenium.
set -eu
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$CUSTOPS" run --customers 1000 --out "$tmp/out" --quiet
exec /usr/bin/python3 "$top_srcdir/tests/report/render_check.py" "$tmp/out/report.html" \
  segment-sizes lifecycle clv-distribution alive-matrix calibration-holdout cohort-retention \
  repurchase-cycles audience-sizes
