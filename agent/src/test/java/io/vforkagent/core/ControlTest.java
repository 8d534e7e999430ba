package io.vforkagent.core;

import io.vforkagent.core.record.Recorder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.Properties;
import javax.management.MBeanServer;
import javax.management.ObjectName;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Reconfiguration by a later attach, through the real classes: the launcher the spawn path then
 * reads, the line the operator is answered with, and the status published for {@code attach}.
 */
class ControlTest {
    private SpawnService service;
    private AgentBean bean;
    private Control control;

    @BeforeEach
    void agent() {
        Recorder recorder = new Recorder(Options.parse("", new Properties()));
        SpawnStats stats = new SpawnStats();
        service = new SpawnService(null, stats, recorder);
        bean = new AgentBean(service, stats, recorder);
        control = new Control(service, recorder, bean);
    }

    @AfterEach
    void clear() throws Exception {
        System.clearProperty(AgentStatus.PROPERTY);
        System.clearProperty(AgentStatus.LAST_PROPERTY);
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName name = new ObjectName(AgentMXBean.OBJECT_NAME);
        if (server.isRegistered(name)) {
            server.unregisterMBean(name);
        }
    }

    /** The answer is also what attach reads back from the target. */
    private String control(String options) {
        String result = control.control(options);
        assertEquals(result, System.getProperty(AgentStatus.LAST_PROPERTY));
        return result;
    }

    /** Options without launcher= leave the one asked for before (they once reset it to vfork); a bare attach is vfork. */
    @Test
    void anAttachWithoutLauncherKeepsTheLauncher() {
        control.loaded();
        control("launcher=jdk");
        assertFalse(service.launcherState().vfork);
        String result = control("slowSpawnMs=5");
        assertFalse(service.launcherState().vfork, result);
        assertEquals("vfork-agent reconfigured launcher=jdk slowSpawnMs=5", result);
        assertEquals("vfork-agent reconfigured launcher=vfork", control(""), "a bare attach: vfork, as at start");
        control("args=off");
        assertTrue(service.launcherState().vfork);
    }

    @Test
    void vforkWithoutTheLibraryKeepsJdkAndSaysWhy() {
        control.loadFailed("native launcher did not load: no room");
        assertEquals("vfork-agent: launcher stays jdk: native launcher did not load: no room",
                control("launcher=vfork"));
        assertFalse(service.launcherState().vfork);
        assertEquals("active version=" + Agent.VERSION + " launcher=jdk"
                + " reason=\"native launcher did not load: no room\"", System.getProperty(AgentStatus.PROPERTY));
        assertEquals("jdk", AgentStatus.launcher(System.getProperty(AgentStatus.PROPERTY)));
    }

    /** The attach's wish outlives the failed load: a retry that loads the library applies it. */
    @Test
    void aRetryAppliesTheLastAttachsLauncher() {
        control.want("jdk");
        control.loadFailed("native launcher did not load: no room");
        control("launcher=vfork");
        control.loadedOnRetry();
        assertTrue(service.launcherState().vfork);
        assertEquals("active version=" + Agent.VERSION + " launcher=vfork", System.getProperty(AgentStatus.PROPERTY));
    }

    @Test
    void jdkThenVfork() {
        control.loaded();
        assertEquals("vfork-agent reconfigured launcher=jdk", control("launcher=jdk"));
        assertFalse(service.launcherState().vfork);
        assertTrue(service.launcherState().loaded, "the reaper keeps wait4");
        assertEquals("active version=" + Agent.VERSION + " launcher=jdk reason=\"launcher=jdk\"",
                System.getProperty(AgentStatus.PROPERTY));
        assertEquals("jdk", AgentStatus.launcher(System.getProperty(AgentStatus.PROPERTY)));

        assertEquals("vfork-agent reconfigured launcher=vfork", control("launcher=vfork"));
        assertTrue(service.launcherState().vfork);
        assertEquals("active version=" + Agent.VERSION + " launcher=vfork", System.getProperty(AgentStatus.PROPERTY));
        assertEquals("vfork", AgentStatus.launcher(System.getProperty(AgentStatus.PROPERTY)));
    }

    @Test
    void aBadOptionChangesNothingAndNamesTheOption() {
        control.loaded();
        LauncherState before = service.launcherState();
        String result = control("launcher=jdk,slowSpawnMz=5");
        assertTrue(result.startsWith("vfork-agent: ") && result.endsWith("; nothing changed"), result);
        assertTrue(result.contains("slowSpawnMz"), result);
        assertSame(before, service.launcherState());
    }

    @Test
    void runTimeOptionsAreAppliedAndTheOthersNamedForARestart() {
        control.loaded();
        String result = control("launcher=vfork,slowSpawnMs=5,args=off,tmpdir=/tmp");
        assertEquals("vfork-agent reconfigured launcher=vfork slowSpawnMs=5 args=off;"
                + " not applied until a restart: tmpdir", result);
    }

    /** jmx= registers or unregisters at once, and the MBean reads the launcher state. */
    @Test
    void jmxGiven() throws Exception {
        control.loaded();
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName name = new ObjectName(AgentMXBean.OBJECT_NAME);
        assertEquals("vfork-agent reconfigured launcher=jdk jmx=true", control("launcher=jdk,jmx=true"));
        assertTrue(bean.wanted());
        assertTrue(server.isRegistered(name));
        assertEquals("jdk", server.getAttribute(name, "Launcher"));
        assertEquals("launcher=jdk", server.getAttribute(name, "FallbackReason"));
        assertEquals(Agent.VERSION, server.getAttribute(name, "Version"));

        assertEquals("vfork-agent reconfigured launcher=jdk jmx=false", control("jmx=false"), "the launcher stays");
        assertFalse(bean.wanted(), "a registration still waiting for the first spawn reads it");
        assertFalse(server.isRegistered(name));
    }
}
