/* test_weights.c — random init, the tensor list, safetensors save/load in
 * f32/bf16/f16, zero copy, tied embeddings, legacy and transformers-v5
 * names, sharded directories, and the errors for missing or misshaped
 * tensors. */
#include "hy_config.h"
#include "hy_json.h"
#include "hy_safetensors.h"
#include "hy_test.h"
#include "hy_weights.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>

/* ---- walking a loaded model from the test's side -------------------- */

typedef struct view {
    const float *p;
    int64_t n;
} view;

#define MAX_VIEWS 4096

/* Every tensor of a model as (pointer, element count), sizes from the
 * config as written in jamba-semantics §8. */
static size_t collect(const hy_config *c, const hy_model_weights *w, view *v)
{
    size_t k = 0;
    int64_t H = c->hidden, V = c->vocab, Di = c->d_inner, N = c->d_state, K = c->d_conv;
    int64_t R = c->dt_rank, I = c->intermediate, q = c->n_heads * c->head_dim;
    int64_t kv = c->n_kv_heads * c->head_dim;
#define ADD(ptr, count) (v[k].p = (ptr), v[k].n = (count), k++)
    ADD(w->embed, V * H);
    ADD(w->final_norm, H);
    if (!c->tie_embeddings) ADD(w->lm_head, V * H);
    for (int64_t i = 0; i < c->n_layers; i++) {
        const hy_layer_weights *l = &w->layers[i];
        ADD(l->input_norm, H);
        ADD(l->ff_norm, H);
        if (hy_layer_is_attention(c, i)) {
            ADD(l->attn.q_proj, q * H);
            ADD(l->attn.k_proj, kv * H);
            ADD(l->attn.v_proj, kv * H);
            ADD(l->attn.o_proj, H * q);
        } else {
            const hy_mamba_weights *m = &l->mamba;
            ADD(m->in_proj, 2 * Di * H);
            if (c->proj_bias) ADD(m->in_proj_bias, 2 * Di);
            ADD(m->conv_w, Di * K);
            if (c->conv_bias) ADD(m->conv_b, Di);
            ADD(m->x_proj, (R + 2 * N) * Di);
            ADD(m->dt_proj, Di * R);
            ADD(m->dt_bias, Di);
            ADD(m->A_log, Di * N);
            ADD(m->D, Di);
            ADD(m->out_proj, H * Di);
            if (c->proj_bias) ADD(m->out_proj_bias, H);
            ADD(m->dt_norm, R);
            ADD(m->b_norm, N);
            ADD(m->c_norm, N);
        }
        int64_t E = hy_layer_experts(c, i);
        if (E > 1) ADD(l->ffn.router, E * H);
        for (int64_t e = 0; e < E; e++) {
            ADD(l->ffn.gate[e], I * H);
            ADD(l->ffn.up[e], I * H);
            ADD(l->ffn.down[e], H * I);
        }
    }
#undef ADD
    return k;
}

/* Largest |a - b| / (|a| + abs_floor) over all values; -1 if any pointer
 * is NULL or the layouts differ. */
static double model_diff(const hy_model *a, const hy_model *b, double abs_floor)
{
    static view va[MAX_VIEWS], vb[MAX_VIEWS];
    size_t na = collect(&a->config, &a->w, va), nb = collect(&b->config, &b->w, vb);
    if (na != nb) return -1;
    double worst = 0;
    for (size_t t = 0; t < na; t++) {
        if (!va[t].p || !vb[t].p || va[t].n != vb[t].n) return -1;
        for (int64_t i = 0; i < va[t].n; i++) {
            double x = va[t].p[i], y = vb[t].p[i];
            double d = fabs(x - y) / (fabs(x) + abs_floor);
            if (!(d <= worst)) worst = d; /* NaN counts as worst */
        }
    }
    return worst;
}

static int models_identical(const hy_model *a, const hy_model *b)
{
    static view va[MAX_VIEWS], vb[MAX_VIEWS];
    size_t na = collect(&a->config, &a->w, va), nb = collect(&b->config, &b->w, vb);
    if (na != nb) return 0;
    for (size_t t = 0; t < na; t++)
        if (!va[t].p || !vb[t].p || memcmp(va[t].p, vb[t].p, (size_t)va[t].n * 4) != 0) return 0;
    return 1;
}

static const char *sub(const char *name)
{
    static char path[1200];
    snprintf(path, sizeof path, "%s/%s", hy_test_tmpdir("test_weights"), name);
    return path;
}

