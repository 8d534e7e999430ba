/*
 * test_launcher.c - tests of libvforkagent.so (plain C, no framework).
 *
 * Prints "ok NAME" or "FAIL NAME: why" per test and ends with "N passed, M failed";
 * exits non-zero if any failed. The binary is also the child program of many tests:
 *   --child-report  print open fds, SigBlk/SigIgn/SigCgt, cwd and argv
 *   --child-exit N  exit with status N
 *   --child-echo    copy stdin to stdout, then write "ERR" to stderr
 *   --child-env     print every environment entry, one per line
 *   --jdk-search PROG DIR  spawn PROG with an env block (PATH captured from this process)
 * VFA_TEST_VERBOSE=1 prints each PATH search case's outcome.
 */
#include "vforkagent.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* ------------------------------------------------------------------------- */
/* Child modes */

static int child_report(int argc, char **argv)
{
    DIR *d = opendir("/proc/self/fd");
    struct dirent *e;
    char line[512], cwd[PATH_MAX];
    FILE *st;

    if (!d)
        return 3;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] != '.' && atoi(e->d_name) != dirfd(d))
            printf("fd %s\n", e->d_name);
    }
    closedir(d);
    if ((st = fopen("/proc/self/status", "r")) == NULL)
        return 4;
    while (fgets(line, sizeof line, st)) {
        if (!strncmp(line, "SigBlk:", 7) || !strncmp(line, "SigIgn:", 7) || !strncmp(line, "SigCgt:", 7))
            fputs(line, stdout);
    }
    fclose(st);
    printf("cwd %s\n", getcwd(cwd, sizeof cwd) ? cwd : "?");
    for (int i = 0; i < argc; i++)
        printf("argv %d %s\n", i, argv[i]);
    return fflush(stdout) == 0 ? 0 : 5;
}

static int child_echo(void)
{
    char buf[4096];
    ssize_t n;
    while ((n = read(0, buf, sizeof buf)) > 0) {
        if (write(1, buf, (size_t)n) != n)
            return 2;
    }
    return write(2, "ERR", 3) == 3 ? 0 : 3;
}

/* --jdk-search PROG DIR: vfa_init captures this process's PATH (as at JVM start), then
 * PROG is spawned with an env block in DIR, stdio inherited; prints "exit N" or "errno NAME". */
static int child_jdk_search(const char *prog, const char *dir)
{
    int32_t fds[3] = {0, 1, 2};
    int64_t out[VFA_OUT_LEN];
    char name[64];
    vfa_init();
    int pid = vfa_spawn(prog, "a1", 1, "X=1", 1, dir, fds, VFA_SPAWN_ENV | VFA_SPAWN_DIR, NULL, 0, out);
    if (pid < 0) {
        vfa_errno_name((int)out[VFA_OUT_ERRNO], name, sizeof name);
        printf("errno %s\n", name);
        return 0;
    }
    int st;
    waitpid(pid, &st, 0);
    printf("exit %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
    return 0;
}

static int child_env(void)
{
    extern char **environ;
    for (char **e = environ; *e; e++)
        printf("%s\n", *e);
    return 0;
}

/* ------------------------------------------------------------------------- */
/* Child stack measurement. The library maps each child's stack with MAP_STACK;
 * these definitions take the place of libc's for the library (an executable's
 * symbols come first), fill that mapping with a pattern, and when it is unmapped
 * find the deepest byte the child (and clone) wrote. */

#define STACK_FILL 0xa5
static struct { void *base; size_t len; } stacks[64]; /* mapped and not yet unmapped */
static size_t stack_used_max, stack_len_seen;
static long stack_maps;
static pthread_mutex_t stack_lock = PTHREAD_MUTEX_INITIALIZER;

__attribute__((visibility("default"))) void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
    void *p = (void *)syscall(SYS_mmap, addr, len, prot, flags, fd, off);
    if (p != MAP_FAILED && (flags & MAP_STACK)) {
        memset(p, STACK_FILL, len);
        pthread_mutex_lock(&stack_lock);
        for (size_t i = 0; i < sizeof stacks / sizeof *stacks; i++) {
            if (!stacks[i].base) {
                stacks[i].base = p;
                stacks[i].len = len;
                break;
            }
        }
        stack_maps++;
        pthread_mutex_unlock(&stack_lock);
    }
    return p;
}

__attribute__((visibility("default"))) int munmap(void *addr, size_t len)
{
    pthread_mutex_lock(&stack_lock);
    for (size_t i = 0; i < sizeof stacks / sizeof *stacks; i++) {
        if (stacks[i].base == addr && stacks[i].len == len) {
            /* The guard page still holds the fill (a write there would have faulted). */
            const unsigned char *b = addr;
            size_t used = 0;
            if (mprotect(addr, len, PROT_READ) == 0) {
                while (used < len && b[used] == STACK_FILL)
                    used++;
                used = len - used;
            }
            if (used > stack_used_max)
                stack_used_max = used;
            stack_len_seen = len;
            stacks[i].base = NULL;
            break;
        }
    }
    pthread_mutex_unlock(&stack_lock);
    return (int)syscall(SYS_munmap, addr, len);
}

/* ------------------------------------------------------------------------- */
/* Helpers */

static char self_exe[PATH_MAX];
static char tmpdir[64];
static char why[16384];
static int passed, failed;

#define REQUIRE(cond, ...)                                   \
    do {                                                     \
        if (!(cond)) {                                       \
            snprintf(why, sizeof why, __VA_ARGS__);          \
            return why;                                      \
        }                                                    \
    } while (0)

typedef struct {
    int pid;
    int32_t fds[3];
    int64_t out[VFA_OUT_LEN];
    char exec_path[PATH_MAX];
} spawn_t;

/* args: args 1..n, NULL-terminated (may be NULL). env: NULL = inherit, else NULL-terminated. */
static int spawn(spawn_t *s, const char *prog, const char *const *args, const char *const *env, const char *dir,
                 int in, int out, int err, int redirect)
{
    size_t an = 0, en = 0;
    int argc = 0, envc = 0;

    for (; args && args[argc]; argc++)
        an += strlen(args[argc]) + 1;
    for (; env && env[envc]; envc++)
        en += strlen(env[envc]) + 1;
    char *argblock = malloc(an + 1), *envblock = malloc(en + 1), *p;
    p = argblock;
    for (int i = 0; i < argc; i++)
        p = stpcpy(p, args[i]) + 1;
    p = envblock;
    for (int i = 0; i < envc; i++)
        p = stpcpy(p, env[i]) + 1;
    s->fds[0] = in;
    s->fds[1] = out;
    s->fds[2] = err;
    memset(s->out, 0x55, sizeof s->out); /* must all be overwritten */
    int flags = (env ? VFA_SPAWN_ENV : 0) | (dir ? VFA_SPAWN_DIR : 0) | (redirect ? VFA_SPAWN_REDIRECT_ERR : 0);
    s->pid = vfa_spawn(prog, argc ? argblock : NULL, argc, env ? envblock : NULL, envc, dir, s->fds, flags,
                       s->exec_path, sizeof s->exec_path, s->out);
    free(argblock);
    free(envblock);
    return s->pid;
}

static size_t read_all(int fd, char *buf, size_t cap)
{
    size_t n = 0;
    ssize_t r;
    while (n + 1 < cap && ((r = read(fd, buf + n, cap - 1 - n)) > 0 || (r < 0 && errno == EINTR)))
        if (r > 0)
            n += (size_t)r;
    buf[n] = '\0';
    return n;
}

/* Reads the fd to EOF and closes it. */
static size_t drain(int fd, char *buf, size_t cap)
{
    size_t n = read_all(fd, buf, cap);
    close(fd);
    return n;
}

static int wait_status(int pid)
{
    int st = -1;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    return st;
}

static int exit_code(int pid)
{
    int st = wait_status(pid);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 1000 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
}

static int count_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    struct dirent *e;
    int n = 0;
    while ((e = readdir(d)) != NULL)
        n += e->d_name[0] != '.';
    closedir(d);
    return n - 1; /* the DIR's own fd */
}

/* True when this process has no child left (nothing to reap, no zombie). */
static int no_children(void)
{
    return waitpid(-1, NULL, WNOHANG) == -1 && errno == ECHILD;
}

static const char *errname(int64_t e)
{
    static __thread char bufs[4][64];
    static __thread int next;
    char *buf = bufs[next++ % 4];
    return vfa_errno_name((int)e, buf, sizeof bufs[0]) > 0 ? buf : "?";
}

/* Runs a spawn that must fail with (err, step) and checks no child and no fd is left. */
static const char *expect_failure(const char *prog, const char *const *args, const char *const *env,
                                  const char *dir, int32_t in, int32_t out, int32_t errfd, int want_errno,
                                  int want_step, spawn_t *s)
{
    int before = count_fds();
    int pid = spawn(s, prog, args, env, dir, in, out, errfd, 0);
    REQUIRE(pid < 0, "expected failure, got pid %d", pid);
    REQUIRE(VFA_FAILED_ERRNO(pid) == want_errno && VFA_FAILED_STEP(pid) == want_step,
            "returned errno %s step %d, expected %s step %d", errname(VFA_FAILED_ERRNO(pid)), VFA_FAILED_STEP(pid),
            errname(want_errno), want_step);
    REQUIRE(s->out[VFA_OUT_ERRNO] == want_errno, "errno %s, expected %s", errname(s->out[VFA_OUT_ERRNO]),
            errname(want_errno));
    REQUIRE(s->out[VFA_OUT_STEP] == want_step, "step %lld, expected %d", (long long)s->out[VFA_OUT_STEP], want_step);
    REQUIRE(errno == want_errno, "errno not set on return");
    REQUIRE(no_children(), "a child (zombie) is left");
    REQUIRE(count_fds() == before, "fd leak: %d before, %d after", before, count_fds());
    return NULL;
}

static int write_file(const char *path, const char *text, mode_t mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0)
        return -1;
    ssize_t n = write(fd, text, strlen(text));
    close(fd);
    return chmod(path, mode) == 0 && n == (ssize_t)strlen(text) ? 0 : -1;
}

