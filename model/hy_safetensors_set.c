/* hy_safetensors_set.c — the tensors of a model directory: a single
 * model.safetensors, the shards of model.safetensors.index.json, or the
 * only *.safetensors file present.
 *
 * Shard names in the index must be plain file names inside the directory
 * (no '/', not "." or ".."), so an index cannot make hybench open files
 * elsewhere.  Each shard is opened once; every weight_map entry must be
 * present in its shard; a tensor name found in two shards is an error. */
#include "hy_json.h"
#include "hy_safetensors.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define INDEX_NAME "model.safetensors.index.json"
#define SINGLE_NAME "model.safetensors"

typedef struct set_entry {
    const hy_st_tensor *tensor;
    size_t shard;
} set_entry;

struct hy_st_set {
    hy_st_file **files;
    char **file_names;
    size_t nfiles;
    set_entry *tensors; /* shard order, then header order */
    set_entry *by_name; /* sorted by name */
    size_t count;
};

void hy_st_set_close(hy_st_set *s)
{
    if (!s) return;
    for (size_t i = 0; i < s->nfiles; i++) {
        hy_st_close(s->files[i]);
        free(s->file_names[i]);
    }
    free(s->files);
    free(s->file_names);
    free(s->tensors);
    free(s->by_name);
    free(s);
}

static int join_path(const char *dir, const char *name, char *out, size_t cap, hy_error *err)
{
    int n = snprintf(out, cap, "%s/%s", dir, name);
    if (n < 0 || (size_t)n >= cap) return hy_fail(err, "%s/%s: path too long", dir, name);
    return 0;
}

static int is_regular_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Opens the shards (names owned by the caller, already unique) into s. */
static int open_shards(hy_st_set *s, const char *dir, const char *const *names, size_t n,
                       hy_error *err)
{
    s->files = calloc(n, sizeof *s->files);
    s->file_names = calloc(n, sizeof *s->file_names);
    if (!s->files || !s->file_names) return hy_fail(err, "out of memory");
    for (size_t i = 0; i < n; i++) {
        char path[4096];
        if (join_path(dir, names[i], path, sizeof path, err) != 0) return -1;
        s->file_names[i] = malloc(strlen(names[i]) + 1);
        if (!s->file_names[i]) return hy_fail(err, "out of memory");
        strcpy(s->file_names[i], names[i]);
        s->nfiles = i + 1;
        if (hy_st_open(path, &s->files[i], err) != 0) return -1;
    }
    return 0;
}

static int compare_entries_by_name(const void *a, const void *b)
{
    const set_entry *x = a, *y = b;
    return strcmp(x->tensor->name, y->tensor->name);
}

/* Gathers every shard's tensors; rejects names present in two shards. */
static int index_tensors(hy_st_set *s, hy_error *err)
{
    size_t total = 0;
    for (size_t i = 0; i < s->nfiles; i++) total += hy_st_count(s->files[i]);
    s->tensors = calloc(total ? total : 1, sizeof *s->tensors);
    s->by_name = calloc(total ? total : 1, sizeof *s->by_name);
    if (!s->tensors || !s->by_name) return hy_fail(err, "out of memory");
    for (size_t i = 0; i < s->nfiles; i++)
        for (size_t j = 0; j < hy_st_count(s->files[i]); j++)
            s->tensors[s->count++] = (set_entry){hy_st_at(s->files[i], j), i};
    memcpy(s->by_name, s->tensors, s->count * sizeof *s->by_name);
    qsort(s->by_name, s->count, sizeof *s->by_name, compare_entries_by_name);
    for (size_t i = 1; i < s->count; i++)
        if (strcmp(s->by_name[i - 1].tensor->name, s->by_name[i].tensor->name) == 0)
            return hy_fail(err, "tensor \"%.200s\" is in two shards: %s and %s",
                           s->by_name[i].tensor->name, s->file_names[s->by_name[i - 1].shard],
                           s->file_names[s->by_name[i].shard]);
    return 0;
}

static int valid_shard_name(const hy_json *v)
{
    if (v->type != HY_JSON_STRING || v->len == 0 || strlen(v->string) != v->len) return 0;
    if (strchr(v->string, '/') || strcmp(v->string, ".") == 0 || strcmp(v->string, "..") == 0)
        return 0;
    return 1;
}

