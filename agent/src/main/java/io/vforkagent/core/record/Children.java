package io.vforkagent.core.record;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The children started and not yet reaped: what an exit record needs of its spawn. */
final class Children {
    /** What the exit record needs of its spawn; the bytes are the JDK's own, not copied. */
    static final class Child {
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

    private final Map<Long, Child> children = new ConcurrentHashMap<>();
    /** Children are tracked only once the exit hook is in place: nothing else would remove them. */
    private volatile boolean tracking;

    void track(boolean on) {
        tracking = on;
    }

    boolean tracking() {
        return tracking;
    }

    /** Only while {@link #tracking}: the caller asks first, and spends nothing on the record otherwise. */
    void started(int pid, byte[] program, long startNanos, boolean quiet) {
        children.put((long) pid, new Child(program, startNanos, Thread.currentThread().getName(), quiet));
    }

    /** The child's record, removed; null when it was not tracked. */
    Child reaped(long pid) {
        return children.remove(pid);
    }

    long live() {
        return children.size();
    }
}
