/* hy_presets.c — the named model configurations and where their numbers
 * come from (jamba-semantics §12, landscape.md).
 *
 * Every base preset also has two twins with the same shapes and FFN layout:
 *   <name>-transformer  attention in every layer (attn period 1, offset 0)
 *   <name>-mamba        attention in no layer: attn period L + 1, offset L.
 *                       offset < period holds (HF's rule) and i % (L+1) == i
 *                       never equals L for a layer index i < L.
 * Jamba's rms_norm_eps is 1e-6 in every released config; every preset uses it. */
#include "hy_config.h"

#include <stdio.h>
#include <string.h>

typedef struct preset_def {
    const char *name;
    const char *source;
    hy_config c; /* name left empty; dt_rank 0 = "auto" */
} preset_def;

/* Designated-initialiser helper: the fields every Jamba-shaped preset sets. */
#define JAMBA_SHAPE(V, H, L, NH, NKV, I, E, K, N, CONV, EXP, R, AP, AO, EP, EO, TIE, CB, PB, MAXPOS) \
    {                                                                                          \
        .vocab = (V), .hidden = (H), .n_layers = (L), .n_heads = (NH), .n_kv_heads = (NKV),    \
        .intermediate = (I), .n_experts = (E), .top_k = (K), .d_state = (N), .d_conv = (CONV), \
        .expand = (EXP), .dt_rank = (R), .attn_period = (AP), .attn_offset = (AO),            \
        .expert_period = (EP), .expert_offset = (EO), .rms_eps = 1e-6, .tie_embeddings = (TIE), \
        .conv_bias = (CB), .proj_bias = (PB), .sliding_window = 0, .max_positions = (MAXPOS)   \
    }

#define SRC_V01 \
    "ai21labs/Jamba-v0.1 config.json (confirmed; jamba-semantics §12)"

#define SRC_MINI \
    "Jamba-1.5-Mini: v0.1 shapes, inferred from the 52B/12B card and the Jamba2-Mini MLX copy " \
    "(config.json not retrieved)"

#define SRC_LARGE \
    "Jamba-1.5 paper (arXiv 2408.12570): 72 layers, H 8192, 64/8 heads, 16 experts top-2; " \
    "I 24576 inferred from 398B/94B; d_state/conv/expand, dt_rank auto=512, offsets and vocab " \
    "not confirmed"

#define SRC_TINY_RANDOM \
    "ai21labs/Jamba-tiny-random config.json at ff6160d (note I 14336 with H 128)"

#define SRC_3B \
    "hybench's own ~3B dense hybrid (1:7 layout, Mamba-1); NOT Jamba Reasoning 3B, whose " \
    "config is unconfirmed"

#define SRC_TINY \
    "hybench test model: v0.1 layout (attn 4/2, MoE 2/1) at toy sizes"

static const preset_def base_presets[] = {
    {"jamba-v0.1",
     SRC_V01,
     JAMBA_SHAPE(65536, 4096, 32, 32, 8, 14336, 16, 2, 16, 4, 2, 256, 8, 4, 2, 1, 0, 1, 0, 262144)},
    {"jamba-1.5-mini",
     SRC_MINI,
     JAMBA_SHAPE(65536, 4096, 32, 32, 8, 14336, 16, 2, 16, 4, 2, 256, 8, 4, 2, 1, 0, 1, 0, 262144)},
    {"jamba-1.5-large",
     SRC_LARGE,
     JAMBA_SHAPE(65536, 8192, 72, 64, 8, 24576, 16, 2, 16, 4, 2, 0, 8, 4, 2, 1, 0, 1, 0, 262144)},
    {"jamba-tiny-random",
     SRC_TINY_RANDOM,
     JAMBA_SHAPE(65536, 128, 8, 2, 1, 14336, 4, 2, 16, 4, 2, 8, 4, 2, 2, 1, 0, 1, 0, 262144)},
    {"hybrid-3b",
     SRC_3B,
     JAMBA_SHAPE(65536, 2560, 32, 20, 4, 6912, 1, 1, 16, 4, 2, 160, 8, 4, 2, 1, 0, 1, 0, 262144)},
    {"tiny",
     SRC_TINY,
     JAMBA_SHAPE(256, 64, 8, 4, 2, 96, 4, 2, 16, 4, 2, 0, 4, 2, 2, 1, 0, 1, 0, 4096)},
};

static const preset_def variant_presets[] = {
    {"tiny-dense", "hybench test model: tiny with a dense MLP in every layer",
     JAMBA_SHAPE(256, 64, 8, 4, 2, 96, 1, 1, 16, 4, 2, 0, 4, 2, 2, 1, 0, 1, 0, 4096)},
    {"tiny-gqa1", "hybench test model: tiny with as many kv heads as query heads (group size 1)",
     JAMBA_SHAPE(256, 64, 8, 4, 4, 96, 4, 2, 16, 4, 2, 0, 4, 2, 2, 1, 0, 1, 0, 4096)},
    {"tiny-n128", "hybench test model: tiny with d_state 128 (a Mamba-2-like state size)",
     JAMBA_SHAPE(256, 64, 8, 4, 2, 96, 4, 2, 128, 4, 2, 0, 4, 2, 2, 1, 0, 1, 0, 4096)},
    {"tiny-bias",
     "hybench test model: tiny with mamba_proj_bias, mamba_conv_bias and tied embeddings",
     JAMBA_SHAPE(256, 64, 8, 4, 2, 96, 4, 2, 16, 4, 2, 0, 4, 2, 2, 1, 1, 1, 1, 4096)},
};

