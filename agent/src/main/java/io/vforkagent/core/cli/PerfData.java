package io.vforkagent.core.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads a JVM's performance-data file ({@code /tmp/hsperfdata_<user>/<pid>}, what {@code jps} and
 * {@code jstat} read) without touching the JVM: no attach, no signal. Parsed here from the
 * documented layout (version 2) rather than through the JDK's internal jvmstat classes.
 *
 * <p>The file belongs to the target's user, so it is untrusted input: every offset is checked
 * and a malformed entry ends the parse, never the caller.
 */
final class PerfData {
    /** The JVM's default is 64 KiB (-XX:PerfDataMemorySize); anything far beyond is not ours to read. */
    static final int MAX_BYTES = 16 << 20;
    private static final int MAGIC = 0xcafec0c0;
    private static final int PROLOGUE = 32;
    private static final int ENTRY_HEADER = 20;

    private PerfData() {
    }

    /**
     * The counters of a perfdata file: strings and longs by name; empty when the file is not a
     * regular file, too large or not in the expected format.
     */
    static Map<String, Object> read(Path file) throws IOException {
        BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (!a.isRegularFile() || a.size() > MAX_BYTES) {
            return Map.of(); // a fifo would block the read, a link may point anywhere
        }
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            bytes = in.readNBytes(MAX_BYTES);
        }
        return parse(bytes);
    }

    static Map<String, Object> parse(byte[] bytes) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (bytes.length < PROLOGUE) {
            return out;
        }
        ByteBuffer b = ByteBuffer.wrap(bytes);
        // The magic is written big-endian whatever the machine; the byte after it says the rest.
        if (b.getInt(0) != MAGIC || bytes[5] != 2) {
            return out;
        }
        b.order(bytes[4] == 1 ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
        int used = Math.min(b.getInt(8), bytes.length);
        int offset = b.getInt(24);
        int entries = b.getInt(28);
        for (int i = 0; i < entries; i++) {
            if (offset < PROLOGUE || offset > used - ENTRY_HEADER) {
                break;
            }
            int length = b.getInt(offset);
            int nameOffset = b.getInt(offset + 4);
            int vectorLength = b.getInt(offset + 8);
            byte type = b.get(offset + 12);
            int dataOffset = b.getInt(offset + 16);
            if (length < ENTRY_HEADER || length > used - offset || nameOffset < ENTRY_HEADER || nameOffset >= length
                    || dataOffset < ENTRY_HEADER || dataOffset > length) {
                break;
            }
            String name = cstring(bytes, offset + nameOffset, offset + length);
            if (type == 'J' && vectorLength == 0 && dataOffset <= length - 8) {
                out.put(name, b.getLong(offset + dataOffset));
            } else if (type == 'B' && vectorLength > 0 && vectorLength <= length - dataOffset) {
                out.put(name, cstring(bytes, offset + dataOffset, offset + dataOffset + vectorLength));
            }
            offset += length;
        }
        return out;
    }

    /** The NUL-terminated text at {@code from}, no further than {@code end}. */
    private static String cstring(byte[] bytes, int from, int end) {
        int nul = from;
        while (nul < end && bytes[nul] != 0) {
            nul++;
        }
        return new String(bytes, from, nul - from, StandardCharsets.UTF_8);
    }
}
