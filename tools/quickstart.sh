#!/usr/bin/env bash
# The README's first command: install what is missing, build libcustops,
# and run the main job.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh
[ -x configure ] || ./autogen.sh >/dev/null
mkdir -p build && cd build
[ -f Makefile ] || ../configure PYTHON=/usr/bin/python3 >/dev/null
make -j"$(nproc 2>/dev/null || echo 2)" >/dev/null
echo "built: build/src/custops, API docs in build/docs/html/index.html"
echo
# the main job on the built-in synthetic store (docs/run.md)
echo "\$ custops run --out custops-run"
src/custops run --out custops-run
echo
echo "open build/custops-run/report.html; the per-customer table is build/custops-run/customers.csv"