static void write_config(const char *dir, const hy_config *c)
{
    hy_error err = {{0}};
    mkdir(dir, 0755);
    char *text = NULL;
    CHECK_OK(hy_config_to_json(c, &text, &err), &err);
    char path[1300];
    snprintf(path, sizeof path, "%s/config.json", dir);
    CHECK_OK(hy_write_file_atomic(path, text, strlen(text), &err), &err);
    free(text);
}

/* ---- tests ----------------------------------------------------------- */

static void test_specs(void)
{
    hy_error err = {{0}};
    hy_config c;
    CHECK_OK(hy_config_preset("tiny", &c, &err), &err);
    static hy_tensor_spec specs[512];
    size_t n = hy_model_tensor_specs(&c, specs, 512);
    /* embed, final norm, lm_head 3; norms 16; attention 4 x 2; Mamba 12 x 6
     * (conv bias, no proj bias); dense MLP 3 x 4; MoE (router + 12) x 4. */
    CHECK(n == 3 + 16 + 8 + 72 + 12 + 52);
    CHECK(hy_model_tensor_specs(&c, NULL, 0) == n);
    int64_t total = 0;
    int saw_conv = 0, saw_expert = 0, saw_dense = 0, saw_router = 0;
    for (size_t i = 0; i < n && i < 512; i++) {
        int64_t numel = 1;
        for (int d = 0; d < specs[i].ndim; d++)
            numel *= specs[i].shape[d];
        total += numel;
        if (strcmp(specs[i].name, "model.layers.0.mamba.conv1d.weight") == 0)
            saw_conv = specs[i].ndim == 3 && specs[i].shape[0] == 128 && specs[i].shape[1] == 1 &&
                       specs[i].shape[2] == 4;
        if (strcmp(specs[i].name, "model.layers.7.feed_forward.experts.3.down_proj.weight") == 0)
            saw_expert = specs[i].ndim == 2 && specs[i].shape[0] == 64 && specs[i].shape[1] == 96;
        if (strcmp(specs[i].name, "model.layers.2.feed_forward.gate_proj.weight") == 0)
            saw_dense = specs[i].shape[0] == 96 && specs[i].shape[1] == 64;
        if (strcmp(specs[i].name, "model.layers.1.feed_forward.router.weight") == 0)
            saw_router = specs[i].shape[0] == 4 && specs[i].shape[1] == 64;
        CHECK(strstr(specs[i].name, "model.layers.2.mamba") == NULL);   /* attention layer */
        CHECK(strstr(specs[i].name, "model.layers.0.self_attn") == NULL); /* Mamba layer */
    }
    CHECK(saw_conv && saw_expert && saw_dense && saw_router);
    CHECK(total == hy_config_params(&c).total);
    CHECK(strcmp(specs[0].name, "model.embed_tokens.weight") == 0);
    CHECK(strcmp(specs[n - 1].name, "lm_head.weight") == 0);

    /* Tied: no lm_head; biases present. */
    CHECK_OK(hy_config_preset("tiny-bias", &c, &err), &err);
    n = hy_model_tensor_specs(&c, specs, 512);
    CHECK(n == 3 + 16 + 8 + 72 + 12 + 52 - 1 + 2 * 6);
    for (size_t i = 0; i < n; i++)
        CHECK(strcmp(specs[i].name, "lm_head.weight") != 0);
    /* A truncated listing still counts everything. */
    CHECK(hy_model_tensor_specs(&c, specs, 5) == n);
}

