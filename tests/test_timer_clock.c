/* test_timer_clock.c — device clocks (hy_timer_options.clock and the
 * backend's timing_begin / timing_end hooks), without a device:
 *   1. both timing engines time a repetition's whole batch between one
 *      begin and one end of the clock, report the clock's seconds (not the
 *      wall clock) as manual time, and name the clock;
 *   2. `hybench bench`'s engine (hy_bench_run) uses a backend's hooks when
 *      it has them: a fake host backend (the cpu backend plus a clock that
 *      reports a made-up device time) comes out with exactly that time,
 *      and its results entries say "manual" and name the clock;
 *   3. a clock that fails, or half a clock, is an error.
 * The fake clock's seconds are counted, not measured, so nothing here
 * depends on how fast the machine is. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hy_bench.h"
#include "hy_json.h"
#include "hy_test.h"
#include "hy_timer.h"

/* ---- 1. the engines --------------------------------------------------------
 * The fake device: every call of the timed function "runs" for
 * SECONDS_PER_CALL device seconds; end reports the calls since begin. */
#define SECONDS_PER_CALL 0.25e-3

typedef struct fake_device {
    long calls, calls_at_begin;
    long begins, ends;
    int running;       /* begin seen, end not yet                      */
    int nested;        /* begin while running, or end while not running */
    long fail_begin_at; /* > 0: that begin fails                       */
} fake_device;

static int fake_begin(void *p, hy_error *err)
{
    fake_device *d = p;
    d->begins++;
    if (d->fail_begin_at > 0 && d->begins == d->fail_begin_at)
        return hy_fail(err, "fake clock refused to start");
    if (d->running) d->nested = 1;
    d->running = 1;
    d->calls_at_begin = d->calls;
    return 0;
}

static int fake_end(void *p, double *seconds, hy_error *err)
{
    fake_device *d = p;
    (void)err;
    d->ends++;
    if (!d->running) d->nested = 1;
    d->running = 0;
    *seconds = (double)(d->calls - d->calls_at_begin) * SECONDS_PER_CALL;
    return 0;
}

static int fake_kernel(void *p, double *manual, hy_error *err)
{
    fake_device *d = p;
    (void)err;
    (void)manual; /* the clock times it: leaves *manual alone */
    d->calls++;
    return 0;
}

static void test_engine(const char *engine)
{
    printf("%s: device clock\n", engine);
    fake_device d;
    memset(&d, 0, sizeof d);
    hy_timer_options o = hy_timer_default_options();
    o.engine = engine;
    o.repetitions = 3;
    o.min_time_s = 0.01; /* 40 fake calls */
    o.warmup_s = 0;
    o.clock = (hy_timer_clock){.name = "fake events", .begin = fake_begin, .end = fake_end, .ctx = &d};
    hy_timing t;
    hy_error err = {{0}};
    CHECK_OK(hy_time_function("clock/fake", fake_kernel, &d, &o, &t, &err), &err);
    CHECK(t.manual_time == 1);
    CHECK(strcmp(t.clock, "fake events") == 0);
    CHECK(t.repetitions == 3);
    for (int r = 0; r < t.repetitions; r++) {
        /* the clock's seconds per call, whatever the wall clock says */
        CHECK_NEAR(t.seconds[r], SECONDS_PER_CALL, 1e-12);
        CHECK(t.iterations[r] >= 40); /* calibrated on the clock's time */
    }
    CHECK(d.begins == d.ends && d.begins >= 1 + t.repetitions);
    /* one begin/end per batch, not per call */
    CHECK(d.begins < d.calls / 10);
    CHECK(!d.nested && !d.running);
    hy_timing_free(&t);

    /* a fixed iteration count: still one begin/end per batch */
    memset(&d, 0, sizeof d);
    o.evict = (void (*)(void *))NULL;
    o.fixed_iterations = 7;
    CHECK_OK(hy_time_function("clock/fixed", fake_kernel, &d, &o, &t, &err), &err);
    for (int r = 0; r < t.repetitions; r++) {
        CHECK(t.iterations[r] == 7);
        CHECK_NEAR(t.seconds[r], SECONDS_PER_CALL, 1e-12);
    }
    hy_timing_free(&t);

    /* a clock that fails to start in the second batch */
    memset(&d, 0, sizeof d);
    d.fail_begin_at = 2;
    CHECK_FAILS(hy_time_function("clock/failing", fake_kernel, &d, &o, &t, &err), &err,
                "fake clock refused to start");
    /* half a clock */
    o.clock.end = NULL;
    CHECK_FAILS(hy_time_function("clock/half", fake_kernel, &d, &o, &t, &err), &err,
                "needs both begin and end");

    /* without a clock the wall clock times it, and says so */
    o.clock = (hy_timer_clock){0};
    o.fixed_iterations = 1;
    CHECK_OK(hy_time_function("clock/none", fake_kernel, &d, &o, &t, &err), &err);
    CHECK(t.manual_time == 0 && strcmp(t.clock, "wall clock") == 0);
    hy_timing_free(&t);
}

