/* test_safetensors.c — safetensors reading, writing and sharded sets
 * (model/hy_safetensors.h), on good files and on every kind of bad one. */
#include "hy_json.h"
#include "hy_safetensors.h"
#include "hy_test.h"

#include <dirent.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static hy_error err;
static char tmpdir[1024];

/* ---- helpers ------------------------------------------------------------ */

/* A safetensors image: 8-byte little-endian header length, the header text,
 * then data_len bytes of data.  Exactly sized, so ASan sees over-reads. */
static unsigned char *make_image(const char *header, const void *data, size_t data_len,
                                 size_t *len)
{
    size_t n = strlen(header);
    *len = 8 + n + data_len;
    unsigned char *buf = malloc(*len);
    for (int i = 0; i < 8; i++) buf[i] = (unsigned char)((uint64_t)n >> (8 * i));
    memcpy(buf + 8, header, n);
    if (data_len) memcpy(buf + 8 + n, data, data_len);
    return buf;
}

/* Opening `header` + data_len zero bytes must fail with `needle`. */
static void check_header_rejected(const char *header, size_t data_len, const char *needle,
                                  int line)
{
    unsigned char *zeros = calloc(1, data_len ? data_len : 1);
    size_t len;
    unsigned char *buf = make_image(header, zeros, data_len, &len);
    hy_st_file *f = (hy_st_file *)0x1;
    err.msg[0] = 0;
    int rc = hy_st_open_buffer(buf, len, &f, &err);
    int ok = rc != 0 && f == NULL && strstr(err.msg, needle) != NULL;
    if (ok) printf("  rejected as expected: %s\n", err.msg);
    else fprintf(stderr, "  header %s: rc %d, message \"%s\", wanted \"%s\"\n", header, rc, err.msg, needle);
    hy_test_record(ok, __FILE__, line, needle);
    if (rc == 0) hy_st_close(f);
    free(buf);
    free(zeros);
}
#define CHECK_HEADER_REJECTED(header, data_len, needle) \
    check_header_rejected(header, data_len, needle, __LINE__)

static void write_bytes(const char *path, const void *data, size_t len)
{
    CHECK_OK(hy_write_file_atomic(path, data, len, &err), &err);
}

