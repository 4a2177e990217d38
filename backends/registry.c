/* registry.c — the backends compiled in, in preference order, and the
 * choice of a variant per family (backends/backend.h).
 *
 * Adding a backend is one line in `registry` below, guarded by its
 * HYBENCH_HAVE_<X> macro, plus its header in the include block.  Each
 * backend's header declares `extern const hy_backend hy_backend_<x>;`. */
#include "backend.h"
#include "hy_isa.h"

#include "cpu/cpu_backend.h"
#ifdef HYBENCH_HAVE_CUDA
#include "cuda/cuda_backend.h"
#endif
#ifdef HYBENCH_HAVE_HIP
#include "hip/hip_backend.h"
#endif
#ifdef HYBENCH_HAVE_X86
#include "x86/x86_backend.h"
#endif
#ifdef HYBENCH_HAVE_ARM
#include "arm/arm_backend.h"
#endif

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Best first: accelerators, then ISA-specific host backends, then the
 * portable cpu backend, which is always present and always usable. */
static const hy_backend *const registry[] = {
#ifdef HYBENCH_HAVE_CUDA
    &hy_backend_cuda,
#endif
#ifdef HYBENCH_HAVE_HIP
    &hy_backend_hip,
#endif
#ifdef HYBENCH_HAVE_X86
    &hy_backend_x86,
#endif
#ifdef HYBENCH_HAVE_ARM
    &hy_backend_arm,
#endif
    &hy_backend_cpu,
};

const hy_backend *const *hy_backends(size_t *count)
{
    if (count) *count = sizeof registry / sizeof registry[0];
    return registry;
}

const hy_backend *hy_backend_find(const char *name)
{
    if (!name) return NULL;
    for (size_t i = 0; i < sizeof registry / sizeof registry[0]; i++)
        if (strcmp(registry[i]->name, name) == 0) return registry[i];
    return NULL;
}

const hy_backend *hy_backend_best(void)
{
    for (size_t i = 0; i < sizeof registry / sizeof registry[0]; i++) {
        char why[256];
        if (registry[i]->probe && registry[i]->probe(why, sizeof why)) return registry[i];
    }
    return NULL; /* not reached while cpu is compiled in */
}

size_t hy_backend_variants(const hy_backend *b, hy_family f, const hy_kernel_variant **out,
                           size_t max)
{
    size_t n = 0;
    if (!b || !b->kernels) return 0;
    for (size_t i = 0; i < b->n_kernels; i++)
        if (b->kernels[i].family == f) {
            if (out && n < max) out[n] = &b->kernels[i];
            n++;
        }
    return n;
}

/* "HYBENCH_VARIANT_" + upper-case family name. */
static void variant_env_name(hy_family f, char *buf, size_t len)
{
    int n = snprintf(buf, len, "HYBENCH_VARIANT_");
    const char *fam = hy_family_name(f);
    for (size_t i = 0; fam[i] && (size_t)n + 1 < len; i++, n++)
        buf[n] = (char)toupper((unsigned char)fam[i]);
    buf[n] = 0;
}

const hy_kernel_variant *hy_backend_select_explain(const hy_backend *b, hy_family f, char *why,
                                                   size_t why_len)
{
    char scratch[8];
    if (!why || !why_len) why = scratch, why_len = sizeof scratch;
    why[0] = 0;
    /* The default is the first variant whose instruction set is usable. */
    const hy_kernel_variant *first = NULL, *first_usable = NULL;
    char first_why[128] = "";
    if (b && b->kernels)
        for (size_t i = 0; i < b->n_kernels && !first_usable; i++) {
            if (b->kernels[i].family != f) continue;
            if (!first) first = &b->kernels[i];
            if (hy_variant_usable(&b->kernels[i], first == &b->kernels[i] ? first_why : NULL,
                                  sizeof first_why))
                first_usable = &b->kernels[i];
        }
    if (!first) {
        snprintf(why, why_len, "%s is not supported by this backend", hy_family_name(f));
        return NULL;
    }
    if (!first_usable) {
        snprintf(why, why_len, "no %s variant can run here (%s: %s)", hy_family_name(f),
                 first->name, first_why);
        return NULL;
    }
    char env[64];
    variant_env_name(f, env, sizeof env);
    const char *want = getenv(env);
    if (!want || !*want) {
        if (first_usable == first)
            snprintf(why, why_len, "default");
        else
            snprintf(why, why_len, "first usable (%s: %s)", first->name, first_why);
        return first_usable;
    }
    for (size_t i = 0; i < b->n_kernels; i++)
        if (b->kernels[i].family == f && strcmp(b->kernels[i].name, want) == 0) {
            char not_usable[128];
            if (!hy_variant_usable(&b->kernels[i], not_usable, sizeof not_usable)) {
                snprintf(why, why_len, "%s=%s cannot run here (%s); using %s", env, want,
                         not_usable, first_usable->name);
                return first_usable;
            }
            snprintf(why, why_len, "forced by %s=%s", env, want);
            return &b->kernels[i];
        }
    snprintf(why, why_len, "%s=%s names no variant; using default %s", env, want,
             first_usable->name);
    return first_usable;
}

const hy_kernel_variant *hy_backend_select(const hy_backend *b, hy_family f)
{
    return hy_backend_select_explain(b, f, NULL, 0);
}
