/* hy_safetensors.c — reading (validated, memory-mapped) and writing of
 * single safetensors files.  Sharded directories: hy_safetensors_set.c.
 *
 * Validation follows the format's reference implementation (the Rust
 * `safetensors` crate) where it is stricter than "does not crash": header
 * at most 100 MB, header a JSON object, known dtypes, shape product times
 * dtype size equal to the byte range, ranges inside the data section and
 * not overlapping, no repeated names.  Gaps between tensors are allowed. */
#include "hy_safetensors.h"
#include "hy_file_io.h"
#include "hy_json.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define HY_ST_MAX_HEADER 100000000u /* as the reference implementation */

struct hy_st_file {
    hy_st_tensor *tensors; /* header order */
    size_t count;
    size_t *by_name; /* indices into tensors, sorted by name */
    char *names;     /* every name, NUL-separated */
    void *map;       /* the mapping of hy_st_open; NULL for buffers */
    size_t map_len;
};

/* ---- dtypes ------------------------------------------------------------ */

static const char *file_dtype_name(hy_dtype t)
{
    switch (t) {
    case HY_F32: return "F32";
    case HY_F16: return "F16";
    case HY_BF16: return "BF16";
    }
    return "?";
}

/* 0: supported; 1: a valid safetensors dtype hybench does not read;
 * -1: not a safetensors dtype at all. */
static int classify_dtype(const char *s, hy_dtype *out)
{
    static const char *const unsupported[] = {
        "BOOL", "U8",  "I8",  "F8_E5M2", "F8_E4M3", "F8_E8M0", "I16",     "U16",     "I32",
        "U32",  "F64", "I64", "U64",     "F4",      "C64",     "F6_E2M3", "F6_E3M2",
    };
    for (int t = HY_F32; t <= HY_BF16; t++)
        if (strcmp(s, file_dtype_name((hy_dtype)t)) == 0) {
            *out = (hy_dtype)t;
            return 0;
        }
    for (size_t i = 0; i < sizeof unsupported / sizeof unsupported[0]; i++)
        if (strcmp(s, unsupported[i]) == 0) return 1;
    return -1;
}

static int host_is_little_endian(void)
{
    const uint16_t one = 1;
    unsigned char b;
    memcpy(&b, &one, 1);
    return b == 1;
}

/* ---- small helpers ------------------------------------------------------ */

static uint64_t load_le64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = (v << 8) | p[i];
    return v;
}

/* a * b into *out; -1 on int64 overflow (a, b >= 0). */
static int mul_nonneg(int64_t a, int64_t b, int64_t *out)
{
    if (a != 0 && b > INT64_MAX / a) return -1;
    *out = a * b;
    return 0;
}

static void format_shape(const int64_t *shape, int ndim, char *buf, size_t cap)
{
    size_t n = (size_t)snprintf(buf, cap, "[");
    for (int d = 0; d < ndim && n < cap; d++)
        n += (size_t)snprintf(buf + n, cap - n, "%s%lld", d ? ", " : "", (long long)shape[d]);
    if (n < cap) snprintf(buf + n, cap - n, "]");
}

/* ---- header validation -------------------------------------------------- */

typedef struct byte_range {
    uint64_t begin, end;
    size_t index;
} byte_range;

static int compare_ranges(const void *a, const void *b)
{
    const byte_range *x = a, *y = b;
    if (x->begin != y->begin) return x->begin < y->begin ? -1 : 1;
    if (x->end != y->end) return x->end < y->end ? -1 : 1;
    return 0;
}

typedef struct named_index {
    const char *name;
    size_t index;
} named_index;

static int compare_by_name(const void *a, const void *b)
{
    const named_index *x = a, *y = b;
    return strcmp(x->name, y->name);
}

static int check_metadata(const hy_json *meta, hy_error *err)
{
    if (meta->type != HY_JSON_OBJECT)
        return hy_fail(err, "\"__metadata__\" must be an object of strings, found %s",
                       hy_json_type_name(meta->type));
    for (size_t i = 0; i < meta->count; i++)
        if (meta->items[i].type != HY_JSON_STRING)
            return hy_fail(err, "\"__metadata__\" value \"%.80s\" must be a string, found %s",
                           meta->keys[i], hy_json_type_name(meta->items[i].type));
    return 0;
}

/* Reads a non-negative JSON integer. */
static int nonneg_integer(const hy_json *v, int64_t *out)
{
    if (v->type != HY_JSON_NUMBER || !v->is_integer || v->integer < 0) return -1;
    *out = v->integer;
    return 0;
}

