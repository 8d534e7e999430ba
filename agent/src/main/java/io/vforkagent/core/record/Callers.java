package io.vforkagent.core.record;

import java.util.Optional;

/** The application frame that started a process: the first frame below the JDK's and the agent's. */
public final class Callers {
    private static final StackWalker WALKER = StackWalker.getInstance();

    private Callers() {
    }

    static String caller() {
        Optional<StackWalker.StackFrame> f = WALKER.walk(s -> s.filter(Callers::isApplication).findFirst());
        return f.map(fr -> fr.getClassName() + "." + fr.getMethodName() + "(" + fr.getFileName() + ":"
                + fr.getLineNumber() + ")").orElse("");
    }

    private static boolean isApplication(StackWalker.StackFrame f) {
        return isApplicationClass(f.getClassName());
    }

    /**
     * Whether a frame of this class is the application's, not the JDK's or the agent's spawn path
     * (the bridge and its BridgeCalls, SpawnService, launching and recording): the one rule, here and in the report.
     */
    public static boolean isApplicationClass(String c) {
        return !(c.startsWith("java.") || c.startsWith("jdk.") || c.startsWith("sun.")
                || c.startsWith("io.vforkagent.core.record.") || c.startsWith("io.vforkagent.core.launch.")
                || c.startsWith("io.vforkagent.core.SpawnService") || c.startsWith("io.vforkagent.core.BridgeCalls")
                || c.startsWith("io.vforkagent.bridge."));
    }
}
