package io.vforkagent.core.launch;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.ThreadLocalRandom;

/**
 * JNA direct mapping of {@code libvforkagent.so} (see {@code native/src/main/c/vforkagent.h}).
 * Direct mapping is used because it is the cheapest JNA call: no proxy, no reflection per call.
 */
public final class NativeLauncher {
    static final int ABI_VERSION = 2;
    static final String RESOURCE = "io/vforkagent/native/linux-x86-64/libvforkagent.so";
    /** Where JNA looks for its dispatch library among its class loader's resources. */
    static final String JNA_DISPATCH = "com/sun/jna/linux-x86-64/libjnidispatch.so";
    private static final String DISPATCH_FILE = "libjnidispatch.so";

    // Slots of the out[] array that vfa_spawn fills (VFA_OUT_*).
    public static final int OUT_ERRNO = 0;
    public static final int OUT_STEP = 1;
    public static final int OUT_EXEC_INDEX = 2;
    public static final int OUT_T_START = 3;
    public static final int OUT_T_CLONE = 4;
    public static final int OUT_T_RESUMED = 5;
    public static final int OUT_T_END = 6;
    public static final int OUT_FLAGS = 7;
    public static final int OUT_LEN = 8;

    // Steps (VFA_STEP_*): where a failed spawn stopped.
    public static final int STEP_NONE = 0;
    public static final int STEP_PIPE = 1;
    public static final int STEP_ALLOC = 2;
    public static final int STEP_CLONE = 3;
    public static final int STEP_FDS = 4;
    public static final int STEP_CHDIR = 5;
    public static final int STEP_EXEC = 6;

    // Slots of the out[] array that vfa_wait fills (VFA_WAIT_*).
    public static final int WAIT_STATUS = 0;
    public static final int WAIT_UTIME = 1;
    public static final int WAIT_STIME = 2;
    public static final int WAIT_MAXRSS = 3;
    public static final int WAIT_MINFLT = 4;
    public static final int WAIT_MAJFLT = 5;
    public static final int WAIT_NVCSW = 6;
    public static final int WAIT_NIVCSW = 7;
    public static final int WAIT_SELF_MAXRSS = 8;
    public static final int WAIT_LEN = 9;

    private static final String[] STEP_NAMES = {"none", "pipe", "alloc", "clone", "fds", "chdir", "exec"};

