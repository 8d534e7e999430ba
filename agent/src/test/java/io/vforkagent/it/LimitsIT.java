package io.vforkagent.it;

import com.sun.jna.Native;
import org.junit.jupiter.api.Assumptions;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Spawning while a real limit is reached ({@link LimitsApp}): the process limit (EAGAIN) and the
 * address-space limit (ENOMEM, the launcher's own allocations fail). The application receives what
 * the JDK's launcher throws, and nothing leaks.
 *
 * <p>Where the JDK's message names its own mechanism (JDK 25's "posix_spawn failed" and its advice
 * about the spawn helper, which vfork-agent does not use), vfork-agent's names its mechanism in the
 * JDK's own words for it ("vfork failed"); the rest of the text is the same. That is checked here by
 * comparing with the JDK's default and, where it fails too, with the JDK's VFORK mechanism verbatim.
 */
class LimitsIT {
    private final Path scratch = Path.of("target", "limits").toAbsolutePath();

    @Test
    void processLimitReached() throws Exception {
        Path cgroup = pidsCgroup();
        try {
            String arg = cgroup == null ? "rlimit" : cgroup.toString();
            List<String> jdkDefault = faults(run(List.of(), "nproc", arg), false);
            List<String> jdkVfork = faults(run(List.of("-Djdk.lang.Process.launchMechanism=VFORK"), "nproc", arg), false);
            Path rec = scratch.resolve("nproc.jfr");
            AgentJvm.Result agent = run(List.of(AgentJvm.javaagent(""), "-XX:StartFlightRecording=filename=" + rec),
                    "nproc", arg);
            List<String> ours = faults(agent, true);
            assertTrue(ours.get(0).contains("Resource temporarily unavailable"), ours::toString);
            assertEquals(jdkVfork, ours, "the JDK's VFORK launcher's exception, verbatim");
            assertEquals(jdkDefault.stream().map(LimitsIT::inVforkWords).collect(Collectors.toList()), ours,
                    "the JDK's default launcher's exception");
            assertAgentServed(agent, "{EAGAIN=3, ENOENT=1}");
            // Recorded as such: the errno, the step, and the very message the application got.
            List<RecordedEvent> failures = RecordingFile.readAllEvents(rec).stream()
                    .filter(e -> e.getEventType().getName().equals("vforkagent.SpawnFailure")
                            && e.getString("errnoName").equals("EAGAIN"))
                    .collect(Collectors.toList());
            assertEquals(3, failures.size(), failures::toString);
            for (RecordedEvent e : failures) {
                assertEquals(11, e.getInt("errno"));
                assertEquals("clone", e.getString("step"));
                assertEquals(ours.get(0).substring("FAULT 1 java.io.IOException: ".length()), e.getString("message"));
            }
            assertLogged(agent, "EAGAIN", "clone");
        } finally {
            if (cgroup != null) {
                removeCgroup(cgroup);
            }
        }
    }

    /**
     * Interpreter only and a fixed serial heap: while no new mapping may be made, a JIT compiler
     * thread needing more arena memory would end the JVM, with or without the agent.
     */
    @Test
    void launcherOutOfMemory() throws Exception {
        List<String> vm = List.of("-Xint", "-XX:+UseSerialGC", "-Xms64m", "-Xmx64m");
        List<String> jdkDefault = faults(run(vm, "memory"), false);
        AgentJvm.Result agent = run(concat(vm, AgentJvm.javaagent("")), "memory");
        List<String> ours = faults(agent, true);
        assertTrue(ours.get(0).contains("Cannot allocate memory"), ours::toString);
        assertEquals(jdkDefault.stream().map(LimitsIT::inVforkWords).collect(Collectors.toList()), ours,
                "the JDK's default launcher's exception");
        assertAgentServed(agent, "{ENOENT=1, ENOMEM=3}");
        assertLogged(agent, "ENOMEM", "alloc");
    }

    /**
     * 40 KiB of address space left above what is mapped: enough for the JDK's default launcher
     * (glibc's posix_spawn maps a 36 KiB stack for its helper), so enough for the agent's, whose
     * child stack with its guard page is 8 KiB.
     */
    @Test
    void launcherNeedsNoMoreAddressSpaceThanJdk() throws Exception {
        List<String> vm = List.of("-Xint", "-XX:+UseSerialGC", "-Xms64m", "-Xmx64m");
        List<String> jdk = started(run(vm, "memory", "40960"));
        assertEquals(List.of("FAULT 1 started 0", "FAULT 2 started 0", "FAULT 3 started 0"), jdk,
                "the JDK spawns with 40 KiB of headroom");
        AgentJvm.Result agent = run(concat(vm, AgentJvm.javaagent("")), "memory", "40960");
        assertEquals(jdk, started(agent), agent::toString);
        assertTrue(agent.stdout.contains("AGENT launcher=vfork ") && agent.stdout.contains(" jdk=0 failures=1 "),
                agent::toString);
    }

    private static List<String> started(AgentJvm.Result r) {
        return r.stdout.lines().filter(l -> l.startsWith("FAULT ")).collect(Collectors.toList());
    }

