/* coupon: rulesets, carts (as JSON text), quotes and issuance. Text goes in
 * as NUL-terminated strings; JSON out comes back as native strings. */
CUSTOPS_HANDLE(custops_ruleset, custops_ruleset_free)
CUSTOPS_HANDLE(custops_cart, custops_cart_free)
CUSTOPS_HANDLE(custops_quote, custops_quote_free)
%apply custops_ruleset **OUT { custops_ruleset **rs_out };
%apply custops_cart **OUT { custops_cart **cart_out };
%apply custops_quote **OUT { custops_quote **quote_out };
%apply custops_frame **OUT { custops_frame **frame_out };
%inline %{
custops_rc custops_coupon_compile_text(custops_ruleset **rs_out, const char *text, const char *what)
{
    return custops_ruleset_compile(rs_out, text, text ? strlen(text) : 0, what);
}
custops_rc custops_coupon_from_json_text(custops_ruleset **rs_out, const char *json)
{
    return custops_ruleset_from_json(rs_out, json, json ? strlen(json) : 0);
}
custops_rc custops_coupon_cart_text(custops_cart **cart_out, const char *json)
{
    return custops_cart_from_json(cart_out, json, json ? strlen(json) : 0);
}
custops_rc custops_coupon_ruleset_json(const custops_ruleset *rs, char **text_out)
{
    return custops_ruleset_to_json(rs, text_out, NULL);
}
custops_rc custops_coupon_quote(custops_quote **quote_out, const custops_ruleset *rs, const custops_cart *cart, int64_t now)
{
    return custops_quote_run(quote_out, rs, cart, now);
}
custops_rc custops_coupon_quote_json(const custops_quote *q, char **text_out)
{
    return custops_quote_to_json(q, text_out, NULL);
}
custops_rc custops_coupon_allocations(custops_frame **frame_out, const custops_quote *q)
{
    return custops_quote_allocations(frame_out, q);
}
custops_rc custops_coupon_reasons(custops_frame **frame_out, const custops_quote *q)
{
    return custops_quote_reasons(frame_out, q);
}
custops_rc custops_coupon_lint(custops_frame **frame_out, const custops_ruleset *rs)
{
    return custops_ruleset_lint(frame_out, rs);
}
custops_rc custops_coupon_issue(custops_frame **frame_out, const custops_ruleset *rs, const char *event,
                                const custops_cart *cart, int64_t now)
{
    return custops_ruleset_issue(frame_out, rs, event, cart, now);
}
%}
size_t custops_ruleset_nrules(const custops_ruleset *rs);
const char *custops_ruleset_rule_id(const custops_ruleset *rs, size_t i);
int64_t custops_quote_discount(const custops_quote *q);
int64_t custops_quote_total(const custops_quote *q);
int64_t custops_quote_points(const custops_quote *q);
int custops_quote_exact(const custops_quote *q);
