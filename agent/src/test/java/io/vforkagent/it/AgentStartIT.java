package io.vforkagent.it;

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

/** How the agent starts, refuses to start, or falls back, in real JVMs: the application always runs. */
class AgentStartIT {
    private static final String NO_SLOW_WARN = "vforkagent.slowSpawnMs=600000";
    private final Path scratch = Path.of("target", "agent-start").toAbsolutePath();

    private AgentJvm.Result spawnApp(List<String> jvmOptions, int mbeanWait) throws Exception {
        // Lines are counted below: a spawn slowed by a busy machine must not add a "slow spawn" WARN.
        List<String> opts = new java.util.ArrayList<>(jvmOptions);
        opts.add(0, "-D" + NO_SLOW_WARN);
        AgentJvm.Result r = AgentJvm.run(opts, SpawnApp.class.getName(), List.of("5", String.valueOf(mbeanWait)),
                Map.of(), scratch, 60);
        assertEquals(0, r.exit, r::toString);
        assertTrue(r.stdout.contains("SPAWNS-OK 5"), r::toString);
        return r;
    }

    private static List<String> agentLines(AgentJvm.Result r) {
        return r.stderr.lines().filter(l -> l.startsWith("[vfork-agent]")).collect(Collectors.toList());
    }

    @Test
    void servesSpawnsWithVfork() throws Exception {
        AgentJvm.Result r = spawnApp(List.of(AgentJvm.javaagent("")), 20);
        assertTrue(r.stdout.contains("AGENT launcher=vfork vfork=5 jdk=0 failures=0 reason= live=0 p50us="), r::toString);
        long p50 = Long.parseLong(r.stdout.replaceAll("(?s).*p50us=(\\d+).*", "$1"));
        long max = Long.parseLong(r.stdout.replaceAll("(?s).*maxus=(\\d+).*", "$1"));
        assertTrue(p50 > 0 && p50 <= max * 2, "latency attributes p50=" + p50 + " max=" + max);
        assertTrue(r.stdout.contains(" exits=5"), r::toString);
        List<String> lines = agentLines(r);
        assertEquals(1, lines.size(), r::toString);
        assertTrue(lines.get(0).startsWith("[vfork-agent] INFO vfork-agent started version=0.1.0 launcher=vfork jdk="
                + Runtime.version()), lines.get(0));
    }

    @Test
    void badValueNamesTheOptionAndKeepsTheJdkLauncher() throws Exception {
        AgentJvm.Result r = spawnApp(List.of(AgentJvm.javaagent("launcher=posix")), 2);
        assertTrue(r.stdout.contains("AGENT none"), r::toString);
        assertEquals(List.of("[vfork-agent] WARN option launcher=posix is not valid (agent argument launcher); "
                + "accepted values: vfork, jdk; the agent stays inactive and the JDK launcher in place"), agentLines(r));
    }

    /**
     * Another architecture, as the JVM reports it (-Dos.arch overrides what the agent reads; not
     * os.name, which the JDK's own ProcessImpl reads to pick its launcher): one line, and the
     * application spawns on the JDK launcher.
     */
    @Test
    void unsupportedPlatformKeepsTheJdkLauncher() throws Exception {
        AgentJvm.Result arch = spawnApp(List.of("-Dos.arch=riscv64", AgentJvm.javaagent("")), 2);
        assertTrue(arch.stdout.contains("AGENT none"), arch::toString);
        assertEquals(List.of("[vfork-agent] WARN vfork-agent 0.1.0 inactive: os.arch=riscv64 is not supported "
                + "(amd64 and aarch64 only); the JDK launcher stays in place"), agentLines(arch));
    }

    @Test
    void unknownPropertyIsNamed() throws Exception {
        AgentJvm.Result r = spawnApp(List.of(AgentJvm.javaagent(""), "-Dvforkagent.lancher=jdk"), 2);
        assertTrue(r.stdout.contains("AGENT none"), r::toString);
        List<String> lines = agentLines(r);
        assertEquals(1, lines.size(), r::toString);
        assertTrue(lines.get(0).contains("unknown option 'lancher' (-Dvforkagent.lancher); known options: launcher,"),
                lines.get(0));
    }

    @Test
    void libraryThatCannotLoadFallsBackToTheJdkLauncher() throws Exception {
        AgentJvm.Result r = spawnApp(List.of(AgentJvm.javaagent("tmpdir=/nonexistent/vfa")), 20);
        assertTrue(r.stdout.contains("AGENT launcher=jdk vfork=0 jdk=5 failures=0 reason=native launcher did not load"),
                r::toString);
        List<String> lines = agentLines(r);
        assertEquals(2, lines.size(), r::toString);
        assertTrue(lines.get(0).startsWith("[vfork-agent] WARN vfork-agent 0.1.0: native launcher did not load"),
                lines.get(0));
    }

