/*
 * spawn_bench - the C limit for the benchmarks: spawn+wait of a program in a loop, from
 * N threads, with M extra descriptors open, for a fixed time.
 *
 *   spawn_bench <clone|posix_spawn> <threads> <open fds> <milliseconds> <program>
 *
 * Prints: RESULT spawns_per_sec=... p50_us=... p99_us=... count=...
 * "clone" is the launcher's own mechanism (libvforkagent's vfa_spawn, as the agent calls it);
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
    while (now() < end) {
        long long t0 = now();
        pid_t pid;
        if (!strcmp(mode, "clone")) {
            int32_t fds[3] = {0, 1, 2};
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
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
            ;
        pthread_mutex_lock(&lock);
        if (nsamples < MAX_SAMPLES)
            samples[nsamples++] = t1 - t0;
        pthread_mutex_unlock(&lock);
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
        fprintf(stderr, "usage: %s <clone|posix_spawn> <threads> <open fds> <milliseconds> <program>\n", argv[0]);
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
