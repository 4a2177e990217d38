/* hy_sweep_report.c — what the sweep tells: composed cost, per-token
 * latency, tokens/s and memory per ratio and length, checks and
 * crossovers, as a text table and as the summary JSON (hy_sweep.h). */
#include "hy_sweep.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hy_json.h"

double hy_sweep_ratio_seconds(const hy_sweep_opts *o, const hy_sweep_result *res,
                              const hy_sweep_ratio *r, hy_phase ph, size_t i)
{
    hy_sweep_layout lay;
    hy_error ignored;
    if (i >= o->n_seq || hy_sweep_layout_of(&o->base, r, &lay, NULL, &ignored)) return NAN;
    return hy_sweep_compose(&lay, &res->points[ph][i].costs);
}

void hy_sweep_ratio_spread(const hy_sweep_opts *o, const hy_sweep_result *res,
                           const hy_sweep_ratio *r, hy_phase ph, size_t i, hy_sweep_spread *out)
{
    hy_sweep_layout lay;
    hy_error ignored;
    out->median = out->lo = out->hi = NAN;
    if (i >= o->n_seq || hy_sweep_layout_of(&o->base, r, &lay, NULL, &ignored)) return;
    hy_sweep_compose_spread(&lay, &res->points[ph][i], out);
}

static double per_token(const hy_sweep_opts *o, double call, hy_phase ph, size_t i)
{
    return ph == HY_PHASE_PREFILL ? call / (double)o->seqs[i] : call;
}

/* Crossover of ratio r against 1:0 in phase ph, and the range its
 * spread allows (early, late; NULL: not wanted). */
static void crossover_of(const hy_sweep_opts *o, const hy_sweep_result *res,
                         const hy_sweep_ratio *r, hy_phase ph, hy_crossover *out,
                         hy_crossover *early, hy_crossover *late)
{
    hy_sweep_ratio base;
    hy_error ignored;
    double th[3][HY_SWEEP_MAX_SEQ], tb[3][HY_SWEEP_MAX_SEQ];
    hy_sweep_parse_ratio("1:0", &base, &ignored);
    for (size_t i = 0; i < o->n_seq; i++) {
        hy_sweep_spread h, b;
        hy_sweep_ratio_spread(o, res, r, ph, i, &h);
        hy_sweep_ratio_spread(o, res, &base, ph, i, &b);
        th[0][i] = h.median, th[1][i] = h.lo, th[2][i] = h.hi;
        tb[0][i] = b.median, tb[1][i] = b.lo, tb[2][i] = b.hi;
    }
    hy_sweep_crossover(o->seqs, th[0], tb[0], o->n_seq, out);
    if (early && late)
        hy_sweep_crossover_range(o->seqs, th[1], th[2], tb[1], tb[2], o->n_seq, early, late);
}

static int is_transformer(const hy_sweep_ratio *r)
{
    return !r->swa && r->b == 0;
}

