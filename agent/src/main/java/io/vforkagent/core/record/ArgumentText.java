package io.vforkagent.core.record;

import io.vforkagent.core.launch.SpawnRequest;

import java.util.List;

/** A spawn's arguments as a record shows them, by the {@code args} and {@code redact} options. */
final class ArgumentText {
    // Volatile: a later attach may change them while spawns are recorded.
    private volatile String mode;
    private volatile String patterns;
    /** The patterns it was compiled from travel with it: a reconfigure can never be overtaken. */
    private volatile Compiled compiled;

    private static final class Compiled {
        final String patterns;
        final Redactor redactor;

        Compiled(String patterns, Redactor redactor) {
            this.patterns = patterns;
            this.redactor = redactor;
        }
    }

    ArgumentText(String mode, String patterns) {
        this.mode = mode;
        this.patterns = patterns;
    }

    void mode(String m) {
        mode = m;
    }

    /** Compiled at the next record. */
    void patterns(String p) {
        patterns = p;
    }

    /**
     * Arguments 1..n of the request, redacted whole (unless {@code args=full}) and only then capped
     * at {@link SpawnRequest#TEXT_CAP} characters: a cap must never part a secret from what
     * identifies it. An argument too long to be read ({@link SpawnRequest#arguments}) shows as
     * {@code ***}. A user pattern cut off for time is said through {@code guard}.
     */
    String of(SpawnRequest request, LogGuard guard) {
        String m = mode;
        if (m.equals("off") || request.argumentCount() == 0) {
            return "";
        }
        if (m.equals("full")) {
            return Redactor.join(request.arguments(true), SpawnRequest.TEXT_CAP);
        }
        List<String> args = request.arguments(false);
        for (int i = 0; i < args.size(); i++) {
            if (args.get(i) == null) {
                args.set(i, Redactor.MASK);
            }
        }
        Redactor r = redactor();
        String joined = Redactor.join(r.redact(request.program(), args), SpawnRequest.TEXT_CAP);
        // Said through our guarded log, and not from inside the logging backend, where it would be lost.
        String warning = guard.inside() ? null : r.takeWarning();
        if (warning != null) {
            guard.warn("redact cut-off", warning);
        }
        return joined;
    }

    /**
     * Compiled at the first record, not at start-up (regular expressions cost milliseconds), and
     * again at the first record after a reconfigure: whatever the order of the two, a record uses
     * the patterns in force when it began, never older ones for good.
     */
    private Redactor redactor() {
        String p = patterns;
        Compiled c = compiled;
        if (c == null || !c.patterns.equals(p)) {
            c = new Compiled(p, Redactor.withPatterns(p));
            compiled = c;
        }
        return c.redactor;
    }
}
