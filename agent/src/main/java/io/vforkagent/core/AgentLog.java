package io.vforkagent.core;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The agent's log lines, as {@code key=value} text under the logger {@code io.vforkagent}.
 *
 * <p>They go through the application's own SLF4J when it has one, else to stderr. SLF4J is looked
 * up only when the first line is written after start-up, never during premain, so the agent never
 * initialises the application's logging before the application does. On stderr only INFO and WARN
 * are written, and WARN lines are rate-limited per kind so a spawn storm cannot flood the console.
 * Every line is one line of plain text: control characters in it are escaped ({@link #unsafe}).
 */
public final class AgentLog {
    public static final String LOGGER = "io.vforkagent";
    private static final long STDERR_WARN_INTERVAL_NS = 10_000_000_000L;

    private static volatile Object slf4j; // org.slf4j.Logger, or NO_SLF4J
    private static final Object NO_SLF4J = new Object();
    private static final int MAX_KINDS = 256;
    /** kind -> {last time written, lines held back since}. */
    private static final Map<String, AtomicLong[]> stderrKinds = new ConcurrentHashMap<>();

    private AgentLog() {
    }

    /** Whether the application has SLF4J, checked without loading or initialising any of it. */
    public static boolean applicationHasSlf4j() {
        return ClassLoader.getSystemClassLoader().getResource("org/slf4j/LoggerFactory.class") != null;
    }

    private static final java.util.concurrent.atomic.AtomicReference<String> pendingStart =
            new java.util.concurrent.atomic.AtomicReference<>();

    /**
     * The agent's start line: at once on stderr when the application has no SLF4J, else kept
     * until the first spawn, when the application's logging is surely set up.
     */
    public static void started(String line) {
        if (applicationHasSlf4j()) {
            pendingStart.set(line);
        } else {
            stderr("INFO", line);
        }
    }

    /** Called on every spawn: one volatile read unless a start line waits. */
    public static boolean startPending() {
        return pendingStart.get() != null;
    }

    /** The start line, to the one thread that takes it; null after that. */
    public static String takeStart() {
        return pendingStart.getAndSet(null);
    }

    private static final long TRACE_ORIGIN = System.nanoTime();
    private static final boolean TRACE = traceWanted();

    /**
     * Whether VFORK_AGENT_TRACE_START is set, read from /proc/self/environ: on JDK 23+
     * System.getenv's first use loads ProcessImpl, which premain then could no longer have
     * rewritten as it is defined (a retransformation instead).
     */
    private static boolean traceWanted() {
        try (java.io.FileInputStream in = new java.io.FileInputStream("/proc/self/environ")) {
            String environ = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
            return ("\0" + environ).contains("\0VFORK_AGENT_TRACE_START=");
        } catch (java.io.IOException | RuntimeException e) {
            return false;
        }
    }

    /** With VFORK_AGENT_TRACE_START set: the time each start-up step ends, for start-up tuning. */
    public static void trace(String step) {
        if (TRACE) {
            // No printf: its first use loads the regex engine, which would distort what is measured.
            System.err.println("[vfork-agent] TRACE " + (System.nanoTime() - TRACE_ORIGIN) / 100_000 / 10.0 + " ms " + step);
        }
    }

    /** For start-up problems: straight to stderr, the only safe place during premain. */
    public static void stderr(String level, String message) {
        System.err.println("[vfork-agent] " + level + " " + escape(message));
    }

    /**
     * Whether a character is written escaped wherever the agent writes text: C0 and C1 controls
     * and DEL (a raw CR or ESC could rewrite what a terminal shows, a newline forge a log line),
     * the line and paragraph separators, and the bidirectional overrides (which reorder text).
     */
    public static boolean unsafe(char c) {
        return c < 0x20 || c >= 0x7f && c <= 0x9f || c == 0x2028 || c == 0x2029 || c >= 0x202a && c <= 0x202e
                || c >= 0x2066 && c <= 0x2069 || c == 0x200e || c == 0x200f || c == 0x061c;
    }

    /** The text with every {@link #unsafe} character escaped: backslash-n, -r, -t, or backslash-u and 4 hex digits. */
    public static String escape(String s) {
        int i = 0;
        while (i < s.length() && !unsafe(s.charAt(i))) {
            i++;
        }
        if (i == s.length()) {
            return s;
        }
        StringBuilder sb = new StringBuilder(s.length() + 16).append(s, 0, i);
        appendEscaped(sb, s.substring(i), false);
        return sb.toString();
    }

    /**
     * Appends {@code s} with unsafe characters escaped and, for text between double quotes,
     * backslashes and double quotes too, so that it reads back unambiguously.
     */
    public static void appendEscaped(StringBuilder sb, String s, boolean quoted) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quoted && (c == '\\' || c == '"')) {
                sb.append('\\').append(c);
            } else if (!unsafe(c)) {
                sb.append(c);
            } else if (c == '\n') {
                sb.append("\\n");
            } else if (c == '\r') {
                sb.append("\\r");
            } else if (c == '\t') {
                sb.append("\\t");
            } else {
                sb.append("\\u").append(HEX[c >> 12 & 15]).append(HEX[c >> 8 & 15]).append(HEX[c >> 4 & 15])
                        .append(HEX[c & 15]);
            }
        }
    }

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private static Object logger() {
        Object l = slf4j;
        if (l == null) {
            try {
                l = applicationHasSlf4j() ? Slf4jHolder.logger() : NO_SLF4J;
            } catch (Throwable t) {
                l = NO_SLF4J;
            }
            slf4j = l;
        }
        return l;
    }

    public static boolean isDebugEnabled() {
        Object l = logger();
        return l != NO_SLF4J && Slf4jHolder.isDebugEnabled(l);
    }

    public static void debug(String message) {
        Object l = logger();
        if (l != NO_SLF4J) {
            Slf4jHolder.debug(l, escape(message));
        }
    }

    public static void info(String message) {
        Object l = logger();
        if (l != NO_SLF4J) {
            Slf4jHolder.info(l, escape(message));
        } else {
            stderr("INFO", message);
        }
    }

    /**
     * A WARN line. On stderr (no SLF4J) each {@code kind} is written at most once per 10 s, with a
     * count of what was held back, so a spawn storm cannot flood the console.
     */
    public static void warn(String kind, String message) {
        Object l = logger();
        if (l != NO_SLF4J) {
            Slf4jHolder.warn(l, escape(message));
            return;
        }
        warnStderr(kind, message);
    }

    /**
     * A WARN line on stderr, whatever the application logs with: at most one per kind per
     * interval, with the count of those held back.
     */
    public static void warnStderr(String kind, String message) {
        long now = System.nanoTime();
        AtomicLong[] slot = stderrKinds.get(kind);
        if (slot == null) {
            if (stderrKinds.size() >= MAX_KINDS) {
                kind = "other";
            }
            slot = stderrKinds.computeIfAbsent(kind, k -> new AtomicLong[] {new AtomicLong(Long.MIN_VALUE), new AtomicLong()});
        }
        long last = slot[0].get();
        if (last != Long.MIN_VALUE && now - last < STDERR_WARN_INTERVAL_NS || !slot[0].compareAndSet(last, now)) {
            slot[1].incrementAndGet();
            return;
        }
        long held = slot[1].getAndSet(0);
        stderr("WARN", held == 0 ? message : message + " (" + held + " similar lines held back)");
    }

    /** Touches SLF4J only when called, so a JVM without it never loads these classes. */
    private static final class Slf4jHolder {
        static Object logger() {
            return org.slf4j.LoggerFactory.getLogger(LOGGER);
        }

        static boolean isDebugEnabled(Object l) {
            return ((org.slf4j.Logger) l).isDebugEnabled();
        }

        static void debug(Object l, String m) {
            ((org.slf4j.Logger) l).debug(m);
        }

        static void info(Object l, String m) {
            ((org.slf4j.Logger) l).info(m);
        }

        static void warn(Object l, String m) {
            ((org.slf4j.Logger) l).warn(m);
        }
    }
}