    /** The WARN line (stderr here: no SLF4J), once: the other two are held back by the rate limit. */
    private static void assertLogged(AgentJvm.Result r, String errno, String step) {
        List<String> lines = r.stderr.lines().filter(l -> l.contains("errno=" + errno)).collect(Collectors.toList());
        assertEquals(1, lines.size(), r::toString);
        assertTrue(lines.get(0).startsWith("[vfork-agent] WARN spawn failed program=\"/bin/true\" errno=" + errno
                + " step=" + step + " launcher=vfork "), lines.get(0));
    }

    private AgentJvm.Result run(List<String> vm, String... args) throws IOException, InterruptedException {
        String jna = new File(Native.class.getProtectionDomain().getCodeSource().getLocation().getPath()).getPath();
        List<String> options = concat(vm, "-cp", AgentJvm.TEST_CLASSES + File.pathSeparator + jna);
        AgentJvm.Result r = AgentJvm.run(options, LimitsApp.class.getName(), List.of(args), Map.of(), scratch, 120);
        assertEquals(0, r.exit, r::toString);
        Matcher m = Pattern.compile("LIMITS recovered=(\\w+) fdsBefore=(\\d+) fdsAfter=(\\d+) zombies=(\\d+)")
                .matcher(r.stdout);
        assertTrue(m.find(), r::toString);
        assertEquals("true", m.group(1), "a spawn works again once the limit is lifted\n" + r);
        assertEquals("0", m.group(4), "zombies\n" + r);
        return r;
    }

    /** The exception of each attempt; all three must have failed. */
    private static List<String> faults(AgentJvm.Result r, boolean agent) {
        List<String> lines = r.stdout.lines().filter(l -> l.startsWith("FAULT ")).collect(Collectors.toList());
        assertEquals(3, lines.size(), r::toString);
        for (String l : lines) {
            assertTrue(l.matches("FAULT \\d java\\.io\\.IOException: Cannot run program \"/bin/true\": .*"),
                    "the limit made every spawn fail" + (agent ? " under the agent" : "") + "\n" + r);
        }
        return lines;
    }

    /** The JDK's default text with its mechanism named as its VFORK mechanism names it. */
    private static String inVforkWords(String jdkLine) {
        return jdkLine.replace("posix_spawn failed, error:", "vfork failed, error:")
                .replaceFirst("\\\\nPossible reasons:.*$", "");
    }

    private static void assertAgentServed(AgentJvm.Result r, String byErrno) {
        Matcher m = Pattern.compile("LIMITS recovered=true fdsBefore=(\\d+) fdsAfter=(\\d+)").matcher(r.stdout);
        assertTrue(m.find(), r::toString);
        assertEquals(m.group(1), m.group(2), "descriptors before and after, under the agent\n" + r);
        // every spawn through the vfork launcher: the successful ones, and the failed ones by errno
        Matcher a = Pattern.compile("AGENT launcher=vfork vfork=(\\d+) jdk=0 failures=4 .* byErrno=(\\{.*})").matcher(r.stdout);
        assertTrue(a.find(), r::toString);
        assertTrue(Integer.parseInt(a.group(1)) >= 2, r::toString);
        assertEquals(byErrno, a.group(2), r::toString);
    }

    /**
     * A fresh pids cgroup to confine the application in, when running as root (whom RLIMIT_NPROC
     * does not bind); null when not root, where the application lowers its own RLIMIT_NPROC.
     */
    private static Path pidsCgroup() throws IOException {
        if (!Files.readString(Path.of("/proc/self/status")).matches("(?s).*\\nUid:\\s+0\\s.*")) {
            return null;
        }
        for (String mount : Files.readAllLines(Path.of("/proc/self/mounts"))) {
            String[] f = mount.split(" ");
            Path root = Path.of(f[1]);
            boolean v1 = f[2].equals("cgroup") && List.of(f[3].split(",")).contains("pids");
            boolean v2 = f[2].equals("cgroup2") && Files.isReadable(root.resolve("cgroup.controllers"))
                    && List.of(Files.readString(root.resolve("cgroup.controllers")).trim().split(" ")).contains("pids");
            if (!v1 && !v2) {
                continue;
            }
            try {
                if (v2) {
                    Files.writeString(root.resolve("cgroup.subtree_control"), "+pids");
                }
                Path dir = Files.createDirectory(root.resolve("vfork-agent-test-" + ProcessHandle.current().pid()));
                if (Files.exists(dir.resolve("pids.max"))) {
                    return dir;
                }
                Files.delete(dir);
            } catch (IOException notHere) {
                // read-only or delegated elsewhere: try the next hierarchy
            }
        }
        Assumptions.abort("running as root, whom RLIMIT_NPROC does not bind, and no writable pids cgroup");
        return null;
    }

    /** An emptied cgroup may take the kernel a moment to release. */
    private static void removeCgroup(Path dir) throws Exception {
        for (int i = 0; ; i++) {
            try {
                Files.delete(dir);
                return;
            } catch (IOException busy) {
                if (i == 50) {
                    throw busy;
                }
                Thread.sleep(100);
            }
        }
    }

    private static List<String> concat(List<String> a, String... b) {
        List<String> all = new java.util.ArrayList<>(a);
        all.addAll(List.of(b));
        return all;
    }
}
