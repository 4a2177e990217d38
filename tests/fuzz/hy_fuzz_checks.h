/* hy_fuzz_checks.h — what the fuzz targets (fuzz_json.c,
 * fuzz_safetensors.c) and the corpus replay test (test_fuzz_corpus.c) check
 * for one input.  Beyond "no crash, no memory error" (the sanitizers' job):
 *   JSON: an accepted document, written back with hy_strbuf, parses to an
 *         identical tree (so the writer's escaping and the parser agree);
 *   safetensors: every accepted tensor lies inside the buffer, its size
 *         matches its shape, no two overlap, lookups by name find it, and
 *         converting it to f32 reads only its own bytes.
 * Each check returns NULL when all holds, or what went wrong. */
#ifndef HY_FUZZ_CHECKS_H
#define HY_FUZZ_CHECKS_H

#include "hy_json.h"
#include "hy_safetensors.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- JSON ---------------------------------------------------------------- */

/* Writes a string that may hold U+0000 (hy_strbuf_json_string stops at the
 * first NUL, so the pieces between NULs are escaped one by one). */
static inline void hy_fuzz_write_string(hy_strbuf *b, const char *s, size_t len)
{
    hy_strbuf_printf(b, "\"");
    size_t at = 0;
    for (;;) {
        hy_strbuf piece = {0};
        hy_strbuf_json_string(&piece, s + at); /* up to the next NUL */
        if (piece.failed || piece.len < 2) {
            b->failed = 1;
        } else {
            piece.data[piece.len - 1] = 0; /* drop the quotes */
            hy_strbuf_printf(b, "%s", piece.data + 1);
        }
        hy_strbuf_free(&piece);
        at += strlen(s + at);
        if (at >= len) break;
        hy_strbuf_printf(b, "\\u0000");
        at++;
    }
    hy_strbuf_printf(b, "\"");
}

static inline void hy_fuzz_write_json(hy_strbuf *b, const hy_json *v)
{
    switch (v->type) {
    case HY_JSON_NULL: hy_strbuf_printf(b, "null"); break;
    case HY_JSON_BOOL: hy_strbuf_printf(b, v->boolean ? "true" : "false"); break;
    case HY_JSON_NUMBER:
        if (v->is_integer) hy_strbuf_printf(b, "%lld", (long long)v->integer);
        else {
            /* keep it a non-integer: "1e16" must not come back as 10000000000000000 */
            char num[64];
            snprintf(num, sizeof num, "%.17g", v->number);
            hy_strbuf_printf(b, "%s%s", num, strpbrk(num, ".e") ? "" : ".0");
        }
        break;
    case HY_JSON_STRING: hy_fuzz_write_string(b, v->string, v->len); break;
    case HY_JSON_ARRAY:
    case HY_JSON_OBJECT:
        hy_strbuf_printf(b, v->type == HY_JSON_ARRAY ? "[" : "{");
        for (size_t i = 0; i < v->count; i++) {
            if (i) hy_strbuf_printf(b, ",");
            if (v->type == HY_JSON_OBJECT) {
                hy_strbuf_json_string(b, v->keys[i]);
                hy_strbuf_printf(b, ":");
            }
            hy_fuzz_write_json(b, &v->items[i]);
        }
        hy_strbuf_printf(b, v->type == HY_JSON_ARRAY ? "]" : "}");
        break;
    }
}

/* NULL when a and b are the same tree. */
static inline const char *hy_fuzz_json_diff(const hy_json *a, const hy_json *b)
{
    if (a->type != b->type) return "type changed";
    switch (a->type) {
    case HY_JSON_NULL: return NULL;
    case HY_JSON_BOOL: return a->boolean == b->boolean ? NULL : "boolean changed";
    case HY_JSON_NUMBER:
        if (a->is_integer != b->is_integer) return "is_integer changed";
        if (a->is_integer && a->integer != b->integer) return "integer changed";
        if (!a->is_integer && a->number != b->number) return "number changed";
        return NULL;
    case HY_JSON_STRING:
        if (a->string[a->len] != 0) return "string not NUL-terminated at len";
        if (a->len != b->len || memcmp(a->string, b->string, a->len) != 0) return "string changed";
        return NULL;
    case HY_JSON_ARRAY:
    case HY_JSON_OBJECT:
        if (a->count != b->count) return "member count changed";
        for (size_t i = 0; i < a->count; i++) {
            if (a->type == HY_JSON_OBJECT && strcmp(a->keys[i], b->keys[i]) != 0)
                return "key changed";
            const char *d = hy_fuzz_json_diff(&a->items[i], &b->items[i]);
            if (d) return d;
        }
        return NULL;
    }
    return "unknown type";
}

/* *accepted tells whether the parser accepted the input. */
static inline const char *hy_fuzz_check_json(const uint8_t *data, size_t size, int *accepted)
{
    hy_error err = {{0}};
    hy_json *v = NULL;
    *accepted = hy_json_parse((const char *)data, size, &v, &err) == 0;
    if (!*accepted) {
        if (v) return "failed parse left *out set";
        if (strncmp(err.msg, "line ", 5) != 0) return "error message without a position";
        return NULL;
    }
    if (!v) return "successful parse without a value";
    hy_strbuf b = {0};
    hy_fuzz_write_json(&b, v);
    const char *problem = NULL;
    hy_json *again = NULL;
    if (b.failed) problem = NULL; /* out of memory writing: nothing to compare */
    else if (hy_json_parse(b.data, b.len, &again, &err) != 0) problem = "written form does not parse";
    else problem = hy_fuzz_json_diff(v, again);
    hy_json_free(again);
    hy_strbuf_free(&b);
    hy_json_free(v);
    return problem;
}

/* ---- safetensors ---------------------------------------------------------- */

static inline const char *hy_fuzz_check_safetensors(const uint8_t *data, size_t size, int *accepted)
{
    hy_error err = {{0}};
    hy_st_file *f = NULL;
    *accepted = hy_st_open_buffer(data, size, &f, &err) == 0;
    if (!*accepted) return f ? "failed open left *out set" : err.msg[0] ? NULL : "no error message";
    const char *problem = NULL;
    size_t n = hy_st_count(f);
    const uint8_t *end = data + size;
    for (size_t i = 0; i < n && !problem; i++) {
        const hy_st_tensor *t = hy_st_at(f, i);
        const uint8_t *p = t->data;
        size_t width = hy_dtype_size(t->dtype);
        int64_t numel = 1;
        for (int d = 0; d < t->ndim; d++) numel *= t->shape[d]; /* validated: no overflow */
        if (!t->name || hy_st_find(f, t->name) != t) problem = "lookup by name fails";
        else if (t->ndim < 0 || t->ndim > HY_ST_MAX_DIMS) problem = "bad ndim";
        else if (numel != t->numel || t->nbytes != (size_t)t->numel * width) problem = "size mismatch";
        else if (p < data + 8 || p > end || (size_t)(end - p) < t->nbytes) problem = "data outside the buffer";
        else if (t->aligned != ((uintptr_t)p % width == 0)) problem = "wrong aligned flag";
        for (size_t j = 0; j < i && !problem && n <= 256; j++) {
            const hy_st_tensor *u = hy_st_at(f, j);
            const uint8_t *q = u->data;
            if (t->nbytes && u->nbytes && p < q + u->nbytes && q < p + t->nbytes)
                problem = "overlapping tensors accepted";
        }
        if (!problem && t->numel > 0) {
            float *out = malloc((size_t)t->numel * sizeof *out);
            if (out) hy_st_to_f32(t, out);
            free(out);
        }
    }
    hy_st_close(f);
    return problem;
}

#endif
