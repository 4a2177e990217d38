/* hy_gpu_launch.c — launch-shape logic of the GPU kernels (hy_gpu_launch.h),
 * compiled by the host C compiler into every build, GPU or not. */
#include "hy_gpu_launch.h"

static unsigned clamp_grid_yz(int64_t n)
{
    if (n < 1) return 1;
    return n > (int64_t)HY_GPU_MAX_GRID_YZ ? HY_GPU_MAX_GRID_YZ : (unsigned)n;
}

int hy_gpu_gemm_grid(int64_t M, int64_t N, hy_gpu_dim *grid)
{
    if (M <= 0 || N <= 0 || !grid) return -1;
    int64_t gx = hy_gpu_ceil_div(N, HY_GPU_GEMM_BN), gy = hy_gpu_ceil_div(M, HY_GPU_GEMM_BM);
    if (gx > (int64_t)HY_GPU_MAX_GRID_X || gy > (int64_t)HY_GPU_MAX_GRID_YZ) return -1;
    grid->x = (unsigned)gx;
    grid->y = (unsigned)gy;
    grid->z = 1;
    return 0;
}

unsigned hy_gpu_rmsnorm_threads(int64_t D)
{
    unsigned t = 32;
    while (t < 256 && (int64_t)t < D) t *= 2;
    return t;
}

void hy_gpu_conv1d_grid(int64_t T, int64_t C, hy_gpu_dim *grid)
{
    grid->x = (unsigned)hy_gpu_ceil_div(C > 0 ? C : 1, HY_GPU_CONV_THREADS);
    grid->y = clamp_grid_yz(T); /* the kernel loops t += gridDim.y */
    grid->z = 1;
}

int hy_gpu_scan_regs_plan(const hy_scan_shape *s, hy_gpu_scan_plan *p)
{
    int64_t per = hy_gpu_ceil_div(s->N, HY_GPU_SCAN_LANES);
    if (s->N <= 0 || s->D <= 0 || s->T <= 0 || per > HY_GPU_SCAN_MAX_PER_LANE) return HY_UNSUPPORTED;
    int64_t gx = hy_gpu_ceil_div(s->D, HY_GPU_SCAN_CHANNELS);
    if (gx > (int64_t)HY_GPU_MAX_GRID_X) return HY_UNSUPPORTED;
    p->grid = (hy_gpu_dim){(unsigned)gx, 1, 1};
    p->block = (hy_gpu_dim){HY_GPU_SCAN_LANES * HY_GPU_SCAN_CHANNELS, 1, 1};
    p->per_lane = (int)per;
    /* B and C of the chunk [chunk, N] each; u, dt, z of the block's
     * channels [chunk, channels] each. */
    size_t per_step = sizeof(float) * (2 * (size_t)s->N + 3 * (size_t)HY_GPU_SCAN_CHANNELS);
    p->chunk = HY_GPU_SCAN_CHUNK;
    while (p->chunk > 1 && p->chunk * per_step > HY_GPU_SMEM_DEFAULT) p->chunk /= 2;
    p->smem = p->chunk * per_step;
    p->chunks = hy_gpu_ceil_div(s->T, p->chunk);
    return 0;
}

int hy_gpu_scan_blockscan_plan(const hy_scan_shape *s, hy_gpu_blockscan_plan *p)
{
    if (s->N <= 0 || s->D <= 0 || s->T <= 0 || s->N > HY_GPU_BLOCKSCAN_MAX_N) return HY_UNSUPPORTED;
    if (s->D > (int64_t)HY_GPU_MAX_GRID_X) return HY_UNSUPPORTED;
    int chunk = 32;
    while (chunk < HY_GPU_BLOCKSCAN_MAX_THREADS && chunk < s->T) chunk *= 2;
    p->chunk = chunk;
    p->chunks = hy_gpu_ceil_div(s->T, chunk);
    p->grid = (hy_gpu_dim){(unsigned)s->D, 1, 1};
    p->block = (hy_gpu_dim){(unsigned)chunk, 1, 1};
    /* scan pairs (a, b) [chunk] x 2, the carried state [N], exp(A) [N] */
    p->smem = sizeof(float) * (2 * (size_t)chunk + 2 * (size_t)s->N);
    return 0;
}

