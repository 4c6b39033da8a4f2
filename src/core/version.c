/* Runtime version, so callers can check that header and library agree. */
#include "internal.h"

const char *custops_version(void) { return CUSTOPS_VERSION; }
int custops_version_number(void) { return CUSTOPS_VERSION_NUMBER; }
