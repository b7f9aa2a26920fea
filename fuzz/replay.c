/*
 * The plain replay driver every fuzz target links in ordinary builds:
 * runs LLVMFuzzerTestOneInput over each file of the directories (or
 * files) named on the command line, whole and then cut at a few fixed
 * points, so the corpus is a regression test under CTest (and under the
 * sanitizer build) without libFuzzer. Exits non-zero when a file cannot
 * be read; a crash in the target ends the process, which fails the test.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Corpus files are small; anything bigger is not one of ours. */
#define REPLAY_MAX_BYTES (4u * 1024 * 1024)

static int run_file(const char *path, int *count)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "replay: cannot open %s\n", path);
        return 1;
    }
    uint8_t *buf = malloc(REPLAY_MAX_BYTES);
    size_t n = buf ? fread(buf, 1, REPLAY_MAX_BYTES, f) : 0;
    fclose(f);
    if (!buf)
        return 1;
    /* A copy of exactly n bytes, so ASan sees any read past the end. */
    uint8_t *exact = malloc(n ? n : 1);
    if (!exact) {
        free(buf);
        return 1;
    }
    memcpy(exact, buf, n);
    LLVMFuzzerTestOneInput(exact, n);
    /* Truncations: documents cut mid-tag, mid-entity, mid-character. */
    static const unsigned cuts[] = {1, 7, 31, 64, 100, 257, 1000};
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++)
        if (cuts[i] < n)
            LLVMFuzzerTestOneInput(exact, cuts[i]);
    if (n > 2) {
        LLVMFuzzerTestOneInput(exact, n / 2);
        LLVMFuzzerTestOneInput(exact, n - 1);
    }
    free(exact);
    free(buf);
    (*count)++;
    return 0;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int run_path(const char *path, int *count)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        fprintf(stderr, "replay: no such file %s\n", path);
        return 1;
    }
    if (!S_ISDIR(st.st_mode))
        return run_file(path, count);
    DIR *d = opendir(path);
    if (!d)
        return 1;
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    int rc = 0;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            char **v = realloc(names, cap * sizeof *v);
            if (!v) {
                rc = 1;
                break;
            }
            names = v;
        }
        size_t len = strlen(path) + strlen(e->d_name) + 2;
        names[n] = malloc(len);
        if (!names[n]) {
            rc = 1;
            break;
        }
        snprintf(names[n++], len, "%s/%s", path, e->d_name);
    }
    closedir(d);
    /* Sorted: a failure reproduces in the same order every time. */
    if (names)
        qsort(names, n, sizeof *names, by_name);
    for (size_t i = 0; i < n; i++) {
        if (!rc)
            rc = run_file(names[i], count);
        free(names[i]);
    }
    free(names);
    return rc;
}

int main(int argc, char **argv)
{
    int count = 0, rc = 0;
    if (argc < 2) {
        fprintf(stderr, "usage: %s CORPUS_DIR|FILE...\n", argv[0]);
        return 2;
    }
    for (int i = 1; i < argc && !rc; i++)
        rc = run_path(argv[i], &count);
    printf("replayed %d inputs\n", count);
    return rc || count == 0;
}
