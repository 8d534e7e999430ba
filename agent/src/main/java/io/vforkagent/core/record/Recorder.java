package io.vforkagent.core.record;

import io.vforkagent.core.AgentLog;
import io.vforkagent.core.Options;
import io.vforkagent.core.launch.NativeLauncher;

import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Records spawns, failures and exits as JFR events and SLF4J lines. Work that only a record needs
 * (decoding strings, redacting, walking the stack) is done only when an event is enabled or a
 * log line will be written.
 */
public class Recorder {
    static final int MAX_TEXT = 2048;

    // Volatile: a later attach may change them while spawns are recorded.
    private volatile String redactPatterns;
    /** The patterns it was compiled from travel with it: a reconfigure can never be overtaken. */
    private volatile Compiled redactor;
    private volatile String argsMode;
    private volatile long slowNanos;
    private final Charset charset;
    private final boolean jfr;
    private final Map<Long, Child> children = new ConcurrentHashMap<>();
    private final LatencyHistogram periodLatency = new LatencyHistogram();
    private final LatencyHistogram totalLatency = new LatencyHistogram();
    private final LongAdder periodSpawns = new LongAdder();
    private final LongAdder periodFailures = new LongAdder();
    private final LongAdder exits = new LongAdder();
    /** Set while this thread writes a log line: a spawn made by the logging backend is not logged again. */
    private final ThreadLocal<Boolean> logging = new ThreadLocal<>();
    /** Children are tracked only once the exit hook is in place: nothing else would remove them. */
    private volatile boolean trackExits;
    private volatile boolean periodicRegistered;

    /** What the exit record needs of its spawn; the bytes are the JDK's own, not copied. */
    private static final class Child {
        final byte[] program;
        final long startNanos;
        final String thread;
        /** Spawned by the logging backend while it wrote one of our lines: its exit is not logged either. */
        final boolean quiet;

        Child(byte[] program, long startNanos, String thread, boolean quiet) {
            this.program = program;
            this.startNanos = startNanos;
            this.thread = thread;
            this.quiet = quiet;
        }
    }

    public Recorder(Options options) {
        this.redactPatterns = options.get("redact");
        this.argsMode = options.get("args");
        this.slowNanos = options.integer("slowSpawnMs") * 1_000_000L;
        // ProcessImpl encodes strings with sun.jnu.encoding (JDK 21+) or file.encoding (17): either decodes paths.
        String jnu = System.getProperty("sun.jnu.encoding");
        this.charset = jnu != null && Charset.isSupported(jnu) ? Charset.forName(jnu) : Charset.defaultCharset();
        this.jfr = ModuleLayer.boot().findModule("jdk.jfr").isPresent();
    }

    /** Applies the recording options among {@code given}; returns their names. */
    public List<String> reconfigure(Options options, java.util.Set<String> given) {
        List<String> applied = new ArrayList<>();
        if (given.contains("slowSpawnMs")) {
            slowNanos = options.integer("slowSpawnMs") * 1_000_000L;
            applied.add("slowSpawnMs");
        }
        if (given.contains("args")) {
            argsMode = options.get("args");
            applied.add("args");
        }
        if (given.contains("redact")) {
            redactPatterns = options.get("redact"); // compiled at the next record
            applied.add("redact");
        }
        return applied;
    }

    public void trackExits(boolean on) {
        trackExits = on;
    }

    /** Starts a spawn event when JFR records it; null otherwise. */
    public Object beginSpawn() {
        if (!recording()) {
            return null;
        }
        if (!periodicRegistered) {
            registerPeriodicOnceRecording();
        }
        return JfrHooks.begin();
    }

    /**
     * Whether JFR has been started in this JVM. Until then no event class is touched: the first
     * one would set up JFR's metadata (about 100 ms) in a JVM that records nothing.
     */
    private boolean recording() {
        return jfr && JfrHooks.initialized();
    }

    /**
     * The statistics event is registered once JFR has been started (at the first spawn after
     * that): registering it earlier would start JFR's machinery in every JVM, recording or not.
     */
    private void registerPeriodicOnceRecording() {
        synchronized (this) {
            if (!periodicRegistered) {
                JfrHooks.registerPeriodic(this);
                periodicRegistered = true;
            }
        }
    }

