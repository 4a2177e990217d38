/* hy_report_plot_kernels.c — the charts of kernel benchmarks:
 *   family-<f>-time / family-<f>-throughput  time and GFLOP/s (GB/s for
 *       kernels without FLOPs) against sequence length, log-log, one line
 *       per source (machine) / backend / variant / phase / layer tensor;
 *       time lines carry p10..p90 error bars
 *   roofline-<source>-<backend>  measured ceilings (compute; DRAM, L2, L1
 *       triad bandwidth) and each ok benchmark at (intensity, GFLOP/s)
 *   lottery     fraction of roofline of attention, scan, ssd and moe per
 *       source, backend and phase, side by side
 *   validation  family x (source, backend): pass / fail / unsupported */
#include "hy_report_parts.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct point_ref {
    const hy_rp_source *src;
    size_t src_index;
    const hy_rp_bench *b;
} point_ref;

static int cmp_line(const point_ref *x, const point_ref *y)
{
    if (x->src_index != y->src_index) return x->src_index < y->src_index ? -1 : 1;
    int c;
    if ((c = strcmp(x->b->backend, y->b->backend))) return c;
    if ((c = strcmp(x->b->variant, y->b->variant))) return c;
    if ((c = strcmp(y->b->phase, x->b->phase))) return c; /* prefill before decode */
    return strcmp(x->b->role, y->b->role);
}

static int cmp_point(const void *a, const void *b)
{
    const point_ref *x = a, *y = b;
    int c = cmp_line(x, y);
    if (c) return c;
    return x->b->seq < y->b->seq ? -1 : x->b->seq > y->b->seq;
}

static void line_title(char *buf, size_t len, const point_ref *p, int show_role)
{
    snprintf(buf, len, "%s  %s/%s  %s%s%s", p->src->label, p->b->backend, p->b->variant,
             p->b->phase[0] ? p->b->phase : "-", show_role && p->b->role[0] ? "  " : "",
             show_role ? p->b->role : "");
}