#define TWIN_T "pure-transformer twin (attn period 1, offset 0) of "
#define TWIN_M "pure-Mamba twin (attn period L+1, offset L) of "
/* Sources of the twins, in base_presets order: {transformer, mamba}. */
static const char *const twin_sources[][2] = {
    {TWIN_T "jamba-v0.1: " SRC_V01, TWIN_M "jamba-v0.1: " SRC_V01},
    {TWIN_T "jamba-1.5-mini: " SRC_MINI, TWIN_M "jamba-1.5-mini: " SRC_MINI},
    {TWIN_T "jamba-1.5-large: " SRC_LARGE, TWIN_M "jamba-1.5-large: " SRC_LARGE},
    {TWIN_T "jamba-tiny-random: " SRC_TINY_RANDOM, TWIN_M "jamba-tiny-random: " SRC_TINY_RANDOM},
    {TWIN_T "hybrid-3b: " SRC_3B, TWIN_M "hybrid-3b: " SRC_3B},
    {TWIN_T "tiny: " SRC_TINY, TWIN_M "tiny: " SRC_TINY},
};

#define N_BASE (sizeof base_presets / sizeof base_presets[0])
#define N_VARIANT (sizeof variant_presets / sizeof variant_presets[0])
#define N_PRESETS (N_BASE * 3 + N_VARIANT)
_Static_assert(sizeof twin_sources / sizeof twin_sources[0] == N_BASE,
               "one twin_sources row per base preset");

/* Names: each base followed by its two twins, then the tiny variants. */
static const char *const preset_names[N_PRESETS] = {
    "jamba-v0.1",        "jamba-v0.1-transformer",        "jamba-v0.1-mamba",
    "jamba-1.5-mini",    "jamba-1.5-mini-transformer",    "jamba-1.5-mini-mamba",
    "jamba-1.5-large",   "jamba-1.5-large-transformer",   "jamba-1.5-large-mamba",
    "jamba-tiny-random", "jamba-tiny-random-transformer", "jamba-tiny-random-mamba",
    "hybrid-3b",         "hybrid-3b-transformer",         "hybrid-3b-mamba",
    "tiny",              "tiny-transformer",              "tiny-mamba",
    "tiny-dense",        "tiny-gqa1",                     "tiny-n128",
    "tiny-bias",
};

const char *const *hy_preset_names(size_t *count)
{
    if (count) *count = N_PRESETS;
    return preset_names;
}

typedef enum twin_kind { TWIN_NONE, TWIN_TRANSFORMER, TWIN_MAMBA } twin_kind;

/* Finds the definition behind a preset name and which twin it asks for. */
static const preset_def *find_preset(const char *name, twin_kind *twin)
{
    *twin = TWIN_NONE;
    if (!name) return NULL;
    for (size_t i = 0; i < N_VARIANT; i++)
        if (strcmp(name, variant_presets[i].name) == 0) return &variant_presets[i];
    for (size_t i = 0; i < N_BASE; i++) {
        const char *base = base_presets[i].name;
        size_t n = strlen(base);
        if (strncmp(name, base, n) != 0) continue;
        if (name[n] == 0) return &base_presets[i];
        if (strcmp(name + n, "-transformer") == 0) {
            *twin = TWIN_TRANSFORMER;
            return &base_presets[i];
        }
        if (strcmp(name + n, "-mamba") == 0) {
            *twin = TWIN_MAMBA;
            return &base_presets[i];
        }
    }
    return NULL;
}

const char *hy_preset_source(const char *name)
{
    twin_kind twin;
    const preset_def *p = find_preset(name, &twin);
    if (!p) return NULL;
    if (twin == TWIN_NONE) return p->source;
    return twin_sources[p - base_presets][twin == TWIN_MAMBA];
}

int hy_config_preset(const char *name, hy_config *out, hy_error *err)
{
    twin_kind twin;
    const preset_def *p = find_preset(name, &twin);
    if (!p) {
        char list[400];
        size_t used = 0;
        list[0] = 0;
        for (size_t i = 0; i < N_BASE; i++)
            used += (size_t)snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "",
                                     base_presets[i].name);
        used += (size_t)snprintf(list + used, sizeof list - used,
                                 " (each also as <name>-transformer and <name>-mamba)");
        for (size_t i = 0; i < N_VARIANT && used < sizeof list; i++)
            used += (size_t)snprintf(list + used, sizeof list - used, ", %s",
                                     variant_presets[i].name);
        return hy_fail(err, "unknown preset \"%s\" (known: %s)", name ? name : "(null)", list);
    }
    hy_config c = p->c;
    memset(c.name, 0, sizeof c.name);
    snprintf(c.name, sizeof c.name, "%s", name);
    if (twin == TWIN_TRANSFORMER) {
        c.attn_period = 1;
        c.attn_offset = 0;
    } else if (twin == TWIN_MAMBA) {
        c.attn_period = c.n_layers + 1;
        c.attn_offset = c.n_layers;
    }
    if (hy_config_validate(&c, err) != 0) return hy_fail_prefix(err, "preset %s", name);
    *out = c;
    return 0;
}
