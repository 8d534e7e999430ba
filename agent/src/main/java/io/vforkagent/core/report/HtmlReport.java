package io.vforkagent.core.report;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The report as one self-contained HTML file: inline CSS and SVG charts, no script and no
 * network access needed to view it.
 */
public final class HtmlReport {
    private static final int W = 720;
    private static final int H = 220;

    private HtmlReport() {
    }

    public static String render(SpawnReport r) {
        StringBuilder sb = new StringBuilder();
        sb.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>vfork-agent spawn report</title>\n")
                .append("<style>body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222;max-width:1000px}")
                .append("table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{padding:3px 10px;border-bottom:1px solid #ddd;text-align:right}")
                .append("td.l,th.l{text-align:left}h2{margin-top:1.5em}.kpi{display:inline-block;margin-right:2em;font-size:20px}")
                .append(".kpi b{display:block;font-size:12px;color:#666;font-weight:normal}svg{background:#fafafa;border:1px solid #eee}")
                .append("svg text{font-size:11px;fill:#444}</style></head><body>\n");
        sb.append("<h1>vfork-agent spawn report</h1><p>Source: ").append(esc(r.source)).append("</p>\n");
        SpawnReport.Latency all = r.overall();
        kpi(sb, "spawns", String.valueOf(r.spawns.size()));
        kpi(sb, "failures", String.valueOf(r.failures.size()));
        kpi(sb, "exits", String.valueOf(r.exits.size()));
        if (r.timed) {
            kpi(sb, "p50", Formats.nanos(all.p50));
            kpi(sb, "p90", Formats.nanos(all.p90));
            kpi(sb, "p99", Formats.nanos(all.p99));
            kpi(sb, "max", Formats.nanos(all.max));
            sb.append("<h2>Spawn latency histogram</h2>\n");
            histogram(sb, r.histogram());
        }
        sb.append("<h2>Spawns and failures over time</h2>\n");
        timeline(sb, r.perSecond());
        if (r.timed) {
            sb.append("<h2>Top programs by total spawn time</h2>\n");
            topPrograms(sb, r.perProgram());
            sb.append("<h2>Latency by program</h2>\n<table><tr><th class=l>program</th><th>spawns</th><th>p50</th><th>p90</th>")
                    .append("<th>p99</th><th>max</th><th>total</th></tr>\n");
            for (SpawnReport.Latency l : r.perProgram()) {
                sb.append("<tr><td class=l>").append(esc(l.name)).append("</td><td>").append(l.count).append("</td><td>")
                        .append(Formats.nanos(l.p50)).append("</td><td>").append(Formats.nanos(l.p90)).append("</td><td>")
                        .append(Formats.nanos(l.p99)).append("</td><td>").append(Formats.nanos(l.max)).append("</td><td>")
                        .append(Formats.nanos(l.total)).append("</td></tr>\n");
            }
            sb.append("</table>\n");
        }
        if (!r.failures.isEmpty()) {
            sb.append("<h2>Failures by errno and program</h2>\n<table><tr><th>count</th><th class=l>errno</th>")
                    .append("<th class=l>program</th><th class=l>step</th><th class=l>message</th></tr>\n");
            for (Map.Entry<String, List<SpawnReport.Failure>> g : r.failureGroups().entrySet()) {
                SpawnReport.Failure f = g.getValue().get(0);
                sb.append("<tr><td>").append(g.getValue().size()).append("</td><td class=l>").append(esc(f.errnoName))
                        .append("</td><td class=l>").append(esc(f.program)).append("</td><td class=l>").append(esc(f.step))
                        .append("</td><td class=l>").append(esc(f.message)).append("</td></tr>\n");
            }
            sb.append("</table>\n");
        }
        if (r.timed && !r.spawns.isEmpty()) {
            sb.append("<h2>Slowest spawns</h2>\n<table><tr><th>latency</th><th class=l>program</th><th>pid</th>")
                    .append("<th class=l>caller</th></tr>\n");
            for (SpawnReport.Spawn s : r.slowest(10)) {
                sb.append("<tr><td>").append(Formats.nanos(s.latencyNanos)).append("</td><td class=l>").append(esc(s.program))
                        .append("</td><td>").append(s.pid).append("</td><td class=l>").append(esc(s.caller)).append("</td></tr>\n");
            }
            sb.append("</table>\n");
        }
        if (!r.exits.isEmpty()) {
            sb.append("<h2>Longest-running children</h2>\n<table><tr><th>lifetime</th><th class=l>program</th><th>pid</th>")
                    .append("<th class=l>exit</th><th>CPU</th><th>peak RSS</th></tr>\n");
            for (SpawnReport.Exit e : r.longestRunning(10)) {
                sb.append("<tr><td>").append(Formats.nanos(e.lifetimeNanos)).append("</td><td class=l>").append(esc(e.program))
                        .append("</td><td>").append(e.pid).append("</td><td class=l>").append(esc(Formats.exit(e)))
                        .append("</td><td>").append(e.cpuNanos < 0 ? "-" : Formats.nanos(e.cpuNanos)).append("</td><td>")
                        .append(Formats.bytes(e.maxRssBytes)).append("</td></tr>\n");
            }
            sb.append("</table>\n");
            List<SpawnReport.Exit> cpu = r.mostCpu(10);
            if (!cpu.isEmpty()) {
                sb.append("<h2>Most CPU (user+system)</h2>\n<table><tr><th>CPU</th><th class=l>program</th><th>pid</th>")
                        .append("<th>peak RSS</th></tr>\n");
                for (SpawnReport.Exit e : cpu) {
                    sb.append("<tr><td>").append(Formats.nanos(e.cpuNanos)).append("</td><td class=l>").append(esc(e.program))
                            .append("</td><td>").append(e.pid).append("</td><td>").append(Formats.bytes(e.maxRssBytes))
                            .append("</td></tr>\n");
                }
                sb.append("</table>\n<h2>Most memory (peak RSS)</h2>\n");
                List<SpawnReport.Exit> memory = r.mostMemory(10);
                if (memory.isEmpty()) {
                    sb.append("<p>None above the JVM's own peak (smaller figures are hidden by Linux, see the README).</p>\n");
                } else {
                    sb.append("<table><tr><th>peak RSS</th><th class=l>program</th><th>pid</th></tr>\n");
                    for (SpawnReport.Exit e : memory) {
                        sb.append("<tr><td>").append(Formats.bytes(e.maxRssBytes)).append("</td><td class=l>")
                                .append(esc(e.program)).append("</td><td>").append(e.pid).append("</td></tr>\n");
                    }
                    sb.append("</table>\n");
                }
            }
        }
        return sb.append("</body></html>\n").toString();
    }

