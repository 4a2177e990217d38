/* cmd_forward.c — `hybench forward`: loads a model directory, runs tokens
 * through a backend's runtime (or the reference forward), and writes the
 * logits of every position or prints a summary of them. */
#include "backend.h"
#include "hy_cli.h"
#include "hy_forward.h"
#include "hy_json.h"
#include "hy_reference.h"
#include "hy_weights.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const forward_help =
    "usage: hybench forward --model DIR --tokens 1,2,3 [--backend NAME|reference]\n"
    "                       [--mode prefill|decode] [--out FILE]\n\n"
    "Loads DIR (config.json + safetensors) and runs the tokens through the model.\n\n"
    "  --model DIR     model directory (hybench make-model writes one)\n"
    "  --tokens LIST   comma-separated token ids, each in [0, vocab)\n"
    "  --backend NAME  a backend's runtime (default: the best available one), or\n"
    "                  reference for the scalar double-accumulating reference forward\n"
    "  --mode M        prefill: all tokens in one call (default); decode: one call\n"
    "                  per token, continuing the caches\n"
    "  --out FILE      write the logits of every position as raw little-endian\n"
    "                  float32 [tokens][vocab] (atomically); without it, print per\n"
    "                  position the argmax and max logit, and a checksum\n";

/* Parses "1,2,3" strictly: digits only, no empty items, each <= INT32_MAX. */
static int parse_tokens(const char *cmd, const char *s, int32_t **out, int64_t *count)
{
    int64_t n = 1;
    for (const char *p = s; *p; p++) n += *p == ',';
    int32_t *tok = malloc((size_t)n * sizeof *tok);
    if (!tok) {
        hy_cli_error(cmd, "out of memory for %" PRId64 " tokens", n);
        return -1;
    }
    const char *p = s;
    for (int64_t i = 0; i < n; i++) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == 0) {
            hy_cli_error(cmd, "--tokens: empty token at position %" PRId64 " in '%s'", i, s);
            free(tok);
            return -1;
        }
        int64_t v = 0;
        for (size_t j = 0; j < len; j++) {
            if (p[j] < '0' || p[j] > '9') {
                hy_cli_error(cmd, "--tokens: '%.*s' at position %" PRId64
                                  " is not a non-negative integer",
                             (int)len, p, i);
                free(tok);
                return -1;
            }
            v = v * 10 + (p[j] - '0');
            if (v > INT32_MAX) {
                hy_cli_error(cmd, "--tokens: '%.*s' at position %" PRId64 " is too large",
                             (int)len, p, i);
                free(tok);
                return -1;
            }
        }
        tok[i] = (int32_t)v;
        p += len + (end ? 1 : 0);
    }
    *out = tok;
    *count = n;
    return 0;
}

/* Runs the tokens: step = T (prefill) or 1 (decode).  logits: [T, V]. */
static int run_reference(const hy_model *m, const int32_t *tok, int64_t T, int64_t step,
                         float *logits, hy_error *err)
{
    hy_ref_cache *cache = NULL;
    if (hy_ref_cache_create(&m->config, T, &cache, err)) return -1;
    int rc = 0;
    for (int64_t pos = 0; pos < T && rc == 0; pos += step)
        rc = hy_ref_forward(&m->config, &m->w, cache, tok + pos, step,
                            logits + (size_t)pos * (size_t)m->config.vocab, err);
    hy_ref_cache_destroy(cache);
    return rc;
}

static int run_backend(const hy_backend *b, const hy_model *m, const int32_t *tok, int64_t T,
                       int64_t step, float *logits, char *variants, size_t variants_len,
                       hy_error *err)
{
    hy_runtime *rt = NULL;
    if (hy_runtime_create(b, &m->config, &m->w, step, T, &rt, err)) return -1;
    int rc = 0;
    for (int64_t pos = 0; pos < T && rc == 0; pos += step)
        rc = hy_runtime_forward(rt, tok + pos, step, logits + (size_t)pos * (size_t)m->config.vocab,
                                err);
    size_t used = 0;
    variants[0] = 0;
    for (int f = 0; f < HY_FAM_COUNT && used < variants_len; f++) {
        const hy_kernel_variant *v = hy_runtime_variant(rt, (hy_family)f);
        if (!v) continue;
        int w = snprintf(variants + used, variants_len - used, "%s%s/%s", used ? " " : "",
                         hy_family_name((hy_family)f), v->name);
        if (w > 0) used += (size_t)w;
    }
    hy_runtime_destroy(rt);
    return rc;
}

static int host_is_little_endian(void)
{
    const uint16_t one = 1;
    unsigned char first;
    memcpy(&first, &one, 1);
    return first == 1;
}

/* Writes [n] floats as little-endian float32, atomically. */
static int write_logits(const char *path, const float *logits, size_t n, hy_error *err)
{
    if (host_is_little_endian()) return hy_write_file_atomic(path, logits, n * sizeof(float), err);
    unsigned char *buf = malloc(n * sizeof(float));
    if (!buf) return hy_fail(err, "out of memory");
    for (size_t i = 0; i < n; i++) {
        unsigned char b[4];
        memcpy(b, &logits[i], 4);
        for (int k = 0; k < 4; k++) buf[4 * i + (size_t)k] = b[3 - k];
    }
    int rc = hy_write_file_atomic(path, buf, n * sizeof(float), err);
    free(buf);
    return rc;
}

