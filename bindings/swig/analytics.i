/* analytics: A/B tests, repurchase cycles, send times, cross-sell, KPIs and
 * campaign calendars. Options structs become flat argument lists here; the
 * package layers give them keyword arguments and defaults. */
%{
static int custops_repurchase_cycles_flat(const custops_frame *lines, const custops_zone *zone, int64_t now,
                                          int64_t min_intervals, double outlier_iqr, custops_frame **out)
{
    custops_repurchase_options o = CUSTOPS_REPURCHASE_OPTIONS_INIT;
    o.zone = zone, o.now = now, o.min_intervals = min_intervals, o.outlier_iqr = outlier_iqr;
    return custops_repurchase_cycles(out, lines, &o);
}
static int custops_repurchase_due_flat(const custops_frame *lines, const custops_frame *cycles,
                                       const custops_zone *zone, int64_t now, int64_t lead_days, int64_t grace_days,
                                       custops_frame **out)
{
    custops_repurchase_options o = CUSTOPS_REPURCHASE_OPTIONS_INIT;
    o.zone = zone, o.now = now, o.lead_days = lead_days, o.grace_days = grace_days;
    return custops_repurchase_due(out, lines, cycles, &o);
}
static int custops_sendtime_flat(const custops_frame *events, const custops_frame *lines, const custops_zone *zone,
                                 int64_t customers, double event_weight, double order_weight, int64_t event_types,
                                 double hour_strength, double weekday_strength, int full, custops_frame **out,
                                 double *hour_strength_out, double *weekday_strength_out)
{
    custops_sendtime_options o = CUSTOPS_SENDTIME_OPTIONS_INIT;
    o.zone = zone, o.customers = customers, o.event_weight = event_weight, o.order_weight = order_weight;
    o.event_types = (uint32_t)event_types, o.hour_strength = hour_strength, o.weekday_strength = weekday_strength;
    o.full = full;
    return custops_sendtime_best(out, hour_strength_out, weekday_strength_out, events, lines, &o);
}
static int custops_crosssell_flat(const custops_frame *lines, const char *basket_col, const char *item_col,
                                  int64_t min_count, double min_support, int64_t top_k, int rank_by,
                                  int64_t max_basket_items, custops_frame **out)
{
    custops_crosssell_options o = CUSTOPS_CROSSSELL_OPTIONS_INIT;
    o.basket_col = basket_col, o.item_col = item_col, o.min_count = min_count, o.min_support = min_support;
    o.top_k = top_k, o.rank_by = rank_by, o.max_basket_items = max_basket_items;
    return custops_crosssell_pairs(out, lines, &o);
}
/* which: 0 summary, 1 funnel, 2 cohorts */
static int custops_kpi_flat(int which, const custops_frame *lines, const custops_frame *events,
                            const custops_zone *zone, int64_t from, int64_t to, int by_day, int ordered_funnel,
                            custops_frame **out)
{
    custops_kpi_options o = CUSTOPS_KPI_OPTIONS_INIT;
    o.zone = zone, o.from = from, o.to = to, o.by_day = by_day, o.ordered_funnel = ordered_funnel;
    return which == 0 ? custops_kpi_summary(out, lines, events, &o)
           : which == 1 ? custops_kpi_funnel(out, lines, events, &o)
                        : custops_kpi_cohorts(out, lines, &o);
}
/* Looks as four equally long arrays (the layers check the lengths) into a
 * frame with columns look (1-based) and p_value. */
static int custops_abtest_sequential_frame(const int64_t *ca, size_t n1, const int64_t *na, size_t n2,
                                           const int64_t *cb, size_t n3, const int64_t *nb, size_t n4, double tau,
                                           custops_frame **out)
{
    size_t n = n1 < n2 ? n1 : n2;
    n = n < n3 ? n : n3;
    n = n < n4 ? n : n4;
    double *p = (double *)calloc(n ? n : 1, sizeof *p);
    int64_t *look = (int64_t *)calloc(n ? n : 1, sizeof *look);
    int rc = p && look ? custops_abtest_sequential(p, ca, na, cb, nb, n, tau) : CUSTOPS_ENOMEM;
    *out = NULL;
    if (rc == 0 && (rc = custops_frame_new(out)) == 0) {
        for (size_t i = 0; i < n; i++)
            look[i] = (int64_t)i + 1;
        if ((rc = custops_frame_add_int64(*out, "look", look, n)) || (rc = custops_frame_add_double(*out, "p_value", p, n))) {
            custops_frame_free(*out);
            *out = NULL;
        }
    }
    free(p);
    free(look);
    return rc;
}
static int custops_calendar_parse_text(const char *text, const char *what, custops_calendar **out)
{
    return custops_calendar_parse(out, text, strlen(text), what);
}
static int custops_calendar_now_list(const custops_calendar *cal, int64_t now, const char *const *values, size_t n,
                                     custops_frame **out)
{
    return custops_calendar_now(out, cal, now, values, n);
}
%}

