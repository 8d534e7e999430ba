package io.vforkagent.bridge;

import java.io.IOException;

/**
 * What {@code ProcessImpl}'s rewritten constructor calls instead of its native {@code forkAndExec}.
 * Same parameters and contract as the JDK's method; the receiver comes first as {@code Object}
 * because {@code ProcessImpl} is package-private.
 */
public interface Spawner {
    int forkAndExec(Object process, int mode, byte[] helperpath, byte[] prog, byte[] argBlock, int argc,
                    byte[] envBlock, int envc, byte[] dir, int[] fds, boolean redirectErrorStream)
            throws IOException;

    /**
     * Replaces {@code ProcessHandleImpl.waitForProcessExit0}, where the JDK's reaper waits for a
     * child: same parameters, same return value (exit status, or 0x80 + signal).
     */
    int waitForProcessExit(long pid, boolean reap);
}
