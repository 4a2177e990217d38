// hy_gbench_shim.cc — Google Benchmark as hybench's timing engine (C++17).
// Compiled only when the build found Google Benchmark (see
// cmake/gbench_shim.cmake).  It registers one C benchmark function at a
// time, runs it with a reporter that collects the per-repetition runs
// instead of printing them, and copies those into the engine-neutral
// hy_timing of hy_timer.h.
//
// Mapping of hy_timer_options to Google Benchmark:
//   repetitions        ->Repetitions(n)
//   min_time_s         ->MinTime(t)    (or ->Iterations(1) when t is 0)
//   fixed_iterations   ->Iterations(n) (max_iterations: Google Benchmark's
//                      own cap of 1e9 applies)
//   real time          ->UseRealTime()    CPU backends (threaded kernels)
//   device time        ->UseManualTime()  + SetIterationTime(manual_seconds)
//                      per iteration; with a device clock in the options,
//                      the clock is started before the `for (auto _ :
//                      state)` loop and stopped after it (the launches run
//                      back to back, no host synchronisation between them)
//                      and the batch's device time is reported once,
//                      SetIterationTime(total): Google Benchmark adds up
//                      what SetIterationTime reports over the run.
//   CPU time column    ->MeasureProcessCPUTime() (all threads, like builtin)
//   counters           state.counters[name] = Counter(value, kDefaults or
//                      kIsIterationInvariantRate)
//   cold caches        ->Iterations(1); evict() runs in the benchmark
//                      function BEFORE the `for (auto _ : state)` loop.
//                      Google Benchmark starts the clock when that loop
//                      starts, so the eviction is never timed, and no
//                      PauseTiming()/ResumeTiming() pair (which costs
//                      microseconds each and disturbs short kernels) is
//                      needed.  Each repetition calls the function again,
//                      so every repetition is one cold iteration.
#include "hy_gbench_shim.h"

#include <benchmark/benchmark.h>

#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#ifndef HYBENCH_GBENCH_VERSION
#define HYBENCH_GBENCH_VERSION "unknown"
#endif

namespace {

// Keeps every run a benchmark reports; prints nothing (the harness prints).
class CollectingReporter : public benchmark::BenchmarkReporter {
  public:
    std::vector<Run> runs;
    bool ReportContext(const Context &) override { return true; }
    void ReportRuns(const std::vector<Run> &report) override
    {
        runs.insert(runs.end(), report.begin(), report.end());
    }
};

struct Job {
    hy_bench_fn fn;
    void *ctx;
    const hy_timer_options *opts;
    int manual;
    bool failed;
    hy_error err;
};

void run_job(benchmark::State &state, Job *job)
{
    const hy_timer_options *o = job->opts;
    if (job->failed) {
        // A repetition failed: fail every later one too.  Besides saving
        // time, this avoids a crash of Google Benchmark 1.7.1, whose
        // aggregate statistics dereference the first repetition's data
        // when only that one carries an error.
        state.SkipWithError(job->err.msg);
        for (auto _ : state) break;
        return;
    }
    if (o->evict) o->evict(o->evict_ctx); // outside the timed loop, see above
    const bool clock = hy_timer_has_clock(o) != 0;
    if (clock && o->clock.begin(o->clock.ctx, &job->err) != 0) {
        hy_fail_prefix(&job->err, "device clock");
        job->failed = true;
        state.SkipWithError(job->err.msg);
        for (auto _ : state) break;
        return;
    }
    long long iteration = 0;
    for (auto _ : state) {
        double m = -1;
        if (job->fn(job->ctx, &m, &job->err) != 0) {
            job->failed = true;
            state.SkipWithError(job->err.msg);
            break;
        }
        if (job->manual && !clock) {
            if (!(m >= 0)) {
                hy_fail(&job->err,
                        "the function reported device time during warm-up but not in iteration %lld",
                        iteration);
                job->failed = true;
                state.SkipWithError(job->err.msg);
                break;
            }
            state.SetIterationTime(m);
        }
        iteration++;
    }
    if (clock) {
        double device_seconds = 0;
        hy_error cerr{};
        if (o->clock.end(o->clock.ctx, &device_seconds, &cerr) != 0) {
            if (!job->failed) {
                job->err = cerr;
                hy_fail_prefix(&job->err, "device clock");
                job->failed = true;
                state.SkipWithError(job->err.msg);
            }
        } else if (!job->failed) {
            state.SetIterationTime(device_seconds);
        }
    }
    for (int c = 0; c < o->ncounters; c++)
        state.counters[o->counters[c].name] = benchmark::Counter(
            o->counters[c].value, o->counters[c].is_rate
                                      ? benchmark::Counter::kIsIterationInvariantRate
                                      : benchmark::Counter::kDefaults);
}

int run_registered(const char *name, Job *job, hy_timing *out, hy_error *err)
{
    const hy_timer_options *o = job->opts;
    benchmark::ClearRegisteredBenchmarks();
    benchmark::internal::Benchmark *b = benchmark::RegisterBenchmark(
        name, [job](benchmark::State &st) { run_job(st, job); });
    b->Repetitions(o->repetitions);
    if (o->fixed_iterations > 0) b->Iterations(o->fixed_iterations);
    else if (o->min_time_s > 0) b->MinTime(o->min_time_s);
    else b->Iterations(1);
    if (job->manual) b->UseManualTime();
    else b->UseRealTime();
    b->MeasureProcessCPUTime();

    CollectingReporter reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter, std::string("."));
    benchmark::ClearRegisteredBenchmarks();