/* Fills t (except name) from one header entry; range gets its bytes. */
static int parse_entry(const char *name, const hy_json *e, const unsigned char *data,
                       size_t data_size, hy_st_tensor *t, byte_range *range, hy_error *err)
{
    if (e->type != HY_JSON_OBJECT)
        return hy_fail(err, "tensor \"%.200s\": entry must be an object, found %s", name,
                       hy_json_type_name(e->type));
    const hy_json *dtype = hy_json_get(e, "dtype");
    const hy_json *shape = hy_json_get(e, "shape");
    const hy_json *offsets = hy_json_get(e, "data_offsets");
    if (!dtype || dtype->type != HY_JSON_STRING)
        return hy_fail(err, "tensor \"%.200s\": \"dtype\" %s", name,
                       dtype ? "must be a string" : "is missing");
    int kind = classify_dtype(dtype->string, &t->dtype);
    if (kind > 0)
        return hy_fail(err, "tensor \"%.200s\": unsupported dtype %s (hybench reads F32, F16 and BF16)",
                       name, dtype->string);
    if (kind < 0)
        return hy_fail(err, "tensor \"%.200s\": unknown dtype \"%.40s\"", name, dtype->string);

    if (!shape || shape->type != HY_JSON_ARRAY)
        return hy_fail(err, "tensor \"%.200s\": \"shape\" %s", name,
                       shape ? "must be an array of non-negative integers" : "is missing");
    if (shape->count > HY_ST_MAX_DIMS)
        return hy_fail(err, "tensor \"%.200s\": shape has %zu dimensions, at most %d supported",
                       name, shape->count, HY_ST_MAX_DIMS);
    t->ndim = (int)shape->count;
    t->numel = 1;
    for (int d = 0; d < t->ndim; d++) {
        if (nonneg_integer(&shape->items[d], &t->shape[d]) != 0)
            return hy_fail(err, "tensor \"%.200s\": \"shape\" must be an array of non-negative integers",
                           name);
        if (mul_nonneg(t->numel, t->shape[d], &t->numel) != 0)
            return hy_fail(err, "tensor \"%.200s\": shape element count overflows", name);
    }
    int64_t nbytes;
    if (mul_nonneg(t->numel, (int64_t)hy_dtype_size(t->dtype), &nbytes) != 0)
        return hy_fail(err, "tensor \"%.200s\": shape byte size overflows", name);

    int64_t begin, end;
    if (!offsets || offsets->type != HY_JSON_ARRAY || offsets->count != 2 ||
        nonneg_integer(&offsets->items[0], &begin) != 0 ||
        nonneg_integer(&offsets->items[1], &end) != 0)
        return hy_fail(err, "tensor \"%.200s\": \"data_offsets\" %s", name,
                       offsets ? "must be [begin, end], two non-negative integers" : "is missing");
    if (begin > end)
        return hy_fail(err, "tensor \"%.200s\": data_offsets [%lld, %lld]: begin > end", name,
                       (long long)begin, (long long)end);
    if ((uint64_t)end > data_size)
        return hy_fail(err,
                       "tensor \"%.200s\": data_offsets [%lld, %lld] out of range: the data section "
                       "has %zu bytes",
                       name, (long long)begin, (long long)end, data_size);
    if (end - begin != nbytes) {
        char dims[160];
        format_shape(t->shape, t->ndim, dims, sizeof dims);
        return hy_fail(err,
                       "tensor \"%.200s\": data_offsets [%lld, %lld] hold %lld bytes but shape %s of "
                       "%s needs %lld",
                       name, (long long)begin, (long long)end, (long long)(end - begin), dims,
                       dtype->string, (long long)nbytes);
    }
    t->data = data + begin;
    t->nbytes = (size_t)nbytes;
    t->aligned = (uintptr_t)t->data % hy_dtype_size(t->dtype) == 0;
    range->begin = (uint64_t)begin;
    range->end = (uint64_t)end;
    return 0;
}