/* Creates dir (under the test's scratch directory) and empties it. */
static const char *fresh_dir(const char *name)
{
    static char path[1200];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    mkdir(path, 0755);
    DIR *d = opendir(path);
    struct dirent *de;
    while (d && (de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.') continue;
        char file[1500];
        snprintf(file, sizeof file, "%s/%s", path, de->d_name);
        unlink(file);
    }
    if (d) closedir(d);
    return path;
}

static void path_in(char *out, size_t cap, const char *dir, const char *name)
{
    snprintf(out, cap, "%s/%s", dir, name);
}

/* ---- a file written by hand, byte by byte ------------------------------ */

/* a: F32 [2] = {1, -2}; b: BF16 [1, 2] = {1.5, -1}; c: F16 scalar 1.5;
 * d: F32 [0, 3] (empty).  Bit patterns computed by hand. */
static const char hand_header[] =
    "{\"__metadata__\":{\"format\":\"pt\",\"note\":\"hand made\"},"
    "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
    "\"b\":{\"dtype\":\"BF16\",\"shape\":[1,2],\"data_offsets\":[8,12]},"
    "\"c\":{\"dtype\":\"F16\",\"shape\":[],\"data_offsets\":[12,14]},"
    "\"d\":{\"dtype\":\"F32\",\"shape\":[0,3],\"data_offsets\":[14,14]}}";
static const unsigned char hand_data[14] = {
    0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x00, 0xc0, /* 1.0f, -2.0f */
    0xc0, 0x3f, 0x80, 0xbf,                         /* bf16 0x3fc0 = 1.5, 0xbf80 = -1 */
    0x00, 0x3e,                                     /* f16 0x3e00 = 1.5 */
};

static void check_hand_tensors(hy_st_file *f)
{
    CHECK(hy_st_count(f) == 4);
    const hy_st_tensor *a = hy_st_find(f, "a"), *b = hy_st_find(f, "b");
    const hy_st_tensor *c = hy_st_find(f, "c"), *d = hy_st_find(f, "d");
    CHECK(a && b && c && d);
    CHECK(hy_st_find(f, "e") == NULL && hy_st_find(f, "__metadata__") == NULL);
    if (!a || !b || !c || !d) return;
    CHECK(hy_st_at(f, 0) == a && hy_st_at(f, 1) == b && hy_st_at(f, 2) == c && hy_st_at(f, 3) == d);
    CHECK(hy_st_at(f, 4) == NULL);
    CHECK(strcmp(a->name, "a") == 0 && a->dtype == HY_F32 && a->ndim == 1 && a->shape[0] == 2 &&
          a->numel == 2 && a->nbytes == 8);
    CHECK(b->dtype == HY_BF16 && b->ndim == 2 && b->shape[0] == 1 && b->shape[1] == 2 &&
          b->numel == 2 && b->nbytes == 4);
    CHECK(c->dtype == HY_F16 && c->ndim == 0 && c->numel == 1 && c->nbytes == 2);
    CHECK(d->ndim == 2 && d->numel == 0 && d->nbytes == 0);
    CHECK((const unsigned char *)b->data - (const unsigned char *)a->data == 8);
    CHECK(a->aligned == ((uintptr_t)a->data % 4 == 0));
    CHECK(b->aligned == ((uintptr_t)b->data % 2 == 0));
    float v[2] = {0, 0};
    hy_st_to_f32(a, v);
    CHECK(v[0] == 1.0f && v[1] == -2.0f);
    hy_st_to_f32(b, v);
    CHECK(v[0] == 1.5f && v[1] == -1.0f);
    hy_st_to_f32(c, v);
    CHECK(v[0] == 1.5f);
    hy_st_to_f32(d, v); /* nothing to convert; must not touch memory */
}

static void test_hand_made(void)
{
    size_t len;
    unsigned char *img = make_image(hand_header, hand_data, sizeof hand_data, &len);
    hy_st_file *f = NULL;
    CHECK_OK(hy_st_open_buffer(img, len, &f, &err), &err);
    if (f) check_hand_tensors(f);
    hy_st_close(f);

    /* The same bytes at every misalignment: data is read correctly and the
     * aligned flag says whether direct loads would be safe. */
    int saw_unaligned = 0;
    for (size_t shift = 0; shift < 4; shift++) {
        unsigned char *room = malloc(len + shift);
        memcpy(room + shift, img, len);
        f = NULL;
        CHECK_OK(hy_st_open_buffer(room + shift, len, &f, &err), &err);
        if (f) {
            check_hand_tensors(f);
            if (!hy_st_find(f, "a")->aligned) saw_unaligned = 1;
        }
        hy_st_close(f);
        free(room);
    }
    CHECK(saw_unaligned);

    /* Through a real file and the memory map. */
    char path[1200];
    path_in(path, sizeof path, tmpdir, "hand.safetensors");
    write_bytes(path, img, len);
    f = NULL;
    CHECK_OK(hy_st_open(path, &f, &err), &err);
    if (f) check_hand_tensors(f);
    hy_st_close(f);
    free(img);

    /* An empty header and no data: a valid file with no tensors. */
    img = make_image("{}", NULL, 0, &len);
    f = NULL;
    CHECK_OK(hy_st_open_buffer(img, len, &f, &err), &err);
    CHECK(f && hy_st_count(f) == 0 && hy_st_at(f, 0) == NULL && hy_st_find(f, "a") == NULL);
    hy_st_close(f);
    path_in(path, sizeof path, tmpdir, "empty.safetensors");
    write_bytes(path, img, len);
    f = NULL;
    CHECK_OK(hy_st_open(path, &f, &err), &err);
    CHECK(f && hy_st_count(f) == 0);
    hy_st_close(f);
    free(img);

    /* Gaps between tensors and spaces padding the header are allowed. */
    const unsigned char gap_data[12] = {0, 0, 0, 0, 0, 0, 0x80, 0x3f, 0, 0, 0, 0};
    img = make_image("{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}   ", gap_data,
                     sizeof gap_data, &len);
    f = NULL;
    CHECK_OK(hy_st_open_buffer(img, len, &f, &err), &err);
    if (f && hy_st_count(f) == 1) {
        float x = 0;
        hy_st_to_f32(hy_st_at(f, 0), &x);
        CHECK(x == 1.0f);
    }
    hy_st_close(f);
    free(img);
}

/* ---- writing and reading back -------------------------------------------- */

static void test_round_trip(hy_dtype dtype)
{
    enum { R = 3, C = 5 };
    float w[R * C], bias[C], scalar = -0.75f;
    for (int i = 0; i < R * C; i++) w[i] = (float)sin(0.37 * i + 0.1) * (float)(1 + i);
    for (int i = 0; i < C; i++) bias[i] = 0.5f * (float)i - 1.0f; /* exact in every dtype */
    /* Stored values in the file's dtype. */
    uint16_t w16[R * C], bias16[C], scalar16;
    const void *wdata = w, *bdata = bias, *sdata = &scalar;
    if (dtype != HY_F32) {
        uint16_t (*enc)(float) = dtype == HY_F16 ? hy_f32_to_f16 : hy_f32_to_bf16;
        for (int i = 0; i < R * C; i++) w16[i] = enc(w[i]);
        for (int i = 0; i < C; i++) bias16[i] = enc(bias[i]);
        scalar16 = enc(scalar);
        wdata = w16;
        bdata = bias16;
        sdata = &scalar16;
    }
    const hy_st_entry fixed[] = {
        {.name = "layer.weight", .dtype = dtype, .ndim = 2, .shape = {R, C}, .data = wdata},
        {.name = "layer.bias", .dtype = dtype, .ndim = 1, .shape = {C}, .data = bdata},
        {.name = "scale \"quoted\"\n", .dtype = dtype, .ndim = 0, .data = sdata},
        {.name = "empty", .dtype = dtype, .ndim = 3, .shape = {4, 0, 2}, .data = NULL},
    };

    char path[1200], name[64];
    snprintf(name, sizeof name, "round-%s.safetensors", hy_dtype_name(dtype));
    path_in(path, sizeof path, tmpdir, name);
    CHECK_OK(hy_st_write(path, fixed, 4, &err), &err);

    hy_st_file *f = NULL;
    CHECK_OK(hy_st_open(path, &f, &err), &err);
    CHECK(f && hy_st_count(f) == 4);
    if (!f || hy_st_count(f) != 4) {
        hy_st_close(f);
        return;
    }
    size_t esize = hy_dtype_size(dtype);
    for (size_t i = 0; i < 4; i++) { /* file order is the given order */
        const hy_st_tensor *t = hy_st_at(f, i);
        CHECK(strcmp(t->name, fixed[i].name) == 0 && t->dtype == dtype && t->ndim == fixed[i].ndim);
        for (int d = 0; d < t->ndim; d++) CHECK(t->shape[d] == fixed[i].shape[d]);
        CHECK(t->aligned); /* header padded to 8, tensors contiguous */
    }
    const hy_st_tensor *tw = hy_st_find(f, "layer.weight");
    const hy_st_tensor *tb = hy_st_find(f, "layer.bias");
    const hy_st_tensor *ts = hy_st_find(f, "scale \"quoted\"\n");
    CHECK(tw && tb && ts && hy_st_find(f, "empty") && hy_st_find(f, "empty")->numel == 0);
    if (tw && tb && ts) {
        CHECK(tw->numel == R * C && tw->nbytes == R * C * esize && tb->nbytes == C * esize);
        /* contiguous data in the given order */
        CHECK((const char *)tb->data == (const char *)tw->data + tw->nbytes);
        CHECK((const char *)ts->data == (const char *)tb->data + tb->nbytes);
        float got[R * C];
        hy_st_to_f32(tw, got);
        int same = 1;
        for (int i = 0; i < R * C; i++) {
            float want = dtype == HY_F32 ? w[i]
                         : dtype == HY_F16 ? hy_f16_to_f32(w16[i]) : hy_bf16_to_f32(w16[i]);
            if (got[i] != want) same = 0;
            /* and close to the original within the dtype's rounding */
            CHECK_NEAR(got[i], w[i], fabs(w[i]) * hy_dtype_epsilon(dtype) + 1e-30);
        }
        CHECK(same);
        hy_st_to_f32(tb, got);
        for (int i = 0; i < C; i++) CHECK(got[i] == bias[i]);
        hy_st_to_f32(ts, got);
        CHECK(got[0] == -0.75f);
    }
    hy_st_close(f);

    /* The raw layout: header length a multiple of 8, padded with spaces,
     * metadata format "pt", offsets contiguous from 0. */
    char *raw;
    size_t len;
    CHECK_OK(hy_read_file(path, &raw, &len, &err), &err);
    uint64_t n = 0;
    for (int i = 7; i >= 0; i--) n = (n << 8) | (unsigned char)raw[i];
    CHECK(n % 8 == 0 && 8 + n + (R * C + C + 1) * esize == len);
    hy_json *h = NULL;
    CHECK_OK(hy_json_parse(raw + 8, (size_t)n, &h, &err), &err);
    const hy_json *meta = hy_json_get(h, "__metadata__");
    CHECK(meta && hy_json_get(meta, "format") &&
          strcmp(hy_json_get(meta, "format")->string, "pt") == 0);
    const hy_json *off = hy_json_get(hy_json_get(h, "layer.bias"), "data_offsets");
    CHECK(off && off->count == 2 && off->items[0].integer == (int64_t)(R * C * esize) &&
          off->items[1].integer == (int64_t)((R * C + C) * esize));
    const hy_json *dt = hy_json_get(hy_json_get(h, "layer.weight"), "dtype");
    CHECK(dt && strcmp(dt->string, dtype == HY_F32 ? "F32" : dtype == HY_F16 ? "F16" : "BF16") == 0);
    size_t last = 8 + (size_t)n - 1;
    CHECK(raw[last] == '}' || raw[last] == ' ');
    hy_json_free(h);
    free(raw);
}

static void test_write_errors(void)
{
    char path[1200];
    path_in(path, sizeof path, tmpdir, "bad-write.safetensors");
    unlink(path);
    float x[4] = {1, 2, 3, 4};
    hy_st_entry e[2] = {
        {.name = "a", .dtype = HY_F32, .ndim = 1, .shape = {2}, .data = x},
        {.name = "a", .dtype = HY_F32, .ndim = 1, .shape = {2}, .data = x + 2},
    };
    CHECK_FAILS(hy_st_write(path, e, 2, &err), &err, "duplicate tensor name \"a\"");
    e[1].name = "__metadata__";
    CHECK_FAILS(hy_st_write(path, e, 2, &err), &err, "not a valid tensor name");
    e[1].name = "b";
    e[1].shape[0] = -2;
    CHECK_FAILS(hy_st_write(path, e, 2, &err), &err, "negative dimension");
    e[1].shape[0] = 2;
    e[1].ndim = HY_ST_MAX_DIMS + 1;
    CHECK_FAILS(hy_st_write(path, e, 2, &err), &err, "at most 8");
    e[1].ndim = 1;
    e[1].data = NULL;
    CHECK_FAILS(hy_st_write(path, e, 2, &err), &err, "data is NULL");
    e[1].data = x;
    e[1].name = "bad\xFFutf8";
    CHECK_FAILS(hy_st_write(path, e, 2, &err), &err, "valid UTF-8");
    e[1].name = NULL;
    CHECK_FAILS(hy_st_write(path, e, 2, &err), &err, "has no name");
    e[1].name = "b";
    e[1].dtype = (hy_dtype)7;
    CHECK_FAILS(hy_st_write(path, e, 2, &err), &err, "invalid dtype");
    CHECK(access(path, F_OK) != 0); /* nothing was written */
    char missing[1300];
    snprintf(missing, sizeof missing, "%s/no-such-dir/x.safetensors", tmpdir);
    CHECK_FAILS(hy_st_write(missing, e, 1, &err), &err, "cannot create");
}

/* ---- hostile files -------------------------------------------------------- */

static void test_truncated(void)
{
    size_t len;
    unsigned char *img = make_image(hand_header, hand_data, sizeof hand_data, &len);
    size_t header_len = strlen(hand_header);
    const size_t cuts[] = {0, 1, 7, 8, 9, 8 + header_len / 2, 8 + header_len - 1, 8 + header_len,
                           8 + header_len + 5, len - 1};
    const char *needles[] = {"shorter than the 8-byte", "shorter than the 8-byte",
                             "shorter than the 8-byte", "past the end of the file",
                             "past the end of the file", "past the end of the file",
                             "past the end of the file", "out of range", "out of range",
                             "out of range"};
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        unsigned char *cut = malloc(cuts[i] ? cuts[i] : 1);
        memcpy(cut, img, cuts[i]);
        hy_st_file *f = NULL;
        CHECK_FAILS(hy_st_open_buffer(cut, cuts[i], &f, &err), &err, needles[i]);
        CHECK(f == NULL);
        free(cut);
        /* the same through a file */
        char path[1200];
        path_in(path, sizeof path, tmpdir, "truncated.safetensors");
        write_bytes(path, img, cuts[i]);
        CHECK_FAILS(hy_st_open(path, &f, &err), &err, needles[i]);
        CHECK(strstr(err.msg, "truncated.safetensors") != NULL); /* names the file */
    }
    free(img);
}

