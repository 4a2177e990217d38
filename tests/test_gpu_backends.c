/* test_gpu_backends.c — the GPU backends (cuda, hip).
 *
 * Everywhere: the launch-shape logic of backends/gpu/hy_gpu_launch.h
 * (grids, chunk counts, attention tiles and split-KV partitions, MoE
 * workspace layout) against hand-computed values and brute-force
 * properties; for each GPU backend compiled in, its kernel table.
 * Without a device: the probe says why ("skip: ..."), the execution
 * context is refused with that reason, and the registry still picks a
 * host backend.  With a device: memory round trips, device timing, and
 * every variant of every family on every validation shape against the
 * reference. */
#include "hy_test.h"

#include "backend.h"
#include "hy_gpu_launch.h"
#include "hy_validate.h"
#ifdef HYBENCH_HAVE_CUDA
#include "cuda/cuda_backend.h"
#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- launch-shape logic ---------------------------------------------------- */

static void test_gemm_grid(void)
{
    hy_gpu_dim g;
    CHECK(hy_gpu_gemm_grid(1, 1, &g) == 0 && g.x == 1 && g.y == 1 && g.z == 1);
    CHECK(hy_gpu_gemm_grid(65, 129, &g) == 0 && g.x == 3 && g.y == 2); /* N over x, M over y */
    CHECK(hy_gpu_gemm_grid(64, 64, &g) == 0 && g.x == 1 && g.y == 1);
    CHECK(hy_gpu_gemm_grid(0, 5, &g) == -1);
    CHECK(hy_gpu_gemm_grid(5, -1, &g) == -1);
    CHECK(hy_gpu_gemm_grid(64LL * 65536, 1, &g) == -1); /* 65536 row tiles > grid y */
}

static void test_small_plans(void)
{
    CHECK(hy_gpu_rmsnorm_threads(1) == 32);
    CHECK(hy_gpu_rmsnorm_threads(32) == 32);
    CHECK(hy_gpu_rmsnorm_threads(33) == 64);
    CHECK(hy_gpu_rmsnorm_threads(4096) == 256);

    hy_gpu_dim g;
    hy_gpu_conv1d_grid(70000, 300, &g);
    CHECK(g.x == 3 && g.y == 65535 && g.z == 1); /* 300 / 128 channels; time loops past 65535 */
    hy_gpu_conv1d_grid(1, 128, &g);
    CHECK(g.x == 1 && g.y == 1);

    CHECK(hy_gpu_mlp_workspace(&(hy_mlp_shape){.T = 3, .H = 8, .I = 5}) == 256); /* 60 bytes, aligned */
    CHECK(hy_gpu_mlp_workspace(&(hy_mlp_shape){.T = 16, .H = 8, .I = 16}) == 1024);
}

