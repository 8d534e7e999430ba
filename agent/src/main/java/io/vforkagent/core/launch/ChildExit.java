package io.vforkagent.core.launch;

/**
 * A child's end as a launcher saw it when it waited: the JDK's encoded value, and where the
 * native wait4 reaped it, the raw status and the child's resource usage.
 */
public final class ChildExit {
    private final int value;
    private final int status;
    private final long[] usage;

    private ChildExit(int value, int status, long[] usage) {
        this.value = value;
        this.status = status;
        this.usage = usage;
    }

    /** What the JDK's own wait returned: all it tells. */
    static ChildExit jdk(int value) {
        return new ChildExit(value, -1, null);
    }

    /** From vfa_wait's figures (the WAIT_* slots). */
    static ChildExit reaped(int value, long[] usage) {
        return new ChildExit(value, (int) usage[NativeLauncher.WAIT_STATUS], usage);
    }

    /** The exit status, or 0x80 + signal: the JDK's encoding, what {@code waitFor} returns. */
    public int value() {
        return value;
    }

    /** The signal that ended the child, 0 when it exited or when only the JDK's value is known. */
    public int signal() {
        // 0x80 + signal in the JDK's value is indistinguishable from an exit code above 128.
        int sig = status & 0x7f;
        return status == -1 || sig == 0x7f ? 0 : sig;
    }

    /** The exit code, or -1 when a signal ended the child. */
    public int code() {
        return signal() != 0 ? -1 : value;
    }

    public boolean hasUsage() {
        return usage != null;
    }

    // The usage figures are -1 without usage.

    public long userCpuNanos() {
        return get(NativeLauncher.WAIT_UTIME);
    }

    public long systemCpuNanos() {
        return get(NativeLauncher.WAIT_STIME);
    }

    /**
     * The child's own peak resident set, or -1 when it is hidden: Linux counts the JVM's peak
     * (the memory a vfork or posix_spawn child shares until exec) into the child's maxrss, so
     * only a figure above the JVM's own peak is the child's.
     */
    public long ownPeakRssBytes() {
        if (usage == null) {
            return -1;
        }
        long child = usage[NativeLauncher.WAIT_MAXRSS];
        return child > usage[NativeLauncher.WAIT_SELF_MAXRSS] ? child : -1;
    }

    public long minorFaults() {
        return get(NativeLauncher.WAIT_MINFLT);
    }

    public long majorFaults() {
        return get(NativeLauncher.WAIT_MAJFLT);
    }

    public long voluntaryContextSwitches() {
        return get(NativeLauncher.WAIT_NVCSW);
    }

    public long involuntaryContextSwitches() {
        return get(NativeLauncher.WAIT_NIVCSW);
    }

    private long get(int slot) {
        return usage == null ? -1 : usage[slot];
    }
}
