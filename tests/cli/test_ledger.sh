#!/bin/sh
# custops ledger: every command, idempotent retries, refusals with their
# reason and exit codes, tamper detection by verify, codes.
set -u
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
L="$tmp/l.db"
C="$CUSTOPS"
no() { echo "not ok - $*"; fail=1; }

out=$("$C" ledger init "$L") && echo "$out" | grep -q "ready (sqlite): 0 journal records" || no "init: $out"
"$C" ledger issue "$L" --code WELCOME --max-uses 2 --per-customer 1 --campaign d11 --key iss --now 100 >/dev/null || no "issue"
out=$("$C" ledger issue "$L" --code WELCOME --max-uses 2 --per-customer 1 --campaign d11 --key iss --now 101) &&
  echo "$out" | grep -q "seq=1 replayed" || no "issue retry: $out"
"$C" ledger budget "$L" --campaign d11 --amount 1000 --now 100 >/dev/null || no "budget"
out=$("$C" ledger reserve "$L" --code WELCOME --order o1 --customer alice --amount 300 --ttl 60 --key r1 --now 110) &&
  echo "$out" | grep -q "reserve: state=pending amount=300 expires=170 seq=3" || no "reserve: $out"
out=$("$C" ledger reserve "$L" --code WELCOME --order o1 --customer alice --amount 300 --ttl 60 --key r1 --now 111) &&
  echo "$out" | grep -q "seq=3 replayed" || no "reserve retry: $out"
err=$("$C" ledger reserve "$L" --code WELCOME --order o1 --customer alice --amount 301 --ttl 60 --key r1 --now 111 2>&1); rc=$?
[ $rc -eq 1 ] && echo "$err" | grep -q "idempotency key" || no "conflicting key: $rc $err"
err=$("$C" ledger reserve "$L" --code WELCOME --order o2 --customer alice --amount 10 --now 112 2>&1); rc=$?
[ $rc -eq 1 ] && echo "$err" | grep -q "reason customer_limit" || no "customer limit: $rc $err"
err=$("$C" ledger reserve "$L" --code WELCOME --order o3 --customer bob --amount 800 --now 112 2>&1); rc=$?
[ $rc -eq 1 ] && echo "$err" | grep -q "reason budget" || no "budget refusal: $rc $err"
out=$("$C" ledger commit "$L" --code WELCOME --order o1 --now 120) && echo "$out" | grep -q "state=committed" || no "commit: $out"
err=$("$C" ledger release "$L" --code WELCOME --order o1 --now 121 2>&1); rc=$?
[ $rc -eq 1 ] && echo "$err" | grep -q "is committed" || no "release after commit: $err"
out=$("$C" ledger reverse "$L" --code WELCOME --order o1 --amount 100 --now 130) &&
  echo "$out" | grep -q "state=partially_reversed amount=100" || no "partial reverse: $out"
out=$("$C" ledger reverse "$L" --code WELCOME --order o1 --now 131) &&
  echo "$out" | grep -q "state=reversed amount=200" || no "full reverse: $out"
"$C" ledger reserve "$L" --code WELCOME --order o4 --customer carol --ttl 5 --now 140 >/dev/null || no "reserve o4"
out=$("$C" ledger expire "$L" --now 145) && [ "$out" = "expired: 1" ] || no "expire: $out"
"$C" ledger reserve "$L" --code WELCOME --order o5 --customer dave --now 150 >/dev/null || no "reserve o5"
out=$("$C" ledger release "$L" --code WELCOME --order o5 --now 151) && echo "$out" | grep -q "state=released" || no "release: $out"
out=$("$C" ledger show "$L") || no "show"
echo "$out" | grep -q '"key":"code:WELCOME","limit":2,"used":0,"reserved":0' || no "show counters: $out"
echo "$out" | grep -q '"key":"budget:d11","limit":1000,"used":0,"reserved":0' || no "show budget: $out"
out=$("$C" ledger verify "$L") && echo "$out" | grep -Eq "^ok: 10 records, head [0-9a-f]{64}$" || no "verify: $out"