static void test_scan_plans(void)
{
    hy_gpu_scan_plan p;
    hy_scan_shape s = {.T = 33, .D = 17, .N = 16};
    CHECK(hy_gpu_scan_regs_plan(&s, &p) == 0);
    CHECK(p.per_lane == 1 && p.chunk == 32 && p.chunks == 2 && p.grid.x == 3 && p.block.x == 128);
    CHECK(p.smem == 4u * 32 * (2 * 16 + 3 * 8)); /* B, C [32, 16] + u, dt, z [32, 8] */
    s.N = 128;
    CHECK(hy_gpu_scan_regs_plan(&s, &p) == 0 && p.per_lane == 8);
    s.N = 129;
    CHECK(hy_gpu_scan_regs_plan(&s, &p) == 0 && p.per_lane == 9);
    s.N = 256;
    CHECK(hy_gpu_scan_regs_plan(&s, &p) == 0 && p.per_lane == 16);
    CHECK(p.chunk == 16 && p.smem == 4u * 16 * (2 * 256 + 3 * 8)); /* 32 steps would need 67 KiB */
    s.N = 257;
    CHECK(hy_gpu_scan_regs_plan(&s, &p) == HY_UNSUPPORTED);

    hy_gpu_blockscan_plan b;
    hy_scan_shape t = {.T = 1, .D = 5, .N = 16};
    CHECK(hy_gpu_scan_blockscan_plan(&t, &b) == 0 && b.chunk == 32 && b.chunks == 1 && b.grid.x == 5);
    t.T = 100;
    CHECK(hy_gpu_scan_blockscan_plan(&t, &b) == 0 && b.chunk == 128 && b.chunks == 1);
    t.T = 300;
    CHECK(hy_gpu_scan_blockscan_plan(&t, &b) == 0 && b.chunk == 128 && b.chunks == 3);
    CHECK(b.block.x == (unsigned)b.chunk && b.smem == 4u * (2 * 128 + 2 * 16));
    t.N = 300;
    CHECK(hy_gpu_scan_blockscan_plan(&t, &b) == HY_UNSUPPORTED);

    hy_gpu_ssd_plan q;
    hy_ssd_shape d = {.T = 64, .H = 4, .P = 64, .G = 1, .N = 128, .chunk = 16};
    CHECK(hy_gpu_ssd_regs_plan(&d, &q) == 0);
    CHECK(q.grid.x == 8 && q.grid.y == 4 && q.per_lane == 8 && q.chunks == 2);
    d.N = 512;
    CHECK(hy_gpu_ssd_regs_plan(&d, &q) == HY_UNSUPPORTED);
}

static void test_attention_plans(void)
{
    hy_gpu_attention_plan p;
    /* decode against a 32768-token cache: Jamba heads (8 query, 2 KV, 128) */
    hy_attention_shape dec = {.T = 1, .nH = 8, .nKV = 2, .hd = 128, .pos0 = 32768, .cap = 32772};
    CHECK(hy_gpu_attention_plan_make(&dec, 1, &p) == 0);
    CHECK(p.group == 4 && p.rows == 4 && p.row_tiles == 1);
    CHECK(p.bk == 32); /* 4 * (16*129 + 2*32*129 + 16*32) = 43328 <= 48 KiB */
    CHECK(p.smem == 43328);
    CHECK(p.max_key_tiles == 1025); /* keys 0..32768 */
    CHECK(p.splits == 64);          /* 2 blocks want 132 splits; capped */
    CHECK(p.grid.x == 1 && p.grid.y == 2 && p.grid.z == 64 && p.block.x == 128);
    /* O: 64 splits x 2 KV heads x 4 rows x 128 floats; m, l: 64 x 2 x 4 x 2 floats */
    CHECK(p.workspace == 4u * 64 * 2 * 4 * 128 + 4u * 64 * 2 * 4 * 2);
    CHECK(hy_gpu_attention_plan_make(&dec, 0, &p) == 0 && p.splits == 1 && p.workspace == 0);

    /* prefill fills the device by itself: no split */
    hy_attention_shape pre = {.T = 512, .nH = 32, .nKV = 8, .hd = 128, .cap = 512};
    CHECK(hy_gpu_attention_plan_make(&pre, 1, &p) == 0);
    CHECK(p.row_tiles == 128 && p.splits == 1 && p.workspace == 0);

    /* head size 256: the K/V tile shrinks to fit 48 KiB */
    hy_attention_shape big = {.T = 17, .nH = 2, .nKV = 1, .hd = 256, .cap = 20};
    CHECK(hy_gpu_attention_plan_make(&big, 1, &p) == 0 && p.bk == 8 && p.smem <= HY_GPU_SMEM_DEFAULT);
    big.hd = 257;
    CHECK(hy_gpu_attention_plan_make(&big, 1, &p) == HY_UNSUPPORTED);
    hy_attention_shape bad = {.T = 4, .nH = 6, .nKV = 4, .hd = 64, .cap = 8};
    CHECK(hy_gpu_attention_plan_make(&bad, 1, &p) == HY_UNSUPPORTED);

    /* tile key ranges with a window, hand-computed: group 2, window 5 */
    hy_attention_shape w = {.T = 33, .nH = 4, .nKV = 2, .hd = 64, .cap = 36, .window = 5};
    int64_t lo, hi;
    hy_gpu_attention_tile_keys(&w, 2, 0, &lo, &hi); /* rows 0..15 = tokens 0..7 */
    CHECK(lo == 0 && hi == 7);
    hy_gpu_attention_tile_keys(&w, 2, 1, &lo, &hi); /* tokens 8..15 */
    CHECK(lo == 4 && hi == 15);
    hy_gpu_attention_tile_keys(&w, 2, 4, &lo, &hi); /* rows 64, 65 = token 32 */
    CHECK(lo == 28 && hi == 32);
    hy_gpu_attention_tile_keys(&w, 2, 5, &lo, &hi); /* past the rows */
    CHECK(hi < lo);
}

