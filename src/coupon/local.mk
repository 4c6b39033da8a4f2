# coupon: the rule language (lexer.c, parser.c), compiling and linting
# (compile.c), the canonical JSON both ways (ruleset_json.c, json.c), the
# cart (cart.c), conditions and windows (conditions.c), effects and unit
# allocation (effects.c), the best-combination search (optimize.c) and its closed form
# for pick-one components (pick_one.c), the
# quote (quote.c), its explanation and JSON (explain.c) and issuance (issue.c).
libcustops_la_SOURCES += \
	%reldir%/coupon_internal.h \
	%reldir%/json.c \
	%reldir%/lexer.c \
	%reldir%/parser.c \
	%reldir%/compile.c \
	%reldir%/ruleset_json.c \
	%reldir%/cart.c \
	%reldir%/conditions.c \
	%reldir%/effects.c \
	%reldir%/scratch.c \
	%reldir%/optimize.c \
	%reldir%/pick_one.c \
	%reldir%/quote.c \
	%reldir%/explain.c \
	%reldir%/issue.c
