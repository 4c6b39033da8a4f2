/* store: the customer profile store. Options structs are flattened into
 * plain arguments by the small wrappers below, so both languages call the
 * same checked C functions. */
CUSTOPS_HANDLE(custops_store, custops_store_free)
%apply custops_store **OUT { custops_store **out };
%apply custops_frame **OUT { custops_frame **rejects_out, custops_frame **calibration_out, custops_frame **holdout_out };
%apply int64_t *OUTPUT { int64_t *rows_out, int64_t *accepted_out, int64_t *rejected_out, int64_t *removed_out };

/* the export's JSON text: own parameter name, so typemaps of other modules
 * for other char ** parameters cannot apply; freearg runs on every path */
%typemap(in, numinputs=0) char **store_json_out (char *tmp = NULL) { $1 = &tmp; }
#if defined(SWIGPYTHON)
%typemap(argout) char **store_json_out { $result = SWIG_Python_AppendOutput($result, PyUnicode_FromString(*$1 ? *$1 : "")); }
#else
%typemap(argout) char **store_json_out { lua_pushstring(L, *$1 ? *$1 : ""); SWIG_arg++; }
#endif
%typemap(freearg) char **store_json_out { custops_free(*$1); }

custops_rc custops_store_new(custops_store **out, const char *zone, const char *currency);
const char *custops_store_zone(const custops_store *store);
const char *custops_store_currency(const custops_store *store);
custops_rc custops_store_lines(custops_store *store, custops_frame **out);
custops_rc custops_store_events(custops_store *store, custops_frame **out);
custops_rc custops_store_dict(const custops_store *store, const char *name, custops_frame **out);
custops_rc custops_store_count_orders(custops_store *store, int64_t now, int64_t from_days, int64_t to_days, custops_frame **out);
custops_rc custops_store_count_events(custops_store *store, int type, int64_t now, int64_t from_days, int64_t to_days, custops_frame **out);
custops_rc custops_store_erase(custops_store *store, const char *customer_id);
custops_rc custops_store_export_customer(custops_store *store, const char *customer_id, char **store_json_out);
custops_rc custops_store_save(const custops_store *store, const char *path);
custops_rc custops_store_load(custops_store **out, const char *path);

%inline %{
/* ingest a file (csv = 1: CSV, 0: JSON Lines) with flattened options */
static custops_rc custops_store_ingest_file(custops_store *store, const char *path, int csv, int kind, int skip,
                                     int allow_unknown, int64_t *rows_out, int64_t *accepted_out,
                                     int64_t *rejected_out, custops_frame **rejects_out)
{
    custops_ingest_opts o = CUSTOPS_INGEST_OPTS_INIT;
    o.kind = kind;
    o.policy = skip ? CUSTOPS_INGEST_SKIP : CUSTOPS_INGEST_FAIL_FAST;
    o.allow_unknown_columns = allow_unknown;
    custops_ingest_result r;
    int rc = csv ? custops_store_ingest_csv(store, path, &o, &r, rejects_out)
                 : custops_store_ingest_jsonl(store, path, &o, &r, rejects_out);
    *rows_out = (int64_t)r.rows;
    *accepted_out = (int64_t)r.accepted;
    *rejected_out = (int64_t)r.rejected;
    if (rc < 0 && *rejects_out) {
        custops_frame_free(*rejects_out);
        *rejects_out = NULL;
    }
    return rc;
}
static custops_rc custops_store_features_at(custops_store *store, int64_t now, const char *zone, int period,
                                     custops_frame **out)
{
    custops_features_opts o = CUSTOPS_FEATURES_OPTS_INIT;
    o.now = now;
    o.zone = zone;
    o.period = period;
    return custops_store_features(store, &o, out);
}
static custops_rc custops_store_split_at(custops_store *store, int64_t now, const char *zone, int period,
                                  int64_t holdout_end, custops_frame **calibration_out, custops_frame **holdout_out)
{
    custops_features_opts o = CUSTOPS_FEATURES_OPTS_INIT;
    o.now = now;
    o.zone = zone;
    o.period = period;
    return custops_store_split(store, &o, holdout_end, calibration_out, holdout_out);
}
static custops_rc custops_store_purge_before(custops_store *store, int64_t before, int64_t *removed_out)
{
    uint64_t n = 0;
    int rc = custops_store_purge(store, before, &n);
    *removed_out = (int64_t)n;
    return rc;
}
/* one count of custops_store_stats: 0 customers, 1 orders, 2 lines, 3 refunds, 4 events, 5 bytes */
static int64_t custops_store_count(const custops_store *store, int what)
{
    custops_store_counts n;
    if (!store || custops_store_stats(store, &n) != 0)
        return -1;
    uint64_t v[6] = {n.customers, n.orders, n.lines, n.refunds, n.events, n.bytes};
    return what >= 0 && what < 6 ? (int64_t)v[what] : -1;
}
%}

%constant int PERIOD_DAY = CUSTOPS_PERIOD_DAY;
%constant int PERIOD_WEEK = CUSTOPS_PERIOD_WEEK;
%constant int RECORD_AUTO = CUSTOPS_RECORD_AUTO;
%constant int RECORD_ORDER_LINE = CUSTOPS_RECORD_ORDER_LINE;
%constant int RECORD_REFUND = CUSTOPS_RECORD_REFUND;
%constant int RECORD_EVENT = CUSTOPS_RECORD_EVENT;
%constant int RECORD_CUSTOMER = CUSTOPS_RECORD_CUSTOMER;
