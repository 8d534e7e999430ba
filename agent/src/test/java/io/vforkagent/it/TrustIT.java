package io.vforkagent.it;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The agent inside a JVM that is not its own: it takes nothing from the application's settings
 * for JNA, leaves nothing behind for the application's JNA, and a passing shortage (descriptors,
 * disk space) breaks nothing for good.
 */
class TrustIT {
    private static final String NO_SLOW_WARN = "-Dvforkagent.slowSpawnMs=600000";

    @TempDir
    Path scratch;

    private static Path appJna() {
        return Path.of(System.getProperty("vforkagent.appLibs")).resolve("jna-5.13.0.jar");
    }

    /** A library in jna.boot.library.path is the application's business: the agent never loads it. */
    @Test
    void agentIgnoresTheApplicationsJnaBootLibraryPath() throws Exception {
        Path planted = Files.createDirectories(scratch.resolve("planted"));
        Path marker = scratch.resolve("planted-library-ran");
        Path src = planted.resolve("planted.c");
        Files.writeString(src, "#include <fcntl.h>\n#include <unistd.h>\n"
                + "__attribute__((constructor)) static void planted(void) {\n"
                + "  int fd = open(\"" + marker + "\", O_WRONLY | O_CREAT, 0600); if (fd >= 0) close(fd);\n}\n");
        Process cc = new ProcessBuilder("gcc", "-shared", "-fPIC", "-o", planted.resolve("libjnidispatch.so").toString(),
                src.toString()).inheritIO().start();
        assertEquals(0, cc.waitFor());
        AgentJvm.Result r = AgentJvm.run(List.of(NO_SLOW_WARN, "-Djna.boot.library.path=" + planted,
                AgentJvm.javaagent("")), JnaIsolationApp.class.getName(), List.of(), Map.of(), scratch, 60);
        assertEquals(0, r.exit, r::toString);
        assertFalse(Files.exists(marker), "the planted library ran: " + r);
        assertTrue(r.stdout.contains("AGENT launcher=vfork vfork=3 jdk=0"), r::toString);
        assertFalse(r.stderr.contains("WARN"), r::toString);
    }

    /**
     * A JNA on the boot class path (another version, its own unchecked dispatch library) is not
     * the agent's: the agent's class loader defines its own JNA before asking its parents, so the
     * other is never initialised (it would set jna.loaded and unpack its library).
     */
    @Test
    void aJnaOnTheBootClassPathIsNotTheAgents() throws Exception {
        AgentJvm.Result r = AgentJvm.run(List.of(NO_SLOW_WARN, "-Xbootclasspath/a:" + appJna(),
                AgentJvm.javaagent("")), JnaIsolationApp.class.getName(), List.of(), Map.of(), scratch, 60);
        assertEquals(0, r.exit, r::toString);
        assertTrue(r.stdout.contains("AGENT launcher=vfork vfork=3 jdk=0"), r::toString);
        assertTrue(r.stdout.contains("PROP jna.loaded=null"), r::toString);
        assertTrue(r.stdout.contains("PROP jnidispatch.path=null"), r::toString);
        assertFalse(r.stderr.contains("WARN"), r::toString);
    }

    /**
     * The library is loaded from a sealed memfd holding the bytes checked: no file of it is ever
     * mapped, so no path could have been re-pointed between the check and the load.
     */
    @Test
    void libraryIsLoadedFromTheCheckedBytes() throws Exception {
        AgentJvm.Result r = AgentJvm.run(List.of(NO_SLOW_WARN, AgentJvm.javaagent("")),
                JnaIsolationApp.class.getName(), List.of(), Map.of(), scratch, 60);
        assertEquals(0, r.exit, r::toString);
        assertTrue(r.stdout.contains("AGENT launcher=vfork vfork=3 jdk=0"), r::toString);
        List<String> maps = r.stdout.lines().filter(l -> l.startsWith("MAP ")).toList();
        assertTrue(maps.contains("MAP /memfd:vfork-agent (deleted)"), r::toString);
        assertTrue(maps.stream().noneMatch(m -> m.contains("libvforkagent")), r::toString);
    }