static void test_random(void)
{
    hy_error err = {{0}};
    hy_config c;
    CHECK_OK(hy_config_preset("tiny", &c, &err), &err);
    hy_model *a = NULL, *b = NULL, *d = NULL;
    CHECK_OK(hy_model_random(&c, 1, &a, &err), &err);
    CHECK_OK(hy_model_random(&c, 1, &b, &err), &err);
    CHECK_OK(hy_model_random(&c, 2, &d, &err), &err);
    if (!a || !b || !d) goto out;
    CHECK(models_identical(a, b));
    CHECK(!models_identical(a, d));
    CHECK(memcmp(a->w.embed, d->w.embed, 64 * 4) != 0);

    /* Each tensor differs from every other (own stream per tensor). */
    CHECK(memcmp(a->w.layers[1].ffn.gate[0], a->w.layers[1].ffn.gate[1], 96 * 4) != 0);
    CHECK(a->w.lm_head != a->w.embed && memcmp(a->w.lm_head, a->w.embed, 64 * 4) != 0);

    /* Init rules (hy_weights.h). */
    const hy_mamba_weights *m = &a->w.layers[0].mamba;
    int alog_ok = 1, d_ok = 1, dt_ok = 1;
    for (int64_t ch = 0; ch < c.d_inner; ch++) {
        for (int64_t n = 0; n < c.d_state; n++)
            alog_ok &= fabsf(m->A_log[ch * c.d_state + n] - logf((float)(n + 1))) < 1e-6f;
        d_ok &= m->D[ch] == 1.0f;
        double dt = log1p(exp(m->dt_bias[ch])); /* softplus */
        dt_ok &= dt >= 0.999e-3 && dt <= 1.001e-1;
    }
    CHECK(alog_ok && d_ok && dt_ok);
    CHECK(m->in_proj_bias == NULL && m->out_proj_bias == NULL && m->conv_b != NULL);
    int norm_ok = 1, norm_not_one = 0;
    for (int64_t i = 0; i < c.hidden; i++) {
        float x = a->w.layers[3].input_norm[i];
        norm_ok &= x >= 0.9f && x <= 1.1f;
        norm_not_one |= x != 1.0f;
    }
    CHECK(norm_ok && norm_not_one);
    double sum = 0, sq = 0;
    int64_t ne = c.vocab * c.hidden;
    for (int64_t i = 0; i < ne; i++) {
        sum += a->w.embed[i];
        sq += (double)a->w.embed[i] * a->w.embed[i];
    }
    double mean = sum / (double)ne, sd = sqrt(sq / (double)ne - mean * mean);
    CHECK(fabs(mean) < 0.001);
    CHECK_NEAR(sd, 0.02, 0.001);
    CHECK(a->w.layers[1].ffn.n_experts == 4 && a->w.layers[0].ffn.n_experts == 1);
    CHECK(a->w.layers[0].ffn.router == NULL && a->w.layers[1].ffn.router != NULL);
    hy_model_storage st = hy_model_storage_info(a);
    CHECK(st.mapped == 0 && st.converted_bytes == (size_t)hy_config_params(&c).total * 4);

    /* Tied and biased. */
    hy_model *t = NULL;
    CHECK_OK(hy_config_preset("tiny-bias", &c, &err), &err);
    CHECK_OK(hy_model_random(&c, 1, &t, &err), &err);
    if (t) {
        CHECK(t->w.lm_head == t->w.embed);
        CHECK(t->w.layers[0].mamba.in_proj_bias && t->w.layers[0].mamba.out_proj_bias);
    }
    hy_model_free(t);

    /* Invalid configs are refused. */
    c.attn_offset = 4;
    hy_model *bad = NULL;
    CHECK_FAILS(hy_model_random(&c, 1, &bad, &err), &err, "attn_layer_offset");
out:
    hy_model_free(a);
    hy_model_free(b);
    hy_model_free(d);
}

static void test_round_trip(const char *preset)
{
    hy_error err = {{0}};
    hy_config c;
    CHECK_OK(hy_config_preset(preset, &c, &err), &err);
    hy_model *src = NULL;
    CHECK_OK(hy_model_random(&c, 7, &src, &err), &err);
    if (!src) return;
    size_t ntensors = hy_model_tensor_specs(&c, NULL, 0);
    static const hy_dtype dtypes[] = {HY_F32, HY_BF16, HY_F16};
    for (int k = 0; k < 3; k++) {
        char name[128];
        snprintf(name, sizeof name, "%s-%s/nested/dir", preset, hy_dtype_name(dtypes[k]));
        char dir[1200];
        snprintf(dir, sizeof dir, "%s", sub(name));
        CHECK_OK(hy_model_save_dir(src, dir, dtypes[k], &err), &err);
        hy_model *back = NULL;
        CHECK_OK(hy_model_load_dir(dir, &back, &err), &err);
        if (!back) continue;
        hy_model_storage st = hy_model_storage_info(back);
        if (dtypes[k] == HY_F32) {
            CHECK(models_identical(src, back));
            /* Zero copy: every tensor used in place from the mapping. */
            CHECK(st.mapped == ntensors && st.converted == 0 && st.converted_bytes == 0);
            CHECK(back->w.embed != src->w.embed);
        } else {
            /* One rounding: relative error <= unit roundoff (2^-8 bf16,
             * 2^-11 f16); f16 subnormals below 2^-14 lose relative precision,
             * hence the absolute floor 2^-14 for f16. */
            double u = hy_dtype_epsilon(dtypes[k]);
            double floor_ = dtypes[k] == HY_F16 ? ldexp(1.0, -14) : 1e-30;
            double diff = model_diff(src, back, floor_);
            CHECK(diff >= 0 && diff <= u * 1.0001);
            CHECK(diff > 0); /* it really was stored in 16 bits */
            CHECK(st.mapped == 0 && st.converted == ntensors);
        }
        CHECK(strcmp(back->config.name, src->config.name) == 0);
        if (c.tie_embeddings) CHECK(back->w.lm_head == back->w.embed);
        hy_model_free(back);
    }
    hy_model_free(src);
}

