/* hy_sweep_compose.c — the arithmetic of the sweep (hy_sweep.h): ratio
 * layouts, composed costs, crossovers, memory per layout, scaled configs.
 * No timing here: everything is a function of its arguments. */
#include "hy_sweep.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hy_config.h"
#include "hy_stats.h"

const char *hy_mixer_kind_name(hy_mixer_kind k)
{
    switch (k) {
    case HY_MIX_ATTN: return "attention";
    case HY_MIX_ATTN_LOCAL: return "attention-local";
    case HY_MIX_MAMBA: return "mamba";
    default: return "?";
    }
}

const char *hy_ffn_kind_name(hy_ffn_kind k)
{
    switch (k) {
    case HY_FFN_DENSE: return "mlp";
    case HY_FFN_MOE: return "moe";
    default: return "?";
    }
}

/* Strict non-negative decimal of at most 4 digits from s up to *end. */
static int parse_part(const char *s, const char **end, int64_t *out)
{
    int64_t v = 0;
    int digits = 0;
    while (*s >= '0' && *s <= '9' && digits < 5) {
        v = v * 10 + (*s - '0');
        s++;
        digits++;
    }
    *end = s;
    *out = v;
    return digits >= 1 && digits <= 4 ? 0 : -1;
}

int hy_sweep_parse_ratio(const char *text, hy_sweep_ratio *out, hy_error *err)
{
    memset(out, 0, sizeof *out);
    if (!text || !text[0]) return hy_fail(err, "ratio: empty");
    if (strlen(text) >= sizeof out->text) return hy_fail(err, "ratio \"%s\": too long", text);
    const char *p = text, *e = NULL;
    if (strncmp(p, "swa", 3) == 0) {
        out->swa = 1;
        p += 3;
    }
    if (parse_part(p, &e, &out->a) || *e != ':' || parse_part(e + 1, &e, &out->b) || *e)
        return hy_fail(err, "ratio \"%s\": want attention:mamba such as 1:7, or swaLOCAL:GLOBAL "
                            "such as swa7:1", text);
    if (out->a == 0 && out->b == 0) return hy_fail(err, "ratio \"%s\": both parts are zero", text);
    if (out->swa && out->b == 0)
        return hy_fail(err, "ratio \"%s\": a sliding-window layout needs at least one global "
                            "layer per period (swaA:G with G >= 1)", text);
    snprintf(out->text, sizeof out->text, "%s", text);
    return 0;
}

int hy_sweep_layout_of(const hy_config *base, const hy_sweep_ratio *r, hy_sweep_layout *out,
                       hy_config *cfg_out, hy_error *err)
{
    memset(out, 0, sizeof *out);
    hy_config c;
    if (r->swa) {
        if (hy_config_with_ratio(base, "1:0", &c, err)) return -1;
    } else {
        char text[48];
        snprintf(text, sizeof text, "%lld:%lld", (long long)r->a, (long long)r->b);
        if (hy_config_with_ratio(base, text, &c, err)) return hy_fail_prefix(err, "layout");
    }
    out->n_layers = c.n_layers;
    const int64_t period = r->a + r->b;
    for (int64_t i = 0; i < c.n_layers; i++) {
        if (r->swa) out->mixers[i % period < r->a ? HY_MIX_ATTN_LOCAL : HY_MIX_ATTN]++;
        else out->mixers[hy_layer_is_attention(&c, i) ? HY_MIX_ATTN : HY_MIX_MAMBA]++;
        out->ffns[hy_layer_experts(&c, i) > 1 ? HY_FFN_MOE : HY_FFN_DENSE]++;
    }
    if (cfg_out) *cfg_out = c;
    return 0;
}

void hy_sweep_costs_unknown(hy_sweep_costs *c)
{
    for (int k = 0; k < HY_MIX_COUNT; k++) c->mixer[k] = NAN;
    for (int k = 0; k < HY_FFN_COUNT; k++) c->ffn[k] = NAN;
    c->head = NAN;
}

double hy_sweep_compose(const hy_sweep_layout *l, const hy_sweep_costs *c)
{
    double t = c->head;
    for (int k = 0; k < HY_MIX_COUNT; k++)
        if (l->mixers[k] > 0) t += (double)l->mixers[k] * c->mixer[k];
    for (int k = 0; k < HY_FFN_COUNT; k++)
        if (l->ffns[k] > 0) t += (double)l->ffns[k] * c->ffn[k];
    return t;
}

void hy_sweep_spread_of(const double *x, size_t n, hy_sweep_spread *out)
{
    if (n == 0) {
        out->median = out->lo = out->hi = NAN;
        return;
    }
    out->median = hy_stats_median(x, n);
    out->lo = hy_stats_percentile(x, n, 0.10);
    out->hi = hy_stats_percentile(x, n, 0.90);
}

void hy_sweep_compose_spread(const hy_sweep_layout *l, const hy_sweep_point *p,
                             hy_sweep_spread *out)
{
    out->median = hy_sweep_compose(l, &p->costs);
    out->lo = hy_sweep_compose(l, &p->costs_lo);
    out->hi = hy_sweep_compose(l, &p->costs_hi);
}

