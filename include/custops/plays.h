/**
 * @file custops/plays.h
 * @brief Automated plays: triggers, timed journeys, caps, quiet hours,
 *        consent and holdouts, driven by the caller's events and clock.
 *
 * A play binds a trigger to timed steps. Plays are written in a small
 * line-oriented language:
 *
 *     play unpaid_reminder holdout 10%
 *       trigger event order_unpaid
 *       quiet 22:00-08:00
 *       cap sms 3 per 1d
 *       wait 15m
 *       stop if event order_paid same key
 *       send sms unpaid_first
 *       wait until trigger + 2h
 *       stop if event order_paid same key
 *       send sms unpaid_last at best time
 *     end
 *
 * Triggers: `trigger event TYPE` (an event fed with
 * custops_journeys_event() starts one journey per customer and event key)
 * or `trigger schedule daily HH:MM`, `weekly mon..sun HH:MM`,
 * `monthly DAY HH:MM` (the caller evaluates the play's audience at the
 * times custops_journeys_next_run() gives and enrolls the members with
 * custops_journeys_enroll()). Steps: `wait DURATION` (after the previous
 * step), `wait until trigger + DURATION`, `wait until YYYY-MM-DD HH:MM`
 * (local), `stop if event TYPE [same key]` (ends the journey when such an
 * event arrived since the trigger), `send CHANNEL TEMPLATE [at best time]`,
 * `coupon RULE`, `tag TAG`. Settings: `cap CHANNEL N per DURATION`,
 * `quiet HH:MM-HH:MM` (messages inside are held to the end of the quiet
 * period, in the engine's zone), `holdout P%`. Durations: `30s 15m 2h 7d 1w`.
 *
 * The engine is deterministic: it never reads the clock. The caller feeds
 * events and asks for the actions due at an instant; each action is
 * returned exactly once, with a stable key for idempotent delivery. Every
 * action is also returned for holdout customers and for suppressed sends,
 * with a status saying so, which is the exposure log measurement needs.
 *
 * Thread rules: an engine is used by one thread at a time.
 */
#ifndef CUSTOPS_PLAYS_H
#define CUSTOPS_PLAYS_H

#include "custops/common.h"
#include "custops/frame.h"

CUSTOPS_BEGIN_DECLS

/** Opaque journey engine: compiled plays plus every customer's journey state. */
typedef struct custops_journeys custops_journeys;

/**
 * Compile plays and make an empty engine.
 * @param out receives the engine (caller owns it; free with custops_journeys_free)
 * @param plays_text the play definitions (at most 1 MiB, 1000 plays, 64 steps each)
 * @param zone IANA zone or offset for quiet hours, schedules and absolute
 *        waits, e.g. "Asia/Shanghai"
 * @return CUSTOPS_OK, CUSTOPS_EINVAL, CUSTOPS_EPARSE ("<plays>:line:col:
 *         expected ..."), CUSTOPS_ELIMIT, CUSTOPS_ENOTFOUND (zone) or CUSTOPS_ENOMEM
 */
CUSTOPS_API int custops_journeys_new(custops_journeys **out, const char *plays_text, const char *zone);

/**
 * Free an engine.
 * @param j the engine, or NULL (no-op)
 */
CUSTOPS_API void custops_journeys_free(custops_journeys *j);

/**
 * Number of plays.
 * @param j the engine
 * @return the count (0 for NULL)
 */
CUSTOPS_API size_t custops_journeys_nplays(const custops_journeys *j);

/**
 * Name of the i-th play.
 * @param j the engine
 * @param i index below custops_journeys_nplays()
 * @return borrowed name, or NULL if out of range
 */
CUSTOPS_API const char *custops_journeys_play_name(const custops_journeys *j, size_t i);

/**
 * Feed an event. It starts a journey for every play triggered by @p type
 * (one per customer and @p key: a repeated key is ignored) and is kept for
 * `stop if event` checks. Feed events before asking for actions due at or
 * after their time.
 * @param j the engine
 * @param customer customer id
 * @param type event type, e.g. "order_unpaid"
 * @param key event key (order id, ...); "" when there is none
 * @param instant when it happened (Unix seconds)
 * @return CUSTOPS_OK, CUSTOPS_EINVAL or CUSTOPS_ENOMEM
 */
CUSTOPS_API int custops_journeys_event(custops_journeys *j, const char *customer, const char *type, const char *key,
                                       int64_t instant);

