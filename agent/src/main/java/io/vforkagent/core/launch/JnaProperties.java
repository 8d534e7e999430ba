package io.vforkagent.core.launch;

import java.util.Properties;

/**
 * The system properties as the agent's JNA sees them (its classes are pointed here as they load,
 * see {@code boot.QuietJna}). JNA's own settings ({@code jna.*}, {@code jnidispatch.*}) live here,
 * private to the agent: the application's settings for its own JNA are not read (a
 * {@code jna.boot.library.path} of its choosing would have the agent load a library from there,
 * unchecked), and what the agent's JNA records ({@code jna.loaded}, {@code jnidispatch.path},
 * {@code jna.platform.library.path}) never reaches the application's JNA, of any version. Every
 * other property (os.arch, java.io.tmpdir...) is the JVM's, read only.
 */
public final class JnaProperties {
    private static final Properties OWN = new Properties();

    static {
        // JNA's defaults, stated so that nothing depends on the JVM's: the dispatch library comes
        // from the agent's class loader only (NativeInstaller serves it, checked), never from
        // java.library.path; and JNA unpacks nothing of its own.
        OWN.setProperty("jna.nosys", "true");
        OWN.setProperty("jna.nounpack", "true");
        // Given (empty), JNA's NativeLibrary skips finding its own: running "ldconfig -p" (a spawn,
        // which the agent refuses while it starts) and probing library directories. The agent
        // loads by absolute path only, so the search path is never used: ~10-40 ms of start-up.
        OWN.setProperty("jna.platform.library.path", "");
    }

    private JnaProperties() {
    }

    static boolean isJnas(String key) {
        return key.startsWith("jna.") || key.startsWith("jnidispatch.");
    }

    public static String getProperty(String key) {
        return isJnas(key) ? OWN.getProperty(key) : System.getProperty(key);
    }

    public static String getProperty(String key, String def) {
        String v = getProperty(key);
        return v == null ? def : v;
    }

    /** JNA's own keys stay here; it sets no other, and the JVM's are not the agent's to change. */
    public static String setProperty(String key, String value) {
        return isJnas(key) ? (String) OWN.setProperty(key, value) : getProperty(key);
    }

    public static String clearProperty(String key) {
        return isJnas(key) ? (String) OWN.remove(key) : getProperty(key);
    }

    /** A copy: the JVM's properties overlaid with JNA's own; writes to it change nothing. */
    public static Properties getProperties() {
        Properties p = new Properties();
        for (String k : System.getProperties().stringPropertyNames()) {
            if (!isJnas(k)) {
                p.setProperty(k, System.getProperty(k));
            }
        }
        p.putAll(OWN);
        return p;
    }

    public static boolean getBoolean(String key) {
        return Boolean.parseBoolean(getProperty(key));
    }

    public static Integer getInteger(String key) {
        return getInteger(key, null);
    }

    public static Integer getInteger(String key, int def) {
        return getInteger(key, Integer.valueOf(def));
    }

    private static Integer getInteger(String key, Integer def) {
        try {
            String v = getProperty(key);
            return v == null ? def : Integer.decode(v);
        } catch (NumberFormatException e) {
            return def;
        }
    }

    public static Long getLong(String key) {
        return getLong(key, null);
    }

    public static Long getLong(String key, long def) {
        return getLong(key, Long.valueOf(def));
    }

    private static Long getLong(String key, Long def) {
        try {
            String v = getProperty(key);
            return v == null ? def : Long.decode(v);
        } catch (NumberFormatException e) {
            return def;
        }
    }
}