int hy_gpu_ssd_regs_plan(const hy_ssd_shape *s, hy_gpu_ssd_plan *p)
{
    int64_t per = hy_gpu_ceil_div(s->N, HY_GPU_SCAN_LANES);
    if (s->N <= 0 || s->P <= 0 || s->H <= 0 || s->T <= 0 || per > HY_GPU_SCAN_MAX_PER_LANE)
        return HY_UNSUPPORTED;
    int64_t gx = hy_gpu_ceil_div(s->P, HY_GPU_SSD_ROWS);
    if (gx > (int64_t)HY_GPU_MAX_GRID_X || s->H > (int64_t)HY_GPU_MAX_GRID_YZ) return HY_UNSUPPORTED;
    p->grid = (hy_gpu_dim){(unsigned)gx, (unsigned)s->H, 1};
    p->block = (hy_gpu_dim){HY_GPU_SCAN_LANES * HY_GPU_SSD_ROWS, 1, 1};
    p->per_lane = (int)per;
    /* B and C [chunk, N] each; x, z [chunk, rows] each; dt [chunk] */
    size_t per_step = sizeof(float) * (2 * (size_t)s->N + 2 * (size_t)HY_GPU_SSD_ROWS + 1);
    p->chunk = HY_GPU_SCAN_CHUNK;
    while (p->chunk > 1 && p->chunk * per_step > HY_GPU_SMEM_DEFAULT) p->chunk /= 2;
    p->smem = p->chunk * per_step;
    p->chunks = hy_gpu_ceil_div(s->T, p->chunk);
    return 0;
}

/* Shared memory of one attention block: Q [BQ, hd + 1], K and V
 * [bk, hd + 1] (one pad column: the score loop reads different rows of K
 * in neighbouring threads without bank conflicts), scores [BQ, bk]. */
static size_t attention_smem(int64_t hd, int bk)
{
    size_t row = (size_t)hd + 1;
    return sizeof(float) * ((size_t)HY_GPU_ATT_BQ * row + 2 * (size_t)bk * row +
                            (size_t)HY_GPU_ATT_BQ * (size_t)bk);
}

int hy_gpu_attention_plan_make(const hy_attention_shape *s, int allow_split, hy_gpu_attention_plan *p)
{
    if (s->hd <= 0 || s->hd > HY_GPU_ATT_MAX_HD || s->nKV <= 0 || s->nH % s->nKV || s->T <= 0)
        return HY_UNSUPPORTED;
    p->group = s->nH / s->nKV;
    p->rows = s->T * p->group;
    p->row_tiles = hy_gpu_ceil_div(p->rows, HY_GPU_ATT_BQ);
    if (p->row_tiles > (int64_t)HY_GPU_MAX_GRID_X || s->nKV > (int64_t)HY_GPU_MAX_GRID_YZ)
        return HY_UNSUPPORTED;
    p->bk = 32;
    while (p->bk > 8 && attention_smem(s->hd, p->bk) > HY_GPU_SMEM_DEFAULT) p->bk /= 2;
    p->smem = attention_smem(s->hd, p->bk);
    if (p->smem > HY_GPU_SMEM_DEFAULT) return HY_UNSUPPORTED;

    p->max_key_tiles = 0;
    for (int64_t tile = 0; tile < p->row_tiles; tile++) {
        int64_t lo, hi;
        hy_gpu_attention_tile_keys(s, p->group, tile, &lo, &hi);
        int64_t n = hi >= lo ? hy_gpu_ceil_div(hi - lo + 1, p->bk) : 0;
        if (n > p->max_key_tiles) p->max_key_tiles = n;
    }

    int64_t base = p->row_tiles * s->nKV, splits = 1;
    if (allow_split && base < HY_GPU_TARGET_BLOCKS) {
        splits = hy_gpu_ceil_div(HY_GPU_TARGET_BLOCKS, base);
        if (splits > p->max_key_tiles) splits = p->max_key_tiles;
        if (splits > HY_GPU_ATT_MAX_SPLITS) splits = HY_GPU_ATT_MAX_SPLITS;
        if (splits < 1) splits = 1;
    }
    p->splits = (int)splits;
    p->grid = (hy_gpu_dim){(unsigned)p->row_tiles, (unsigned)s->nKV, (unsigned)p->splits};
    p->block = (hy_gpu_dim){HY_GPU_ATT_THREADS, 1, 1};
    /* per split: O [nKV, rows, hd] and (m, l) [nKV, rows] */
    p->workspace = 0;
    if (p->splits > 1) {
        size_t per_split = (size_t)s->nKV * (size_t)p->rows;
        p->workspace = hy_gpu_align256(sizeof(float) * (size_t)p->splits * per_split * (size_t)s->hd) +
                       hy_gpu_align256(sizeof(float) * 2 * (size_t)p->splits * per_split);
    }
    return 0;
}

