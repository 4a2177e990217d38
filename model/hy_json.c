/* hy_json.c — strict RFC 8259 JSON parser and the JSON text buffer.
 *
 * The parser works on (text, len) and never reads past len; the text need
 * not be NUL-terminated.  It accepts exactly the RFC 8259 grammar: no
 * comments, no trailing commas, no leading zeros, no NaN/Infinity, no
 * unescaped control characters, no invalid UTF-8, no lone surrogates.
 * Limits chosen by this implementation (RFC 8259 section 9 allows them):
 *   - nesting depth at most HY_JSON_MAX_DEPTH;
 *   - numbers must fit a double (1e400 is an error, 1e-400 becomes 0);
 *   - object keys must not contain U+0000 (keys are plain C strings, so a
 *     key "a\u0000b" could not be told apart from "a"); string values may.
 * Errors read "line L, column C: <what>", L and C counted from 1, C in
 * characters (UTF-8 continuation bytes do not count).
 *
 * hy_read_file and hy_write_file_atomic live in hy_file_io.c. */
#include "hy_json.h"

#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HY_JSON_MAX_DEPTH 256

typedef struct json_parser {
    const unsigned char *s;
    size_t len;
    size_t pos;
    int depth;
    hy_error *err;
} json_parser;

/* ---- errors ------------------------------------------------------------ */

