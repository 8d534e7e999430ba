package io.vforkagent.core.launch;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** Launch outcomes and exits as the launchers make them, for tests and benchmarks outside this package. */
public final class Outcomes {
    private Outcomes() {
    }

    /** A vfork launch of 150 µs; with {@code executable}, the path the search found. */
    public static SpawnOutcome started(int pid, boolean executable) {
        long start = System.nanoTime();
        return SpawnOutcome.started("vfork", pid, start, start + 150_000, 20_000, 100_000, 30_000,
                executable ? "/usr/bin/echo\0".getBytes(StandardCharsets.UTF_8) : null);
    }

    public static SpawnOutcome startedByJdk(int pid) {
        long start = System.nanoTime();
        return SpawnOutcome.started("POSIX_SPAWN", pid, start, start + 400_000, 0, 0, 0, null);
    }

    public static SpawnOutcome failed(String launcher, int errno, String errnoName, String step, IOException e) {
        long start = System.nanoTime();
        return SpawnOutcome.failed(launcher, start, start + 90_000, errno, errnoName, step, e);
    }

    /** An exit with code 0 reaped by wait4, with its usage. */
    public static ChildExit exited() {
        long[] usage = new long[NativeLauncher.WAIT_LEN];
        usage[NativeLauncher.WAIT_UTIME] = 1_000_000;
        usage[NativeLauncher.WAIT_MAXRSS] = 4 << 20;
        usage[NativeLauncher.WAIT_SELF_MAXRSS] = 64 << 20;
        return ChildExit.reaped(0, usage);
    }

    /** A wait4 status: exited with {@code code}, or ended by signal {@code sig}. */
    public static ChildExit reaped(int value, int status) {
        long[] usage = new long[NativeLauncher.WAIT_LEN];
        usage[NativeLauncher.WAIT_STATUS] = status;
        return ChildExit.reaped(value, usage);
    }

    public static ChildExit byJdk(int value) {
        return ChildExit.jdk(value);
    }
}
