/* Fuzz the lines/events CSV reader of the analytics commands, then run
 * the analytics over whatever parses as lines. */
#include "custops.h"
#include "analytics/csvframe.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    char err[512];
    custops_frame *f = NULL;
    if (csvframe_parse(&f, (const char *)data, size, "fuzz", CSVF_EVENTS, CSVF_NEVENTS, NULL, err, sizeof err) == 0)
        custops_frame_free(f);
    if (csvframe_parse(&f, (const char *)data, size, "fuzz", CSVF_LINES, CSVF_NLINES, NULL, err, sizeof err) != 0)
        return 0;
    custops_zone *z = NULL;
    if (custops_zone_open(&z, "UTC") == 0) {
        custops_frame *out = NULL;
        custops_repurchase_options ro = CUSTOPS_REPURCHASE_OPTIONS_INIT;
        ro.zone = z;
        ro.now = 1767225600;
        ro.min_intervals = 1;
        if (custops_repurchase_cycles(&out, f, &ro) == 0) {
            custops_frame *due = NULL;
            if (custops_repurchase_due(&due, f, out, &ro) == 0)
                custops_frame_free(due);
            custops_frame_free(out);
        }
        custops_crosssell_options co = CUSTOPS_CROSSSELL_OPTIONS_INIT;
        co.min_count = 1;
        if (custops_crosssell_pairs(&out, f, &co) == 0)
            custops_frame_free(out);
        custops_kpi_options ko = CUSTOPS_KPI_OPTIONS_INIT;
        ko.zone = z;
        ko.from = 0;
        ko.to = 1767225600;
        if (custops_kpi_summary(&out, f, NULL, &ko) == 0)
            custops_frame_free(out);
        if (custops_kpi_cohorts(&out, f, &ko) == 0)
            custops_frame_free(out);
        custops_sendtime_options so = CUSTOPS_SENDTIME_OPTIONS_INIT;
        so.zone = z;
        so.customers = 4096; /* larger indexes are rejected, not allocated for */
        if (custops_sendtime_best(&out, NULL, NULL, NULL, f, &so) == 0)
            custops_frame_free(out);
        custops_zone_free(z);
    }
    custops_frame_free(f);
    return 0;
}
