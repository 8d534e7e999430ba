package io.vforkagent.core.record;

import io.vforkagent.core.AgentLog;
import io.vforkagent.core.launch.ChildExit;
import io.vforkagent.core.launch.SpawnOutcome;
import io.vforkagent.core.launch.SpawnRequest;

/** The text of the agent's spawn, failure and exit lines (docs/events.md shows them). */
final class LogLines {
    private LogLines() {
    }

    static String spawn(SpawnRequest r, SpawnOutcome o, String args, long slowNanos) {
        boolean slow = o.nanos() >= slowNanos;
        String directory = r.directory();
        return (slow ? "slow spawn" : "spawn") + " pid=" + o.pid() + " program=" + quote(r.program())
                + " launcher=" + o.launcher() + " micros=" + o.nanos() / 1000 + " args=" + quote(args)
                + (directory.isEmpty() ? "" : " dir=" + quote(directory))
                + (slow ? " threshold_ms=" + slowNanos / 1_000_000 : "");
    }

    /** The JDK's launcher tells no step: none is shown. */
    static String failure(SpawnRequest r, SpawnOutcome o, String args, String message, String diagnosis) {
        String directory = r.directory();
        return "spawn failed program=" + quote(r.program()) + " errno=" + o.errnoName()
                + (o.step().isEmpty() ? "" : " step=" + o.step())
                + " launcher=" + o.launcher() + " micros=" + o.nanos() / 1000 + " args=" + quote(args)
                + (directory.isEmpty() ? "" : " dir=" + quote(directory)) + " message=" + quote(message)
                + (diagnosis == null ? "" : " diagnosis=" + quote(diagnosis));
    }

    static String exit(long pid, String program, ChildExit e, long lifetimeNanos) {
        return "exit pid=" + pid + " program=" + quote(program) + " code=" + e.code()
                + (e.signal() == 0 ? "" : " signal=" + Signals.name(e.signal())) + " lifetime_ms=" + lifetimeNanos / 1_000_000
                + (!e.hasUsage() ? "" : " user_ms=" + e.userCpuNanos() / 1_000_000
                + " sys_ms=" + e.systemCpuNanos() / 1_000_000
                + " maxrss_kib=" + (e.ownPeakRssBytes() < 0 ? "unknown" : String.valueOf(e.ownPeakRssBytes() / 1024))
                + " minflt=" + e.minorFaults() + " majflt=" + e.majorFaults()
                + " nvcsw=" + e.voluntaryContextSwitches() + " nivcsw=" + e.involuntaryContextSwitches());
    }

    /** A field of a log line: quoted, with backslash, quote and control characters escaped. */
    static String quote(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        AgentLog.appendEscaped(sb, s, true);
        return sb.append('"').toString();
    }
}