static void test_bad_headers(void)
{
    /* header length past the end, with the exact message */
    unsigned char img[16] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, '{', '}'};
    hy_st_file *f = NULL;
    CHECK_FAILS(hy_st_open_buffer(img, sizeof img, &f, &err), &err,
                "header length 18446744073709551615 past the end of the file (16 bytes)");
    img[0] = 9; /* 9 > 16 - 8 */
    memset(img + 1, 0, 7);
    CHECK_FAILS(hy_st_open_buffer(img, sizeof img, &f, &err), &err,
                "header length 9 past the end of the file (16 bytes)");
    img[0] = 0; /* an empty header is not JSON */
    CHECK_FAILS(hy_st_open_buffer(img, sizeof img, &f, &err), &err,
                "malformed header JSON: line 1, column 1");

    CHECK_HEADER_REJECTED("{\"a\":", 0, "malformed header JSON: line 1, column 6");
    CHECK_HEADER_REJECTED("{\"a\":{}} x", 0, "malformed header JSON");
    {   /* NUL padding instead of spaces */
        const unsigned char padded[8 + 8] = {8, 0, 0, 0, 0, 0, 0, 0, '{', '}', ' ', 0, 0, 0, 0, 0};
        unsigned char *copy = malloc(sizeof padded);
        memcpy(copy, padded, sizeof padded);
        CHECK_FAILS(hy_st_open_buffer(copy, sizeof padded, &f, &err), &err,
                    "malformed header JSON: line 1, column 4: unexpected byte 0x00");
        free(copy);
    }
    CHECK_HEADER_REJECTED("[1, 2]", 0, "header must be a JSON object, found array");
    CHECK_HEADER_REJECTED("\"x\"", 0, "header must be a JSON object, found string");
    CHECK_HEADER_REJECTED("{\"a\": 5}", 0, "tensor \"a\": entry must be an object");

