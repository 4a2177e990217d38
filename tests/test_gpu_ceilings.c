/* test_gpu_ceilings.c — the device side of `hybench ceilings` and of the
 * bench roofline:
 *   1. the device roofline (hy_roofline_bound_device) on made-up ceilings:
 *      f32 against the FMA peak, bf16 against the tensor-core peak, both
 *      against the device copy bandwidth; missing pieces are errors;
 *   2. the ceilings file keeps the device figures (JSON out, load back);
 *   3. hy_bench_run holds a GPU backend's variants to its device ceilings
 *      (a bf16 variant to the tensor-core peak), a host backend to the
 *      CPU's: checked through the roofline_fraction it records, on a fake
 *      host backend that carries a device's name;
 *   4. a real measurement: every GPU backend compiled in is listed; without
 *      a device its entries are unavailable with the probe's reason, with
 *      one (the lent GPU machine) the figures are positive and ordered as
 *      the hardware orders them. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hy_bench.h"
#include "hy_ceilings.h"
#include "hy_json.h"
#include "hy_sweep_internal.h"
#include "hy_test.h"

static void set_stat(hy_ceil_stat *s, double v)
{
    memset(s, 0, sizeof *s);
    s->best = s->median = s->worst = v;
    s->repetitions = 1;
    s->measured = 1;
}

/* CPU: avx2 100 GFLOP/s, DRAM triad 20 GB/s.  Device "gpu": f32 50 000,
 * bf16 400 000 GFLOP/s, copy 4 000 GB/s, memcpy 3 000 GB/s. */
static void made_up(hy_ceilings *c)
{
    hy_test_cpu_ceilings(c, 100, 20);
    c->n_devices = 1;
    hy_ceil_device *d = &c->devices[0];
    snprintf(d->backend, sizeof d->backend, "gpu");
    snprintf(d->note, sizeof d->note, "made-up device");
    d->available = 1;
    d->n_compute = 2;
    static const char *const dt[2] = {"f32", "bf16"};
    static const double peak[2] = {50000, 400000};
    for (int k = 0; k < 2; k++) {
        hy_ceil_compute *e = &d->compute[k];
        snprintf(e->id, sizeof e->id, "gpu_%s", dt[k]);
        snprintf(e->isa, sizeof e->isa, "gpu");
        snprintf(e->dtype, sizeof e->dtype, "%s", dt[k]);
        e->available = 1;
        set_stat(&e->one_thread, peak[k]);
        set_stat(&e->all_threads, peak[k]);
    }
    d->n_bandwidth = 2;
    static const char *const kn[2] = {"copy", "memcpy"};
    static const double bw[2] = {4000, 3000};
    for (int k = 0; k < 2; k++) {
        hy_ceil_bandwidth *e = &d->bandwidth[k];
        snprintf(e->level, sizeof e->level, "gpu");
        snprintf(e->kernel, sizeof e->kernel, "%s", kn[k]);
        set_stat(&e->one_thread, bw[k]);
        set_stat(&e->all_threads, bw[k]);
    }
}