void hy_sweep_crossover_range(const int64_t *L, const double *th_lo, const double *th_hi,
                              const double *tb_lo, const double *tb_hi, size_t n,
                              hy_crossover *early, hy_crossover *late)
{
    hy_sweep_crossover(L, th_lo, tb_hi, n, early);
    hy_sweep_crossover(L, th_hi, tb_lo, n, late);
}

void hy_sweep_crossover(const int64_t *L, const double *t_hybrid, const double *t_base, size_t n,
                        hy_crossover *out)
{
    memset(out, 0, sizeof *out);
    out->kind = HY_CROSS_UNKNOWN;
    int have_prev = 0;
    double prev_d = 0, prev_logL = 0;
    for (size_t i = 0; i < n; i++) {
        if (!(t_hybrid[i] > 0) || !(t_base[i] > 0) || !isfinite(t_hybrid[i]) ||
            !isfinite(t_base[i]))
            continue;
        double d = log(t_hybrid[i] / t_base[i]), logL = log((double)L[i]);
        if (!have_prev) out->lmin = L[i];
        out->lmax = L[i];
        if (out->kind == HY_CROSS_UNKNOWN || out->kind == HY_CROSS_NONE) {
            if (d < 0) {
                if (!have_prev) {
                    out->kind = HY_CROSS_ALWAYS;
                    out->length = (double)L[i];
                } else {
                    out->kind = HY_CROSS_AT;
                    out->length = exp(prev_logL + prev_d / (prev_d - d) * (logL - prev_logL));
                }
            } else {
                out->kind = HY_CROSS_NONE;
            }
        }
        have_prev = 1;
        prev_d = d;
        prev_logL = logL;
    }
}

void hy_sweep_crossover_text(const hy_crossover *c, char *buf, size_t len)
{
    switch (c->kind) {
    case HY_CROSS_ALWAYS: snprintf(buf, len, "always (from L=%lld)", (long long)c->lmin); break;
    case HY_CROSS_AT: snprintf(buf, len, "at L~%.0f", c->length); break;
    case HY_CROSS_NONE: snprintf(buf, len, "none up to L=%lld", (long long)c->lmax); break;
    default: snprintf(buf, len, "unknown"); break;
    }
}

int hy_sweep_memory(const hy_config *base, const hy_sweep_ratio *r, int64_t window,
                    int64_t context, hy_memory_bytes *out, hy_error *err)
{
    hy_sweep_layout lay;
    hy_config c;
    if (hy_sweep_layout_of(base, r, &lay, &c, err)) return -1;
    *out = hy_memory_account(&c, context, HY_F32, HY_F32);
    if (r->swa) {
        int64_t attn = lay.mixers[HY_MIX_ATTN] + lay.mixers[HY_MIX_ATTN_LOCAL];
        double per_token_layer = attn > 0 && context > 0 ? out->kv_cache / (double)attn / (double)context : 0;
        int64_t local_ctx = window > 0 && window < context ? window : context;
        out->kv_cache = per_token_layer * ((double)lay.mixers[HY_MIX_ATTN] * (double)context +
                                           (double)lay.mixers[HY_MIX_ATTN_LOCAL] * (double)local_ctx);
    }
    return 0;
}

int hy_sweep_scale_config(const hy_config *in, int64_t div, hy_config *out, hy_error *err)
{
    hy_config c = *in;
    if (hy_config_validate(&c, err)) return -1;
    if (div < 1) return hy_fail(err, "width divisor %lld must be >= 1", (long long)div);
    if (div == 1) {
        *out = c;
        return 0;
    }
    if (c.hidden % div || c.n_heads % div || c.intermediate % div)
        return hy_fail(err, "width divisor %lld does not divide hidden %lld, heads %lld and "
                            "intermediate %lld", (long long)div, (long long)c.hidden,
                       (long long)c.n_heads, (long long)c.intermediate);
    int64_t hd = c.head_dim;
    c.hidden /= div;
    c.n_heads /= div;
    c.n_kv_heads = c.n_kv_heads / div > 0 ? c.n_kv_heads / div : 1;
    while (c.n_heads % c.n_kv_heads) c.n_kv_heads--;
    c.head_dim = hd;
    c.intermediate /= div;
    c.dt_rank = (c.dt_rank + div - 1) / div;
    c.d_inner = 0;
    char name[64];
    snprintf(name, sizeof name, "%.40s-div%lld", in->name, (long long)div);
    snprintf(c.name, sizeof c.name, "%s", name);
    if (hy_config_validate(&c, err)) return hy_fail_prefix(err, "scaled config");
    *out = c;
    return 0;
}

void hy_sweep_check_judge(hy_sweep_check *k, double measured_s, double composed_s)
{
    k->measured_s = measured_s;
    k->composed_s = composed_s;
    if (!(isfinite(measured_s) && measured_s > 0 && isfinite(composed_s) && composed_s > 0)) {
        k->agreement = NAN;
        snprintf(k->status, sizeof k->status, "error");
        return;
    }
    k->agreement = (measured_s - composed_s) / composed_s;
    snprintf(k->status, sizeof k->status, "%s",
             fabs(k->agreement) <= HY_SWEEP_AGREEMENT_TOLERANCE ? "within 10%" : "outside 10%");
}

int hy_sweep_check_measured(const hy_sweep_check *k)
{
    return strcmp(k->status, "within 10%") == 0 || strcmp(k->status, "outside 10%") == 0;
}