/* One family: the time chart and the throughput chart. */
static int plot_family(hy_rp_charts *c, const hy_rp_set *set, const char *family, hy_error *err)
{
    size_t n = 0, cap = 0;
    point_ref *pts = NULL;
    int any_flops = 0, roles = 0;
    const char *first_role = NULL;
    for (size_t s = 0; s < set->n; s++)
        for (size_t i = 0; i < set->src[s].nbench; i++) {
            const hy_rp_bench *b = &set->src[s].bench[i];
            if (strcmp(b->family, family) || strcmp(b->status, "ok") || b->seq <= 0 ||
                !isfinite(b->time_ns))
                continue;
            if (n == cap) {
                cap = cap ? cap * 2 : 64;
                point_ref *grown = realloc(pts, cap * sizeof *grown);
                if (!grown) {
                    free(pts);
                    return hy_fail(err, "out of memory");
                }
                pts = grown;
            }
            pts[n++] = (point_ref){&set->src[s], s, b};
            if (b->flops > 0) any_flops = 1;
            if (!first_role) first_role = b->role;
            else if (strcmp(first_role, b->role) != 0) roles = 1;
        }
    if (n == 0) {
        free(pts);
        return 0;
    }
    qsort(pts, n, sizeof *pts, cmp_point);
    /* a throughput chart only when some point has the figure */
    int any_thr = 0;
    for (size_t i = 0; i < n; i++)
        any_thr |= any_flops ? pts[i].b->gflops > 0 : pts[i].b->gbps > 0;
    static const char *const kinds[] = {"time", "throughput"};
    for (int k = 0; k < 1 + any_thr; k++) {
        char name[128], title[200];
        snprintf(name, sizeof name, "family-%s-%s", family, kinds[k]);
        if (k == 0)
            snprintf(title, sizeof title, "%s: time per call against sequence length", family);
        else
            snprintf(title, sizeof title, "%s: %s against sequence length", family,
                     any_flops ? "GFLOP/s" : "GB/s");
        FILE *dat, *gp;
        hy_rp_chart *ch = hy_rp_chart_begin(c, HY_RP_SEC_FAMILY, name, title, &dat, &gp, err);
        if (!ch) {
            free(pts);
            return -1;
        }
        snprintf(ch->caption, sizeof ch->caption,
                 "%s. Median of the repetitions%s; solid lines prefill (x = tokens), dashed "
                 "decode (x = context length). One line per results file, backend, variant%s.",
                 k == 0 ? "Time per call" : any_flops ? "Achieved GFLOP/s" : "Achieved GB/s",
                 k == 0 ? ", bars p10..p90" : "", roles ? " and layer tensor" : "");
        fprintf(dat, "# columns: seq_len  time_ms  time_p10_ms  time_p90_ms  GFLOPS  GBps  "
                     "roofline_fraction\n");
        fprintf(gp, "set logscale xy\nset xlabel 'sequence length (prefill tokens / decode context)'\n");
        fprintf(gp, "set ylabel '%s'\n", k == 0 ? "time per call (ms)" : any_flops ? "GFLOP/s" : "GB/s");
        fprintf(gp, "set format y '%%g'\nset format x '%%g'\nset autoscale xfix\n"
                    "set offsets graph 0.06, graph 0.06, 0, 0\n");
        /* x tics at the measured lengths (at most 12 distinct) */
        long tics[12];
        size_t ntics = 0;
        for (size_t i = 0; i < n; i++) {
            size_t j = 0;
            while (j < ntics && tics[j] != pts[i].b->seq) j++;
            if (j == ntics && ntics < 12) tics[ntics++] = pts[i].b->seq;
        }
        fprintf(gp, "set xtics (");
        for (size_t j = 0; j < ntics; j++) fprintf(gp, "%s%ld", j ? ", " : "", tics[j]);
        fprintf(gp, ")\n");
        fprintf(gp, "plot \\\n");
        size_t block = 0, color = 0;
        for (size_t i = 0; i < n;) {
            /* one colour per source/backend/variant/tensor; prefill solid,
             * decode dashed in the same colour */
            if (i > 0 && (pts[i].src_index != pts[i - 1].src_index ||
                          strcmp(pts[i].b->backend, pts[i - 1].b->backend) ||
                          strcmp(pts[i].b->variant, pts[i - 1].b->variant)))
                color++;
            else if (i > 0 && strcmp(pts[i].b->role, pts[i - 1].b->role) &&
                     strcmp(pts[i].b->phase, pts[i - 1].b->phase) == 0)
                color++;
            size_t j = i;
            char t[256];
            line_title(t, sizeof t, &pts[i], roles);
            fprintf(dat, "%s# %s\n", block ? "\n\n" : "", t);
            for (; j < n && cmp_line(&pts[i], &pts[j]) == 0; j++) {
                const hy_rp_bench *b = pts[j].b;
                fprintf(dat, "%ld\t%.6g\t%.6g\t%.6g\t%.6g\t%.6g\t%.6g\n", b->seq, b->time_ns / 1e6,
                        (isfinite(b->time_lo_ns) ? b->time_lo_ns : b->time_ns) / 1e6,
                        (isfinite(b->time_hi_ns) ? b->time_hi_ns : b->time_ns) / 1e6, b->gflops,
                        b->gbps, b->roofline_fraction);
            }
            int decode = strcmp(pts[i].b->phase, "decode") == 0;
            fprintf(gp, "  %s'%s.dat' index %zu using 1:%s with %s lw 2 pt %d ps 0.8 dt %d lc rgb '%s' title ",
                    block ? ", \\\n" : "", ch->name, block, k == 0 ? "2:3:4" : any_flops ? "5" : "6",
                    k == 0 ? "yerrorlines" : "linespoints", 5 + (int)pts[i].src_index * 2, decode ? 2 : 1,
                    hy_rp_color(color));
            hy_rp_gp_string(gp, t);
            block++;
            i = j;
        }
        fprintf(gp, "\n");
        if (hy_rp_chart_end(c, ch, dat, gp, err)) {
            free(pts);
            return -1;
        }
    }
    free(pts);
    return 0;
}

int hy_rp_plot_families(hy_rp_charts *c, const hy_rp_set *set, hy_error *err)
{
    const char **fams = NULL;
    size_t nf = hy_rp_families(set, &fams);
    int rc = 0;
    for (size_t i = 0; i < nf && rc == 0; i++) rc = plot_family(c, set, fams[i], err);
    free(fams);
    return rc;
}

