package io.vforkagent.core.launch;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ErrorMessagesTest {
    @Test
    void oldFormat() {
        assertEquals("error=2, No such file or directory",
                ErrorMessages.message(ErrorMessages.Style.OLD, 2, NativeLauncher.STEP_EXEC, "No such file or directory"));
        assertEquals("error=9999, Exec failed",
                ErrorMessages.message(ErrorMessages.Style.OLD, 9999, NativeLauncher.STEP_EXEC, null));
        assertEquals("error=24, Too many open files",
                ErrorMessages.message(ErrorMessages.Style.OLD, 24, NativeLauncher.STEP_PIPE, "Too many open files"));
    }

    @Test
    void newFormat() {
        assertEquals("Exec failed, error: 2 (No such file or directory) ",
                ErrorMessages.message(ErrorMessages.Style.NEW, 2, NativeLauncher.STEP_EXEC, "No such file or directory"));
        assertEquals("Bad file descriptor, error: 24 (Too many open files) ",
                ErrorMessages.message(ErrorMessages.Style.NEW, 24, NativeLauncher.STEP_PIPE, "Too many open files"));
        assertEquals("vfork failed, error: 11 (Resource temporarily unavailable) ",
                ErrorMessages.message(ErrorMessages.Style.NEW, 11, NativeLauncher.STEP_CLONE,
                        "Resource temporarily unavailable"));
        assertEquals("Exec failed, error: 9999 (unknown) ",
                ErrorMessages.message(ErrorMessages.Style.NEW, 9999, NativeLauncher.STEP_EXEC, null));
    }

    /** The detected style reproduces, to the letter, what this JDK's own launcher throws. */
    @Test
    void detectedStyleMatchesTheRunningJdk() {
        IOException e = assertThrows(IOException.class, () -> new ProcessBuilder("/no/such/vfa-program").start());
        ErrorMessages.Style style = ErrorMessages.detect(
                Path.of(System.getProperty("java.home"), "lib", "libjava.so"), Runtime.version().feature());
        assertEquals("Cannot run program \"/no/such/vfa-program\": "
                        + ErrorMessages.message(style, 2, NativeLauncher.STEP_EXEC, "No such file or directory"),
                e.getMessage());
        assertEquals(Runtime.version().feature() >= 25 ? ErrorMessages.Style.NEW : ErrorMessages.Style.OLD, style);
    }

    @Test
    void missingLibjavaFallsBackToTheVersion() {
        assertEquals(ErrorMessages.Style.OLD, ErrorMessages.detect(Path.of("/nonexistent/libjava.so"), 21));
        assertEquals(ErrorMessages.Style.NEW, ErrorMessages.detect(Path.of("/nonexistent/libjava.so"), 25));
    }
}
