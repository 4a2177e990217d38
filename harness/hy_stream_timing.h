/* hy_stream_timing.h — streamed timing: a kernel timed the way a layer of a
 * model larger than the cache runs it.
 *
 * In a decode step each layer's weights, cache and state are cold (the
 * other layers' data passed through the caches since the layer last ran),
 * while the threads are awake, the code is hot and the TLB holds the pages
 * of recently used buffers.  Evicting the caches before every call (bench
 * --cold) gets the first part right but not the rest: the eviction's
 * dirty lines are written back during the timed call, idle OpenMP threads
 * have gone to sleep, and the TLB is cold, which charges a call 10-40 us
 * that the model never pays (measured: a Mamba decode layer makes 9 such
 * calls).  A streamed timing instead cycles back to back through K
 * distinct copies of the kernel's case, with K sized so that the other
 * copies move twice the last-level cache between two calls of one copy
 * (hy_stream_copies); a repetition ("round") is one call of every copy,
 * and its time per call is round time / K.  Used by `hybench bench` for
 * decode shapes (its default cache mode there) and by `hybench sweep` for
 * the decode kernels of a model whose weights exceed the LLC. */
#ifndef HY_STREAM_TIMING_H
#define HY_STREAM_TIMING_H

#include <stddef.h>
#include <stdint.h>

#include "hy_timer.h"
#include "hy_validate.h"

#ifdef __cplusplus
extern "C" {
#endif

#define HY_STREAM_MAX_COPIES 1024

/* Distinct copies a streamed timing cycles through so that each call
 * finds its data evicted: 1 when one call moves at least twice the
 * last-level cache (it evicts itself), else ceil(2 x llc / bytes) + 1 (the
 * other copies move twice the cache between two calls of one), at most
 * max_copies.  bytes <= 0 gives max_copies. */
int hy_stream_copies(double bytes_per_call, double llc_bytes, int max_copies);

/* Bytes one case of shape s holds: what a call moves, and for MoE every
 * expert's weights although a call reads top_k of them. */
double hy_stream_case_bytes(const hy_val_shape *s);

/* Available memory in bytes (sysconf), or 0 when unknown. */
double hy_available_memory(void);

typedef struct hy_stream_plan {
    int copies;
    double footprint;  /* bytes the copies hold                              */
    int memory_capped; /* fewer copies than the cache needs, for the memory
                          available (at most half of it): partly warm        */
} hy_stream_plan;

/* The copies for shape s on a machine with llc_bytes of last-level cache
 * (hy_stream_copies, then capped at half the available memory). */
void hy_stream_plan_make(const hy_val_shape *s, double llc_bytes, hy_stream_plan *p);

/* Times variant v of backend b on shape s streamed through p->copies
 * cases: `first` (a case of s already bound to v, e.g. the validated one;
 * kept) when not NULL, and timing-only cases made here for the others
 * (inputs from seed + 1000 + copy index, no reference):
 * one warm-up round, then `rounds` timed rounds (at least 3), each by the
 * wall clock with the device (if any) synchronised at its end.  Fills *t
 * (allocated here, hy_timing_free it; cold = 1, streamed_copies = K,
 * seconds per call).  Returns 0, or 1 with the reason in why when the
 * kernel could not be timed (a copy could not be made, a launch failed);
 * nothing is left allocated then. */
int hy_stream_time(const hy_backend *b, hy_exec *ex, const hy_kernel_variant *v,
                   const hy_val_shape *s, uint64_t seed, const hy_stream_plan *p, int rounds,
                   hy_val_case *first, hy_timing *t, char *why, size_t why_len);

#ifdef __cplusplus
}
#endif
#endif
