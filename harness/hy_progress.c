/* hy_progress.c — the stderr progress line (hy_progress.h). */
#include "hy_progress.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hy_timer.h"

int hy_progress_wanted(void)
{
    const char *ci = getenv("CI");
    if (ci && ci[0]) return 0;
    return isatty(STDERR_FILENO) ? 1 : 0;
}

void hy_progress_init(hy_progress *p, const char *what, size_t total, int force)
{
    memset(p, 0, sizeof *p);
    p->out = stderr;
    p->enabled = force || hy_progress_wanted();
    snprintf(p->what, sizeof p->what, "%s", what ? what : "progress");
    p->total = total;
    p->start = hy_timer_now();
    p->last_draw = -1;
}

void hy_progress_duration(double s, char *buf, size_t len)
{
    if (!(s >= 0) || !isfinite(s)) {
        snprintf(buf, len, "?");
        return;
    }
    if (s < 60) snprintf(buf, len, "%.1fs", s);
    else if (s < 3600) snprintf(buf, len, "%dm%02ds", (int)(s / 60), (int)fmod(s, 60));
    else snprintf(buf, len, "%dh%02dm", (int)(s / 3600), (int)fmod(s / 60, 60));
}

static void clear_line(hy_progress *p)
{
    if (!p->drawn) return;
    fprintf(p->out, "\r%*s\r", (int)p->line_len, "");
    p->drawn = 0;
}

void hy_progress_update(hy_progress *p, size_t done, const char *item, double left_s)
{
    if (!p) return;
    p->done = done;
    if (!p->enabled) return;
    double now = hy_timer_now();
    if (p->last_draw >= 0 && now - p->last_draw < 0.2 && done < p->total) return;
    p->last_draw = now;
    double elapsed = now - p->start;
    if (left_s < 0 && done > 0 && p->total >= done)
        left_s = elapsed * (double)(p->total - done) / (double)done;
    char el[16], lf[16], line[160];
    hy_progress_duration(elapsed, el, sizeof el);
    hy_progress_duration(left_s, lf, sizeof lf);
    int pct = p->total ? (int)(100.0 * (double)done / (double)p->total) : 0;
    int n = snprintf(line, sizeof line, "[%s] %zu/%zu %3d%%  %s elapsed, ~%s left  %.60s", p->what,
                     done, p->total, pct, el, lf, item ? item : "");
    if (n < 0) return;
    size_t len = strlen(line);
    clear_line(p);
    fputs(line, p->out);
    fflush(p->out);
    p->drawn = 1;
    p->line_len = len;
}

void hy_progress_note(hy_progress *p, const char *fmt, ...)
{
    FILE *f = p ? p->out : stderr;
    if (p) clear_line(p);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(f, fmt, ap);
    va_end(ap);
    fputc('\n', f);
    fflush(f);
}

void hy_progress_finish(hy_progress *p)
{
    if (p && p->enabled) {
        clear_line(p);
        fflush(p->out);
    }
}