    public boolean wantsExecutable(Object event) {
        return event != null && JfrHooks.enabled(event);
    }

    /** A spawn that succeeded. {@code out} is the launcher's figures, null for the JDK launcher. */
    public void spawned(Object event, long startNanos, long endNanos, int pid, String launcher, byte[] prog,
                        byte[] argBlock, int argc, byte[] envBlock, int envc, byte[] dir, int fd0, int fd1, int fd2,
                        boolean redirectErrorStream, long[] out, byte[] execPath) {
        long nanos = endNanos - startNanos;
        if (periodicRegistered) {
            // Only the statistics event reads the per-period figures: none until it exists.
            periodSpawns.increment();
            periodLatency.add(nanos);
        }
        totalLatency.add(nanos);
        if (trackExits) {
            // The level first: with DEBUG off (the usual case) no thread-local is looked up per spawn.
            children.put((long) pid, new Child(prog, startNanos, Thread.currentThread().getName(),
                    AgentLog.isDebugEnabled() && logging.get() != null));
        }
        boolean commit = event != null && JfrHooks.shouldCommit(event);
        boolean slow = nanos >= slowNanos;
        boolean debug = !slow && logEnabled(true);
        if (!commit && !slow && !debug) {
            return;
        }
        String program = cstring(prog);
        String args = arguments(program, argBlock, argc);
        String directory = dir == null ? "" : cstring(dir);
        if (commit) {
            JfrHooks.commitSpawn(event, pid, program, execPath == null ? program : cstring(execPath), args, argc,
                    directory, launcher, redirect(fd0, 0), redirect(fd1, 1),
                    redirectErrorStream ? "stdout" : redirect(fd2, 2), environment(envBlock, envc),
                    blockBytes(prog, argBlock, envBlock),
                    out == null ? 0 : out[NativeLauncher.OUT_T_CLONE] - out[NativeLauncher.OUT_T_START],
                    out == null ? 0 : out[NativeLauncher.OUT_T_RESUMED] - out[NativeLauncher.OUT_T_CLONE],
                    out == null ? 0 : out[NativeLauncher.OUT_T_END] - out[NativeLauncher.OUT_T_RESUMED]);
        }
        if (slow || debug) {
            String line = (slow ? "slow spawn" : "spawn") + " pid=" + pid + " program=" + quote(program)
                    + " launcher=" + launcher + " micros=" + nanos / 1000 + " args=" + quote(args)
                    + (directory.isEmpty() ? "" : " dir=" + quote(directory))
                    + (slow ? " threshold_ms=" + slowNanos / 1_000_000 : "");
            log(slow ? "slow" : null, line);
        }
    }

    /** A spawn that failed; {@code errno} is -1 when unknown; {@code message} is the launcher's. */
    public void failed(long startNanos, long endNanos, String launcher, byte[] prog, byte[] argBlock, int argc,
                       byte[] envBlock, int envc, byte[] dir, int fd0, int fd1, int fd2, boolean redirectErrorStream,
                       int errno, String errnoName, String step, String message) {
        if (periodicRegistered) {
            periodFailures.increment();
        }
        String program = cstring(prog);
        String args = arguments(program, argBlock, argc);
        String directory = dir == null ? "" : cstring(dir);
        String diagnosis = SpawnHelperFailure.diagnose(launcher, message);
        // What the application receives: ProcessBuilder.start wraps the launcher's message so.
        message = cap("Cannot run program \"" + program + "\"" + (dir == null ? "" : " (in directory \"" + directory
                + "\")") + ": " + message);
        if (recording()) {
            JfrHooks.commitFailure(program, args, argc, directory, launcher, redirect(fd0, 0), redirect(fd1, 1),
                    redirectErrorStream ? "stdout" : redirect(fd2, 2), environment(envBlock, envc),
                    blockBytes(prog, argBlock, envBlock), errno, errnoName, step, message, Callers.caller(),
                    diagnosis == null ? "" : diagnosis);
        }
        // The JDK's launcher tells no step: none is shown.
        log("failed " + errnoName + " " + program, "spawn failed program=" + quote(program) + " errno=" + errnoName
                + (step.isEmpty() ? "" : " step=" + step)
                + " launcher=" + launcher + " micros=" + (endNanos - startNanos) / 1000 + " args=" + quote(args)
                + (directory.isEmpty() ? "" : " dir=" + quote(directory)) + " message=" + quote(message)
                + (diagnosis == null ? "" : " diagnosis=" + quote(diagnosis)));
    }

