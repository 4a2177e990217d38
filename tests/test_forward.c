/* test_forward.c — the model forward composed from the cpu backend's kernel
 * table (model/hy_forward.h) against the reference forward
 * (hy_ref_forward), on every tiny preset with seeded random weights:
 * prefill, token-by-token decode, chunked continuation, reset, every kernel
 * variant forced through HYBENCH_VARIANT_<FAMILY>, the device-memory path
 * (upload/download), a backend that lacks a family, and rejected calls
 * that must leave the state unchanged. */
#include "hy_test.h"

#include "backend.h"
#include "hy_config.h"
#include "hy_forward.h"
#include "hy_reference.h"
#include "hy_weights.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define SEQ 12          /* tokens in the test sequence          */
#define TOLERANCE 1e-4  /* max|got - ref| / max|ref|             */


/* Logits rows [first, first+T) of the reference must match got [T, V]. */
static void check_rows(const char *what, const float *got, const float *ref_all, int64_t first,
                       int64_t T, int64_t V)
{
    double e = hy_test_rel_error(got, ref_all + first * V, (size_t)(T * V));
    if (e > TOLERANCE) fprintf(stderr, "  %s: rows %lld..%lld relative error %.3g\n", what,
                               (long long)first, (long long)(first + T - 1), e);
    CHECK(e <= TOLERANCE);
}

/* Runs tokens[first .. first+T) and compares with the reference rows. */
static void run_and_check(const char *what, hy_runtime *rt, const int32_t *tokens, int64_t first,
                          int64_t T, const float *ref, int64_t V, float *scratch)
{
    hy_error err = {{0}};
    CHECK(hy_runtime_length(rt) == first);
    CHECK_OK(hy_runtime_forward(rt, tokens + first, T, scratch, &err), &err);
    CHECK(hy_runtime_length(rt) == first + T);
    check_rows(what, scratch, ref, first, T, V);
}

/* Runs the sequence split into the given chunk lengths (summing to SEQ). */
static void run_split(const char *what, hy_runtime *rt, const int32_t *tokens, const int64_t *chunks,
                      size_t n_chunks, const float *ref, int64_t V, float *scratch)
{
    int64_t pos = 0;
    for (size_t i = 0; i < n_chunks; i++) {
        run_and_check(what, rt, tokens, pos, chunks[i], ref, V, scratch);
        pos += chunks[i];
    }
    CHECK(pos == SEQ);
}

/* ---- one configuration ----------------------------------------------------- */

typedef struct fixture {
    const char *label;
    hy_config cfg;
    hy_model *model;
    int32_t tokens[SEQ + 1]; /* one spare for the overflow call */
    float *ref;              /* [SEQ, V] reference logits      */
    float *got;              /* [SEQ, V] scratch               */
} fixture;

static int fixture_init(fixture *f, const char *label, const hy_config *cfg)
{
    hy_error err = {{0}};
    memset(f, 0, sizeof *f);
    f->label = label;
    f->cfg = *cfg;
    const int64_t V = cfg->vocab;
    /* Include both ends of the vocabulary. */
    for (int t = 0; t <= SEQ; t++) f->tokens[t] = (int32_t)((t * 37 + 11) % V);
    f->tokens[0] = (int32_t)(V - 1);
    f->tokens[1] = 0;

    CHECK_OK(hy_model_random(cfg, 1234, &f->model, &err), &err);
    if (!f->model) return -1;
    f->cfg = f->model->config; /* derived fields filled */
    f->ref = calloc((size_t)(SEQ * V), sizeof(float));
    f->got = calloc((size_t)(SEQ * V), sizeof(float));
    if (!f->ref || !f->got) return -1;

    hy_ref_cache *cache = NULL;
    CHECK_OK(hy_ref_cache_create(&f->model->config, SEQ, &cache, &err), &err);
    if (!cache) return -1;
    int rc = hy_ref_forward(&f->model->config, &f->model->w, cache, f->tokens, SEQ, f->ref, &err);
    CHECK_OK(rc, &err);
    hy_ref_cache_destroy(cache);
    /* A reference of zeros would make every comparison vacuous. */
    double largest = 0;
    for (int64_t i = 0; i < SEQ * V; i++) largest = fmax(largest, fabs((double)f->ref[i]));
    CHECK(largest > 1e-3);
    return rc;
}

