check_PROGRAMS += message/check_message
message_check_message_SOURCES = %reldir%/check_message.c
TESTS += message/check_message