/* The first "<dir>/<name>" that is executable along $PATH, like the launcher's search. */
static int which(const char *name, char *res, size_t cap)
{
    const char *p = getenv("PATH");
    if (!p)
        p = "/bin:/usr/bin";
    for (;;) {
        const char *end = strchr(p, ':');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        snprintf(res, cap, "%.*s%s%s", (int)(len ? len : 1), len ? p : ".", (len && p[len - 1] == '/') ? "" : "/",
                 name);
        if (access(res, X_OK) == 0)
            return 0;
        if (!end)
            return -1;
        p = end + 1;
    }
}

static const char *find_line(const char *text, const char *prefix)
{
    size_t l = strlen(prefix);
    for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
        if (!strncmp(p, prefix, l))
            return p + l;
    return NULL;
}

/* Runs self --child-report with pipes, returns its output in buf. */
static const char *run_report(char *buf, size_t cap, const char *dir, const char *const *extra, spawn_t *s)
{
    const char *args[8] = {"--child-report"};
    for (int i = 0; extra && extra[i] && i < 6; i++)
        args[i + 1] = extra[i];
    REQUIRE(spawn(s, self_exe, args, NULL, dir, -1, -1, -1, 0) > 0, "spawn failed: %s step %lld",
            errname(s->out[VFA_OUT_ERRNO]), (long long)s->out[VFA_OUT_STEP]);
    close(s->fds[0]);
    drain(s->fds[1], buf, cap);
    close(s->fds[2]);
    int code = exit_code(s->pid);
    REQUIRE(code == 0, "report child exited %d", code);
    return NULL;
}

static const char *check_only_stdio(const char *report)
{
    char fdlist[256] = "";
    for (const char *p = report; (p = find_line(p, "fd ")) != NULL;) {
        size_t l = strcspn(p, "\n");
        strncat(fdlist, p, l < 16 ? l : 16);
        strcat(fdlist, " ");
        if (strlen(fdlist) > 200)
            break;
    }
    REQUIRE(!strcmp(fdlist, "0 1 2 "), "child fds are [%s], expected [0 1 2 ]", fdlist);
    return NULL;
}

/* ------------------------------------------------------------------------- */
/* Tests */

static const char *test_true(void)
{
    spawn_t s;
    char buf[64];
    REQUIRE(spawn(&s, "/bin/true", NULL, NULL, NULL, -1, -1, -1, 0) > 0, "spawn: %s", errname(s.out[0]));
    REQUIRE(s.out[VFA_OUT_ERRNO] == 0 && s.out[VFA_OUT_STEP] == 0, "out errno/step not 0");
    REQUIRE(s.out[VFA_OUT_EXEC_INDEX] == 1, "exec index %lld", (long long)s.out[VFA_OUT_EXEC_INDEX]);
    REQUIRE(!strcmp(s.exec_path, "/bin/true"), "exec_path %s", s.exec_path);
    REQUIRE(s.out[VFA_OUT_T_START] > 0 && s.out[VFA_OUT_T_START] <= s.out[VFA_OUT_T_CLONE] &&
                s.out[VFA_OUT_T_CLONE] <= s.out[VFA_OUT_T_RESUMED] && s.out[VFA_OUT_T_RESUMED] <= s.out[VFA_OUT_T_END],
            "timestamps out of order");
    REQUIRE((s.out[VFA_OUT_FLAGS] & ~3LL) == 0, "flags %llx", (long long)s.out[VFA_OUT_FLAGS]);
    REQUIRE(s.fds[0] > 2 && s.fds[1] > 2 && s.fds[2] > 2, "parent pipe ends %d %d %d", s.fds[0], s.fds[1], s.fds[2]);
    close(s.fds[0]);
    REQUIRE(drain(s.fds[1], buf, sizeof buf) == 0, "stdout not empty");
    REQUIRE(drain(s.fds[2], buf, sizeof buf) == 0, "stderr not empty");
    int code = exit_code(s.pid);
    REQUIRE(code == 0, "exit %d", code);
    return NULL;
}

static const char *test_exit_code(void)
{
    spawn_t s;
    const char *args[] = {"--child-exit", "42", NULL};
    REQUIRE(spawn(&s, self_exe, args, NULL, NULL, 0, 1, 2, 0) > 0, "spawn: %s", errname(s.out[0]));
    REQUIRE(s.fds[0] == -1 && s.fds[1] == -1 && s.fds[2] == -1, "fds out not -1 for inherited stdio");
    int code = exit_code(s.pid);
    REQUIRE(code == 42, "exit %d", code);
    return NULL;
}

static const char *test_echo_pipes(void)
{
    spawn_t s;
    char out[256], err[64];
    const char *args[] = {"--child-echo", NULL};
    REQUIRE(spawn(&s, self_exe, args, NULL, NULL, -1, -1, -1, 0) > 0, "spawn: %s", errname(s.out[0]));
    REQUIRE(write(s.fds[0], "hello\n", 6) == 6, "write stdin");
    close(s.fds[0]);
    drain(s.fds[1], out, sizeof out);
    drain(s.fds[2], err, sizeof err);
    int code = exit_code(s.pid);
    REQUIRE(code == 0, "exit %d", code);
    REQUIRE(!strcmp(out, "hello\n"), "stdout '%s'", out);
    REQUIRE(!strcmp(err, "ERR"), "stderr '%s'", err);
    return NULL;
}

static const char *test_redirect_err(void)
{
    spawn_t s;
    char out[256], err[64];
    const char *args[] = {"--child-echo", NULL};
    REQUIRE(spawn(&s, self_exe, args, NULL, NULL, -1, -1, -1, 1) > 0, "spawn: %s", errname(s.out[0]));
    REQUIRE(s.fds[2] >= 0, "no stderr pipe made with redirect_err (the JDK makes one)");
    REQUIRE(write(s.fds[0], "hi\n", 3) == 3, "write stdin");
    close(s.fds[0]);
    drain(s.fds[1], out, sizeof out);
    size_t en = drain(s.fds[2], err, sizeof err);
    int code = exit_code(s.pid);
    REQUIRE(code == 0, "exit %d", code);
    REQUIRE(!strcmp(out, "hi\nERR"), "stdout '%s'", out);
    REQUIRE(en == 0, "stderr pipe not at EOF: '%s'", err);
    return NULL;
}

static const char *test_inherit(void)
{
    char path[PATH_MAX], buf[256];
    spawn_t s;
    const char *args[] = {"inherited", NULL};
    snprintf(path, sizeof path, "%s/inherit.txt", tmpdir);
    int f = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    REQUIRE(f >= 0, "open %s", path);
    fflush(stdout);
    int saved = dup(1);
    dup2(f, 1);
    int pid = spawn(&s, "/bin/echo", args, NULL, NULL, 0, 1, 2, 0);
    dup2(saved, 1);
    close(saved);
    REQUIRE(pid > 0, "spawn: %s", errname(s.out[0]));
    int code = exit_code(pid);
    lseek(f, 0, SEEK_SET);
    drain(f, buf, sizeof buf);
    REQUIRE(code == 0, "exit %d", code);
    REQUIRE(!strcmp(buf, "inherited\n"), "file has '%s'", buf);
    return NULL;
}

static const char *test_file_redirect(void)
{
    char path[PATH_MAX], buf[256];
    spawn_t s;
    const char *args[] = {"to-file", NULL};
    snprintf(path, sizeof path, "%s/redirect.txt", tmpdir);
    int f = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644); /* no CLOEXEC, like the JDK's streams */
    REQUIRE(f >= 0, "open %s", path);
    int pid = spawn(&s, "/bin/echo", args, NULL, NULL, -1, f, -1, 0);
    REQUIRE(pid > 0, "spawn: %s", errname(s.out[0]));
    REQUIRE(s.fds[1] == -1 && s.fds[0] >= 0 && s.fds[2] >= 0, "fds out %d %d %d", s.fds[0], s.fds[1], s.fds[2]);
    close(s.fds[0]);
    close(s.fds[2]);
    int code = exit_code(pid);
    lseek(f, 0, SEEK_SET);
    drain(f, buf, sizeof buf);
    REQUIRE(code == 0, "exit %d", code);
    REQUIRE(!strcmp(buf, "to-file\n"), "file has '%s'", buf);
    return NULL;
}

/* Child stdout = parent's fd 2 and child stderr = parent's fd 1: needs the
 * "lift sources on 0..2 out of the way" rule. */
static const char *test_swapped_stdio(void)
{
    int p1[2], p2[2];
    char a[64], b[64];
    spawn_t s;
    const char *args[] = {"--child-echo", NULL};
    REQUIRE(pipe2(p1, O_CLOEXEC) == 0 && pipe2(p2, O_CLOEXEC) == 0, "pipe");
    fflush(stdout);
    fflush(stderr);
    int s1 = dup(1), s2 = dup(2);
    dup2(p1[1], 1);
    dup2(p2[1], 2);
    int pid = spawn(&s, self_exe, args, NULL, NULL, -1, 2, 1, 0);
    dup2(s1, 1);
    dup2(s2, 2);
    close(s1);
    close(s2);
    close(p1[1]);
    close(p2[1]);
    REQUIRE(pid > 0, "spawn: %s", errname(s.out[0]));
    REQUIRE(write(s.fds[0], "swap\n", 5) == 5, "write");
    close(s.fds[0]);
    drain(p2[0], a, sizeof a);
    drain(p1[0], b, sizeof b);
    int code = exit_code(pid);
    REQUIRE(code == 0, "exit %d", code);
    REQUIRE(!strcmp(a, "swap\n"), "child stdout (parent fd 2) got '%s'", a);
    REQUIRE(!strcmp(b, "ERR"), "child stderr (parent fd 1) got '%s'", b);
    return NULL;
}

static const char *fd_hygiene(int want_close_range)
{
    int extra[200];
    char buf[8192];
    spawn_t s;
    const char *r;
    for (int i = 0; i < 200; i++)
        extra[i] = open("/dev/null", O_RDONLY); /* deliberately no O_CLOEXEC */
    r = run_report(buf, sizeof buf, NULL, NULL, &s);
    for (int i = 0; i < 200; i++)
        close(extra[i]);
    if (r)
        return r;
    if ((r = check_only_stdio(buf)) != NULL)
        return r;
    REQUIRE(((s.out[VFA_OUT_FLAGS] & VFA_FLAG_CLOSE_RANGE) != 0) == want_close_range, "close_range flag %lld",
            (long long)s.out[VFA_OUT_FLAGS]);
    return NULL;
}