#define T(body) "{\"t\":{" body "}}"
    /* overlapping, out of range, begin > end, size mismatch */
    CHECK_HEADER_REJECTED("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                          "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}",
                          12, "tensors \"a\" and \"b\" have overlapping data_offsets");
    CHECK_HEADER_REJECTED("{\"big\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]},"
                          "\"in\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[8,12]}}",
                          16, "tensors \"big\" and \"in\" have overlapping");
    CHECK_HEADER_REJECTED("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                          "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}",
                          8, "overlapping data_offsets");
    CHECK_HEADER_REJECTED(T("\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]"), 8,
                          "tensor \"t\": data_offsets [0, 16] out of range: the data section has 8 bytes");
    CHECK_HEADER_REJECTED(T("\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[9223372036854775803,"
                            "9223372036854775807]"),
                          8, "out of range");
    CHECK_HEADER_REJECTED(T("\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[8,0]"), 8,
                          "tensor \"t\": data_offsets [8, 0]: begin > end");
    CHECK_HEADER_REJECTED(T("\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]"), 16,
                          "tensor \"t\": data_offsets [0, 8] hold 8 bytes but shape [3] of F32 needs 12");
    CHECK_HEADER_REJECTED(T("\"dtype\":\"BF16\",\"shape\":[2,2],\"data_offsets\":[0,16]"), 16,
                          "shape [2, 2] of BF16 needs 8");
    /* dtypes */
    CHECK_HEADER_REJECTED(T("\"dtype\":\"Q4\",\"shape\":[1],\"data_offsets\":[0,1]"), 8,
                          "tensor \"t\": unknown dtype \"Q4\"");
    CHECK_HEADER_REJECTED(T("\"dtype\":\"f32\",\"shape\":[1],\"data_offsets\":[0,4]"), 8,
                          "unknown dtype \"f32\"");
    CHECK_HEADER_REJECTED(T("\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[0,8]"), 8,
                          "tensor \"t\": unsupported dtype F64");
    CHECK_HEADER_REJECTED(T("\"dtype\":\"I32\",\"shape\":[1],\"data_offsets\":[0,4]"), 8,
                          "unsupported dtype I32");
    CHECK_HEADER_REJECTED(T("\"dtype\":\"BOOL\",\"shape\":[1],\"data_offsets\":[0,1]"), 8,
                          "unsupported dtype BOOL");
    CHECK_HEADER_REJECTED(T("\"dtype\":7,\"shape\":[1],\"data_offsets\":[0,4]"), 8,
                          "\"dtype\" must be a string");
    CHECK_HEADER_REJECTED(T("\"shape\":[1],\"data_offsets\":[0,4]"), 8, "\"dtype\" is missing");
    /* shapes */
    CHECK_HEADER_REJECTED(T("\"dtype\":\"F32\",\"data_offsets\":[0,4]"), 8, "\"shape\" is missing");
    CHECK_HEADER_REJECTED(T("\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]"), 8,
                          "non-negative integers");
    CHECK_HEADER_REJECTED(T("\"dtype\":\"F32\",\"shape\":[1.0],\"data_offsets\":[0,4]"), 8,
                          "non-negative integers");
    CHECK_HEADER_REJECTED(T("\"dtype\":\"F32\",\"shape\":[\"1\"],\"data_offsets\":[0,4]"), 8,
                          "non-negative integers");
    CHECK_HEADER_REJECTED(T("\"dtype\":\"F32\",\"shape\":1,\"data_offsets\":[0,4]"), 8,
                          "non-negative integers");
    CHECK_HEADER_REJECTED(T("\"dtype\":\"F32\",\"shape\":[1,1,1,1,1,1,1,1,1],\"data_offsets\":[0,4]"),
                          8, "shape has 9 dimensions, at most 8");
    CHECK_HEADER_REJECTED(T("\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,4]"),
                          8, "element count overflows");
    CHECK_HEADER_REJECTED(T("\"dtype\":\"F32\",\"shape\":[4611686018427387904],\"data_offsets\":[0,4]"),
                          8, "byte size overflows");
    CHECK_HEADER_REJECTED(T("\"dtype\":\"F32\",\"shape\":[99999999999999999999],\"data_offsets\":[0,4]"),
                          8, "non-negative integers");
    /* offsets */
    CHECK_HEADER_REJECTED(T("\"dtype\":\"F32\",\"shape\":[1]"), 8, "\"data_offsets\" is missing");
    CHECK_HEADER_REJECTED(T("\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]"), 8,
                          "must be [begin, end]");
    CHECK_HEADER_REJECTED(T("\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4,8]"), 8,
                          "must be [begin, end]");
    CHECK_HEADER_REJECTED(T("\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[-4,0]"), 8,
                          "must be [begin, end]");
    CHECK_HEADER_REJECTED(T("\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":{\"0\":4}"), 8,
                          "must be [begin, end]");
#undef T
    /* names and metadata */
    CHECK_HEADER_REJECTED("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                          "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}",
                          8, "duplicate tensor name \"a\"");
    CHECK_HEADER_REJECTED("{\"__metadata__\":[]}", 0, "\"__metadata__\" must be an object of strings");
    CHECK_HEADER_REJECTED("{\"__metadata__\":{\"n\":1}}", 0, "value \"n\" must be a string");
    CHECK_HEADER_REJECTED("{\"__metadata__\":{},\"__metadata__\":{}}", 0, "appears twice");

    /* a header length above the 100 MB limit, inside a (sparse) file */
    char path[1200];
    path_in(path, sizeof path, tmpdir, "huge-header.safetensors");
    FILE *fp = fopen(path, "wb");
    if (fp) {
        const unsigned char n[8] = {0x00, 0xe2, 0xf5, 0x06, 0, 0, 0, 0}; /* 0x06f5e200 = 116777472 */
        fwrite(n, 1, 8, fp);
        fseeko(fp, 120000000, SEEK_SET);
        fputc(' ', fp);
        fclose(fp);
        CHECK_FAILS(hy_st_open(path, &f, &err), &err, "above the 100000000-byte limit");
        unlink(path);
    }
    /* not a file: a directory, a FIFO (must not block on open) */
    CHECK_FAILS(hy_st_open(tmpdir, &f, &err), &err, "is a directory");
    path_in(path, sizeof path, tmpdir, "fifo.safetensors");
    unlink(path);
    if (mkfifo(path, 0600) == 0) {
        CHECK_FAILS(hy_st_open(path, &f, &err), &err, "not a regular file");
        unlink(path);
    }
    path_in(path, sizeof path, tmpdir, "missing.safetensors");
    CHECK_FAILS(hy_st_open(path, &f, &err), &err, "missing.safetensors: cannot open");
}

