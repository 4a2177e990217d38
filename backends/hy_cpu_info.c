/* hy_cpu_info.c — CPU model and vector features (see hy_cpu_info.h). */
#include "hy_cpu_info.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#if defined(__x86_64__) || defined(__i386__)
#define HY_CPU_X86 1
#include <cpuid.h>
#endif
#if defined(__linux__) && defined(__aarch64__)
#include <sys/auxv.h>
#endif

static void add_feature(hy_cpu_info *ci, const char *name, int hardware, int usable)
{
    if (ci->n_features >= HY_CPU_MAX_FEATURES) return;
    hy_cpu_feature *f = &ci->features[ci->n_features++];
    snprintf(f->name, sizeof f->name, "%s", name);
    f->hardware = hardware;
    f->usable = usable;
}

static void trim(char *s)
{
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == ' ' || s[n - 1] == '\t')) s[--n] = 0;
    size_t lead = strspn(s, " \t");
    if (lead) memmove(s, s + lead, strlen(s + lead) + 1);
}

/* The value of the first "key<spaces>: value" line of /proc/cpuinfo whose
 * key equals `key`; 0 if found. */
static int cpuinfo_value(const char *key, char *out, size_t len)
{
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f) return -1;
    char line[4096];
    int found = -1;
    while (fgets(line, sizeof line, f)) {
        char *colon = strchr(line, ':');
        if (!colon) continue;
        *colon = 0;
        trim(line);
        if (strcmp(line, key) != 0) continue;
        char *value = colon + 1;
        trim(value);
        snprintf(out, len, "%s", value);
        found = 0;
        break;
    }
    fclose(f);
    return found;
}

#ifdef HY_CPU_X86
static uint64_t read_xcr0(void)
{
    uint32_t lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((uint64_t)hi << 32) | lo;
}

static void x86_brand(char *out, size_t len)
{
    unsigned a = 0, b = 0, c = 0, d = 0, max_ext = 0;
    if (!__get_cpuid(0x80000000u, &max_ext, &b, &c, &d) || max_ext < 0x80000004u) return;
    uint32_t words[12];
    for (unsigned i = 0; i < 3; i++) {
        if (!__get_cpuid(0x80000002u + i, &a, &b, &c, &d)) return;
        words[4 * i + 0] = a;
        words[4 * i + 1] = b;
        words[4 * i + 2] = c;
        words[4 * i + 3] = d;
    }
    char brand[49];
    memcpy(brand, words, 48);
    brand[48] = 0;
    trim(brand);
    snprintf(out, len, "%s", brand);
}

static void x86_features(hy_cpu_info *ci)
{
    unsigned a = 0, b = 0, c = 0, d = 0;
    unsigned max_leaf = __get_cpuid_max(0, NULL);
    unsigned ecx1 = 0, ebx7 = 0, ecx7 = 0, edx7 = 0, eax71 = 0;
    if (max_leaf >= 1 && __get_cpuid(1, &a, &b, &c, &d)) ecx1 = c;
    if (max_leaf >= 7) {
        __cpuid_count(7, 0, a, b, c, d);
        ebx7 = b;
        ecx7 = c;
        edx7 = d;
        unsigned max_sub = a;
        if (max_sub >= 1) {
            __cpuid_count(7, 1, a, b, c, d);
            eax71 = a;
        }
    }
    ci->os_xsave = (ecx1 >> 27) & 1;
    uint64_t xcr0 = ci->os_xsave ? read_xcr0() : 0;
    ci->os_ymm = (xcr0 & 0x6) == 0x6;
    ci->os_zmm = ci->os_ymm && (xcr0 & 0xe0) == 0xe0;
    ci->os_amx = (xcr0 & 0x60000) == 0x60000;
    ci->source = "cpuid + xgetbv";

#define BIT(reg, n) (((reg) >> (n)) & 1u)
    add_feature(ci, "sse4.2", BIT(ecx1, 20), BIT(ecx1, 20));
    add_feature(ci, "avx", BIT(ecx1, 28), BIT(ecx1, 28) && ci->os_ymm);
    add_feature(ci, "f16c", BIT(ecx1, 29), BIT(ecx1, 29) && ci->os_ymm);
    add_feature(ci, "fma", BIT(ecx1, 12), BIT(ecx1, 12) && ci->os_ymm);
    add_feature(ci, "avx2", BIT(ebx7, 5), BIT(ebx7, 5) && ci->os_ymm);
    add_feature(ci, "avx_vnni", BIT(eax71, 4), BIT(eax71, 4) && ci->os_ymm);
    add_feature(ci, "avx512f", BIT(ebx7, 16), BIT(ebx7, 16) && ci->os_zmm);
    add_feature(ci, "avx512dq", BIT(ebx7, 17), BIT(ebx7, 17) && ci->os_zmm);
    add_feature(ci, "avx512bw", BIT(ebx7, 30), BIT(ebx7, 30) && ci->os_zmm);
    add_feature(ci, "avx512vl", BIT(ebx7, 31), BIT(ebx7, 31) && ci->os_zmm);
    add_feature(ci, "avx512_vnni", BIT(ecx7, 11), BIT(ecx7, 11) && ci->os_zmm);
    add_feature(ci, "avx512_bf16", BIT(eax71, 5), BIT(eax71, 5) && ci->os_zmm);
    add_feature(ci, "avx512_fp16", BIT(edx7, 23), BIT(edx7, 23) && ci->os_zmm);
    add_feature(ci, "amx_tile", BIT(edx7, 24), BIT(edx7, 24) && ci->os_amx);
    add_feature(ci, "amx_bf16", BIT(edx7, 22), BIT(edx7, 22) && ci->os_amx);
    add_feature(ci, "amx_int8", BIT(edx7, 25), BIT(edx7, 25) && ci->os_amx);
#undef BIT
}
#endif

