/* cmd_memory.c — `hybench memory`: bytes of weights, KV cache, conv state
 * and SSM state of one sequence at a context length, and parameter counts. */
#include "hy_cli.h"
#include "hy_config.h"
#include "hy_memory.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static const char *const memory_help =
    "usage: hybench memory (--preset NAME | --config FILE | --model DIR) --context N\n"
    "                      [--cache-dtype f32|bf16|f16] [--weight-dtype f32|bf16|f16]\n\n"
    "Memory of one sequence of N tokens (batch 1): weights, KV cache of the\n"
    "attention layers, conv state and SSM state of the Mamba layers, total, and\n"
    "the parameter counts (total and active per token).\n\n"
    "  --preset NAME       a preset (hybench info lists them)\n"
    "  --config FILE       a Hugging Face config.json\n"
    "  --model DIR         a model directory (only its config.json is read)\n"
    "  --context N         tokens in the sequence\n"
    "  --cache-dtype T     KV cache and conv state dtype (default f32, as hybench runs);\n"
    "                      the SSM state is always counted as f32\n"
    "  --weight-dtype T    weight dtype (default f32)\n";

static void print_bytes(const char *what, double bytes)
{
    printf("  %-12s %20.0f bytes  %12.3f GiB\n", what, bytes, bytes / 1073741824.0);
}

int hy_cmd_memory(int argc, char **argv)
{
    const char *cmd = argv[0];
    hy_opt opts[] = {
        {.name = "preset", .takes_value = 1},      {.name = "config", .takes_value = 1},
        {.name = "model", .takes_value = 1},       {.name = "context", .takes_value = 1},
        {.name = "cache-dtype", .takes_value = 1}, {.name = "weight-dtype", .takes_value = 1},
    };
    int help = 0;
    int rc = hy_cli_parse(argc, argv, opts, sizeof opts / sizeof opts[0], &help);
    if (rc) return rc;
    if (help) {
        fputs(memory_help, stdout);
        return HY_EXIT_OK;
    }
    int sources = opts[0].present + opts[1].present + opts[2].present;
    if (sources != 1) {
        hy_cli_error(cmd, "give exactly one of --preset, --config or --model (got %d)", sources);
        return HY_EXIT_USAGE;
    }
    if (!opts[3].present) {
        hy_cli_error(cmd, "--context N is required");
        return HY_EXIT_USAGE;
    }
    int64_t context = 0;
    if (hy_cli_int64(cmd, "context", opts[3].value, 0, INT64_C(1) << 40, &context))
        return HY_EXIT_USAGE;
    hy_dtype cache_dtype = HY_F32, weight_dtype = HY_F32;
    if (opts[4].present && hy_dtype_parse(opts[4].value, &cache_dtype)) {
        hy_cli_error(cmd, "--cache-dtype: unknown dtype '%s' (f32, bf16 or f16)", opts[4].value);
        return HY_EXIT_USAGE;
    }
    if (opts[5].present && hy_dtype_parse(opts[5].value, &weight_dtype)) {
        hy_cli_error(cmd, "--weight-dtype: unknown dtype '%s' (f32, bf16 or f16)", opts[5].value);
        return HY_EXIT_USAGE;
    }

    hy_error err = {{0}};
    hy_config cfg;
    const char *source;
    char path[4096];
    if (opts[0].present) {
        source = opts[0].value;
        if (hy_config_preset(source, &cfg, &err)) {
            hy_cli_error(cmd, "%s", err.msg);
            return HY_EXIT_USAGE;
        }
    } else {
        if (opts[1].present)
            snprintf(path, sizeof path, "%s", opts[1].value);
        else
            snprintf(path, sizeof path, "%s/config.json", opts[2].value);
        source = path;
        if (hy_config_load(path, &cfg, &err)) {
            hy_cli_error(cmd, "%s", err.msg); /* names the file */
            return HY_EXIT_FAIL;
        }
    }
    if (hy_config_validate(&cfg, &err)) {
        hy_cli_error(cmd, "%s: %s", source, err.msg);
        return HY_EXIT_FAIL;
    }
    hy_memory_bytes m = hy_memory_account(&cfg, context, weight_dtype, cache_dtype);
    hy_param_count pc = hy_config_params(&cfg);
    int64_t attn = hy_config_count_attention_layers(&cfg);
    printf("model %s: %" PRId64 " layers (%" PRId64 " attention, %" PRId64 " Mamba), context %" PRId64
           " tokens\n",
           source, cfg.n_layers, attn, cfg.n_layers - attn, context);
    printf("  parameters   %" PRId64 " total, %" PRId64 " active per token\n", pc.total, pc.active);
    printf("  dtypes       weights %s, KV cache and conv state %s, SSM state f32\n",
           hy_dtype_name(weight_dtype), hy_dtype_name(cache_dtype));
    print_bytes("weights", m.weights);
    print_bytes("kv_cache", m.kv_cache);
    print_bytes("conv_state", m.conv_state);
    print_bytes("ssm_state", m.ssm_state);
    print_bytes("total", m.weights + m.kv_cache + m.conv_state + m.ssm_state);
    return HY_EXIT_OK;
}
