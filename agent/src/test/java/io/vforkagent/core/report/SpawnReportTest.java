package io.vforkagent.core.report;

import io.vforkagent.core.record.ProcessExitEvent;
import io.vforkagent.core.record.SpawnEvent;
import io.vforkagent.core.record.SpawnFailureEvent;
import jdk.jfr.Recording;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A recording made of known events, and what each rendering of the report says of it. */
class SpawnReportTest {
    @TempDir
    static Path dir;
    static SpawnReport report;

    private static void spawn(String program, long pid, long sleepMillis) throws Exception {
        SpawnEvent e = new SpawnEvent();
        e.begin();
        if (sleepMillis > 0) {
            TimeUnit.MILLISECONDS.sleep(sleepMillis);
        }
        e.end();
        e.program = program;
        e.pid = pid;
        e.launcher = "vfork";
        e.commit();
    }

    private static void failure(String program, String errno) {
        SpawnFailureEvent f = new SpawnFailureEvent();
        f.program = program;
        f.errnoName = errno;
        f.step = "exec";
        f.message = "Cannot run program \"" + program + "\": error=2, No such file or directory";
        f.commit();
    }

    private static void exit(long pid, String program, int code, String signal, long lifetimeMillis, long cpuMillis,
                             long maxRssBytes) {
        ProcessExitEvent x = new ProcessExitEvent();
        x.userCpuNanos = TimeUnit.MILLISECONDS.toNanos(cpuMillis) * 2 / 3;
        x.systemCpuNanos = TimeUnit.MILLISECONDS.toNanos(cpuMillis) / 3;
        x.maxRssBytes = maxRssBytes;
        x.pid = pid;
        x.program = program;
        x.exitCode = code;
        x.signal = signal;
        x.lifetimeNanos = TimeUnit.MILLISECONDS.toNanos(lifetimeMillis);
        x.commit();
    }

    @BeforeAll
    static void record() throws Exception {
        Path file = dir.resolve("known.jfr");
        try (Recording r = new Recording()) {
            r.enable(SpawnEvent.class).withThreshold(java.time.Duration.ZERO);
            r.enable(SpawnFailureEvent.class);
            r.enable(ProcessExitEvent.class);
            r.start();
            for (int i = 0; i < 9; i++) {
                spawn("/bin/true", 100 + i, 0);
            }
            spawn("git", 200, 40);
            spawn("git", 201, 20);
            failure("missing-tool", "ENOENT");
            failure("missing-tool", "ENOENT");
            failure("/etc/passwd", "EACCES");
            exit(100, "/bin/true", 0, "", 5, 1500, 300L << 20);
            exit(200, "git", -1, "SIGKILL", 3000, 30, -1); // its memory hidden under the JVM's peak
            r.stop();
            r.dump(file);
        }
        report = SpawnReport.read(file);
    }

    @Test
    void counts() {
        assertEquals(11, report.spawns.size());
        assertEquals(3, report.failures.size());
        assertEquals(2, report.exits.size());
        assertEquals("vfork-agent events", report.source);
    }

    @Test
    void latencyOverallAndPerProgram() {
        SpawnReport.Latency all = report.overall();
        assertTrue(all.max >= 40_000_000, "max " + all.max);
        assertTrue(all.p50 < 20_000_000, "p50 " + all.p50);
        List<SpawnReport.Latency> programs = report.perProgram();
        assertEquals("git", programs.get(0).name, "most total spawn time first");
        assertEquals(2, programs.get(0).count);
        assertTrue(programs.get(0).total >= 60_000_000);
        assertEquals("/bin/true", programs.get(1).name);
        assertEquals(9, programs.get(1).count);
    }

    @Test
    void slowestWithCaller() {
        SpawnReport.Spawn s = report.slowest(1).get(0);
        assertEquals(200, s.pid);
        // The first frame of the stack trace outside the JDK and the agent: here, this test's helper.
        assertTrue(s.caller.startsWith(SpawnReportTest.class.getName() + ".spawn:"), s.caller);
    }

