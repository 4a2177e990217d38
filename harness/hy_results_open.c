/* hy_results_open.c — see hy_results_open.h. */
#include "hy_results_open.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/* results/runs/<command>-YYYYmmdd-HHMMSS.json, creating the folders. */
static void default_path(const char *command_name, char *buf, size_t len)
{
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    mkdir("results", 0777);
    mkdir("results/runs", 0777);
    char stamp[32];
    strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
    snprintf(buf, len, "results/runs/%s-%s.json", command_name, stamp);
}

int hy_results_open_for_run(const hy_results_open_args *a, hy_results **out, hy_error *err)
{
    char path[512], device[512] = "", command[2048] = "hybench";
    if (a->resume) snprintf(path, sizeof path, "%s", a->resume);
    else if (a->out) snprintf(path, sizeof path, "%s", a->out);
    else default_path(a->command_name, path, sizeof path);
    if (a->backend->describe) a->backend->describe(device, sizeof device);
    for (int i = 0; i < a->argc; i++) {
        size_t l = strlen(command);
        snprintf(command + l, sizeof command - l, " %s", a->argv[i]);
    }
    hy_results_info info = {.executable = "hybench", .command = command,
                            .backends = a->backend->name, .device = device,
                            .ceilings_json = a->ceilings_json, .papi_status = a->papi_status,
                            .topology_json = a->topology_json};
    return a->resume ? hy_results_open_resume(out, path, &info, err)
                     : hy_results_open(out, path, &info, err);
}