#include <stdio.h>

/* Q [BQ, hd_pad + 8], K [bk, hd_pad + 8], V^T [hd_pad, bk + 8], bf16 */
static size_t attention_tc_smem(int hd_pad, int bk)
{
    return 2 * ((size_t)HY_GPU_ATT_TC_BQ * (size_t)(hd_pad + 8) + (size_t)bk * (size_t)(hd_pad + 8) +
                (size_t)hd_pad * (size_t)(bk + 8));
}

int hy_gpu_attention_tc_plan_make(const hy_attention_shape *s, hy_gpu_attention_tc_plan *p, char *why,
                                  size_t why_len)
{
    char scratch[8];
    if (!why || !why_len) why = scratch, why_len = sizeof scratch;
    if (s->hd <= 0 || s->hd % 16 || s->hd > 256) {
        snprintf(why, why_len, "flash-tc needs a head size that is a multiple of 16 up to 256, not %lld",
                 (long long)s->hd);
        return HY_UNSUPPORTED;
    }
    if (s->T <= 1) {
        snprintf(why, why_len, "flash-tc is a prefill kernel (16-row mma tiles); decode (T = 1) is "
                               "flash's split-KV");
        return HY_UNSUPPORTED;
    }
    if (s->kv_dtype != HY_F32) {
        snprintf(why, why_len, "flash-tc reads an fp32 KV cache; kv_dtype %s is not supported",
                 hy_dtype_name(s->kv_dtype));
        return HY_UNSUPPORTED;
    }
    if (s->nKV <= 0 || s->nH % s->nKV) {
        snprintf(why, why_len, "flash-tc: nH %lld is not a multiple of nKV %lld", (long long)s->nH,
                 (long long)s->nKV);
        return HY_UNSUPPORTED;
    }
    p->group = s->nH / s->nKV;
    p->rows = s->T * p->group;
    int64_t tiles = hy_gpu_ceil_div(p->rows, HY_GPU_ATT_TC_BQ);
    if (tiles > (int64_t)HY_GPU_MAX_GRID_X || s->nKV > (int64_t)HY_GPU_MAX_GRID_YZ) {
        snprintf(why, why_len, "flash-tc: %lld row tiles x %lld KV heads exceed the grid",
                 (long long)tiles, (long long)s->nKV);
        return HY_UNSUPPORTED;
    }
    p->hd_pad = s->hd <= 32 ? 32 : s->hd <= 64 ? 64 : s->hd <= 128 ? 128 : 256;
    p->bk = p->hd_pad >= 128 ? 32 : 64;
    p->smem = attention_tc_smem(p->hd_pad, p->bk);
    p->grid = (hy_gpu_dim){(unsigned)tiles, (unsigned)s->nKV, 1};
    p->block = (hy_gpu_dim){HY_GPU_ATT_TC_THREADS, 1, 1};
    return 0;
}

