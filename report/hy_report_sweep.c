/* hy_report_sweep.c — the model sections of the report, from the summary
 * `hybench sweep` writes beside its results file (<results>.summary.json,
 * harness/hy_sweep_report.c, "sweep_schema_version": 1):
 *   charts  model-<source>-prefill / -decode: seconds per token against
 *           length, one line per attention:Mamba ratio, crossover lengths
 *           marked; memory-<source>: weights, KV cache and SSM + conv state
 *           against length per ratio
 *   tables  the headline (hybrid 1:7 against the pure transformer 1:0 at
 *           4K, 32K and 128K tokens: prefill and decode speedup, cache
 *           memory ratio), crossovers, whole-model checks
 * Read from the summary: lengths[], ratios[] {ratio, points[] {phase, L,
 * seconds_per_token, memory_bytes {weights, kv_cache, ssm_state,
 * conv_state}}, crossover {prefill|decode: {kind, length, text}}}, checks[].
 * A point's spread is read from seconds_per_token_lo / _hi and a
 * crossover's from length_lo / _hi when the summary holds them; otherwise
 * the tables say no spread was recorded.  Nothing is interpolated here: a
 * headline length the sweep did not measure says so. */
#include "hy_report_parts.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const hy_json *arr(const hy_json *obj, const char *key)
{
    const hy_json *v = hy_json_get(obj, key);
    return v && v->type == HY_JSON_ARRAY ? v : NULL;
}

static double at(const hy_json *a, size_t i)
{
    return a && i < a->count && a->items[i].type == HY_JSON_NUMBER ? a->items[i].number : NAN;
}

static double num_of(const hy_json *obj, const char *key)
{
    const hy_json *v = hy_json_get(obj, key);
    return v && v->type == HY_JSON_NUMBER ? v->number : NAN;
}

static const char *str_of(const hy_json *obj, const char *key)
{
    const hy_json *v = hy_json_get(obj, key);
    return v && v->type == HY_JSON_STRING ? v->string : NULL;
}

/* The ratio entry named r ("1:7"), or NULL. */
static const hy_json *ratio_entry(const hy_json *sweep, const char *r)
{
    const hy_json *ratios = arr(sweep, "ratios");
    for (size_t i = 0; ratios && i < ratios->count; i++) {
        const char *name = str_of(&ratios->items[i], "ratio");
        if (name && strcmp(name, r) == 0) return &ratios->items[i];
    }
    return NULL;
}

/* The point of a ratio at (phase, L), or NULL. */
static const hy_json *point_of(const hy_json *ratio, const char *phase, double L)
{
    const hy_json *pts = arr(ratio, "points");
    for (size_t i = 0; pts && i < pts->count; i++) {
        const char *ph = str_of(&pts->items[i], "phase");
        if (ph && strcmp(ph, phase) == 0 && num_of(&pts->items[i], "L") == L) return &pts->items[i];
    }
    return NULL;
}

/* Cache bytes (KV + SSM + conv state) of a point. */
static double cache_bytes(const hy_json *point)
{
    const hy_json *m = hy_json_get(point, "memory_bytes");
    double kv = num_of(m, "kv_cache"), ssm = num_of(m, "ssm_state"), conv = num_of(m, "conv_state");
    if (!isfinite(kv) && !isfinite(ssm)) return NAN;
    return (isfinite(kv) ? kv : 0) + (isfinite(ssm) ? ssm : 0) + (isfinite(conv) ? conv : 0);
}

static const char *model_name(const hy_json *sw)
{
    return str_of(sw, "label") ? str_of(sw, "label") : "model";
}

/* ---- charts ---------------------------------------------------------------- */

/* x tics at the sweep's lengths */
static void xtics(FILE *gp, const hy_json *lengths)
{
    fprintf(gp, "set xtics (");
    for (size_t i = 0; i < lengths->count; i++) fprintf(gp, "%s%.0f", i ? ", " : "", at(lengths, i));
    fprintf(gp, ")\n");
}

