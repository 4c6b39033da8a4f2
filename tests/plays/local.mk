check_PROGRAMS += plays/check_plays
plays_check_plays_SOURCES = %reldir%/check_plays.c
TESTS += plays/check_plays
check_PROGRAMS += plays/check_measure
plays_check_measure_SOURCES = %reldir%/check_measure.c
TESTS += plays/check_measure
