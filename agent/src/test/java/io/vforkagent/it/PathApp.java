package io.vforkagent.it;

import java.io.File;
import java.nio.charset.StandardCharsets;

/**
 * Runs each program given, by name, in a working directory: once with the JVM's environment
 * (the PATH it has now is searched) and once with a modified one (the PATH it had at start-up).
 * Prints one line per spawn (exit code and output, or the exception), then the agent's MBean
 * counters. Usage: {@code PathApp <directory> <program>...}.
 */
public final class PathApp {
    private PathApp() {
    }

    public static void main(String[] args) throws Exception {
        File dir = new File(args[0]);
        for (int i = 1; i < args.length; i++) {
            for (boolean modified : new boolean[] {false, true}) {
                ProcessBuilder pb = new ProcessBuilder(args[i], "a1").directory(dir).redirectErrorStream(true);
                if (modified) {
                    pb.environment().put("VFA_MODIFIED", "1");
                }
                String line;
                try {
                    Process p = pb.start();
                    p.getOutputStream().close();
                    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                    line = "exit=" + p.waitFor() + " out=" + out.trim().replace('\n', '|');
                } catch (Exception e) {
                    line = e.getClass().getName() + ": " + e.getMessage();
                }
                System.out.println("RUN " + (modified ? "modified " : "inherited ") + args[i] + " " + line);
            }
        }
        boolean agent = java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .anyMatch(a -> a.startsWith("-javaagent:"));
        SpawnApp.printAgent(agent ? 10 : 0);
    }
}
