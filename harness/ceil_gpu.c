/* ceil_gpu.c — the device side of `hybench ceilings`: for every GPU
 * backend compiled in, its probes (backends/gpu/gpu_probes.cu, through the
 * backend's hy_gpu_ceil_ops), calibrated and repeated here.  See
 * hy_ceilings.h for what each figure is. */
#include <stdio.h>
#include <string.h>

#include "ceil_probes.h"
#include "hy_ceilings.h"
#include "hy_gpu_api.h"
#ifdef HYBENCH_HAVE_CUDA
#include "cuda/cuda_backend.h"
#endif
#ifdef HYBENCH_HAVE_HIP
#include "hip/hip_backend.h"
#endif

#define MAX_UNITS ((uint64_t)1 << 40)
#define MAX_REPS 64

/* One figure of one probe: calibrated so that a run lasts about `seconds`
 * of device time, then `reps` runs; rates in 1e9 units per second.
 * Returns 0, HY_UNSUPPORTED or -1 (message in err). */
static int probe_rate(const hy_gpu_ceil_ops *ops, hy_gpu_ceil *g, hy_gpu_ceil_kind kind,
                      double seconds, int reps, hy_ceil_stat *st, hy_error *err)
{
    double t = 0, work = 0;
    uint64_t units = 1;
    int rc = ops->run(g, kind, 1, &t, &work, err); /* warm-up: first launch, clocks */
    if (rc) return rc;
    for (;;) {
        if ((rc = ops->run(g, kind, units, &t, &work, err))) return rc;
        if (t >= 0.25 * seconds || units >= MAX_UNITS) break;
        double grow = t > 1e-7 ? 0.4 * seconds / t : 64.0;
        if (grow < 2) grow = 2;
        if (grow > 64) grow = 64;
        units = (uint64_t)((double)units * grow);
    }
    double scaled = (double)units * seconds / (t > 1e-9 ? t : 1e-9);
    units = scaled < 1 ? 1 : scaled > (double)MAX_UNITS ? MAX_UNITS : (uint64_t)scaled;
    double rates[MAX_REPS];
    int n = reps < 1 ? 1 : reps > MAX_REPS ? MAX_REPS : reps;
    for (int r = 0; r < n; r++) {
        if ((rc = ops->run(g, kind, units, &t, &work, err))) return rc;
        rates[r] = work / (t > 1e-9 ? t : 1e-9) / 1e9;
    }
    hy_ceil_summarize(rates, n, st);
    return 0;
}

typedef struct device_compute_spec {
    const char *dtype, *cuda_instruction, *hip_instruction;
    int flops_per_instruction, chains;
    hy_gpu_ceil_kind kind;
} device_compute_spec;

/* chains: per thread (FMA) or per warp (mma); see gpu_probes.cu */
static const device_compute_spec DEVICE_COMPUTE[HY_CEIL_DEVICE_COMPUTE] = {
    {"f32", "fma.rn.f32", "v_fma_f32", 2, 8, HY_GPU_CEIL_FMA_F32},
    {"bf16", "mma.sync m16n8k16 bf16", "(none)", 4096, 8, HY_GPU_CEIL_MMA_BF16},
};

static const struct {
    const char *kernel;
    hy_gpu_ceil_kind kind;
} DEVICE_BANDWIDTH[HY_CEIL_DEVICE_BANDWIDTH] = {
    {"copy", HY_GPU_CEIL_COPY},
    {"memcpy", HY_GPU_CEIL_MEMCPY},
};

/* Lists every entry of one backend (unavailable with `why` when g is
 * NULL) and measures those that can run. */
