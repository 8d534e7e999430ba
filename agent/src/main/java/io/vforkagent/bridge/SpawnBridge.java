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
    private static volatile ToIntFunction<Object[]> spawn;
    private static volatile LongBinaryOperator exit;
    private static volatile UnaryOperator<String> control;

    private SpawnBridge() {
    }

    /**
     * @param spawnCall   takes {@code forkAndExec}'s receiver and its ten arguments, in order (the ints
     *                    and the boolean boxed), returns the pid; throws the JDK's {@code IOException}
     *                    as it is, though the interface does not declare it
     * @param exitCall    {@code (pid, reap ? 1 : 0)}: the JDK's exit value
     * @param controlCall a later attach reconfigures the installed agent through it
     */
    public static void install(ToIntFunction<Object[]> spawnCall, LongBinaryOperator exitCall,
                               UnaryOperator<String> controlCall) {
        control = controlCall;
        spawn = spawnCall;
        exit = exitCall;
    }

    /** Hands options to the installed agent; returns what it did. */
    public static String control(String options) {
        return control.apply(options);
    }

    public static boolean installed() {
        return spawn != null;
    }

    /** Replaces {@code ProcessImpl.forkAndExec}; the receiver comes first, as {@code Object}. */
    public static int forkAndExec(Object process, int mode, byte[] helperpath, byte[] prog, byte[] argBlock,
                                  int argc, byte[] envBlock, int envc, byte[] dir, int[] fds,
                                  boolean redirectErrorStream) throws IOException {
        return spawn.applyAsInt(new Object[] {process, mode, helperpath, prog, argBlock, argc, envBlock, envc, dir,
            fds, redirectErrorStream});
    }

    /** Replaces {@code ProcessHandleImpl.waitForProcessExit0(long, boolean)} in the JDK's reaper. */
    public static int waitForProcessExit(long pid, boolean reap) {
        return (int) exit.applyAsLong(pid, reap ? 1 : 0);
    }
}