/* Writes every tensor of the f32 file at src_dir into dst_dir under a new
 * name (rename returns NULL to drop a tensor); extra entries appended. */
typedef const char *(*rename_fn)(const char *name, char *buf, size_t cap);

static int rewrite_dir(const char *src_dir, const char *dst_dir, const hy_config *c,
                       rename_fn rename, const hy_st_entry *extra, size_t n_extra,
                       int extra_first)
{
    hy_error err = {{0}};
    char path[1300];
    snprintf(path, sizeof path, "%s/model.safetensors", src_dir);
    hy_st_file *f = NULL;
    if (hy_st_open(path, &f, &err) != 0) {
        fprintf(stderr, "  %s\n", err.msg);
        return -1;
    }
    size_t n = hy_st_count(f);
    hy_st_entry *e = calloc(n + n_extra, sizeof *e);
    char (*names)[160] = calloc(n, sizeof *names);
    size_t k = 0;
    if (extra_first)
        for (size_t i = 0; i < n_extra; i++)
            e[k++] = extra[i];
    for (size_t i = 0; i < n; i++) {
        const hy_st_tensor *t = hy_st_at(f, i);
        const char *nm = rename ? rename(t->name, names[i], sizeof names[i]) : t->name;
        if (!nm) continue;
        e[k].name = nm;
        e[k].dtype = t->dtype;
        e[k].ndim = t->ndim;
        memcpy(e[k].shape, t->shape, sizeof t->shape);
        e[k].data = t->data;
        k++;
    }
    if (!extra_first)
        for (size_t i = 0; i < n_extra; i++)
            e[k++] = extra[i];
    write_config(dst_dir, c);
    snprintf(path, sizeof path, "%s/model.safetensors", dst_dir);
    int rc = hy_st_write(path, e, k, &err);
    if (rc) fprintf(stderr, "  %s\n", err.msg);
    free(e);
    free(names);
    hy_st_close(f);
    return rc;
}

/* Original remote-code Jamba names (jamba-semantics §8). */
static const char *legacy_rename(const char *name, char *buf, size_t cap)
{
    int layer;
    char proj[32];
    /* dense MLP -> moe.experts.0.* */
    int end = 0;
    if (sscanf(name, "model.layers.%d.feed_forward.%31[a-z]_proj.weight%n", &layer, proj, &end) == 2 &&
        end > 0 && name[end] == 0) {
        snprintf(buf, cap, "model.layers.%d.moe.experts.0.%s_proj.weight", layer, proj);
        return buf;
    }
    const char *pairs[][2] = {{".feed_forward.", ".moe."},
                              {"pre_ff_layernorm", "pre_moe_layernorm"},
                              {"mamba.b_layernorm", "mamba.B_layernorm"},
                              {"mamba.c_layernorm", "mamba.C_layernorm"}};
    for (size_t i = 0; i < 4; i++) {
        const char *p = strstr(name, pairs[i][0]);
        if (p) {
            snprintf(buf, cap, "%.*s%s%s", (int)(p - name), name, pairs[i][1],
                     p + strlen(pairs[i][0]));
            return buf;
        }
    }
    return name;
}

static const char *drop_expert_tensors(const char *name, char *buf, size_t cap)
{
    return strstr(name, ".feed_forward.experts.") ? NULL : name;
}

static const char *drop_one(const char *name, char *buf, size_t cap)
{
    return strcmp(name, "model.layers.3.mamba.D") == 0 ? NULL : name;
}

static const char *drop_a_log(const char *name, char *buf, size_t cap)
{
    return strcmp(name, "model.layers.5.mamba.A_log") == 0 ? NULL : name;
}

