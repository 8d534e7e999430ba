package io.vforkagent.core.launch;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The JDK's arguments as the records read them, and exits as the records read them. */
class SpawnRequestTest {
    private static byte[] block(String... parts) {
        StringBuilder sb = new StringBuilder();
        for (String p : parts) {
            sb.append(p).append('\0');
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static SpawnRequest request(byte[] args, int argc, byte[] env, int envc, byte[] dir, int[] fds,
                                        boolean merge) {
        return new SpawnRequest(null, 2, null, block("/bin/echo"), args, argc, env, envc, dir, fds, merge);
    }

    @Test
    void decodersReadWhatTheJdkPassed() {
        int[] fds = {-1, 1, 7};
        SpawnRequest r = request(block("a", "b c"), 2, block("X=1", "Y=2"), 2, block("/tmp"), fds, false);
        fds[0] = 42; // the launch writes the parent's ends over the array
        assertEquals("/bin/echo", r.program());
        assertEquals(List.of("a", "b c"), r.arguments(false));
        assertEquals("/tmp", r.directory());
        assertEquals("2 variables", r.environment());
        assertEquals("pipe inherit file/fd", r.redirect(0) + " " + r.redirect(1) + " " + r.redirect(2));
        assertEquals(10 + 6 + 8, r.blockBytes());
        SpawnRequest inherit = request(new byte[0], 0, null, 0, null, new int[] {0, -1, -1}, true);
        assertEquals("", inherit.directory());
        assertEquals("inherited", inherit.environment());
        assertEquals("inherit pipe stdout", inherit.redirect(0) + " " + inherit.redirect(1) + " "
                + inherit.redirect(2));
        assertEquals(List.of(), inherit.arguments(false));
    }

    /** Decoding stops past the cap; an argument too long to exec is not read; verbatim reads no more than it shows. */
    @Test
    void argumentsAreReadNoFurtherThanShown() {
        String[] many = new String[100];
        Arrays.fill(many, "x".repeat(99));
        List<String> read = request(block(many), 100, null, 0, null, new int[] {-1, -1, -1}, false).arguments(false);
        assertEquals(21, read.size(), "100 bytes each: the 21st passes 2048");
        String huge = "h".repeat(SpawnRequest.MAX_ARG_READ + 1);
        SpawnRequest r = request(block("a", huge), 2, null, 0, null, new int[] {-1, -1, -1}, false);
        assertNull(r.arguments(false).get(1));
        assertEquals(SpawnRequest.TEXT_CAP + 1, r.arguments(true).get(1).length());
    }

    @Test
    void programIsCapped() {
        SpawnRequest r = new SpawnRequest(null, 2, null, block("p".repeat(5000)), new byte[0], 0, null, 0, null,
                new int[] {-1, -1, -1}, false);
        assertTrue(r.program().endsWith("...(truncated)"));
        assertEquals(SpawnRequest.TEXT_CAP + "...(truncated)".length(), r.program().length());
    }

    /** wait4's status tells a signal from an exit code above 128, which the JDK's value cannot. */
    @Test
    void exitsBySignalAndByCode() {
        ChildExit killed = Outcomes.reaped(0x80 + 9, 9);
        assertEquals(9, killed.signal());
        assertEquals(-1, killed.code());
        ChildExit high = Outcomes.reaped(137, 137 << 8);
        assertEquals(0, high.signal());
        assertEquals(137, high.code());
        ChildExit jdk = Outcomes.byJdk(137);
        assertEquals(0, jdk.signal());
        assertEquals(137, jdk.code());
        assertEquals(-1, jdk.userCpuNanos());
        assertEquals(-1, jdk.ownPeakRssBytes());
        ChildExit own = Outcomes.exited();
        assertEquals(-1, own.ownPeakRssBytes(), "below the JVM's own peak: hidden");
        assertEquals(1_000_000, own.userCpuNanos());
    }
}
