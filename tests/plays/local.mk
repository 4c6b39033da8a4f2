check_PROGRAMS += plays/check_plays
plays_check_plays_SOURCES = %reldir%/check_plays.c
TESTS += plays/check_plays
