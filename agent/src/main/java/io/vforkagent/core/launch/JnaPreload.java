package io.vforkagent.core.launch;

/**
 * Loads the classes that starting JNA and binding the library need, on a thread of its own,
 * from the moment premain hands over: JNA's start is the longest step a first spawn waits for,
 * and reading and defining its ~55 classes is a good part of it. With the premain done, a core is
 * idle meanwhile (the application's first spawn waits); the start-up thread then finds the
 * classes defined and only links and initialises them. Not before the hand-over: there it
 * would compete with the premain, which the JVM's start waits for.
 *
 * <p>Only loaded, never initialised here: JNA's initialisers must run after its dispatch
 * library is loaded, on the start-up thread. A class that fails to load is left to the
 * start-up thread, which meets the same error and says so.
 */
public final class JnaPreload extends Thread {
    /**
     * The classes, one per line, in the order the start-up thread loads them: read on this
     * thread, not at start-up. StartupCostIT checks that no JNA class the start loads is missing
     * from it, and JnaPreloadTest that each exists.
     */
    static final String LIST = "jna-preload.txt";

    /** The list. */
    public static java.util.List<String> classes() throws java.io.IOException {
        try (java.io.InputStream in = JnaPreload.class.getResourceAsStream(LIST)) {
            if (in == null) {
                throw new java.io.IOException("the agent jar has no " + LIST);
            }
            String text = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
            java.util.List<String> names = new java.util.ArrayList<>();
            for (String line : text.split("\n")) {
                if (!line.isBlank()) {
                    names.add(line.trim());
                }
            }
            return names;
        }
    }

    private JnaPreload() {
        super("vfork-agent-preload");
        setDaemon(true);
    }

    /** Starts the loading; it ends by itself within milliseconds. */
    public static void begin() {
        try {
            new JnaPreload().start();
        } catch (Throwable t) {
            // no thread to spare (OutOfMemoryError: unable to create native thread): the start-up thread loads them
        }
    }

    @Override
    public void run() {
        ClassLoader loader = JnaPreload.class.getClassLoader();
        java.util.List<String> names;
        try {
            names = classes();
        } catch (Throwable t) {
            return; // the start-up thread loads them
        }
        // From the end of the list: the start-up thread loads from its start, so the two meet in
        // the middle instead of one waiting for each class the other is defining.
        java.util.Collections.reverse(names);
        for (String name : names) {
            try {
                Class.forName(name, false, loader);
            } catch (Throwable t) {
                // the start-up thread meets it again, and says so
            }
        }
    }
}