    private static volatile boolean loaded;
    private static final FileAttribute<?> PRIVATE =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));

    private NativeLauncher() {
    }

    static native int vfa_init();

    /** Returns a pid, or on failure -(step << 12 | errno); flags say if there is an env block and a directory. */
    static native int vfa_spawn(byte[] prog, byte[] argBlock, int argc, byte[] envBlock, int envc, byte[] dir,
                                int[] fds, int flags, byte[] execPath, int execPathCap, long[] out);

    static native int vfa_wait(int pid, long[] out);

    static native int vfa_features();

    static native int vfa_strerror(int errnum, byte[] buf, int cap);

    static native int vfa_errno_name(int errnum, byte[] buf, int cap);

    /** Extracts, loads and registers the library in one go (see {@link #extract}, {@link #register}). */
    public static void load(Path baseDir) throws IOException {
        if (!loaded) {
            register(extract(baseDir));
        }
    }

    /**
     * Extracts the library, checked against its checksum, into a new private directory under
     * {@code baseDir}, and starts JNA. Spawns nothing, so it may run before {@code ProcessImpl}
     * is rewritten, alongside the rewriting. Returns the library's path for {@link #register}.
     */
    public static Path extract(Path baseDir) throws IOException {
        Path dir = privateDirectory(baseDir);
        Path lib = dir.resolve("libvforkagent.so");
        Path dispatch = dir.resolve(DISPATCH_FILE);
        try {
            // A JVM that ends before the library is loaded (a short-lived one) does not leave them
            // behind; the directory first, as they are removed in the reverse order.
            dir.toFile().deleteOnExit();
            lib.toFile().deleteOnExit();
            dispatch.toFile().deleteOnExit();
            write(RESOURCE, lib);
            io.vforkagent.core.AgentLog.trace("library extracted");
            startJna(dispatch);
            Files.deleteIfExists(dispatch); // loaded: needed no longer
            io.vforkagent.core.AgentLog.trace("JNA started");
            return lib;
        } catch (IOException | RuntimeException | Error e) {
            discard(lib);
            throw e;
        }
    }

    /** Writes a library of the jar to {@code file}, checked against its checksum before and after. */
    private static void write(String resource, Path file) throws IOException {
        byte[] bytes = resource(resource);
        String expected = new String(resource(resource + ".sha256"), StandardCharsets.US_ASCII).trim();
        if (!sha256(bytes).equals(expected)) {
            throw new IOException(resource + " in the agent jar does not match its checksum: the jar is damaged");
        }
        Files.write(file, bytes, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
        // Read back what will be loaded: the directory is private, but the check is cheap.
        if (!sha256(Files.readAllBytes(file)).equals(expected)) {
            throw new IOException(file + " changed after it was written; not loaded");
        }
    }

    /**
     * Starts JNA (its dispatch library and class loading: most of the agent's start-up). Left to
     * itself, JNA copies its dispatch library from the jar to a temporary file of a name of its
     * choosing, whose creation (File.createTempFile) sets up the JVM's SecureRandom and security
     * providers (~15 ms). In the agent jar, the agent's class loader serves it instead from
     * the private directory, written and checked like the agent's own library; JNA loads a
     * library served from a file where it is.
     */
    @SuppressWarnings("unchecked")
    private static void startJna(Path dispatch) throws IOException {
        ClassLoader loader = NativeLauncher.class.getClassLoader();
        java.util.function.BiConsumer<String, java.net.URL> serve = loader instanceof java.util.function.BiConsumer
                ? (java.util.function.BiConsumer<String, java.net.URL>) loader : null;
        if (serve != null) {
            write(JNA_DISPATCH, dispatch);
            serve.accept(JNA_DISPATCH, dispatch.toUri().toURL());
        }
        try {
            if (Native.POINTER_SIZE != 8) {
                throw new IOException("JNA reports " + Native.POINTER_SIZE + "-byte pointers on amd64");
            }
        } catch (LinkageError | RuntimeException e) {
            throw new IOException("cannot start JNA: " + oneLine(e), e);
        } finally {
            if (serve != null) {
                serve.accept(JNA_DISPATCH, null);
            }
        }
    }

    /** Removes what {@link #extract} left: the library, JNA's copy if still there, the directory. */
    public static void discard(Path lib) {
        try {
            Files.deleteIfExists(lib);
            Files.deleteIfExists(lib.resolveSibling(DISPATCH_FILE));
            Files.deleteIfExists(lib.getParent());
        } catch (IOException ignored) {
            // a private, empty directory at worst
        }
    }

    /**
     * Loads the extracted library and binds the native methods to it, then removes the file (a
     * loaded library needs no file). Only once spawns reach the agent: JNA runs
     * {@code ldconfig -p} here, a spawn the agent refuses. Idempotent.
     */
    public static synchronized void register(Path lib) throws IOException {
        if (loaded) {
            discard(lib);
            return;
        }
        try {
            Native.register(NativeLauncher.class, NativeLibrary.getInstance(lib.toString()));
            io.vforkagent.core.AgentLog.trace("JNA registered");
        } catch (LinkageError | RuntimeException e) {
            // UnsatisfiedLinkError (wrong architecture, noexec mount), IllegalCallerException (native access denied)
            throw new IOException("cannot load " + lib + ": " + oneLine(e), e);
        } finally {
            discard(lib);
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

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = NativeLauncher.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException("the agent jar has no " + name);
            }
            return in.readAllBytes();
        }
    }

    static String sha256(byte[] bytes) {
        return Sha256.hex(bytes);
    }

    /**
     * A new directory only this user can enter. Created, never reused: creation fails if the name
     * exists (even as a link), so nothing another user planted can be picked up. Not
     * Files.createTempDirectory, whose SecureRandom costs ~15 ms to seed at every JVM start.
     */
    static Path privateDirectory(Path baseDir) throws IOException {
        IOException last = null;
        for (int attempt = 0; attempt < 10; attempt++) {
            Path dir = baseDir.resolve("vfork-agent-" + ProcessHandle.current().pid() + "-"
                    + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE));
            try {
                return Files.createDirectory(dir, PRIVATE);
            } catch (FileAlreadyExistsException taken) {
                last = taken;
            } catch (IOException e) {
                throw new IOException("cannot create a private directory in " + baseDir + " (" + e + ")", e);
            }
        }
        throw new IOException("cannot create a private directory in " + baseDir + " (" + last + ")", last);
    }

    /**
     * Spawns like {@code ProcessImpl.forkAndExec}: the pid, or -1 with {@code out[OUT_ERRNO]} and
     * {@code out[OUT_STEP]} set. A null envBlock or dir means none (inherit); the library is told so
     * in flags (VFA_SPAWN_*), because a NULL it receives may also be an array JNA could not copy
     * (the JVM out of memory), which it must fail, never read as "inherit".
     */
    public static int spawn(byte[] prog, byte[] argBlock, int argc, byte[] envBlock, int envc, byte[] dir,
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
    public static int waitExit(long pid, long[] out) {
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