    /**
     * A shared directory another user can write (and is not sticky) is refused as the place of the
     * library: one WARN, the JDK launcher serves, and its failures are still named (ENOENT, not E2).
     */
    @Test
    void anExtractionDirectoryOthersCanChangeIsRefused() throws Exception {
        Path shared = Files.createDirectories(scratch.resolve("shared"));
        Files.setPosixFilePermissions(shared, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
        AgentJvm.Result r = AgentJvm.run(List.of(NO_SLOW_WARN, AgentJvm.javaagent("tmpdir=" + shared)),
                FailingSpawnApp.class.getName(), List.of(), Map.of(), scratch, 60);
        assertEquals(0, r.exit, r::toString);
        assertTrue(r.stderr.contains("not safe to load a library from " + shared.toRealPath() + ": "
                + shared.toRealPath() + " can be changed by other users (mode 777"), r::toString);
        assertEquals(1, r.stderr.lines().filter(l -> l.contains("WARN") && !l.contains("WARN spawn failed")).count(),
                r::toString);
        assertTrue(r.stderr.contains("WARN spawn failed program=\"/nonexistent/vfa-program\" errno=ENOENT "
                + "launcher=POSIX_SPAWN "), r::toString);
        assertTrue(r.stdout.contains("FAILED Cannot run program \"/nonexistent/vfa-program\""), r::toString);
        assertTrue(r.stdout.contains("AGENT launcher=jdk vfork=0 jdk=0 failures=1"), r::toString);
        assertTrue(r.stdout.contains("byErrno={ENOENT=1}"), r::toString);
        try (var s = Files.list(shared)) {
            assertEquals(List.of(), s.toList());
        }
    }

    /** What the agent's JNA records is its own: the JVM's system properties show nothing of it. */
    @Test
    void agentLeavesNoJnaPropertiesBehind() throws Exception {
        AgentJvm.Result r = AgentJvm.run(List.of(NO_SLOW_WARN, AgentJvm.javaagent("")),
                JnaIsolationApp.class.getName(), List.of(), Map.of(), scratch, 60);
        assertEquals(0, r.exit, r::toString);
        assertTrue(r.stdout.contains("AGENT launcher=vfork vfork=3 jdk=0"), r::toString);
        for (String key : List.of("jna.loaded", "jnidispatch.path", "jna.platform.library.path", "jna.nosys",
                "jna.nounpack")) {
            assertTrue(r.stdout.contains("PROP " + key + "=null"), key + ": " + r);
        }
    }

    /**
     * An application's own JNA (another version) loads a library known only through the ld.so
     * cache (libX.so.N, no libX.so) under the agent just as without it.
     */
    @Test
    void applicationJnaFindsWhatTheLdSoCacheKnows() throws Exception {
        String name = cacheOnlyLibrary();
        Assumptions.assumeTrue(name != null, "no library here is known to ld.so's cache by a versioned name only");
        String cp = AgentJvm.TEST_CLASSES + File.pathSeparator + appJna();
        AgentJvm.Result plain = AgentJvm.run(List.of("-cp", cp), JnaIsolationApp.class.getName(), List.of(name),
                Map.of(), scratch, 60);
        AgentJvm.Result agent = AgentJvm.run(List.of(NO_SLOW_WARN, AgentJvm.javaagent(""), "-cp", cp),
                JnaIsolationApp.class.getName(), List.of(name), Map.of(), scratch, 60);
        assertEquals(0, plain.exit, plain::toString);
        assertEquals(0, agent.exit, agent::toString);
        assertTrue(plain.stdout.contains("LOADED /"), plain::toString);
        assertEquals(line(plain.stdout, "LOADED"), line(agent.stdout, "LOADED"), agent::toString);
        assertEquals(line(plain.stdout, "PROP jna.platform.library.path"),
                line(agent.stdout, "PROP jna.platform.library.path"), agent::toString);
        assertTrue(agent.stdout.contains("AGENT launcher=vfork vfork="), agent::toString);
    }

    private static String line(String out, String prefix) {
        return out.lines().filter(l -> l.startsWith(prefix)).findFirst().orElse("(no " + prefix + ")");
    }

    /** A library the ld.so cache lists only as libX.so.N: X, or null. */
    private static String cacheOnlyLibrary() throws Exception {
        Process p = new ProcessBuilder("/sbin/ldconfig", "-p").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor();
        List<String> candidates = new ArrayList<>();
        for (String l : out.lines().toList()) {
            String t = l.trim();
            if (!t.contains("x86-64") && !t.contains("AArch64")) {
                continue;
            }
            String soname = t.split("\\s+")[0];
            int so = soname.indexOf(".so.");
            if (soname.startsWith("lib") && so > 3 && !out.contains(soname.substring(0, so + 3) + " ")) {
                candidates.add(soname.substring(3, so));
            }
        }
        for (String preferred : List.of("zstd", "z", "lzma", "bz2")) {
            if (candidates.contains(preferred)) {
                return preferred;
            }
        }
        return candidates.isEmpty() ? null : candidates.get(0);
    }

    /**
     * The first spawn comes while every descriptor is taken: what the agent sets off then (its
     * MBean) must wait, not fail and take the JDK's management classes with it.
     */
    @Test
    void descriptorShortageAtTheFirstSpawnLeavesJmxWorking() throws Exception {
        List<String> cmd = List.of("prlimit", "--nofile=512:512", AgentJvm.JAVA, NO_SLOW_WARN, AgentJvm.javaagent(""),
                "-cp", AgentJvm.TEST_CLASSES, FdShortageApp.class.getName());
        AgentJvm.Result r = run(cmd);
        assertEquals(0, r.exit, r::toString);
        assertTrue(r.stdout.contains("SPAWN-WHILE-OUT failed"), r::toString);
        assertTrue(r.stdout.contains("JMX false"), r::toString);
        assertTrue(r.stdout.contains("AGENT launcher=vfork vfork="), r::toString);
    }

    /**
     * The library cannot be written at start (its directory is full): the JDK launcher serves
     * meanwhile, and once there is room a later spawn loads it, with no restart.
     */
    @Test
    void aLoadThatFailedForWantOfSpaceIsRetried() throws Exception {
        Path dir = Files.createDirectories(scratch.resolve("full"));
        Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", dir.toString())
                .redirectErrorStream(true).start();
        Assumptions.assumeTrue(mount.waitFor() == 0, "cannot mount a tmpfs here (not root)");
        try {
            Path filler = dir.resolve("filler");
            Process fill = new ProcessBuilder("dd", "if=/dev/zero", "of=" + filler, "bs=64k")
                    .redirectErrorStream(true).start();
            fill.getInputStream().readAllBytes();
            fill.waitFor();
            AgentJvm.Result r = AgentJvm.run(List.of(NO_SLOW_WARN, AgentJvm.javaagent("tmpdir=" + dir)),
                    RetryApp.class.getName(), List.of(filler.toString()), Map.of(), scratch, 60);
            assertEquals(0, r.exit, r::toString);
            assertTrue(r.stdout.contains("BEFORE active version=") && r.stdout.contains("launcher=jdk reason=\"native "
                    + "launcher did not load: "), r::toString);
            assertTrue(r.stderr.contains("No space left on device"), r::toString);
            assertTrue(r.stderr.contains("until a retry at a later spawn succeeds"), r::toString);
            assertTrue(r.stdout.contains("AFTER active version=") && line(r.stdout, "AFTER").endsWith("launcher=vfork"),
                    r::toString);
            assertTrue(r.stderr.contains("native launcher loaded on retry; launcher=vfork"), r::toString);
            assertTrue(r.stdout.contains("AGENT launcher=vfork"), r::toString);
            assertTrue(Integer.parseInt(line(r.stdout, "AGENT").replaceAll(".* vfork=(\\d+) .*", "$1")) >= 3,
                    r::toString);
            try (var s = Files.list(dir)) {
                assertEquals(List.of(), s.toList(), "nothing left in the extraction directory");
            }
        } finally {
            new ProcessBuilder("umount", dir.toString()).start().waitFor();
        }
    }

    private AgentJvm.Result run(List<String> cmd) throws Exception {
        Path out = Files.createTempFile(scratch, "out", ".txt");
        Path err = Files.createTempFile(scratch, "err", ".txt");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("did not finish: " + cmd + "\n" + Files.readString(err));
        }
        return new AgentJvm.Result(p.exitValue(), Files.readString(out), Files.readString(err));
    }
}
