/*
 * vforkagent.c - vfork-style launcher for vfork-agent (Linux x86-64 and
 * aarch64; glibc, and musl for its C tests).
 *
 * Shape: the parent builds everything the child needs (argv, envp, exec
 * candidates, pipes, a private child stack), blocks every signal, and calls
 * clone(CLONE_VM | CLONE_VFORK). The child runs in the caller's memory until it
 * execs, so it obeys the rules written next to child_main(). Failures in the
 * child come back through the shared child_args struct.
 */
#include "vforkagent.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef SYS_close_range
#define SYS_close_range 436
#endif
#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

/* The child's stack, above one guard page. The child uses ~1.2 KiB (measured by
 * test_launcher on every spawn it makes, the /proc fd walk being the deepest path);
 * glibc's posix_spawn, the JDK's default, maps 32.5 KiB + 8 bytes per argument. */
#define CHILD_STACK_SIZE 4096
#define FD_SCAN_LIMIT (1 << 20) /* last-resort close loop bound (kernel's default nr_open) */

/* ------------------------------------------------------------------------- */
/* The architecture block: everything that differs between x86-64 and aarch64.
 * Syscall numbers come from <sys/syscall.h> of the target's C library; the
 * child only uses calls that exist on both (openat, dup3, fcntl: aarch64 has
 * no open, dup2, pipe or fork). clone() is the C library's wrapper, called by
 * the parent: it hides the raw call's per-architecture argument order (the
 * tls and child_tid slots are swapped between x86-64 and aarch64), and its
 * child path is assembly that calls child_main and then exit directly.
 *
 * Raw system calls: return the result, or -errno. They never touch errno,
 * which lives in the calling thread's TLS and so is shared with the child.
 * Only these wrappers reach the kernel from the child: an architecture
 * without one must not build (no fallback to the C library's syscall(),
 * which writes errno). */

#if defined(__x86_64__)
static inline long vsys(long n, long a, long b, long c, long d)
{
    long ret;
    register long r10 __asm__("r10") = d;
    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10)
                     : "rcx", "r11", "memory");
    return ret;
}
#elif defined(__aarch64__)
static inline long vsys(long n, long a, long b, long c, long d)
{
    /* Number in x8, arguments in x0..x3, result in x0; the kernel keeps the rest. */
    register long x8 __asm__("x8") = n;
    register long x0 __asm__("x0") = a;
    register long x1 __asm__("x1") = b;
    register long x2 __asm__("x2") = c;
    register long x3 __asm__("x3") = d;
    __asm__ volatile("svc 0"
                     : "+r"(x0)
                     : "r"(x8), "r"(x1), "r"(x2), "r"(x3)
                     : "memory", "cc");
    return x0;
}
#else
#error "vforkagent: no raw system call wrapper for this architecture (x86-64 and aarch64 only)"
#endif
#define VSYS1(n, a) vsys((n), (long)(a), 0, 0, 0)
#define VSYS2(n, a, b) vsys((n), (long)(a), (long)(b), 0, 0)
#define VSYS3(n, a, b, c) vsys((n), (long)(a), (long)(b), (long)(c), 0)
#define VSYS4(n, a, b, c, d) vsys((n), (long)(a), (long)(b), (long)(c), (long)(d))

/* The kernel's struct sigaction, the same on x86-64 and aarch64 (both have
 * SA_RESTORER, so a restorer slot, then a 64-bit mask). */
struct ksigaction {
    void *handler;
    unsigned long flags;
    void *restorer;
    uint64_t mask;
};
_Static_assert(sizeof(struct ksigaction) == 32, "kernel sigaction layout");

/* The C library. glibc is what the agent ships for; musl (musl-gcc) builds for
 * the C tests, and lacks GNU strerror_r and strerrorname_np (parent side only). */
#if !defined(__GLIBC__)
static char *vfa_gnu_strerror_r(int e, char *buf, size_t n)
{
    (void)buf;
    (void)n;
    return strerror(e); /* musl's texts are constant strings */
}
#define strerror_r vfa_gnu_strerror_r

