#!/bin/sh
# Run the Python test-suite against the staged, uninstalled package.
# -p no:cacheprovider: the source tree may be read-only (distcheck).
exec "$PYTHON" -m pytest -q -p no:cacheprovider "$TESTS_DIR" -W error::DeprecationWarning
