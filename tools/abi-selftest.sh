#!/usr/bin/env bash
# Prove that tools/abi-check.sh enforces libtool's versioning rules: build a
# toy library in four shapes (v1; v1 plus a function; v1 whose public
# struct grew a field; v1 with a function removed) and check which version numbers the
# checker accepts for each against a v1 baseline made at 0:0:0.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
command -v abidw >/dev/null || { echo "SKIP: abigail-tools not installed"; exit 77; }
cc=${CC:-cc}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/build/src/.libs" "$tmp/abi"
build() { # NAME STRUCT-FIELDS EXTRA-DECL EXTRA-DEF: header and library of one shape
  mkdir -p "$tmp/$1"
  printf 'typedef struct toy_point { %s } toy_point;\nint toy_add(int a, int b);\n%s\n' "$2" "$3" > "$tmp/$1/toy.h"
  printf '#include "toy.h"\nint toy_add(int a, int b) { return a + b; }\n%s\n' "$4" > "$tmp/$1/toy.c"
  "$cc" -g -O0 -shared -fPIC -I"$tmp/$1" -o "$tmp/$1.so" "$tmp/$1/toy.c" || { echo "not ok - building $1"; exit 1; }
}
norm_decl='long toy_norm(const toy_point *p);'
norm_def='long toy_norm(const toy_point *p) { return p->x * p->x + p->y * p->y; }'
build v1      'long x; long y;' "$norm_decl" "$norm_def"
build added   'long x; long y;' "$norm_decl int toy_sub(int a, int b);" "$norm_def int toy_sub(int a, int b) { return a - b; }"
build changed 'long x; long y; long z;' "$norm_decl" "$norm_def"
build removed 'long x; long y;' '' ''

fails=0
check() { # LIB VERSION EXPECT(0 pass / 1 fail) WHAT
  ABI_LIB="$tmp/$1.so" ABI_DIR="$tmp/abi" ABI_HEADERS="$tmp/$1" ABI_VERSION="$2" \
    "$top/tools/abi-check.sh" "$tmp/build" > "$tmp/out.txt" 2>&1
  local rc=$?
  local got=$([ $rc -eq 0 ] && echo 0 || echo 1)
  [ -n "${ABI_SELFTEST_VERBOSE:-}" ] && sed "s/^/    /" "$tmp/out.txt"
  if [ "$got" = "$3" ]; then echo "ok - $4"; else
    echo "not ok - $4 (exit $rc)"; cat "$tmp/out.txt"; fails=$((fails + 1)); fi
}
ABI_LIB="$tmp/v1.so" ABI_DIR="$tmp/abi" ABI_HEADERS="$tmp/v1" ABI_VERSION=0:0:0 \
  "$top/tools/abi-check.sh" --baseline "$tmp/build" >/dev/null || { echo "not ok - baseline"; exit 1; }
check v1      0:0:0 0 "unchanged library passes at the same version"
check v1      0:1:0 0 "unchanged library passes after a revision bump"
check added   0:0:0 1 "added function without a version bump fails"
check added   0:1:0 1 "added function with only a revision bump fails"
check added   1:0:1 0 "added function with C+1:0:A+1 passes"
check added   1:0:0 1 "added function with a needless new SONAME is refused (AGE must grow)"
check changed 1:0:1 1 "grown struct behind a pointer claimed compatible fails"
check changed 1:0:0 0 "grown struct with a new SONAME passes"
check removed 0:0:0 1 "removed function without a bump fails"
check removed 1:0:1 1 "removed function claimed compatible fails"
check removed 1:0:0 0 "removed function with a new SONAME passes"
[ $fails -eq 0 ] && echo "abi-selftest: all passed" || { echo "abi-selftest: $fails failed"; exit 1; }
