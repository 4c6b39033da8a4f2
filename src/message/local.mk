# message: campaign message templates and the advertising-text lint.
libcustops_la_SOURCES += \
	%reldir%/template.c \
	%reldir%/adlint.c