static int plot_phase(hy_rp_charts *c, const hy_rp_source *s, const char *phase, hy_error *err)
{
    const hy_json *sw = s->sweep, *lengths = arr(sw, "lengths"), *ratios = arr(sw, "ratios");
    if (!lengths || !ratios || ratios->count == 0) return 0;
    int any = 0;
    for (size_t r = 0; r < ratios->count && !any; r++)
        for (size_t i = 0; i < lengths->count && !any; i++)
            any = isfinite(num_of(point_of(&ratios->items[r], phase, at(lengths, i)), "seconds_per_token"));
    if (!any) return 0;
    char name[128], title[200];
    snprintf(name, sizeof name, "model-%s-%s", s->label, phase);
    snprintf(title, sizeof title, "%s: per-token %s cost against length (%s)", s->label, phase,
             model_name(sw));
    FILE *dat, *gp;
    hy_rp_chart *ch = hy_rp_chart_begin(c, HY_RP_SEC_MODEL, name, title, &dat, &gp, err);
    if (!ch) return -1;
    snprintf(ch->caption, sizeof ch->caption,
             "Composed by hybench sweep from validated kernel timings: seconds per token of %s for "
             "each attention:Mamba ratio (bars where the sweep recorded a spread). Dotted verticals: "
             "the length from which a ratio is faster than the pure transformer (1:0).",
             strcmp(phase, "prefill") == 0 ? "a prefill of L tokens" : "one decode step at context L");
    fprintf(dat, "# columns: length  ms_per_token  lo_ms  hi_ms\n");
    fprintf(gp, "set logscale xy\nset xlabel 'length (tokens; decode: context)'\nset ylabel 'ms per token'\n"
                "set format x '%%g'\nset format y '%%g'\nset autoscale xfix\n"
                "set offsets graph 0.05, graph 0.05, 0, 0\n");
    xtics(gp, lengths);
    int arrow = 1;
    for (size_t r = 0; r < ratios->count; r++) {
        const hy_json *x = hy_json_get(hy_json_get(&ratios->items[r], "crossover"), phase);
        const char *kind = str_of(x, "kind"), *rname = str_of(&ratios->items[r], "ratio");
        double L = num_of(x, "length");
        if (!kind || strcmp(kind, "at") || !(L > 0) || !rname) continue;
        fprintf(gp, "set arrow %d from %.6g, graph 0 to %.6g, graph 1 nohead dt 3 lw 1.5 lc rgb '%s'\n",
                arrow, L, L, hy_rp_color(r));
        fprintf(gp, "set label %d at %.6g, graph %.3f ", arrow, L, 0.96 - 0.05 * (arrow - 1));
        char text[96];
        snprintf(text, sizeof text, " %s faster from L~%.0f", rname, L);
        hy_rp_gp_string(gp, text);
        fprintf(gp, " left tc rgb '%s' font ',10'\n", hy_rp_color(r));
        arrow++;
    }
    fprintf(gp, "plot \\\n");
    size_t block = 0;
    for (size_t r = 0; r < ratios->count; r++) {
        const hy_json *re = &ratios->items[r];
        const char *rname = str_of(re, "ratio");
        if (!rname) continue;
        fprintf(dat, "%s# ratio %s\n", block ? "\n\n" : "", rname);
        for (size_t i = 0; i < lengths->count; i++) {
            const hy_json *pt = point_of(re, phase, at(lengths, i));
            double t = num_of(pt, "seconds_per_token");
            if (!isfinite(t)) continue;
            double l = num_of(pt, "seconds_per_token_lo"), h = num_of(pt, "seconds_per_token_hi");
            fprintf(dat, "%.0f\t%.6g\t%.6g\t%.6g\n", at(lengths, i), t * 1e3,
                    (isfinite(l) ? l : t) * 1e3, (isfinite(h) ? h : t) * 1e3);
        }
        fprintf(gp, "%s  '%s.dat' index %zu using 1:2:3:4 with yerrorlines lw 2 pt 7 ps 0.7 lc rgb '%s' title ",
                block ? ", \\\n" : "", ch->name, block, hy_rp_color(r));
        char t[64];
        snprintf(t, sizeof t, "attention:Mamba %s", rname);
        hy_rp_gp_string(gp, t);
        block++;
    }
    fprintf(gp, "\n");
    return hy_rp_chart_end(c, ch, dat, gp, err);
}

