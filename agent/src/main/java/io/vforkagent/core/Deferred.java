package io.vforkagent.core;

import java.util.concurrent.atomic.AtomicReference;

/**
 * Work a spawn sets off but never waits for: it runs on a thread of its own, not before a given
 * time. A spawn only pays a volatile read while nothing is due.
 */
final class Deferred {
    private final String threadName;
    private final AtomicReference<Runnable> work = new AtomicReference<>();
    private volatile long notBefore;
    /** The thread running the work, or null. */
    private volatile Thread runner;

    Deferred(String threadName) {
        this.threadName = threadName;
    }

    /** Runs {@code w} at the first spawn at least {@code delayNanos} from now. */
    void set(Runnable w, long delayNanos) {
        notBefore = System.nanoTime() + delayNanos;
        work.set(w);
    }

    boolean isRunner(Thread t) {
        return runner == t;
    }

    void runIfDue() {
        if (work.get() == null || System.nanoTime() - notBefore < 0) {
            return;
        }
        Runnable w = work.getAndSet(null);
        if (w == null) {
            return;
        }
        try {
            Thread t = new Thread(threadName) {
                @Override
                public void run() {
                    runner = this;
                    try {
                        w.run();
                    } finally {
                        runner = null;
                    }
                }
            };
            t.setDaemon(true);
            // Not the spawning thread's: no application class loader pinned, no priority of its.
            t.setContextClassLoader(Deferred.class.getClassLoader());
            t.setPriority(Thread.NORM_PRIORITY);
            t.start();
        } catch (Throwable e) {
            // No thread to be had (a thread limit, no memory): a later spawn tries again.
            work.compareAndSet(null, w);
        }
    }
}
