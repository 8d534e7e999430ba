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
}
