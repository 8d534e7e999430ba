package io.vforkagent.build;

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
        int propertyClasses = 0;
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
                assertTrue(propertyCalls(after).isEmpty(), e.getName() + " still calls " + propertyCalls(after));
                if (after != before) {
                    relocated++;
                    assertTrue(text.contains(QuietJna.REPLACEMENT) || text.contains(QuietJna.PROPERTIES), e.getName());
                    if (!propertyCalls(before).isEmpty()) {
                        propertyClasses++;
                        assertTrue(text.contains(QuietJna.PROPERTIES), e.getName());
                    }
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
        // Native, NativeLibrary, Platform, Structure, Native$AWT... read or write system properties.
        assertTrue(propertyClasses >= 4, "classes with property calls: " + propertyClasses);
    }

    /** The calls to the JVM's system properties a class makes, as "owner.name:descriptor". */
    static java.util.List<String> propertyCalls(byte[] classFile) {
        java.util.List<String> calls = new java.util.ArrayList<>();
        new net.bytebuddy.jar.asm.ClassReader(classFile).accept(new net.bytebuddy.jar.asm.ClassVisitor(
                net.bytebuddy.jar.asm.Opcodes.ASM9) {
            @Override
            public net.bytebuddy.jar.asm.MethodVisitor visitMethod(int access, String name, String desc, String sig,
                                                                   String[] exceptions) {
                return new net.bytebuddy.jar.asm.MethodVisitor(net.bytebuddy.jar.asm.Opcodes.ASM9) {
                    @Override
                    public void visitMethodInsn(int op, String owner, String n, String d, boolean itf) {
                        String call = owner + "." + n + ":" + d;
                        if (QuietJna.PROPERTY_METHODS.contains(call)) {
                            calls.add(call);
                        }
                    }
                };
            }
        }, 0);
        return calls;
    }

    /** A relocated call reaches JnaProperties' method of the same name and descriptor. */
    @Test
    void jnaPropertiesHasEveryRetargetedMethod() throws Exception {
        Class<?> target = Class.forName(QuietJna.PROPERTIES.replace('/', '.'));
        for (String m : QuietJna.PROPERTY_METHODS) {
            String name = m.substring(m.indexOf('.') + 1, m.indexOf(':'));
            String desc = m.substring(m.indexOf(':') + 1);
            boolean found = false;
            for (java.lang.reflect.Method method : target.getMethods()) {
                if (method.getName().equals(name) && java.lang.reflect.Modifier.isStatic(method.getModifiers())
                        && net.bytebuddy.jar.asm.Type.getMethodDescriptor(method).equals(desc)) {
                    found = true;
                }
            }
            assertTrue(found, m);
        }
    }

    @Test
    void leavesOtherClassesAlone() throws Exception {
        byte[] own;
        // (Not this class: the constant QuietJna.LOGGER is compiled into it.)
        try (var in = io.vforkagent.boot.AgentMain.class.getResourceAsStream("AgentMain.class")) {
            own = in.readAllBytes();
        }
        assertSame(own, QuietJna.relocate(own));
    }

    /** A constant this reader does not know fails the build: a class left alone could still read the JVM's properties. */
    @Test
    void unknownConstantFailsTheBuild() throws Exception {
        byte[] own;
        try (var in = io.vforkagent.boot.AgentMain.class.getResourceAsStream("AgentMain.class")) {
            own = in.readAllBytes();
        }
        own[10] = (byte) 2; // the first constant's tag: 2 is unused by the JVMS
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> QuietJna.relocate(own));
    }
}
