/* hy_cpu_info.h — what CPU this is and which vector features it can use.
 *
 * On x86 the features come from CPUID, and a feature counts as usable only
 * when the operating system also saves the register state it needs
 * (CPUID.OSXSAVE, then XCR0 via XGETBV: SSE+YMM state for AVX/AVX2/FMA,
 * opmask+ZMM state for AVX-512, tile state for AMX).  On other
 * architectures the features are the kernel's list in /proc/cpuinfo
 * ("Features" or "flags"), or the AT_HWCAP bits when /proc is missing; the
 * kernel only lists what it has enabled, so hardware == usable there. */
#ifndef HY_CPU_INFO_H
#define HY_CPU_INFO_H

#include <stddef.h>

#define HY_CPU_MAX_FEATURES 48

typedef struct hy_cpu_feature {
    char name[24];  /* "avx2", "avx512f", "asimd", "sve", ... */
    int hardware;   /* the CPU reports it                     */
    int usable;     /* and the OS has enabled its registers   */
} hy_cpu_feature;

typedef struct hy_cpu_info {
    char arch[16];    /* "x86_64", "aarch64", ...                     */
    char model[128];  /* /proc/cpuinfo model name, or CPUID brand     */
    int logical_cpus; /* online logical CPUs                          */
    /* x86 only: state the OS saves (XCR0); -1 elsewhere. */
    int os_xsave;     /* CPUID.1:ECX.OSXSAVE                          */
    int os_ymm;       /* XCR0 bits 1-2: SSE + AVX state               */
    int os_zmm;       /* XCR0 bits 5-7: opmask, ZMM_Hi256, Hi16_ZMM   */
    int os_amx;       /* XCR0 bits 17-18: TILECFG, TILEDATA           */
    const char *source; /* where the feature list came from           */
    size_t n_features;
    hy_cpu_feature features[HY_CPU_MAX_FEATURES];
} hy_cpu_info;

/* Fills *out.  Never fails: what cannot be read is left empty ("unknown"). */
void hy_cpu_info_get(hy_cpu_info *out);

/* 1 if the named feature is present and usable, 0 otherwise. */
int hy_cpu_has(const hy_cpu_info *ci, const char *name);

/* Space-separated list of usable features, and of features the hardware
 * has but the OS left disabled ("" when none). */
void hy_cpu_feature_list(const hy_cpu_info *ci, int usable, char *buf, size_t len);

#endif
