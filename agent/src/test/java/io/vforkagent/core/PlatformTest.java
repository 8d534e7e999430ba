package io.vforkagent.core;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What {@link Platform#unsupported} accepts, and its musl detection. */
class PlatformTest {
    @TempDir
    Path tmp;

    @Test
    void thisJvmIsSupportedAndNotMusl() {
        assertNull(Platform.unsupported(), "this glibc JVM on " + System.getProperty("os.arch"));
        assertFalse(Platform.muslJvm("/proc/self/exe"), "this JVM asks for glibc's loader");
    }

    /** An executable whose ELF interpreter is musl's, the rest of this JVM's own first KiB. */
    @Test
    void muslInterpreterIsDetected() throws Exception {
        byte[] head;
        try (java.io.InputStream in = Files.newInputStream(Path.of("/proc/self/exe"))) {
            head = in.readNBytes(1024);
        }
        assertArrayEquals(new byte[] {0x7f, 'E', 'L', 'F'}, java.util.Arrays.copyOf(head, 4));
        String text = new String(head, StandardCharsets.ISO_8859_1);
        int at = text.indexOf("/ld-linux-");
        assertTrue(at > 0, "glibc's loader named in the first KiB");
        byte[] musl = "/ld-musl-x.so.1\0".getBytes(StandardCharsets.ISO_8859_1);
        System.arraycopy(musl, 0, head, at, musl.length);
        Path exe = tmp.resolve("java-on-musl");
        Files.write(exe, head);
        assertTrue(Platform.muslJvm(exe.toString()));
    }

    @Test
    void unreadableExecutableIsNotMusl() {
        assertFalse(Platform.muslJvm(tmp.resolve("missing").toString()));
    }
}
