package io.vforkagent.it;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;

/**
 * A logging backend that spawns a process for every line it writes (as a syslog or alerting
 * appender might): each spawn the agent logs would make another spawn, for ever, unless the
 * agent leaves the backend's own spawns unlogged.
 */
public final class SpawningAppender extends AppenderBase<ILoggingEvent> {
    @Override
    protected void append(ILoggingEvent event) {
        try {
            new ProcessBuilder("/usr/bin/env", "true").start().waitFor();
            System.out.println("APPENDER-SPAWNED for: " + event.getFormattedMessage());
        } catch (Exception e) {
            System.out.println("APPENDER-FAILED " + e);
        }
    }
}