    /**
     * A child was reaped. {@code status} is the raw wait status, or -1 when only the JDK's encoded
     * value is known (0x80 + signal is then indistinguishable from an exit code above 128).
     */
    public void exited(long pid, int jdkValue, int status, long[] usage) {
        Child child = children.remove(pid);
        if (child == null) {
            return;
        }
        exits.increment();
        boolean commit = recording() && JfrHooks.exitEnabled();
        // Else a backend that spawns per line would log its child's exit, spawn again, and so on.
        boolean debug = !child.quiet && logEnabled(true);
        if (!commit && !debug) {
            return;
        }
        long lifetime = System.nanoTime() - child.startNanos;
        int code = jdkValue;
        String signal = "";
        if (status != -1 && (status & 0x7f) != 0 && (status & 0x7f) != 0x7f) {
            code = -1;
            signal = Signals.name(status & 0x7f);
        }
        String program = cstring(child.program);
        if (commit) {
            JfrHooks.commitExit(pid, program, code, signal, lifetime, child.thread, usage);
        }
        if (debug) {
            exitLog().offer("exit pid=" + pid + " program=" + quote(program) + " code=" + code
                    + (signal.isEmpty() ? "" : " signal=" + signal) + " lifetime_ms=" + lifetime / 1_000_000
                    + (usage == null ? "" : " user_ms=" + usage[NativeLauncher.WAIT_UTIME] / 1_000_000
                    + " sys_ms=" + usage[NativeLauncher.WAIT_STIME] / 1_000_000
                    + " maxrss_kib=" + (ownPeakRss(usage) < 0 ? "unknown" : String.valueOf(ownPeakRss(usage) / 1024))
                    + " minflt=" + usage[NativeLauncher.WAIT_MINFLT] + " majflt=" + usage[NativeLauncher.WAIT_MAJFLT]
                    + " nvcsw=" + usage[NativeLauncher.WAIT_NVCSW] + " nivcsw=" + usage[NativeLauncher.WAIT_NIVCSW]));
        }
    }

    /**
     * The child's own peak resident set, or -1 when it is hidden: Linux counts the JVM's peak
     * (the memory a vfork or posix_spawn child shares until exec) into the child's maxrss, so
     * only a figure above the JVM's own peak is the child's.
     */
    static long ownPeakRss(long[] usage) {
        long child = usage[NativeLauncher.WAIT_MAXRSS];
        return child > usage[NativeLauncher.WAIT_SELF_MAXRSS] ? child : -1;
    }

    private volatile ExitLog exitLog;

    private ExitLog exitLog() {
        ExitLog l = exitLog;
        if (l == null) {
            synchronized (this) {
                if (exitLog == null) {
                    ExitLog started = new ExitLog();
                    started.start(); // published only once running: a failed start is retried next time
                    exitLog = started;
                    try {
                        Runtime.getRuntime().addShutdownHook(new Thread(started::drain, "vfork-agent-exit-log-drain"));
                    } catch (IllegalStateException | SecurityException exiting) {
                        // the JVM is exiting already: nothing left to wait for
                    }
                }
                l = exitLog;
            }
        }
        return l;
    }

