#!/bin/sh
# custops abtest / calendar / repurchase / sendtime / crosssell / kpi:
# outputs against hand-worked answers, errors and exit codes.
set -u
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
no() { echo "not ok - $*"; fail=1; }

# abtest: 3841 per arm; Newcombe's 56/70 - 48/80 interval; power at 3841
out=$("$CUSTOPS" abtest size --p-a 0.10 --p-b 0.12) && echo "$out" | grep -q "^per_arm	3841$" || no "abtest size: $out"
out=$("$CUSTOPS" abtest proportions --a 48/80 --b 56/70) || no "abtest proportions failed"
echo "$out" | grep -q "^lo	0.0524" && echo "$out" | grep -q "^hi	0.3338" || no "abtest proportions: $out"
out=$("$CUSTOPS" abtest power --p-a 0.10 --p-b 0.12 --n 3841) && echo "$out" | grep -q "^power	0.8000" || no "abtest power: $out"
out=$("$CUSTOPS" abtest sequential --tau 0.02 100/1000,100/1000 200/2000,205/2000) || no "abtest sequential failed"
echo "$out" | grep -q "^2	1	no$" || no "abtest sequential A/A: $out"
"$CUSTOPS" abtest proportions --a 5/4 --b 1/10 2>/dev/null; [ $? -eq 1 ] || no "abtest rejects 5/4"
"$CUSTOPS" abtest bogus 2>/dev/null; [ $? -eq 2 ] || no "abtest unknown subcommand gives 2"

# calendar
cat > "$tmp/d11.cal" <<'CAL'
campaign "D11" zone Asia/Shanghai
phase warm_up from 2026-08-25
  audience vip do coupon R-1, message hello
phase burst from 2026-11-11 to 2026-11-12
  audience "*" do coupon R-1111
CAL
out=$("$CUSTOPS" calendar check "$tmp/d11.cal") || no "calendar check failed"
echo "$out" | grep -q "^phase	warm_up	2026-08-25T00:00:00+08:00	2026-11-11T00:00:00+08:00" || no "calendar check: $out"
out=$("$CUSTOPS" calendar now "$tmp/d11.cal" --at "2026-09-01 10:00" --audience vip) || no "calendar now failed"
echo "$out" | grep -q "^warm_up	vip	coupon	R-1$" && echo "$out" | grep -q "^warm_up	vip	message	hello$" || no "calendar now: $out"
printf 'campaign c zone UTC\nphase a from 2026-01-01\n' > "$tmp/bad.cal"
err=$("$CUSTOPS" calendar check "$tmp/bad.cal" 2>&1); rc=$?
[ $rc -eq 1 ] && echo "$err" | grep -q "bad.cal:2:1: the last phase 'a' needs 'to'" || no "calendar error: $err"

# lines: customers 0 and 1 buy sku 5 every 10 days; customer 2 buys 5 and 6 together
cat > "$tmp/lines.csv" <<'CSV'
customer,order,time,sku,category,qty,amount
0,1,2026-01-01 10:00,5,1,1,1000
0,2,2026-01-11 10:00,5,1,1,1000
0,3,2026-01-21 10:00,5,1,1,1000
1,4,2026-01-02 10:00,5,1,1,1000
1,5,2026-01-12 10:00,5,1,1,1000
2,6,2026-01-05 10:00,5,1,1,1000
2,6,2026-01-05 10:00,6,1,2,500
3,7,1767610800,5,1,1,1000
3,7,1767610800,6,1,1,500
CSV
out=$("$CUSTOPS" repurchase --lines "$tmp/lines.csv" --now 2026-01-25 --min-intervals 2) || no "repurchase failed"
echo "$out" | head -1 | grep -q "^sku,category,source,repeat_buyers,intervals" || no "repurchase header: $out"
echo "$out" | grep -q "^5,1,1,2,3,2,0,10," || no "repurchase sku 5 cycle 10 days: $out"
out=$("$CUSTOPS" repurchase --lines "$tmp/lines.csv" --now 2026-01-25 --min-intervals 2 --due --lead 0 --grace 7) || no "repurchase --due failed"
echo "$out" | grep -q "^1,5," || no "repurchase due: customer 1 expected on the 22nd: $out"
"$CUSTOPS" repurchase --lines "$tmp/lines.csv" 2>/dev/null; [ $? -eq 2 ] || no "repurchase without --now gives 2"

out=$("$CUSTOPS" crosssell --lines "$tmp/lines.csv" --min-count 2) || no "crosssell failed"
echo "$out" | grep -q "^5,6,1,2,7,2,0.2857142857,0.2857142857,1$" || no "crosssell 5->6: $out"
echo "$out" | grep -q "^6,5,1,2,2,7,0.2857142857,1,1$" || no "crosssell 6->5: $out"

out=$("$CUSTOPS" kpi summary --lines "$tmp/lines.csv" --from 2026-01-01 --to 2026-02-01) || no "kpi summary failed"
echo "$out" | grep -q "^8000,0,8000,10,7,4,0,1142.857143,0,0.5$" || no "kpi summary: $out"
out=$("$CUSTOPS" kpi cohorts --lines "$tmp/lines.csv" --from 2026-01-01 --to 2026-02-01 --out "$tmp/co.csv") || no "kpi cohorts failed"
grep -q "^202601,0,4,4,8000,1,2000$" "$tmp/co.csv" || no "kpi cohorts: $(cat "$tmp/co.csv")"

cat > "$tmp/events.csv" <<'CSV'
customer,time,type
0,2026-01-01 09:00,visit
0,2026-01-01 09:01,view
0,2026-01-01 09:02,cart_add
1,2026-01-02 21:00,0
CSV
out=$("$CUSTOPS" kpi funnel --lines "$tmp/lines.csv" --events "$tmp/events.csv" --from 2026-01-01 --to 2026-02-01) || no "kpi funnel failed"
echo "$out" | grep -q "^order,1,1,0.5$" || no "kpi funnel: $out"
out=$("$CUSTOPS" sendtime --events "$tmp/events.csv" --zone Asia/Shanghai 2>/dev/null) || no "sendtime failed"
echo "$out" | head -1 | grep -q "^customer,best_hour,hour_score,best_weekday" || no "sendtime header: $out"
printf 'customer,time,type\n0,2026-01-01,jump\n' > "$tmp/badev.csv"
err=$("$CUSTOPS" sendtime --events "$tmp/badev.csv" 2>&1); rc=$?
[ $rc -eq 1 ] && echo "$err" | grep -q "badev.csv:2:14: unknown event type 'jump'" || no "sendtime CSV error: $err"

[ $fail -eq 0 ] && echo "ok - custops analytics commands"
exit $fail
