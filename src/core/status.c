/* Status names and the thread-local "last error" message. Thread-local, so
 * two threads using two handles never see each other's messages. */
#include "internal.h"

#include <stdio.h>

#define MSG_CAP 1024

static _Thread_local char t_msg[MSG_CAP];
static _Thread_local int t_status;

const char *custops_strerror(int status)
{
    switch (status) {
    case CUSTOPS_OK: return "success";
    case CUSTOPS_EINVAL: return "invalid argument";
    case CUSTOPS_ENOMEM: return "out of memory";
    case CUSTOPS_ERANGE: return "value out of range";
    case CUSTOPS_ENOTFOUND: return "not found";
    case CUSTOPS_EIO: return "input/output error";
    case CUSTOPS_EPARSE: return "parse error";
    case CUSTOPS_ECORRUPT: return "corrupt or truncated data";
    case CUSTOPS_EVERSION: return "unsupported version";
    case CUSTOPS_ECONFLICT: return "idempotency conflict";
    case CUSTOPS_ESTATE: return "wrong state";
    case CUSTOPS_ENOCONVERGE: return "did not converge";
    case CUSTOPS_EIDENTIFY: return "model not identifiable from the data";
    case CUSTOPS_ELIMIT: return "resource limit exceeded";
    case CUSTOPS_EEXISTS: return "already exists";
    case CUSTOPS_EBUSY: return "resource busy";
    case CUSTOPS_EUNSUPPORTED: return "not supported by this build";
    default: return "unknown status";
    }
}

const char *custops_last_error(void) { return t_msg; }
int custops_last_status(void) { return t_status; }

void custops_clear_error(void)
{
    t_msg[0] = '\0';
    t_status = CUSTOPS_OK;
}

int custops__verr(int status, const char *fmt, va_list ap)
{
    char tmp[MSG_CAP];
    /* format into a temporary first: fmt's arguments may point into t_msg */
    vsnprintf(tmp, sizeof tmp, fmt, ap);
    memcpy(t_msg, tmp, sizeof tmp);
    t_status = status;
    return status;
}

int custops__err(int status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    custops__verr(status, fmt, ap);
    va_end(ap);
    return status;
}

void custops__err_prefix(const char *fmt, ...)
{
    char tmp[MSG_CAP];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    size_t used = (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1;
    size_t rest = strlen(t_msg);
    if (rest > sizeof tmp - 1 - used)
        rest = sizeof tmp - 1 - used;
    memcpy(tmp + used, t_msg, rest);
    tmp[used + rest] = '\0';
    memcpy(t_msg, tmp, sizeof tmp);
}

int custops__nomem(void) { return custops__err(CUSTOPS_ENOMEM, "out of memory"); }
