package io.vforkagent.core.report;

import java.util.List;
import java.util.Map;

/** The report as text for a terminal. */
public final class TextReport {
    private static final int TOP = 10;

    private TextReport() {
    }

    public static String render(SpawnReport r) {
        StringBuilder sb = new StringBuilder();
        sb.append("vfork-agent spawn report (source: ").append(esc(r.source)).append(")\n\n");
        sb.append(String.format("spawns %d   failures %d   exits %d%n", r.spawns.size(), r.failures.size(),
                r.exits.size()));
        if (r.timed) {
            SpawnReport.Latency all = r.overall();
            sb.append(String.format("latency p50 %s   p90 %s   p99 %s   max %s%n", Formats.nanos(all.p50),
                    Formats.nanos(all.p90), Formats.nanos(all.p99), Formats.nanos(all.max)));
            sb.append("\nLatency by program (most total spawn time first)\n");
            sb.append(String.format("  %-28s %7s %10s %10s %10s %10s %10s%n", "program", "spawns", "p50", "p90", "p99",
                    "max", "total"));
            for (SpawnReport.Latency l : r.perProgram()) {
                sb.append(String.format("  %-28s %7d %10s %10s %10s %10s %10s%n", cut(l.name, 28), l.count,
                        Formats.nanos(l.p50), Formats.nanos(l.p90), Formats.nanos(l.p99), Formats.nanos(l.max),
                        Formats.nanos(l.total)));
            }
        }
        if (!r.failures.isEmpty()) {
            sb.append("\nFailures by errno and program\n");
            for (Map.Entry<String, List<SpawnReport.Failure>> g : r.failureGroups().entrySet()) {
                SpawnReport.Failure f = g.getValue().get(0);
                sb.append(String.format("  %4dx %-8s %-28s step=%-6s %s%n", g.getValue().size(), esc(f.errnoName),
                        cut(f.program, 28), esc(f.step), esc(f.message)));
            }
        }
        if (r.timed && !r.spawns.isEmpty()) {
            sb.append("\nSlowest spawns\n");
            for (SpawnReport.Spawn s : r.slowest(TOP)) {
                sb.append(String.format("  %10s  %-24s pid %-8d %s%n", Formats.nanos(s.latencyNanos), cut(s.program, 24),
                        s.pid, esc(s.caller)));
            }
        }
        if (!r.exits.isEmpty()) {
            sb.append("\nLongest-running children\n");
            for (SpawnReport.Exit e : r.longestRunning(TOP)) {
                sb.append(String.format("  %10s  %-24s pid %-8d %s%n", Formats.nanos(e.lifetimeNanos),
                        cut(e.program, 24), e.pid, esc(Formats.exit(e))));
            }
            List<SpawnReport.Exit> cpu = r.mostCpu(TOP);
            if (!cpu.isEmpty()) {
                sb.append("\nMost CPU (user+system)\n");
                for (SpawnReport.Exit e : cpu) {
                    sb.append(String.format("  %10s  %-24s pid %-8d max RSS %s%n", Formats.nanos(e.cpuNanos),
                            cut(e.program, 24), e.pid, Formats.bytes(e.maxRssBytes)));
                }
                sb.append("\nMost memory (peak RSS)\n");
                if (r.mostMemory(TOP).isEmpty()) {
                    sb.append("  none above the JVM's own peak (smaller figures are hidden by Linux, see README)\n");
                }
                for (SpawnReport.Exit e : r.mostMemory(TOP)) {
                    sb.append(String.format("  %10s  %-24s pid %-8d%n", Formats.bytes(e.maxRssBytes), cut(e.program, 24),
                            e.pid));
                }
            }
        }
        List<long[]> rate = r.perSecond();
        if (!rate.isEmpty()) {
            long max = rate.stream().mapToLong(x -> x[1] + x[2]).max().orElse(1);
            sb.append("\nSpawn rate (per second; # spawns, x failures)\n");
            for (long[] row : rate) {
                int spawns = (int) Math.round(40.0 * row[1] / Math.max(1, max));
                int fails = (int) Math.round(40.0 * row[2] / Math.max(1, max));
                sb.append(String.format("  %4ds %5d %3d |%s%s%n", row[0], row[1], row[2], "#".repeat(spawns),
                        "x".repeat(fails)));
            }
        }
        return sb.toString();
    }

    static String cut(String s, int n) {
        s = esc(s);
        return s.length() <= n ? s : "..." + s.substring(s.length() - n + 3);
    }

    /** A recorded string holds the raw value (a program name may have a CR or ESC): escaped for a terminal. */
    private static String esc(String s) {
        return io.vforkagent.core.AgentLog.escape(s);
    }
}
