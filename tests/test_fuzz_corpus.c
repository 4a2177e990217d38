/* test_fuzz_corpus.c — replays the committed fuzz seed corpus
 * (tests/fuzz/corpus/{json,safetensors}/) through both parsers, then a few
 * thousand deterministic mutations of those seeds (bit flips, interesting
 * bytes, truncation, insertion, deletion, duplication, and for safetensors
 * rewritten header lengths), each in an exactly-sized buffer, with the
 * same invariant checks as the libFuzzer targets (tests/fuzz/hy_fuzz_checks.h).
 * Seeds named ok_* must be accepted and bad_* rejected.  Memory errors are
 * caught when built with -DHYBENCH_SANITIZE=ON.
 *
 * The corpus is found through $HYBENCH_FUZZ_CORPUS, else next to this
 * source file (its path as the compiler saw it). */
#include "fuzz/hy_fuzz_checks.h"
#include "hy_test.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SEEDS 256
#define MUTATIONS_PER_PARSER 4000

typedef struct seed {
    char name[256];
    unsigned char *data;
    size_t len;
} seed;

typedef const char *(*check_fn)(const uint8_t *data, size_t size, int *accepted);

/* splitmix64: a fixed, portable sequence. */
static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint64_t rng_next(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}
static size_t rng_below(size_t n)
{
    return n ? (size_t)(rng_next() % n) : 0;
}

static int compare_seeds(const void *a, const void *b)
{
    return strcmp(((const seed *)a)->name, ((const seed *)b)->name);
}

static void corpus_root(char *out, size_t cap)
{
    const char *env = getenv("HYBENCH_FUZZ_CORPUS");
    if (env && *env) {
        snprintf(out, cap, "%s", env);
        return;
    }
    const char *file = __FILE__;
    const char *slash = strrchr(file, '/');
    if (!slash) snprintf(out, cap, "fuzz/corpus");
    else snprintf(out, cap, "%.*s/fuzz/corpus", (int)(slash - file), file);
}

/* Loads every file of root/sub, sorted by name (a fixed replay order). */
static size_t load_seeds(const char *root, const char *sub, seed *seeds)
{
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/%s", root, sub);
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "  cannot open corpus directory %s (set HYBENCH_FUZZ_CORPUS)\n", dir);
        return 0;
    }
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL && n < MAX_SEEDS) {
        if (de->d_name[0] == '.') continue;
        snprintf(seeds[n].name, sizeof seeds[n].name, "%s", de->d_name);
        n++;
    }
    closedir(d);
    qsort(seeds, n, sizeof *seeds, compare_seeds);
    for (size_t i = 0; i < n; i++) {
        char path[1400];
        hy_error err;
        snprintf(path, sizeof path, "%s/%s", dir, seeds[i].name);
        char *data;
        CHECK_OK(hy_read_file(path, &data, &seeds[i].len, &err), &err);
        seeds[i].data = (unsigned char *)data;
    }
    return n;
}

static void free_seeds(seed *seeds, size_t n)
{
    for (size_t i = 0; i < n; i++) free(seeds[i].data);
}

/* Runs one input from an exactly-sized copy. */
static int run_one(check_fn check, const unsigned char *data, size_t len, const char *what,
                   int *accepted)
{
    unsigned char *copy = malloc(len ? len : 1);
    if (len) memcpy(copy, data, len);
    const char *problem = check(copy, len, accepted);
    free(copy);
    if (problem) fprintf(stderr, "  %s: %s\n", what, problem);
    return problem == NULL;
}

static void replay_seeds(check_fn check, seed *seeds, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int accepted = 0;
        int ok = run_one(check, seeds[i].data, seeds[i].len, seeds[i].name, &accepted);
        hy_test_record(ok, __FILE__, __LINE__, seeds[i].name);
        int want = strncmp(seeds[i].name, "ok_", 3) == 0;
        if (accepted != want)
            fprintf(stderr, "  seed %s was %s\n", seeds[i].name, accepted ? "accepted" : "rejected");
        hy_test_record(accepted == want, __FILE__, __LINE__, seeds[i].name);
    }
}