/* ---- 2. the bench engine on a backend with timing hooks --------------------
 * The cpu backend's struct plus a clock: each kernel launch between begin
 * and end counts FAKE_LAUNCH_SECONDS, far from any real time of the tiny
 * shape, so the outcome can only carry it if the hooks timed it. */
#define FAKE_LAUNCH_SECONDS 0.125

static fake_device bench_dev;
static hy_rmsnorm_fn cpu_rmsnorm;

static int counting_rmsnorm(hy_exec *ex, const hy_rmsnorm_shape *s, const hy_rmsnorm_args *a,
                            void *work, hy_error *err)
{
    bench_dev.calls++;
    return cpu_rmsnorm(ex, s, a, work, err);
}

static int hook_begin(hy_exec *ex, hy_error *err)
{
    (void)ex;
    return fake_begin(&bench_dev, err);
}

static int hook_end(hy_exec *ex, double *seconds, hy_error *err)
{
    (void)ex;
    int rc = fake_end(&bench_dev, seconds, err);
    *seconds *= FAKE_LAUNCH_SECONDS / SECONDS_PER_CALL;
    return rc;
}

static void test_bench_uses_hooks(void)
{
    printf("bench: a backend with timing hooks is timed by them\n");
    hy_error err = {{0}};
    const hy_backend *cpu = hy_backend_find("cpu");
    CHECK(cpu != NULL);
    if (!cpu) return;
    const hy_kernel_variant *rms = hy_backend_select(cpu, HY_FAM_RMSNORM);
    CHECK(rms != NULL);
    if (!rms) return;
    cpu_rmsnorm = rms->impl.rmsnorm.run;
    hy_kernel_variant counted = *rms;
    counted.name = "counted";
    counted.impl.rmsnorm.run = counting_rmsnorm;
    hy_backend fake = *cpu;
    fake.name = "fakedev";
    fake.timing_clock = "fake events";
    fake.timing_begin = hook_begin;
    fake.timing_end = hook_end;
    fake.kernels = &counted;
    fake.n_kernels = 1;

    hy_exec *ex = NULL;
    CHECK_OK(fake.exec_create(&ex, &err), &err);
    hy_evictor ev;
    CHECK_OK(hy_evictor_init(&ev, 1 << 20, &err), &err);
    char path[512];
    snprintf(path, sizeof path, "%s/clock.json", hy_test_tmpdir("test_timer_clock"));
    hy_results *res = NULL;
    hy_results_info info = {.command = "test_timer_clock", .backends = "fakedev"};
    CHECK_OK(hy_results_open(&res, path, &info, &err), &err);
    if (!res) return;
    hy_bench_env env = {.backend = &fake, .ex = ex, .evictor = &ev, .results = res};
    hy_bench_opts o;
    hy_bench_opts_default(&o);
    o.repetitions = 2;
    o.min_time_s = 0.001;
    o.engine = "builtin";
    o.log = stdout;
    hy_bench_shape s;
    hy_bench_outcome out;
    CHECK_OK(hy_bench_parse_shape("rmsnorm:T=4,D=64", &s, &err), &err);
    CHECK_OK(hy_bench_run(&env, &counted, &s, &o, &out, &err), &err);
    CHECK(strcmp(out.status, "ok") == 0);
    CHECK_NEAR(out.median_s, FAKE_LAUNCH_SECONDS, 1e-9);
    CHECK(bench_dev.begins >= 3 && bench_dev.begins == bench_dev.ends && !bench_dev.nested);
    /* the same through Google Benchmark, when built in */
    if (hy_timer_have_gbench()) {
        o.engine = "google-benchmark";
        CHECK_OK(hy_bench_parse_shape("rmsnorm:T=2,D=64", &s, &err), &err);
        CHECK_OK(hy_bench_run(&env, &counted, &s, &o, &out, &err), &err);
        CHECK(strcmp(out.status, "ok") == 0);
        CHECK_NEAR(out.median_s, FAKE_LAUNCH_SECONDS, 1e-9);
    }
    hy_results_close(res);
    hy_evictor_free(&ev);
    fake.exec_destroy(ex);

    char *text = NULL;
    size_t len = 0;
    hy_json *j = NULL;
    CHECK_OK(hy_read_file(path, &text, &len, &err), &err);
    CHECK_OK(hy_json_parse(text, len, &j, &err), &err);
    const hy_json *bm = hy_json_get(j, "benchmarks");
    int entries = 0;
    for (size_t i = 0; bm && i < bm->count; i++) {
        const hy_json *e = &bm->items[i], *src = hy_json_get(e, "time_source"),
                      *clk = hy_json_get(e, "clock");
        CHECK(src && src->type == HY_JSON_STRING && strcmp(src->string, "manual") == 0);
        CHECK(clk && clk->type == HY_JSON_STRING && strcmp(clk->string, "fake events") == 0);
        entries++;
    }
    CHECK(entries >= 2);
    hy_json_free(j);
    free(text);
}

int main(void)
{
    test_engine("builtin");
    if (hy_timer_have_gbench()) test_engine("google-benchmark");
    test_bench_uses_hooks();
    return hy_test_finish();
}
