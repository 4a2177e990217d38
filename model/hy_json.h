/* hy_json.h — a small, strict JSON parser (RFC 8259) and writer.
 * Used for config.json, safetensors headers, shard indexes and results
 * files.  The parser never reads past `len`, rejects trailing garbage,
 * limits nesting depth, and reports errors as "line L, column C: ...". */
#ifndef HY_JSON_H
#define HY_JSON_H

#include "hy_common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum hy_json_type {
    HY_JSON_NULL,
    HY_JSON_BOOL,
    HY_JSON_NUMBER,
    HY_JSON_STRING,
    HY_JSON_ARRAY,
    HY_JSON_OBJECT,
} hy_json_type;

typedef struct hy_json hy_json;
struct hy_json {
    hy_json_type type;
    int boolean;        /* BOOL                                              */
    double number;      /* NUMBER                                            */
    int is_integer;     /* NUMBER written without fraction/exponent, fits int64 */
    int64_t integer;    /* NUMBER, valid when is_integer                     */
    char *string;       /* STRING, NUL-terminated (decoded UTF-8); len bytes  */
    size_t len;
    size_t count;       /* ARRAY / OBJECT: number of members                 */
    hy_json *items;     /* ARRAY / OBJECT: members in file order             */
    char **keys;        /* OBJECT: key of each member                        */
};

int hy_json_parse(const char *text, size_t len, hy_json **out, hy_error *err);
void hy_json_free(hy_json *v);
/* Object member by key (the first, if repeated); NULL when absent or when
 * obj is not an object. */
const hy_json *hy_json_get(const hy_json *obj, const char *key);
const char *hy_json_type_name(hy_json_type t);

/* Reads a whole file into a NUL-terminated buffer (caller frees). */
int hy_read_file(const char *path, char **data, size_t *len, hy_error *err);
/* Writes a file atomically: to "<path>.tmp.<pid>", fsync, rename. */
int hy_write_file_atomic(const char *path, const void *data, size_t len, hy_error *err);

/* A growing text buffer for writing JSON. */
typedef struct hy_strbuf {
    char *data;
    size_t len, cap;
    int failed; /* an allocation failed; contents are incomplete */
} hy_strbuf;
void hy_strbuf_printf(hy_strbuf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
void hy_strbuf_json_string(hy_strbuf *b, const char *s); /* quoted and escaped */
void hy_strbuf_free(hy_strbuf *b);

#ifdef __cplusplus
}
#endif
#endif
