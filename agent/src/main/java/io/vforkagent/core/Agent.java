package io.vforkagent.core;

import io.vforkagent.core.instrument.ProcessRewriter;
import io.vforkagent.core.record.Recorder;
import io.vforkagent.core.launch.JdkLauncher;
import io.vforkagent.core.launch.NativeInstaller;
import io.vforkagent.core.launch.NativeLauncher;

import java.lang.instrument.Instrumentation;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts the agent: checks the platform, loads the launcher, installs the spawner behind the
 * bridge, then rewrites {@code ProcessImpl}. Any problem leaves the JDK's launcher in place, said
 * once; the application never breaks because of the agent.
 */
public final class Agent implements AgentMXBean {
    public static final String OBJECT_NAME = "io.vforkagent:type=Agent";
    public static final String VERSION = versionOfJar();

    static final MethodType SPAWN_TYPE = MethodType.methodType(int.class, Object.class, int.class, byte[].class,
            byte[].class, byte[].class, int.class, byte[].class, int.class, byte[].class, int[].class, boolean.class);
    static final MethodType EXIT_TYPE = MethodType.methodType(int.class, long.class, boolean.class);

    private final SpawnService service;
    private final SpawnStats stats;
    private final Recorder recorder;
    private volatile boolean nativeLoaded;
    /** The launcher asked for, at start or by the last attach: what serves once the library loads. */
    private volatile String wantedLauncher = "vfork";
    private volatile String fallbackReason = "";
    /** The last word on the MBean (start or a later attach), for a registration made later. */
    private volatile boolean jmxWanted;

    Agent(SpawnService service, SpawnStats stats, Recorder recorder) {
        this.service = service;
        this.stats = stats;
        this.recorder = recorder;
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
            declined(e.getMessage());
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
            declined(unsupported);
            return;
        }
        Init init = new Init(options, attached);
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

    private static void install(Instrumentation inst, Options options, Init init) {
        Class<?> bridge;
        try {
            bridge = BootstrapBridge.inject(inst);
        } catch (Throwable t) {
            AgentLog.stderr("WARN", "vfork-agent " + VERSION + " inactive: cannot define its bridge in java.base ("
                    + t + "); the JDK launcher stays in place");
            declined("cannot define its bridge in java.base (" + t + ")");
            return;
        }
        AgentLog.trace("bridge defined");
        SpawnStats stats = new SpawnStats();
        Recorder recorder = new Recorder(options);
        AgentLog.trace("recorder");
        SpawnService service;
        Agent agent;
        ProcessRewriter rewriter;
        try {
            service = new SpawnService(JdkLauncher.create(), stats, recorder);
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            agent = new Agent(service, stats, recorder);
            // Before the control handle is reachable: an attach during the start wins over these.
            agent.wantedLauncher = options.launcher();
            agent.jmxWanted = options.flag("jmx");
            BootstrapBridge.install(bridge,
                    lookup.findVirtual(SpawnService.class, "forkAndExec", SPAWN_TYPE).bindTo(service),
                    lookup.findVirtual(SpawnService.class, "waitForProcessExit", EXIT_TYPE).bindTo(service),
                    lookup.findVirtual(Agent.class, "control", MethodType.methodType(String.class, String.class))
                            .bindTo(agent));
            AgentLog.trace("handles installed");
            // Before the rewrite: from then on the init thread's own spawn (JNA's) reaches the service.
            service.starting(init);
            rewriter = ProcessRewriter.install(inst, bridge);
            AgentLog.trace("ProcessImpl rewritten");
        } catch (Throwable t) {
            try {
                BootstrapBridge.install(bridge, null, null, null);
            } catch (ReflectiveOperationException ignored) {
                // nothing was installed
            }
            AgentLog.stderr("WARN", "vfork-agent " + VERSION + " inactive: " + t.getMessage()
                    + "; the JDK launcher stays in place");
            declined(String.valueOf(t.getMessage()));
            return;
        }
        try {
            recorder.trackExits(rewriter.exitRewritten());
            if (!rewriter.exitRewritten()) {
                AgentLog.stderr("WARN", "vfork-agent " + VERSION + ": the JDK's reaper was not rewritten ("
                        + rewriter.exitFailure() + "); process exits are not recorded");
            }

            System.setProperty(STATUS_PROPERTY, "starting version=" + VERSION);
        } catch (Throwable t) {
            // Nothing here may keep the start-up thread from its hand-over: spawns wait for it.
            AgentLog.stderr("WARN", "vfork-agent " + VERSION + ": " + t);
        }
        init.proceed(agent);
    }