static int parse_error_at(json_parser *p, size_t at, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static int parse_error_at(json_parser *p, size_t at, const char *fmt, ...)
{
    size_t line = 1, column = 1;
    for (size_t i = 0; i < at && i < p->len; i++) {
        if (p->s[i] == '\n') {
            line++;
            column = 1;
        } else if ((p->s[i] & 0xC0) != 0x80) {
            column++;
        }
    }
    char what[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return hy_fail(p->err, "line %zu, column %zu: %s", line, column, what);
}

/* Describes the byte at `at` for an error message: 'x', "end of input" or
 * byte 0xNN. */
static const char *describe_byte(const json_parser *p, size_t at, char *buf, size_t cap)
{
    if (at >= p->len) return "end of input";
    unsigned c = p->s[at];
    if (c >= 0x21 && c < 0x7F) snprintf(buf, cap, "'%c'", (char)c);
    else snprintf(buf, cap, "byte 0x%02X", c);
    return buf;
}

static int oom(json_parser *p)
{
    return parse_error_at(p, p->pos, "out of memory");
}

/* ---- freeing ----------------------------------------------------------- */

static void free_contents(hy_json *v)
{
    if (v->type == HY_JSON_STRING) {
        free(v->string);
    } else if (v->type == HY_JSON_ARRAY || v->type == HY_JSON_OBJECT) {
        for (size_t i = 0; i < v->count; i++) {
            free_contents(&v->items[i]);
            if (v->keys) free(v->keys[i]);
        }
        free(v->items);
        free(v->keys);
    }
    memset(v, 0, sizeof *v);
}

void hy_json_free(hy_json *v)
{
    if (!v) return;
    free_contents(v);
    free(v);
}

/* ---- lexical helpers --------------------------------------------------- */

static void skip_whitespace(json_parser *p)
{
    while (p->pos < p->len) {
        unsigned char c = p->s[p->pos];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
        p->pos++;
    }
}

static int is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static int hex_value(unsigned char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Reads 4 hex digits at p->s[at..at+3] into *out; -1 when not all hex. */
static int read_hex4(const json_parser *p, size_t at, unsigned *out)
{
    if (at > p->len || p->len - at < 4) return -1;
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        int h = hex_value(p->s[at + (size_t)i]);
        if (h < 0) return -1;
        v = v * 16u + (unsigned)h;
    }
    *out = v;
    return 0;
}

/* Length of the valid UTF-8 sequence starting at s[at], or 0 when the bytes
 * there are not well-formed UTF-8 (RFC 3629: no overlongs, no surrogates,
 * nothing above U+10FFFF). */
static size_t utf8_sequence_length(const unsigned char *s, size_t len, size_t at)
{
    unsigned c = s[at];
    size_t n;
    unsigned lo = 0x80, hi = 0xBF; /* allowed range of the second byte */
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF) n = 2;
    else if (c == 0xE0) { n = 3; lo = 0xA0; }
    else if (c >= 0xE1 && c <= 0xEC) n = 3;
    else if (c == 0xED) { n = 3; hi = 0x9F; }
    else if (c >= 0xEE && c <= 0xEF) n = 3;
    else if (c == 0xF0) { n = 4; lo = 0x90; }
    else if (c >= 0xF1 && c <= 0xF3) n = 4;
    else if (c == 0xF4) { n = 4; hi = 0x8F; }
    else return 0;
    if (len - at < n) return 0;
    if (s[at + 1] < lo || s[at + 1] > hi) return 0;
    for (size_t i = 2; i < n; i++)
        if ((s[at + i] & 0xC0) != 0x80) return 0;
    return n;
}

static size_t encode_utf8(unsigned cp, char *out)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* ---- strings ----------------------------------------------------------- */

/* Parses the string starting at the opening quote p->s[p->pos]; on success
 * *out is a malloc'ed, NUL-terminated decoded string of *out_len bytes. */
static int parse_string(json_parser *p, char **out, size_t *out_len)
{
    const size_t open = p->pos;
    /* Find the closing quote first: the decoded text is never longer than
     * the raw text, which bounds the allocation. */
    size_t close = open + 1;
    while (close < p->len && p->s[close] != '"')
        close += p->s[close] == '\\' ? 2 : 1;
    if (close >= p->len) return parse_error_at(p, open, "unterminated string");

    char *buf = malloc(close - open);
    if (!buf) return oom(p);
    size_t n = 0;
    size_t i = open + 1;
    while (i < close) {
        unsigned char c = p->s[i];
        if (c < 0x20) {
            free(buf);
            return parse_error_at(p, i, "control character 0x%02X in string (must be escaped)", c);
        }
        if (c >= 0x80) {
            size_t k = utf8_sequence_length(p->s, close, i);
            if (k == 0) {
                free(buf);
                return parse_error_at(p, i, "invalid UTF-8 byte 0x%02X in string", c);
            }
            memcpy(buf + n, p->s + i, k);
            n += k;
            i += k;
            continue;
        }
        if (c != '\\') {
            buf[n++] = (char)c;
            i++;
            continue;
        }
        /* An escape; i + 1 < close is guaranteed by the scan above. */
        unsigned char e = p->s[i + 1];
        const char *simple = strchr("\"\\/bfnrt", e);
        if (e != 0 && simple) {
            static const char decoded[] = "\"\\/\b\f\n\r\t";
            buf[n++] = decoded[simple - "\"\\/bfnrt"];
            i += 2;
            continue;
        }
        if (e != 'u') {
            char what[32];
            free(buf);
            return parse_error_at(p, i, "invalid escape '\\' followed by %s",
                                  describe_byte(p, i + 1, what, sizeof what));
        }
        unsigned cp;
        if (i + 6 > close || read_hex4(p, i + 2, &cp) != 0) {
            free(buf);
            return parse_error_at(p, i, "invalid \\u escape (expected 4 hex digits)");
        }
        size_t escape_len = 6;
        if (cp >= 0xDC00 && cp <= 0xDFFF) {
            free(buf);
            return parse_error_at(p, i, "lone low surrogate \\u%04X in string", cp);
        }
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            unsigned low;
            if (i + 12 > close || p->s[i + 6] != '\\' || p->s[i + 7] != 'u' ||
                read_hex4(p, i + 8, &low) != 0 || low < 0xDC00 || low > 0xDFFF) {
                free(buf);
                return parse_error_at(p, i,
                                      "lone high surrogate \\u%04X in string (must be followed "
                                      "by a \\uDC00-\\uDFFF low surrogate)",
                                      cp);
            }
            cp = 0x10000u + ((cp - 0xD800u) << 10) + (low - 0xDC00u);
            escape_len = 12;
        }
        n += encode_utf8(cp, buf + n);
        i += escape_len;
    }
    buf[n] = 0;
    p->pos = close + 1;
    *out = buf;
    *out_len = n;
    return 0;
}

/* ---- numbers ----------------------------------------------------------- */

