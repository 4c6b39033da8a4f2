/* plays: journeys driven by the caller's events and clock. */
CUSTOPS_HANDLE(custops_journeys, custops_journeys_free)
%apply custops_journeys **OUT { custops_journeys **out };
%apply custops_frame **OUT { custops_frame **actions_out };
%apply int64_t *OUTPUT { int64_t *next_out };
%apply int *OUTPUT { int *in_holdout_out };
custops_rc custops_journeys_new(custops_journeys **out, const char *plays_text, const char *zone);
size_t custops_journeys_nplays(const custops_journeys *j);
const char *custops_journeys_play_name(const custops_journeys *j, size_t i);
custops_rc custops_journeys_event(custops_journeys *j, const char *customer, const char *type, const char *key, int64_t instant);
custops_rc custops_journeys_next_run(const custops_journeys *j, const char *play, int64_t after, int64_t *next_out);
custops_rc custops_journeys_enroll(custops_journeys *j, const char *play, const char *const *values, size_t n, int64_t run_instant);
custops_rc custops_journeys_set_consent(custops_journeys *j, const char *customer, const char *channel, int allowed);
custops_rc custops_journeys_set_send_hour(custops_journeys *j, const char *customer, int hour);
custops_rc custops_journeys_due(custops_journeys *j, int64_t now, custops_frame **actions_out);
size_t custops_journeys_active(const custops_journeys *j);
custops_rc custops_journeys_in_holdout(const custops_journeys *j, const char *play, const char *customer, int *in_holdout_out);
custops_rc custops_journeys_save(const custops_journeys *j, const char *path);
custops_rc custops_journeys_load(custops_journeys **out, const char *path);
