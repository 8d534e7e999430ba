package io.vforkagent.it;

/**
 * An application that may use its own JNA: spawns (so that the agent has started), prints what
 * it sees of JNA's system properties, and, given a library name, loads it with its own JNA the
 * usual way ({@code NativeLibrary.getInstance}). Usage: {@code JnaIsolationApp [library]}.
 */
public final class JnaIsolationApp {
    private JnaIsolationApp() {
    }

    public static void main(String[] args) throws Exception {
        for (int i = 0; i < 3; i++) {
            Process p = new ProcessBuilder("/bin/true").start();
            if (p.waitFor() != 0) {
                throw new AssertionError("spawn " + i);
            }
        }
        for (String key : new String[] {"jna.loaded", "jnidispatch.path", "jna.platform.library.path",
                "jna.boot.library.path", "jna.nosys", "jna.nounpack"}) {
            System.out.println("PROP " + key + "=" + System.getProperty(key));
        }
        if (args.length > 0) {
            try {
                Object lib = Class.forName("com.sun.jna.NativeLibrary").getMethod("getInstance", String.class)
                        .invoke(null, args[0]);
                System.out.println("LOADED " + lib.getClass().getMethod("getFile").invoke(lib));
            } catch (java.lang.reflect.InvocationTargetException e) {
                System.out.println("LOAD-FAILED " + e.getCause());
            }
        }
        System.out.println("STATUS " + System.getProperty("vfork-agent.status"));
        for (String map : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/maps"))) {
            if (map.contains("vfork-agent") || map.contains("vforkagent")) {
                String[] f = map.trim().split("\\s+", 6);
                System.out.println("MAP " + (f.length == 6 ? f[5] : ""));
            }
        }
        SpawnApp.printAgent(args.length > 0 ? 10 : 10);
    }
}