static void fixture_free(fixture *f)
{
    hy_model_free(f->model);
    free(f->ref);
    free(f->got);
}

/* Prefill, decode (if with_decode), chunked continuation and reset on one
 * backend. */
static void check_modes(const fixture *f, const hy_backend *b, int with_decode)
{
    hy_error err = {{0}};
    const int64_t V = f->cfg.vocab;
    hy_runtime *rt = NULL;
    printf("%s on %s%s: prefill,%s chunks, reset\n", f->label, b->name,
           b->host_memory ? "" : " (device-memory path)", with_decode ? " decode," : "");
    CHECK_OK(hy_runtime_create(b, &f->model->config, &f->model->w, SEQ, SEQ, &rt, &err), &err);
    if (!rt) return;

    float *first = malloc(sizeof(float) * (size_t)(SEQ * V));
    run_and_check("prefill", rt, f->tokens, 0, SEQ, f->ref, V, f->got);
    memcpy(first, f->got, sizeof(float) * (size_t)(SEQ * V));

    hy_runtime_reset(rt);
    CHECK(hy_runtime_length(rt) == 0);
    for (int64_t t = 0; with_decode && t < SEQ; t++)
        run_and_check("decode", rt, f->tokens, t, 1, f->ref, V, f->got);

    hy_runtime_reset(rt);
    const int64_t chunks[] = {3, 5, SEQ - 8};
    run_split("chunks 3+5+rest", rt, f->tokens, chunks, 3, f->ref, V, f->got);

    hy_runtime_reset(rt);
    CHECK_OK(hy_runtime_forward(rt, f->tokens, SEQ, f->got, &err), &err);
    CHECK(memcmp(first, f->got, sizeof(float) * (size_t)(SEQ * V)) == 0);

    free(first);
    hy_runtime_destroy(rt);
}

/* Rejected calls change nothing: the next valid call still matches. */
static void check_rejections(const fixture *f, const hy_backend *b)
{
    hy_error err = {{0}};
    const int64_t V = f->cfg.vocab;
    hy_runtime *rt = NULL;
    printf("%s on %s: rejected calls\n", f->label, b->name);

    CHECK_FAILS(hy_runtime_create(b, &f->model->config, &f->model->w, 0, SEQ, &rt, &err), &err,
                "max_chunk");
    CHECK(rt == NULL);
    CHECK_FAILS(hy_runtime_create(b, &f->model->config, &f->model->w, 4, 0, &rt, &err), &err,
                "capacity");
    CHECK(rt == NULL);

    /* max_chunk 5, capacity exactly SEQ. */
    CHECK_OK(hy_runtime_create(b, &f->model->config, &f->model->w, 5, SEQ, &rt, &err), &err);
    if (!rt) return;
    run_and_check("before rejections", rt, f->tokens, 0, 3, f->ref, V, f->got);

    int32_t bad[2] = {f->tokens[3], (int32_t)V};
    CHECK_FAILS(hy_runtime_forward(rt, bad, 2, f->got, &err), &err, "vocabulary");
    bad[0] = -1;
    CHECK_FAILS(hy_runtime_forward(rt, bad, 1, f->got, &err), &err, "vocabulary");
    CHECK_FAILS(hy_runtime_forward(rt, f->tokens + 3, 6, f->got, &err), &err, "max_chunk");
    CHECK_FAILS(hy_runtime_forward(rt, f->tokens + 3, 0, f->got, &err), &err, "T must be");
    CHECK(hy_runtime_length(rt) == 3);

    run_and_check("after rejections", rt, f->tokens, 3, 5, f->ref, V, f->got);
    /* 8 in the cache: 5 more would make 13 > capacity 12. */
    CHECK_FAILS(hy_runtime_forward(rt, f->tokens + 8, 5, f->got, &err), &err, "capacity");
    CHECK(hy_runtime_length(rt) == 8);
    run_and_check("after overflow", rt, f->tokens, 8, SEQ - 8, f->ref, V, f->got);
    CHECK_FAILS(hy_runtime_forward(rt, f->tokens, 1, f->got, &err), &err, "capacity");
    CHECK(hy_runtime_length(rt) == SEQ);

    hy_runtime_destroy(rt);
}

