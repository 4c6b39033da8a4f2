#!/bin/sh
# custops segment: check/count/export/explain/list/define/rfm/lifecycle over
# small CSVs, exact error messages with line:col, exit codes.
set -u
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ck() { # ck NAME WANT GOT
    [ "$2" = "$3" ] || { echo "not ok - $1: got [$3] want [$2]"; fail=1; }
}
cat > "$tmp/customers.csv" <<'CSV'
customer_id,orders,spend,days_since_last_order,tenure_days,region,last_order,clv
ann,3,25000,5,400,0,2024-06-10T12:00:00Z,120.5
bob,1,1500,40,40,1,2024-05-06T12:00:00Z,10
"cy, jr",0,0,-1,0,1,,
dee,7,99900,2,20,0,2024-06-13T12:00:00Z,900
eve,2,500,200,600,,2023-11-28T12:00:00Z,nan
CSV
printf 'name\nTokyo\nOsaka\n' > "$tmp/region.csv"
cat > "$tmp/lines.csv" <<'CSV'
customer,order,time,sku,category,amount,refunded
0,10,1718020800,0,0,20000,0
0,11,1718107200,1,0,5000,0
3,30,1718280000,1,0,99900,0
CSV
cat > "$tmp/events.csv" <<'CSV'
customer,time,type
0,1718020800,2
4,1718020800,2
CSV
D="--customers $tmp/customers.csv --lines $tmp/lines.csv --events $tmp/events.csv --dict region=$tmp/region.csv --now 2024-06-15T12:00:00Z"

ck "check ok" "ok" "$("$CUSTOPS" segment check 'orders > 1 and not spend < 10')"
out=$("$CUSTOPS" segment check 'orders > 1 and' 2>&1); rc=$?
ck "check syntax error exit" 1 $rc
ck "check syntax error text" "custops segment: audience:1:15: expected a column name, a count (orders, spend, events, bought), 'not', '(' or 'segment' but found end of text" "$out"
out=$("$CUSTOPS" segment check $D 'region = "Nara"' 2>&1)
ck "check names" "custops segment: audience:1:10: unknown region \"Nara\": not in the dictionary" "$out"
ck "check with data" "ok: 2 clauses" "$("$CUSTOPS" segment check $D 'spend > 10 and region = "Tokyo"')"

ck "count" 2 "$("$CUSTOPS" segment count $D 'spend > 100')"
ck "count dict" 2 "$("$CUSTOPS" segment count $D 'region = "Osaka"')"
ck "count window" 2 "$("$CUSTOPS" segment count $D 'orders in -7d..now')"
ck "count events" 1 "$("$CUSTOPS" segment count $D 'events(cart_add) between -10d and -3d and not orders in -10d..now')"
ck "count dates" 2 "$("$CUSTOPS" segment count $D 'last_order >= -7d')"
ck "export" "$(printf 'ann\ndee')" "$("$CUSTOPS" segment export $D 'spend > 100')"
ck "export quoted id" "cy, jr" "$("$CUSTOPS" segment export $D 'orders = 0')"
"$CUSTOPS" segment export $D -o "$tmp/out.txt" 'clv is null'
ck "export -o" "$(printf 'cy, jr\neve')" "$(cat "$tmp/out.txt")"
ck "explain" "in: orders in -7d..now is true (orders = 2)" "$("$CUSTOPS" segment explain $D --row 0 'orders in -7d..now')"
out=$("$CUSTOPS" segment count --customers "$tmp/customers.csv" 'orders > 1' 2>&1); rc=$?
ck "now required" 2 $rc

# library
"$CUSTOPS" segment define --library "$tmp/segs" big 'spend > 100' || { echo "not ok - define"; fail=1; }
"$CUSTOPS" segment define --library "$tmp/segs" recent 'orders in -7d..now' || { echo "not ok - define 2"; fail=1; }
"$CUSTOPS" segment define --library "$tmp/segs" both 'segment big and segment recent' || { echo "not ok - define 3"; fail=1; }
out=$("$CUSTOPS" segment define --library "$tmp/segs" big 'segment both' 2>&1); rc=$?
ck "define cycle" 1 $rc
ck "list" "$(printf 'big\tspend > 100\nboth\tsegment big and segment recent\nrecent\torders in -7d..now')" "$("$CUSTOPS" segment list --library "$tmp/segs")"
ck "count reference" 2 "$("$CUSTOPS" segment count $D --library "$tmp/segs" 'segment both')"

# rfm and lifecycle
out=$("$CUSTOPS" segment rfm --customers "$tmp/customers.csv" -o "$tmp/rfm.csv"); rc=$?
ck "rfm exit" 0 $rc
echo "$out" | grep -q '^prospect,1$' || { echo "not ok - rfm prospects: $out"; fail=1; }
ck "rfm csv header" "customer_id,r,f,m,rfm,segment_code,segment" "$(head -1 "$tmp/rfm.csv")"
ck "rfm csv rows" 6 "$(wc -l < "$tmp/rfm.csv" | tr -d ' ')"
out=$("$CUSTOPS" segment lifecycle --customers "$tmp/customers.csv")
ck "lifecycle" "$(printf 'lifecycle,count\nactive,1\npotential,1\nprospect,1\nnew,1\nsleeping,1')" "$out"

# CSV errors carry file:line:col
printf 'a,b\n1,2\n3\n' > "$tmp/bad.csv"
out=$("$CUSTOPS" segment count --customers "$tmp/bad.csv" --now 0 'a > 1' 2>&1); rc=$?
ck "csv error exit" 1 $rc
ck "csv error" "custops segment: $tmp/bad.csv:3:1: expected 2 fields but found 1" "$out"
"$CUSTOPS" segment frobnicate >/dev/null 2>&1; rc=$?
ck "unknown action" 2 $rc
"$CUSTOPS" segment --help | grep -q "Usage: custops segment" || { echo "not ok - help"; fail=1; }
[ $fail -eq 0 ] && echo "ok - custops segment"
exit $fail