/* The roofline of one source and backend. */
static int plot_roofline(hy_rp_charts *c, const hy_rp_source *s, const char *backend,
                         hy_error *err)
{
    const hy_rp_ceilings *ce = &s->ceil;
    double imin = INFINITY, imax = 0, gmin = INFINITY;
    size_t npts = 0;
    for (size_t i = 0; i < s->nbench; i++) {
        const hy_rp_bench *b = &s->bench[i];
        if (strcmp(b->backend, backend) || strcmp(b->status, "ok") || !(b->intensity > 0) ||
            !(b->gflops > 0))
            continue;
        imin = fmin(imin, b->intensity);
        imax = fmax(imax, b->intensity);
        gmin = fmin(gmin, b->gflops);
        npts++;
    }
    if (npts == 0) return 0;
    char name[128], title[200];
    snprintf(name, sizeof name, "roofline-%s-%s", s->label, backend);
    snprintf(title, sizeof title, "roofline: %s, backend %s", s->label, backend);
    FILE *dat, *gp;
    hy_rp_chart *ch = hy_rp_chart_begin(c, HY_RP_SEC_ROOFLINE, name, title, &dat, &gp, err);
    if (!ch) return -1;
    double ridge = ce->peak_gflops / ce->dram_gbps;
    snprintf(ch->caption, sizeof ch->caption,
             "Ceilings measured in the same run (%d threads): compute %.4g GFLOP/s (%s), triad "
             "bandwidth DRAM %.4g, L2 %.4g, L1 %.4g GB/s; DRAM ridge at %.3g FLOP/byte. Each point is "
             "one validated benchmark (median GFLOP/s at its arithmetic intensity).",
             ce->threads, ce->peak_gflops, ce->peak_id, ce->dram_gbps, ce->l2_gbps, ce->l1_gbps,
             ridge);
    fprintf(dat, "# ceilings: peak_gflops %.6g (%s) dram_gbps %.6g l2_gbps %.6g l1_gbps %.6g\n",
            ce->peak_gflops, ce->peak_id, ce->dram_gbps, ce->l2_gbps, ce->l1_gbps);
    fprintf(dat, "# columns: intensity_flop_per_byte  GFLOPS  roofline_fraction  benchmark\n");
    const char **fams = NULL;
    size_t nf = hy_rp_families(&(hy_rp_set){(hy_rp_source *)s, 1, 0}, &fams);
    size_t block = 0;
    char titles[16][64];
    size_t fam_of_block[16];
    for (size_t f = 0; f < nf && block < 16; f++) {
        int any = 0;
        for (size_t i = 0; i < s->nbench; i++) {
            const hy_rp_bench *b = &s->bench[i];
            if (strcmp(b->family, fams[f]) || strcmp(b->backend, backend) || strcmp(b->status, "ok") ||
                !(b->intensity > 0) || !(b->gflops > 0))
                continue;
            if (!any) fprintf(dat, "%s# %s\n", block ? "\n\n" : "", fams[f]);
            any = 1;
            fprintf(dat, "%.6g\t%.6g\t%.6g\t%s\n", b->intensity, b->gflops, b->roofline_fraction,
                    b->name);
        }
        if (any) {
            snprintf(titles[block], sizeof titles[block], "%s", fams[f]);
            fam_of_block[block] = f;
            block++;
        }
    }
    free(fams);
    double xlo = fmin(imin, ridge) / 4, xhi = fmax(imax, ridge) * 4;
    fprintf(gp, "set logscale xy\nset xlabel 'arithmetic intensity (FLOP/byte)'\n"
                "set ylabel 'GFLOP/s'\nset format x '%%g'\nset format y '%%g'\n");
    fprintf(gp, "set xrange [%.6g:%.6g]\nset yrange [%.6g:%.6g]\nset samples 400\n", xlo, xhi,
            gmin / 3, ce->peak_gflops * 2.5);
    fprintf(gp, "peak = %.9g\ndram = %.9g\nl2 = %.9g\nl1 = %.9g\n", ce->peak_gflops, ce->dram_gbps,
            isfinite(ce->l2_gbps) ? ce->l2_gbps : ce->dram_gbps,
            isfinite(ce->l1_gbps) ? ce->l1_gbps : ce->dram_gbps);
    fprintf(gp, "roof(x, bw) = (x * bw < peak) ? x * bw : peak\n");
    fprintf(gp, "set label 1 sprintf('compute %%.4g GFLOP/s', peak) at graph 0.02, first peak * 1.25 "
                "tc rgb '#333333'\n");
    fprintf(gp, "plot roof(x, dram) with lines lw 2.5 lc rgb '#222222' title sprintf('DRAM %%.3g GB/s', dram), \\\n"
                "  roof(x, l2) with lines lw 1.5 dt 2 lc rgb '#777777' title sprintf('L2 %%.3g GB/s', l2), \\\n"
                "  roof(x, l1) with lines lw 1.5 dt 3 lc rgb '#aaaaaa' title sprintf('L1 %%.3g GB/s', l1)");
    for (size_t k = 0; k < block; k++) {
        fprintf(gp, ", \\\n  '%s.dat' index %zu using 1:2 with points pt %d ps 1.3 lc rgb '%s' title ",
                ch->name, k, 5 + 2 * (int)(k % 4), hy_rp_color(fam_of_block[k]));
        hy_rp_gp_string(gp, titles[k]);
    }
    fprintf(gp, "\n");
    return hy_rp_chart_end(c, ch, dat, gp, err);
}

