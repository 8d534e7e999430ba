package io.vforkagent.core.launch;

import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The JDK's own native {@code ProcessImpl.forkAndExec}, called as the JDK would have called it. */
public final class JdkLauncher implements Launcher {
    /** {@code ProcessImpl.forkAndExec}'s type (without its receiver): the one definition. */
    public static final MethodType FORK_AND_EXEC = MethodType.methodType(int.class, int.class, byte[].class,
            byte[].class, byte[].class, int.class, byte[].class, int.class, byte[].class, int[].class, boolean.class);
    /** {@code ProcessHandleImpl.waitForProcessExit0}'s type. */
    public static final MethodType WAIT_FOR_EXIT = MethodType.methodType(int.class, long.class, boolean.class);

    /** Compiled at the first failure, not at start-up. */
    private static final class Errno {
        static final Pattern PATTERN = Pattern.compile("error(?:=|: )(\\d+)");
    }

    /**
     * The JDK's two natives as method handles, each made at its first use (class initialisation
     * makes it once, thread-safely): not at start-up, where they cost the premain ~10-20 ms of
     * spun LambdaForms, and most JVMs never need them (launcher=jdk, a fallback, a non-reaping wait).
     * Needs java.lang opened to the agent's module, which {@code BootstrapBridge} does first.
     * The rewriter found both called with these exact types, so a lookup failure here means a
     * JDK unlike any the rewriter accepts: thrown as an Error, not hidden.
     */
    private static final class ForkAndExec {
        static final MethodHandle HANDLE;

        static {
            try {
                Class<?> processImpl = Class.forName("java.lang.ProcessImpl", false, null);
                MethodHandle mh = MethodHandles.privateLookupIn(processImpl, MethodHandles.lookup())
                        .findVirtual(processImpl, "forkAndExec", FORK_AND_EXEC);
                HANDLE = mh.asType(mh.type().changeParameterType(0, Object.class));
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("ProcessImpl.forkAndExec" + FORK_AND_EXEC + ": " + e, e);
            }
        }
    }

    private static final class WaitForExit {
        static final MethodHandle HANDLE;

        static {
            try {
                Class<?> handleImpl = Class.forName("java.lang.ProcessHandleImpl", false, null);
                HANDLE = MethodHandles.privateLookupIn(handleImpl, MethodHandles.lookup())
                        .findStatic(handleImpl, "waitForProcessExit0", WAIT_FOR_EXIT);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("ProcessHandleImpl.waitForProcessExit0" + WAIT_FOR_EXIT + ": " + e, e);
            }
        }
    }

    /** The JDK's own wait for a child's exit: exit status, or 0x80 + signal. */
    public int waitForProcessExit(long pid, boolean reap) {
        try {
            return (int) WaitForExit.HANDLE.invokeExact(pid, reap);
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

    /** The JDK's IOException is the outcome's, unchanged; anything else it throws goes through. */
    @Override
    public SpawnOutcome launch(SpawnRequest r, boolean wantExecutable) {
        String name = mechanism(r.mode);
        long start = System.nanoTime();
        int pid;
        try {
            pid = (int) ForkAndExec.HANDLE.invokeExact(r.process, r.mode, r.helperpath, r.prog, r.argBlock, r.argc,
                    r.envBlock, r.envc, r.dir, r.fds, r.redirectErrorStream);
        } catch (IOException e) {
            long end = System.nanoTime();
            int errno = errno(e.getMessage());
            return SpawnOutcome.failed(name, start, end, errno, errno < 0 ? "" : ErrnoNames.name(errno), "", e);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            // forkAndExec declares no other checked exception: the old path wrapped one alike
            return SpawnOutcome.failed(name, start, System.nanoTime(), -1, "", "", new IOException(t));
        }
        return SpawnOutcome.started(name, pid, start, System.nanoTime(), 0, 0, 0, null);
    }

    /** The errno in the JDK's message (either format), -1 when it tells none. */
    static int errno(String message) {
        Matcher m = Errno.PATTERN.matcher(String.valueOf(message));
        try {
            return m.find() ? Integer.parseInt(m.group(1)) : -1;
        } catch (NumberFormatException tooLong) {
            return -1;
        }
    }

    @Override
    public ChildExit waitForExit(long pid, boolean reap) {
        return ChildExit.jdk(waitForProcessExit(pid, reap));
    }
}
