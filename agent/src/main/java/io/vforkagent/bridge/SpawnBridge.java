package io.vforkagent.bridge;

import java.io.IOException;

/**
 * The only code the JDK's own classes call. It lives in the bootstrap class loader (java.base can
 * see nothing else) and so must stay tiny and depend on the JDK alone: everything real is behind
 * {@link #spawner}, installed by the agent before {@code ProcessImpl} is rewritten.
 */
public final class SpawnBridge {
    private static volatile Spawner spawner;

    private SpawnBridge() {
    }

    /** Installs the spawner; done before the rewrite, so the rewritten call never sees null. */
    public static void install(Spawner s) {
        spawner = s;
    }

    public static Spawner installed() {
        return spawner;
    }

    /** Replaces {@code ProcessImpl.forkAndExec}; descriptor {@code (Ljava/lang/Object;I[B[B[BI[BI[B[IZ)I}. */
    public static int forkAndExec(Object process, int mode, byte[] helperpath, byte[] prog, byte[] argBlock,
                                  int argc, byte[] envBlock, int envc, byte[] dir, int[] fds,
                                  boolean redirectErrorStream) throws IOException {
        return spawner.forkAndExec(process, mode, helperpath, prog, argBlock, argc, envBlock, envc, dir, fds,
                redirectErrorStream);
    }

    /** Replaces {@code ProcessHandleImpl.waitForProcessExit0}; descriptor {@code (JZ)I}. */
    public static int waitForProcessExit(long pid, boolean reap) {
        return spawner.waitForProcessExit(pid, reap);
    }
}
