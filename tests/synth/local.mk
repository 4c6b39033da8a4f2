# synth: determinism, file formats (read back by an independent CSV reader
# in csvread.h), and statistics against the BG/NBD and Gamma-Gamma models.
check_PROGRAMS += synth/check_synth
synth_check_synth_SOURCES = %reldir%/check_synth.c %reldir%/csvread.h
TESTS += synth/check_synth
