/* hy_counters.c — PAPI counters or the reason there are none.  See
 * hy_counters.h. */
#include "hy_counters.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef HYBENCH_HAVE_PAPI
#include <papi.h>
#endif

struct hy_counters {
    int available;
    char status[512];
    int n;
    const char *names[HY_COUNTERS_MAX];
#ifdef HYBENCH_HAVE_PAPI
    int event_set;
    int running;
#endif
};

#ifdef HYBENCH_HAVE_PAPI
typedef struct event_choice {
    const char *result_name;
    int codes[2];         /* first choice, then the fallback (0: none) */
    const char *names[2];
} event_choice;

/* Tries the events in order and keeps those that can be added. */
static void add_events(hy_counters *c, char *why, size_t why_len)
{
    const event_choice choices[HY_COUNTERS_MAX] = {
        {"cycles", {PAPI_TOT_CYC, 0}, {"PAPI_TOT_CYC", NULL}},
        {"instructions", {PAPI_TOT_INS, 0}, {"PAPI_TOT_INS", NULL}},
        {"cache_misses", {PAPI_L3_TCM, PAPI_L2_TCM}, {"PAPI_L3_TCM", "PAPI_L2_TCM"}},
        {"fp_ops", {PAPI_FP_OPS, PAPI_SP_OPS}, {"PAPI_FP_OPS", "PAPI_SP_OPS"}},
    };
    size_t at = strlen(c->status);
    why[0] = 0;
    for (int i = 0; i < HY_COUNTERS_MAX; i++) {
        for (int k = 0; k < 2 && choices[i].names[k]; k++) {
            int rc = PAPI_add_event(c->event_set, choices[i].codes[k]);
            if (rc == PAPI_OK) {
                c->names[c->n++] = choices[i].result_name;
                at += (size_t)snprintf(c->status + at, sizeof c->status - at, "%s%s",
                                       c->n == 1 ? "" : ", ", choices[i].names[k]);
                if (at >= sizeof c->status) at = sizeof c->status - 1;
                break;
            }
            if (!why[0]) snprintf(why, why_len, "%s: %s", choices[i].names[k], PAPI_strerror(rc));
        }
    }
}

static void open_papi(hy_counters *c)
{
    const char *un = "counters unavailable: ";
    int rc = PAPI_library_init(PAPI_VER_CURRENT);
    if (rc != PAPI_VER_CURRENT) {
        snprintf(c->status, sizeof c->status, "%sPAPI_library_init: %s", un,
                 rc > 0 ? "PAPI library version does not match the headers" : PAPI_strerror(rc));
        return;
    }
    const PAPI_component_info_t *cpu = PAPI_get_component_info(0);
    if (cpu && cpu->disabled) {
        snprintf(c->status, sizeof c->status, "%sPAPI component %.60s is disabled: %.300s", un, cpu->name,
                 cpu->disabled_reason[0] ? cpu->disabled_reason : "no reason given");
        return;
    }
    int hw = PAPI_num_cmp_hwctrs(0);
    if (hw <= 0) {
        snprintf(c->status, sizeof c->status,
                 "%sPAPI reports 0 hardware counters (no PMU, as on most virtual machines)", un);
        return;
    }
    c->event_set = PAPI_NULL;
    rc = PAPI_create_eventset(&c->event_set);
    if (rc != PAPI_OK) {
        snprintf(c->status, sizeof c->status, "%sPAPI_create_eventset: %s", un, PAPI_strerror(rc));
        return;
    }
    snprintf(c->status, sizeof c->status, "available: ");
    char why[256];
    add_events(c, why, sizeof why);
    if (c->n == 0) {
        PAPI_destroy_eventset(&c->event_set);
        snprintf(c->status, sizeof c->status,
                 "%sPAPI reports %d hardware counters but no preset event can be counted "
                 "(%.200s; a virtual PMU without these events)", un, hw, why);
        return;
    }
    c->available = 1;
}
#endif

int hy_counters_open(hy_counters **out, hy_error *err)
{
    hy_counters *c = calloc(1, sizeof *c);
    *out = NULL;
    if (!c) return hy_fail(err, "counters: out of memory");
#ifdef HYBENCH_HAVE_PAPI
    open_papi(c);
#else
    snprintf(c->status, sizeof c->status,
             "counters unavailable: built without PAPI (libpapi-dev not found at configure time)");
#endif
    *out = c;
    return 0;
}

void hy_counters_close(hy_counters *c)
{
    if (!c) return;
#ifdef HYBENCH_HAVE_PAPI
    if (c->available) {
        long long ignored[HY_COUNTERS_MAX];
        if (c->running) PAPI_stop(c->event_set, ignored);
        PAPI_cleanup_eventset(c->event_set);
        PAPI_destroy_eventset(&c->event_set);
    }
#endif
    free(c);
}

int hy_counters_available(const hy_counters *c)
{
    return c && c->available;
}

const char *hy_counters_status(const hy_counters *c)
{
    return c ? c->status : "counters unavailable: not initialised";
}

int hy_counters_count(const hy_counters *c)
{
    return c && c->available ? c->n : 0;
}

const char *hy_counters_name(const hy_counters *c, int i)
{
    return c && i >= 0 && i < c->n ? c->names[i] : NULL;
}

int hy_counters_start(hy_counters *c, hy_error *err)
{
    if (!c || !c->available) return 0;
#ifdef HYBENCH_HAVE_PAPI
    int rc = PAPI_start(c->event_set);
    if (rc != PAPI_OK) return hy_fail(err, "PAPI_start: %s", PAPI_strerror(rc));
    c->running = 1;
#endif
    (void)err;
    return 0;
}

int hy_counters_stop(hy_counters *c, long long *values, hy_error *err)
{
    if (!c || !c->available) return 0;
#ifdef HYBENCH_HAVE_PAPI
    if (!c->running) return hy_fail(err, "counters: stop without start");
    int rc = PAPI_stop(c->event_set, values);
    c->running = 0;
    if (rc != PAPI_OK) return hy_fail(err, "PAPI_stop: %s", PAPI_strerror(rc));
#endif
    (void)values;
    (void)err;
    return 0;
}
