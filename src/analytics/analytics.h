/* Private helpers shared by the analytics modules: typed column lookup by
 * contract name (with an error naming the frame and column) and local-day
 * conversion without per-row zone searches. */
#ifndef CUSTOPS_ANALYTICS_H
#define CUSTOPS_ANALYTICS_H

#include "core/internal.h"

/* Borrow int64 column `col` of `f` (called `what` in messages, e.g. "lines"). */
int custops__an_i64(const custops_frame *f, const char *fn, const char *what, const char *col, const int64_t **out);
/* Same for an optional column: *out NULL (and OK) when the frame lacks it. */
int custops__an_i64_opt(const custops_frame *f, const char *fn, const char *what, const char *col,
                        const int64_t **out);

/* Local day (days since 1970-01-01 in zone) and second of day of instant t;
 * sod may be NULL. CUSTOPS_ERANGE for instants the zone cannot place. */
int custops__an_local(const custops_zone *zone, int64_t t, int32_t *day, int32_t *sod);

/* Append an owned column; on any earlier failure (*rc != 0) just free it. */
void custops__an_put_i64(custops_frame *f, int *rc, const char *name, int64_t *owned, size_t n);
void custops__an_put_f64(custops_frame *f, int *rc, const char *name, double *owned, size_t n);

/* Dense ids for the codes in v[0..n): ids[i] is the rank of v[i] among the
 * distinct non-negative codes (UINT32_MAX for a negative code), *codes
 * (caller frees) maps id -> code in ascending order. Small code ranges use a
 * presence table, others a sort. CUSTOPS_ELIMIT past 2^32-2 codes. */
int custops__an_remap(const int64_t *v, size_t n, uint32_t *ids, int64_t **codes, size_t *ncodes);

#endif
