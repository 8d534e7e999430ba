package io.vforkagent.core.launch;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every class on the preload list exists (a JNA upgrade that renames one fails here), each once. */
class JnaPreloadTest {
    @Test
    void everyListedClassExists() throws Exception {
        List<String> names = JnaPreload.classes();
        assertTrue(names.size() > 50, names::toString);
        assertTrue(names.contains("com.sun.jna.Native") && names.contains("com.sun.jna.Function"), names::toString);
        for (String name : names) {
            assertDoesNotThrow(() -> Class.forName(name, false, JnaPreloadTest.class.getClassLoader()), name);
        }
        assertEquals(names.size(), new HashSet<>(names).size());
    }
}
