package io.vforkagent.core.instrument;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds and swaps method calls in a class file, reading it directly (JVMS chapter 4): the
 * constant pool, then the {@code Code} of each method, instruction by instruction. What the
 * agent changes is one call instruction for another of the same length (3 bytes) and the same
 * stack effect, plus constant pool entries appended for the new target: no frame, offset or
 * stack size moves, so nothing else needs rewriting. Written out rather than done with ASM,
 * whose ~30 classes cost more to load at every JVM start than the rewrite itself.
 */
public final class CallSites {
    static final int INVOKEVIRTUAL = 0xb6;
    static final int INVOKESTATIC = 0xb8;
    private static final int UTF8 = 1;
    private static final int CLASS = 7;
    private static final int METHODREF = 10;
    private static final int NAME_AND_TYPE = 12;

    private final byte[] b;
    /** Offset of each constant pool entry's tag, by index (0 and a long's second slot: -1). */
    private final int[] entry;
    private final int poolEnd;

    CallSites(byte[] classFile) {
        b = classFile;
        if (u4(0) != 0xCAFEBABE) {
            throw new IllegalArgumentException("not a class file");
        }
        int count = u2(8);
        entry = new int[count];
        entry[0] = -1;
        int p = 10;
        for (int i = 1; i < count; i++) {
            entry[i] = p;
            int tag = b[p] & 0xff;
            p += size(tag, p);
            if (tag == 5 || tag == 6) { // a long or a double takes two slots
                entry[++i] = -1;
            }
        }
        poolEnd = p;
    }

    /** The size, with its tag, of the constant pool entry at p (JVMS 4.4). */
    private int size(int tag, int p) {
        switch (tag) {
            case UTF8:
                return 3 + u2(p + 1);
            case CLASS: case 8: case 16: case 19: case 20: // Class, String, MethodType, Module, Package
                return 3;
            case 15: // MethodHandle
                return 4;
            case 3: case 4: case METHODREF: case 9: case 11: case NAME_AND_TYPE: case 17: case 18:
                return 5;
            case 5: case 6:
                return 9;
            default:
                throw new IllegalArgumentException("unknown constant pool tag " + tag);
        }
    }

    private String utf8(int index) {
        int p = entry[index];
        if ((b[p] & 0xff) != UTF8) {
            throw new IllegalArgumentException("constant " + index + " is not UTF-8");
        }
        return new String(b, p + 3, u2(p + 1), StandardCharsets.UTF_8); // class and member names: ASCII here
    }

    /** Whether constant {@code index} is a Methodref to owner.name+descriptor. */
    private boolean isMethodref(int index, String owner, String name, String descriptor) {
        if (index <= 0 || index >= entry.length || entry[index] < 0) {
            return false;
        }
        int p = entry[index];
        if ((b[p] & 0xff) != METHODREF) {
            return false;
        }
        int nat = entry[u2(p + 3)];
        return utf8(u2(entry[u2(p + 1)] + 1)).equals(owner)
                && utf8(u2(nat + 1)).equals(name) && utf8(u2(nat + 3)).equals(descriptor);
    }

    /**
     * The offsets of the call instructions with this opcode to owner.name+descriptor, in the
     * methods named {@code in} (null: every method).
     */
    List<Integer> find(int opcode, String owner, String name, String descriptor, String in) {
        List<Integer> found = new ArrayList<>();
        int p = poolEnd + 6; // access flags, this class, super class
        p += 2 + 2 * u2(p); // interfaces
        int fields = u2(p);
        p += 2;
        for (int i = 0; i < fields; i++) {
            p = skipAttributes(p + 6);
        }
        int methods = u2(p);
        p += 2;
        for (int i = 0; i < methods; i++) {
            String method = utf8(u2(p + 2));
            int attributes = u2(p + 6);
            p += 8;
            for (int a = 0; a < attributes; a++) {
                int length = u4(p + 2);
                if ((in == null || in.equals(method)) && utf8(u2(p)).equals("Code")) {
                    int codeStart = p + 14; // name, length, max stack, max locals, code length
                    int codeEnd = codeStart + u4(p + 10);
                    for (int pc = codeStart; pc < codeEnd; pc += instructionLength(pc, pc - codeStart)) {
                        if ((b[pc] & 0xff) == opcode && isMethodref(u2(pc + 1), owner, name, descriptor)) {
                            found.add(pc);
                        }
                    }
                }
                p += 6 + length;
            }
        }
        return found;
    }

    private int skipAttributes(int p) {
        int count = u2(p);
        p += 2;
        for (int i = 0; i < count; i++) {
            p += 6 + u4(p + 2);
        }
        return p;
    }

