/* hy_topology.c — topology from hwloc or from sysfs, and thread binding.
 * See hy_topology.h. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* cpu_set_t, sched_setaffinity */
#endif
#include "hy_topology.h"

#include <ctype.h>
#include <dirent.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef HYBENCH_HAVE_HWLOC
#include <hwloc.h>
#endif
#ifdef HYBENCH_HAVE_OPENMP
#include <omp.h>
#endif

/* ---- sysfs / sysconf fallback ------------------------------------------------ */

/* Reads a small text file into buf (trailing newline removed); 0 or -1. */
static int read_text(const char *path, char *buf, size_t len)
{
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    size_t n = fread(buf, 1, len - 1, f);
    fclose(f);
    buf[n] = 0;
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' ')) buf[--n] = 0;
    return n > 0 ? 0 : -1;
}

static int read_int(const char *path, long *out)
{
    char buf[64];
    if (read_text(path, buf, sizeof buf)) return -1;
    char *end = NULL;
    long v = strtol(buf, &end, 10);
    if (end == buf) return -1;
    *out = v;
    return 0;
}

/* Number of CPUs in a list such as "0-3,8,10-11"; 0 when malformed. */
static int cpu_list_count(const char *s)
{
    int count = 0;
    while (*s) {
        char *end = NULL;
        long a = strtol(s, &end, 10);
        if (end == s) return 0;
        long b = a;
        s = end;
        if (*s == '-') {
            b = strtol(s + 1, &end, 10);
            if (end == s + 1 || b < a) return 0;
            s = end;
        }
        count += (int)(b - a + 1);
        if (*s == ',') s++;
        else if (*s) return 0;
    }
    return count;
}

/* "32K", "1024K", "32M" -> bytes; 0 when malformed. */
static size_t parse_size(const char *s)
{
    char *end = NULL;
    unsigned long long v = strtoull(s, &end, 10);
    if (end == s) return 0;
    switch (toupper((unsigned char)*end)) {
    case 'K': return (size_t)v * 1024;
    case 'M': return (size_t)v * 1024 * 1024;
    case 'G': return (size_t)v * 1024 * 1024 * 1024;
    default: return (size_t)v;
    }
}

static void add_cache(hy_topology *t, int level, const char *type, size_t bytes, int instances)
{
    if (t->n_caches >= HY_TOPO_MAX_CACHE_LEVELS || bytes == 0) return;
    hy_topo_cache *c = &t->caches[t->n_caches++];
    c->level = level;
    snprintf(c->type, sizeof c->type, "%s", type);
    c->bytes = bytes;
    c->instances = instances;
}

static void detect_sysfs(hy_topology *t)
{
    const char *base = "/sys/devices/system/cpu";
    char path[256];
    long n_onln = sysconf(_SC_NPROCESSORS_ONLN);
    t->pus = n_onln > 0 ? (int)n_onln : 0;

    /* Packages and cores: distinct (package, core) pairs over cpuN. */
    enum { MAX_CPUS = 4096 };
    long *pairs = malloc(sizeof(long) * 2 * MAX_CPUS);
    long packages[256];
    int n_pairs = 0, n_packages = 0;
    DIR *d = opendir(base);
    if (d && pairs) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (strncmp(e->d_name, "cpu", 3) != 0 || !isdigit((unsigned char)e->d_name[3])) continue;
            long pkg = 0, core = 0;
            snprintf(path, sizeof path, "%s/%.64s/topology/physical_package_id", base, e->d_name);
            if (read_int(path, &pkg)) continue; /* offline CPU: no topology directory */
            snprintf(path, sizeof path, "%s/%.64s/topology/core_id", base, e->d_name);
            if (read_int(path, &core)) continue;
            int seen = 0;
            for (int i = 0; i < n_pairs && !seen; i++)
                seen = pairs[2 * i] == pkg && pairs[2 * i + 1] == core;
            if (!seen && n_pairs < MAX_CPUS) {
                pairs[2 * n_pairs] = pkg;
                pairs[2 * n_pairs + 1] = core;
                n_pairs++;
            }
            seen = 0;
            for (int i = 0; i < n_packages && !seen; i++) seen = packages[i] == pkg;
            if (!seen && n_packages < 256) packages[n_packages++] = pkg;
        }
    }
    if (d) closedir(d);
    free(pairs);
    t->cores = n_pairs;
    t->packages = n_packages;

    /* Caches of cpu0 (data and unified), instances = PUs / sharing CPUs. */
    for (int idx = 0; idx < 16; idx++) {
        char type[32], size[32], shared[256];
        long level = 0;
        snprintf(path, sizeof path, "%s/cpu0/cache/index%d/type", base, idx);
        if (read_text(path, type, sizeof type)) break;
        if (strcmp(type, "Instruction") == 0) continue;
        snprintf(path, sizeof path, "%s/cpu0/cache/index%d/level", base, idx);
        if (read_int(path, &level)) continue;
        snprintf(path, sizeof path, "%s/cpu0/cache/index%d/size", base, idx);
        if (read_text(path, size, sizeof size)) continue;
        int sharing = 0;
        snprintf(path, sizeof path, "%s/cpu0/cache/index%d/shared_cpu_list", base, idx);
        if (read_text(path, shared, sizeof shared) == 0) sharing = cpu_list_count(shared);
        int instances = sharing > 0 && t->pus > 0 ? (t->pus + sharing - 1) / sharing : 0;
        add_cache(t, (int)level, strcmp(type, "Data") == 0 ? "data" : "unified", parse_size(size),
                  instances);
    }

    /* NUMA nodes. */
    int nodes = 0;
    d = opendir("/sys/devices/system/node");
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL)
            if (strncmp(e->d_name, "node", 4) == 0 && isdigit((unsigned char)e->d_name[4])) nodes++;
        closedir(d);
    }
    t->numa_nodes = nodes;
    snprintf(t->source, sizeof t->source, "sysfs+sysconf");
    char missing[120] = "";
    if (!t->cores) strcat(missing, " cores");
    if (!t->packages) strcat(missing, " packages");
    if (!t->n_caches) strcat(missing, " caches");
    if (!t->numa_nodes) strcat(missing, " numa");
    if (missing[0])
        snprintf(t->note, sizeof t->note, "not found in /sys:%s", missing);
}

