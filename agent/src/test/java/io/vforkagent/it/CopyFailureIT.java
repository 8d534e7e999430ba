package io.vforkagent.it;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The JVM cannot copy the env block or the directory into C memory (here: malloc of that one size
 * fails, {@code libfailalloc.so} preloaded; for real: a large environment under {@code ulimit -v}
 * or strict overcommit). JNA then passes NULL, which must never be read as "inherit": the child
 * would run with the JVM's own environment, secrets included, or in its directory. The agent fails
 * the spawn with the IOException of an allocation failure (the JDK's text for ENOMEM).
 *
 * <p>The JDK itself returns a Process with pid -1 and no exception (its forkAndExec returns -1
 * without throwing: HotSpot's GetByteArrayElements sets no exception); the agent does not copy that.
 */
class CopyFailureIT {
    private static final int SIZE = 777_777;
    private static final Path SHIM = Path.of("..", "native", "target", "native", "libfailalloc.so")
            .toAbsolutePath().normalize();
    private final Path scratch = Path.of("target", "copy-failure").toAbsolutePath();

    @Test
    void envBlockNotCopied() throws Exception {
        String message = agentFails("env");
        assertTrue(message.startsWith("Cannot run program \"/bin/sh\": "), message);
    }

    @Test
    void directoryNotCopied() throws Exception {
        String message = agentFails("dir");
        assertTrue(message.startsWith("Cannot run program \"/bin/sh\" (in directory \"/tmp/./"), message);
    }

    /** Runs the app without and with the agent; returns the agent's exception message. */
    private String agentFails(String what) throws Exception {
        assertTrue(Files.isRegularFile(SHIM), SHIM + " is built with the native module's tests");
        Files.createDirectories(scratch);
        Path marker = scratch.resolve(what + "-child-ran");
        Map<String, String> env = Map.of("LD_PRELOAD", SHIM.toString(), "VFA_FAIL_MALLOC", Integer.toString(SIZE),
                "VFA_SECRET", "s3cr3t");

        Files.deleteIfExists(marker);
        AgentJvm.Result jdk = AgentJvm.run(List.of(), CopyFailureApp.class.getName(),
                List.of(Integer.toString(SIZE), what, marker.toString()), env, scratch, 60);
        assertEquals(0, jdk.exit, jdk::toString);
        System.out.println("JDK, " + what + " not copied: " + jdk.stdout.lines().findFirst().orElse(""));
        assertFalse(Files.exists(marker), "the JDK ran the child: " + jdk);
        assertTrue(jdk.stdout.startsWith("STARTED pid=-1 ") || jdk.stdout.startsWith("THROWN "),
                "the copy failed in the JDK too (else the test proves nothing)\n" + jdk);

        AgentJvm.Result agent = AgentJvm.run(List.of(AgentJvm.javaagent("")), CopyFailureApp.class.getName(),
                List.of(Integer.toString(SIZE), what, marker.toString()), env, scratch, 60);
        assertEquals(0, agent.exit, agent::toString);
        assertFalse(Files.exists(marker), () -> "the child ran with the JVM's own " + what + ": " + read(marker));
        String first = agent.stdout.lines().findFirst().orElse("");
        assertTrue(first.startsWith("THROWN java.io.IOException: "), agent::toString);
        String enomem = Runtime.version().feature() >= 25 ? "vfork failed, error: 12 (Cannot allocate memory) "
                : "error=12, Cannot allocate memory";
        assertTrue(first.endsWith(": " + enomem), first);
        assertTrue(agent.stdout.contains("AGENT launcher=vfork vfork=0 jdk=0 failures=1 ")
                && agent.stdout.contains("byErrno={ENOMEM=1}"), agent::toString);
        return first.substring("THROWN java.io.IOException: ".length());
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (Exception e) {
            return e.toString();
        }
    }
}