static const char *drop_lm_head(const char *name, char *buf, size_t cap)
{
    return strcmp(name, "lm_head.weight") == 0 ? NULL : name;
}

static void test_names_and_errors(void)
{
    hy_error err = {{0}};
    hy_config c;
    CHECK_OK(hy_config_preset("tiny", &c, &err), &err);
    hy_model *src = NULL;
    CHECK_OK(hy_model_random(&c, 11, &src, &err), &err);
    if (!src) return;
    char base[1200];
    snprintf(base, sizeof base, "%s", sub("names-base"));
    CHECK_OK(hy_model_save_dir(src, base, HY_F32, &err), &err);
    size_t ntensors = hy_model_tensor_specs(&c, NULL, 0);
    hy_model *m = NULL;

    /* Legacy names, everywhere. */
    char dir[1200];
    snprintf(dir, sizeof dir, "%s", sub("legacy"));
    CHECK(rewrite_dir(base, dir, &c, legacy_rename, NULL, 0, 0) == 0);
    CHECK_OK(hy_model_load_dir(dir, &m, &err), &err);
    if (m) CHECK(models_identical(src, m));
    hy_model_free(m);
    m = NULL;

    /* transformers-v5 fused experts: gate_up [E, 2I, H] (gate rows, then up
     * rows, per expert) and down [E, H, I]. */
    int64_t E = c.n_experts, I = c.intermediate, H = c.hidden;
    float *fused = malloc((size_t)(c.n_layers * E * 3 * I * H) * sizeof(float));
    hy_st_entry extra[32];
    char extra_names[32][128];
    size_t n_extra = 0;
    float *p = fused;
    for (int64_t l = 0; l < c.n_layers; l++) {
        if (hy_layer_experts(&c, l) == 1) continue;
        const hy_ffn_weights *f = &src->w.layers[l].ffn;
        float *gu = p, *dn = p + E * 2 * I * H;
        for (int64_t e = 0; e < E; e++) {
            memcpy(gu + (e * 2 * I) * H, f->gate[e], (size_t)(I * H) * 4);
            memcpy(gu + (e * 2 * I + I) * H, f->up[e], (size_t)(I * H) * 4);
            memcpy(dn + e * H * I, f->down[e], (size_t)(H * I) * 4);
        }
        p += E * 3 * I * H;
        snprintf(extra_names[n_extra], 128, "model.layers.%lld.feed_forward.experts.gate_up_proj",
                 (long long)l);
        extra[n_extra] = (hy_st_entry){extra_names[n_extra], HY_F32, 3, {E, 2 * I, H}, gu};
        n_extra++;
        snprintf(extra_names[n_extra], 128, "model.layers.%lld.feed_forward.experts.down_proj",
                 (long long)l);
        extra[n_extra] = (hy_st_entry){extra_names[n_extra], HY_F32, 3, {E, H, I}, dn};
        n_extra++;
    }
    snprintf(dir, sizeof dir, "%s", sub("fused"));
    CHECK(rewrite_dir(base, dir, &c, drop_expert_tensors, extra, n_extra, 0) == 0);
    CHECK_OK(hy_model_load_dir(dir, &m, &err), &err);
    if (m) {
        CHECK(models_identical(src, m));
        /* Slices of the one mapped tensor: up follows gate by I rows. */
        CHECK(m->w.layers[1].ffn.up[2] == m->w.layers[1].ffn.gate[2] + I * H);
        CHECK(hy_model_storage_info(m).mapped == ntensors);
    }
    hy_model_free(m);
    m = NULL;
    /* The same, fused tensors in bf16: converted once each, then sliced. */
    uint16_t *fused16 = malloc((size_t)(c.n_layers * E * 3 * I * H) * sizeof(uint16_t));
    for (size_t i = 0; i < n_extra; i++) {
        const float *s = extra[i].data;
        int64_t cnt = extra[i].shape[0] * extra[i].shape[1] * extra[i].shape[2];
        uint16_t *d16 = fused16 + (s - fused);
        for (int64_t j = 0; j < cnt; j++)
            d16[j] = hy_f32_to_bf16(s[j]);
        extra[i].dtype = HY_BF16;
        extra[i].data = d16;
    }
    snprintf(dir, sizeof dir, "%s", sub("fused-bf16"));
    CHECK(rewrite_dir(base, dir, &c, drop_expert_tensors, extra, n_extra, 0) == 0);
    CHECK_OK(hy_model_load_dir(dir, &m, &err), &err);
    if (m) {
        CHECK(model_diff(src, m, 1e-30) <= hy_dtype_epsilon(HY_BF16));
        CHECK(m->w.layers[3].ffn.up[1] == m->w.layers[3].ffn.gate[1] + I * H);
        hy_model_storage st = hy_model_storage_info(m);
        CHECK(st.converted == n_extra);
        CHECK(st.mapped == ntensors - (size_t)(4 * E * 3));
    }
    hy_model_free(m);
    m = NULL;
    /* Back to the f32 fused tensors. */
    for (size_t i = 0; i < n_extra; i++) {
        extra[i].data = fused + ((const uint16_t *)extra[i].data - fused16);
        extra[i].dtype = HY_F32;
    }
    free(fused16);

    /* A misshaped fused tensor is named. */
    extra[1].shape[2] = I - 1;
    snprintf(dir, sizeof dir, "%s", sub("fused-bad"));
    CHECK(rewrite_dir(base, dir, &c, drop_expert_tensors, extra, n_extra, 0) == 0);
    CHECK_FAILS(hy_model_load_dir(dir, &m, &err), &err,
                "model.layers.1.feed_forward.experts.down_proj");
    hy_model_free(m);
    m = NULL;
    free(fused);

    /* Missing tensors are named. */
    snprintf(dir, sizeof dir, "%s", sub("missing"));
    CHECK(rewrite_dir(base, dir, &c, drop_one, NULL, 0, 0) == 0);
    CHECK_FAILS(hy_model_load_dir(dir, &m, &err), &err, "model.layers.3.mamba.D");
    CHECK(m == NULL);
    snprintf(dir, sizeof dir, "%s", sub("missing-lm-head"));
    CHECK(rewrite_dir(base, dir, &c, drop_lm_head, NULL, 0, 0) == 0);
    CHECK_FAILS(hy_model_load_dir(dir, &m, &err), &err, "lm_head.weight");
    snprintf(dir, sizeof dir, "%s", sub("missing-experts"));
    CHECK(rewrite_dir(base, dir, &c, drop_expert_tensors, NULL, 0, 0) == 0);
    CHECK_FAILS(hy_model_load_dir(dir, &m, &err), &err,
                "model.layers.1.feed_forward.experts.0.gate_proj.weight");

    /* Wrong shape: named, with both shapes. */
    static float a_log_bad[128 * 16];
    hy_st_entry wrong = {"model.layers.5.mamba.A_log", HY_F32, 2, {128, 8}, a_log_bad};
    snprintf(dir, sizeof dir, "%s", sub("wrong-shape"));
    CHECK(rewrite_dir(base, dir, &c, drop_a_log, &wrong, 1, 0) == 0);
    CHECK_FAILS(hy_model_load_dir(dir, &m, &err), &err, "model.layers.5.mamba.A_log");
    CHECK_FAILS(hy_model_load_dir(dir, &m, &err), &err, "[128, 16]");
    CHECK_FAILS(hy_model_load_dir(dir, &m, &err), &err, "[128, 8]");
    /* An extra dimension is a shape error too. */
    hy_st_entry conv2d = {"model.layers.5.mamba.A_log", HY_F32, 3, {128, 1, 16}, a_log_bad};
    snprintf(dir, sizeof dir, "%s", sub("wrong-rank"));
    CHECK(rewrite_dir(base, dir, &c, drop_a_log, &conv2d, 1, 0) == 0);
    CHECK_FAILS(hy_model_load_dir(dir, &m, &err), &err, "[128, 1, 16]");

    /* An extra, unexpected 2-byte tensor written first: ignored, and the
     * f32 tensors behind it may sit at addresses that are not 4-byte
     * aligned, in which case the loader copies them; values are exact
     * either way. */
    uint16_t one_half[1] = {0x3800};
    hy_st_entry odd = {"aaa.unexpected", HY_F16, 1, {1}, one_half};
    snprintf(dir, sizeof dir, "%s", sub("extra-tensor"));
    CHECK(rewrite_dir(base, dir, &c, NULL, &odd, 1, 1) == 0);
    CHECK_OK(hy_model_load_dir(dir, &m, &err), &err);
    if (m) {
        CHECK(models_identical(src, m));
        hy_model_storage st = hy_model_storage_info(m);
        CHECK(st.mapped + st.converted == ntensors);
        /* Count the misaligned f32 tensors of the file independently. */
        char path[1300];
        snprintf(path, sizeof path, "%s/model.safetensors", dir);
        hy_st_file *f = NULL;
        size_t misaligned = 0;
        CHECK_OK(hy_st_open(path, &f, &err), &err);
        for (size_t i = 0; f && i < hy_st_count(f); i++) {
            const hy_st_tensor *t = hy_st_at(f, i);
            misaligned += t->dtype == HY_F32 && (uintptr_t)t->data % 4 != 0;
        }
        if (f) hy_st_close(f);
        CHECK(st.converted == misaligned);
        printf("  extra-tensor file: %zu of %zu f32 tensors misaligned (copied)\n", misaligned,
               ntensors);
    }
    hy_model_free(m);
    m = NULL;

    /* No config.json: the error says so. */
    snprintf(dir, sizeof dir, "%s", sub("no-config"));
    mkdir(dir, 0755);
    CHECK_FAILS(hy_model_load_dir(dir, &m, &err), &err, "config.json");
    hy_model_free(src);
}

