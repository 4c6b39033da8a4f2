#!/bin/sh
# custops synth: files written, byte-identical for a seed, JSONL mode,
# usage and library errors, progress only on a terminal.
set -u
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
no() { echo "not ok - $*"; fail=1; }

out=$("$CUSTOPS" synth --customers 300 --seed 5 --out "$tmp/a" 2>"$tmp/err"); rc=$?
[ $rc -eq 0 ] || no "synth exit $rc: $(cat "$tmp/err")"
echo "$out" | grep -q "wrote 300 customers (seed 5)" || no "summary line: $out"
[ -s "$tmp/err" ] && no "progress or noise on a non-terminal stderr: $(cat "$tmp/err")"
for f in orders.csv refunds.csv events.csv customers.csv truth.json; do
  [ -s "$tmp/a/$f" ] || no "$f missing"
done
[ "$(head -1 "$tmp/a/orders.csv")" = "order_id,customer_id,time,currency,sku,category,qty,unit_price,discount,coupon_code,channel" ] || no "orders header"
[ "$(wc -l < "$tmp/a/customers.csv")" -eq 301 ] || no "customers rows"
grep -q '"seed": 5,' "$tmp/a/truth.json" || no "seed in truth.json"
ls "$tmp/a" | grep -q tmp && no "temporary files left"

"$CUSTOPS" synth --customers 300 --seed 5 --out "$tmp/b" >/dev/null || no "second run"
for f in orders.csv refunds.csv events.csv customers.csv truth.json; do
  cmp -s "$tmp/a/$f" "$tmp/b/$f" || no "$f differs for the same seed"
done
"$CUSTOPS" synth --customers 300 --seed 6 --out "$tmp/c" >/dev/null || no "third run"
cmp -s "$tmp/a/orders.csv" "$tmp/c/orders.csv" && no "another seed gives the same orders"

"$CUSTOPS" synth --customers 40 --out "$tmp/j" --jsonl --start 2024-01-01 --end 2024-07-01 --no-double11 >/dev/null || no "jsonl run"
[ "$(ls "$tmp/j" | tr '\n' ' ')" = "store.jsonl truth.json " ] || no "jsonl files: $(ls "$tmp/j")"
head -1 "$tmp/j/store.jsonl" | grep -q '^{"kind": "customer", "customer_id": "C0000001"' || no "jsonl first record"
grep -q '"start": "2024-01-01"' "$tmp/j/truth.json" && grep -q '"double11": false' "$tmp/j/truth.json" || no "window in truth"
grep '"kind": "order_line"' "$tmp/j/store.jsonl" | grep -qv '"time": "2024-0[1-6]-' && no "order outside --start/--end"

"$CUSTOPS" synth --customers 10 2>/dev/null; rc=$?
[ $rc -eq 2 ] || no "missing --out gives 2 (got $rc)"
"$CUSTOPS" synth --out "$tmp/x" --start 2024-13-01 2>/dev/null; rc=$?
[ $rc -eq 2 ] || no "bad date gives 2 (got $rc)"
err=$("$CUSTOPS" synth --out "$tmp/x" --customers 10 --zone Nowhere/Land 2>&1); rc=$?
[ $rc -eq 1 ] && echo "$err" | grep -q "zone" || no "bad zone gives 1 with a message: $err"
err=$("$CUSTOPS" synth --out "$tmp/x" --customers 0 2>&1); rc=$?
[ $rc -eq 1 ] && echo "$err" | grep -q "customers" || no "zero customers: $err"
"$CUSTOPS" synth --help | grep -q "Usage: custops synth" || no "help"
"$CUSTOPS" --help | grep -q "synth" || no "listed in custops --help"

# progress on a terminal (when util-linux script is available to make one)
if command -v script >/dev/null 2>&1; then
  script -qec "\"$CUSTOPS\" synth --customers 4000 --out \"$tmp/p\"" /dev/null > "$tmp/tty" 2>&1
  grep -q "custops synth: .*% (.* of 4000 customers)" "$tmp/tty" || no "no progress on a terminal: $(cat -v "$tmp/tty" | head -3)"
fi
[ $fail -eq 0 ] && echo "ok - custops synth"
exit $fail