void hy_sweep_print(FILE *f, const hy_sweep_opts *o, const hy_sweep_result *res)
{
    for (int ph = 0; ph < 2; ph++) {
        if (!o->phases[ph]) continue;
        fprintf(f, "\n%s (%s): per-token latency and tokens/s, composed from the layer kinds\n",
                hy_phase_name((hy_phase)ph),
                ph == HY_PHASE_PREFILL ? "L tokens from an empty cache"
                                       : "one token with L tokens cached");
        fprintf(f, "%-8s %-8s %14s %21s %14s %12s %10s %10s %10s\n", "ratio", "L", "ms/token",
                "[p10, p90]", "tokens/s", "call ms", "weights", "KV cache", "SSM+conv");
        for (size_t r = 0; r < o->n_ratios; r++)
            for (size_t i = 0; i < o->n_seq; i++) {
                const hy_sweep_point *pt = &res->points[ph][i];
                hy_memory_bytes mb;
                hy_error ignored;
                if (hy_sweep_memory(&o->base, &o->ratios[r], o->window, o->seqs[i], &mb, &ignored))
                    memset(&mb, 0, sizeof mb);
                hy_sweep_spread sp;
                hy_sweep_ratio_spread(o, res, &o->ratios[r], (hy_phase)ph, i, &sp);
                double call = sp.median;
                double tok = per_token(o, call, (hy_phase)ph, i);
                if (isfinite(call))
                    fprintf(f, "%-8s %-8lld %14.4f  [%8.4f, %8.4f] %14.1f %12.3f %8.1fMB %8.1fMB "
                               "%8.1fMB\n",
                            o->ratios[r].text, (long long)o->seqs[i], tok * 1e3,
                            per_token(o, sp.lo, (hy_phase)ph, i) * 1e3,
                            per_token(o, sp.hi, (hy_phase)ph, i) * 1e3, 1 / tok,
                            call * 1e3, mb.weights / 1e6, mb.kv_cache / 1e6,
                            (mb.ssm_state + mb.conv_state) / 1e6);
                else
                    fprintf(f, "%-8s %-8lld skipped: %s\n", o->ratios[r].text,
                            (long long)o->seqs[i], pt->skipped[0] ? pt->skipped : "not measured");
            }
        fprintf(f, "crossover against the pure transformer (1:0), %s:\n",
                hy_phase_name((hy_phase)ph));
        for (size_t r = 0; r < o->n_ratios; r++) {
            if (is_transformer(&o->ratios[r])) continue;
            hy_crossover c;
            char text[64];
            hy_crossover early, late;
            crossover_of(o, res, &o->ratios[r], (hy_phase)ph, &c, &early, &late);
            hy_sweep_crossover_text(&c, text, sizeof text);
            char te[64], tl[64];
            hy_sweep_crossover_text(&early, te, sizeof te);
            hy_sweep_crossover_text(&late, tl, sizeof tl);
            fprintf(f, "  %-8s %s (spread: %s to %s)\n", o->ratios[r].text, text, te, tl);
        }
    }
    if (res->n_checks) fprintf(f, "\nwhole-model checks (measured vs composed):\n");
    for (size_t c = 0; c < res->n_checks; c++) {
        const hy_sweep_check *k = &res->checks[c];
        if (hy_sweep_check_measured(k))
            fprintf(f, "  %-8s %-7s L=%-6lld measured %10.3f ms [%.3f, %.3f] composed %10.3f ms "
                       "[%.3f, %.3f] agreement %+.1f%% (%s)%s%s\n",
                    k->ratio.text, hy_phase_name(k->phase), (long long)k->L, k->measured_s * 1e3,
                    k->measured.lo * 1e3, k->measured.hi * 1e3, k->composed_s * 1e3,
                    k->composed.lo * 1e3, k->composed.hi * 1e3, k->agreement * 100, k->status,
                    k->message[0] ? ": " : "", k->message);
        else
            fprintf(f, "  %-8s %-7s L=%-6lld %s: %s\n", k->ratio.text, hy_phase_name(k->phase),
                    (long long)k->L, k->status, k->message);
    }
    fprintf(f, "\nkernels: %zu timed, %zu reused across lengths, %zu from the resumed file, %zu "
               "failed%s\n",
            res->kernels_timed, res->kernels_reused, res->kernels_resumed, res->kernels_failed,
            res->stopped ? "; stopped by --max-time (continue with --resume)" : "");
}

static void num(hy_strbuf *b, double v)
{
    if (isfinite(v)) hy_strbuf_printf(b, "%.9g", v);
    else hy_strbuf_printf(b, "null");
}

/* The length of a crossing (at, or always from lmin); NaN otherwise. */
static double crossing_length(const hy_crossover *c)
{
    return c->kind == HY_CROSS_AT || c->kind == HY_CROSS_ALWAYS ? c->length : NAN;
}

/* , "key": {"attention": ..., ..., "head": ...} */
static void costs_json(hy_strbuf *b, const char *key, const hy_sweep_costs *c)
{
    hy_strbuf_printf(b, ", \"%s\": {", key);
    for (int k = 0; k < HY_MIX_COUNT; k++) {
        hy_strbuf_printf(b, "\"%s\": ", hy_mixer_kind_name((hy_mixer_kind)k));
        num(b, c->mixer[k]);
        hy_strbuf_printf(b, ", ");
    }
    for (int k = 0; k < HY_FFN_COUNT; k++) {
        hy_strbuf_printf(b, "\"%s\": ", hy_ffn_kind_name((hy_ffn_kind)k));
        num(b, c->ffn[k]);
        hy_strbuf_printf(b, ", ");
    }
    hy_strbuf_printf(b, "\"head\": ");
    num(b, c->head);
    hy_strbuf_printf(b, "}");
}

