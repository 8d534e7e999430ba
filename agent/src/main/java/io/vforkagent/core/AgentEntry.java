package io.vforkagent.core;

import java.lang.instrument.Instrumentation;
import java.util.function.Consumer;

/**
 * How the boot classes (in the application's class loader) start the agent without reflection:
 * on JDK 18+ a reflective call is made of method handles, and the first one of a signature spins
 * classes for ~15-25 ms of the JVM's start. Initialising this class hands the agent's class loader
 * an instance, which the boot side calls through java.base's {@link Consumer}.
 */
public final class AgentEntry implements Consumer<Object[]> {
    static {
        ClassLoader loader = AgentEntry.class.getClassLoader();
        if (loader instanceof Consumer) {
            @SuppressWarnings("unchecked")
            Consumer<Object> boot = (Consumer<Object>) loader;
            boot.accept(new AgentEntry());
        }
    }

    private AgentEntry() {
    }

    /**
     * {@code {agentArgs, instrumentation, attached}} as premain or agentmain was given them, or
     * {@code {commandLineArgs}} for the command line.
     */
    @Override
    public void accept(Object[] start) {
        if (start.length == 1) {
            io.vforkagent.core.cli.Cli.main((String[]) start[0]);
        } else {
            Agent.start((String) start[0], (Instrumentation) start[1], (Boolean) start[2]);
        }
    }
}
