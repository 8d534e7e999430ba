package io.vforkagent.core;

import net.bytebuddy.dynamic.loading.ClassInjector;

import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.Method;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Puts the bridge classes into the bootstrap class loader, the only one {@code java.base} sees,
 * and opens what the agent needs of {@code java.base}. Runs before any agent class that names
 * the bridge is linked, and must not name it itself.
 *
 * <p>The classes are injected (ByteBuddy's {@code Unsafe}-based injector) rather than appended
 * with {@code appendToBootstrapClassLoaderSearch}, which would switch off class data sharing
 * for the application's own classes and print a VM warning.
 */
public final class BootstrapBridge {
    static final String[] CLASSES = {"io.vforkagent.bridge.Spawner", "io.vforkagent.bridge.SpawnBridge"};

    private BootstrapBridge() {
    }

    public static void inject(Instrumentation inst) throws IOException {
        Module self = BootstrapBridge.class.getModule();
        // java.lang: the agent calls ProcessImpl's and ProcessHandleImpl's private natives.
        inst.redefineModule(Object.class.getModule(), Set.of(), Map.of(), Map.of("java.lang", Set.of(self)),
                Set.of(), Map.of());
        if (!injected()) {
            Map<String, byte[]> bytes = new LinkedHashMap<>();
            for (String name : CLASSES) {
                bytes.put(name, read(name.replace('.', '/') + ".classdata"));
            }
            ClassInjector.UsingUnsafe.Factory.resolve(inst).make(null).injectRaw(bytes);
        }
        enableNativeAccessQuietly();
    }

    /** A second attach finds the bridge of the first. */
    static boolean injected() {
        try {
            Class.forName(CLASSES[1], false, null);
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
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
