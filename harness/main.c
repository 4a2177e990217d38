/* main.c — `hybench <command> [options]`: finds the command and runs it.
 * Each command lives in harness/cmd_<name>.c and returns the exit status
 * (0 ok, 1 runtime failure, 2 usage error; see hy_cli.h). */
#include "hy_bench.h"
#include "hy_build_info.h"
#include "hy_ceilings.h"
#include "hy_cli.h"
#include "hy_report.h"
#include "hy_sweep.h"

#include <stdio.h>
#include <string.h>

typedef struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} command;

static const command commands[] = {
    {"info", hy_cmd_info, "build, CPU features, backends and their kernel tables, presets"},
    {"validate", hy_cmd_validate, "every kernel variant and the model forward against the reference"},
    {"make-model", hy_cmd_make_model, "write a seeded random model directory (config.json + safetensors)"},
    {"forward", hy_cmd_forward, "run a model directory on tokens and print or write the logits"},
    {"memory", hy_cmd_memory, "bytes of weights, KV cache and Mamba state at a context length"},
    {"ceilings", hy_cmd_ceilings, "measure this machine's peak FLOP/s and memory bandwidth"},
    {"bench", hy_cmd_bench, "validate, then time kernel variants; results file with roofline fractions"},
    {"sweep", hy_cmd_sweep, "layer-kind costs over lengths, composed per attention:Mamba ratio, crossovers"},
    {"run", hy_cmd_run, "the main job: info, validate, ceilings, bench and sweep into one results folder"},
    {"report", hy_cmd_report, "HTML page + Markdown summary (gnuplot charts) of results files"},
};

static void usage(FILE *f)
{
    fprintf(f, "hybench %s: kernel benchmarks for hybrid attention + Mamba + MoE models\n\n",
            HYBENCH_VERSION);
    fprintf(f, "usage: hybench <command> [options]\n       hybench <command> --help\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-12s %s\n", commands[i].name, commands[i].summary);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "hybench: no command given (usage: hybench <command> [options]; "
                        "hybench --help lists the commands)\n");
        return HY_EXIT_USAGE;
    }
    const char *name = argv[1];
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0 || strcmp(name, "help") == 0) {
        usage(stdout);
        return HY_EXIT_OK;
    }
    if (strcmp(name, "--version") == 0) {
        printf("hybench %s (%s)\n", HYBENCH_VERSION, HYBENCH_GIT_COMMIT);
        return HY_EXIT_OK;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(name, commands[i].name) == 0) return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "hybench: %s: unknown command (try hybench --help)\n", name);
    return HY_EXIT_USAGE;
}