/* flash-tc: the head size padded to an instantiation, the key tile
 * shrinking for the large ones, 64-row tiles, and what it refuses. */
static void test_attention_tc_plans(void)
{
    hy_gpu_attention_tc_plan p;
    char why[200];
    /* Jamba prefill: 32 query heads, 8 KV heads, 128 */
    hy_attention_shape pre = {.T = 512, .nH = 32, .nKV = 8, .hd = 128, .cap = 512};
    CHECK(hy_gpu_attention_tc_plan_make(&pre, &p, why, sizeof why) == 0);
    CHECK(p.group == 4 && p.rows == 2048 && p.hd_pad == 128 && p.bk == 32);
    CHECK(p.grid.x == 32 && p.grid.y == 8 && p.grid.z == 1 && p.block.x == 128);
    /* bf16: Q 64 x 136, K 32 x 136, V^T 128 x 40 */
    CHECK(p.smem == 2u * (64 * 136 + 32 * 136 + 128 * 40));
    static const struct { int64_t hd; int pad, bk; } pads[] = {
        {16, 32, 64}, {32, 32, 64}, {48, 64, 64}, {64, 64, 64}, {80, 128, 32},
        {128, 128, 32}, {144, 256, 32}, {256, 256, 32}};
    for (size_t i = 0; i < sizeof pads / sizeof pads[0]; i++) {
        hy_attention_shape s = {.T = 7, .nH = 4, .nKV = 2, .hd = pads[i].hd, .cap = 9};
        CHECK(hy_gpu_attention_tc_plan_make(&s, &p, why, sizeof why) == 0);
        CHECK(p.hd_pad == pads[i].pad && p.bk == pads[i].bk && p.grid.x == 1);
        /* opts in beyond 48 KiB only for 256; within every sm_80+ limit */
        CHECK((p.smem > HY_GPU_SMEM_DEFAULT) == (pads[i].pad == 256) && p.smem <= 163 * 1024);
    }
    hy_attention_shape s = {.T = 7, .nH = 4, .nKV = 2, .hd = 33, .cap = 9};
    CHECK(hy_gpu_attention_tc_plan_make(&s, &p, why, sizeof why) == HY_UNSUPPORTED);
    CHECK(strstr(why, "multiple of 16") != NULL);
    s.hd = 272;
    CHECK(hy_gpu_attention_tc_plan_make(&s, &p, why, sizeof why) == HY_UNSUPPORTED);
    s.hd = 64;
    s.T = 1;
    s.pos0 = 5;
    CHECK(hy_gpu_attention_tc_plan_make(&s, &p, why, sizeof why) == HY_UNSUPPORTED);
    CHECK(strstr(why, "decode") != NULL);
    s.T = 7;
    s.kv_dtype = HY_BF16;
    CHECK(hy_gpu_attention_tc_plan_make(&s, &p, why, sizeof why) == HY_UNSUPPORTED);
    CHECK(strstr(why, "bf16") != NULL);
    s.kv_dtype = HY_F32;
    s.T = 65; /* 130 rows: three 64-row tiles */
    s.cap = 80;
    CHECK(hy_gpu_attention_tc_plan_make(&s, &p, why, sizeof why) == 0 && p.grid.x == 3);
}

/* ssd chunked: chunk length, grids, and workspace pieces in order, aligned,
 * each large enough. */
