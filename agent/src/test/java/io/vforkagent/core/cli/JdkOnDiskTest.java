package io.vforkagent.core.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JdkOnDiskTest {
    @TempDir
    Path dir;

    private Path jdk(String version) throws Exception {
        Path home = dir.resolve("jdk");
        Files.createDirectories(home.resolve("lib"));
        Files.writeString(home.resolve("release"), "IMPLEMENTOR=\"Test\"\nJAVA_RUNTIME_VERSION=\"" + version
                + "\"\nJAVA_VERSION=\"17.0.15\"\n");
        Files.writeString(home.resolve("lib/jspawnhelper"), "helper");
        return home;
    }

    @Test
    void unchangedWhenEverythingIsOlderThanTheJvm() throws Exception {
        Path home = jdk("17.0.15+6");
        JdkOnDisk d = JdkOnDisk.check(Path.of("/"), home.toString(), "17.0.15+6", "17.0.15",
                System.currentTimeMillis() + 60_000, List.of());
        assertFalse(d.changed(), d.changes::toString);
        assertEquals("", d.unknown);
        assertEquals("17.0.15+6", d.diskVersion);
    }

    @Test
    void aHelperAndReleaseWrittenAfterTheStartAreChanges() throws Exception {
        long start = System.currentTimeMillis() - 60_000;
        Path home = jdk("17.0.16+8");
        String lib = home + "/lib/";
        List<String> maps = List.of(
                "7f0000000000-7f0000001000 r--p 00000000 fd:00 1 " + lib + "libjava.so (deleted)",
                "7f0000001000-7f0000002000 r--p 00000000 fd:00 2 " + lib + "libnio.so (deleted)",
                "7f0000002000-7f0000003000 r--p 00000000 fd:00 3 " + lib + "server/libjvm.so (deleted)",
                "7f0000003000-7f0000004000 r--p 00000000 fd:00 3 " + lib + "server/libjvm.so (deleted)",
                "7f0000004000-7f0000005000 r--p 00000000 fd:00 4 " + lib + "libzip.so",
                "7f0000005000-7f0000006000 r--p 00000000 fd:00 5 /usr/lib/libc.so.6 (deleted)");
        JdkOnDisk d = JdkOnDisk.check(Path.of("/"), home.toString(), "17.0.15+6", "17.0.15", start, maps);
        assertTrue(d.helperChanged);
        assertEquals(3, d.changes.size(), d.changes::toString);
        assertTrue(d.changes.get(0).startsWith("lib/jspawnhelper replaced "), d.changes::toString);
        assertEquals("the installation is now 17.0.16+8 (the JVM runs 17.0.15+6)", d.changes.get(1));
        assertEquals("3 JDK files it runs from replaced on disk (lib/server/libjvm.so, lib/libjava.so, lib/libnio.so)",
                d.changes.get(2));
    }

    @Test
    void aReleaseThatOnlyNamesTheVersionOtherwiseIsNoChange() throws Exception {
        Path home = jdk("17.0.15+6-LTS");
        Files.setLastModifiedTime(home.resolve("lib/jspawnhelper"), java.nio.file.attribute.FileTime.fromMillis(0));
        // Written before the JVM started: whatever it says is what the JVM started with.
        JdkOnDisk d = JdkOnDisk.check(Path.of("/"), home.toString(), "17.0.15+6", "17.0.15",
                System.currentTimeMillis() + 60_000, null);
        assertFalse(d.changed(), d.changes::toString);
    }

    @Test
    void aMissingHelperOrHomeBreaksTheJdkLauncher() throws Exception {
        Path home = jdk("17.0.15+6");
        Files.delete(home.resolve("lib/jspawnhelper"));
        JdkOnDisk d = JdkOnDisk.check(Path.of("/"), home.toString(), "17.0.15+6", "17.0.15",
                System.currentTimeMillis(), null);
        assertTrue(d.helperChanged);
        assertEquals(List.of("lib/jspawnhelper is missing"), d.changes);
        JdkOnDisk gone = JdkOnDisk.check(Path.of("/"), dir.resolve("nowhere").toString(), "", "", 1, null);
        assertTrue(gone.helperChanged && gone.changes.get(0).contains(" is gone"), gone.changes::toString);
        assertEquals("JDK home unknown", JdkOnDisk.check(Path.of("/"), "", "", "", 1, null).unknown);
    }
}
