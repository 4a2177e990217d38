/* hy_ceilings.h — measured roofline ceilings (`hybench ceilings`).
 *
 * The suite never divides by a datasheet number: every "fraction of
 * roofline" in a run uses ceilings measured by these probes on the same
 * machine in the same run.
 *
 * Compute ceilings (GFLOP/s), one per instruction set the CPU and the OS
 * support:
 *   scalar_f32   MULSS + ADDSS (x86-64 base ISA; plain C elsewhere)
 *   avx2_f32     VFMADD213PS ymm   8 lanes x 2 FLOPs
 *   avx512_f32   VFMADD213PS zmm  16 lanes x 2 FLOPs
 *   avx512_bf16  VDPBF16PS zmm    32 bf16 pairs x 2 FLOPs = 64 FLOPs
 * each from independent accumulator chains, timed on one thread and on
 * all threads (every thread runs the same loop; total FLOPs / wall time).
 *
 * Bandwidth ceilings (GB/s = 1e9 bytes/s), for working sets resident in
 * L1 (arrays together about half the L1d), in L2 (about half the L2) and
 * in DRAM (each array at least 4 x the last-level cache and 32 MiB), with
 * three kernels on fp32 arrays:
 *   triad  a[i] = b[i] + s * c[i]   counts 12 bytes per element
 *   copy   a[i] = b[i]              counts  8 bytes per element
 *   read   sum += b[i]              counts  4 bytes per element
 * Bytes are counted as STREAM counts them: each array read or written
 * once.  The write-allocate read of a[] that ordinary stores cause is not
 * counted, so real DRAM traffic of triad and copy is 4/3 and 3/2 of the
 * counted bytes.  L1/L2 figures use per-thread arrays; DRAM arrays are
 * shared, split into one contiguous block per thread, and first touched
 * by the thread that later streams them (NUMA-correct).
 *
 * Statistics: each figure is measured `repetitions` times, each repetition
 * calibrated to last about `seconds_per_rep`; the ceiling is the best
 * repetition (a peak is a maximum), with median, worst and relative spread
 * beside it.  A repetition in which a thread spent under 90% of its time on
 * a CPU (CLOCK_THREAD_CPUTIME_ID against wall time: another process took
 * its core) is set aside and run again, up to `repetitions` extra runs, and
 * counted as disturbed.  Timer: clock_gettime(CLOCK_MONOTONIC).
 *
 * Device ceilings, one set per GPU backend compiled in (cuda, hip), from
 * the probes in backends/gpu/gpu_probes.cu, timed with device events:
 *   <backend>_f32    fp32 FMA chains in registers              (GFLOP/s)
 *   <backend>_bf16   mma.sync m16n8k16 bf16 -> fp32 tensor-core loop
 *                    (CUDA only; the hip build lists it unavailable)
 *   <backend> copy   own device-to-device copy kernel over two arrays of
 *                    device_array_bytes, counted read + write     (GB/s)
 *   <backend> memcpy cudaMemcpy / hipMemcpy device to device, the same
 * Each is calibrated to about seconds_per_rep per repetition, best of the
 * repetitions; the figure is stored as both one_thread and all_threads
 * (a device has no host-thread count).  Without a device the backend's
 * entries are listed as unavailable with the probe's reason. */
#ifndef HY_CEILINGS_H
#define HY_CEILINGS_H

#include <stdio.h>

#include "hy_cache_info.h"
#include "hy_common.h"
#include "hy_json.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct hy_ceilings_opts {
    int threads;            /* threads of the all-threads figures; 0 = OpenMP's default */
    int quick;              /* shorter: defaults become 0.02 s x 3 repetitions          */
    double seconds_per_rep; /* time of one repetition; 0 = default (0.1 s, quick 0.02)   */
    int repetitions;        /* 0 = default (5, quick 3)                                  */
    size_t dram_array_bytes; /* bytes of each DRAM array; 0 = max(4 x LLC, 32 MiB),
                                capped at 1/8 of physical memory                         */
    int skip_compute;       /* leave out the compute probes (tests)                      */
    int skip_bandwidth;     /* leave out the bandwidth probes (tests)                    */
    int skip_devices;       /* leave out the GPU probes                                  */
    size_t device_array_bytes; /* each GPU copy array; 0 = 1 GiB (quick: 256 MiB)       */
    int verbose;            /* progress lines on stderr                                  */
} hy_ceilings_opts;