static void test_ssd_chunked_plans(void)
{
    hy_gpu_ssd_chunked_plan p;
    hy_ssd_shape s = {.T = 100, .H = 6, .P = 16, .G = 2, .N = 32, .chunk = 16};
    CHECK(hy_gpu_ssd_chunked_plan_make(&s, 0, &p, NULL, 0) == 0);
    CHECK(p.chunk == 16 && p.chunks == 7);
    CHECK(p.grid_chunk.x == 7 && p.grid_chunk.y == 6);
    CHECK(p.grid_state.x == (6 * 16 * 32 + 255) / 256);
    CHECK(p.smem == 4u * (2 * 16 + 16 * 16));
    CHECK(p.states == 0 && p.cs % 256 == 0 && p.decay % 256 == 0);
    CHECK(p.cs >= 4u * 7 * 6 * 16 * 32);
    CHECK(p.decay >= p.cs + 4u * 7 * 6 * 16);
    CHECK(p.workspace >= p.decay + 4u * 7 * 6);
    s.chunk = 256; /* capped at 64 */
    CHECK(hy_gpu_ssd_chunked_plan_make(&s, 0, &p, NULL, 0) == 0 && p.chunk == 64 && p.chunks == 2);
    s.T = 1; /* decode: one chunk of one step */
    CHECK(hy_gpu_ssd_chunked_plan_make(&s, 0, &p, NULL, 0) == 0 && p.chunks == 1);
    /* tensor cores: L = 64 always, P and N padded to 16, bf16 staging */
    hy_ssd_shape t = {.T = 100, .H = 6, .P = 20, .G = 2, .N = 33, .chunk = 16};
    CHECK(hy_gpu_ssd_chunked_plan_make(&t, 1, &p, NULL, 0) == 0);
    CHECK(p.chunk == 64 && p.chunks == 2 && p.p16 == 32 && p.n16 == 48);
    CHECK(p.smem == 4u * 2 * 64 + 2u * (2 * 64 * 56 + 48 * 72 + 2 * 32 * 72 + 64 * 72));
    t.P = 64;
    t.N = 128; /* Mamba-2's usual head: fits without opting in past sm_80 */
    CHECK(hy_gpu_ssd_chunked_plan_make(&t, 1, &p, NULL, 0) == 0 && p.smem <= HY_GPU_SSD_TC_MAX_SMEM);
    t.P = 256;
    t.N = 256;
    char why[200] = "";
    CHECK(hy_gpu_ssd_chunked_plan_make(&t, 1, &p, why, sizeof why) == HY_UNSUPPORTED);
    CHECK(strstr(why, "shared memory") != NULL);
    s.H = 70000;
    s.G = 1;
    CHECK(hy_gpu_ssd_chunked_plan_make(&s, 0, &p, NULL, 0) == HY_UNSUPPORTED);
}

/* Key ranges of any row span: exactly [min first key, max last key] of its rows. */
static void test_attention_rows_keys(void)
{
    int bad = 0;
    for (int64_t window = 0; window <= 6; window += 3)
        for (int64_t group = 1; group <= 3; group++) {
            hy_attention_shape s = {.T = 11, .nH = 2 * group, .nKV = 2, .hd = 16, .pos0 = 4,
                                    .cap = 20, .window = window};
            int64_t rows = s.T * group;
            for (int64_t r0 = 0; r0 <= rows; r0++)
                for (int64_t r1 = r0; r1 <= rows + 3; r1++) {
                    int64_t lo, hi, want_lo = INT64_MAX, want_hi = -1;
                    hy_gpu_attention_rows_keys(&s, group, r0, r1, &lo, &hi);
                    for (int64_t r = r0; r < r1 && r < rows; r++) {
                        int64_t pp = s.pos0 + r / group, first = pp - hy_attention_keys_seen(&s, pp) + 1;
                        if (first < want_lo) want_lo = first;
                        if (pp > want_hi) want_hi = pp;
                    }
                    if (want_hi < 0) bad += hi >= lo;
                    else bad += lo != want_lo || hi != want_hi;
                }
        }
    CHECK(bad == 0);
}

