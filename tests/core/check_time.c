/* Calendar days, zones (fixed, TZif, POSIX footer rules), parsing. */
#include "suite_core.h"

#include <unistd.h>

START_TEST(civil_days)
{
    int32_t d;
    ck_assert_ok(custops_date_to_day(1970, 1, 1, &d));
    ck_assert_int_eq(d, 0);
    ck_assert_ok(custops_date_to_day(2024, 11, 11, &d));
    ck_assert_int_eq(d, 20038);
    ck_assert_int_eq(custops_day_weekday(d), 0); /* 2024-11-11 was a Monday */
    ck_assert_ok(custops_date_to_day(1969, 12, 31, &d));
    ck_assert_int_eq(d, -1);
    ck_assert_int_eq(custops_day_weekday(-1), 2); /* Wednesday */
    ck_assert_status(custops_date_to_day(2023, 2, 29, &d), CUSTOPS_EINVAL);
    ck_assert_ok(custops_date_to_day(2000, 2, 29, &d));
    /* round trip over 800 years */
    for (int32_t k = -150000; k < 150000; k += 37) {
        int y, m, dd;
        int32_t back;
        custops_day_to_date(k, &y, &m, &dd);
        ck_assert_ok(custops_date_to_day(y, m, dd, &back));
        ck_assert_int_eq(back, k);
    }
}
END_TEST

START_TEST(shanghai_midnight_is_16_utc_day_before)
{
    custops_zone *z;
    ck_assert_ok(custops_zone_open(&z, "Asia/Shanghai"));
    int64_t t;
    ck_assert_ok(custops_time_parse("2024-11-11 00:00:00", z, &t));
    ck_assert_int_eq(t, 1731254400); /* 2024-11-10T16:00:00Z */
    int32_t day, sod;
    ck_assert_ok(custops_zone_local(z, t, &day, &sod));
    ck_assert_int_eq(day, 20038);
    ck_assert_int_eq(sod, 0);
    ck_assert_ok(custops_zone_local(z, t - 1, &day, &sod));
    ck_assert_int_eq(day, 20037);
    ck_assert_int_eq(sod, 86399);
    char buf[40];
    ck_assert_ok(custops_time_format(t, z, buf, sizeof buf));
    ck_assert_str_eq(buf, "2024-11-11T00:00:00+08:00");
    ck_assert_ok(custops_time_format(t, NULL, buf, sizeof buf));
    ck_assert_str_eq(buf, "2024-11-10T16:00:00Z");
    ck_assert_str_eq(custops_zone_name(z), "Asia/Shanghai");
    custops_zone_free(z);
}
END_TEST

START_TEST(fixed_offsets_and_explicit_offsets)
{
    custops_zone *z;
    int32_t off;
    ck_assert_ok(custops_zone_open(&z, "+05:30"));
    ck_assert_ok(custops_zone_offset(z, 0, &off));
    ck_assert_int_eq(off, 19800);
    custops_zone_free(z);
    ck_assert_ok(custops_zone_open(&z, "UTC-3"));
    ck_assert_ok(custops_zone_offset(z, 0, &off));
    ck_assert_int_eq(off, -10800);
    custops_zone_free(z);
    int64_t t;
    ck_assert_ok(custops_time_parse("2024-11-11T00:00:00+08:00", NULL, &t));
    ck_assert_int_eq(t, 1731254400);
    ck_assert_ok(custops_time_parse("2024-11-10T16:00:00Z", NULL, &t));
    ck_assert_int_eq(t, 1731254400);
    ck_assert_ok(custops_time_parse("2024-11-10", NULL, &t));
    ck_assert_int_eq(t, 1731196800);
    ck_assert_status(custops_zone_open(&z, "../etc/passwd"), CUSTOPS_EINVAL);
    ck_assert_ptr_null(z);
    ck_assert_status(custops_zone_open(&z, "Mars/Olympus"), CUSTOPS_ENOTFOUND);
}
END_TEST

START_TEST(parse_errors_give_columns)
{
    int64_t t;
    ck_assert_status(custops_time_parse("2024-13-01", NULL, &t), CUSTOPS_EPARSE);
    ck_assert_status(custops_time_parse("2024-11-11 25:00", NULL, &t), CUSTOPS_EPARSE);
    ck_assert_status(custops_time_parse("2024-11-11T10:00+8x", NULL, &t), CUSTOPS_EPARSE);
    ck_assert_ptr_nonnull(strstr(custops_last_error(), ":1:17:"));
    ck_assert_status(custops_time_parse("11/11/2024", NULL, &t), CUSTOPS_EPARSE);
    ck_assert_ptr_nonnull(strstr(custops_last_error(), "YYYY-MM-DD"));
}
END_TEST

