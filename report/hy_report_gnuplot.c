/* hy_report_gnuplot.c — chart files and gnuplot: finds the program,
 * opens NAME.dat / NAME.gp with a common preamble, runs gnuplot in the
 * charts directory (fork + exec, output to gnuplot.log) and checks that
 * NAME.svg came out non-empty.  Scripts use paths relative to the charts
 * directory, so `cd charts && gnuplot NAME.gp` re-plots any chart. */
#include "hy_report_parts.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

static int executable(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

/* "gnuplot" on PATH into out; 0 when found. */
static int search_path(const char *prog, char *out, size_t len)
{
    const char *path = getenv("PATH");
    if (!path) return -1;
    while (*path) {
        const char *colon = strchr(path, ':');
        size_t n = colon ? (size_t)(colon - path) : strlen(path);
        if (n > 0 && snprintf(out, len, "%.*s/%s", (int)n, path, prog) < (int)len && executable(out))
            return 0;
        path += n + (colon ? 1 : 0);
    }
    out[0] = 0;
    return -1;
}

void hy_rp_charts_init(hy_rp_charts *c, const char *dir, const char *gnuplot, int no_charts)
{
    memset(c, 0, sizeof *c);
    snprintf(c->dir, sizeof c->dir, "%s", dir);
    if (no_charts) {
        snprintf(c->note, sizeof c->note,
                 "charts were switched off (--no-charts); the .dat and .gp files are in charts/");
        return;
    }
    if (gnuplot) {
        if (executable(gnuplot)) snprintf(c->gnuplot, sizeof c->gnuplot, "%s", gnuplot);
        else
            snprintf(c->note, sizeof c->note,
                     "no charts: gnuplot '%.400s' is not an executable file; the .dat and .gp "
                     "files are in charts/",
                     gnuplot);
        return;
    }
#ifdef HYBENCH_GNUPLOT
    if (executable(HYBENCH_GNUPLOT)) {
        snprintf(c->gnuplot, sizeof c->gnuplot, "%s", HYBENCH_GNUPLOT);
        return;
    }
#endif
    if (search_path("gnuplot", c->gnuplot, sizeof c->gnuplot) == 0) return;
    snprintf(c->note, sizeof c->note,
             "no charts: gnuplot was not found (not at the build's HYBENCH_GNUPLOT path and not on "
             "PATH; Debian package gnuplot-nox); the .dat and .gp files are in charts/");
}

void hy_rp_charts_free(hy_rp_charts *c)
{
    free(c->items);
    c->items = NULL;
    c->n = c->cap = 0;
}

void hy_rp_gp_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\') fputc('\\', f);
        if (*s == '\n') {
            fputs("\\n", f);
            continue;
        }
        fputc(*s, f);
    }
    fputc('"', f);
}

void hy_rp_slug(char *dst, size_t len, const char *s)
{
    size_t i = 0;
    for (; s[i] && i + 1 < len; i++) {
        char ch = s[i];
        int keep = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
                   ch == '.' || ch == '_' || ch == '-';
        dst[i] = keep ? ch : '_';
    }
    if (len) dst[i] = 0;
}

const char *hy_rp_color(size_t i)
{
    static const char *const palette[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd",
                                          "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22"};
    return palette[i % (sizeof palette / sizeof palette[0])];
}

static FILE *open_in(const char *dir, const char *name, const char *ext, hy_error *err)
{
    char path[1400];
    snprintf(path, sizeof path, "%s/%s.%s", dir, name, ext);
    FILE *f = fopen(path, "w");
    if (!f) hy_fail(err, "cannot write %s: %s", path, strerror(errno));
    return f;
}

hy_rp_chart *hy_rp_chart_begin(hy_rp_charts *c, hy_rp_section sec, const char *name,
                               const char *title, FILE **dat, FILE **gp, hy_error *err)
{
    if (c->n == c->cap) {
        size_t nc = c->cap ? c->cap * 2 : 16;
        hy_rp_chart *grown = realloc(c->items, nc * sizeof *grown);
        if (!grown) {
            hy_fail(err, "out of memory");
            return NULL;
        }
        c->items = grown;
        c->cap = nc;
    }
    hy_rp_chart *ch = &c->items[c->n];
    memset(ch, 0, sizeof *ch);
    ch->section = sec;
    hy_rp_slug(ch->name, sizeof ch->name, name);
    snprintf(ch->title, sizeof ch->title, "%s", title);
    *dat = open_in(c->dir, ch->name, "dat", err);
    if (!*dat) return NULL;
    *gp = open_in(c->dir, ch->name, "gp", err);
    if (!*gp) {
        fclose(*dat);
        return NULL;
    }
    c->n++;
    fprintf(*dat, "# %s\n# data of %s.svg, plotted by %s.gp (written by hybench report)\n", title,
            ch->name, ch->name);
    fprintf(*gp,
            "# %s\n# Written by hybench report.  Re-plot: cd into this folder, gnuplot %s.gp\n"
            "set terminal svg size 820,460 noenhanced font 'Helvetica,12' background rgb 'white'\n"
            "set output '%s.svg'\n"
            "set datafile separator '\\t'\n"
            "set datafile missing 'NaN'\n"
            "set grid lc rgb '#d8d8d8'\n"
            "set border lc rgb '#555555'\n"
            "set key below left Left reverse samplen 2 spacing 1.1 maxrows 6\n"
            "set title ",
            title, ch->name, ch->name);
    hy_rp_gp_string(*gp, title);
    fputc('\n', *gp);
    return ch;
}

/* Runs gnuplot NAME.gp in the charts directory; 0 when it exited with 0. */
static int run_gnuplot(const hy_rp_charts *c, const char *name)
{
    char script[200];
    snprintf(script, sizeof script, "%s.gp", name);
    pid_t pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        if (chdir(c->dir) != 0) _exit(126);
        int log = open("gnuplot.log", O_WRONLY | O_CREAT | O_APPEND, 0644);
        int devnull = open("/dev/null", O_RDONLY);
        if (devnull >= 0) dup2(devnull, 0);
        if (log >= 0) dup2(log, 1), dup2(log, 2);
        char *const argv[] = {(char *)c->gnuplot, script, NULL};
        execv(c->gnuplot, argv);
        _exit(127);
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) return -1;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

int hy_rp_chart_end(hy_rp_charts *c, hy_rp_chart *chart, FILE *dat, FILE *gp, hy_error *err)
{
    int bad = ferror(dat) || ferror(gp);
    bad |= fclose(dat) != 0;
    bad |= fclose(gp) != 0;
    if (bad) return hy_fail(err, "cannot write the files of chart %s in %s", chart->name, c->dir);
    if (!c->gnuplot[0]) return 0;
    char svg[1400];
    snprintf(svg, sizeof svg, "%s/%s.svg", c->dir, chart->name);
    unlink(svg);
    int rc = run_gnuplot(c, chart->name);
    struct stat st;
    chart->drawn = rc == 0 && stat(svg, &st) == 0 && st.st_size > 0;
    if (!chart->drawn) {
        c->failed++;
        snprintf(c->note, sizeof c->note,
                 "gnuplot (%.300s) did not draw %d chart%s; see charts/gnuplot.log", c->gnuplot,
                 c->failed, c->failed == 1 ? "" : "s");
    }
    return 0;
}
