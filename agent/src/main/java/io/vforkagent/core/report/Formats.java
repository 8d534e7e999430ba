package io.vforkagent.core.report;

import java.util.Locale;

/** Human figures: durations with a unit that keeps three significant digits, sizes in KiB/MiB. */
final class Formats {
    private Formats() {
    }

    static String nanos(long n) {
        if (n < 1_000) {
            return n + " ns";
        }
        if (n < 1_000_000) {
            return String.format(Locale.ROOT, "%.1f us", n / 1e3);
        }
        if (n < 1_000_000_000) {
            return String.format(Locale.ROOT, "%.2f ms", n / 1e6);
        }
        return String.format(Locale.ROOT, "%.2f s", n / 1e9);
    }

    static String bytes(long b) {
        if (b < 0) {
            return "-";
        }
        if (b < 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f KiB", b / 1024.0);
        }
        return String.format(Locale.ROOT, "%.1f MiB", b / (1024.0 * 1024));
    }

    static String exit(SpawnReport.Exit e) {
        return e.signal.isEmpty() ? "exit " + e.exitCode : e.signal;
    }
}