/* Every key any row of a tile sees lies in the tile's range, and the range
 * is no wider than the union of what its rows see. */
static void test_attention_tiles_cover_rows(void)
{
    static const hy_attention_shape shapes[] = {
        {.T = 33, .nH = 4, .nKV = 2, .hd = 64, .pos0 = 0, .window = 5},
        {.T = 9, .nH = 4, .nKV = 2, .hd = 64, .pos0 = 40, .window = 16},
        {.T = 15, .nH = 4, .nKV = 2, .hd = 128, .pos0 = 20},
        {.T = 1, .nH = 8, .nKV = 2, .hd = 128, .pos0 = 100},
        {.T = 40, .nH = 3, .nKV = 1, .hd = 32, .pos0 = 7, .window = 3},
        {.T = 17, .nH = 2, .nKV = 2, .hd = 64, .pos0 = 0},
    };
    int bad = 0;
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        const hy_attention_shape *s = &shapes[i];
        int64_t group = s->nH / s->nKV, rows = s->T * group;
        for (int64_t tile = 0; tile * HY_GPU_ATT_BQ < rows; tile++) {
            int64_t lo, hi, want_lo = INT64_MAX, want_hi = -1;
            hy_gpu_attention_tile_keys(s, group, tile, &lo, &hi);
            for (int64_t r = tile * HY_GPU_ATT_BQ; r < rows && r < (tile + 1) * HY_GPU_ATT_BQ; r++) {
                int64_t p = s->pos0 + r / group, first = p - hy_attention_keys_seen(s, p) + 1;
                if (first < want_lo) want_lo = first;
                if (p > want_hi) want_hi = p;
            }
            if (lo != want_lo || hi != want_hi) bad++;
        }
    }
    CHECK(bad == 0);
}

/* Split ranges partition [0, n) into contiguous pieces differing by <= 1. */
static void test_split_ranges(void)
{
    int bad = 0;
    for (int64_t n = 0; n <= 40; n++)
        for (int splits = 1; splits <= 9; splits++) {
            int64_t next = 0, mn = INT64_MAX, mx = 0;
            for (int sp = 0; sp < splits; sp++) {
                int64_t a, b;
                hy_gpu_attention_split_range(n, splits, sp, &a, &b);
                if (a != next || b < a) bad++;
                next = b;
                if (b - a < mn) mn = b - a;
                if (b - a > mx) mx = b - a;
            }
            if (next != n || mx - mn > 1) bad++;
        }
    CHECK(bad == 0);
}

static void test_moe_layout(void)
{
    hy_gpu_moe_layout l;
    hy_moe_shape s = {.T = 9, .H = 64, .I = 48, .E = 16, .k = 2};
    CHECK(hy_gpu_moe_layout_make(&s, &l) == 0);
    CHECK(l.rows == 18);
    CHECK(l.max_tiles == 1 + 16); /* one tile of 64 rows, plus one partial tile per expert */
    /* pieces in order, 256-aligned, each large enough, none overlapping */
    size_t at[] = {l.ptrs, l.topk_idx, l.topk_w, l.pos, l.row_token, l.counts, l.offsets,
                   l.tile_start, l.act, l.out, l.total};
    size_t need[] = {3 * 16 * sizeof(void *), 18 * 4, 18 * 4, 18 * 4, 18 * 4, 16 * 4, 17 * 4,
                     17 * 4, 18 * 48 * 4, 18 * 64 * 4};
    int bad = 0;
    for (size_t i = 0; i + 1 < sizeof at / sizeof at[0]; i++) {
        if (at[i] % 256) bad++;
        if (at[i + 1] < at[i] + need[i]) bad++;
    }
    CHECK(bad == 0);
    CHECK(l.ptrs == 0 && l.total >= 18 * (48 + 64) * 4);
    s.E = 257;
    s.k = 2;
    CHECK(hy_gpu_moe_layout_make(&s, &l) == HY_UNSUPPORTED);
    s.E = 4;
    s.k = 5;
    CHECK(hy_gpu_moe_layout_make(&s, &l) == HY_UNSUPPORTED);
}

