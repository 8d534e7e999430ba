package io.vforkagent.core.launch;

import com.sun.jna.Function;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Puts the native code in place, so that nothing another user could have changed is ever loaded:
 * <ol>
 * <li>{@link #prepare}: JNA's dispatch library is written to a new private (0700) directory
 * whose every parent is checked to be changeable by no other user (else: refused, and the JDK
 * launcher stays), checked against its checksum, and loaded; JNA starts.</li>
 * <li>{@link #load}: {@code libvforkagent.so} is checked in memory and loaded from a sealed
 * memfd holding exactly the checked bytes: no path, nothing to swap. Where memfds cannot be
 * loaded, from a file of the private directory, checked like the dispatch library.</li>
 * </ol>
 * The directory and its files are removed once loaded.
 */
public final class NativeInstaller {
    static final String RESOURCE = "io/vforkagent/native/" + NativeLauncher.PLATFORM + "/libvforkagent.so";
    /** Where JNA looks for its dispatch library among its class loader's resources. */
    static final String JNA_DISPATCH = "com/sun/jna/" + NativeLauncher.PLATFORM + "/libjnidispatch.so";
    static final String DISPATCH_FILE = "libjnidispatch.so";
    static final String LIBRARY_FILE = "libvforkagent.so";
    /** The memfd the library is loaded from: /proc/PID/maps shows it as "/memfd:vfork-agent (deleted)". */
    public static final String MEMFD_NAME = "vfork-agent";

    private static final FileAttribute<?> PRIVATE =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));

    private NativeInstaller() {
    }

    /** What {@link #prepare} leaves for {@link #load}: the private directory and the checked library. */
    public static final class Prepared {
        final Path dir;
        final byte[] library;

        Prepared(Path dir, byte[] library) {
            this.dir = dir;
            this.library = library;
        }
    }

    /**
     * Checks the library, and starts JNA from a dispatch library written to a new private
     * directory under {@code baseDir}. Spawns nothing, so it may run before {@code ProcessImpl}
     * is rewritten, alongside the rewriting.
     */
    public static Prepared prepare(Path baseDir) throws IOException {
        byte[] library = checkedResource(RESOURCE);
        io.vforkagent.core.AgentLog.trace("library checked");
        Path dir = privateDirectory(baseDir);
        try {
            io.vforkagent.core.AgentLog.trace("private directory");
            startJna(dir.resolve(DISPATCH_FILE));
            io.vforkagent.core.AgentLog.trace("JNA started");
            return new Prepared(dir, library);
        } catch (IOException | RuntimeException | Error e) {
            discard(dir);
            throw e;
        }
    }

    /**
     * Loads the checked library and binds the launcher to it, then removes the private directory.
     * Only once spawns reach the agent: JNA runs {@code ldconfig -p} here, a spawn the agent
     * refuses. Idempotent.
     */
    public static void load(Prepared prepared) throws IOException {
        try {
            if (NativeLauncher.isLoaded()) {
                return;
            }
            NativeLibrary lib;
            String memfdFailure;
            try {
                lib = fromMemfd(prepared.library);
                io.vforkagent.core.AgentLog.trace("library loaded from memfd");
                memfdFailure = null;
            } catch (Throwable e) {
                lib = null; // the file below, whatever went wrong (no memory, no cleaner thread...)
                memfdFailure = NativeLauncher.oneLine(e);
            }
            if (lib == null) {
                Path file = prepared.dir.resolve(LIBRARY_FILE);
                writeChecked(prepared.library, file);
                try {
                    lib = NativeLibrary.getInstance(file.toString());
                } catch (LinkageError | RuntimeException e) {
                    // UnsatisfiedLinkError (wrong architecture, noexec mount), IllegalCallerException (native access denied)
                    throw new IOException("cannot load " + file + ": " + NativeLauncher.oneLine(e)
                            + " (from a memfd: " + memfdFailure + ")", e);
                }
            }
            NativeLauncher.bind(lib);
            io.vforkagent.core.AgentLog.trace("JNA registered");
        } finally {
            discard(prepared.dir);
        }
    }

    /** Extracts, loads and registers the library in one go (doctor, tests). */
    public static void install(Path baseDir) throws IOException {
        if (!NativeLauncher.isLoaded()) {
            load(prepare(baseDir));
        }
    }

    /** Removes what {@link #prepare} left: the files if still there, and the directory. */
    public static void discard(Prepared prepared) {
        discard(prepared.dir);
    }

    private static void discard(Path dir) {
        synchronized (FILES) {
            CREATED.remove(dir);
            delete(dir);
        }
    }

    private static void delete(Path dir) {
        try {
            Files.deleteIfExists(dir.resolve(LIBRARY_FILE));
            Files.deleteIfExists(dir.resolve(DISPATCH_FILE));
            Files.deleteIfExists(dir);
        } catch (IOException ignored) {
            // a private, empty directory at worst
        }
    }

    /** libc through JNA, for the memfd: bound to the JVM's own libc, no library searched. */
    static final class Libc {
        static final int MFD_CLOEXEC = 1;
        static final int MFD_ALLOW_SEALING = 2;
        static final int MFD_EXEC = 0x10;
        static final int EINVAL = 22;
        static final int F_ADD_SEALS = 1033;
        /** F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE: the bytes can never change. */
        static final int ALL_SEALS = 1 | 2 | 4 | 8;

        // Called through JNA's Function, not bound with Native.register: four calls, once, do not
        // pay for the register's first use (~25-35 ms: JNA's FFI type structures, read by reflection).
        private static final NativeLibrary C = NativeLibrary.getProcess();
        private static final Function MEMFD_CREATE = C.getFunction("memfd_create");
        private static final Function WRITE = C.getFunction("write");
        private static final Function FCNTL = C.getFunction("fcntl");
        private static final Function CLOSE = C.getFunction("close");

        static int memfd_create(String name, int flags) {
            return MEMFD_CREATE.invokeInt(new Object[] {name, flags});
        }

        static long write(int fd, Pointer buf, long count) {
            return WRITE.invokeLong(new Object[] {fd, buf, count});
        }

        static int fcntl(int fd, int cmd, int arg) {
            return FCNTL.invokeInt(new Object[] {fd, cmd, arg});
        }

        static int close(int fd) {
            return CLOSE.invokeInt(new Object[] {fd});
        }
    }

    /**
     * The library from a sealed memfd: what is loaded is exactly the bytes checked, with no path
     * anyone could re-point between the check and the load.
     */
    private static NativeLibrary fromMemfd(byte[] library) throws IOException {
        io.vforkagent.core.AgentLog.trace("NativeLibrary, Libc");
        // MFD_EXEC says the memfd is meant to be executable: Linux 6.3+ warns in its log about a
        // memfd made without it (or MFD_NOEXEC_SEAL); before 6.3 it is EINVAL, so without it then.
        int fd = Libc.memfd_create(MEMFD_NAME, Libc.MFD_CLOEXEC | Libc.MFD_ALLOW_SEALING | Libc.MFD_EXEC);
        if (fd < 0 && Native.getLastError() == Libc.EINVAL) {
            fd = Libc.memfd_create(MEMFD_NAME, Libc.MFD_CLOEXEC | Libc.MFD_ALLOW_SEALING);
        }
        if (fd < 0) {
            throw new IOException("memfd_create: errno " + Native.getLastError());
        }
        try {
            Memory m = new Memory(library.length);
            m.write(0, library, 0, library.length);
            long done = 0;
            while (done < library.length) {
                long n = Libc.write(fd, m.share(done), library.length - done);
                if (n <= 0) {
                    int errno = Native.getLastError();
                    if (n < 0 && errno == 4) {
                        continue; // EINTR
                    }
                    throw new IOException("write to memfd: errno " + errno);
                }
                done += n;
            }
            if (Libc.fcntl(fd, Libc.F_ADD_SEALS, Libc.ALL_SEALS) != 0) {
                throw new IOException("sealing the memfd: errno " + Native.getLastError());
            }
            io.vforkagent.core.AgentLog.trace("memfd sealed");
            NativeLibrary lib = NativeLibrary.getInstance("/proc/self/fd/" + fd);
            // Kept open for the JVM's life (close-on-exec): ld.so knows the library by this name,
            // and a closed descriptor's number, reused, would alias it for a later dlopen.
            fd = -1;
            return lib;
        } finally {
            if (fd >= 0) {
                Libc.close(fd);
            }
        }
    }

    /**
     * Starts JNA (its dispatch library and class loading: most of the agent's start-up). In the
     * agent jar, the agent's class loader serves JNA's dispatch library from the private
     * directory, written and checked there and loaded here first: JNA's own load of the same
     * file then finds it loaded, and a failure (no descriptor, no memory) surfaces here, where it
     * can be retried, not in JNA's class initialiser, which would fail for good. Left to itself,
     * JNA would copy the library to a temporary file of its choosing.
     */
    /** Set once JNA has started: a retry must not load a second copy of its dispatch library. */
    private static volatile boolean jnaStarted;

    @SuppressWarnings("unchecked")
    private static void startJna(Path dispatch) throws IOException {
        if (jnaStarted) {
            return;
        }
        ClassLoader loader = NativeInstaller.class.getClassLoader();
        java.util.function.BiConsumer<String, java.net.URL> serve = loader instanceof java.util.function.BiConsumer
                ? (java.util.function.BiConsumer<String, java.net.URL>) loader : null;
        try {
            if (serve != null) {
                byte[] bytes = checkedResource(JNA_DISPATCH);
                io.vforkagent.core.AgentLog.trace("dispatch checked");
                writeChecked(bytes, dispatch);
                io.vforkagent.core.AgentLog.trace("dispatch written");
                System.load(dispatch.toString());
                io.vforkagent.core.AgentLog.trace("dispatch loaded");
                serve.accept(JNA_DISPATCH, dispatch.toUri().toURL());
            }
            if (Native.POINTER_SIZE != 8) {
                throw new IOException("JNA reports " + Native.POINTER_SIZE + "-byte pointers on " + NativeLauncher.PLATFORM);
            }
            jnaStarted = true;
        } catch (LinkageError | RuntimeException e) {
            throw new IOException("cannot start JNA: " + NativeLauncher.oneLine(e), e);
        } finally {
            if (serve != null) {
                serve.accept(JNA_DISPATCH, null);
            }
            Files.deleteIfExists(dispatch); // loaded (or not): needed no longer
        }
    }

    /** A library of the jar, checked against its checksum. */
    private static byte[] checkedResource(String resource) throws IOException {
        byte[] bytes = resource(resource);
        String expected = new String(resource(resource + ".sha256"), StandardCharsets.US_ASCII).trim();
        if (!Sha256.hex(bytes).equals(expected)) {
            throw new IOException(resource + " in the agent jar does not match its checksum: the jar is damaged");
        }
        return bytes;
    }

    /**
     * Held while a private directory or a file in it is made, and by the exit hook while it removes
     * them: a JVM that ends while the agent still starts (a short-lived one) leaves nothing behind,
     * whichever comes first. File.deleteOnExit could not: a file written just after its hook ran
     * stayed, with its directory.
     */
    private static final Object FILES = new Object();
    /** The private directories made and not yet removed. */
    private static final java.util.Set<Path> CREATED = new java.util.HashSet<>();
    /** Set by the exit hook: nothing is made after it. */
    private static boolean exiting;
    private static boolean hooked;

    /** Under FILES: fails once the JVM's exit has begun; arms the exit hook at the first call. */
    private static void beforeMaking() throws IOException {
        if (exiting) {
            throw new IOException("the JVM is exiting");
        }
        if (!hooked) {
            try {
                // A Thread subclass, not a method reference: no lambda spun during the start.
                Runtime.getRuntime().addShutdownHook(new Thread("vfork-agent-cleanup") {
                    @Override
                    public void run() {
                        atExit();
                    }
                });
            } catch (IllegalStateException shuttingDown) {
                exiting = true;
                throw new IOException("the JVM is exiting");
            }
            hooked = true;
        }
    }

    private static void atExit() {
        synchronized (FILES) {
            exiting = true;
            for (Path dir : CREATED) {
                delete(dir);
            }
            CREATED.clear();
        }
    }

    /**
     * Writes checked bytes to a new file of the private directory and checks what it holds.
     * java.io, not Files.write/readAllBytes: the JVM has its streams loaded already, while NIO's
     * file channels are ~30 classes the default CDS archive lacks (~5 ms of the start-up thread).
     * createNewFile is O_CREAT|O_EXCL: it fails on anything already there, a link included.
     */
    private static void writeChecked(byte[] bytes, Path file) throws IOException {
        java.io.File f = file.toFile();
        synchronized (FILES) {
            beforeMaking();
            if (!f.createNewFile()) {
                throw new FileAlreadyExistsException(file.toString());
            }
            try (java.io.FileOutputStream out = new java.io.FileOutputStream(f)) {
                out.write(bytes);
            }
        }
        // No other user can change the directory (privateDirectory); read back all the same.
        byte[] back;
        try (java.io.FileInputStream in = new java.io.FileInputStream(f)) {
            back = in.readAllBytes();
        }
        if (!java.util.Arrays.equals(back, bytes)) {
            throw new IOException(file + " changed after it was written; not loaded");
        }
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = NativeInstaller.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException("the agent jar has no " + name);
            }
            return in.readAllBytes();
        }
    }

    /**
     * A new directory only this user can enter, in a directory no other user can change. Created,
     * never reused: creation fails if the name exists (even as a link). Not
     * Files.createTempDirectory, whose SecureRandom costs ~15 ms to seed at every JVM start.
     */
    /** What to do about a refused directory, said with the refusal. */
    private static final String TMPDIR_HINT = "; give the agent a directory of its own with tmpdir=DIR";

    static Path privateDirectory(Path baseDir) throws IOException {
        Path base;
        try {
            // Links resolved once: from here on only real directories are named, each checked below.
            base = baseDir.toRealPath();
        } catch (IOException e) {
            throw new IOException("cannot create a private directory in " + baseDir + " (" + e + ")", e);
        }
        IOException last = null;
        String pid = pid();
        for (int attempt = 0; attempt < 10; attempt++) {
            Path dir = base.resolve("vfork-agent-" + pid + "-"
                    + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE));
            try {
                synchronized (FILES) {
                    beforeMaking();
                    Files.createDirectory(dir, PRIVATE);
                    CREATED.add(dir);
                }
            } catch (FileAlreadyExistsException taken) {
                last = taken;
                continue;
            } catch (IOException e) {
                throw new IOException("cannot create a private directory in " + baseDir + " (" + e + ")", e);
            }
            try {
                checkPrivate(dir);
                return dir;
            } catch (IOException | RuntimeException e) {
                discard(dir);
                throw e;
            }
        }
        throw new IOException("cannot create a private directory in " + baseDir + " (" + last + ")", last);
    }

    /**
     * This JVM's pid, for people who read the directory's name: from /proc/self, not
     * ProcessHandle.current(), whose class initialiser sets up the JDK's process reaper (its
     * executor and lambdas: ~5 ms) in a JVM that may never spawn. The name's random part alone
     * keeps it new.
     */
    static String pid() {
        try {
            return Files.readSymbolicLink(Path.of("/proc/self")).toString();
        } catch (IOException | RuntimeException e) {
            return "0";
        }
    }

    /**
     * That {@code dir} (just made) is this user's alone, and that no other user can change any
     * directory on its way from the root: each is owned by this user or root, and is writable by
     * no one else unless sticky (where others cannot rename or remove what is not theirs). Else
     * another user could swap the library between its check and its load.
     */
    static void checkPrivate(Path dir) throws IOException {
        Map<String, Object> own = Files.readAttributes(dir, "unix:uid,mode", LinkOption.NOFOLLOW_LINKS);
        int uid = (Integer) own.get("uid"); // who made it: this process
        int mode = (Integer) own.get("mode");
        // (A setgid parent passes its S_ISGID on: 2700 is as private as 0700.)
        if ((mode & 0170000) != 0040000 || (mode & 0777) != 0700) {
            throw new IOException(dir + " is not a private directory (mode " + Integer.toOctalString(mode) + ")");
        }
        for (Path p = dir.getParent(); p != null; p = p.getParent()) {
            Map<String, Object> a = Files.readAttributes(p, "unix:uid,mode", LinkOption.NOFOLLOW_LINKS);
            int owner = (Integer) a.get("uid");
            int m = (Integer) a.get("mode");
            if (owner != 0 && owner != uid) {
                throw new IOException("not safe to load a library from " + dir.getParent() + ": " + p
                        + " belongs to uid " + owner + ", not to this user (uid " + uid + ") or root"
                        + TMPDIR_HINT);
            }
            if ((m & 0022) != 0 && (m & 01000) == 0) {
                throw new IOException("not safe to load a library from " + dir.getParent() + ": " + p
                        + " can be changed by other users (mode " + Integer.toOctalString(m & 07777)
                        + ", writable by group or others and not sticky)" + TMPDIR_HINT);
            }
        }
    }
}
