package io.vforkagent.core.record;

import io.vforkagent.core.Options;
import io.vforkagent.core.launch.Outcomes;
import io.vforkagent.core.launch.SpawnRequest;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.Charset;
import java.util.List;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How the recorder turns the JDK's argument block into a record's text. */
class RecorderTest {
    private static String arguments(String options, String program, List<String> args) {
        Options o = Options.parse(options, new Properties());
        ArgumentText text = new ArgumentText(o.get("args"), o.get("redact"));
        ByteArrayOutputStream block = new ByteArrayOutputStream();
        Charset cs = Charset.forName(System.getProperty("sun.jnu.encoding", Charset.defaultCharset().name()));
        for (String a : args) {
            block.writeBytes(a.getBytes(cs));
            block.write(0);
        }
        byte[] prog = (program + "\0").getBytes(cs);
        return text.of(new SpawnRequest(null, 0, null, prog, block.toByteArray(), args.size(), null, 0, null,
                new int[] {-1, -1, -1}, false), new LogGuard());
    }

    /**
     * Redaction sees each argument whole before the cap: a URL whose password runs past 2048
     * characters is still recognised by the '@' that ends it, instead of being shown cut.
     */
    @Test
    void secretPastTheCapIsStillRecognised() {
        String password = "S".repeat(3000);
        String shown = arguments("", "curl", List.of("-sS", "https://bob:" + password + "@example.com/x"));
        assertEquals("-sS https://bob:***@example.com/x", shown);
        String json = arguments("", "app", List.of("{\"note\":\"" + "n".repeat(2100) + "\",\"token\":\"" + password + "\"}"));
        assertFalse(json.contains("SSSS"), json);
    }

    @Test
    void capAppliesAfterRedaction() {
        String shown = arguments("", "app", List.of("x".repeat(3000), "--password", "hunter2"));
        assertTrue(shown.endsWith("...(truncated)") && shown.length() == SpawnRequest.TEXT_CAP + "...(truncated)".length(),
                shown.length() + "");
        assertEquals("--password ***", arguments("", "app", List.of("--password", "x".repeat(3000), "y")));
    }

    /** An argument too long to exec is hidden whole, unread; with args=full it is shown capped. */
    @Test
    void hugeArgumentIsHiddenUnread() {
        String huge = "x".repeat(SpawnRequest.MAX_ARG_READ + 1);
        assertEquals("a ***", arguments("", "echo", List.of("a", huge, "b")));
        String full = arguments("args=full", "echo", List.of("a", huge));
        assertTrue(full.startsWith("a xxxx") && full.endsWith("...(truncated)"), full.substring(0, 10));
    }

    /** The mode is one value however it was written (args=OFF once recorded everything). */
    @Test
    void argumentModesInAnyCase() {
        List<String> args = List.of("--password", "hunter2");
        assertEquals("", arguments("args=OFF", "app", args));
        assertEquals("", arguments("args=Off", "app", args));
        assertEquals("--password hunter2", arguments("args=FULL", "app", args));
        assertEquals("--password ***", arguments("args=REDACT", "app", args));
    }

    @Test
    void logFieldsAreQuotedAndEscaped() {
        assertEquals("\"a\\\\b \\\"q\\\" \\r\\n\\u001b[2J\"", LogLines.quote("a\\b \"q\" \r\n\u001b[2J"));
        String joined = arguments("args=full", "app", List.of("x\ry", "e\u001b"));
        assertEquals("\"x\\ry\" \"e\\u001b\"", joined);
        assertEquals("\"\\\"x\\\\ry\\\" \\\"e\\\\u001b\\\"\"", LogLines.quote(joined));
    }

    private static SpawnRequest echo() {
        return new SpawnRequest(null, 2, null, "/bin/echo\0".getBytes(), "hi\0".getBytes(), 1, null, 0, null,
                new int[] {-1, -1, -1}, false);
    }

    /** A started child is tracked until it is reaped, once the exit hook is in place; a failure never is. */
    @Test
    void childrenAreTrackedFromSpawnToExit() {
        Recorder r = new Recorder(Options.parse("", new Properties()));
        r.record(null, echo(), Outcomes.started(101, false));
        assertEquals(0, r.liveChildren(), "no exit hook: nothing would remove it");
        r.trackExits(true);
        r.record(null, echo(), Outcomes.started(102, false));
        r.record(null, echo(), Outcomes.failed("vfork", 2, "ENOENT", "exec", new java.io.IOException("x")));
        assertEquals(1, r.liveChildren());
        r.exited(101, Outcomes.exited()); // not tracked: no exit counted
        assertEquals(0, r.exits());
        r.exited(102, Outcomes.exited());
        assertEquals(0, r.liveChildren());
        assertEquals(1, r.exits());
        r.exited(102, Outcomes.exited()); // reaped once only
        assertEquals(1, r.exits());
    }

    /** Every started launch is in the latency figures; a failed one is not. */
    @Test
    void latencyCountsStartedLaunches() {
        Recorder r = new Recorder(Options.parse("", new Properties()));
        r.record(null, echo(), Outcomes.started(201, false));
        r.record(null, echo(), Outcomes.started(202, false));
        r.record(null, echo(), Outcomes.failed("vfork", 2, "ENOENT", "exec", new java.io.IOException("x")));
        LatencyHistogram.Snapshot s = r.latency();
        assertEquals(2, s.total);
        assertTrue(s.maxNanos >= 150_000, String.valueOf(s.maxNanos));
    }
}