/* Applies one random mutation to buf (len bytes, room for cap). */
static size_t mutate(unsigned char *buf, size_t len, size_t cap, int safetensors)
{
    static const unsigned char interesting[] = {0,   0xff, 0x7f, 0x80, '"', '\\', '{', '}', '[',
                                                ']', ',',  ':',  '0',  '-', 'e',  '.', 'u', ' '};
    size_t kind = rng_below(safetensors ? 8 : 7);
    switch (kind) {
    case 0: /* flip a bit */
        if (len) buf[rng_below(len)] ^= (unsigned char)(1u << rng_below(8));
        return len;
    case 1: /* an interesting byte */
        if (len) buf[rng_below(len)] = interesting[rng_below(sizeof interesting)];
        return len;
    case 2: /* truncate */
        return rng_below(len + 1);
    case 3: /* insert a byte */
        if (len < cap) {
            size_t at = rng_below(len + 1);
            memmove(buf + at + 1, buf + at, len - at);
            buf[at] = rng_below(2) ? interesting[rng_below(sizeof interesting)]
                                   : (unsigned char)rng_next();
            return len + 1;
        }
        return len;
    case 4: /* delete a byte */
        if (len) {
            size_t at = rng_below(len);
            memmove(buf + at, buf + at + 1, len - at - 1);
            return len - 1;
        }
        return len;
    case 5: { /* duplicate a short range somewhere else */
        if (!len) return len;
        size_t from = rng_below(len), n = 1 + rng_below(16);
        if (n > len - from) n = len - from;
        if (len + n > cap) return len;
        size_t at = rng_below(len + 1);
        unsigned char piece[16];
        memcpy(piece, buf + from, n);
        memmove(buf + at + n, buf + at, len - at);
        memcpy(buf + at, piece, n);
        return len + n;
    }
    case 6: /* a random ASCII digit (numbers, offsets, shapes) */
        if (len) buf[rng_below(len)] = (unsigned char)('0' + rng_below(10));
        return len;
    default: { /* safetensors: a new header length near the real one, or wild */
        if (len < 8) return len;
        uint64_t n = 0;
        for (int i = 7; i >= 0; i--) n = (n << 8) | buf[i];
        switch (rng_below(3)) {
        case 0: n += rng_below(17) - 8; break;
        case 1: n = len - 8 + rng_below(3) - 1; break;
        default: n = rng_next() >> rng_below(64); break;
        }
        for (int i = 0; i < 8; i++) buf[i] = (unsigned char)(n >> (8 * i));
        return len;
    }
    }
}

static void replay_mutations(check_fn check, const seed *seeds, size_t n, int safetensors,
                             const char *label)
{
    if (n == 0) return;
    size_t accepted_count = 0, failures = 0;
    for (int i = 0; i < MUTATIONS_PER_PARSER; i++) {
        const seed *s = &seeds[rng_below(n)];
        size_t cap = s->len + 64;
        unsigned char *buf = malloc(cap);
        memcpy(buf, s->data, s->len);
        size_t len = s->len;
        int rounds = 1 + (int)rng_below(4);
        for (int r = 0; r < rounds; r++) len = mutate(buf, len, cap, safetensors);
        char what[300];
        snprintf(what, sizeof what, "%s mutation %d of %s", label, i, s->name);
        int accepted = 0;
        if (!run_one(check, buf, len, what, &accepted)) failures++;
        accepted_count += (size_t)accepted;
        free(buf);
    }
    printf("  %s: %d mutations, %zu accepted, %zu rejected, %zu invariant failures\n", label,
           MUTATIONS_PER_PARSER, accepted_count, MUTATIONS_PER_PARSER - accepted_count, failures);
    CHECK(failures == 0);
    /* The mutations exercise both paths (a broken mutator would not). */
    CHECK(accepted_count > 0 && accepted_count < MUTATIONS_PER_PARSER);
}

int main(void)
{
    char root[1024];
    corpus_root(root, sizeof root);
    printf("corpus: %s\n", root);
    static seed json_seeds[MAX_SEEDS], st_seeds[MAX_SEEDS];
    size_t nj = load_seeds(root, "json", json_seeds);
    size_t ns = load_seeds(root, "safetensors", st_seeds);
    CHECK(nj >= 10);
    CHECK(ns >= 10);

    replay_seeds(hy_fuzz_check_json, json_seeds, nj);
    replay_seeds(hy_fuzz_check_safetensors, st_seeds, ns);
    replay_mutations(hy_fuzz_check_json, json_seeds, nj, 0, "json");
    replay_mutations(hy_fuzz_check_safetensors, st_seeds, ns, 1, "safetensors");

    free_seeds(json_seeds, nj);
    free_seeds(st_seeds, ns);
    return hy_test_finish();
}
