package io.vforkagent.core.instrument;

import io.vforkagent.bridge.SpawnBridge;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProcessRewriterTest {
    private static final String BRIDGE = SpawnBridge.class.getName().replace('.', '/');

    private static byte[] processImpl() throws Exception {
        try (InputStream in = Object.class.getResourceAsStream("/java/lang/ProcessImpl.class")) {
            return in.readAllBytes();
        }
    }

    /** Every method call in the constructors, as owner.name+descriptor. */
    private static List<String> constructorCalls(byte[] classFile) {
        List<String> calls = new ArrayList<>();
        new ClassReader(classFile).accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String desc, String sig, String[] ex) {
                return !name.equals("<init>") ? null : new MethodVisitor(Opcodes.ASM9) {
                    @Override
                    public void visitMethodInsn(int op, String owner, String n, String d, boolean itf) {
                        calls.add(op + " " + owner + "." + n + d);
                    }
                };
            }
        }, 0);
        return calls;
    }

    private static int forkAndExecCalls(byte[] classFile) {
        return ProcessRewriter.countCalls(classFile, Opcodes.INVOKEVIRTUAL, ProcessRewriter.SPAWN_OWNER,
                ProcessRewriter.SPAWN_METHOD, ProcessRewriter.SPAWN_DESCRIPTOR, "<init>");
    }

    /** The descriptors derive from JdkLauncher's method types: what the JDK's class files hold. */
    @Test
    void descriptorsAreTheJdksOwn() {
        org.junit.jupiter.api.Assertions.assertEquals("(I[B[B[BI[BI[B[IZ)I", ProcessRewriter.SPAWN_DESCRIPTOR);
        org.junit.jupiter.api.Assertions.assertEquals("(JZ)I", ProcessRewriter.WAIT_DESCRIPTOR);
    }

    @Test
    void theRunningJdkHasTheExpectedShape() throws Exception {
        assertEquals(1, forkAndExecCalls(processImpl()));
    }

    @Test
    void rewriteReplacesTheOneCallAndNothingElse() throws Exception {
        byte[] original = processImpl();
        byte[] rewritten = ProcessRewriter.rewriteSpawn(original, BRIDGE);
        List<String> before = constructorCalls(original);
        List<String> after = constructorCalls(rewritten);
        String jdkCall = Opcodes.INVOKEVIRTUAL + " java/lang/ProcessImpl.forkAndExec(I[B[B[BI[BI[B[IZ)I";
        String bridgeCall = Opcodes.INVOKESTATIC + " " + SpawnBridge.class.getName().replace('.', '/')
                + ".forkAndExec(Ljava/lang/Object;I[B[B[BI[BI[B[IZ)I";
        assertTrue(before.contains(jdkCall));
        assertEquals(0, forkAndExecCalls(rewritten));
        List<String> expected = new ArrayList<>(before);
        expected.set(before.indexOf(jdkCall), bridgeCall);
        assertEquals(expected, after);
    }

    @Test
    void theReaperCallsWaitForProcessExit0Once() throws Exception {
        byte[] reaper;
        try (InputStream in = Object.class.getResourceAsStream("/java/lang/ProcessHandleImpl$1.class")) {
            reaper = in.readAllBytes();
        }
        assertEquals(1, ProcessRewriter.countCalls(reaper, Opcodes.INVOKESTATIC, ProcessRewriter.WAIT_OWNER,
                ProcessRewriter.WAIT_METHOD, ProcessRewriter.WAIT_DESCRIPTOR, null));
    }

    @Test
    void reaperRewriteReplacesTheWait() throws Exception {
        byte[] reaper;
        try (InputStream in = Object.class.getResourceAsStream("/java/lang/ProcessHandleImpl$1.class")) {
            reaper = in.readAllBytes();
        }
        byte[] rewritten = ProcessRewriter.rewriteExit(reaper, BRIDGE);
        assertEquals(0, ProcessRewriter.countCalls(rewritten, Opcodes.INVOKESTATIC, ProcessRewriter.WAIT_OWNER,
                ProcessRewriter.WAIT_METHOD, ProcessRewriter.WAIT_DESCRIPTOR, null));
        assertEquals(1, ProcessRewriter.countCalls(rewritten, Opcodes.INVOKESTATIC,
                SpawnBridge.class.getName().replace('.', '/'), "waitForProcessExit", "(JZ)I", null));
    }

    @Test
    void anUnexpectedShapeIsRefused() throws Exception {
        // Simulate a JDK whose constructor no longer calls forkAndExec: rename the call.
        ClassReader reader = new ClassReader(processImpl());
        ClassWriter writer = new ClassWriter(0);
        reader.accept(new ClassVisitor(Opcodes.ASM9, writer) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String desc, String sig, String[] ex) {
                return new MethodVisitor(Opcodes.ASM9, super.visitMethod(access, name, desc, sig, ex)) {
                    @Override
                    public void visitMethodInsn(int op, String owner, String n, String d, boolean itf) {
                        super.visitMethodInsn(op, owner, n.equals("forkAndExec") ? "forkAndExec2" : n, d, itf);
                    }
                };
            }
        }, 0);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> ProcessRewriter.rewriteSpawn(writer.toByteArray(), BRIDGE));
        assertTrue(e.getMessage().contains("has 0 constructor calls"), e.getMessage());
    }

    /** ASM's count of the calls with this opcode to owner.name+desc, in methods named {@code in} (null: all). */
    private static int asmCount(byte[] classFile, int opcode, String owner, String name, String desc, String in) {
        int[] n = {0};
        new ClassReader(classFile).accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public MethodVisitor visitMethod(int access, String mname, String mdesc, String sig, String[] ex) {
                return in != null && !in.equals(mname) ? null : new MethodVisitor(Opcodes.ASM9) {
                    @Override
                    public void visitMethodInsn(int op, String o, String n2, String d, boolean itf) {
                        if (op == opcode && o.equals(owner) && n2.equals(name) && d.equals(desc)) {
                            n[0]++;
                        }
                    }
                };
            }
        }, 0);
        return n[0];
    }

    /**
     * CallSites walks every instruction itself: over all of java.base's java.lang and java.util
     * classes (switches, wide instructions, long constants...), it finds the very calls ASM finds.
     */
    @Test
    void callSitesFindWhatAsmFindsInTheJdk() throws Exception {
        java.nio.file.FileSystem jrt = java.nio.file.FileSystems.getFileSystem(java.net.URI.create("jrt:/"));
        List<java.nio.file.Path> files = new ArrayList<>();
        for (String pkg : List.of("java/lang", "java/util", "java/util/concurrent")) {
            try (java.util.stream.Stream<java.nio.file.Path> s = java.nio.file.Files.list(jrt.getPath("modules", "java.base", pkg))) {
                s.filter(f -> f.toString().endsWith(".class")).forEach(files::add);
            }
        }
        assertTrue(files.size() > 500, "classes: " + files.size());
        int calls = 0;
        for (java.nio.file.Path f : files) {
            byte[] c = java.nio.file.Files.readAllBytes(f);
            String[][] targets = {
                {"182", "java/lang/StringBuilder", "append", "(Ljava/lang/String;)Ljava/lang/StringBuilder;"},
                {"184", "java/util/Objects", "requireNonNull", "(Ljava/lang/Object;)Ljava/lang/Object;"},
                {"182", "java/lang/String", "length", "()I"},
            };
            for (String[] t : targets) {
                int op = Integer.parseInt(t[0]);
                int expected = asmCount(c, op, t[1], t[2], t[3], null);
                assertEquals(expected, ProcessRewriter.countCalls(c, op, t[1], t[2], t[3], null), f::toString);
                assertEquals(asmCount(c, op, t[1], t[2], t[3], "<init>"),
                        ProcessRewriter.countCalls(c, op, t[1], t[2], t[3], "<init>"), f::toString);
                calls += expected;
            }
        }
        assertTrue(calls > 1000, "calls found: " + calls);
    }

    /** The rewritten class is still a valid class for ASM's checker: every frame and offset holds. */
    @Test
    void rewrittenClassesAreWellFormed() throws Exception {
        byte[] reaper;
        try (InputStream in = Object.class.getResourceAsStream("/java/lang/ProcessHandleImpl$1.class")) {
            reaper = in.readAllBytes();
        }
        for (byte[] c : List.of(ProcessRewriter.rewriteSpawn(processImpl(), BRIDGE), ProcessRewriter.rewriteExit(reaper, BRIDGE))) {
            // Parsed in full, frames expanded: a misplaced byte would throw or show as a different call.
            new ClassReader(c).accept(new ClassVisitor(Opcodes.ASM9) {
            }, ClassReader.EXPAND_FRAMES);
        }
    }
}