%apply double *OUTPUT { double *diff_out, double *lo_out, double *hi_out, double *z_out, double *p_out,
                        double *t_out, double *df_out, double *power_out, double *hour_strength_out,
                        double *weekday_strength_out };
%apply int64_t *OUTPUT { int64_t *n_out };
%apply (const double *values, size_t n) { (const double *a, size_t n_a), (const double *b, size_t n_b) };
%apply (const int64_t *values, size_t n) { (const int64_t *ca, size_t n1), (const int64_t *na, size_t n2),
                                           (const int64_t *cb, size_t n3), (const int64_t *nb, size_t n4) };

custops_rc custops_abtest_proportions(double *diff_out, double *lo_out, double *hi_out, double *z_out, double *p_out,
                                      int64_t conv_a, int64_t n_a, int64_t conv_b, int64_t n_b, double confidence);
custops_rc custops_abtest_means_summary(double *diff_out, double *lo_out, double *hi_out, double *t_out,
                                        double *df_out, double *p_out, int64_t n_a, double mean_a, double sd_a,
                                        int64_t n_b, double mean_b, double sd_b, double confidence);
custops_rc custops_abtest_means(double *diff_out, double *lo_out, double *hi_out, double *t_out, double *df_out,
                                double *p_out, const double *a, size_t n_a, const double *b, size_t n_b,
                                double confidence);
custops_rc custops_abtest_sample_size(int64_t *n_out, double p_a, double p_b, double alpha, double power);
custops_rc custops_abtest_power(double *power_out, double p_a, double p_b, int64_t n_per_arm, double alpha);
custops_rc custops_abtest_sample_size_means(int64_t *n_out, double delta, double sd, double alpha, double power);
custops_rc custops_abtest_sequential_frame(const int64_t *ca, size_t n1, const int64_t *na, size_t n2,
                                           const int64_t *cb, size_t n3, const int64_t *nb, size_t n4, double tau,
                                           custops_frame **out);

custops_rc custops_repurchase_cycles_flat(const custops_frame *lines, const custops_zone *zone, int64_t now,
                                          int64_t min_intervals, double outlier_iqr, custops_frame **out);
custops_rc custops_repurchase_due_flat(const custops_frame *lines, const custops_frame *cycles,
                                       const custops_zone *zone, int64_t now, int64_t lead_days, int64_t grace_days,
                                       custops_frame **out);
custops_rc custops_sendtime_flat(const custops_frame *events, const custops_frame *lines, const custops_zone *zone,
                                 int64_t customers, double event_weight, double order_weight, int64_t event_types,
                                 double hour_strength, double weekday_strength, int full, custops_frame **out,
                                 double *hour_strength_out, double *weekday_strength_out);
custops_rc custops_crosssell_flat(const custops_frame *lines, const char *basket_col, const char *item_col,
                                  int64_t min_count, double min_support, int64_t top_k, int rank_by,
                                  int64_t max_basket_items, custops_frame **out);
custops_rc custops_kpi_flat(int which, const custops_frame *lines, const custops_frame *events,
                            const custops_zone *zone, int64_t from, int64_t to, int by_day, int ordered_funnel,
                            custops_frame **out);

CUSTOPS_HANDLE(custops_calendar, custops_calendar_free)
%apply custops_calendar **OUT { custops_calendar **out };
custops_rc custops_calendar_parse_text(const char *text, const char *what, custops_calendar **out);
custops_rc custops_calendar_load(custops_calendar **out, const char *path);
const char *custops_calendar_name(const custops_calendar *cal);
const char *custops_calendar_zone_name(const custops_calendar *cal);
custops_rc custops_calendar_phases(custops_frame **out, const custops_calendar *cal);
custops_rc custops_calendar_now_list(const custops_calendar *cal, int64_t now, const char *const *values, size_t n,
                                     custops_frame **out);
