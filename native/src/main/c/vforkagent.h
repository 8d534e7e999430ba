/*
 * vforkagent.h - the native launcher of vfork-agent (Linux).
 *
 * A safe vfork-style replacement for the JDK's ProcessImpl.forkAndExec, called
 * from Java through a JNA direct mapping (io.vforkagent.core.launch.NativeLauncher).
 * The launch rules it follows are in native/launch-contract.md.
 */
#ifndef VFORKAGENT_H
#define VFORKAGENT_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define VFA_ABI_VERSION 2

#if defined(__GNUC__)
#define VFA_API __attribute__((visibility("default")))
#else
#define VFA_API
#endif

/* Slots of the int64_t out[VFA_OUT_LEN] array that vfa_spawn fills. */
enum {
    VFA_OUT_ERRNO = 0,      /* errno of the failure, 0 on success */
    VFA_OUT_STEP = 1,       /* VFA_STEP_* where it failed, 0 on success */
    VFA_OUT_EXEC_INDEX = 2, /* 1-based index of the exec candidate exec'd or last tried, 0 if none */
    VFA_OUT_T_START = 3,    /* CLOCK_MONOTONIC ns at entry */
    VFA_OUT_T_CLONE = 4,    /* ... just before clone */
    VFA_OUT_T_RESUMED = 5,  /* ... when the parent resumed after clone */
    VFA_OUT_T_END = 6,      /* ... just before return */
    VFA_OUT_FLAGS = 7,      /* VFA_FLAG_* */
    VFA_OUT_LEN = 8
};

/* Steps: the value of out[VFA_OUT_STEP] on failure (0 on success). */
enum {
    VFA_STEP_NONE = 0,
    VFA_STEP_PIPE = 1,  /* pipe2 failed (parent) */
    VFA_STEP_ALLOC = 2, /* argv/envp/candidates or child stack could not be allocated, an argument could not
                           be copied by the caller (ENOMEM), or bad arguments (EINVAL) */
    VFA_STEP_CLONE = 3, /* clone failed (parent) */
    VFA_STEP_FDS = 4,   /* moving stdio into place failed (child) */
    VFA_STEP_CHDIR = 5, /* chdir(dir) failed (child) */
    VFA_STEP_EXEC = 6   /* no candidate could be exec'd (child) */
};

/* Bits of out[VFA_OUT_FLAGS]. */
enum {
    VFA_FLAG_CLOSE_RANGE = 1, /* the child closed its fds with close_range (else /proc/self/fd or a loop) */
    VFA_FLAG_SH_FALLBACK = 2  /* a candidate failed with ENOEXEC and /bin/sh was exec'd (or tried) on it */
};

/*
 * Call before vfa_spawn. The first call captures the PATH the process has now
 * (searched for bare program names when an env block is given, like the JDK
 * does with the PATH it saw at ProcessImpl initialisation). Every call probes
 * whether close_range(2) works (the environment variable VFA_TEST_NO_CLOSE_RANGE,
 * if set, turns it off: a switch for tests). Thread-safe. Returns VFA_ABI_VERSION.
 */
VFA_API int vfa_init(void);

/* Bits of vfa_spawn's flags. */
enum {
    VFA_SPAWN_REDIRECT_ERR = 1, /* the child's fd 2 is a dup of its fd 1 */
    VFA_SPAWN_ENV = 2,          /* the child gets envblock (else the current environ) */
    VFA_SPAWN_DIR = 4           /* the child starts in dir (else the current directory) */
};

/* A failed vfa_spawn returns VFA_FAILED(step, errno) < 0: both survive even when out[] is lost. */
#define VFA_FAILED(step, err) (-((step) << 12 | (err)))
#define VFA_FAILED_STEP(ret) ((-(ret)) >> 12)
#define VFA_FAILED_ERRNO(ret) ((-(ret)) & 4095)

