/* hy_results_context.c — the "context" object of a results file: the
 * machine fields Google Benchmark writes (date, host, CPUs, caches, load)
 * plus hybench's own section (build, engine, device, ceilings, topology). */
#include "hy_results_internal.h"

#include "hy_build_info.h"
#ifdef HYBENCH_HAVE_GBENCH_SHIM
#include "hy_gbench_shim.h"
#endif

#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* ---- JSON value writer ------------------------------------------------- */

void hy_results_write_number(hy_strbuf *b, double x)
{
    if (!isfinite(x)) {
        hy_strbuf_printf(b, "null");
        return;
    }
    /* The shortest of %.15g, %.16g, %.17g that reads back exactly, so
     * 1e-7 stays "1e-07" and every value still round-trips. */
    char tmp[40];
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(tmp, sizeof tmp, "%.*g", prec, x);
        if (strtod(tmp, NULL) == x) break;
    }
    hy_strbuf_printf(b, "%s", tmp);
}

static void pad(hy_strbuf *b, int indent)
{
    hy_strbuf_printf(b, "%*s", 2 * indent, "");
}

void hy_results_write_value(hy_strbuf *b, const hy_json *v, int indent)
{
    switch (v->type) {
    case HY_JSON_NULL: hy_strbuf_printf(b, "null"); break;
    case HY_JSON_BOOL: hy_strbuf_printf(b, v->boolean ? "true" : "false"); break;
    case HY_JSON_NUMBER:
        if (v->is_integer) hy_strbuf_printf(b, "%" PRId64, v->integer);
        else hy_results_write_number(b, v->number);
        break;
    case HY_JSON_STRING: hy_strbuf_json_string(b, v->string); break;
    case HY_JSON_ARRAY:
    case HY_JSON_OBJECT: {
        int obj = v->type == HY_JSON_OBJECT;
        if (v->count == 0) {
            hy_strbuf_printf(b, obj ? "{}" : "[]");
            break;
        }
        hy_strbuf_printf(b, obj ? "{\n" : "[\n");
        for (size_t i = 0; i < v->count; i++) {
            pad(b, indent + 1);
            if (obj) {
                hy_strbuf_json_string(b, v->keys[i]);
                hy_strbuf_printf(b, ": ");
            }
            hy_results_write_value(b, &v->items[i], indent + 1);
            hy_strbuf_printf(b, i + 1 < v->count ? ",\n" : "\n");
        }
        pad(b, indent);
        hy_strbuf_printf(b, obj ? "}" : "]");
        break;
    }
    }
}

/* ---- machine facts ----------------------------------------------------- */

/* First line of a small text file, without the newline; 0 on success. */
static int read_line(const char *path, char *buf, size_t len)
{
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    char *got = fgets(buf, (int)len, f);
    fclose(f);
    if (!got) return -1;
    buf[strcspn(buf, "\n")] = 0;
    return 0;
}

/* Number of CPUs in a list such as "0-3,8,10-11". */
static int count_cpu_list(const char *s)
{
    int count = 0;
    while (*s) {
        char *end;
        long a = strtol(s, &end, 10);
        if (end == s) break;
        long b = a;
        s = end;
        if (*s == '-') {
            b = strtol(s + 1, &end, 10);
            s = end;
        }
        if (b >= a) count += (int)(b - a + 1);
        if (*s == ',') s++;
        else break;
    }
    return count;
}

