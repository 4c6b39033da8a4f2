# The example storefront (examples/nginx) in nginx + LuaJIT under wrk:
# /quote, and /quote with 10% /redeem through the shared SQLite ledger
# (skips without nginx, its Lua module, wrk or the LuaJIT binding)
BENCH_RUN += bench_nginx
bench_nginx: $(srcdir)/bench_nginx.sh
	$(AM_V_GEN)printf '#!/bin/sh\nTOP_SRCDIR="%s" STAGE="%s" LD_LIBRARY_PATH="%s" LIBRARY_VERSION="%s" exec sh "%s" "$$@"\n' \
	  '$(abs_top_srcdir)' '$(abs_top_builddir)/bindings/lua/stage/jit' '$(abs_top_builddir)/src/.libs' \
	  '$(PACKAGE_VERSION)' '$(abs_srcdir)/bench_nginx.sh' > $@ && chmod +x $@
CLEANFILES += bench_nginx
EXTRA_DIST += %reldir%/nginx.mk %reldir%/bench_nginx.sh %reldir%/nginx/wrk_checkout.lua
