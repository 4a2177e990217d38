/* hy_config.h — model configurations: presets, Hugging Face config.json
 * (Jamba keys), validation, parameter counts. */
#ifndef HY_CONFIG_H
#define HY_CONFIG_H

#include "hy_model.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Preset names, in the order `hybench info` lists them. */
const char *const *hy_preset_names(size_t *count);
/* One line on where the preset's numbers come from. */
const char *hy_preset_source(const char *name);
int hy_config_preset(const char *name, hy_config *out, hy_error *err);

/* Parses a Hugging Face config.json text.  Unknown keys are ignored;
 * missing required keys and impossible values are errors naming the key. */
int hy_config_from_json(const char *text, size_t len, hy_config *out, hy_error *err);
int hy_config_load(const char *path, hy_config *out, hy_error *err);
/* Checks every invariant (offset < period, heads divide hidden, kv heads
 * divide heads, sizes > 0, top_k <= n_experts, ...).  Fills derived fields
 * first (d_inner, head_dim) when they are 0. */
int hy_config_validate(hy_config *c, hy_error *err);
/* Writes a config.json (HF Jamba keys, model_type "jamba").  Caller frees. */
int hy_config_to_json(const hy_config *c, char **text, hy_error *err);

/* Parameter counts: total, and active per token (top_k of the experts). */
typedef struct hy_param_count {
    int64_t total;
    int64_t active;
} hy_param_count;
hy_param_count hy_config_params(const hy_config *c);

/* The same model with a different attention:Mamba layout.  ratio is
 * "a:m" with a + m dividing into a period (0:1 pure Mamba, 1:0 pure
 * transformer, 1:7 Jamba); only attn_period and attn_offset change. */
int hy_config_with_ratio(const hy_config *base, const char *ratio, hy_config *out, hy_error *err);

#ifdef __cplusplus
}
#endif
#endif
