#!/bin/sh
# custops message lint: findings with file:line:col, exit codes, stdin.
set -u
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf '双11大促\n全网最低价，国家级品质\n' > "$tmp/ad.txt"
printf '最近浏览的商品，第一次下单立减\n' > "$tmp/ok.txt"
out=$("$CUSTOPS" message lint "$tmp/ad.txt"); rc=$?
[ $rc -eq 1 ] || { echo "not ok - findings give exit 1 (got $rc)"; fail=1; }
echo "$out" | grep -q "ad.txt:2:1: 全网最低 (" || { echo "not ok - first finding: $out"; fail=1; }
echo "$out" | grep -q "ad.txt:2:7: 国家级 (" || { echo "not ok - second finding: $out"; fail=1; }
"$CUSTOPS" message lint "$tmp/ok.txt" >/dev/null; rc=$?
[ $rc -eq 0 ] || { echo "not ok - clean text gives exit 0 (got $rc)"; fail=1; }
out=$(printf '最好的选择' | "$CUSTOPS" message lint); rc=$?
[ $rc -eq 1 ] && echo "$out" | grep -q "<stdin>:1:1: 最好" || { echo "not ok - stdin: $out"; fail=1; }
"$CUSTOPS" message lint "$tmp/missing.txt" 2>/dev/null; rc=$?
[ $rc -eq 2 ] || { echo "not ok - missing file gives exit 2 (got $rc)"; fail=1; }
printf 'bad \377 utf8' > "$tmp/bad.txt"
err=$("$CUSTOPS" message lint "$tmp/bad.txt" 2>&1); rc=$?
[ $rc -eq 2 ] && echo "$err" | grep -q "not valid UTF-8 at byte 4" || { echo "not ok - invalid UTF-8: $err"; fail=1; }
[ $fail -eq 0 ] && echo "ok - custops message lint"
exit $fail
