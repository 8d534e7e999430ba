package io.vforkagent.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs a main class of the test classes in a fresh JVM (the running JDK), with or without the agent. */
final class AgentJvm {
    static final Path AGENT_JAR = Path.of(System.getProperty("vforkagent.jar", "target/vfork-agent.jar"));
    static final String TEST_CLASSES = System.getProperty("vforkagent.testClasses", "target/test-classes");
    static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();

    /** What a finished JVM left behind. */
    static final class Result {
        final int exit;
        final String stdout;
        final String stderr;

        Result(int exit, String stdout, String stderr) {
            this.exit = exit;
            this.stdout = stdout;
            this.stderr = stderr;
        }

        @Override
        public String toString() {
            return "exit=" + exit + "\n--- stdout\n" + stdout + "\n--- stderr\n" + stderr;
        }
    }

    private AgentJvm() {
    }

    /** The JVM options that load the agent with the given options ("" = none). */
    static String javaagent(String options) {
        return "-javaagent:" + AGENT_JAR.toAbsolutePath() + (options.isEmpty() ? "" : "=" + options);
    }

    /** {@code java -jar vfork-agent.jar args...}: the command-line tool. */
    static Result cli(Path scratch, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(JAVA, "-jar", AGENT_JAR.toString()));
        cmd.addAll(List.of(args));
        Files.createDirectories(scratch);
        Path out = Files.createTempFile(scratch, "cli", ".out");
        Path err = Files.createTempFile(scratch, "cli", ".err");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("did not finish in 60 s: " + cmd);
        }
        return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    static Result run(List<String> jvmOptions, String mainClass, List<String> args, Map<String, String> env,
                      Path scratch, long timeoutSeconds) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(JAVA);
        cmd.addAll(jvmOptions);
        if (!jvmOptions.contains("-cp")) {
            cmd.add("-cp");
            cmd.add(TEST_CLASSES);
        }
        cmd.add(mainClass);
        cmd.addAll(args);
        Files.createDirectories(scratch);
        Path out = Files.createTempFile(scratch, "stdout", ".txt");
        Path err = Files.createTempFile(scratch, "stderr", ".txt");
        // Launched with the JDK's own launcher: this test JVM has no agent.
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("JVM did not finish in " + timeoutSeconds + " s: " + cmd + "\n"
                    + Files.readString(err));
        }
        return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }
}
