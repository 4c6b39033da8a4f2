/* Fuzz the CSV reader: parse the bytes as CSV, then (when it parses) write
 * the frame back and read that again. */
#include "custops.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    custops_frame *f = NULL;
    if (custops_frame_parse_csv(&f, (const char *)data, size, "fuzz.csv", NULL) != CUSTOPS_OK)
        return 0;
    char dir[] = "/tmp/fuzz-csv-XXXXXX";
    if (mkdtemp(dir)) {
        char path[64];
        snprintf(path, sizeof path, "%s/f.csv", dir);
        if (custops_frame_write_csv(f, path) == CUSTOPS_OK) {
            custops_frame *g = NULL;
            if (custops_frame_read_csv(&g, path, NULL) == CUSTOPS_OK) {
                if (custops_frame_ncols(g) != custops_frame_ncols(f))
                    abort(); /* what we write we must read back with the same columns */
                custops_frame_free(g);
            }
            unlink(path);
        }
        rmdir(dir);
    }
    custops_frame_free(f);
    return 0;
}
