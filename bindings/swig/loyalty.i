/* loyalty: tiers and the points ledger. */
CUSTOPS_HANDLE(custops_loyalty, custops_loyalty_free)
%apply custops_loyalty **OUT { custops_loyalty **out };
%apply int64_t *OUTPUT { int64_t *points_out, int64_t *balance_out };
%typemap(in, numinputs=0) const char **tier_out (const char *tmp = NULL) { $1 = ($1_ltype)&tmp; }
%typemap(in, numinputs=0) size_t *changes_out (size_t tmp = 0) { $1 = &tmp; }
#if defined(SWIGPYTHON)
%typemap(argout) const char **tier_out { $result = SWIG_Python_AppendOutput($result, PyUnicode_FromString(*$1 ? *$1 : "")); }
%typemap(argout) size_t *changes_out { $result = SWIG_Python_AppendOutput($result, PyLong_FromSize_t(*$1)); }
#else
%typemap(argout) const char **tier_out { lua_pushstring(L, *$1 ? *$1 : ""); SWIG_arg++; }
%typemap(argout) size_t *changes_out { lua_pushinteger(L, (lua_Integer)*$1); SWIG_arg++; }
#endif
%inline %{
static custops_rc custops_loyalty_new_with(custops_loyalty **out, const char *tiers, const char *multipliers,
                                           double points_per_unit, int exponent, int64_t expiry_days, int64_t window_days)
{
    custops_loyalty_options o;
    int rc = custops_loyalty_options_init(&o, CUSTOPS_LOYALTY_OPTIONS_VERSION);
    if (rc) return rc;
    o.tiers = tiers;
    o.multipliers = multipliers && multipliers[0] ? multipliers : NULL;
    o.points_per_unit = points_per_unit;
    o.exponent = exponent;
    o.expiry_days = expiry_days;
    o.window_days = window_days;
    return custops_loyalty_new(out, &o);
}
%}
custops_rc custops_loyalty_purchase(int64_t *points_out, custops_loyalty *l, const char *customer, int64_t instant, int64_t amount, double promo_multiplier);
custops_rc custops_loyalty_redeem(custops_loyalty *l, const char *customer, int64_t instant, int64_t points);
custops_rc custops_loyalty_balance(int64_t *balance_out, const custops_loyalty *l, const char *customer, int64_t instant);
custops_rc custops_loyalty_recalc(size_t *changes_out, custops_loyalty *l, int64_t instant);
custops_rc custops_loyalty_tier(const char **tier_out, const custops_loyalty *l, const char *customer);
custops_rc custops_loyalty_ledger(custops_frame **out, const custops_loyalty *l);
custops_rc custops_loyalty_history(custops_frame **out, const custops_loyalty *l);
custops_rc custops_loyalty_save(const custops_loyalty *l, const char *path);
custops_rc custops_loyalty_load(custops_loyalty **out, const char *path);
