/* hy_report_query.c — questions the report asks of loaded sources:
 * comparability, lookup by name, validation matrix cells, lottery figures,
 * the distinct backends and families. */
#include "hy_report_data.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int hy_rp_comparable(const hy_rp_source *a, const hy_rp_source *b)
{
    return a->version[0] && b->version[0] && strcmp(a->version, b->version) == 0;
}

const hy_rp_bench *hy_rp_find(const hy_rp_source *s, const char *name)
{
    for (size_t i = 0; i < s->nbench; i++)
        if (strcmp(s->bench[i].name, name) == 0) return &s->bench[i];
    return NULL;
}

const char *hy_rp_validation_cell(const hy_rp_source *s, const char *backend, const char *family,
                                  int *n_pass, int *n_fail, int *n_unsupported)
{
    int pass = 0, fail = 0, unsup = 0;
    for (size_t i = 0; i < s->nchecks; i++) {
        const hy_rp_check *c = &s->checks[i];
        if (strcmp(c->backend, backend) != 0 || strcmp(c->family, family) != 0) continue;
        if (strcmp(c->status, "pass") == 0) pass++;
        else if (strcmp(c->status, "unsupported") == 0) unsup++;
        else fail++; /* fail, error, or anything unknown */
    }
    for (size_t i = 0; i < s->nbench; i++) {
        const hy_rp_bench *b = &s->bench[i];
        if (strcmp(b->backend, backend) != 0 || strcmp(b->family, family) != 0) continue;
        if (strcmp(b->status, "ok") == 0) pass++;
        else if (strcmp(b->status, "unsupported") == 0) unsup++;
        else if (strcmp(b->status, "validation-failed") == 0) fail++;
        /* other failures (an error while timing) say nothing of validation */
    }
    if (n_pass) *n_pass = pass;
    if (n_fail) *n_fail = fail;
    if (n_unsupported) *n_unsupported = unsup;
    if (fail) return "fail";
    if (pass) return "pass";
    if (unsup) return "unsupported";
    return NULL;
}

double hy_rp_lottery(const hy_rp_source *s, const char *backend, const char *family,
                     const char *phase, long *seq_out)
{
    long longest = -1;
    for (size_t i = 0; i < s->nbench; i++) {
        const hy_rp_bench *b = &s->bench[i];
        if (strcmp(b->backend, backend) || strcmp(b->family, family) || strcmp(b->phase, phase) ||
            strcmp(b->status, "ok") || !isfinite(b->roofline_fraction))
            continue;
        if (b->seq > longest) longest = b->seq;
    }
    double best = NAN;
    for (size_t i = 0; i < s->nbench; i++) {
        const hy_rp_bench *b = &s->bench[i];
        if (strcmp(b->backend, backend) || strcmp(b->family, family) || strcmp(b->phase, phase) ||
            strcmp(b->status, "ok") || !isfinite(b->roofline_fraction) || b->seq != longest)
            continue;
        if (!isfinite(best) || b->roofline_fraction > best) best = b->roofline_fraction;
    }
    if (seq_out) *seq_out = longest;
    return best;
}

static const char *const family_order[] = {"linear", "rmsnorm", "conv1d", "scan", "ssd",
                                           "attention", "moe", "mlp", "model"};

int hy_rp_family_rank(const char *family)
{
    for (size_t i = 0; i < sizeof family_order / sizeof family_order[0]; i++)
        if (strcmp(family, family_order[i]) == 0) return (int)i;
    return 100;
}

static int cmp_family(const void *a, const void *b)
{
    const char *x = *(const char *const *)a, *y = *(const char *const *)b;
    int rx = hy_rp_family_rank(x), ry = hy_rp_family_rank(y);
    if (rx != ry) return rx < ry ? -1 : 1;
    return strcmp(x, y);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Appends s to list when absent (and non-empty, and not "-"). */
static int add_distinct(const char ***list, size_t *n, size_t *cap, const char *s)
{
    if (!s || !s[0] || strcmp(s, "-") == 0) return 0;
    for (size_t i = 0; i < *n; i++)
        if (strcmp((*list)[i], s) == 0) return 0;
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 16;
        const char **grown = realloc(*list, nc * sizeof *grown);
        if (!grown) return -1;
        *list = grown;
        *cap = nc;
    }
    (*list)[(*n)++] = s;
    return 0;
}

static size_t collect(const hy_rp_source *src, size_t nsrc, int families, const char ***out)
{
    const char **list = NULL;
    size_t n = 0, cap = 0;
    for (size_t k = 0; k < nsrc; k++) {
        const hy_rp_source *s = &src[k];
        for (size_t i = 0; i < s->nbench; i++)
            if (add_distinct(&list, &n, &cap, families ? s->bench[i].family : s->bench[i].backend))
                goto oom;
        for (size_t i = 0; i < s->nchecks; i++)
            if (add_distinct(&list, &n, &cap, families ? s->checks[i].family : s->checks[i].backend))
                goto oom;
    }
    if (n) qsort(list, n, sizeof *list, families ? cmp_family : cmp_str);
    *out = list;
    return n;
oom:
    free(list);
    *out = NULL;
    return 0;
}

size_t hy_rp_backends(const hy_rp_set *set, const char ***out)
{
    return collect(set->src, set->n, 0, out);
}

size_t hy_rp_families(const hy_rp_set *set, const char ***out)
{
    return collect(set->src, set->n, 1, out);
}

size_t hy_rp_source_backends(const hy_rp_source *s, const char ***out)
{
    return collect(s, 1, 0, out);
}
