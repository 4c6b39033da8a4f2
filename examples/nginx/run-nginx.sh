#!/bin/sh
# Start the example storefront on 127.0.0.1:PORT with a private prefix.
#   run-nginx.sh start PREFIX PORT STAGE_DIR RULES LEDGER [WORKERS]
#   run-nginx.sh stop PREFIX
# DURABLE=false in the environment: the ledger skips the fsync per transaction.
# STAGE_DIR holds custops/ (init.lua, native.so built for LuaJIT), e.g.
# build/bindings/lua/stage/jit, or an installed /usr/lib/.../lua/5.1.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
cmd=$1; prefix=$2
case $cmd in
start)
  port=$3; stage=$4; rules=$5; ledger=$6; workers=${7:-2}
  mkdir -p "$prefix/logs"
  # Started as root, nginx runs its workers as nobody, who could not write
  # the private prefix or the ledger: a test run keeps them as root. (In
  # production the workers' user must own the ledger's directory.)
  user=""; [ "$(id -u)" -ne 0 ] || user="user root;"
  durable=${DURABLE:-true}; [ "$durable" = false ] || durable=true
  sed -e "s|@USER@|$user|g" -e "s|@DURABLE@|$durable|g" -e "s|@PREFIX@|$prefix|g" -e "s|@PORT@|$port|g" -e "s|@WORKERS@|$workers|g" \
      -e "s|@RULES@|$rules|g" -e "s|@LEDGER@|$ledger|g" \
      -e "s|@LUA_PATH@|$here/?.lua;$stage/?.lua;$stage/?/init.lua;;|g" \
      -e "s|@LUA_CPATH@|$stage/?.so;;|g" "$here/nginx.conf.in" > "$prefix/nginx.conf"
  nginx -p "$prefix" -c "$prefix/nginx.conf" -e "$prefix/error.log"
  i=0
  until curl -sf "http://127.0.0.1:$port/health" >/dev/null 2>&1; do
    i=$((i + 1)); [ $i -lt 100 ] || { cat "$prefix/error.log"; exit 1; }; sleep 0.1
  done ;;
stop)
  [ -f "$prefix/nginx.pid" ] && nginx -p "$prefix" -c "$prefix/nginx.conf" -e "$prefix/error.log" -s stop || true
  i=0; while [ -f "$prefix/nginx.pid" ] && [ $i -lt 50 ]; do i=$((i + 1)); sleep 0.1; done ;;
*) echo "usage: run-nginx.sh start|stop ..." >&2; exit 2 ;;
esac
