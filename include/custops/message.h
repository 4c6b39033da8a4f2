/**
 * @file custops/message.h
 * @brief Campaign messages: templates with personal fields, and a lint for
 *        advertising text that Chinese advertising law forbids.
 *
 * A template is compiled once and rendered for one customer or for a whole
 * frame of customers at once. Fields come from frame columns by name, so
 * the same feature frames that drive audiences also fill messages.
 *
 * Template syntax: literal text with fields in double braces.
 * - `{{name}}` inserts column @c name (int64 as a decimal integer, double
 *   with up to 6 significant digits, strings as they are);
 * - `{{name | money}}` formats an int64 minor-unit amount with 2 decimals,
 *   `{{name | money(0)}}` with the given exponent (0..4);
 * - `{{name | default("亲")}}` uses the text when the string is empty;
 * - `{{{{` writes a literal `{{`.
 *
 * Thread rules: a compiled template is read-only and may be shared.
 */
#ifndef CUSTOPS_MESSAGE_H
#define CUSTOPS_MESSAGE_H

#include "custops/common.h"
#include "custops/frame.h"

CUSTOPS_BEGIN_DECLS

/** Opaque compiled message template. */
typedef struct custops_template custops_template;

/**
 * Compile a template.
 * @param out receives the template (caller owns it; free with custops_template_free)
 * @param text UTF-8 template text (at most 64 KiB)
 * @return CUSTOPS_OK, CUSTOPS_EINVAL, CUSTOPS_EPARSE (the message gives
 *         "<template>:line:col: expected ..."), CUSTOPS_ELIMIT or CUSTOPS_ENOMEM
 */
CUSTOPS_API int custops_template_compile(custops_template **out, const char *text);

/**
 * Free a template.
 * @param tpl the template, or NULL (no-op)
 */
CUSTOPS_API void custops_template_free(custops_template *tpl);

/**
 * Number of distinct fields the template uses.
 * @param tpl the template
 * @return the count (0 for NULL)
 */
CUSTOPS_API size_t custops_template_nfields(const custops_template *tpl);

/**
 * Name of the i-th distinct field, in order of first use.
 * @param tpl the template
 * @param i index below custops_template_nfields()
 * @return the name, borrowed from the template; NULL if out of range
 */
CUSTOPS_API const char *custops_template_field(const custops_template *tpl, size_t i);

/**
 * Check that a frame has every field with a fitting type (money fields must
 * be int64), so rendering cannot fail half way.
 * @param tpl the template
 * @param fields frame of per-customer columns
 * @return CUSTOPS_OK, CUSTOPS_EINVAL or CUSTOPS_ENOTFOUND (the message names
 *         the field and where the template uses it)
 */
CUSTOPS_API int custops_template_check(const custops_template *tpl, const custops_frame *fields);

/**
 * Render the template for one row of a frame.
 * @param tpl the template
 * @param fields frame of per-customer columns
 * @param row row index
 * @param text_out receives a NUL-terminated UTF-8 string the caller frees
 *        with custops_free(); NULL on failure
 * @return CUSTOPS_OK, CUSTOPS_EINVAL, CUSTOPS_ENOTFOUND or CUSTOPS_ENOMEM
 */
CUSTOPS_API int custops_template_render(const custops_template *tpl, const custops_frame *fields, size_t row,
                                        char **text_out);

/**
 * Render the template for every row of a frame.
 * @param tpl the template
 * @param fields frame of per-customer columns
 * @param out receives a new frame with one string column @c message (caller owns it)
 * @return CUSTOPS_OK, CUSTOPS_EINVAL, CUSTOPS_ENOTFOUND or CUSTOPS_ENOMEM
 */
CUSTOPS_API int custops_template_render_frame(const custops_template *tpl, const custops_frame *fields,
                                              custops_frame **out);

/**
 * Find absolute claims that the PRC Advertising Law (art. 9(3)) and its
 * enforcement practice forbid in advertising text: superlatives such as
 * 最佳/最低/最…, 第一 (except ordinals such as 第一次), 唯一, 顶级, 国家级,
 * 世界级, 极致, 绝对, 万能, 100%, and others in the documented list.
 * Benign words that contain a flagged character (最近, 最后, 第一天, ...)
 * are not reported.
 * @param text UTF-8 text (at most 1 MiB)
 * @param findings_out receives a frame (caller owns it) with one row per
 *        finding: @c start and @c end (byte offsets, end exclusive),
 *        @c line and @c column (1-based, column in characters), @c term
 *        (the offending text) and @c rule (why it is forbidden); 0 rows
 *        when the text is clean
 * @return CUSTOPS_OK, CUSTOPS_EINVAL (NULL or invalid UTF-8, with the byte
 *         offset), CUSTOPS_ELIMIT (text over 1 MiB) or CUSTOPS_ENOMEM
 */
CUSTOPS_API int custops_ad_lint(const char *text, custops_frame **findings_out);

CUSTOPS_END_DECLS

#endif /* CUSTOPS_MESSAGE_H */
