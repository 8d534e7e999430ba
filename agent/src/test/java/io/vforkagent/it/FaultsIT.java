package io.vforkagent.it;

import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.jar.asm.Type;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Faults around a spawn, and a JDK of an unexpected shape. */
class FaultsIT {
    private final Path scratch = Path.of("target", "faults").toAbsolutePath();

    @Test
    void directoryRemovedAndProgramReplacedDuringSpawns() throws Exception {
        AgentJvm.Result r = AgentJvm.run(List.of(AgentJvm.javaagent("")), RaceApp.class.getName(),
                List.of(scratch.resolve("race").toString(), "300"), Map.of(), scratch, 180);
        assertEquals(0, r.exit, r::toString);
        Matcher m = Pattern.compile("RACE dirOk=(\\d+) dirFailed=(\\d+) progV1=(\\d+) progV2=(\\d+) progFailed=(\\d+) "
                + "bad=(\\d+) fdsBefore=(\\d+) fdsAfter=(\\d+)").matcher(r.stdout);
        assertTrue(m.find(), r::toString);
        System.out.println(m.group());
        assertEquals("0", m.group(6), r::toString);
        assertEquals(300, Integer.parseInt(m.group(1)) + Integer.parseInt(m.group(2)));
        assertEquals(300, Integer.parseInt(m.group(3)) + Integer.parseInt(m.group(4)) + Integer.parseInt(m.group(5)));
        assertEquals(m.group(7), m.group(8), "descriptors before and after");
        assertTrue(r.stdout.contains("AGENT launcher=vfork"), r::toString);
    }

    /**
     * A java.base whose ProcessImpl constructor reaches forkAndExec through a helper method (as a
     * future JDK might): the agent must decline, say so once, and leave spawning working.
     */
    @Test
    void unexpectedProcessImplShapeIsDeclined() throws Exception {
        byte[] original;
        try (InputStream in = Object.class.getResourceAsStream("/java/lang/ProcessImpl.class")) {
            original = in.readAllBytes();
        }
        Path patch = Files.createDirectories(scratch.resolve("patch/java/lang"));
        Files.write(patch.resolve("ProcessImpl.class"), throughHelper(original));
        AgentJvm.Result r = AgentJvm.run(List.of("--patch-module", "java.base=" + scratch.resolve("patch"),
                AgentJvm.javaagent("")), SpawnApp.class.getName(), List.of("5", "3"), Map.of(), scratch, 60);
        assertEquals(0, r.exit, r::toString);
        assertTrue(r.stdout.contains("SPAWNS-OK 5"), r::toString);
        assertTrue(r.stdout.contains("AGENT none"), r::toString);
        List<String> lines = r.stderr.lines().filter(l -> l.startsWith("[vfork-agent]")).collect(Collectors.toList());
        assertEquals(List.of("[vfork-agent] WARN vfork-agent 0.1.0 inactive: java.lang.ProcessImpl has 0 constructor "
                + "calls to forkAndExec(I[B[B[BI[BI[B[IZ)I (expected exactly 1): this JDK is not supported; "
                + "the JDK launcher stays in place"), lines);
    }

    /** The constructor calls {@code forkAndExecHelper}, a new private method that calls forkAndExec. */
    private static byte[] throughHelper(byte[] classFile) {
        String desc = "(I[B[B[BI[BI[B[IZ)I";
        ClassWriter writer = new ClassWriter(ClassWriter.COMPUTE_MAXS);
        new ClassReader(classFile).accept(new ClassVisitor(Opcodes.ASM9, writer) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String d, String sig, String[] ex) {
                MethodVisitor mv = super.visitMethod(access, name, d, sig, ex);
                return !name.equals("<init>") ? mv : new MethodVisitor(Opcodes.ASM9, mv) {
                    @Override
                    public void visitMethodInsn(int op, String owner, String n, String md, boolean itf) {
                        super.visitMethodInsn(op, owner, n.equals("forkAndExec") ? "forkAndExecHelper" : n, md, itf);
                    }
                };
            }

            @Override
            public void visitEnd() {
                MethodVisitor mv = super.visitMethod(Opcodes.ACC_PRIVATE, "forkAndExecHelper", desc, null,
                        new String[] {"java/io/IOException"});
                mv.visitCode();
                mv.visitVarInsn(Opcodes.ALOAD, 0);
                int slot = 1;
                for (Type t : Type.getArgumentTypes(desc)) {
                    mv.visitVarInsn(t.getOpcode(Opcodes.ILOAD), slot);
                    slot += t.getSize();
                }
                mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, "java/lang/ProcessImpl", "forkAndExec", desc, false);
                mv.visitInsn(Opcodes.IRETURN);
                mv.visitMaxs(0, 0);
                mv.visitEnd();
                super.visitEnd();
            }
        }, 0);
        return writer.toByteArray();
    }
}
