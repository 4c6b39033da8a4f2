#!/usr/bin/env bash
# Build each tests/threads/tsan_*.c with the library sources under
# ThreadSanitizer and run it: documented thread rules (shared read-only
# objects, thread-local errors) must hold without a single data race.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${TSAN_OUT:-build-tsan}
mkdir -p "$out"
CC=${CC_TSAN:-clang}
mapfile -t libsrc < <(find src -name '*.c' ! -path 'src/cli/*' | sort)
fail=0
for t in tests/threads/tsan_*.c; do
  bin=$out/$(basename "$t" .c)
  $CC -std=gnu11 -g -O1 -fsanitize=thread -DCUSTOPS_BUILDING -Iinclude -Isrc "$t" "${libsrc[@]}" \
      -lm -lpthread $(pkg-config --libs sqlite3 2>/dev/null || true) -o "$bin"
  if TSAN_OPTIONS="halt_on_error=1 exitcode=66" "$bin"; then echo "PASS: $(basename "$bin")"
  else echo "FAIL: $(basename "$bin")"; fail=1; fi
done
exit $fail
