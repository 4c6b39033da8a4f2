#!/usr/bin/env bash
# Install the Debian 12 packages libcustops needs to build and test.
# Idempotent: installs only what is missing (needs root or sudo).
# LuaJIT comes as Debian's luajit2 (OpenResty's branch): it is what
# libnginx-mod-http-lua links, and installing that module replaces the
# plain luajit packages, so both builds and nginx use the same one.
set -euo pipefail
PKGS=(build-essential autoconf automake libtool pkg-config check swig doxygen
      lua5.4 liblua5.4-dev luajit2 libluajit2-5.1-dev python3-dev python3-numpy
      python3-pandas python3-pytest python3-matplotlib python3-nbformat
      python3-nbclient python3-ipykernel libsqlite3-dev valgrind clang tzdata abigail-tools)
# end-to-end tests: the HTML report in headless Chromium (selenium drives
# chromedriver), the Lua checkout inside nginx under load (wrk)
PKGS+=(chromium chromium-driver python3-selenium nginx-light libnginx-mod-http-lua wrk curl lua-cjson)
# scale-out: the Python package's Dask test starts a distributed.LocalCluster
PKGS+=(python3-dask python3-distributed)
# ledger: the optional PostgreSQL backend and its tests
PKGS+=(libpq-dev postgresql)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
echo "dependencies present"
