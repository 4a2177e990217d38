/* hy_cli.h — the `hybench` commands and the small option parser they share.
 *
 * Every command is `int hy_cmd_<name>(int argc, char **argv)` where argv[0]
 * is the command name and the rest are its options.  It returns the
 * process exit status:
 *   0  success
 *   1  a runtime failure (a file that does not load, a failed validation)
 *   2  a usage error (unknown option, missing or malformed value)
 * and reports every error as one line "hybench: <command>: <message>" on
 * stderr.  Options are `--key value` or `--key=value`; flags take no value.
 * Nothing here calls exit(). */
#ifndef HY_CLI_H
#define HY_CLI_H

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HY_EXIT_OK 0
#define HY_EXIT_FAIL 1
#define HY_EXIT_USAGE 2

int hy_cmd_info(int argc, char **argv);
int hy_cmd_validate(int argc, char **argv);
int hy_cmd_make_model(int argc, char **argv);
int hy_cmd_forward(int argc, char **argv);
int hy_cmd_memory(int argc, char **argv);

/* One option a command accepts.  The parser fills `value` and `present`. */
typedef struct hy_opt {
    const char *name;  /* without the dashes: "backend" matches --backend */
    int takes_value;   /* 1: --name VALUE or --name=VALUE; 0: a flag       */
    const char *value; /* out: the value given (NULL for flags / absent)   */
    int present;       /* out: 1 when the option was given                 */
} hy_opt;

/* Prints "hybench: <cmd>: <message>" on stderr. */
static inline void hy_cli_error(const char *cmd, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
static inline void hy_cli_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "hybench: %s: ", cmd);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

/* Parses argv[1..argc-1] against opts[0..n-1].  `--help` and `-h` set
 * *help and stop parsing.  Returns 0, or HY_EXIT_USAGE after printing the
 * reason (unknown option, positional argument, missing value, value given
 * to a flag, option given twice). */
static inline int hy_cli_parse(int argc, char **argv, hy_opt *opts, size_t n, int *help)
{
    const char *cmd = argc > 0 ? argv[0] : "?";
    *help = 0;
    for (size_t i = 0; i < n; i++) {
        opts[i].value = NULL;
        opts[i].present = 0;
    }
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            *help = 1;
            return 0;
        }
        if (strncmp(arg, "--", 2) != 0 || arg[2] == 0) {
            hy_cli_error(cmd, "unexpected argument '%s' (options are --key value; see --help)", arg);
            return HY_EXIT_USAGE;
        }
        const char *key = arg + 2;
        const char *eq = strchr(key, '=');
        size_t key_len = eq ? (size_t)(eq - key) : strlen(key);
        hy_opt *o = NULL;
        for (size_t j = 0; j < n; j++)
            if (strlen(opts[j].name) == key_len && strncmp(opts[j].name, key, key_len) == 0)
                o = &opts[j];
        if (!o) {
            hy_cli_error(cmd, "unknown option '--%.*s' (see hybench %s --help)", (int)key_len, key,
                         cmd);
            return HY_EXIT_USAGE;
        }
        if (o->present) {
            hy_cli_error(cmd, "option --%s given twice", o->name);
            return HY_EXIT_USAGE;
        }
        o->present = 1;
        if (!o->takes_value) {
            if (eq) {
                hy_cli_error(cmd, "option --%s takes no value", o->name);
                return HY_EXIT_USAGE;
            }
            continue;
        }
        if (eq) {
            o->value = eq + 1;
        } else {
            if (i + 1 >= argc) {
                hy_cli_error(cmd, "option --%s needs a value", o->name);
                return HY_EXIT_USAGE;
            }
            o->value = argv[++i];
        }
        if (o->value[0] == 0) {
            hy_cli_error(cmd, "option --%s needs a non-empty value", o->name);
            return HY_EXIT_USAGE;
        }
    }
    return 0;
}

/* The option named `name` in opts (NULL if the command has none). */
static inline const hy_opt *hy_cli_opt(const hy_opt *opts, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(opts[i].name, name) == 0) return &opts[i];
    return NULL;
}

/* Strict decimal integer in [min, max]: no sign unless min < 0, no spaces,
 * no trailing characters.  Returns 0, or -1 after printing
 * "hybench: <cmd>: --<what> ...". */
static inline int hy_cli_int64(const char *cmd, const char *what, const char *s, int64_t min,
                               int64_t max, int64_t *out)
{
    const char *p = s;
    if (*p == '-' && min >= 0) {
        hy_cli_error(cmd, "--%s: '%s' is negative; it must be >= %" PRId64, what, s, min);
        return -1;
    }
    if (*p == '-') p++;
    if (*p < '0' || *p > '9') {
        hy_cli_error(cmd, "--%s: '%s' is not an integer", what, s);
        return -1;
    }
    for (const char *q = p; *q; q++)
        if (*q < '0' || *q > '9') {
            hy_cli_error(cmd, "--%s: '%s' is not an integer", what, s);
            return -1;
        }
    errno = 0;
    char *end = NULL;
    long long v = strtoll(s, &end, 10);
    if (errno == ERANGE || v < min || v > max) {
        hy_cli_error(cmd, "--%s: %s is out of range [%" PRId64 ", %" PRId64 "]", what, s, min, max);
        return -1;
    }
    *out = (int64_t)v;
    return 0;
}

/* Strict unsigned 64-bit decimal (for seeds). */
static inline int hy_cli_uint64(const char *cmd, const char *what, const char *s, uint64_t *out)
{
    for (const char *q = s; *q; q++)
        if (*q < '0' || *q > '9') {
            hy_cli_error(cmd, "--%s: '%s' is not a non-negative integer", what, s);
            return -1;
        }
    errno = 0;
    unsigned long long v = strtoull(s, NULL, 10);
    if (s[0] == 0 || errno == ERANGE) {
        hy_cli_error(cmd, "--%s: '%s' is not a 64-bit unsigned integer", what, s);
        return -1;
    }
    *out = (uint64_t)v;
    return 0;
}

#endif