/* HYBENCH_VARIANT_<FAMILY>=<name> for every variant of every family the
 * model uses: each runs prefill, decode and continuation correctly. */
static void check_forced_variants(const fixture *f, const hy_backend *b)
{
    hy_error err = {{0}};
    const int64_t V = f->cfg.vocab;
    hy_runtime *rt = NULL;
    CHECK_OK(hy_runtime_create(b, &f->model->config, &f->model->w, SEQ, SEQ, &rt, &err), &err);
    if (!rt) return;
    int used[HY_FAM_COUNT];
    for (int fam = 0; fam < HY_FAM_COUNT; fam++) used[fam] = hy_runtime_variant(rt, (hy_family)fam) != NULL;
    hy_runtime_destroy(rt);
    CHECK(used[HY_FAM_LINEAR] && used[HY_FAM_RMSNORM] && !used[HY_FAM_SSD]);

    for (int fam = 0; fam < HY_FAM_COUNT; fam++) {
        if (!used[fam]) continue;
        char env[64] = "HYBENCH_VARIANT_";
        const char *fname = hy_family_name((hy_family)fam);
        size_t n = strlen(env);
        for (size_t i = 0; fname[i] && n + 1 < sizeof env; i++) env[n++] = (char)toupper((unsigned char)fname[i]);
        env[n] = 0;

        const hy_kernel_variant *vars[32];
        size_t nv = hy_backend_variants(b, (hy_family)fam, vars, 32);
        CHECK(nv >= 1);
        /* A lone variant is the default, already checked by check_modes. */
        for (size_t i = 0; nv > 1 && i < nv && i < 32; i++) {
            printf("%s on %s: %s=%s\n", f->label, b->name, env, vars[i]->name);
            setenv(env, vars[i]->name, 1);
            rt = NULL;
            CHECK_OK(hy_runtime_create(b, &f->model->config, &f->model->w, SEQ, SEQ, &rt, &err), &err);
            unsetenv(env);
            if (!rt) continue;
            const hy_kernel_variant *chosen = hy_runtime_variant(rt, (hy_family)fam);
            CHECK(chosen && strcmp(chosen->name, vars[i]->name) == 0);
            /* prefill, a decode step, a multi-token continuation */
            const int64_t chunks[] = {5, 1, SEQ - 6};
            run_split("forced variant", rt, f->tokens, chunks, 3, f->ref, V, f->got);
            hy_runtime_destroy(rt);
        }
    }
}

/* ---- backends derived from cpu ------------------------------------------------ */

/* The cpu backend claiming device memory: weights are uploaded, embeddings
 * staged and uploaded, logits downloaded, all through its memory ops. */
static hy_backend as_device_backend(const hy_backend *cpu)
{
    hy_backend b = *cpu;
    b.name = "cpu-as-device";
    b.host_memory = 0;
    return b;
}

/* A backend without attention kernels: models with attention layers are
 * refused with a clear message; a pure-Mamba model still runs. */
