package io.vforkagent.core.record;

import io.vforkagent.core.launch.NativeLauncher;
import jdk.jfr.FlightRecorder;

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

    static void commitSpawn(Object event, int pid, String program, String executable, String args, int argc,
                            String directory, String launcher, String stdin, String stdout, String stderr,
                            String environment, long bytes, long setup, long cloneToExec, long after) {
        SpawnEvent e = (SpawnEvent) event;
        e.pid = pid;
        e.program = program;
        e.executable = executable;
        e.arguments = args;
        e.argumentCount = argc;
        e.directory = directory;
        e.launcher = launcher;
        e.stdin = stdin;
        e.stdout = stdout;
        e.stderr = stderr;
        e.environment = environment;
        e.argvEnvpBytes = bytes;
        e.setupNanos = setup;
        e.cloneToExecNanos = cloneToExec;
        e.afterNanos = after;
        e.commit();
    }

    static void commitFailure(String program, String args, int argc, String directory, String launcher, String stdin,
                              String stdout, String stderr, String environment, long argvEnvpBytes, int errno,
                              String errnoName, String step, String message, String caller, String diagnosis) {
        SpawnFailureEvent e = new SpawnFailureEvent();
        if (!e.isEnabled()) {
            return;
        }
        e.program = program;
        e.arguments = args;
        e.argumentCount = argc;
        e.directory = directory;
        e.launcher = launcher;
        e.stdin = stdin;
        e.stdout = stdout;
        e.stderr = stderr;
        e.environment = environment;
        e.argvEnvpBytes = argvEnvpBytes;
        e.errno = errno;
        e.errnoName = errnoName;
        e.step = step;
        e.message = message;
        e.caller = caller;
        e.diagnosis = diagnosis;
        e.commit();
    }

    static void commitExit(long pid, String program, int code, String signal, long lifetime, String thread,
                           long[] usage) {
        ProcessExitEvent e = new ProcessExitEvent();
        if (usage != null) {
            e.userCpuNanos = usage[NativeLauncher.WAIT_UTIME];
            e.systemCpuNanos = usage[NativeLauncher.WAIT_STIME];
            e.maxRssBytes = Recorder.ownPeakRss(usage);
            e.minorFaults = usage[NativeLauncher.WAIT_MINFLT];
            e.majorFaults = usage[NativeLauncher.WAIT_MAJFLT];
            e.voluntaryContextSwitches = usage[NativeLauncher.WAIT_NVCSW];
            e.involuntaryContextSwitches = usage[NativeLauncher.WAIT_NIVCSW];
        } else {
            e.userCpuNanos = -1;
            e.systemCpuNanos = -1;
            e.maxRssBytes = -1;
            e.minorFaults = -1;
            e.majorFaults = -1;
            e.voluntaryContextSwitches = -1;
            e.involuntaryContextSwitches = -1;
        }
        e.pid = pid;
        e.program = program;
        e.exitCode = code;
        e.signal = signal;
        e.lifetimeNanos = lifetime;
        e.spawnThread = thread;
        e.commit();
    }

    static void registerPeriodic(Recorder recorder) {
        FlightRecorder.addPeriodicEvent(SpawnStatisticsEvent.class, () -> {
            long[] p = recorder.takePeriod();
            if (p == null) {
                return;
            }
            SpawnStatisticsEvent e = new SpawnStatisticsEvent();
            e.spawns = p[0];
            e.failures = p[1];
            e.p50Nanos = p[2];
            e.p99Nanos = p[3];
            e.maxNanos = p[4];
            e.liveChildren = p[5];
            e.commit();
        });
    }
}
