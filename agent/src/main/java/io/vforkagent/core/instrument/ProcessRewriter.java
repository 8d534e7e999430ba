package io.vforkagent.core.instrument;

import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;

import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;

/**
 * Rewrites two call sites in java.base, each a single native call swapped for a static call to
 * the bridge ({@code java.lang.VforkAgentBridge}) with the same stack shape, so that no class
 * gains a member (which keeps retransformation after attach possible):
 * <ul>
 * <li>{@code ProcessImpl.<init>}: {@code forkAndExec} (the spawn);</li>
 * <li>the reaper task in {@code ProcessHandleImpl}: {@code waitForProcessExit0} (the exit).</li>
 * </ul>
 * The swap is done with the ASM that ByteBuddy bundles, directly: ByteBuddy's
 * {@code MemberSubstitution} does the same but loads hundreds of classes and a type pool, which
 * cost about 0.5 s and 40 MiB at every JVM start for one instruction per class.
 */
public final class ProcessRewriter implements ClassFileTransformer {
    public static final String SPAWN_OWNER = "java/lang/ProcessImpl";
    public static final String SPAWN_METHOD = "forkAndExec";
    public static final String SPAWN_DESCRIPTOR = "(I[B[B[BI[BI[B[IZ)I";
    public static final String WAIT_OWNER = "java/lang/ProcessHandleImpl";
    public static final String WAIT_METHOD = "waitForProcessExit0";
    public static final String WAIT_DESCRIPTOR = "(JZ)I";
    /** The JDK's reaper task (an anonymous class in 17 to 25); other nested classes are checked by content. */
    static final String REAPER_CLASS = "java.lang.ProcessHandleImpl$1";

    /** Internal name of the bridge class ({@code java/lang/VforkAgentBridge}). */
    private final String bridge;
    private volatile Throwable spawnFailure;
    private volatile boolean spawnRewritten;
    private volatile boolean exitRewritten;
    private volatile Throwable exitFailure;

    private ProcessRewriter(Class<?> bridge) {
        this.bridge = bridge.getName().replace('.', '/');
    }

    /**
     * Rewrites {@code ProcessImpl} now (loading it if needed), so that a JDK of an unexpected shape
     * is refused at start-up, not at the application's first spawn. The reaper is rewritten now
     * when it can be found, else when it loads.
     *
     * @throws IllegalStateException with the reason when {@code ProcessImpl} does not have the expected shape
     */
    public static ProcessRewriter install(Instrumentation inst, Class<?> bridge) throws Exception {
        Class<?> processImpl = Class.forName("java.lang.ProcessImpl", false, null);
        ProcessRewriter rewriter = new ProcessRewriter(bridge);
        // Stays registered: if another agent retransforms these classes later, the rewrite is applied again.
        inst.addTransformer(rewriter, true);
        inst.retransformClasses(processImpl);
        io.vforkagent.core.AgentLog.trace("ProcessImpl retransformed");
        if (rewriter.spawnFailure != null || !rewriter.spawnRewritten) {
            inst.removeTransformer(rewriter);
            Throwable why = rewriter.spawnFailure;
            throw new IllegalStateException(why == null ? "ProcessImpl was not rewritten" : why.getMessage(), why);
        }
        try {
            inst.retransformClasses(Class.forName(REAPER_CLASS, false, null));
        } catch (ClassNotFoundException | NoClassDefFoundError notThisJdk) {
            // rewritten by content when a reaper class loads
        }
        return rewriter;
    }

    public boolean exitRewritten() {
        return exitRewritten;
    }

    /** Why the reaper was not rewritten, or null. */
    public Throwable exitFailure() {
        return exitFailure;
    }

    @Override
    public byte[] transform(Module module, ClassLoader loader, String className, Class<?> classBeingRedefined,
                            ProtectionDomain domain, byte[] classfileBuffer) {
        if (loader != null || className == null) {
            return null;
        }
        if (className.equals(SPAWN_OWNER)) {
            try {
                byte[] out = rewriteSpawn(classfileBuffer, bridge);
                spawnRewritten = true;
                return out;
            } catch (Throwable t) {
                spawnFailure = t;
                return null;
            }
        }
        if (className.startsWith(WAIT_OWNER + "$")) {
            try {
                if (countExitCalls(classfileBuffer) == 0) {
                    return null;
                }
                byte[] out = rewriteExit(classfileBuffer, bridge);
                exitRewritten = true;
                return out;
            } catch (Throwable t) {
                // Without the exit hook spawns still work; only exit records are lost.
                exitFailure = t;
                return null;
            }
        }
        return null;
    }