/* ---- hwloc --------------------------------------------------------------------- */

#ifdef HYBENCH_HAVE_HWLOC
static int detect_hwloc(hy_topology *t, hy_error *err)
{
    hwloc_topology_t topo;
    if (hwloc_topology_init(&topo) != 0) return hy_fail(err, "hwloc_topology_init failed");
    if (hwloc_topology_load(topo) != 0) {
        hwloc_topology_destroy(topo);
        return hy_fail(err, "hwloc_topology_load failed");
    }
    unsigned v = hwloc_get_api_version();
    snprintf(t->source, sizeof t->source, "hwloc %u.%u.%u", v >> 16, (v >> 8) & 0xff, v & 0xff);
    t->packages = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_PACKAGE);
    t->cores = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_CORE);
    t->pus = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_PU);
    t->numa_nodes = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_NUMANODE);
    static const hwloc_obj_type_t levels[] = {HWLOC_OBJ_L1CACHE, HWLOC_OBJ_L2CACHE,
                                              HWLOC_OBJ_L3CACHE, HWLOC_OBJ_L4CACHE};
    for (int l = 0; l < 4; l++) {
        int n = hwloc_get_nbobjs_by_type(topo, levels[l]);
        if (n <= 0) continue;
        hwloc_obj_t o = hwloc_get_obj_by_type(topo, levels[l], 0);
        if (!o || !o->attr) continue;
        const char *type = o->attr->cache.type == HWLOC_OBJ_CACHE_DATA ? "data" : "unified";
        add_cache(t, l + 1, type, (size_t)o->attr->cache.size, n);
    }
    hwloc_topology_destroy(topo);
    if (t->cores <= 0 || t->pus <= 0)
        snprintf(t->note, sizeof t->note, "hwloc found no cores or PUs");
    return 0;
}
#endif

int hy_topology_detect(hy_topology *t, hy_error *err)
{
    memset(t, 0, sizeof *t);
#ifdef HYBENCH_HAVE_HWLOC
    if (detect_hwloc(t, err) == 0) return 0;
    char why[200];
    snprintf(why, sizeof why, "%.150s", err ? err->msg : "hwloc failed");
    memset(t, 0, sizeof *t);
    detect_sysfs(t);
    snprintf(t->note, sizeof t->note, "hwloc failed (%.100s); numbers from sysfs", why);
    return -1;
#else
    (void)err;
    detect_sysfs(t);
    if (!t->note[0]) snprintf(t->note, sizeof t->note, "built without hwloc");
    return 0;
#endif
}

/* ---- output ---------------------------------------------------------------------- */

void hy_topology_to_json(hy_strbuf *b, const hy_topology *t, const char *binding)
{
    hy_strbuf_printf(b, "{\"source\": ");
    hy_strbuf_json_string(b, t->source);
    hy_strbuf_printf(b, ", \"packages\": %d, \"cores\": %d, \"pus\": %d, \"numa_nodes\": %d, "
                        "\"caches\": [",
                     t->packages, t->cores, t->pus, t->numa_nodes);
    for (int i = 0; i < t->n_caches; i++) {
        const hy_topo_cache *c = &t->caches[i];
        hy_strbuf_printf(b, "%s{\"level\": %d, \"type\": ", i ? ", " : "", c->level);
        hy_strbuf_json_string(b, c->type);
        hy_strbuf_printf(b, ", \"bytes\": %zu, \"instances\": %d}", c->bytes, c->instances);
    }
    hy_strbuf_printf(b, "], \"note\": ");
    hy_strbuf_json_string(b, t->note);
    hy_strbuf_printf(b, ", \"binding\": ");
    if (binding) hy_strbuf_json_string(b, binding);
    else hy_strbuf_printf(b, "null");
    hy_strbuf_printf(b, "}");
}

