check_PROGRAMS += clv/check_clv_fit
clv_check_clv_fit_SOURCES = %reldir%/check_clv_fit.c %reldir%/clv_testdata.h
TESTS += clv/check_clv_fit
check_PROGRAMS += clv/check_clv_predict
clv_check_clv_predict_SOURCES = %reldir%/check_clv_predict.c %reldir%/clv_testdata.h
TESTS += clv/check_clv_predict
