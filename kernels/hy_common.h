/* hy_common.h — types shared by every part of hybench: errors, dtypes,
 * kernel families.  Depends on nothing but the C standard library.
 *
 * Conventions used by every header in kernels/:
 *   - Tensors are row-major; a shape comment [A, B] means B is contiguous.
 *   - A "_stride" member is the distance, in elements, between consecutive
 *     rows of a tensor that lives inside a wider buffer (for example the
 *     x half of Mamba's in_proj output, [T, 2*Di], has stride 2*Di).
 *   - Functions return 0 on success and -1 on failure, with the reason in
 *     the hy_error they were given.  Library code never calls exit().
 */
#ifndef HY_COMMON_H
#define HY_COMMON_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* An error message.  Filled by hy_fail(); empty when nothing failed. */
typedef struct hy_error {
    char msg[512];
} hy_error;

/* Formats a message into err (if err is non-NULL) and returns -1, so that
 * failures read as `return hy_fail(err, "bad %s", what);`. */
int hy_fail(hy_error *err, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Prefixes an existing message with context ("loading x: <old message>")
 * and returns -1. */
int hy_fail_prefix(hy_error *err, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Storage types of tensors in files and in kernels. */
typedef enum hy_dtype {
    HY_F32 = 0,
    HY_F16 = 1,
    HY_BF16 = 2,
} hy_dtype;

size_t hy_dtype_size(hy_dtype t);                 /* bytes per element */
const char *hy_dtype_name(hy_dtype t);            /* "f32", "f16", "bf16" */
int hy_dtype_parse(const char *s, hy_dtype *out); /* accepts f32/f16/bf16, F32/F16/BF16, float32/float16/bfloat16 */
double hy_dtype_epsilon(hy_dtype t);              /* unit roundoff: 2^-24, 2^-11, 2^-8 */

/* Scalar conversions (round to nearest even; NaN stays NaN). */
float hy_bf16_to_f32(uint16_t h);
uint16_t hy_f32_to_bf16(float f);
float hy_f16_to_f32(uint16_t h);
uint16_t hy_f32_to_f16(float f);

/* The kernel families.  Order is the order of tables and reports. */
typedef enum hy_family {
    HY_FAM_LINEAR = 0, /* y = x W^T + b                                  */
    HY_FAM_RMSNORM,    /* y = w * x / sqrt(mean(x^2) + eps)               */
    HY_FAM_CONV1D,     /* causal depthwise conv1d (+ bias, + SiLU), state */
    HY_FAM_SCAN,       /* Mamba-1 selective scan, Jamba form              */
    HY_FAM_SSD,        /* Mamba-2 state-space duality, chunked            */
    HY_FAM_ATTENTION,  /* causal GQA attention against a KV cache          */
    HY_FAM_MOE,        /* router softmax, top-k, SwiGLU experts, combine  */
    HY_FAM_MLP,        /* dense SwiGLU MLP                                */
    HY_FAM_COUNT
} hy_family;

const char *hy_family_name(hy_family f);                /* "linear", "scan", ... */
int hy_family_parse(const char *name, hy_family *out);  /* inverse of the above */

/* Numerics shared by reference and backends (exact formulas, in double). */
double hy_silu(double x);     /* x / (1 + exp(-x)) */
double hy_softplus(double x); /* log(1 + exp(x)); identity for x > 20 (as torch) */

#ifdef __cplusplus
}
#endif
#endif
