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
echo "\$ custops --help"
src/custops --help
echo
echo "\$ custops time --in Asia/Shanghai --zone UTC --zone Asia/Shanghai '2024-11-11 00:00'"
src/custops time --in Asia/Shanghai --zone UTC --zone Asia/Shanghai '2024-11-11 00:00'
