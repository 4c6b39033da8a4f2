#!/bin/sh
# The report writer's output in a real browser: headless Chromium renders
# every chart kind with no console errors and no network requests.
# Skips (77) when Chromium, chromedriver or selenium are missing.
set -eu
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
./report/report_sample "$out/sample.html"
exec /usr/bin/python3 "$top_srcdir/tests/report/render_check.py" "$out/sample.html" bars lines heat
