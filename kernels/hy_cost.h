/* hy_cost.h — what every kernel family declares about a shape: its work,
 * its minimum traffic, and how much error its result may carry. */
#ifndef HY_COST_H
#define HY_COST_H

#include "hy_common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* First-order cost of one call of a kernel on one shape.
 *   flops          floating-point operations (an FMA counts 2; exp, division
 *                  and square root count 1 each, as is customary)
 *   bytes          minimum bytes that must cross the memory interface: every
 *                  input read once and every output written once, at the
 *                  storage dtype, with no reuse assumed beyond that
 *   transcendentals exp/log evaluations (scan and softmax are often limited
 *                  by these rather than by FMAs or bytes)
 *   reduction_len  the longest chain of accumulation that feeds one output
 *                  element; the tolerance rule grows with it               */
typedef struct hy_cost {
    double flops;
    double bytes;
    double transcendentals;
    double reduction_len;
} hy_cost;

/* Arithmetic intensity in FLOP per byte (0 when bytes is 0). */
double hy_cost_intensity(hy_cost c);

/* The tolerance rule, shared by every variant of a family:
 * a result passes when  max|got - ref| / max(max|ref|, tiny)  <= tolerance.
 * It is  c_family * eps(dtype) * sqrt(reduction_len) + floor_family * eps,
 * so it grows with the reduction length and with a coarser dtype
 * (kernels/README.md gives the constants and the reasoning). */
double hy_tolerance(hy_family family, double reduction_len, hy_dtype compute_dtype);

#ifdef __cplusplus
}
#endif
#endif
