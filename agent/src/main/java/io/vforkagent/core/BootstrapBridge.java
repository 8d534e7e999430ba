package io.vforkagent.core;

import io.vforkagent.core.instrument.CallSites;

import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.Instrumentation;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Map;
import java.util.Set;
import java.util.function.LongBinaryOperator;
import java.util.function.ToIntFunction;
import java.util.function.UnaryOperator;

/**
 * Defines the bridge into {@code java.base} (package {@code java.lang}), the only place
 * {@code ProcessImpl} can call, and opens {@code java.lang} to the agent.
 *
 * <p>Why not the usual ways: {@code appendToBootstrapClassLoaderSearch} switches class data
 * sharing off for the application's own classes (with a VM warning), and injecting through
 * {@code sun.misc.Unsafe} prints a deprecation warning on JDK 24+. {@code Lookup.defineClass}
 * into an opened {@code java.lang} needs neither.
 */
public final class BootstrapBridge {
    /** The bridge's name at run time. */
    public static final String NAME = "java.lang.VforkAgentBridge";
    static final String SOURCE = "io/vforkagent/bridge/SpawnBridge";

    private BootstrapBridge() {
    }

    /** Defines the bridge once per JVM (a second attach finds the first one's) and returns it. */
    public static Class<?> inject(Instrumentation inst) throws IOException, IllegalAccessException {
        // java.lang: to define the bridge there, and to call ProcessImpl's and ProcessHandleImpl's private natives.
        inst.redefineModule(Object.class.getModule(), Set.of(), Map.of(),
                Map.of("java.lang", Set.of(BootstrapBridge.class.getModule())), Set.of(), Map.of());
        AgentLog.trace("java.lang opened");
        enableNativeAccessQuietly();
        AgentLog.trace("native access");
        Class<?> bridge = existing();
        if (bridge != null) {
            return bridge;
        }
        MethodHandles.Lookup javaLang = MethodHandles.privateLookupIn(Object.class, MethodHandles.lookup());
        AgentLog.trace("java.lang lookup");
        byte[] renamed = renamed(read(SOURCE + ".classdata"));
        AgentLog.trace("bridge renamed");
        return javaLang.defineClass(renamed);
    }

    /** The bridge an earlier start defined in this JVM, or null: nothing is defined or opened. */
    static Class<?> existing() {
        try {
            return Class.forName(NAME, false, null);
        } catch (ClassNotFoundException none) {
            return null;
        }
    }

    /**
     * The compiled bridge, renamed into java.lang by {@link CallSites#renamed} (no ASM remapper: a
     * dozen classes less to load at every start).
     *
     * @throws IllegalStateException if the bridge names any of the agent's own classes (nothing to define then)
     */
    static byte[] renamed(byte[] classFile) {
        return CallSites.renamed(classFile, SOURCE, NAME.replace('.', '/'), "io/vforkagent");
    }

    /**
     * Installs the agent's side into the bridge (null uninstalls it), through variable handles on
     * its private fields: the bridge has no public way in, and a reflective call would spin method
     * handles on JDK 18+ (~10 ms of the start). In the order the bridge documents: control, then
     * spawn (read as "installed"), then exit.
     */
    static void install(Class<?> bridge, BridgeCalls calls) throws ReflectiveOperationException {
        MethodHandles.Lookup in = MethodHandles.privateLookupIn(bridge, MethodHandles.lookup());
        in.findStaticVarHandle(bridge, "control", UnaryOperator.class).setVolatile((UnaryOperator<String>) calls);
        in.findStaticVarHandle(bridge, "spawn", ToIntFunction.class).setVolatile((ToIntFunction<Object[]>) calls);
        in.findStaticVarHandle(bridge, "exit", LongBinaryOperator.class).setVolatile((LongBinaryOperator) calls);
    }

    /** Passes options to the agent already installed in this JVM (by an earlier start or attach). */
    static String control(Class<?> bridge, String options) throws ReflectiveOperationException {
        return (String) bridge.getMethod("control", String.class).invoke(null, options);
    }

    static boolean installed(Class<?> bridge) throws ReflectiveOperationException {
        return (Boolean) bridge.getMethod("installed").invoke(null);
    }

    private static byte[] read(String resource) throws IOException {
        try (InputStream in = BootstrapBridge.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("the agent jar has no " + resource);
            }
            return in.readAllBytes();
        }
    }

    /**
     * JDK 22+ prints a warning on the first restricted call (JNA's System.load) from an unnamed
     * module, and from then on allows them for every unnamed module. Under that default (warn),
     * do the same without the warning: it is the agent's load, not the application's. Under
     * --illegal-native-access=deny nothing is granted, and the native library fails to load.
     */
    private static void enableNativeAccessQuietly() {
        String mode = System.getProperty("jdk.module.illegal.native.access", "warn");
        if (Runtime.version().feature() < 22 || !mode.equals("warn")) {
            return;
        }
        try {
            // A method handle of the commonest shape, ()void, whose forms the JDK has archived: a
            // reflective call would spin its own (~5 ms). java.lang is open to the agent by now.
            MethodHandles.privateLookupIn(Module.class, MethodHandles.lookup())
                    .findStatic(Module.class, "implAddEnableNativeAccessToAllUnnamed", MethodType.methodType(void.class))
                    .invokeExact();
        } catch (Throwable t) {
            // Only the warning is at stake.
        }
    }
}
