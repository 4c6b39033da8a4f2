#!/usr/bin/env bash
# Build libcustops and run every test: make check (Check suites, exports,
# CLI, Python, Lua 5.4 and LuaJIT, Doxygen with warnings as errors), then
# the same suite under AddressSanitizer+UBSan, then make distcheck.
# Prints a closing "N passed, N failed" line.
set -euo pipefail
cd "$(dirname "$0")/.."
top=$(pwd)
PY=/usr/bin/python3
JOBS=$(nproc 2>/dev/null || echo 2)
[ -x configure ] && [ configure -nt configure.ac ] || ./autogen.sh >/dev/null 2>&1

summary() { # build dir -> counts from .trs files
  find "$1" -name '*.trs' -exec cat {} + 2>/dev/null |
    awk '/^:test-result: PASS/{p++} /^:test-result: (FAIL|ERROR|XPASS)/{f++} END{print p+0, f+0}'
}
show_failures() {
  find "$1" -name '*.log' ! -name 'config.log' -newer "$1/Makefile" -print0 |
    xargs -0 grep -lE '^(FAIL|ERROR)' 2>/dev/null | while read -r l; do echo "=== $l"; tail -50 "$l"; done
}

status=0
run_suite() { # name, build dir, configure args...
  local name=$1 dir=$2; shift 2
  rm -rf "$dir"; mkdir -p "$dir"
  echo "== $name: configure and build"
  (cd "$dir" && "$top/configure" PYTHON=$PY --enable-werror "$@" >configure.out 2>&1) || { cat "$dir/configure.out"; return 1; }
  (cd "$dir" && make -j"$JOBS" >make.out 2>&1) || { tail -50 "$dir/make.out"; return 1; }
  echo "== $name: make check"
  if ! (cd "$dir" && make -j"$JOBS" check >check.out 2>&1); then
    grep -E '^(PASS|FAIL|ERROR|SKIP|XFAIL|XPASS):' "$dir/check.out" || true
    show_failures "$dir"; return 1
  fi
  grep -E '^(PASS|FAIL|ERROR|SKIP):' "$dir/check.out" || true
  # Check's own summary lines ("100%: Checks: N, Failures: 0, Errors: 0")
  find "$dir/tests" -name 'check_*.log' -exec grep -h 'Checks:' {} + || true
}

run_suite "default build" "$top/build-ci" || status=1
read -r P F < <(summary "$top/build-ci")

if [ $status -eq 0 ]; then
  # ASan+UBSan over the C tests and CLI (the Python/Lua interpreters are not
  # built with ASan, so the bindings are left out of this run).
  run_suite "sanitizers" "$top/build-asan" --enable-sanitizers --disable-bindings || status=1
  read -r P2 F2 < <(summary "$top/build-asan")
  P=$((P + P2)); F=$((F + F2))
fi

if [ $status -eq 0 ]; then
  echo "== valgrind over the C tests"
  if tools/valgrind-check.sh "$top/build-ci"; then P=$((P + 1)); else F=$((F + 1)); status=1; fi
fi

if [ $status -eq 0 ]; then
  echo "== make distcheck"
  if (cd "$top/build-ci" && make -j"$JOBS" distcheck >distcheck.out 2>&1); then
    P=$((P + 1)); echo "PASS: distcheck"
  else
    tail -60 "$top/build-ci/distcheck.out"; F=$((F + 1)); status=1
  fi
fi
if [ $status -eq 0 ]; then
  echo "== ABI checker self-test (libtool rules on toy libraries)"
  set +e; tools/abi-selftest.sh; abi_rc=$?; set -e
  case $abi_rc in 0) P=$((P + 1));; 77) ;; *) F=$((F + 1)); status=1;; esac
  echo "== ABI against the last release's baseline"
  set +e; tools/abi-check.sh "$top/build-ci"; abi_rc=$?; set -e
  case $abi_rc in 0) P=$((P + 1));; 77) ;; *) F=$((F + 1)); status=1;; esac
fi

if [ $status -eq 0 ]; then
  echo "== install check"
  if tools/check-install.sh "$top/build-ci"; then P=$((P + 1)); else F=$((F + 1)); status=1; fi
fi

if [ $status -eq 0 ] && command -v clang >/dev/null; then
  echo "== ThreadSanitizer over the thread-rule tests"
  if TSAN_OUT="$top/build-tsan" tools/tsan-check.sh; then P=$((P + $(ls tests/threads/tsan_*.c | wc -l)))
  else F=$((F + 1)); status=1; fi
fi

if [ $status -eq 0 ] && command -v clang >/dev/null; then
  echo "== short fuzz run (${FUZZ_SECONDS:-10}s per target)"
  if FUZZ_OUT="$top/build-fuzz" FUZZ_SEED="${FUZZ_SEED:-1}" tools/fuzz.sh "${FUZZ_SECONDS:-10}"; then
    P=$((P + $(ls fuzz/fuzz_*.c | wc -l)))
  else F=$((F + 1)); status=1; fi
fi
echo "${P:-0} passed, ${F:-1} failed"
exit $status