static const char *strerrorname_np(int e)
{
#define VFA_E(x) case x: return #x;
    switch (e) {
    VFA_E(EPERM) VFA_E(ENOENT) VFA_E(ESRCH) VFA_E(EINTR) VFA_E(EIO) VFA_E(ENXIO) VFA_E(E2BIG)
    VFA_E(ENOEXEC) VFA_E(EBADF) VFA_E(ECHILD) VFA_E(EAGAIN) VFA_E(ENOMEM) VFA_E(EACCES) VFA_E(EFAULT)
    VFA_E(EBUSY) VFA_E(EEXIST) VFA_E(EXDEV) VFA_E(ENODEV) VFA_E(ENOTDIR) VFA_E(EISDIR) VFA_E(EINVAL)
    VFA_E(ENFILE) VFA_E(EMFILE) VFA_E(ETXTBSY) VFA_E(EFBIG) VFA_E(ENOSPC) VFA_E(EROFS) VFA_E(EMLINK)
    VFA_E(EPIPE) VFA_E(ERANGE) VFA_E(ENAMETOOLONG) VFA_E(ENOSYS) VFA_E(ELOOP) VFA_E(ESTALE)
    VFA_E(ETIMEDOUT) VFA_E(ELIBBAD) VFA_E(EOPNOTSUPP) VFA_E(EOVERFLOW)
    default: return NULL;
    }
#undef VFA_E
}
#endif

struct kdirent64 {
    uint64_t ino;
    int64_t off;
    unsigned short reclen;
    unsigned char type;
    char name[];
};

/* Everything the child reads, and the few fields it writes back. Lives in the
 * parent's frame; the child gets its address through clone's arg. */
struct child_args {
    char *const *argv;
    char **sh_argv;         /* {"/bin/sh", <candidate>, args 1..n, NULL}; [1] set by the child */
    char *const *envp;
    char *const *cands;     /* exec candidates, in search order; NULL: one the JDK skips as too long */
    int ncands;
    int none_err;           /* the error when no candidate is tried at all */
    int eloop_goes_on;      /* the JDK's own search (env block) goes on after ELOOP; execvp's stops */
    int src[3];             /* fd to become 0, 1, 2 */
    int parent_end[3];      /* the parent's pipe ends, -1 if none */
    int redirect_err;
    int use_close_range;
    const char *dir;        /* NULL: stay in the caller's directory */
    volatile int err;       /* written by the child on failure */
    volatile int step;      /* written by the child on failure; 0 = exec'd */
    volatile int exec_index;
    volatile int flags;
};

/* ------------------------------------------------------------------------- */
/* Child side. Rules, each because the child shares the JVM's memory and the
 * calling thread's TLS while the parent thread is suspended:
 *  - only raw system calls (vsys): no malloc, stdio, locks, errno or any libc
 *    state, since another JVM thread may hold a libc lock we would wait on forever;
 *  - no writes to shared memory except child_args' result fields and sh_argv[1]
 *    (the parent owns both and reads them only after we exec or exit);
 *  - small fixed stack use (no recursion, no variable arrays): the stack is
 *    the CHILD_STACK_SIZE bytes the parent mapped above a guard page;
 *  - never return into the JVM: every path ends in execve or exit;
 *  - no stack protector (CHILD_FN): its check reads the canary through the
 *    shared TLS and, on a mismatch, calls libc (make check-child-ssp proves
 *    it stays off even where the compiler turns it on everywhere).          */
#if defined(__has_attribute)
#if __has_attribute(no_stack_protector)
#define CHILD_FN __attribute__((no_stack_protector))
#endif
#endif
#ifndef CHILD_FN
#define CHILD_FN __attribute__((optimize("no-stack-protector")))
#endif

CHILD_FN static int parse_fd(const char *s)
{
    int v = 0;
    if (*s == '\0')
        return -1;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || v > (1 << 30) / 10)
            return -1; /* "." and "..", or nothing we could have opened */
        v = v * 10 + (*s - '0');
    }
    return v;
}

/* Close every fd >= 3. close_range is one call; the fallbacks exist for
 * kernels < 5.9 or seccomp filters that refuse it. */
