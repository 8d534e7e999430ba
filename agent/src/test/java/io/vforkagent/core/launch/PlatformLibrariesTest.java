package io.vforkagent.core.launch;

import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/** The library and JNA dispatch library that each supported architecture's JVM is served. */
class PlatformLibrariesTest {
    @Test
    void osArchPicksTheFolder() {
        assertEquals("linux-x86-64", NativeLauncher.platform("amd64"));
        assertEquals("linux-aarch64", NativeLauncher.platform("aarch64"));
        assertEquals("io/vforkagent/native/" + NativeLauncher.PLATFORM + "/libvforkagent.so", NativeInstaller.RESOURCE);
        assertEquals("com/sun/jna/" + NativeLauncher.PLATFORM + "/libjnidispatch.so", NativeInstaller.JNA_DISPATCH);
    }

    /** The native module built both: ELF e_machine 62 (x86-64) and 183 (AArch64), each with its checksum. */
    @Test
    void bothArchitecturesAreBuiltWithChecksums() throws Exception {
        assertEquals(62, machine("io/vforkagent/native/linux-x86-64/libvforkagent.so", true));
        assertEquals(183, machine("io/vforkagent/native/linux-aarch64/libvforkagent.so", true));
        assertEquals(62, machine("com/sun/jna/linux-x86-64/libjnidispatch.so", false));
        assertEquals(183, machine("com/sun/jna/linux-aarch64/libjnidispatch.so", false));
    }

    private static int machine(String resource, boolean checksum) throws Exception {
        byte[] lib = read(resource);
        if (checksum) {
            assertEquals(new String(read(resource + ".sha256"), StandardCharsets.US_ASCII).trim(),
                    Sha256.hex(lib), resource);
        }
        return (lib[18] & 0xff) | (lib[19] & 0xff) << 8;
    }

    private static byte[] read(String resource) throws Exception {
        try (InputStream in = PlatformLibrariesTest.class.getClassLoader().getResourceAsStream(resource)) {
            assertNotNull(in, resource);
            return in.readAllBytes();
        }
    }
}
