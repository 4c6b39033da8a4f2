/* ledger: the coupon redemption ledger. The handle is boxed so the layers
 * can close it early (box.l = NULL) and the collector frees what is left.
 * Receipts come back as (state, reason, replayed, seq, amount, expires);
 * the reason of the last refusal on this thread is ledger_last_reason(). */
%{
typedef struct custops_ledger_box { custops_ledger *l; } custops_ledger_box;
static _Thread_local int ledger_swig_reason;
%}
typedef struct custops_ledger_box {} custops_ledger_box;
%nodefaultctor custops_ledger_box;
%extend custops_ledger_box { ~custops_ledger_box() { custops_ledger_free($self->l); free($self); } }

%typemap(in, numinputs=0) custops_ledger_receipt *RECEIPT_OUT (custops_ledger_receipt tmp) {
    custops_ledger_receipt init = CUSTOPS_LEDGER_RECEIPT_INIT;
    tmp = init;
    $1 = &tmp;
}
#if defined(SWIGPYTHON)
%typemap(argout) custops_ledger_receipt *RECEIPT_OUT {
    $result = SWIG_Python_AppendOutput($result, Py_BuildValue("(iiiLLL)", (int)$1->state, (int)$1->reason,
        (int)$1->replayed, (long long)$1->seq, (long long)$1->amount, (long long)$1->expires));
}
#else
%typemap(argout) custops_ledger_receipt *RECEIPT_OUT {
    lua_createtable(L, 0, 6);
    lua_pushstring(L, custops_ledger_state_name($1->state)); lua_setfield(L, -2, "state");
    lua_pushstring(L, custops_ledger_reason_name($1->reason)); lua_setfield(L, -2, "reason");
    lua_pushboolean(L, $1->replayed); lua_setfield(L, -2, "replayed");
    lua_pushnumber(L, (lua_Number)$1->seq); lua_setfield(L, -2, "seq");
    lua_pushnumber(L, (lua_Number)$1->amount); lua_setfield(L, -2, "amount");
    lua_pushnumber(L, (lua_Number)$1->expires); lua_setfield(L, -2, "expires");
    SWIG_arg++;
}
#endif
%apply int64_t *OUTPUT { int64_t *lim_out, int64_t *used_out, int64_t *reserved_out, int64_t *count_out, int64_t *records_out };
%typemap(in, numinputs=0) char **json_out (char *tmp = NULL) { $1 = &tmp; }
#if defined(SWIGPYTHON)
%typemap(argout) char **json_out { $result = SWIG_Python_AppendOutput($result, PyUnicode_FromString(*$1)); }
#else
%typemap(argout) char **json_out { lua_pushstring(L, *$1); SWIG_arg++; }
#endif
%typemap(freearg) char **json_out { custops_free(*$1); }

%newobject ledger_open;
const char *custops_ledger_state_name(int state);
const char *custops_ledger_reason_name(int reason);