CHILD_FN static void close_fds_from_3(struct child_args *a)
{
    char buf[1024] __attribute__((aligned(8)));
    struct { uint64_t cur, max; } rl;
    long dfd, n, off, fd, limit;

    /* CLOSE_RANGE_CLOEXEC first (Linux 5.11): it only sets bits, and exec closes the files
     * after it has released the parent (the vfork wake-up comes with the new mm), so with
     * thousands of fds open the closing runs in the child, not while the JVM thread waits. */
    if (a->use_close_range && (VSYS3(SYS_close_range, 3, ~0U, CLOSE_RANGE_CLOEXEC) == 0 ||
                               VSYS3(SYS_close_range, 3, ~0U, 0) == 0)) {
        a->flags |= VFA_FLAG_CLOSE_RANGE;
        return;
    }
    /* Closing while listing is fine: /proc/<pid>/fd offsets are fd numbers. */
    dfd = VSYS4(SYS_openat, AT_FDCWD, "/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
    if (dfd >= 0) {
        while ((n = VSYS3(SYS_getdents64, dfd, buf, sizeof buf)) > 0) {
            for (off = 0; off < n; off += ((struct kdirent64 *)(buf + off))->reclen) {
                fd = parse_fd(((struct kdirent64 *)(buf + off))->name);
                if (fd >= 3 && fd != dfd)
                    VSYS1(SYS_close, fd);
            }
        }
        VSYS1(SYS_close, dfd);
        if (n == 0)
            return;
    }
    /* No /proc (or it failed mid-way): close every number below the fd limit. */
    limit = VSYS4(SYS_prlimit64, 0, RLIMIT_NOFILE, 0, &rl) == 0 && rl.cur < FD_SCAN_LIMIT
            ? (long)rl.cur : FD_SCAN_LIMIT;
    for (fd = 3; fd < limit; fd++)
        VSYS1(SYS_close, fd);
}

CHILD_FN static int exec_goes_on(int err, int eloop_goes_on)
{
    /* Errors after which the search tries the next PATH entry: glibc's execvp
     * list (inherited environment), plus ELOOP in the JDK's own loop (env block).
     * Any other error (ENAMETOOLONG, E2BIG, ENOEXEC...) ends the search, as there. */
    switch (err) {
    case EACCES: case ENOENT: case ENOTDIR: case ESTALE: case ENODEV: case ETIMEDOUT:
        return 1;
    case ELOOP:
        return eloop_goes_on;
    default:
        return 0;
    }
}

CHILD_FN __attribute__((noinline)) static int child_main(void *arg)
{
    struct child_args *a = arg;
    struct ksigaction sa;
    uint64_t empty = 0;
    int src[3], i, step, saw_eacces = 0;
    int err = a->none_err;
    long r;

    /* 1. Signals. Handlers first, while everything is still blocked (the parent
     * blocked all): a JVM handler running here would run on the JVM's data.
     * Ignored stay ignored like the JDK, except SIGPIPE (JDK-8364611). Raw
     * rt_sigaction because glibc's refuses its own signals 32 and 33. Setting
     * a disposition of a valid signal cannot fail, so no error path is needed. */
    for (i = 1; i <= 64; i++) {
        if (i == SIGKILL || i == SIGSTOP)
            continue;
        if (i == 32 || i == 33) {
            /* glibc's internal signals: its posix_spawn (the JDK's default launcher)
             * ignores them in every child, and an ignored signal stays ignored
             * across exec: so `kill -33` leaves a JDK-started child running. */
            sa.handler = (void *)SIG_IGN;
        } else {
            if (VSYS4(SYS_rt_sigaction, i, 0, &sa, 8) != 0)
                continue;
            if (sa.handler == (void *)SIG_DFL || (sa.handler == (void *)SIG_IGN && i != SIGPIPE))
                continue;
            sa.handler = (void *)SIG_DFL;
        }
        sa.flags = 0;
        sa.restorer = 0;
        sa.mask = 0;
        VSYS4(SYS_rt_sigaction, i, &sa, 0, 8);
    }
    /* Only now empty the mask: no handler is left that could touch JVM memory.
     * The JDK 17 left SIGQUIT blocked; the fixed behaviour is an empty mask. */
    VSYS4(SYS_rt_sigprocmask, SIG_SETMASK, &empty, 0, 8);

    /* 2. Stdio. The parent's pipe ends are closed first (like the JDK): one may
     * sit on 0..2 if the JVM had them closed, and must not leak into the child. */
    step = VFA_STEP_FDS;
    for (i = 0; i < 3; i++) {
        if (a->parent_end[i] >= 0)
            VSYS1(SYS_close, a->parent_end[i]);
        src[i] = a->src[i];
    }
    if (a->redirect_err)
        src[2] = -1; /* fd 2 comes from fd 1 below; the stderr pipe stays unused */
    /* A source on 0..2 that is not its own target would be clobbered by an
     * earlier dup into that slot: lift it above 2 first. */
    for (i = 0; i < 3; i++) {
        if (src[i] >= 0 && src[i] < 3 && src[i] != i) {
            if ((r = VSYS3(SYS_fcntl, src[i], F_DUPFD, 3)) < 0)
                goto fail_r;
            src[i] = (int)r;
        }
    }
    for (i = 0; i < 3; i++) {
        if (i == 2 && a->redirect_err)
            continue;
        if (src[i] == i) {
            /* Already in place: it just must survive exec. A closed inherited
             * fd stays closed, as with the JDK (which does nothing here). */
            r = VSYS2(SYS_fcntl, i, F_GETFD);
            if (r > 0 && (r & FD_CLOEXEC))
                r = VSYS3(SYS_fcntl, i, F_SETFD, r & ~FD_CLOEXEC);
            if (r < 0 && r != -EBADF)
                goto fail_r;
            continue;
        }
        /* dup3 (not dup2) exists on every architecture; src != i here. */
        while ((r = VSYS3(SYS_dup3, src[i], i, 0)) == -EINTR)
            ;
        if (r < 0)
            goto fail_r;
    }
    if (a->redirect_err) {
        while ((r = VSYS3(SYS_dup3, 1, 2, 0)) == -EINTR)
            ;
        if (r < 0)
            goto fail_r;
    }

    /* 3. Nothing but 0..2 may reach the program (the JVM keeps many fds
     * without CLOEXEC). */
    close_fds_from_3(a);

    /* 4. Working directory; its failure is reported like an exec failure. */
    if (a->dir) { /* the parent set it only when the caller gave one (VFA_SPAWN_DIR) */
        step = VFA_STEP_CHDIR;
        if ((r = VSYS1(SYS_chdir, a->dir)) < 0)
            goto fail_r;
    }

    /* 5. Exec with the JDK's search rules (candidates built by the parent). */
    step = VFA_STEP_EXEC;
    for (i = 0; i < a->ncands; i++) {
        if (!a->cands[i]) {
            err = ENAMETOOLONG; /* the JDK's loop skips a name too long for its buffer */
            continue;
        }
        a->exec_index = i + 1; /* stored first: after a successful exec we cannot */
        err = (int)-VSYS3(SYS_execve, a->cands[i], a->argv, a->envp);
        if (err == ENOEXEC) {
            /* A script without #!: run it with /bin/sh like execvp does. If that
             * fails too, its error is the one that counts (E2BIG for the extra
             * argument, ENOENT which goes on searching), as in execvp. */
            a->sh_argv[1] = a->cands[i];
            a->flags |= VFA_FLAG_SH_FALLBACK;
            err = (int)-VSYS3(SYS_execve, "/bin/sh", a->sh_argv, a->envp);
        }
        if (err == EACCES)
            saw_eacces = 1;
        if (!exec_goes_on(err, a->eloop_goes_on))
            goto fail; /* reported as is */
    }
    /* Search exhausted: EACCES wins, so "found but not executable" beats "not found". */
    if (saw_eacces)
        err = EACCES;
    goto fail;

fail_r:
    err = (int)-r;
fail:
    /* 6. Report through shared memory; the parent is suspended (CLONE_VFORK)
     * until we exit, so plain (volatile) stores are seen when it resumes. */
    a->err = err;
    a->step = step;
    for (;;)
        VSYS1(SYS_exit, 127);
    return 127;
}

/* ------------------------------------------------------------------------- */
/* Parent side: ordinary code, malloc allowed. */

static pthread_once_t path_once = PTHREAD_ONCE_INIT;
static const char *captured_path; /* NULL: PATH was unset at vfa_init */
static int close_range_ok;

static void capture_path(void)
{
    const char *p = getenv("PATH");
    captured_path = p ? strdup(p) : NULL;
    if (p && !captured_path)
        captured_path = p; /* out of memory: glibc never frees environ strings */
}

VFA_API int vfa_init(void)
{
    pthread_once(&path_once, capture_path);
    /* close_range(~0U, ~0U) closes nothing: 0 if the call exists, else ENOSYS/EPERM. */
    __atomic_store_n(&close_range_ok,
                     getenv("VFA_TEST_NO_CLOSE_RANGE") == NULL && VSYS3(SYS_close_range, ~0U, ~0U, 0) == 0,
                     __ATOMIC_RELAXED);
    return VFA_ABI_VERSION;
}

VFA_API int vfa_features(void)
{
    return __atomic_load_n(&close_range_ok, __ATOMIC_RELAXED) ? VFA_FEATURE_CLOSE_RANGE : 0;
}

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Candidate n = dir[0..len) + ('/' if slash) + prog, into v/s; or only its size counted when v is NULL. */
static void add_cand(char **v, int n, char **s, size_t *bytes, const char *dir, size_t len, int slash,
                     const char *prog, size_t plen)
{
    if (!v) {
        *bytes += len + 1 + plen + 1;
        return;
    }
    v[n] = *s;
    memcpy(*s, dir, len);
    *s += len;
    if (slash)
        *(*s)++ = '/';
    memcpy(*s, prog, plen + 1);
    *s += plen + 1;
}

/*
 * The candidates for a bare name, in search order, into v[] and the strings at s
 * (or only counted, *bytes grown, when v is NULL). Returns how many.
 *
 * glibc (inherited environment: the JDK's child calls execvp): an empty entry is
 * the bare name itself (not "./name"); '/' is added even after a trailing one; an
 * entry of PATH_MAX bytes or more is skipped, and then glibc takes the ':' that
 * ends it for an empty entry (one more try of the bare name).
 * Otherwise (env block): the JDK's own loop over the PATH it captured at start-up:
 * an empty entry is "."; '/' only where missing; a name that with its entry would
 * not fit PATH_MAX is skipped (a NULL candidate: ENAMETOOLONG, and on).
 */
static int walk_path(const char *path, int glibc, const char *prog, size_t plen, char **v, char *s, size_t *bytes)
{
    const char *p, *end, *dir;
    size_t len;
    int n = 0;

    if (glibc) {
        for (p = path;; p = end) {
            end = strchrnul(p, ':');
            len = (size_t)(end - p);
            if (len >= PATH_MAX) {
                if (*end == '\0')
                    break;
                continue; /* p = end, the ':' */
            }
            add_cand(v, n++, &s, bytes, p, len, len > 0, prog, plen);
            if (*end++ == '\0')
                break;
        }
        return n;
    }
    for (p = path;; p = end + 1) {
        end = strchrnul(p, ':');
        dir = end == p ? "." : p;
        len = end == p ? 1 : (size_t)(end - p);
        if (plen + len + 2 >= PATH_MAX) {
            if (v)
                v[n] = NULL;
            n++;
        } else {
            add_cand(v, n++, &s, bytes, dir, len, dir[len - 1] != '/', prog, plen);
        }
        if (*end == '\0')
            break;
    }
    return n;
}

/* One malloc'd block holding argv, sh_argv, envp, the candidate pointers and
 * the candidate strings. Strings from argblock/envblock are pointed to, not
 * copied: the caller keeps them alive for the whole call. envblock NULL: the
 * child inherits the current environ. */
static void *build_plan(const char *prog, const char *argblock, int argc, const char *envblock, int envc,
                        struct child_args *a)
{
    size_t plen = strlen(prog), nptr, bytes = 0;
    const char *path = NULL;
    char **v, *s;
    void *block;
    int i, n = 0, glibc = envblock == NULL;

    a->none_err = ENOENT; /* prog "": what execvp and the JDK report */
    if (plen > 0 && strchr(prog, '/') == NULL) {
        if (!glibc)
            path = captured_path ? captured_path : ":/bin:/usr/bin"; /* the JDK's default */
        else if ((path = getenv("PATH")) == NULL)
            path = "/bin:/usr/bin"; /* glibc's default */
        n = walk_path(path, glibc, prog, plen, NULL, NULL, &bytes);
        /* Every entry skipped: execvp leaves errno as it found it, which in the
         * JDK's child is EBADF (from closing descriptors that were not open). */
        a->none_err = n == 0 ? EBADF : ENOENT;
    } else if (plen > 0) {
        n = 1;
    }
    a->eloop_goes_on = !glibc;
    nptr = (size_t)argc + 2 + (size_t)argc + 3 + (envblock ? (size_t)envc + 1 : 0) + (size_t)n;
    if ((block = malloc(nptr * sizeof(char *) + bytes)) == NULL)
        return NULL;
    v = block;

    a->argv = v;
    v[0] = (char *)prog;
    for (i = 0, s = (char *)argblock; i < argc; i++, s += strlen(s) + 1)
        v[1 + i] = s;
    v[1 + argc] = NULL;
    v += argc + 2;

    a->sh_argv = v;
    v[0] = (char *)"/bin/sh";
    v[1] = NULL;
    memcpy(v + 2, a->argv + 1, ((size_t)argc + 1) * sizeof(char *));
    v += argc + 3;

    if (envblock) {
        a->envp = v;
        for (i = 0, s = (char *)envblock; i < envc; i++, s += strlen(s) + 1)
            v[i] = s;
        v[envc] = NULL;
        v += envc + 1;
    } else {
        a->envp = environ; /* as it is now, like the JDK */
    }

    a->cands = v;
    a->ncands = n;
    if (path)
        walk_path(path, glibc, prog, plen, v, (char *)(v + n), NULL);
    else if (n)
        v[0] = (char *)prog;
    return block;
}

static void close_fd(int *fd)
{
    if (*fd >= 0) {
        close(*fd);
        *fd = -1;
    }
}

static size_t copy_str(const char *s, char *buf, int cap)
{
    size_t n;
    if (!buf || cap <= 0)
        return 0;
    n = strlen(s);
    if (n > (size_t)cap - 1)
        n = (size_t)cap - 1;
    memcpy(buf, s, n);
    buf[n] = '\0';
    return n;
}

VFA_API int vfa_spawn(const char *prog, const char *argblock, int argc, const char *envblock, int envc,
                      const char *dir, int32_t *fds, int flags, char *exec_path, int exec_path_cap,
                      int64_t *out)
{
    int64_t scratch[VFA_OUT_LEN];
    struct child_args a;
    int pipes[3][2] = {{-1, -1}, {-1, -1}, {-1, -1}};
    int child_end[3] = {-1, -1, -1}, parent_end[3] = {-1, -1, -1};
    uint64_t all = ~(uint64_t)0, old;
    size_t guard = (size_t)sysconf(_SC_PAGESIZE);
    size_t map_len = guard + (CHILD_STACK_SIZE + guard - 1) / guard * guard;
    void *block = NULL, *stack = MAP_FAILED;
    int pid = -1, err = 0, step = VFA_STEP_NONE, i;

    if (!out)
        out = scratch;
    memset(out, 0, VFA_OUT_LEN * sizeof *out);
    out[VFA_OUT_T_START] = now_ns();
    memset(&a, 0, sizeof a);
    if (!exec_path)
        exec_path_cap = 0;
    copy_str("", exec_path, exec_path_cap);

    if (argc < 0 || envc < 0) {
        err = EINVAL;
        step = VFA_STEP_ALLOC;
        goto done;
    }
    /* A NULL where the caller has an array is a copy that failed (JNA passes NULL
     * when the JVM cannot copy one): never read as "none", which for envblock and
     * dir would give the child this process's own environment or directory. */
    if (!prog || !fds || (argc > 0 && !argblock) || ((flags & VFA_SPAWN_ENV) && !envblock) ||
        ((flags & VFA_SPAWN_DIR) && !dir)) {
        err = ENOMEM;
        step = VFA_STEP_ALLOC;
        goto done;
    }
    if (!(flags & VFA_SPAWN_ENV))
        envblock = NULL;
    if ((block = build_plan(prog, argblock, argc, envblock, envc, &a)) == NULL) {
        err = ENOMEM;
        step = VFA_STEP_ALLOC;
        goto done;
    }

    /* O_CLOEXEC: other threads may fork/exec meanwhile and must not inherit
     * these, or the child would never see EOF on its stdin. */
    for (i = 0; i < 3; i++) {
        if (fds[i] != -1)
            continue;
        if (pipe2(pipes[i], O_CLOEXEC) != 0) {
            err = errno;
            step = VFA_STEP_PIPE;
            goto done;
        }
        parent_end[i] = i == 0 ? pipes[i][1] : pipes[i][0];
        child_end[i] = i == 0 ? pipes[i][0] : pipes[i][1];
    }
    for (i = 0; i < 3; i++) {
        a.src[i] = child_end[i] >= 0 ? child_end[i] : fds[i];
        a.parent_end[i] = parent_end[i];
    }
    a.redirect_err = (flags & VFA_SPAWN_REDIRECT_ERR) != 0;
    a.use_close_range = __atomic_load_n(&close_range_ok, __ATOMIC_RELAXED);
    a.dir = (flags & VFA_SPAWN_DIR) ? dir : NULL;

    /* The child gets its own stack (never the parent's, which is live); the
     * PROT_NONE page below it, part of the same mapping, turns an overflow into
     * a crash of the child, not a write into whatever the JVM mapped there.
     * With 4 KiB pages it is 8 KiB in all, where glibc's posix_spawn (the JDK's
     * default) maps 36 KiB: an address-space limit the JDK spawns under does
     * not stop this one. */
    stack = mmap(NULL, map_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (stack == MAP_FAILED || mprotect(stack, guard, PROT_NONE) != 0) {
        err = errno;
        step = VFA_STEP_ALLOC;
        goto done;
    }

    /* All signals blocked (also glibc's internal 32/33, hence the raw call)
     * so that no handler runs in the child before it has reset them. */
    VSYS4(SYS_rt_sigprocmask, SIG_SETMASK, &all, &old, 8);
    out[VFA_OUT_T_CLONE] = now_ns();
    pid = clone(child_main, (char *)stack + map_len, CLONE_VM | CLONE_VFORK | SIGCHLD, &a);
    err = pid < 0 ? errno : 0;
    /* The child wrote into `a` behind the compiler's back: forget cached copies. */
    __asm__ volatile("" ::: "memory");
    out[VFA_OUT_T_RESUMED] = now_ns();
    VSYS4(SYS_rt_sigprocmask, SIG_SETMASK, &old, 0, 8);

    if (pid < 0) {
        step = VFA_STEP_CLONE;
    } else if (a.step != VFA_STEP_NONE) {
        /* Failed before or at exec: it has exited; reap it so no zombie stays. */
        err = a.err;
        step = a.step;
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
            ;
        pid = -1;
    } else if (a.exec_index > 0) {
        copy_str(a.cands[a.exec_index - 1], exec_path, exec_path_cap);
    }

done:
    if (stack != MAP_FAILED)
        munmap(stack, map_len);
    free(block);
    for (i = 0; i < 3; i++) {
        /* the child's ends always go; the parent's only on failure */
        close_fd(&child_end[i]);
        if (step != VFA_STEP_NONE)
            close_fd(&parent_end[i]);
        else
            fds[i] = parent_end[i];
    }
    out[VFA_OUT_ERRNO] = err;
    out[VFA_OUT_STEP] = step;
    out[VFA_OUT_EXEC_INDEX] = a.exec_index;
    out[VFA_OUT_FLAGS] = a.flags;
    out[VFA_OUT_T_END] = now_ns();
    if (step != VFA_STEP_NONE) {
        errno = err;
        return VFA_FAILED(step, err);
    }
    return pid;
}

VFA_API int vfa_wait(int pid, int64_t *out)
{
    struct rusage ru;
    int status;

    while (wait4(pid, &status, 0, &ru) < 0) {
        if (errno != EINTR)
            return -1;
    }
    out[VFA_WAIT_STATUS] = status;
    out[VFA_WAIT_UTIME] = (int64_t)ru.ru_utime.tv_sec * 1000000000 + (int64_t)ru.ru_utime.tv_usec * 1000;
    out[VFA_WAIT_STIME] = (int64_t)ru.ru_stime.tv_sec * 1000000000 + (int64_t)ru.ru_stime.tv_usec * 1000;
    out[VFA_WAIT_MAXRSS] = (int64_t)ru.ru_maxrss * 1024; /* Linux reports KiB */
    out[VFA_WAIT_MINFLT] = ru.ru_minflt;
    out[VFA_WAIT_MAJFLT] = ru.ru_majflt;
    out[VFA_WAIT_NVCSW] = ru.ru_nvcsw;
    out[VFA_WAIT_NIVCSW] = ru.ru_nivcsw;
    out[VFA_WAIT_SELF_MAXRSS] = getrusage(RUSAGE_SELF, &ru) == 0 ? (int64_t)ru.ru_maxrss * 1024 : -1;
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    if (WIFSIGNALED(status))
        return 0x80 + WTERMSIG(status); /* what shells do, and the JDK */
    return status;
}

VFA_API int vfa_strerror(int errnum, char *buf, int cap)
{
    char tmp[256];
    return (int)copy_str(strerror_r(errnum, tmp, sizeof tmp), buf, cap);
}

VFA_API int vfa_errno_name(int errnum, char *buf, int cap)
{
    const char *name = strerrorname_np(errnum);
    return (int)copy_str(name ? name : "", buf, cap);
}
