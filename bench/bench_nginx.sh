#!/bin/sh
# The example storefront under load: start Debian's nginx with the Lua
# module (4 workers, examples/nginx) on 127.0.0.1, drive it with wrk (2
# threads, 16 connections) for BENCH_NGINX_SECONDS (default 10) against
# POST /quote, then against a mix with 10% POST /redeem (reserve + commit in
# the shared SQLite ledger; once with an fsync per transaction, the
# default, once without), and write throughput, latency percentiles and
# the workers' CPU time per request as nginx.json and nginx.md (the bench.h
# format). Prints a note and succeeds when nginx, its Lua module, wrk or the
# LuaJIT build of the binding is missing.
#   env: TOP_SRCDIR, STAGE (the staged LuaJIT binding), LD_LIBRARY_PATH,
#        BENCH_OUT (default .), LIBRARY_VERSION
set -u
ex="$TOP_SRCDIR/examples/nginx"
out=${BENCH_OUT:-.}
secs=${BENCH_NGINX_SECONDS:-10}
for tool in nginx wrk curl; do
  command -v $tool >/dev/null || { echo "nginx: skipped ($tool not installed)"; exit 0; }
done
[ -f /usr/lib/nginx/modules/ngx_http_lua_module.so ] || { echo "nginx: skipped (no libnginx-mod-http-lua)"; exit 0; }
[ -f "$STAGE/custops/native.so" ] || { echo "nginx: skipped (no LuaJIT build of the binding)"; exit 0; }

prefix=$(mktemp -d)
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
trap '"$ex/run-nginx.sh" stop "$prefix"; rm -rf "$prefix"' EXIT INT TERM
"$ex/run-nginx.sh" start "$prefix" "$port" "$STAGE" "$ex/rules.txt" "$prefix/ledger.db" 4 || exit 1

tck=$(getconf CLK_TCK)
worker_ticks() { # utime + stime of every worker, in clock ticks
  t=0
  for pid in $(ps -o pid= --ppid "$(cat "$prefix/nginx.pid")"); do
    t=$((t + $(awk '{print $14 + $15}' "/proc/$pid/stat")))
  done
  echo $t
}
# wrk's latency figures come with a unit: 850.00us, 3.77ms, 1.02s -> ms
to_ms() { awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /[0-9]s$/ && v !~ /ms$/) n *= 1000; printf "%.3f", n }'; }

figs=""
add() { # name value unit
  printf '%-56s %14s %s\n' "$1" "$2" "$3"
  figs="$figs$1|$2|$3
"
}
run() { # label, redeem percent
  curl -s -o /dev/null "http://127.0.0.1:$port/health"
  t0=$(worker_ticks)
  REDEEM_PERCENT=$2 wrk -t2 -c16 -d"${secs}s" --latency -s "$TOP_SRCDIR/bench/nginx/wrk_checkout.lua" \
    "http://127.0.0.1:$port" > "$prefix/wrk.txt" 2>&1 || { cat "$prefix/wrk.txt"; exit 1; }
  t1=$(worker_ticks)
  cat "$prefix/wrk.txt"
  rps=$(awk '/^Requests\/sec:/ {print $2}' "$prefix/wrk.txt")
  total=$(awk '/requests in/ {print $1}' "$prefix/wrk.txt")
  bad=$(awk '/Non-2xx or 3xx responses:/ {print $5}' "$prefix/wrk.txt")
  errs=$(awk '/Socket errors:/ {print $4 + $6 + $8 + $10}' "$prefix/wrk.txt" | tr -d ,)
  add "$1: requests per second (4 workers, 16 connections)" "$rps" "req/s"
  for p in 50 90 99; do
    add "$1: latency p$p" "$(to_ms "$(awk -v p="$p%" '$1 == p {print $2}' "$prefix/wrk.txt")")" "ms"
  done
  add "$1: worker CPU per request" "$(awk -v d=$((t1 - t0)) -v n="$total" -v h="$tck" 'BEGIN { printf "%.1f", d / h / n * 1e6 }')" "us"
  add "$1: non-2xx answers and socket errors" "$(( ${bad:-0} + ${errs:-0} ))" "count"
}
run "quote" 0
run "quote + 10% redeem" 10
used=$(curl -s "http://127.0.0.1:$port/ledger/OPEN5" | sed -n 's/.*"used":\([0-9]*\).*/\1/p')
add "quote + 10% redeem: redemptions committed in the ledger" "${used:-0}" "count"
# the same mix with a ledger that does not fsync every transaction
"$ex/run-nginx.sh" stop "$prefix"
rm -f "$prefix/ledger.db" "$prefix/ledger.db-wal" "$prefix/ledger.db-shm"
DURABLE=false "$ex/run-nginx.sh" start "$prefix" "$port" "$STAGE" "$ex/rules.txt" "$prefix/ledger.db" 4 || exit 1
run "quote + 10% redeem, ledger without fsync" 10
used=$(curl -s "http://127.0.0.1:$port/ledger/OPEN5" | sed -n 's/.*"used":\([0-9]*\).*/\1/p')
add "quote + 10% redeem, ledger without fsync: redemptions committed" "${used:-0}" "count"

# nginx.json and nginx.md in the bench.h format (no goals: figures to report)
version=${LIBRARY_VERSION:-unknown}
{
  printf '{"suite": "nginx", "library": "%s", "figures": [\n' "$version"
  printf '%s' "$figs" | awk -F'|' 'NF == 3 { if (n++) printf ",\n"; printf "  {\"name\": \"%s\", \"value\": %s, \"unit\": \"%s\", \"goal\": \"\", \"met\": null}", $1, $2, $3 } END { printf "\n" }'
  printf ']}\n'
} > "$out/nginx.json"
{
  printf '## nginx (libcustops %s)\n\n' "$version"
  printf 'Example storefront in nginx + LuaJIT, 4 workers, wrk 2 threads x 16 connections, %s s per run, on the shared 2-core machine (wrk and nginx share it; other jobs running).\n\n' "$secs"
  printf '| figure | value | unit | goal | met |\n|---|---:|---|---|---|\n'
  printf '%s' "$figs" | awk -F'|' 'NF == 3 { printf "| %s | %s | %s |  |  |\n", $1, $2, $3 }'
} > "$out/nginx.md"
echo "nginx: results in $out/nginx.json and $out/nginx.md"