static int plot_memory(hy_rp_charts *c, const hy_rp_source *s, hy_error *err)
{
    const hy_json *sw = s->sweep, *lengths = arr(sw, "lengths"), *ratios = arr(sw, "ratios");
    if (!lengths || !ratios || ratios->count == 0) return 0;
    char name[128], title[200];
    snprintf(name, sizeof name, "memory-%s", s->label);
    snprintf(title, sizeof title, "%s: memory against context length (%s)", s->label, model_name(sw));
    FILE *dat, *gp;
    hy_rp_chart *ch = hy_rp_chart_begin(c, HY_RP_SEC_MEMORY, name, title, &dat, &gp, err);
    if (!ch) return -1;
    snprintf(ch->caption, sizeof ch->caption,
             "Bytes of one sequence: weights (dotted), KV cache (solid) and SSM + conv state "
             "(dashed) for each attention:Mamba ratio (f32).");
    fprintf(dat, "# columns: length  weights_GiB  kv_cache_GiB  ssm_plus_conv_state_GiB\n");
    fprintf(gp, "set logscale xy\nset xlabel 'context length (tokens)'\nset ylabel 'GiB'\n"
                "set format x '%%g'\nset format y '%%g'\nset autoscale xfix\n"
                "set offsets graph 0.05, graph 0.05, 0, 0\n");
    xtics(gp, lengths);
    fprintf(gp, "plot \\\n");
    size_t block = 0;
    const double gib = 1024.0 * 1024 * 1024;
    for (size_t r = 0; r < ratios->count; r++) {
        const hy_json *re = &ratios->items[r];
        const char *rname = str_of(re, "ratio");
        if (!rname) continue;
        fprintf(dat, "%s# ratio %s\n", block ? "\n\n" : "", rname);
        for (size_t i = 0; i < lengths->count; i++) {
            const hy_json *pt = point_of(re, "prefill", at(lengths, i));
            if (!pt) pt = point_of(re, "decode", at(lengths, i));
            const hy_json *m = hy_json_get(pt, "memory_bytes");
            if (!m) continue;
            double w = num_of(m, "weights"), kv = num_of(m, "kv_cache");
            double ssm = num_of(m, "ssm_state"), conv = num_of(m, "conv_state");
            double st = (isfinite(ssm) ? ssm : 0) + (isfinite(conv) ? conv : 0);
            /* zero bytes cannot sit on a log axis: left out (NaN) */
            fprintf(dat, "%.0f\t%.6g\t%.6g\t%.6g\n", at(lengths, i), w > 0 ? w / gib : NAN,
                    kv > 0 ? kv / gib : NAN, st > 0 ? st / gib : NAN);
        }
        static const char *const what[] = {"weights", "KV cache", "SSM + conv state"};
        static const int dts[] = {3, 1, 2};
        for (int k = 0; k < 3; k++) {
            char t[64];
            snprintf(t, sizeof t, "%s %s", rname, what[k]);
            fprintf(gp, "%s  '%s.dat' index %zu using 1:%d with linespoints lw 2 pt 7 ps 0.5 dt %d lc rgb '%s' title ",
                    block || k ? ", \\\n" : "", ch->name, block, k + 2, dts[k], hy_rp_color(r));
            hy_rp_gp_string(gp, t);
        }
        block++;
    }
    fprintf(gp, "\n");
    return hy_rp_chart_end(c, ch, dat, gp, err);
}

int hy_rp_plot_sweep(hy_rp_charts *c, const hy_rp_set *set, hy_error *err)
{
    for (size_t s = 0; s < set->n; s++) {
        if (!set->src[s].sweep) continue;
        if (plot_phase(c, &set->src[s], "prefill", err) || plot_phase(c, &set->src[s], "decode", err) ||
            plot_memory(c, &set->src[s], err))
            return -1;
    }
    return 0;
}

/* ---- tables ------------------------------------------------------------------- */

