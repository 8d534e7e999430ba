package io.vforkagent.build;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * Keeps the agent's JNA apart from the JVM it lives in, by rewriting the constant pool of each
 * JNA class once, at build time, where the agent jar is assembled (agent/pom.xml runs
 * {@link #main} on the unpacked JNA classes; not shipped in the jar):
 * <ul>
 * <li>Its uses of {@code java.util.logging.Logger} point at the agent's {@code JnaLogger}. JNA
 * gets a logger in the static initialiser of its main classes, and the first
 * {@code Logger.getLogger} in a JVM initialises {@code java.util.logging} for good: done by the
 * agent's start-up thread, it would fix the JVM's {@code LogManager} before an application that
 * chooses its own in {@code main} (JBoss LogManager style) has chosen it.</li>
 * <li>Its reads and writes of system properties ({@code System.getProperty/setProperty},
 * {@code Boolean.getBoolean}) go to the agent's {@code JnaProperties}, which keeps JNA's own
 * {@code jna.*} settings private. Else the agent's JNA would obey an application's
 * {@code jna.boot.library.path} (and load a library from there, unchecked), and leave
 * {@code jna.loaded}, {@code jnidispatch.path} and {@code jna.platform.library.path} behind for
 * the application's own JNA to take as its own.</li>
 * </ul>
 * Only the constant pool changes: the same methods are called with the same descriptors.
 */
public final class QuietJna {
    static final String LOGGER = "java/util/logging/Logger";
    static final String REPLACEMENT = "io/vforkagent/core/launch/JnaLogger";
    static final String PROPERTIES = "io/vforkagent/core/launch/JnaProperties";
    /** The property methods retargeted, as "owner.name:descriptor". JnaProperties has each. */
    static final Set<String> PROPERTY_METHODS = Set.of(
            "java/lang/System.getProperty:(Ljava/lang/String;)Ljava/lang/String;",
            "java/lang/System.getProperty:(Ljava/lang/String;Ljava/lang/String;)Ljava/lang/String;",
            "java/lang/System.setProperty:(Ljava/lang/String;Ljava/lang/String;)Ljava/lang/String;",
            "java/lang/System.clearProperty:(Ljava/lang/String;)Ljava/lang/String;",
            "java/lang/System.getProperties:()Ljava/util/Properties;",
            "java/lang/Boolean.getBoolean:(Ljava/lang/String;)Z",
            "java/lang/Integer.getInteger:(Ljava/lang/String;)Ljava/lang/Integer;",
            "java/lang/Integer.getInteger:(Ljava/lang/String;I)Ljava/lang/Integer;",
            "java/lang/Long.getLong:(Ljava/lang/String;)Ljava/lang/Long;",
            "java/lang/Long.getLong:(Ljava/lang/String;J)Ljava/lang/Long;");

    private static final int UTF8 = 1;
    private static final int CLASS = 7;
    private static final int METHODREF = 10;
    private static final int NAME_AND_TYPE = 12;

    private QuietJna() {
    }

    /** Rewrites, in place, every class file under the given directories. Idempotent. */
    public static void main(String[] args) throws IOException {
        int read = 0;
        int rewritten = 0;
        for (String dir : args) {
            java.util.List<java.nio.file.Path> files;
            try (java.util.stream.Stream<java.nio.file.Path> s = java.nio.file.Files.walk(java.nio.file.Path.of(dir))) {
                files = s.filter(p -> p.toString().endsWith(".class")).collect(java.util.stream.Collectors.toList());
            }
            for (java.nio.file.Path f : files) {
                read++;
                byte[] before = java.nio.file.Files.readAllBytes(f);
                byte[] after = relocate(before);
                if (after != before) {
                    java.nio.file.Files.write(f, after);
                    rewritten++;
                }
            }
        }
        if (read == 0) {
            throw new IOException("no class files under " + String.join(", ", args));
        }
        System.out.println("QuietJna: " + rewritten + " of " + read + " JNA classes rewritten");
    }

    static byte[] relocate(byte[] classFile) {
        try {
            DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(classFile));
            int magic = in.readInt();
            int version = in.readInt();
            int count = in.readUnsignedShort();
            int[] tags = new int[count];
            String[] utf = new String[count];
            int[] a = new int[count];
            int[] b = new int[count];
            byte[][] raw = new byte[count][];
            for (int i = 1; i < count; i++) {
                int tag = in.readUnsignedByte();
                tags[i] = tag;
                switch (tag) {
                    case UTF8: { // JNA's names are ASCII, where modified UTF-8 is plain bytes
                        byte[] bytes = new byte[in.readUnsignedShort()];
                        in.readFully(bytes);
                        utf[i] = new String(bytes, StandardCharsets.ISO_8859_1);
                        break;
                    }
                    case CLASS: case 8: case 16: case 19: case 20: // class, string, method type, module, package
                        a[i] = in.readUnsignedShort();
                        break;
                    case 15: // method handle
                        raw[i] = new byte[3];
                        in.readFully(raw[i]);
                        break;
                    case 9: case METHODREF: case 11: case NAME_AND_TYPE: case 17: case 18:
                        a[i] = in.readUnsignedShort();
                        b[i] = in.readUnsignedShort();
                        break;
                    case 3: case 4:
                        raw[i] = new byte[4];
                        in.readFully(raw[i]);
                        break;
                    case 5: case 6: // long, double: two slots
                        raw[i] = new byte[8];
                        in.readFully(raw[i]);
                        i++;
                        break;
                    default:
                        // A newer class file than this reader knows: fail the build rather than ship a
                        // JNA class that may still read the JVM's properties.
                        throw new IllegalArgumentException("unknown constant pool tag " + tag + " at entry " + i);
                }
            }
            int rest = in.available();
            boolean changed = false;
            for (int i = 1; i < count; i++) {
                if (tags[i] == UTF8) {
                    String text = utf[i];
                    String relocated = text.equals(LOGGER) ? REPLACEMENT
                            : text.replace("L" + LOGGER + ";", "L" + REPLACEMENT + ";");
                    if (!relocated.equals(text)) {
                        changed = true;
                        utf[i] = relocated;
                    }
                }
            }
            // Property calls: point their Methodref at a new Class entry for JnaProperties.
            int propertiesClass = -1;
            for (int i = 1; i < count; i++) {
                if (tags[i] != METHODREF || tags[a[i]] != CLASS || tags[b[i]] != NAME_AND_TYPE) {
                    continue;
                }
                String owner = utf[a[a[i]]];
                String key = owner + "." + utf[a[b[i]]] + ":" + utf[b[b[i]]];
                if (PROPERTY_METHODS.contains(key)) {
                    if (propertiesClass < 0) {
                        propertiesClass = count + 1; // after the Utf8 of its name, appended below
                    }
                    a[i] = propertiesClass;
                    changed = true;
                }
            }
            if (!changed) {
                return classFile;
            }
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(classFile.length + 128);
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeInt(magic);
            out.writeInt(version);
            out.writeShort(propertiesClass < 0 ? count : count + 2);
            for (int i = 1; i < count; i++) {
                int tag = tags[i];
                out.writeByte(tag);
                switch (tag) {
                    case UTF8:
                        writeUtf(out, utf[i]);
                        break;
                    case CLASS: case 8: case 16: case 19: case 20:
                        out.writeShort(a[i]);
                        break;
                    case 9: case METHODREF: case 11: case NAME_AND_TYPE: case 17: case 18:
                        out.writeShort(a[i]);
                        out.writeShort(b[i]);
                        break;
                    default:
                        out.write(raw[i]);
                        if (tag == 5 || tag == 6) {
                            i++;
                        }
                }
            }
            if (propertiesClass >= 0) {
                out.writeByte(UTF8);
                writeUtf(out, PROPERTIES);
                out.writeByte(CLASS);
                out.writeShort(count);
            }
            out.write(classFile, classFile.length - rest, rest);
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void writeUtf(DataOutputStream out, String s) throws IOException {
        byte[] bytes = s.getBytes(StandardCharsets.ISO_8859_1);
        out.writeShort(bytes.length);
        out.write(bytes);
    }
}
