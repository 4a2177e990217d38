/* hy_file_io.c — whole-file reading (hy_read_file, declared in hy_json.h)
 * and atomic writing (hy_write_file_atomic and the hy_atomic_* pieces). */
#include "hy_file_io.h"
#include "hy_json.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define HY_READ_FILE_LIMIT ((size_t)1 << 30) /* 1 GiB */

/* ---- reading ----------------------------------------------------------- */

/* Reads until end of file.  `hint` is the expected size (st_size of a
 * regular file, 0 for pipes and devices); a file that grows while being
 * read is still read whole, up to the limit. */
static int read_stream(int fd, const char *path, char **data, size_t *len, size_t hint,
                       hy_error *err)
{
    size_t cap = hint + 1, n = 0; /* +1: the terminating NUL */
    char *buf = malloc(cap);
    if (!buf) return hy_fail(err, "%s: out of memory", path);
    for (;;) {
        /* When the buffer is full, probe for more data before growing, so
         * that a regular file is read into exactly st_size + 1 bytes. */
        char probe[4096];
        int full = n + 1 == cap;
        char *dst = full ? probe : buf + n;
        size_t room = full ? sizeof probe : cap - 1 - n;
        ssize_t got = read(fd, dst, room);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) {
            int e = errno;
            free(buf);
            return hy_fail(err, "%s: read failed: %s", path, strerror(e));
        }
        if (got == 0) break;
        if (n + (size_t)got > HY_READ_FILE_LIMIT) {
            free(buf);
            return hy_fail(err, "%s: larger than the 1 GiB limit for this kind of file", path);
        }
        if (full) {
            size_t ncap = cap * 2 > n + (size_t)got + 1 ? cap * 2 : n + (size_t)got + 1;
            char *bigger = realloc(buf, ncap);
            if (!bigger) {
                free(buf);
                return hy_fail(err, "%s: out of memory", path);
            }
            buf = bigger;
            cap = ncap;
            memcpy(buf + n, probe, (size_t)got);
        }
        n += (size_t)got;
    }
    buf[n] = 0;
    *data = buf;
    *len = n;
    return 0;
}

int hy_read_file(const char *path, char **data, size_t *len, hy_error *err)
{
    *data = NULL;
    *len = 0;
    if (!path) return hy_fail(err, "no file name given");
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return hy_fail(err, "%s: cannot open: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        return hy_fail(err, "%s: cannot stat: %s", path, strerror(e));
    }
    if (S_ISDIR(st.st_mode)) {
        close(fd);
        return hy_fail(err, "%s: is a directory, expected a file", path);
    }
    if (S_ISREG(st.st_mode) && (uint64_t)st.st_size > HY_READ_FILE_LIMIT) {
        close(fd);
        return hy_fail(err, "%s: %lld bytes, larger than the 1 GiB limit for this kind of file",
                       path, (long long)st.st_size);
    }
    size_t hint = S_ISREG(st.st_mode) ? (size_t)st.st_size : 0;
    int rc = read_stream(fd, path, data, len, hint, err);
    close(fd);
    return rc;
}

/* ---- atomic writing ---------------------------------------------------- */

int hy_atomic_begin(hy_atomic_file *f, const char *path, hy_error *err)
{
    memset(f, 0, sizeof *f);
    f->fd = -1;
    if (!path || !*path) return hy_fail(err, "no file name given");
    size_t n = strlen(path) + 32;
    f->path = malloc(strlen(path) + 1);
    f->tmp_path = malloc(n);
    if (!f->path || !f->tmp_path) {
        hy_atomic_abort(f);
        return hy_fail(err, "%s: out of memory", path);
    }
    strcpy(f->path, path);
    snprintf(f->tmp_path, n, "%s.tmp.%ld", path, (long)getpid());
    f->fd = open(f->tmp_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (f->fd < 0) {
        int e = errno;
        hy_fail(err, "%s: cannot create %s: %s", path, f->tmp_path, strerror(e));
        free(f->path);
        free(f->tmp_path);
        f->path = f->tmp_path = NULL;
        return -1;
    }
    return 0;
}

int hy_atomic_write(hy_atomic_file *f, const void *data, size_t len, hy_error *err)
{
    const char *p = data;
    while (len > 0) {
        ssize_t put = write(f->fd, p, len);
        if (put < 0 && errno == EINTR) continue;
        if (put <= 0) {
            int e = put < 0 ? errno : EIO;
            hy_fail(err, "%s: write failed: %s", f->path ? f->path : "?", strerror(e));
            hy_atomic_abort(f);
            return -1;
        }
        p += put;
        len -= (size_t)put;
    }
    return 0;
}

/* Makes the rename durable; failures here are not errors (some file
 * systems cannot fsync a directory). */
static void sync_parent_dir(const char *path)
{
    const char *slash = strrchr(path, '/');
    char dir[4096];
    if (!slash) {
        strcpy(dir, ".");
    } else if (slash == path) {
        strcpy(dir, "/");
    } else {
        size_t n = (size_t)(slash - path);
        if (n >= sizeof dir) return;
        memcpy(dir, path, n);
        dir[n] = 0;
    }
    int fd = open(dir, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return;
    (void)fsync(fd);
    close(fd);
}

int hy_atomic_commit(hy_atomic_file *f, hy_error *err)
{
    if (fsync(f->fd) != 0) {
        hy_fail(err, "%s: fsync failed: %s", f->path, strerror(errno));
        hy_atomic_abort(f);
        return -1;
    }
    int rc = close(f->fd);
    f->fd = -1;
    if (rc != 0) {
        hy_fail(err, "%s: close failed: %s", f->path, strerror(errno));
        hy_atomic_abort(f);
        return -1;
    }
    if (rename(f->tmp_path, f->path) != 0) {
        hy_fail(err, "%s: cannot rename %s into place: %s", f->path, f->tmp_path,
                strerror(errno));
        hy_atomic_abort(f);
        return -1;
    }
    sync_parent_dir(f->path);
    free(f->path);
    free(f->tmp_path);
    f->path = f->tmp_path = NULL;
    return 0;
}

void hy_atomic_abort(hy_atomic_file *f)
{
    if (f->fd >= 0) close(f->fd);
    f->fd = -1;
    if (f->tmp_path) unlink(f->tmp_path);
    free(f->path);
    free(f->tmp_path);
    f->path = f->tmp_path = NULL;
}

int hy_write_file_atomic(const char *path, const void *data, size_t len, hy_error *err)
{
    hy_atomic_file f;
    if (hy_atomic_begin(&f, path, err) != 0) return -1;
    if (hy_atomic_write(&f, data, len, err) != 0) return -1;
    return hy_atomic_commit(&f, err);
}
