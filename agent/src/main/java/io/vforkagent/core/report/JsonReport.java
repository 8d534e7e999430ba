package io.vforkagent.core.report;

import java.util.List;
import java.util.Map;

/** The report as JSON, for machines. Hand-written: the structure is small and fixed. */
public final class JsonReport {
    private JsonReport() {
    }

    public static String render(SpawnReport r) {
        StringBuilder sb = new StringBuilder("{");
        field(sb, "source", r.source).append(',');
        sb.append("\"spawns\":").append(r.spawns.size()).append(',');
        sb.append("\"failures\":").append(r.failures.size()).append(',');
        sb.append("\"exits\":").append(r.exits.size()).append(',');
        sb.append("\"latencyNanos\":");
        latency(sb, r.overall()).append(',');
        sb.append("\"programs\":[");
        List<SpawnReport.Latency> programs = r.perProgram();
        for (int i = 0; i < programs.size(); i++) {
            latency(sb.append(i == 0 ? "" : ","), programs.get(i));
        }
        sb.append("],\"failureGroups\":[");
        int i = 0;
        for (Map.Entry<String, List<SpawnReport.Failure>> g : r.failureGroups().entrySet()) {
            SpawnReport.Failure f = g.getValue().get(0);
            sb.append(i++ == 0 ? "{" : ",{");
            field(sb, "errno", f.errnoName).append(',');
            field(sb, "program", f.program).append(',');
            field(sb, "step", f.step).append(',');
            field(sb, "message", f.message).append(',');
            sb.append("\"count\":").append(g.getValue().size()).append('}');
        }
        sb.append("],\"slowest\":[");
        i = 0;
        for (SpawnReport.Spawn s : r.slowest(10)) {
            sb.append(i++ == 0 ? "{" : ",{");
            field(sb, "program", s.program).append(',');
            sb.append("\"pid\":").append(s.pid).append(",\"latencyNanos\":").append(s.latencyNanos).append(',');
            field(sb, "caller", s.caller).append('}');
        }
        exits(sb.append("],\"longestRunning\":["), r.longestRunning(10));
        exits(sb.append("],\"mostCpu\":["), r.mostCpu(10));
        exits(sb.append("],\"mostMemory\":["), r.mostMemory(10));
        sb.append("],\"perSecond\":[");
        i = 0;
        for (long[] row : r.perSecond()) {
            sb.append(i++ == 0 ? "" : ",").append('[').append(row[0]).append(',').append(row[1]).append(',')
                    .append(row[2]).append(']');
        }
        return sb.append("]}").toString();
    }

    private static void exits(StringBuilder sb, java.util.List<SpawnReport.Exit> exits) {
        int i = 0;
        for (SpawnReport.Exit e : exits) {
            sb.append(i++ == 0 ? "{" : ",{");
            field(sb, "program", e.program).append(',');
            sb.append("\"pid\":").append(e.pid).append(",\"lifetimeNanos\":").append(e.lifetimeNanos)
                    .append(",\"exitCode\":").append(e.exitCode).append(",\"cpuNanos\":").append(e.cpuNanos)
                    .append(",\"maxRssBytes\":").append(e.maxRssBytes).append(',');
            field(sb, "signal", e.signal).append('}');
        }
    }

    private static StringBuilder latency(StringBuilder sb, SpawnReport.Latency l) {
        sb.append('{');
        field(sb, "name", l.name).append(',');
        return sb.append("\"count\":").append(l.count).append(",\"p50\":").append(l.p50).append(",\"p90\":")
                .append(l.p90).append(",\"p99\":").append(l.p99).append(",\"max\":").append(l.max)
                .append(",\"total\":").append(l.total).append('}');
    }

    private static StringBuilder field(StringBuilder sb, String name, String value) {
        return string(string(sb, name).append(':'), value);
    }

    static StringBuilder string(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"': sb.append("\\\""); break;
                case '\\': sb.append("\\\\"); break;
                case '\n': sb.append("\\n"); break;
                case '\r': sb.append("\\r"); break;
                case '\t': sb.append("\\t"); break;
                default:
                    if (io.vforkagent.core.AgentLog.unsafe(c)) { // C0, DEL, C1, bidi: never raw
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
            }
        }
        return sb.append('"');
    }
}
