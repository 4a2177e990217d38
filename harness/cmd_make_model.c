/* cmd_make_model.c — `hybench make-model`: a preset with seeded random
 * weights, written as a Hugging Face style model directory. */
#include "hy_cli.h"
#include "hy_config.h"
#include "hy_weights.h"

#include <inttypes.h>
#include <stdio.h>
#include <unistd.h>

/* Physical memory in bytes, 0 when unknown. */
static double physical_memory(void)
{
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    return pages > 0 && page > 0 ? (double)pages * (double)page : 0.0;
}

static const char *const make_model_help =
    "usage: hybench make-model --preset NAME --out DIR [--dtype f32|bf16|f16] [--seed S]\n\n"
    "Writes DIR/config.json (Hugging Face Jamba keys) and DIR/model.safetensors\n"
    "(Hugging Face tensor names) for the preset with seeded random weights: the\n"
    "same seed gives the same weights on every machine.  DIR is created if needed.\n\n"
    "  --preset NAME   a preset (hybench info lists them)\n"
    "  --out DIR       the model directory to write\n"
    "  --dtype T       storage dtype of the tensors (default f32)\n"
    "  --seed S        random seed (default 1)\n";

int hy_cmd_make_model(int argc, char **argv)
{
    const char *cmd = argv[0];
    hy_opt opts[] = {
        {.name = "preset", .takes_value = 1},
        {.name = "out", .takes_value = 1},
        {.name = "dtype", .takes_value = 1},
        {.name = "seed", .takes_value = 1},
    };
    int help = 0;
    int rc = hy_cli_parse(argc, argv, opts, sizeof opts / sizeof opts[0], &help);
    if (rc) return rc;
    if (help) {
        fputs(make_model_help, stdout);
        return HY_EXIT_OK;
    }
    if (!opts[0].present) {
        hy_cli_error(cmd, "--preset is required (hybench info lists the presets)");
        return HY_EXIT_USAGE;
    }
    if (!opts[1].present) {
        hy_cli_error(cmd, "--out DIR is required");
        return HY_EXIT_USAGE;
    }
    hy_dtype dtype = HY_F32;
    if (opts[2].present && hy_dtype_parse(opts[2].value, &dtype)) {
        hy_cli_error(cmd, "--dtype: unknown dtype '%s' (f32, bf16 or f16)", opts[2].value);
        return HY_EXIT_USAGE;
    }
    uint64_t seed = 1;
    if (opts[3].present && hy_cli_uint64(cmd, "seed", opts[3].value, &seed)) return HY_EXIT_USAGE;

    hy_error err = {{0}};
    hy_config cfg;
    if (hy_config_preset(opts[0].value, &cfg, &err)) {
        hy_cli_error(cmd, "%s", err.msg);
        return HY_EXIT_USAGE;
    }
    /* Random weights are built in host memory as f32: refuse a model that
     * cannot fit rather than be killed by the OOM killer. */
    double need = (double)hy_config_params(&cfg).total * 4.0, have = physical_memory();
    if (have > 0 && need > 0.8 * have) {
        hy_cli_error(cmd, "preset %s needs %.1f GiB of f32 weights in memory; this machine has "
                          "%.1f GiB",
                     opts[0].value, need / 1073741824.0, have / 1073741824.0);
        return HY_EXIT_FAIL;
    }
    hy_model *m = NULL;
    if (hy_model_random(&cfg, seed, &m, &err)) {
        hy_cli_error(cmd, "%s", err.msg);
        return HY_EXIT_FAIL;
    }
    rc = hy_model_save_dir(m, opts[1].value, dtype, &err);
    if (rc) {
        hy_cli_error(cmd, "writing %s: %s", opts[1].value, err.msg);
        hy_model_free(m);
        return HY_EXIT_FAIL;
    }
    hy_param_count pc = hy_config_params(&m->config);
    printf("wrote %s: preset %s, %s, seed %" PRIu64 ", %" PRId64 " parameters (%" PRId64
           " active per token)\n",
           opts[1].value, opts[0].value, hy_dtype_name(dtype), seed, pc.total, pc.active);
    hy_model_free(m);
    return HY_EXIT_OK;
}
