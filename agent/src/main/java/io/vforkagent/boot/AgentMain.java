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
    private static final String CORE = "io.vforkagent.core.Agent";
    private static final String CLI = "io.vforkagent.core.cli.Cli";

    private AgentMain() {
    }

    public static void premain(String args, Instrumentation inst) {
        start(args, inst, false);
    }

    public static void agentmain(String args, Instrumentation inst) {
        start(args, inst, true);
    }

    public static void main(String[] args) throws Throwable {
        try {
            loader().loadClass(CLI).getMethod("main", String[].class).invoke(null, (Object) args);
        } catch (java.lang.reflect.InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private static void start(String args, Instrumentation inst, boolean attached) {
        try {
            ClassLoader loader = loader();
            loader.loadClass(CORE)
                    .getMethod("start", String.class, Instrumentation.class, boolean.class)
                    .invoke(null, args, inst, attached);
        } catch (Throwable t) {
            // The application must never break because of us: say why once and let it run.
            Throwable cause = t instanceof java.lang.reflect.InvocationTargetException ? t.getCause() : t;
            System.err.println("[vfork-agent] WARN agent not started, the JDK launcher stays in place: " + cause);
        }
    }

    private static ClassLoader loader() throws Exception {
        URL url = AgentMain.class.getProtectionDomain().getCodeSource().getLocation();
        File file = new File(url.toURI());
        return new AgentLoader(new JarFile(file), file.toURI().toURL());
    }
}
