package io.vforkagent.core.launch;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NativeLauncherTest {
    @TempDir
    Path tmp;

    @Test
    void sha256() throws Exception {
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
                Sha256.hex("abc".getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void privateDirectoryIsNewAndOwnerOnly() throws Exception {
        Path a = NativeInstaller.privateDirectory(tmp);
        Path b = NativeInstaller.privateDirectory(tmp);
        assertNotEquals(a, b);
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(a, LinkOption.NOFOLLOW_LINKS)));
        assertTrue(Files.isDirectory(a, LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void loadsChecksNothingLeftBehindAndSpawns() throws Exception {
        NativeLauncher.load(tmp);
        try (var s = Files.list(tmp)) {
            assertEquals(0, s.count(), "the extracted library and its directory are removed once loaded");
        }
        long[] out = new long[NativeLauncher.OUT_LEN];
        int pid = NativeLauncher.spawn("/bin/true\0".getBytes(StandardCharsets.UTF_8), new byte[0], 0, null, 0, null,
                new int[] {0, 1, 2}, false, null, out);
        assertTrue(pid > 0, "errno " + out[NativeLauncher.OUT_ERRNO]);
        long[] usage = new long[NativeLauncher.WAIT_LEN];
        assertEquals(0, NativeLauncher.waitExit(pid, usage));
        assertEquals(-1, NativeLauncher.waitExit(pid, usage), "reaped once");
        assertEquals("ENOENT", NativeLauncher.errnoName(2));
        assertEquals("No such file or directory", NativeLauncher.strerror(2));
    }
}
