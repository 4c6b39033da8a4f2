check_PROGRAMS += segment/check_segment
segment_check_segment_SOURCES = %reldir%/check_segment.c
TESTS += segment/check_segment
check_PROGRAMS += segment/check_rfm
segment_check_rfm_SOURCES = %reldir%/check_rfm.c
TESTS += segment/check_rfm