/**
 * Next scheduled run of a schedule-triggered play strictly after an instant.
 * @param j the engine
 * @param play play name
 * @param after Unix seconds
 * @param next_out receives the instant
 * @return CUSTOPS_OK, CUSTOPS_ENOTFOUND (no such play) or CUSTOPS_EINVAL (not a schedule play)
 */
CUSTOPS_API int custops_journeys_next_run(const custops_journeys *j, const char *play, int64_t after,
                                          int64_t *next_out);

/**
 * Enroll the audience of a schedule run: starts one journey per customer
 * (a customer already enrolled for this run instant is skipped).
 * @param j the engine
 * @param play play name
 * @param customers @p n customer ids
 * @param n number of customers
 * @param run_instant the scheduled instant of this run
 * @return CUSTOPS_OK, CUSTOPS_EINVAL, CUSTOPS_ENOTFOUND or CUSTOPS_ENOMEM
 */
CUSTOPS_API int custops_journeys_enroll(custops_journeys *j, const char *play, const char *const *customers, size_t n,
                                        int64_t run_instant);

/**
 * Record a customer's consent for a channel. Without consent (the default)
 * sends on that channel are suppressed, as Chinese and EU law require.
 * @param j the engine
 * @param customer customer id
 * @param channel channel name, e.g. "sms"
 * @param allowed 1 to allow, 0 to withdraw
 * @return CUSTOPS_OK, CUSTOPS_EINVAL or CUSTOPS_ENOMEM
 */
CUSTOPS_API int custops_journeys_set_consent(custops_journeys *j, const char *customer, const char *channel,
                                             int allowed);

/**
 * Record a customer's best local send hour (from the send-time model), used
 * by `send ... at best time` steps.
 * @param j the engine
 * @param customer customer id
 * @param hour 0..23
 * @return CUSTOPS_OK, CUSTOPS_EINVAL or CUSTOPS_ENOMEM
 */
CUSTOPS_API int custops_journeys_set_send_hour(custops_journeys *j, const char *customer, int hour);

/**
 * Advance every journey to @p now and return the actions that fell due,
 * each exactly once.
 * @param j the engine
 * @param now Unix seconds; must not be earlier than a previous call's
 * @param actions_out receives a frame (caller owns it) with columns
 *        @c action_key (stable hex id), @c play, @c step (1-based),
 *        @c customer_id, @c kind ("message", "coupon" or "tag"),
 *        @c channel, @c target (template, coupon rule or tag),
 *        @c at (instant the action fell due) and @c status ("send",
 *        "holdout", "suppressed_consent" or "suppressed_cap")
 * @return CUSTOPS_OK, CUSTOPS_EINVAL (time went backwards) or CUSTOPS_ENOMEM;
 *         on failure no journey advanced
 */
CUSTOPS_API int custops_journeys_due(custops_journeys *j, int64_t now, custops_frame **actions_out);

/**
 * Number of journeys still running (neither finished nor stopped).
 * @param j the engine
 * @return the count
 */
CUSTOPS_API size_t custops_journeys_active(const custops_journeys *j);

/**
 * Whether a customer is in a play's holdout group: a reproducible hash of
 * play and customer compared with the play's holdout share.
 * @param j the engine
 * @param play play name
 * @param customer customer id
 * @param in_holdout_out receives 1 or 0
 * @return CUSTOPS_OK, CUSTOPS_EINVAL or CUSTOPS_ENOTFOUND
 */
CUSTOPS_API int custops_journeys_in_holdout(const custops_journeys *j, const char *play, const char *customer,
                                            int *in_holdout_out);

/**
 * Save the engine (plays and all journey state) atomically (kind "JRNY").
 * @param j the engine
 * @param path file to write
 * @return CUSTOPS_OK, CUSTOPS_EINVAL, CUSTOPS_EIO or CUSTOPS_ENOMEM
 */
CUSTOPS_API int custops_journeys_save(const custops_journeys *j, const char *path);

/**
 * Load an engine saved by custops_journeys_save().
 * @param out receives the engine (caller owns it)
 * @param path file to read
 * @return CUSTOPS_OK, CUSTOPS_EINVAL, CUSTOPS_ENOTFOUND, CUSTOPS_EIO,
 *         CUSTOPS_ECORRUPT, CUSTOPS_EVERSION or CUSTOPS_ENOMEM
 */
CUSTOPS_API int custops_journeys_load(custops_journeys **out, const char *path);

CUSTOPS_END_DECLS

#endif /* CUSTOPS_PLAYS_H */
