package io.vforkagent.core;

import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@code vforkagent.} property namespace is the user's options and nothing else: a property
 * there that the agent read for itself would be rejected as an unknown option, and turn the agent
 * off (as {@code vforkagent.version.override} did).
 */
class NoInternalKnobsTest {
    @Test
    void everyVforkagentStringInTheAgentIsAnOption() throws Exception {
        Path classes = Path.of(Agent.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<String> knobs = new ArrayList<>();
        int read = 0;
        try (Stream<Path> files = Files.walk(classes)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".class")).toList()) {
                read++;
                new ClassReader(Files.readAllBytes(f)).accept(new ClassVisitor(Opcodes.ASM9) {
                    @Override
                    public MethodVisitor visitMethod(int a, String n, String d, String s, String[] e) {
                        return new MethodVisitor(Opcodes.ASM9) {
                            /** String constants pushed since the last call. */
                            private final List<String> pushed = new ArrayList<>();

                            @Override
                            public void visitLdcInsn(Object value) {
                                if (value instanceof String) {
                                    pushed.add((String) value);
                                }
                            }

                            /** A property read whose key is a constant of the option namespace. */
                            @Override
                            public void visitMethodInsn(int op, String owner, String name, String desc, boolean itf) {
                                boolean read = owner.equals("java/lang/System") && name.equals("getProperty")
                                        || name.equals("getBoolean") || name.equals("getInteger") || name.equals("getLong");
                                for (String key : read ? pushed : List.<String>of()) {
                                    if (key.startsWith(Options.PROPERTY_PREFIX) && !Options.SPECS.containsKey(
                                            key.substring(Options.PROPERTY_PREFIX.length()))) {
                                        knobs.add(f.getFileName() + ": " + key);
                                    }
                                }
                                pushed.clear();
                            }
                        };
                    }
                }, 0);
            }
        }
        assertTrue(read > 30, "classes read: " + read);
        assertEquals(List.of(), knobs);
    }
}