/* Rejects repeated names and overlapping byte ranges; builds by_name. */
static int check_names_and_ranges(hy_st_file *f, byte_range *ranges, hy_error *err)
{
    named_index *sorted = malloc((f->count ? f->count : 1) * sizeof *sorted);
    if (!sorted) return hy_fail(err, "out of memory");
    for (size_t i = 0; i < f->count; i++) sorted[i] = (named_index){f->tensors[i].name, i};
    qsort(sorted, f->count, sizeof *sorted, compare_by_name);
    for (size_t i = 0; i < f->count; i++) {
        if (i > 0 && strcmp(sorted[i - 1].name, sorted[i].name) == 0) {
            hy_fail(err, "duplicate tensor name \"%.200s\"", sorted[i].name);
            free(sorted);
            return -1;
        }
        f->by_name[i] = sorted[i].index;
    }
    free(sorted);

    qsort(ranges, f->count, sizeof *ranges, compare_ranges);
    uint64_t covered = 0; /* furthest end so far */
    size_t owner = 0;     /* the tensor reaching it */
    for (size_t i = 0; i < f->count; i++) {
        if (ranges[i].begin < covered && ranges[i].end > ranges[i].begin)
            return hy_fail(err, "tensors \"%.200s\" and \"%.200s\" have overlapping data_offsets",
                           f->tensors[owner].name, f->tensors[ranges[i].index].name);
        if (ranges[i].end > covered) {
            covered = ranges[i].end;
            owner = ranges[i].index;
        }
    }
    return 0;
}

static void free_file(hy_st_file *f)
{
    if (!f) return;
    if (f->map) munmap(f->map, f->map_len);
    free(f->tensors);
    free(f->by_name);
    free(f->names);
    free(f);
}

/* Validates buf[0..len) and builds f's tensor table. */
static int parse_file(const unsigned char *buf, size_t len, hy_st_file *f, hy_error *err)
{
    if (len < 8)
        return hy_fail(err, "file is %zu bytes, shorter than the 8-byte header length", len);
    uint64_t header_len = load_le64(buf);
    if (header_len > len - 8)
        return hy_fail(err, "header length %llu past the end of the file (%zu bytes)",
                       (unsigned long long)header_len, len);
    if (header_len > HY_ST_MAX_HEADER)
        return hy_fail(err, "header length %llu above the %u-byte limit",
                       (unsigned long long)header_len, HY_ST_MAX_HEADER);
    hy_json *root;
    if (hy_json_parse((const char *)buf + 8, (size_t)header_len, &root, err) != 0)
        return hy_fail_prefix(err, "malformed header JSON");
    int rc = -1;
    byte_range *ranges = NULL;
    if (root->type != HY_JSON_OBJECT) {
        hy_fail(err, "header must be a JSON object, found %s", hy_json_type_name(root->type));
        goto done;
    }
    const unsigned char *data = buf + 8 + header_len;
    size_t data_size = len - 8 - (size_t)header_len;

    size_t names_size = 0, metadata_seen = 0;
    for (size_t i = 0; i < root->count; i++) {
        if (strcmp(root->keys[i], "__metadata__") == 0) continue;
        f->count++;
        names_size += strlen(root->keys[i]) + 1;
    }
    f->tensors = calloc(f->count ? f->count : 1, sizeof *f->tensors);
    f->by_name = calloc(f->count ? f->count : 1, sizeof *f->by_name);
    f->names = malloc(names_size ? names_size : 1);
    ranges = calloc(f->count ? f->count : 1, sizeof *ranges);
    if (!f->tensors || !f->by_name || !f->names || !ranges) {
        hy_fail(err, "out of memory");
        goto done;
    }

    size_t k = 0;
    char *name_at = f->names;
    for (size_t i = 0; i < root->count; i++) {
        const char *key = root->keys[i];
        if (strcmp(key, "__metadata__") == 0) {
            if (metadata_seen++) {
                hy_fail(err, "\"__metadata__\" appears twice");
                goto done;
            }
            if (check_metadata(&root->items[i], err) != 0) goto done;
            continue;
        }
        hy_st_tensor *t = &f->tensors[k];
        size_t n = strlen(key) + 1;
        memcpy(name_at, key, n);
        t->name = name_at;
        name_at += n;
        ranges[k].index = k;
        if (parse_entry(key, &root->items[i], data, data_size, t, &ranges[k], err) != 0) goto done;
        k++;
    }
    rc = check_names_and_ranges(f, ranges, err);
done:
    free(ranges);
    hy_json_free(root);
    return rc;
}

/* ---- opening ----------------------------------------------------------- */

int hy_st_open_buffer(const void *buf, size_t len, hy_st_file **out, hy_error *err)
{
    *out = NULL;
    if (!buf && len > 0) return hy_fail(err, "buffer is NULL");
    hy_st_file *f = calloc(1, sizeof *f);
    if (!f) return hy_fail(err, "out of memory");
    if (parse_file(buf, len, f, err) != 0) {
        free_file(f);
        return -1;
    }
    *out = f;
    return 0;
}