static void test_device_roofline(void)
{
    hy_ceilings c;
    made_up(&c);
    hy_roofline r;
    hy_error err = {{0}};
    /* intensity 1: memory bound at 4000 GFLOP/s whatever the dtype */
    CHECK_OK(hy_roofline_bound_device(&c, 1.0, "gpu", "f32", &r, &err), &err);
    CHECK_NEAR(r.gflops, 4000, 1e-9);
    CHECK(r.memory_bound && strcmp(r.compute_id, "gpu_f32") == 0);
    CHECK_NEAR(r.ridge_intensity, 12.5, 1e-12);
    /* intensity 50: f32 compute bound at 50 000, bf16 still memory bound */
    CHECK_OK(hy_roofline_bound_device(&c, 50.0, "gpu", "f32", &r, &err), &err);
    CHECK_NEAR(r.gflops, 50000, 1e-9);
    CHECK(!r.memory_bound);
    CHECK_OK(hy_roofline_bound_device(&c, 50.0, "gpu", "bf16", &r, &err), &err);
    CHECK_NEAR(r.gflops, 200000, 1e-9);
    CHECK(r.memory_bound && strcmp(r.compute_id, "gpu_bf16") == 0);
    CHECK_NEAR(r.peak_gflops, 400000, 1e-9);
    /* the host roofline is untouched by the device */
    CHECK_OK(hy_roofline_bound(&c, 50.0, "best", 1, &r, &err), &err);
    CHECK_NEAR(r.gflops, 100, 1e-9);
    CHECK(hy_ceilings_find_compute(&c, NULL) == &c.compute[0]);

    CHECK_FAILS(hy_roofline_bound_device(&c, 1.0, "other", "f32", &r, &err), &err,
                "no device ceilings for other");
    CHECK_FAILS(hy_roofline_bound_device(&c, 1.0, "gpu", "f16", &r, &err), &err, "gpu_f16");
    CHECK_FAILS(hy_roofline_bound_device(&c, -1.0, "gpu", "f32", &r, &err), &err, "intensity");
    c.devices[0].compute[1].available = 0;
    snprintf(c.devices[0].compute[1].note, sizeof c.devices[0].compute[1].note, "no tensor cores");
    CHECK_FAILS(hy_roofline_bound_device(&c, 1.0, "gpu", "bf16", &r, &err), &err, "no tensor cores");
    c.devices[0].available = 0;
    snprintf(c.devices[0].note, sizeof c.devices[0].note, "no such device: gone");
    CHECK_FAILS(hy_roofline_bound_device(&c, 1.0, "gpu", "f32", &r, &err), &err, "gone");
}

static void test_file_round_trip(void)
{
    hy_ceilings c;
    made_up(&c);
    hy_strbuf b = {0};
    hy_ceilings_to_json(&b, &c);
    hy_error err = {{0}};
    char path[512];
    snprintf(path, sizeof path, "%s/ceil.json", hy_test_tmpdir("test_gpu_ceilings"));
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (!f) return;
    fwrite(b.data, 1, b.len, f);
    fclose(f);
    hy_strbuf_free(&b);
    hy_ceilings *back = calloc(1, sizeof *back);
    char *raw = NULL;
    CHECK_OK(hy_ceilings_load(path, back, &raw, &err), &err);
    free(raw);
    const hy_ceil_device *d = hy_ceilings_find_device(back, "gpu");
    CHECK(d != NULL && back->n_devices == 1);
    if (d) {
        CHECK(d->available && d->n_compute == 2 && d->n_bandwidth == 2);
        CHECK(strcmp(d->note, "made-up device") == 0);
    }
    hy_roofline r;
    CHECK_OK(hy_roofline_bound_device(back, 50.0, "gpu", "bf16", &r, &err), &err);
    CHECK_NEAR(r.gflops, 200000, 1e-6);
    CHECK_OK(hy_roofline_bound_device(back, 50.0, "gpu", "f32", &r, &err), &err);
    CHECK_NEAR(r.gflops, 50000, 1e-6);
    free(back);
}

/* ---- 3. bench: whose ceilings a variant is held to ------------------------ */

static double recorded_roofline(const char *path, const char *variant)
{
    char *text = NULL;
    size_t len = 0;
    hy_json *j = NULL;
    hy_error err = {{0}};
    double v = NAN;
    if (hy_read_file(path, &text, &len, &err) || hy_json_parse(text, len, &j, &err)) {
        free(text);
        return v;
    }
    const hy_json *bm = hy_json_get(j, "benchmarks");
    for (size_t i = 0; bm && i < bm->count; i++) {
        const hy_json *e = &bm->items[i], *var = hy_json_get(e, "variant"),
                      *rt = hy_json_get(e, "run_type"), *rf = hy_json_get(e, "roofline_fraction"),
                      *g = hy_json_get(e, "GFLOPS");
        if (var && strcmp(var->string, variant) == 0 && rt && strcmp(rt->string, "iteration") == 0 &&
            rf && g) {
            /* the peak the fraction was computed against */
            v = g->number / rf->number;
            break;
        }
    }
    hy_json_free(j);
    free(text);
    return v;
}

