package io.vforkagent.it;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code java -jar vfork-agent.jar report} on a real recording, and its usage errors. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReportCliIT {
    private final Path scratch = Path.of("target", "report-cli").toAbsolutePath();
    private Path recording;

    @BeforeAll
    void record() throws Exception {
        recording = scratch.resolve("spawns.jfr");
        AgentJvm.Result r = AgentJvm.run(List.of(AgentJvm.javaagent(""), "-XX:StartFlightRecording=filename=" + recording),
                SpawnApp.class.getName(), List.of("12", "0"), Map.of(), scratch, 60);
        assertEquals(0, r.exit, r::toString);
    }

    private AgentJvm.Result cli(String... args) throws Exception {
        return AgentJvm.cli(scratch, args);
    }

    @Test
    void textReport() throws Exception {
        AgentJvm.Result r = cli("report", recording.toString());
        assertEquals(0, r.exit, r::toString);
        assertTrue(r.stdout.contains("spawns 12   failures 0   exits 12"), r.stdout);
        assertTrue(r.stdout.contains("/bin/echo                         12"), r.stdout);
        assertTrue(r.stdout.contains("io.vforkagent.it.SpawnApp.main:"), r.stdout);
    }

    @Test
    void jsonAndHtml() throws Exception {
        Path html = scratch.resolve("report.html");
        AgentJvm.Result r = cli("report", recording.toString(), "--json", "--html", html.toString());
        assertEquals(0, r.exit, r::toString);
        assertTrue(r.stdout.startsWith("{\"source\":\"vfork-agent events\",\"spawns\":12,\"failures\":0,\"exits\":12,"),
                r.stdout);
        String page = Files.readString(html);
        assertTrue(page.contains("<svg id=\"histogram\"") && page.contains("<svg id=\"timeline\"")
                && page.contains("<svg id=\"programs\""), "charts");
        assertTrue(page.contains("<b>spawns</b>12</div>"), "figures");
    }

    @Test
    void usageErrorsExitWithTwo() throws Exception {
        AgentJvm.Result unknown = cli("report", recording.toString(), "--pdf");
        assertEquals(2, unknown.exit);
        assertEquals("vfork-agent report: unknown option '--pdf' (known: --html FILE, --json)\n", unknown.stderr);
        AgentJvm.Result missing = cli("report", scratch.resolve("nope.jfr").toString());
        assertEquals(2, missing.exit);
        assertTrue(missing.stderr.startsWith("vfork-agent report: cannot read recording '"), missing.stderr);
        assertEquals(1, missing.stderr.lines().count());
        Path notJfr = Files.writeString(scratch.resolve("not.jfr"), "hello");
        AgentJvm.Result bad = cli("report", notJfr.toString());
        assertEquals(2, bad.exit);
        assertTrue(bad.stderr.contains("is not a readable JFR recording"), bad.stderr);
        AgentJvm.Result command = cli("frobnicate");
        assertEquals(2, command.exit);
    }

    @Test
    void fallsBackToJdkProcessStart() throws Exception {
        Path plain = scratch.resolve("plain.jfr");
        AgentJvm.Result run = AgentJvm.run(List.of("-XX:StartFlightRecording=filename=" + plain),
                SpawnApp.class.getName(), List.of("3", "0"), Map.of(), scratch, 60);
        assertEquals(0, run.exit, run::toString);
        AgentJvm.Result r = cli("report", plain.toString());
        assertEquals(0, r.exit, r::toString);
        assertTrue(r.stdout.contains("source: jdk.ProcessStart"), r.stdout);
        assertTrue(r.stdout.contains("spawns 3   failures 0   exits 0"), r.stdout);
    }
}