/* ---- sharded directories --------------------------------------------------- */

static void write_shard(const char *dir, const char *file, const char *const *names, size_t n,
                        const float *values)
{
    hy_st_entry e[4];
    for (size_t i = 0; i < n; i++)
        e[i] = (hy_st_entry){.name = names[i], .dtype = HY_F32, .ndim = 1, .shape = {2},
                             .data = values + 2 * i};
    char path[1500];
    path_in(path, sizeof path, dir, file);
    CHECK_OK(hy_st_write(path, e, n, &err), &err);
}

static void write_index(const char *dir, const char *json)
{
    char path[1500];
    path_in(path, sizeof path, dir, "model.safetensors.index.json");
    write_bytes(path, json, strlen(json));
}

static const float shard_values[] = {1, 2, 3, 4, 5, 6};
#define SHARD1 "model-00001-of-00002.safetensors"
#define SHARD2 "model-00002-of-00002.safetensors"

static void make_two_shards(const char *dir)
{
    const char *first[] = {"b", "a"}, *second[] = {"c"};
    write_shard(dir, SHARD1, first, 2, shard_values);
    write_shard(dir, SHARD2, second, 1, shard_values + 4);
}

static void test_sharded(void)
{
    const char *dir = fresh_dir("sharded");
    make_two_shards(dir);
    write_index(dir, "{\"metadata\": {\"total_size\": 24}, \"weight_map\": {"
                     "\"a\": \"" SHARD1 "\", \"b\": \"" SHARD1 "\", \"c\": \"" SHARD2 "\"}}");
    hy_st_set *s = NULL;
    CHECK_OK(hy_st_set_open_dir(dir, &s, &err), &err);
    CHECK(s && hy_st_set_count(s) == 3);
    if (s && hy_st_set_count(s) == 3) {
        const char *want_order[] = {"b", "a", "c"}; /* shard order, then file order */
        for (size_t i = 0; i < 3; i++) CHECK(strcmp(hy_st_set_at(s, i)->name, want_order[i]) == 0);
        CHECK(hy_st_set_at(s, 3) == NULL);
        float v[2];
        const float want[3][2] = {{3, 4}, {1, 2}, {5, 6}}; /* a, b, c */
        const char *names[] = {"a", "b", "c"};
        for (int i = 0; i < 3; i++) {
            const hy_st_tensor *t = hy_st_set_find(s, names[i]);
            CHECK(t && t->numel == 2);
            if (!t) continue;
            hy_st_to_f32(t, v);
            CHECK(v[0] == want[i][0] && v[1] == want[i][1]);
        }
        CHECK(hy_st_set_find(s, "d") == NULL);
    }
    hy_st_set_close(s);

    /* Each bad index in turn. */
    s = (hy_st_set *)0x1;
    write_index(dir, "{\"weight_map\": {\"a\": \"" SHARD1 "\", \"c\": \"model-00003.safetensors\"}}");
    CHECK_FAILS(hy_st_set_open_dir(dir, &s, &err), &err, "model-00003.safetensors: cannot open");
    CHECK(s == NULL);
    write_index(dir, "{\"weight_map\": {\"a\": \"" SHARD1 "\", \"c\": \"" SHARD1 "\"}}");
    CHECK_FAILS(hy_st_set_open_dir(dir, &s, &err), &err,
                "tensor \"c\" is mapped to " SHARD1 ", which does not contain it");
    write_index(dir, "{\"weight_map\": {\"a\": \"../" SHARD1 "\"}}");
    CHECK_FAILS(hy_st_set_open_dir(dir, &s, &err), &err, "must be a plain file name");
    write_index(dir, "{\"weight_map\": {\"a\": \"/etc/passwd\"}}");
    CHECK_FAILS(hy_st_set_open_dir(dir, &s, &err), &err, "must be a plain file name");
    write_index(dir, "{\"weight_map\": {\"a\": \"sub/x.safetensors\"}}");
    CHECK_FAILS(hy_st_set_open_dir(dir, &s, &err), &err, "must be a plain file name");
    write_index(dir, "{\"weight_map\": {\"a\": \"..\"}}");
    CHECK_FAILS(hy_st_set_open_dir(dir, &s, &err), &err, "must be a plain file name");
    write_index(dir, "{\"weight_map\": {\"a\": \".\"}}");
    CHECK_FAILS(hy_st_set_open_dir(dir, &s, &err), &err, "must be a plain file name");
    write_index(dir, "{\"weight_map\": {\"a\": \"\"}}");
    CHECK_FAILS(hy_st_set_open_dir(dir, &s, &err), &err, "must be a plain file name");
    write_index(dir, "{\"weight_map\": {\"a\": 3}}");
    CHECK_FAILS(hy_st_set_open_dir(dir, &s, &err), &err, "must be a plain file name");
    write_index(dir, "{\"weight_map\": {}}");
    CHECK_FAILS(hy_st_set_open_dir(dir, &s, &err), &err, "\"weight_map\" is empty");
    write_index(dir, "{\"metadata\": {}}");
    CHECK_FAILS(hy_st_set_open_dir(dir, &s, &err), &err, "\"weight_map\" is missing");
    write_index(dir, "[]");
    CHECK_FAILS(hy_st_set_open_dir(dir, &s, &err), &err, "\"weight_map\" is missing");
    write_index(dir, "{\"weight_map\": {\"a\": ");
    CHECK_FAILS(hy_st_set_open_dir(dir, &s, &err), &err, "index.json: line 1, column 22");

    /* The same tensor in two shards. */
    const char *dup[] = {"c", "a"};
    write_shard(dir, SHARD2, dup, 2, shard_values);
    write_index(dir, "{\"weight_map\": {\"a\": \"" SHARD1 "\", \"b\": \"" SHARD1 "\", \"c\": \"" SHARD2 "\"}}");
    CHECK_FAILS(hy_st_set_open_dir(dir, &s, &err), &err,
                "tensor \"a\" is in two shards: " SHARD1 " and " SHARD2);

    /* A broken shard is reported with its path. */
    char path[1500];
    path_in(path, sizeof path, dir, SHARD2);
    write_bytes(path, "\x03\0\0\0\0\0\0\0{}x", 11);
    CHECK_FAILS(hy_st_set_open_dir(dir, &s, &err), &err, SHARD2 ": malformed header JSON");
    CHECK(s == NULL);
}

