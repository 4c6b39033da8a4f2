#!/bin/sh
# The example storefront inside a real nginx (Debian's nginx with
# libnginx-mod-http-lua, LuaJIT) on 127.0.0.1 with 4 workers: start it on a
# free port with a private prefix, post carts and check the quotes against
# amounts worked out by hand, spend a 5-use code with 40 concurrent redeems
# (exactly 5 win), retry with the same keys (same answers, nothing spent),
# stop it and read the ledger file back through the API. Skips (77)
# when nginx, its Lua module, curl, lua-cjson or the LuaJIT build is absent.
set -eu
ex="$EXAMPLES/nginx"
stage="$STAGE/jit"
command -v nginx >/dev/null || { echo "SKIP: nginx not installed"; exit 77; }
command -v curl >/dev/null || { echo "SKIP: curl not installed"; exit 77; }
[ -f /usr/lib/nginx/modules/ngx_http_lua_module.so ] || { echo "SKIP: libnginx-mod-http-lua not installed"; exit 77; }
[ -f "$stage/custops/native.so" ] || { echo "SKIP: the LuaJIT build of the binding is absent"; exit 77; }
[ -f /usr/lib/x86_64-linux-gnu/lua/5.1/cjson.so ] || ls /usr/lib/*/lua/5.1/cjson.so >/dev/null 2>&1 ||
  { echo "SKIP: lua-cjson not installed"; exit 77; }

prefix=$(mktemp -d)
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cleanup() { "$ex/run-nginx.sh" stop "$prefix"; rm -rf "$prefix"; }
trap cleanup EXIT
# (LD_LIBRARY_PATH from the test environment points nginx at the uninstalled library)
"$ex/run-nginx.sh" start "$prefix" "$port" "$stage" "$ex/rules.txt" "$prefix/ledger.db" 4
url="http://127.0.0.1:$port"
fail=0
check() { # name, expected HTTP status, expected substring of the body, curl args...
  name=$1; code=$2; want=$3; shift 3
  got=$(curl -s -w ' HTTP%{http_code}' "$@" | tr -d '\n')
  case $got in
    *"$want"*" HTTP$code") echo "ok - $name" ;;
    *) echo "not ok - $name: got $got, wanted HTTP $code with $want"; fail=1 ;;
  esac
}
check "health" 200 '{"ok":true}' "$url/health"
check "lint finds the claim on line 2" 200 '"line":2' -d '{"text":"双11狂欢\n全网最低价"}' "$url/lint"
check "lint names the claim" 200 '"term":"全网最低"' -d '{"text":"全网最低价"}' "$url/lint"
check "lint passes clean copy" 200 '"count":0' -d '{"text":"满69减10"}' "$url/lint"
check "lint rejects GET" 405 'POST a JSON body' "$url/lint"
check "lint rejects a non-object body" 400 'not a JSON object' -d '[1,2]' "$url/lint"
check "lint rejects a wrong field type" 400 "field 'text' must be a string" -d '{"text":5}' "$url/lint"

# /quote: 43.00 + 14.00 + 23.00 with FLASH8 (8%, cap 20.00) and the automatic
# 满69减10, both on 80.00. By hand: 6.40 = 344 + 112 + 184 exactly; 10.00 =
# 537.5 + 175 + 287.5 -> 538 / 175 / 287 (the odd cent to the lower line);
# free shipping needs 99.00 and the order is 63.60 after coupons: 35.40 short.
cart3='{"lines":[{"id":"L1","sku":"A","unit_price":"43.00"},{"id":"L2","sku":"B","unit_price":"14.00"},{"id":"L3","sku":"C","unit_price":"23.00"}],"shipping":"8.00","customer":{"id":"c1"},"codes":["flash8"]}'
check "quote: discount" 200 '"subtotal":8000,"discount":1640,"total":7160' -d "$cart3" "$url/quote"
check "quote: flash8 on L1" 200 '{"id":"L1","base":4300,"discount":882,"net":3418,"allocations":[{"rule":"flash8","amount":344,' -d "$cart3" "$url/quote"
check "quote: 满69减10 on L3" 200 '{"rule":"spend69_10","amount":287,' -d "$cart3" "$url/quote"
check "quote: the gap to free shipping" 200 '"rule":"ship99","reason":"SUBTOTAL_BELOW","need":9900,"have":6360,"gap":3540,"value":0,"other":null,"message":"add 35.40 more to qualify"' -d "$cart3" "$url/quote"
check "quote: an unpresented code" 200 '"rule":"save30","reason":"CODE_REQUIRED"' -d "$cart3" "$url/quote"
check "quote: 26.00 short of 满69减10" 200 '"message":"add 26.00 more to get 10.00 off"' \
  -d '{"lines":[{"id":"L1","sku":"A","unit_price":"43.00"}]}' "$url/quote"
check "quote: the library's message for a bad price" 400 '1.001' -d '{"lines":[{"id":"L1","sku":"A","unit_price":"1.001"}]}' "$url/quote"
check "quote rejects GET" 405 'POST a JSON body' "$url/quote"
check "redeem needs an idempotency key" 400 'Idempotency-Key' -d "$cart3" "$url/redeem?order=X"
check "redeem needs an order" 400 'order is required' -H 'Idempotency-Key: x' -d "$cart3" "$url/redeem"
check "ledger: unknown code" 404 'no ledger coupon' "$url/ledger/NOPE"
check "ledger: FLASH8 unused" 200 '{"code":"FLASH8","limit":5,"reserved":0,"used":0}' "$url/ledger/FLASH8"

# Concurrency: 40 customers redeem FLASH8 (5 uses in all) at once, 10 in
# flight, across 4 workers: exactly 5 succeed and 35 are refused.
mkdir "$prefix/r"
for n in $(seq 1 40); do
  printf '{"lines":[{"id":"L1","sku":"A","unit_price":"50.00"}],"customer":{"id":"u%d"},"codes":["FLASH8"]}' $n > "$prefix/r/$n.json"
done
# (the number goes in as an argument: a placeholder could match the prefix).
# A 503 (the ledger stayed locked past its busy timeout on a loaded machine)
# is retried with the same key, as a client would.
seq 1 40 | xargs -P 10 -n 1 sh -c 'i=0; while :; do
    curl -s -o "$0/r/$2.body" -w "%{http_code}" -H "Idempotency-Key: key-$2" \
      -d @"$0/r/$2.json" "$1/redeem?order=order-$2" > "$0/r/$2.code"
    i=$((i + 1)); [ "$(cat "$0/r/$2.code")" = 503 ] && [ $i -lt 5 ] || break
  done' "$prefix" "$url"
ok200=$(cat "$prefix"/r/*.code | grep -o 200 | wc -l)
ok409=$(grep -l 'total_limit' "$prefix"/r/*.body | wc -l)
if [ "$ok200" = 5 ] && [ "$ok409" = 35 ]; then echo "ok - 40 concurrent redeems of a 5-use code: 5 succeed, 35 refused"
else echo "not ok - concurrent redeems: $ok200 succeeded, $ok409 refused for the limit"; fail=1; fi
check "ledger: FLASH8 spent" 200 '{"code":"FLASH8","limit":5,"reserved":0,"used":5}' "$url/ledger/FLASH8"

# Retries: every winner's retry answers the same bytes, marked replayed
same=0
for c in "$prefix"/r/*.code; do
  [ "$(cat "$c")" = 200 ] || continue
  n=$(basename "$c" .code)
  curl -s -D "$prefix/r/$n.hdr" -o "$prefix/r/$n.retry" -H "Idempotency-Key: key-$n" -d @"$prefix/r/$n.json" \
    "$url/redeem?order=order-$n"
  cmp -s "$prefix/r/$n.body" "$prefix/r/$n.retry" && grep -qi '^Idempotent-Replayed: true' "$prefix/r/$n.hdr" && same=$((same + 1))
done
if [ $same = 5 ]; then echo "ok - the 5 retries answer the same bytes, replayed"; else echo "not ok - $same of 5 retries replayed the same answer"; fail=1; fi
# 12 copies of one request with one key at once (a client retrying hard): one use
printf '{"lines":[{"id":"L1","sku":"A","unit_price":"50.00"}],"customer":{"id":"dup"},"codes":["OPEN5"]}' > "$prefix/r/dup.json"
seq 1 12 | xargs -P 12 -n 1 sh -c 'i=0; while :; do
    curl -s -o "$0/r/dup-$2.body" -w "%{http_code}" -H "Idempotency-Key: dup-key" -d @"$0/r/dup.json" \
      "$1/redeem?order=dup-order" > "$0/r/dup-$2.status"
    i=$((i + 1)); [ "$(cat "$0/r/dup-$2.status")" = 503 ] && [ $i -lt 5 ] || break
  done' "$prefix" "$url"
if [ "$(cksum "$prefix"/r/dup-*.body | cut -d' ' -f1,2 | sort -u | wc -l)" = 1 ] && grep -q '"state":"committed"' "$prefix/r/dup-1.body"; then
  echo "ok - 12 concurrent copies of one key answer the same"
else echo "not ok - concurrent copies of one key differ"; head -c 300 "$prefix"/r/dup-*.body; fail=1; fi
check "ledger: OPEN5 used once" 200 '"reserved":0,"used":1' "$url/ledger/OPEN5"
check "redeem: key reused for another order" 409 '"reason":"idempotency_conflict"' -H 'Idempotency-Key: dup-key' \
  -d '{"lines":[{"id":"L1","sku":"A","unit_price":"50.00"}],"customer":{"id":"dup"},"codes":["OPEN5"]}' "$url/redeem?order=other"
check "redeem: a guest cannot use SAVE30" 409 '"reason":"customer_required"' -H 'Idempotency-Key: g1' \
  -d '{"lines":[{"id":"L1","sku":"A","unit_price":"250.00"}],"codes":["SAVE30"]}' "$url/redeem?order=g1"

if grep -E '\[(error|crit|alert|emerg)\]' "$prefix/error.log"; then echo "not ok - errors in the nginx log"; fail=1; fi

# After nginx stops, the ledger read through the API agrees, and its
# hash-chained journal verifies.
"$ex/run-nginx.sh" stop "$prefix"
if [ -n "${LUA:-}" ] && [ -f "$STAGE/5.4/custops/native.so" ]; then
  cat > "$prefix/check.lua" <<'EOF'
local led = require("custops").ledger.open(arg[1])
local f, o = led:counter("code:FLASH8"), led:counter("code:OPEN5")
local n = led:verify()
io.write(string.format("# FLASH8 used %d reserved %d, OPEN5 used %d, journal %d records\n", f.used, f.reserved, o.used, n))
os.exit(f.used == 5 and f.reserved == 0 and o.used == 1 and o.reserved == 0 and n > 0)
EOF
  if LUA_PATH="$STAGE/5.4/?.lua;$STAGE/5.4/?/init.lua;;" LUA_CPATH="$STAGE/5.4/?.so;;" "$LUA" "$prefix/check.lua" "$prefix/ledger.db"
  then echo "ok - the ledger file agrees after nginx stops"; else echo "not ok - the ledger file disagrees"; fail=1; fi
fi
exit $fail
