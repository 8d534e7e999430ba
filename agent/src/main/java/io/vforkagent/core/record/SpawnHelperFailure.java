package io.vforkagent.core.record;

import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Recognises the JDK launcher's failure after an in-place JDK upgrade: the JDK starts
 * {@code lib/jspawnhelper} for every spawn, a helper of another build refuses the running JVM, and
 * every spawn fails with "Failed to exec spawn helper" until a restart. Says what it is and the
 * fix that needs no restart: the agent's own launcher, which runs no helper.
 *
 * <p>Runs only on a failed spawn of the JDK launcher. Reads the release file with java.io, whose
 * native code the JVM loaded at its start: nothing of the JDK now on disk is loaded for this.
 */
final class SpawnHelperFailure {
    private static final long CACHE_NANOS = 10_000_000_000L;
    private static volatile String cached;
    private static volatile long cachedAt;

    private SpawnHelperFailure() {
    }

    /** What the failure is and how to fix it; null when {@code message} is not this failure. */
    static String diagnose(String launcher, String message) {
        if ("vfork".equals(launcher) || message == null || !message.contains("Failed to exec spawn helper")) {
            return null;
        }
        long now = System.nanoTime();
        String d = cached;
        if (d == null || now - cachedAt > CACHE_NANOS) {
            d = text(System.getProperty("java.home"), System.getProperty("java.vm.version", ""), jar(),
                    ProcessHandle.current().pid());
            cached = d;
            cachedAt = now;
        }
        return d;
    }

    static String text(String home, String running, String jar, long pid) {
        String onDisk = releaseVersion(new File(home, "release"));
        String upgraded = onDisk != null && !onDisk.equals(running)
                ? "the JDK was upgraded in place under this running JVM (" + home + " is now " + onDisk
                + ", this JVM runs " + running + ")"
                : "most likely the JDK was upgraded in place under this running JVM";
        return "the JDK launcher's helper " + home + "/lib/jspawnhelper refused this JVM: " + upgraded
                + "; every spawn through the JDK launcher fails until a restart. Fix without a restart: java -jar "
                + jar + " attach " + pid + " launcher=vfork (vfork-agent's launcher runs no helper)";
    }

    /** JAVA_RUNTIME_VERSION of a JDK's release file; null when there is none to read. */
    static String releaseVersion(File release) {
        try (InputStream in = new FileInputStream(release)) {
            String text = new String(in.readNBytes(64 * 1024), StandardCharsets.UTF_8);
            for (String line : text.split("\n")) {
                if (line.startsWith("JAVA_RUNTIME_VERSION=")) {
                    String v = line.substring(line.indexOf('=') + 1).trim();
                    return v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"") ? v.substring(1, v.length() - 1) : v;
                }
            }
        } catch (IOException | RuntimeException e) {
            // gone or unreadable: said as "most likely"
        }
        return null;
    }

    private static String jar() {
        try {
            return new File(SpawnHelperFailure.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                    .getPath();
        } catch (Exception | Error e) {
            return "vfork-agent.jar";
        }
    }
}