void hy_ceilings_opts_default(hy_ceilings_opts *o);

/* Repetitions of one figure; units GFLOP/s or GB/s. */
typedef struct hy_ceil_stat {
    double best;   /* the ceiling                                  */
    double median;
    double worst;
    double spread; /* (best - worst) / median, a fraction         */
    int repetitions; /* repetitions the figures come from         */
    int disturbed; /* repetitions set aside because a thread was off
                      its CPU for over 10% of the run (another process
                      took the core); all of them when every run was */
    int measured;  /* 0 when not measured (fields are 0)          */
} hy_ceil_stat;

#define HY_CEIL_MAX_COMPUTE 4
#define HY_CEIL_MAX_BANDWIDTH 9

typedef struct hy_ceil_compute {
    char id[24];          /* "scalar_f32", "avx2_f32", "avx512_f32", "avx512_bf16" */
    char isa[16];         /* "scalar", "avx2", "avx512"                            */
    char dtype[8];        /* "f32", "bf16"                                         */
    char instruction[40]; /* "mulss+addss", "vfmadd213ps ymm", ...                 */
    int flops_per_instruction;
    int chains;           /* independent accumulators                              */
    int available;        /* CPU and OS support it, and this build has the probe  */
    char note[160];       /* why not available                                     */
    hy_ceil_stat one_thread, all_threads; /* GFLOP/s                               */
} hy_ceil_compute;

typedef struct hy_ceil_bandwidth {
    char level[8];            /* "l1", "l2", "dram"                         */
    char kernel[8];           /* "triad", "copy", "read"                    */
    int arrays;               /* arrays touched (3, 2, 1)                   */
    int bytes_per_element;    /* counted bytes per element (12, 8, 4)       */
    size_t array_bytes;       /* bytes of each array                        */
    size_t working_set_bytes; /* all arrays: per thread (l1, l2) or shared (dram) */
    hy_ceil_stat one_thread, all_threads; /* GB/s                           */
} hy_ceil_bandwidth;

#define HY_CEIL_MAX_DEVICES 2
#define HY_CEIL_DEVICE_COMPUTE 2   /* f32 FMA, bf16 tensor core */
#define HY_CEIL_DEVICE_BANDWIDTH 2 /* copy kernel, memcpy        */

/* The ceilings of one GPU backend. */
typedef struct hy_ceil_device {
    char backend[8];    /* "cuda", "hip"                                   */
    int available;      /* a device answered the probe                     */
    char note[200];     /* the device ("NVIDIA H200 (sm_90), ...") or why not */
    size_t array_bytes; /* each copy array                                 */
    size_t n_compute;   /* ids "<backend>_f32", "<backend>_bf16"            */
    hy_ceil_compute compute[HY_CEIL_DEVICE_COMPUTE];
    size_t n_bandwidth; /* level "<backend>" (device memory), kernels "copy", "memcpy" */
    hy_ceil_bandwidth bandwidth[HY_CEIL_DEVICE_BANDWIDTH];
} hy_ceil_device;

typedef struct hy_ceilings {
    int threads;             /* threads the all-threads figures ran on        */
    int openmp;              /* 1 when built with OpenMP                      */
    int quick;
    double seconds_per_rep;
    int repetitions;
    const char *timer;       /* "clock_gettime(CLOCK_MONOTONIC)"              */
    const char *bandwidth_isa; /* vector ISA of the bandwidth loops          */
    const char *byte_counting; /* how bandwidth bytes are counted            */
    hy_cache_info caches;
    size_t dram_array_bytes;
    char dram_note[160];     /* how the DRAM array size was chosen            */
    double elapsed_seconds;  /* the whole measurement                         */
    size_t n_compute;
    hy_ceil_compute compute[HY_CEIL_MAX_COMPUTE];
    size_t n_bandwidth;
    hy_ceil_bandwidth bandwidth[HY_CEIL_MAX_BANDWIDTH];
    size_t n_devices;        /* GPU backends compiled in                      */
    hy_ceil_device devices[HY_CEIL_MAX_DEVICES];
} hy_ceilings;

