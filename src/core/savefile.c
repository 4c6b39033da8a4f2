/* Save-file framing and atomic replacement. Every saved object (store,
 * model, segment definitions, journey state) goes through here, so all share
 * one header, one checksum and one crash-safety rule: write a temporary file
 * in the target's directory, fsync it, rename it over the target, fsync the
 * directory. A reader therefore sees the old file or the new one, whole. */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static const unsigned char MAGIC[8] = {'C', 'U', 'S', 'T', 'O', 'P', 'S', 0x1a};
#define CHECK_SEED 0x637573746f707331ULL /* "custops1" */

static int write_all(int fd, const void *data, size_t len)
{
    const unsigned char *p = data;
    while (len) {
        ssize_t w = write(fd, p, len > (1u << 30) ? (1u << 30) : len);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += w;
        len -= (size_t)w;
    }
    return 0;
}

static void fsync_dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir = slash ? custops__strndup(path, slash == path ? 1 : (size_t)(slash - path)) : custops__strdup(".");
    if (!dir)
        return; /* the rename already happened; the directory sync is best effort */
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
    custops__free(dir);
}

/* Writes header (may be NULL) + body to path atomically. */
static int write_atomic2(const char *path, const void *head, size_t head_len, const void *body, size_t len)
{
    size_t plen = strlen(path);
    char *tmp = custops__malloc(plen + 16);
    if (!tmp)
        return custops__nomem();
    memcpy(tmp, path, plen);
    memcpy(tmp + plen, ".tmp.XXXXXX", 12);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        int e = errno;
        custops__free(tmp);
        return custops__err(CUSTOPS_EIO, "%s: cannot create temporary file: %s", path, strerror(e));
    }
    int ok = (head_len == 0 || write_all(fd, head, head_len) == 0) && write_all(fd, body, len) == 0 &&
             fchmod(fd, 0644) == 0 && fsync(fd) == 0;
    int e = errno;
    if (close(fd) != 0 && ok) {
        ok = 0;
        e = errno;
    }
    if (ok && rename(tmp, path) != 0) {
        ok = 0;
        e = errno;
    }
    if (!ok) {
        unlink(tmp);
        custops__free(tmp);
        return custops__err(CUSTOPS_EIO, "%s: write failed: %s", path, strerror(e));
    }
    custops__free(tmp);
    fsync_dir_of(path);
    return CUSTOPS_OK;
}

int custops__write_atomic(const char *path, const void *data, size_t len)
{
    return write_atomic2(path, NULL, 0, data, len);
}

static void put32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static void put64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

int custops__save_atomic(const char *path, const char kind[4], uint32_t version, const void *payload, size_t len)
{
    unsigned char h[CUSTOPS__SAVE_HEADER_SIZE];
    memcpy(h, MAGIC, 8);
    memcpy(h + 8, kind, 4);
    put32(h + 12, version);
    put64(h + 16, (uint64_t)len);
    put64(h + 24, custops__hash64(payload, len, CHECK_SEED));
    put64(h + 32, custops__hash64(h, 32, CHECK_SEED));
    return write_atomic2(path, h, sizeof h, payload, len);
}

int custops__read_file(const char *path, size_t limit, void **data, size_t *len)
{
    *data = NULL;
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return custops__err(errno == ENOENT ? CUSTOPS_ENOTFOUND : CUSTOPS_EIO, "%s: cannot open: %s", path,
                            strerror(errno));
    custops__buf b;
    custops__buf_init(&b);
    unsigned char chunk[65536];
    size_t n;
    int rc = CUSTOPS_OK;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (b.len + n > limit) {
            rc = custops__err(CUSTOPS_ELIMIT, "%s: larger than the limit of %zu bytes", path, limit);
            break;
        }
        if ((rc = custops__buf_append(&b, chunk, n)) != 0)
            break;
    }
    if (rc == 0 && ferror(f))
        rc = custops__err(CUSTOPS_EIO, "%s: read error", path);
    fclose(f);
    if (rc) {
        custops__buf_release(&b);
        return rc;
    }
    if (!b.data && custops__buf_append(&b, "", 0)) /* empty file: still hand back a buffer */
        return CUSTOPS_ENOMEM;
    *data = b.data;
    *len = b.len;
    return CUSTOPS_OK;
}

int custops__load_file(const char *path, const char kind[4], uint32_t max_version, void **payload, size_t *len,
                       uint32_t *version)
{
    void *raw;
    size_t rlen;
    *payload = NULL;
    *len = 0;
    int rc = custops__read_file(path, SIZE_MAX / 2, &raw, &rlen);
    if (rc)
        return rc;
    const unsigned char *h = raw;
    if (rlen < CUSTOPS__SAVE_HEADER_SIZE || memcmp(h, MAGIC, 8) != 0) {
        custops__free(raw);
        return custops__err(CUSTOPS_ECORRUPT, "%s: not a libcustops save file (%s)", path,
                            rlen < CUSTOPS__SAVE_HEADER_SIZE ? "too short" : "bad magic");
    }
    custops__rd r;
    custops__rd_init(&r, h + 12, 28, path);
    uint32_t ver;
    uint64_t plen, psum, hsum;
    custops__rd_u32(&r, &ver);
    custops__rd_u64(&r, &plen);
    custops__rd_u64(&r, &psum);
    custops__rd_u64(&r, &hsum);
    if (hsum != custops__hash64(h, 32, CHECK_SEED)) {
        custops__free(raw);
        return custops__err(CUSTOPS_ECORRUPT, "%s: header checksum mismatch", path);
    }
    if (memcmp(h + 8, kind, 4) != 0) {
        /* format the message while the header is still allocated */
        int e = custops__err(CUSTOPS_ECORRUPT, "%s: holds a '%.4s' object, expected '%.4s'", path,
                             (const char *)h + 8, kind);
        custops__free(raw);
        return e;
    }
    if (ver == 0 || ver > max_version) {
        custops__free(raw);
        return custops__err(CUSTOPS_EVERSION, "%s: format version %u is not supported (this library reads 1..%u)",
                            path, ver, max_version);
    }
    if (plen != rlen - CUSTOPS__SAVE_HEADER_SIZE) {
        custops__free(raw);
        return custops__err(CUSTOPS_ECORRUPT, "%s: truncated or extended (payload %llu bytes, file has %zu)", path,
                            (unsigned long long)plen, rlen - CUSTOPS__SAVE_HEADER_SIZE);
    }
    if (psum != custops__hash64(h + CUSTOPS__SAVE_HEADER_SIZE, (size_t)plen, CHECK_SEED)) {
        custops__free(raw);
        return custops__err(CUSTOPS_ECORRUPT, "%s: payload checksum mismatch", path);
    }
    /* hand back the payload in place: move it to the front of the buffer */
    memmove(raw, h + CUSTOPS__SAVE_HEADER_SIZE, (size_t)plen);
    *payload = raw;
    *len = (size_t)plen;
    *version = ver;
    return CUSTOPS_OK;
}
