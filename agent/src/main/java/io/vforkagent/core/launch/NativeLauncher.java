package io.vforkagent.core.launch;

import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * JNA binding of {@code libvforkagent.so} (see {@code native/src/main/c/vforkagent.h}): each
 * function through a {@link Function}, no proxy, no reflection per call.
 */
public final class NativeLauncher {
    static final int ABI_VERSION = 2;
    /** The jar's folder for this JVM's architecture, named like JNA's: linux-x86-64 or linux-aarch64. */
    public static final String PLATFORM = platform(System.getProperty("os.arch", ""));

    // The result layouts stay in this package: outside it, launches are SpawnOutcome and ChildExit.
    // Slots of the out[] array that vfa_spawn fills (VFA_OUT_*).
    static final int OUT_ERRNO = 0;
    static final int OUT_STEP = 1;
    static final int OUT_EXEC_INDEX = 2;
    static final int OUT_T_START = 3;
    static final int OUT_T_CLONE = 4;
    static final int OUT_T_RESUMED = 5;
    static final int OUT_T_END = 6;
    static final int OUT_FLAGS = 7;
    static final int OUT_LEN = 8;

    // Steps (VFA_STEP_*): where a failed spawn stopped.
    static final int STEP_NONE = 0;
    static final int STEP_PIPE = 1;
    static final int STEP_ALLOC = 2;
    static final int STEP_CLONE = 3;
    static final int STEP_FDS = 4;
    static final int STEP_CHDIR = 5;
    static final int STEP_EXEC = 6;

    // Slots of the out[] array that vfa_wait fills (VFA_WAIT_*).
    static final int WAIT_STATUS = 0;
    static final int WAIT_UTIME = 1;
    static final int WAIT_STIME = 2;
    static final int WAIT_MAXRSS = 3;
    static final int WAIT_MINFLT = 4;
    static final int WAIT_MAJFLT = 5;
    static final int WAIT_NVCSW = 6;
    static final int WAIT_NIVCSW = 7;
    static final int WAIT_SELF_MAXRSS = 8;
    static final int WAIT_LEN = 9;

    private static final String[] STEP_NAMES = {"none", "pipe", "alloc", "clone", "fds", "chdir", "exec"};

    private static volatile boolean loaded;

    private NativeLauncher() {
    }

    /** Platform.unsupported lets only these two reach the loading. */
    static String platform(String osArch) {
        return osArch.equals("aarch64") ? "linux-aarch64" : "linux-x86-64";
    }

    /**
     * The library's functions, called through JNA's {@link Function}: it costs a microsecond or
     * two more per call than a direct mapping (boxing, an argument array; a spawn takes hundreds),
     * and spares the first spawn the direct mapping's first {@code Native.register} (~25-35 ms of
     * JNA's FFI type set-up on the agent's start-up thread, which that spawn waits for).
     */
    private static final class Bound {
        final Function init;
        final Function spawn;
        final Function await;
        final Function features;
        final Function strerror;
        final Function errnoName;

        Bound(NativeLibrary lib) {
            init = lib.getFunction("vfa_init");
            spawn = lib.getFunction("vfa_spawn");
            await = lib.getFunction("vfa_wait");
            features = lib.getFunction("vfa_features");
            strerror = lib.getFunction("vfa_strerror");
            errnoName = lib.getFunction("vfa_errno_name");
        }
    }

    /** Set once, by {@link #bind}; read only once {@link #isLoaded} (or a state published after it) says so. */
    private static volatile Bound bound;

    private static final Object[] NO_ARGS = {};

    static int vfa_init() {
        return bound.init.invokeInt(NO_ARGS);
    }

    /** Returns a pid, or on failure -(step << 12 | errno); flags say if there is an env block and a directory. */
    static int vfa_spawn(byte[] prog, byte[] argBlock, int argc, byte[] envBlock, int envc, byte[] dir,
                         int[] fds, int flags, byte[] execPath, int execPathCap, long[] out) {
        Object[] args = {prog, argBlock, argc, envBlock, envc, dir, fds, flags, execPath, execPathCap, out};
        try {
            return bound.spawn.invokeInt(args);
        } catch (OutOfMemoryError e) {
            if (!copyFailed(e)) {
                throw e;
            }
            // An argument could not be copied to native memory (malloc failed): nothing was started,
            // no pipe made. The JDK's answer to a failed copy, as the library gives for a NULL one.
            return -(STEP_ALLOC << 12 | ENOMEM);
        }
    }

