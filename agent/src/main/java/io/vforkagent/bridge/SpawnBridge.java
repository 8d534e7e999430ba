package io.vforkagent.bridge;

import java.io.IOException;
import java.util.function.LongBinaryOperator;
import java.util.function.ToIntFunction;
import java.util.function.UnaryOperator;

/**
 * The only code the JDK's own classes call. At run time this class is renamed
 * {@code java.lang.VforkAgentBridge} and defined into {@code java.base} (see
 * {@code BootstrapBridge}): {@code ProcessImpl} can see nothing outside java.base's loader. It
 * must therefore stay tiny and use JDK types only; the agent installs the real work, before
 * {@code ProcessImpl} is rewritten (so the rewritten calls never see null), as objects of
 * java.base's own functional interfaces: plain interface calls, with no method handle to make
 * at start-up (that cost the premain ~20 ms of spun LambdaForms).
 */
public final class SpawnBridge {
    // Set by the agent through variable handles (BootstrapBridge.install), which need private access
    // to java.lang: no public method lets other code of the JVM put itself in the spawn path.
    // spawn: forkAndExec's receiver and its ten arguments, in order (the ints and the boolean
    // boxed), returns the pid; throws the JDK's IOException as it is, though the interface does
    // not declare it. exit: (pid, reap ? 1 : 0), the JDK's exit value. control: a later attach's
    // options. Published in that order: control, spawn (read as "installed"), exit.
    private static volatile ToIntFunction<Object[]> spawn;
    private static volatile LongBinaryOperator exit;
    private static volatile UnaryOperator<String> control;

    private SpawnBridge() {
    }

    /** Hands options to the installed agent; returns what it did. */
    public static String control(String options) {
        return control.apply(options);
    }

    public static boolean installed() {
        return spawn != null;
    }

    /**
     * Replaces {@code ProcessImpl.forkAndExec}; the receiver comes first, as {@code Object}.
     * Package access: only java.lang (ProcessImpl) calls it.
     */
    static int forkAndExec(Object process, int mode, byte[] helperpath, byte[] prog, byte[] argBlock,
                           int argc, byte[] envBlock, int envc, byte[] dir, int[] fds,
                           boolean redirectErrorStream) throws IOException {
        return spawn.applyAsInt(new Object[] {process, mode, helperpath, prog, argBlock, argc, envBlock, envc, dir,
            fds, redirectErrorStream});
    }

    /** Replaces {@code ProcessHandleImpl.waitForProcessExit0(long, boolean)} in the JDK's reaper; package access. */
    static int waitForProcessExit(long pid, boolean reap) {
        return (int) exit.applyAsLong(pid, reap ? 1 : 0);
    }
}