static const char *test_fd_hygiene(void)
{
    REQUIRE(vfa_features() & VFA_FEATURE_CLOSE_RANGE, "features %d", vfa_features());
    return fd_hygiene(1);
}

static const char *test_fd_hygiene_no_close_range(void)
{
    setenv("VFA_TEST_NO_CLOSE_RANGE", "1", 1);
    vfa_init();
    REQUIRE(vfa_features() == 0, "features %d with close_range off", vfa_features());
    const char *r = fd_hygiene(0);
    unsetenv("VFA_TEST_NO_CLOSE_RANGE");
    vfa_init();
    return r;
}

static void on_usr1(int sig)
{
    (void)sig;
}

static const char *test_signals(void)
{
    struct sigaction sa, o1, o2, o3, o40;
    sigset_t block, oldmask;
    char buf[8192];
    spawn_t s;
    const char *r;

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sigaction(SIGUSR1, &sa, &o1);
    sa.sa_handler = SIG_IGN;
    sigaction(SIGUSR2, &sa, &o2);
    sigaction(SIGPIPE, &sa, &o3);
    sigaction(SIGRTMIN + 6, &sa, &o40);
    sigemptyset(&block);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGQUIT);
    sigprocmask(SIG_BLOCK, &block, &oldmask);

    r = run_report(buf, sizeof buf, NULL, NULL, &s);

    sigprocmask(SIG_SETMASK, &oldmask, NULL);
    sigaction(SIGUSR1, &o1, NULL);
    sigaction(SIGUSR2, &o2, NULL);
    sigaction(SIGPIPE, &o3, NULL);
    sigaction(SIGRTMIN + 6, &o40, NULL);
    if (r)
        return r;

    const char *blk = find_line(buf, "SigBlk:"), *ign = find_line(buf, "SigIgn:"), *cgt = find_line(buf, "SigCgt:");
    REQUIRE(blk && ign && cgt, "no Sig lines in report");
    unsigned long long b = strtoull(blk, NULL, 16), i = strtoull(ign, NULL, 16), c = strtoull(cgt, NULL, 16);
    REQUIRE(b == 0, "SigBlk %llx, expected 0", b);
    REQUIRE(i & (1ULL << (SIGUSR2 - 1)), "SIGUSR2 not ignored (SigIgn %llx)", i);
    REQUIRE(i & (1ULL << (SIGRTMIN + 6 - 1)), "SIGRTMIN+6 not ignored (SigIgn %llx)", i);
    REQUIRE(!(i & (1ULL << (SIGPIPE - 1))), "SIGPIPE still ignored (SigIgn %llx)", i);
    REQUIRE(!(i & (1ULL << (SIGUSR1 - 1))), "SIGUSR1 ignored (SigIgn %llx)", i);
    /* glibc's posix_spawn, the JDK's default launcher, leaves its signals 32 and 33 ignored. */
    REQUIRE((i & (3ULL << 31)) == 3ULL << 31, "signals 32 and 33 not ignored (SigIgn %llx)", i);
    REQUIRE(c == 0, "SigCgt %llx, expected 0", c);
    return NULL;
}

static const char *test_argv(void)
{
    char buf[8192];
    spawn_t s;
    const char *extra[] = {"", "h\xc3\xa9llo w\xff", "last", NULL};
    const char *r = run_report(buf, sizeof buf, NULL, extra, &s);
    if (r)
        return r;
    char want[PATH_MAX + 256];
    snprintf(want, sizeof want, "argv 0 %s\nargv 1 --child-report\nargv 2 \nargv 3 h\xc3\xa9llo w\xff\nargv 4 last\n",
             self_exe);
    const char *a = strstr(buf, "argv 0 ");
    REQUIRE(a && !strcmp(a, want), "argv lines:\n%s", a ? a : buf);
    return NULL;
}

static const char *test_dir(void)
{
    char buf[8192], want[PATH_MAX + 8];
    spawn_t s;
    const char *r = run_report(buf, sizeof buf, tmpdir, NULL, &s);
    if (r)
        return r;
    snprintf(want, sizeof want, "%s\n", tmpdir);
    const char *cwd = find_line(buf, "cwd ");
    REQUIRE(cwd && !strncmp(cwd, want, strlen(want)), "cwd line '%.*s', expected %s", cwd ? (int)strcspn(cwd, "\n") : 0,
            cwd ? cwd : "", tmpdir);
    return NULL;
}

static const char *test_env_block(void)
{
    spawn_t s;
    char buf[4096];
    const char *env[] = {"A=1", "B=\xc3\xa9t\xc3\xa9\xff", "EMPTY=", NULL};
    const char *args[] = {"--child-env", NULL};
    REQUIRE(spawn(&s, self_exe, args, env, NULL, -1, -1, -1, 0) > 0, "spawn: %s", errname(s.out[0]));
    close(s.fds[0]);
    drain(s.fds[1], buf, sizeof buf);
    close(s.fds[2]);
    int code = exit_code(s.pid);
    REQUIRE(code == 0, "exit %d", code);
    REQUIRE(!strcmp(buf, "A=1\nB=\xc3\xa9t\xc3\xa9\xff\nEMPTY=\n"), "env:\n%s", buf);
    return NULL;
}

static const char *test_env_empty_block(void)
{
    spawn_t s;
    char buf[4096];
    const char *env[] = {NULL};
    const char *args[] = {"--child-env", NULL};
    REQUIRE(spawn(&s, self_exe, args, env, NULL, -1, -1, -1, 0) > 0, "spawn: %s", errname(s.out[0]));
    close(s.fds[0]);
    drain(s.fds[1], buf, sizeof buf);
    close(s.fds[2]);
    int code = exit_code(s.pid);
    REQUIRE(code == 0, "exit %d", code);
    REQUIRE(buf[0] == '\0', "env not empty:\n%s", buf);
    return NULL;
}

static const char *test_env_inherit(void)
{
    spawn_t s;
    static char buf[1 << 16];
    const char *args[] = {"--child-env", NULL};
    setenv("VFA_TEST_MARK", "set-after-init", 1); /* environ as it is at the call */
    int pid = spawn(&s, self_exe, args, NULL, NULL, -1, -1, -1, 0);
    unsetenv("VFA_TEST_MARK");
    REQUIRE(pid > 0, "spawn: %s", errname(s.out[0]));
    close(s.fds[0]);
    drain(s.fds[1], buf, sizeof buf);
    close(s.fds[2]);
    int code = exit_code(pid);
    REQUIRE(code == 0, "exit %d", code);
    REQUIRE(find_line(buf, "VFA_TEST_MARK=set-after-init\n"), "VFA_TEST_MARK missing in inherited env");
    REQUIRE(find_line(buf, "PATH="), "PATH missing in inherited env");
    return NULL;
}

static const char *test_path_from_init(void)
{
    spawn_t s;
    char buf[256], want[PATH_MAX];
    const char *env[] = {"PATH=/nonexistent", NULL};
    const char *args[] = {"-c", "echo found", NULL};
    REQUIRE(which("sh", want, sizeof want) == 0, "no sh in PATH");
    REQUIRE(spawn(&s, "sh", args, env, NULL, -1, -1, -1, 0) > 0, "spawn: %s", errname(s.out[0]));
    close(s.fds[0]);
    drain(s.fds[1], buf, sizeof buf);
    close(s.fds[2]);
    int code = exit_code(s.pid);
    REQUIRE(code == 0, "exit %d", code);
    REQUIRE(!strcmp(buf, "found\n"), "stdout '%s'", buf);
    REQUIRE(!strcmp(s.exec_path, want), "exec_path %s, expected %s", s.exec_path, want);

    /* The PATH captured by vfa_init wins over a later change with an env block;
     * without one, the PATH at the call is searched. */
    char *saved = strdup(getenv("PATH"));
    setenv("PATH", "/nonexistent-a:/nonexistent-b", 1);
    int pid = spawn(&s, "sh", args, env, NULL, 0, -1, 2, 0);
    int64_t e2 = 0, idx2 = 0;
    spawn_t s2;
    int pid2 = spawn(&s2, "sh", args, NULL, NULL, 0, -1, 2, 0);
    e2 = s2.out[VFA_OUT_ERRNO];
    idx2 = s2.out[VFA_OUT_EXEC_INDEX];
    setenv("PATH", saved, 1);
    free(saved);
    REQUIRE(pid > 0, "spawn with env block after PATH change: %s", errname(s.out[0]));
    drain(s.fds[1], buf, sizeof buf);
    exit_code(pid);
    REQUIRE(!strcmp(buf, "found\n"), "stdout '%s'", buf);
    REQUIRE(pid2 < 0 && e2 == ENOENT && idx2 == 2, "inherit env with PATH unset of sh: pid %d %s index %lld", pid2,
            errname(e2), (long long)idx2);
    return NULL;
}

static const char *test_exec_path_bare(void)
{
    spawn_t s;
    char want[PATH_MAX];
    const char *args[] = {"-c", "exit 7", NULL};
    REQUIRE(which("sh", want, sizeof want) == 0, "no sh in PATH");
    REQUIRE(spawn(&s, "sh", args, NULL, NULL, 0, 1, 2, 0) > 0, "spawn: %s", errname(s.out[0]));
    int code = exit_code(s.pid);
    REQUIRE(code == 7, "exit %d", code);
    REQUIRE(!strcmp(s.exec_path, want), "exec_path %s, expected %s", s.exec_path, want);

    /* truncation */
    int32_t fds[3] = {0, 1, 2};
    char small[4];
    int64_t out[VFA_OUT_LEN];
    int pid = vfa_spawn("sh", "-c\0exit 0", 2, NULL, 0, NULL, fds, 0, small, sizeof small, out);
    REQUIRE(pid > 0, "spawn: %s", errname(out[0]));
    exit_code(pid);
    REQUIRE(!strncmp(small, want, 3) && small[3] == '\0', "truncated exec_path '%s'", small);
    return NULL;
}

