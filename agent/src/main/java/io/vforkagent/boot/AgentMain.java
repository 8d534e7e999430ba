package io.vforkagent.boot;

import java.io.File;
import java.lang.instrument.Instrumentation;
import java.net.URL;
import java.util.jar.JarFile;

/**
 * Entry points of the agent jar: {@code -javaagent} (premain), attach (agentmain) and the
 * command line (main). This class is loaded by the application's class loader, so it uses the
 * JDK alone and hands over to the agent's isolated class loader at once.
 */
public final class AgentMain {
    /** Initialised, it hands the loader the agent's entry point (see AgentLoader.entry). */
    private static final String ENTRY = "io.vforkagent.core.AgentEntry";

    private AgentMain() {
    }

    public static void premain(String args, Instrumentation inst) {
        start(args, inst, false);
    }

    public static void agentmain(String args, Instrumentation inst) {
        start(args, inst, true);
    }

    public static void main(String[] args) throws Exception {
        entry().accept(new Object[] {args});
    }

    private static void start(String args, Instrumentation inst, boolean attached) {
        try {
            // No reflection: on JDK 18+ a reflective call spins method handles, ~15-25 ms of the start.
            entry().accept(new Object[] {args, inst, attached});
        } catch (Throwable t) {
            // The application must never break because of us: say why once and let it run.
            Throwable cause = t instanceof ExceptionInInitializerError && t.getCause() != null ? t.getCause() : t;
            System.err.println("[vfork-agent] WARN agent not started, the JDK launcher stays in place: " + cause);
        }
    }

    /** The agent's entry point, from a new loader of the agent's classes. */
    private static java.util.function.Consumer<Object[]> entry() throws Exception {
        AgentLoader loader = loader();
        Class.forName(ENTRY, true, loader);
        return loader.entry();
    }

    private static AgentLoader loader() throws Exception {
        URL url = AgentMain.class.getProtectionDomain().getCodeSource().getLocation();
        File file = new File(url.toURI());
        return new AgentLoader(new JarFile(file), file.toURI().toURL());
    }
}
