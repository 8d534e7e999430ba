package io.vforkagent.core.record;

import io.vforkagent.core.AgentLog;

/**
 * The agent's log lines, written so that the logging backend cannot loop: a line is not written
 * from inside the writing of another, and whatever the backend spawns meanwhile (an appender that
 * runs a program per line) is its own business, not logged again.
 */
final class LogGuard {
    /** Set while this thread writes one of our lines, or for good on a thread that only writes them. */
    private final ThreadLocal<Boolean> writing = new ThreadLocal<>();

    /** Whether this thread is inside the writing of one of our lines. */
    boolean inside() {
        return writing.get() != null;
    }

    /** Marks a thread whose spawns are all the backend's: the exit-line writer. */
    void markThisThread() {
        writing.set(Boolean.TRUE);
    }

    /** Whether a DEBUG line would be written here: the level first, so DEBUG off costs no thread-local. */
    boolean debugWanted() {
        return AgentLog.isDebugEnabled() && !inside();
    }

    void debug(String line) {
        write(null, false, line);
    }

    void info(String line) {
        write(null, true, line);
    }

    /** A WARN, rate-limited per {@code kind}. */
    void warn(String kind, String line) {
        write(kind, false, line);
    }

    private void write(String warnKind, boolean info, String line) {
        if (inside()) {
            return;
        }
        writing.set(Boolean.TRUE);
        try {
            if (warnKind != null) {
                AgentLog.warn(warnKind, line);
            } else if (info) {
                AgentLog.info(line);
            } else {
                AgentLog.debug(line);
            }
        } finally {
            writing.remove();
        }
    }
}