static const char *test_missing(void)
{
    spawn_t s;
    const char *r = expect_failure("/nonexistent/prog", NULL, NULL, NULL, -1, -1, -1, ENOENT, VFA_STEP_EXEC, &s);
    if (r)
        return r;
    REQUIRE(s.out[VFA_OUT_EXEC_INDEX] == 1, "exec index %lld", (long long)s.out[VFA_OUT_EXEC_INDEX]);
    REQUIRE(s.fds[0] == -1 && s.fds[1] == -1 && s.fds[2] == -1, "fds changed on failure");
    REQUIRE(s.exec_path[0] == '\0', "exec_path set on failure");
    return NULL;
}

static const char *test_missing_bare(void)
{
    spawn_t s;
    int n = 1;
    for (const char *p = getenv("PATH"); *p; p++)
        n += *p == ':';
    const char *r = expect_failure("vfa-no-such-program", NULL, NULL, NULL, -1, -1, -1, ENOENT, VFA_STEP_EXEC, &s);
    if (r)
        return r;
    REQUIRE(s.out[VFA_OUT_EXEC_INDEX] == n, "exec index %lld, expected %d", (long long)s.out[VFA_OUT_EXEC_INDEX], n);
    return NULL;
}

static const char *test_not_executable(void)
{
    char path[PATH_MAX];
    spawn_t s;
    snprintf(path, sizeof path, "%s/plain.txt", tmpdir);
    REQUIRE(write_file(path, "echo no\n", 0644) == 0, "write %s", path);
    return expect_failure(path, NULL, NULL, NULL, -1, -1, -1, EACCES, VFA_STEP_EXEC, &s);
}

static const char *test_directory(void)
{
    spawn_t s;
    return expect_failure(tmpdir, NULL, NULL, NULL, -1, -1, -1, EACCES, VFA_STEP_EXEC, &s);
}

static const char *test_empty_prog(void)
{
    spawn_t s;
    const char *r = expect_failure("", NULL, NULL, NULL, -1, -1, -1, ENOENT, VFA_STEP_EXEC, &s);
    if (r)
        return r;
    REQUIRE(s.out[VFA_OUT_EXEC_INDEX] == 0, "exec index %lld", (long long)s.out[VFA_OUT_EXEC_INDEX]);
    return NULL;
}

static const char *test_eacces_sticky(void)
{
    char d[128], path[PATH_MAX], newpath[2 * PATH_MAX];
    spawn_t s;
    snprintf(d, sizeof d, "%s/noexec", tmpdir);
    mkdir(d, 0755);
    snprintf(path, sizeof path, "%s/true", d);
    REQUIRE(write_file(path, "", 0644) == 0, "write %s", path);
    char *saved = strdup(getenv("PATH"));

    /* EACCES first, then ENOENT: EACCES is reported */
    snprintf(newpath, sizeof newpath, "%s:/nonexistent", d);
    setenv("PATH", newpath, 1);
    const char *r = expect_failure("true", NULL, NULL, NULL, 0, 1, 2, EACCES, VFA_STEP_EXEC, &s);
    int64_t idx = s.out[VFA_OUT_EXEC_INDEX];

    /* EACCES first, then a real one: found */
    snprintf(newpath, sizeof newpath, "%s:/usr/bin:/bin", d);
    setenv("PATH", newpath, 1);
    int pid = spawn(&s, "true", NULL, NULL, NULL, 0, 1, 2, 0);
    setenv("PATH", saved, 1);
    free(saved);
    int code = pid > 0 ? exit_code(pid) : -1;
    if (r)
        return r;
    REQUIRE(idx == 2, "exec index %lld, expected 2", (long long)idx);
    REQUIRE(pid > 0, "spawn after EACCES entry: %s", errname(s.out[0]));
    REQUIRE(code == 0, "exit %d", code);
    REQUIRE(!strcmp(s.exec_path, "/usr/bin/true") && s.out[VFA_OUT_EXEC_INDEX] == 2, "exec_path %s index %lld",
            s.exec_path, (long long)s.out[VFA_OUT_EXEC_INDEX]);
    return NULL;
}

/* ------------------------------------------------------------------------- */
/* PATH search. A tree under tmpdir/p: bin/prog and cwd/prog (#! scripts that say
 * where they are, their $0 and $1), bin/nosh and cwd/nosh (no #!), noexec/prog
 * (not executable), loop (a symlink to itself), file (not a directory); and the
 * names of directories that do not exist: l300 (one 300-byte component), and
 * L4092 and L5000, paths of that length. */

static char pbase[256], pcwd[300], l300[PATH_MAX], L4092[4200], L5000[5100];

static void long_path(char *buf, size_t len)
{
    size_t n = (size_t)snprintf(buf, len + 1, "%s", pbase);
    while (n + 201 < len) {
        buf[n++] = '/';
        memset(buf + n, 'd', 200);
        n += 200;
    }
    buf[n++] = '/';
    memset(buf + n, 'e', len - n);
    buf[len] = '\0';
}

static const char *path_tree(void)
{
    char f[PATH_MAX + 64];
    if (pbase[0])
        return NULL;
    snprintf(pbase, sizeof pbase, "%s/p", tmpdir);
    snprintf(pcwd, sizeof pcwd, "%s/cwd", pbase);
    const char *dirs[] = {"", "/bin", "/cwd", "/noexec"};
    for (size_t i = 0; i < 4; i++) {
        snprintf(f, sizeof f, "%s%s", pbase, dirs[i]);
        REQUIRE(mkdir(f, 0755) == 0, "mkdir %s", f);
    }
    snprintf(f, sizeof f, "%s/bin/prog", pbase);
    REQUIRE(write_file(f, "#!/bin/sh\necho \"bin $0 $1\"\n", 0755) == 0, "write");
    snprintf(f, sizeof f, "%s/cwd/prog", pbase);
    REQUIRE(write_file(f, "#!/bin/sh\necho \"cwd $0 $1\"\n", 0755) == 0, "write");
    snprintf(f, sizeof f, "%s/bin/nosh", pbase);
    REQUIRE(write_file(f, "echo \"bin-nosh $0 $1\"\n", 0755) == 0, "write");
    snprintf(f, sizeof f, "%s/cwd/nosh", pbase);
    REQUIRE(write_file(f, "echo \"cwd-nosh $0 $1\"\n", 0755) == 0, "write");
    snprintf(f, sizeof f, "%s/noexec/prog", pbase);
    REQUIRE(write_file(f, "#!/bin/sh\necho noexec\n", 0644) == 0, "write");
    snprintf(f, sizeof f, "%s/file", pbase);
    REQUIRE(write_file(f, "plain\n", 0644) == 0, "write");
    snprintf(f, sizeof f, "%s/loop", pbase);
    REQUIRE(symlink(f, f) == 0, "symlink");
    size_t n = (size_t)snprintf(l300, sizeof l300, "%s/", pbase);
    memset(l300 + n, 'l', 300);
    l300[n + 300] = '\0';
    long_path(L4092, 4092);
    long_path(L5000, 5000);
    return NULL;
}

/* "$P" in a PATH template stands for pbase, "$300" "$4092" "$5000" for those names. */
static void expand(const char *tmpl, char *out, size_t cap)
{
    size_t n = 0;
    while (*tmpl && n + 1 < cap) {
        const char *sub = NULL;
        size_t skip = 1;
        if (!strncmp(tmpl, "$P", 2))
            sub = pbase, skip = 2;
        else if (!strncmp(tmpl, "$300", 4))
            sub = l300, skip = 4;
        else if (!strncmp(tmpl, "$4092", 5))
            sub = L4092, skip = 5;
        else if (!strncmp(tmpl, "$5000", 5))
            sub = L5000, skip = 5;
        if (sub) {
            n += (size_t)snprintf(out + n, cap - n, "%s", sub);
            if (n >= cap)
                n = cap - 1;
        } else {
            out[n++] = *tmpl;
        }
        tmpl += skip;
    }
    out[n] = '\0';
}

/* "exit N: output" or "errno NAME", with pbase shown as $P. */
static void outcome(char *res, size_t cap, int failed_errno, int code, const char *output)
{
    char buf[1024];
    size_t l = strlen(pbase), n = 0;
    for (const char *p = output; *p && n + 3 < sizeof buf; p++) {
        if (!strncmp(p, pbase, l)) {
            n += (size_t)snprintf(buf + n, sizeof buf - n, "$P");
            p += l - 1;
        } else {
            buf[n++] = *p == '\n' ? '|' : *p;
        }
    }
    buf[n] = '\0';
    if (failed_errno)
        snprintf(res, cap, "errno %s", errname(failed_errno));
    else
        snprintf(res, cap, "exit %d: %s", code, buf);
}

/* glibc's execvp in a forked child, PATH as given (NULL: unset), in pcwd, errno
 * EBADF beforehand as in the JDK's child (execvp may leave it as it is). */
static void reference_execvp(const char *path, const char *prog, char *res, size_t cap)
{
    int outp[2], failp[2], e = 0;
    char buf[1024];
    if (pipe2(outp, O_CLOEXEC) != 0 || pipe2(failp, O_CLOEXEC) != 0) {
        snprintf(res, cap, "pipe failed");
        return;
    }
    pid_t pid = fork();
    if (pid == 0) {
        char *argv[] = {(char *)prog, "a1", NULL};
        dup2(outp[1], 1);
        if (chdir(pcwd) != 0)
            _exit(126);
        if (path)
            setenv("PATH", path, 1);
        else
            unsetenv("PATH");
        errno = EBADF;
        execvp(prog, argv);
        e = errno;
        if (write(failp[1], &e, sizeof e) != sizeof e)
            _exit(125);
        _exit(127);
    }
    close(outp[1]);
    close(failp[1]);
    drain(outp[0], buf, sizeof buf);
    if (read(failp[0], &e, sizeof e) != sizeof e)
        e = 0;
    close(failp[0]);
    int code = exit_code(pid);
    outcome(res, cap, e, code, buf);
}

