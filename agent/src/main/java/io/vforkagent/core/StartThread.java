package io.vforkagent.core;

import io.vforkagent.core.launch.JnaPreload;
import io.vforkagent.core.launch.NativeInstaller;
import io.vforkagent.core.launch.NativeLauncher;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * The agent's start-up thread, so that the JVM's start does not wait for the library: a spawn
 * made before it is done waits for it instead (SpawnService.awaitReady). It extracts the
 * library and starts JNA at once, alongside the rewriting of {@code ProcessImpl} (neither
 * spawns); once premain hands it the agent, it loads the library. JNA runs "ldconfig -p"
 * there (it ignores a failure; the library is loaded by absolute path): that spawn of the
 * agent's own is refused rather than paid for with the JDK's launcher.
 */
final class StartThread extends Thread {
    private final Options options;
    private final boolean attached;
    private final CountDownLatch handed = new CountDownLatch(1);
    private SpawnService service;
    private AgentBean bean;
    /** Null when premain gave up: the extracted library is removed, nothing else done. */
    private volatile Control control;

    StartThread(Options options, boolean attached) {
        super("vfork-agent-init");
        setDaemon(true);
        this.options = options;
        this.attached = attached;
    }

    /** Premain's hand-over: the agent is installed, the start can finish. */
    void proceed(SpawnService s, Control c, AgentBean b) {
        service = s;
        bean = b;
        control = c; // last: the volatile write publishes the other two
        handed.countDown();
        JnaPreload.begin();
    }

    /** Premain gave up (or already handed over: then a no-op). */
    void abandon() {
        handed.countDown();
    }

    @Override
    public void run() {
        NativeInstaller.Prepared prepared = null;
        Throwable failure = null;
        try {
            prepared = NativeInstaller.prepare(baseDirectory(options));
        } catch (Throwable t) {
            failure = t;
        }
        boolean interrupted = false;
        while (true) {
            try {
                handed.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true; // premain's hand-off is what this thread is for
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (control == null) {
            if (prepared != null) {
                NativeInstaller.discard(prepared);
            }
            return;
        }
        finish(prepared, failure);
    }

    static Path baseDirectory(Options options) {
        String tmp = options.get("tmpdir");
        return Path.of(tmp.isEmpty() ? System.getProperty("java.io.tmpdir") : tmp);
    }

    /**
     * Loads the native library (in both modes: with launcher=jdk it still reaps with wait4) that
     * {@link #run} prepared, or says why it could not. Whatever happens here, readiness is
     * published: spawns waiting for it must never wait in vain.
     */
    void finish(NativeInstaller.Prepared prepared, Throwable prepareFailure) {
        try {
            if (load(prepared, prepareFailure)) {
                control.loaded();
            }
            if (bean.wanted() && !attached) {
                bean.registerAtFirstSpawn();
            }
            // Before ready(): the first spawn, which waits for ready, then logs the start line first.
            LauncherState state = control.state();
            AgentLog.started("vfork-agent started version=" + Agent.VERSION + " launcher=" + state.launcher()
                    + " jdk=" + Runtime.version() + " attached=" + attached
                    + " library=" + NativeLauncher.PLATFORM + "-glibc"
                    + (state.reason.isEmpty() ? "" : " reason=\"" + state.reason + "\""));
        } catch (Throwable t) {
            String reason = "agent start failed: " + t;
            control.startFailed(reason);
            AgentLog.stderr("WARN", "vfork-agent " + Agent.VERSION + ": " + reason + "; spawns use the JDK launcher");
        } finally {
            service.ready();
            control.publishStatus();
        }
        if (attached && bean.wanted()) {
            bean.registerNow();
        }
    }

    /** Loads the library; on failure says why once and, where the cause may pass, arranges a retry. */
    private boolean load(NativeInstaller.Prepared prepared, Throwable prepareFailure) {
        try {
            if (prepareFailure != null) {
                throw prepareFailure;
            }
            NativeInstaller.load(prepared);
            AgentLog.trace("native library loaded");
            return true;
        } catch (Throwable t) {
            String reason = "native launcher did not load: " + t.getMessage();
            control.loadFailed(reason);
            boolean again = LoadRetry.isTransient(t);
            if (again) {
                new LoadRetry(control, service, options).arm(); // first: saying so may fail under the same shortage
            }
            try {
                // Unless the JVM's exit removed the extracted files under it: then it is no news.
                if (!jvmExiting()) {
                    AgentLog.stderr("WARN", "vfork-agent " + Agent.VERSION + ": " + reason + "; spawns use the JDK"
                            + " launcher" + (again ? " until a retry at a later spawn succeeds" : ""));
                }
            } catch (Throwable ignored) {
                // nothing to say it with
            }
            return false;
        }
    }

    /** Whether the JVM's shutdown has begun: the one way the JDK tells is refusing a new hook. */
    private static boolean jvmExiting() {
        Thread probe = new Thread();
        try {
            Runtime.getRuntime().addShutdownHook(probe);
            Runtime.getRuntime().removeShutdownHook(probe);
            return false;
        } catch (IllegalStateException shuttingDown) {
            return true;
        }
    }
}