int hy_rp_plot_rooflines(hy_rp_charts *c, const hy_rp_set *set, hy_error *err)
{
    for (size_t s = 0; s < set->n; s++) {
        const hy_rp_source *src = &set->src[s];
        if (!(src->ceil.peak_gflops > 0) || !(src->ceil.dram_gbps > 0)) continue;
        const char **bk = NULL;
        size_t nb = hy_rp_source_backends(src, &bk);
        for (size_t i = 0; i < nb; i++)
            if (plot_roofline(c, src, bk[i], err)) {
                free(bk);
                return -1;
            }
        free(bk);
    }
    return 0;
}

static const char *const lottery_families[] = {"attention", "scan", "ssd", "moe"};
#define N_LOTTERY 4

int hy_rp_plot_lottery(hy_rp_charts *c, const hy_rp_set *set, hy_error *err)
{
    static const char *const phases[] = {"prefill", "decode"};
    /* rows: (source, backend, phase) with at least one figure */
    char rows[64][160];
    double val[64][N_LOTTERY];
    size_t nrows = 0;
    for (size_t s = 0; s < set->n && nrows < 64; s++) {
        const char **bk = NULL;
        size_t nb = hy_rp_source_backends(&set->src[s], &bk);
        for (size_t b = 0; b < nb && nrows < 64; b++)
            for (int p = 0; p < 2 && nrows < 64; p++) {
                int any = 0;
                for (int f = 0; f < N_LOTTERY; f++) {
                    val[nrows][f] = hy_rp_lottery(&set->src[s], bk[b], lottery_families[f], phases[p], NULL);
                    any |= isfinite(val[nrows][f]);
                }
                if (!any) continue;
                snprintf(rows[nrows], sizeof rows[nrows], "%s %s %s", set->src[s].label, bk[b], phases[p]);
                nrows++;
            }
        free(bk);
    }
    if (nrows == 0) return 0;
    FILE *dat, *gp;
    hy_rp_chart *ch = hy_rp_chart_begin(c, HY_RP_SEC_LOTTERY, "lottery",
                                        "the hardware lottery: fraction of roofline reached",
                                        &dat, &gp, err);
    if (!ch) return -1;
    snprintf(ch->caption, sizeof ch->caption,
             "Per results file, backend and phase: the highest fraction of the measured roofline "
             "that any variant of attention, the Mamba-1 selective scan, Mamba-2 SSD and MoE reaches "
             "at the longest sequence length measured for it (missing bars: not measured).");
    fprintf(dat, "# columns: group  attention  scan  ssd  moe   (fraction of roofline; NaN: not measured)\n");
    for (size_t r = 0; r < nrows; r++) {
        fprintf(dat, "%s", rows[r]);
        for (int f = 0; f < N_LOTTERY; f++) fprintf(dat, "\t%.6g", val[r][f]);
        fprintf(dat, "\n");
    }
    fprintf(gp, "set style data histograms\nset style histogram clustered gap 1\n"
                "set style fill solid 0.85 border rgb '#444444'\nset boxwidth 0.9\n"
                "set yrange [0:*]\nset ylabel 'fraction of roofline'\nset xtics rotate by 15 right scale 0\n"
                "unset grid\nset grid ytics lc rgb '#d8d8d8'\nset key inside top right\n");
    fprintf(gp, "plot '%s.dat' using 2:xtic(1) title 'attention' lc rgb '%s', \\\n"
                "  '' using 3 title 'selective scan' lc rgb '%s', \\\n"
                "  '' using 4 title 'SSD' lc rgb '%s', \\\n  '' using 5 title 'MoE' lc rgb '%s'\n",
            ch->name, hy_rp_color(0), hy_rp_color(1), hy_rp_color(2), hy_rp_color(3));
    return hy_rp_chart_end(c, ch, dat, gp, err);
}