    /**
     * The agent's start-up thread, so that the JVM's start does not wait for the library: a spawn
     * made before it is done waits for it instead (SpawnService.awaitReady). It extracts the
     * library and starts JNA at once, alongside the rewriting of {@code ProcessImpl} (neither
     * spawns); once premain hands it the agent, it loads the library. JNA runs "ldconfig -p"
     * there (it ignores a failure; the library is loaded by absolute path): that spawn of the
     * agent's own is refused rather than paid for with the JDK's launcher.
     */
    private static final class Init extends Thread {
        private final Options options;
        private final boolean attached;
        private final java.util.concurrent.CountDownLatch handed = new java.util.concurrent.CountDownLatch(1);
        /** Null when premain gave up: the extracted library is removed, nothing else done. */
        private volatile Agent agent;

        Init(Options options, boolean attached) {
            super("vfork-agent-init");
            setDaemon(true);
            this.options = options;
            this.attached = attached;
        }

        void proceed(Agent a) {
            agent = a;
            handed.countDown();
        }

        void abandon() {
            handed.countDown();
        }

        @Override
        public void run() {
            NativeInstaller.Prepared prepared = null;
            Throwable failure = null;
            try {
                prepared = NativeInstaller.prepare(baseDirectory(options));
            } catch (Throwable t) {
                failure = t;
            }
            boolean interrupted = false;
            while (true) {
                try {
                    handed.await();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true; // premain's hand-off is what this thread is for
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            Agent a = agent;
            if (a == null) {
                if (prepared != null) {
                    NativeInstaller.discard(prepared);
                }
                return;
            }
            a.finishStart(options, attached, prepared, failure);
        }
    }

    static Path baseDirectory(Options options) {
        String tmp = options.get("tmpdir");
        return Path.of(tmp.isEmpty() ? System.getProperty("java.io.tmpdir") : tmp);
    }

    /**
     * Loads the native library (in both modes: with launcher=jdk it still reaps with wait4) that
     * {@link Init} prepared, or says why it could not. Whatever happens here, readiness is
     * published: spawns waiting for it must never wait in vain.
     */
    void finishStart(Options options, boolean attached, NativeInstaller.Prepared prepared,
                             Throwable prepareFailure) {
        try {
            boolean loaded = load(prepared, prepareFailure, options);
            applyLoaded(loaded);
            if (jmxWanted && !attached) {
                // Creating the platform MBean server initialises java.util.logging for good: at
                // start-up it would fix the JVM's LogManager before an application that picks its own
                // in main (java.util.logging.manager, as JBoss LogManager users do) has picked it. A
                // -javaagent waits for the first spawn, as the start line does.
                service.atFirstSpawn(new Runnable() {
                    @Override
                    public void run() {
                        // The platform MBean server loads libmanagement in a JDK class initialiser: with
                        // no descriptor to spare it would fail, and that JDK class with it, for good
                        // (the application's own JMX then throws NoClassDefFoundError). Later instead.
                        if (!Headroom.descriptorsToSpare(Headroom.FOR_JDK_INIT)) {
                            service.atFirstSpawnAgain(this, 1_000_000_000L);
                            return;
                        }
                        jmxAsWanted(); // a later attach may have said jmx=false meanwhile
                    }
                });
            }
            // Before ready(): the first spawn, which waits for ready, then logs the start line first.
            AgentLog.started("vfork-agent started version=" + VERSION + " launcher=" + getLauncher()
                    + " jdk=" + Runtime.version() + " attached=" + attached
                    + " library=" + NativeLauncher.PLATFORM + "-glibc"
                    + (fallbackReason.isEmpty() ? "" : " reason=\"" + fallbackReason + "\""));
        } catch (Throwable t) {
            fallbackReason = "agent start failed: " + t;
            AgentLog.stderr("WARN", "vfork-agent " + VERSION + ": " + fallbackReason + "; spawns use the JDK launcher");
        } finally {
            service.ready();
            publishStatus();
        }
        if (attached && jmxWanted) {
            if (Headroom.descriptorsToSpare(Headroom.FOR_JDK_INIT)) {
                jmxAsWanted(); // an attached agent comes long after main
            } else {
                AgentLog.stderr("WARN", "vfork-agent: the MBean is not registered: no file descriptors to spare "
                        + "(the JDK's management classes would fail for good); attach again with jmx=true later");
            }
        }
    }

    /** Loads the library; on failure says why once and, where the cause may pass, arranges a retry. */
    private boolean load(NativeInstaller.Prepared prepared, Throwable prepareFailure, Options options) {
        try {
            if (prepareFailure != null) {
                throw prepareFailure;
            }
            NativeInstaller.load(prepared);
            AgentLog.trace("native library loaded");
            return true;
        } catch (Throwable t) {
            String reason = "native launcher did not load: " + t.getMessage();
            fallbackReason = reason;
            boolean again = LoadRetry.isTransient(t);
            if (again) {
                new LoadRetry(this, service, options).arm(); // first: saying so may fail under the same shortage
            }
            try {
                // Unless the JVM's exit removed the extracted files under it: then it is no news.
                if (!jvmExiting()) {
                    AgentLog.stderr("WARN", "vfork-agent " + VERSION + ": " + reason + "; spawns use the JDK launcher"
                            + (again ? " until a retry at a later spawn succeeds" : ""));
                }
            } catch (Throwable ignored) {
                // nothing to say it with
            }
            return false;
        }
    }

    /** The launcher state once the library is loaded, or known not to be. */
    private synchronized void applyLoaded(boolean loaded) {
        boolean vfork = loaded && wantedLauncher.equals("vfork");
        service.useNative(vfork, loaded);
        nativeLoaded = loaded;
        if (loaded) {
            fallbackReason = vfork ? "" : "launcher=jdk";
        }
    }

    /** After a retry loaded the library: the launcher asked for at start (or by a later attach) now serves. */
    void loadedOnRetry() {
        applyLoaded(true);
        publishStatus();
        AgentLog.stderr("INFO", "vfork-agent " + VERSION + ": native launcher loaded on retry; launcher="
                + getLauncher());
    }

    /** Whether the JVM's shutdown has begun: the one way the JDK tells is refusing a new hook. */
    private static boolean jvmExiting() {
        Thread probe = new Thread();
        try {
            Runtime.getRuntime().addShutdownHook(probe);
            Runtime.getRuntime().removeShutdownHook(probe);
            return false;
        } catch (IllegalStateException shuttingDown) {
            return true;
        }
    }

    /** Where {@code vfork-agent attach} and {@code list} read the agent's state (not an option name). */
    public static final String STATUS_PROPERTY = "vfork-agent.status";

    /** So that {@code attach} can tell the operator why, not only the target's stderr. */
    private static void declined(String reason) {
        System.setProperty(STATUS_PROPERTY, "inactive version=" + VERSION + " reason=\"" + reason + "\"");
    }

    private void publishStatus() {
        System.setProperty(STATUS_PROPERTY, "active version=" + VERSION + " launcher=" + getLauncher()
                + (fallbackReason.isEmpty() ? "" : " reason=\"" + fallbackReason + "\""));
    }

    /**
     * Options from a later attach, applied to the running agent. Only {@code launcher} changes
     * behaviour at run time; any other option given is checked and named as needing a restart.
     *
     * @return one line saying what was done, also published as the status property
     */
    String control(String agentArgs) {
        String result;
        try {
            Options options = Options.parse(agentArgs, new java.util.Properties());
            List<String> applied = new ArrayList<>();
            String launcher = options.launcher();
            synchronized (this) {
                wantedLauncher = launcher;
                if (launcher.equals("vfork") && !nativeLoaded) {
                    result = "vfork-agent: launcher stays jdk: " + fallbackReason;
                } else {
                    service.useNative(launcher.equals("vfork"), nativeLoaded);
                    fallbackReason = launcher.equals("vfork") ? "" : "launcher=jdk";
                    result = "vfork-agent reconfigured launcher=" + launcher;
                }
            }
            applied.addAll(recorder.reconfigure(options, options.given()));
            if (options.given().contains("jmx")) {
                jmxWanted = options.flag("jmx"); // a registration still waiting for the first spawn reads it
                jmx(jmxWanted);
                applied.add("jmx");
            }
            if (options.flag("help")) {
                System.err.print(Options.table());
            }
            for (String name : applied) {
                result += " " + name + "=" + options.get(name);
            }
            List<String> later = new ArrayList<>(options.given());
            later.removeAll(applied);
            later.removeAll(List.of("launcher", "help"));
            if (!later.isEmpty()) {
                result += "; not applied until a restart: " + String.join(", ", later);
            }
        } catch (IllegalArgumentException e) {
            result = "vfork-agent: " + e.getMessage() + "; nothing changed";
        }
        publishStatus();
        System.setProperty(STATUS_PROPERTY + ".last", result);
        return result;
    }

    /** Read under the lock that {@link #jmx} takes: no registration overtakes a later jmx=false. */
    private synchronized void jmxAsWanted() {
        jmx(jmxWanted);
    }

    /**
     * Registers or unregisters the MBean; either is a no-op when already so. Never on a spawning
     * thread: the platform MBean server costs tens of milliseconds to create.
     */
    private synchronized void jmx(boolean on) {
        try {
            javax.management.MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            javax.management.ObjectName name = new javax.management.ObjectName(OBJECT_NAME);
            if (on && !server.isRegistered(name)) {
                server.registerMBean(this, name);
            } else if (!on && server.isRegistered(name)) {
                server.unregisterMBean(name);
            }
        } catch (Throwable e) {
            AgentLog.stderr("WARN", "vfork-agent: MBean " + OBJECT_NAME + " not " + (on ? "registered" : "unregistered")
                    + ": " + e);
        }
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

    @Override
    public String getVersion() {
        return VERSION;
    }

    @Override
    public String getLauncher() {
        return service.usesVfork() ? "vfork" : "jdk";
    }

    @Override
    public String getFallbackReason() {
        return fallbackReason;
    }

    @Override
    public long getVforkSpawns() {
        return stats.vforkSpawns();
    }

    @Override
    public long getJdkSpawns() {
        return stats.jdkSpawns();
    }

    @Override
    public long getFailures() {
        return stats.failures();
    }

    @Override
    public java.util.Map<String, Long> getFailuresByErrno() {
        return stats.failuresByErrno();
    }

    @Override
    public long getExits() {
        return recorder.exits();
    }

    @Override
    public long getLiveChildren() {
        return recorder.liveChildren();
    }

    @Override
    public long getLatencyP50Micros() {
        return recorder.latency().percentileNanos(0.5) / 1000;
    }

    @Override
    public long getLatencyP99Micros() {
        return recorder.latency().percentileNanos(0.99) / 1000;
    }

    @Override
    public long getLatencyMaxMicros() {
        return recorder.latency().maxNanos / 1000;
    }
}
