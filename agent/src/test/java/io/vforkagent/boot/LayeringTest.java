package io.vforkagent.boot;

import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.commons.ClassRemapper;
import net.bytebuddy.jar.asm.commons.Remapper;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The separation the jar's layout relies on, checked: the boot classes run in the application's
 * class loader and the bridge inside java.base, so neither may name anything but the JDK's
 * {@code java.*} classes and their own package. Everything else is reached by name, through the
 * agent's own class loader.
 */
class LayeringTest {
    private static Path classes() throws Exception {
        return Path.of(AgentMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    /** Every class a compiled class names (its constant pool's classes and descriptors). */
    static TreeSet<String> referenced(byte[] classFile) {
        TreeSet<String> names = new TreeSet<>();
        new ClassReader(classFile).accept(new ClassRemapper(new ClassWriter(0), new Remapper() {
            @Override
            public String map(String internalName) {
                names.add(internalName);
                return internalName;
            }
        }), 0);
        return names;
    }

    private static List<String> violations(String pkg, List<String> allowedPrefixes) throws Exception {
        List<String> bad = new ArrayList<>();
        int read = 0;
        try (Stream<Path> files = Files.walk(classes().resolve(pkg))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".class")).toList()) {
                read++;
                for (String name : referenced(Files.readAllBytes(f))) {
                    if (allowedPrefixes.stream().noneMatch(name::startsWith)) {
                        bad.add(f.getFileName() + " -> " + name);
                    }
                }
            }
        }
        assertTrue(read > 0, "no classes under " + pkg);
        return bad;
    }

    @Test
    void bootNamesOnlyTheJdkAndItself() throws Exception {
        assertEquals(List.of(), violations("io/vforkagent/boot", List.of("java/", "io/vforkagent/boot/")));
    }

    /**
     * The boot classes start the agent through java.base's Consumer (AgentEntry), not by reflection:
     * on JDK 18+ a reflective call spins method handles, ~15-25 ms of the JVM's start (JDK 25).
     */
    @Test
    void bootCallsTheAgentWithoutReflection() throws Exception {
        List<String> reflective = new ArrayList<>();
        try (Stream<Path> files = Files.walk(classes().resolve("io/vforkagent/boot"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".class")).toList()) {
                for (String name : referenced(Files.readAllBytes(f))) {
                    if (name.startsWith("java/lang/reflect/Method") || name.equals("java/lang/reflect/Constructor")) {
                        reflective.add(f.getFileName() + " -> " + name);
                    }
                }
            }
        }
        assertEquals(List.of(), reflective);
    }

    @Test
    void bridgeNamesOnlyJavaBase() throws Exception {
        // java.util.function: the agent's side is installed as java.base's functional interfaces.
        assertEquals(List.of(), violations("io/vforkagent/bridge", List.of("java/lang/", "java/io/IOException",
                "java/util/function/", "io/vforkagent/bridge/SpawnBridge")));
    }

    /** The check itself sees a reference that breaks the rule. */
    @Test
    void theCheckSeesAForbiddenReference() throws Exception {
        try (var in = LayeringTest.class.getResourceAsStream("LayeringTest.class")) {
            assertTrue(referenced(in.readAllBytes()).contains("net/bytebuddy/jar/asm/ClassReader"));
        }
    }
}
