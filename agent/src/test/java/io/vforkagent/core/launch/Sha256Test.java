package io.vforkagent.core.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

class Sha256Test {
    @Test
    void knownVectors() {
        assertEquals("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", Sha256.hex(new byte[0]));
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", Sha256.hex("abc".getBytes()));
        assertEquals("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
                Sha256.hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".getBytes()));
    }

    /** Every length around the padding boundaries, and larger random inputs, as MessageDigest hashes them. */
    @Test
    void agreesWithMessageDigest() throws Exception {
        Random random = new Random(42);
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        for (int len = 0; len < 300; len++) {
            check(md, random, len);
        }
        for (int len : new int[] {4096, 65535, 65536, 100_003, 1 << 20}) {
            check(md, random, len);
        }
    }

    private static void check(MessageDigest md, Random random, int len) {
        byte[] data = new byte[len];
        random.nextBytes(data);
        assertEquals(HexFormat.of().formatHex(md.digest(data)), Sha256.hex(data), "length " + len);
    }
}
