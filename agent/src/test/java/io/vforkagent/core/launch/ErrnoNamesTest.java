package io.vforkagent.core.launch;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ErrnoNamesTest {
    /** The Java table is glibc's strerrorname_np, number for number. */
    @Test
    void matchesGlibc(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        NativeLauncher.load(tmp);
        for (int e = 1; e <= 133; e++) {
            assertEquals(NativeLauncher.errnoName(e), ErrnoNames.name(e), "errno " + e);
        }
        assertEquals("E134", ErrnoNames.name(134));
        assertEquals("E0", ErrnoNames.name(0));
        assertEquals("E-1", ErrnoNames.name(-1));
    }
}
