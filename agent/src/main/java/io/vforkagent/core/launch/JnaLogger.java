package io.vforkagent.core.launch;

import io.vforkagent.core.AgentLog;

import java.util.logging.Level;

/**
 * What JNA's {@code java.util.logging.Logger} calls reach in the agent's copy of JNA (see
 * {@code QuietJna}): the JVM's logging is left untouched. JNA's warnings and errors still reach
 * stderr, as the agent's own start-up messages do; its debug lines are dropped.
 */
public final class JnaLogger {
    private final String name;

    private JnaLogger(String name) {
        this.name = name;
    }

    public static JnaLogger getLogger(String name) {
        return new JnaLogger(name);
    }

    public boolean isLoggable(Level level) {
        return level.intValue() >= Level.WARNING.intValue();
    }

    public void log(Level level, String message) {
        log(level, message, (Object[]) null);
    }

    public void log(Level level, String message, Object param) {
        log(level, message, new Object[] {param});
    }

    public void log(Level level, String message, Throwable thrown) {
        if (isLoggable(level)) {
            AgentLog.stderr("WARN", "vfork-agent: JNA (" + name + "): " + message + ": " + thrown);
        }
    }

    public void log(Level level, String message, Object[] params) {
        if (isLoggable(level)) {
            String text = params == null || params.length == 0 ? message
                    : java.text.MessageFormat.format(message, params);
            AgentLog.stderr("WARN", "vfork-agent: JNA (" + name + "): " + text);
        }
    }
}
