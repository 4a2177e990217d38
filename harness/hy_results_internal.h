/* hy_results_internal.h — pieces shared by hy_results*.c; not an API. */
#ifndef HY_RESULTS_INTERNAL_H
#define HY_RESULTS_INTERNAL_H

#include "hy_json.h"
#include "hy_results.h"

/* Writes a parsed JSON value, pretty-printed; nested lines start with
 * 2*indent spaces.  Integers stay integers; other numbers are written
 * as the shortest of %.15g..%.17g that round-trips; strings are escaped. */
void hy_results_write_value(hy_strbuf *b, const hy_json *v, int indent);

/* Writes a finite double as a JSON number (as above), "null" otherwise. */
void hy_results_write_number(hy_strbuf *b, double x);

/* Writes the "context" object (at indent level 1).  previous: the context
 * of the file being resumed, or NULL; carried: benchmarks kept from it. */
int hy_results_write_context(hy_strbuf *b, const hy_results_info *info, const hy_json *previous,
                             size_t carried, hy_error *err);

#endif
