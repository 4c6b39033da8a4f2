/* Stand-in when the library is configured without libpq: PostgreSQL
 * locations are refused with a clear message instead of a link error. */
#include "ledger/ledger_internal.h"

int custops__ledger_pg_open(lg_backend **out, const char *conninfo, const custops_ledger_options *o)
{
    (void)out;
    (void)conninfo;
    (void)o;
    return custops__err(CUSTOPS_EUNSUPPORTED,
                        "ledger: this libcustops was built without PostgreSQL support (configure found no libpq)");
}
