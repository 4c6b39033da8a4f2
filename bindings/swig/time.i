/* time: zones and local days. */
CUSTOPS_HANDLE(custops_zone, custops_zone_free)
%apply custops_zone **OUT { custops_zone **out };
custops_rc custops_zone_open(custops_zone **out, const char *name);
const char *custops_zone_name(const custops_zone *zone);
custops_rc custops_zone_offset(const custops_zone *zone, int64_t instant, int32_t *offset_out);
custops_rc custops_zone_local(const custops_zone *zone, int64_t instant, int32_t *day_out, int32_t *second_of_day_out);
custops_rc custops_zone_instant(const custops_zone *zone, int32_t day, int32_t second_of_day, int64_t *instant_out);
custops_rc custops_date_to_day(int year, int month, int mday, int32_t *day_out);
int custops_day_weekday(int32_t day);
custops_rc custops_time_parse(const char *text, const custops_zone *zone, int64_t *instant_out);
custops_rc custops_time_format(int64_t instant, const custops_zone *zone, char *buf, size_t cap);
%apply int *OUTPUT { int *OUT_Y, int *OUT_M, int *OUT_D };
%inline %{
/* custops_day_to_date with its three out-values as a (y, m, d) result. */
static void custops_day_to_ymd(int32_t day, int *OUT_Y, int *OUT_M, int *OUT_D) { custops_day_to_date(day, OUT_Y, OUT_M, OUT_D); }
%}
