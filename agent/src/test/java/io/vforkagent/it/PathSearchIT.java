package io.vforkagent.it;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The PATH search, compared with the running JDK's for both of its rules: an inherited
 * environment (the JDK's child calls glibc's execvp: ELOOP and ENAMETOOLONG stop the search, an
 * empty entry runs the bare name, an overlong entry is skipped oddly) and a modified one (the
 * JDK's own loop: ELOOP goes on, an empty entry is ".", a name too long for its buffer is skipped).
 * Each PATH is the whole JVM's, so each case is a JVM without and one with the agent
 * ({@link PathApp}); their lines must be the same, and the agent's must come from its launcher.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PathSearchIT {
    private final Path scratch = Path.of("target", "path-search").toAbsolutePath();
    private Path base;

    @BeforeAll
    void tree() throws IOException {
        base = scratch.resolve("p");
        if (Files.exists(base)) {
            try (Stream<Path> s = Files.walk(base)) {
                s.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(p -> p.toFile().delete());
            }
        }
        for (String d : List.of("bin", "cwd", "elf")) {
            Files.createDirectories(base.resolve(d));
        }
        script("bin/prog", "#!/bin/sh\necho \"bin $0 $1\"\n");
        script("cwd/prog", "#!/bin/sh\necho \"cwd $0 $1\"\n");
        script("bin/nosh", "echo \"bin-nosh $0 $1\"\n");
        script("cwd/nosh", "echo \"cwd-nosh $0 $1\"\n");
        Files.copy(Path.of("/bin/true"), base.resolve("elf/nosh"));
        Files.createSymbolicLink(base.resolve("loop"), base.resolve("loop"));
    }

    private void script(String name, String text) throws IOException {
        Files.writeString(base.resolve(name), text);
        Files.setPosixFilePermissions(base.resolve(name), PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /** A name of that many bytes under base, of 200-byte components: nothing there. */
    private String longPath(int length) {
        StringBuilder b = new StringBuilder(base.toString());
        while (b.length() + 201 < length) {
            b.append('/').append("d".repeat(200));
        }
        b.append('/');
        b.append("e".repeat(length - b.length()));
        return b.toString();
    }

    @TestFactory
    Stream<DynamicTest> sameAsJdk() {
        String bin = base.resolve("bin").toString();
        String p = base.toString();
        List<String[]> cases = List.of(
                // PATH, then what the JDK's run must show (so that the case tests something)
                new String[] {"loop-first", p + "/loop:" + bin,
                    "RUN inherited prog java.io.IOException: Cannot run program \"prog\" (in directory",
                    "RUN modified prog exit=0 out=bin " + bin + "/prog a1"},
                new String[] {"long-component-first", p + "/" + "l".repeat(300) + ":" + bin,
                    "RUN inherited prog java.io.IOException", "RUN modified prog java.io.IOException"},
                new String[] {"empty-first", ":" + bin,
                    "RUN inherited prog exit=0 out=cwd prog a1", "RUN modified prog exit=0 out=cwd ./prog a1"},
                new String[] {"trailing-slash", bin + "/:/usr/bin:/bin",
                    "RUN inherited prog exit=0 out=bin " + bin + "//prog a1",
                    "RUN modified prog exit=0 out=bin " + bin + "/prog a1"},
                new String[] {"near-path-max-first", longPath(4092) + ":" + bin,
                    "RUN inherited prog java.io.IOException", "RUN modified prog exit=0 out=bin " + bin + "/prog a1"},
                new String[] {"over-path-max-first", longPath(5000) + ":" + bin,
                    "RUN inherited prog exit=0 out=cwd prog a1", "RUN modified prog exit=0 out=bin " + bin + "/prog a1"},
                new String[] {"over-path-max-only", longPath(5000),
                    "RUN inherited prog java.io.IOException", "RUN modified prog java.io.IOException"});
        List<DynamicTest> tests = new ArrayList<>();
        for (String[] c : cases) {
            tests.add(DynamicTest.dynamicTest(c[0], () -> {
                List<String> jdk = compare(c[0], c[1], List.of());
                for (int i = 2; i < c.length; i++) {
                    String want = c[i];
                    assertTrue(jdk.stream().anyMatch(l -> l.startsWith(want)), () -> "JDK: no line " + want + "\n" + jdk);
                }
            }));
        }
        return tests.stream();
    }

    /**
     * No /bin/sh (a private mount namespace hides its directory: needs root): a script without
     * #! fails with /bin/sh's ENOENT, and the search goes on to the next entry, like the JDK's.
     */
    @Test
    void shellMissingSearchGoesOn() throws Exception {
        Path shDir = Path.of("/bin/sh").toRealPath().getParent();
        String unshare = which("unshare");
        String mount = which("mount");
        Assumptions.assumeTrue(unshare != null && mount != null, "no unshare or mount");
        List<String> hide = List.of(unshare, "--mount", "--propagation", "private", "/bin/sh", "-c",
                mount + " -t tmpfs none \"$1\" && shift && exec \"$@\"", "sh", shDir.toString());
        Process probe = new ProcessBuilder(concat(hide, List.of(AgentJvm.JAVA, "-version"))).redirectErrorStream(true)
                .start();
        String why = new String(probe.getInputStream().readAllBytes());
        Assumptions.assumeTrue(probe.waitFor() == 0, "no private mount namespace here: " + why);
        List<String> jdk = compare("no-sh", base.resolve("bin") + ":" + base.resolve("elf"), hide);
        assertTrue(jdk.contains("RUN inherited nosh exit=0 out=") && jdk.contains("RUN modified nosh exit=0 out="),
                () -> "the JDK ran elf/nosh after bin/nosh's /bin/sh failed\n" + jdk);
    }

    /** Runs PathApp under PATH without and with the agent; returns the JDK's lines. */
    private List<String> compare(String name, String path, List<String> wrapper) throws Exception {
        AgentJvm.Result jdk = run(wrapper, List.of(), path);
        AgentJvm.Result agent = run(wrapper, List.of(AgentJvm.javaagent("")), path);
        List<String> expected = lines(jdk, "RUN ");
        assertEquals(6, expected.size(), () -> name + ": " + jdk);
        assertEquals(expected, lines(agent, "RUN "), name + ": the same outcomes with the agent");
        String counters = lines(agent, "AGENT ").stream().findFirst().orElse("none");
        assertTrue(counters.startsWith("AGENT launcher=vfork ") && counters.contains(" jdk=0 "),
                () -> name + ": the agent's launcher served every spawn: " + agent);
        return expected;
    }

    private static List<String> lines(AgentJvm.Result r, String prefix) {
        assertEquals(0, r.exit, r::toString);
        return r.stdout.lines().filter(l -> l.startsWith(prefix)).collect(Collectors.toList());
    }

    /** A JVM (inside the wrapper command, if any) with PATH as given and nothing else changed. */
    private AgentJvm.Result run(List<String> wrapper, List<String> jvmOptions, String path) throws Exception {
        List<String> cmd = new ArrayList<>(wrapper);
        cmd.add(AgentJvm.JAVA);
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-cp", AgentJvm.TEST_CLASSES, PathApp.class.getName(), base.resolve("cwd").toString(),
                "prog", "nosh", "missing"));
        Path out = Files.createTempFile(scratch, "stdout", ".txt");
        Path err = Files.createTempFile(scratch, "stderr", ".txt");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().put("PATH", path);
        Process p = pb.start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("JVM did not finish: " + cmd);
        }
        return new AgentJvm.Result(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    /** The program's path in this JVM's PATH, or null. */
    private static String which(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            Path f = Path.of(dir.isEmpty() ? "." : dir, name);
            if (Files.isExecutable(f)) {
                return f.toAbsolutePath().toString();
            }
        }
        return null;
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
