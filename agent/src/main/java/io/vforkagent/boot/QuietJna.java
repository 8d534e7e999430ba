package io.vforkagent.boot;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Points JNA's uses of {@code java.util.logging.Logger} at the agent's {@code JnaLogger}, as
 * JNA's classes are loaded. JNA gets a logger in the static initialiser of its main classes, and
 * the first {@code Logger.getLogger} in a JVM initialises {@code java.util.logging} for good: done
 * by the agent's start-up thread, it would fix the JVM's {@code LogManager} before an application
 * that chooses its own in {@code main} (by setting {@code java.util.logging.manager}, as JBoss
 * LogManager users do) has chosen it, and cost ~10 ms besides.
 *
 * <p>Only the class's constant pool is rewritten: the class name and the descriptors that name
 * it. The replacement has the methods JNA calls, with the same names and descriptors.
 */
final class QuietJna {
    static final String LOGGER = "java/util/logging/Logger";
    static final String REPLACEMENT = "io/vforkagent/core/launch/JnaLogger";

    private QuietJna() {
    }

    static byte[] relocate(byte[] classFile) {
        try {
            DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(classFile));
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(classFile.length + 64);
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeInt(in.readInt()); // magic
            out.writeInt(in.readInt()); // minor, major version
            int count = in.readUnsignedShort();
            out.writeShort(count);
            boolean changed = false;
            for (int i = 1; i < count; i++) {
                int tag = in.readUnsignedByte();
                out.writeByte(tag);
                switch (tag) {
                    case 1: { // Utf8: JNA's names are ASCII, where modified UTF-8 is plain bytes
                        byte[] utf = new byte[in.readUnsignedShort()];
                        in.readFully(utf);
                        String text = new String(utf, StandardCharsets.ISO_8859_1);
                        String relocated = text.equals(LOGGER) ? REPLACEMENT
                                : text.replace("L" + LOGGER + ";", "L" + REPLACEMENT + ";");
                        if (!relocated.equals(text)) {
                            changed = true;
                            utf = relocated.getBytes(StandardCharsets.ISO_8859_1);
                        }
                        out.writeShort(utf.length);
                        out.write(utf);
                        break;
                    }
                    case 7: case 8: case 16: case 19: case 20: // class, string, method type, module, package
                        out.writeShort(in.readUnsignedShort());
                        break;
                    case 15: // method handle
                        out.writeByte(in.readUnsignedByte());
                        out.writeShort(in.readUnsignedShort());
                        break;
                    case 3: case 4: case 9: case 10: case 11: case 12: case 17: case 18:
                        out.writeInt(in.readInt());
                        break;
                    case 5: case 6: // long, double: two slots
                        out.writeLong(in.readLong());
                        i++;
                        break;
                    default:
                        return classFile; // a constant this reader does not know: leave the class alone
                }
            }
            if (!changed) {
                return classFile;
            }
            out.write(classFile, classFile.length - in.available(), in.available());
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