    /**
     * Exit lines are written by a thread of their own, never by the JDK's reaper thread: the
     * reaper completes the child's {@code waitFor}, and an appender that waits for a child of its
     * own while holding its lock (or one that stalls on a network) would otherwise hold up every
     * {@code waitFor} in the JVM, or deadlock with it. Lines beyond the queue are dropped, counted.
     * At JVM exit, lines still queued get up to {@value #DRAIN_MILLIS} ms to be written.
     */
    private final class ExitLog extends Thread {
        static final long DRAIN_MILLIS = 1000;
        private final java.util.concurrent.BlockingQueue<String> lines =
                new java.util.concurrent.ArrayBlockingQueue<>(10_000);
        private final java.util.concurrent.atomic.AtomicLong dropped = new java.util.concurrent.atomic.AtomicLong();
        /** Offered and not yet written (or given up on): what the exit drain waits for. */
        private final java.util.concurrent.atomic.AtomicLong pending = new java.util.concurrent.atomic.AtomicLong();

        ExitLog() {
            super("vfork-agent-exit-log");
            setDaemon(true);
            // Not the reaper's (it starts this thread): JDK 25's is a system thread at top priority
            // with no context class loader, wrong for the application's appenders.
            setPriority(Thread.NORM_PRIORITY);
            setContextClassLoader(ClassLoader.getSystemClassLoader());
        }

        void offer(String line) {
            if (lines.offer(line)) {
                pending.incrementAndGet();
            } else {
                dropped.incrementAndGet();
            }
        }

        @Override
        public void run() {
            // Whatever the backend spawns from this thread is its own: not logged, exits included.
            logging.set(Boolean.TRUE);
            while (true) {
                String line;
                try {
                    line = lines.take();
                } catch (InterruptedException e) {
                    continue; // not ours to stop: an interrupt would leave the queue to fill for ever
                }
                try {
                    long lost = dropped.getAndSet(0);
                    write(lost == 0 ? line : line + " (" + lost + " earlier exit lines dropped: queue full)");
                } catch (Throwable t) {
                    // a failing backend loses this line, not the thread
                } finally {
                    pending.decrementAndGet();
                }
            }
        }

