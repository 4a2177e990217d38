/* test_json.c — the strict JSON parser, the text buffer, and file reading
 * and atomic writing (model/hy_json.h). */
#include "hy_json.h"
#include "hy_test.h"

#include <locale.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static hy_error err;

/* Parses a NUL-terminated document; NULL (and the message printed) on error. */
static hy_json *parse(const char *text)
{
    hy_json *v = NULL;
    if (hy_json_parse(text, strlen(text), &v, &err) != 0) {
        fprintf(stderr, "  unexpected parse error for %s: %s\n", text, err.msg);
        return NULL;
    }
    return v;
}

/* A document that must be rejected with `needle` in the message; the text
 * is copied into an exactly-sized buffer so that a read past the end is
 * caught by ASan. */
static int rejects(const char *text, size_t len, const char *needle)
{
    char *copy = malloc(len ? len : 1);
    memcpy(copy, text, len);
    hy_json *v = (hy_json *)0x1;
    err.msg[0] = 0;
    int rc = hy_json_parse(copy, len, &v, &err);
    free(copy);
    int ok = rc != 0 && v == NULL && strstr(err.msg, needle) != NULL;
    if (!ok) fprintf(stderr, "  input %.60s: rc %d, message \"%s\", wanted \"%s\"\n", text, rc, err.msg, needle);
    if (rc == 0) hy_json_free(v);
    return ok;
}
#define CHECK_REJECTS(text, needle) \
    hy_test_record(rejects(text, sizeof(text) - 1, needle), __FILE__, __LINE__, "rejects " #text)

static void test_scalars(void)
{
    hy_json *v;
    CHECK((v = parse("null")) && v->type == HY_JSON_NULL);
    hy_json_free(v);
    CHECK((v = parse(" true ")) && v->type == HY_JSON_BOOL && v->boolean == 1);
    hy_json_free(v);
    CHECK((v = parse("\t\r\nfalse\n")) && v->type == HY_JSON_BOOL && v->boolean == 0);
    hy_json_free(v);
    CHECK((v = parse("\"hi\"")) && v->type == HY_JSON_STRING && v->len == 2 &&
          strcmp(v->string, "hi") == 0);
    hy_json_free(v);
    CHECK((v = parse("\"\"")) && v->type == HY_JSON_STRING && v->len == 0 && v->string[0] == 0);
    hy_json_free(v);
}

static void test_numbers(void)
{
    static const struct {
        const char *text;
        double value;
        int is_integer;
        int64_t integer;
    } cases[] = {
        {"0", 0, 1, 0},
        {"-0", 0, 1, 0},
        {"7", 7, 1, 7},
        {"-12", -12, 1, -12},
        {"1.5", 1.5, 0, 0},
        {"-0.25", -0.25, 0, 0},
        {"1e3", 1000, 0, 0},
        {"2E-2", 0.02, 0, 0},
        {"1.25e+2", 125, 0, 0},
        {"10.0", 10, 0, 0},
        {"9223372036854775807", 9223372036854775807.0, 1, INT64_MAX},
        {"-9223372036854775808", -9223372036854775808.0, 1, INT64_MIN},
        {"9223372036854775808", 9223372036854775808.0, 0, 0},   /* INT64_MAX + 1 */
        {"-9223372036854775809", -9223372036854775808.0, 0, 0}, /* INT64_MIN - 1 */
        {"18446744073709551616", 18446744073709551616.0, 0, 0},
        {"1e-400", 0, 0, 0}, /* underflow to zero is fine */
        {"65536", 65536, 1, 65536},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        hy_json *v = parse(cases[i].text);
        CHECK(v && v->type == HY_JSON_NUMBER);
        if (!v) continue;
        CHECK_NEAR(v->number, cases[i].value, fabs(cases[i].value) * 1e-15);
        CHECK(v->is_integer == cases[i].is_integer);
        if (cases[i].is_integer) CHECK(v->integer == cases[i].integer);
        hy_json_free(v);
    }
    hy_json *v = parse("-0");
    CHECK(v && signbit(v->number));
    hy_json_free(v);

    CHECK_REJECTS("01", "leading zeros");
    CHECK_REJECTS("-01", "leading zeros");
    CHECK_REJECTS("+1", "expected a value");
    CHECK_REJECTS(".5", "expected a value");
    CHECK_REJECTS("1.", "digit after the decimal point");
    CHECK_REJECTS("1.e5", "digit after the decimal point");
    CHECK_REJECTS("1e", "digit in the exponent");
    CHECK_REJECTS("1e+", "digit in the exponent");
    CHECK_REJECTS("-", "expected a digit");
    CHECK_REJECTS("-a", "expected a digit");
    CHECK_REJECTS("1e400", "out of range");
    CHECK_REJECTS("-1e400", "out of range");
    CHECK_REJECTS("NaN", "expected a value");
    CHECK_REJECTS("Infinity", "expected a value");
    CHECK_REJECTS("-Infinity", "expected a digit");
    CHECK_REJECTS("0x10", "unexpected 'x' after the JSON value");
    CHECK_REJECTS("1 2", "after the JSON value");
}

static void test_strings(void)
{
    hy_json *v = parse("\"a\\\"b\\\\c\\/d\\be\\ff\\ng\\rh\\ti\"");
    CHECK(v && strcmp(v->string, "a\"b\\c/d\be\ff\ng\rh\ti") == 0 && v->len == 17);
    hy_json_free(v);

    /* \u escapes to UTF-8: 1, 2, 3 and 4 bytes (the last a surrogate pair). */
    v = parse("\"\\u0041\\u00e9\\u20AC\\ud83d\\ude00\"");
    CHECK(v && v->len == 1 + 2 + 3 + 4 &&
          memcmp(v->string, "A\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80", 10) == 0);
    hy_json_free(v);
    /* The largest code point, U+10FFFF = \uDBFF\uDFFF. */
    v = parse("\"\\uDBFF\\uDFFF\"");
    CHECK(v && v->len == 4 && memcmp(v->string, "\xF4\x8F\xBF\xBF", 4) == 0);
    hy_json_free(v);
    /* U+0000 inside a string value is kept; len counts it. */
    v = parse("\"a\\u0000b\"");
    CHECK(v && v->len == 3 && v->string[1] == 0 && v->string[2] == 'b' && v->string[3] == 0);
    hy_json_free(v);
    /* Raw UTF-8 passes through unchanged. */
    v = parse("\"caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80\"");
    CHECK(v && strcmp(v->string, "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80") == 0);
    hy_json_free(v);

    CHECK_REJECTS("\"abc", "unterminated string");
    CHECK_REJECTS("\"abc\\\"", "unterminated string");
    CHECK_REJECTS("\"\\", "unterminated string");
    CHECK_REJECTS("\"a\\x\"", "invalid escape");
    CHECK_REJECTS("\"a\\'\"", "invalid escape");
    CHECK_REJECTS("\"\\U0041\"", "invalid escape");
    CHECK_REJECTS("\"\\u12\"", "expected 4 hex digits");
    CHECK_REJECTS("\"\\u12G4\"", "expected 4 hex digits");
    CHECK_REJECTS("\"\\ud83d\"", "lone high surrogate");
    CHECK_REJECTS("\"\\ud83dx\"", "lone high surrogate");
    CHECK_REJECTS("\"\\ud83d\\u0041\"", "lone high surrogate");
    CHECK_REJECTS("\"\\ud83d\\ud83d\"", "lone high surrogate");
    CHECK_REJECTS("\"\\ude00\"", "lone low surrogate");
    CHECK_REJECTS("\"a\tb\"", "control character 0x09");
    CHECK_REJECTS("\"a\nb\"", "control character 0x0A");
    CHECK_REJECTS("\"a\x01\"", "control character 0x01");
    CHECK_REJECTS("\"\x80\"", "invalid UTF-8");          /* lone continuation byte */
    CHECK_REJECTS("\"\xC0\xAF\"", "invalid UTF-8");      /* overlong '/' */
    CHECK_REJECTS("\"\xE0\x80\xAF\"", "invalid UTF-8");  /* overlong, 3 bytes */
    CHECK_REJECTS("\"\xED\xA0\x80\"", "invalid UTF-8");  /* encoded surrogate */
    CHECK_REJECTS("\"\xF4\x90\x80\x80\"", "invalid UTF-8"); /* above U+10FFFF */
    CHECK_REJECTS("\"\xE2\x82\"", "invalid UTF-8");      /* truncated sequence */
    CHECK_REJECTS("\"\xFF\"", "invalid UTF-8");
    CHECK_REJECTS("'single'", "expected a value");
}

static void test_containers(void)
{
    hy_json *v = parse("{\"a\": [1, 2.5, \"x\", true, null, {}, []], \"b\": {\"c\": {\"d\": -3}}, "
                       "\"a\": 9}");
    CHECK(v && v->type == HY_JSON_OBJECT && v->count == 3);
    if (v) {
        const hy_json *a = hy_json_get(v, "a"); /* the first of the two */
        CHECK(a && a->type == HY_JSON_ARRAY && a->count == 7);
        if (a && a->count == 7) {
            CHECK(a->items[0].is_integer && a->items[0].integer == 1);
            CHECK(a->items[1].type == HY_JSON_NUMBER && a->items[1].number == 2.5);
            CHECK(a->items[2].type == HY_JSON_STRING && strcmp(a->items[2].string, "x") == 0);
            CHECK(a->items[3].type == HY_JSON_BOOL && a->items[3].boolean);
            CHECK(a->items[4].type == HY_JSON_NULL);
            CHECK(a->items[5].type == HY_JSON_OBJECT && a->items[5].count == 0);
            CHECK(a->items[6].type == HY_JSON_ARRAY && a->items[6].count == 0);
        }
        const hy_json *d = hy_json_get(hy_json_get(hy_json_get(v, "b"), "c"), "d");
        CHECK(d && d->is_integer && d->integer == -3);
        CHECK(strcmp(v->keys[0], "a") == 0 && strcmp(v->keys[1], "b") == 0 &&
              strcmp(v->keys[2], "a") == 0);
        CHECK(hy_json_get(v, "missing") == NULL);
        CHECK(hy_json_get(hy_json_get(v, "a"), "x") == NULL); /* not an object */
        CHECK(hy_json_get(NULL, "a") == NULL);
    }
    hy_json_free(v);

    /* Escaped keys are decoded before lookup. */
    v = parse("{\"\\u0061b\": 1}");
    CHECK(v && hy_json_get(v, "ab") != NULL);
    hy_json_free(v);

    /* Many members (the member arrays grow). */
    hy_strbuf b = {0};
    hy_strbuf_printf(&b, "[");
    for (int i = 0; i < 1000; i++) hy_strbuf_printf(&b, "%s%d", i ? "," : "", i * 3);
    hy_strbuf_printf(&b, "]");
    v = parse(b.data);
    CHECK(v && v->count == 1000 && v->items[999].integer == 2997 && v->items[500].integer == 1500);
    hy_json_free(v);
    hy_strbuf_free(&b);

    CHECK_REJECTS("[1, 2", "expected ',' or ']'");
    CHECK_REJECTS("[1 2]", "expected ',' or ']' in array, found '2'");
    CHECK_REJECTS("[1,]", "expected a value, found ']'");
    CHECK_REJECTS("[,1]", "expected a value, found ','");
    CHECK_REJECTS("{\"a\" 1}", "expected ':'");
    CHECK_REJECTS("{\"a\":}", "expected a value");
    CHECK_REJECTS("{\"a\":1,}", "expected a string key");
    CHECK_REJECTS("{a:1}", "expected a string key");
    CHECK_REJECTS("{\"a\":1", "expected ',' or '}'");
    CHECK_REJECTS("{\"a\":1]", "expected ',' or '}' in object, found ']'");
    CHECK_REJECTS("{\"a\\u0000b\":1}", "\\u0000");
    CHECK_REJECTS("[1]]", "unexpected ']' after the JSON value");
    CHECK_REJECTS("{} {}", "after the JSON value");
    CHECK_REJECTS("[1] x", "after the JSON value");
    CHECK_REJECTS("[1]\0", "unexpected byte 0x00 after the JSON value");
    CHECK_REJECTS("", "unexpected end of input");
    CHECK_REJECTS("   ", "unexpected end of input");
    CHECK_REJECTS("tru", "expected a value");
    CHECK_REJECTS("nul", "expected a value");
    CHECK_REJECTS("truex", "after the JSON value");
    CHECK_REJECTS("[true false]", "expected ',' or ']'");
    CHECK_REJECTS("// comment\n1", "expected a value, found '/'");
    CHECK_REJECTS("\xEF\xBB\xBF{}", "byte 0xEF"); /* a byte-order mark */
    CHECK_REJECTS("\x0c{}", "byte 0x0C");         /* form feed is not whitespace */
}

static void test_depth(void)
{
    /* 256 levels are fine, 257 are not; a deep document never overflows
     * the stack. */
    char deep[2 * 300 + 1];
    for (int n = 256; n <= 257; n++) {
        memset(deep, '[', (size_t)n);
        memset(deep + n, ']', (size_t)n);
        deep[2 * n] = 0;
        hy_json *v = NULL;
        int rc = hy_json_parse(deep, (size_t)(2 * n), &v, &err);
        if (n == 256) CHECK(rc == 0 && v && v->type == HY_JSON_ARRAY);
        else CHECK(rc != 0 && strstr(err.msg, "nesting deeper than 256") != NULL);
        hy_json_free(v);
    }
    char *huge = malloc(100000);
    memset(huge, '[', 100000);
    CHECK(rejects(huge, 100000, "nesting deeper"));
    memset(huge, '{', 100000);
    CHECK(rejects(huge, 100000, "expected a string key"));
    for (int i = 0; i < 100000; i += 5) memcpy(huge + i, "{\"a\":", 5);
    CHECK(rejects(huge, 100000, "nesting deeper"));
    free(huge);
}

static void test_positions(void)
{
    /* Lines and columns count from 1; the column is in characters. */
    CHECK_REJECTS("[1, ?]", "line 1, column 5:");
    CHECK_REJECTS("{\n  \"a\": 1,\n  \"b\": tru\n}", "line 3, column 8:");
    CHECK_REJECTS("\n\n   x", "line 3, column 4:");
    CHECK_REJECTS("[\"\xC3\xA9\xC3\xA9\", ?]", "line 1, column 8:");
    CHECK_REJECTS("\"ab\\qc\"", "line 1, column 4:");
    CHECK_REJECTS("\r\n[1,\n2,\n3 4]", "line 4, column 3:");
    CHECK_REJECTS("\"abc", "line 1, column 1: unterminated string");
}

/* Not NUL-terminated: the parser must stop at len. */
static void test_length_bound(void)
{
    const char text[] = "[1, 2]garbage";
    hy_json *v = NULL;
    CHECK(hy_json_parse(text, 6, &v, &err) == 0 && v && v->count == 2);
    hy_json_free(v);
    v = NULL;
    CHECK(hy_json_parse("12345", 3, &v, &err) == 0 && v && v->integer == 123);
    hy_json_free(v);
    v = NULL;
    CHECK(hy_json_parse("\"abc\"", 4, &v, &err) != 0 && strstr(err.msg, "unterminated"));
    CHECK(v == NULL);
    CHECK(hy_json_parse("true", 3, &v, &err) != 0 && v == NULL);
    CHECK(hy_json_parse(NULL, 0, &v, &err) != 0 && v == NULL);
    /* Every prefix of a valid document either parses or fails cleanly. */
    const char doc[] = "{\"k\": [1.5e3, \"\\ud83d\\ude00\", {\"x\": null}], \"t\": true}";
    for (size_t n = 0; n < sizeof doc - 1; n++) {
        char *copy = malloc(n ? n : 1);
        memcpy(copy, doc, n);
        v = NULL;
        int rc = hy_json_parse(copy, n, &v, &err);
        CHECK(rc != 0 && v == NULL && strncmp(err.msg, "line 1, column ", 15) == 0);
        free(copy);
    }
}

/* A locale whose decimal point is ',' must not change how JSON numbers
 * parse (strtod follows LC_NUMERIC).  Skipped when no such locale exists. */
static void test_locale(void)
{
    const char *names[] = {"de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8", "fr_FR.utf8", "ru_RU.UTF-8"};
    const char *used = NULL;
    for (size_t i = 0; i < sizeof names / sizeof names[0] && !used; i++)
        if (setlocale(LC_NUMERIC, names[i])) used = names[i];
    if (!used || strcmp(localeconv()->decimal_point, ",") != 0) {
        printf("  no locale with a decimal comma installed; locale check skipped\n");
        setlocale(LC_NUMERIC, "C");
        return;
    }
    hy_json *v = parse("[1.5, -2.25e1]");
    CHECK(v && v->count == 2 && v->items[0].number == 1.5 && v->items[1].number == -22.5);
    hy_json_free(v);
    setlocale(LC_NUMERIC, "C");
}

static void test_type_names(void)
{
    CHECK(strcmp(hy_json_type_name(HY_JSON_NULL), "null") == 0);
    CHECK(strcmp(hy_json_type_name(HY_JSON_BOOL), "boolean") == 0);
    CHECK(strcmp(hy_json_type_name(HY_JSON_NUMBER), "number") == 0);
    CHECK(strcmp(hy_json_type_name(HY_JSON_STRING), "string") == 0);
    CHECK(strcmp(hy_json_type_name(HY_JSON_ARRAY), "array") == 0);
    CHECK(strcmp(hy_json_type_name(HY_JSON_OBJECT), "object") == 0);
}

static void test_strbuf(void)
{
    hy_strbuf b = {0};
    hy_strbuf_printf(&b, "{");
    hy_strbuf_json_string(&b, "key");
    hy_strbuf_printf(&b, ":");
    hy_strbuf_json_string(&b, "q\"b\\s/\n\t\r\b\f\x01\x1f\x7f caf\xC3\xA9");
    hy_strbuf_printf(&b, ",\"n\":%d,\"x\":", 42);
    hy_strbuf_json_string(&b, NULL);
    hy_strbuf_printf(&b, "}");
    CHECK(!b.failed);
    CHECK(b.data && strcmp(b.data, "{\"key\":\"q\\\"b\\\\s/\\n\\t\\r\\b\\f\\u0001\\u001f\\u007f "
                                   "caf\xC3\xA9\",\"n\":42,\"x\":null}") == 0);
    CHECK(b.len == strlen(b.data));
    /* What was written parses back to the original text. */
    hy_json *v = NULL;
    CHECK_OK(hy_json_parse(b.data, b.len, &v, &err), &err);
    CHECK(v && v->count == 3 && strcmp(v->keys[0], "key") == 0);
    const hy_json *s = hy_json_get(v, "key");
    CHECK(s && strcmp(s->string, "q\"b\\s/\n\t\r\b\f\x01\x1f\x7f caf\xC3\xA9") == 0);
    CHECK(hy_json_get(v, "x") && hy_json_get(v, "x")->type == HY_JSON_NULL);
    hy_json_free(v);
    hy_strbuf_free(&b);
    CHECK(b.data == NULL && b.len == 0);

    /* Long output (beyond any internal small buffer) is kept whole. */
    char big[5000];
    memset(big, 'z', sizeof big - 1);
    big[sizeof big - 1] = 0;
    hy_strbuf_printf(&b, "<%s>", big);
    hy_strbuf_printf(&b, "%s", "!");
    /* '<', 4999 'z', '>', '!' */
    CHECK(b.len == 5002 && b.data[0] == '<' && b.data[4999] == 'z' && b.data[5000] == '>' &&
          b.data[5001] == '!' && b.data[5002] == 0);
    hy_strbuf_free(&b);
}

static void test_files(void)
{
    const char *dir = hy_test_tmpdir("test_json");
    char path[1024], tmp[1100];
    snprintf(path, sizeof path, "%s/out.json", dir);
    const char content[] = "{\"a\": [1, 2, 3]}\n";
    CHECK_OK(hy_write_file_atomic(path, content, sizeof content - 1, &err), &err);
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    CHECK(access(tmp, F_OK) != 0); /* the temporary file was renamed away */
    char *data = NULL;
    size_t len = 0;
    CHECK_OK(hy_read_file(path, &data, &len, &err), &err);
    CHECK(data && len == sizeof content - 1 && memcmp(data, content, len) == 0 && data[len] == 0);
    free(data);

    /* Overwriting replaces the whole content. */
    CHECK_OK(hy_write_file_atomic(path, "[]", 2, &err), &err);
    CHECK_OK(hy_read_file(path, &data, &len, &err), &err);
    CHECK(len == 2 && strcmp(data, "[]") == 0);
    free(data);

    /* An empty file reads as an empty, NUL-terminated buffer. */
    snprintf(path, sizeof path, "%s/empty", dir);
    CHECK_OK(hy_write_file_atomic(path, "", 0, &err), &err);
    CHECK_OK(hy_read_file(path, &data, &len, &err), &err);
    CHECK(data && len == 0 && data[0] == 0);
    free(data);

    data = (char *)0x1;
    CHECK_FAILS(hy_read_file(dir, &data, &len, &err), &err, "is a directory");
    CHECK(data == NULL);
    snprintf(path, sizeof path, "%s/does-not-exist.json", dir);
    CHECK_FAILS(hy_read_file(path, &data, &len, &err), &err, "does-not-exist.json: cannot open");

    /* A file over 1 GiB is refused before reading (a sparse file). */
    snprintf(path, sizeof path, "%s/huge", dir);
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (f) {
        int ok = fseeko(f, (off_t)1 << 30, SEEK_SET) == 0 && fputc('x', f) != EOF;
        fclose(f);
        if (ok) CHECK_FAILS(hy_read_file(path, &data, &len, &err), &err, "1 GiB limit");
        unlink(path);
    }

    /* Writing into a missing directory fails and leaves nothing behind. */
    snprintf(path, sizeof path, "%s/no/such/dir/x.json", dir);
    CHECK_FAILS(hy_write_file_atomic(path, "x", 1, &err), &err, "cannot create");
    /* Renaming onto a directory fails; the temporary file is removed. */
    snprintf(path, sizeof path, "%s/a-directory", dir);
    mkdir(path, 0755);
    CHECK_FAILS(hy_write_file_atomic(path, "x", 1, &err), &err, "cannot rename");
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    CHECK(access(tmp, F_OK) != 0);
}

int main(void)
{
    test_scalars();
    test_numbers();
    test_strings();
    test_containers();
    test_depth();
    test_positions();
    test_length_bound();
    test_locale();
    test_type_names();
    test_strbuf();
    test_files();
    return hy_test_finish();
}
