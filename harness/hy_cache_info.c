/* hy_cache_info.c — cache sizes from sysfs, sysconf or defaults (see
 * hy_cache_info.h). */
#include "hy_cache_info.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SYSFS_CACHE_DIR "/sys/devices/system/cpu/cpu0/cache"
#define MAX_INDEX 16

int hy_cache_parse_size(const char *text, size_t *bytes)
{
    if (!text) return -1;
    const char *p = text;
    if (*p < '0' || *p > '9') return -1;
    uint64_t v = 0;
    while (*p >= '0' && *p <= '9') {
        if (v > (UINT64_MAX - 9) / 10) return -1;
        v = v * 10 + (uint64_t)(*p - '0');
        p++;
    }
    uint64_t mult = 1;
    if (*p == 'K' || *p == 'k') mult = 1024, p++;
    else if (*p == 'M' || *p == 'm') mult = 1024 * 1024, p++;
    else if (*p == 'G' || *p == 'g') mult = 1024 * 1024 * 1024, p++;
    if (*p == '\n') p++;
    if (*p != 0) return -1;
    if (v > SIZE_MAX / mult) return -1;
    *bytes = (size_t)(v * mult);
    return 0;
}

int hy_cache_count_cpu_list(const char *text)
{
    if (!text) return -1;
    const char *p = text;
    int count = 0;
    for (;;) {
        if (*p < '0' || *p > '9') return -1;
        char *end;
        long lo = strtol(p, &end, 10), hi = lo;
        p = end;
        if (*p == '-') {
            p++;
            if (*p < '0' || *p > '9') return -1;
            hi = strtol(p, &end, 10);
            p = end;
        }
        if (hi < lo || hi - lo > 1000000) return -1;
        count += (int)(hi - lo + 1);
        if (*p == ',') {
            p++;
            continue;
        }
        if (*p == '\n') p++;
        return *p == 0 ? count : -1;
    }
}

/* First line of dir/index<i>/<name> into buf; 0 on success. */
static int read_index_file(const char *dir, int i, const char *name, char *buf, size_t len)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/index%d/%s", dir, i, name);
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    char *ok = fgets(buf, (int)len, f);
    fclose(f);
    if (!ok) return -1;
    buf[strcspn(buf, "\n")] = 0;
    return 0;
}

static void set_level(hy_cache_level *lv, size_t bytes, int shared, const char *source)
{
    lv->bytes = bytes;
    lv->shared_by_cpus = shared;
    lv->source = source;
}

/* Reads every index*; returns how many caches were understood. */
static int from_sysfs(const char *dir, hy_cache_info *ci)
{
    int understood = 0;
    for (int i = 0; i < MAX_INDEX; i++) {
        char level[32], type[32], size[64], shared[256];
        if (read_index_file(dir, i, "level", level, sizeof level) != 0) continue;
        if (read_index_file(dir, i, "type", type, sizeof type) != 0) continue;
        size_t bytes = 0;
        if (read_index_file(dir, i, "size", size, sizeof size) != 0 ||
            hy_cache_parse_size(size, &bytes) != 0 || bytes == 0)
            continue;
        int sharers = 0;
        if (read_index_file(dir, i, "shared_cpu_list", shared, sizeof shared) == 0) {
            int n = hy_cache_count_cpu_list(shared);
            sharers = n > 0 ? n : 0;
        }
        if (strcmp(type, "Instruction") == 0) {
            understood++;
            continue;
        }
        hy_cache_level *lv = NULL;
        if (strcmp(level, "1") == 0) lv = &ci->l1d;
        else if (strcmp(level, "2") == 0) lv = &ci->l2;
        else if (strcmp(level, "3") == 0) lv = &ci->l3;
        if (!lv) continue;
        set_level(lv, bytes, sharers, "sysfs");
        understood++;
        if (!ci->line_source) {
            char line[32];
            size_t line_bytes = 0;
            if (read_index_file(dir, i, "coherency_line_size", line, sizeof line) == 0 &&
                hy_cache_parse_size(line, &line_bytes) == 0 && line_bytes > 0) {
                ci->line_bytes = line_bytes;
                ci->line_source = "sysfs";
            }
        }
    }
    return understood;
}

static size_t sysconf_bytes(int name)
{
    long v = sysconf(name);
    return v > 0 ? (size_t)v : 0;
}

void hy_cache_info_detect_from(const char *cache_dir, int use_sysconf, hy_cache_info *out)
{
    hy_cache_info ci;
    memset(&ci, 0, sizeof ci);
    int sysfs_caches = cache_dir ? from_sysfs(cache_dir, &ci) : 0;
    /* A CPU whose caches sysfs lists, none at level 3, has no L3. */
    int no_l3 = sysfs_caches > 0 && ci.l1d.source && ci.l2.source && !ci.l3.source;
    if (no_l3) set_level(&ci.l3, 0, 0, "sysfs");

    if (use_sysconf) {
#ifdef _SC_LEVEL1_DCACHE_SIZE
        size_t b;
        if (!ci.l1d.source && (b = sysconf_bytes(_SC_LEVEL1_DCACHE_SIZE)) > 0)
            set_level(&ci.l1d, b, 0, "sysconf");
        if (!ci.l2.source && (b = sysconf_bytes(_SC_LEVEL2_CACHE_SIZE)) > 0)
            set_level(&ci.l2, b, 0, "sysconf");
        if (!ci.l3.source && (b = sysconf_bytes(_SC_LEVEL3_CACHE_SIZE)) > 0)
            set_level(&ci.l3, b, 0, "sysconf");
        if (!ci.line_source && (b = sysconf_bytes(_SC_LEVEL1_DCACHE_LINESIZE)) > 0) {
            ci.line_bytes = b;
            ci.line_source = "sysconf";
        }
#endif
    }
    if (!ci.l1d.source) set_level(&ci.l1d, HY_CACHE_DEFAULT_L1D, 0, "assumed");
    if (!ci.l2.source) set_level(&ci.l2, HY_CACHE_DEFAULT_L2, 0, "assumed");
    if (!ci.l3.source) set_level(&ci.l3, HY_CACHE_DEFAULT_L3, 0, "assumed");
    if (!ci.line_source) {
        ci.line_bytes = HY_CACHE_DEFAULT_LINE;
        ci.line_source = "assumed";
    }
    *out = ci;
}

void hy_cache_info_detect(hy_cache_info *out)
{
    hy_cache_info_detect_from(SYSFS_CACHE_DIR, 1, out);
}

size_t hy_cache_llc_bytes(const hy_cache_info *ci)
{
    if (ci->l3.bytes > 0) return ci->l3.bytes;
    if (ci->l2.bytes > 0) return ci->l2.bytes;
    return ci->l1d.bytes;
}