static void test_directory_layouts(void)
{
    hy_st_set *s = NULL;
    /* model.safetensors alone */
    const char *dir = fresh_dir("single");
    const char *names[] = {"x", "y"};
    write_shard(dir, "model.safetensors", names, 2, shard_values);
    CHECK_OK(hy_st_set_open_dir(dir, &s, &err), &err);
    CHECK(s && hy_st_set_count(s) == 2 && hy_st_set_find(s, "y") != NULL);
    hy_st_set_close(s);

    /* some other name, the only one */
    dir = fresh_dir("other-name");
    write_shard(dir, "weights.safetensors", names, 1, shard_values);
    s = NULL;
    CHECK_OK(hy_st_set_open_dir(dir, &s, &err), &err);
    CHECK(s && hy_st_set_count(s) == 1 && hy_st_set_find(s, "x") != NULL);
    hy_st_set_close(s);

    /* two without an index: ambiguous */
    write_shard(dir, "more.safetensors", names + 1, 1, shard_values);
    CHECK_FAILS(hy_st_set_open_dir(dir, &s, &err), &err, "2 *.safetensors files but no");

    /* nothing at all */
    dir = fresh_dir("nothing");
    CHECK_FAILS(hy_st_set_open_dir(dir, &s, &err), &err, "no model.safetensors");

    /* not a directory */
    char path[1500];
    path_in(path, sizeof path, tmpdir, "hand.safetensors");
    CHECK_FAILS(hy_st_set_open_dir(path, &s, &err), &err, "not a directory");
    path_in(path, sizeof path, tmpdir, "no-such-dir");
    CHECK_FAILS(hy_st_set_open_dir(path, &s, &err), &err, "no-such-dir");
}

int main(void)
{
    snprintf(tmpdir, sizeof tmpdir, "%s", hy_test_tmpdir("test_safetensors"));
    test_hand_made();
    test_round_trip(HY_F32);
    test_round_trip(HY_F16);
    test_round_trip(HY_BF16);
    test_write_errors();
    test_truncated();
    test_bad_headers();
    test_sharded();
    test_directory_layouts();
    return hy_test_finish();
}
