package io.vforkagent.core;

import io.vforkagent.bridge.SpawnBridge;
import io.vforkagent.core.launch.ChildExit;
import io.vforkagent.core.launch.Launcher;
import io.vforkagent.core.launch.Outcomes;
import io.vforkagent.core.launch.Requests;
import io.vforkagent.core.launch.SpawnOutcome;
import io.vforkagent.core.launch.SpawnRequest;
import io.vforkagent.core.record.Recorder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bridge's calls, as {@code ProcessImpl} and the reaper make them, through the agent's
 * {@link BridgeCalls} (interfaces of java.base, no method handle): every argument arrives in its
 * place, the JDK's own exception comes back unchanged, and the exit and control calls pass.
 */
class BridgeCallsTest {
    @AfterEach
    void uninstall() {
        SpawnBridge.install(null, null, null);
        System.clearProperty(AgentStatus.PROPERTY);
        System.clearProperty(AgentStatus.LAST_PROPERTY);
    }

    /** Keeps the request and answers as told. */
    private static final class FakeLauncher implements Launcher {
        final List<SpawnRequest> launched = new ArrayList<>();
        final List<Object> waited = new ArrayList<>();
        SpawnOutcome outcome;

        @Override
        public SpawnOutcome launch(SpawnRequest request, boolean wantExecutable) {
            launched.add(request);
            return outcome;
        }

        @Override
        public ChildExit waitForExit(long pid, boolean reap) {
            waited.add(pid + (reap ? " reap" : " peek"));
            return Outcomes.reaped(3, 3 << 8);
        }
    }

    private static byte[] cstr(String s) {
        return (s + "\0").getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void callsReachTheServiceUnchanged() throws Exception {
        FakeLauncher vfork = new FakeLauncher();
        Recorder recorder = new Recorder(Options.parse("", new Properties()));
        SpawnStats stats = new SpawnStats();
        SpawnService service = new SpawnService(new FakeLauncher(), vfork, stats, recorder);
        service.launcherState(LauncherState.STARTING.libraryLoaded());
        service.ready();
        Control control = new Control(service, recorder, new AgentBean(service, stats, recorder));
        BridgeCalls calls = new BridgeCalls(service, control);
        SpawnBridge.install(calls, calls, calls);
        assertTrue(SpawnBridge.installed());

        vfork.outcome = Outcomes.started(4242, false);
        Object[] passed = {new Object(), 2, cstr("/helper"), cstr("/bin/echo"), cstr("a\0b"), 2, cstr("K=V"), 1,
            cstr("/tmp"), new int[] {-1, -1, -1}, true};
        assertEquals(4242, SpawnBridge.forkAndExec(passed[0], (Integer) passed[1], (byte[]) passed[2],
                (byte[]) passed[3], (byte[]) passed[4], (Integer) passed[5], (byte[]) passed[6], (Integer) passed[7],
                (byte[]) passed[8], (int[]) passed[9], (Boolean) passed[10]));
        Object[] arrived = Requests.asPassed(vfork.launched.get(0));
        for (int i = 0; i < passed.length; i++) {
            if (passed[i] instanceof Number || passed[i] instanceof Boolean) {
                assertEquals(passed[i], arrived[i], "argument " + i);
            } else {
                assertSame(passed[i], arrived[i], "argument " + i);
            }
        }
        Object process = passed[0];

        IOException jdkText = new IOException("error=2, No such file or directory");
        vfork.outcome = Outcomes.failed("vfork", 2, "ENOENT", "exec", jdkText);
        IOException thrown = assertThrows(IOException.class, () -> SpawnBridge.forkAndExec(process, 2, null,
                cstr("nope"), new byte[0], 0, null, 0, null, new int[] {-1, -1, -1}, false));
        assertSame(jdkText, thrown);

        assertEquals(3, SpawnBridge.waitForProcessExit(77, true));
        assertEquals(List.of("77 reap"), vfork.waited);

        String answer = SpawnBridge.control("launcher=jdk");
        assertTrue(answer.contains("launcher=jdk"), answer);
        assertFalse(service.launcherState().vfork);
    }

    /** The bridge holds no method handle: making them cost the premain ~20 ms of spun LambdaForms. */
    @Test
    void theBridgeHoldsNoMethodHandle() {
        for (Field f : SpawnBridge.class.getDeclaredFields()) {
            assertFalse(MethodHandle.class.isAssignableFrom(f.getType()), f.toString());
        }
    }
}
