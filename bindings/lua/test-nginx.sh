#!/bin/sh
# The example storefront inside a real nginx (Debian's nginx with
# libnginx-mod-http-lua, LuaJIT) on 127.0.0.1: start it on a free port with
# a private prefix, post requests, check the answers, stop it. Skips (77)
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
"$ex/run-nginx.sh" start "$prefix" "$port" "$stage" "$prefix/rules.txt" "$prefix/ledger.db" 2
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
if grep -E '\[(error|crit|alert|emerg)\]' "$prefix/error.log"; then echo "not ok - errors in the nginx log"; fail=1; fi
exit $fail