/* ---- backends ------------------------------------------------------------ */

static void check_table(const hy_backend *b)
{
    for (int f = 0; f < HY_FAM_COUNT; f++) {
        const hy_kernel_variant *v[8];
        size_t n = hy_backend_variants(b, (hy_family)f, v, 8);
        if (n == 0) printf("  %s: %s unsupported\n", b->name, hy_family_name((hy_family)f));
        CHECK(n >= 1); /* every family has a GPU kernel */
        for (size_t i = 0; i < n && i < 8; i++) {
            CHECK(strcmp(v[i]->isa, b->name) == 0);
            for (size_t j = 0; j < i; j++) CHECK(strcmp(v[i]->name, v[j]->name) != 0);
        }
    }
    const hy_kernel_variant *lin[8];
    size_t n = hy_backend_variants(b, HY_FAM_LINEAR, lin, 8);
    int has_tiled = 0, has_blas = 0;
    for (size_t i = 0; i < n && i < 8; i++) {
        has_tiled |= strcmp(lin[i]->name, "tiled") == 0;
        has_blas |= strcmp(lin[i]->name, "cublas") == 0;
    }
    CHECK(has_tiled);
    CHECK(has_blas == (strcmp(b->name, "cuda") == 0)); /* the hip build has no hipBLAS */
    /* tensor-core (bf16) variants: CUDA only; the fp32 chunked SSD: both */
    int bf16 = 0, tc = 0, chunked = 0, chunked_tc = 0;
    for (size_t k = 0; k < b->n_kernels; k++) {
        const hy_kernel_variant *v = &b->kernels[k];
        bf16 += v->dtype == HY_BF16;
        tc += v->family == HY_FAM_ATTENTION && strcmp(v->name, "flash-tc") == 0 && v->dtype == HY_BF16;
        chunked += v->family == HY_FAM_SSD && strcmp(v->name, "chunked") == 0 && v->dtype == HY_F32;
        chunked_tc += v->family == HY_FAM_SSD && strcmp(v->name, "chunked-tc") == 0 && v->dtype == HY_BF16;
        CHECK(v->dtype == HY_F32 || v->dtype == HY_BF16);
    }
    CHECK(tc == (strcmp(b->name, "cuda") == 0));
    CHECK(chunked_tc == tc);
    CHECK(bf16 == tc + chunked_tc);
    CHECK(chunked == 1);
    const hy_kernel_variant *att = hy_backend_select(b, HY_FAM_ATTENTION);
    CHECK(att && att->dtype == HY_F32); /* the default handles decode too */
}

static void check_unavailable(const hy_backend *b, const char *why)
{
    printf("skip: %s: %s\n", b->name, why);
    CHECK(why[0] != 0);
    CHECK(strstr(why, "no ") != NULL || strstr(why, "unusable") != NULL);
    char desc[256] = "";
    b->describe(desc, sizeof desc);
    CHECK(desc[0] != 0);
    hy_exec *ex = (hy_exec *)0x1;
    hy_error err;
    CHECK_FAILS(b->exec_create(&ex, &err), &err, b->name);
    CHECK(ex == NULL);
    const hy_backend *best = hy_backend_best();
    CHECK(best != NULL && best->host_memory);
    CHECK(best != b);
    if (best) printf("  best backend here: %s\n", best->name);
}

