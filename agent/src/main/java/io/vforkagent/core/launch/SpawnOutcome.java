package io.vforkagent.core.launch;

import java.io.IOException;

/**
 * What a launch came to: a child's pid, or the errno, step and exception of a failure; with the
 * launcher that did it, its timings and, when asked for, the executable the search found.
 */
public final class SpawnOutcome {
    private final String launcher;
    private final int pid;
    private final long startNanos;
    private final long endNanos;
    private final long setupNanos;
    private final long cloneToExecNanos;
    private final long afterNanos;
    private final byte[] executable;
    private final int errno;
    private final String errnoName;
    private final String step;
    private final IOException exception;

    private SpawnOutcome(String launcher, int pid, long startNanos, long endNanos, long setupNanos,
                         long cloneToExecNanos, long afterNanos, byte[] executable, int errno, String errnoName,
                         String step, IOException exception) {
        this.launcher = launcher;
        this.pid = pid;
        this.startNanos = startNanos;
        this.endNanos = endNanos;
        this.setupNanos = setupNanos;
        this.cloneToExecNanos = cloneToExecNanos;
        this.afterNanos = afterNanos;
        this.executable = executable;
        this.errno = errno;
        this.errnoName = errnoName;
        this.step = step;
        this.exception = exception;
    }

    /**
     * A child started. The phase timings are 0 where the launcher cannot tell them (the JDK's);
     * {@code executable} is the NUL-terminated path exec'd, or null when not asked for.
     */
    static SpawnOutcome started(String launcher, int pid, long startNanos, long endNanos, long setupNanos,
                                long cloneToExecNanos, long afterNanos, byte[] executable) {
        return new SpawnOutcome(launcher, pid, startNanos, endNanos, setupNanos, cloneToExecNanos, afterNanos,
                executable, 0, "", "", null);
    }

    /**
     * No child. {@code errno} is -1 and its name "" when the launcher did not tell it; the step is
     * "" when the launcher tells none (the JDK's).
     */
    static SpawnOutcome failed(String launcher, long startNanos, long endNanos, int errno, String errnoName,
                               String step, IOException exception) {
        return new SpawnOutcome(launcher, -1, startNanos, endNanos, 0, 0, 0, null, errno, errnoName, step, exception);
    }

    public boolean started() {
        return exception == null;
    }

    /** "vfork", or the JDK's mechanism: "POSIX_SPAWN", "FORK", "VFORK". */
    public String launcher() {
        return launcher;
    }

    public boolean byJdk() {
        return !launcher.equals("vfork");
    }

    public int pid() {
        return pid;
    }

    public long startNanos() {
        return startNanos;
    }

    /** The launch's wall time. */
    public long nanos() {
        return endNanos - startNanos;
    }

    /** Before the clone: pipes, the child's stack. */
    public long setupNanos() {
        return setupNanos;
    }

    /** From the clone to the parent's resumption: the child's set-up and its exec. */
    public long cloneToExecNanos() {
        return cloneToExecNanos;
    }

    /** After the parent resumed: reading the child's report, closing its ends. */
    public long afterNanos() {
        return afterNanos;
    }

    /** The path exec'd, or the program as given when the launcher was not asked for it. */
    public String executable(SpawnRequest request) {
        return executable == null ? request.program() : SpawnRequest.cstring(executable);
    }

    public int errno() {
        return errno;
    }

    /** ENOENT, EACCES…; "" when the errno is not known. */
    public String errnoName() {
        return errnoName;
    }

    /** Where a failed launch stopped ("exec", "chdir"…), "" when the launcher tells none. */
    public String step() {
        return step;
    }

    /** What the application receives for a failure: the running JDK's exception, its text. */
    public IOException exception() {
        return exception;
    }
}