        /**
         * Waits, at JVM exit, for the lines still queued: a short-lived program's last exits are
         * logged. Bounded, as a stalled backend must not hold up the JVM's exit.
         */
        void drain() {
            long deadline = System.nanoTime() + DRAIN_MILLIS * 1_000_000L;
            while (pending.get() > 0 && System.nanoTime() < deadline) {
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        private void write(String line) {
            AgentLog.debug(line);
        }
    }

    public long exits() {
        return exits.sum();
    }

    public long liveChildren() {
        return children.size();
    }

    public LatencyHistogram.Snapshot latency() {
        return totalLatency.snapshot(false);
    }

    /** Figures of the period just ended, for the statistics event; null when nothing was spawned. */
    long[] takePeriod() {
        long spawns = periodSpawns.sumThenReset();
        long failures = periodFailures.sumThenReset();
        LatencyHistogram.Snapshot s = periodLatency.snapshot(true);
        if (spawns == 0 && failures == 0) {
            return null;
        }
        return new long[] {spawns, failures, s.percentileNanos(0.5), s.percentileNanos(0.99), s.maxNanos,
                children.size()};
    }

    private boolean logEnabled(boolean debugLevel) {
        // The level first: with DEBUG off (the usual case) no thread-local is looked up per spawn.
        return (!debugLevel || AgentLog.isDebugEnabled()) && logging.get() == null;
    }

    /**
     * The agent's start line, at the first spawn made outside the logging backend: logged like
     * any of our lines, so that a backend that spawns per line does not have its child logged.
     */
    public void flushStart() {
        if (AgentLog.startPending() && logging.get() == null) {
            String line = AgentLog.takeStart(); // null when another thread took it first
            if (line != null) {
                log(INFO, line);
            }
        }
    }

    /** {@link #log}'s level for the start line; any other non-null kind is a WARN's rate-limit kind. */
    private static final String INFO = "\u0000info";

    /**
     * A WARN line of the given rate-limit kind, DEBUG when {@code warnKind} is null, or INFO. A
     * line is not written from inside the writing of another: whatever the logging backend spawns
     * meanwhile is its own business.
     */
    private void log(String warnKind, String line) {
        if (logging.get() != null) {
            return;
        }
        logging.set(Boolean.TRUE);
        try {
            if (warnKind == null) {
                AgentLog.debug(line);
            } else if (warnKind == INFO) {
                AgentLog.info(line);
            } else {
                AgentLog.warn(warnKind, line);
            }
        } finally {
            logging.remove();
        }
    }

    /** A NUL-terminated string from the JDK, decoded no further than the cap. */
    private String cstring(byte[] b) {
        int nul = 0;
        while (nul < b.length && nul <= MAX_TEXT && b[nul] != 0) {
            nul++;
        }
        return cap(new String(b, 0, nul, charset));
    }

    /** Every string recorded is at most {@value #MAX_TEXT} characters, plus the marker. */
    static String cap(String s) {
        return s.length() <= MAX_TEXT ? s : s.substring(0, MAX_TEXT) + "...(truncated)";
    }

    /** Longer arguments are hidden whole, not read: twice what Linux lets one argument be (128 KiB). */
    static final int MAX_ARG_READ = 256 * 1024;

    /**
     * Arguments 1..n of {@code program} for a record. Each argument shown is decoded whole and
     * redacted whole, and only then is the text capped at {@value #MAX_TEXT} characters: a cap
     * must never part a secret from what identifies it. Arguments past the cap are not decoded;
     * one longer than {@value #MAX_ARG_READ} bytes (it cannot be exec'd) is shown as {@code ***}
     * unread, so the work per record stays bounded.
     */
    String arguments(String program, byte[] block, int argc) {
        String mode = argsMode;
        if (mode.equals("off") || block == null || argc == 0) {
            return "";
        }
        boolean full = mode.equals("full");
        List<String> args = new ArrayList<>();
        int start = 0;
        int total = 0;
        for (int i = 0; i < block.length && args.size() < argc && total <= MAX_TEXT; i++) {
            if (block[i] == 0) {
                int len = i - start;
                if (full) {
                    // Verbatim: the cap is all that applies, so no more is decoded than it shows.
                    args.add(new String(block, start, Math.min(len, MAX_TEXT + 1), charset));
                } else {
                    args.add(len > MAX_ARG_READ ? Redactor.MASK : new String(block, start, len, charset));
                }
                total += len + 1;
                start = i + 1;
            }
        }
        if (full) {
            return Redactor.join(args, MAX_TEXT);
        }
        Redactor r = redactor();
        String joined = Redactor.join(r.redact(program, args), MAX_TEXT);
        // Said through our guarded log, and not from inside the logging backend, where it would be lost.
        String warning = logging.get() == null ? r.takeWarning() : null;
        if (warning != null) {
            log("redact cut-off", warning);
        }
        return joined;
    }

    private static final class Compiled {
        final String patterns;
        final Redactor redactor;

        Compiled(String patterns, Redactor redactor) {
            this.patterns = patterns;
            this.redactor = redactor;
        }
    }

    /**
     * Compiled at the first record, not at start-up (regular expressions cost milliseconds), and
     * again at the first record after a reconfigure: whatever the order of the two, a record uses
     * the patterns in force when it began, never older ones for good.
     */
    private Redactor redactor() {
        String patterns = redactPatterns;
        Compiled c = redactor;
        if (c == null || !c.patterns.equals(patterns)) {
            c = new Compiled(patterns, Redactor.withPatterns(patterns));
            redactor = c;
        }
        return c.redactor;
    }

    static long blockBytes(byte[] prog, byte[] argBlock, byte[] envBlock) {
        return prog.length + (argBlock == null ? 0 : argBlock.length) + (envBlock == null ? 0 : envBlock.length);
    }

    static String redirect(int fd, int stdio) {
        return fd == -1 ? "pipe" : fd == stdio ? "inherit" : "file/fd";
    }

    static String environment(byte[] envBlock, int envc) {
        return envBlock == null ? "inherited" : envc + " variables";
    }

    /** A field of a log line: quoted, with backslash, quote and control characters escaped. */
    static String quote(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        AgentLog.appendEscaped(sb, s, true);
        return sb.append('"').toString();
    }
}
