/*
 * Test helpers: a scratch database directory, a store opened in one (for
 * unit tests), and a way to run the real binary and collect what it
 * prints (for integration tests).
 */
#define _POSIX_C_SOURCE 200809L
#include "vgtest.h"

#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

void vgtest_dir_make(vgtest_dir *d, const char *tag)
{
    snprintf(d->dir, sizeof d->dir, "/tmp/vigie-%s-XXXXXX", tag);
    if (mkdtemp(d->dir) == NULL) {
        perror("mkdtemp");
        abort();
    }
    snprintf(d->db, sizeof d->db, "%s/vigie.db", d->dir);
}

void vgtest_dir_remove(vgtest_dir *d)
{
    static const char *suffix[] = {"", "-wal", "-shm"};
    char p[128];

    for (int i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s%s", d->db, suffix[i]);
        unlink(p);
    }
    rmdir(d->dir);
}

void *vgtest_store_fx_new(size_t size, const char *tag)
{
    vgtest_store_fx *fx = calloc(1, size);

    if (fx == NULL)
        abort();
    vgtest_dir_make(&fx->d, tag);
    if (store_open(fx->d.db, &fx->st) != VG_OK) {
        fprintf(stderr, "store_open %s: %s\n", fx->d.db, vg_error_last());
        abort();
    }
    return fx;
}

int vgtest_store_setup(void **state)
{
    *state = vgtest_store_fx_new(sizeof(vgtest_store_fx), "store");
    return 0;
}

int vgtest_store_teardown(void **state)
{
    /* A fixture's first member shares its address: this is the
     * vgtest_store_fx that vgtest_store_fx_new filled in. */
    vgtest_store_fx *fx = *state;

    store_close(fx->st);
    vgtest_dir_remove(&fx->d);
    free(fx);
    return 0;
}

static int run(const char *db, const char *input, vg_buf *out, va_list ap)
{
    const char *bin = getenv("VG_BINARY");
    char *argv[48];
    int argc = 0;
    int fds[2], in[2] = {-1, -1};
    const char *a;
    char chunk[4096];
    ssize_t n;
    int status = 0;
    pid_t pid;

    if (bin == NULL) {
        fprintf(stderr, "VG_BINARY is not set\n");
        abort();
    }
    argv[argc++] = (char *)bin;
    argv[argc++] = "-q";
    argv[argc++] = "--db";
    argv[argc++] = (char *)db;
    while ((a = va_arg(ap, const char *)) != NULL && argc < 47)
        argv[argc++] = (char *)a;
    argv[argc] = NULL;
    if (pipe(fds) != 0 || (input != NULL && pipe(in) != 0))
        abort();
    pid = fork();
    if (pid < 0)
        abort();
    if (pid == 0) {
        dup2(fds[1], STDOUT_FILENO);
        close(fds[0]);
        close(fds[1]);
        if (input != NULL) {
            dup2(in[0], STDIN_FILENO);
            close(in[0]);
            close(in[1]);
        }
        execv(bin, argv);
        _exit(127);
    }
    close(fds[1]);
    if (input != NULL) {
        /* Inputs are small; a broken pipe (the child exited early) is
         * the child's answer, not the test's failure. */
        void (*old)(int) = signal(SIGPIPE, SIG_IGN);
        size_t len = strlen(input), off = 0;

        close(in[0]);
        while (off < len) {
            ssize_t w = write(in[1], input + off, len - off);
            if (w <= 0)
                break;
            off += (size_t)w;
        }
        close(in[1]);
        signal(SIGPIPE, old);
    }
    while ((n = read(fds[0], chunk, sizeof chunk)) > 0)
        if (out != NULL)
            vg_buf_append(out, chunk, (size_t)n);
    close(fds[0]);
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int vgtest_vigie(const char *db, vg_buf *out, ...)
{
    va_list ap;
    int rc;

    va_start(ap, out);
    rc = run(db, NULL, out, ap);
    va_end(ap);
    return rc;
}

int vgtest_vigie_in(const char *db, const char *input, vg_buf *out, ...)
{
    va_list ap;
    int rc;

    va_start(ap, out);
    rc = run(db, input, out, ap);
    va_end(ap);
    return rc;
}

pid_t vgtest_vigie_run(const char *db, const char *log, int verbose)
{
    const char *bin = getenv("VG_BINARY");
    if (!bin)
        return -1;
    char *argv[] = {(char *)bin, "--db", (char *)db, "run", NULL, NULL};
    if (verbose) {
        argv[1] = "-v";
        argv[2] = "--db";
        argv[3] = (char *)db;
        argv[4] = "run";
    }
    pid_t pid = fork();
    if (pid == 0) {
        int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
        }
        execv(bin, argv);
        _exit(127);
    }
    return pid;
}

int vgtest_stop(pid_t pid)
{
    int status = 0;
    kill(pid, SIGTERM);
    for (int i = 0; i < 250; i++) {
        if (waitpid(pid, &status, WNOHANG) == pid)
            return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        struct timespec ts = {0, 20 * 1000000L};
        nanosleep(&ts, NULL);
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    return -1;
}
