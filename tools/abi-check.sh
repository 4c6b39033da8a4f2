#!/usr/bin/env bash
# Compare the built libcustops with the ABI baseline of the last release
# (abi/libcustops.abi, made by `tools/abi-check.sh --baseline BUILD_DIR`)
# and fail when the interface changed without the libtool -version-info
# in configure.ac moving as libtool's rules require:
#   nothing changed                  -> any version
#   only functions/symbols added     -> CURRENT and AGE both grew (C+1:0:A+1)
#   anything removed or changed      -> CURRENT grew and AGE is 0 (C+1:0:0)
#   tools/abi-check.sh BUILD_DIR             check
#   tools/abi-check.sh --baseline BUILD_DIR  write a new baseline (at a release)
# The inputs can be redirected so tools/abi-selftest.sh can prove the rules
# on toy libraries: ABI_LIB (the .so), ABI_DIR (baseline folder), ABI_HEADERS
# (public header folder), ABI_VERSION (C:R:A instead of configure.ac's).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
mode=check
if [ "${1:-}" = "--baseline" ]; then mode=baseline; shift; fi
build=$(cd "${1:?usage: abi-check.sh [--baseline] BUILD_DIR}" && pwd)
lib=${ABI_LIB:-$(ls "$build"/src/.libs/libcustops.so.* 2>/dev/null | grep -E '\.so\.[0-9]+$' | head -1)}
abidir=${ABI_DIR:-$top/abi}
headers=${ABI_HEADERS:-$top/include}
[ -n "$lib" ] && [ -f "$lib" ] || { echo "no shared library in $build/src/.libs"; exit 1; }
command -v abidw >/dev/null || { echo "abigail-tools not installed"; exit 1; }
version=${ABI_VERSION:-$(sed -n 's/^AC_SUBST(\[CUSTOPS_LT_VERSION\], \[\([0-9]*:[0-9]*:[0-9]*\)\])/\1/p' "$top/configure.ac")}
[[ "$version" =~ ^[0-9]+:[0-9]+:[0-9]+$ ]] || { echo "cannot read CUSTOPS_LT_VERSION from configure.ac"; exit 1; }

if [ $mode = baseline ]; then
  mkdir -p "$abidir"
  abidw --headers-dir "$headers" --drop-private-types --out-file "$abidir/libcustops.abi" "$lib"
  echo "$version" > "$abidir/VERSION"
  echo "baseline written for libtool version $version"
  exit 0
fi

if [ ! -f "$abidir/libcustops.abi" ]; then
  echo "SKIP: no ABI baseline yet (abi/libcustops.abi is written at the first release)"
  exit 77
fi
base=$(cat "$abidir/VERSION")
IFS=: read -r bc br ba <<<"$base"
IFS=: read -r cc cr ca <<<"$version"
set +e
abidiff --headers-dir2 "$headers" --drop-private-types "$abidir/libcustops.abi" "$lib" > "$build/abidiff.txt" 2>&1
rc=$?
set -e
# abidiff exit bits: 1 error, 2 usage, 4 ABI change, 8 incompatible change
if [ $((rc & 3)) -ne 0 ]; then cat "$build/abidiff.txt"; echo "FAIL: abidiff could not compare"; exit 1; fi
if [ $rc -eq 0 ]; then echo "ok - ABI unchanged since $base"; exit 0; fi
only_added=yes
grep -qE '[1-9][0-9]* Removed' "$build/abidiff.txt" && only_added=no
grep -qE '[1-9][0-9]* Changed' "$build/abidiff.txt" && only_added=no
[ $((rc & 8)) -ne 0 ] && only_added=no
if [ $only_added = yes ]; then
  if [ "$cc" -gt "$bc" ] && [ "$ca" -gt "$ba" ] && [ $((cc - ca)) -eq $((bc - ba)) ]; then
    echo "ok - interfaces added, version $base -> $version"; exit 0
  fi
  cat "$build/abidiff.txt"
  echo "FAIL: interfaces were added since $base; set -version-info to $((bc + 1)):0:$((ba + 1)) in configure.ac"
  exit 1
fi
if [ "$cc" -gt "$bc" ] && [ "$ca" -eq 0 ]; then echo "ok - incompatible change with a new SONAME ($base -> $version)"; exit 0; fi
cat "$build/abidiff.txt"
echo "FAIL: interfaces were removed or changed since $base; that needs $((bc + 1)):0:0 (a new SONAME) or undoing the change"
exit 1