START_TEST(new_york_dst_from_tzif)
{
    if (access("/usr/share/zoneinfo/America/New_York", R_OK) != 0)
        return; /* no tzdata on this machine: the TZif path cannot be tested */
    custops_zone *z;
    ck_assert_ok(custops_zone_open(&z, "America/New_York"));
    int32_t off;
    int64_t t;
    ck_assert_ok(custops_time_parse("2024-01-15T12:00:00Z", NULL, &t));
    ck_assert_ok(custops_zone_offset(z, t, &off));
    ck_assert_int_eq(off, -5 * 3600);
    ck_assert_ok(custops_time_parse("2024-07-15T12:00:00Z", NULL, &t));
    ck_assert_ok(custops_zone_offset(z, t, &off));
    ck_assert_int_eq(off, -4 * 3600);
    /* far future: answered by the footer rule, not the transition table */
    ck_assert_ok(custops_time_parse("2090-07-15T12:00:00Z", NULL, &t));
    ck_assert_ok(custops_zone_offset(z, t, &off));
    ck_assert_int_eq(off, -4 * 3600);
    ck_assert_ok(custops_time_parse("2090-12-15T12:00:00Z", NULL, &t));
    ck_assert_ok(custops_zone_offset(z, t, &off));
    ck_assert_int_eq(off, -5 * 3600);
    /* 2090 DST starts second Sunday of March (Mar 12) at 02:00 EST = 07:00Z */
    ck_assert_ok(custops_time_parse("2090-03-12T06:59:59Z", NULL, &t));
    ck_assert_ok(custops_zone_offset(z, t, &off));
    ck_assert_int_eq(off, -5 * 3600);
    ck_assert_ok(custops_zone_offset(z, t + 1, &off));
    ck_assert_int_eq(off, -4 * 3600);
    /* gap: 2024-03-10 02:30 does not exist; read with the offset before (EST) */
    ck_assert_ok(custops_time_parse("2024-03-10 02:30", z, &t));
    ck_assert_int_eq(t, 1710055800); /* 07:30Z */
    /* overlap: 2024-11-03 01:30 happens twice; the earlier (EDT) is chosen */
    ck_assert_ok(custops_time_parse("2024-11-03 01:30", z, &t));
    ck_assert_int_eq(t, 1730611800); /* 05:30Z */
    custops_zone_free(z);
}
END_TEST

START_TEST(tzif_rejects_garbage)
{
    custops_zone *z;
    unsigned char junk[64] = "TZif2";
    ck_assert_status(custops_zone_from_tzif(&z, "junk", junk, sizeof junk), CUSTOPS_ECORRUPT);
    ck_assert_status(custops_zone_from_tzif(&z, "junk", "abc", 3), CUSTOPS_ECORRUPT);
    /* every truncation of a real file fails cleanly or parses */
    FILE *f = fopen("/usr/share/zoneinfo/Europe/Berlin", "rb");
    if (!f)
        return;
    unsigned char buf[8192];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    for (size_t k = 0; k < n; k++) {
        int rc = custops_zone_from_tzif(&z, "cut", buf, k);
        if (rc == CUSTOPS_OK)
            custops_zone_free(z);
        else
            ck_assert_int_eq(rc, CUSTOPS_ECORRUPT);
    }
    ck_assert_ok(custops_zone_from_tzif(&z, "Europe/Berlin", buf, n));
    int32_t off;
    int64_t t;
    ck_assert_ok(custops_time_parse("2099-07-01T00:00:00Z", NULL, &t));
    ck_assert_ok(custops_zone_offset(z, t, &off));
    ck_assert_int_eq(off, 7200);
    custops_zone_free(z);
}
END_TEST

TCase *tcase_time(void)
{
    TCase *tc = tcase_create("time");
    tcase_add_test(tc, civil_days);
    tcase_add_test(tc, shanghai_midnight_is_16_utc_day_before);
    tcase_add_test(tc, fixed_offsets_and_explicit_offsets);
    tcase_add_test(tc, parse_errors_give_columns);
    tcase_add_test(tc, new_york_dst_from_tzif);
    tcase_add_test(tc, tzif_rejects_garbage);
    return tc;
}
