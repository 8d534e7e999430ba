package io.vforkagent.core;

import io.vforkagent.core.record.Recorder;

import java.lang.management.ManagementFactory;
import java.util.Map;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * The agent's MBean, {@value #OBJECT_NAME}: its figures, and when it is registered. Never
 * registered on a spawning thread: the platform MBean server costs tens of milliseconds to create.
 */
final class AgentBean implements AgentMXBean {
    private final SpawnService service;
    private final SpawnStats stats;
    private final Recorder recorder;
    /** The last word on the MBean (start or a later attach), for a registration made later. */
    private volatile boolean wanted;

    AgentBean(SpawnService service, SpawnStats stats, Recorder recorder) {
        this.service = service;
        this.stats = stats;
        this.recorder = recorder;
    }

    /** Whether the MBean is wanted (jmx=), as said last. */
    boolean wanted() {
        return wanted;
    }

    /** At start, before the control handle is reachable: an attach during the start wins over it. */
    void want(boolean on) {
        wanted = on;
    }

    /** A later attach's jmx=: registers or unregisters now, and a registration still waiting reads it. */
    void apply(boolean on) {
        wanted = on;
        register(on);
    }

    /**
     * For a -javaagent: registers on a thread of its own, {@value #AFTER_FIRST_SPAWN_MILLIS} ms after
     * the application's first spawn (when the start line is logged).
     * Creating the platform MBean server initialises java.util.logging for good: at start-up it
     * would fix the JVM's LogManager before an application that picks its own in main
     * (java.util.logging.manager, as JBoss LogManager users do) has picked it.
     */
    static final long AFTER_FIRST_SPAWN_MILLIS = 250;

    void registerAtFirstSpawn() {
        service.atFirstSpawn(new Runnable() {
            private boolean waited;

            @Override
            public void run() {
                if (!waited) {
                    // Not while the application's first spawn and its start still run: on few cores the
                    // MBean server's tens of ms of CPU (JMX classes, libmanagement) would compete with them.
                    waited = true;
                    try {
                        Thread.sleep(AFTER_FIRST_SPAWN_MILLIS);
                    } catch (InterruptedException e) {
                        return; // this thread is the agent's: nobody else interrupts it
                    }
                }
                // The platform MBean server loads libmanagement in a JDK class initialiser: with
                // no descriptor to spare it would fail, and that JDK class with it, for good
                // (the application's own JMX then throws NoClassDefFoundError). Later instead.
                if (!Headroom.descriptorsToSpare(Headroom.FOR_JDK_INIT)) {
                    service.atFirstSpawnAgain(this, 1_000_000_000L);
                    return;
                }
                registerAsWanted(); // a later attach may have said jmx=false meanwhile
            }
        });
    }

    /** For an attached agent, which comes long after main: now, unless descriptors are short. */
    void registerNow() {
        if (Headroom.descriptorsToSpare(Headroom.FOR_JDK_INIT)) {
            registerAsWanted();
        } else {
            AgentLog.stderr("WARN", "vfork-agent: the MBean is not registered: no file descriptors to spare "
                    + "(the JDK's management classes would fail for good); attach again with jmx=true later");
        }
    }

    /** Read under the lock that {@link #register} takes: no registration overtakes a later jmx=false. */
    private synchronized void registerAsWanted() {
        register(wanted);
    }

    /** Registers or unregisters the MBean; either is a no-op when already so. */
    private synchronized void register(boolean on) {
        try {
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            ObjectName name = new ObjectName(OBJECT_NAME);
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

    @Override
    public String getVersion() {
        return Agent.VERSION;
    }

    @Override
    public String getLauncher() {
        return service.launcherState().launcher();
    }

    @Override
    public String getFallbackReason() {
        return service.launcherState().reason;
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
    public Map<String, Long> getFailuresByErrno() {
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
