# core: status, allocator, buffers, hashing, interning, save files, scanner,
# numbers, frames, money and time zones. Depends on libc only.
libcustops_la_SOURCES += \
	%reldir%/internal.h \
	%reldir%/alloc.c \
	%reldir%/status.c \
	%reldir%/version.c \
	%reldir%/buf.c \
	%reldir%/hash.c \
	%reldir%/intern.c \
	%reldir%/intern_compact.c \
	%reldir%/savefile.c \
	%reldir%/scan.c \
	%reldir%/num.c \
	%reldir%/frame.c \
	%reldir%/money.c \
	%reldir%/zone.c \
	%reldir%/stats.c
