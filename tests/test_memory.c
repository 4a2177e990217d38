/* test_memory.c — memory accounting against figures worked out by hand
 * and the Jamba paper's 4 GiB KV cache at 256K tokens. */
#include "hy_config.h"
#include "hy_memory.h"
#include "hy_test.h"

#include <string.h>

int main(void)
{
    hy_error err = {{0}};
    hy_config v01, mamba, tiny, tiny_t, tiny_m;
    CHECK_OK(hy_config_preset("jamba-v0.1", &v01, &err), &err);
    CHECK_OK(hy_config_preset("jamba-v0.1-mamba", &mamba, &err), &err);
    CHECK_OK(hy_config_preset("tiny", &tiny, &err), &err);
    CHECK_OK(hy_config_preset("tiny-transformer", &tiny_t, &err), &err);
    CHECK_OK(hy_config_preset("tiny-mamba", &tiny_m, &err), &err);

    /* Jamba v0.1, 256K tokens, 16-bit cache: 4 layers x 2 x 8 x 128 x
     * 262144 x 2 B = 2^2 * 2 * 2^3 * 2^7 * 2^18 * 2 = 2^32 B = 4 GiB. */
    hy_memory_bytes m = hy_memory_account(&v01, 262144, HY_BF16, HY_BF16);
    CHECK(m.kv_cache == 4.0 * 1024 * 1024 * 1024);
    hy_memory_bytes m16 = hy_memory_account(&v01, 262144, HY_BF16, HY_F16);
    CHECK(m16.kv_cache == m.kv_cache);
    /* 16 KiB per token. */
    CHECK(hy_memory_account(&v01, 1, HY_BF16, HY_BF16).kv_cache == 16384.0);
    /* 28 Mamba layers x 8192 x 16 x 4 B = 14680064 B (about 14.7 MB), any length. */
    CHECK(m.ssm_state == 28.0 * 8192 * 16 * 4);
    CHECK(hy_memory_account(&v01, 7, HY_BF16, HY_F32).ssm_state == m.ssm_state);
    /* conv: 28 x 8192 x 4 x 2 B. */
    CHECK(m.conv_state == 28.0 * 8192 * 4 * 2);
    /* weights: 51.57B parameters x 2 B in bf16, twice that in f32. */
    CHECK_NEAR(m.weights / 1e9, 2 * 51.57, 0.02);
    CHECK(hy_memory_account(&v01, 0, HY_F32, HY_BF16).weights == 2 * m.weights);
    CHECK(hy_memory_account(&v01, 0, HY_F32, HY_BF16).kv_cache == 0);

    /* The pure-Mamba twin keeps no KV cache at all, and 32 Mamba layers of state. */
    hy_memory_bytes mm = hy_memory_account(&mamba, 262144, HY_BF16, HY_BF16);
    CHECK(mm.kv_cache == 0);
    CHECK(mm.ssm_state == 32.0 * 8192 * 16 * 4);

    /* tiny by hand: attention at layers 2 and 6, nKV 2, hd 16; six Mamba
     * layers with Di 128, K 4, N 16. */
    hy_memory_bytes t = hy_memory_account(&tiny, 100, HY_F32, HY_F32);
    CHECK(t.kv_cache == 2.0 * 2 * 2 * 16 * 100 * 4);  /* 51200 */
    CHECK(t.conv_state == 6.0 * 128 * 4 * 4);         /* 12288 */
    CHECK(t.ssm_state == 6.0 * 128 * 16 * 4);         /* 49152 */
    hy_memory_bytes tb = hy_memory_account(&tiny, 100, HY_BF16, HY_BF16);
    CHECK(tb.kv_cache == 25600 && tb.conv_state == 6144 && tb.ssm_state == 49152);
    /* Linear in context. */
    CHECK(hy_memory_account(&tiny, 200, HY_F32, HY_F32).kv_cache == 2 * t.kv_cache);
    /* Weights: 624152 parameters (counted by hand in test_config) x 4 B. */
    CHECK(t.weights == 624152.0 * 4);

    hy_memory_bytes tt = hy_memory_account(&tiny_t, 100, HY_F32, HY_F32);
    CHECK(tt.kv_cache == 8.0 * 2 * 2 * 16 * 100 * 4);
    CHECK(tt.conv_state == 0 && tt.ssm_state == 0);
    hy_memory_bytes tm = hy_memory_account(&tiny_m, 100, HY_F32, HY_F32);
    CHECK(tm.kv_cache == 0);
    CHECK(tm.conv_state == 8.0 * 128 * 4 * 4 && tm.ssm_state == 8.0 * 128 * 16 * 4);

    /* An invalid config accounts nothing rather than garbage. */
    hy_config bad = tiny;
    bad.attn_offset = 9;
    hy_memory_bytes z = hy_memory_account(&bad, 100, HY_F32, HY_F32);
    CHECK(z.weights == 0 && z.kv_cache == 0 && z.conv_state == 0 && z.ssm_state == 0);
    return hy_test_finish();
}