static void write_caches(hy_strbuf *b)
{
    int any = 0;
    hy_strbuf_printf(b, "[");
    for (int i = 0; i < 16; i++) {
        char dir[96], path[160], type[32], level[16], size[32], shared[256];
        snprintf(dir, sizeof dir, "/sys/devices/system/cpu/cpu0/cache/index%d", i);
        snprintf(path, sizeof path, "%s/type", dir);
        if (read_line(path, type, sizeof type)) break;
        snprintf(path, sizeof path, "%s/level", dir);
        if (read_line(path, level, sizeof level)) continue;
        snprintf(path, sizeof path, "%s/size", dir);
        if (read_line(path, size, sizeof size)) continue;
        snprintf(path, sizeof path, "%s/shared_cpu_list", dir);
        int sharing = read_line(path, shared, sizeof shared) ? 1 : count_cpu_list(shared);
        char *end;
        long long bytes = strtoll(size, &end, 10);
        if (*end == 'K' || *end == 'k') bytes *= 1024;
        else if (*end == 'M') bytes *= 1024 * 1024;
        hy_strbuf_printf(b, "%s\n      {\"type\": ", any ? "," : "");
        hy_strbuf_json_string(b, type);
        hy_strbuf_printf(b, ", \"level\": %d, \"size\": %lld, \"num_sharing\": %d}", atoi(level),
                         bytes, sharing);
        any = 1;
    }
    hy_strbuf_printf(b, any ? "\n    ]" : "]");
}

static double cpu_mhz(void)
{
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (f) {
        char line[256];
        while (fgets(line, sizeof line, f))
            if (strncmp(line, "cpu MHz", 7) == 0) {
                const char *colon = strchr(line, ':');
                fclose(f);
                return colon ? atof(colon + 1) : 0;
            }
        fclose(f);
    }
    char buf[64];
    if (read_line("/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq", buf, sizeof buf) == 0)
        return atof(buf) / 1000; /* kHz */
    return 0;
}

/* As Google Benchmark: scaling is on when a governor other than
 * "performance" is in charge. */
static int cpu_scaling_enabled(void)
{
    char gov[64];
    if (read_line("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor", gov, sizeof gov))
        return 0;
    return strcmp(gov, "performance") != 0;
}

/* ISO 8601 local time with a "+hh:mm" offset, as Google Benchmark. */
static void iso_date(char *buf, size_t len)
{
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    char tmp[64];
    strftime(tmp, sizeof tmp, "%Y-%m-%dT%H:%M:%S%z", &tm);
    size_t n = strlen(tmp);
    if (n >= 5 && (tmp[n - 5] == '+' || tmp[n - 5] == '-'))
        snprintf(buf, len, "%.*s:%s", (int)(n - 2), tmp, tmp + n - 2);
    else
        snprintf(buf, len, "%s", tmp);
}

/* ---- the context object ------------------------------------------------ */

static void key(hy_strbuf *b, int *first, const char *k, int indent)
{
    hy_strbuf_printf(b, "%s\n", *first ? "" : ",");
    *first = 0;
    pad(b, indent);
    hy_strbuf_json_string(b, k);
    hy_strbuf_printf(b, ": ");
}

static void str_or_null(hy_strbuf *b, const char *s)
{
    if (s) hy_strbuf_json_string(b, s);
    else hy_strbuf_printf(b, "null");
}

/* Checks that raw is one JSON value and writes it re-formatted. */
static int raw_json(hy_strbuf *b, const char *what, const char *raw, hy_error *err)
{
    if (!raw) {
        hy_strbuf_printf(b, "null");
        return 0;
    }
    hy_json *v = NULL;
    if (hy_json_parse(raw, strlen(raw), &v, err)) return hy_fail_prefix(err, "%s JSON", what);
    hy_results_write_value(b, v, 3);
    hy_json_free(v);
    return 0;
}

static const char *lowercase_build_type(char *buf, size_t len)
{
    snprintf(buf, len, "%s", HYBENCH_BUILD_TYPE);
    for (char *p = buf; *p; p++) *p = (char)tolower((unsigned char)*p);
    return strstr(buf, "deb") ? "debug" : "release";
}