/* The launcher with the inherited environment, PATH set so in this process. */
static void launcher_inherited(const char *path, const char *prog, char *res, size_t cap)
{
    spawn_t s;
    char buf[1024];
    const char *args[] = {"a1", NULL};
    char *saved = strdup(getenv("PATH"));
    if (path)
        setenv("PATH", path, 1);
    else
        unsetenv("PATH");
    int pid = spawn(&s, prog, args, NULL, pcwd, 0, -1, 2, 0);
    setenv("PATH", saved, 1);
    free(saved);
    if (pid < 0) {
        outcome(res, cap, (int)s.out[VFA_OUT_ERRNO], 0, "");
        return;
    }
    drain(s.fds[1], buf, sizeof buf);
    int code = exit_code(pid);
    outcome(res, cap, 0, code, buf);
}

/* The inherited environment: glibc's execvp decides, as in the JDK's child. */
static const char *test_path_search_inherited(void)
{
    const char *r = path_tree();
    if (r)
        return r;
    struct {
        const char *path, *prog;
    } cases[] = {
        {"$P/loop:$P/bin", "prog"},          /* ELOOP ends the search */
        {"$300:$P/bin", "prog"},          /* so does ENAMETOOLONG */
        {":$P/bin", "prog"},                 /* an empty entry: the bare name, $0 "prog" */
        {"$P/bin/:/usr/bin", "prog"},        /* a trailing '/' gets another */
        {"$P/noexec:$P/bin", "prog"},        /* EACCES goes on */
        {"$P/noexec:/nonexistent", "prog"},  /* and wins at the end */
        {"$P/noexec:$4092", "prog"},         /* but not over a stopping error */
        {"$P/file:$P/bin", "prog"},          /* ENOTDIR goes on */
        {"$4092:$P/bin", "prog"},            /* entry + name > PATH_MAX: ENAMETOOLONG, stop */
        {"$5000:$P/bin", "prog"},            /* an entry longer than PATH_MAX: skipped, and the bare name tried */
        {"$5000", "prog"},                   /* nothing tried at all */
        {"/nonexistent:$5000", "prog"},
        {"$5000:", "prog"},
        {"", "prog"},
        {NULL, "prog"},                      /* no PATH: /bin:/usr/bin */
        {"$P/bin", "nosh"},                  /* no #!: /bin/sh runs it */
        {":$P/bin", "nosh"},
        {"$P/bin", "missing"},
        {"$P/bin", "$300"},
        {"$P/bin", "$P/cwd/prog"},
        {"$P/bin", "./nosh"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char path[6000], prog[PATH_MAX], want[1200], got[1200];
        expand(cases[i].path ? cases[i].path : "", path, sizeof path);
        expand(cases[i].prog, prog, sizeof prog);
        reference_execvp(cases[i].path ? path : NULL, prog, want, sizeof want);
        launcher_inherited(cases[i].path ? path : NULL, prog, got, sizeof got);
        if (getenv("VFA_TEST_VERBOSE"))
            printf("  PATH=%.40s %s: %s\n", cases[i].path ? cases[i].path : "(unset)", cases[i].prog, got);
        REQUIRE(!strcmp(want, got), "PATH=%s %s: execvp [%s], launcher [%s]",
                cases[i].path ? cases[i].path : "(unset)", cases[i].prog, want, got);
    }
    return NULL;
}

/* An env block: the JDK's own loop over the PATH it had at start-up. */
static const char *test_path_search_env_block(void)
{
    const char *r = path_tree();
    if (r)
        return r;
    struct {
        const char *path, *prog, *want;
    } cases[] = {
        {"$P/loop:$P/bin", "prog", "exit 0: bin $P/bin/prog a1|exit 0|"},   /* ELOOP goes on */
        {"$300:$P/bin", "prog", "exit 0: errno ENAMETOOLONG|"},          /* ENAMETOOLONG stops */
        {":$P/bin", "prog", "exit 0: cwd ./prog a1|exit 0|"},               /* empty entry: "." */
        {"$P/bin/", "prog", "exit 0: bin $P/bin/prog a1|exit 0|"},          /* no second '/' */
        {"$4092:$P/bin", "prog", "exit 0: bin $P/bin/prog a1|exit 0|"},     /* too long: skipped */
        {"$5000:$P/bin", "prog", "exit 0: bin $P/bin/prog a1|exit 0|"},
        {"/nonexistent:$4092", "prog", "exit 0: errno ENAMETOOLONG|"},      /* the skip's error, last */
        {"$P/noexec:$4092", "prog", "exit 0: errno EACCES|"},               /* EACCES still wins */
        {"$P/bin", "nosh", "exit 0: bin-nosh $P/bin/nosh a1|exit 0|"},
        {NULL, "prog", "exit 0: cwd ./prog a1|exit 0|"},                    /* no PATH: ":/bin:/usr/bin" */
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char path[6000], prog[PATH_MAX], got[1200], buf[1024];
        expand(cases[i].path ? cases[i].path : "", path, sizeof path);
        expand(cases[i].prog, prog, sizeof prog);
        int outp[2];
        REQUIRE(pipe2(outp, O_CLOEXEC) == 0, "pipe");
        fflush(stdout);
        pid_t pid = fork();
        if (pid == 0) {
            char *argv[] = {self_exe, "--jdk-search", prog, pcwd, NULL};
            dup2(outp[1], 1);
            if (cases[i].path)
                setenv("PATH", path, 1);
            else
                unsetenv("PATH");
            execv(self_exe, argv);
            _exit(127);
        }
        close(outp[1]);
        drain(outp[0], buf, sizeof buf);
        outcome(got, sizeof got, 0, exit_code(pid), buf);
        REQUIRE(!strcmp(got, cases[i].want), "PATH=%s %s: [%s], expected [%s]",
                cases[i].path ? cases[i].path : "(unset)", cases[i].prog, got, cases[i].want);
    }
    return NULL;
}

/* Spawns ./nosh (no #!) in pcwd with arguments of `total` bytes in all:
 * 0 if it ran and exited 0, else the errno of the failure. */
static int nosh_with_args(size_t total, int reference)
{
    static char chunk[100001];
    static const char *args[200];
    size_t n = 0;
    static char last[100001];
    memset(chunk, 'x', sizeof chunk - 1);
    while (total > 100000 && n < 190) {
        args[n++] = chunk;
        total -= 100001; /* with its NUL */
    }
    memset(last, 'y', total);
    last[total] = '\0';
    args[n++] = last;
    args[n] = NULL;
    int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (reference) {
        int failp[2], e = 0;
        if (pipe2(failp, O_CLOEXEC) != 0)
            return -1;
        pid_t pid = fork();
        if (pid == 0) {
            static const char *argv[202] = {"./nosh"};
            memcpy(argv + 1, args, (n + 1) * sizeof *args);
            dup2(null, 1);
            if (chdir(pcwd) != 0)
                _exit(126);
            execvp(argv[0], (char **)argv);
            e = errno;
            if (write(failp[1], &e, sizeof e) != sizeof e)
                _exit(125);
            _exit(127);
        }
        close(failp[1]);
        close(null);
        if (read(failp[0], &e, sizeof e) != sizeof e)
            e = 0;
        close(failp[0]);
        int code = exit_code(pid);
        return e ? e : code == 0 ? 0 : -1;
    }
    spawn_t s;
    int pid = spawn(&s, "./nosh", args, NULL, pcwd, 0, null, null, 0);
    close(null);
    if (pid < 0)
        return (int)s.out[VFA_OUT_ERRNO];
    return exit_code(pid) == 0 ? 0 : -1;
}

/* Just below the argument limit, a script without #! passes the kernel's size check but
 * "/bin/sh script args" (~20 bytes more) does not: execvp, and so the JDK, report
 * /bin/sh's E2BIG, not the script's ENOEXEC. */
static const char *test_sh_fallback_e2big(void)
{
    const char *r = path_tree();
    if (r)
        return r;
    size_t lo = 0, hi = 16 << 20; /* the kernel's limit is at most 6 MiB */
    REQUIRE(nosh_with_args(lo, 0) == 0, "./nosh does not run at all");
    while (hi - lo > 1) { /* lo runs, hi does not */
        size_t mid = lo + (hi - lo) / 2;
        if (nosh_with_args(mid, 0) == 0)
            lo = mid;
        else
            hi = mid;
    }
    int want = nosh_with_args(hi, 1), got = nosh_with_args(hi, 0);
    REQUIRE(want == E2BIG, "execvp just past the limit (%zu bytes): %s", hi, errname(want));
    REQUIRE(got == want, "just past the limit (%zu bytes): %s, execvp %s", hi, errname(got), errname(want));
    REQUIRE(nosh_with_args(lo, 1) == 0, "execvp at the limit (%zu bytes) does not run", lo);
    return NULL;
}

/* With no /bin/sh (hidden in a private mount namespace: needs root), the fallback's
 * ENOENT goes on searching PATH, like execvp's. Runs in a forked helper. */
static const char *test_sh_fallback_missing(void)
{
    char elf[PATH_MAX], path[PATH_MAX * 2], shdir[PATH_MAX], want[1200], got[1200];
    const char *r = path_tree();
    if (r)
        return r;
    snprintf(elf, sizeof elf, "%s/elf", pbase);
    mkdir(elf, 0755);
    snprintf(elf, sizeof elf, "%s/elf/nosh", pbase);
    int in = open("/bin/true", O_RDONLY | O_CLOEXEC), outfd = open(elf, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
    char buf[65536];
    ssize_t n;
    while (in >= 0 && outfd >= 0 && (n = read(in, buf, sizeof buf)) > 0)
        REQUIRE(write(outfd, buf, (size_t)n) == n, "copy /bin/true");
    close(in);
    close(outfd);
    REQUIRE(realpath("/bin/sh", shdir) != NULL, "realpath /bin/sh");
    *strrchr(shdir, '/') = '\0';
    snprintf(path, sizeof path, "%s/bin:%s/elf", pbase, pbase);

    int failp[2];
    REQUIRE(pipe2(failp, O_CLOEXEC) == 0, "pipe");
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        char msg[2600] = "";
        if (unshare(CLONE_NEWNS) != 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0 ||
            mount("tmpfs", shdir, "tmpfs", 0, NULL) != 0) {
            snprintf(msg, sizeof msg, "skip: no private mount namespace (%s)", strerror(errno));
        } else if (access("/bin/sh", F_OK) == 0 || errno != ENOENT) {
            snprintf(msg, sizeof msg, "/bin/sh still there");
        } else {
            reference_execvp(path, "nosh", want, sizeof want);
            launcher_inherited(path, "nosh", got, sizeof got);
            /* The search went on to $P/elf/nosh and exec'd it ("exit N", not an errno). Its exit
             * code is /bin/true's, or 127 where /bin/true is busybox, which has no "nosh" applet. */
            if (strcmp(want, got) || strncmp(want, "exit ", 5))
                snprintf(msg, sizeof msg, "no /bin/sh, PATH=$P/bin:$P/elf nosh: execvp [%s], launcher [%s]", want, got);
        }
        if (write(failp[1], msg, strlen(msg)) < 0)
            _exit(2);
        _exit(0);
    }
    close(failp[1]);
    static char msg[2600];
    drain(failp[0], msg, sizeof msg);
    exit_code(pid);
    if (!strncmp(msg, "skip: ", 6)) {
        printf("  (%s)\n", msg);
        return NULL;
    }
    return msg[0] ? msg : NULL;
}

static const char *test_chdir_missing(void)
{
    spawn_t s;
    char d[PATH_MAX];
    snprintf(d, sizeof d, "%s/no/such/dir", tmpdir);
    return expect_failure("/bin/true", NULL, NULL, d, -1, -1, -1, ENOENT, VFA_STEP_CHDIR, &s);
}

static const char *test_bad_fd(void)
{
    spawn_t s;
    return expect_failure("/bin/true", NULL, NULL, NULL, -1, 999, -1, EBADF, VFA_STEP_FDS, &s);
}

static const char *test_script_no_shebang(void)
{
    char path[PATH_MAX], buf[256];
    spawn_t s;
    const char *args[] = {"arg one", NULL};
    snprintf(path, sizeof path, "%s/script", tmpdir);
    REQUIRE(write_file(path, "echo scripted \"$1\" \"$0\"\n", 0755) == 0, "write %s", path);
    REQUIRE(spawn(&s, path, args, NULL, NULL, -1, -1, -1, 0) > 0, "spawn: %s", errname(s.out[0]));
    close(s.fds[0]);
    drain(s.fds[1], buf, sizeof buf);
    close(s.fds[2]);
    int code = exit_code(s.pid);
    char want[PATH_MAX + 64];
    snprintf(want, sizeof want, "scripted arg one %s\n", path);
    REQUIRE(code == 0, "exit %d", code);
    REQUIRE(!strcmp(buf, want), "stdout '%s', expected '%s'", buf, want);
    REQUIRE(s.out[VFA_OUT_FLAGS] & VFA_FLAG_SH_FALLBACK, "sh fallback flag not set");
    return NULL;
}

static const char *test_e2big(void)
{
    spawn_t s;
    size_t n = 3 << 20;
    char *big = malloc(n + 1);
    memset(big, 'x', n);
    big[n] = '\0';
    const char *args[] = {big, NULL};
    const char *r = expect_failure("/bin/true", args, NULL, NULL, -1, -1, -1, E2BIG, VFA_STEP_EXEC, &s);
    free(big);
    return r;
}

/* Not a directory, in the program's path and as the working directory. */
static const char *test_enotdir(void)
{
    spawn_t s;
    const char *r = expect_failure("/etc/passwd/true", NULL, NULL, NULL, -1, -1, -1, ENOTDIR, VFA_STEP_EXEC, &s);
    if (r)
        return r;
    return expect_failure("/bin/true", NULL, NULL, "/etc/passwd", -1, -1, -1, ENOTDIR, VFA_STEP_CHDIR, &s);
}

static const char *test_eloop(void)
{
    char a[PATH_MAX], b[PATH_MAX];
    spawn_t s;
    snprintf(a, sizeof a, "%s/loop-a", tmpdir);
    snprintf(b, sizeof b, "%s/loop-b", tmpdir);
    REQUIRE(symlink(b, a) == 0 && symlink(a, b) == 0, "symlink: %s", strerror(errno));
    return expect_failure(a, NULL, NULL, NULL, -1, -1, -1, ELOOP, VFA_STEP_EXEC, &s);
}

/* Every descriptor number in use but one: the first pipe of the three cannot be made. */
static const char *test_emfile(void)
{
    struct rlimit saved, low;
    int held[64], n = 0;
    spawn_t s;
    REQUIRE(getrlimit(RLIMIT_NOFILE, &saved) == 0, "getrlimit");
    low = saved;
    low.rlim_cur = 64;
    REQUIRE(setrlimit(RLIMIT_NOFILE, &low) == 0, "setrlimit");
    while (n < 64 && (held[n] = open("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0)
        n++;
    if (n > 0)
        close(held[--n]); /* one free: a pipe needs two */
    const char *r = expect_failure("/bin/true", NULL, NULL, NULL, -1, -1, -1, EMFILE, VFA_STEP_PIPE, &s);
    while (n > 0)
        close(held[--n]);
    setrlimit(RLIMIT_NOFILE, &saved);
    return r;
}

static long vm_size_bytes(void)
{
    char line[256];
    long kb = -1;
    FILE *f = fopen("/proc/self/status", "r");
    while (f && fgets(line, sizeof line, f))
        if (!strncmp(line, "VmSize:", 7))
            kb = atol(line + 7);
    if (f)
        fclose(f);
    return kb * 1024;
}

/* No new mapping possible (address-space limit at the current size): the
 * launcher's own allocation (plan or child stack) fails; nothing is left. */
static const char *test_enomem(void)
{
    struct rlimit saved, low;
    int32_t fds[3] = {-1, -1, -1};
    int64_t out[VFA_OUT_LEN];
    int before = count_fds();
    long size = vm_size_bytes();
    REQUIRE(size > 0 && getrlimit(RLIMIT_AS, &saved) == 0, "VmSize / getrlimit");
    low = saved;
    low.rlim_cur = (rlim_t)size;
    /* Between the two setrlimit calls only vfa_spawn runs: a failed malloc
     * elsewhere (opendir, stdio) would make this test about something else. */
    REQUIRE(setrlimit(RLIMIT_AS, &low) == 0, "setrlimit");
    int pid = vfa_spawn("/bin/true", NULL, 0, NULL, 0, NULL, fds, 0, NULL, 0, out);
    int err = errno;
    setrlimit(RLIMIT_AS, &saved);
    if (pid > 0)
        wait_status(pid);
    REQUIRE(pid < 0, "spawned pid %d with no memory left to map", pid);
    REQUIRE(out[VFA_OUT_ERRNO] == ENOMEM && err == ENOMEM, "errno %s", errname(out[VFA_OUT_ERRNO]));
    REQUIRE(out[VFA_OUT_STEP] == VFA_STEP_ALLOC, "step %lld", (long long)out[VFA_OUT_STEP]);
    REQUIRE(fds[0] == -1 && fds[1] == -1 && fds[2] == -1, "fds changed on failure");
    REQUIRE(no_children(), "a child is left");
    REQUIRE(count_fds() == before, "fd leak: %d before, %d after", before, count_fds());
    return NULL;
}

/* The least address space, in pages above what is mapped now, that a spawn of
 * /bin/true needs: with the launcher, or with glibc's posix_spawn (the JDK's default
 * launcher, whose helper is spawned so). -1 if none up to 64 pages does. */
static long headroom_pages(int launcher)
{
    long page = sysconf(_SC_PAGESIZE);
    struct rlimit saved, low;
    if (getrlimit(RLIMIT_AS, &saved) != 0)
        return -2;
    for (long pages = 0; pages <= 64; pages++) {
        int32_t fds[3] = {0, 1, 2};
        int64_t out[VFA_OUT_LEN];
        char *argv[] = {"/bin/true", NULL};
        extern char **environ;
        pid_t pid = -1;
        long size = vm_size_bytes();
        low = saved;
        low.rlim_cur = (rlim_t)(size + pages * page);
        if (setrlimit(RLIMIT_AS, &low) != 0)
            return -2;
        if (launcher)
            pid = vfa_spawn("/bin/true", NULL, 0, NULL, 0, NULL, fds, 0, NULL, 0, out);
        else if (posix_spawn(&pid, "/bin/true", NULL, NULL, argv, environ) != 0)
            pid = -1;
        setrlimit(RLIMIT_AS, &saved);
        if (pid > 0) {
            wait_status(pid);
            return pages;
        }
    }
    return -1;
}

/* An address-space limit that lets the JDK spawn lets the launcher spawn too. */
static const char *test_address_space(void)
{
    long ours = headroom_pages(1), jdk = headroom_pages(0);
    REQUIRE(jdk >= 0 && ours >= 0, "no spawn within 64 pages of headroom: launcher %ld, posix_spawn %ld", ours, jdk);
    REQUIRE(ours <= jdk, "the launcher needs %ld pages more than what is mapped, posix_spawn %ld", ours, jdk);
    REQUIRE(no_children(), "a child is left");
    printf("  (address space a spawn needs beyond what is mapped: launcher %ld pages, posix_spawn %ld)\n", ours, jdk);
    return NULL;
}

/* Every spawn of this run measured (see mmap above): the child keeps well inside its stack. */
static const char *test_child_stack(void)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    REQUIRE(stack_maps > 100 && stack_len_seen > page, "%ld stacks seen", stack_maps);
    REQUIRE(stack_used_max > 0 && stack_used_max * 2 <= stack_len_seen - page,
            "the child used %zu bytes of a %zu-byte stack (under a %zu-byte guard)", stack_used_max,
            stack_len_seen - page, page);
    printf("  (child stack: at most %zu of %zu bytes used, over %ld spawns)\n", stack_used_max,
           stack_len_seen - page, stack_maps);
    return NULL;
}

/* The process limit: clone fails with EAGAIN. Root is exempt from
 * RLIMIT_NPROC, so a forked helper first becomes nobody when run as root. */
static const char *test_eagain(void)
{
    fflush(stdout);
    pid_t p = fork();
    if (p == 0) {
        struct rlimit one = {1, 1};
        spawn_t s;
        if (getuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0))
            _exit(10);
        if (setrlimit(RLIMIT_NPROC, &one) != 0)
            _exit(11);
        int before = count_fds();
        if (spawn(&s, "/bin/true", NULL, NULL, NULL, -1, -1, -1, 0) >= 0)
            _exit(12);
        if (s.out[VFA_OUT_ERRNO] != EAGAIN || errno != EAGAIN)
            _exit(13);
        if (s.out[VFA_OUT_STEP] != VFA_STEP_CLONE)
            _exit(14);
        _exit(!no_children() ? 15 : count_fds() != before ? 16 : 0);
    }
    REQUIRE(p > 0, "fork");
    int code = exit_code(p);
    REQUIRE(code == 0, "helper exited %d (10 setuid, 11 setrlimit, 12 spawned, 13 errno, 14 step, 15 child, 16 fds)",
            code);
    return NULL;
}

static const char *test_stdin_closed(void)
{
    spawn_t s;
    char buf[64];
    const char *args[] = {"--child-echo", NULL};
    int saved = dup(0);
    close(0);
    int pid = spawn(&s, self_exe, args, NULL, NULL, -1, -1, -1, 0);
    dup2(saved, 0);
    close(saved);
    REQUIRE(pid > 0, "spawn: %s", errname(s.out[0]));
    REQUIRE(s.fds[0] != 0, "parent got the child's end");
    REQUIRE(write(s.fds[0], "zero\n", 5) == 5, "write");
    close(s.fds[0]);
    drain(s.fds[1], buf, sizeof buf);
    close(s.fds[2]);
    int code = exit_code(pid);
    REQUIRE(code == 0 && !strcmp(buf, "zero\n"), "exit %d stdout '%s'", code, buf);
    return NULL;
}

static const char *test_stdin_closed_report(void)
{
    /* fd 0 closed and the child's stdin a pipe made on fd 0: fds still 0,1,2 only */
    char buf[8192];
    spawn_t s;
    int saved = dup(0);
    close(0);
    const char *r = run_report(buf, sizeof buf, NULL, NULL, &s);
    dup2(saved, 0);
    close(saved);
    return r ? r : check_only_stdio(buf);
}

static const char *test_stdin_closed_inherit(void)
{
    /* fd 0 closed and inherited: the stdout pipe's parent end lands on fd 0.
     * Like the JDK, the child gets no stdin (not that pipe end). */
    char buf[8192];
    spawn_t s;
    const char *args[] = {"--child-report", NULL};
    int saved = dup(0);
    close(0);
    int pid = spawn(&s, self_exe, args, NULL, NULL, 0, -1, -1, 0);
    int rd = pid > 0 ? fcntl(s.fds[1], F_DUPFD_CLOEXEC, 3) : -1; /* off fd 0 before restoring stdin */
    dup2(saved, 0);
    close(saved);
    REQUIRE(pid > 0, "spawn: %s", errname(s.out[0]));
    REQUIRE(s.fds[1] == 0, "stdout pipe's parent end is %d, expected 0", s.fds[1]);
    drain(rd, buf, sizeof buf);
    close(s.fds[2]);
    int code = exit_code(pid);
    REQUIRE(code == 0, "exit %d", code);
    char fdlist[64] = "";
    for (const char *p = buf; (p = find_line(p, "fd ")) != NULL;)
        strncat(fdlist, p, strcspn(p, "\n") + 1 < 8 ? strcspn(p, "\n") + 1 : 8);
    REQUIRE(!strcmp(fdlist, "1\n2\n"), "child fds [%s], expected 1 and 2", fdlist);
    return NULL;
}

static const char *test_strerror(void)
{
    char buf[128], small[6];
    REQUIRE(vfa_strerror(ENOENT, buf, sizeof buf) == (int)strlen("No such file or directory") &&
                !strcmp(buf, "No such file or directory"),
            "strerror '%s'", buf);
    REQUIRE(vfa_strerror(ENOENT, small, sizeof small) == 5 && !strcmp(small, "No su"), "truncated '%s'", small);
    REQUIRE(vfa_errno_name(EACCES, buf, sizeof buf) == 6 && !strcmp(buf, "EACCES"), "name '%s'", buf);
    REQUIRE(vfa_errno_name(99999, buf, sizeof buf) == 0 && buf[0] == '\0', "unknown name '%s'", buf);
    REQUIRE(vfa_strerror(ENOENT, NULL, 0) == 0, "NULL buf");
    return NULL;
}

/* wait4 keeps what waitpid throws away: the child's CPU time and peak memory. */
static const char *test_wait_rusage(void)
{
    spawn_t s;
    int64_t w[VFA_WAIT_LEN];
    /* ~50 MiB touched and a busy loop: figures well above a bare exec's. */
    const char *args[] = {"-c", "x=$(head -c 50000000 /dev/zero | tr '\\0' a); i=0; while [ $i -lt 100000 ]; do i=$((i+1)); done", NULL};
    REQUIRE(spawn(&s, "/bin/sh", args, NULL, NULL, 0, 1, 2, 0) > 0, "spawn: %s", errname(s.out[0]));
    int v = vfa_wait(s.pid, w);
    REQUIRE(v == 0, "value %d", v);
    REQUIRE(WIFEXITED((int)w[VFA_WAIT_STATUS]) && WEXITSTATUS((int)w[VFA_WAIT_STATUS]) == 0, "status %llx",
            (long long)w[VFA_WAIT_STATUS]);
    REQUIRE(w[VFA_WAIT_UTIME] + w[VFA_WAIT_STIME] > 10 * 1000000LL, "cpu %lld ns",
            (long long)(w[VFA_WAIT_UTIME] + w[VFA_WAIT_STIME]));
    REQUIRE(w[VFA_WAIT_MAXRSS] > 40 * 1024 * 1024LL, "maxrss %lld", (long long)w[VFA_WAIT_MAXRSS]);
    REQUIRE(w[VFA_WAIT_MINFLT] > 1000, "minflt %lld", (long long)w[VFA_WAIT_MINFLT]);
    REQUIRE(w[VFA_WAIT_SELF_MAXRSS] > 0 && w[VFA_WAIT_SELF_MAXRSS] < w[VFA_WAIT_MAXRSS], "self maxrss %lld",
            (long long)w[VFA_WAIT_SELF_MAXRSS]);
    REQUIRE(no_children(), "zombie left");
    return NULL;
}

static const char *test_wait_codes(void)
{
    spawn_t s;
    int64_t w[VFA_WAIT_LEN];
    const char *exit42[] = {"--child-exit", "42", NULL};
    const char *killed[] = {"-c", "kill -KILL $$", NULL};
    REQUIRE(spawn(&s, self_exe, exit42, NULL, NULL, 0, 1, 2, 0) > 0, "spawn: %s", errname(s.out[0]));
    REQUIRE(vfa_wait(s.pid, w) == 42, "exit code");
    REQUIRE(spawn(&s, "/bin/sh", killed, NULL, NULL, 0, 1, 2, 0) > 0, "spawn: %s", errname(s.out[0]));
    int v = vfa_wait(s.pid, w);
    REQUIRE(v == 0x80 + SIGKILL, "signal value %d", v);
    REQUIRE(WIFSIGNALED((int)w[VFA_WAIT_STATUS]) && WTERMSIG((int)w[VFA_WAIT_STATUS]) == SIGKILL, "raw status");
    errno = 0;
    REQUIRE(vfa_wait(s.pid, w) == -1 && errno == ECHILD, "second wait: %d errno %d", v, errno);
    return NULL;
}

static const char *test_bad_args(void)
{
    int64_t out[VFA_OUT_LEN];
    int32_t fds[3] = {-1, -1, -1};
    int before = count_fds();
    int r = vfa_spawn("/bin/true", NULL, -1, NULL, 0, NULL, fds, 0, NULL, 0, out);
    REQUIRE(r < 0 && out[VFA_OUT_ERRNO] == EINVAL && out[VFA_OUT_STEP] == VFA_STEP_ALLOC &&
                VFA_FAILED_ERRNO(r) == EINVAL && VFA_FAILED_STEP(r) == VFA_STEP_ALLOC,
            "argc -1 accepted");
    REQUIRE(count_fds() == before && no_children(), "leak");
    return NULL;
}

/*
 * An array the caller could not copy arrives as NULL (JNA does so when the JVM
 * fails to copy it). The spawn fails with ENOMEM at step alloc; above all the
 * child never runs with this process's environment or directory instead.
 */
static const char *test_null_copies(void)
{
    int64_t out[VFA_OUT_LEN];
    int32_t fds[3] = {-1, -1, -1};
    int before = count_fds();
    char marker[PATH_MAX], cmd[2 * PATH_MAX];
    snprintf(marker, sizeof marker, "%s/null-copy-ran", tmpdir);
    snprintf(cmd, sizeof cmd, "-c%cecho ran > %s", '\0', marker);
    struct {
        const char *what, *prog, *argblock, *env, *dir;
        int argc, flags, fds_null;
    } cases[] = {
        {"env block", "/bin/sh", cmd, NULL, NULL, 2, VFA_SPAWN_ENV, 0},
        {"directory", "/bin/sh", cmd, NULL, NULL, 2, VFA_SPAWN_DIR, 0},
        {"env block and directory", "/bin/sh", cmd, NULL, NULL, 2, VFA_SPAWN_ENV | VFA_SPAWN_DIR, 0},
        {"program", NULL, cmd, NULL, NULL, 2, 0, 0},
        {"arguments", "/bin/sh", NULL, NULL, NULL, 2, 0, 0},
        {"fds", "/bin/sh", cmd, NULL, NULL, 2, 0, 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        fds[0] = fds[1] = fds[2] = -1;
        memset(out, 0x55, sizeof out);
        int r = vfa_spawn(cases[i].prog, cases[i].argblock, cases[i].argc, cases[i].env, 0, cases[i].dir,
                          cases[i].fds_null ? NULL : fds, cases[i].flags, NULL, 0, out);
        REQUIRE(r < 0, "%s not copied: spawned pid %d", cases[i].what, r);
        REQUIRE(out[VFA_OUT_ERRNO] == ENOMEM && out[VFA_OUT_STEP] == VFA_STEP_ALLOC && errno == ENOMEM,
                "%s not copied: %s at step %lld", cases[i].what, errname(out[VFA_OUT_ERRNO]),
                (long long)out[VFA_OUT_STEP]);
        REQUIRE(VFA_FAILED_ERRNO(r) == ENOMEM && VFA_FAILED_STEP(r) == VFA_STEP_ALLOC, "%s: returned %d",
                cases[i].what, r);
        REQUIRE(access(marker, F_OK) != 0, "%s not copied: the child ran", cases[i].what);
        REQUIRE(fds[0] == -1 && fds[1] == -1 && fds[2] == -1, "%s: fds changed on failure", cases[i].what);
        REQUIRE(count_fds() == before && no_children(), "%s: leak", cases[i].what);
    }

    /* Without its flag, an env block or directory given is not used. */
    fds[0] = 0, fds[1] = 1, fds[2] = 2;
    setenv("VFA_NULL_COPY", "inherited", 1);
    snprintf(cmd, sizeof cmd, "-c%c[ \"$VFA_NULL_COPY\" = inherited ] && [ \"$(pwd)\" != /proc ] && echo ran > %s",
             '\0', marker);
    int pid = vfa_spawn("/bin/sh", cmd, 2, "VFA_NULL_COPY=block", 1, "/proc", fds, 0, NULL, 0, out);
    unsetenv("VFA_NULL_COPY");
    REQUIRE(pid > 0, "spawn: %s", errname(out[VFA_OUT_ERRNO]));
    int code = exit_code(pid);
    REQUIRE(code == 0 && access(marker, F_OK) == 0, "env block or dir used without its flag (exit %d)", code);
    unlink(marker);

    /* A lost out[] (its copy failed too): the result still says what failed. */
    fds[0] = fds[1] = fds[2] = -1;
    int r = vfa_spawn("/nonexistent/prog", NULL, 0, NULL, 0, NULL, fds, 0, NULL, 0, NULL);
    REQUIRE(r < 0 && VFA_FAILED_ERRNO(r) == ENOENT && VFA_FAILED_STEP(r) == VFA_STEP_EXEC, "returned %d", r);
    /* A lost exec_path is not wanted. */
    fds[0] = 0, fds[1] = 1, fds[2] = 2;
    pid = vfa_spawn("/bin/true", NULL, 0, NULL, 0, NULL, fds, 0, NULL, 64, out);
    REQUIRE(pid > 0, "spawn with a NULL exec_path: %s", errname(out[VFA_OUT_ERRNO]));
    exit_code(pid);
    REQUIRE(count_fds() == before && no_children(), "leak");
    return NULL;
}

/* A storm of SIGUSR1 at our process group, which includes every child between
 * clone and exec. The handler notes if it ever runs in a child: the child
 * shares our memory (CLONE_VM), so the note is seen here. Runs in a forked
 * helper in its own process group, so nothing else receives the storm. */
static volatile sig_atomic_t storm_in_child, storm_stop;
static volatile long storm_in_parent;
static pid_t storm_pid;

static void storm_handler(int sig)
{
    (void)sig;
    if (getpid() != storm_pid)
        storm_in_child = 1;
    else
        storm_in_parent++;
}

static void *storm_killer(void *arg)
{
    (void)arg;
    while (!storm_stop)
        kill(0, SIGUSR1);
    return NULL;
}

static int storm_helper(void)
{
    struct sigaction sa;
    pthread_t t;
    int null = open("/dev/null", O_RDWR | O_CLOEXEC);
    setpgid(0, 0);
    storm_pid = getpid();
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = storm_handler;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGUSR1, &sa, NULL);
    pthread_create(&t, NULL, storm_killer, NULL);
    for (int i = 0; i < 1500 && !storm_in_child; i++) {
        spawn_t s;
        const char *args[] = {"--child-exit", "0", NULL};
        if (spawn(&s, i % 3 ? "/bin/true" : "/nonexistent", i % 3 == 1 ? args : NULL, NULL, NULL, null, null, null,
                  0) > 0)
            wait_status(s.pid); /* often killed by the storm: fine */
    }
    storm_stop = 1;
    pthread_join(t, NULL);
    return storm_in_child ? 1 : storm_in_parent == 0 ? 2 : 0;
}

static const char *test_signal_storm(void)
{
    fflush(stdout);
    pid_t p = fork();
    if (p == 0)
        _exit(storm_helper());
    REQUIRE(p > 0, "fork");
    int code = exit_code(p);
    REQUIRE(code != 1, "a signal handler ran in a child between clone and exec");
    REQUIRE(code == 0, "storm helper exited %d", code);
    return NULL;
}

#define THREADS 8
#define ROUNDS 200

static void *spawner(void *arg)
{
    long bad = 0;
    char buf[64];
    (void)arg;
    for (int i = 0; i < ROUNDS; i++) {
        spawn_t s;
        if (i % 10 == 9) {
            if (spawn(&s, "/nonexistent/prog", NULL, NULL, NULL, -1, -1, -1, 0) >= 0 ||
                s.out[VFA_OUT_ERRNO] != ENOENT)
                bad++;
            continue;
        }
        const char *args[] = {"--child-exit", "3", NULL};
        const char *prog = i % 2 ? "/bin/true" : self_exe;
        if (spawn(&s, prog, i % 2 ? NULL : args, NULL, NULL, -1, -1, -1, 0) <= 0) {
            bad++;
            continue;
        }
        close(s.fds[0]);
        drain(s.fds[1], buf, sizeof buf);
        close(s.fds[2]);
        if (exit_code(s.pid) != (i % 2 ? 0 : 3))
            bad++;
    }
    return (void *)bad;
}

static const char *test_threads(void)
{
    pthread_t t[THREADS];
    long bad = 0;
    int before = count_fds();
    for (int i = 0; i < THREADS; i++)
        REQUIRE(pthread_create(&t[i], NULL, spawner, NULL) == 0, "pthread_create");
    for (int i = 0; i < THREADS; i++) {
        void *r;
        pthread_join(t[i], &r);
        bad += (long)r;
    }
    REQUIRE(bad == 0, "%ld of %d spawns went wrong", bad, THREADS * ROUNDS);
    REQUIRE(count_fds() == before, "fd leak: %d before, %d after", before, count_fds());
    REQUIRE(no_children(), "children left");
    return NULL;
}

/* ------------------------------------------------------------------------- */

static void run(const char *name, const char *(*fn)(void))
{
    const char *r = fn();
    if (r) {
        failed++;
        printf("FAIL %s: %s\n", name, r);
    } else {
        passed++;
        printf("ok %s\n", name);
    }
    fflush(stdout);
}

#define RUN(t) run(#t, test_##t)

/* Tests whose reference is glibc's own execvp or posix_spawn (what the JDK's children get): the
 * launcher keeps glibc's rules whatever libc it is linked with, so against musl's (other rules,
 * other sizes) there is nothing to compare; they are skipped, and said so. */
static int skipped;
#ifdef __GLIBC__
#define RUN_GLIBC(t) RUN(t)
#else
#define RUN_GLIBC(t) ((void)test_##t, printf("skip %s: its reference is glibc's execvp/posix_spawn\n", #t), skipped++)
#endif

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)ftw;
    return flag == FTW_DP ? rmdir(path) : unlink(path);
}

