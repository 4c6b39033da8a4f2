# segment: the audience language (lexer, parser with binding, context,
# columnar evaluator, explanations, bitsets, named library), RFM scores,
# lifecycle classes and k-means.
libcustops_la_SOURCES += \
	%reldir%/segment_internal.h \
	%reldir%/lexer.c \
	%reldir%/parser.c \
	%reldir%/bind.c \
	%reldir%/context.c \
	%reldir%/prepare.c \
	%reldir%/eval.c \
	%reldir%/explain.c \
	%reldir%/bitset.c \
	%reldir%/library.c
libcustops_la_SOURCES += \
	%reldir%/rfm.c \
	%reldir%/lifecycle.c \
	%reldir%/kmeans.c
# the CSV reader the segment CLI needs lives with core's frame code
libcustops_la_SOURCES += core/frame_csv.c