static int parse_number(json_parser *p, hy_json *v)
{
    const size_t start = p->pos;
    size_t i = start;
    int negative = 0;
    if (p->s[i] == '-') {
        negative = 1;
        i++;
    }
    if (i >= p->len || !is_digit(p->s[i])) {
        char what[32];
        return parse_error_at(p, i, "expected a digit in number, found %s",
                              describe_byte(p, i, what, sizeof what));
    }
    if (p->s[i] == '0') {
        i++;
        if (i < p->len && is_digit(p->s[i]))
            return parse_error_at(p, start, "leading zeros are not allowed in numbers");
    } else {
        while (i < p->len && is_digit(p->s[i])) i++;
    }
    const size_t int_end = i;
    int plain_integer = 1;
    if (i < p->len && p->s[i] == '.') {
        plain_integer = 0;
        i++;
        if (i >= p->len || !is_digit(p->s[i]))
            return parse_error_at(p, i, "expected a digit after the decimal point");
        while (i < p->len && is_digit(p->s[i])) i++;
    }
    if (i < p->len && (p->s[i] == 'e' || p->s[i] == 'E')) {
        plain_integer = 0;
        i++;
        if (i < p->len && (p->s[i] == '+' || p->s[i] == '-')) i++;
        if (i >= p->len || !is_digit(p->s[i]))
            return parse_error_at(p, i, "expected a digit in the exponent");
        while (i < p->len && is_digit(p->s[i])) i++;
    }

    /* Exact int64 value when written as a plain integer and in range. */
    v->type = HY_JSON_NUMBER;
    if (plain_integer) {
        const uint64_t limit = negative ? (uint64_t)INT64_MAX + 1u : (uint64_t)INT64_MAX;
        uint64_t mag = 0;
        int fits = 1;
        for (size_t k = start + (size_t)negative; k < int_end; k++) {
            unsigned d = (unsigned)(p->s[k] - '0');
            if (mag > (limit - d) / 10u) {
                fits = 0;
                break;
            }
            mag = mag * 10u + d;
        }
        if (fits) {
            v->is_integer = 1;
            if (negative)
                v->integer = mag == (uint64_t)INT64_MAX + 1u ? INT64_MIN : -(int64_t)mag;
            else
                v->integer = (int64_t)mag;
        }
    }

    /* The double, through strtod on a NUL-terminated copy of the token (the
     * text itself need not be terminated).  The grammar has been checked,
     * so strtod consumes the whole token. */
    size_t n = i - start;
    char small[64];
    char *tok = n < sizeof small ? small : malloc(n + 1);
    if (!tok) return oom(p);
    memcpy(tok, p->s + start, n);
    tok[n] = 0;
    /* strtod follows LC_NUMERIC; JSON's decimal point is always '.'. */
    const char *point = localeconv()->decimal_point;
    if (point && point[0] && point[0] != '.' && point[1] == 0) {
        char *dot = strchr(tok, '.');
        if (dot) *dot = point[0];
    }
    char *tok_end;
    double d = strtod(tok, &tok_end);
    int whole = tok_end == tok + n;
    if (tok != small) free(tok);
    if (!whole) return parse_error_at(p, start, "number cannot be converted in this locale");
    if (isinf(d)) return parse_error_at(p, start, "number out of range of a double");
    v->number = v->is_integer ? (double)v->integer : d;
    if (v->is_integer && negative && v->integer == 0) v->number = -0.0;
    p->pos = i;
    return 0;
}

/* ---- values ------------------------------------------------------------ */

static int parse_value(json_parser *p, hy_json *v);

/* Makes room for one more member of an array or object. */
static int grow_members(json_parser *p, hy_json *v, size_t *cap)
{
    if (v->count < *cap) return 0;
    size_t ncap = *cap ? *cap * 2 : 4;
    hy_json *items = realloc(v->items, ncap * sizeof *items);
    if (!items) return oom(p);
    v->items = items;
    if (v->type == HY_JSON_OBJECT) {
        char **keys = realloc(v->keys, ncap * sizeof *keys);
        if (!keys) return oom(p);
        v->keys = keys;
    }
    *cap = ncap;
    return 0;
}

static int enter_container(json_parser *p)
{
    if (++p->depth > HY_JSON_MAX_DEPTH)
        return parse_error_at(p, p->pos, "nesting deeper than %d levels", HY_JSON_MAX_DEPTH);
    return 0;
}

