/* Fuzz the message template parser/renderer and the ad-text lint. */
#include "custops.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    custops_frame *f = NULL;
    if (custops_ad_lint(s, &f) == CUSTOPS_OK)
        custops_frame_free(f);
    custops_template *t = NULL;
    if (custops_template_compile(&t, s) == CUSTOPS_OK) {
        custops_frame *fields = NULL;
        const char *names[2] = {"小王", ""};
        int64_t amounts[2] = {1000, -5};
        double p[2] = {0.5, 1e300};
        if (custops_frame_new(&fields) == CUSTOPS_OK && custops_frame_add_string(fields, "nickname", names, 2) == 0 &&
            custops_frame_add_int64(fields, "coupon", amounts, 2) == 0 && custops_frame_add_double(fields, "p", p, 2) == 0) {
            char *out = NULL;
            if (custops_template_render(t, fields, 1, &out) == CUSTOPS_OK)
                custops_free(out);
            custops_frame *all = NULL;
            if (custops_template_render_frame(t, fields, &all) == CUSTOPS_OK)
                custops_frame_free(all);
        }
        custops_frame_free(fields);
        custops_template_free(t);
    }
    free(s);
    return 0;
}