/* "x2.31 [2.10 – 2.52]" from the transformer's and the hybrid's points. */
static void speedup_cell(hy_rp_tables *t, hy_rp_table *tb, size_t col, const hy_json *pb,
                         const hy_json *ph)
{
    double b = num_of(pb, "seconds_per_token"), h = num_of(ph, "seconds_per_token");
    if (!(b > 0) || !(h > 0)) {
        hy_rp_table_set(t, tb, col, "", "not measured");
        return;
    }
    double blo = num_of(pb, "seconds_per_token_lo"), bhi = num_of(pb, "seconds_per_token_hi");
    double hlo = num_of(ph, "seconds_per_token_lo"), hhi = num_of(ph, "seconds_per_token_hi");
    const char *cls = b / h >= 1 ? "better" : "worse";
    if (blo > 0 && bhi > 0 && hlo > 0 && hhi > 0)
        hy_rp_table_set(t, tb, col, cls, "x%.2f [%.2f – %.2f]", b / h, blo / hhi, bhi / hlo);
    else
        hy_rp_table_set(t, tb, col, cls, "x%.2f (no spread in the sweep)", b / h);
}

static int headline_table(hy_rp_tables *t, const hy_rp_source *src, size_t s)
{
    static const long headline[] = {4096, 32768, 131072};
    const hy_json *sw = src->sweep;
    const hy_json *hyb = ratio_entry(sw, "1:7"), *base = ratio_entry(sw, "1:0");
    char title[300], caption[700], id[64];
    snprintf(title, sizeof title, "Headline: %s, backend %s — hybrid 1:7 against the pure transformer 1:0",
             src->label, src->backends[0] ? src->backends : "?");
    snprintf(caption, sizeof caption,
             "Model %s (sweep summary %s). Speedup = per-token time of the pure transformer / of the "
             "hybrid, with the range the measured spread allows when the sweep recorded one; cache "
             "memory = KV cache + SSM and conv state of 1:0 / of 1:7. Lengths the sweep did not "
             "measure are not interpolated.%s",
             model_name(sw), src->sweep_path,
             hy_json_get(sw, "stopped") && hy_json_get(sw, "stopped")->boolean
                 ? " The sweep was stopped by its time limit: later lengths are missing."
                 : "");
    snprintf(id, sizeof id, "headline-%zu", s);
    static const char *const h[] = {"context", "prefill speedup", "decode speedup",
                                    "cache memory 1:0 / 1:7"};
    hy_rp_table *tb = hy_rp_table_new(t, id, title, caption, 4, h);
    if (!tb) return -1;
    for (int k = 0; k < 3; k++) {
        if (hy_rp_table_row(t, tb)) return -1;
        hy_rp_table_set(t, tb, 0, "num", "%ldK", headline[k] / 1024);
        if (!hyb || !base) {
            for (int c = 1; c < 4; c++) hy_rp_table_set(t, tb, c, "", "ratio 1:7 or 1:0 not in the sweep");
            continue;
        }
        const hy_json *bp = point_of(base, "prefill", (double)headline[k]);
        const hy_json *hp = point_of(hyb, "prefill", (double)headline[k]);
        const hy_json *bd = point_of(base, "decode", (double)headline[k]);
        const hy_json *hd = point_of(hyb, "decode", (double)headline[k]);
        if (!bp && !bd) {
            for (int c = 1; c < 4; c++) hy_rp_table_set(t, tb, c, "", "length not in the sweep");
            continue;
        }
        speedup_cell(t, tb, 1, bp, hp);
        speedup_cell(t, tb, 2, bd, hd);
        double cb = cache_bytes(bp ? bp : bd), chy = cache_bytes(hp ? hp : hd);
        char a[32], b[32];
        hy_rp_fmt_bytes(a, sizeof a, cb);
        hy_rp_fmt_bytes(b, sizeof b, chy);
        if (cb > 0 && chy > 0) hy_rp_table_set(t, tb, 3, "num", "x%.2f (%s / %s)", cb / chy, a, b);
        else hy_rp_table_set(t, tb, 3, "", "not in the sweep");
    }
    return 0;
}

