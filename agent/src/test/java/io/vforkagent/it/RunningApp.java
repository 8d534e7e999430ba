package io.vforkagent.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A test application running in a JVM of its own (WaitingApp, HealApp): started, it says READY,
 * then answers commands on stdin; its stdin and stdout at hand, its stderr in a file.
 */
final class RunningApp {
    final Process process;
    final BufferedReader out;
    final PrintWriter in;
    final long pid;
    final Path stderr;

    /**
     * Runs {@code command} (added to {@code started}, for the test to stop) and waits for its READY;
     * the stderr goes to {@code name}-stderr.txt in {@code scratch}.
     */
    RunningApp(Path scratch, String name, List<String> command, List<Process> started) throws Exception {
        Files.createDirectories(scratch);
        stderr = scratch.resolve(name + "-stderr.txt");
        process = new ProcessBuilder(command).redirectError(stderr.toFile()).start();
        started.add(process);
        out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        in = new PrintWriter(process.getOutputStream(), true);
        String ready = out.readLine();
        assertTrue(ready != null && ready.startsWith("READY "), name + " said " + ready + "\n" + stderr());
        pid = process.pid();
    }

    /**
     * {@code java} (or a program that execs it with the options that follow) running {@code main}
     * of the test classes.
     */
    static List<String> command(String java, List<String> jvmOptions, Class<?> main) {
        List<String> cmd = new ArrayList<>(List.of(java));
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-cp", AgentJvm.TEST_CLASSES, main.getName()));
        return cmd;
    }

    /** The first line starting with {@code prefix} after sending {@code command}; other lines are skipped. */
    String ask(String command, String prefix) throws Exception {
        in.println(command);
        for (String line; (line = out.readLine()) != null; ) {
            if (line.startsWith(prefix)) {
                return line;
            }
        }
        throw new AssertionError("app ended before answering " + command + "\n" + stderr());
    }

    String stderr() throws IOException {
        return Files.readString(stderr);
    }
}