static void test_bench_roofline(void)
{
    hy_error err = {{0}};
    const hy_backend *cpu = hy_backend_find("cpu");
    CHECK(cpu != NULL);
    if (!cpu) return;
    const hy_kernel_variant *lin = hy_backend_select(cpu, HY_FAM_LINEAR);
    CHECK(lin != NULL);
    if (!lin) return;
    hy_kernel_variant vars[2] = {*lin, *lin};
    vars[0].name = "as_f32";
    vars[1].name = "as_bf16";
    vars[1].dtype = HY_BF16;
    hy_backend gpu = *cpu;
    gpu.name = "gpu"; /* the made-up device's backend */
    gpu.kernels = vars;
    gpu.n_kernels = 2;

    hy_ceilings *c = calloc(1, sizeof *c);
    made_up(c);
    hy_exec *ex = NULL;
    CHECK_OK(gpu.exec_create(&ex, &err), &err);
    hy_evictor ev;
    CHECK_OK(hy_evictor_init(&ev, 1 << 20, &err), &err);
    char path[512], cpath[512];
    snprintf(path, sizeof path, "%s/bench.json", hy_test_tmpdir("test_gpu_ceilings_bench"));
    snprintf(cpath, sizeof cpath, "%s/bench_cpu.json", hy_test_tmpdir("test_gpu_ceilings_cpu"));
    hy_results *res = NULL;
    hy_results_info info = {.command = "test_gpu_ceilings", .backends = "gpu"};
    CHECK_OK(hy_results_open(&res, path, &info, &err), &err);
    if (!res) return;
    hy_bench_env env = {.backend = &gpu, .ex = ex, .ceilings = c, .evictor = &ev, .results = res};
    hy_bench_opts o;
    hy_bench_opts_default(&o);
    o.repetitions = 1;
    o.min_time_s = 0.001;
    hy_bench_shape s;
    hy_bench_outcome out;
    /* T = 64, 256 x 256: intensity about 25 FLOP/byte, so the f32 roof
     * (ridge 12.5) is the FMA peak and the bf16 roof (ridge 100) is the
     * copy bandwidth times the intensity */
    CHECK_OK(hy_bench_parse_shape("linear:T=64,in=256,out=256", &s, &err), &err);
    for (int k = 0; k < 2; k++) {
        CHECK_OK(hy_bench_run(&env, &vars[k], &s, &o, &out, &err), &err);
        CHECK(strcmp(out.status, "ok") == 0);
    }
    hy_results_close(res);
    double intensity = out.intensity;
    CHECK(intensity > 12.5 && intensity < 100);
    CHECK_NEAR(recorded_roofline(path, "as_f32"), 50000, 1e-3 * 50000);
    CHECK_NEAR(recorded_roofline(path, "as_bf16"), intensity * 4000, 1e-3 * intensity * 4000);

    /* the cpu backend (no device entry of that name): the CPU's roof */
    res = NULL;
    info.backends = "cpu";
    CHECK_OK(hy_results_open(&res, cpath, &info, &err), &err);
    if (res) {
        env.backend = cpu;
        env.results = res;
        CHECK_OK(hy_bench_run(&env, lin, &s, &o, &out, &err), &err);
        hy_results_close(res);
        CHECK_NEAR(recorded_roofline(cpath, lin->name), 100, 1e-3 * 100);
    }
    hy_evictor_free(&ev);
    gpu.exec_destroy(ex);
    free(c);
}

/* ---- 4. a real measurement -------------------------------------------------- */

