/* hy_stream_timing.c — streamed timing (hy_stream_timing.h). */
#include "hy_stream_timing.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int hy_stream_copies(double bytes_per_call, double llc_bytes, int max_copies)
{
    if (max_copies < 1) max_copies = 1;
    if (!(bytes_per_call > 0)) return max_copies;
    if (bytes_per_call >= 2 * llc_bytes) return 1;
    double k = ceil(2 * llc_bytes / bytes_per_call) + 1;
    return k > max_copies ? max_copies : (int)k;
}

double hy_stream_case_bytes(const hy_val_shape *s)
{
    double bytes = hy_val_shape_cost(s).bytes;
    if (s->family == HY_FAM_MOE && s->s.moe.k > 0)
        bytes *= (double)s->s.moe.E / (double)s->s.moe.k;
    return bytes;
}

double hy_available_memory(void)
{
    long pages = sysconf(_SC_AVPHYS_PAGES), size = sysconf(_SC_PAGESIZE);
    if (pages <= 0 || size <= 0) return 0;
    return (double)pages * (double)size;
}

void hy_stream_plan_make(const hy_val_shape *s, double llc_bytes, hy_stream_plan *p)
{
    double one = hy_stream_case_bytes(s);
    p->copies = hy_stream_copies(hy_val_shape_cost(s).bytes, llc_bytes, HY_STREAM_MAX_COPIES);
    p->footprint = p->copies * one;
    p->memory_capped = 0;
    double avail = hy_available_memory();
    if (avail > 0 && p->footprint > 0.5 * avail) {
        p->copies = (int)fmax(1, floor(0.5 * avail / one));
        p->footprint = p->copies * one;
        p->memory_capped = 1;
    }
}

/* cs: [n], NULL entries allowed; cs[0] is the caller's when `borrowed` */
static void destroy_all(hy_val_case **cs, int n, int borrowed)
{
    for (int i = borrowed ? 1 : 0; i < n; i++) hy_val_case_destroy(cs[i]);
    free(cs);
}

/* One round: every copy once, back to back; the device (if any) is
 * synchronised at the end only. */
static int round_once(const hy_backend *b, hy_exec *ex, hy_val_case **cs, int k, double *seconds,
                      hy_error *err)
{
    double t0 = hy_timer_now();
    for (int i = 0; i < k; i++) {
        int rc = hy_val_case_launch(cs[i], err);
        if (rc == HY_UNSUPPORTED) return hy_fail(err, "unsupported during timing");
        if (rc) return -1;
    }
    if (!b->host_memory && b->synchronize && b->synchronize(ex, err)) return -1;
    *seconds = hy_timer_now() - t0;
    return 0;
}

int hy_stream_time(const hy_backend *b, hy_exec *ex, const hy_kernel_variant *v,
                   const hy_val_shape *s, uint64_t seed, const hy_stream_plan *p, int rounds,
                   hy_val_case *first, hy_timing *t, char *why, size_t why_len)
{
    memset(t, 0, sizeof *t);
    const int k = p->copies > 0 ? p->copies : 1;
    if (rounds < 3) rounds = 3;
    hy_val_case **cs = calloc((size_t)k, sizeof *cs);
    if (!cs) {
        snprintf(why, why_len, "out of memory for %d copies", k);
        return 1;
    }
    hy_error kerr = {{0}};
    const int borrowed = first != NULL;
    if (borrowed) cs[0] = first;
    int made = borrowed;
    for (; made < k; made++)
        if (hy_val_case_create_opts(b, ex, s, seed + 1000 + (uint64_t)made, 0, &cs[made], &kerr) ||
            hy_val_case_bind(cs[made], v, &kerr))
            break;
    hy_timer_options to = hy_timer_default_options();
    to.ncounters = 0;
    double warmup = 0;
    if (made < k || hy_timing_alloc(t, "builtin", rounds, 0, 1, &to, &kerr) ||
        round_once(b, ex, cs, k, &warmup, &kerr)) {
        snprintf(why, why_len, "copy %d of %d: %.200s", made + 1, k, kerr.msg);
        destroy_all(cs, k, borrowed); /* calloc'd: the copies not made are NULL */
        hy_timing_free(t);
        return 1;
    }
    for (int r = 0; r < rounds; r++) {
        double sec = 0;
        if (round_once(b, ex, cs, k, &sec, &kerr)) {
            snprintf(why, why_len, "round %d: %.200s", r + 1, kerr.msg);
            destroy_all(cs, k, borrowed);
            hy_timing_free(t);
            return 1;
        }
        t->seconds[r] = t->cpu_seconds[r] = sec / k;
        t->iterations[r] = k;
    }
    destroy_all(cs, k, borrowed);
    t->warmup_calls = k;
    t->warmup_seconds = warmup;
    t->streamed_copies = k;
    return 0;
}
