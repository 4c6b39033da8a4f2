/* money: exact minor units. */
custops_rc custops_currency_exponent(const char *code, int *exponent_out);
custops_rc custops_money_parse(const char *text, int exponent, int64_t *minor_out);
custops_rc custops_money_format(int64_t minor, int exponent, char *buf, size_t cap);
custops_rc custops_money_add(int64_t a, int64_t b, int64_t *out);
custops_rc custops_money_mul(int64_t amount, int64_t factor, int64_t *out);
custops_rc custops_money_muldiv(int64_t amount, int64_t num, int64_t den, int64_t *out);