static void rm_tree(const char *d)
{
    nftw(d, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

int main(int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "--child-report"))
        return child_report(argc, argv);
    if (argc >= 3 && !strcmp(argv[1], "--child-exit"))
        return atoi(argv[2]);
    if (argc >= 2 && !strcmp(argv[1], "--child-echo"))
        return child_echo();
    if (argc >= 2 && !strcmp(argv[1], "--child-env"))
        return child_env();
    if (argc >= 4 && !strcmp(argv[1], "--jdk-search"))
        return child_jdk_search(argv[2], argv[3]);

    ssize_t n = readlink("/proc/self/exe", self_exe, sizeof self_exe - 1);
    if (n <= 0) {
        perror("readlink /proc/self/exe");
        return 2;
    }
    self_exe[n] = '\0';
    snprintf(tmpdir, sizeof tmpdir, "/tmp/vfa-test-XXXXXX");
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 2;
    }
    if (!getenv("PATH"))
        setenv("PATH", "/usr/local/bin:/usr/bin:/bin", 1);

    /* A broken pipe must fail a test, not kill the runner. (The launcher resets
     * SIGPIPE in every child, so this also exercises that rule everywhere.) */
    signal(SIGPIPE, SIG_IGN);

    int abi = vfa_init();
    if (abi != VFA_ABI_VERSION) {
        printf("FAIL init: vfa_init returned %d\n", abi);
        failed++;
    }

    RUN(true);
    RUN(exit_code);
    RUN(echo_pipes);
    RUN(redirect_err);
    RUN(inherit);
    RUN(file_redirect);
    RUN(swapped_stdio);
    RUN(fd_hygiene);
    RUN(fd_hygiene_no_close_range);
    RUN(signals);
    RUN(argv);
    RUN(dir);
    RUN(env_block);
    RUN(env_empty_block);
    RUN(env_inherit);
    RUN(path_from_init);
    RUN(exec_path_bare);
    RUN(missing);
    RUN(missing_bare);
    RUN(not_executable);
    RUN(directory);
    RUN(empty_prog);
    RUN(eacces_sticky);
    RUN_GLIBC(path_search_inherited);
    RUN(path_search_env_block);
    RUN_GLIBC(sh_fallback_e2big);
    RUN_GLIBC(sh_fallback_missing);
    RUN(chdir_missing);
    RUN(bad_fd);
    RUN(script_no_shebang);
    RUN(e2big);
    RUN(enotdir);
    RUN(eloop);
    RUN(emfile);
    RUN(enomem);
    RUN(eagain);
    RUN(stdin_closed);
    RUN(stdin_closed_report);
    RUN(stdin_closed_inherit);
    RUN(strerror);
    RUN(bad_args);
    RUN(null_copies);
    RUN(wait_rusage);
    RUN(wait_codes);
    RUN(signal_storm);
    RUN(threads);
    RUN_GLIBC(address_space);
    RUN(child_stack); /* last: sums up every spawn before */

    rm_tree(tmpdir);
    if (skipped)
        printf("%d passed, %d failed, %d skipped\n", passed, failed, skipped);
    else
        printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
