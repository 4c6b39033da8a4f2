/* Streaming atomic writes: for outputs too large to build in memory first
 * (the synthetic store's CSV files). Same crash rule as savefile.c: bytes go
 * to a temporary file beside the target, which is fsync'ed and renamed over
 * the target only when complete; abandoning the write removes it. */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

int custops__wfile_open(custops__wfile *w, const char *path)
{
    memset(w, 0, sizeof *w);
    w->fd = -1;
    size_t plen = strlen(path);
    w->path = custops__strdup(path);
    w->tmp = custops__malloc(plen + 16);
    if (!w->path || !w->tmp) {
        custops__wfile_abort(w);
        return custops__nomem();
    }
    memcpy(w->tmp, path, plen);
    memcpy(w->tmp + plen, ".tmp.XXXXXX", 12);
    w->fd = mkstemp(w->tmp);
    if (w->fd < 0) {
        int e = errno;
        custops__free(w->tmp); /* nothing was created: do not unlink */
        w->tmp = NULL;
        custops__wfile_abort(w);
        return custops__err(CUSTOPS_EIO, "%s: cannot create temporary file: %s", path, strerror(e));
    }
    return CUSTOPS_OK;
}

int custops__wfile_write(custops__wfile *w, const void *data, size_t len)
{
    const unsigned char *p = data;
    while (len) {
        ssize_t n = write(w->fd, p, len > (1u << 30) ? (1u << 30) : len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return custops__err(CUSTOPS_EIO, "%s: write failed: %s", w->path, strerror(errno));
        }
        p += n;
        len -= (size_t)n;
    }
    return CUSTOPS_OK;
}

int custops__wfile_commit(custops__wfile *w)
{
    int ok = fchmod(w->fd, 0644) == 0 && fsync(w->fd) == 0;
    int e = errno;
    if (close(w->fd) != 0 && ok) {
        ok = 0;
        e = errno;
    }
    w->fd = -1;
    if (ok && rename(w->tmp, w->path) != 0) {
        ok = 0;
        e = errno;
    }
    if (!ok) {
        int rc = custops__err(CUSTOPS_EIO, "%s: write failed: %s", w->path, strerror(e));
        custops__wfile_abort(w);
        return rc;
    }
    /* renamed: the directory entry is what needs syncing now */
    const char *slash = strrchr(w->path, '/');
    char *dir = slash ? custops__strndup(w->path, slash == w->path ? 1 : (size_t)(slash - w->path))
                      : custops__strdup(".");
    if (dir) {
        int fd = open(dir, O_RDONLY | O_DIRECTORY);
        if (fd >= 0) {
            fsync(fd);
            close(fd);
        }
        custops__free(dir);
    }
    custops__free(w->tmp);
    w->tmp = NULL;
    custops__free(w->path);
    w->path = NULL;
    return CUSTOPS_OK;
}

void custops__wfile_abort(custops__wfile *w)
{
    if (w->fd >= 0)
        close(w->fd);
    w->fd = -1;
    if (w->tmp)
        unlink(w->tmp);
    custops__free(w->tmp);
    custops__free(w->path);
    w->tmp = w->path = NULL;
}