/* Runs every probe.  opts may be NULL (defaults).  Fails only when memory
 * cannot be had or an option is out of range. */
int hy_ceilings_measure(const hy_ceilings_opts *opts, hy_ceilings *out, hy_error *err);

/* A human-readable table. */
void hy_ceilings_print(FILE *f, const hy_ceilings *c);

/* One JSON object (no trailing newline), the "ceilings" member of results
 * files: {"threads", "openmp", ..., "caches": {...}, "compute": [...],
 * "bandwidth": [...], "devices": [{"backend", "available", "note",
 * "array_bytes", "compute": [...], "bandwidth": [...]}]}. Non-finite
 * numbers are written as null. */
void hy_ceilings_to_json(hy_strbuf *b, const hy_ceilings *c);

/* Reads a file written by `hybench ceilings --out` back into the members
 * the roofline uses (per-ISA peaks and bandwidths, best of each); *raw
 * receives the file's text (caller frees) to embed in results files. */
int hy_ceilings_load(const char *path, hy_ceilings *c, char **raw, hy_error *err);

/* Entry by id ("avx2_f32") or ISA name ("avx2", meaning its f32 entry);
 * "best" or NULL: the fastest available f32 entry.  NULL when unknown. */
const hy_ceil_compute *hy_ceilings_find_compute(const hy_ceilings *c, const char *isa);
/* Entry by level ("l1", "l2", "dram") and kernel ("triad", ...); NULL when absent. */
const hy_ceil_bandwidth *hy_ceilings_find_bandwidth(const hy_ceilings *c, const char *level,
                                                    const char *kernel);
/* The device ceilings of a GPU backend ("cuda"); NULL when not in c. */
const hy_ceil_device *hy_ceilings_find_device(const hy_ceilings *c, const char *backend);

/* The roofline at one arithmetic intensity. */
typedef struct hy_roofline {
    double gflops;          /* min(peak, intensity * bandwidth)             */
    double peak_gflops;     /* the compute ceiling used                      */
    double bandwidth_gbs;   /* the memory ceiling used                       */
    double ridge_intensity; /* peak / bandwidth, FLOP/byte                   */
    int memory_bound;       /* 1 when intensity * bandwidth < peak           */
    const char *bound;      /* "memory" or "compute"                         */
    const char *compute_id; /* e.g. "avx2_f32"                               */
} hy_roofline;

/* Attainable GFLOP/s at `intensity` FLOP/byte (> 0, finite) against the
 * DRAM triad bandwidth and the compute ceiling of `isa` (as in
 * hy_ceilings_find_compute), one thread or all threads.  Fails when the
 * ISA is unknown or was not measured, or the intensity is invalid. */
int hy_roofline_bound(const hy_ceilings *c, double intensity, const char *isa, int all_threads,
                      hy_roofline *out, hy_error *err);
/* The same against the triad bandwidth of `level` ("l1", "l2", "dram"). */
int hy_roofline_bound_at(const hy_ceilings *c, double intensity, const char *isa,
                         const char *level, int all_threads, hy_roofline *out, hy_error *err);

/* The roofline of a GPU backend's kernels: the compute ceiling
 * "<backend>_<dtype>" (dtype "f32", or "bf16": the tensor-core peak) and
 * the device copy-kernel bandwidth.  Fails when the backend's device
 * ceilings are absent, unavailable or that probe was not measured. */
int hy_roofline_bound_device(const hy_ceilings *c, double intensity, const char *backend,
                             const char *dtype, hy_roofline *out, hy_error *err);

/* The fp32 compute peak (GFLOP/s) and memory bandwidth (GB/s) the kernels
 * of `backend` are held to: a GPU backend's device FMA peak and copy
 * bandwidth when c has that backend's device entry, else the CPU's best
 * all-thread compute ceiling and DRAM triad.  *compute_id names the
 * compute ceiling (NULL allowed).  Returns 0, or -1 (values 0) when those
 * were not measured. */
int hy_ceilings_backend_peaks(const hy_ceilings *c, const char *backend, double *gflops,
                              double *gbps, const char **compute_id);

/* The `hybench ceilings` command (declared in hy_cli.h once wired in). */
int hy_cmd_ceilings(int argc, char **argv);

#ifdef __cplusplus
}
#endif
#endif
