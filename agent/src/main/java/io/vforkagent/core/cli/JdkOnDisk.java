package io.vforkagent.core.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Whether the JDK installation under a running JVM changed on disk since that JVM started, as a
 * package manager's in-place upgrade does (each file renamed over, so the running JVM keeps the
 * old ones it has open). Judged from files and {@code /proc} only: nothing is run (least of all
 * {@code jspawnhelper}), nothing attached.
 *
 * <ul>
 * <li>{@code lib/jspawnhelper} changed (its ctime, which a rename sets) after the JVM started:
 *     the JDK launcher starts it for every spawn, and a helper of another build refuses the JVM;
 * <li>the {@code release} file, rewritten after the start, names another version than the JVM runs;
 * <li>files the JVM has mapped ({@code libjvm.so}, {@code lib/modules}...) show as deleted in
 *     {@code /proc/<pid>/maps}: replaced under it.
 * </ul>
 */
final class JdkOnDisk {
    /** What changed, one phrase each; empty when nothing did. */
    final List<String> changes = new ArrayList<>();
    /** The helper the JDK launcher runs for each spawn is not the one the JVM started with (or gone). */
    boolean helperChanged;
    /** The version the installation's release file names now; "" when unknown. */
    String diskVersion = "";
    /** Mapped JDK files that were replaced, relative to the JDK's home. */
    final List<String> replacedMapped = new ArrayList<>();
    /** Why the check could not be made; "" when it was. */
    String unknown = "";

    boolean changed() {
        return !changes.isEmpty();
    }

    /**
     * @param root           the target's root directory ("/" or /proc/PID/root for another mount namespace)
     * @param home           the JDK home the JVM runs from, as the JVM sees it
     * @param runningVersion the JVM's java.vm.version ("" if unknown)
     * @param javaVersion    the JVM's java.version ("" if unknown)
     * @param startMillis    when the JVM started, ms since the epoch (-1 if unknown)
     * @param maps           the lines of /proc/PID/maps, null if unreadable
     */
    static JdkOnDisk check(Path root, String home, String runningVersion, String javaVersion, long startMillis,
                           List<String> maps) {
        JdkOnDisk d = new JdkOnDisk();
        if (home.isEmpty() || !home.startsWith("/")) {
            d.unknown = "JDK home unknown";
            return d;
        }
        Path dir = root.resolve(home.substring(1));
        if (!Files.isDirectory(dir)) {
            d.changes.add("its JDK directory " + home + " is gone");
            d.helperChanged = true;
            d.replaced(maps, home);
            return d;
        }
        Path helper = dir.resolve("lib/jspawnhelper");
        try {
            FileTime ctime = (FileTime) Files.getAttribute(helper, "unix:ctime", LinkOption.NOFOLLOW_LINKS);
            if (startMillis > 0 && ctime.toMillis() > startMillis) {
                d.helperChanged = true;
                d.changes.add("lib/jspawnhelper replaced " + time(ctime.toMillis()));
            }
        } catch (NoSuchFileException e) {
            d.helperChanged = true;
            d.changes.add("lib/jspawnhelper is missing");
        } catch (IOException | RuntimeException e) {
            d.unknown = "cannot stat lib/jspawnhelper: " + e.getMessage();
        }
        Path release = dir.resolve("release");
        try {
            Map<String, String> r = release(release);
            String now = r.getOrDefault("JAVA_RUNTIME_VERSION", "");
            boolean runtime = !now.isEmpty();
            if (!runtime) {
                now = r.getOrDefault("JAVA_VERSION", "");
            }
            d.diskVersion = now;
            String running = runtime ? runningVersion : javaVersion;
            long ctime = ((FileTime) Files.getAttribute(release, "unix:ctime", LinkOption.NOFOLLOW_LINKS)).toMillis();
            // Only a release file written after the start counts: some builds name their version
            // differently there and in java.vm.version, which is no change.
            if (!now.isEmpty() && !running.isEmpty() && !now.equals(running) && startMillis > 0 && ctime > startMillis) {
                d.changes.add("the installation is now " + now + " (the JVM runs " + running + ")");
            }
        } catch (IOException | RuntimeException e) {
            // no release file (a jlinked image may have none): the other signs remain
        }
        d.replaced(maps, home);
        return d;
    }

    private void replaced(List<String> maps, String home) {
        if (maps == null) {
            return;
        }
        String prefix = home.endsWith("/") ? home : home + "/";
        for (String line : maps) {
            int slash = line.indexOf('/');
            if (slash < 0 || !line.endsWith(" (deleted)")) {
                continue;
            }
            String path = line.substring(slash, line.length() - " (deleted)".length());
            if (path.startsWith(prefix) && !replacedMapped.contains(path.substring(prefix.length()))) {
                replacedMapped.add(path.substring(prefix.length()));
            }
        }
        if (!replacedMapped.isEmpty()) {
            // The JVM itself, its core library and its class image first: they say most.
            List<String> first = List.of("lib/server/libjvm.so", "lib/libjava.so", "lib/modules");
            replacedMapped.sort(java.util.Comparator.comparingInt(f -> first.contains(f) ? first.indexOf(f)
                    : first.size()));
            int n = replacedMapped.size();
            changes.add(n + " JDK file" + (n == 1 ? "" : "s") + " it runs from replaced on disk ("
                    + String.join(", ", replacedMapped.subList(0, Math.min(3, n))) + (n > 3 ? ", ..." : "") + ")");
        }
    }

    /** KEY="value" lines of a JDK's release file; at most 64 KiB of a regular file is read. */
    static Map<String, String> release(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + " is not a regular file");
        }
        String text;
        try (InputStream in = Files.newInputStream(file)) {
            text = new String(in.readNBytes(64 * 1024), StandardCharsets.UTF_8);
        }
        Map<String, String> m = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                String v = line.substring(eq + 1).trim();
                if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
                    v = v.substring(1, v.length() - 1);
                }
                m.put(line.substring(0, eq).trim(), v);
            }
        }
        return m;
    }

    static String time(long millis) {
        return Instant.ofEpochMilli(millis).truncatedTo(ChronoUnit.SECONDS).toString();
    }
}
