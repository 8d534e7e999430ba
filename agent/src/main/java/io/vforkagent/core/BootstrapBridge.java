package io.vforkagent.core;

import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.Instrumentation;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.Set;

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
     * The compiled bridge, renamed into java.lang: its name is in the constant pool only, as a
     * class name or inside a descriptor ("L...;"), so the UTF-8 entries naming it are rewritten
     * and every other byte is kept. No ASM remapper: a dozen classes less to load at every start.
     *
     * @throws IllegalStateException if the agent's package is named anywhere else (nothing to define then)
     */
    static byte[] renamed(byte[] classFile) {
        String from = SOURCE;
        String to = NAME.replace('.', '/');
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(classFile.length + 16);
        int count = u2(classFile, 8);
        out.write(classFile, 0, 10); // magic, version, constant pool count
        int p = 10;
        for (int i = 1; i < count; i++) {
            int tag = classFile[p] & 0xff;
            if (tag == 1) { // CONSTANT_Utf8: u2 length, bytes (the names here are ASCII)
                int len = u2(classFile, p + 1);
                String text = new String(classFile, p + 3, len, java.nio.charset.StandardCharsets.ISO_8859_1);
                String renamed = text.equals(from) ? to : text.replace("L" + from + ";", "L" + to + ";");
                if (renamed.contains("io/vforkagent")) {
                    throw new IllegalStateException("the bridge names the agent's own classes: " + renamed);
                }
                byte[] bytes = renamed.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
                out.write(tag);
                out.write(bytes.length >>> 8);
                out.write(bytes.length);
                out.write(bytes, 0, bytes.length);
                p += 3 + len;
                continue;
            }
            int size = constantSize(tag);
            out.write(classFile, p, size);
            p += size;
            if (tag == 5 || tag == 6) {
                i++; // a long or a double takes two entries
            }
        }
        out.write(classFile, p, classFile.length - p); // the class itself: it refers to entries by index only
        return out.toByteArray();
    }

    /** The size, with its tag, of a constant pool entry other than UTF-8 (JVMS 4.4). */
    private static int constantSize(int tag) {
        switch (tag) {
            case 7: case 8: case 16: case 19: case 20: // Class, String, MethodType, Module, Package
                return 3;
            case 15: // MethodHandle
                return 4;
            case 3: case 4: case 9: case 10: case 11: case 12: case 17: case 18: // Integer ... InvokeDynamic
                return 5;
            case 5: case 6: // Long, Double
                return 9;
            default:
                throw new IllegalStateException("unknown constant pool tag " + tag + " in the bridge");
        }
    }

    private static int u2(byte[] b, int at) {
        return (b[at] & 0xff) << 8 | (b[at + 1] & 0xff);
    }

    /** Installs the agent's handlers into the bridge. */
    static void install(Class<?> bridge, MethodHandle spawn, MethodHandle exit, MethodHandle control)
            throws ReflectiveOperationException {
        bridge.getMethod("install", MethodHandle.class, MethodHandle.class, MethodHandle.class)
                .invoke(null, spawn, exit, control);
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
            Method m = Module.class.getDeclaredMethod("implAddEnableNativeAccessToAllUnnamed");
            m.setAccessible(true);
            m.invoke(null);
        } catch (ReflectiveOperationException | RuntimeException e) {
            // Only the warning is at stake.
        }
    }
}