    /**
     * A copy of the agent jar whose native library (and, when given, its checksum) are replaced;
     * a null library leaves both out.
     */
    private Path jarWithLibrary(String name, byte[] library, String checksum) throws Exception {
        Path copy = scratch.resolve(name + ".jar");
        Files.createDirectories(scratch);
        String lib = "inst/io/vforkagent/native/linux-x86-64/libvforkagent.so";
        try (java.util.zip.ZipInputStream in = new java.util.zip.ZipInputStream(Files.newInputStream(AgentJvm.AGENT_JAR));
             java.util.zip.ZipOutputStream out = new java.util.zip.ZipOutputStream(Files.newOutputStream(copy))) {
            for (java.util.zip.ZipEntry e; (e = in.getNextEntry()) != null; ) {
                byte[] bytes = in.readAllBytes();
                if (library == null && e.getName().startsWith(lib)) {
                    continue;
                }
                if (e.getName().equals(lib)) {
                    bytes = library;
                } else if (e.getName().equals(lib + ".sha256") && checksum != null) {
                    bytes = checksum.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                }
                out.putNextEntry(new java.util.zip.ZipEntry(e.getName()));
                out.write(bytes);
                out.closeEntry();
            }
        }
        return copy;
    }

    private static String sha256(byte[] b) throws Exception {
        StringBuilder sb = new StringBuilder();
        for (byte x : java.security.MessageDigest.getInstance("SHA-256").digest(b)) {
            sb.append(String.format("%02x", x));
        }
        return sb.toString();
    }

    @Test
    void damagedLibraryIsNotLoaded() throws Exception {
        Path jar = jarWithLibrary("damaged", "not a library".getBytes(java.nio.charset.StandardCharsets.US_ASCII), null);
        AgentJvm.Result r = spawnApp(List.of("-javaagent:" + jar), 20);
        assertTrue(r.stdout.contains("AGENT launcher=jdk vfork=0 jdk=5 failures=0"), r::toString);
        assertTrue(agentLines(r).get(0).contains("does not match its checksum: the jar is damaged"), r::toString);
    }

    @Test
    void missingLibraryFallsBack() throws Exception {
        AgentJvm.Result r = spawnApp(List.of("-javaagent:" + jarWithLibrary("missing", null, null)), 20);
        assertTrue(r.stdout.contains("AGENT launcher=jdk vfork=0 jdk=5 failures=0 reason=native launcher did not load: "),
                r::toString);
        assertEquals(2, agentLines(r).size(), r::toString);
    }

    /** The real library marked as built for another machine (ELF e_machine = AArch64), with a matching checksum. */
    @Test
    void wrongArchitectureLibraryFallsBack() throws Exception {
        byte[] lib;
        try (java.util.zip.ZipFile jar = new java.util.zip.ZipFile(AgentJvm.AGENT_JAR.toFile())) {
            lib = jar.getInputStream(jar.getEntry("inst/io/vforkagent/native/linux-x86-64/libvforkagent.so"))
                    .readAllBytes();
        }
        assertEquals(62, lib[18] & 0xff, "x86-64 to begin with");
        lib[18] = (byte) 183;
        lib[19] = 0;
        Path jar = jarWithLibrary("aarch64", lib, sha256(lib));
        AgentJvm.Result r = spawnApp(List.of("-javaagent:" + jar), 20);
        assertTrue(r.stdout.contains("AGENT launcher=jdk vfork=0 jdk=5 failures=0 reason=native launcher did not load: "
                + "cannot load "), r::toString);
        assertEquals(2, agentLines(r).size(), r::toString);
    }

    @Test
    void unloadableLibraryFallsBack() throws Exception {
        // A file that passes the checksum but is no shared library at all.
        byte[] notLibrary = Files.readAllBytes(Path.of("/bin/true"));
        Path jar = jarWithLibrary("unloadable", notLibrary, sha256(notLibrary));
        AgentJvm.Result r = spawnApp(List.of("-javaagent:" + jar), 20);
        assertTrue(r.stdout.contains("AGENT launcher=jdk vfork=0 jdk=5 failures=0 reason=native launcher did not load: "
                + "cannot load "), r::toString);
        assertEquals(2, agentLines(r).size(), r::toString);
    }

    @Test
    void customExtractionDirectory() throws Exception {
        Path dir = Files.createDirectories(scratch.resolve("custom-tmp"));
        AgentJvm.Result r = spawnApp(List.of(AgentJvm.javaagent("tmpdir=" + dir)), 20);
        assertTrue(r.stdout.contains("AGENT launcher=vfork vfork=5"), r::toString);
        try (var s = Files.list(dir)) {
            assertEquals(0, s.count(), "the extracted library is removed once loaded");
        }
    }