int hy_st_open(const char *path, hy_st_file **out, hy_error *err)
{
    *out = NULL;
    if (!path) return hy_fail(err, "no file name given");
    /* O_NONBLOCK: opening a FIFO must not hang (it is refused below). */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) return hy_fail(err, "%s: cannot open: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        return hy_fail(err, "%s: cannot stat: %s", path, strerror(e));
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return hy_fail(err, "%s: %s, expected a safetensors file", path,
                       S_ISDIR(st.st_mode) ? "is a directory" : "not a regular file");
    }
    if (st.st_size < 8) {
        close(fd);
        return hy_fail(err, "%s: file is %lld bytes, shorter than the 8-byte header length", path,
                       (long long)st.st_size);
    }
    if ((uint64_t)st.st_size > SIZE_MAX) {
        close(fd);
        return hy_fail(err, "%s: too large to map on this machine", path);
    }
    size_t len = (size_t)st.st_size;
    void *map = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
    int map_errno = errno;
    close(fd);
    if (map == MAP_FAILED) return hy_fail(err, "%s: mmap failed: %s", path, strerror(map_errno));

    hy_st_file *f = calloc(1, sizeof *f);
    if (!f) {
        munmap(map, len);
        return hy_fail(err, "out of memory");
    }
    f->map = map;
    f->map_len = len;
    if (parse_file(map, len, f, err) != 0) {
        free_file(f);
        return hy_fail_prefix(err, "%s", path);
    }
    *out = f;
    return 0;
}

size_t hy_st_count(const hy_st_file *f)
{
    return f ? f->count : 0;
}

const hy_st_tensor *hy_st_at(const hy_st_file *f, size_t i)
{
    return f && i < f->count ? &f->tensors[i] : NULL;
}

const hy_st_tensor *hy_st_find(const hy_st_file *f, const char *name)
{
    if (!f || !name) return NULL;
    size_t lo = 0, hi = f->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const hy_st_tensor *t = &f->tensors[f->by_name[mid]];
        int c = strcmp(name, t->name);
        if (c == 0) return t;
        if (c < 0) hi = mid;
        else lo = mid + 1;
    }
    return NULL;
}

void hy_st_close(hy_st_file *f)
{
    free_file(f);
}

/* ---- conversion -------------------------------------------------------- */

void hy_st_to_f32(const hy_st_tensor *t, float *dst)
{
    const unsigned char *p = t->data;
    size_t n = (size_t)t->numel;
    switch (t->dtype) {
    case HY_F32:
        for (size_t i = 0; i < n; i++, p += 4) {
            uint32_t u = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
                         (uint32_t)p[3] << 24;
            memcpy(&dst[i], &u, 4);
        }
        break;
    case HY_F16:
        for (size_t i = 0; i < n; i++, p += 2)
            dst[i] = hy_f16_to_f32((uint16_t)(p[0] | p[1] << 8));
        break;
    case HY_BF16:
        for (size_t i = 0; i < n; i++, p += 2)
            dst[i] = hy_bf16_to_f32((uint16_t)(p[0] | p[1] << 8));
        break;
    }
}

/* ---- writing ----------------------------------------------------------- */

static int compare_entry_names(const void *a, const void *b)
{
    const hy_st_entry *const *x = a, *const *y = b;
    return strcmp((*x)->name, (*y)->name);
}

/* Checks the entries and computes each one's byte size. */
static int check_entries(const hy_st_entry *entries, size_t n, size_t *sizes, hy_error *err)
{
    for (size_t i = 0; i < n; i++) {
        const hy_st_entry *e = &entries[i];
        if (!e->name) return hy_fail(err, "entry %zu has no name", i);
        if (strcmp(e->name, "__metadata__") == 0)
            return hy_fail(err, "\"__metadata__\" is not a valid tensor name");
        if (e->dtype != HY_F32 && e->dtype != HY_F16 && e->dtype != HY_BF16)
            return hy_fail(err, "tensor \"%.200s\": invalid dtype %d", e->name, (int)e->dtype);
        if (e->ndim < 0 || e->ndim > HY_ST_MAX_DIMS)
            return hy_fail(err, "tensor \"%.200s\": %d dimensions, at most %d supported", e->name,
                           e->ndim, HY_ST_MAX_DIMS);
        int64_t numel = 1;
        for (int d = 0; d < e->ndim; d++) {
            if (e->shape[d] < 0)
                return hy_fail(err, "tensor \"%.200s\": negative dimension %lld", e->name,
                               (long long)e->shape[d]);
            if (mul_nonneg(numel, e->shape[d], &numel) != 0)
                return hy_fail(err, "tensor \"%.200s\": element count overflows", e->name);
        }
        int64_t bytes;
        if (mul_nonneg(numel, (int64_t)hy_dtype_size(e->dtype), &bytes) != 0 ||
            (uint64_t)bytes > SIZE_MAX)
            return hy_fail(err, "tensor \"%.200s\": byte size overflows", e->name);
        if (bytes > 0 && !e->data) return hy_fail(err, "tensor \"%.200s\": data is NULL", e->name);
        sizes[i] = (size_t)bytes;
    }
    const hy_st_entry **sorted = malloc((n ? n : 1) * sizeof *sorted);
    if (!sorted) return hy_fail(err, "out of memory");
    for (size_t i = 0; i < n; i++) sorted[i] = &entries[i];
    qsort(sorted, n, sizeof *sorted, compare_entry_names);
    for (size_t i = 1; i < n; i++)
        if (strcmp(sorted[i - 1]->name, sorted[i]->name) == 0) {
            hy_fail(err, "duplicate tensor name \"%.200s\"", sorted[i]->name);
            free(sorted);
            return -1;
        }
    free(sorted);
    return 0;
}

