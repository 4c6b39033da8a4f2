#!/usr/bin/env bash
# Build every fuzz/fuzz_*.c target with libFuzzer + ASan + UBSan against the
# library sources and run each for SECONDS (default 20), starting from its
# corpus in fuzz/corpus/<name>/ (new inputs found go to a scratch dir, so
# the committed corpus changes only when someone copies them in on purpose).
#   tools/fuzz.sh [SECONDS] [target-name...]
# FUZZ_SEED=N makes the mutations repeatable (CI sets it so a red run is a
# regression in the code, not a new find by chance; exploratory runs leave
# it unset and get a fresh seed each time).
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-20}; shift || true
out=${FUZZ_OUT:-build-fuzz}
mkdir -p "$out"
CC=${CC_FUZZ:-clang}
# config.h is not needed by the library sources; gnu11 gives POSIX names
CFLAGS="-std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -DCUSTOPS_BUILDING -Iinclude -Isrc"
mapfile -t libsrc < <(find src -name '*.c' ! -path 'src/cli/*' | sort)
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for f in fuzz/fuzz_*.c; do t=$(basename "$f" .c); targets+=("${t#fuzz_}"); done
fi
fail=0
for t in "${targets[@]}"; do
  src=fuzz/fuzz_$t.c
  bin=$out/fuzz_$t
  echo "== fuzz $t: build"
  $CC $CFLAGS "$src" "${libsrc[@]}" -lm -lpthread $(pkg-config --libs sqlite3 2>/dev/null || true) -o "$bin"
  scratch=$out/corpus_$t; rm -rf "$scratch"; mkdir -p "$scratch"
  corpus=fuzz/corpus/$t; mkdir -p "$corpus"
  dict=(); [ -f fuzz/$t.dict ] && dict=(-dict=fuzz/$t.dict)
  seed=(); [ -n "${FUZZ_SEED:-}" ] && seed=(-seed="$FUZZ_SEED")
  echo "== fuzz $t: run ${secs}s"
  if "$bin" "${dict[@]}" "${seed[@]}" -max_total_time="$secs" -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
       -print_final_stats=1 -artifact_prefix="$out/crash_${t}_" "$scratch" "$corpus" > "$out/fuzz_$t.log" 2>&1; then
    grep -E 'stat::number_of_executed_units|cov:' "$out/fuzz_$t.log" | tail -2
    echo "PASS: fuzz_$t"
  else
    tail -40 "$out/fuzz_$t.log"; echo "FAIL: fuzz_$t"; fail=1
  fi
done
exit $fail
