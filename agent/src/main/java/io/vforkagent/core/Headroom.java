package io.vforkagent.core;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether the process has resources to spare before the agent sets off JDK work that would fail
 * for good without them (a class initialiser that loads a library).
 */
final class Headroom {
    /** Descriptors left free before the JDK's management classes are initialised. */
    static final int FOR_JDK_INIT = 32;

    private Headroom() {
    }

    /** False when fewer than {@code n} descriptors are free, or when that cannot be told. */
    static boolean descriptorsToSpare(int n) {
        try {
            long limit = softLimit();
            long open = 0;
            try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
                for (Path ignored : fds) {
                    open++;
                }
            }
            return limit - open >= n;
        } catch (IOException | RuntimeException | Error e) {
            return false; // not even a descriptor to read them with
        }
    }

    /** The soft RLIMIT_NOFILE, from /proc/self/limits ("Max open files  1024  4096  files"). */
    private static long softLimit() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
            if (line.startsWith("Max open files")) {
                String soft = line.substring("Max open files".length()).trim().split("\\s+")[0];
                return soft.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(soft);
            }
        }
        throw new IOException("no 'Max open files' in /proc/self/limits");
    }
}
