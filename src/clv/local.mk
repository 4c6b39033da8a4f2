# clv: customer lifetime value models. One file per model, the shared
# optimiser (optim.c), special functions (specfun.c), input compression
# (data.c), predictions, diagnostics, simulation and save files.
libcustops_la_SOURCES += \
	%reldir%/clv_internal.h \
	%reldir%/specfun.c \
	%reldir%/optim.c \
	%reldir%/data.c \
	%reldir%/model.c \
	%reldir%/bgnbd.c \
	%reldir%/mbgnbd.c \
	%reldir%/pareto_nbd.c \
	%reldir%/bgbb.c \
	%reldir%/gamma_gamma.c \
	%reldir%/predict.c \
	%reldir%/diagnostics.c \
	%reldir%/simulate.c \
	%reldir%/persist.c
