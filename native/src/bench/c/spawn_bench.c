/*
 * spawn_bench - the C limit for the benchmarks: spawn+wait of a program in a loop, from
 * N threads, with M extra descriptors open, for a fixed time.
 *
 *   spawn_bench <clone|fair|posix_spawn> <threads> <open fds> <milliseconds> <program>
 *
 * Prints: RESULT spawns_per_sec=... p50_us=... p99_us=... count=...
 * "clone" is the launcher's own mechanism (libvforkagent's vfa_spawn, as the agent calls it),
 * inheriting stdio and reaping in the spawning thread: the floor.
 * "fair" does the work of a Java spawn+wait in C: three pipes, the child's descriptors arranged
 * as the JDK's contract says (vfa_spawn with fds -1), and reaping by a thread of its own that
 * hands the status over to the waiting one, as the JDK's reaper does; then the pipes are closed.
 * "posix_spawn" is glibc's, with no helper in between.
 */
#include "vforkagent.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define MAX_SAMPLES 2000000

static const char *mode, *program;
static long duration_ns;
static long long samples[MAX_SAMPLES];
static long nsamples;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

/* One reaper per worker: the worker posts a pid, the reaper waits for it and posts the status. */
struct reaper {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pid_t pid;      /* to reap; 0 when none */
    int done;       /* the status is there */
    int status;
};

static void *reap_loop(void *arg)
{
    struct reaper *r = arg;
    for (;;) {
        pthread_mutex_lock(&r->mu);
        while (r->pid == 0)
            pthread_cond_wait(&r->cv, &r->mu);
        pid_t pid = r->pid;
        pthread_mutex_unlock(&r->mu);
        if (pid < 0)
            return NULL;
        int status = 0;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
            ;
        pthread_mutex_lock(&r->mu);
        r->pid = 0;
        r->status = status;
        r->done = 1;
        pthread_cond_broadcast(&r->cv);
        pthread_mutex_unlock(&r->mu);
    }
}

static int reap_via(struct reaper *r, pid_t pid)
{
    pthread_mutex_lock(&r->mu);
    r->done = 0;
    r->pid = pid;
    pthread_cond_broadcast(&r->cv);
    while (!r->done)
        pthread_cond_wait(&r->cv, &r->mu);
    int status = r->status;
    pthread_mutex_unlock(&r->mu);
    return status;
}

static long long now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void *worker(void *arg)
{
    (void)arg;
    long long end = now() + duration_ns;
    char *argv[] = {(char *)program, NULL};
    char prog[4096];
    snprintf(prog, sizeof prog, "%s", program);
    int fair = !strcmp(mode, "fair");
    struct reaper r = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, 0};
    pthread_t reaper_thread;
    if (fair)
        pthread_create(&reaper_thread, NULL, reap_loop, &r);
    while (now() < end) {
        long long t0 = now();
        pid_t pid;
        int32_t fds[3] = {0, 1, 2};
        if (fair)
            fds[0] = fds[1] = fds[2] = -1;
        if (!strcmp(mode, "clone") || fair) {
            int64_t out[VFA_OUT_LEN];
            pid = vfa_spawn(prog, NULL, 0, NULL, 0, NULL, fds, 0, NULL, 0, out);
        } else if (posix_spawn(&pid, program, NULL, NULL, argv, environ) != 0) {
            pid = -1;
        }
        long long t1 = now();
        if (pid < 0) {
            perror("spawn");
            exit(1);
        }
        if (fair) {
            reap_via(&r, pid);
            for (int i = 0; i < 3; i++)
                close(fds[i]);
        } else {
            while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
                ;
        }
        pthread_mutex_lock(&lock);
        if (nsamples < MAX_SAMPLES)
            samples[nsamples++] = t1 - t0;
        pthread_mutex_unlock(&lock);
    }
    if (fair) {
        pthread_mutex_lock(&r.mu);
        r.pid = -1;
        pthread_cond_broadcast(&r.cv);
        pthread_mutex_unlock(&r.mu);
        pthread_join(reaper_thread, NULL);
    }
    return NULL;
}

static int cmp(const void *a, const void *b)
{
    long long x = *(const long long *)a, y = *(const long long *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    if (argc != 6) {
        fprintf(stderr, "usage: %s <clone|fair|posix_spawn> <threads> <open fds> <milliseconds> <program>\n", argv[0]);
        return 2;
    }
    mode = argv[1];
    int threads = atoi(argv[2]), fds = atoi(argv[3]);
    duration_ns = atol(argv[4]) * 1000000L;
    program = argv[5];
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
    for (int i = 0; i < fds; i++) {
        if (open("/dev/null", O_RDONLY) < 0) { /* no O_CLOEXEC, like a JVM's descriptors */
            perror("open");
            return 1;
        }
    }
    vfa_init();
    pthread_t t[256];
    long long start = now();
    for (int i = 0; i < threads && i < 256; i++)
        pthread_create(&t[i], NULL, worker, NULL);
    for (int i = 0; i < threads && i < 256; i++)
        pthread_join(t[i], NULL);
    double secs = (now() - start) / 1e9;
    qsort(samples, nsamples, sizeof samples[0], cmp);
    printf("RESULT spawns_per_sec=%.1f p50_us=%.1f p99_us=%.1f count=%ld\n", nsamples / secs,
           nsamples ? samples[nsamples / 2] / 1e3 : 0, nsamples ? samples[(long)(nsamples * 0.99)] / 1e3 : 0, nsamples);
    return 0;
}
