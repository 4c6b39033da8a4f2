#!/bin/sh
# custops ingest / custops profile: files in, store saved, features out;
# bad rows with file:line:col; whole-file-or-nothing; skip and report.
set -u
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat > "$tmp/orders.csv" <<'CSV'
order_id,customer_id,time,currency,sku,category,qty,unit_price,discount,coupon_code,channel
o1,alice,2024-11-01 10:00:00,CNY,sku1,shoes,2,100.00,20.00,,app
o2,bob,2024-11-02T09:30:00+08:00,CNY,sku1,shoes,1,100,,C10,web
o3,alice,2024-11-08 18:00:00,CNY,sku3,shoes,1,50.50,,,app
CSV
cat > "$tmp/more.jsonl" <<'JSON'
{"kind":"customer","customer_id":"alice","gender":"f","birth_year":1990,"tags":["vip"]}
{"kind":"event","customer_id":"bob","time":"2024-11-03 12:00:00","type":"cart_add","sku":"sku3"}
JSON
out=$("$CUSTOPS" ingest --store "$tmp/s.stor" --zone Asia/Shanghai --currency CNY "$tmp/orders.csv" "$tmp/more.jsonl"); rc=$?
[ $rc -eq 0 ] || { echo "not ok - ingest exit $rc: $out"; fail=1; }
echo "$out" | grep -q "orders.csv: 3 rows, 3 accepted, 0 rejected" || { echo "not ok - ingest summary: $out"; fail=1; }
echo "$out" | grep -q "2 customers, 3 orders, 3 lines, 0 refunds, 1 events" || { echo "not ok - store summary: $out"; fail=1; }
[ -f "$tmp/s.stor" ] || { echo "not ok - store not saved"; fail=1; }

# features as CSV: alice has 2 transaction days, recency 7 days, T 14 days
out=$("$CUSTOPS" profile --store "$tmp/s.stor" --as-of 2024-11-15 --period day --customer alice); rc=$?
[ $rc -eq 0 ] || { echo "not ok - profile exit $rc"; fail=1; }
echo "$out" | head -1 | grep -q "^customer_id,frequency,recency,T,monetary,orders,spend," || { echo "not ok - header: $out"; fail=1; }
echo "$out" | sed -n 2p | grep -q "^alice,1,7,14,5050,2,23050," || { echo "not ok - alice row: $out"; fail=1; }
[ "$(echo "$out" | wc -l)" -eq 2 ] || { echo "not ok - one customer only: $out"; fail=1; }
out=$("$CUSTOPS" profile --store "$tmp/s.stor" --as-of @1731600000 --format jsonl)
[ "$(echo "$out" | wc -l)" -eq 2 ] || { echo "not ok - jsonl rows: $out"; fail=1; }
echo "$out" | grep -q '"customer_id":"alice","frequency":1,' || { echo "not ok - jsonl alice: $out"; fail=1; }
echo "$out" | grep -q '"gender":1,"birth_year":1990' || { echo "not ok - jsonl attributes: $out"; fail=1; }
"$CUSTOPS" profile --store "$tmp/s.stor" --as-of 2024-11-15 --customer nobody >/dev/null 2>&1; rc=$?
[ $rc -eq 1 ] || { echo "not ok - unknown customer gives exit 1 (got $rc)"; fail=1; }
"$CUSTOPS" profile --store "$tmp/s.stor" >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] || { echo "not ok - missing --as-of gives exit 2 (got $rc)"; fail=1; }

# a bad row fails the file with file:line:col and nothing is saved
printf 'order_id,customer_id,time,currency,sku,qty,unit_price\no9,carol,2024-11-09 10:00:00,CNY,s,1,9.90\no10,carol,2024-11-09 11:00:00,CNY,s,1,12,50\n' > "$tmp/bad.csv"
cp "$tmp/s.stor" "$tmp/before.stor"
err=$("$CUSTOPS" ingest --store "$tmp/s.stor" "$tmp/bad.csv" 2>&1); rc=$?
[ $rc -eq 1 ] || { echo "not ok - bad file gives exit 1 (got $rc)"; fail=1; }
echo "$err" | grep -q "bad.csv:3:1: row has 8 fields, the header has 7" || { echo "not ok - error text: $err"; fail=1; }
cmp -s "$tmp/s.stor" "$tmp/before.stor" || { echo "not ok - store changed by a failed ingest"; fail=1; }

# --skip applies the good rows and reports the bad one
out=$("$CUSTOPS" ingest --store "$tmp/s.stor" --skip --rejects "$tmp/rej.csv" "$tmp/bad.csv" 2>"$tmp/err"); rc=$?
[ $rc -eq 0 ] || { echo "not ok - skip exit $rc"; fail=1; }
echo "$out" | grep -q "bad.csv: 2 rows, 1 accepted, 1 rejected" || { echo "not ok - skip summary: $out"; fail=1; }
grep -q "bad.csv:3:1: row has 8 fields" "$tmp/err" || { echo "not ok - skip stderr: $(cat "$tmp/err")"; fail=1; }
grep -q '^bad.csv,3,1,"row has 8 fields, the header has 7"$' "$tmp/rej.csv" || { echo "not ok - rejects file: $(cat "$tmp/rej.csv")"; fail=1; }
out=$("$CUSTOPS" profile --store "$tmp/s.stor" --as-of 2024-11-15 --customer carol)
echo "$out" | sed -n 2p | grep -q "^carol,0,0,0\.857" || { echo "not ok - carol after skip: $out"; fail=1; }

# a corrupt store is refused
printf 'garbage' > "$tmp/bad.stor"
err=$("$CUSTOPS" profile --store "$tmp/bad.stor" --as-of 2024-11-15 2>&1); rc=$?
[ $rc -eq 1 ] && echo "$err" | grep -q "not a libcustops save file" || { echo "not ok - corrupt store: $err"; fail=1; }
[ $fail -eq 0 ] && echo "ok - custops ingest / profile"
exit $fail
