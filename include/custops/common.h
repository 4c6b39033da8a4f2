/**
 * @file custops/common.h
 * @brief Conventions shared by every libcustops module: export macros, status
 *        codes, error messages, versions and the allocator hook.
 *
 * This header never changes meaning between releases within one SONAME:
 * status codes are appended, never renumbered.
 */
#ifndef CUSTOPS_COMMON_H
#define CUSTOPS_COMMON_H

#include <stddef.h>
#include <stdint.h>

/** @cond INTERNAL */
#if defined(_WIN32) && defined(CUSTOPS_BUILDING)
#define CUSTOPS_API __declspec(dllexport)
#elif defined(_WIN32)
#define CUSTOPS_API __declspec(dllimport)
#elif defined(__GNUC__) && __GNUC__ >= 4
#define CUSTOPS_API __attribute__((visibility("default")))
#else
#define CUSTOPS_API
#endif

#ifdef __cplusplus
#define CUSTOPS_BEGIN_DECLS extern "C" {
#define CUSTOPS_END_DECLS }
#else
#define CUSTOPS_BEGIN_DECLS
#define CUSTOPS_END_DECLS
#endif

#if defined(__GNUC__) && !defined(CUSTOPS_NO_DEPRECATION_WARNINGS)
#define CUSTOPS_DEPRECATED(msg) __attribute__((deprecated(msg)))
#else
#define CUSTOPS_DEPRECATED(msg)
#endif
/** @endcond */

CUSTOPS_BEGIN_DECLS

/** Library version as a string, "MAJOR.MINOR.PATCH". */
#define CUSTOPS_VERSION "0.1.0"
/** Library version as a number: MAJOR*10000 + MINOR*100 + PATCH. */
#define CUSTOPS_VERSION_NUMBER 100

/**
 * Status codes. Every fallible function returns CUSTOPS_OK (0) or one of the
 * negative codes below. Codes are part of the ABI: new ones are appended,
 * none is ever renumbered.
 */
typedef enum custops_status {
    CUSTOPS_OK = 0,           /**< success */
    CUSTOPS_EINVAL = -1,      /**< an argument is invalid (NULL, NaN, negative size, ...) */
    CUSTOPS_ENOMEM = -2,      /**< an allocation failed; nothing was changed */
    CUSTOPS_ERANGE = -3,      /**< a value is out of range, or money arithmetic overflowed */
    CUSTOPS_ENOTFOUND = -4,   /**< the named thing does not exist */
    CUSTOPS_EIO = -5,         /**< reading or writing a file failed */
    CUSTOPS_EPARSE = -6,      /**< text input is malformed; the message gives line and column */
    CUSTOPS_ECORRUPT = -7,    /**< a saved file is truncated or fails its checksum */
    CUSTOPS_EVERSION = -8,    /**< a saved file or options struct has an unknown version */
    CUSTOPS_ECONFLICT = -9,   /**< an idempotency key was reused for a different request */
    CUSTOPS_ESTATE = -10,     /**< the object is in the wrong state for this call */
    CUSTOPS_ENOCONVERGE = -11,/**< an optimiser did not converge */
    CUSTOPS_EIDENTIFY = -12,  /**< the data cannot identify the model */
    CUSTOPS_ELIMIT = -13,     /**< a resource limit (size, depth, count) was exceeded */
    CUSTOPS_EEXISTS = -14,    /**< the thing already exists */
    CUSTOPS_EBUSY = -15,      /**< a shared resource is busy; retrying may succeed */
    CUSTOPS_EUNSUPPORTED = -16/**< the feature is not built into this library */
} custops_status;

/**
 * Static English name of a status code, such as "invalid argument".
 * @param status a value returned by a libcustops function
 * @return a static string; never NULL (unknown codes give "unknown status")
 */
CUSTOPS_API const char *custops_strerror(int status);

/**
 * Detail of the most recent failure on the calling thread.
 *
 * Every function that returns a negative status sets this message first,
 * naming the argument, file, line or column concerned.
 * @return a borrowed, NUL-terminated string owned by the library and valid
 *         until the next failing call on this thread; "" if nothing failed yet.
 *         Never NULL.
 */
CUSTOPS_API const char *custops_last_error(void);

/**
 * Status of the most recent failure on the calling thread.
 * @return the status code that goes with custops_last_error(), or CUSTOPS_OK
 */
CUSTOPS_API int custops_last_status(void);

/** Forget the calling thread's last error (custops_last_error() becomes ""). */
CUSTOPS_API void custops_clear_error(void);

/**
 * Runtime library version, to check that header and library agree.
 * @return a static string equal to CUSTOPS_VERSION of the built library
 */
CUSTOPS_API const char *custops_version(void);

/**
 * Runtime library version as a number.
 * @return CUSTOPS_VERSION_NUMBER of the built library
 */
CUSTOPS_API int custops_version_number(void);

/** Version of custops_allocator understood by this header. */
#define CUSTOPS_ALLOCATOR_VERSION 1

/**
 * Memory functions used for every allocation the library makes.
 * All three are required; @c ud is passed back to each call.
 */
typedef struct custops_allocator {
    unsigned int version;                               /**< CUSTOPS_ALLOCATOR_VERSION */
    void *(*malloc_fn)(size_t size, void *ud);          /**< like malloc */
    void *(*realloc_fn)(void *ptr, size_t size, void *ud); /**< like realloc */
    void (*free_fn)(void *ptr, void *ud);               /**< like free; gets NULL never */
    void *ud;                                           /**< opaque user data */
} custops_allocator;

/**
 * Replace the process-wide allocator (the only mutable global in the library).
 *
 * Call it before any other libcustops function and before any thread uses
 * the library; objects made under one allocator must be freed under it.
 * @param alloc the functions to use, or NULL to restore malloc/realloc/free
 * @return CUSTOPS_OK, CUSTOPS_EINVAL if a function is missing, or
 *         CUSTOPS_EVERSION if alloc->version is unknown
 */
CUSTOPS_API int custops_set_allocator(const custops_allocator *alloc);

/**
 * Free a buffer that a libcustops function handed to the caller
 * (documented as "free with custops_free").
 * @param ptr the buffer, or NULL (then nothing happens)
 */
CUSTOPS_API void custops_free(void *ptr);

CUSTOPS_END_DECLS

#endif /* CUSTOPS_COMMON_H */
