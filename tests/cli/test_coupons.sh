#!/bin/sh
# custops coupons compile|lint|quote: outputs, round trip, exit codes, errors at line:col.
set -u
fail=0
ex="$top_srcdir/tests/coupon/examples"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$CUSTOPS" coupons compile "$ex/promos.rules" > "$tmp/a.json"; rc=$?
[ $rc -eq 0 ] || { echo "not ok - compile exit $rc"; fail=1; }
"$CUSTOPS" coupons compile "$tmp/a.json" > "$tmp/b.json" && cmp -s "$tmp/a.json" "$tmp/b.json" ||
  { echo "not ok - JSON round trip differs"; fail=1; }
"$CUSTOPS" coupons lint "$ex/promos.rules" > "$tmp/lint.txt"; rc=$?
[ $rc -eq 0 ] && [ ! -s "$tmp/lint.txt" ] || { echo "not ok - examples lint clean (exit $rc)"; cat "$tmp/lint.txt"; fail=1; }
printf 'rule r {\n  when subtotal() >= 10.00;\n  then amount_off 10.00;\n}\n' > "$tmp/bad.rules"
out=$("$CUSTOPS" coupons lint "$tmp/bad.rules"); rc=$?
[ $rc -eq 1 ] && echo "$out" | grep -q "bad.rules:1:1: DISCOUNT_GE_THRESHOLD r:" ||
  { echo "not ok - lint finding: $out"; fail=1; }
printf 'rule r {\n  then amount_of 1.00;\n}\n' > "$tmp/err.rules"
err=$("$CUSTOPS" coupons compile "$tmp/err.rules" 2>&1); rc=$?
[ $rc -eq 1 ] && echo "$err" | grep -q "err.rules:2:8: unknown effect 'amount_of'" ||
  { echo "not ok - compile error position: $err"; fail=1; }
out=$("$CUSTOPS" coupons quote "$ex/promos.rules" "$ex/cart_d11.json"); rc=$?
[ $rc -eq 0 ] || { echo "not ok - quote exit $rc"; fail=1; }
echo "$out" | grep -q '"discount":1000' || { echo "not ok - quote discount: $out"; fail=1; }
echo "$out" | grep -q '"message":"add 20.00 more to get 10.00 off"' || { echo "not ok - gap message"; fail=1; }
out2=$("$CUSTOPS" coupons quote "$tmp/a.json" "$ex/cart_d11.json")
[ "$out" = "$out2" ] || { echo "not ok - quote through JSON rules differs"; fail=1; }
out3=$("$CUSTOPS" coupons quote "$ex/promos.rules" "$ex/cart_d11.json" --now 2025-11-11T03:00:00+08:00)
echo "$out3" | grep -q '"points":{"base":70,"extra":0,"total":70}' || { echo "not ok - --now after the double points"; fail=1; }
"$CUSTOPS" coupons quote "$ex/promos.rules" "$tmp/missing.json" 2>/dev/null; rc=$?
[ $rc -eq 2 ] || { echo "not ok - missing cart gives 2 (got $rc)"; fail=1; }
"$CUSTOPS" coupons frobnicate 2>/dev/null; rc=$?
[ $rc -eq 2 ] || { echo "not ok - unknown subcommand gives 2 (got $rc)"; fail=1; }
[ $fail -eq 0 ] && echo "ok - custops coupons"
exit $fail
