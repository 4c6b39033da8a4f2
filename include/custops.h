/**
 * @file custops.h
 * @brief Umbrella header: include this one file to use libcustops.
 *
 * See the main page of the API documentation for the conventions (naming,
 * status codes, ownership, thread rules) that every module follows.
 */
#ifndef CUSTOPS_H
#define CUSTOPS_H

#include "custops/common.h"
#include "custops/money.h"
#include "custops/time.h"
#include "custops/frame.h"
#include "custops/frame_csv.h"
#include "custops/message.h"
#include "custops/plays.h"
#include "custops/segment.h"
#include "custops/loyalty.h"
#include "custops/measure.h"
#include "custops/coupon.h"
#include "custops/abtest.h"
#include "custops/synth.h"
#include "custops/store.h"
#include "custops/clv.h"
#include "custops/ledger.h"
#include "custops/repurchase.h"
#include "custops/crosssell.h"
#include "custops/sendtime.h"
#include "custops/kpi.h"
#include "custops/calendar.h"

#endif /* CUSTOPS_H */