%inline %{
static custops_ledger_box *ledger_open(const char *location, int busy_timeout_ms, int durable, int max_retries)
{
    custops_ledger_options o = CUSTOPS_LEDGER_OPTIONS_INIT;
    o.busy_timeout_ms = busy_timeout_ms;
    o.durable = durable;
    o.max_retries = max_retries;
    custops_ledger_box *b = (custops_ledger_box *)calloc(1, sizeof *b);
    if (!b)
        return NULL;
    if (custops_ledger_open(&b->l, location, &o) != CUSTOPS_OK) {
        free(b);
        return NULL;
    }
    return b;
}
static int ledger_open_status(void) { return custops_last_status(); }
static void ledger_close(custops_ledger_box *b) { custops_ledger_free(b->l); b->l = NULL; }
static const char *ledger_backend(custops_ledger_box *b) { return custops_ledger_backend(b->l); }
static int ledger_last_reason(void) { return ledger_swig_reason; }
static custops_rc ledger_issue(custops_ledger_box *b, custops_ledger_receipt *RECEIPT_OUT, const char *code, const char *owner,
                              const char *campaign, int64_t max_uses, int64_t max_per_customer, int64_t valid_from,
                              int64_t valid_until, int restore, const char *key, int64_t now)
{
    custops_ledger_coupon c = CUSTOPS_LEDGER_COUPON_INIT;
    c.code = code;
    c.owner = owner;
    c.campaign = campaign;
    c.max_uses = max_uses;
    c.max_per_customer = max_per_customer;
    c.valid_from = valid_from;
    c.valid_until = valid_until;
    c.restore_on_reversal = restore;
    int rc = custops_ledger_issue(b->l, RECEIPT_OUT, &c, key, now);
    ledger_swig_reason = RECEIPT_OUT->reason;
    return rc;
}
static custops_rc ledger_budget_add(custops_ledger_box *b, custops_ledger_receipt *RECEIPT_OUT, const char *campaign,
                                   int64_t amount, const char *key, int64_t now)
{
    ledger_swig_reason = 0;
    return custops_ledger_budget_add(b->l, RECEIPT_OUT, campaign, amount, key, now);
}
static custops_rc ledger_reserve(custops_ledger_box *b, custops_ledger_receipt *RECEIPT_OUT, const char *code,
                                const char *customer, const char *order, int64_t amount, int64_t ttl, const char *key,
                                int64_t now)
{
    int rc = custops_ledger_reserve(b->l, RECEIPT_OUT, code, customer, order, amount, ttl, key, now);
    ledger_swig_reason = RECEIPT_OUT->reason;
    return rc;
}
static custops_rc ledger_commit(custops_ledger_box *b, custops_ledger_receipt *RECEIPT_OUT, const char *order,
                               const char *code, const char *key, int64_t now)
{
    ledger_swig_reason = 0;
    return custops_ledger_commit(b->l, RECEIPT_OUT, order, code, key, now);
}
static custops_rc ledger_release(custops_ledger_box *b, custops_ledger_receipt *RECEIPT_OUT, const char *order,
                                const char *code, const char *key, int64_t now)
{
    ledger_swig_reason = 0;
    return custops_ledger_release(b->l, RECEIPT_OUT, order, code, key, now);
}
static custops_rc ledger_reverse(custops_ledger_box *b, custops_ledger_receipt *RECEIPT_OUT, const char *order,
                                const char *code, int64_t amount, const char *key, int64_t now)
{
    ledger_swig_reason = 0;
    return custops_ledger_reverse(b->l, RECEIPT_OUT, order, code, amount, key, now);
}
static custops_rc ledger_expire(custops_ledger_box *b, int64_t *count_out, int64_t now)
{
    return custops_ledger_expire(b->l, count_out, now);
}
static custops_rc ledger_counter(custops_ledger_box *b, const char *key, int64_t *lim_out, int64_t *used_out,
                                int64_t *reserved_out)
{
    return custops_ledger_counter(lim_out, used_out, reserved_out, b->l, key);
}
static custops_rc ledger_reservation(custops_ledger_box *b, custops_ledger_receipt *RECEIPT_OUT, const char *order,
                                    const char *code)
{
    return custops_ledger_reservation(RECEIPT_OUT, b->l, order, code);
}
static custops_rc ledger_show(custops_ledger_box *b, char **json_out) { return custops_ledger_show(json_out, b->l); }
static custops_rc ledger_journal(custops_ledger_box *b, int64_t after, int64_t limit, char **json_out)
{
    return custops_ledger_journal(json_out, b->l, after, limit);
}
static custops_rc ledger_verify(custops_ledger_box *b, int64_t *records_out, char *buf, size_t cap)
{
    return cap >= 65 ? custops_ledger_verify(records_out, buf, b->l) : CUSTOPS_EINVAL;
}
static custops_rc ledger_codes(custops_ledger_box *b, int64_t count, const char *prefix, int64_t length, int64_t seed,
                              char **json_out)
{
    if (count < 0 || length < 0)
        return custops_ledger_codes(json_out, NULL, 0, prefix, 0, 0); /* rejected with a message */
    return custops_ledger_codes(json_out, b ? b->l : NULL, (size_t)count, prefix, (size_t)length, (uint64_t)seed);
}
%}
