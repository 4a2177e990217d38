/* hy_validate_forward.c — the model forward of a backend (hy_runtime)
 * against the reference forward, in prefill, decode and chunked modes. */
#include "hy_validate.h"

#include "hy_forward.h"
#include "hy_reference.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static size_t sz(int64_t a)
{
    return (size_t)a;
}

static void forward_result(hy_check_result *res, hy_check_status st, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
static void forward_result(hy_check_result *res, hy_check_status st, const char *fmt, ...)
{
    res->status = st;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(res->message, sizeof res->message, fmt, ap);
    va_end(ap);
}

void hy_validate_forward(const hy_backend *b, const hy_config *c, const hy_model_weights *w,
                         hy_forward_mode mode, int64_t n_tokens, int64_t chunk, uint64_t seed,
                         double tolerance, hy_check_result *res)
{
    hy_error err = {{0}};
    memset(res, 0, sizeof *res);
    res->error = NAN;
    res->tolerance = tolerance;
    snprintf(res->worst, sizeof res->worst, "logits");
    if (n_tokens <= 0 || (mode == HY_FWD_CHUNKED && chunk <= 0)) {
        forward_result(res, HY_CHECK_ERROR, "bad token count %lld or chunk %lld",
                       (long long)n_tokens, (long long)chunk);
        return;
    }
    int64_t step = mode == HY_FWD_PREFILL ? n_tokens : mode == HY_FWD_DECODE ? 1 : chunk;
    if (step > n_tokens) step = n_tokens;
    size_t V = sz(c->vocab), n_logits = sz(n_tokens) * V;
    int32_t *tokens = malloc(sz(n_tokens) * sizeof *tokens);
    float *ref = malloc(n_logits * sizeof(float));
    float *got = malloc(n_logits * sizeof(float));
    hy_ref_cache *cache = NULL;
    hy_runtime *rt = NULL;
    if (!tokens || !ref || !got) {
        forward_result(res, HY_CHECK_ERROR, "out of host memory");
        goto done;
    }
    hy_val_rng rng;
    hy_val_rng_seed(&rng, seed);
    for (int64_t i = 0; i < n_tokens; i++)
        tokens[i] = (int32_t)(hy_val_rng_next(&rng) % (uint64_t)c->vocab);

    if (hy_ref_cache_create(c, n_tokens, &cache, &err) ||
        hy_ref_forward(c, w, cache, tokens, n_tokens, ref, &err)) {
        forward_result(res, HY_CHECK_ERROR, "reference forward: %s", err.msg);
        goto done;
    }
    if (hy_runtime_create(b, c, w, step, n_tokens, &rt, &err)) {
        forward_result(res, HY_CHECK_ERROR, "runtime: %s", err.msg);
        goto done;
    }
    for (int64_t pos = 0; pos < n_tokens; pos += step) {
        int64_t len = n_tokens - pos < step ? n_tokens - pos : step;
        if (hy_runtime_forward(rt, tokens + pos, len, got + sz(pos) * V, &err)) {
            forward_result(res, HY_CHECK_ERROR, "runtime forward at token %lld: %s",
                           (long long)pos, err.msg);
            goto done;
        }
    }
    if (hy_runtime_length(rt) != n_tokens) {
        forward_result(res, HY_CHECK_FAIL, "runtime length %lld after %lld tokens",
                       (long long)hy_runtime_length(rt), (long long)n_tokens);
        goto done;
    }
    size_t at = 0;
    res->error = hy_val_relative_error(got, ref, n_logits, &at);
    if (!(res->error <= tolerance)) {
        forward_result(res, HY_CHECK_FAIL,
                       "logits error %.3g > %.3g (token %zu, id %zu: got %.9g, reference %.9g)",
                       res->error, tolerance, at / V, at % V, (double)got[at], (double)ref[at]);
        goto done;
    }
    /* After a reset the first call must give the first logits again. */
    hy_runtime_reset(rt);
    if (hy_runtime_length(rt) != 0 || hy_runtime_forward(rt, tokens, step, got, &err)) {
        forward_result(res, HY_CHECK_ERROR, "runtime after reset: %s",
                       err.msg[0] ? err.msg : "length not 0");
        goto done;
    }
    double e = hy_val_relative_error(got, ref, sz(step) * V, &at);
    if (!(e <= tolerance)) {
        forward_result(res, HY_CHECK_FAIL, "after reset: logits error %.3g > %.3g", e, tolerance);
        if (e > res->error) res->error = e;
        goto done;
    }
    res->status = HY_CHECK_PASS;
done:
    if (rt) hy_runtime_destroy(rt);
    if (cache) hy_ref_cache_destroy(cache);
    free(tokens);
    free(ref);
    free(got);
}
