package io.vforkagent.it;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Spawns once with an env block or a working directory whose byte array is {@code size} + 8 bytes
 * long: with {@code libfailalloc.so} preloaded, the JVM cannot copy that array into C memory.
 * The child, if it ran, would write its environment's {@code VFA_SECRET} and its directory to the
 * marker file. Usage: {@code CopyFailureApp <size> env|dir <marker>}. Prints {@code STARTED ...} or
 * {@code THROWN <class>: <message>}, then what the agent's MBean says.
 */
public final class CopyFailureApp {
    private CopyFailureApp() {
    }

    public static void main(String[] args) throws Exception {
        int size = Integer.parseInt(args[0]) + 8;
        Path marker = Path.of(args[2]);
        ProcessBuilder pb = new ProcessBuilder("/bin/sh", "-c", "echo \"secret=$VFA_SECRET dir=$(pwd)\" > " + marker);
        if (args[1].equals("env")) {
            pb.environment().clear();
            pb.environment().put("PAD", "x".repeat(size - "PAD=".length() - 1)); // "PAD=x...x\0"
        } else {
            StringBuilder dir = new StringBuilder("/tmp");
            while (dir.length() < size - 1) { // the path and its NUL
                dir.append("/.");
            }
            dir.setLength(size - 1);
            if (dir.charAt(dir.length() - 1) == '/') {
                dir.setCharAt(dir.length() - 1, '.');
            }
            pb.directory(new File(dir.toString()));
        }
        try {
            Process p = pb.start();
            System.out.println("STARTED pid=" + p.pid() + " exit=" + p.waitFor());
        } catch (IOException e) {
            System.out.println("THROWN " + e.getClass().getName() + ": " + e.getMessage());
        }
        boolean agent = java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .anyMatch(a -> a.startsWith("-javaagent:"));
        SpawnApp.printAgent(agent ? 10 : 0);
    }
}
