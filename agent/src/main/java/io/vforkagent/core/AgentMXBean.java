package io.vforkagent.core;

/** Live figures of the agent, registered as {@value #OBJECT_NAME}. */
public interface AgentMXBean {
    String OBJECT_NAME = "io.vforkagent:type=Agent";

    String getVersion();

    /** "vfork" or "jdk": which launcher serves spawns now. */
    String getLauncher();

    /** Why the vfork launcher is not in use, or "" when it is. */
    String getFallbackReason();

    long getVforkSpawns();

    long getJdkSpawns();

    long getFailures();

    /** Failures since start by errno name (ENOENT, EAGAIN…; "unknown" when the JDK's message had none). */
    java.util.Map<String, Long> getFailuresByErrno();

    /** Exits of children started through the agent, recorded when the JDK reaped them. */
    long getExits();

    /** Children started through the agent and not yet reaped. */
    long getLiveChildren();

    /** Spawn latency since start: upper bound of the power-of-two bucket holding the percentile. */
    long getLatencyP50Micros();

    long getLatencyP99Micros();

    long getLatencyMaxMicros();
}