static int parse_array(json_parser *p, hy_json *v)
{
    v->type = HY_JSON_ARRAY;
    if (enter_container(p) != 0) return -1;
    p->pos++; /* '[' */
    skip_whitespace(p);
    if (p->pos < p->len && p->s[p->pos] == ']') {
        p->pos++;
        p->depth--;
        return 0;
    }
    size_t cap = 0;
    for (;;) {
        if (grow_members(p, v, &cap) != 0) return -1;
        hy_json *item = &v->items[v->count];
        memset(item, 0, sizeof *item);
        v->count++;
        if (parse_value(p, item) != 0) return -1;
        skip_whitespace(p);
        if (p->pos < p->len && p->s[p->pos] == ',') {
            p->pos++;
            continue;
        }
        if (p->pos < p->len && p->s[p->pos] == ']') {
            p->pos++;
            p->depth--;
            return 0;
        }
        char what[32];
        return parse_error_at(p, p->pos, "expected ',' or ']' in array, found %s",
                              describe_byte(p, p->pos, what, sizeof what));
    }
}

static int parse_object(json_parser *p, hy_json *v)
{
    v->type = HY_JSON_OBJECT;
    if (enter_container(p) != 0) return -1;
    p->pos++; /* '{' */
    skip_whitespace(p);
    if (p->pos < p->len && p->s[p->pos] == '}') {
        p->pos++;
        p->depth--;
        return 0;
    }
    size_t cap = 0;
    char what[32];
    for (;;) {
        skip_whitespace(p);
        if (p->pos >= p->len || p->s[p->pos] != '"')
            return parse_error_at(p, p->pos, "expected a string key in object, found %s",
                                  describe_byte(p, p->pos, what, sizeof what));
        if (grow_members(p, v, &cap) != 0) return -1;
        const size_t key_pos = p->pos;
        char *key;
        size_t key_len;
        if (parse_string(p, &key, &key_len) != 0) return -1;
        if (strlen(key) != key_len) {
            free(key);
            return parse_error_at(p, key_pos, "object key contains \\u0000 (not supported)");
        }
        hy_json *item = &v->items[v->count];
        memset(item, 0, sizeof *item);
        v->keys[v->count] = key;
        v->count++;
        skip_whitespace(p);
        if (p->pos >= p->len || p->s[p->pos] != ':')
            return parse_error_at(p, p->pos, "expected ':' after object key, found %s",
                                  describe_byte(p, p->pos, what, sizeof what));
        p->pos++;
        if (parse_value(p, item) != 0) return -1;
        skip_whitespace(p);
        if (p->pos < p->len && p->s[p->pos] == ',') {
            p->pos++;
            continue;
        }
        if (p->pos < p->len && p->s[p->pos] == '}') {
            p->pos++;
            p->depth--;
            return 0;
        }
        return parse_error_at(p, p->pos, "expected ',' or '}' in object, found %s",
                              describe_byte(p, p->pos, what, sizeof what));
    }
}

static int parse_literal(json_parser *p, const char *word)
{
    size_t n = strlen(word);
    if (p->len - p->pos < n || memcmp(p->s + p->pos, word, n) != 0) {
        char what[32];
        return parse_error_at(p, p->pos, "expected a value, found %s",
                              describe_byte(p, p->pos, what, sizeof what));
    }
    p->pos += n;
    return 0;
}

static int parse_value(json_parser *p, hy_json *v)
{
    skip_whitespace(p);
    if (p->pos >= p->len) return parse_error_at(p, p->pos, "unexpected end of input, expected a value");
    unsigned char c = p->s[p->pos];
    switch (c) {
    case '{': return parse_object(p, v);
    case '[': return parse_array(p, v);
    case '"':
        v->type = HY_JSON_STRING;
        return parse_string(p, &v->string, &v->len);
    case 't':
        v->type = HY_JSON_BOOL;
        v->boolean = 1;
        return parse_literal(p, "true");
    case 'f':
        v->type = HY_JSON_BOOL;
        return parse_literal(p, "false");
    case 'n':
        v->type = HY_JSON_NULL;
        return parse_literal(p, "null");
    default:
        if (c == '-' || is_digit(c)) return parse_number(p, v);
        char what[32];
        return parse_error_at(p, p->pos, "expected a value, found %s",
                              describe_byte(p, p->pos, what, sizeof what));
    }
}