#ifndef HY_CPU_X86
/* Non-x86: the feature words of /proc/cpuinfo ("Features" on Arm, "flags"
 * or "isa" elsewhere).  On aarch64 the interesting ones are listed first
 * (present or not), the rest follow while there is room. */
static void listed_features(hy_cpu_info *ci)
{
    char line[4096] = "";
    if (cpuinfo_value("Features", line, sizeof line) == 0 ||
        cpuinfo_value("flags", line, sizeof line) == 0 ||
        cpuinfo_value("isa", line, sizeof line) == 0)
        ci->source = "/proc/cpuinfo";
#if defined(__linux__) && defined(__aarch64__)
    static const struct { const char *name; int hwcap2; unsigned long bit; } arm[] = {
        /* bit numbers from the Linux arm64 uapi <asm/hwcap.h> */
        {"fp", 0, 1ul << 0},        {"asimd", 0, 1ul << 1},   {"asimdhp", 0, 1ul << 10},
        {"asimddp", 0, 1ul << 20},  {"sve", 0, 1ul << 22},    {"sve2", 1, 1ul << 1},
        {"i8mm", 1, 1ul << 13},     {"bf16", 1, 1ul << 14},   {"sme", 1, 1ul << 23},
    };
    unsigned long hwcap = getauxval(AT_HWCAP), hwcap2 = getauxval(AT_HWCAP2);
    if (!ci->source) ci->source = "getauxval(AT_HWCAP)";
    for (size_t i = 0; i < sizeof arm / sizeof arm[0]; i++) {
        int have;
        if (line[0]) {
            char padded[4100];
            snprintf(padded, sizeof padded, " %s ", line);
            char needle[32];
            snprintf(needle, sizeof needle, " %s ", arm[i].name);
            have = strstr(padded, needle) != NULL;
        } else {
            have = ((arm[i].hwcap2 ? hwcap2 : hwcap) & arm[i].bit) != 0;
        }
        add_feature(ci, arm[i].name, have, have);
    }
#endif
    for (char *save = NULL, *tok = strtok_r(line, " \t", &save); tok;
         tok = strtok_r(NULL, " \t", &save)) {
        int known = 0;
        for (size_t i = 0; i < ci->n_features; i++)
            if (strcmp(ci->features[i].name, tok) == 0) known = 1;
        if (!known) add_feature(ci, tok, 1, 1);
    }
}
#endif

void hy_cpu_info_get(hy_cpu_info *out)
{
    memset(out, 0, sizeof *out);
    out->os_xsave = out->os_ymm = out->os_zmm = out->os_amx = -1;
#if defined(__x86_64__)
    snprintf(out->arch, sizeof out->arch, "x86_64");
#elif defined(__i386__)
    snprintf(out->arch, sizeof out->arch, "x86");
#elif defined(__aarch64__)
    snprintf(out->arch, sizeof out->arch, "aarch64");
#elif defined(__arm__)
    snprintf(out->arch, sizeof out->arch, "arm");
#elif defined(__riscv)
    snprintf(out->arch, sizeof out->arch, "riscv");
#elif defined(__powerpc64__)
    snprintf(out->arch, sizeof out->arch, "ppc64");
#else
    snprintf(out->arch, sizeof out->arch, "unknown");
#endif
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    out->logical_cpus = n > 0 ? (int)n : 1;

    if (cpuinfo_value("model name", out->model, sizeof out->model) != 0 &&
        cpuinfo_value("Model", out->model, sizeof out->model) != 0 &&
        cpuinfo_value("Hardware", out->model, sizeof out->model) != 0) {
        char impl[32], part[32];
        if (cpuinfo_value("CPU implementer", impl, sizeof impl) == 0 &&
            cpuinfo_value("CPU part", part, sizeof part) == 0)
            snprintf(out->model, sizeof out->model, "implementer %s part %s", impl, part);
    }
#ifdef HY_CPU_X86
    if (!out->model[0]) x86_brand(out->model, sizeof out->model);
    x86_features(out);
#else
    listed_features(out);
#endif
    if (!out->model[0]) snprintf(out->model, sizeof out->model, "unknown");
    if (!out->source) out->source = "none (no /proc/cpuinfo)";
}

int hy_cpu_has(const hy_cpu_info *ci, const char *name)
{
    for (size_t i = 0; i < ci->n_features; i++)
        if (strcmp(ci->features[i].name, name) == 0) return ci->features[i].usable;
    return 0;
}

void hy_cpu_feature_list(const hy_cpu_info *ci, int usable, char *buf, size_t len)
{
    size_t used = 0;
    if (len) buf[0] = 0;
    for (size_t i = 0; i < ci->n_features && used < len; i++) {
        const hy_cpu_feature *f = &ci->features[i];
        int want = usable ? f->usable : (f->hardware && !f->usable);
        if (!want) continue;
        int w = snprintf(buf + used, len - used, "%s%s", used ? " " : "", f->name);
        if (w < 0) break;
        used += (size_t)w;
    }
}