/* Two shards and an index, as Hugging Face writes them. */
static void test_shards(void)
{
    hy_error err = {{0}};
    hy_config c;
    CHECK_OK(hy_config_preset("tiny-bias", &c, &err), &err);
    hy_model *src = NULL;
    CHECK_OK(hy_model_random(&c, 5, &src, &err), &err);
    if (!src) return;
    char base[1200], dir[1200], path[1300];
    snprintf(base, sizeof base, "%s", sub("shard-base"));
    CHECK_OK(hy_model_save_dir(src, base, HY_BF16, &err), &err);
    snprintf(path, sizeof path, "%s/model.safetensors", base);
    hy_st_file *f = NULL;
    CHECK_OK(hy_st_open(path, &f, &err), &err);
    if (!f) goto out;
    CHECK(hy_st_find(f, "lm_head.weight") == NULL); /* tied: not written */
    size_t n = hy_st_count(f);
    hy_st_entry *e = calloc(n, sizeof *e);
    hy_strbuf index = {0};
    hy_strbuf_printf(&index, "{\"metadata\": {\"total_size\": 0}, \"weight_map\": {");
    for (size_t i = 0; i < n; i++) {
        const hy_st_tensor *t = hy_st_at(f, i);
        e[i] = (hy_st_entry){t->name, t->dtype, t->ndim, {0}, t->data};
        memcpy(e[i].shape, t->shape, sizeof t->shape);
        hy_strbuf_printf(&index, "%s", i ? ", " : "");
        hy_strbuf_json_string(&index, t->name);
        hy_strbuf_printf(&index, ": \"model-%05d-of-00002.safetensors\"", i < n / 2 ? 1 : 2);
    }
    hy_strbuf_printf(&index, "}}\n");
    snprintf(dir, sizeof dir, "%s", sub("sharded"));
    write_config(dir, &c);
    snprintf(path, sizeof path, "%s/model-00001-of-00002.safetensors", dir);
    CHECK_OK(hy_st_write(path, e, n / 2, &err), &err);
    snprintf(path, sizeof path, "%s/model-00002-of-00002.safetensors", dir);
    CHECK_OK(hy_st_write(path, e + n / 2, n - n / 2, &err), &err);
    snprintf(path, sizeof path, "%s/model.safetensors.index.json", dir);
    CHECK_OK(hy_write_file_atomic(path, index.data, index.len, &err), &err);
    hy_model *m = NULL, *whole = NULL;
    CHECK_OK(hy_model_load_dir(dir, &m, &err), &err);
    CHECK_OK(hy_model_load_dir(base, &whole, &err), &err);
    if (m && whole) {
        CHECK(models_identical(m, whole));
        CHECK(m->w.lm_head == m->w.embed);
        CHECK(model_diff(src, m, 1e-30) <= hy_dtype_epsilon(HY_BF16));
    }
    hy_model_free(m);
    hy_model_free(whole);
    hy_strbuf_free(&index);
    free(e);
    hy_st_close(f);
out:
    hy_model_free(src);
}

int main(void)
{
    test_specs();
    test_random();
    test_round_trip("tiny");
    test_round_trip("tiny-bias");
    test_round_trip("tiny-dense");
    test_round_trip("tiny-mamba");
    test_names_and_errors();
    test_shards();
    return hy_test_finish();
}
