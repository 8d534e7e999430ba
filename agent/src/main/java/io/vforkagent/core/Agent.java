package io.vforkagent.core;

import io.vforkagent.core.instrument.ProcessRewriter;
import io.vforkagent.core.launch.JdkLauncher;
import io.vforkagent.core.record.Recorder;

import java.lang.instrument.Instrumentation;

/**
 * Starts the agent: checks the platform, installs the spawner behind the bridge, rewrites
 * {@code ProcessImpl}, then hands over to the {@link StartThread}, which loads the launcher. Any
 * problem leaves the JDK's launcher in place, said once; the application never breaks because of
 * the agent.
 */
public final class Agent {
    public static final String VERSION = versionOfJar();

    private Agent() {
    }

    public static void start(String agentArgs, Instrumentation inst, boolean attached) {
        AgentLog.trace("premain");
        if (handedToRunningAgent(agentArgs)) {
            return;
        }
        Options options;
        try {
            options = Options.parse(agentArgs, System.getProperties());
        } catch (IllegalArgumentException e) {
            AgentLog.stderr("WARN", e.getMessage() + "; the agent stays inactive and the JDK launcher in place");
            AgentStatus.declined(e.getMessage());
            return;
        }
        if (options.flag("help")) {
            System.err.print(Options.table());
        }
        AgentLog.trace("options");
        String unsupported = Platform.unsupported();
        if (unsupported != null) {
            AgentLog.stderr("WARN", "vfork-agent " + VERSION + " inactive: " + unsupported
                    + "; the JDK launcher stays in place");
            AgentStatus.declined(unsupported);
            return;
        }
        StartThread init = new StartThread(options, attached);
        init.start();
        try {
            install(inst, options, init);
        } finally {
            init.abandon(); // no-op once handed the agent; else the thread removes what it extracted
        }
    }

    /**
     * A second start in a JVM whose agent runs (a later attach, or the agent given twice): the
     * running agent applies the options, and says what is wrong with a bad one, nothing changed.
     * Checked before the options are read, so that a typo cannot mark a running agent inactive.
     */
    private static boolean handedToRunningAgent(String agentArgs) {
        try {
            Class<?> bridge = BootstrapBridge.existing();
            if (bridge == null || !BootstrapBridge.installed(bridge)) {
                return false;
            }
            AgentLog.stderr("INFO", BootstrapBridge.control(bridge, agentArgs == null ? "" : agentArgs));
            return true;
        } catch (Throwable t) {
            return false; // the usual path says what is wrong
        }
    }

    private static void install(Instrumentation inst, Options options, StartThread init) {
        Class<?> bridge;
        try {
            bridge = BootstrapBridge.inject(inst);
        } catch (Throwable t) {
            AgentLog.stderr("WARN", "vfork-agent " + VERSION + " inactive: cannot define its bridge in java.base ("
                    + t + "); the JDK launcher stays in place");
            AgentStatus.declined("cannot define its bridge in java.base (" + t + ")");
            return;
        }
        AgentLog.trace("bridge defined");
        SpawnStats stats = new SpawnStats();
        Recorder recorder = new Recorder(options);
        AgentLog.trace("recorder");
        SpawnService service;
        Control control;
        AgentBean bean;
        ProcessRewriter rewriter;
        try {
            service = new SpawnService(new JdkLauncher(), stats, recorder);
            bean = new AgentBean(service, stats, recorder);
            control = new Control(service, recorder, bean);
            // Before the control handle is reachable: an attach during the start wins over these.
            control.want(options.launcher());
            bean.want(options.flag("jmx"));
            BootstrapBridge.install(bridge, new BridgeCalls(service, control));
            AgentLog.trace("bridge calls installed");
            // Before the rewrite: from then on the init thread's own spawn (JNA's) reaches the service.
            service.starting(init);
            rewriter = ProcessRewriter.install(inst, bridge);
            AgentLog.trace("reaper rewritten");
        } catch (Throwable t) {
            try {
                BootstrapBridge.install(bridge, null);
            } catch (ReflectiveOperationException ignored) {
                // nothing was installed
            }
            AgentLog.stderr("WARN", "vfork-agent " + VERSION + " inactive: " + t.getMessage()
                    + "; the JDK launcher stays in place");
            AgentStatus.declined(String.valueOf(t.getMessage()));
            return;
        }
        try {
            recorder.trackExits(rewriter.exitRewritten());
            if (!rewriter.exitRewritten()) {
                AgentLog.stderr("WARN", "vfork-agent " + VERSION + ": the JDK's reaper was not rewritten ("
                        + rewriter.exitFailure() + "); process exits are not recorded");
            }

            AgentStatus.starting();
        } catch (Throwable t) {
            // Nothing here may keep the start-up thread from its hand-over: spawns wait for it.
            AgentLog.stderr("WARN", "vfork-agent " + VERSION + ": " + t);
        }
        init.proceed(service, control, bean);
    }

    private static String versionOfJar() {
        String v = Agent.class.getPackage() == null ? null : Agent.class.getPackage().getImplementationVersion();
        if (v == null) {
            v = versionOfBuild();
        }
        return v;
    }

    /** Outside the jar (unit tests): the version the build wrote beside the classes. */
    private static String versionOfBuild() {
        try (java.io.InputStream in = Agent.class.getResourceAsStream("version.txt")) {
            return in == null ? "unknown" : new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII).trim();
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }
}