/* , "key": v, "key_lo": lo, "key_hi": hi */
static void spread_json(hy_strbuf *b, const char *key, double v, double lo, double hi)
{
    hy_strbuf_printf(b, ", \"%s\": ", key);
    num(b, v);
    hy_strbuf_printf(b, ", \"%s_lo\": ", key);
    num(b, lo);
    hy_strbuf_printf(b, ", \"%s_hi\": ", key);
    num(b, hi);
}

int hy_sweep_write_summary(const hy_sweep_opts *o, const hy_sweep_result *res, const char *path,
                           hy_error *err)
{
    hy_strbuf b = {0};
    hy_strbuf_printf(&b, "{\n  \"sweep_schema_version\": 1,\n  \"label\": ");
    hy_strbuf_json_string(&b, o->label);
    const hy_config *c = &o->base;
    hy_strbuf_printf(&b, ",\n  \"config\": {\"hidden\": %lld, \"layers\": %lld, \"heads\": %lld, "
                         "\"kv_heads\": %lld, \"head_dim\": %lld, \"intermediate\": %lld, "
                         "\"experts\": %lld, \"top_k\": %lld, \"d_inner\": %lld, \"d_state\": %lld, "
                         "\"vocab\": %lld},\n  \"window\": %lld,\n  \"lengths\": [",
                     (long long)c->hidden, (long long)c->n_layers, (long long)c->n_heads,
                     (long long)c->n_kv_heads, (long long)c->head_dim, (long long)c->intermediate,
                     (long long)c->n_experts, (long long)c->top_k, (long long)c->d_inner,
                     (long long)c->d_state, (long long)c->vocab, (long long)o->window);
    for (size_t i = 0; i < o->n_seq; i++) hy_strbuf_printf(&b, "%s%lld", i ? ", " : "", (long long)o->seqs[i]);
    hy_strbuf_printf(&b, "],\n  \"stopped\": %s,\n  \"decode_kernels\": \"%s\",\n  \"layer_costs\": [",
                     res->stopped ? "true" : "false", res->decode_streamed ? "streamed" : "warm");
    int first = 1;
    for (int ph = 0; ph < 2; ph++)
        for (size_t i = 0; o->phases[ph] && i < o->n_seq; i++) {
            const hy_sweep_point *pt = &res->points[ph][i];
            hy_strbuf_printf(&b, "%s\n    {\"phase\": \"%s\", \"L\": %lld",
                             first ? "" : ",", hy_phase_name((hy_phase)ph), (long long)o->seqs[i]);
            first = 0;
            costs_json(&b, "seconds", &pt->costs);
            costs_json(&b, "seconds_lo", &pt->costs_lo);
            costs_json(&b, "seconds_hi", &pt->costs_hi);
            hy_strbuf_printf(&b, ", \"skipped\": ");
            if (pt->skipped[0]) hy_strbuf_json_string(&b, pt->skipped);
            else hy_strbuf_printf(&b, "null");
            hy_strbuf_printf(&b, "}");
        }
    hy_strbuf_printf(&b, "\n  ],\n  \"ratios\": [");
    for (size_t r = 0; r < o->n_ratios; r++) {
        const hy_sweep_ratio *ra = &o->ratios[r];
        hy_sweep_layout lay;
        if (hy_sweep_layout_of(&o->base, ra, &lay, NULL, err)) {
            hy_strbuf_free(&b);
            return -1;
        }
        hy_strbuf_printf(&b, "%s\n    {\"ratio\": ", r ? "," : "");
        hy_strbuf_json_string(&b, ra->text);
        hy_strbuf_printf(&b, ", \"layers\": {\"attention\": %lld, \"attention_local\": %lld, "
                             "\"mamba\": %lld, \"moe\": %lld, \"mlp\": %lld},\n     \"points\": [",
                         (long long)lay.mixers[HY_MIX_ATTN], (long long)lay.mixers[HY_MIX_ATTN_LOCAL],
                         (long long)lay.mixers[HY_MIX_MAMBA], (long long)lay.ffns[HY_FFN_MOE],
                         (long long)lay.ffns[HY_FFN_DENSE]);
        int fp = 1;
        for (int ph = 0; ph < 2; ph++)
            for (size_t i = 0; o->phases[ph] && i < o->n_seq; i++) {
                hy_sweep_spread sp;
                hy_sweep_ratio_spread(o, res, ra, (hy_phase)ph, i, &sp);
                double call = sp.median;
                double tok = per_token(o, call, (hy_phase)ph, i);
                double tlo = per_token(o, sp.lo, (hy_phase)ph, i), thi = per_token(o, sp.hi, (hy_phase)ph, i);
                hy_memory_bytes mb;
                if (hy_sweep_memory(&o->base, ra, o->window, o->seqs[i], &mb, err)) {
                    hy_strbuf_free(&b);
                    return -1;
                }
                hy_strbuf_printf(&b, "%s\n       {\"phase\": \"%s\", \"L\": %lld",
                                 fp ? "" : ",", hy_phase_name((hy_phase)ph), (long long)o->seqs[i]);
                fp = 0;
                spread_json(&b, "call_seconds", call, sp.lo, sp.hi);
                spread_json(&b, "seconds_per_token", tok, tlo, thi);
                spread_json(&b, "tokens_per_second", 1 / tok, 1 / thi, 1 / tlo);
                hy_strbuf_printf(&b, ", \"memory_bytes\": {\"weights\": %.0f, \"kv_cache\": %.0f, "
                                     "\"ssm_state\": %.0f, \"conv_state\": %.0f}}",
                                 mb.weights, mb.kv_cache, mb.ssm_state, mb.conv_state);
            }
        hy_strbuf_printf(&b, "],\n     \"crossover\": {");
        int fc = 1;
        for (int ph = 0; ph < 2; ph++) {
            if (!o->phases[ph] || is_transformer(ra)) continue;
            hy_crossover cr, early, late;
            char text[64];
            crossover_of(o, res, ra, (hy_phase)ph, &cr, &early, &late);
            hy_sweep_crossover_text(&cr, text, sizeof text);
            static const char *const kinds[] = {"unknown", "always", "at", "none"};
            hy_strbuf_printf(&b, "%s\"%s\": {\"kind\": \"%s\", \"length\": ", fc ? "" : ", ",
                             hy_phase_name((hy_phase)ph), kinds[cr.kind]);
            fc = 0;
            num(&b, crossing_length(&cr));
            /* the spread: earliest and latest crossing the p10/p90 allow;
             * null where one of them does not cross up to lmax */
            hy_strbuf_printf(&b, ", \"length_lo\": ");
            num(&b, crossing_length(&early));
            hy_strbuf_printf(&b, ", \"length_hi\": ");
            num(&b, crossing_length(&late));
            hy_strbuf_printf(&b, ", \"kind_lo\": \"%s\", \"kind_hi\": \"%s\"", kinds[early.kind],
                             kinds[late.kind]);
            hy_strbuf_printf(&b, ", \"text\": ");
            hy_strbuf_json_string(&b, text);
            hy_strbuf_printf(&b, "}");
        }
        hy_strbuf_printf(&b, "}}");
    }
    hy_strbuf_printf(&b, "\n  ],\n  \"checks\": [");
    for (size_t k = 0; k < res->n_checks; k++) {
        const hy_sweep_check *ck = &res->checks[k];
        hy_strbuf_printf(&b, "%s\n    {\"ratio\": ", k ? "," : "");
        hy_strbuf_json_string(&b, ck->ratio.text);
        hy_strbuf_printf(&b, ", \"phase\": \"%s\", \"L\": %lld, \"status\": ",
                         hy_phase_name(ck->phase), (long long)ck->L);
        hy_strbuf_json_string(&b, ck->status);
        spread_json(&b, "measured_seconds", ck->measured_s, ck->measured.lo, ck->measured.hi);
        spread_json(&b, "composed_seconds", ck->composed_s, ck->composed.lo, ck->composed.hi);
        hy_strbuf_printf(&b, ", \"repetitions\": %d", ck->repetitions);
        hy_strbuf_printf(&b, ", \"agreement\": ");
        num(&b, ck->agreement);
        hy_strbuf_printf(&b, ", \"agreement_percent\": ");
        num(&b, ck->agreement * 100);
        hy_strbuf_printf(&b, ", \"tolerance_percent\": ");
        num(&b, HY_SWEEP_AGREEMENT_TOLERANCE * 100);
        hy_strbuf_printf(&b, ", \"message\": ");
        hy_strbuf_json_string(&b, ck->message);
        hy_strbuf_printf(&b, "}");
    }
    hy_strbuf_printf(&b, "\n  ]\n}\n");
    int rc = b.data ? hy_write_file_atomic(path, b.data, b.len, err) : hy_fail(err, "out of memory");
    hy_strbuf_free(&b);
    return rc;
}

