/* hy_isa.c — instruction-set usability of kernel variants (hy_isa.h). */
#include "hy_isa.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hy_cpu_info.h"

typedef struct isa_def {
    const char *name;
    int x86_level;               /* order for HYBENCH_ISA; 0 = not capped */
    const char *features[6];     /* every one must be usable */
} isa_def;

static const isa_def isas[] = {
    {"c", 0, {NULL}},
    {"avx2", 1, {"avx", "avx2", "fma", NULL}},
    {"avx512", 2, {"avx2", "fma", "avx512f", "avx512bw", "avx512vl", "avx512dq"}},
    {"avx512bf16", 3, {"avx2", "avx512f", "avx512bw", "avx512vl", "avx512_bf16", NULL}},
    {"neon", 0, {"asimd", NULL}},
    {"sve", 0, {"sve", NULL}},
    {"cuda", 0, {NULL}},
    {"hip", 0, {NULL}},
};

static hy_cpu_info cpu;
static pthread_once_t cpu_once = PTHREAD_ONCE_INIT;

static void read_cpu(void)
{
    hy_cpu_info_get(&cpu);
}

static const isa_def *find_isa(const char *name)
{
    for (size_t i = 0; i < sizeof isas / sizeof isas[0]; i++)
        if (name && strcmp(isas[i].name, name) == 0) return &isas[i];
    return NULL;
}

int hy_isa_usable(const char *isa, char *why, size_t why_len)
{
    char scratch[8];
    if (!why || !why_len) why = scratch, why_len = sizeof scratch;
    why[0] = 0;
    const isa_def *d = find_isa(isa);
    if (!d) {
        snprintf(why, why_len, "unknown instruction set %s", isa ? isa : "(none)");
        return 0;
    }
    pthread_once(&cpu_once, read_cpu);
    for (int f = 0; f < 6 && d->features[f]; f++) {
        if (hy_cpu_has(&cpu, d->features[f])) continue;
        int hardware = 0;
        for (size_t k = 0; k < cpu.n_features; k++)
            if (strcmp(cpu.features[k].name, d->features[f]) == 0) hardware = cpu.features[k].hardware;
        snprintf(why, why_len, hardware ? "OS does not enable the registers of %s"
                                        : "CPU lacks %s", d->features[f]);
        return 0;
    }
    const char *cap = getenv("HYBENCH_ISA");
    if (cap && *cap && d->x86_level > 0) {
        const isa_def *c = find_isa(cap);
        if (!c || (c->x86_level == 0 && strcmp(cap, "c") != 0)) {
            snprintf(why, why_len, "HYBENCH_ISA=%s is not an x86 level (c, avx2, avx512, avx512bf16)", cap);
            return 0;
        }
        if (d->x86_level > c->x86_level) {
            snprintf(why, why_len, "above HYBENCH_ISA=%s", cap);
            return 0;
        }
    }
    return 1;
}

int hy_variant_usable(const hy_kernel_variant *v, char *why, size_t why_len)
{
    return hy_isa_usable(v ? v->isa : NULL, why, why_len);
}