    /** Returns the rewritten {@code ProcessImpl}; refuses one that does not have the expected shape. */
    static byte[] rewriteSpawn(byte[] classFile, String bridge) {
        int calls = countSpawnCalls(classFile);
        if (calls != 1) {
            throw new IllegalStateException("java.lang.ProcessImpl has " + calls + " constructor calls to "
                    + SPAWN_METHOD + SPAWN_DESCRIPTOR + " (expected exactly 1): this JDK is not supported");
        }
        return substitute(classFile, Opcodes.INVOKEVIRTUAL, SPAWN_OWNER, SPAWN_METHOD, SPAWN_DESCRIPTOR, "<init>",
                bridge, SPAWN_METHOD);
    }

    static byte[] rewriteExit(byte[] classFile, String bridge) {
        return substitute(classFile, Opcodes.INVOKESTATIC, WAIT_OWNER, WAIT_METHOD, WAIT_DESCRIPTOR, null, bridge,
                "waitForProcessExit");
    }

    /**
     * Swaps each matching call for a static call to the bridge method of the same name plus the
     * receiver (if any) as {@code Object}: the operand stack is identical before and after, so no
     * frame, local or stack size changes, and nothing but that one instruction differs.
     */
    private static byte[] substitute(byte[] classFile, int opcode, String owner, String name, String descriptor,
                                     String in, String bridgeName, String bridgeMethod) {
        String bridgeDescriptor = opcode == Opcodes.INVOKESTATIC ? descriptor : "(Ljava/lang/Object;" + descriptor.substring(1);
        ClassReader reader = new ClassReader(classFile);
        // The reader is handed to the writer: unchanged methods are copied as they are, not re-encoded.
        ClassWriter writer = new ClassWriter(reader, 0);
        reader.accept(new ClassVisitor(Opcodes.ASM9, writer) {
            @Override
            public MethodVisitor visitMethod(int access, String mname, String mdesc, String signature,
                                             String[] exceptions) {
                MethodVisitor mv = super.visitMethod(access, mname, mdesc, signature, exceptions);
                if (in != null && !in.equals(mname)) {
                    return mv;
                }
                return new MethodVisitor(Opcodes.ASM9, mv) {
                    @Override
                    public void visitMethodInsn(int op, String o, String n, String d, boolean itf) {
                        if (op == opcode && owner.equals(o) && name.equals(n) && descriptor.equals(d)) {
                            super.visitMethodInsn(Opcodes.INVOKESTATIC, bridgeName, bridgeMethod, bridgeDescriptor, false);
                        } else {
                            super.visitMethodInsn(op, o, n, d, itf);
                        }
                    }
                };
            }
        }, 0);
        return writer.toByteArray();
    }

    /** The number of {@code forkAndExec} calls in a {@code ProcessImpl}'s constructors (1 is supported). */
    public static int countSpawnCalls(byte[] processImpl) {
        return countCalls(processImpl, Opcodes.INVOKEVIRTUAL, SPAWN_OWNER, SPAWN_METHOD, SPAWN_DESCRIPTOR, "<init>");
    }

    /** The number of {@code waitForProcessExit0} calls in a class of the JDK's reaper. */
    public static int countExitCalls(byte[] reaper) {
        return countCalls(reaper, Opcodes.INVOKESTATIC, WAIT_OWNER, WAIT_METHOD, WAIT_DESCRIPTOR, null);
    }

    /** Counts calls with this opcode, owner, name and descriptor, inside methods named {@code in} (null: any). */
    static int countCalls(byte[] classFile, int opcode, String owner, String name, String descriptor, String in) {
        int[] count = {0};
        new ClassReader(classFile).accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public MethodVisitor visitMethod(int access, String mname, String mdesc, String signature,
                                             String[] exceptions) {
                if (in != null && !in.equals(mname)) {
                    return null;
                }
                return new MethodVisitor(Opcodes.ASM9) {
                    @Override
                    public void visitMethodInsn(int op, String o, String n, String d, boolean itf) {
                        if (op == opcode && owner.equals(o) && name.equals(n) && descriptor.equals(d)) {
                            count[0]++;
                        }
                    }
                };
            }
        }, ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
        return count[0];
    }
}
