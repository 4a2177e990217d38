/* cmd_info.c — `hybench info`: what built this binary, what the CPU can
 * do, every backend compiled in (available or not and why, its kernel
 * table and the variant chosen per family), and the model presets. */
#include "backend.h"
#include "hy_build_info.h"
#include "hy_cli.h"
#include "hy_isa.h"
#include "hy_config.h"
#include "hy_cpu_info.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const info_help =
    "usage: hybench info\n\n"
    "Prints the version, git commit, compiler and flags of this build, the\n"
    "optional features it was configured with, the CPU model and vector\n"
    "features (and whether the OS enabled the wide registers), each backend\n"
    "compiled in with its kernel table and the variant chosen per family, and\n"
    "the model presets.  A family's variant can be forced with the environment\n"
    "variable HYBENCH_VARIANT_<FAMILY>, e.g. HYBENCH_VARIANT_SCAN=chunked.\n";

static void print_build(void)
{
    printf("hybench %s\n", HYBENCH_VERSION);
    printf("  git commit   %s\n", HYBENCH_GIT_COMMIT);
    printf("  compiler     %s\n", HYBENCH_C_COMPILER);
    printf("  build type   %s\n", HYBENCH_BUILD_TYPE);
    printf("  C flags      %s\n", HYBENCH_C_FLAGS);
}

/* The features file CMake wrote (one "name: state (detail)" per line); when
 * it is gone (binary moved), what the compile definitions say. */
static void print_features(void)
{
    printf("\nbuild features\n");
    FILE *f = fopen(HYBENCH_FEATURES_FILE, "r");
    if (f) {
        char line[1024];
        while (fgets(line, sizeof line, f)) {
            size_t n = strlen(line);
            while (n && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = 0;
            if (n) printf("  %s\n", line);
        }
        fclose(f);
        return;
    }
    printf("  (%s not found: showing what was compiled in)\n", HYBENCH_FEATURES_FILE);
    static const struct { const char *name; int on; } known[] = {
#ifdef HYBENCH_HAVE_OPENMP
        {"openmp", 1},
#else
        {"openmp", 0},
#endif
#ifdef HYBENCH_HAVE_HWLOC
        {"hwloc", 1},
#else
        {"hwloc", 0},
#endif
#ifdef HYBENCH_HAVE_PAPI
        {"papi", 1},
#else
        {"papi", 0},
#endif
#ifdef HYBENCH_HAVE_GBENCH
        {"gbench", 1},
#else
        {"gbench", 0},
#endif
#ifdef HYBENCH_GNUPLOT
        {"gnuplot", 1},
#else
        {"gnuplot", 0},
#endif
    };
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        printf("  %s: %s\n", known[i].name, known[i].on ? "on" : "off");
}

static const char *yes_no(int v)
{
    return v < 0 ? "n/a" : v ? "yes" : "no";
}

static void print_cpu(void)
{
    hy_cpu_info ci;
    hy_cpu_info_get(&ci);
    char usable[1024], disabled[1024];
    hy_cpu_feature_list(&ci, 1, usable, sizeof usable);
    hy_cpu_feature_list(&ci, 0, disabled, sizeof disabled);
    printf("\ncpu\n");
    printf("  model        %s\n", ci.model);
    printf("  arch         %s, %d logical CPUs\n", ci.arch, ci.logical_cpus);
    printf("  features     %s   [%s]\n", usable[0] ? usable : "(none found)", ci.source);
    if (ci.os_xsave >= 0)
        printf("  OS state     xsave %s, ymm (avx) %s, zmm (avx-512) %s, amx tiles %s\n",
               yes_no(ci.os_xsave), yes_no(ci.os_ymm), yes_no(ci.os_zmm), yes_no(ci.os_amx));
    if (disabled[0]) printf("  not enabled by the OS: %s\n", disabled);
}

static void print_backend_table(const hy_backend *b)
{
    char families_missing[256] = "";
    for (int fi = 0; fi < HY_FAM_COUNT; fi++) {
        hy_family f = (hy_family)fi;
        const hy_kernel_variant *vs[32];
        size_t n = hy_backend_variants(b, f, vs, 32);
        if (n == 0) {
            size_t used = strlen(families_missing);
            snprintf(families_missing + used, sizeof families_missing - used, "%s%s",
                     used ? ", " : "", hy_family_name(f));
            continue;
        }
        char why[192];
        const hy_kernel_variant *chosen = hy_backend_select_explain(b, f, why, sizeof why);
        printf("    %-10s default %-12s %s\n", hy_family_name(f), chosen ? chosen->name : "-", why);
        for (size_t i = 0; i < n && i < 32; i++)
        {
            char cannot[160] = "";
            int usable = hy_variant_usable(vs[i], cannot, sizeof cannot);
            printf("      %s %-14s [%s] %s%s%s\n", vs[i] == chosen ? "*" : " ", vs[i]->name,
                   vs[i]->isa ? vs[i]->isa : "?", vs[i]->summary ? vs[i]->summary : "",
                   usable ? "" : " -- cannot run here: ", usable ? "" : cannot);
        }
    }
    printf("    unsupported families: %s\n", families_missing[0] ? families_missing : "none");
}

static void print_backends(void)
{
    size_t n = 0;
    const hy_backend *const *list = hy_backends(&n);
    printf("\nbackends (%zu compiled in, in preference order)\n", n);
    for (size_t i = 0; i < n; i++) {
        const hy_backend *b = list[i];
        char why[512] = "";
        int ok = b->probe ? b->probe(why, sizeof why) : 0;
        printf("  %s %s: %s%s%s\n", b->name, b->version ? b->version : "",
               ok ? "available" : "not available", why[0] ? ": " : "", why);
        if (b->summary) printf("    %s\n", b->summary);
        if (ok && b->describe) {
            char dev[512] = "";
            b->describe(dev, sizeof dev);
            if (dev[0]) printf("    device: %s\n", dev);
        }
        print_backend_table(b);
    }
    const hy_backend *best = hy_backend_best();
    printf("  best available: %s\n", best ? best->name : "none");
}

static void print_presets(void)
{
    size_t n = 0;
    const char *const *names = hy_preset_names(&n);
    printf("\npresets\n");
    for (size_t i = 0; i < n; i++) {
        const char *src = hy_preset_source(names[i]);
        printf("  %-30s %s\n", names[i], src ? src : "");
    }
}

int hy_cmd_info(int argc, char **argv)
{
    int help = 0;
    int rc = hy_cli_parse(argc, argv, NULL, 0, &help);
    if (rc) return rc;
    if (help) {
        fputs(info_help, stdout);
        return HY_EXIT_OK;
    }
    print_build();
    print_features();
    print_cpu();
    print_backends();
    print_presets();
    return fflush(stdout) == 0 ? HY_EXIT_OK : HY_EXIT_FAIL;
}
