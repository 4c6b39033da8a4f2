#!/bin/sh
# The shared library exports exactly the functions the public headers
# declare with CUSTOPS_API, every one prefixed custops_, and nothing else
# (besides the version-node symbols such as CUSTOPS_0.1).
set -eu
lib="$top_builddir/src/.libs/libcustops.so"
[ -f "$lib" ] || { echo "SKIP: no shared library at $lib"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
nm -D --defined-only "$lib" | awk '{print $NF}' | sed 's/@.*//' | sort -u > "$tmp/exported"
grep -v -E '^CUSTOPS_[0-9]+\.[0-9]+$' "$tmp/exported" > "$tmp/funcs" || true
bad=$(grep -v '^custops_[a-z]' "$tmp/funcs" || true)
if [ -n "$bad" ]; then
  echo "FAIL: exported symbols without the custops_ prefix:"; echo "$bad"; exit 1
fi
# names declared in the installed headers: "CUSTOPS_API <type> custops_name("
cat "$top_srcdir"/include/custops.h "$top_srcdir"/include/custops/*.h |
  tr '\n' ' ' | sed 's/CUSTOPS_API/\nCUSTOPS_API/g' | grep '^CUSTOPS_API' |
  sed -n 's/^CUSTOPS_API[^(]*[ *]\(custops_[a-z0-9_]*\) *(.*/\1/p' | sort -u > "$tmp/declared"
if ! diff -u "$tmp/declared" "$tmp/funcs" > "$tmp/diff"; then
  echo "FAIL: exported functions differ from CUSTOPS_API declarations (- declared only, + exported only):"
  cat "$tmp/diff"; exit 1
fi
echo "exports OK: $(wc -l < "$tmp/funcs") functions, all declared and prefixed"
