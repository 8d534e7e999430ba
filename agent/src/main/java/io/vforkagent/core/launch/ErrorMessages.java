package io.vforkagent.core.launch;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The text of the {@link IOException} that the running JDK's own launcher throws for a given
 * errno and step, so that an application (or its log parser) sees no difference.
 *
 * <p>The format is decided by what the running JDK's {@code libjava.so} contains, not by its
 * version number: some JDK 21 updates carry the JDK 25 format (JDK-8352533).
 */
public final class ErrorMessages {
    /** JDK 25: {@code "Exec failed, error: 2 (No such file or directory) "}. */
    static final String NEW_FORMAT = "%s, error: %d (%s) %s";
    /** JDK 17, most of 21: {@code "error=2, No such file or directory"}. */
    static final String OLD_FORMAT = "error=%d, %s";

    public enum Style { OLD, NEW }

    private ErrorMessages() {
    }

    private static final class Detected {
        static final Style STYLE = detect(Path.of(System.getProperty("java.home"), "lib", "libjava.so"),
                Runtime.version().feature());
    }

    public static Style style() {
        return Detected.STYLE;
    }

    static Style detect(Path libjava, int feature) {
        try {
            String text = new String(Files.readAllBytes(libjava), StandardCharsets.ISO_8859_1);
            if (text.contains(NEW_FORMAT)) {
                return Style.NEW;
            }
            if (text.contains(OLD_FORMAT)) {
                return Style.OLD;
            }
        } catch (IOException | RuntimeException ignored) {
            // fall back to the version below
        }
        return feature >= 25 ? Style.NEW : Style.OLD;
    }

    /** The JDK's default detail for a step: used in the message whatever libc says. */
    public static String detail(int step) {
        switch (step) {
            case NativeLauncher.STEP_PIPE:
                return "Bad file descriptor";
            case NativeLauncher.STEP_ALLOC:
            case NativeLauncher.STEP_CLONE:
                return "vfork failed";
            default:
                return "Exec failed";
        }
    }

    /**
     * @param strerror libc's text for errnum, or null when libc knows no text for it
     */
    public static String message(Style style, int errnum, int step, String strerror) {
        if (style == Style.NEW) {
            String why = errnum == 0 ? "none" : strerror == null ? "unknown" : strerror;
            return detail(step) + ", error: " + errnum + " (" + why + ") ";
        }
        return "error=" + errnum + ", " + (errnum == 0 || strerror == null ? detail(step) : strerror);
    }

    public static IOException exception(int errnum, int step) {
        String text = NativeLauncher.strerror(errnum);
        if (text.isEmpty() || text.startsWith("Unknown error")) {
            text = null;
        }
        return new IOException(message(style(), errnum, step, text));
    }
}
