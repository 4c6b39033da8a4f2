/* Fuzz the campaign-calendar language: whatever compiles is asked what
 * runs at instants across and around its phases. */
#include "custops.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    custops_calendar *cal = NULL;
    if (custops_calendar_parse(&cal, (const char *)data, size, "fuzz") != CUSTOPS_OK)
        return 0;
    custops_frame *f = NULL;
    if (custops_calendar_phases(&f, cal) == CUSTOPS_OK)
        custops_frame_free(f);
    const char *aud[] = {"*", "vip", "buyers", "cart_abandoners", ""};
    for (int64_t t = 1767225600 - 86400; t < 1767225600 + 400 * 86400; t += 3 * 86400 + 3601)
        if (custops_calendar_now(&f, cal, t, aud, 5) == CUSTOPS_OK)
            custops_frame_free(f);
    if (custops_calendar_now(&f, cal, INT64_MIN, aud, 1) == CUSTOPS_OK)
        custops_frame_free(f);
    custops_calendar_free(cal);
    return 0;
}