int hy_gpu_ssd_chunked_plan_make(const hy_ssd_shape *s, int tensor_cores, hy_gpu_ssd_chunked_plan *p,
                                 char *why, size_t why_len)
{
    char scratch[8];
    if (!why || !why_len) why = scratch, why_len = sizeof scratch;
    if (s->T <= 0 || s->H <= 0 || s->P <= 0 || s->N <= 0 || s->G <= 0 || s->H % s->G) {
        snprintf(why, why_len, "ssd chunked: invalid shape");
        return HY_UNSUPPORTED;
    }
    if (tensor_cores) p->chunk = HY_GPU_SSD_CHUNK_MAX;
    else p->chunk = s->chunk > 0 && s->chunk < HY_GPU_SSD_CHUNK_MAX ? (int)s->chunk : HY_GPU_SSD_CHUNK_MAX;
    p->chunks = hy_gpu_ceil_div(s->T, p->chunk);
    int64_t blocks = hy_gpu_ceil_div(s->H * s->P * s->N, HY_GPU_SSD_CHUNK_THREADS);
    if (p->chunks > (int64_t)HY_GPU_MAX_GRID_X || s->H > (int64_t)HY_GPU_MAX_GRID_YZ ||
        blocks > (int64_t)HY_GPU_MAX_GRID_X) {
        snprintf(why, why_len, "ssd chunked: %lld chunks x %lld heads beyond the launch limits",
                 (long long)p->chunks, (long long)s->H);
        return HY_UNSUPPORTED;
    }
    p->grid_chunk = (hy_gpu_dim){(unsigned)p->chunks, (unsigned)s->H, 1};
    p->grid_state = (hy_gpu_dim){(unsigned)blocks, 1, 1};
    p->p16 = (int)hy_gpu_ceil_div(s->P, 16) * 16;
    p->n16 = (int)hy_gpu_ceil_div(s->N, 16) * 16;
    size_t L = (size_t)p->chunk;
    if (!tensor_cores) {
        p->smem = sizeof(float) * (2 * L + L * L);
    } else {
        size_t ls = L + 8, ns = (size_t)p->n16 + 8;
        p->smem = sizeof(float) * 2 * L +
                  2 * (2 * L * ns + (size_t)p->n16 * ls + 2 * (size_t)p->p16 * ls + L * ls);
        if (p->smem > HY_GPU_SSD_TC_MAX_SMEM) {
            snprintf(why, why_len,
                     "ssd chunked-tc: P %lld and N %lld need %zu bytes of shared memory, over %d",
                     (long long)s->P, (long long)s->N, p->smem, HY_GPU_SSD_TC_MAX_SMEM);
            return HY_UNSUPPORTED;
        }
    }
    size_t ch = (size_t)p->chunks, H = (size_t)s->H;
    p->states = 0;
    p->cs = hy_gpu_align256(sizeof(float) * ch * H * (size_t)s->P * (size_t)s->N);
    p->decay = p->cs + hy_gpu_align256(sizeof(float) * ch * H * L);
    p->workspace = p->decay + hy_gpu_align256(sizeof(float) * ch * H);
    return 0;
}

int hy_gpu_moe_layout_make(const hy_moe_shape *s, hy_gpu_moe_layout *l)
{
    if (s->E <= 0 || s->E > HY_GPU_MOE_MAX_EXPERTS || s->k <= 0 || s->k > s->E || s->T <= 0 ||
        s->H <= 0 || s->I <= 0)
        return HY_UNSUPPORTED;
    size_t E = (size_t)s->E, rows = (size_t)(s->T * s->k);
    size_t at = 0;
#define PIECE(field, bytes)            \
    do {                               \
        l->field = at;                 \
        at += hy_gpu_align256(bytes);  \
    } while (0)
    PIECE(ptrs, 3 * E * sizeof(void *));
    PIECE(topk_idx, rows * sizeof(int));
    PIECE(topk_w, rows * sizeof(float));
    PIECE(pos, rows * sizeof(int));
    PIECE(row_token, rows * sizeof(int));
    PIECE(counts, E * sizeof(int));
    PIECE(offsets, (E + 1) * sizeof(int));
    PIECE(tile_start, (E + 1) * sizeof(int));
    PIECE(act, rows * (size_t)s->I * sizeof(float));
    PIECE(out, rows * (size_t)s->H * sizeof(float));
#undef PIECE
    l->total = at;
    l->rows = (int64_t)rows;
    /* each expert's last tile may be partial: at most one extra per expert */
    l->max_tiles = hy_gpu_ceil_div((int64_t)rows, HY_GPU_GEMM_BM) + s->E;
    if (l->max_tiles > (int64_t)HY_GPU_MAX_GRID_YZ) return HY_UNSUPPORTED;
    return 0;
}

size_t hy_gpu_mlp_workspace(const hy_mlp_shape *s)
{
    if (s->T <= 0 || s->I <= 0) return 0;
    return hy_gpu_align256(sizeof(float) * (size_t)s->T * (size_t)s->I);
}
