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

static double per_token(const hy_sweep_opts *o, double call, hy_phase ph, size_t i)
{
    return ph == HY_PHASE_PREFILL ? call / (double)o->seqs[i] : call;
}

/* Crossover of ratio r against 1:0 in phase ph. */
static void crossover_of(const hy_sweep_opts *o, const hy_sweep_result *res,
                         const hy_sweep_ratio *r, hy_phase ph, hy_crossover *out)
{
    hy_sweep_ratio base;
    hy_error ignored;
    double th[HY_SWEEP_MAX_SEQ], tb[HY_SWEEP_MAX_SEQ];
    hy_sweep_parse_ratio("1:0", &base, &ignored);
    for (size_t i = 0; i < o->n_seq; i++) {
        th[i] = hy_sweep_ratio_seconds(o, res, r, ph, i);
        tb[i] = hy_sweep_ratio_seconds(o, res, &base, ph, i);
    }
    hy_sweep_crossover(o->seqs, th, tb, o->n_seq, out);
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
        fprintf(f, "%-8s %-8s %14s %14s %12s %10s %10s %10s\n", "ratio", "L", "ms/token",
                "tokens/s", "call ms", "weights", "KV cache", "SSM+conv");
        for (size_t r = 0; r < o->n_ratios; r++)
            for (size_t i = 0; i < o->n_seq; i++) {
                const hy_sweep_point *pt = &res->points[ph][i];
                hy_memory_bytes mb;
                hy_error ignored;
                if (hy_sweep_memory(&o->base, &o->ratios[r], o->window, o->seqs[i], &mb, &ignored))
                    memset(&mb, 0, sizeof mb);
                double call = hy_sweep_ratio_seconds(o, res, &o->ratios[r], (hy_phase)ph, i);
                double tok = per_token(o, call, (hy_phase)ph, i);
                if (isfinite(call))
                    fprintf(f, "%-8s %-8lld %14.4f %14.1f %12.3f %8.1fMB %8.1fMB %8.1fMB\n",
                            o->ratios[r].text, (long long)o->seqs[i], tok * 1e3, 1 / tok,
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
            crossover_of(o, res, &o->ratios[r], (hy_phase)ph, &c);
            hy_sweep_crossover_text(&c, text, sizeof text);
            fprintf(f, "  %-8s %s\n", o->ratios[r].text, text);
        }
    }
    if (res->n_checks) fprintf(f, "\nwhole-model checks (measured vs composed):\n");
    for (size_t c = 0; c < res->n_checks; c++) {
        const hy_sweep_check *k = &res->checks[c];
        if (hy_sweep_check_measured(k))
            fprintf(f, "  %-8s %-7s L=%-6lld measured %10.3f ms composed %10.3f ms agreement %+.1f%% "
                       "(%s)%s%s\n",
                    k->ratio.text, hy_phase_name(k->phase), (long long)k->L, k->measured_s * 1e3,
                    k->composed_s * 1e3, k->agreement * 100, k->status, k->message[0] ? ": " : "",
                    k->message);
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
    hy_strbuf_printf(&b, "],\n  \"stopped\": %s,\n  \"layer_costs\": [", res->stopped ? "true" : "false");
    int first = 1;
    for (int ph = 0; ph < 2; ph++)
        for (size_t i = 0; o->phases[ph] && i < o->n_seq; i++) {
            const hy_sweep_point *pt = &res->points[ph][i];
            hy_strbuf_printf(&b, "%s\n    {\"phase\": \"%s\", \"L\": %lld, \"seconds\": {",
                             first ? "" : ",", hy_phase_name((hy_phase)ph), (long long)o->seqs[i]);
            first = 0;
            for (int k = 0; k < HY_MIX_COUNT; k++) {
                hy_strbuf_printf(&b, "\"%s\": ", hy_mixer_kind_name((hy_mixer_kind)k));
                num(&b, pt->costs.mixer[k]);
                hy_strbuf_printf(&b, ", ");
            }
            for (int k = 0; k < HY_FFN_COUNT; k++) {
                hy_strbuf_printf(&b, "\"%s\": ", hy_ffn_kind_name((hy_ffn_kind)k));
                num(&b, pt->costs.ffn[k]);
                hy_strbuf_printf(&b, ", ");
            }
            hy_strbuf_printf(&b, "\"head\": ");
            num(&b, pt->costs.head);
            hy_strbuf_printf(&b, "}, \"skipped\": ");
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
                double call = hy_sweep_ratio_seconds(o, res, ra, (hy_phase)ph, i);
                double tok = per_token(o, call, (hy_phase)ph, i);
                hy_memory_bytes mb;
                if (hy_sweep_memory(&o->base, ra, o->window, o->seqs[i], &mb, err)) {
                    hy_strbuf_free(&b);
                    return -1;
                }
                hy_strbuf_printf(&b, "%s\n       {\"phase\": \"%s\", \"L\": %lld, \"call_seconds\": ",
                                 fp ? "" : ",", hy_phase_name((hy_phase)ph), (long long)o->seqs[i]);
                fp = 0;
                num(&b, call);
                hy_strbuf_printf(&b, ", \"seconds_per_token\": ");
                num(&b, tok);
                hy_strbuf_printf(&b, ", \"tokens_per_second\": ");
                num(&b, 1 / tok);
                hy_strbuf_printf(&b, ", \"memory_bytes\": {\"weights\": %.0f, \"kv_cache\": %.0f, "
                                     "\"ssm_state\": %.0f, \"conv_state\": %.0f}}",
                                 mb.weights, mb.kv_cache, mb.ssm_state, mb.conv_state);
            }
        hy_strbuf_printf(&b, "],\n     \"crossover\": {");
        int fc = 1;
        for (int ph = 0; ph < 2; ph++) {
            if (!o->phases[ph] || is_transformer(ra)) continue;
            hy_crossover cr;
            char text[64];
            crossover_of(o, res, ra, (hy_phase)ph, &cr);
            hy_sweep_crossover_text(&cr, text, sizeof text);
            static const char *const kinds[] = {"unknown", "always", "at", "none"};
            hy_strbuf_printf(&b, "%s\"%s\": {\"kind\": \"%s\", \"length\": ", fc ? "" : ", ",
                             hy_phase_name((hy_phase)ph), kinds[cr.kind]);
            fc = 0;
            num(&b, cr.kind == HY_CROSS_AT || cr.kind == HY_CROSS_ALWAYS ? cr.length : NAN);
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
        hy_strbuf_printf(&b, ", \"measured_seconds\": ");
        num(&b, ck->measured_s);
        hy_strbuf_printf(&b, ", \"composed_seconds\": ");
        num(&b, ck->composed_s);
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

