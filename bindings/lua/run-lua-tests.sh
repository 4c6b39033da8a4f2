#!/bin/sh
# Run every tests/test_*.lua under Lua 5.4 and, when built, LuaJIT, against
# the staged uninstalled module. Each test file exits non-zero on failure.
set -u
fail=0; ran=0
run() { # interpreter, stage dir
  for t in "$TESTS_DIR"/test_*.lua; do
    ran=$((ran + 1))
    if LUA_PATH="$2/?.lua;$2/?/init.lua;$TESTS_DIR/?.lua;;" LUA_CPATH="$2/?.so;;" "$1" "$t"; then
      echo "ok - $(basename "$1") $(basename "$t")"
    else
      echo "not ok - $(basename "$1") $(basename "$t")"; fail=1
    fi
  done
}
run "$LUA" "$STAGE/5.4"
if [ -n "${LUAJIT:-}" ] && [ -f "$STAGE/jit/custops/native.so" ]; then
  run "$LUAJIT" "$STAGE/jit"
fi
[ $ran -gt 0 ] || { echo "no Lua tests found"; exit 1; }
exit $fail
