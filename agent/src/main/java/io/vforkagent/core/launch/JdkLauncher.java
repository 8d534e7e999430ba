package io.vforkagent.core.launch;

import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/** The JDK's own native {@code ProcessImpl.forkAndExec}, called as the JDK would have called it. */
public final class JdkLauncher {
    private final MethodHandle forkAndExec;
    private final MethodHandle waitForProcessExit;

    private JdkLauncher(MethodHandle forkAndExec, MethodHandle waitForProcessExit) {
        this.forkAndExec = forkAndExec;
        this.waitForProcessExit = waitForProcessExit;
    }

    /** Needs java.lang opened to the agent's module ({@code BootstrapBridge} does it). */
    public static JdkLauncher create() throws ReflectiveOperationException {
        Class<?> processImpl = Class.forName("java.lang.ProcessImpl", false, null);
        MethodHandle mh = MethodHandles.privateLookupIn(processImpl, MethodHandles.lookup())
                .findVirtual(processImpl, "forkAndExec", MethodType.methodType(int.class, int.class, byte[].class,
                        byte[].class, byte[].class, int.class, byte[].class, int.class, byte[].class, int[].class,
                        boolean.class));
        Class<?> handleImpl = Class.forName("java.lang.ProcessHandleImpl", false, null);
        MethodHandle wait = MethodHandles.privateLookupIn(handleImpl, MethodHandles.lookup())
                .findStatic(handleImpl, "waitForProcessExit0", MethodType.methodType(int.class, long.class,
                        boolean.class));
        return new JdkLauncher(mh.asType(mh.type().changeParameterType(0, Object.class)), wait);
    }

    /** The JDK's own wait for a child's exit: exit status, or 0x80 + signal. */
    public int waitForProcessExit(long pid, boolean reap) {
        try {
            return (int) waitForProcessExit.invokeExact(pid, reap);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** The JDK's name for its launch mechanism number. */
    public static String mechanism(int mode) {
        switch (mode) {
            case 1:
                return "FORK";
            case 2:
                return "POSIX_SPAWN";
            case 3:
                return "VFORK";
            default:
                return "JDK(" + mode + ")";
        }
    }

    public int forkAndExec(Object process, int mode, byte[] helperpath, byte[] prog, byte[] argBlock, int argc,
                           byte[] envBlock, int envc, byte[] dir, int[] fds, boolean redirectErrorStream)
            throws IOException {
        try {
            return (int) forkAndExec.invokeExact(process, mode, helperpath, prog, argBlock, argc, envBlock, envc,
                    dir, fds, redirectErrorStream);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException(t);
        }
    }
}
