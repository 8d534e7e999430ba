package io.vforkagent.it;

import com.sun.jna.Native;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Spawns while a real system limit is reached, three times, then once more after lifting it:
 * {@code nproc} (no new process may be created: EAGAIN) and {@code memory} (no new mapping may
 * be made: ENOMEM, the launcher's own allocations fail). The limit is raised by this JVM itself
 * around each spawn, so the window is a few microseconds long.
 * Usage: {@code LimitsApp nproc <pids cgroup directory | "rlimit">} or {@code LimitsApp memory [headroom]}
 * (bytes of address space left free above what is mapped; 0 by default).
 * Prints one {@code FAULT} line per attempt (what {@code start()} threw, line breaks as {@code \n}), then
 * {@code LIMITS recovered=… fdsBefore=… fdsAfter=… zombies=…}: the same with or without the agent.
 */
public final class LimitsApp {
    private static final int RLIMIT_NPROC = 6;
    private static final int RLIMIT_AS = 9;

    private LimitsApp() {
    }

    /** setrlimit(2): unlike root's process count, an address-space limit binds root too. */
    static final class LibC {
        static {
            Native.register("c");
        }

        static native int getrlimit(int resource, long[] limit);

        static native int setrlimit(int resource, long[] limit);
    }

    public static void main(String[] args) throws Exception {
        String fault = args[0];
        boolean memory = fault.equals("memory");
        Path cgroup = !memory && args.length > 1 && !args[1].equals("rlimit") ? Path.of(args[1]) : null;
        long headroom = memory && args.length > 1 ? Long.parseLong(args[1]) : 0;
        if (cgroup != null) {
            // Moves every thread of this JVM into the group, whose pids.max counts them all.
            Files.writeString(cgroup.resolve("cgroup.procs"), Long.toString(ProcessHandle.current().pid()));
        }
        long[] saved = new long[2];
        check(LibC.getrlimit(fault.equals("memory") ? RLIMIT_AS : RLIMIT_NPROC, saved) == 0, "getrlimit");
        Descriptors.warmUp();
        try {
            new ProcessBuilder("/no/such/program").start();
        } catch (IOException expected) {
            // loads what a failed spawn needs, so nothing is loaded inside the window
        }
        int fdsBefore = Descriptors.count();
        String before = Descriptors.describe();
        for (int i = 1; i <= 3; i++) {
            String outcome;
            limit(fault, cgroup, headroom, saved, true);
            try {
                Process p = new ProcessBuilder("/bin/true").start();
                limit(fault, cgroup, headroom, saved, false);
                outcome = "started " + p.waitFor();
            } catch (IOException e) {
                limit(fault, cgroup, headroom, saved, false);
                outcome = e.getClass().getName() + ": " + e.getMessage().replace("\n", "\\n");
            }
            System.out.println("FAULT " + i + " " + outcome);
            // The JDK's reaper thread that waited for the child goes back to its pool: the next
            // spawn reuses it instead of needing a new thread (and its stack) inside the window.
            Thread.sleep(200);
        }
        Process p = new ProcessBuilder("/bin/echo", "recovered").start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        p.getInputStream().close();
        p.getOutputStream().close();
        p.getErrorStream().close();
        boolean recovered = out.equals("recovered") && p.waitFor() == 0;
        int fdsAfter = Descriptors.settled(fdsBefore);
        System.out.println("LIMITS recovered=" + recovered + " fdsBefore=" + fdsBefore + " fdsAfter=" + fdsAfter
                + " zombies=" + Descriptors.zombies());
        if (fdsAfter != fdsBefore) {
            System.out.println("FDS before " + before + "\nFDS after  " + Descriptors.describe());
        }
        boolean agent = java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .anyMatch(a -> a.startsWith("-javaagent:"));
        SpawnApp.printAgent(agent ? 10 : 0);
    }

    /** Reaches the limit (on) or restores it (off). Nothing here may create a thread or a mapping. */
    private static void limit(String fault, Path cgroup, long headroom, long[] saved, boolean on) throws IOException {
        if (fault.equals("memory")) {
            // Whatever is mapped now, and headroom, is all there may be: a larger mmap/brk fails with ENOMEM.
            long[] l = {on ? vmSize() + headroom : saved[0], saved[1]};
            check(LibC.setrlimit(RLIMIT_AS, l) == 0, "setrlimit(RLIMIT_AS)");
        } else if (cgroup != null) {
            Files.writeString(cgroup.resolve("pids.max"), on ? "1" : "max");
        } else {
            long[] l = {on ? 1 : saved[0], saved[1]};
            check(LibC.setrlimit(RLIMIT_NPROC, l) == 0, "setrlimit(RLIMIT_NPROC)");
        }
    }

    private static long vmSize() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmSize:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new IOException("no VmSize in /proc/self/status");
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new IllegalStateException(what + " failed");
        }
    }
}