    if (job->failed) return hy_fail(err, "%s", job->err.msg);
    std::vector<const benchmark::BenchmarkReporter::Run *> reps;
    for (const auto &r : reporter.runs) {
        if (r.error_occurred) return hy_fail(err, "%s", r.error_message.c_str());
        if (r.run_type == benchmark::BenchmarkReporter::Run::RT_Iteration) reps.push_back(&r);
    }
    if (reps.empty())
        return hy_fail(err, "Google Benchmark ran nothing (was --benchmark_list_tests given?)");
    if ((int)reps.size() != o->repetitions)
        return hy_fail(err, "Google Benchmark reported %zu repetitions, %d were asked for",
                       reps.size(), o->repetitions);
    if (hy_timing_alloc(out, "google-benchmark", o->repetitions, job->manual, o->evict != nullptr,
                        o, err))
        return -1;
    for (size_t k = 0; k < reps.size(); k++) {
        const auto &r = *reps[k];
        int idx = (r.repetition_index >= 0 && r.repetition_index < o->repetitions)
                      ? (int)r.repetition_index
                      : (int)k;
        double iters = r.iterations > 0 ? (double)r.iterations : 1.0;
        out->iterations[idx] = (int64_t)r.iterations;
        // With UseManualTime, real_accumulated_time holds the manual time.
        out->seconds[idx] = r.real_accumulated_time / iters;
        out->cpu_seconds[idx] = r.cpu_accumulated_time / iters;
        for (int c = 0; c < o->ncounters; c++) {
            auto it = r.counters.find(o->counters[c].name);
            if (it == r.counters.end()) {
                hy_timing_free(out);
                return hy_fail(err, "Google Benchmark dropped counter %s", o->counters[c].name);
            }
            out->counter_values[(size_t)idx * (size_t)o->ncounters + (size_t)c] = it->second.value;
        }
    }
    return 0;
}

} // namespace

extern "C" int hy_gbench_init(int argc, char **argv, hy_error *err)
{
    try {
        int n = argc;
        benchmark::Initialize(&n, argv);
        if (n > 1) return hy_fail(err, "Google Benchmark does not know the option %s", argv[1]);
        return 0;
    } catch (const std::exception &e) {
        return hy_fail(err, "Google Benchmark initialisation: %s", e.what());
    } catch (...) {
        return hy_fail(err, "Google Benchmark initialisation failed");
    }
}

extern "C" int hy_gbench_run(const char *name, hy_bench_fn fn, void *ctx,
                             const hy_timer_options *opts, int manual, hy_timing *out,
                             hy_error *err)
{
    Job job{fn, ctx, opts, manual, false, hy_error{}};
    try {
        return run_registered(name, &job, out, err);
    } catch (const std::exception &e) {
        benchmark::ClearRegisteredBenchmarks();
        hy_timing_free(out);
        return hy_fail(err, "Google Benchmark: %s", e.what());
    } catch (...) {
        benchmark::ClearRegisteredBenchmarks();
        hy_timing_free(out);
        return hy_fail(err, "Google Benchmark failed");
    }
}

extern "C" const char *hy_gbench_version(void)
{
    return HYBENCH_GBENCH_VERSION;
}
