/* The README's small task in C: when does Double-11 start in UTC for a store
 * on Shanghai time, and what is 12% of 199.90 in exact fen?
 *   cc task.c $(pkg-config --cflags --libs custops) */
#include <custops.h>
#include <stdio.h>

int main(void)
{
    custops_zone *sh;
    int64_t start, price, off;
    char text[32];
    if (custops_zone_open(&sh, "Asia/Shanghai") != CUSTOPS_OK ||
        custops_time_parse("2024-11-11 00:00", sh, &start) != CUSTOPS_OK ||
        custops_money_parse("199.90", 2, &price) != CUSTOPS_OK ||
        custops_money_muldiv(price, 12, 100, &off) != CUSTOPS_OK) {
        fprintf(stderr, "custops: %s\n", custops_last_error());
        return 1;
    }
    custops_time_format(start, NULL, text, sizeof text);
    printf("%s, %lld fen off\n", text, (long long)off); /* 2024-11-10T16:00:00Z, 2399 fen off */
    custops_zone_free(sh);
    return 0;
}
