package io.vforkagent.boot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Collections;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;

class QuietJnaTest {
    /** Every JNA class: no name of java.util.logging.Logger left, and the ones that had one use the replacement. */
    @Test
    void relocatesEveryLoggerReferenceOfJna() throws Exception {
        Path jar = Path.of(com.sun.jna.Native.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        int relocated = 0;
        int classes = 0;
        try (JarFile j = new JarFile(jar.toFile())) {
            for (JarEntry e : Collections.list(j.entries())) {
                if (!e.getName().startsWith("com/sun/jna/") || !e.getName().endsWith(".class")) {
                    continue;
                }
                classes++;
                byte[] before = j.getInputStream(e).readAllBytes();
                byte[] after = QuietJna.relocate(before);
                String text = new String(after, StandardCharsets.ISO_8859_1);
                assertFalse(text.contains(QuietJna.LOGGER), e.getName());
                if (after != before) {
                    relocated++;
                    assertTrue(text.contains(QuietJna.REPLACEMENT), e.getName());
                    // Still a well-formed class: no ClassFormatError (a JNA superclass is not found here).
                    try {
                        new ClassLoader(null) {
                            Class<?> define() {
                                return defineClass(null, after, 0, after.length);
                            }
                        }.define();
                    } catch (NoClassDefFoundError superclassElsewhere) {
                        // parsed: the superclass is looked up only after
                    }
                } else {
                    assertArrayEquals(before, after);
                }
            }
        }
        assertTrue(classes > 100, "JNA classes read: " + classes);
        // Native, NativeLibrary, Structure, Memory... (JNA 5.17: 10 getLogger call sites)
        assertTrue(relocated >= 5, "classes relocated: " + relocated);
    }

    @Test
    void leavesOtherClassesAlone() throws Exception {
        byte[] own;
        // (Not this class: the constant QuietJna.LOGGER is compiled into it.)
        try (var in = AgentLoader.class.getResourceAsStream("AgentLoader.class")) {
            own = in.readAllBytes();
        }
        assertSame(own, QuietJna.relocate(own));
    }
}