/*
 * Spawn a child like the JDK's ProcessImpl.forkAndExec.
 * prog:      NUL-terminated program (argv[0]); "" fails with ENOENT at step EXEC.
 * argblock:  argc NUL-terminated strings back to back (args 1..n); may be NULL when argc == 0.
 * envblock:  with VFA_SPAWN_ENV, envc "k=v" NUL-terminated strings back to back; else ignored.
 * dir:       with VFA_SPAWN_DIR, the working directory of the child; else ignored.
 * fds[3]:    in: -1 = make a pipe; 0/1/2 = inherit; other = an fd to use as that stdio.
 *            out (success only): the parent's end of each pipe made, -1 where none was made.
 *            A stderr pipe is made when fds[2] == -1 even with redirection (its read end sees EOF).
 * flags:     VFA_SPAWN_*. Whether there is an environment or a directory is said here, never
 *            by a NULL: a NULL prog, fds, argblock (argc > 0), or envblock or dir whose flag is
 *            set, is an array the caller could not copy (JNA passes NULL when the JVM cannot),
 *            and fails with ENOMEM at step ALLOC; the child would otherwise run with the
 *            caller's own environment or directory.
 * exec_path, exec_path_cap: optional (NULL = not wanted); on success receives the path exec'd
 *            (after PATH search; for the /bin/sh fallback, the script's path), NUL-terminated, truncated.
 * out[VFA_OUT_LEN]: optional; filled whenever given, see VFA_OUT_*.
 * Returns the child's pid (which the caller must reap). On failure returns VFA_FAILED(step,
 * errno) and sets errno: no fd made here is left open, and a child that failed before or at
 * exec has already been reaped.
 */
VFA_API int vfa_spawn(const char *prog, const char *argblock, int argc, const char *envblock, int envc,
                      const char *dir, int32_t *fds, int flags, char *exec_path, int exec_path_cap,
                      int64_t *out);

/* Slots of the int64_t out[VFA_WAIT_LEN] array that vfa_wait fills. */
enum {
    VFA_WAIT_STATUS = 0,   /* raw wait status */
    VFA_WAIT_UTIME = 1,    /* user CPU time, ns */
    VFA_WAIT_STIME = 2,    /* system CPU time, ns */
    VFA_WAIT_MAXRSS = 3,   /* peak resident set, bytes */
    VFA_WAIT_MINFLT = 4,   /* page faults without I/O */
    VFA_WAIT_MAJFLT = 5,   /* page faults with I/O */
    VFA_WAIT_NVCSW = 6,    /* voluntary context switches */
    VFA_WAIT_NIVCSW = 7,   /* involuntary context switches */
    VFA_WAIT_SELF_MAXRSS = 8, /* the caller's own peak resident set, bytes (see vfa_wait) */
    VFA_WAIT_LEN = 9
};

/*
 * Reaps the child pid like the JDK's ProcessHandleImpl.waitForProcessExit0(pid, true),
 * but with wait4 so that the kernel's resource accounting of the child is kept.
 * Linux folds the peak resident set of the memory the child shared until exec (with
 * CLONE_VM: the whole JVM) into the child's ru_maxrss, so the child's own peak is known
 * only where VFA_WAIT_MAXRSS exceeds VFA_WAIT_SELF_MAXRSS; the caller decides.
 * Returns what the JDK returns: the exit status, 0x80 + signal for a child killed by a
 * signal, else the raw status. Returns -1 with errno set when wait4 fails for any reason
 * other than EINTR (retried): the caller then asks the JDK, whose answer for a pid that is
 * not a child differs between JDK versions.
 */
VFA_API int vfa_wait(int pid, int64_t *out);

/* Bits of vfa_features(). */
enum { VFA_FEATURE_CLOSE_RANGE = 1 };

/* What vfa_init found this kernel offers (VFA_FEATURE_*), for diagnostics. */
VFA_API int vfa_features(void);

/* Copies libc's strerror text for errnum into buf (NUL-terminated, truncated). Returns its length. */
VFA_API int vfa_strerror(int errnum, char *buf, int cap);

/* Copies the symbolic name of errnum ("ENOENT") into buf, or "" if unknown. Returns its length. */
VFA_API int vfa_errno_name(int errnum, char *buf, int cap);

#ifdef __cplusplus
}
#endif

#endif /* VFORKAGENT_H */
