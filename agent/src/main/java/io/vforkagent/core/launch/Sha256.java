package io.vforkagent.core.launch;

/**
 * SHA-256 (FIPS 180-4) of a byte array, for the one check the agent makes at start-up. The JDK's
 * {@code MessageDigest} would do the same, but its first use sets up the security providers,
 * about 20 ms of class loading on the agent's start-up path; this is a few hundred lines of
 * bytecode and checked against {@code MessageDigest} by its test.
 */
final class Sha256 {
    private static final int[] K = {
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    };

    private Sha256() {
    }

    /** The digest as 64 lower-case hex digits, as {@code sha256sum} prints it. */
    static String hex(byte[] data) {
        int[] h = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
        // The message, a 0x80 byte, zeros, and the length in bits as 8 big-endian bytes: whole blocks.
        int padded = (data.length + 9 + 63) / 64 * 64;
        byte[] tail = new byte[padded - data.length / 64 * 64];
        int tailStart = data.length / 64 * 64;
        System.arraycopy(data, tailStart, tail, 0, data.length - tailStart);
        tail[data.length - tailStart] = (byte) 0x80;
        long bits = (long) data.length * 8;
        for (int i = 0; i < 8; i++) {
            tail[tail.length - 1 - i] = (byte) (bits >>> (8 * i));
        }
        int[] w = new int[64];
        for (int block = 0; block < tailStart; block += 64) {
            compress(h, w, data, block);
        }
        for (int block = 0; block < tail.length; block += 64) {
            compress(h, w, tail, block);
        }
        StringBuilder sb = new StringBuilder(64);
        for (int v : h) {
            for (int shift = 28; shift >= 0; shift -= 4) {
                sb.append(Character.forDigit((v >>> shift) & 0xf, 16));
            }
        }
        return sb.toString();
    }

    /*
     * Rotations are written out (x >>> n | x << 32 - n), not Integer.rotateRight: the digest runs
     * once per JVM, mostly in the interpreter, where each of those calls is a real call (about 600
     * per block); written out, hashing the two libraries costs about a third of the time.
     */
    private static void compress(int[] h, int[] w, byte[] b, int off) {
        for (int t = 0; t < 16; t++) {
            int i = off + 4 * t;
            w[t] = (b[i] & 0xff) << 24 | (b[i + 1] & 0xff) << 16 | (b[i + 2] & 0xff) << 8 | (b[i + 3] & 0xff);
        }
        for (int t = 16; t < 64; t++) {
            int x = w[t - 15];
            int y = w[t - 2];
            int s0 = (x >>> 7 | x << 25) ^ (x >>> 18 | x << 14) ^ (x >>> 3);
            int s1 = (y >>> 17 | y << 15) ^ (y >>> 19 | y << 13) ^ (y >>> 10);
            w[t] = w[t - 16] + s0 + w[t - 7] + s1;
        }
        int a = h[0], bb = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
        for (int t = 0; t < 64; t++) {
            int s1 = (e >>> 6 | e << 26) ^ (e >>> 11 | e << 21) ^ (e >>> 25 | e << 7);
            int t1 = hh + s1 + ((e & f) ^ (~e & g)) + K[t] + w[t];
            int s0 = (a >>> 2 | a << 30) ^ (a >>> 13 | a << 19) ^ (a >>> 22 | a << 10);
            int t2 = s0 + ((a & bb) ^ (a & c) ^ (bb & c));
            hh = g;
            g = f;
            f = e;
            e = d + t1;
            d = c;
            c = bb;
            bb = a;
            a = t1 + t2;
        }
        h[0] += a;
        h[1] += bb;
        h[2] += c;
        h[3] += d;
        h[4] += e;
        h[5] += f;
        h[6] += g;
        h[7] += hh;
    }
}