    /** -1 (the caller asks the JDK then) when the figures' array could not be copied either. */
    static int vfa_wait(int pid, long[] out) {
        Object[] args = {pid, out};
        try {
            return bound.await.invokeInt(args);
        } catch (OutOfMemoryError e) {
            if (!copyFailed(e)) {
                throw e;
            }
            return -1;
        }
    }

    private static final int ENOMEM = 12;

    /** JNA's error when malloc refused it the native copy of an array argument. */
    private static boolean copyFailed(OutOfMemoryError e) {
        String m = e.getMessage();
        return m != null && m.startsWith("Could not obtain memory");
    }

    static int vfa_features() {
        return bound.features.invokeInt(NO_ARGS);
    }

    static int vfa_strerror(int errnum, byte[] buf, int cap) {
        return bound.strerror.invokeInt(new Object[] {errnum, buf, cap});
    }

    static int vfa_errno_name(int errnum, byte[] buf, int cap) {
        return bound.errnoName.invokeInt(new Object[] {errnum, buf, cap});
    }

    /** Extracts, checks, loads and registers the library in one go (see {@link NativeInstaller}). */
    public static void load(Path baseDir) throws IOException {
        NativeInstaller.install(baseDir);
    }

    public static boolean isLoaded() {
        return loaded;
    }

    /** Binds the native methods to the loaded library (by {@link NativeInstaller}) and checks its ABI. */
    static synchronized void bind(NativeLibrary lib) throws IOException {
        if (loaded) {
            return;
        }
        try {
            bound = new Bound(lib);
        } catch (LinkageError | RuntimeException e) {
            throw new IOException("cannot bind " + lib.getName() + ": " + oneLine(e), e);
        }
        int abi = vfa_init();
        if (abi != ABI_VERSION) {
            throw new IOException("libvforkagent ABI " + abi + ", expected " + ABI_VERSION);
        }
        loaded = true;
    }

    /** JNA's messages span lines and repeat them: one line, each distinct part once. */
    static String oneLine(Throwable t) {
        String m = String.valueOf(t.getMessage());
        return t.getClass().getSimpleName() + ": "
                + String.join("; ", new java.util.LinkedHashSet<>(java.util.Arrays.asList(m.split("\\s*\\n\\s*"))));
    }

    static int spawn(byte[] prog, byte[] argBlock, int argc, byte[] envBlock, int envc, byte[] dir,
                            int[] fds, boolean redirectErr, byte[] execPath, long[] out) {
        int flags = (redirectErr ? 1 : 0) | (envBlock != null ? 2 : 0) | (dir != null ? 4 : 0);
        int r = vfa_spawn(prog, argBlock, argc, envBlock, envc, dir, fds, flags, execPath,
                execPath == null ? 0 : execPath.length, out);
        if (r >= 0) {
            return r;
        }
        // From the result, not out[]: JNA may have failed to copy out[] too.
        out[OUT_ERRNO] = -r & 4095;
        out[OUT_STEP] = -r >> 12;
        return -1;
    }

    /** Whether the kernel let the library use close_range(2) (else it walks /proc/self/fd). */
    public static boolean hasCloseRange() {
        return (vfa_features() & 1) != 0;
    }

    /**
     * Reaps a child with wait4: the JDK's exit value, or -1 when wait4 failed (not a child...),
     * in which case the caller asks the JDK for its own answer.
     */
    static int waitExit(long pid, long[] out) {
        return vfa_wait((int) pid, out);
    }

    /** The C library's text for an errno ({@code strerror}). */
    public static String strerror(int errnum) {
        byte[] buf = new byte[256];
        int n = vfa_strerror(errnum, buf, buf.length);
        return new String(buf, 0, Math.max(0, n), StandardCharsets.UTF_8);
    }

    /** The symbolic name of an errno ("ENOENT"), or "E" + number when libc has none. */
    public static String errnoName(int errnum) {
        byte[] buf = new byte[64];
        int n = vfa_errno_name(errnum, buf, buf.length);
        return n > 0 ? new String(buf, 0, n, StandardCharsets.US_ASCII) : "E" + errnum;
    }

    public static String stepName(int step) {
        return step >= 0 && step < STEP_NAMES.length ? STEP_NAMES[step] : "step" + step;
    }
}
