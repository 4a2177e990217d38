/* hy_topology.h — the machine's topology for results files, and thread
 * binding (`hybench bench --bind`).
 *
 * With hwloc (HYBENCH_HAVE_HWLOC): packages, cores, processing units
 * (hardware threads), NUMA nodes and the data/unified caches per level
 * (size of one instance and how many instances), from hwloc's topology.
 * Without hwloc: the same fields from sysconf (PUs), /sys/devices/system/
 * cpu (packages, cores, caches) and /sys/devices/system/node (NUMA);
 * anything that cannot be read stays 0 and "source" says where the
 * numbers came from.
 *
 * Binding: one OpenMP thread per core, in core order (thread i on core
 * i mod cores, its first PU).  With hwloc this is hwloc_set_cpubind with
 * HWLOC_CPUBIND_THREAD from inside each OpenMP thread; without hwloc,
 * sched_setaffinity on the calling thread (Linux), to the i-th online CPU.
 * Without OpenMP only the calling thread is bound.  OpenMP keeps its pool
 * threads, so the binding holds for every later parallel region with the
 * same thread count (OMP_DYNAMIC off, as the library default). */
#ifndef HY_TOPOLOGY_H
#define HY_TOPOLOGY_H

#include <stddef.h>

#include "hy_common.h"
#include "hy_json.h"

#ifdef __cplusplus
extern "C" {
#endif

#define HY_TOPO_MAX_CACHE_LEVELS 4

typedef struct hy_topo_cache {
    int level;        /* 1, 2, 3, ...                                   */
    char type[12];    /* "data", "unified"                               */
    size_t bytes;     /* size of one instance                            */
    int instances;    /* how many exist in the machine (0: unknown)      */
} hy_topo_cache;

typedef struct hy_topology {
    char source[48];        /* "hwloc 2.9.0" or "sysfs+sysconf"            */
    int packages;           /* sockets (0: unknown)                         */
    int cores;              /* physical cores                               */
    int pus;                /* processing units (hardware threads), online  */
    int numa_nodes;         /* 0: unknown (or no NUMA information)          */
    int n_caches;
    hy_topo_cache caches[HY_TOPO_MAX_CACHE_LEVELS]; /* L1d first, then by level */
    char note[160];         /* what could not be determined, "" if all     */
} hy_topology;

/* Fills *t.  Never fails for want of information (fields stay 0 and the
 * note says why); returns -1 only when hwloc itself fails to load the
 * topology, after which the sysfs fallback has still filled *t. */
int hy_topology_detect(hy_topology *t, hy_error *err);

/* One JSON object, the "topology" member of results files:
 * {"source", "packages", "cores", "pus", "numa_nodes",
 *  "caches": [{"level", "type", "bytes", "instances"}], "note",
 *  "binding"} where binding is the string given (null when NULL). */
void hy_topology_to_json(hy_strbuf *b, const hy_topology *t, const char *binding);

/* "1 package, 2 cores, 2 PUs, 1 NUMA node; L1d 48 KiB x2, L2 ..." */
void hy_topology_summary(const hy_topology *t, char *buf, size_t len);

/* Binds `threads` OpenMP threads (0: OpenMP's default count) one per core
 * as described above, and writes what was done into report ("4 threads
 * bound to cores 0-3 via hwloc").  Returns 0, or -1 with a message when a
 * binding call fails (threads bound before the failure stay bound). */
int hy_topology_bind_threads(int threads, char *report, size_t report_len, hy_error *err);

#ifdef __cplusplus
}
#endif
#endif
