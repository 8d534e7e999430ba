package io.vforkagent.it;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The system calls themselves: under the agent each spawn is one CLONE_VM|CLONE_VFORK clone and
 * one exec of the target, with no jspawnhelper; without it, the JDK's usual path.
 * (.ci/run installs strace where it is missing.)
 */
class StraceIT {
    private final Path scratch = Path.of("target", "strace").toAbsolutePath();

    private List<String> trace(List<String> jvmOptions) throws Exception {
        Assumptions.assumeTrue(new File("/usr/bin/strace").canExecute(), "strace is not installed");
        Files.createDirectories(scratch);
        Path out = scratch.resolve("trace-" + jvmOptions.size() + ".txt");
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/strace", "-f", "-qq", "-e", "trace=clone,clone3,vfork,fork,execve",
                "-o", out.toString(), AgentJvm.JAVA));
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-cp", AgentJvm.TEST_CLASSES, SpawnApp.class.getName(), "5", "0"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(scratch.resolve("out.txt").toFile())
                .start();
        assertEquals(0, p.waitFor(), () -> "strace run failed: " + read(scratch.resolve("out.txt")));
        return Files.readAllLines(out);
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (Exception e) {
            return e.toString();
        }
    }

    private static long count(List<String> lines, String regex) {
        Pattern p = Pattern.compile(regex);
        return lines.stream().filter(l -> p.matcher(l).find()).count();
    }

    @Test
    void agentSpawnsWithOneVforkCloneAndOneExec() throws Exception {
        List<String> lines = trace(List.of(AgentJvm.javaagent("jmx=false")));
        assertEquals(0, count(lines, "jspawnhelper"), () -> String.join("\n", lines));
        // The five echo spawns: a vfork clone each from the spawning thread, then the exec.
        assertEquals(5, count(lines, "execve\\(\"/(usr/)?bin/echo\", \\[\"/bin/echo\", \"spawn-\\d\"\\]"),
                () -> String.join("\n", lines));
        long vforkClones = count(lines, "clone\\(child_stack=0x[0-9a-f]+, flags=CLONE_VM\\|CLONE_VFORK\\|SIGCHLD");
        assertEquals(5, vforkClones, () -> String.join("\n", lines));
        // Every exec'd process other than the JVM itself is one of ours.
        Matcher m = Pattern.compile("execve\\(\"([^\"]+)\"").matcher(String.join("\n", lines));
        List<String> execs = new ArrayList<>();
        while (m.find()) {
            execs.add(m.group(1));
        }
        assertEquals(6, execs.size(), execs::toString);
    }

    @Test
    void withoutTheAgentTheJdkUsesItsHelper() throws Exception {
        List<String> lines = trace(List.of());
        assertEquals(5, count(lines, "execve\\(\"[^\"]*/jspawnhelper\""), () -> String.join("\n", lines));
        assertTrue(count(lines, "clone\\(child_stack=0x[0-9a-f]+, flags=CLONE_VM\\|CLONE_VFORK\\|SIGCHLD") == 0,
                "the JDK's posix_spawn goes through glibc's clone3");
    }
}
