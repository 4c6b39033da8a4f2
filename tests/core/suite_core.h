#ifndef SUITE_CORE_H
#define SUITE_CORE_H
#include "testutil.h"
TCase *tcase_money(void);
TCase *tcase_time(void);
TCase *tcase_frame(void);
TCase *tcase_alloc(void);
#endif
