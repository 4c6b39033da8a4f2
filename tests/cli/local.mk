TESTS += %reldir%/test_cli.sh
EXTRA_DIST += %reldir%/test_cli.sh
