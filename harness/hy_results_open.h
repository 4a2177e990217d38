/* hy_results_open.h — opening the results file of a measuring command
 * (bench, sweep): --resume FILE, --out FILE, or a dated default under
 * results/runs/, with the run's context (command line, backend, device,
 * ceilings, PAPI status, topology) filled the same way for every command. */
#ifndef HY_RESULTS_OPEN_H
#define HY_RESULTS_OPEN_H

#include "backend.h"
#include "hy_results.h"

typedef struct hy_results_open_args {
    const char *command_name;  /* "bench", "sweep": names the default file  */
    const char *resume;        /* --resume FILE or NULL                      */
    const char *out;           /* --out FILE or NULL                         */
    int argc;                  /* the command's arguments, for the record    */
    char **argv;
    const hy_backend *backend;
    const char *ceilings_json; /* raw JSON of the ceilings in force          */
    const char *papi_status;
    const char *topology_json;
} hy_results_open_args;

/* Opens (or, with resume, reopens) the results file; 0 or -1 with err. */
int hy_results_open_for_run(const hy_results_open_args *a, hy_results **out, hy_error *err);

#endif