    /** A real noexec mount (tmpfs; needs root, as CI has): the library cannot be mapped, the JDK launcher serves. */
    /** A JVM that ends while the agent still starts leaves no extracted library behind. */
    @Test
    void shortLivedJvmLeavesNothingExtracted() throws Exception {
        Path dir = Files.createDirectories(scratch.resolve("quick-exit"));
        for (int i = 0; i < 5; i++) {
            AgentJvm.Result r = AgentJvm.run(List.of(AgentJvm.javaagent("tmpdir=" + dir), "-cp", AgentJvm.TEST_CLASSES),
                    QuickExitApp.class.getName(), List.of(), Map.of(), scratch, 60);
            assertEquals(0, r.exit, r::toString);
            // The agent was installed ("starting" while it extracts and loads, or done already).
            assertTrue(r.stdout.contains("QUICK-EXIT status=starting ") || r.stdout.contains("QUICK-EXIT status=active "),
                    r::toString);
            assertFalse(r.stderr.contains("WARN"), r::toString);
        }
        try (var s = Files.list(dir)) {
            assertEquals(List.of(), s.map(Path::toString).collect(Collectors.toList()));
        }
    }

    @Test
    void noexecExtractionDirectoryFallsBack() throws Exception {
        Path dir = Files.createDirectories(scratch.resolve("noexec"));
        Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "noexec,size=8m", "tmpfs", dir.toString())
                .redirectErrorStream(true).start();
        org.junit.jupiter.api.Assumptions.assumeTrue(mount.waitFor() == 0, "cannot mount a tmpfs here (not root)");
        try {
            AgentJvm.Result r = spawnApp(List.of(AgentJvm.javaagent("tmpdir=" + dir)), 20);
            // JNA's dispatch library is the first the agent loads from there.
            assertTrue(r.stdout.contains("AGENT launcher=jdk vfork=0 jdk=5 failures=0 reason=native launcher did not "
                    + "load: cannot start JNA: UnsatisfiedLinkError: " + dir), r::toString);
            List<String> lines = agentLines(r);
            assertEquals(2, lines.size(), r::toString);
            assertTrue(lines.get(0).contains("failed to map segment from shared object"), lines.get(0));
            try (var s = Files.list(dir)) {
                assertEquals(0, s.count(), "nothing left in the extraction directory");
            }
        } finally {
            new ProcessBuilder("umount", dir.toString()).start().waitFor();
        }
    }

    @Test
    void recordOnlyMode() throws Exception {
        AgentJvm.Result r = spawnApp(List.of(AgentJvm.javaagent("launcher=jdk")), 20);
        assertTrue(r.stdout.contains("AGENT launcher=jdk vfork=0 jdk=5 failures=0 reason=launcher=jdk"), r::toString);
    }

    @Test
    void helpPrintsTheOptionsTable() throws Exception {
        AgentJvm.Result r = spawnApp(List.of(AgentJvm.javaagent("help")), 20);
        assertTrue(r.stderr.contains("launcher     vfork    vfork, jdk: "), r::toString);
        assertTrue(r.stdout.contains("AGENT launcher=vfork vfork=5"), r::toString);
    }

    /**
     * Neither JNA (which logs through java.util.logging) nor the MBean server (whose creation sets
     * java.util.logging up) may fix the JVM's LogManager before the application picks its own.
     */
    @Test
    void applicationPicksItsOwnLogManagerAfterTheAgentStarted() throws Exception {
        AgentJvm.Result r = AgentJvm.run(List.of("-D" + NO_SLOW_WARN, AgentJvm.javaagent(""), "-cp",
                AgentJvm.TEST_CLASSES), LogManagerApp.class.getName(), List.of(), Map.of(), scratch, 60);
        assertEquals(0, r.exit, r::toString);
        assertTrue(r.stdout.contains("MANAGER " + LogManagerApp.AppLogManager.class.getName()), r::toString);
        // The MBean still comes: at the first spawn.
        assertTrue(r.stdout.contains("AGENT launcher=vfork vfork=1 jdk=0"), r::toString);
    }

    @Test
    void applicationKeepsItsOwnByteBuddyAndJna() throws Exception {
        Path libs = Path.of(System.getProperty("vforkagent.appLibs"));
        String cp = AgentJvm.TEST_CLASSES + File.pathSeparator + libs.resolve("byte-buddy-1.14.18.jar")
                + File.pathSeparator + libs.resolve("jna-5.13.0.jar");
        AgentJvm.Result r = AgentJvm.run(List.of("-D" + NO_SLOW_WARN, AgentJvm.javaagent(""), "-cp", cp),
                ForeignLibrariesApp.class.getName(), List.of(), Map.of(), scratch, 60);
        assertEquals(0, r.exit, r::toString);
        assertTrue(r.stdout.contains("BYTEBUDDY file:" + libs.resolve("byte-buddy-1.14.18.jar")), r::toString);
        assertTrue(r.stdout.contains("JNA file:" + libs.resolve("jna-5.13.0.jar")), r::toString);
        assertTrue(r.stdout.contains("MADE io.vforkagent.it.Made"), r::toString);
        assertTrue(r.stdout.contains("GETPID true"), r::toString);
        // 5 and the application's JNA's own "ldconfig -p", as without the agent: it no longer
        // takes the agent's JNA's settings for its own (TrustIT).
        assertTrue(r.stdout.contains("AGENT launcher=vfork vfork=6 jdk=0"), r::toString);
        assertFalse(r.stderr.contains("WARN"), r::toString);
    }
}
