package io.vforkagent.it;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A logging backend that stalls on exit lines until {@link ReaperApp} releases it (a network
 * appender waiting on its server would do the same): if the JDK's reaper thread wrote exit lines
 * itself, the application's {@code waitFor} would stall with it.
 */
public final class BlockingAppender extends AppenderBase<ILoggingEvent> {
    static final CountDownLatch RELEASE = new CountDownLatch(1);
    /** Counted down once an exit line has been appended. */
    static final CountDownLatch EXIT_APPENDED = new CountDownLatch(1);

    @Override
    protected void append(ILoggingEvent event) {
        String line = event.getFormattedMessage();
        if (line.startsWith("exit pid=")) {
            try {
                RELEASE.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        System.out.println("APPENDED " + line);
        if (line.startsWith("exit pid=")) {
            EXIT_APPENDED.countDown();
        }
    }
}
