package io.vforkagent.core;

import io.vforkagent.core.record.Recorder;
import org.junit.jupiter.api.Test;

import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertTrue;

class AgentStartTest {
    /**
     * Whatever fails once the library is loaded (here: no options at all), readiness is published:
     * spawns waiting for the agent must not wait 30 s each for a readiness that never comes.
     */
    @Test
    void readinessIsPublishedWhateverFailsDuringTheStart() {
        SpawnService service = new SpawnService(null, new SpawnStats(),
                new Recorder(Options.parse("", new Properties())));
        Agent agent = new Agent(service, new SpawnStats(), null);
        try {
            agent.finishStart(null, false, null, new java.io.IOException("no library"));
        } catch (Throwable ignored) {
            // what matters is below
        }
        assertTrue(service.isReady());
    }
}