static int compare_strings(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The sharded case: index.json's weight_map. */
static int open_from_index(hy_st_set *s, const char *dir, const char *index_path, hy_error *err)
{
    char *text;
    size_t len;
    if (hy_read_file(index_path, &text, &len, err) != 0) return -1;
    hy_json *root = NULL;
    const char **names = NULL;
    int rc = -1;
    if (hy_json_parse(text, len, &root, err) != 0) {
        hy_fail_prefix(err, "%s", index_path);
        goto done;
    }
    const hy_json *map = hy_json_get(root, "weight_map");
    if (!map || map->type != HY_JSON_OBJECT) {
        hy_fail(err, "%s: \"weight_map\" %s", index_path,
                map ? "must be an object" : "is missing (or the file is not a JSON object)");
        goto done;
    }
    if (map->count == 0) {
        hy_fail(err, "%s: \"weight_map\" is empty", index_path);
        goto done;
    }
    names = malloc(map->count * sizeof *names);
    if (!names) {
        hy_fail(err, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < map->count; i++) {
        const hy_json *v = &map->items[i];
        if (!valid_shard_name(v)) {
            hy_fail(err,
                    "%s: tensor \"%.200s\": shard %s%.200s%s must be a plain file name in the "
                    "model directory (no '/', not \".\" or \"..\")",
                    index_path, map->keys[i], v->type == HY_JSON_STRING ? "\"" : "",
                    v->type == HY_JSON_STRING ? v->string : hy_json_type_name(v->type),
                    v->type == HY_JSON_STRING ? "\"" : "");
            goto done;
        }
        names[i] = v->string;
    }
    qsort(names, map->count, sizeof *names, compare_strings);
    size_t unique = 0;
    for (size_t i = 0; i < map->count; i++)
        if (unique == 0 || strcmp(names[unique - 1], names[i]) != 0) names[unique++] = names[i];
    if (open_shards(s, dir, names, unique, err) != 0) goto done;
    for (size_t i = 0; i < map->count; i++) {
        const char *shard = map->items[i].string;
        size_t k = 0;
        while (strcmp(s->file_names[k], shard) != 0) k++;
        if (!hy_st_find(s->files[k], map->keys[i])) {
            hy_fail(err, "%s: tensor \"%.200s\" is mapped to %s, which does not contain it",
                    index_path, map->keys[i], shard);
            goto done;
        }
    }
    rc = index_tensors(s, err);
done:
    free(names);
    hy_json_free(root);
    free(text);
    return rc;
}

/* Neither model.safetensors nor an index: the only *.safetensors file. */
static int find_single_file(const char *dir, char *name, size_t cap, hy_error *err)
{
    DIR *d = opendir(dir);
    if (!d) return hy_fail(err, "%s: cannot open directory: %s", dir, strerror(errno));
    size_t found = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        size_t n = strlen(de->d_name);
        const char *ext = ".safetensors";
        size_t e = strlen(ext);
        if (n <= e || strcmp(de->d_name + n - e, ext) != 0 || de->d_name[0] == '.') continue;
        if (found++ == 0) snprintf(name, cap, "%s", de->d_name);
    }
    closedir(d);
    if (found == 0)
        return hy_fail(err, "%s: no " SINGLE_NAME ", " INDEX_NAME " or other *.safetensors file",
                       dir);
    if (found > 1)
        return hy_fail(err, "%s: %zu *.safetensors files but no " INDEX_NAME " saying how they fit together",
                       dir, found);
    return 0;
}

int hy_st_set_open_dir(const char *dir, hy_st_set **out, hy_error *err)
{
    *out = NULL;
    if (!dir) return hy_fail(err, "no directory given");
    struct stat st;
    if (stat(dir, &st) != 0) return hy_fail(err, "%s: %s", dir, strerror(errno));
    if (!S_ISDIR(st.st_mode)) return hy_fail(err, "%s: not a directory", dir);
    hy_st_set *s = calloc(1, sizeof *s);
    if (!s) return hy_fail(err, "out of memory");
    char path[4096];
    int rc;
    if (join_path(dir, SINGLE_NAME, path, sizeof path, err) != 0) {
        rc = -1;
    } else if (is_regular_file(path)) {
        const char *names[] = {SINGLE_NAME};
        rc = open_shards(s, dir, names, 1, err);
        if (rc == 0) rc = index_tensors(s, err);
    } else if (join_path(dir, INDEX_NAME, path, sizeof path, err) != 0) {
        rc = -1;
    } else if (is_regular_file(path)) {
        rc = open_from_index(s, dir, path, err);
    } else {
        char name[256];
        rc = find_single_file(dir, name, sizeof name, err);
        const char *names[] = {name};
        if (rc == 0) rc = open_shards(s, dir, names, 1, err);
        if (rc == 0) rc = index_tensors(s, err);
    }
    if (rc != 0) {
        hy_st_set_close(s);
        return -1;
    }
    *out = s;
    return 0;
}

const hy_st_tensor *hy_st_set_find(const hy_st_set *s, const char *name)
{
    if (!s || !name) return NULL;
    size_t lo = 0, hi = s->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(name, s->by_name[mid].tensor->name);
        if (c == 0) return s->by_name[mid].tensor;
        if (c < 0) hi = mid;
        else lo = mid + 1;
    }
    return NULL;
}

size_t hy_st_set_count(const hy_st_set *s)
{
    return s ? s->count : 0;
}

const hy_st_tensor *hy_st_set_at(const hy_st_set *s, size_t i)
{
    return s && i < s->count ? s->tensors[i].tensor : NULL;
}
