package io.vforkagent.core;

import org.junit.jupiter.api.Test;

import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which load failures are retried: those that pass, told by their text or by the descriptors left. */
class LoadRetryTest {
    private static IOException loadFailure(String text) {
        return new IOException("cannot start JNA: UnsatisfiedLinkError: /tmp/x/libjnidispatch.so: " + text,
                new UnsatisfiedLinkError(text));
    }

    @Test
    void englishTextsOfPassingErrorsAreRetried() {
        assertTrue(LoadRetry.isTransient(loadFailure("Too many open files"), false));
        assertTrue(LoadRetry.isTransient(loadFailure("failed to map segment from shared object: Cannot allocate memory"),
                false));
        assertFalse(LoadRetry.isTransient(loadFailure("failed to map segment from shared object: Operation not "
                + "permitted"), false));
    }

    /** A JVM whose locale has the C library translate: the shortage is seen in the descriptors left. */
    @Test
    void aTranslatedShortageOfDescriptorsIsRetried() {
        IOException german = loadFailure("Kann die Shared-Object-Datei nicht öffnen: Zu viele offene Dateien");
        assertTrue(LoadRetry.isTransient(german, true));
        assertFalse(LoadRetry.isTransient(german, false));
    }

    /** A class whose initialiser failed stays failed: never retried, even short of descriptors. */
    @Test
    void aFailedClassIsNeverRetried() {
        assertFalse(LoadRetry.isTransient(new IOException("x", new NoClassDefFoundError("com/sun/jna/Native")), true));
        assertFalse(LoadRetry.isTransient(new ExceptionInInitializerError("Too many open files"), true));
    }

    /** In this test JVM, with descriptors to spare, the one-argument check goes by the text. */
    @Test
    void theLiveCheckReadsThisProcess() {
        assertFalse(LoadRetry.isTransient(loadFailure("Operation not permitted")));
        assertTrue(LoadRetry.isTransient(loadFailure("Too many open files")));
    }
}