static void check_available(const hy_backend *b)
{
    hy_error err;
    hy_exec *ex = NULL;
    CHECK_OK(b->exec_create(&ex, &err), &err);
    if (!ex) return;
    char desc[256];
    b->describe(desc, sizeof desc);
    printf("  %s: %s\n", b->name, desc);

    /* memory round trip: upload, zero a middle part, download */
    enum { N = 1000 };
    float host[N], back[N];
    for (int i = 0; i < N; i++) host[i] = (float)i * 0.5f - 7.0f;
    float *dev = b->alloc(ex, sizeof host, &err);
    CHECK(dev != NULL);
    if (dev) {
        CHECK_OK(b->upload(ex, dev, host, sizeof host, &err), &err);
        CHECK_OK(b->memset_zero(ex, dev + 100, 200 * sizeof(float), &err), &err);
        CHECK_OK(b->download(ex, back, dev, sizeof back, &err), &err);
        int bad = 0;
        for (int i = 0; i < N; i++) bad += back[i] != (i >= 100 && i < 300 ? 0.0f : host[i]);
        CHECK(bad == 0);
        b->free(ex, dev);
    }
#ifdef HYBENCH_HAVE_CUDA
    if (strcmp(b->name, "cuda") == 0) {
        double sec = -1;
        CHECK_OK(hy_cuda_timing_begin(ex, &err), &err);
        CHECK_OK(hy_cuda_timing_end(ex, &sec, &err), &err);
        CHECK(sec >= 0 && sec < 1.0);
    }
#endif

    int failed = 0, passed = 0, unsupported = 0;
    for (int f = 0; f < HY_FAM_COUNT; f++) {
        size_t ns = hy_val_shapes((hy_family)f, 0, NULL, 0);
        hy_val_shape *shapes = calloc(ns, sizeof *shapes);
        if (!shapes) continue;
        hy_val_shapes((hy_family)f, 0, shapes, ns);
        const hy_kernel_variant *v[8];
        size_t nv = hy_backend_variants(b, (hy_family)f, v, 8);
        for (size_t i = 0; i < nv && i < 8; i++)
            for (size_t k = 0; k < ns; k++) {
                hy_check_result res;
                hy_validate_variant(b, ex, v[i], &shapes[k], 42, &res);
                if (res.status == HY_CHECK_PASS) {
                    passed++;
                    if (v[i]->dtype != HY_F32) /* the bf16 variants' errors, for calibration */
                        printf("  %s %s/%s %s: bf16 error %.3g (tolerance %.3g)\n", b->name,
                               hy_family_name((hy_family)f), v[i]->name, shapes[k].label, res.error,
                               res.tolerance);
                    continue;
                }
                /* declared limits: tensor-core variants (decode, head
                 * sizes), and the bf16 KV cache the GPU kernels do not read */
                if (res.status == HY_CHECK_UNSUPPORTED &&
                    (v[i]->dtype != HY_F32 ||
                     (f == HY_FAM_ATTENTION && shapes[k].s.attention.kv_dtype != HY_F32))) {
                    unsupported++;
                    printf("  %s %s/%s %s: unsupported: %s\n", b->name, hy_family_name((hy_family)f),
                           v[i]->name, shapes[k].label, res.message);
                    continue;
                }
                failed++;
                printf("  %s %s/%s %s: %s error %.3g (tol %.3g) %s\n", b->name,
                       hy_family_name((hy_family)f), v[i]->name, shapes[k].label,
                       hy_check_status_name(res.status), res.error, res.tolerance, res.message);
            }
        free(shapes);
    }
    printf("  %s: %d validations passed, %d not, %d outside declared limits\n", b->name, passed, failed,
           unsupported);
    CHECK(passed > 0);
    CHECK(failed == 0);
    b->exec_destroy(ex);
}

static void test_backend(const char *name)
{
    const hy_backend *b = hy_backend_find(name);
    if (!b) {
        printf("skip: %s backend not compiled in\n", name);
        return;
    }
    CHECK(!b->host_memory);
    check_table(b);
    char why[256] = "";
    if (b->probe(why, sizeof why)) {
        printf("%s available: %s\n", name, why);
        check_available(b);
    } else {
        check_unavailable(b, why);
    }
}

int main(void)
{
    test_gemm_grid();
    test_small_plans();
    test_scan_plans();
    test_attention_plans();
    test_attention_tc_plans();
    test_ssd_chunked_plans();
    test_attention_rows_keys();
    test_attention_tiles_cover_rows();
    test_split_ranges();
    test_moe_layout();
    test_backend("cuda");
    test_backend("hip");
    return hy_test_finish();
}
