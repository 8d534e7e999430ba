package io.vforkagent.core;

import io.vforkagent.core.launch.ChildExit;
import io.vforkagent.core.launch.JdkLauncher;
import io.vforkagent.core.launch.Launcher;
import io.vforkagent.core.launch.SpawnOutcome;
import io.vforkagent.core.launch.SpawnRequest;
import io.vforkagent.core.launch.VforkLauncher;
import io.vforkagent.core.record.Recorder;

import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The spawn path behind the bridge: wrap the JDK's request, launch, record, return or throw. This
 * is the hot path: no lock, no reflection, and no allocation beyond the request, the outcome, the
 * launcher's small result array and what an enabled record needs.
 */
final class SpawnService {
    private final Launcher jdk;
    private final Launcher vfork;
    private final SpawnStats stats;
    private final Recorder recorder;
    /** Which launcher serves: one volatile read per spawn, a whole new state per transition (see {@link Control}). */
    private volatile LauncherState state = LauncherState.STARTING;
    /** The thread finishing the agent's start: its own spawns (JNA runs ldconfig) are refused. */
    private volatile Thread starting;
    /** False until the native library is loaded (or failed to): spawns wait for it, see {@link StartThread}. */
    private volatile boolean ready;
    private final CountDownLatch readyLatch = new CountDownLatch(1);

    SpawnService(JdkLauncher jdk, SpawnStats stats, Recorder recorder) {
        this(jdk, VforkLauncher.INSTANCE, stats, recorder);
    }

    SpawnService(Launcher jdk, Launcher vfork, SpawnStats stats, Recorder recorder) {
        this.jdk = jdk;
        this.vfork = vfork;
        this.stats = stats;
        this.recorder = recorder;
    }

    /** Work that waits for the application's first spawn (see {@link StartThread}): the MBean. */
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
        SpawnRequest request = new SpawnRequest(process, mode, helperpath, prog, argBlock, argc, envBlock, envc, dir,
                fds, redirectErrorStream);
        Object event = null;
        try {
            recorder.flushStart();
            atFirstSpawn.runIfDue();
            retry.runIfDue();
            event = recorder.beginSpawn();
        } catch (Throwable t) {
            recordingFailed(t);
        }
        Launcher launcher = state.vfork ? vfork : jdk;
        SpawnOutcome outcome = launcher.launch(request, event != null && wantsExecutable(event));
        try {
            // In the try: a child started must reach the application, and a failure throw the JDK's exception.
            stats.count(outcome);
            recorder.record(event, request, outcome);
        } catch (Throwable t) {
            recordingFailed(t);
        }
        if (!outcome.started()) {
            throw outcome.exception();
        }
        return outcome.pid();
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
        ChildExit exit = null;
        if (reap && state.loaded) {
            // Null when not our child after all, or an error: the JDK's own answer differs by version.
            exit = vfork.waitForExit(pid, true);
        }
        if (exit == null) {
            exit = jdk.waitForExit(pid, reap);
            if (!reap) {
                return exit.value(); // not a reap: nothing to record
            }
        }
        try {
            recorder.exited(pid, exit);
        } catch (Throwable t) {
            recordingFailed(t);
        }
        return exit.value();
    }
}