    private static void kpi(StringBuilder sb, String name, String value) {
        sb.append("<div class=kpi><b>").append(name).append("</b>").append(esc(value)).append("</div>");
    }

    /** Bars per power-of-two microsecond bucket: the x axis is a log scale of latency. */
    private static void histogram(StringBuilder sb, long[] buckets) {
        int lo = 0;
        int hi = buckets.length - 1;
        while (lo < hi && buckets[lo] == 0) {
            lo++;
        }
        while (hi > lo && buckets[hi] == 0) {
            hi--;
        }
        long max = 1;
        for (long b : buckets) {
            max = Math.max(max, b);
        }
        int n = hi - lo + 1;
        double bw = (W - 60.0) / n;
        sb.append(svgOpen("histogram"));
        for (int i = lo; i <= hi; i++) {
            double h = (H - 50.0) * buckets[i] / max;
            double x = 50 + (i - lo) * bw;
            sb.append(String.format(Locale.ROOT, "<rect class=bar x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#4a7fb5\"><title>&le; %s: %d</title></rect>",
                    x + 1, H - 30 - h, bw - 2, h, Formats.nanos((1L << i) * 1000), buckets[i]));
            sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>", x + bw / 2, H - 15,
                    shortMicros(1L << i)));
            if (buckets[i] > 0) {
                sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%d</text>", x + bw / 2,
                        H - 34 - h, buckets[i]));
            }
        }
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">latency (upper bound of bucket, log scale)</text>",
                W / 2, H - 2));
        sb.append("</svg>\n");
    }

    private static void timeline(StringBuilder sb, List<long[]> rows) {
        long max = 1;
        for (long[] r : rows) {
            max = Math.max(max, r[1] + r[2]);
        }
        double bw = (W - 60.0) / Math.max(1, rows.size());
        sb.append(svgOpen("timeline"));
        for (long[] r : rows) {
            double x = 50 + r[0] * bw;
            double hs = (H - 50.0) * r[1] / max;
            double hf = (H - 50.0) * r[2] / max;
            sb.append(String.format(Locale.ROOT, "<rect class=spawns x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#4a7fb5\"><title>%ds: %d spawns</title></rect>",
                    x + 1, H - 30 - hs, Math.max(1, bw - 2), hs, r[0], r[1]));
            sb.append(String.format(Locale.ROOT, "<rect class=failures x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#c0392b\"><title>%ds: %d failures</title></rect>",
                    x + 1, H - 30 - hs - hf, Math.max(1, bw - 2), hf, r[0], r[2]));
        }
        sb.append(String.format(Locale.ROOT, "<text x=\"5\" y=\"20\">%d/s</text>", max));
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">seconds since the first spawn (blue: spawns, red: failures)</text>",
                W / 2, H - 2));
        sb.append("</svg>\n");
    }

    private static void topPrograms(StringBuilder sb, List<SpawnReport.Latency> programs) {
        List<SpawnReport.Latency> top = programs.subList(0, Math.min(10, programs.size()));
        long max = top.isEmpty() ? 1 : Math.max(1, top.get(0).total);
        int rowH = 22;
        sb.append(String.format(Locale.ROOT, "<svg id=\"programs\" width=\"%d\" height=\"%d\" xmlns=\"http://www.w3.org/2000/svg\">",
                W, top.size() * rowH + 10));
        int y = 5;
        for (SpawnReport.Latency l : top) {
            double w = (W - 330.0) * l.total / max;
            sb.append(String.format(Locale.ROOT, "<text x=\"5\" y=\"%d\">%s</text>", y + 15, esc(TextReport.cut(l.name, 34))));
            sb.append(String.format(Locale.ROOT, "<rect class=program x=\"230\" y=\"%d\" width=\"%.1f\" height=\"16\" fill=\"#4a7fb5\"><title>%s</title></rect>",
                    y + 2, Math.max(1, w), esc(l.name)));
            sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\">%s (%d)</text>", 236 + w, y + 15,
                    Formats.nanos(l.total), l.count));
            y += rowH;
        }
        sb.append("</svg>\n");
    }

    private static String svgOpen(String id) {
        return String.format(Locale.ROOT, "<svg id=\"%s\" width=\"%d\" height=\"%d\" xmlns=\"http://www.w3.org/2000/svg\">", id, W, H);
    }

    private static String shortMicros(long us) {
        if (us < 1000) {
            return us + "us";
        }
        if (us < 1_000_000) {
            return us / 1000 + "ms";
        }
        return us / 1_000_000 + "s";
    }

    /** HTML-escaped; control characters shown escaped, as a raw one reaches a terminal that shows the file. */
    static String esc(String s) {
        return io.vforkagent.core.AgentLog.escape(s).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                .replace("\"", "&quot;");
    }
}