# the journal as JSON lines; an auditor can recheck the chain with Python alone
out=$("$C" ledger journal "$L" --after 2 --limit 3) || no "journal"
[ "$(echo "$out" | wc -l)" -eq 3 ] && echo "$out" | head -1 | grep -q '^{"seq":3,"ts":110,' || no "journal slice: $out"
echo "$out" | head -1 | grep -q '"record":{"op":"reserve","order":"o1","code":"WELCOME","state":"pending","amount":300' || no "journal record: $out"
if [ -n "${PYTHON:-}" ] || command -v python3 >/dev/null 2>&1; then
  "$C" ledger journal "$L" | "${PYTHON:-python3}" -c '
import hashlib, json, struct, sys
prev = "0" * 64
for n, line in enumerate(sys.stdin, 1):
    head, rec = line.rstrip("\n").split(",\"record\":", 1)
    meta = json.loads(head + "}")
    body = rec[:-1].encode()
    h = hashlib.sha256(bytes.fromhex(meta["prev"]) + struct.pack("<qq", meta["seq"], meta["ts"]) + body).hexdigest()
    assert meta["seq"] == n and meta["prev"] == prev and meta["hash"] == h, (n, meta)
    prev = h
print("chain ok", n)' | grep -q "chain ok 10" || no "independent chain check"
fi

# usage errors
"$C" ledger reserve "$L" --code WELCOME --order o9 2>/dev/null; [ $? -eq 2 ] || no "missing --now is a usage error"
"$C" ledger frobnicate "$L" 2>/dev/null; [ $? -eq 2 ] || no "unknown command"
"$C" ledger commit "$L" --code X --now abc 2>/dev/null; [ $? -eq 2 ] || no "bad number"
"$C" ledger show 2>/dev/null; [ $? -eq 2 ] || no "show without ledger"
"$C" ledger --help | grep -q "Usage: custops ledger" || no "help"

# codes: seeded, unique, issued, skipping codes that exist
a=$("$C" ledger codes --count 50 --prefix D11- --length 8 --seed 9) || no "codes"
b=$("$C" ledger codes --count 50 --prefix D11- --length 8 --seed 9)
[ "$a" = "$b" ] || no "codes are not reproducible"
[ "$(echo "$a" | sort -u | wc -l)" -eq 50 ] || no "codes not unique"
echo "$a" | grep -Eqv '^D11-[34679ACDEFGHJKMNPQRTWXY]{8}$' && no "codes use a bad alphabet: $a"
"$C" ledger codes --count 5 --prefix D11- --length 8 --seed 9 --ledger "$L" --issue --max-uses 1 --now 200 > "$tmp/issued" || no "codes --issue"
[ "$(cat "$tmp/issued")" = "$(echo "$a" | head -5)" ] || no "issued codes differ from the batch"
c=$("$C" ledger codes --count 5 --prefix D11- --length 8 --seed 9 --ledger "$L")
echo "$c" | grep -qF "$(head -1 "$tmp/issued")" && no "codes repeat an issued code"
code=$(head -1 "$tmp/issued")
"$C" ledger reserve "$L" --code "$code" --order z1 --now 201 >/dev/null || no "reserve a generated code"

# tampering with the file is caught
if command -v sqlite3 >/dev/null 2>&1; then
  sqlite3 "$L" "UPDATE journal SET body = replace(body, '300', '3') WHERE seq = 3" 
  err=$("$C" ledger verify "$L" 2>&1); rc=$?
  [ $rc -eq 1 ] && echo "$err" | grep -q "record 3 was altered" || no "tamper: $rc $err"
fi
"$C" ledger verify "$tmp/missing/x.db" 2>/dev/null; [ $? -eq 1 ] || no "verify of an unopenable path"
[ $fail -eq 0 ] && echo "ok - custops ledger"
exit $fail
