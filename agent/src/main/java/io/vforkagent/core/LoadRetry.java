package io.vforkagent.core;

import io.vforkagent.core.launch.NativeInstaller;

/**
 * Loads the native library again after a start-up failure whose cause passes (no descriptor, no
 * memory, no thread, a full disk): at a later spawn, on a thread of its own, backing off from 1 s
 * to a minute, at most {@value #ATTEMPTS} times. Never after a failure that stays (noexec, a
 * damaged jar, an unsafe directory, the wrong architecture).
 */
final class LoadRetry implements Runnable {
    static final int ATTEMPTS = 10;
    private static final long SECOND = 1_000_000_000L;
    /**
     * strerror texts of the errors that pass: in English, as the C library says them unless the
     * JVM's locale has it translate (the JVM sets the locale from the environment). A shortage of
     * descriptors, the usual one, is also seen directly, in any language.
     */
    private static final String[] TRANSIENT = {
        "Too many open files", "Cannot allocate memory", "Resource temporarily unavailable",
        "No space left on device", "Disk quota exceeded", "Interrupted system call"
    };

    private final Control control;
    private final SpawnService service;
    private final Options options;
    private int attempt;

    LoadRetry(Control control, SpawnService service, Options options) {
        this.control = control;
        this.service = service;
        this.options = options;
    }

    /** The first retry, a second after the failure. */
    void arm() {
        service.retryLoad(this, SECOND);
    }

    /**
     * Whether the failure may pass. A class whose initialisation failed stays failed, whatever the
     * cause: no retry then.
     */
    static boolean isTransient(Throwable t) {
        return isTransient(t, !Headroom.descriptorsToSpare(Headroom.FOR_JDK_INIT));
    }

    /** With {@code descriptorsShort}: the process has few descriptors left now, whatever the message says. */
    static boolean isTransient(Throwable t, boolean descriptorsShort) {
        boolean passes = descriptorsShort;
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof NoClassDefFoundError || c instanceof ExceptionInInitializerError) {
                return false;
            }
            if (c instanceof OutOfMemoryError) {
                passes = true;
            }
            String m = String.valueOf(c.getMessage());
            for (String s : TRANSIENT) {
                passes |= m.contains(s);
            }
        }
        return passes;
    }

    @Override
    public void run() {
        attempt++;
        try {
            NativeInstaller.install(StartThread.baseDirectory(options));
            control.loadedOnRetry();
        } catch (Throwable t) {
            if (isTransient(t) && attempt < ATTEMPTS) {
                service.retryLoad(this, Math.min(60L, 1L << attempt) * SECOND);
                AgentLog.warnStderr("load retry", "vfork-agent: the native launcher did not load on retry " + attempt
                        + " (" + t.getMessage() + "); trying again at a later spawn");
            } else {
                AgentLog.stderr("WARN", "vfork-agent: the native launcher did not load on retry " + attempt + " ("
                        + t.getMessage() + "); spawns use the JDK launcher for good");
            }
        }
    }
}
