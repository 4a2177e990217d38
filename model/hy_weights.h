/* hy_weights.h — a model in host memory: its config and its weights.
 * Weights come from seeded random initialisation or from a safetensors
 * model directory (Hugging Face names, legacy names too).  F32 tensors are
 * used in place from the memory map; F16/BF16 tensors are converted to f32
 * once at load. */
#ifndef HY_WEIGHTS_H
#define HY_WEIGHTS_H

#include "hy_model.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct hy_model hy_model;
struct hy_model {
    hy_config config;
    hy_model_weights w;   /* host pointers, valid until hy_model_free */
    void *owner;          /* private: buffers and mappings */
};

/* Random weights, deterministic for a seed (same seed, same weights on
 * every machine): Linear/Conv/embedding N(0, 0.02); A_log = log(1..N);
 * D = 1; dt bias so that softplus gives dt log-uniform in [1e-3, 1e-1]
 * (Mamba's init); norm weights 1 + U(-0.1, 0.1) so that a kernel ignoring
 * them fails validation.  Biases (in_proj, out_proj, conv1d) are N(0, 0.02)
 * too, not zero, for the same reason.  Each tensor draws from its own
 * splitmix64 stream seeded by (seed, tensor name); normals by Box-Muller. */
int hy_model_random(const hy_config *c, uint64_t seed, hy_model **out, hy_error *err);

/* Loads config.json and the safetensors tensors of a directory.  Every
 * expected tensor must exist with its exact shape; a missing or misshaped
 * tensor is an error naming it. */
int hy_model_load_dir(const char *dir, hy_model **out, hy_error *err);

/* Writes config.json and model.safetensors (HF names, dtype f32/bf16/f16)
 * into dir (created if needed). */
int hy_model_save_dir(const hy_model *m, const char *dir, hy_dtype dtype, hy_error *err);

void hy_model_free(hy_model *m);

/* How a model's tensors are held: `mapped` tensors are used in place from
 * the file mapping (F32, 4-byte aligned: zero copy); `converted` tensors
 * were converted into owned f32 buffers (F16/BF16, misaligned F32, random
 * init), `converted_bytes` in all. */
typedef struct hy_model_storage {
    size_t mapped;
    size_t converted;
    size_t converted_bytes;
} hy_model_storage;
hy_model_storage hy_model_storage_info(const hy_model *m);

/* The HF tensor name of every weight of layer `layer` or of the model, in
 * file order; used by the loader, the writer and the tests. */
typedef struct hy_tensor_spec {
    char name[128];
    int ndim;
    int64_t shape[4];
} hy_tensor_spec;
/* Fills specs (up to max) and returns how many tensors the model has. */
size_t hy_model_tensor_specs(const hy_config *c, hy_tensor_spec *specs, size_t max);

#ifdef __cplusplus
}
#endif
#endif