int hy_results_write_context(hy_strbuf *b, const hy_results_info *info, const hy_json *previous,
                             size_t carried, hy_error *err)
{
    hy_results_info none;
    memset(&none, 0, sizeof none);
    if (!info) info = &none;
    char date[64], host[256] = "unknown", bt[64];
    iso_date(date, sizeof date);
    if (gethostname(host, sizeof host) != 0) snprintf(host, sizeof host, "unknown");
    host[sizeof host - 1] = 0;
    double load[3] = {0, 0, 0};
    if (getloadavg(load, 3) != 3) load[0] = load[1] = load[2] = 0;
    const char *engine = info->engine ? info->engine : hy_timer_default_engine();
    const char *engine_version = HYBENCH_VERSION;
#ifdef HYBENCH_HAVE_GBENCH_SHIM
    if (strcmp(engine, "google-benchmark") == 0) engine_version = hy_gbench_version();
#endif

    int first = 1;
    hy_strbuf_printf(b, "{");
    key(b, &first, "date", 2), hy_strbuf_json_string(b, date);
    key(b, &first, "host_name", 2), hy_strbuf_json_string(b, host);
    key(b, &first, "executable", 2), hy_strbuf_json_string(b, info->executable ? info->executable : "hybench");
    key(b, &first, "num_cpus", 2), hy_strbuf_printf(b, "%ld", sysconf(_SC_NPROCESSORS_ONLN));
    key(b, &first, "mhz_per_cpu", 2), hy_strbuf_printf(b, "%.0f", cpu_mhz());
    key(b, &first, "cpu_scaling_enabled", 2), hy_strbuf_printf(b, cpu_scaling_enabled() ? "true" : "false");
    key(b, &first, "caches", 2), write_caches(b);
    key(b, &first, "load_avg", 2), hy_strbuf_printf(b, "[%.2f, %.2f, %.2f]", load[0], load[1], load[2]);
    key(b, &first, "library_build_type", 2), hy_strbuf_json_string(b, lowercase_build_type(bt, sizeof bt));
    key(b, &first, "json_schema_version", 2), hy_strbuf_printf(b, "1");

    key(b, &first, "hybench", 2);
    int f2 = 1;
    hy_strbuf_printf(b, "{");
    key(b, &f2, "version", 3), hy_strbuf_json_string(b, HYBENCH_VERSION);
    key(b, &f2, "git_commit", 3), hy_strbuf_json_string(b, HYBENCH_GIT_COMMIT);
    key(b, &f2, "compiler", 3), hy_strbuf_json_string(b, HYBENCH_C_COMPILER);
    key(b, &f2, "build_type", 3), hy_strbuf_json_string(b, HYBENCH_BUILD_TYPE);
    key(b, &f2, "flags", 3), hy_strbuf_json_string(b, HYBENCH_C_FLAGS);
    key(b, &f2, "engine", 3), hy_strbuf_json_string(b, engine);
    key(b, &f2, "engine_version", 3), hy_strbuf_json_string(b, engine_version);
    key(b, &f2, "backends", 3), str_or_null(b, info->backends);
    key(b, &f2, "device", 3), str_or_null(b, info->device);
    key(b, &f2, "ceilings", 3);
    if (raw_json(b, "ceilings", info->ceilings_json, err)) return -1;
    key(b, &f2, "papi_status", 3), str_or_null(b, info->papi_status);
    key(b, &f2, "topology", 3);
    if (raw_json(b, "topology", info->topology_json, err)) return -1;
    key(b, &f2, "command", 3), str_or_null(b, info->command);
    key(b, &f2, "resumed", 3);
    if (!previous) {
        hy_strbuf_printf(b, "null");
    } else {
        const hy_json *pd = hy_json_get(previous, "date");
        const hy_json *ph = hy_json_get(previous, "hybench");
        const hy_json *pc = hy_json_get(ph, "git_commit");
        hy_strbuf_printf(b, "{\"benchmarks_carried\": %zu, \"previous_date\": ", carried);
        str_or_null(b, pd && pd->type == HY_JSON_STRING ? pd->string : NULL);
        hy_strbuf_printf(b, ", \"previous_git_commit\": ");
        str_or_null(b, pc && pc->type == HY_JSON_STRING ? pc->string : NULL);
        hy_strbuf_printf(b, "}");
    }
    hy_strbuf_printf(b, "\n    }\n  }");
    if (b->failed) return hy_fail(err, "out of memory writing the results context");
    return 0;
}
