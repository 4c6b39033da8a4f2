/**
 * @file custops/frame.h
 * @brief Column tables: how every module hands tabular results out.
 *
 * A frame is a set of named, equally long, typed columns. Features, RFM
 * tables, model predictions and audiences come back as frames so that C
 * callers read plain arrays and bindings turn them into numpy arrays or
 * pandas DataFrames without a per-row loop.
 *
 * Thread rules: a frame is used by one thread at a time while it is being
 * built; once complete, the const functions may run concurrently.
 */
#ifndef CUSTOPS_FRAME_H
#define CUSTOPS_FRAME_H

#include "custops/common.h"

CUSTOPS_BEGIN_DECLS

/** Opaque column table. */
typedef struct custops_frame custops_frame;

/** Type of a frame column. */
typedef enum custops_coltype {
    CUSTOPS_COL_INT64 = 1,  /**< int64_t values (counts, money in minor units, epoch seconds) */
    CUSTOPS_COL_DOUBLE = 2, /**< double values (rates, model outputs) */
    CUSTOPS_COL_STRING = 3  /**< NUL-terminated UTF-8 strings (ids, labels) */
} custops_coltype;

/**
 * Create an empty frame.
 * @param out receives the new frame (caller owns it; free with custops_frame_free); NULL on failure
 * @return CUSTOPS_OK, CUSTOPS_EINVAL or CUSTOPS_ENOMEM
 */
CUSTOPS_API int custops_frame_new(custops_frame **out);

/**
 * Free a frame and every column in it.
 * @param frame the frame, or NULL (no-op)
 */
CUSTOPS_API void custops_frame_free(custops_frame *frame);

/**
 * Number of rows (0 for a frame without columns or for NULL).
 * @param frame the frame
 * @return the row count
 */
CUSTOPS_API size_t custops_frame_nrows(const custops_frame *frame);

/**
 * Number of columns (0 for NULL).
 * @param frame the frame
 * @return the column count
 */
CUSTOPS_API size_t custops_frame_ncols(const custops_frame *frame);

/**
 * Name of a column.
 * @param frame the frame
 * @param col column index, 0-based
 * @return the name, borrowed from the frame (valid until it is freed), or NULL if out of range
 */
CUSTOPS_API const char *custops_frame_col_name(const custops_frame *frame, size_t col);

/**
 * Type of a column.
 * @param frame the frame
 * @param col column index, 0-based
 * @return a custops_coltype value, or 0 if out of range
 */
CUSTOPS_API int custops_frame_col_type(const custops_frame *frame, size_t col);

/**
 * Find a column by name.
 * @param frame the frame
 * @param name the column name
 * @param col_out receives the index
 * @return CUSTOPS_OK, CUSTOPS_EINVAL or CUSTOPS_ENOTFOUND
 */
CUSTOPS_API int custops_frame_find(const custops_frame *frame, const char *name, size_t *col_out);

/**
 * Append an int64 column (the values are copied).
 *
 * The first column fixes the row count; later columns must have the same.
 * Names must be unique and non-empty.
 * @param frame the frame
 * @param name column name (copied)
 * @param values @p n values; may be NULL only when n is 0
 * @param n number of values
 * @return CUSTOPS_OK, CUSTOPS_EINVAL (length mismatch, duplicate name), CUSTOPS_ENOMEM
 */
CUSTOPS_API int custops_frame_add_int64(custops_frame *frame, const char *name,
                                        const int64_t *values, size_t n);

/**
 * Append a double column (the values are copied). Same rules as custops_frame_add_int64().
 * @param frame the frame
 * @param name column name (copied)
 * @param values @p n values; may be NULL only when n is 0
 * @param n number of values
 * @return CUSTOPS_OK, CUSTOPS_EINVAL, CUSTOPS_ENOMEM
 */
CUSTOPS_API int custops_frame_add_double(custops_frame *frame, const char *name,
                                         const double *values, size_t n);

/**
 * Append a string column (the strings are copied). Same rules as custops_frame_add_int64().
 * @param frame the frame
 * @param name column name (copied)
 * @param values @p n strings, none NULL; the array may be NULL only when n is 0
 * @param n number of values
 * @return CUSTOPS_OK, CUSTOPS_EINVAL, CUSTOPS_ENOMEM
 */
CUSTOPS_API int custops_frame_add_string(custops_frame *frame, const char *name,
                                         const char *const *values, size_t n);

/**
 * Borrow the data of an int64 column.
 * @param frame the frame
 * @param col column index
 * @param data_out receives a pointer to nrows values, valid until the frame is freed
 * @return CUSTOPS_OK, CUSTOPS_EINVAL (out of range or wrong type)
 */
CUSTOPS_API int custops_frame_int64(const custops_frame *frame, size_t col, const int64_t **data_out);

/**
 * Borrow the data of a double column.
 * @param frame the frame
 * @param col column index
 * @param data_out receives a pointer to nrows values, valid until the frame is freed
 * @return CUSTOPS_OK, CUSTOPS_EINVAL (out of range or wrong type)
 */
CUSTOPS_API int custops_frame_double(const custops_frame *frame, size_t col, const double **data_out);

/**
 * Borrow one string of a string column.
 * @param frame the frame
 * @param col column index
 * @param row row index
 * @param str_out receives the string, valid until the frame is freed
 * @return CUSTOPS_OK, CUSTOPS_EINVAL (out of range or wrong type)
 */
CUSTOPS_API int custops_frame_string(const custops_frame *frame, size_t col, size_t row,
                                     const char **str_out);

/**
 * Write the frame as CSV (header row, RFC 4180 quoting, LF line ends).
 *
 * The file is written to a temporary name beside @p path and renamed over
 * it, so readers see the old file or the complete new one, never a part.
 * @param frame the frame
 * @param path destination path
 * @return CUSTOPS_OK, CUSTOPS_EINVAL, CUSTOPS_EIO, CUSTOPS_ENOMEM
 */
CUSTOPS_API int custops_frame_write_csv(const custops_frame *frame, const char *path);

CUSTOPS_END_DECLS

#endif /* CUSTOPS_FRAME_H */
