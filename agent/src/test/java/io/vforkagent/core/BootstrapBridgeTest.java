package io.vforkagent.core;

import net.bytebuddy.jar.asm.ClassReader;
import org.junit.jupiter.api.Test;

import java.io.InputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

class BootstrapBridgeTest {
    @Test
    void renamedIntoJavaLangAndNamesNothingOfTheAgent() throws Exception {
        byte[] original;
        try (InputStream in = BootstrapBridgeTest.class.getResourceAsStream("/io/vforkagent/bridge/SpawnBridge.class")) {
            original = in.readAllBytes();
        }
        byte[] renamed = BootstrapBridge.renamed(original);
        assertEquals("java/lang/VforkAgentBridge", new ClassReader(renamed).getClassName());
        // Defined into java.base, it may only refer to JDK types.
        String text = new String(renamed, java.nio.charset.StandardCharsets.ISO_8859_1);
        assertFalse(text.contains("io/vforkagent"), "a reference to the agent's own classes remains");
    }

    @Test
    void renamingKeepsEveryMember() throws Exception {
        byte[] original;
        try (InputStream in = BootstrapBridgeTest.class.getResourceAsStream("/io/vforkagent/bridge/SpawnBridge.class")) {
            original = in.readAllBytes();
        }
        byte[] renamed = BootstrapBridge.renamed(original);
        // The original's name and its descriptor ("Lio/...;", the constructor's this) changed: 6 bytes shorter each.
        assertEquals(original.length - 2 * 6, renamed.length);
        assertEquals(members(original), members(renamed));
    }

    private static java.util.List<String> members(byte[] classFile) {
        java.util.List<String> out = new java.util.ArrayList<>();
        new ClassReader(classFile).accept(new net.bytebuddy.jar.asm.ClassVisitor(net.bytebuddy.jar.asm.Opcodes.ASM9) {
            @Override
            public net.bytebuddy.jar.asm.FieldVisitor visitField(int access, String name, String desc, String sig, Object v) {
                out.add(access + " " + name + desc);
                return null;
            }

            @Override
            public net.bytebuddy.jar.asm.MethodVisitor visitMethod(int access, String name, String desc, String sig,
                                                                  String[] exceptions) {
                out.add(access + " " + name + desc);
                return null;
            }
        }, 0);
        return out;
    }

    @Test
    void refusesABridgeThatNamesTheAgent() {
        byte[] fake = {(byte) 0xca, (byte) 0xfe, (byte) 0xba, (byte) 0xbe, 0, 0, 0, 61, 0, 2,
            1, 0, 18, 'i', 'o', '/', 'v', 'f', 'o', 'r', 'k', 'a', 'g', 'e', 'n', 't', '/', 'c', 'o', 'r', 'e', 0};
        org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, () -> BootstrapBridge.renamed(fake));
    }
}