static void check_missing_family(const hy_backend *cpu, const fixture *hybrid, const fixture *mamba)
{
    hy_error err = {{0}};
    hy_kernel_variant *kept = calloc(cpu->n_kernels ? cpu->n_kernels : 1, sizeof *kept);
    size_t n = 0;
    for (size_t i = 0; i < cpu->n_kernels; i++)
        if (cpu->kernels[i].family != HY_FAM_ATTENTION) kept[n++] = cpu->kernels[i];
    hy_backend b = *cpu;
    b.name = "cpu-no-attention";
    b.kernels = kept;
    b.n_kernels = n;

    hy_runtime *rt = NULL;
    printf("backend without attention kernels\n");
    CHECK_FAILS(hy_runtime_create(&b, &hybrid->model->config, &hybrid->model->w, 4, 8, &rt, &err),
                &err, "backend cpu-no-attention has no attention kernel");
    CHECK(rt == NULL);
    if (mamba) {
        CHECK_OK(hy_runtime_create(&b, &mamba->model->config, &mamba->model->w, SEQ, SEQ, &rt, &err),
                 &err);
        if (rt) {
            CHECK(hy_runtime_variant(rt, HY_FAM_ATTENTION) == NULL);
            CHECK(hy_runtime_variant(rt, HY_FAM_SCAN) != NULL);
            run_and_check("pure mamba without attention kernels", rt, mamba->tokens, 0, SEQ,
                          mamba->ref, mamba->cfg.vocab, mamba->got);
            hy_runtime_destroy(rt);
        }
    }
    free(kept);
}

int main(void)
{
    hy_error err = {{0}};
    const hy_backend *cpu = hy_backend_find("cpu");
    CHECK(cpu != NULL);
    if (!cpu) return hy_test_finish();
    hy_backend device = as_device_backend(cpu);

    /* Every tiny preset, plus one with a sliding window and no conv bias. */
    size_t n_names = 0;
    const char *const *names = hy_preset_names(&n_names);
    fixture cases[16];
    size_t n_cases = 0;
    int saw_moe = 0, saw_dense = 0, saw_gqa = 0, saw_mha = 0, saw_bias = 0, saw_tied = 0;
    for (size_t i = 0; i < n_names && n_cases < 15; i++) {
        if (strncmp(names[i], "tiny", 4) != 0) continue;
        hy_config c;
        CHECK_OK(hy_config_preset(names[i], &c, &err), &err);
        if (fixture_init(&cases[n_cases], names[i], &c) != 0) {
            fixture_free(&cases[n_cases]);
            continue;
        }
        const hy_config *v = &cases[n_cases].model->config;
        saw_moe |= v->n_experts > 1;
        saw_dense |= v->n_experts == 1;
        saw_gqa |= v->n_heads > v->n_kv_heads;
        saw_mha |= v->n_heads == v->n_kv_heads;
        saw_bias |= v->proj_bias && v->conv_bias;
        saw_tied |= v->tie_embeddings;
        n_cases++;
    }
    /* Derived configs: a sliding window, no conv bias, and both. */
    static const char *const derived_labels[] = {"tiny (window 3)", "tiny (no conv bias)",
                                                  "tiny (window 3, no conv bias)"};
    for (int d = 0; d < 3; d++) {
        hy_config c;
        CHECK_OK(hy_config_preset("tiny", &c, &err), &err);
        if (d != 1) c.sliding_window = 3;
        if (d != 0) c.conv_bias = 0;
        snprintf(c.name, sizeof c.name, "tiny-derived-%d", d);
        if (fixture_init(&cases[n_cases], derived_labels[d], &c) == 0)
            n_cases++;
        else
            fixture_free(&cases[n_cases]);
    }
    /* The presets must cover what this test is meant to exercise. */
    CHECK(saw_moe && saw_dense && saw_gqa && saw_mha && saw_bias && saw_tied);

    const fixture *hybrid = NULL, *pure_mamba = NULL;
    for (size_t i = 0; i < n_cases; i++) {
        fixture *f = &cases[i];
        check_modes(f, cpu, 1);
        check_modes(f, &device, 0); /* T = 1 is no different on this path */
        check_rejections(f, cpu);
        check_forced_variants(f, cpu);
        if (!hybrid && hy_config_count_attention_layers(&f->cfg) > 0 &&
            hy_config_count_attention_layers(&f->cfg) < f->cfg.n_layers)
            hybrid = f;
        if (!pure_mamba && hy_config_count_attention_layers(&f->cfg) == 0) pure_mamba = f;
    }
    CHECK(hybrid != NULL);
    if (hybrid) check_missing_family(cpu, hybrid, pure_mamba);

    for (size_t i = 0; i < n_cases; i++) fixture_free(&cases[i]);
    return hy_test_finish();
}
