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
}
