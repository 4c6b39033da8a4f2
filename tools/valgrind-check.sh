#!/usr/bin/env bash
# Run every Check test program of a build tree under valgrind memcheck
# (no fork, so leaks inside tests are seen); fail on any error or leak.
#   tools/valgrind-check.sh BUILD_DIR
set -euo pipefail
build=$(cd "$1" && pwd)
# tests that read files of the source tree find it the way make check tells them
top_srcdir=$(cd "$(dirname "$0")/.." && pwd); export top_srcdir
command -v valgrind >/dev/null || { echo "valgrind not installed: skipped"; exit 0; }
fail=0; n=0
while IFS= read -r prog; do
  n=$((n + 1))
  log=$(mktemp)
  # CUSTOPS: the program the end-to-end tests drive (run outside valgrind, as a child)
  if CK_FORK=no CK_DEFAULT_TIMEOUT=600 CUSTOPS_UNDER_VALGRIND=1 LD_LIBRARY_PATH="$build/src/.libs" CUSTOPS="$build/src/custops" \
     SHARED_DATA="${SHARED_DATA:-}" timeout 900 valgrind --leak-check=full \
     --errors-for-leak-kinds=definite,indirect,possible --error-exitcode=3 -q "$prog" >"$log" 2>&1; then
    echo "PASS: valgrind $(basename "$prog")"
  else
    echo "FAIL: valgrind $(basename "$prog")"; tail -40 "$log"; fail=1
  fi
  rm -f "$log"
done < <(find "$build/tests" -path '*/.libs/check_*' -type f -perm -u+x | sort)
[ $n -gt 0 ] || { echo "no test programs found under $build/tests"; exit 1; }
exit $fail
