package io.vforkagent.core.record;

import io.vforkagent.core.AgentLog;
import io.vforkagent.core.Options;
import io.vforkagent.core.launch.ChildExit;
import io.vforkagent.core.launch.SpawnOutcome;
import io.vforkagent.core.launch.SpawnRequest;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Records spawns, failures and exits as JFR events and SLF4J lines: decides which a launch gets.
 * Work that only a record needs (decoding strings, redacting, walking the stack) is done only
 * when an event is enabled or a log line will be written.
 */
public class Recorder {
    private volatile long slowNanos;
    private final boolean jfr;
    private final ArgumentText arguments;
    private final Children children = new Children();
    private final SpawnFigures figures = new SpawnFigures();
    private final LogGuard guard = new LogGuard();
    private final ExitLog exitLog = new ExitLog(guard);

    public Recorder(Options options) {
        this.arguments = new ArgumentText(options.get("args"), options.get("redact"));
        this.slowNanos = options.integer("slowSpawnMs") * 1_000_000L;
        this.jfr = ModuleLayer.boot().findModule("jdk.jfr").isPresent();
    }

    /** Applies the recording options among {@code given}; returns their names. */
    public List<String> reconfigure(Options options, Set<String> given) {
        List<String> applied = new ArrayList<>();
        if (given.contains("slowSpawnMs")) {
            slowNanos = options.integer("slowSpawnMs") * 1_000_000L;
            applied.add("slowSpawnMs");
        }
        if (given.contains("args")) {
            arguments.mode(options.get("args"));
            applied.add("args");
        }
        if (given.contains("redact")) {
            arguments.patterns(options.get("redact"));
            applied.add("redact");
        }
        return applied;
    }

    public void trackExits(boolean on) {
        children.track(on);
    }

    /** Starts a spawn event when JFR records it; null otherwise. */
    public Object beginSpawn() {
        if (!recording()) {
            return null;
        }
        if (!figures.keepsPeriods()) {
            registerPeriodicOnceRecording();
        }
        return JfrHooks.begin();
    }

    /**
     * Whether JFR has been started in this JVM. Until then no event class is touched: the first
     * one would set up JFR's metadata (about 100 ms) in a JVM that records nothing.
     */
    private boolean recording() {
        return jfr && JfrHooks.initialized();
    }

    /**
     * The statistics event is registered once JFR has been started (at the first spawn after
     * that): registering it earlier would start JFR's machinery in every JVM, recording or not.
     */
    private synchronized void registerPeriodicOnceRecording() {
        if (!figures.keepsPeriods()) {
            JfrHooks.registerPeriodic(() -> figures.takePeriod(children.live()));
            figures.keepPeriods();
        }
    }

    public boolean wantsExecutable(Object event) {
        return event != null && JfrHooks.enabled(event);
    }

    /** One launch: {@code event} is what {@link #beginSpawn} returned. */
    public void record(Object event, SpawnRequest request, SpawnOutcome outcome) {
        if (outcome.started()) {
            spawned(event, request, outcome);
        } else {
            failed(request, outcome);
        }
    }

    private void spawned(Object event, SpawnRequest request, SpawnOutcome outcome) {
        long nanos = outcome.nanos();
        figures.spawned(nanos);
        if (children.tracking()) {
            // The level first: with DEBUG off (the usual case) no thread-local is looked up per spawn.
            children.started(outcome.pid(), request.programBytes(), outcome.startNanos(),
                    AgentLog.isDebugEnabled() && guard.inside());
        }
        boolean commit = event != null && JfrHooks.shouldCommit(event);
        long slow = slowNanos;
        boolean isSlow = nanos >= slow;
        boolean debug = !isSlow && guard.debugWanted();
        if (!commit && !isSlow && !debug) {
            return;
        }
        String args = arguments.of(request, guard);
        if (commit) {
            JfrHooks.commitSpawn(event, request, outcome, args);
        }
        String line = LogLines.spawn(request, outcome, args, slow);
        if (isSlow) {
            guard.warn("slow", line);
        } else if (debug) {
            guard.debug(line);
        }
    }

    private void failed(SpawnRequest request, SpawnOutcome outcome) {
        figures.failed();
        String args = arguments.of(request, guard);
        String diagnosis = SpawnHelperFailure.diagnose(outcome.launcher(), outcome.exception().getMessage());
        // What the application receives: ProcessBuilder.start wraps the launcher's message so.
        String message = SpawnRequest.cap("Cannot run program \"" + request.program() + "\""
                + (request.hasDirectory() ? " (in directory \"" + request.directory() + "\")" : "")
                + ": " + outcome.exception().getMessage());
        if (recording()) {
            JfrHooks.commitFailure(request, outcome, args, message, Callers.caller(),
                    diagnosis == null ? "" : diagnosis);
        }
        guard.warn("failed " + outcome.errnoName() + " " + request.program(),
                LogLines.failure(request, outcome, args, message, diagnosis));
    }

    /** A child was reaped. */
    public void exited(long pid, ChildExit exit) {
        Children.Child child = children.reaped(pid);
        if (child == null) {
            return;
        }
        figures.exited();
        boolean commit = recording() && JfrHooks.exitEnabled();
        // Else a backend that spawns per line would log its child's exit, spawn again, and so on.
        boolean debug = !child.quiet && guard.debugWanted();
        if (!commit && !debug) {
            return;
        }
        long lifetime = System.nanoTime() - child.startNanos;
        String program = SpawnRequest.cstring(child.program);
        if (commit) {
            JfrHooks.commitExit(pid, program, exit, lifetime, child.thread);
        }
        if (debug) {
            exitLog.offer(LogLines.exit(pid, program, exit, lifetime));
        }
    }

    public long exits() {
        return figures.exits();
    }

    public long liveChildren() {
        return children.live();
    }

    public LatencyHistogram.Snapshot latency() {
        return figures.latency();
    }

    /**
     * The agent's start line, at the first spawn made outside the logging backend: logged like
     * any of our lines, so that a backend that spawns per line does not have its child logged.
     */
    public void flushStart() {
        if (AgentLog.startPending() && !guard.inside()) {
            String line = AgentLog.takeStart(); // null when another thread took it first
            if (line != null) {
                guard.info(line);
            }
        }
    }
}
