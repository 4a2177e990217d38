/* hy_file_io.h — writing a file atomically in pieces (used by
 * hy_write_file_atomic and hy_st_write, whose data is too large to gather
 * into one buffer first).  Readers never see a half-written file: the
 * data go to "<path>.tmp.<pid>", which is fsync'ed and renamed over path
 * only when complete; on any failure the temporary file is removed. */
#ifndef HY_FILE_IO_H
#define HY_FILE_IO_H

#include "hy_common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct hy_atomic_file {
    int fd;
    char *path;     /* final name */
    char *tmp_path; /* "<path>.tmp.<pid>" */
} hy_atomic_file;

/* Creates the temporary file. */
int hy_atomic_begin(hy_atomic_file *f, const char *path, hy_error *err);
/* Appends len bytes; on failure the file is aborted (nothing to clean up). */
int hy_atomic_write(hy_atomic_file *f, const void *data, size_t len, hy_error *err);
/* fsync, close and rename over the final name; aborts on failure. */
int hy_atomic_commit(hy_atomic_file *f, hy_error *err);
/* Closes and removes the temporary file; safe to call twice. */
void hy_atomic_abort(hy_atomic_file *f);

#ifdef __cplusplus
}
#endif
#endif
