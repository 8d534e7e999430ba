package io.vforkagent.core;

import io.vforkagent.core.record.Recorder;
import org.junit.jupiter.api.Test;

import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertTrue;

class AgentStartTest {
    /**
     * Whatever fails while the start finishes (here: even saying why the library did not load
     * throws), readiness is published: spawns waiting for the agent must not wait 30 s each for a
     * readiness that never comes.
     */
    @Test
    void readinessIsPublishedWhateverFailsDuringTheStart() {
        Recorder recorder = new Recorder(Options.parse("", new Properties()));
        SpawnService service = new SpawnService(null, new SpawnStats(), recorder);
        AgentBean bean = new AgentBean(service, new SpawnStats(), recorder);
        StartThread start = new StartThread(Options.parse("", new Properties()), false);
        start.proceed(service, new Control(service, recorder, bean), bean);
        try {
            start.finish(null, new java.io.IOException() {
                @Override
                public String getMessage() {
                    throw new IllegalStateException("anything at all");
                }
            });
        } catch (Throwable ignored) {
            // what matters is below
        }
        assertTrue(service.isReady());
    }
}
