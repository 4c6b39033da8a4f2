#!/usr/bin/env bash
# Install a built tree into a scratch prefix and use it the way a user
# would: a C program through pkg-config, `import custops` from Python with
# only PYTHONPATH, `require "custops"` from Lua with only LUA_PATH/LUA_CPATH.
#   tools/check-install.sh BUILD_DIR
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "$1" && pwd)
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
dest=$(mktemp -d)
trap 'rm -rf "$prefix" "$dest"' EXIT
make -C "$build" install DESTDIR="$dest" >/dev/null
# the configured prefix, as installed under DESTDIR
cfg_prefix=$(sed -n 's/^prefix=//p' "$build/pkgconfig/custops.pc")
root="$dest$cfg_prefix"
export PKG_CONFIG_PATH="$root/lib/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$dest" LD_LIBRARY_PATH="$root/lib"
cc -Wall -Werror "$top/examples/task.c" $(pkg-config --cflags --libs custops) -o "$prefix/task"
want="2024-11-10T16:00:00Z, 2399 fen off"
got=$("$prefix/task")
[ "$got" = "$want" ] || { echo "FAIL: C example printed '$got'"; exit 1; }
echo "ok - C example via pkg-config"
pyexec=$(ls -d "$root"/lib/python3*/*-packages 2>/dev/null | head -1)
if [ -n "$pyexec" ]; then
  PYTHONPATH="$pyexec" /usr/bin/python3 -c '
import custops
sh = custops.Zone("Asia/Shanghai")
assert custops.format_time(custops.parse_time("2024-11-11 00:00", sh)) == "2024-11-10T16:00:00Z"
assert custops.money_parse("199.90") == 19990
' && echo "ok - installed Python package"
  LUA_PATH="$root/share/lua/5.4/?.lua;$root/share/lua/5.4/?/init.lua" LUA_CPATH="$root/lib/lua/5.4/?.so" lua5.4 -e '
local custops = require "custops"
assert(custops.format_time(custops.parse_time("2024-11-11 00:00", custops.zone("Asia/Shanghai"))) == "2024-11-10T16:00:00Z")' \
    && echo "ok - installed Lua module"
fi
"$root/bin/custops" --version >/dev/null && echo "ok - installed custops tool"
make -C "$build" uninstall DESTDIR="$dest" >/dev/null
left=$(find "$dest" -type f | head -5)
[ -z "$left" ] || { echo "FAIL: files left after uninstall:"; echo "$left"; exit 1; }
echo "ok - uninstall is clean"
