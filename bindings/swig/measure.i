/* measure: uplift against holdouts and channel value. Python passes the
 * options as keyword arguments through the package layer. */
%{
/* A flat face of custops_uplift_report for the bindings: column names as
 * arguments ("" = not reported) instead of the options struct. */
static int custops_uplift_report_cols(const custops_frame *customers, double confidence, const char *holdout_col,
                                      const char *reached_col, const char *visited_col, const char *converted_col,
                                      const char *revenue_col, const char *group_cols, custops_frame **out)
{
    custops_uplift_options o = CUSTOPS_UPLIFT_OPTIONS_INIT;
    o.confidence = confidence;
    o.holdout_col = holdout_col;
    o.reached_col = reached_col;
    o.visited_col = visited_col;
    o.converted_col = converted_col;
    o.revenue_col = revenue_col;
    o.group_cols = group_cols;
    return custops_uplift_report(customers, &o, out);
}
%}
custops_rc custops_uplift_report_cols(const custops_frame *customers, double confidence, const char *holdout_col,
                                      const char *reached_col, const char *visited_col, const char *converted_col,
                                      const char *revenue_col, const char *group_cols, custops_frame **out);
custops_rc custops_channel_value(const custops_frame *customers, const char *channel_col, const char *value_col,
                                 const custops_frame *spend, custops_frame **out);