static void measure_device(hy_ceil_device *d, const hy_gpu_ceil_ops *ops, hy_gpu_ceil *g,
                           const char *why, int skip_compute, int skip_bandwidth, double seconds,
                           int reps, int verbose)
{
    int is_hip = strcmp(ops->backend, "hip") == 0;
    d->n_compute = skip_compute ? 0 : HY_CEIL_DEVICE_COMPUTE;
    for (size_t k = 0; k < d->n_compute; k++) {
        const device_compute_spec *s = &DEVICE_COMPUTE[k];
        hy_ceil_compute *e = &d->compute[k];
        memset(e, 0, sizeof *e);
        snprintf(e->id, sizeof e->id, "%s_%s", ops->backend, s->dtype);
        snprintf(e->isa, sizeof e->isa, "%s", ops->backend);
        snprintf(e->dtype, sizeof e->dtype, "%s", s->dtype);
        snprintf(e->instruction, sizeof e->instruction, "%s",
                 is_hip ? s->hip_instruction : s->cuda_instruction);
        e->flops_per_instruction = s->flops_per_instruction;
        e->chains = s->chains;
        if (!g) {
            snprintf(e->note, sizeof e->note, "%.150s", why);
            continue;
        }
        if (verbose) fprintf(stderr, "ceilings: %s ...\n", e->id);
        hy_error err = {{0}};
        int rc = probe_rate(ops, g, s->kind, seconds, reps, &e->one_thread, &err);
        if (rc) {
            memset(&e->one_thread, 0, sizeof e->one_thread);
            snprintf(e->note, sizeof e->note, "%.150s", err.msg);
            continue;
        }
        e->available = 1;
        e->all_threads = e->one_thread;
    }
    d->n_bandwidth = skip_bandwidth ? 0 : HY_CEIL_DEVICE_BANDWIDTH;
    for (size_t k = 0; k < d->n_bandwidth; k++) {
        hy_ceil_bandwidth *e = &d->bandwidth[k];
        memset(e, 0, sizeof *e);
        snprintf(e->level, sizeof e->level, "%s", ops->backend);
        snprintf(e->kernel, sizeof e->kernel, "%s", DEVICE_BANDWIDTH[k].kernel);
        e->arrays = 2;
        e->bytes_per_element = 8;
        e->array_bytes = d->array_bytes;
        e->working_set_bytes = 2 * d->array_bytes;
        if (!g) continue;
        if (verbose) fprintf(stderr, "ceilings: %s %s ...\n", ops->backend, e->kernel);
        hy_error err = {{0}};
        if (probe_rate(ops, g, DEVICE_BANDWIDTH[k].kind, seconds, reps, &e->one_thread, &err)) {
            memset(&e->one_thread, 0, sizeof e->one_thread);
            if (verbose) fprintf(stderr, "ceilings: %s %s: %s\n", ops->backend, e->kernel, err.msg);
            continue;
        }
        e->all_threads = e->one_thread;
    }
}

void hy_ceil_measure_devices(hy_ceilings *c, size_t array_bytes, int skip_compute,
                             int skip_bandwidth, double seconds, int reps, int verbose)
{
    const hy_gpu_ceil_ops *backends[HY_CEIL_MAX_DEVICES];
    size_t n = 0;
#ifdef HYBENCH_HAVE_CUDA
    backends[n++] = &hy_cuda_ceil_ops;
#endif
#ifdef HYBENCH_HAVE_HIP
    backends[n++] = &hy_hip_ceil_ops;
#endif
    array_bytes = array_bytes / 65536 * 65536;
    if (array_bytes < 65536) array_bytes = 65536;
    c->n_devices = 0;
    for (size_t i = 0; i < n && c->n_devices < HY_CEIL_MAX_DEVICES; i++) {
        const hy_gpu_ceil_ops *ops = backends[i];
        hy_ceil_device *d = &c->devices[c->n_devices++];
        memset(d, 0, sizeof *d);
        snprintf(d->backend, sizeof d->backend, "%s", ops->backend);
        d->array_bytes = array_bytes;
        hy_gpu_ceil *g = NULL;
        hy_error err = {{0}};
        if (ops->open(array_bytes, &g, &err) == 0) {
            d->available = 1;
            ops->describe(d->note, sizeof d->note);
        } else {
            snprintf(d->note, sizeof d->note, "%.190s", err.msg);
        }
        measure_device(d, ops, g, d->note, skip_compute, skip_bandwidth, seconds, reps, verbose);
        ops->close(g);
    }
}