static void print_summary(const char *dir, const char *engine, const char *mode, const hy_model *m,
                          const int32_t *tok, int64_t T, const float *logits, const char *variants)
{
    size_t V = (size_t)m->config.vocab;
    printf("model %s (%s), %s, mode %s, %" PRId64 " tokens, vocab %zu\n", dir, m->config.name,
           engine, mode, T, V);
    if (variants && variants[0]) printf("kernels: %s\n", variants);
    printf("%6s %10s %10s %14s\n", "pos", "token", "argmax", "max logit");
    double sum = 0;
    uint64_t hash = 0xcbf29ce484222325ull; /* FNV-1a over the float bytes */
    for (int64_t t = 0; t < T; t++) {
        const float *row = logits + (size_t)t * V;
        size_t best = 0;
        for (size_t i = 0; i < V; i++) {
            if (row[i] > row[best]) best = i;
            sum += row[i];
            unsigned char b[4];
            memcpy(b, &row[i], 4);
            for (int k = 0; k < 4; k++) hash = (hash ^ b[k]) * 0x100000001b3ull;
        }
        printf("%6" PRId64 " %10" PRId32 " %10zu %14.6g\n", t, tok[t], best, (double)row[best]);
    }
    printf("checksum: sum %.9g, fnv1a-64 %016" PRIx64 "\n", sum, hash);
}

int hy_cmd_forward(int argc, char **argv)
{
    const char *cmd = argv[0];
    hy_opt opts[] = {
        {.name = "model", .takes_value = 1}, {.name = "tokens", .takes_value = 1},
        {.name = "backend", .takes_value = 1}, {.name = "mode", .takes_value = 1},
        {.name = "out", .takes_value = 1},
    };
    int help = 0;
    int rc = hy_cli_parse(argc, argv, opts, sizeof opts / sizeof opts[0], &help);
    if (rc) return rc;
    if (help) {
        fputs(forward_help, stdout);
        return HY_EXIT_OK;
    }
    if (!opts[0].present || !opts[1].present) {
        hy_cli_error(cmd, "--model DIR and --tokens LIST are required");
        return HY_EXIT_USAGE;
    }
    const char *dir = opts[0].value, *out_path = opts[4].present ? opts[4].value : NULL;
    int decode = 0;
    const char *mode = opts[3].present ? opts[3].value : "prefill";
    if (strcmp(mode, "decode") == 0)
        decode = 1;
    else if (strcmp(mode, "prefill") != 0) {
        hy_cli_error(cmd, "--mode: '%s' is neither prefill nor decode", mode);
        return HY_EXIT_USAGE;
    }
    /* The engine: reference, a named backend, or the best available. */
    const hy_backend *b = NULL;
    int use_reference = opts[2].present && strcmp(opts[2].value, "reference") == 0;
    if (!use_reference) {
        if (opts[2].present) {
            b = hy_backend_find(opts[2].value);
            if (!b) {
                hy_cli_error(cmd, "--backend: '%s' is not compiled in (see hybench info; or "
                                  "reference)", opts[2].value);
                return HY_EXIT_USAGE;
            }
            char why[512] = "";
            if (!b->probe || !b->probe(why, sizeof why)) {
                hy_cli_error(cmd, "backend %s is not available: %s", b->name,
                             why[0] ? why : "its probe says no");
                return HY_EXIT_FAIL;
            }
        } else {
            b = hy_backend_best();
            if (!b) {
                hy_cli_error(cmd, "no backend is available (use --backend reference)");
                return HY_EXIT_FAIL;
            }
        }
    }
    int32_t *tok = NULL;
    int64_t T = 0;
    if (parse_tokens(cmd, opts[1].value, &tok, &T)) return HY_EXIT_USAGE;

    hy_error err = {{0}};
    hy_model *m = NULL;
    if (hy_model_load_dir(dir, &m, &err)) {
        hy_cli_error(cmd, "%s", err.msg); /* the loader names the directory or file */
        free(tok);
        return HY_EXIT_FAIL;
    }
    int status = HY_EXIT_OK;
    float *logits = NULL;
    for (int64_t i = 0; i < T; i++)
        if (tok[i] >= m->config.vocab) {
            hy_cli_error(cmd, "--tokens: token %" PRId32 " at position %" PRId64
                              " is outside the vocabulary [0, %" PRId64 ")",
                         tok[i], i, m->config.vocab);
            status = HY_EXIT_USAGE;
            goto done;
        }
    size_t n = (size_t)T * (size_t)m->config.vocab;
    logits = malloc(n * sizeof *logits);
    if (!logits) {
        hy_cli_error(cmd, "out of memory for %zu logits", n);
        status = HY_EXIT_FAIL;
        goto done;
    }
    char variants[512] = "";
    int64_t step = decode ? 1 : T;
    if (use_reference)
        rc = run_reference(m, tok, T, step, logits, &err);
    else
        rc = run_backend(b, m, tok, T, step, logits, variants, sizeof variants, &err);
    if (rc) {
        hy_cli_error(cmd, "%s forward: %s", use_reference ? "reference" : b->name, err.msg);
        status = HY_EXIT_FAIL;
        goto done;
    }
    if (out_path) {
        if (write_logits(out_path, logits, n, &err)) {
            hy_cli_error(cmd, "writing %s: %s", out_path, err.msg);
            status = HY_EXIT_FAIL;
            goto done;
        }
    } else {
        char engine[64];
        snprintf(engine, sizeof engine, "%s%s", use_reference ? "reference" : "backend ",
                 use_reference ? "" : b->name);
        print_summary(dir, engine, mode, m, tok, T, logits, variants);
    }
done:
    free(logits);
    free(tok);
    hy_model_free(m);
    return status;
}
