package io.vforkagent.core;

import io.vforkagent.core.launch.ErrnoNames;
import io.vforkagent.core.launch.ErrorMessages;
import io.vforkagent.core.launch.JdkLauncher;
import io.vforkagent.core.launch.NativeLauncher;
import io.vforkagent.core.record.Recorder;

import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The spawn path behind the bridge: pick the launcher, spawn, record. This is the hot path: no
 * lock, no reflection, and no allocation beyond the launcher's small result array and what an
 * enabled record needs.
 */
final class SpawnService {
    /** Compiled at the first JDK-launcher failure, not at start-up. */
    private static final class JdkErrno {
        static final Pattern PATTERN = Pattern.compile("error(?:=|: )(\\d+)");
    }

    private final JdkLauncher jdk;
    private final SpawnStats stats;
    private final Recorder recorder;
    /** Which launcher serves: one volatile read per spawn, a whole new state per transition (see {@link Control}). */
    private volatile LauncherState state = LauncherState.STARTING;
    /** The thread finishing the agent's start: its own spawns (JNA runs ldconfig) are refused. */
    private volatile Thread starting;
    /** False until the native library is loaded (or failed to): spawns wait for it, see {@link Agent}. */
    private volatile boolean ready;
    private final CountDownLatch readyLatch = new CountDownLatch(1);

    SpawnService(JdkLauncher jdk, SpawnStats stats, Recorder recorder) {
        this.jdk = jdk;
        this.stats = stats;
        this.recorder = recorder;
    }

    /** Work that waits for the application's first spawn (see {@link Agent}): the MBean. */
    private final Deferred atFirstSpawn = new Deferred("vfork-agent-jmx");
    /** A retry of the library's load after a failure that may pass (see {@link LoadRetry}). */
    private final Deferred retry = new Deferred("vfork-agent-retry");

    void atFirstSpawn(Runnable work) {
        atFirstSpawn.set(work, 0);
    }

    void atFirstSpawnAgain(Runnable work, long delayNanos) {
        atFirstSpawn.set(work, delayNanos);
    }

    void retryLoad(Runnable work, long delayNanos) {
        retry.set(work, delayNanos);
    }

    void starting(Thread t) {
        starting = t;
    }

    void launcherState(LauncherState state) {
        this.state = state;
    }

    void ready() {
        ready = true;
        starting = null;
        readyLatch.countDown();
    }

    boolean isReady() {
        return ready;
    }

