package io.vforkagent.it;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * The agent jar carries, for linux-x86-64 and linux-aarch64, the launcher and JNA's dispatch
 * library, each with the checksum the agent checks it against, and no other platform's.
 */
class JarPlatformsIT {
    @Test
    void bothArchitecturesWithChecksums() throws Exception {
        try (ZipFile jar = new ZipFile(AgentJvm.AGENT_JAR.toFile())) {
            assertEquals(62, machine(jar, "inst/io/vforkagent/native/linux-x86-64/libvforkagent.so"));
            assertEquals(183, machine(jar, "inst/io/vforkagent/native/linux-aarch64/libvforkagent.so"));
            assertEquals(62, machine(jar, "inst/com/sun/jna/linux-x86-64/libjnidispatch.so"));
            assertEquals(183, machine(jar, "inst/com/sun/jna/linux-aarch64/libjnidispatch.so"));
            java.util.List<String> libraries = jar.stream().map(ZipEntry::getName).filter(n -> n.endsWith(".so"))
                    .sorted().collect(java.util.stream.Collectors.toList());
            assertEquals(4, libraries.size(), libraries::toString);
        }
    }

    /** ELF e_machine of an entry, after checking it against its .sha256 entry. */
    private static int machine(ZipFile jar, String name) throws Exception {
        ZipEntry lib = jar.getEntry(name);
        ZipEntry sum = jar.getEntry(name + ".sha256");
        assertNotNull(lib, name);
        assertNotNull(sum, name + ".sha256");
        byte[] bytes = jar.getInputStream(lib).readAllBytes();
        StringBuilder hex = new StringBuilder();
        for (byte b : java.security.MessageDigest.getInstance("SHA-256").digest(bytes)) {
            hex.append(String.format("%02x", b));
        }
        String expected = new String(jar.getInputStream(sum).readAllBytes(), StandardCharsets.US_ASCII).trim();
        assertEquals(expected.substring(0, 64), hex.toString(), name);
        return (bytes[18] & 0xff) | (bytes[19] & 0xff) << 8;
    }
}
