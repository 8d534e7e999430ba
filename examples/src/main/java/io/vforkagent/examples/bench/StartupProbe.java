package io.vforkagent.examples.bench;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A hello-world JVM for the start-up figures: optionally times its first spawn, then prints its
 * peak resident set (VmHWM). Usage: {@code StartupProbe [spawn]}.
 */
public final class StartupProbe {
    private StartupProbe() {
    }

    public static void main(String[] args) throws Exception {
        long firstSpawnNanos = -1;
        if (args.length > 0 && args[0].equals("spawn")) {
            long t0 = System.nanoTime();
            Process p = new ProcessBuilder("/bin/true").start();
            firstSpawnNanos = System.nanoTime() - t0;
            p.waitFor();
        }
        long hwmKib = Files.readAllLines(Path.of("/proc/self/status")).stream()
                .filter(l -> l.startsWith("VmHWM:")).map(l -> l.replaceAll("\\D", "")).mapToLong(Long::parseLong)
                .findFirst().orElse(-1);
        System.out.printf(java.util.Locale.ROOT, "STARTUP hwm_kib=%d first_spawn_us=%.1f%n", hwmKib,
                firstSpawnNanos / 1e3);
    }
}