    @Test
    void failureGroups() {
        var groups = report.failureGroups();
        assertEquals(List.of("ENOENT missing-tool", "EACCES /etc/passwd"), List.copyOf(groups.keySet()));
        assertEquals(2, groups.get("ENOENT missing-tool").size());
    }

    @Test
    void longestRunning() {
        SpawnReport.Exit e = report.longestRunning(1).get(0);
        assertEquals(200, e.pid);
        assertEquals("SIGKILL", e.signal);
    }

    @Test
    void mostCpuAndMemory() {
        assertEquals(List.of(100L, 200L), report.mostCpu(10).stream().map(e -> e.pid).collect(Collectors.toList()));
        assertEquals(1_500_000_000L, report.mostCpu(1).get(0).cpuNanos);
        assertEquals(List.of(100L), report.mostMemory(10).stream().map(e -> e.pid).collect(Collectors.toList()));
        assertEquals(300L << 20, report.mostMemory(1).get(0).maxRssBytes);
    }

    @Test
    void percentileIsNearestRank() {
        List<Long> sorted = List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L);
        assertEquals(5, SpawnReport.Latency.percentile(sorted, 0.5));
        assertEquals(9, SpawnReport.Latency.percentile(sorted, 0.9));
        assertEquals(10, SpawnReport.Latency.percentile(sorted, 0.99));
        assertEquals(0, SpawnReport.Latency.percentile(List.of(), 0.5));
    }

    @Test
    void textRendering() {
        String text = TextReport.render(report);
        assertTrue(text.contains("spawns 11   failures 3   exits 2"), text);
        assertTrue(text.contains("     2x ENOENT   missing-tool"), text);
        assertTrue(text.contains(SpawnReportTest.class.getName() + ".spawn:"), text);
        assertTrue(text.contains("Spawn rate (per second"), text);
        assertTrue(text.contains("Most CPU (user+system)\n      1.50 s  /bin/true"), text);
        assertTrue(text.contains("Most memory (peak RSS)\n   300.0 MiB  /bin/true"), text);
    }

    @Test
    void jsonRendering() {
        String json = JsonReport.render(report);
        assertTrue(json.contains("\"mostMemory\":[{\"program\":\"/bin/true\",\"pid\":100,\"lifetimeNanos\":5000000,"
                + "\"exitCode\":0,\"cpuNanos\":1500000000,\"maxRssBytes\":314572800,\"signal\":\"\"}]"), json);
        assertTrue(json.startsWith("{\"source\":\"vfork-agent events\",\"spawns\":11,\"failures\":3,\"exits\":2,"), json);
        assertTrue(json.contains("{\"errno\":\"ENOENT\",\"program\":\"missing-tool\",\"step\":\"exec\",\"message\":"
                + "\"Cannot run program \\\"missing-tool\\\": error=2, No such file or directory\",\"count\":2}"), json);
    }

    @Test
    void htmlHasTheChartsAndNumbers() {
        String html = HtmlReport.render(report);
        assertTrue(html.contains("<h2>Most CPU (user+system)</h2>"), "most CPU");
        assertTrue(html.contains("<h2>Most memory (peak RSS)</h2>\n<table><tr><th>peak RSS</th><th class=l>program</th>"
                + "<th>pid</th></tr>\n<tr><td>300.0 MiB</td><td class=l>/bin/true</td><td>100</td></tr>"), html);
        assertTrue(html.contains("<svg id=\"histogram\""), "latency histogram");
        assertTrue(html.contains("<svg id=\"timeline\""), "spawns over time");
        assertTrue(html.contains("<svg id=\"programs\""), "top programs");
        assertEquals(11, java.util.Arrays.stream(report.histogram()).sum());
        assertTrue(html.split("<rect class=bar ").length - 1 >= 2, "several histogram bars");
        assertTrue(html.contains("<b>spawns</b>11</div>"), "kpi");
        assertTrue(html.contains("missing-tool"));
        for (String external : List.of("<script", "src=", "href=", "url(", "@import")) {
            assertTrue(!html.contains(external), "self-contained, but has " + external);
        }
    }
}