int hy_rp_plot_validation(hy_rp_charts *c, const hy_rp_set *set, hy_error *err)
{
    const char **fams = NULL;
    size_t nf = hy_rp_families(set, &fams);
    char cols[64][160];
    size_t col_src[64];
    const char *col_backend[64];
    size_t ncols = 0;
    const char **bks[64] = {0};
    for (size_t s = 0; s < set->n && s < 64; s++) {
        size_t nb = hy_rp_source_backends(&set->src[s], &bks[s]);
        for (size_t b = 0; b < nb && ncols < 64; b++) {
            int any = 0;
            for (size_t f = 0; f < nf; f++)
                any |= hy_rp_validation_cell(&set->src[s], bks[s][b], fams[f], NULL, NULL, NULL) != NULL;
            if (!any) continue;
            snprintf(cols[ncols], sizeof cols[ncols], "%s %s", set->src[s].label, bks[s][b]);
            col_src[ncols] = s;
            col_backend[ncols] = bks[s][b];
            ncols++;
        }
    }
    int rc = 0;
    if (ncols && nf) {
        FILE *dat, *gp;
        hy_rp_chart *ch = hy_rp_chart_begin(c, HY_RP_SEC_VALIDATION, "validation",
                                            "validation matrix: family x backend", &dat, &gp, err);
        if (!ch) rc = -1;
        else {
            snprintf(ch->caption, sizeof ch->caption,
                     "Each cell: every validation check and every benchmark's validation of that "
                     "family on that backend in that results file. Green: all passed (some shapes "
                     "may be unsupported), red: any failure, grey: unsupported only, white: no data. "
                     "Numbers: checks passed / failed / unsupported.");
            fprintf(dat, "# columns: column_index  family_index  status(0 pass,1 fail,2 unsupported,3 "
                         "no data)  label\n");
            for (size_t f = 0; f < nf; f++)
                for (size_t k = 0; k < ncols; k++) {
                    int np = 0, nfail = 0, nu = 0;
                    const char *v = hy_rp_validation_cell(&set->src[col_src[k]], col_backend[k], fams[f],
                                                          &np, &nfail, &nu);
                    int code = !v ? 3 : strcmp(v, "pass") == 0 ? 0 : strcmp(v, "fail") == 0 ? 1 : 2;
                    if (v) fprintf(dat, "%zu\t%zu\t%d\t%s %d/%d/%d\n", k, f, code, v, np, nfail, nu);
                    else fprintf(dat, "%zu\t%zu\t%d\tno data\n", k, f, code);
                }
            fprintf(gp, "set palette defined (0 '#7bc77e', 1 '#e57373', 2 '#c8c8c8', 3 '#ffffff')\n"
                        "set cbrange [0:3]\nunset colorbox\nunset key\nunset grid\nset tics scale 0\n"
                        "set xrange [-0.5:%zu.5]\nset yrange [%zu.5:-0.5]\nset xtics (",
                    ncols - 1, nf - 1);
            for (size_t k = 0; k < ncols; k++) {
                fprintf(gp, "%s", k ? ", " : "");
                hy_rp_gp_string(gp, cols[k]);
                fprintf(gp, " %zu", k);
            }
            fprintf(gp, ")\nset ytics (");
            for (size_t f = 0; f < nf; f++) {
                fprintf(gp, "%s", f ? ", " : "");
                hy_rp_gp_string(gp, fams[f]);
                fprintf(gp, " %zu", f);
            }
            fprintf(gp, ")\nset xtics rotate by 15 right\n");
            fprintf(gp, "set style fill solid 1.0 border rgb '#888888'\n"
                        "plot '%s.dat' using 1:2:(0.5):(0.5):3 with boxxyerror fc palette, \\\n"
                        "  '' using 1:2:4 with labels font ',10'\n",
                    ch->name);
            rc = hy_rp_chart_end(c, ch, dat, gp, err);
        }
    }
    for (size_t s = 0; s < set->n && s < 64; s++) free(bks[s]);
    free(fams);
    return rc;
}