static int crossover_table(hy_rp_tables *t, const hy_rp_source *src, size_t s)
{
    const hy_json *ratios = arr(src->sweep, "ratios");
    static const char *const hc[] = {"ratio", "phase", "faster than 1:0", "spread"};
    char title[300], id[64];
    snprintf(title, sizeof title, "Crossover lengths: %s", src->label);
    snprintf(id, sizeof id, "crossovers-%zu", s);
    hy_rp_table *tb = hy_rp_table_new(
        t, id, title,
        "The length from which each ratio's per-token time is below the pure transformer's, "
        "interpolated by the sweep in log(length) between the two measured lengths around the "
        "change.",
        4, hc);
    if (!tb) return -1;
    static const char *const phases[] = {"prefill", "decode"};
    for (size_t r = 0; ratios && r < ratios->count; r++)
        for (int p = 0; p < 2; p++) {
            const hy_json *x = hy_json_get(hy_json_get(&ratios->items[r], "crossover"), phases[p]);
            if (!x) continue;
            if (hy_rp_table_row(t, tb)) return -1;
            const char *rn = str_of(&ratios->items[r], "ratio");
            hy_rp_table_set(t, tb, 0, "", "%s", rn ? rn : "?");
            hy_rp_table_set(t, tb, 1, "", "%s", phases[p]);
            const char *text = str_of(x, "text"), *kind = str_of(x, "kind");
            hy_rp_table_set(t, tb, 2, "", "%s", text ? text : kind ? kind : "?");
            double lo = num_of(x, "length_lo"), hi = num_of(x, "length_hi");
            if (isfinite(lo) && isfinite(hi)) hy_rp_table_set(t, tb, 3, "num", "%.0f – %.0f", lo, hi);
            else hy_rp_table_set(t, tb, 3, "", "not recorded by the sweep");
        }
    return 0;
}

static int checks_table(hy_rp_tables *t, const hy_rp_source *src, size_t s)
{
    const hy_json *checks = arr(src->sweep, "checks");
    if (!checks || checks->count == 0) return 0;
    static const char *const hc[] = {"ratio", "phase", "L", "status", "measured", "composed",
                                     "agreement"};
    char title[300], id[64];
    snprintf(title, sizeof title, "Whole-model checks: %s", src->label);
    snprintf(id, sizeof id, "checks-%zu", s);
    hy_rp_table *tb = hy_rp_table_new(
        t, id, title,
        "The full-depth model run through the runtime against the sum of its layer costs: "
        "agreement = measured / composed - 1.",
        7, hc);
    if (!tb) return -1;
    for (size_t i = 0; i < checks->count; i++) {
        const hy_json *c = &checks->items[i];
        if (hy_rp_table_row(t, tb)) return -1;
        const char *st = str_of(c, "status");
        char a[32], b[32];
        hy_rp_table_set(t, tb, 0, "", "%s", str_of(c, "ratio") ? str_of(c, "ratio") : "?");
        hy_rp_table_set(t, tb, 1, "", "%s", str_of(c, "phase") ? str_of(c, "phase") : "?");
        hy_rp_table_set(t, tb, 2, "num", "%.0f", num_of(c, "L"));
        /* the sweep's verdicts: "within 10%" (pass), "outside 10%" (reported,
         * a warning: the composition missed), "error" (no measurement) */
        const char *cls = !st ? "fail"
                          : strcmp(st, "within 10%") == 0 || strcmp(st, "ok") == 0 ? "pass"
                          : strcmp(st, "outside 10%") == 0                         ? "warn"
                                                                                   : "fail";
        hy_rp_table_set(t, tb, 3, cls, "%s%s%.200s",
                        st ? st : "?", str_of(c, "message") && str_of(c, "message")[0] ? ": " : "",
                        str_of(c, "message") ? str_of(c, "message") : "");
        hy_rp_fmt_time(a, sizeof a, num_of(c, "measured_seconds") * 1e9);
        hy_rp_fmt_time(b, sizeof b, num_of(c, "composed_seconds") * 1e9);
        hy_rp_table_set(t, tb, 4, "num", "%s", a);
        hy_rp_table_set(t, tb, 5, "num", "%s", b);
        double ag = num_of(c, "agreement");
        if (isfinite(ag)) hy_rp_table_set(t, tb, 6, fabs(ag) <= 0.1 ? "num" : "warn", "%+.1f %%", 100 * ag);
        else hy_rp_table_set(t, tb, 6, "num", "—");
    }
    return 0;
}

int hy_rp_tables_sweep(hy_rp_tables *t, const hy_rp_set *set)
{
    int with_sweep = 0;
    for (size_t s = 0; s < set->n; s++) {
        const hy_rp_source *src = &set->src[s];
        if (!src->sweep) continue;
        with_sweep++;
        if (headline_table(t, src, s) || crossover_table(t, src, s) || checks_table(t, src, s))
            return -1;
    }
    return with_sweep;
}