int hy_json_parse(const char *text, size_t len, hy_json **out, hy_error *err)
{
    *out = NULL;
    if (!text && len > 0) return hy_fail(err, "JSON text is NULL");
    json_parser p = {.s = (const unsigned char *)text, .len = len, .err = err};
    hy_json *root = calloc(1, sizeof *root);
    if (!root) return hy_fail(err, "out of memory");
    if (parse_value(&p, root) != 0) {
        hy_json_free(root);
        return -1;
    }
    skip_whitespace(&p);
    if (p.pos != p.len) {
        char what[32];
        int rc = parse_error_at(&p, p.pos, "unexpected %s after the JSON value",
                                describe_byte(&p, p.pos, what, sizeof what));
        hy_json_free(root);
        return rc;
    }
    *out = root;
    return 0;
}

const hy_json *hy_json_get(const hy_json *obj, const char *key)
{
    if (!obj || obj->type != HY_JSON_OBJECT || !key) return NULL;
    for (size_t i = 0; i < obj->count; i++)
        if (strcmp(obj->keys[i], key) == 0) return &obj->items[i];
    return NULL;
}

const char *hy_json_type_name(hy_json_type t)
{
    switch (t) {
    case HY_JSON_NULL: return "null";
    case HY_JSON_BOOL: return "boolean";
    case HY_JSON_NUMBER: return "number";
    case HY_JSON_STRING: return "string";
    case HY_JSON_ARRAY: return "array";
    case HY_JSON_OBJECT: return "object";
    }
    return "?";
}

/* ---- the text buffer --------------------------------------------------- */

/* Ensures room for `extra` more bytes plus the terminating NUL. */
static int strbuf_reserve(hy_strbuf *b, size_t extra)
{
    if (b->failed) return -1;
    if (extra > SIZE_MAX / 2 - b->len) {
        b->failed = 1;
        return -1;
    }
    size_t need = b->len + extra + 1;
    if (need <= b->cap) return 0;
    size_t ncap = b->cap ? b->cap : 256;
    while (ncap < need) ncap *= 2;
    char *data = realloc(b->data, ncap);
    if (!data) {
        b->failed = 1;
        return -1;
    }
    b->data = data;
    b->cap = ncap;
    return 0;
}

static void strbuf_append(hy_strbuf *b, const char *s, size_t n)
{
    if (strbuf_reserve(b, n) != 0) return;
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = 0;
}

void hy_strbuf_printf(hy_strbuf *b, const char *fmt, ...)
{
    if (b->failed) return;
    va_list ap;
    va_start(ap, fmt);
    va_list again;
    va_copy(again, ap);
    char small[256];
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->failed = 1;
    } else if ((size_t)n < sizeof small) {
        strbuf_append(b, small, (size_t)n);
    } else if (strbuf_reserve(b, (size_t)n) == 0) {
        vsnprintf(b->data + b->len, (size_t)n + 1, fmt, again);
        b->len += (size_t)n;
    }
    va_end(again);
}

/* Quotes s as a JSON string: '"' and '\' escaped, control characters as
 * \n, \t, ... or \u00XX.  Other bytes (UTF-8) are copied as they are.  A
 * NULL s writes null. */
void hy_strbuf_json_string(hy_strbuf *b, const char *s)
{
    if (!s) {
        strbuf_append(b, "null", 4);
        return;
    }
    strbuf_append(b, "\"", 1);
    const char *run = s; /* start of the bytes not yet copied */
    for (const char *c = s; *c; c++) {
        unsigned char u = (unsigned char)*c;
        const char *esc = NULL;
        char hex[8];
        switch (u) {
        case '"': esc = "\\\""; break;
        case '\\': esc = "\\\\"; break;
        case '\b': esc = "\\b"; break;
        case '\f': esc = "\\f"; break;
        case '\n': esc = "\\n"; break;
        case '\r': esc = "\\r"; break;
        case '\t': esc = "\\t"; break;
        default:
            if (u < 0x20 || u == 0x7F) {
                snprintf(hex, sizeof hex, "\\u%04x", u);
                esc = hex;
            }
        }
        if (!esc) continue;
        strbuf_append(b, run, (size_t)(c - run));
        strbuf_append(b, esc, strlen(esc));
        run = c + 1;
    }
    strbuf_append(b, run, strlen(run));
    strbuf_append(b, "\"", 1);
}

void hy_strbuf_free(hy_strbuf *b)
{
    free(b->data);
    memset(b, 0, sizeof *b);
}
