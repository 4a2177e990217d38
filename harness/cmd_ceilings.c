/* cmd_ceilings.c — `hybench ceilings`: measures and prints the roofline
 * ceilings of this machine (hy_ceilings.h). */
#include <stdio.h>

#include "hy_ceilings.h"
#include "hy_cli.h"
#include "hy_json.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: hybench ceilings [--threads N] [--quick] [--json] [--out FILE]\n"
            "\n"
            "Measures this machine's roofline ceilings: peak FLOP/s of each instruction set\n"
            "the CPU and OS support (scalar, AVX2, AVX-512; fp32, and bf16 where present)\n"
            "and memory bandwidth (STREAM triad, copy and read-only sum, with working sets\n"
            "in L1, in L2 and in DRAM at least 4 x the last-level cache), on one thread and\n"
            "on all threads.  Each figure is the best of several timed repetitions; the\n"
            "median and spread are shown beside it.\n"
            "\n"
            "  --threads N  threads of the all-threads figures (default: OpenMP's, i.e.\n"
            "               OMP_NUM_THREADS or every CPU)\n"
            "  --quick      shorter repetitions (about 3 s instead of about 15 s)\n"
            "  --json       print the ceilings as JSON instead of a table\n"
            "  --out FILE   also write the JSON to FILE (atomically)\n");
}

int hy_cmd_ceilings(int argc, char **argv)
{
    const char *cmd = "ceilings";
    hy_opt opts[] = {
        {"threads", 1, NULL, 0},
        {"quick", 0, NULL, 0},
        {"json", 0, NULL, 0},
        {"out", 1, NULL, 0},
    };
    const size_t n_opts = sizeof opts / sizeof opts[0];
    int help = 0;
    int rc = hy_cli_parse(argc, argv, opts, n_opts, &help);
    if (rc != 0) return rc;
    if (help) {
        usage(stdout);
        return HY_EXIT_OK;
    }
    hy_ceilings_opts co;
    hy_ceilings_opts_default(&co);
    const hy_opt *threads = hy_cli_opt(opts, n_opts, "threads");
    if (threads->present) {
        int64_t v;
        if (hy_cli_int64(cmd, "threads", threads->value, 1, 4096, &v) != 0) return HY_EXIT_USAGE;
        co.threads = (int)v;
    }
    co.quick = hy_cli_opt(opts, n_opts, "quick")->present;
    int as_json = hy_cli_opt(opts, n_opts, "json")->present;
    const hy_opt *out = hy_cli_opt(opts, n_opts, "out");
    co.verbose = 1;

    fprintf(stderr, "hybench: ceilings: measuring (about %s; keep the machine otherwise idle)\n",
            co.quick ? "3 s" : "15 s");
    hy_ceilings *c = malloc(sizeof *c);
    if (!c) {
        hy_cli_error(cmd, "out of memory");
        return HY_EXIT_FAIL;
    }
    hy_error err = {{0}};
    if (hy_ceilings_measure(&co, c, &err) != 0) {
        hy_cli_error(cmd, "%s", err.msg);
        free(c);
        return HY_EXIT_FAIL;
    }
    int status = HY_EXIT_OK;
    if (as_json || out->present) {
        hy_strbuf b = {0};
        hy_ceilings_to_json(&b, c);
        hy_strbuf_printf(&b, "\n");
        if (b.failed) {
            hy_cli_error(cmd, "out of memory while writing JSON");
            status = HY_EXIT_FAIL;
        } else {
            if (as_json) fputs(b.data, stdout);
            if (out->present && hy_write_file_atomic(out->value, b.data, b.len, &err) != 0) {
                hy_cli_error(cmd, "%s", err.msg);
                status = HY_EXIT_FAIL;
            }
        }
        hy_strbuf_free(&b);
    }
    if (!as_json) hy_ceilings_print(stdout, c);
    if (status == HY_EXIT_OK && out->present && !as_json) printf("\nwrote %s\n", out->value);
    free(c);
    return status;
}
