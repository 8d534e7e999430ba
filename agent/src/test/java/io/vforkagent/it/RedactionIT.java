package io.vforkagent.it;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Secrets in the forms real tools take never reach a record made with the shipped settings, nor
 * a log line; a runaway redact= pattern cannot hold up a spawn; control characters in arguments
 * reach no record, log line or stderr raw. See {@link SecretsApp}.
 */
class RedactionIT {
    private final Path scratch = Path.of("target", "redaction").toAbsolutePath();

    private AgentJvm.Result app(String mode, List<String> jvmOptions) throws Exception {
        AgentJvm.Result r = AgentJvm.run(jvmOptions, SecretsApp.class.getName(),
                List.of(scratch.resolve("work-" + mode).toString(), mode), Map.of(), scratch, 120);
        assertEquals(0, r.exit, r::toString);
        assertTrue(r.stdout.contains("MAIN-DONE"), r::toString);
        return r;
    }

    private static boolean rawControl(String s) {
        return s.chars().anyMatch(c -> c < 0x20 && c != '\n' || c == 0x7f || c >= 0x80 && c <= 0x9f || c == 0x202e);
    }

    @Test
    void noSecretInRecordsOrLogLines() throws Exception {
        AgentJvm.Result jfc = AgentJvm.cli(scratch, "jfc");
        assertEquals(0, jfc.exit, jfc::toString);
        Path settings = Files.writeString(scratch.resolve("vfork-agent.jfc"), jfc.stdout);
        Path rec = scratch.resolve("secrets.jfr");
        AgentJvm.Result r = app("secrets", List.of(AgentJvm.javaagent(""),
                "-XX:StartFlightRecording=settings=default,settings=" + settings + ",filename=" + rec,
                "-cp", AgentJvm.TEST_CLASSES + File.pathSeparator + System.getProperty("vforkagent.loggingClasspath")));
        List<RecordedEvent> spawns = RecordingFile.readAllEvents(rec).stream()
                .filter(e -> e.getEventType().getName().equals("vforkagent.Spawn"))
                .sorted(java.util.Comparator.comparing(RecordedEvent::getStartTime)).collect(Collectors.toList());
        assertEquals(23, spawns.size(), spawns::toString);
        for (RecordedEvent e : spawns) {
            assertEquals("vfork", e.getString("launcher"), "the agent's launcher ran: " + e);
            String args = e.getString("arguments");
            assertFalse(args.contains("SeKrit"), args);
            assertFalse(rawControl(args), args);
        }
        for (RecordedEvent e : spawns.subList(1, spawns.size() - 1)) {
            assertTrue(e.getString("arguments").contains("***"), "something was hidden: " + e.getString("arguments"));
        }
        // The 2048-character cap came after redaction: the long password is hidden, not cut.
        assertEquals("https://bob:***@example.invalid/", spawns.get(18).getString("arguments"));
        // Readable: what is no secret.
        RecordedEvent plain = spawns.get(spawns.size() - 1);
        assertEquals("--port 8080 -p 8080 mode=fast /var/lib/app https://example.invalid/x?page=2",
                plain.getString("arguments"));
        // Control characters: escaped in the rendered arguments.
        assertEquals("\"evil\\rforged\\u001b[2J\\u202ex\\ny\"", spawns.get(0).getString("arguments"));

        List<String> logLines = r.stdout.lines().filter(l -> l.startsWith("LOG ")).collect(Collectors.toList());
        // Each spawn has its line: DEBUG, or WARN when slower than slowSpawnMs.
        assertEquals(23, logLines.stream().filter(l -> l.startsWith("LOG DEBUG io.vforkagent spawn pid=")
                || l.startsWith("LOG WARN io.vforkagent slow spawn pid=")).count(), r::toString);
        for (String l : logLines) {
            assertFalse(l.contains("SeKrit"), l);
        }
        assertFalse(rawControl(r.stdout), "a raw control character in stdout: " + r.stdout);
        assertTrue(r.stdout.contains("args=\"\\\"evil\\\\rforged\\\\u001b[2J\\\\u202ex\\\\ny\\\"\""), r::toString);
    }

    /**
     * A catastrophic redact= pattern: each start() returns within the budget (plus the spawn),
     * the arguments it had not checked are hidden, it is said once on stderr naming the
     * pattern, and the slow-spawn line on stderr holds no raw control character.
     */
    @Test
    void runawayPatternIsCutOffAndSaidOnce() throws Exception {
        AgentJvm.Result r = app("slow-pattern", List.of(AgentJvm.javaagent("slowSpawnMs=0,redact=((a+)+)+b")));
        List<Long> ms = r.stdout.lines().filter(l -> l.startsWith("START-MS "))
                .map(l -> Long.parseLong(l.substring(9))).collect(Collectors.toList());
        assertEquals(2, ms.size(), r::toString);
        for (long m : ms) {
            assertTrue(m < 2_000, "start() took " + m + " ms: " + r);
        }
        List<String> cutOffs = r.stderr.lines().filter(l -> l.contains("redact pattern")).collect(Collectors.toList());
        assertEquals(1, cutOffs.size(), r::toString);
        assertTrue(cutOffs.get(0).startsWith("[vfork-agent] WARN vfork-agent: redact pattern '((a+)+)+b' was cut off"),
                cutOffs.get(0));
        assertFalse(r.stderr.contains("SeKrit"), r.stderr);
        assertTrue(r.stderr.contains("[vfork-agent] WARN slow spawn pid="), r.stderr);
        assertTrue(r.stderr.contains("evil\\\\rforged\\\\u001b[2J"), r.stderr);
        assertFalse(rawControl(r.stderr), "a raw control character on stderr: " + r.stderr);
    }
}
