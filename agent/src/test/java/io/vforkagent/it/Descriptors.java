package io.vforkagent.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Stream;

/** What the test applications compare before and after a run: this JVM's descriptors and zombies. */
final class Descriptors {
    private Descriptors() {
    }

    /**
     * Opens what the JDK opens once per JVM (reaper thread, classes) with one spawn, and closes its
     * streams here: left to the JDK they are closed by the reaper thread some time after the exit,
     * which made a count taken right after {@code waitFor} include them, or not. Call before
     * counting.
     */
    static void warmUp() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("/bin/true").start();
        p.getOutputStream().close();
        p.getInputStream().close();
        p.getErrorStream().close();
        p.waitFor();
        // The agent's start-up threads go on after the first spawn (library, MBean server), and
        // the descriptors they open meanwhile are not the run's.
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().equals("vfork-agent-init") || t.getName().equals("vfork-agent-jmx")) {
                t.join(10_000);
            }
        }
    }

    static int count() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return (int) s.count();
        }
    }

    /**
     * The count once it is back to {@code before} or has stopped falling for 5 s: streams of
     * exited children are closed asynchronously by the JDK's reaper; a leaked descriptor never is.
     */
    static int settled(int before) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        int n = count();
        while (n > before && System.nanoTime() < deadline) {
            Thread.sleep(100);
            n = count();
        }
        return n;
    }

    /** Descriptor number to target, for the message when the counts differ. */
    static String describe() throws IOException {
        TreeMap<Integer, String> fds = new TreeMap<>();
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            for (Path p : (Iterable<Path>) s::iterator) {
                try {
                    fds.put(Integer.parseInt(p.getFileName().toString()), Files.readSymbolicLink(p).toString());
                } catch (IOException closedMeanwhile) {
                    // the listing's own descriptor, or one closed since
                }
            }
        }
        return fds.toString();
    }

    /** Children of this JVM that exited and were never reaped. */
    static int zombies() throws IOException {
        long self = ProcessHandle.current().pid();
        List<Path> procs = new ArrayList<>();
        try (Stream<Path> s = Files.list(Path.of("/proc"))) {
            s.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit)).forEach(procs::add);
        }
        int n = 0;
        for (Path p : procs) {
            try {
                String stat = Files.readString(p.resolve("stat"));
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                if (f[0].equals("Z") && Long.parseLong(f[1]) == self) {
                    n++;
                }
            } catch (IOException gone) {
                // exited meanwhile
            }
        }
        return n;
    }
}
