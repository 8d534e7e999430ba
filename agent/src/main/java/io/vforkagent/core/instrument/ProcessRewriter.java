package io.vforkagent.core.instrument;

import io.vforkagent.core.launch.JdkLauncher;

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
 * The swap is done by {@link CallSites}, which reads the class file itself: ByteBuddy's
 * {@code MemberSubstitution} loads hundreds of classes and a type pool (about 0.5 s and 40 MiB
 * at every JVM start), and even the ASM it bundles, used directly, ~30 classes to load, verify
 * and run interpreted (~20-40 ms of the start), for one instruction per class.
 */
public final class ProcessRewriter implements ClassFileTransformer {
    public static final String SPAWN_OWNER = "java/lang/ProcessImpl";
    public static final String SPAWN_METHOD = "forkAndExec";
    /** "(I[B[B[BI[BI[B[IZ)I": from the one definition of the JDK's types. */
    public static final String SPAWN_DESCRIPTOR = JdkLauncher.FORK_AND_EXEC.toMethodDescriptorString();
    public static final String WAIT_OWNER = "java/lang/ProcessHandleImpl";
    public static final String WAIT_METHOD = "waitForProcessExit0";
    public static final String WAIT_DESCRIPTOR = JdkLauncher.WAIT_FOR_EXIT.toMethodDescriptorString();
    /** The JDK's reaper task (an anonymous class in 17 to 25); other nested classes are checked by content. */
    static final String REAPER_CLASS = "java.lang.ProcessHandleImpl$1";
    private static final String REAPER_INTERNAL = REAPER_CLASS.replace('.', '/');

    /** Internal name of the bridge class ({@code java/lang/VforkAgentBridge}). */
    private final String bridge;
    private volatile Throwable spawnFailure;
    private volatile boolean spawnRewritten;
    private volatile boolean exitRewritten;
    private volatile Throwable exitFailure;
    /** Whether the transformer was given each class (as it was defined, or retransformed). */
    private volatile boolean spawnSeen;
    private volatile boolean reaperSeen;

    private ProcessRewriter(Class<?> bridge) {
        this.bridge = bridge.getName().replace('.', '/');
    }

    /**
     * Rewrites {@code ProcessImpl} now (loading it if needed), so that a JDK of an unexpected shape
     * is refused at start-up, not at the application's first spawn. The reaper is rewritten now
     * when it can be found, else when it loads.
     *
     * <p>Each class is loaded with the transformer registered, so that one not loaded yet (the
     * usual case under {@code -javaagent}) is rewritten as it is defined; only one loaded before
     * (an attach) is retransformed, a VM operation at a safepoint that cost the start ~5-10 ms each.
     *
     * @throws IllegalStateException with the reason when {@code ProcessImpl} does not have the expected shape
     */
    public static ProcessRewriter install(Instrumentation inst, Class<?> bridge) throws Exception {
        ProcessRewriter rewriter = new ProcessRewriter(bridge);
        // Stays registered: if another agent retransforms these classes later, the rewrite is applied again.
        inst.addTransformer(rewriter, true);
        Class<?> processImpl = Class.forName("java.lang.ProcessImpl", false, null);
        if (!rewriter.spawnSeen) {
            inst.retransformClasses(processImpl);
        }
        io.vforkagent.core.AgentLog.trace(rewriter.spawnSeen ? "ProcessImpl rewritten" : "ProcessImpl retransformed");
        if (rewriter.spawnFailure != null || !rewriter.spawnRewritten) {
            inst.removeTransformer(rewriter);
            Throwable why = rewriter.spawnFailure;
            throw new IllegalStateException(why == null ? "ProcessImpl was not rewritten" : why.getMessage(), why);
        }
        try {
            Class<?> reaper = Class.forName(REAPER_CLASS, false, null);
            if (!rewriter.reaperSeen) {
                inst.retransformClasses(reaper);
            }
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
            spawnSeen = true;
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
            if (className.equals(REAPER_INTERNAL)) {
                reaperSeen = true;
            }
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
        CallSites sites = new CallSites(classFile);
        java.util.List<Integer> calls = sites.find(CallSites.INVOKEVIRTUAL, SPAWN_OWNER, SPAWN_METHOD, SPAWN_DESCRIPTOR,
                "<init>");
        if (calls.size() != 1) {
            throw new IllegalStateException("java.lang.ProcessImpl has " + calls.size() + " constructor calls to "
                    + SPAWN_METHOD + SPAWN_DESCRIPTOR + " (expected exactly 1): this JDK is not supported");
        }
        // The receiver becomes the bridge method's first argument: the same stack, invokestatic.
        return sites.redirect(calls, bridge, SPAWN_METHOD, "(Ljava/lang/Object;" + SPAWN_DESCRIPTOR.substring(1));
    }

    static byte[] rewriteExit(byte[] classFile, String bridge) {
        CallSites sites = new CallSites(classFile);
        return sites.redirect(sites.find(CallSites.INVOKESTATIC, WAIT_OWNER, WAIT_METHOD, WAIT_DESCRIPTOR, null),
                bridge, "waitForProcessExit", WAIT_DESCRIPTOR);
    }

    /** The number of {@code forkAndExec} calls in a {@code ProcessImpl}'s constructors (1 is supported). */
    public static int countSpawnCalls(byte[] processImpl) {
        return countCalls(processImpl, CallSites.INVOKEVIRTUAL, SPAWN_OWNER, SPAWN_METHOD, SPAWN_DESCRIPTOR, "<init>");
    }

    /** The number of {@code waitForProcessExit0} calls in a class of the JDK's reaper. */
    public static int countExitCalls(byte[] reaper) {
        return countCalls(reaper, CallSites.INVOKESTATIC, WAIT_OWNER, WAIT_METHOD, WAIT_DESCRIPTOR, null);
    }

    /** Counts calls with this opcode, owner, name and descriptor, inside methods named {@code in} (null: any). */
    static int countCalls(byte[] classFile, int opcode, String owner, String name, String descriptor, String in) {
        return new CallSites(classFile).find(opcode, owner, name, descriptor, in).size();
    }
}