    /** A spawn that comes while the agent still loads its library waits for it (tens of ms, once). */
    private void awaitReady() throws IOException {
        if (starting == Thread.currentThread()) {
            throw new IOException("vfork-agent: no spawn while the agent starts");
        }
        try {
            if (!readyLatch.await(30, TimeUnit.SECONDS)) {
                AgentLog.stderr("WARN", "vfork-agent: still starting after 30 s; this spawn uses the JDK launcher");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    LauncherState launcherState() {
        return state;
    }

    /** Installed in the bridge in place of {@code ProcessImpl.forkAndExec}; same contract. */
    public int forkAndExec(Object process, int mode, byte[] helperpath, byte[] prog, byte[] argBlock, int argc,
                           byte[] envBlock, int envc, byte[] dir, int[] fds, boolean redirectErrorStream)
            throws IOException {
        if (!ready) {
            awaitReady();
        }
        if (retry.isRunner(Thread.currentThread())) {
            throw new IOException("vfork-agent: no spawn while the agent loads its library"); // JNA's ldconfig
        }
        // fds[] is overwritten with the parent's pipe ends: keep what the application asked for.
        int fd0 = fds[0];
        int fd1 = fds[1];
        int fd2 = fds[2];
        Object event = null;
        try {
            recorder.flushStart();
            atFirstSpawn.runIfDue();
            retry.runIfDue();
            event = recorder.beginSpawn();
        } catch (Throwable t) {
            recordingFailed(t);
        }
        long start = System.nanoTime();
        if (!state.vfork) {
            String launcher = JdkLauncher.mechanism(mode);
            int pid;
            try {
                pid = jdk.forkAndExec(process, mode, helperpath, prog, argBlock, argc, envBlock, envc, dir, fds,
                        redirectErrorStream);
            } catch (IOException e) {
                // Counting and recording are in the try: nothing of theirs may replace the JDK's IOException.
                try {
                    Matcher m = JdkErrno.PATTERN.matcher(String.valueOf(e.getMessage()));
                    int errno = m.find() ? Integer.parseInt(m.group(1)) : -1;
                    String name = errno < 0 ? "" : errnoName(errno);
                    stats.failed(name);
                    recorder.failed(start, System.nanoTime(), launcher, prog, argBlock, argc, envBlock, envc, dir,
                            fd0, fd1, fd2, redirectErrorStream, errno, name, "", e.getMessage());
                } catch (Throwable t) {
                    recordingFailed(t);
                }
                throw e;
            }
            try {
                stats.jdkSpawns.increment(); // in the try: the child exists and must reach the application
                recorder.spawned(event, start, System.nanoTime(), pid, launcher, prog, argBlock, argc, envBlock,
                        envc, dir, fd0, fd1, fd2, redirectErrorStream, null, null);
            } catch (Throwable t) {
                recordingFailed(t);
            }
            return pid;
        }
        long[] out = new long[NativeLauncher.OUT_LEN];
        byte[] execPath = event != null && wantsExecutable(event) ? new byte[4096] : null;
        int pid = NativeLauncher.spawn(prog, argBlock, argc, envBlock, envc, dir, fds, redirectErrorStream, execPath,
                out);
        long end = System.nanoTime();
        if (pid < 0) {
            int errno = (int) out[NativeLauncher.OUT_ERRNO];
            int step = (int) out[NativeLauncher.OUT_STEP];
            IOException e = ErrorMessages.exception(errno, step);
            try {
                String name = ErrnoNames.name(errno);
                stats.failed(name);
                recorder.failed(start, end, "vfork", prog, argBlock, argc, envBlock, envc, dir, fd0, fd1, fd2,
                        redirectErrorStream, errno, name, NativeLauncher.stepName(step), e.getMessage());
            } catch (Throwable t) {
                recordingFailed(t);
            }
            throw e;
        }
        try {
            stats.vforkSpawns.increment(); // in the try: the child exists and must reach the application
            recorder.spawned(event, start, end, pid, "vfork", prog, argBlock, argc, envBlock, envc, dir, fd0, fd1,
                    fd2, redirectErrorStream, out, execPath);
        } catch (Throwable t) {
            recordingFailed(t);
        }
        return pid;
    }

    private boolean wantsExecutable(Object event) {
        try {
            return recorder.wantsExecutable(event);
        } catch (Throwable t) {
            recordingFailed(t);
            return false;
        }
    }

    /**
     * Recording is never worth an application's spawn or a JDK reaper thread: a record that
     * fails is dropped, said on stderr (rate-limited per kind of failure; never through the
     * application's logging, which may be what failed, and runs on the reaper thread here too),
     * and the spawn goes on. Nothing is rethrown, not even a StackOverflowError or an
     * InternalError: a child already started must reach the application, or its pid and pipes
     * would be lost; and a failed spawn must throw the JDK's IOException.
     */
    private static void recordingFailed(Throwable t) {
        try {
            AgentLog.warnStderr("record " + t.getClass().getName(), "vfork-agent: a record was dropped: " + t);
        } catch (Throwable ignored) {
            // nothing left to say it with
        }
    }

    /**
     * Where the JDK's reaper waits for a child it started. With the native library, wait4 keeps
     * the child's resource usage; the value returned is the one the JDK computes.
     */
    public int waitForProcessExit(long pid, boolean reap) {
        if (reap && state.loaded) {
            long[] usage = new long[NativeLauncher.WAIT_LEN];
            int value = NativeLauncher.waitExit(pid, usage);
            if (value != -1) {
                try {
                    recorder.exited(pid, value, (int) usage[NativeLauncher.WAIT_STATUS], usage);
                } catch (Throwable t) {
                    recordingFailed(t);
                }
                return value;
            }
            // Not our child after all, or an error: the JDK's own answer differs by version.
        }
        int value = jdk.waitForProcessExit(pid, reap);
        if (reap) {
            try {
                recorder.exited(pid, value, -1, null);
            } catch (Throwable t) {
                recordingFailed(t);
            }
        }
        return value;
    }

    private static String errnoName(int errno) {
        return ErrnoNames.name(errno);
    }
}
