/* hy_cache_info.h — data cache sizes of this machine, for sizing the
 * working sets of `hybench ceilings` (L1-, L2-resident and DRAM arrays).
 *
 * Each level comes, in order of preference, from
 *   1. sysfs, /sys/devices/system/cpu/cpu0/cache/index*: the kernel's view
 *      of one cache instance as the CPU it runs on sees it;
 *   2. sysconf(_SC_LEVEL1_DCACHE_SIZE ...) (glibc, from CPUID).  Second
 *      because glibc reports some caches per package rather than per
 *      instance: on an AMD EPYC it gives the whole socket's L3 (eight
 *      32 MiB slices as 256 MiB) where one core reaches 32 MiB;
 *   3. a default, marked "assumed": L1d 32 KiB, L2 1 MiB, L3 32 MiB.
 * When sysfs lists a CPU's caches and none is level 3, the machine has no
 * L3 (bytes 0, source "sysfs") and the L2 is the last level. */
#ifndef HY_CACHE_INFO_H
#define HY_CACHE_INFO_H

#include <stddef.h>

#define HY_CACHE_DEFAULT_L1D (32u * 1024u)
#define HY_CACHE_DEFAULT_L2 (1024u * 1024u)
#define HY_CACHE_DEFAULT_L3 (32u * 1024u * 1024u)
#define HY_CACHE_DEFAULT_LINE 64u

typedef struct hy_cache_level {
    size_t bytes;       /* size of one instance; 0 when the level does not exist */
    int shared_by_cpus; /* logical CPUs sharing one instance; 0 when unknown     */
    const char *source; /* "sysfs", "sysconf" or "assumed"                       */
} hy_cache_level;

typedef struct hy_cache_info {
    hy_cache_level l1d, l2, l3;
    size_t line_bytes;
    const char *line_source;
} hy_cache_info;

/* Fills *out for this machine.  Never fails: unknown levels are assumed. */
void hy_cache_info_detect(hy_cache_info *out);

/* The same from a given sysfs cache folder (for tests: a made-up tree),
 * consulting sysconf only when use_sysconf is non-zero.  cache_dir is the
 * folder holding index0, index1, ... (NULL: skip sysfs). */
void hy_cache_info_detect_from(const char *cache_dir, int use_sysconf, hy_cache_info *out);

/* Bytes of the last-level cache (L3, or L2 when there is no L3). */
size_t hy_cache_llc_bytes(const hy_cache_info *ci);

/* Parses a sysfs size: "32K", "1024K", "1M", "32768K", "512" (bytes),
 * with an optional trailing newline.  Returns 0, or -1 when malformed. */
int hy_cache_parse_size(const char *text, size_t *bytes);

/* Counts the CPUs in a sysfs CPU list ("0-3,8,10-11" -> 7); -1 when
 * malformed. */
int hy_cache_count_cpu_list(const char *text);

#endif
