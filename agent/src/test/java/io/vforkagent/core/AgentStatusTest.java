package io.vforkagent.core;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The status property as the agent writes it, read back by what attach and list use. */
class AgentStatusTest {
    @AfterEach
    void clear() {
        System.clearProperty(AgentStatus.PROPERTY);
    }

    private static String status() {
        return System.getProperty(AgentStatus.PROPERTY);
    }

    @Test
    void starting() {
        AgentStatus.starting();
        assertEquals("starting version=" + Agent.VERSION, status());
        assertTrue(AgentStatus.isStarting(status()));
        assertFalse(AgentStatus.isInactive(status()));
        assertNull(AgentStatus.launcher(status()));
    }

    @Test
    void declined() {
        AgentStatus.declined("os.name=SunOS is not supported (Linux only)");
        assertEquals("inactive version=" + Agent.VERSION + " reason=\"os.name=SunOS is not supported (Linux only)\"",
                status());
        assertTrue(AgentStatus.isInactive(status()));
        assertFalse(AgentStatus.isStarting(status()));
        assertNull(AgentStatus.launcher(status()));
    }

    @Test
    void active() {
        AgentStatus.active(LauncherState.STARTING.libraryLoaded());
        assertEquals("active version=" + Agent.VERSION + " launcher=vfork", status());
        assertEquals("vfork", AgentStatus.launcher(status()));
        assertFalse(AgentStatus.isStarting(status()) || AgentStatus.isInactive(status()));
    }

    /** The reason is free text: a launcher named in it is not the one serving. */
    @Test
    void theReasonIsNotReadAsTheLauncher() {
        AgentStatus.active(LauncherState.STARTING.loadFailed("native launcher did not load: launcher=vfork x"));
        assertEquals("jdk", AgentStatus.launcher(status()));
    }

    @Test
    void noStatusIsNoAgent() {
        assertNull(AgentStatus.launcher(null));
        assertFalse(AgentStatus.isStarting(null) || AgentStatus.isInactive(null));
    }
}
