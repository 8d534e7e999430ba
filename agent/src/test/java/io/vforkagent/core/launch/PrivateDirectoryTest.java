package io.vforkagent.core.launch;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Where the agent may write a library it then loads: only where no other user can change anything. */
class PrivateDirectoryTest {
    @TempDir
    Path tmp;

    private static void chmod(Path p, String perms) throws IOException {
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(perms));
    }

    /** A shared directory that anyone can write and is not sticky: another user could swap the library. */
    @Test
    void refusesAWorldWritableDirectoryWithoutTheStickyBit() throws Exception {
        Path shared = Files.createDirectory(tmp.resolve("shared"));
        chmod(shared, "rwxrwxrwx");
        IOException e = assertThrows(IOException.class, () -> NativeInstaller.privateDirectory(shared));
        assertTrue(e.getMessage().contains(shared + " can be changed by other users (mode 777"), e.getMessage());
        assertTrue(e.getMessage().endsWith("; give the agent a directory of its own with tmpdir=DIR"), e.getMessage());
        try (var s = Files.list(shared)) {
            assertEquals(0, s.count(), "the directory made is removed again");
        }
    }

    @Test
    void refusesAGroupWritableParent() throws Exception {
        Path parent = Files.createDirectory(tmp.resolve("group"));
        Path base = Files.createDirectory(parent.resolve("base"));
        chmod(parent, "rwxrwxr-x");
        IOException e = assertThrows(IOException.class, () -> NativeInstaller.privateDirectory(base));
        assertTrue(e.getMessage().contains(parent + " can be changed by other users"), e.getMessage());
    }

    /** /tmp's way: writable by all but sticky, so nobody can rename what is not theirs. */
    @Test
    void acceptsAStickyWorldWritableDirectory() throws Exception {
        Path sticky = Files.createDirectory(tmp.resolve("sticky"));
        Process p = new ProcessBuilder("chmod", "1777", sticky.toString()).start();
        assertEquals(0, p.waitFor());
        Path dir = NativeInstaller.privateDirectory(sticky);
        assertEquals(sticky.toRealPath(), dir.getParent());
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
    }

    /** A directory of another user (here: nobody's), even one only they can write. */
    @Test
    void refusesADirectoryOfAnotherUser() throws Exception {
        Path theirs = Files.createDirectory(tmp.resolve("theirs"));
        Process p = new ProcessBuilder("chown", "65534", theirs.toString()).start();
        Assumptions.assumeTrue(p.waitFor() == 0, "chown needs root");
        IOException e = assertThrows(IOException.class, () -> NativeInstaller.privateDirectory(theirs));
        assertTrue(e.getMessage().contains(theirs + " belongs to uid 65534"), e.getMessage());
        assertTrue(e.getMessage().endsWith("tmpdir=DIR"), e.getMessage());
    }

    /** A link is followed once, and the real directories are the ones checked. */
    @Test
    void checksTheDirectoriesALinkLeadsTo() throws Exception {
        Path shared = Files.createDirectory(tmp.resolve("open"));
        chmod(shared, "rwxrwxrwx");
        Path link = Files.createSymbolicLink(tmp.resolve("link"), shared);
        IOException e = assertThrows(IOException.class, () -> NativeInstaller.privateDirectory(link));
        assertTrue(e.getMessage().contains(shared.toRealPath() + " can be changed by other users"), e.getMessage());
    }
}
