/* hy_progress.h — a one-line progress display for long runs (sweep, bench).
 *
 * The line goes to stderr and is redrawn in place ("\r"), at most about
 * five times a second:
 *   [sweep] 12/40  30%  1m23s elapsed, ~3m14s left  prefill L=2048 scan
 * The estimate of the time left is elapsed x (total - done) / done, or
 * the caller's own estimate when it gives one.
 * It is shown only when stderr is a terminal and the environment variable
 * CI is unset (or empty); otherwise every call is a no-op, so logs and CI
 * output stay clean.  hy_progress_note prints a whole message line on
 * stderr whether or not the display is on (clearing the progress line
 * first when it is). */
#ifndef HY_PROGRESS_H
#define HY_PROGRESS_H

#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct hy_progress {
    int enabled;        /* drawing at all (TTY and CI unset, or forced)  */
    FILE *out;          /* stderr                                        */
    char what[32];      /* "sweep", "bench"                              */
    size_t total, done;
    double start;       /* hy_timer_now() at init                        */
    double last_draw;
    int drawn;          /* a progress line is on the screen              */
    size_t line_len;    /* characters of the line on the screen          */
} hy_progress;

/* Whether a progress display is wanted: stderr is a TTY and CI is unset. */
int hy_progress_wanted(void);

/* Starts a display of `total` steps named `what`; enabled only when
 * hy_progress_wanted() (force = 1 enables it anyway, for tests). */
void hy_progress_init(hy_progress *p, const char *what, size_t total, int force);
/* Steps done so far and what runs now (item may be NULL).  left_s >= 0
 * replaces the elapsed-time extrapolation of the time left. */
void hy_progress_update(hy_progress *p, size_t done, const char *item, double left_s);
/* Prints one message line on stderr (always), keeping the display intact. */
void hy_progress_note(hy_progress *p, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* Clears the line (the final state is the caller's to print). */
void hy_progress_finish(hy_progress *p);

/* "1h02m", "3m14s", "12.3s": a duration for people (buf of >= 16 chars). */
void hy_progress_duration(double seconds, char *buf, size_t len);

#ifdef __cplusplus
}
#endif
#endif
