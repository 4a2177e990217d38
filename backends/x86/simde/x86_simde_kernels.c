/* x86_simde_kernels.c — the emulated copy of every AVX-512 / AVX-512-BF16
 * variant of the x86 kernel table (backends/x86/x86_backend.c), paired with
 * the real one by its entry points.  A variant added there with isa avx512
 * or avx512bf16 needs a line here: tests/test_x86_avx512_simde.c fails for
 * every covered variant without one. */
#include "x86_simde_kernels.h"

#include <string.h>

#include "../x86_attention.h"
#include "../x86_bf16.h"
#include "../x86_gemm.h"
#include "../x86_mamba.h"

/* The emulated entry points (defined by the HY_X86_SIMDE build of the same
 * sources; x86_vec.h's HY_X86_SUFFIX, linear_bf16_avx512bf16.c's
 * DP_SUFFIX).  A workspace function that a variant does not have is
 * declared but never referenced. */
#define SIMDE_DECLARE(fam, var, isa)                                                          \
    int hy_x86_##fam##_##var##_##isa##simde(hy_exec *ex, const hy_##fam##_shape *s,           \
                                            const hy_##fam##_args *a, void *work,             \
                                            hy_error *err);                                   \
    size_t hy_x86_##fam##_##var##_workspace_##isa##simde(const hy_##fam##_shape *s);

SIMDE_DECLARE(linear, packed, avx512)
SIMDE_DECLARE(linear, dpbf16, avx512bf16)
SIMDE_DECLARE(linear, packed_bf16w, avx512)
SIMDE_DECLARE(rmsnorm, rowwise, avx512)
SIMDE_DECLARE(conv1d, direct, avx512)
SIMDE_DECLARE(scan, fused, avx512)
SIMDE_DECLARE(scan, chunked, avx512)
SIMDE_DECLARE(ssd, chunked, avx512)
SIMDE_DECLARE(attention, flash, avx512)
SIMDE_DECLARE(attention, decode, avx512)
SIMDE_DECLARE(attention, decode_bf16kv, avx512)
SIMDE_DECLARE(moe, grouped, avx512)
SIMDE_DECLARE(moe, token, avx512)
SIMDE_DECLARE(mlp, swiglu, avx512)

typedef struct simde_pair {
    hy_kernel_variant real, emulated; /* family and impl set */
} simde_pair;

/* A variant with a workspace function, and one without. */
#define SIMDE_PAIR(fam, FAM, var, isa)                                                        \
    {.real = {.family = HY_FAM_##FAM,                                                         \
              .impl.fam = {hy_x86_##fam##_##var##_##isa,                                      \
                           hy_x86_##fam##_##var##_workspace_##isa}},                          \
     .emulated = {.family = HY_FAM_##FAM,                                                     \
                  .impl.fam = {hy_x86_##fam##_##var##_##isa##simde,                           \
                               hy_x86_##fam##_##var##_workspace_##isa##simde}}}
#define SIMDE_PAIR_NO_WS(fam, FAM, var, isa)                                                  \
    {.real = {.family = HY_FAM_##FAM, .impl.fam = {hy_x86_##fam##_##var##_##isa, NULL}},      \
     .emulated = {.family = HY_FAM_##FAM,                                                     \
                  .impl.fam = {hy_x86_##fam##_##var##_##isa##simde, NULL}}}

static const simde_pair simde_pairs[] = {
    SIMDE_PAIR(linear, LINEAR, packed, avx512),
    SIMDE_PAIR(linear, LINEAR, dpbf16, avx512bf16),
    SIMDE_PAIR(linear, LINEAR, packed_bf16w, avx512),
    SIMDE_PAIR_NO_WS(rmsnorm, RMSNORM, rowwise, avx512),
    SIMDE_PAIR(conv1d, CONV1D, direct, avx512),
    SIMDE_PAIR_NO_WS(scan, SCAN, fused, avx512),
    SIMDE_PAIR(scan, SCAN, chunked, avx512),
    SIMDE_PAIR(ssd, SSD, chunked, avx512),
    SIMDE_PAIR(attention, ATTENTION, flash, avx512),
    SIMDE_PAIR(attention, ATTENTION, decode, avx512),
    SIMDE_PAIR(attention, ATTENTION, decode_bf16kv, avx512),
    SIMDE_PAIR(moe, MOE, grouped, avx512),
    SIMDE_PAIR(moe, MOE, token, avx512),
    SIMDE_PAIR(mlp, MLP, swiglu, avx512),
};
#define N_PAIRS (sizeof simde_pairs / sizeof simde_pairs[0])

int hy_x86_simde_covers(const hy_kernel_variant *v)
{
    return v && v->isa && (!strcmp(v->isa, "avx512") || !strcmp(v->isa, "avx512bf16"));
}

/* Every member of the impl union is {run, workspace}: two pointers. */
static int same_entry_points(const hy_kernel_variant *a, const hy_kernel_variant *b)
{
    return a->family == b->family && !memcmp(&a->impl, &b->impl, sizeof a->impl);
}

int hy_x86_simde_variant(const hy_kernel_variant *real, hy_kernel_variant *out, hy_error *err)
{
    if (!real || !out) return hy_fail(err, "simde: variant or output is NULL");
    if (!hy_x86_simde_covers(real))
        return hy_fail(err, "simde: %s/%s has isa %s, not avx512 or avx512bf16",
                       hy_family_name(real->family), real->name, real->isa);
    for (size_t i = 0; i < N_PAIRS; i++) {
        if (!same_entry_points(&simde_pairs[i].real, real)) continue;
        *out = *real;
        out->impl = simde_pairs[i].emulated.impl;
        out->isa = "avx2"; /* the emulated code uses AVX2, FMA and F16C only */
        return 0;
    }
    return hy_fail(err,
                   "simde: %s/%s (isa %s) has no emulated counterpart: add it to "
                   "backends/x86/simde/x86_simde_kernels.c",
                   hy_family_name(real->family), real->name, real->isa);
}

size_t hy_x86_simde_count(void)
{
    return N_PAIRS;
}

void hy_x86_simde_real(size_t i, hy_kernel_variant *out)
{
    memset(out, 0, sizeof *out);
    if (i < N_PAIRS) *out = simde_pairs[i].real;
}