static void test_measurement(void)
{
    hy_ceilings_opts o;
    hy_ceilings_opts_default(&o);
    o.quick = 1;
    o.seconds_per_rep = 0.005;
    o.repetitions = 2;
    o.threads = 1;
    o.skip_bandwidth = 0;
    o.dram_array_bytes = 1 << 20;
    o.device_array_bytes = 64 << 20;
    hy_ceilings *c = calloc(1, sizeof *c);
    hy_error err = {{0}};
    CHECK_OK(hy_ceilings_measure(&o, c, &err), &err);
    size_t expect = 0;
#ifdef HYBENCH_HAVE_CUDA
    expect++;
    CHECK(hy_ceilings_find_device(c, "cuda") != NULL);
#endif
#ifdef HYBENCH_HAVE_HIP
    expect++;
    CHECK(hy_ceilings_find_device(c, "hip") != NULL);
#endif
    CHECK(c->n_devices == expect);
    for (size_t i = 0; i < c->n_devices; i++) {
        const hy_ceil_device *d = &c->devices[i];
        printf("  %s: %s\n", d->backend, d->note);
        CHECK(d->n_compute == HY_CEIL_DEVICE_COMPUTE && d->n_bandwidth == HY_CEIL_DEVICE_BANDWIDTH);
        CHECK(strlen(d->note) > 0);
        if (!d->available) {
            for (size_t k = 0; k < d->n_compute; k++)
                CHECK(!d->compute[k].available && strlen(d->compute[k].note) > 0);
            for (size_t k = 0; k < d->n_bandwidth; k++) CHECK(!d->bandwidth[k].one_thread.measured);
            continue;
        }
        const hy_ceil_compute *f32 = &d->compute[0], *bf16 = &d->compute[1];
        CHECK(f32->available && f32->one_thread.best > 100); /* any GPU: > 100 GFLOP/s */
        for (size_t k = 0; k < d->n_compute; k++)
            printf("    %s %.0f GFLOP/s %s\n", d->compute[k].id, d->compute[k].one_thread.best,
                   d->compute[k].available ? "" : d->compute[k].note);
        if (bf16->available) CHECK(bf16->one_thread.best > 2 * f32->one_thread.best);
        for (size_t k = 0; k < d->n_bandwidth; k++) {
            printf("    %s %.0f GB/s\n", d->bandwidth[k].kernel, d->bandwidth[k].one_thread.best);
            CHECK(d->bandwidth[k].one_thread.measured && d->bandwidth[k].one_thread.best > 50);
        }
        hy_roofline r;
        CHECK_OK(hy_roofline_bound_device(c, 1.0, d->backend, "f32", &r, &err), &err);
    }
    free(c);
}

/* The sweep's time estimates use the backend's own ceilings: the device's
 * fp32 peak and copy bandwidth for a GPU backend, the CPU's otherwise. */
static void test_sweep_peaks(void)
{
    printf("sweep time estimates use the backend's ceilings\n");
    hy_ceilings *c = calloc(1, sizeof *c);
    made_up(c);
    const hy_backend gpu = {.name = "gpu"}, host = {.name = "x86"};
    double gf = 0, gb = 0;
    sweep_peaks(c, &gpu, &gf, &gb);
    CHECK_NEAR(gf, 50000, 1e-9);
    CHECK_NEAR(gb, 4000, 1e-9);
    sweep_peaks(c, &host, &gf, &gb);
    CHECK_NEAR(gf, 100, 1e-9);
    CHECK_NEAR(gb, 20, 1e-9);
    c->devices[0].available = 0; /* no device: the defaults, never the CPU's */
    sweep_peaks(c, &gpu, &gf, &gb);
    CHECK_NEAR(gf, 10, 1e-9);
    CHECK_NEAR(gb, 5, 1e-9);
    free(c);
}

int main(void)
{
    test_sweep_peaks();
    test_device_roofline();
    test_file_round_trip();
    test_bench_roofline();
    test_measurement();
    return hy_test_finish();
}