static void format_bytes(char *buf, size_t len, size_t bytes)
{
    if (bytes >= (1u << 20) && bytes % (1u << 20) == 0) snprintf(buf, len, "%zu MiB", bytes >> 20);
    else if (bytes >= 1024 && bytes % 1024 == 0) snprintf(buf, len, "%zu KiB", bytes >> 10);
    else snprintf(buf, len, "%zu B", bytes);
}

void hy_topology_summary(const hy_topology *t, char *buf, size_t len)
{
    int n = snprintf(buf, len, "%d package%s, %d core%s, %d PU%s, %d NUMA node%s", t->packages,
                     t->packages == 1 ? "" : "s", t->cores, t->cores == 1 ? "" : "s", t->pus,
                     t->pus == 1 ? "" : "s", t->numa_nodes, t->numa_nodes == 1 ? "" : "s");
    for (int i = 0; i < t->n_caches && n > 0 && (size_t)n < len; i++) {
        char size[32];
        format_bytes(size, sizeof size, t->caches[i].bytes);
        n += snprintf(buf + n, len - (size_t)n, "%sL%d%s %s x%d", i ? ", " : "; ",
                      t->caches[i].level, strcmp(t->caches[i].type, "data") == 0 ? "d" : "", size,
                      t->caches[i].instances);
    }
    if (n > 0 && (size_t)n < len) snprintf(buf + n, len - (size_t)n, " (%s)", t->source);
}

/* ---- binding ------------------------------------------------------------------------ */

#ifndef HYBENCH_HAVE_HWLOC
/* The i-th CPU of the calling process's affinity mask, or -1. */
static int nth_allowed_cpu(int i)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) != 0) return -1;
    int count = CPU_COUNT(&set);
    if (count <= 0) return -1;
    i %= count;
    for (int cpu = 0; cpu < CPU_SETSIZE; cpu++)
        if (CPU_ISSET(cpu, &set) && i-- == 0) return cpu;
    return -1;
}
#endif

int hy_topology_bind_threads(int threads, char *report, size_t report_len, hy_error *err)
{
    int n = 1;
#ifdef HYBENCH_HAVE_OPENMP
    n = threads > 0 ? threads : omp_get_max_threads();
#else
    (void)threads;
#endif
    int failed = 0, failed_thread = -1;
#ifdef HYBENCH_HAVE_HWLOC
    hwloc_topology_t topo;
    if (hwloc_topology_init(&topo) != 0 || hwloc_topology_load(topo) != 0)
        return hy_fail(err, "bind: hwloc could not load the topology");
    int cores = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_CORE);
    if (cores <= 0) {
        hwloc_topology_destroy(topo);
        return hy_fail(err, "bind: hwloc found no cores");
    }
#ifdef HYBENCH_HAVE_OPENMP
#pragma omp parallel num_threads(n) reduction(+ : failed)
#endif
    {
        int i = 0;
#ifdef HYBENCH_HAVE_OPENMP
        i = omp_get_thread_num();
#endif
        hwloc_obj_t core = hwloc_get_obj_by_type(topo, HWLOC_OBJ_CORE, (unsigned)(i % cores));
        hwloc_bitmap_t set = core ? hwloc_bitmap_dup(core->cpuset) : NULL;
        if (!set) {
            failed += 1;
        } else {
            hwloc_bitmap_singlify(set);
            if (hwloc_set_cpubind(topo, set, HWLOC_CPUBIND_THREAD) != 0) failed += 1;
            hwloc_bitmap_free(set);
        }
        if (failed) {
#ifdef HYBENCH_HAVE_OPENMP
#pragma omp critical(hy_topology_bind)
#endif
            failed_thread = i;
        }
    }
    hwloc_topology_destroy(topo);
    if (failed)
        return hy_fail(err, "bind: hwloc_set_cpubind failed for %d thread(s) (thread %d, for one)",
                       failed, failed_thread);
    snprintf(report, report_len, "%d thread%s bound one per core (cores 0-%d of %d) via hwloc", n,
             n == 1 ? "" : "s", (n < cores ? n : cores) - 1, cores);
    return 0;
#else
#ifdef HYBENCH_HAVE_OPENMP
#pragma omp parallel num_threads(n) reduction(+ : failed)
#endif
    {
        int i = 0;
#ifdef HYBENCH_HAVE_OPENMP
        i = omp_get_thread_num();
#endif
        int cpu = nth_allowed_cpu(i);
        cpu_set_t one;
        CPU_ZERO(&one);
        if (cpu >= 0) CPU_SET(cpu, &one);
        if (cpu < 0 || sched_setaffinity(0, sizeof one, &one) != 0) {
            failed += 1;
#ifdef HYBENCH_HAVE_OPENMP
#pragma omp critical(hy_topology_bind)
#endif
            failed_thread = i;
        }
    }
    if (failed)
        return hy_fail(err, "bind: sched_setaffinity failed for %d thread(s) (thread %d, for one)",
                       failed, failed_thread);
    snprintf(report, report_len, "%d thread%s bound one per CPU via sched_setaffinity "
                                 "(built without hwloc)", n, n == 1 ? "" : "s");
    return 0;
#endif
}