    /** The length of the instruction at p, {@code pc} bytes into its method's code (JVMS 6.5). */
    private int instructionLength(int p, int pc) {
        int op = b[p] & 0xff;
        if (op <= 0x0f || op >= 0x1a && op <= 0x35 || op >= 0x3b && op <= 0x83 || op >= 0x85 && op <= 0x98
                || op >= 0xac && op <= 0xb1 || op == 0xbe || op == 0xbf || op == 0xc2 || op == 0xc3) {
            return 1; // constants, loads/stores with the index in the opcode, arithmetic, returns...
        }
        if (op == 0x10 || op == 0x12 || op >= 0x15 && op <= 0x19 || op >= 0x36 && op <= 0x3a || op == 0xa9
                || op == 0xbc) {
            return 2; // bipush, ldc, loads/stores with an index, ret, newarray
        }
        if (op == 0x11 || op == 0x13 || op == 0x14 || op == 0x84 || op >= 0x99 && op <= 0xa8
                || op >= 0xb2 && op <= 0xb8 || op == 0xbb || op == 0xbd || op == 0xc0 || op == 0xc1
                || op == 0xc6 || op == 0xc7) {
            return 3; // sipush, ldc_w, iinc, branches, field and method access, new, checkcast...
        }
        if (op == 0xc5) {
            return 4; // multianewarray
        }
        if (op == 0xb9 || op == 0xba || op == 0xc8 || op == 0xc9) {
            return 5; // invokeinterface, invokedynamic, goto_w, jsr_w
        }
        if (op == 0xc4) {
            return (b[p + 1] & 0xff) == 0x84 ? 6 : 4; // wide iinc, or a wide load/store/ret
        }
        int pad = 3 - pc % 4; // the operands of a switch start at a multiple of 4
        if (op == 0xaa) { // tableswitch: default, low, high, then high - low + 1 offsets
            int low = u4(p + 1 + pad + 4);
            int high = u4(p + 1 + pad + 8);
            return 1 + pad + 12 + 4 * (high - low + 1);
        }
        if (op == 0xab) { // lookupswitch: default, npairs, then npairs (match, offset) pairs
            return 1 + pad + 8 + 8 * u4(p + 1 + pad + 4);
        }
        throw new IllegalArgumentException("unknown opcode " + op + " at " + pc);
    }

    /**
     * The class with the calls at {@code sites} (offsets from {@link #find}) made {@code invokestatic}
     * calls to owner.name+descriptor, a Methodref appended to the constant pool for it.
     */
    byte[] redirect(List<Integer> sites, String owner, String name, String descriptor) {
        int count = entry.length;
        ByteArrayOutputStream pool = new ByteArrayOutputStream();
        int ownerUtf8 = count;
        utf8(pool, owner);
        int ownerClass = count + 1;
        pool.write(CLASS);
        u2(pool, ownerUtf8);
        int nameUtf8 = count + 2;
        utf8(pool, name);
        int descriptorUtf8 = count + 3;
        utf8(pool, descriptor);
        int nat = count + 4;
        pool.write(NAME_AND_TYPE);
        u2(pool, nameUtf8);
        u2(pool, descriptorUtf8);
        int methodref = count + 5;
        pool.write(METHODREF);
        u2(pool, ownerClass);
        u2(pool, nat);
        if (methodref + 1 > 0xffff) {
            throw new IllegalStateException("constant pool full");
        }
        byte[] rest = java.util.Arrays.copyOfRange(b, poolEnd, b.length);
        for (int site : sites) {
            int at = site - poolEnd;
            rest[at] = (byte) INVOKESTATIC;
            rest[at + 1] = (byte) (methodref >>> 8);
            rest[at + 2] = (byte) methodref;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(b.length + pool.size());
        out.write(b, 0, 8);
        u2(out, methodref + 1);
        out.write(b, 10, poolEnd - 10);
        out.write(pool.toByteArray(), 0, pool.size());
        out.write(rest, 0, rest.length);
        return out.toByteArray();
    }

    /**
     * The class renamed from {@code from} to {@code to} (internal names): a class name is in the
     * constant pool only, as a Class entry's UTF-8 or inside a descriptor ("L...;"), so those
     * UTF-8 entries are rewritten and every other byte is kept.
     *
     * @throws IllegalStateException if a UTF-8 constant still contains {@code forbidden} after it
     */
    public static byte[] renamed(byte[] classFile, String from, String to, String forbidden) {
        CallSites c = new CallSites(classFile);
        byte[] b = c.b;
        ByteArrayOutputStream out = new ByteArrayOutputStream(b.length + 16);
        out.write(b, 0, 10); // magic, version, constant pool count
        for (int i = 1; i < c.entry.length; i++) {
            int p = c.entry[i];
            if (p < 0) {
                continue; // a long's or a double's second slot
            }
            int tag = b[p] & 0xff;
            if (tag != UTF8) {
                out.write(b, p, c.size(tag, p));
                continue;
            }
            String text = c.utf8(i);
            String renamed = text.equals(from) ? to : text.replace("L" + from + ";", "L" + to + ";");
            if (renamed.contains(forbidden)) {
                throw new IllegalStateException("still names " + forbidden + " after the rename: " + renamed);
            }
            if (renamed.equals(text)) {
                out.write(b, p, c.size(tag, p)); // as it was, byte for byte (modified UTF-8 included)
            } else {
                utf8(out, renamed); // names: ASCII
            }
        }
        out.write(b, c.poolEnd, b.length - c.poolEnd); // the class itself refers to entries by index only
        return out.toByteArray();
    }

    private static void utf8(ByteArrayOutputStream out, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8); // ASCII names: modified UTF-8 alike
        out.write(UTF8);
        u2(out, bytes.length);
        out.write(bytes, 0, bytes.length);
    }

    private static void u2(ByteArrayOutputStream out, int v) {
        out.write(v >>> 8);
        out.write(v);
    }

    private int u2(int p) {
        return (b[p] & 0xff) << 8 | (b[p + 1] & 0xff);
    }

    private int u4(int p) {
        return (b[p] & 0xff) << 24 | (b[p + 1] & 0xff) << 16 | (b[p + 2] & 0xff) << 8 | (b[p + 3] & 0xff);
    }
}
