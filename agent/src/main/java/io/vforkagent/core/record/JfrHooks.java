package io.vforkagent.core.record;

import io.vforkagent.core.launch.ChildExit;
import io.vforkagent.core.launch.SpawnOutcome;
import io.vforkagent.core.launch.SpawnRequest;
import jdk.jfr.FlightRecorder;

import java.util.function.Supplier;

/**
 * Every use of {@code jdk.jfr} types, kept in one class so that a runtime without the jdk.jfr
 * module never loads it (the {@link Recorder} checks first).
 */
final class JfrHooks {
    private JfrHooks() {
    }

    static boolean initialized() {
        return FlightRecorder.isInitialized();
    }

    static Object begin() {
        SpawnEvent e = new SpawnEvent();
        e.begin();
        return e;
    }

    static boolean enabled(Object event) {
        return ((SpawnEvent) event).isEnabled();
    }

    static boolean shouldCommit(Object event) {
        SpawnEvent e = (SpawnEvent) event;
        e.end();
        return e.shouldCommit();
    }

    static boolean exitEnabled() {
        return ExitHolder.TYPE.isEnabled();
    }

    private static final class ExitHolder {
        static final jdk.jfr.EventType TYPE = jdk.jfr.EventType.getEventType(ProcessExitEvent.class);
    }

    static void commitSpawn(Object event, SpawnRequest r, SpawnOutcome o, String args) {
        SpawnEvent e = (SpawnEvent) event;
        e.pid = o.pid();
        e.program = r.program();
        e.executable = o.executable(r);
        e.arguments = args;
        e.argumentCount = r.argumentCount();
        e.directory = r.directory();
        e.launcher = o.launcher();
        e.stdin = r.redirect(0);
        e.stdout = r.redirect(1);
        e.stderr = r.redirect(2);
        e.environment = r.environment();
        e.argvEnvpBytes = r.blockBytes();
        e.setupNanos = o.setupNanos();
        e.cloneToExecNanos = o.cloneToExecNanos();
        e.afterNanos = o.afterNanos();
        e.commit();
    }

    static void commitFailure(SpawnRequest r, SpawnOutcome o, String args, String message, String caller,
                              String diagnosis) {
        SpawnFailureEvent e = new SpawnFailureEvent();
        if (!e.isEnabled()) {
            return;
        }
        e.program = r.program();
        e.arguments = args;
        e.argumentCount = r.argumentCount();
        e.directory = r.directory();
        e.launcher = o.launcher();
        e.stdin = r.redirect(0);
        e.stdout = r.redirect(1);
        e.stderr = r.redirect(2);
        e.environment = r.environment();
        e.argvEnvpBytes = r.blockBytes();
        e.errno = o.errno();
        e.errnoName = o.errnoName();
        e.step = o.step();
        e.message = message;
        e.caller = caller;
        e.diagnosis = diagnosis;
        e.commit();
    }

    /** The usage figures are -1 where the JDK reaped the child. */
    static void commitExit(long pid, String program, ChildExit x, long lifetime, String thread) {
        ProcessExitEvent e = new ProcessExitEvent();
        e.userCpuNanos = x.userCpuNanos();
        e.systemCpuNanos = x.systemCpuNanos();
        e.maxRssBytes = x.ownPeakRssBytes();
        e.minorFaults = x.minorFaults();
        e.majorFaults = x.majorFaults();
        e.voluntaryContextSwitches = x.voluntaryContextSwitches();
        e.involuntaryContextSwitches = x.involuntaryContextSwitches();
        e.pid = pid;
        e.program = program;
        e.exitCode = x.code();
        e.signal = x.signal() == 0 ? "" : Signals.name(x.signal());
        e.lifetimeNanos = lifetime;
        e.spawnThread = thread;
        e.commit();
    }

    static void registerPeriodic(Supplier<SpawnFigures.Period> periods) {
        FlightRecorder.addPeriodicEvent(SpawnStatisticsEvent.class, () -> {
            SpawnFigures.Period p = periods.get();
            if (p == null) {
                return;
            }
            SpawnStatisticsEvent e = new SpawnStatisticsEvent();
            e.spawns = p.spawns();
            e.failures = p.failures();
            e.p50Nanos = p.p50Nanos();
            e.p99Nanos = p.p99Nanos();
            e.maxNanos = p.maxNanos();
            e.liveChildren = p.liveChildren();
            e.commit();
        });
    }
}