/* The header JSON, padded with spaces to a multiple of 8 bytes. */
static int build_header(const hy_st_entry *entries, size_t n, const size_t *sizes, hy_strbuf *b,
                        hy_error *err)
{
    hy_strbuf_printf(b, "{\"__metadata__\":{\"format\":\"pt\"}");
    uint64_t offset = 0;
    for (size_t i = 0; i < n; i++) {
        const hy_st_entry *e = &entries[i];
        hy_strbuf_printf(b, ",");
        hy_strbuf_json_string(b, e->name);
        hy_strbuf_printf(b, ":{\"dtype\":\"%s\",\"shape\":[", file_dtype_name(e->dtype));
        for (int d = 0; d < e->ndim; d++)
            hy_strbuf_printf(b, "%s%lld", d ? "," : "", (long long)e->shape[d]);
        hy_strbuf_printf(b, "],\"data_offsets\":[%llu,%llu]}", (unsigned long long)offset,
                         (unsigned long long)(offset + sizes[i]));
        offset += sizes[i];
    }
    hy_strbuf_printf(b, "}");
    while (!b->failed && b->len % 8 != 0) hy_strbuf_printf(b, " ");
    if (b->failed) return hy_fail(err, "out of memory");
    /* Names come from callers: make sure the result reads back (a name
     * that is not valid UTF-8 would give a header no reader accepts). */
    hy_json *check;
    if (hy_json_parse(b->data, b->len, &check, err) != 0)
        return hy_fail_prefix(err, "tensor names must be valid UTF-8 without NUL bytes");
    hy_json_free(check);
    return 0;
}

/* Writes one tensor's values little-endian. */
static int write_data(hy_atomic_file *af, const hy_st_entry *e, size_t bytes, hy_error *err)
{
    if (host_is_little_endian()) return hy_atomic_write(af, e->data, bytes, err);
    const size_t width = hy_dtype_size(e->dtype);
    unsigned char chunk[1 << 16];
    const unsigned char *src = e->data;
    while (bytes > 0) {
        size_t n = bytes < sizeof chunk ? bytes : sizeof chunk;
        for (size_t i = 0; i < n; i += width)
            for (size_t j = 0; j < width; j++) chunk[i + j] = src[i + width - 1 - j];
        if (hy_atomic_write(af, chunk, n, err) != 0) return -1;
        src += n;
        bytes -= n;
    }
    return 0;
}

int hy_st_write(const char *path, const hy_st_entry *entries, size_t n, hy_error *err)
{
    if (n > 0 && !entries) return hy_fail(err, "%s: entries is NULL", path ? path : "?");
    size_t *sizes = malloc((n ? n : 1) * sizeof *sizes);
    if (!sizes) return hy_fail(err, "out of memory");
    hy_strbuf header = {0};
    hy_atomic_file af;
    int rc = -1;
    if (check_entries(entries, n, sizes, err) != 0 ||
        build_header(entries, n, sizes, &header, err) != 0) {
        hy_fail_prefix(err, "%s", path ? path : "?");
        goto done;
    }
    if (hy_atomic_begin(&af, path, err) != 0) goto done;
    unsigned char len_bytes[8];
    for (int i = 0; i < 8; i++) len_bytes[i] = (unsigned char)((uint64_t)header.len >> (8 * i));
    if (hy_atomic_write(&af, len_bytes, 8, err) != 0) goto done;
    if (hy_atomic_write(&af, header.data, header.len, err) != 0) goto done;
    for (size_t i = 0; i < n; i++)
        if (write_data(&af, &entries[i], sizes[i], err) != 0) goto done;
    rc = hy_atomic_commit(&af, err);
done:
    hy_strbuf_free(&header);
    free(sizes);
    return rc;
}
