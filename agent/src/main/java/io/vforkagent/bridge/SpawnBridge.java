package io.vforkagent.bridge;

import java.io.IOException;
import java.lang.invoke.MethodHandle;

/**
 * The only code the JDK's own classes call. At run time this class is renamed
 * {@code java.lang.VforkAgentBridge} and defined into {@code java.base} (see
 * {@code BootstrapBridge}): {@code ProcessImpl} can see nothing outside java.base's loader. It
 * must therefore stay tiny and use JDK types only; the agent installs the real work as two
 * method handles before {@code ProcessImpl} is rewritten, so the rewritten calls never see null.
 */
public final class SpawnBridge {
    private static volatile MethodHandle spawn;
    private static volatile MethodHandle exit;
    private static volatile MethodHandle control;

    private SpawnBridge() {
    }

    /**
     * @param spawnHandle   {@code (Object,int,byte[],byte[],byte[],int,byte[],int,byte[],int[],boolean)int}
     * @param exitHandle    {@code (long,boolean)int}
     * @param controlHandle {@code (String)String}: a later attach reconfigures the installed agent through it
     */
    public static void install(MethodHandle spawnHandle, MethodHandle exitHandle, MethodHandle controlHandle) {
        control = controlHandle;
        spawn = spawnHandle;
        exit = exitHandle;
    }

    /** Hands options to the installed agent; returns what it did. */
    public static String control(String options) throws Throwable {
        return (String) control.invokeExact(options);
    }

    public static boolean installed() {
        return spawn != null;
    }

    /** Replaces {@code ProcessImpl.forkAndExec}; the receiver comes first, as {@code Object}. */
    public static int forkAndExec(Object process, int mode, byte[] helperpath, byte[] prog, byte[] argBlock,
                                  int argc, byte[] envBlock, int envc, byte[] dir, int[] fds,
                                  boolean redirectErrorStream) throws IOException {
        try {
            return (int) spawn.invokeExact(process, mode, helperpath, prog, argBlock, argc, envBlock, envc, dir, fds,
                    redirectErrorStream);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException(t);
        }
    }

    /** Replaces {@code ProcessHandleImpl.waitForProcessExit0(long, boolean)} in the JDK's reaper. */
    public static int waitForProcessExit(long pid, boolean reap) {
        try {
            return (int) exit.invokeExact(pid, reap);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
