/* hy_safetensors.h — safetensors files: reading (memory-mapped), writing,
 * and sharded sets (model.safetensors.index.json).
 *
 * Format: 8-byte little-endian header length n, n bytes of JSON
 * {"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]},
 *  "__metadata__": {...}}, then the data; offsets are relative to the end of
 * the header.  Opening validates everything before any tensor is used:
 * header length within the file, JSON well formed, known dtype, shape
 * product * dtype size == end - begin, offsets in range and not
 * overlapping.  Any violation is a clear error naming the tensor. */
#ifndef HY_SAFETENSORS_H
#define HY_SAFETENSORS_H

#include "hy_common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define HY_ST_MAX_DIMS 8

typedef struct hy_st_tensor {
    const char *name;
    hy_dtype dtype;
    int ndim;
    int64_t shape[HY_ST_MAX_DIMS];
    int64_t numel;
    const void *data; /* points into the mapping; little-endian values */
    size_t nbytes;
    int aligned;      /* data is aligned for direct loads of the dtype (4 bytes
                         for F32, 2 for F16/BF16); safetensors does not
                         guarantee it, hy_st_to_f32 works either way */
} hy_st_tensor;

typedef struct hy_st_file hy_st_file;

/* Opens and validates a file; the data stay memory-mapped until close. */
int hy_st_open(const char *path, hy_st_file **out, hy_error *err);
/* Same validation over a buffer the caller keeps alive (used by the fuzzer
 * and the tests). */
int hy_st_open_buffer(const void *buf, size_t len, hy_st_file **out, hy_error *err);
size_t hy_st_count(const hy_st_file *f);
const hy_st_tensor *hy_st_at(const hy_st_file *f, size_t i);
const hy_st_tensor *hy_st_find(const hy_st_file *f, const char *name);
void hy_st_close(hy_st_file *f);

/* One tensor to write; data holds numel values of `dtype`. */
typedef struct hy_st_entry {
    const char *name;
    hy_dtype dtype;
    int ndim;
    int64_t shape[HY_ST_MAX_DIMS];
    const void *data;
} hy_st_entry;

/* Writes a file atomically (temporary file, then rename). */
int hy_st_write(const char *path, const hy_st_entry *entries, size_t n, hy_error *err);

/* A model directory's tensors: "model.safetensors", or every shard named
 * by "model.safetensors.index.json" (its "weight_map"), or, failing both,
 * the only *.safetensors file present.  A name found in two shards, or a
 * weight_map entry whose shard lacks it, is an error. */
typedef struct hy_st_set hy_st_set;
int hy_st_set_open_dir(const char *dir, hy_st_set **out, hy_error *err);
const hy_st_tensor *hy_st_set_find(const hy_st_set *s, const char *name);
size_t hy_st_set_count(const hy_st_set *s);
const hy_st_tensor *hy_st_set_at(const hy_st_set *s, size_t i);
void hy_st_set_close(hy_st_set *s);

/* Converts one tensor's values to float32.  dst: [numel]. */
void hy_st_to_f32(const hy_st_tensor *t, float *dst);

#ifdef __cplusplus
}
#endif
#endif
