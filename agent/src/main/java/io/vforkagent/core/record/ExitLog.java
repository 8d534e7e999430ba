package io.vforkagent.core.record;

import io.vforkagent.core.AgentLog;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Exit lines are written by a thread of their own, never by the JDK's reaper thread: the reaper
 * completes the child's {@code waitFor}, and an appender that waits for a child of its own while
 * holding its lock (or one that stalls on a network) would otherwise hold up every {@code waitFor}
 * in the JVM, or deadlock with it. Lines beyond the queue are dropped, counted. At JVM exit, lines
 * still queued get up to {@value #DRAIN_MILLIS} ms to be written. The thread starts at the first
 * line.
 */
final class ExitLog {
    static final long DRAIN_MILLIS = 1000;
    private final LogGuard guard;
    private volatile Writer writer;

    ExitLog(LogGuard guard) {
        this.guard = guard;
    }

    void offer(String line) {
        writer().offer(line);
    }

    private Writer writer() {
        Writer w = writer;
        if (w == null) {
            synchronized (this) {
                if (writer == null) {
                    Writer started = new Writer();
                    started.start(); // published only once running: a failed start is retried next time
                    writer = started;
                    try {
                        Runtime.getRuntime().addShutdownHook(new Thread(started::drain, "vfork-agent-exit-log-drain"));
                    } catch (IllegalStateException | SecurityException exiting) {
                        // the JVM is exiting already: nothing left to wait for
                    }
                }
                w = writer;
            }
        }
        return w;
    }

    private final class Writer extends Thread {
        private final BlockingQueue<String> lines = new ArrayBlockingQueue<>(10_000);
        private final AtomicLong dropped = new AtomicLong();
        /** Offered and not yet written (or given up on): what the exit drain waits for. */
        private final AtomicLong pending = new AtomicLong();

        Writer() {
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
            guard.markThisThread();
            while (true) {
                String line;
                try {
                    line = lines.take();
                } catch (InterruptedException e) {
                    continue; // not ours to stop: an interrupt would leave the queue to fill for ever
                }
                try {
                    long lost = dropped.getAndSet(0);
                    AgentLog.debug(lost == 0 ? line : line + " (" + lost + " earlier exit lines dropped: queue full)");
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
    }
}
